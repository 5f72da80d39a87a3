"""The true pairs among a run's candidates: near duplicates verified in bulk, reuse pairs scored."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from cleaner.dedupe.nodes import Nodes
from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.pair_stages import reuse_scores, verify_codes
from cleaner.dedupe.pairs import pair_ends
from cleaner.dedupe.reuse import Weights, many_bigram_ids, reuse_score, term_id
from cleaner.dedupe.reuse_pairs import (
    Terms,
    document_frequencies,
    reuse_candidates,
    term_table,
    weigh,
)
from cleaner.dedupe.stage_bar import StageBar
from cleaner.dedupe.verify import (
    Overlap,
    ShingleSets,
    intersections,
    overlap,
    overlap_of,
    similarity_of,
)
from cleaner.index.base import Index


def _verify_counts(
    sets: ShingleSets, cand: np.ndarray, opts: DedupeOptions
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cleaner.dedupe.verify.verify_counts` of the packed candidates, in chunks
    (on the pool when workers > 1)."""
    args = (opts.threshold, opts.containment, opts.min_contained)
    return verify_codes(sets, cand, *args, workers=opts.workers)


def weights_of(nodes: Nodes, index: Index | None) -> Weights:
    """Rarity of words and bigrams over the distinct paragraphs of the batch and the index.

    A paragraph repeated word for word (a syndicated copy) counts once; stored copies of
    this batch's own paragraphs (the same batch run again) are not counted twice.
    """
    prep = nodes.prep
    words = [nodes.words(i) for i in range(len(prep.paragraphs) + len(nodes.external))]
    bigrams = prep.all_phrase_keys() + many_bigram_ids([it.words for it in nodes.external])
    nodes.term_ids = term_table(words, bigrams)
    first: dict[str, int] = {}
    for i in range(len(prep.paragraphs)):
        first.setdefault(prep.digest(i), i)
    seen = first.keys()
    terms, counts = document_frequencies(nodes.term_ids, np.fromiter(first.values(), np.int64))
    total = len(seen)
    if index is not None:
        more: Counter[int] = Counter()
        own = set(nodes.self_pid)
        keys = terms.view(np.uint64).tolist()
        for key, pids in index.query(keys).items():  # bigrams (stored as phrase keys)
            more[int(np.uint64(key).view(np.int64))] += sum(1 for p in pids if p not in own)
        vocab = {w for i in range(len(prep.paragraphs)) for w in nodes.words(i)}
        stored = Counter(index.document_frequencies(vocab)[0])
        stored.subtract(w for i in set(nodes.self_pid.values()) for w in set(nodes.words(i)))
        for w, count in stored.items():  # words (stored with their document frequencies)
            more[term_id(w)] += max(0, count)
        terms, counts = _summed(terms, counts, more)
        total += max(0, index.document_frequencies(())[1] - len(own))
    return Weights.of_arrays(terms, counts, total)


