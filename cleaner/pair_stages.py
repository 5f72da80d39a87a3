"""The pair stages of a dedupe batch spread over worker processes: band shuffle, verification.

Both stages are partitionable without changing their result:

* **Band shuffle.** Two paragraphs are candidates when they share a band key, and every
  group of owners sharing a key is handled on its own (:func:`cleaner.dedupe.lsh.collision_pairs`).
  Band keys are hashes, so ``key % parts`` sends every member of a group to the same
  partition; each worker emits the pairs of its partition, and the union of the partitions'
  pairs, made unique, is the pair set of the whole batch.
* **Verification.** Whether a pair is a near duplicate is a pure function of the two
  paragraphs' shingle sets (:func:`cleaner.dedupe.verify.verify_pairs`), so the candidates
  are verified in chunks on the workers. The sets are handed to each worker once (inherited
  without a copy when the pool forks), the chunks travel as small arrays.

Union-find over the verified pairs stays in the main process: it is linear and cheap.

Not yet called by :func:`cleaner.dedupe.api.run` (issue 5 is open): at 200k paragraphs the
anchor candidates, not these stages, take most of the main process's time, so wiring these in
alone was measured to gain little; they are tested to give exactly the one-process results.

>>> bands = np.array([[1, 2], [1, 3], [4, 3], [5, 6]], dtype=np.uint64)
>>> band_pairs_parallel(bands, workers=1, parts=3).tolist()
[[0, 1], [1, 2]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cleaner.dedupe.lsh import collision_pairs
from cleaner.dedupe.verify import ShingleSets, verify_pairs
from cleaner.parallel import ordered_map

#: Candidate pairs per verification task.
VERIFY_CHUNK = 200_000

#: What a worker was handed by its initializer (the shingle sets of the batch).
_SHARED: dict[str, Any] = {}


def _collide(tasks: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    return [collision_pairs(keys, owners) for keys, owners in tasks]


def band_pairs_parallel(bands: np.ndarray, workers: int, parts: int | None = None) -> np.ndarray:
    """Candidate pairs of a band-key matrix (rows sharing any band), shuffled by key on a pool.

    The same pairs as :func:`cleaner.dedupe.lsh.band_pairs`.
    """
    n, b = bands.shape
    parts = parts or 4 * max(1, workers)
    keys = bands.T.ravel()
    owners = np.tile(np.arange(n, dtype=np.int64), b)
    bucket = (keys % np.uint64(parts)).astype(np.int64)
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(parts + 1))
    spans = zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    tasks = [[(keys[order[lo:hi]], owners[order[lo:hi]])] for lo, hi in spans]
    found = [p for out in ordered_map(_collide, tasks, workers) for p in out if len(p)]
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(found), axis=0)


def _share_sets(sets: ShingleSets) -> None:
    _SHARED["sets"] = sets


def _verify_chunks(
    tasks: list[tuple[np.ndarray, float, float | None, int]],
) -> list[tuple[np.ndarray, np.ndarray]]:
    return [verify_pairs(_SHARED["sets"], cand, t, c, m) for cand, t, c, m in tasks]


def verify_parallel(
    sets: ShingleSets,
    cand: np.ndarray,
    threshold: float,
    containment: float | None,
    min_contained: int,
    workers: int,
    chunk: int = VERIFY_CHUNK,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cleaner.dedupe.verify.verify_pairs` over chunks of ``cand`` on a pool, in order."""
    if workers <= 1 or len(cand) <= chunk:
        return verify_pairs(sets, cand, threshold, containment, min_contained)
    tasks = [
        [(cand[lo : lo + chunk], threshold, containment, min_contained)]
        for lo in range(0, len(cand), chunk)
    ]
    done = [
        r
        for out in ordered_map(
            _verify_chunks, tasks, workers, initializer=_share_sets, initargs=(sets,)
        )
        for r in out
    ]
    return np.concatenate([m for m, _ in done]), np.concatenate([s for _, s in done])
