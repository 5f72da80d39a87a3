"""The Dask engine: clean and prepare a dedupe batch on a dask.distributed cluster.

``--engine dask --scheduler tcp://HOST:8786`` sends the work to an existing cluster (start one
with ``dask scheduler`` on one machine and ``dask worker tcp://HOST:8786 --nthreads 1`` on
each worker machine; every worker needs ``cleaner[scale]`` installed, and the same rule
folders at the same paths when ``--rules`` is given). Without ``--scheduler`` a
``LocalCluster`` of ``--workers`` processes (one thread each) is started and stopped.

What runs on the workers: reading the input partitions (``cleaner dedupe`` sends each
worker the paths of a few files, JSON lines or Parquet, which it opens itself: the files
must be on storage the workers share; see :mod:`cleaner.io.partitions`), cleaning (each worker
process loads the rulebook once), and the per-paragraph dedupe material of each task
(matching keys, shingles, signatures, band keys, anchors, shingle sets; see
:mod:`cleaner.dedupe.shards`). When the input is stdin the client reads it and sends batches. At
most a few tasks per worker are in flight, and results are taken back in input order, so
the documents, paragraphs and clusters are the same as the local engine's. Candidates (band
collisions, anchors), exact verification and clustering then run once on the client over
the joined material.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from cleaner.config import CleanConfig
from cleaner.dedupe.api import paragraphs_of
from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.prepare import Paragraph, Prepared
from cleaner.dedupe.shards import SHARD_SIZE, Shard, join_shards, prepare_shard, shard_tasks
from cleaner.document import CleanResult, Source
from cleaner.errors import CleanerError, InputError
from cleaner.executor.base import Loaded, PartJob, collect_outcomes, load_here, write_job
from cleaner.executor.local import WORKER_STATE, byte_batches, clean_batch, init_clean_worker, ship
from cleaner.io.partitions import (
    Partition,
    ReadOptions,
    balance,
    list_partitions,
    read_partition,
)
from cleaner.lifeline import die_with_parent
from cleaner.pool import gc_paused, in_order, stages_on

#: Input bytes per task when workers read partitions (small files are grouped).
TASK_BYTES = 16 << 20

T = TypeVar("T")
R = TypeVar("R")


def _need_dask() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise CleanerError(
            "--engine dask needs dask.distributed: pip install 'cleaner[scale]'"
        ) from exc
    return distributed


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a local cluster of ``workers`` processes."""
    distributed = _need_dask()
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise CleanerError(
                f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with"
                " `dask scheduler` or drop --scheduler for a local cluster"
            ) from exc
        with client:
            yield client
        return
    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,  # logging.ERROR: no worker chatter on the user's terminal
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # The local workers are this process's children: they end with it, even when it
        # is killed (distributed's own watch is a thread, which cannot run while a task
        # holds the interpreter lock).
        client.run(die_with_parent, os.getpid())
        yield client


def ordered_submit(
    client: Any, fn: Callable[[T], R], tasks: Iterable[T], in_flight: int
) -> Iterator[R]:
    """``fn`` over tasks on the cluster; results in task order, at most ``in_flight`` pending."""
    return in_order(lambda task: client.submit(fn, task, pure=False), tasks, in_flight)


def _clean_on_worker(args: tuple[CleanConfig, list[Source | tuple[str, str]]]) -> list[Any]:
    """Clean a batch on a Dask worker; the rulebook is loaded once per worker process."""
    config, batch = args
    _ensure_rulebook(config)
    return clean_batch(batch)


def _ensure_rulebook(config: CleanConfig) -> None:
    if "rulebook" not in WORKER_STATE or WORKER_STATE.get("config") != config:
        init_clean_worker(config)


def clean_on_dask(
    client: Any,
    items: Iterable[Source | InputError],
    config: CleanConfig | None,
    in_flight: int,
) -> Iterator[CleanResult | InputError]:
    """Clean inputs on the cluster, in input order; failing inputs yield their InputError."""
    config = config or CleanConfig()
    tasks = ((config, [ship(x) for x in batch]) for batch in byte_batches(items, 16, 4 << 20))
    for outcomes in ordered_submit(client, _clean_on_worker, tasks, in_flight):
        for res, err in outcomes:
            yield InputError(*err) if err else res


