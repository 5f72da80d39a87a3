"""Dedupe material computed in shards, on worker processes or a Dask cluster, then joined.

Everything :func:`cleaner.dedupe.prepare.prepare` computes is per paragraph (matching key,
shingle hashes, signature, band keys, anchors), so a batch split into shards and prepared
shard by shard gives, once the shards are laid end to end with their row offsets, exactly
the arrays one ``prepare`` over the whole batch gives. Candidates, verification and
clustering then run once over the joined material (:func:`cleaner.dedupe.api.run` with
``prepared=``), so clusters are identical to a one-process run by construction, and the
tests check it.

On this machine's pool (:func:`prepare_parallel`) nothing of the material travels through
the pool's pipes: the arrays of the batch are allocated first, in shared anonymous memory
(:func:`cleaner.pool.shared_empty`), and each forked worker reads its shard's
paragraphs where this process holds them and writes its rows in place. The shingle sets,
whose length is known only once computed, go to a slot per shard sized for the longest
they can be (one shingle a character; a shard that needs more sends its sets back), and
are moved down to their place as the shards finish, in order. Sent back pickled and joined
here instead, the material of 1M paragraphs is 2.4 GB through the pipes and 26 s of this
process's CPU.

Memory of the joined material, per paragraph: see :mod:`cleaner.dedupe.prepare` (flat
arrays, about 1.5 KB for a 150-character paragraph, plus the text).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.prepare import Paragraph, Prepared, join_prepared, prepare
from cleaner.pool import (
    Reserved,
    batched,
    chunk_size,
    keep_freed_blocks,
    ordered_map,
    shared_empty,
    shares_memory,
    stage,
    stage_inputs,
)

#: Paragraphs per shard: big enough that numpy amortises, small enough to spread the work.
SHARD_SIZE = 20_000

#: Paragraphs per shard when preparing a batch: a shard's temporaries stay in the caches,
#: and many shards share out evenly on a pool (at 50k paragraphs on two workers, with the
#: workers' heap kept, see :func:`cleaner.pool.keep_freed_blocks`: 2.07 s a run against
#: 2.20 s with shards of 6,250, median of six; in one process, with its heap kept, 2.50-2.68
#: s against 2.80-2.96 s with shards of 20,000).
POOL_SHARD_SIZE = 2000

#: The arrays of a Prepared with one row a paragraph (written in place by the shards).
ROW_FIELDS = ("digests", "signature", "bands", "sketch")


@dataclass(frozen=True)
class Shard:
    """The material of one shard, paragraphs left out (the caller holds them)."""

    prep: Prepared


def prepare_shard(paragraphs: Sequence[Paragraph], opts: DedupeOptions) -> Shard:
    """Prepare one shard; the texts stay with the caller."""
    return Shard(prepare(paragraphs, opts).without_texts())


def join_shards(paragraphs: list[Paragraph], shards: Iterable[Shard]) -> Prepared:
    """One Prepared for the whole batch, from its shards in order."""
    return join_prepared(paragraphs, [s.prep for s in shards])


def shard_tasks(
    paragraphs: list[Paragraph], opts: DedupeOptions, size: int = SHARD_SIZE
) -> Iterator[tuple[list[Paragraph], DedupeOptions]]:
    """``(paragraphs, options)`` of each shard, in order."""
    for chunk in batched(paragraphs, size):
        yield chunk, opts


#: A shard's task: its number, its rows, and its paragraphs when the worker cannot read them
#: where this process holds them (a pool that does not fork).
ShardTask = tuple[int, int, int, list[Paragraph] | None]

#: What a shard sends back: its shingle count, and None (all written in place), its sets
#: (they did not fit its slot), or its whole material (nothing shared).
ShardDone = tuple[int, np.ndarray | Shard | None]


def _prepare_task(tasks: list[ShardTask]) -> list[ShardDone]:
    return [_prepare_one(*t) for t in tasks]


def _prepare_one(k: int, lo: int, hi: int, chunk: list[Paragraph] | None) -> ShardDone:
    """Prepare shard ``k`` (rows ``lo..hi-1``) and write its material in place if it can."""
    s = stage_inputs()
    prep = prepare(chunk if chunk is not None else s["paragraphs"][lo:hi], s["opts"])
    count = len(prep.set_hashes)
    if not s["in_place"]:
        return count, Shard(prep.without_texts())
    for name in ROW_FIELDS:
        s[name][lo:hi] = getattr(prep, name)
    s["sizes"][lo:hi] = np.diff(prep.set_offsets)
    start, end = s["slots"][k], s["slots"][k + 1]
    if count > end - start:
        return count, prep.set_hashes
    s["hashes"][start : start + count] = prep.set_hashes
    return count, None


def shard_slots(paragraphs: Sequence[Paragraph], spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Where each shard's shingle sets may go: room for one shingle a character, plus one.

    A paragraph has at most one shingle a character of its shingle text (and one when it
    is shorter than a shingle); that text is usually shorter than the paragraph (no spaces),
    longer only when normalisation expands characters, which a shard rarely does on
    balance (and if it does, its sets come back through the pool).

    >>> paras = [Paragraph("d", "", i, t) for i, t in enumerate(["abc", "", "abcdefg"])]
    >>> shard_slots(paras, [(0, 2), (2, 3)]).tolist()
    [0, 5, 13]
    """
    room = np.fromiter((len(p.text) + 1 for p in paragraphs), np.int64, len(paragraphs))
    ends = np.cumsum(room)
    return np.concatenate(([0], [int(ends[hi - 1]) if hi > 0 else 0 for _, hi in spans]))


