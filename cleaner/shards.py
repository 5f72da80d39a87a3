"""Dedupe material computed in shards, on worker processes or a Dask cluster, then joined.

Everything :func:`cleaner.dedupe.prepare.prepare` computes is per paragraph (matching key,
shingle hashes, signature, band keys, anchors), so a batch split into shards and prepared
shard by shard gives, once the shards are joined with their row offsets, exactly the
arrays one ``prepare`` over the whole batch gives. Candidates, verification and clustering
then run once over the joined material (:func:`cleaner.dedupe.api.run` with ``prepared=``),
so clusters are identical to a one-process run by construction, and the tests check it.

Memory of the joined material, per paragraph: see :mod:`cleaner.dedupe.prepare` (flat
arrays, about 1.5 KB for a 150-character paragraph, plus the text).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.prepare import Paragraph, Prepared, join_prepared, prepare
from cleaner.parallel import batched, ordered_map

#: Paragraphs per shard: big enough that numpy amortises, small enough to spread the work.
SHARD_SIZE = 20_000


@dataclass(frozen=True)
class Shard:
    """The material of one shard, paragraphs left out (the caller holds them)."""

    prep: Prepared


def prepare_shard(paragraphs: Sequence[Paragraph], opts: DedupeOptions) -> Shard:
    """Prepare one shard; the texts stay with the caller."""
    return Shard(prepare(paragraphs, opts).without_texts())


def _prepare_shard_task(args: tuple[list[Paragraph], DedupeOptions]) -> Shard:
    return prepare_shard(*args)


def join_shards(paragraphs: list[Paragraph], shards: Iterable[Shard]) -> Prepared:
    """One Prepared for the whole batch, from its shards in order."""
    return join_prepared(paragraphs, [s.prep for s in shards])


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
