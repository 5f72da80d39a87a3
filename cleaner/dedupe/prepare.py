"""A batch of paragraphs made ready for matching: shingle sets, signatures, band keys, sketches.

Everything here is computed once per batch with numpy over all paragraphs together, and
held as flat arrays (one row, or one slice of a flat array, per paragraph): no Python object
per paragraph besides the paragraph itself.

Memory per paragraph (default options; ``bench/dedupe_speed.py`` prints it as B/para): the
sorted unique shingle set (8 bytes a shingle; 897 bytes on the benchmark corpus, whose
paragraphs have 148 characters and 112 distinct shingles on average), the signature
(``num_perm`` x 4 bytes: 512), band keys (32 bands x 8: 256), the occupancy sketch (64), the
key digest (10) and an offset (8): 1,747 bytes a paragraph there, plus its text. The
previous layout (raw shingle stream, uint64 signatures, stored anchors, the matching key
string, sets cached as one array each) took about 4.7 KB. Anchors are derived from the
sets when they are needed, not stored.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from cleaner.dedupe.keys import batch_shingles, mix64, shingle_texts
from cleaner.dedupe.lsh import band_keys, optimal_bands
from cleaner.dedupe.minhash import signatures
from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.reuse import many_bigram_ids, many_words, words, words_of_keys
from cleaner.dedupe.verify import ShingleSets, occupancy
from cleaner.pool import release_heap

#: Salts that keep anchor keys and phrase keys apart from band keys in one key space.
_ANCHOR_SALT = np.uint64(0xA5A5A5A55A5A5A5A)

#: Bytes of the content hash of a matching key (see :meth:`Prepared.digest`).
DIGEST_SIZE = 10


class Paragraph(NamedTuple):
    """One paragraph of one document, where it came from and its text.

    A named tuple, not a frozen dataclass: a batch makes one per paragraph, and at 1M
    paragraphs the dataclass took 1.8 s to make (its ``__init__`` sets each field through
    ``object.__setattr__``) and 150 bytes more each (its ``__dict__``). The field ``index``
    hides the tuple method of that name, which nothing here calls.
    """

    doc_id: str
    source: str
    index: int  # type: ignore[assignment]
    text: str
    outlet: str = ""


@dataclass
class Prepared:
    """The matching material of a batch; row ``i`` belongs to ``paragraphs[i]``.

    Attributes:
        paragraphs: The paragraphs (empty in material shipped between processes).
        digests: ``(n, DIGEST_SIZE)`` uint8, the content hash of each matching key.
        set_hashes: Sorted unique shingle hashes of every paragraph, concatenated (uint64).
        set_offsets: Paragraph ``i``'s set is ``set_hashes[set_offsets[i]:set_offsets[i+1]]``.
        signature: ``(n, num_perm)`` uint32 MinHash signatures.
        bands: ``(n, bands)`` uint64 band keys.
        sketch: ``(n, SKETCH_BITS // 8)`` uint8 occupancy sketches (see ``verify``).
        anchor_rate: One shingle in about this many is an anchor.
    """

    paragraphs: list[Paragraph]
    digests: np.ndarray
    set_hashes: np.ndarray
    set_offsets: np.ndarray
    signature: np.ndarray
    bands: np.ndarray
    sketch: np.ndarray
    anchor_rate: int
    _words: dict[int, list[str]] = field(default_factory=dict)
    _phrases: dict[int, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.set_offsets) - 1

    @property
    def sets(self) -> ShingleSets:
        """The shingle sets and sketches, as verification takes them (no copy)."""
        return ShingleSets(self.set_hashes, self.set_offsets, self.sketch)

    def shingle_set(self, i: int) -> np.ndarray:
        """Sorted unique shingle hashes of paragraph ``i`` (a view)."""
        return self.set_hashes[self.set_offsets[i] : self.set_offsets[i + 1]]

    def words(self, i: int) -> list[str]:
        """Words of paragraph ``i`` for reuse mode (cached)."""
        w = self._words.get(i)
        if w is None:
            w = words(self.paragraphs[i].text)
            self._words[i] = w
        return w

    def all_words(self) -> list[list[str]]:
        """:meth:`words` of every paragraph (those not cached yet made at once)."""
        todo = [i for i in range(len(self.paragraphs)) if i not in self._words]
        made = many_words([self.paragraphs[i].text for i in todo])
        self._words.update(zip(todo, made, strict=True))
        return [self._words[i] for i in range(len(self.paragraphs))]

    def digest(self, i: int) -> str:
        """Content hash of paragraph ``i``'s matching key (part of its identity in an index)."""
        return self.digests[i].tobytes().hex()

    def phrase_keys(self, i: int) -> np.ndarray:
        """Reuse-mode phrase keys (word bigram ids) of paragraph ``i`` as uint64 (cached:
        candidates, rarity weights and the index all read them)."""
        keys = self._phrases.get(i)
        if keys is None:
            keys = many_bigram_ids([self.words(i)])[0].view(np.uint64)
            self._phrases[i] = keys
        return keys

    def all_phrase_keys(self) -> list[np.ndarray]:
        """:meth:`phrase_keys` of every paragraph (those not cached yet made at once)."""
        todo = [i for i in range(len(self.paragraphs)) if i not in self._phrases]
        made = many_bigram_ids([self.words(i) for i in todo])
        self._phrases.update((i, k.view(np.uint64)) for i, k in zip(todo, made, strict=True))
        return [self._phrases[i] for i in range(len(self.paragraphs))]

    @property
    def anchor_owner(self) -> np.ndarray:
        """Owner of each anchor (sorted), see :func:`anchors`."""
        return anchors(self.set_hashes, self.set_offsets, self.anchor_rate)[0]

    @property
    def anchor_key(self) -> np.ndarray:
        """Key of each anchor, row for row with :attr:`anchor_owner`."""
        return anchors(self.set_hashes, self.set_offsets, self.anchor_rate)[1]

    def index_keys(self) -> list[np.ndarray]:
        """Every key each paragraph is stored under in an index: its band keys, all its
        anchors (a later batch's paragraph must find its own rarest keys among them) and
        its phrase keys."""
        self.all_words()  # (the phrase keys' words, made for the batch at once)
        owner, anchor = anchors(self.set_hashes, self.set_offsets, self.anchor_rate)
        bounds = np.searchsorted(owner, np.arange(len(self) + 1)).tolist()
        return [
            np.concatenate((self.bands[i], anchor[lo:hi], self.phrase_keys(i)))
            for i, (lo, hi) in enumerate(itertools.pairwise(bounds))
        ]

    def nbytes(self) -> int:
        """Bytes of the matching material (the arrays; not the paragraphs' texts)."""
        arrays = (self.digests, self.set_hashes, self.set_offsets, self.signature)
        return sum(a.nbytes for a in (*arrays, self.bands, self.sketch))

    def without_texts(self) -> Prepared:
        """The same material without the paragraphs (to ship it between processes)."""
        return replace(self, paragraphs=[], _words={}, _phrases={})


#: Paragraphs prepared at once: a large batch is prepared slice by slice and joined (the
#: same arrays), so the temporaries of shingling stay those of this many paragraphs (a
#: whole 200k batch at once peaked at 2.2 GB, most of it shingling temporaries).
PREPARE_ROWS = 20_000


def prepare(paragraphs: Sequence[Paragraph], opts: DedupeOptions) -> Prepared:
    """Compute the matching material of a batch."""
    if len(paragraphs) <= PREPARE_ROWS:
        return _prepare(paragraphs, opts)
    parts: list[Prepared] = []
    words: dict[int, list[str]] = {}
    canon: dict[str, str] = {}
    for lo in range(0, len(paragraphs), PREPARE_ROWS):
        part = _prepare(paragraphs[lo : lo + PREPARE_ROWS], opts, canon)
        words.update((lo + i, w) for i, w in part._words.items())
        parts.append(part.without_texts())
    # The slices' shingle sets (half the material) are joined first and let go, so the
    # batch does not hold two copies of them at once.
    offsets = _joined_offsets(parts)
    set_hashes = np.concatenate([p.set_hashes for p in parts])
    for p in parts:
        p.set_hashes = set_hashes[:0]
    joined = join_prepared(list(paragraphs), parts, offsets)
    joined.set_hashes = set_hashes
    joined._words = words
    return joined


def _prepare(
    paragraphs: Sequence[Paragraph], opts: DedupeOptions, canon: dict[str, str] | None = None
) -> Prepared:
    """The matching material of a slice of a batch, computed at once (``canon``: the words
    met in the slices before, see :func:`cleaner.dedupe.reuse.words_of_keys`)."""
    keys = shingle_texts([p.text for p in paragraphs])
    # Reuse mode's words are those of the keys (see cleaner.dedupe.reuse.words): cut here
    # rather than made again from the texts.
    words = words_of_keys(keys, canon) if opts.mode == "reuse" else []
    digests = np.frombuffer(
        b"".join(hashlib.blake2b(k.encode(), digest_size=DIGEST_SIZE).digest() for k in keys),
        dtype=np.uint8,
    ).reshape(len(keys), DIGEST_SIZE)
    hashes, offsets = batch_shingles(keys, opts.shingle_size)
    del keys
    set_hashes, set_offsets = unique_sets(hashes, offsets)
    del hashes
    sig = signatures(set_hashes, set_offsets, opts.num_perm, opts.seed).astype(np.uint32)
    b, r = optimal_bands(opts.threshold, opts.num_perm)
    return Prepared(
        paragraphs=list(paragraphs),
        digests=digests,
        set_hashes=set_hashes,
        set_offsets=set_offsets,
        signature=sig,
        bands=band_keys(sig, b, r),
        sketch=occupancy(set_hashes, set_offsets),
        anchor_rate=opts.anchor_rate,
        _words=dict(enumerate(words)),
    )


def join_prepared(
    paragraphs: list[Paragraph], parts: Sequence[Prepared], offsets: np.ndarray | None = None
) -> Prepared:
    """One Prepared for a batch from the material of its consecutive slices, in order.

    The parts are used up: each of their arrays is emptied once joined, so the batch never
    holds its material twice. ``offsets``: the joined set offsets, when the parts' sets
    were already taken away.
    """
    if not parts:
        return prepare(paragraphs, DedupeOptions())
    rows = sum(len(p) for p in parts)
    if rows != len(paragraphs):
        raise ValueError(f"the parts hold {rows} paragraphs, the batch {len(paragraphs)}")
    if offsets is None:
        offsets = _joined_offsets(parts)

    def joined(name: str) -> np.ndarray:
        out = np.concatenate([getattr(p, name) for p in parts])
        for p in parts:
            setattr(p, name, getattr(p, name)[:0])
        return out

    prep = Prepared(
        paragraphs=list(paragraphs),
        digests=joined("digests"),
        set_hashes=joined("set_hashes"),
        set_offsets=offsets,
        signature=joined("signature"),
        bands=joined("bands"),
        sketch=joined("sketch"),
        anchor_rate=parts[0].anchor_rate,
    )
    release_heap()  # the temporaries of preparing the parts, freed but kept by the heap
    return prep


def _joined_offsets(parts: Sequence[Prepared]) -> np.ndarray:
    """Set offsets of the parts' sets laid end to end."""
    starts = np.cumsum([0] + [len(p.set_hashes) for p in parts])
    pieces = [p.set_offsets[:-1] + s for p, s in zip(parts, starts[:-1], strict=True)]
    return np.concatenate([*pieces, starts[-1:]]).astype(np.int64)


def unique_sets(hashes: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each paragraph's shingle hashes sorted and made unique, flat, with new offsets.

    >>> h, off = unique_sets(np.array([5, 3, 5, 9, 9], dtype=np.uint64), np.array([0, 3, 5]))
    >>> h.tolist(), off.tolist()
    ([3, 5, 9], [0, 2, 3])
    """
    out = hashes.copy()
    # A sort per paragraph beats one lexsort by (owner, hash) over the batch several times.
    for i in np.flatnonzero(np.diff(offsets) > 1).tolist():
        lo, hi = offsets[i], offsets[i + 1]
        out[lo:hi].sort()
    counts = np.diff(offsets)
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    keep = np.ones(len(out), dtype=bool)
    keep[1:] = (out[1:] != out[:-1]) | (owner[1:] != owner[:-1])
    new_offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner[keep], minlength=len(counts)), out=new_offsets[1:])
    return out[keep], new_offsets


def anchors(
    set_hashes: np.ndarray, set_offsets: np.ndarray, rate: int
) -> tuple[np.ndarray, np.ndarray]:
    """A content-defined sample of shingles (about one in ``rate``), as ``(owner, key)``.

    Rows are unique (the sets are) and sorted by owner. Sampling by content means two
    paragraphs sharing a span sample the same shingles of it.

    >>> owner, key = anchors(np.arange(8, dtype=np.uint64) << np.uint64(40), np.array([0, 4, 8]), 2)
    >>> owner.tolist()
    [0, 0, 1, 1]
    """
    counts = np.diff(set_offsets)
    pick = anchor_mask(set_hashes, rate)
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)[pick]
    return owner, anchor_keys(set_hashes[pick])


def anchor_mask(set_hashes: np.ndarray, rate: int) -> np.ndarray:
    """Which shingles are anchors: about one in ``rate``, chosen by content.

    >>> anchor_mask(np.arange(4, dtype=np.uint64) << np.uint64(40), 2).tolist()
    [True, False, True, False]
    """
    # The top 24 bits, as uint32: a 64-bit modulo is five times slower.
    return (set_hashes >> np.uint64(40)).astype(np.uint32) % np.uint32(rate) == 0


def anchor_keys(anchor_hashes: np.ndarray) -> np.ndarray:
    """Anchor keys of anchor shingles (salted apart from band keys in one key space)."""
    return mix64(anchor_hashes ^ _ANCHOR_SALT)