def prepare_parallel(
    paragraphs: list[Paragraph], opts: DedupeOptions, workers: int, size: int = SHARD_SIZE
) -> Prepared:
    """The batch's material, shards prepared on ``workers`` processes (or one after the
    other here with one), written where the batch's arrays are."""
    n = len(paragraphs)
    if not n:
        return prepare(paragraphs, opts)
    # At 50k paragraphs, shards of 20,000 made three: one worker prepared two, the other one.
    size = chunk_size(n, workers, min(size, POOL_SHARD_SIZE), least=1000)
    if workers <= 1:
        # The shards run here one after the other, each making the same temporaries: kept
        # in the heap, they are not faulted in afresh (the pool's workers do so at start;
        # the stages after hand the free heap back, see cleaner.pool.release_heap).
        keep_freed_blocks()
    spans = [(lo, min(n, lo + size)) for lo in range(0, n, size)]
    like = prepare(paragraphs[:1], opts)  # the rows' widths and types
    rows = {}
    for name in ROW_FIELDS:
        a = getattr(like, name)
        rows[name] = shared_empty(n * a[0].size, a.dtype, workers).reshape(n, *a.shape[1:])
    sizes = shared_empty(n, np.int64, workers)
    slots = shard_slots(paragraphs, spans)
    hashes = Reserved(int(slots[-1]), np.uint64)
    in_place = shares_memory(workers)
    shared: dict[str, Any] = {"opts": opts, "in_place": in_place}
    if in_place:  # inherited by the forked workers (otherwise each would get a pickled copy)
        shared.update(rows, paragraphs=paragraphs, sizes=sizes, slots=slots, hashes=hashes.array)
    tasks = [
        [(k, lo, hi, None if in_place else paragraphs[lo:hi])] for k, (lo, hi) in enumerate(spans)
    ]
    with stage(**shared):
        done = ordered_map(_prepare_task, tasks, workers, hand_over=True)
        at = 0  # where the next shard's sets go: right after the sets before them
        for k, (count, back) in enumerate(out for outs in done for out in outs):
            lo, hi = spans[k]
            if isinstance(back, Shard):
                for name in ROW_FIELDS:
                    rows[name][lo:hi] = getattr(back.prep, name)
                sizes[lo:hi] = np.diff(back.prep.set_offsets)
                back = back.prep.set_hashes
            start, end = int(slots[k]), int(slots[k + 1])
            part = back if back is not None else hashes.array[start : start + count]
            hashes.place(at, part, end)  # the slots after this one are still being written
            at += count
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return Prepared(
        paragraphs=list(paragraphs),
        digests=rows["digests"],
        set_hashes=hashes.done(at),
        set_offsets=offsets,
        signature=rows["signature"],
        bands=rows["bands"],
        sketch=rows["sketch"],
        anchor_rate=opts.anchor_rate,
    )
