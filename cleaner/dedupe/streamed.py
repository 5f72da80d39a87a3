"""A batch's dedupe material prepared on the pool while this process is still reading it.

:func:`prepare_streamed` takes the batch's paragraphs as they are read (a chunk at a time)
and sends each shard of :data:`~cleaner.dedupe.shards.POOL_SHARD_SIZE` paragraphs to the
pool as soon as it is whole, so the workers prepare the first shards while this process
reads the next ones. Only the shard's texts travel to a worker (packed in one string,
:func:`pack_texts`; the documents read stay here, where the clusters and outputs need them);
its material is written in place, in arrays that grow as the batch does
(:meth:`cleaner.pool.Reserved.reserve`: a longer mapping of the same memory, nothing
copied), the shingle sets in slots laid out as :func:`cleaner.dedupe.shards.prepare_parallel`
lays them. The arrays equal those of one ``prepare`` over the whole batch, as the shards of
``prepare_parallel`` do.

The records are read here rather than by the workers: read there, every document would
come back pickled, and the pool would fork again for the shards (50k one-paragraph records
on two workers: 1.34 s of CPU and 0.66 s for reading and preparing so, 1.28 s and 0.62 s
streamed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.prepare import Paragraph, Prepared, prepare
from cleaner.dedupe.shards import POOL_SHARD_SIZE, ROW_FIELDS
from cleaner.pool import Reserved, ordered_map
from cleaner.shared_memory import attach, describe

#: Shards the arrays first have room for (they grow by doubling).
FIRST_ROOM = 8

#: The sizes of the first shards, smaller than the others
#: (:data:`~cleaner.dedupe.shards.POOL_SHARD_SIZE`), so that every worker has a shard soon
#: after this process starts reading: it reads 2,000 one-paragraph records in 20-40 ms,
#: which each worker spent waiting for a first shard, the second worker twice.
FIRST_SHARDS = (250, 500, 1000)

#: A shard's texts as they travel (see :func:`pack_texts`).
PackedTexts = tuple[bytes, np.ndarray] | list[str]

#: A shard's task: the texts of its paragraphs and where its material goes (described).
StreamTask = tuple[PackedTexts, DedupeOptions, Any]

#: What a shard sends back: its shingle count, and its sets when they outgrew their slot.
StreamDone = tuple[int, np.ndarray | None]


def _prepare_task(tasks: list[StreamTask]) -> list[StreamDone]:
    return [_prepare_one(*t) for t in tasks]


def pack_texts(texts: list[str]) -> PackedTexts:
    """A shard's texts as one UTF-16 string and their lengths, for the pipe to a worker.

    Pickled one by one, each text is encoded to UTF-8 and decoded again, which for text in
    Arabic script is slow (50k one-paragraph records: 80 ms of CPU between this process and
    the workers, 25 ms so). A text holding a lone surrogate (a JSON escape of half a pair)
    cannot be encoded so, and next to another text's half it would make a pair: such a
    shard's texts go as a list.

    >>> unpack_texts(pack_texts(["سلام", "", "a\\U0001f600"])) == ["سلام", "", "a\\U0001f600"]
    True
    >>> pack_texts(["a\\ud83d", "\\ude00"])
    ['a\\ud83d', '\\ude00']
    """
    lengths = np.fromiter(map(len, texts), np.int64, len(texts))
    try:
        return "".join(texts).encode("utf-16-le"), lengths
    except UnicodeEncodeError:
        return texts


def unpack_texts(packed: PackedTexts) -> list[str]:
    """The texts :func:`pack_texts` packed."""
    if isinstance(packed, list):
        return packed
    data, lengths = packed
    joined = data.decode("utf-16-le")
    ends = np.cumsum(lengths).tolist()
    return [joined[a:b] for a, b in zip([0, *ends], ends, strict=False)]


def _prepare_one(packed: PackedTexts, opts: DedupeOptions, where: Any) -> StreamDone:
    """Prepare one shard and write its material where the task says."""
    texts = unpack_texts(packed)
    rows, sizes, slot = attach(where)
    prep = prepare([Paragraph("", "", i, t) for i, t in enumerate(texts)], opts)
    for name in ROW_FIELDS:
        rows[name][...] = getattr(prep, name)
    sizes[...] = np.diff(prep.set_offsets)
    count = len(prep.set_hashes)
    if count > len(slot):
        return count, prep.set_hashes
    slot[:count] = prep.set_hashes
    return count, None


def slot_room(texts: list[str]) -> int:
    """Room for a shard's shingle sets: one shingle a character, plus one a paragraph (see
    :func:`cleaner.dedupe.shards.shard_slots`; a shard that needs more sends its sets back).

    >>> slot_room(["abc", ""])
    5
    """
    return sum(map(len, texts)) + len(texts)


class _Material:
    """The batch's growing arrays: one row a paragraph, and the shingle sets' slots."""

    def __init__(self, first: Paragraph, opts: DedupeOptions) -> None:
        like = prepare([first], opts)  # the rows' widths and types
        room = FIRST_ROOM * POOL_SHARD_SIZE
        self.widths = {name: getattr(like, name)[0].size for name in ROW_FIELDS}
        self.rows = {
            name: Reserved(room * self.widths[name], getattr(like, name).dtype)
            for name in ROW_FIELDS
        }
        self.shapes = {name: getattr(like, name).shape[1:] for name in ROW_FIELDS}
        self.sizes = Reserved(room, np.int64)
        self.hashes = Reserved(room * 256, np.uint64)
        self.slots = [0]  # where each shard's sets may go (see slot_room)

    def task(self, lo: int, hi: int, texts: list[str], opts: DedupeOptions) -> StreamTask:
        """Shard ``lo..hi-1``'s task, the arrays made long enough for it."""
        end = self.slots[-1] + slot_room(texts)
        self.slots.append(end)
        self.hashes.reserve(end)
        self.sizes.reserve(hi)
        rows = {}
        for name, r in self.rows.items():
            w = self.widths[name]
            r.reserve(hi * w)
            rows[name] = r.array[lo * w : hi * w].reshape(hi - lo, *self.shapes[name])
        where = (rows, self.sizes.array[lo:hi], self.hashes.array[self.slots[-2] : end])
        return pack_texts(texts), opts, describe(where, [])

    def done(self, paragraphs: list[Paragraph], at: int, anchor_rate: int) -> Prepared:
        """The batch's material, its ``at`` shingles laid out."""
        n = len(paragraphs)
        arrays = {
            name: r.done(n * self.widths[name]).reshape(n, *self.shapes[name])
            for name, r in self.rows.items()
        }
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(self.sizes.done(n), out=offsets[1:])
        return Prepared(
            paragraphs=paragraphs,
            digests=arrays["digests"],
            set_hashes=self.hashes.done(at),
            set_offsets=offsets,
            signature=arrays["signature"],
            bands=arrays["bands"],
            sketch=arrays["sketch"],
            anchor_rate=anchor_rate,
        )


