"""Where a run's work happens: this machine's process pool or a Dask cluster.

The stages themselves (:mod:`cleaner.pipeline.run`, :mod:`cleaner.dedupe`) do not know which
engine runs them; an engine is chosen by name here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from cleaner.config import ENGINES
from cleaner.errors import CleanerError
from cleaner.executor.base import Engine
from cleaner.executor.dask import DaskEngine, dask_client
from cleaner.executor.local import LocalEngine
from cleaner.pool import kept_pool


@contextlib.contextmanager
def open_engine(
    name: str = "local", workers: int = 1, scheduler: str | None = None
) -> Iterator[Engine]:
    """The engine a run asked for (a local Dask cluster is started and stopped here).

    The local engine's stages share one pool of workers, kept while the engine is open.
    """
    if name == "local":
        if scheduler:
            raise CleanerError("--scheduler needs --engine dask")
        with kept_pool(workers):
            yield LocalEngine(workers)
        return
    if name != "dask":
        raise CleanerError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}")
    with dask_client(scheduler, workers) as client:
        yield DaskEngine(client)
