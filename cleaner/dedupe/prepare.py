"""A batch of paragraphs made ready for matching: keys, shingles, signatures, band keys, anchors.

Everything here is computed once per batch with numpy over all paragraphs together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cleaner.dedupe.keys import batch_shingles, mix64, shingle_text
from cleaner.dedupe.lsh import band_keys, optimal_bands
from cleaner.dedupe.minhash import signatures
from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.reuse import bigram_ids, words

#: Salts that keep anchor keys and phrase keys apart from band keys in one key space.
_ANCHOR_SALT = np.uint64(0xA5A5A5A55A5A5A5A)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of one document, where it came from and its text."""

    doc_id: str
    source: str
    index: int
    text: str


@dataclass
class Prepared:
    """The matching material of a batch; row ``i`` belongs to ``paragraphs[i]``."""

    paragraphs: list[Paragraph]
    keys: list[str]
    hashes: np.ndarray
    offsets: np.ndarray
    signature: np.ndarray
    bands: np.ndarray
    anchor_owner: np.ndarray
    anchor_key: np.ndarray
    _sets: dict[int, np.ndarray] = field(default_factory=dict)
    _words: dict[int, list[str]] = field(default_factory=dict)

    def shingle_set(self, i: int) -> np.ndarray:
        """Sorted unique shingle hashes of paragraph ``i`` (cached)."""
        s = self._sets.get(i)
        if s is None:
            s = np.unique(self.hashes[self.offsets[i] : self.offsets[i + 1]])
            self._sets[i] = s
        return s

    def words(self, i: int) -> list[str]:
        """Words of paragraph ``i`` for reuse mode (cached)."""
        w = self._words.get(i)
        if w is None:
            w = words(self.paragraphs[i].text)
            self._words[i] = w
        return w

    def digest(self, i: int) -> str:
        """Content hash of paragraph ``i``'s matching key (part of its identity in an index)."""
        return hashlib.blake2b(self.keys[i].encode(), digest_size=10).hexdigest()

    def phrase_keys(self, i: int) -> np.ndarray:
        """Reuse-mode phrase keys (word bigram ids) of paragraph ``i`` as uint64."""
        return np.array(bigram_ids(self.words(i)), dtype=np.int64).view(np.uint64)

    def index_keys(self, i: int, with_phrases: bool) -> np.ndarray:
        """Every key paragraph ``i`` is found by in an index."""
        lo, hi = np.searchsorted(self.anchor_owner, [i, i + 1])  # owners are sorted
        parts = [self.bands[i], self.anchor_key[lo:hi]]
        if with_phrases:
            parts.append(self.phrase_keys(i))
        return np.concatenate(parts)


def prepare(paragraphs: Sequence[Paragraph], opts: DedupeOptions) -> Prepared:
    """Compute the matching material of a batch."""
    keys = [shingle_text(p.text) for p in paragraphs]
    hashes, offsets = batch_shingles(keys, opts.shingle_size)
    sig = signatures(hashes, offsets, opts.num_perm, opts.seed)
    b, r = optimal_bands(opts.threshold, opts.num_perm)
    bands = band_keys(sig, b, r)
    owner, anchor = anchors(hashes, offsets, opts.anchor_rate)
    return Prepared(list(paragraphs), keys, hashes, offsets, sig, bands, owner, anchor)


def anchors(
    hashes: np.ndarray, offsets: np.ndarray, rate: int, per_paragraph: int = 6
) -> tuple[np.ndarray, np.ndarray]:
    """The rarest sampled shingles of each paragraph, as ``(owner, key)`` arrays.

    Shingles are sampled by content (about one in ``rate``), counted over the batch, and
    each paragraph keeps its ``per_paragraph`` rarest. A short line quoted in a longer
    paragraph shares its rarest shingles with it, so the two meet under a key that few
    other paragraphs hold; LSH cannot propose such pairs (their Jaccard is low).
    """
    counts = np.diff(offsets)
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    pick = (hashes >> np.uint64(40)) % np.uint64(rate) == 0
    key = mix64(hashes[pick] ^ _ANCHOR_SALT)
    pairs = np.unique(np.stack([owner[pick].astype(np.uint64), key], axis=1), axis=0)
    own, key = pairs[:, 0].astype(np.int64), pairs[:, 1]
    _, inverse, df = np.unique(key, return_inverse=True, return_counts=True)
    freq = df[inverse]
    order = np.lexsort((key, freq, own))
    own, key, freq = own[order], key[order], freq[order]
    first = np.searchsorted(own, own)  # rows are grouped by owner after the sort
    rank = np.arange(len(own)) - first
    chosen = np.unique(key[(rank < per_paragraph) & (freq > 1)])
    hold = np.isin(key, chosen)
    return own[hold], key[hold]
