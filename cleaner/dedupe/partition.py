"""Rows grouped by a hash key's partition, on one process or a forked pool (band shuffle,
containment stage)."""

from __future__ import annotations

import numpy as np

from cleaner.pool import ordered_map, shared_empty, shares_memory, stage, stage_inputs


def partition_rows(
    key: np.ndarray, parts: int, workers: int = 1, chunk: int = 1 << 20
) -> tuple[np.ndarray, list[int]]:
    """Row numbers grouped by partition ``key % parts``, ascending in each, and the bounds.

    Partition ``p``'s rows are ``order[bounds[p]:bounds[p+1]]``. Hash keys spread evenly,
    and every row of one key lands in one partition, so a partition can be handled alone.
    ``order`` is a :func:`shared_empty` array; rows are sorted ``chunk`` at a time (a radix
    sort of small ints), so the temporaries stay those of a chunk.

    >>> order, bounds = partition_rows(np.array([5, 2, 7, 4], dtype=np.uint64), 2)
    >>> order.tolist(), bounds
    ([1, 3, 0, 2], [0, 2, 4])
    """
    order = shared_empty(len(key), np.uint32 if len(key) < 2**32 else np.int64, workers)
    if workers > 1 and shares_memory(workers) and len(key) > chunk:
        return order, _partition_on_pool(key, parts, workers, chunk, order)
    bucket = (key % np.uint64(parts)).astype(np.uint8 if parts < 256 else np.uint16)
    bounds = np.concatenate(([0], np.cumsum(np.bincount(bucket, minlength=parts))))
    fill = bounds[:-1].copy()
    for lo in range(0, len(key), chunk):
        fill += _scatter(bucket[lo : lo + chunk], lo, fill, order, parts)
    return order, bounds.tolist()


def _scatter(
    bucket: np.ndarray, lo: int, fill: np.ndarray, order: np.ndarray, parts: int
) -> np.ndarray:
    """Write rows ``lo, lo+1...`` (their partitions ``bucket``) into ``order``, each
    partition's from where ``fill`` says; how many went to each partition."""
    rows = np.argsort(bucket, kind="stable") + lo
    counts = np.bincount(bucket, minlength=parts)
    starts = np.concatenate(([0], np.cumsum(counts)))
    for p in np.flatnonzero(counts).tolist():
        order[fill[p] : fill[p] + counts[p]] = rows[starts[p] : starts[p + 1]]
    return counts


def _bucket_task(spans: list[tuple[int, int]]) -> list[np.ndarray]:
    """The partition of each row of a span (kept for the scatter), and their counts."""
    s = stage_inputs()
    out = []
    for lo, hi in spans:
        bucket = (s["key"][lo:hi] % np.uint64(s["parts"])).astype(s["bucket"].dtype)
        s["bucket"][lo:hi] = bucket
        out.append(np.bincount(bucket, minlength=s["parts"]))
    return out


def _scatter_task(tasks: list[tuple[int, int, np.ndarray]]) -> list[None]:
    """A span's rows written, partition by partition, where ``fill`` says they start."""
    s = stage_inputs()
    for lo, hi, fill in tasks:
        _scatter(s["bucket"][lo:hi], lo, fill, s["order"], s["parts"])
    return [None] * len(tasks)


def _partition_on_pool(
    key: np.ndarray, parts: int, workers: int, chunk: int, order: np.ndarray
) -> list[int]:
    """:func:`partition_rows` on a forked pool, ``chunk`` rows a task, written into ``order``.

    First each span's rows are put in their partitions and counted; then, knowing where
    each span's rows of each partition start (after the earlier spans'), every span writes
    its rows there: the order the one-process loop gives.
    """
    bucket = shared_empty(len(key), np.uint8 if parts < 256 else np.uint16, workers)
    spans = [(lo, min(len(key), lo + chunk)) for lo in range(0, len(key), chunk)]
    with stage(key=key, parts=parts, bucket=bucket, order=order):
        tasks = [[span] for span in spans]
        done = ordered_map(_bucket_task, tasks, workers, hand_over=True)
        counts = np.array([c for out in done for c in out], dtype=np.int64)
        bounds = np.concatenate(([0], np.cumsum(counts.sum(axis=0))))
        fills = bounds[:-1] + np.cumsum(counts, axis=0) - counts  # span c's start in part p
        scatter = [[(lo, hi, fills[c])] for c, (lo, hi) in enumerate(spans)]
        for _ in ordered_map(_scatter_task, scatter, workers, hand_over=True):
            pass
    return [int(b) for b in bounds]
