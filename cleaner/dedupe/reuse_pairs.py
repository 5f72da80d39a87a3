"""Reuse verification of many candidate pairs: bounds for all at once, the chains for few.

:func:`cleaner.dedupe.reuse.reuse_score` walks the shared runs of two paragraphs in Python
(a third of a millisecond a pair); a day of news makes hundreds of thousands of candidates
that share a phrase, nearly all of them two paragraphs of one story sharing a few terms.
Their chains can weigh no more than the words they are made of: every word of a chain is a
word of the first paragraph ``a`` found in the second ``b``, counted once per position of
``a`` (the two chains of a pair never share one), weighing its rarity times a factor in
``[0, 1]``. Two bounds follow, each at least the chains' weight:

* **shared words**: the rarity of every word of ``a`` that ``b`` holds, summed;
* **segments**: the runs of one chain follow each other at most :data:`MAX_GAP` words
  apart, so a chain lies inside one *segment* of ``a``: shared positions each at most
  ``MAX_GAP + 1`` after the one before. Two chains weigh at most the two heaviest
  segments. Story terms scattered through two paragraphs make many light segments.

A pair whose bound misses ``reuse_min_weight``, or whose bound over the smaller paragraph's
weight misses ``reuse_threshold``, fails the exact score too: it is rejected unscored. The
first bound costs one sorted look-up per distinct word of the pair's smaller side and is
computed for every candidate; the second, one look-up per word of ``a``, for those the first
lets through; only the pairs both let through are scored exactly (on the pool when there is
one). The result is the one scoring every candidate would give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cleaner.dedupe.pairs import ranked, sorted_unique
from cleaner.dedupe.reuse import MAX_GAP, Weights, chain_score, term_id

#: Candidate pairs bounded at once (bounds memory: a row per word of a pair).
_CHUNK = 1 << 15
#: Keys searched at once by :func:`_holds` (a stretch stays in a core's cache).
_STRETCH = 1 << 12


@dataclass(frozen=True)
class TermIds:
    """The words of every node and the ids of their words and bigrams, flat, ranked.

    Attributes:
        words: The words of each node, in order.
        offsets: Node ``i``'s words are positions ``offsets[i]:offsets[i + 1]``.
        word_ids: :func:`cleaner.dedupe.reuse.term_id` of the word at each position.
        pair_ids: Id of the bigram starting at each position (0 at a node's last word).
        has_pair: Whether a bigram starts at each position.
        vocab: The distinct word ids, sorted.
        rank: The rank in ``vocab`` of the word at each position.
        keys: ``node * len(vocab) + rank`` of each distinct word of each node, sorted.
        bigrams: The distinct bigram ids, sorted.
        pair_rank: The rank in ``bigrams`` of the bigram at each position (0 where none).
        pair_keys: ``node * len(bigrams) + rank`` of each distinct bigram of each node, sorted.
    """

    words: Sequence[Sequence[str]]
    offsets: np.ndarray
    word_ids: np.ndarray
    pair_ids: np.ndarray
    has_pair: np.ndarray
    vocab: np.ndarray
    rank: np.ndarray
    keys: np.ndarray
    bigrams: np.ndarray
    pair_rank: np.ndarray
    pair_keys: np.ndarray

    @property
    def vocabulary(self) -> int:
        """The key space of a node's words (at least 1)."""
        return max(len(self.vocab), 1)

    @property
    def bigram_space(self) -> int:
        """The key space of a node's bigrams (at least 1)."""
        return max(len(self.bigrams), 1)

    def owners(self) -> np.ndarray:
        """The node of each position."""
        return np.repeat(np.arange(len(self.offsets) - 1, dtype=np.int64), np.diff(self.offsets))


def term_table(words: Sequence[Sequence[str]], bigrams: Sequence[np.ndarray]) -> TermIds:
    """:class:`TermIds` of nodes with these words and bigram ids (as
    :func:`cleaner.dedupe.reuse.bigram_ids` gives them, any integer dtype of 64 bits).

    >>> t = term_table([["a", "b"], ["c"]], [np.array([7]), np.array([], dtype=np.int64)])
    >>> t.offsets.tolist(), t.pair_ids.tolist(), t.has_pair.tolist(), t.pair_keys.tolist()
    ([0, 2, 3], [7, 0, 0], [True, False, False], [0])
    """
    n = len(words)
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    flat = [w for ws in words for w in ws]
    ids_of = {w: term_id(w) for w in set(flat)}
    word_ids = np.fromiter(map(ids_of.__getitem__, flat), np.int64, count=total)
    has_pair = np.ones(total, dtype=bool)
    has_pair[offsets[1:][lengths > 0] - 1] = False
    pair_ids = np.zeros(total, dtype=np.int64)
    if n:
        pair_ids[has_pair] = np.concatenate([np.asarray(b).view(np.int64) for b in bigrams])
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    vocab, rank = ranked(word_ids)
    keys = sorted_unique(owner * max(len(vocab), 1) + rank)
    distinct_pairs, ranks = ranked(pair_ids[has_pair])
    pair_rank = np.zeros(total, dtype=np.int64)
    pair_rank[has_pair] = ranks
    pair_keys = sorted_unique(owner[has_pair] * max(len(distinct_pairs), 1) + pair_rank[has_pair])
    return TermIds(
        words,
        offsets,
        word_ids,
        pair_ids,
        has_pair,
        vocab,
        rank,
        keys,
        distinct_pairs,
        pair_rank,
        pair_keys,
    )


def document_frequencies(ids: TermIds, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How many of the nodes ``rows`` hold each word and bigram id (a node counts once):
    the ids held, sorted, and their counts.

    >>> t = term_table([["a", "a"], ["a"]], [np.array([5]), np.array([], dtype=np.int64)])
    >>> sorted(document_frequencies(t, np.array([0, 1]))[1].tolist())
    [1, 2]
    """
    chosen = np.zeros(len(ids.offsets) - 1, dtype=bool)
    chosen[rows] = True
    words = ids.keys[chosen[ids.keys // ids.vocabulary]] % ids.vocabulary
    pairs = ids.pair_keys[chosen[ids.pair_keys // ids.bigram_space]] % ids.bigram_space
    terms = np.concatenate([ids.vocab, ids.bigrams])
    counts = np.concatenate(
        [
            np.bincount(words, minlength=len(ids.vocab)),
            np.bincount(pairs, minlength=len(ids.bigrams)),
        ]
    )
    held = counts > 0
    terms, counts = terms[held], counts[held]
    order = np.argsort(terms)
    return terms[order], counts[order]


@dataclass(frozen=True)
class Terms:
    """:class:`TermIds` weighed: what the bounds and the exact scores read.

    Attributes:
        ids: The words and their ids.
        word_w: Rarity of the word at each position.
        pair_w: Rarity of the bigram starting at each position (0 where none does).
        totals: Sum of the word rarities of each node (what a fraction is taken of).
        values: Rarity of each key's word (``ids.keys``) times its count in the node.
        counts: How many times each key's word is in the node.
        key_starts: Node ``i``'s keys are ``ids.keys[key_starts[i]:key_starts[i + 1]]``.
    """

    ids: TermIds
    word_w: np.ndarray
    pair_w: np.ndarray
    totals: np.ndarray
    values: np.ndarray
    counts: np.ndarray
    key_starts: np.ndarray

    @property
    def keys(self) -> np.ndarray:
        """``node * vocabulary + word rank`` of each distinct word of each node, sorted."""
        return self.ids.keys

    @property
    def vocabulary(self) -> int:
        """The key space of a node's words."""
        return self.ids.vocabulary

    def scores(self, a: int, b: int) -> tuple[float, float]:
        """:func:`cleaner.dedupe.reuse.reuse_score` of nodes ``a`` and ``b`` (weight, fraction)."""
        lo, hi = int(self.ids.offsets[a]), int(self.ids.offsets[a + 1])
        return chain_score(
            self.ids.words[a],
            self.ids.words[b],
            self.word_w[lo:hi].tolist(),
            self.pair_w[lo:hi].tolist(),
            min(float(self.totals[a]), float(self.totals[b])),
        )


def weigh(ids: TermIds, weight: Weights) -> Terms:
    """The :class:`Terms` of ``ids`` under these rarity weights.

    >>> t = weigh(term_table([["a", "b", "a"]], [np.array([1, 2])]), Weights({}, 100))
    >>> t.totals.tolist(), t.pair_w.tolist(), sorted(t.values.tolist())  # a twice, b once
    ([3.0], [1.0, 1.0, 0.0], [1.0, 2.0])
    """
    n = len(ids.offsets) - 1
    # A weight per distinct id, read at each position.
    word_w = weight.many(ids.vocab)[ids.rank]
    pair_w = np.where(ids.has_pair, weight.many(ids.bigrams)[ids.pair_rank], 0.0)
    owner = ids.owners()
    totals = np.bincount(owner, weights=word_w, minlength=n).astype(np.float64)
    where = np.searchsorted(ids.keys, owner * ids.vocabulary + ids.rank)
    values = np.bincount(where, weights=word_w, minlength=len(ids.keys))
    counts = np.bincount(where, minlength=len(ids.keys))
    key_starts = np.searchsorted(ids.keys // ids.vocabulary, np.arange(n + 1))
    return Terms(ids, word_w, pair_w, totals, values.astype(np.float64), counts, key_starts)


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For spans ``starts[k]:starts[k] + counts[k]``: the span of every element and its index.

    >>> [x.tolist() for x in _expand(np.array([5, 0]), np.array([2, 1]))]
    [[0, 0, 1], [5, 6, 0]]
    """
    span = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    before = np.cumsum(counts) - counts
    return span, np.arange(len(span)) + np.repeat(starts - before, counts)


def _holds(terms: Terms, node: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each ``node`` (in ascending order) holds the word of each ``rank``, and
    where its key is (where it would be when not held).

    The keys of a stretch of nodes are all the keys between their first and last: each
    stretch of :data:`_STRETCH` keys or so is searched alone (a third fewer steps a look-up
    than in all the keys of a day of news).
    """
    keys, starts = terms.keys, terms.key_starts
    wanted = node * terms.vocabulary + rank
    at = np.empty(len(wanted), dtype=np.int64)
    # First node of each stretch: node 0, then the owner of every _STRETCH-th key; the end.
    cuts = np.searchsorted(starts, np.arange(_STRETCH, len(keys), _STRETCH), side="right") - 1
    cuts = sorted_unique(np.concatenate(([0], cuts, [len(starts) - 1]))).tolist()
    ends = np.searchsorted(node, cuts).tolist()
    for k in range(len(cuts) - 1):
        lo, hi = ends[k], ends[k + 1]
        if lo < hi:
            first, last = int(starts[cuts[k]]), int(starts[cuts[k + 1]])
            at[lo:hi] = np.searchsorted(keys[first:last], wanted[lo:hi]) + first
    np.minimum(at, len(keys) - 1, out=at)
    return keys[at] == wanted, at


def word_bounds(terms: Terms, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The shared-words bound of every pair ``(a[k], b[k])`` (see the module).

    >>> t = weigh(term_table([["x", "y", "x"], ["x", "z"], ["q"]],
    ...                      [np.array([1, 2]), np.array([3]), np.array([])]), Weights({}, 100))
    >>> word_bounds(t, np.array([0, 1, 0]), np.array([1, 0, 2])).tolist()
    [2.0, 1.0, 0.0]
    """
    out = np.zeros(len(a), dtype=np.float64)
    if not len(a) or not len(terms.keys):
        return out
    starts = terms.key_starts
    distinct = np.diff(starts)
    ranks = terms.keys % terms.vocabulary  # the word of each key
    for lo in range(0, len(a), _CHUNK):
        pa, pb = a[lo : lo + _CHUNK].astype(np.int64), b[lo : lo + _CHUNK].astype(np.int64)
        # Walk the side with fewer distinct words; the value is read from ``a``'s entry
        # (the bound counts the positions of ``a``).
        swap = distinct[pb] < distinct[pa]
        walk, other = np.where(swap, pb, pa), np.where(swap, pa, pb)
        # Pairs in the order of the node looked in: consecutive look-ups then fall in one
        # stretch of the keys (a fifth less time on a day of news, more on larger batches).
        order = np.argsort(other, kind="stable")
        walk, other, swap = walk[order], other[order], swap[order]
        pair, entry = _expand(starts[walk], distinct[walk])
        hit, at = _holds(terms, other[pair], ranks[entry])
        pair, entry, at = pair[hit], entry[hit], at[hit]
        value = np.where(swap[pair], terms.values[at], terms.values[entry])
        out[lo + order] = np.bincount(pair, weights=value, minlength=len(pa))
    return out


def segment_bounds(
    terms: Terms, a: np.ndarray, b: np.ndarray, max_gap: int = MAX_GAP, chains: int = 2
) -> np.ndarray:
    """The segments bound of every pair: its ``chains`` heaviest segments (see the module).

    >>> t = weigh(term_table([list("xaaaaaay"), list("xy")], [np.arange(7), np.arange(1)]),
    ...           Weights({}, 100))
    >>> segment_bounds(t, np.array([0]), np.array([1]), chains=1).tolist()  # x ... y
    [1.0]
    >>> segment_bounds(t, np.array([0]), np.array([1]), chains=2).tolist()
    [2.0]
    """
    out = np.zeros(len(a), dtype=np.float64)
    if not len(a) or not len(terms.keys):
        return out
    offsets = terms.ids.offsets
    for lo in range(0, len(a), _CHUNK):
        pa, pb = a[lo : lo + _CHUNK].astype(np.int64), b[lo : lo + _CHUNK].astype(np.int64)
        # Pairs in the order of ``b``: its look-ups then fall in one stretch of the keys.
        by_b = np.argsort(pb, kind="stable")
        pa, pb = pa[by_b], pb[by_b]
        pair, pos = _expand(offsets[pa], offsets[pa + 1] - offsets[pa])
        hit, at = _holds(terms, pb[pair], terms.ids.rank[pos])
        pair, pos, at = pair[hit], pos[hit], at[hit]
        if not len(pair):
            continue
        value = terms.word_w[pos] * _run_factor(terms, pa[pair], pb[pair], pos, at)
        new = np.ones(len(pair), dtype=bool)
        new[1:] = (pair[1:] != pair[:-1]) | (pos[1:] - pos[:-1] > max_gap + 1)
        cuts = np.flatnonzero(new)
        weight = np.add.reduceat(value, cuts)
        owner = pair[cuts]
        order = np.lexsort((-weight, owner))  # each pair's segments, heaviest first
        owner, weight = owner[order], weight[order]
        first = np.searchsorted(owner, owner)
        top = np.arange(len(owner)) - first < chains
        out[lo + by_b] = np.bincount(owner[top], weights=weight[top], minlength=len(pa))
    return out


def _run_factor(
    terms: Terms, a: np.ndarray, b: np.ndarray, pos: np.ndarray, at: np.ndarray
) -> np.ndarray:
    """The most a word's rarity is multiplied by in a chain: its factor in ``[0, 1]``.

    Word ``pos`` of node ``a`` is held by ``b`` (its key there is ``at``). A word in a run of
    one counts whole; in a longer run, times the rarest bigram it forms in the run. When
    ``b`` holds the word once and a bigram it forms in ``a`` (left or right) is also in
    ``b``, that bigram sits at the word's one place in ``b``: every run through the word is
    longer than one, and the factor is the larger weight of the bigrams it shares there.
    Otherwise the factor is 1.
    """
    ids = terms.ids
    right = ids.has_pair[pos] & _holds_pair(terms, b, pos)
    before = np.maximum(pos - 1, 0)
    left = (pos > ids.offsets[a]) & ids.has_pair[before] & _holds_pair(terms, b, before)
    shared = np.maximum(
        np.where(left, terms.pair_w[before], 0.0), np.where(right, terms.pair_w[pos], 0.0)
    )
    once = terms.counts[at] == 1
    return np.where(once & (left | right), shared, 1.0)


def _holds_pair(terms: Terms, node: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Whether each ``node`` holds the bigram starting at position ``pos`` (of any node)."""
    ids = terms.ids
    if not len(ids.pair_keys):
        return np.zeros(len(pos), dtype=bool)
    wanted = node * ids.bigram_space + ids.pair_rank[pos]
    at = np.minimum(np.searchsorted(ids.pair_keys, wanted), len(ids.pair_keys) - 1)
    return ids.pair_keys[at] == wanted


def reuse_candidates(
    terms: Terms, a: np.ndarray, b: np.ndarray, min_weight: float, threshold: float
) -> np.ndarray:
    """Positions of the pairs whose bounds reach both reuse floors (the others cannot).

    >>> t = weigh(term_table([["x", "y"], ["x", "y"], ["q"]],
    ...                      [np.array([1]), np.array([1]), np.array([])]), Weights({}, 100))
    >>> reuse_candidates(t, np.array([0, 0]), np.array([1, 2]), 2.0, 0.5).tolist()
    [0]
    """
    smaller = np.minimum(terms.totals[a], terms.totals[b])

    def passing(bound: np.ndarray, small: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(small > 0, bound / small, 0.0)
        return (bound >= min_weight) & (share >= threshold)

    todo = np.flatnonzero(passing(word_bounds(terms, a, b), smaller))
    keep = passing(segment_bounds(terms, a[todo], b[todo]), smaller[todo])
    return todo[keep]


def score_pairs(terms: Terms, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact reuse weight and fraction of every pair (the chains, pair by pair).

    >>> t = weigh(term_table([["x", "a", "b"], ["a", "b", "y"]], [np.array([1, 2]),
    ...                      np.array([2, 3])]), Weights({}, 100))
    >>> [x.tolist() for x in score_pairs(t, np.array([0]), np.array([1]))]
    [[2.0], [0.6666666666666666]]
    """
    weight = np.zeros(len(a), dtype=np.float64)
    fraction = np.zeros(len(a), dtype=np.float64)
    for k, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        weight[k], fraction[k] = terms.scores(i, j)
    return weight, fraction
