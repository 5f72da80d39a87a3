"""The pair stages of a dedupe batch spread over worker processes: band shuffle, verification.

Both stages are partitionable without changing their result:

* **Band shuffle.** Two paragraphs are candidates when they share a band key, and every
  group of owners sharing a key is handled on its own (:func:`cleaner.dedupe.lsh.collision_pairs`).
  Band keys are hashes, so ``key % parts`` sends every member of a group to the same
  partition; each worker emits the pairs of its partition, and the union of the partitions'
  pairs, made unique, is the pair set of the whole batch.
* **Verification.** Whether a pair is a near duplicate is a pure function of the two
  paragraphs' shingle sets (:func:`cleaner.dedupe.verify.verify_counts`), so the candidates
  are verified in chunks on the workers.

The workers read the batch's arrays (band keys, shingle sets, candidates) where this
process holds them: a forked pool inherits them without a copy, and the verdicts are written
into shared arrays (:func:`cleaner.pool.shared_empty`); only the band pairs travel back
through the pool. Without fork (threads running, or no fork on the platform) the inputs are
pickled to each worker once and the verdicts come back as results: slower, same answer.

:func:`cleaner.dedupe.api.run` calls these, and the containment stage of
:mod:`cleaner.dedupe.containment`, when its options ask for more than one worker.
Union-find and the clusters' members stay in the main process.

>>> bands = np.array([[1, 2], [1, 3], [4, 3], [5, 6]], dtype=np.uint64)
>>> band_pairs_parallel(bands, workers=1, parts=3).tolist()
[[0, 1], [1, 2]]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from cleaner.dedupe.lsh import collision_pairs
from cleaner.dedupe.pairs import union_of_pairs, unpack_pairs
from cleaner.dedupe.partition import partition_rows
from cleaner.dedupe.reuse_pairs import Terms, score_pairs
from cleaner.dedupe.verify import ShingleSets, verify_counts
from cleaner.pool import (
    chunk_size,
    ordered_map,
    shared_empty,
    shares_memory,
    stage,
    stage_inputs,
)

#: Candidate pairs per verification task.
VERIFY_CHUNK = 200_000

#: Candidate pairs per exact reuse-scoring task (about a third of a millisecond each).
REUSE_CHUNK = 2_000


def _collide(tasks: list[tuple[int, int]]) -> list[np.ndarray]:
    s = stage_inputs()
    out = []
    for lo, hi in tasks:
        rows = s["order"][lo:hi]
        out.append(collision_pairs(s["keys"][rows], rows.astype(np.int64) // s["b"]))
    return out


def band_pairs_parallel(bands: np.ndarray, workers: int, parts: int | None = None) -> np.ndarray:
    """Candidate pairs of a band-key matrix (rows sharing any band), shuffled by key on a pool.

    The same pairs as :func:`cleaner.dedupe.lsh.band_pairs`.
    """
    n, b = bands.shape
    parts = parts or 4 * max(1, workers)
    # Row i * b + k: band k of paragraph i (the matrix as it lies, not a transposed copy:
    # the pairs of a key's group do not depend on the order of its rows).
    keys = np.ascontiguousarray(bands).ravel()
    order, bounds = partition_rows(keys, parts, workers)
    tasks = [[(lo, hi)] for lo, hi in zip(bounds[:-1], bounds[1:], strict=True) if hi > lo]
    with stage(keys=keys, order=order, b=b):
        found = [p for out in ordered_map(_collide, tasks, workers, hand_over=True) for p in out]
    found = [p for p in found if len(p)]
    return union_of_pairs(found)  # each partition's pairs are sorted: merged, not sorted


def _run_chunks(tasks: list[tuple[int, int]]) -> list[tuple[np.ndarray, ...] | None]:
    """A worker's spans: each span's result arrays, written in place when memory is shared."""
    s = stage_inputs()
    out: list[tuple[np.ndarray, ...] | None] = []
    for lo, hi in tasks:
        results = s["compute"](s, lo, hi)
        if s["in_place"]:
            for name, part in zip(s["outputs"], results, strict=True):
                s[name][lo:hi] = part
            out.append(None)
        else:
            out.append(results)
    return out


def _over_chunks(
    compute: Callable[[dict[str, Any], int, int], tuple[np.ndarray, ...]],
    n: int,
    chunk: int,
    workers: int,
    shared: dict[str, Any],
    outputs: dict[str, np.ndarray],
    tick: Callable[[int], None] | None = None,
) -> None:
    """Run ``compute`` over spans of ``chunk`` of ``n`` rows on a pool; its arrays fill
    ``outputs`` (in place on the workers when they share memory, else sent back);
    ``tick(rows)`` as each span is done."""
    in_place = shares_memory(workers)
    handed = {
        **shared,
        **(outputs if in_place else {}),  # else the parts come back: nothing to hand over
        "compute": compute,
        "outputs": tuple(outputs),
        "in_place": in_place,
    }
    spans = [(lo, min(n, lo + chunk)) for lo in range(0, n, chunk)]
    with stage(**handed):
        done = ordered_map(_run_chunks, [[s] for s in spans], workers, hand_over=True)
        for (lo, hi), out in zip(spans, (r for o in done for r in o), strict=True):
            if out is not None:
                for array, part in zip(outputs.values(), out, strict=True):
                    array[lo:hi] = part
            if tick is not None:
                tick(hi - lo)


def _verify_code_span(s: dict[str, Any], lo: int, hi: int) -> tuple[np.ndarray, ...]:
    return verify_counts(s["sets"], unpack_pairs(s["code"][lo:hi]), *s["args"])


def verify_codes(
    sets: ShingleSets,
    code: np.ndarray,
    threshold: float,
    containment: float | None,
    min_contained: int,
    workers: int = 1,
    chunk: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cleaner.dedupe.verify.verify_counts` of pairs packed one int64 each
    (:func:`cleaner.dedupe.pairs.pack_pairs`), unpacked ``chunk`` pairs at a time
    (default ``VERIFY_CHUNK``, and four chunks a worker at least): on a pool when
    ``workers`` > 1, else here."""
    # Chunks of VERIFY_CHUNK alone are too few to share evenly: 725,877 candidates in four
    # chunks on two workers are 400,000 pairs for one, 325,877 for the other.
    chunk = chunk or chunk_size(len(code), workers, VERIFY_CHUNK, least=10_000)
    args = (threshold, containment, min_contained)
    if workers > 1 and len(code) > chunk:
        mask = shared_empty(len(code), np.bool_, workers)
        inter = shared_empty(len(code), np.int64, workers)
        shared = {"sets": sets, "code": code, "args": args}
        outputs = {"mask": mask, "inter": inter}
        _over_chunks(_verify_code_span, len(code), chunk, workers, shared, outputs)
        return mask, inter
    mask = np.empty(len(code), np.bool_)
    inter = np.empty(len(code), np.int64)
    for lo in range(0, len(code), chunk):
        mask[lo : lo + chunk], inter[lo : lo + chunk] = verify_counts(
            sets, unpack_pairs(code[lo : lo + chunk]), *args
        )
    return mask, inter