def _prepare_on_worker(args: tuple[list[Paragraph], DedupeOptions]) -> Shard:
    return prepare_shard(*args)


def prepare_on_dask(
    client: Any, paragraphs: list[Paragraph], opts: DedupeOptions, in_flight: int
) -> Prepared:
    """The dedupe material of a batch, shards prepared on the cluster."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    size = min(SHARD_SIZE, max(1000, -(-len(paragraphs) // workers)))
    shards = ordered_submit(
        client, _prepare_on_worker, shard_tasks(paragraphs, opts, size), in_flight
    )
    return join_shards(paragraphs, shards)


LoadTask = tuple[list[tuple[int, Partition]], ReadOptions, CleanConfig | None, DedupeOptions]
PartLoaded = tuple[list[Any], list[int], list[tuple[str, str]], Shard]


def load_partitions(task: LoadTask) -> PartLoaded:
    """On a worker: read, clean (config None: the text is clean) and prepare partitions.

    Returns the documents in order, each one's partition number, the inputs that failed as
    ``(source, reason)``, and the material of the documents' paragraphs.
    """
    parts, read, config, opts = task
    owners: list[int] = []
    items: list[Source | InputError] = []
    for k, part in parts:
        for item in read_partition(part, read):
            owners.append(k)
            items.append(item)
    outcomes: list[Any] = items
    if config is not None:
        _ensure_rulebook(config)
        cleaned = clean_batch([ship(x) for x in items])
        outcomes = [InputError(*err) if err else res for res, err in cleaned]
    docs, errors, part_of = collect_outcomes(zip(owners, outcomes, strict=True))
    shard = prepare_shard(paragraphs_of(docs), opts)
    return docs, part_of, [(e.source, e.reason) for e in errors], shard


def load_on_dask(
    client: Any,
    parts: Sequence[Partition],
    read: ReadOptions,
    config: CleanConfig | None,
    opts: DedupeOptions,
    in_flight: int,
) -> Loaded:
    """Read, clean and prepare the partitions on the cluster; join in input order."""
    tasks = (
        ([(k, parts[k]) for k in group], read, config, opts) for group in balance(parts, TASK_BYTES)
    )
    loaded = Loaded([], [], [], None, [])
    shards: list[Shard] = []
    with gc_paused():  # the documents are millions of objects without cycles
        for docs, part_of, errors, shard in ordered_submit(
            client, load_partitions, tasks, in_flight
        ):
            loaded.docs += docs
            loaded.part_of += part_of
            loaded.errors += [InputError(*e) for e in errors]
            shards.append(shard)
        loaded.paragraphs = paragraphs_of(loaded.docs)
    loaded.prepared = join_shards(loaded.paragraphs, shards)
    return loaded


class DaskEngine:
    """A dask.distributed client: cleaning and preparation run on its workers."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.distributed = True
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))
        self.in_flight = 4 * self.workers

    def clean(
        self, items: Iterable[Source | InputError], config: CleanConfig | None, rulebook: Any = None
    ) -> Iterator[CleanResult | InputError]:
        """Clean inputs on the cluster, results in input order (workers load their rules)."""
        return clean_on_dask(self.client, items, config, self.in_flight)

    def pair_stages(self) -> contextlib.AbstractContextManager[None]:
        """The band shuffle and the verification run as tasks of the cluster."""
        return stages_on(self.client)

    def prepare(self, paragraphs: list[Paragraph], opts: DedupeOptions) -> Prepared | None:
        """Shards prepared on the cluster."""
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
        parts = list_partitions(paths)
        if parts is None:
            return load_here(self, paths, read, config, opts, rulebook)
        return load_on_dask(self.client, parts, read, config, opts, self.in_flight)

    def write_parts(self, jobs: Sequence[PartJob]) -> None:
        """Each partition is written by a worker (to storage the workers share)."""
        for _ in ordered_submit(self.client, write_job, jobs, self.in_flight):
            pass
