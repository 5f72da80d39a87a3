"""Dedupe material computed in shards, on worker processes or a Dask cluster, then joined.

Everything :func:`cleaner.dedupe.prepare.prepare` computes is per paragraph (matching key,
shingle hashes, signature, band keys, anchors), so a batch split into shards and prepared
shard by shard gives, once the shards are joined with their row offsets, exactly the
arrays one ``prepare`` over the whole batch gives. Workers also sort and unique each
paragraph's shingles (the sets that verification compares), which is the other per-paragraph
cost. Candidates, verification and clustering then run once over the joined material
(:func:`cleaner.dedupe.api.run` with ``prepared=``), so clusters are identical to a
one-process run by construction, and the tests check it.

Memory of the joined material, per paragraph (measured on 240-character paragraphs with the
default options): the unique shingle set (8 bytes a shingle, ~1.5 KB), the signature
(``num_perm`` x 8 = 1 KB), band keys (``bands`` x 8, ~0.2 KB), anchors (16 bytes each,
~1.5 KB), the matching key and the paragraph itself: about 5 KB plus the text. The raw
shingle stream (another ~1.5 KB) is dropped once the sets are made; a one-process
``prepare`` keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.prepare import Paragraph, Prepared, prepare
from cleaner.parallel import batched, ordered_map

#: Paragraphs per shard: big enough that numpy amortises, small enough to spread the work.
SHARD_SIZE = 20_000


@dataclass(frozen=True)
class Shard:
    """The material of one shard, paragraphs left out (the caller holds them)."""

    prep: Prepared
    set_hashes: np.ndarray
    set_offsets: np.ndarray


def prepare_shard(paragraphs: Sequence[Paragraph], opts: DedupeOptions) -> Shard:
    """Prepare one shard and the sorted unique shingle set of each of its paragraphs."""
    prep = prepare(paragraphs, opts)
    sets = [prep.shingle_set(i) for i in range(len(paragraphs))]
    sizes = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    set_offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    set_hashes = np.concatenate(sets) if sets else np.zeros(0, dtype=np.uint64)
    # The texts stay with the caller; the raw shingle stream is only read to make the sets,
    # so it is not shipped back (it is about a third of the material).
    light = replace(
        prep,
        paragraphs=[],
        hashes=np.zeros(0, dtype=np.uint64),
        offsets=np.zeros(len(paragraphs) + 1, dtype=np.int64),
        _sets={},
        _words={},
    )
    return Shard(light, set_hashes.astype(np.uint64), set_offsets)


def _prepare_shard_task(args: tuple[list[Paragraph], DedupeOptions]) -> Shard:
    return prepare_shard(*args)


def join_shards(paragraphs: list[Paragraph], shards: Iterable[Shard]) -> Prepared:
    """One Prepared for the whole batch, from its shards in order."""
    keys: list[str] = []
    sigs, bands, owners, anchors = [], [], [], []
    sets: dict[int, np.ndarray] = {}
    row = 0
    for shard in shards:
        p = shard.prep
        n = len(p.keys)
        keys.extend(p.keys)
        sigs.append(p.signature)
        bands.append(p.bands)
        owners.append(p.anchor_owner + row)
        anchors.append(p.anchor_key)
        so = shard.set_offsets
        for i in range(n):
            sets[row + i] = shard.set_hashes[so[i] : so[i + 1]]
        row += n
    if row != len(paragraphs):
        raise ValueError(f"shards hold {row} paragraphs, the batch {len(paragraphs)}")
    if not row:
        return prepare(paragraphs, DedupeOptions())
    return Prepared(
        paragraphs=list(paragraphs),
        keys=keys,
        hashes=np.zeros(0, dtype=np.uint64),  # every row's set is cached in _sets
        offsets=np.zeros(row + 1, dtype=np.int64),
        signature=np.vstack(sigs),
        bands=np.vstack(bands),
        anchor_owner=np.concatenate(owners).astype(np.int64),
        anchor_key=np.concatenate(anchors),
        _sets=sets,
    )


def shard_tasks(
    paragraphs: list[Paragraph], opts: DedupeOptions, size: int = SHARD_SIZE
) -> Iterator[tuple[list[Paragraph], DedupeOptions]]:
    """``(paragraphs, options)`` of each shard, in order."""
    for chunk in batched(paragraphs, size):
        yield chunk, opts


def prepare_parallel(
    paragraphs: list[Paragraph], opts: DedupeOptions, workers: int, size: int = SHARD_SIZE
) -> Prepared:
    """The batch's material, shards prepared on ``workers`` processes."""
    size = min(size, max(1000, -(-len(paragraphs) // max(1, workers))))
    results = ordered_map(_prepare_shards, batched(shard_tasks(paragraphs, opts, size), 1), workers)
    return join_shards(paragraphs, (s for out in results for s in out))


def _prepare_shards(tasks: list[tuple[list[Paragraph], DedupeOptions]]) -> list[Shard]:
    return [_prepare_shard_task(t) for t in tasks]
