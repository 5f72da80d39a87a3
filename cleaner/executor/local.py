"""The local engine: cleaning and dedupe preparation on this machine's process pool.

:func:`iter_clean` runs the clean pipeline through :func:`cleaner.pool.ordered_map`; each
worker gets the caller's rulebook once (in its initializer: inherited for free when the pool
forks, pickled otherwise, 50 KB against 0.3 s to load).
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cleaner.config import CleanConfig
from cleaner.dedupe.api import DocLike, paragraphs_of
from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.prepare import Paragraph, Prepared
from cleaner.dedupe.shards import prepare_parallel
from cleaner.dedupe.streamed import FIRST_SHARDS, prepare_streamed
from cleaner.document import CleanResult, Source
from cleaner.errors import InputError
from cleaner.executor.base import Loaded, PartJob, load_here
from cleaner.executor.plain import load_plain
from cleaner.io.inputs import ReadOptions
from cleaner.io.partitions import write_part
from cleaner.pool import gc_paused, ordered_map, shares_memory
from cleaner.shared_memory import openable

if TYPE_CHECKING:
    from cleaner.pipeline.templates import TemplateIndex
    from cleaner.rules import Rulebook

WORKER_STATE: dict[str, Any] = {}

#: What a worker sends back for one input: a result, or an input error as (source, reason)
#: (InputError's two-argument constructor does not survive pickling).
Outcome = tuple[CleanResult | None, tuple[str, str] | None]


def init_clean_worker(
    config: CleanConfig, rulebook: Rulebook | None = None, templates: TemplateIndex | None = None
) -> None:
    """Worker initializer: load the rulebook once for the life of the process."""
    # The clean pipeline is imported where it runs: `dedupe --no-clean` runs none of it,
    # and every start would pay for its modules and the rules' (15-20 ms).
    from cleaner.pipeline.run import default_rulebook

    WORKER_STATE["config"] = config
    WORKER_STATE["rulebook"] = rulebook or default_rulebook(config)
    WORKER_STATE["templates"] = templates


def ship(item: Source | InputError) -> Source | tuple[str, str]:
    """An input as it travels to a worker (an InputError as its source and reason)."""
    return (item.source, item.reason) if isinstance(item, InputError) else item


def clean_batch(batch: list[Source | tuple[str, str]]) -> list[Outcome]:
    """Clean a batch in a worker; errors travel as data."""
    from cleaner.pipeline.run import clean_sources  # see init_clean_worker

    items = [InputError(*x) if isinstance(x, tuple) else x for x in batch]
    out: list[Outcome] = []
    state = WORKER_STATE
    for res in clean_sources(items, state["config"], state["rulebook"], state.get("templates")):
        if isinstance(res, InputError):
            out.append((None, (res.source, res.reason)))
        else:
            out.append((res, None))
    return out


def _size(item: Source | InputError) -> int:
    """Input bytes of a source (for MB/s); an error counts zero."""
    if isinstance(item, InputError):
        return 0
    data = item.data
    return len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))


def byte_batches(
    items: Iterable[Source | InputError], max_docs: int, max_bytes: int
) -> Iterator[list[Source | InputError]]:
    """Batches of at most ``max_docs`` inputs or about ``max_bytes`` bytes, in order."""
    batch: list[Source | InputError] = []
    size = 0
    for item in items:
        batch.append(item)
        size += _size(item)
        if len(batch) >= max_docs or size >= max_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def iter_clean(
    items: Iterable[Source | InputError],
    config: CleanConfig | None = None,
    workers: int = 1,
    *,
    rulebook: Rulebook | None = None,
    batch_docs: int = 16,
    batch_bytes: int = 4 << 20,
    templates: TemplateIndex | None = None,
) -> Iterator[tuple[CleanResult | InputError, int]]:
    """Clean a stream of inputs on ``workers`` processes; yields ``(result, input bytes)``.

    Results come in input order and are the same as :func:`cleaner.pipeline.run.clean_sources`
    gives; a failing input yields its InputError and the rest go on. Memory holds at most
    ``4 * workers`` batches of ``batch_docs`` inputs (or ``batch_bytes``) at a time. A
    ``rulebook`` already loaded is handed to the workers; without one each loads its own.
    ``templates``, a finished index (``clean --templates``), is handed to every worker.
    """
    config = config or CleanConfig()
    sizes: deque[list[int]] = deque()

    def feed() -> Iterator[list[Source | tuple[str, str]]]:
        for batch in byte_batches(items, batch_docs, batch_bytes):
            sizes.append([_size(x) for x in batch])
            yield [ship(x) for x in batch]

    initargs = (config, rulebook, templates)
    for outcomes in ordered_map(
        clean_batch, feed(), workers, initializer=init_clean_worker, initargs=initargs
    ):
        for (res, err), nbytes in zip(outcomes, sizes.popleft(), strict=True):
            yield (InputError(*err) if err else res), nbytes  # type: ignore[misc]


#: Below this many paragraphs the material is prepared in this process (no shipping cost).
MIN_SHARDED = 2000

#: Records read at a time when streaming: the first shards go as soon as they are read
#: (:data:`cleaner.dedupe.streamed.FIRST_SHARDS`), and the first of them is as small.
STREAM_LINES = FIRST_SHARDS[0]


def load_streamed(
    paths: Sequence[str], read: ReadOptions, opts: DedupeOptions, workers: int
) -> Loaded:
    """Clean text inputs read here, as with one worker, their material prepared on the pool
    meanwhile (:func:`cleaner.dedupe.streamed.prepare_streamed`)."""
    docs: list[DocLike] = []
    errors: list[InputError] = []
    part_of: list[int] = []

    def chunks() -> Iterator[list[Paragraph]]:
        for part, found, failed in load_plain(paths, read, 1, STREAM_LINES):
            docs.extend(found)
            part_of.extend([part] * len(found))
            errors.extend(failed)
            yield paragraphs_of(found)

    with gc_paused():
        paragraphs, prepared = prepare_streamed(chunks(), opts, workers, STREAM_LINES)
    return Loaded(docs, errors, paragraphs, prepared, part_of)


class LocalEngine:
    """A process pool of ``workers`` processes on this machine."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self.distributed = False

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
        """Read in this process, clean and prepare on the pool (clean text: prepared while
        it is read, where running workers can be handed shared memory)."""
        if config is None and self.workers > 1 and openable() and shares_memory(self.workers):
            return load_streamed(paths, read, opts, self.workers)
        return load_here(self, paths, read, config, opts, rulebook)

    def write_parts(self, jobs: Sequence[PartJob]) -> None:
        """Write the partitions in this process (writing is I/O bound)."""
        for path, records, fmt in jobs:
            write_part(records, path, fmt)
