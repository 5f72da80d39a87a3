"""Is generated text a repeat of known text? Checked for a whole batch of texts at once.

The corpus generator (``dedupe_gen.py``) draws word salads and keeps only those that repeat
nothing: :class:`Guard` against the real paragraphs (a few dozen), :class:`Taken` against
every member of every group (570,000 at 1M items). Both compare exact shingle sets, so their
answers are those of comparing the text with each known set one by one; only the work is
cut.

Why :class:`Taken` filters before it counts: salads are runs of one small word pool, so
nearly every member shares some shingle with a draw (at 1M items, about 1.2 million
(member, shingle) hits a draw), and counting them all made the 1M corpus take over an hour
(7.5 CPU minutes now, ``bench/README.md``).
A member can only fail the bars when it shares at least ``alpha`` shingles with the draw
(``alpha`` >= 4/7 of the smaller set), and then, with the shingles ordered rarest first, the
draw's first ``|draw| - alpha + 1`` shingles meet the member, and so do the member's first
``|member| - alpha + 1`` (prefix filtering, Chaudhuri et al. 2006). So members larger than
the draw are looked up by the draw's rarest shingles only, members no larger by their own
rarest shingles only (a second index of prefixes); a member found is kept when the shingles
it could still share reach the bars, and only those are counted exactly. Rare shingles have
short posting lists: at 200k items a draw looks at 4,800 hits, 2.0% of the 243,000 that
counting every member sharing a shingle looks at.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaner.dedupe.keys import batch_shingles, dedupe_key  # noqa: E402

#: Texts shingled in one numpy pass (bounds the memory of building a large index).
CHUNK = 50_000
#: Extra shingles in a member's prefix beyond the minimum: a member must then share at least
#: this many with the text to be counted (fewer chance meetings to count).
SLACK = 3
#: The same for a text's prefix, looked up among the larger members: measured at 200k items,
#: 3 left 120 members a text to count exactly, 6 left 10 (0.77 s a batch of 2,048 against
#: 4.7 s), 10 and 15 cost more in lookups than they save.
LARGER_SLACK = 6


def shingle_text(text: str) -> str:
    """The generator's own comparison key: the matching key without spaces.

    Which paragraphs the generator deems distinct, or a distractor too close to a group,
    is decided on this fixed key, not on the one the library compares on: a corpus of a
    given seed stays the same when the library's key changes, so the two keys are measured
    on the same items.
    """
    return dedupe_key(text).replace(" ", "")


@dataclass(frozen=True)
class Sets:
    """Shingle sets of many texts: text ``i``'s sorted unique hashes are
    ``flat[offsets[i]:offsets[i + 1]]``."""

    flat: np.ndarray
    offsets: np.ndarray

    @property
    def sizes(self) -> np.ndarray:
        """Number of shingles of each text."""
        return np.diff(self.offsets)

    @property
    def owner(self) -> np.ndarray:
        """The text each hash of ``flat`` belongs to."""
        return np.repeat(np.arange(self.sizes.size, dtype=np.int64), self.sizes)

    def take(self, which: np.ndarray) -> Sets:
        """The sets of the texts ``which`` (indices, in that order)."""
        sizes = self.sizes[which]
        offsets = np.zeros(sizes.size + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        return Sets(self.flat[_ranges(self.offsets[which], sizes)], offsets)


def shingle_sets(texts: Sequence[str]) -> Sets:
    """The shingle sets of ``texts`` on :func:`shingle_text` (each one as ``np.unique``).

    >>> s = shingle_sets(["abcdefabcdef", ""])
    >>> s.sizes.tolist()
    [6, 0]
    """
    if len(texts) == 1:  # one text at a time (the groups' salads): np.unique is quicker
        flat = np.unique(batch_shingles([shingle_text(texts[0])])[0])
        return Sets(flat, np.array([0, flat.size], dtype=np.int64))
    flats, sizes = [], []
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start : start + CHUNK]
        hashes, off = batch_shingles([shingle_text(t) for t in chunk])
        owner = np.repeat(np.arange(len(chunk), dtype=np.int64), np.diff(off))
        order = np.lexsort((hashes, owner))
        hashes, owner = hashes[order], owner[order]
        first = np.ones(hashes.size, dtype=bool)
        first[1:] = (hashes[1:] != hashes[:-1]) | (owner[1:] != owner[:-1])
        flats.append(hashes[first])
        sizes.append(np.bincount(owner[first], minlength=len(chunk)))
    flat = np.concatenate(flats) if flats else np.zeros(0, dtype=np.uint64)
    size = np.concatenate(sizes) if sizes else np.zeros(0, dtype=np.int64)
    offsets = np.zeros(size.size + 1, dtype=np.int64)
    np.cumsum(size, out=offsets[1:])
    return Sets(flat, offsets)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices ``starts[i] .. starts[i] + lengths[i] - 1`` of every ``i``, concatenated.

    >>> _ranges(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    total = int(lengths.sum())
    base = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return base + np.arange(total, dtype=np.int64)


def _pair_counts(
    first: np.ndarray, second: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (first, second) pairs and how often each occurs."""
    pair, count = np.unique(first * width + second, return_counts=True)
    return pair // width, pair % width, count


