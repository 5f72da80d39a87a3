"""Where a run's heavy work happens: this machine's process pool, or a Dask cluster.

An engine cleans a stream of inputs (in input order) and prepares a dedupe batch's
per-paragraph material; candidates, verification and clustering then run once in this
process (:func:`dedupe_on`), so every engine gives the same clusters.

>>> with open_engine("local", workers=1) as engine:
...     result = dedupe_on(engine, [("a", "a.txt", ["one paragraph of text here", "x"]),
...                                 ("b", "b.txt", ["one paragraph of text here!"])])
>>> [(m.doc_id, m.index) for m in result.clusters[0].members]
[('a', 0), ('b', 0)]
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from cleaner.config import CleanConfig
from cleaner.dedupe.api import DocLike, paragraphs_of, run
from cleaner.dedupe.cluster import DedupeResult
from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.prepare import Paragraph, Prepared
from cleaner.document import CleanerError, CleanResult, InputError, Source
from cleaner.index.base import Index
from cleaner.parallel import iter_clean
from cleaner.shards import prepare_parallel

ENGINES = ("local", "dask")
#: Below this many paragraphs the material is prepared in this process (no shipping cost).
MIN_SHARDED = 2000


class Engine(Protocol):
    """What a run asks of an engine."""

    def clean(
        self, items: Iterable[Source | InputError], config: CleanConfig | None, rulebook: Any = None
    ) -> Iterator[CleanResult | InputError]:
        """Clean inputs, results in input order."""
        ...

    def prepare(self, paragraphs: list[Paragraph], opts: DedupeOptions) -> Prepared | None:
        """The batch's dedupe material, or None to let the dedupe prepare it in-process."""
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

    def prepare(self, paragraphs: list[Paragraph], opts: DedupeOptions) -> Prepared | None:
        """Shards prepared on the pool (None for one worker or a small batch)."""
        if self.workers <= 1 or len(paragraphs) < MIN_SHARDED:
            return None
        return prepare_parallel(paragraphs, opts, self.workers)


class DaskEngine:
    """A dask.distributed client: cleaning and preparation run on its workers."""

    def __init__(self, client: Any) -> None:
        self.client = client
        workers = len(client.scheduler_info().get("workers", {}))
        self.in_flight = 4 * max(1, workers)

    def clean(
        self, items: Iterable[Source | InputError], config: CleanConfig | None, rulebook: Any = None
    ) -> Iterator[CleanResult | InputError]:
        """Clean inputs on the cluster, results in input order (workers load their rules)."""
        from cleaner.dask_engine import clean_on_dask

        return clean_on_dask(self.client, items, config, self.in_flight)

    def prepare(self, paragraphs: list[Paragraph], opts: DedupeOptions) -> Prepared | None:
        """Shards prepared on the cluster."""
        from cleaner.dask_engine import prepare_on_dask

        if not paragraphs:
            return None
        return prepare_on_dask(self.client, paragraphs, opts, self.in_flight)


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
    **options: Any,
) -> DedupeResult:
    """:func:`cleaner.dedupe.dedupe` with the material prepared by ``engine``."""
    opts = DedupeOptions(**options)
    paragraphs = paragraphs_of(docs)
    prepared = engine.prepare(paragraphs, opts)
    return run(paragraphs, opts, index, update_index, prepared=prepared)
