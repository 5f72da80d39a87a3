"""The Dask engine: clean and prepare a dedupe batch on a dask.distributed cluster.

``--engine dask --scheduler tcp://HOST:8786`` sends the work to an existing cluster (start one
with ``dask scheduler`` on one machine and ``dask worker tcp://HOST:8786 --nthreads 1`` on
each worker machine; every worker needs ``cleaner[scale]`` installed, and the same rule
folders at the same paths when ``--rules`` is given). Without ``--scheduler`` a
``LocalCluster`` of ``--workers`` processes (one thread each) is started and stopped.

What runs on the workers: cleaning (each worker process loads the rulebook once) and the
per-paragraph dedupe material of each shard (matching keys, shingles, signatures, band keys,
anchors, shingle sets; see :mod:`cleaner.shards`). The client sends inputs in batches, keeps
at most a few batches per worker in flight, and takes results back in input order, so the
documents, paragraphs and clusters are the same as the local engine's. Candidates (band
collisions, anchors), exact verification and clustering then run once on the client over
the joined material.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from cleaner.config import CleanConfig
from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.prepare import Paragraph, Prepared
from cleaner.document import CleanerError, CleanResult, InputError, Source
from cleaner.parallel import WORKER_STATE, byte_batches, clean_batch, init_clean_worker, ship
from cleaner.shards import SHARD_SIZE, Shard, join_shards, prepare_shard, shard_tasks

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
        yield client


def ordered_submit(
    client: Any, fn: Callable[[T], R], tasks: Iterable[T], in_flight: int
) -> Iterator[R]:
    """``fn`` over tasks on the cluster; results in task order, at most ``in_flight`` pending."""
    pending: deque[Any] = deque()
    try:
        for task in tasks:
            pending.append(client.submit(fn, task, pure=False))
            if len(pending) >= in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for fut in pending:
            fut.cancel()


def _clean_on_worker(args: tuple[CleanConfig, list[Source | tuple[str, str]]]) -> list[Any]:
    """Clean a batch on a Dask worker; the rulebook is loaded once per worker process."""
    config, batch = args
    if "rulebook" not in WORKER_STATE or WORKER_STATE.get("config") != config:
        init_clean_worker(config)
    return clean_batch(batch)


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