def _reuse_span(s: dict[str, Any], lo: int, hi: int) -> tuple[np.ndarray, ...]:
    return score_pairs(s["terms"], s["a"][lo:hi], s["b"][lo:hi])


def reuse_scores(
    terms: Terms,
    a: np.ndarray,
    b: np.ndarray,
    workers: int = 1,
    chunk: int = REUSE_CHUNK,
    tick: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cleaner.dedupe.reuse_pairs.score_pairs` over chunks of pairs, on a pool when
    ``workers`` > 1: the reuse weight and fraction of every pair ``(a[k], b[k])``.
    ``tick(n)`` is called as each chunk of ``n`` pairs is done (a progress bar)."""
    if workers <= 1 or len(a) <= chunk:
        weight = np.empty(len(a), dtype=np.float64)
        fraction = np.empty(len(a), dtype=np.float64)
        for lo in range(0, len(a), chunk):
            hi = min(len(a), lo + chunk)
            weight[lo:hi], fraction[lo:hi] = score_pairs(terms, a[lo:hi], b[lo:hi])
            if tick is not None:
                tick(hi - lo)
        return weight, fraction
    weight = shared_empty(len(a), np.float64, workers)
    fraction = shared_empty(len(a), np.float64, workers)
    shared = {"terms": terms, "a": a, "b": b}
    outputs = {"w": weight, "f": fraction}
    _over_chunks(_reuse_span, len(a), chunk, workers, shared, outputs, tick)
    return weight, fraction