class Guard:
    """Rejects generated text that repeats a real paragraph (it would not be a distractor).

    A real paragraph is repeated when it shares ``bar`` of the smaller of the two shingle sets.
    """

    def __init__(self, real: Sequence[str], bar: float = 0.3) -> None:
        sets = shingle_sets(real)
        order = np.argsort(sets.flat, kind="stable")
        self.keys = sets.flat[order]
        self.owners = sets.owner[order]
        self.sizes = sets.sizes
        self.bar = bar

    def fresh(self, text: str) -> bool:
        """True when no real paragraph shares ``bar`` of its shingles (or of the text's)."""
        return bool(self.fresh_many(shingle_sets([text]))[0])

    def fresh_many(self, sets: Sets) -> np.ndarray:
        """:meth:`fresh` of every text of ``sets``."""
        n, real = sets.sizes.size, self.sizes.size
        lo = self.keys.searchsorted(sets.flat, "left")
        hi = self.keys.searchsorted(sets.flat, "right")
        text = np.repeat(sets.owner, hi - lo)
        owner = self.owners[_ranges(lo, hi - lo)]
        shared = np.bincount(text * real + owner, minlength=n * real).reshape(n, real)
        smaller = np.minimum(sets.sizes[:, None], self.sizes[None, :])
        with np.errstate(divide="ignore", invalid="ignore"):
            containment = np.where(smaller > 0, shared / smaller, 0.0)
        return (containment < self.bar).all(axis=1)


