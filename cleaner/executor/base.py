"""Where a run's heavy work happens: this machine's process pool, or a Dask cluster.

An engine cleans a stream of inputs (in input order) and prepares a dedupe batch's
per-paragraph material; candidates, verification and clustering then run once in this
process (:func:`dedupe_on`), so every engine gives the same clusters. :meth:`Engine.load`
does the first half of ``cleaner dedupe`` from the input paths: read (JSON lines, Parquet,
documents), clean unless told the text is clean, prepare. The Dask engine sends each worker
the paths of its partitions, which it reads itself (:mod:`cleaner.io.partitions`).

>>> from cleaner.executor import open_engine
>>> with open_engine("local", workers=1) as engine:
...     result = dedupe_on(engine, [("a", "a.txt", ["one paragraph of text here", "x"]),
...                                 ("b", "b.txt", ["one paragraph of text here!"])])
>>> [(m.doc_id, m.index) for m in result.clusters[0].members]
[('a', 0), ('b', 0)]
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cleaner.config import CleanConfig
from cleaner.dedupe.api import DocLike, paragraphs_of, run
from cleaner.dedupe.cluster import DedupeResult
from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.prepare import Paragraph, Prepared
from cleaner.document import CleanResult, Source
from cleaner.errors import CleanerError, InputError
from cleaner.executor.plain import load_plain, plain_document
from cleaner.index.base import Index
from cleaner.io.inputs import ReadOptions, iter_sources
from cleaner.io.partitions import list_partitions, read_partition, write_part
from cleaner.pool import gc_paused

#: A partition to write: its path, its records, and ``jsonl`` or ``parquet``.
PartJob = tuple[Path, list[dict[str, Any]], str]


@dataclass
class Loaded:
    """A dedupe batch as read, cleaned and prepared by an engine.

    Attributes:
        docs: The documents, in input order.
        errors: Inputs that could not be read or cleaned, in input order.
        paragraphs: Every paragraph of ``docs``, in order.
        prepared: Their dedupe material (None: the dedupe prepares it in-process).
        part_of: Per document, the index of the input partition it came from.
    """

    docs: list[DocLike]
    errors: list[InputError]
    paragraphs: list[Paragraph]
    prepared: Prepared | None
    part_of: list[int] = field(default_factory=list)


def collect_outcomes(
    outcomes: Iterable[tuple[int, CleanResult | Source | InputError]],
) -> tuple[list[DocLike], list[InputError], list[int]]:
    """Documents, errors and each document's partition from ``(partition, outcome)`` pairs.

    A :class:`Source` is a clean text input (``no_clean``); a CleanResult is already a document.
    """
    docs: list[DocLike] = []
    errors: list[InputError] = []
    part_of: list[int] = []
    for part, res in outcomes:
        if isinstance(res, InputError):
            errors.append(res)
            continue
        if isinstance(res, Source):
            try:
                docs.append(plain_document(res))
            except InputError as exc:
                errors.append(exc)
                continue
        else:
            docs.append(res)
        part_of.append(part)
    return docs, errors, part_of


class Engine(Protocol):
    """What a run asks of an engine."""

    workers: int
    #: Whether the engine's workers are a cluster's (Dask), not this machine's forked pool.
    distributed: bool

    def load(
        self,
        paths: Sequence[str],
        read: ReadOptions,
        config: CleanConfig | None,
        opts: DedupeOptions,
        rulebook: Any = None,
    ) -> Loaded:
        """Read, clean (unless ``config`` is None: the inputs are clean text) and prepare."""
        ...

    def write_parts(self, jobs: Sequence[PartJob]) -> None:
        """Write partitions of records: ``(path, records, format)`` each."""
        ...

    def clean(
        self, items: Iterable[Source | InputError], config: CleanConfig | None, rulebook: Any = None
    ) -> Iterator[CleanResult | InputError]:
        """Clean inputs, results in input order."""
        ...

    def prepare(self, paragraphs: list[Paragraph], opts: DedupeOptions) -> Prepared | None:
        """The batch's dedupe material, or None to let the dedupe prepare it in-process."""
        ...

    def pair_stages(self) -> contextlib.AbstractContextManager[None]:
        """A block in which the dedupe's pool stages run on the engine's workers."""
        ...


