"""Where a run's heavy work happens: this machine's process pool, or a Dask cluster.

An engine cleans a stream of inputs (in input order) and prepares a dedupe batch's
per-paragraph material; candidates, verification and clustering then run once in this
process (:func:`dedupe_on`), so every engine gives the same clusters. :meth:`Engine.load`
does the first half of ``cleaner dedupe`` from the input paths: read (JSON lines, Parquet,
documents), clean unless told the text is clean, prepare. The Dask engine sends each worker
the paths of its partitions, which it reads itself (:mod:`cleaner.partitions`).

>>> with open_engine("local", workers=1) as engine:
...     result = dedupe_on(engine, [("a", "a.txt", ["one paragraph of text here", "x"]),
...                                 ("b", "b.txt", ["one paragraph of text here!"])])
>>> [(m.doc_id, m.index) for m in result.clusters[0].members]
[('a', 0), ('b', 0)]
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cleaner.config import CleanConfig
from cleaner.decode import decode
from cleaner.dedupe.api import DocLike, paragraphs_of, run
from cleaner.dedupe.cluster import DedupeResult
from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.prepare import Paragraph, Prepared
from cleaner.document import CleanerError, CleanResult, InputError, Source
from cleaner.index.base import Index
from cleaner.inputs import iter_sources
from cleaner.parallel import gc_paused, iter_clean, stages_on
from cleaner.partitions import ReadOptions, list_partitions, read_partition, write_part
from cleaner.shards import prepare_parallel

ENGINES = ("local", "dask")
#: A partition to write: its path, its records, and ``jsonl`` or ``parquet``.
PartJob = tuple[Path, list[dict[str, Any]], str]
#: Below this many paragraphs the material is prepared in this process (no shipping cost).
MIN_SHARDED = 2000


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


def plain_document(src: Source) -> tuple[str, str, list[str]]:
    """A clean text input as a document: one paragraph per non-blank line.

    >>> plain_document(Source("d", "one" + chr(10) * 2 + " two ", "d.txt"))
    ('d', 'd.txt', ['one', 'two'])
    """
    text = src.data if isinstance(src.data, str) else decode(src.data, src.source).text
    return (src.id, src.source, [line.strip() for line in text.splitlines() if line.strip()])


def collect(
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


class LocalEngine:
    """A process pool of ``workers`` processes on this machine."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers

    def clean(
        self, items: Iterable[Source | InputError], config: CleanConfig | None, rulebook: Any = None
    ) -> Iterator[CleanResult | InputError]:
        """Clean inputs on the pool, results in input order."""
        for res, _ in iter_clean(items, config, self.workers, rulebook=rulebook):
            yield res

    def pair_stages(self) -> contextlib.AbstractContextManager[None]:
        """The pair stages fork this machine's pool anyway."""
        return contextlib.nullcontext()

    def prepare(self, paragraphs: list[Paragraph], opts: DedupeOptions) -> Prepared | None:
        """Shards prepared on the pool, or one after the other here with one worker.

        Shard by shard bounds the temporary arrays of preparation by the shard size (a
        whole-batch ``prepare`` of 200,000 paragraphs peaks at 2.4 GB). A small batch is
        left to the dedupe (None).
        """
        if len(paragraphs) < MIN_SHARDED:
            return None
        return prepare_parallel(paragraphs, opts, self.workers)

    def load(
        self,
        paths: Sequence[str],
        read: ReadOptions,
        config: CleanConfig | None,
        opts: DedupeOptions,
        rulebook: Any = None,
    ) -> Loaded:
        """Read in this process, clean and prepare on the pool."""
        return _load_here(self, paths, read, config, opts, rulebook)

    def write_parts(self, jobs: Sequence[PartJob]) -> None:
        """Write the partitions in this process (writing is I/O bound)."""
        for path, records, fmt in jobs:
            write_part(records, path, fmt)