def _least_alpha(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A lower bound of the fewest shared shingles failing :class:`Taken`'s bars at its
    defaults (containment 0.75 of the smaller set, Jaccard 0.4: ``shared >= 2/7 (a + b)``).

    It grows with either size; below ``b = 0.615 a`` (and ``a = 0.615 b``) it is the
    containment bar alone.

    >>> _least_alpha(np.array([100, 100]), np.array([100, 40])).tolist()
    [58, 30]
    """
    by_containment = np.ceil(0.75 * np.minimum(a, b))
    by_jaccard = np.ceil(2 * (a + b) / 7 - 1e-6)
    return np.minimum(by_containment, by_jaccard).astype(np.int64)


#: Below this share of the other size, the containment bar alone sets ``_least_alpha``.
CONTAINMENT_ONLY = 0.615


class _Index:
    """Posting lists by rank of member numbers, members numbered by size: the members of a
    size range holding a shingle are one slice (``key = rank * members + member``, sorted)."""

    def __init__(self, ranks: np.ndarray, member: np.ndarray, members: int) -> None:
        self.members = members
        self.key = ranks.astype(np.int64) * members + member
        self.key.sort()

    def hits(
        self, rank: np.ndarray, who: np.ndarray, first: np.ndarray, stop: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every (who, member) pair of ``rank``'s list with ``first <= member < stop``."""
        base = rank.astype(np.int64) * self.members
        bounds = np.concatenate([base + first, base + stop])
        order = np.argsort(bounds, kind="stable")  # sorted queries: far fewer cache misses
        at = np.empty(bounds.size, dtype=np.int64)
        at[order] = self.key.searchsorted(bounds[order])
        lo = at[: rank.size]
        lengths = np.maximum(at[rank.size :] - lo, 0)
        held = self.key[_ranges(lo, lengths)] - np.repeat(base, lengths)
        return np.repeat(who, lengths), held


class Taken:
    """Rejects a distractor that repeats a member of a group (base, variant, line or quote).

    A member is repeated when it is ``contained`` (the share of the smaller shingle set) in
    the text or the text in it, or ``similar`` (Jaccard) to it. ``exact`` and
    ``orthographic`` items are left out by the caller: their matching key is the base's.

    Members are numbered by size, so that each lookup below reaches only the sizes that
    could still fail at that depth of a prefix (the rest need more shingles shared than the
    prefix leaves out).
    """

    def __init__(self, texts: Sequence[str], contained: float = 0.75, similar: float = 0.4) -> None:
        if contained < 0.75 or similar < 0.4:
            raise ValueError("the prefix bounds assume bars of at least 0.75 and 0.4")
        self.contained, self.similar = contained, similar
        self.slack = LARGER_SLACK
        sets = shingle_sets(texts)
        sets = sets.take(np.argsort(sets.sizes, kind="stable"))
        self.sizes = sets.sizes
        self.empty = bool((self.sizes == 0).any())
        members = self.sizes.size
        # Shingles ranked rarest first (ties by hash): the order of every prefix.
        self.keys, inverse, df = np.unique(sets.flat, return_inverse=True, return_counts=True)
        width = self.width = self.keys.size
        self.rank_of = np.empty(width, dtype=np.int64)
        self.rank_of[np.lexsort((self.keys, df))] = np.arange(width)
        owner = sets.owner
        del sets, df
        ranked = owner * width + self.rank_of[inverse]
        del inverse
        ranked.sort()
        self.ranks = (ranked % width).astype(np.int32)  # member m's: ranks[offsets[m]:...]
        del ranked
        self.offsets = np.zeros(members + 1, dtype=np.int64)
        np.cumsum(self.sizes, out=self.offsets[1:])
        self.full = _Index(self.ranks, owner, members)
        # A member no larger than the text is looked up by its own first shingles: always
        # the first b - alpha + SLACK with alpha at its largest (the containment bar), the
        # rest of the longest prefix any text needs (alpha at its least) only by texts for
        # which alpha is less than that.
        position = np.arange(self.ranks.size, dtype=np.int64) - self.offsets[owner]
        self.early = self.sizes - np.ceil(0.75 * self.sizes).astype(np.int64) + SLACK
        self.longest = self.sizes - _least_alpha(self.sizes, self.sizes) + SLACK
        head = position < self.early[owner]
        self.heads = _Index(self.ranks[head], owner[head], members)
        tail = ~head & (position < self.longest[owner])
        self.tails = _Index(self.ranks[tail], owner[tail], members)

    def fresh(self, text: str) -> bool:
        """True when no member is ``contained`` in the text (or it in one) or ``similar`` to it."""
        return bool(self.fresh_many(shingle_sets([text]))[0])

    def failing(self, shared: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Pairs of sizes ``a``, ``b`` sharing ``shared`` shingles that fail the bars."""
        smaller = np.minimum(b, a)
        union = b + a - shared
        return ~((shared < self.contained * smaller) & (shared < self.similar * union))

    def first_larger(self, size: np.ndarray) -> np.ndarray:
        """The number of the first member larger than ``size`` (members are numbered by size)."""
        return self.sizes.searchsorted(size, "right")

    def fresh_many(self, sets: Sets) -> np.ndarray:
        """:meth:`fresh` of every text of ``sets``."""
        n = sets.sizes.size
        a = sets.sizes
        at = np.minimum(self.keys.searchsorted(sets.flat), max(self.width - 1, 0))
        known = self.keys[at] == sets.flat if self.width else np.zeros(sets.flat.size, bool)
        # Each text's shingles that some member has, by rank (the others meet nobody).
        ranked = sets.owner[known] * self.width + self.rank_of[at[known]]
        ranked.sort()
        text, rank = ranked // self.width, ranked % self.width
        met = np.bincount(text, minlength=n)
        if self.empty:  # a member with no shingle: the bars fail with no shared one
            return met == 0
        start = np.zeros(n, dtype=np.int64)
        np.cumsum(met[:-1], out=start[1:])
        position = np.arange(rank.size, dtype=np.int64) - start[text]
        larger = self.first_larger(a)
        suspects = [self._larger(text, rank, position, a, met, larger)]
        suspects.append(self._smaller(text, rank, a, met, larger))
        who = np.concatenate([w for w, _ in suspects])
        member = np.concatenate([m for _, m in suspects])
        # The exact count of the few left: each of the member's shingles looked up in the text.
        b = self.sizes[member]
        theirs = self.ranks[_ranges(self.offsets[member], b)]
        pair = np.repeat(np.arange(who.size, dtype=np.int64), b)
        wanted = np.repeat(who, b) * self.width + theirs
        at = np.minimum(ranked.searchsorted(wanted), max(ranked.size - 1, 0))
        found = ranked[at] == wanted if ranked.size else np.zeros(wanted.size, bool)
        shared = np.bincount(pair, weights=found, minlength=who.size).astype(np.int64)
        fresh = np.ones(n, dtype=bool)
        fresh[who[self.failing(shared, a[who], b)]] = False
        return fresh

    def _larger(
        self,
        text: np.ndarray,
        rank: np.ndarray,
        position: np.ndarray,
        a: np.ndarray,
        met: np.ndarray,
        larger: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Members larger than their text that may fail: found by the text's rarest shingles.

        The shingle at ``position`` is in the prefix a member of size ``b`` needs while
        ``alpha(a, b) <= met - position + self.slack - 1``: every size once the containment bar
        allows it, else the sizes up to where the Jaccard bar reaches it.
        """
        room = met[text] - position + self.slack - 1
        # No larger member fails with fewer than alpha(a, a + 1) shared.
        deep = room >= _least_alpha(a[text], a[text] + 1)
        text, rank, room = text[deep], rank[deep], room[deep]
        cap = np.where(
            room >= np.ceil(0.75 * a[text]), np.iinfo(np.int64).max // 4, 3.5 * room - a[text] + 1
        )
        stop = self.first_larger(np.floor(cap).astype(np.int64))
        who, member = self.full.hits(rank, text, larger[text], stop)
        who, member, hits = _pair_counts(who, member, self.sizes.size)
        b = self.sizes[member]
        looked = np.clip(met[who] - _least_alpha(a[who], b) + self.slack, 0, met[who])
        most = np.minimum(np.minimum(hits + met[who] - looked, met[who]), b)
        keep = self.failing(most, a[who], b)
        return who[keep], member[keep]

    def _smaller(
        self, text: np.ndarray, rank: np.ndarray, a: np.ndarray, met: np.ndarray, larger: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Members no larger than their text that may fail: found by their rarest shingles.

        Every text looks its shingles up in the members' early heads; only the members whose
        alpha can fall below the containment bar (at least 0.615 of the text's size) in their
        later heads too.
        """
        zero = np.zeros(text.size, dtype=np.int64)
        who, member = self.heads.hits(rank, text, zero, larger[text])
        band = self.first_larger(np.floor(CONTAINMENT_ONLY * a).astype(np.int64) - 2)
        who2, member2 = self.tails.hits(rank, text, band[text], larger[text])
        who, member, hits = _pair_counts(
            np.concatenate([who, who2]), np.concatenate([member, member2]), self.sizes.size
        )
        b = self.sizes[member]
        looked = np.where(member >= band[who], self.longest[member], self.early[member])
        looked = np.minimum(looked, b)
        most = np.minimum(np.minimum(hits + b - looked, met[who]), b)
        keep = self.failing(most, a[who], b)
        return who[keep], member[keep]