def write_job(job: PartJob) -> int:
    return write_part(job[1], job[0], job[2])


def load_here(
    engine: Engine,
    paths: Sequence[str],
    read: ReadOptions,
    config: CleanConfig | None,
    opts: DedupeOptions,
    rulebook: Any,
) -> Loaded:
    """Read the inputs in this process; clean and prepare with ``engine``.

    Clean text inputs (``config`` None) are parsed on a local engine's pool instead
    (:func:`cleaner.executor.plain.load_plain`): only splitting them into lines stays here.
    """
    if config is None:
        workers = 1 if engine.distributed else engine.workers
        with gc_paused():
            docs: list[DocLike] = []
            errors: list[InputError] = []
            part_of: list[int] = []
            paragraphs: list[Paragraph] = []
            for part, found, failed in load_plain(paths, read, workers):
                docs += found
                part_of += [part] * len(found)
                errors += failed
                # Batch by batch, while the workers parse the next ones.
                paragraphs += paragraphs_of(found)
        return Loaded(docs, errors, paragraphs, engine.prepare(paragraphs, opts), part_of)
    parts = list_partitions(paths)
    owners: list[int] = []

    def items() -> Iterator[Source | InputError]:
        if parts is None:  # stdin: one partition
            for item in iter_sources(paths, read):
                owners.append(0)
                yield item
            return
        for k, part in enumerate(parts):
            for item in read_partition(part, read):
                owners.append(k)
                yield item

    outcomes = engine.clean(items(), config, rulebook)
    with gc_paused():
        # Outcomes come one per item, in order, so item k's partition is owners[k].
        docs, errors, part_of = collect_outcomes((owners[k], res) for k, res in enumerate(outcomes))
        paragraphs = paragraphs_of(docs)
    return Loaded(docs, errors, paragraphs, engine.prepare(paragraphs, opts), part_of)


def dedupe_on(
    engine: Engine,
    docs: Iterable[DocLike],
    *,
    index: Index | None = None,
    update_index: bool = True,
    pair_stages: str = "client",
    **options: Any,
) -> DedupeResult:
    """:func:`cleaner.dedupe.dedupe` with the material prepared by ``engine``; a local
    engine's workers also run the pair stages (unless ``workers`` is given), a Dask
    cluster's with ``pair_stages="cluster"`` (see :func:`pair_stages_on`)."""
    options.setdefault("workers", engine.workers)
    opts = DedupeOptions(**options)
    paragraphs = paragraphs_of(docs)
    prepared = engine.prepare(paragraphs, opts)
    with pair_stages_on(engine, pair_stages):
        return run(paragraphs, opts, index, update_index, prepared=prepared)


#: Where a Dask engine's pair stages run: in the client's process, or as the cluster's tasks.
PAIR_STAGES = ("client", "cluster")


def pair_stages_on(engine: Engine, where: str) -> contextlib.AbstractContextManager[None]:
    """The block in which a run's pair stages (band shuffle, verification) run ``where``
    asks: ``client`` (a local engine's pool, or a Dask client's own process) or ``cluster``
    (a Dask engine's workers; their inputs are sent to every worker: on one machine slower
    than the client alone, see docs/scaling.md)."""
    if where not in PAIR_STAGES:
        raise CleanerError(f"unknown place {where!r} for the pair stages; use client or cluster")
    if where == "cluster" and not engine.distributed:
        raise CleanerError("--pair-stages cluster needs --engine dask")
    return engine.pair_stages() if where == "cluster" else contextlib.nullcontext()


def dedupe_loaded(
    loaded: Loaded, opts: DedupeOptions, index: Index | None = None, update_index: bool = True
) -> DedupeResult:
    """The dedupe of a batch an engine loaded."""
    return run(loaded.paragraphs, opts, index, update_index, prepared=loaded.prepared)