def _summed(
    terms: np.ndarray, counts: np.ndarray, more: Counter[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Document frequencies (sorted distinct ids, counts) with ``more`` added to them."""
    terms = np.concatenate([terms, np.fromiter(more.keys(), np.int64, len(more))])
    counts = np.concatenate([counts, np.fromiter(more.values(), np.int64, len(more))])
    order = np.argsort(terms, kind="stable")
    terms, counts = terms[order], counts[order]
    if not len(terms):
        return terms, counts
    new = np.ones(len(terms), dtype=bool)
    new[1:] = terms[1:] != terms[:-1]
    starts = np.flatnonzero(new)
    return terms[starts], np.add.reduceat(counts, starts)


def score_pair(nodes: Nodes, a: int, b: int, weights: Weights | None) -> tuple[Overlap, float]:
    """Exact overlap of two nodes, and their reuse fraction (0 without weights)."""
    inter = nodes.counted.get((min(a, b), max(a, b)))
    if inter is None:
        o = overlap(nodes.shingles(a), nodes.shingles(b))
    else:
        o = overlap_of(inter, len(nodes.shingles(a)), len(nodes.shingles(b)))
    if weights is None or o.similarity >= 1.0:
        return o, 0.0  # (a member reports the larger of the two: a fraction adds nothing)
    # Scored in the order verification scores a pair: the fraction it was found with.
    key = (min(a, b), max(a, b))
    fraction = nodes.reuse_fractions.get(key)
    if fraction is None:
        if nodes.terms is None:
            return o, reuse_score(nodes.words(key[0]), nodes.words(key[1]), weights).fraction
        fraction = nodes.terms.scores(*key)[1]
    return o, fraction


@dataclass(frozen=True)
class Verified:
    """The true pairs among the candidates, sorted (ascending first paragraph, then
    second), with their similarity; and the near duplicates among them as sorted packed
    pairs with their shingle intersections (members are scored against their
    representative: often a pair counted here)."""

    first: np.ndarray
    second: np.ndarray
    similarity: np.ndarray
    near: np.ndarray
    inter: np.ndarray

    def __len__(self) -> int:
        return len(self.first)

    def counted(self) -> dict[tuple[int, int], int]:
        """The near duplicates' intersections by ``(a, b)``."""
        first, second = pair_ends(self.near)
        ab = zip(first.tolist(), second.tolist(), strict=True)
        return dict(zip(ab, self.inter.tolist(), strict=True))


def verify_candidates(
    nodes: Nodes, cand: list[np.ndarray], opts: DedupeOptions, weights: Weights | None
) -> Verified:
    """The true pairs among the candidates (disjoint arrays of packed pairs), with their
    similarity.

    Near duplicates are verified for all candidates at once (in reuse mode with the finer
    sketches too); in reuse mode the candidates that are not near duplicates are then
    scored on their shared phrases (:mod:`.reuse_pairs`).
    """
    sets = nodes.sets
    if weights is not None:
        # Reuse mode's candidates share a phrase: mostly long paragraphs of one story,
        # which the coarse sketches cannot tell apart.
        sets = sets.refined()
    sizes = sets.sizes()
    near_codes, near_inter, reused, scores = [], [], [], []
    for part in cand:
        mask, inter = _verify_counts(sets, part, opts)
        near_codes.append(part[mask])
        near_inter.append(inter[mask])
        if weights is None:
            continue
        code, fraction = _reused(nodes, part[~mask], opts, weights)
        reused.append(code)
        a, b = pair_ends(code)
        pairs = np.stack([a, b], axis=1)
        scores.append(
            np.maximum(similarity_of(intersections(sets, pairs), sizes[a], sizes[b]), fraction)
        )
    codes, inter = _joined(near_codes, np.int64), _joined(near_inter, np.int64)
    order = np.argsort(codes)  # sorted, as the candidates are not; these few are
    codes, inter = codes[order], inter[order]
    first, second = pair_ends(codes)
    # Only the verified pairs' similarities are read (computed for those alone: at 1M
    # paragraphs most of the candidates are not).
    sim = similarity_of(inter, sizes[first], sizes[second])
    if weights is not None:
        both = np.concatenate((codes, *reused))
        order = np.argsort(both)
        first, second = pair_ends(both[order])
        sim = np.concatenate((sim, *scores))[order]
    return Verified(first, second, sim, codes, inter)


def _reused(
    nodes: Nodes, code: np.ndarray, opts: DedupeOptions, weights: Weights
) -> tuple[np.ndarray, np.ndarray]:
    """The packed candidates that are reuse pairs, and their reuse fraction: bounded all at
    once, scored exactly where the bound lets them through (see :mod:`.reuse_pairs`)."""
    if nodes.terms is None:
        assert nodes.term_ids is not None  # made with the weights
        nodes.terms = weigh(nodes.term_ids, weights)
    a, b = pair_ends(code)
    floors = (opts.reuse_min_weight, opts.reuse_threshold)
    todo = reuse_candidates(nodes.terms, a, b, *floors)
    weight, fraction = _reuse_scores(nodes.terms, a[todo], b[todo], opts)
    ok = (weight >= floors[0]) & (fraction >= floors[1])
    pairs = zip(a[todo].tolist(), b[todo].tolist(), strict=True)
    nodes.reuse_fractions.update(zip(pairs, fraction.tolist(), strict=True))
    return code[todo[ok]], fraction[ok]


def _reuse_scores(
    terms: Terms, a: np.ndarray, b: np.ndarray, opts: DedupeOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Exact reuse scores of pairs, on the pool when workers > 1, with a bar when asked."""
    with StageBar("reuse pairs", len(a), show=opts.progress) as bar:
        return reuse_scores(terms, a, b, opts.workers, tick=bar.update)


def _joined(arrays: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)
