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
        # All sampled anchors are stored: a later batch's paragraph must find its own
        # rarest keys among them.
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


def anchors(hashes: np.ndarray, offsets: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """A content-defined sample of shingles (about one in ``rate``), as ``(owner, key)``.

    Rows are unique and sorted by owner. Sampling by content means two paragraphs sharing
    a span sample the same shingles of it.
    """
    counts = np.diff(offsets)
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    pick = (hashes >> np.uint64(40)) % np.uint64(rate) == 0
    key = mix64(hashes[pick] ^ _ANCHOR_SALT)
    pairs = np.unique(np.stack([owner[pick].astype(np.uint64), key], axis=1), axis=0)
    return pairs[:, 0].astype(np.int64), pairs[:, 1]


def rarest(owner: np.ndarray, key: np.ndarray, per_paragraph: int) -> np.ndarray:
    """Mask of each owner's ``per_paragraph`` rarest keys (by count in the batch, seen twice+)."""
    _, inverse, df = np.unique(key, return_inverse=True, return_counts=True)
    freq = df[inverse]
    order = np.lexsort((key, freq, owner))
    ranked = np.empty(len(owner), dtype=np.int64)
    o = owner[order]
    ranked[order] = np.arange(len(o)) - np.searchsorted(o, o)
    return (ranked < per_paragraph) & (freq > 1)


def anchor_pairs(
    owner: np.ndarray,
    key: np.ndarray,
    per_paragraph: int,
    max_postings: int,
    min_shared: int,
    budget: int | None = None,
) -> np.ndarray:
    """Containment candidates: ``x`` pairs with ``y`` holding ``min_shared`` of x's rarest keys.

    A short line quoted inside a longer paragraph has all its shingles there, its rarest
    ones included, while two unrelated paragraphs of one story rarely share a paragraph's
    rarest ones (``min_shared`` > 1 asks for more, trading recall for fewer candidates).
    Keys held by more than ``max_postings`` paragraphs are boilerplate and skipped. With a
    ``budget``, a paragraph's rarest key is used up to ``max_postings`` holders, and its
    further keys only while the holders of the keys before them stay under ``budget``: a
    large corpus needs a higher cap to keep its quoted lines, not three times as many pairs.
    LSH cannot propose these pairs: their Jaccard similarity is low.
    """
    if not len(key):
        return np.zeros((0, 2), dtype=np.int64)
    _, inverse, df = np.unique(key, return_inverse=True, return_counts=True)
    chosen = rarest(owner, key, per_paragraph) & (df[inverse] <= max_postings)
    if budget is not None:
        chosen &= _within_budget(owner, df[inverse], chosen, budget)
    sel_owner, sel_key = owner[chosen], inverse[chosen]
    by_key = np.argsort(inverse, kind="stable")
    holder_key, holder = inverse[by_key], owner[by_key]
    start = np.searchsorted(holder_key, sel_key)
    length = np.searchsorted(holder_key, sel_key, side="right") - start
    x = np.repeat(sel_owner, length)
    shift = np.repeat(start - np.concatenate(([0], np.cumsum(length)[:-1])), length)
    y = holder[shift + np.arange(int(length.sum()))]
    keep = x != y
    lo, hi = np.minimum(x[keep], y[keep]), np.maximum(x[keep], y[keep])
    code, count = np.unique(lo * np.int64(1 << 32) + hi, return_counts=True)
    code = code[count >= min_shared]
    return np.stack([code >> 32, code & 0xFFFFFFFF], axis=1)


def _within_budget(
    owner: np.ndarray, freq: np.ndarray, chosen: np.ndarray, budget: int
) -> np.ndarray:
    """Mask of chosen keys whose owner spent less than ``budget`` holders on rarer ones.

    >>> o, f = np.array([0, 0, 0, 1]), np.array([400, 60, 100, 80])
    >>> _within_budget(o, f, np.ones(4, dtype=bool), 150).tolist()
    [False, True, True, True]
    """
    idx = np.flatnonzero(chosen)
    order = idx[np.lexsort((freq[idx], owner[idx]))]
    spent = np.cumsum(freq[order])
    start = np.searchsorted(owner[order], owner[order])  # first row of each owner
    before = spent - freq[order] - np.where(start > 0, spent[start - 1], 0)
    keep = np.zeros(len(owner), dtype=bool)
    keep[order] = before < budget
    return keep