def prepare_streamed(
    chunks: Iterable[list[Paragraph]], opts: DedupeOptions, workers: int, least: int
) -> tuple[list[Paragraph], Prepared | None]:
    """The paragraphs of ``chunks`` (read as the pool works) and their material, prepared
    in shards on ``workers`` processes that running workers can be handed (a kept pool's:
    see :func:`cleaner.shared_memory.openable`). A batch of fewer than ``least`` paragraphs
    is left to the dedupe (None): not worth the pool (no shard goes before ``least``
    paragraphs are read)."""
    paragraphs: list[Paragraph] = []
    material: list[_Material] = []  # made with the first shard

    def tasks() -> Iterator[list[StreamTask]]:
        lo = 0
        sizes = (min(size, POOL_SHARD_SIZE) for size in FIRST_SHARDS)
        size = next(sizes, POOL_SHARD_SIZE)
        for chunk in chunks:
            paragraphs.extend(chunk)
            while len(paragraphs) - lo >= size and len(paragraphs) >= least:
                yield [shard(lo, lo + size)]
                lo += size
                size = next(sizes, POOL_SHARD_SIZE)
        if lo < len(paragraphs) and (lo or len(paragraphs) >= least):
            yield [shard(lo, len(paragraphs))]

    def shard(lo: int, hi: int) -> StreamTask:
        if not material:
            material.append(_Material(paragraphs[0], opts))
        return material[0].task(lo, hi, [p.text for p in paragraphs[lo:hi]], opts)

    at = 0  # where the next shard's sets go: right after the sets before them
    done = ordered_map(_prepare_task, tasks(), workers)
    for k, (count, back) in enumerate(out for outs in done for out in outs):
        m = material[0]
        start, end = m.slots[k], m.slots[k + 1]
        part = back if back is not None else m.hashes.array[start : start + count]
        m.hashes.place(at, part, end)  # the slots after this one are still being written
        at += count
    if not material:
        return paragraphs, None
    return paragraphs, material[0].done(paragraphs, at, opts.anchor_rate)
