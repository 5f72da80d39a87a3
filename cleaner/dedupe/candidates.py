"""Candidate pairs of a dedupe run: band collisions, shared phrases, and the scope kept."""

from __future__ import annotations

import numpy as np

from cleaner.dedupe.lsh import band_pairs, collision_pairs
from cleaner.dedupe.nodes import Nodes
from cleaner.dedupe.pair_stages import band_pairs_parallel
from cleaner.dedupe.pairs import pair_ends
from cleaner.dedupe.prepare import Prepared
from cleaner.pool import remote_stages


def stage_workers(workers: int) -> int:
    """Workers of a stage that stays on this machine when the others run on a Dask cluster.

    The band shuffle and the verification hand each worker their inputs once (band keys;
    shingle sets and candidates). The containment stage's five passes would each broadcast
    the batch's anchor rows (1.3 KB a paragraph) for little work: it runs here.
    """
    return 1 if remote_stages() else workers


def band_candidates(bands: np.ndarray, workers: int) -> np.ndarray:
    """Candidate pairs from band collisions, on ``workers`` processes when more than one."""
    if workers <= 1:
        return band_pairs(bands)
    return band_pairs_parallel(bands, workers)


def phrase_candidates(prep: Prepared, max_postings: int) -> np.ndarray:
    """Candidate pairs sharing a phrase key (word bigram)."""
    prep.all_words()
    keys = prep.all_phrase_keys()
    owners = np.repeat(np.arange(len(keys), dtype=np.int64), [len(k) for k in keys])
    flat = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
    return collision_pairs(flat, owners, max_postings)


def in_scope(cand: np.ndarray, nodes: Nodes, scope: str, in_dup: np.ndarray) -> np.ndarray:
    """Keep the (packed) candidate pairs the scope asks for, none with a paragraph of a
    document that repeats an earlier one of its outlet (reported as such)."""
    if not len(cand) or (scope == "all" and not in_dup.any()):
        return cand
    first, second = pair_ends(cand)
    n = len(in_dup)
    keep = np.ones(len(cand), dtype=bool)
    if in_dup.any():
        keep &= ~in_dup[first] & ~((second < n) & in_dup[np.minimum(second, n - 1)])
    if scope != "all":
        code = nodes.outlet_codes() if scope == "outlets" else nodes.doc_codes()
        same = code[first] == code[second]
        keep &= same if scope == "within" else ~same
    return cand[keep]