class DaskEngine:
    """A dask.distributed client: cleaning and preparation run on its workers."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))
        self.in_flight = 4 * self.workers

    def clean(
        self, items: Iterable[Source | InputError], config: CleanConfig | None, rulebook: Any = None
    ) -> Iterator[CleanResult | InputError]:
        """Clean inputs on the cluster, results in input order (workers load their rules)."""
        from cleaner.dask_engine import clean_on_dask

        return clean_on_dask(self.client, items, config, self.in_flight)

    def pair_stages(self) -> contextlib.AbstractContextManager[None]:
        """The band shuffle and the verification run as tasks of the cluster."""
        return stages_on(self.client)

    def prepare(self, paragraphs: list[Paragraph], opts: DedupeOptions) -> Prepared | None:
        """Shards prepared on the cluster."""
        from cleaner.dask_engine import prepare_on_dask

        if not paragraphs:
            return None
        return prepare_on_dask(self.client, paragraphs, opts, self.in_flight)

    def load(
        self,
        paths: Sequence[str],
        read: ReadOptions,
        config: CleanConfig | None,
        opts: DedupeOptions,
        rulebook: Any = None,
    ) -> Loaded:
        """Each worker reads, cleans and prepares whole partitions (stdin: read here)."""
        from cleaner.dask_engine import load_on_dask

        parts = list_partitions(paths)
        if parts is None:
            return _load_here(self, paths, read, config, opts, rulebook)
        return load_on_dask(self.client, parts, read, config, opts, self.in_flight)

    def write_parts(self, jobs: Sequence[PartJob]) -> None:
        """Each partition is written by a worker (to storage the workers share)."""
        from cleaner.dask_engine import ordered_submit

        for _ in ordered_submit(self.client, _write_job, jobs, self.in_flight):
            pass


def _write_job(job: PartJob) -> int:
    return write_part(job[1], job[0], job[2])


def _load_here(
    engine: Engine,
    paths: Sequence[str],
    read: ReadOptions,
    config: CleanConfig | None,
    opts: DedupeOptions,
    rulebook: Any,
) -> Loaded:
    """Read the inputs in this process; clean and prepare with ``engine``."""
    parts = list_partitions(paths)
    owners: list[int] = []

    def items() -> Iterator[Source | InputError]:
        if parts is None:  # stdin: one partition
            for item in iter_sources(paths, **asdict(read)):
                owners.append(0)
                yield item
            return
        for k, part in enumerate(parts):
            for item in read_partition(part, read):
                owners.append(k)
                yield item

    outcomes: Iterable[CleanResult | Source | InputError]
    outcomes = items() if config is None else engine.clean(items(), config, rulebook)
    with gc_paused():
        # Outcomes come one per item, in order, so item k's partition is owners[k].
        docs, errors, part_of = collect((owners[k], res) for k, res in enumerate(outcomes))
        paragraphs = paragraphs_of(docs)
    return Loaded(docs, errors, paragraphs, engine.prepare(paragraphs, opts), part_of)


@contextlib.contextmanager
def open_engine(
    name: str = "local", workers: int = 1, scheduler: str | None = None
) -> Iterator[Engine]:
    """The engine a run asked for (a local Dask cluster is started and stopped here)."""
    if name == "local":
        if scheduler:
            raise CleanerError("--scheduler needs --engine dask")
        yield LocalEngine(workers)
        return
    if name != "dask":
        raise CleanerError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}")
    from cleaner.dask_engine import dask_client

    with dask_client(scheduler, workers) as client:
        yield DaskEngine(client)


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
    if where == "cluster" and not isinstance(engine, DaskEngine):
        raise CleanerError("--pair-stages cluster needs --engine dask")
    return engine.pair_stages() if where == "cluster" else contextlib.nullcontext()


def dedupe_loaded(
    loaded: Loaded, opts: DedupeOptions, index: Index | None = None, update_index: bool = True
) -> DedupeResult:
    """The dedupe of a batch an engine loaded."""
    return run(loaded.paragraphs, opts, index, update_index, prepared=loaded.prepared)
