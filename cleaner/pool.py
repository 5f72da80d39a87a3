"""Ordered parallel map over a stream, on a process pool, with bounded work in flight.

``ordered_map`` sends batches of items to worker processes and yields results in input
order, so output is byte-identical to a one-worker run. At most ``max_in_flight`` batches
are pending at any time: the input iterator is read only as fast as results are taken,
which keeps memory bounded by the batch size, not by the corpus. Shared memory
(:func:`shared_empty`, :class:`Reserved`) lets forked workers fill arrays in place.

Each map starts its pool (forked, so the workers see the stage's arrays as they are) and
stops it when done; inside :func:`kept_pool` the maps share one pool instead, whose workers
are handed each stage's arrays through :mod:`cleaner.shared_memory`.

This module is the bottom of the package: it imports nothing of ``cleaner`` but
:mod:`cleaner.lifeline` (workers end with the process that started them) and
:mod:`cleaner.shared_memory`, which import nothing of it.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import itertools
import mmap
import multiprocessing
import os
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Any, TypeVar

import numpy as np

from cleaner.lifeline import die_with_parent
from cleaner.shared_memory import (
    Unshareable,
    attach,
    describe,
    grown,
    let_go,
    new_map,
    openable,
)

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """The cores this process may use (its CPU affinity where the OS reports one).

    >>> default_workers() >= 1
    True
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items.

    >>> list(batched(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def even_size(total: int, size: int) -> int:
    """The chunk size that cuts ``total`` items into as many chunks as ``size`` does, but of
    sizes within one of each other: a short last chunk leaves a worker idle at the end.

    >>> even_size(71_500, 10_000), even_size(100, 10), even_size(0, 10)
    (8938, 10, 10)
    """
    if total <= 0:
        return size
    return -(-total // -(-total // size))


def chunk_size(total: int, workers: int, cap: int, least: int = 1) -> int:
    """Items a task for ``total`` items on ``workers`` processes: ``cap`` at most (a task's
    temporaries), and on a pool four tasks a worker at least (no worker waits alone for the
    last one), ``least`` at least (a task's own cost), of sizes within one of each other.

    >>> chunk_size(725_877, 2, 200_000, 10_000), chunk_size(725_877, 1, 200_000, 10_000)
    (90735, 200000)
    """
    if workers <= 1:
        return cap
    return even_size(total, min(cap, max(least, -(-total // (4 * workers)))))


def _context() -> Any:
    """Fork while this process has one thread (fast, works from stdin scripts and notebooks);
    forkserver when threads run (a forked child would inherit their held locks). Pools told
    to stop are waited for first (see :func:`stop_kept_workers`): their threads end."""
    _wait_stopping()
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a batch's objects are made.

    Reading a batch makes millions of objects that form no cycles (records, strings,
    paragraphs); every collection of the oldest generation walks all of them again. Making
    1M paragraphs took 1.7 s with the collector on and 0.4 s with it off.

    The objects made meanwhile are then put in the oldest generation, as if they had
    survived collections (:func:`gc.freeze` and :func:`gc.unfreeze` move every tracked
    object there at once): left in the youngest, they were all walked by its first
    collection after the block (50k one-paragraph records: 20 ms of this process alone).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def in_order(submit: Callable[[T], Any], tasks: Iterable[T], limit: int) -> Iterator[Any]:
    """Each task submitted (``submit`` returns a future: a pool's or a Dask client's), the
    results in task order, at most ``limit`` pending; on an early stop (an error, Ctrl-C)
    the pending futures are cancelled rather than waited for.

    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(2) as pool:
    ...     list(in_order(lambda x: pool.submit(pow, x, 2), range(5), limit=2))
    [0, 1, 4, 9, 16]
    """
    pending: deque[Any] = deque()
    try:
        for task in tasks:
            pending.append(submit(task))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for fut in pending:
            fut.cancel()


#: dask.distributed clients the pool stages run on instead of a local pool (innermost last).
_REMOTE: list[Any] = []


@contextlib.contextmanager
def stages_on(client: Any) -> Iterator[None]:
    """Run :func:`ordered_map` calls of more than one worker as tasks of a dask.distributed
    ``client`` inside this block (the Dask engine's pair stages).

    A stage's shared inputs (its initializer's arguments) are scattered to every worker once;
    each task runs the initializer where it has not run for this stage yet, then the
    function; the results come back as the tasks' results, in order. Memory is not shared
    (:func:`shares_memory` is False): nothing is written in place.
    """
    _REMOTE.append(client)
    try:
        yield
    finally:
        _REMOTE.pop()


def remote_stages() -> bool:
    """Whether the pool stages run on a Dask cluster (see :func:`stages_on`)."""
    return bool(_REMOTE)


#: The stage a remote worker process was last handed (its key), so a stage's initializer
#: runs once per worker process, not per task.
_REMOTE_STAGE: dict[str, Any] = {}
_REMOTE_LOCK = threading.Lock()


def _remote_task(
    fn: Callable[[list[T]], list[R]],
    initializer: Callable[..., None] | None,
    key: str,
    initargs: tuple[Any, ...],
    batch: list[T],
) -> list[R]:
    if initializer is not None:
        with _REMOTE_LOCK:  # a worker may run several tasks of the stage in threads
            if _REMOTE_STAGE.get("key") != key:
                initializer(*initargs)
                _REMOTE_STAGE["key"] = key
    return fn(batch)


def _remote_map(
    client: Any,
    fn: Callable[[list[T]], list[R]],
    batches: Iterable[list[T]],
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
    limit: int,
) -> Iterator[list[R]]:
    """:func:`ordered_map` as tasks of a Dask client (see :func:`stages_on`)."""
    key = uuid.uuid4().hex
    shared = client.scatter([initargs], broadcast=True)[0] if initializer is not None else None
    try:
        yield from in_order(
            lambda batch: client.submit(
                _remote_task, fn, initializer, key, shared, batch, pure=False
            ),
            batches,
            limit,
        )
    finally:
        if shared is not None:
            shared.release()


def shares_memory(workers: int) -> bool:
    """Whether ``ordered_map`` on ``workers`` processes runs where this process's memory is:
    in this process (one worker), or in workers forked from it.

    Forked workers read this process's arrays without a copy, and write into
    :func:`shared_empty` arrays where this process sees the writes. Results sent back
    through the pool travel pickled through a pipe, about 200 MB/s.

    >>> shares_memory(1)
    True
    """
    if workers > 1 and _REMOTE:
        return False
    if workers <= 1 or _kept(workers, running=True) is not None:
        return True
    return _context().get_start_method() == "fork"


def shared_empty(size: int, dtype: Any, workers: int) -> np.ndarray:
    """An uninitialised 1-d array that forked pool workers can fill for this process.

    With a forking pool it lives in a shared mapping (:func:`cleaner.shared_memory.new_map`:
    no file, no /dev/shm); otherwise it is a plain array (the workers then send their parts
    back).

    >>> a = shared_empty(3, np.int32, workers=2)
    >>> a[:] = 7
    >>> a.tolist()
    [7, 7, 7]
    """
    dtype = np.dtype(dtype)
    if workers <= 1 or not shares_memory(workers):
        return np.empty(size, dtype)
    return np.frombuffer(new_map(size * dtype.itemsize), dtype, count=size)


class Reserved:
    """A 1-d array whose size is known only as a bound, laid out piece by piece from the front.

    It lives in a shared mapping of ``bound`` items (:func:`cleaner.shared_memory.new_map`),
    so pool workers can
    write into it, and only the pages written take memory. Workers write their pieces in
    slots of the bound's room; :meth:`place` moves each piece down to its place, in order;
    :meth:`done` hands the pages past the end back to the OS.

    >>> r = Reserved(10, np.int64)
    >>> r.array[4:7] = [1, 2, 3]       # a worker's piece, in its slot
    >>> r.place(0, r.array[4:6], 10)   # two of them are the result's first items
    >>> r.place(2, np.array([9]), 10)
    >>> r.done(3).tolist()
    [1, 2, 9]
    """

    def __init__(self, bound: int, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)
        self._map = new_map(bound * self.dtype.itemsize)
        self.array: np.ndarray = np.frombuffer(self._map, self.dtype, count=bound)
        self._pieces: list[np.ndarray] | None = None
        self._older: list[mmap.mmap] = []

    def reserve(self, bound: int) -> None:
        """Room for ``bound`` items at least: when there is less, :attr:`array` becomes a
        longer mapping of the same memory (twice as long at least, so a bound growing by
        steps remaps a few times only). Nothing is copied; the arrays taken from the
        shorter mappings stay valid, and the mappings stay open until :meth:`done` (tasks
        may still be handed them).

        >>> r = Reserved(2, np.int64)
        >>> r.array[:2] = [4, 5]
        >>> r.reserve(3)
        >>> r.array[2] = 6
        >>> len(r.array), r.done(3).tolist()
        (4, [4, 5, 6])
        """
        if bound <= len(self.array):
            return
        size = max(bound, 2 * len(self.array))
        self._older.append(self._map)
        self._map = grown(self._map, size * self.dtype.itemsize)
        self.array = np.frombuffer(self._map, self.dtype, count=size)

    def place(self, at: int, part: np.ndarray, limit: int) -> None:
        """Put ``part`` at ``at``, right after the pieces placed before it; items from
        ``limit`` on may not be overwritten (slots still being written). A piece that
        would cross ``limit`` (it outgrew its slot) makes the rest a list of pieces,
        joined into a new array by :meth:`done`."""
        if self._pieces is None and at + len(part) <= limit:
            if part.ctypes.data != self.array[at:].ctypes.data:  # not in place already
                self.array[at : at + len(part)] = part  # numpy copies overlapping ranges safely
            return
        if self._pieces is None:
            self._pieces = [self.array[:at]]
        self._pieces.append(part)

    def done(self, size: int) -> np.ndarray:
        """The first ``size`` items, the pages past them given back."""
        self._older.clear()
        if self._pieces is not None:
            out = np.concatenate(self._pieces) if self._pieces else self.array[:0].copy()
            self._pieces = None
            self.array = self.array[:0]
            return out
        keep = -(-size * self.dtype.itemsize // mmap.PAGESIZE) * mmap.PAGESIZE
        remove = getattr(mmap, "MADV_REMOVE", None)  # shared pages: their backing too
        if remove is not None and keep < len(self._map):
            self._map.madvise(remove, keep, len(self._map) - keep)
        return self.array[:size]


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(None)
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl)
        return None


#: glibc's ``mallopt`` parameters (malloc.h): the free top of the heap kept rather than given
#: back, and the size from which a block is mapped on its own.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3

#: The largest block a pool worker's heap keeps once freed (glibc's largest mmap threshold).
WORKER_HEAP_BLOCK = 32 << 20


@functools.lru_cache(maxsize=1)
def _mallopt() -> Callable[[int, int], int] | None:
    try:
        mallopt: Callable[[int, int], int] = ctypes.CDLL(None).mallopt
        return mallopt
    except (OSError, AttributeError):  # not glibc
        return None


def keep_freed_blocks() -> None:
    """In a pool worker, or in the one process preparing a batch's shards: freed blocks of up
    to ``WORKER_HEAP_BLOCK`` stay in the heap for the next task (glibc; elsewhere nothing).
    It is a setting of the whole process, as glibc has no other.

    A stage's tasks make the same temporaries one task after the other. glibc maps a block
    over its threshold on its own and unmaps it when freed (the threshold rises only as such
    blocks are freed), so each task faulted its temporaries in afresh: at 50k paragraphs,
    preparing shards of 2,000 on two workers took 280k page faults and 0.47 s of system
    time, with the blocks kept 58k and 0.10 s. :func:`release_heap` still hands the free
    heap back when a kept worker starts another stage.
    """
    mallopt = _mallopt()
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, WORKER_HEAP_BLOCK)
        mallopt(_M_TRIM_THRESHOLD, 2 * WORKER_HEAP_BLOCK)


class _MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (malloc.h)."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


@functools.lru_cache(maxsize=1)
def _mallinfo2() -> Callable[[], _MallInfo2] | None:
    try:
        info: Any = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):  # not glibc, or older than 2.33
        return None
    info.restype = _MallInfo2
    return info


def _free_heap() -> int | None:
    """Bytes of the heap that are free (glibc ``mallinfo2``; None where it cannot be told).

    >>> (_free_heap() or 0) >= 0
    True
    """
    info = _mallinfo2()
    return None if info is None else int(info().fordblks)


def release_heap(keep: int = 0) -> None:
    """Give the heap's free memory back to the OS (glibc ``malloc_trim``; elsewhere nothing),
    unless it is ``keep`` bytes or less.

    numpy arrays under glibc's dynamic mmap threshold (up to 32 MB) come from the heap,
    which keeps them once freed: after preparing 200,000 paragraphs in one process, 0.5 GB
    of its 1.2 GB were such free heap, counted in its resident memory.

    >>> release_heap()
    """
    trim = _malloc_trim()
    if trim is None:
        return
    if keep and (free := _free_heap()) is not None and free <= keep:
        return
    trim(0)


#: Freed heap a kept pool's worker keeps when it starts another stage, whose temporaries
#: take its blocks again: handed back and faulted afresh, the 10-50 MB the workers held
#: between the dozen stages of a dedupe of 50k one-paragraph records cost them 50,000 page
#: faults (0.1-0.18 s of system time, 3.0 s of CPU in all).
WORKER_KEPT_HEAP = 64 << 20


#: The inputs of the pool stage running now (see :func:`stage`): in this process, what its
#: tasks read when the stage runs here; in a worker, what the stage handed it.
_STAGE: dict[str, Any] = {}


@contextlib.contextmanager
def stage(**inputs: Any) -> Iterator[dict[str, Any]]:
    """The inputs of a pool stage, for the block's ``ordered_map(..., hand_over=True)`` calls.

    Tasks read them with :func:`stage_inputs`: in this process (one worker) the very dict
    yielded here, which the stage may add to between maps; in a worker, a copy handed by
    the pool's initializer (forked workers share its arrays' memory), which replaces the
    previous stage's. The inputs are dropped when the block ends, so a finished stage holds
    no memory.

    >>> with stage(scale=3) as inputs:
    ...     inputs["offset"] = 1
    ...     list(ordered_map(_stage_example, [[1, 2]], 1, hand_over=True))
    [[4, 7]]
    >>> stage_inputs()
    {}
    """
    if _STAGE:
        raise RuntimeError("a pool stage started inside another (their inputs would mix)")
    _STAGE.update(inputs)
    try:
        yield _STAGE
    finally:
        _STAGE.clear()


def stage_inputs() -> dict[str, Any]:
    """In a stage's task: the inputs the stage handed over (see :func:`stage`)."""
    return _STAGE


def _hand_over(inputs: dict[str, Any]) -> None:
    _STAGE.clear()
    _STAGE.update(inputs)


def _stage_example(batch: list[int]) -> list[int]:
    s = stage_inputs()
    return [x * s["scale"] + s["offset"] for x in batch]


def ordered_map(
    fn: Callable[[list[T]], list[R]],
    batches: Iterable[list[T]],
    workers: int,
    *,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    max_in_flight: int | None = None,
    hand_over: bool = False,
) -> Iterator[list[R]]:
    """``fn`` over each batch on ``workers`` processes, results in input order.

    With ``workers <= 1`` everything runs in this process (the initializer too), which is
    the reference the parallel path must match. ``fn`` and the initializer must be
    module-level functions (they are pickled to the workers). ``hand_over`` gives each
    worker the running :func:`stage`'s inputs (as they are when the map starts). Inside
    :func:`kept_pool`, a map without an initializer runs on the block's pool.
    """
    limit = max_in_flight or 4 * workers
    if hand_over:
        if initializer is not None:
            raise ValueError("hand_over replaces the initializer")
        if workers <= 1:  # the tasks read the stage's own inputs
            yield from (fn(batch) for batch in batches)
            return
        if (kept := _kept(workers)) is not None:
            yield from kept.map(fn, batches, limit, dict(_STAGE))
            return
        initializer, initargs = _hand_over, (dict(_STAGE),)
    if workers <= 1:
        if initializer is not None:
            initializer(*initargs)
        for batch in batches:
            yield fn(batch)
        return
    if _REMOTE:
        yield from _remote_map(_REMOTE[-1], fn, batches, initializer, initargs, limit)
        return
    if initializer is None and (kept := _kept(workers)) is not None:
        yield from kept.map(fn, batches, limit, None)
        return
    for idle in _KEPT:  # its threads would make this pool a forkserver's, not a fork
        if not idle.busy:
            idle.close()
    context = _context()
    # A forked worker's garbage collector would walk every object it inherited, writing to
    # each one's header: the pages are copied, one by one. Frozen objects are left alone
    # (1M paragraphs: the workers spent 179 s of CPU against 110 s of work in one process).
    forks = context.get_start_method() == "fork"
    if forks:
        gc.freeze()
    try:
        start = (_parent_of_workers(context), forks, initializer, initargs)
        with ProcessPoolExecutor(workers, context, _start_worker, start) as pool:
            yield from in_order(lambda batch: pool.submit(fn, batch), batches, limit)
    finally:
        if forks:
            gc.unfreeze()


def _parent_of_workers(context: Any) -> int | None:
    """The pid a pool's workers must not outlive: this process, or (forkserver) the
    server that forks them, which ends with this process (None: the worker's parent)."""
    return None if context.get_start_method() == "forkserver" else os.getpid()


def _start_worker(
    parent: int | None,
    forked: bool,
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> None:
    """A pool worker's first step: tie its life to its parent's, then run the stage's
    initializer. The kernel's parent-death signal is asked for where the thread that
    started the worker lives as long as its process: a fork from a single-threaded
    process, or a forkserver (see :mod:`cleaner.lifeline`)."""
    die_with_parent(parent, pdeathsig=forked or parent is None)
    keep_freed_blocks()
    if initializer is not None:
        initializer(*initargs)


#: The pools kept for the maps of a run (see :func:`kept_pool`), innermost last.
_KEPT: list[_KeptPool] = []

#: In a kept pool's worker: the key of the map whose stage inputs ``_STAGE`` holds.
_HELD: dict[str, int | None] = {"key": None}

_KEYS = itertools.count(1)


@contextlib.contextmanager
def kept_pool(workers: int) -> Iterator[None]:
    """One pool of ``workers`` processes for the maps of this block, not one a map.

    Starting a pool forks its workers and stopping it waits for them: 20-50 ms a map for a
    process holding a batch, and a dedupe runs some fifteen maps. The kept pool is forked
    at its first map; each later :func:`stage` hands its workers its inputs through
    :mod:`cleaner.shared_memory` (arrays mapped where they lie, small values sent along).
    A stage whose inputs cannot go that way (the batch's paragraphs, a large array of this
    process's own memory) forks the pool again, so its workers inherit them; a map with an
    initializer (``clean``) gets a pool of its own. Nested blocks share the outer pool.
    """
    if workers <= 1 or _REMOTE or (_KEPT and _KEPT[-1].workers == workers):
        yield
        return
    kept = _KeptPool(workers)
    _KEPT.append(kept)
    try:
        yield
    finally:
        _KEPT.pop()
        kept.close()
        _wait_stopping()


def stop_kept_workers(inheriting: bool = False) -> None:
    """Tell the kept pool's workers to stop now, if idle (the next map forks new ones);
    with ``inheriting``, only workers forked to inherit a stage's inputs.

    Kept workers hold what the stages they ran were handed until the next stage replaces
    it (the copies made to hand it over are given back when its map ends), and, forked for
    a stage, the main process's memory of then, which it may have freed since: a run lets
    that go at once. The workers end while this process goes on (at 50k paragraphs their
    exit took 20-70 ms of the main process's time); the next fork, or the end of the
    :func:`kept_pool` block, waits for them.
    """
    for kept in _KEPT:
        if not kept.busy and (kept.inherited or not inheriting):
            kept.close(wait=False)


#: The threads waiting for pools told to stop (see :func:`stop_kept_workers`).
_STOPPING: list[threading.Thread] = []


def _wait_stopping() -> None:
    """Wait until the pools told to stop have stopped: their workers ended, their threads
    too (this process forks only while it has one thread)."""
    while _STOPPING:
        _STOPPING.pop().join()


def _kept(workers: int, running: bool = False) -> _KeptPool | None:
    """The kept pool a map on ``workers`` processes may use now (``running``: only if its
    workers are running), else None."""
    kept = _KEPT[-1] if _KEPT and not _REMOTE and openable() else None
    if kept is None or kept.workers != workers or kept.busy:
        return None
    if kept.pool is not None:
        return kept
    return None if running or _context().get_start_method() != "fork" else kept


class _KeptPool:
    """The pool of a :func:`kept_pool` block: started at need, forked again at need."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.busy = False
        self.inherited = False  # the workers were forked to inherit a stage's inputs

    def close(self, wait: bool = True) -> None:
        """Stop the workers (the next map forks new ones); without ``wait``, a thread waits
        for them (see :func:`_wait_stopping`)."""
        if self.pool is None:
            return
        if wait:
            self.pool.shutdown(wait=True, cancel_futures=True)
        else:
            stop = functools.partial(self.pool.shutdown, wait=True, cancel_futures=True)
            _STOPPING.append(threading.Thread(target=stop, name="cleaner-pool-stop"))
            _STOPPING[-1].start()
        self.pool = None
        gc.unfreeze()

    def _start(self, key: int | None) -> ProcessPoolExecutor:
        context = _context()
        gc.freeze()  # see ordered_map: the workers' collector would copy inherited pages
        _HELD["key"] = key  # the workers forked now hold this map's stage inputs
        self.inherited = key is not None
        start = (_parent_of_workers(context), True, None, ())
        self.pool = ProcessPoolExecutor(self.workers, context, _start_worker, start)
        return self.pool

    def map(
        self,
        fn: Callable[[list[T]], list[R]],
        batches: Iterable[list[T]],
        limit: int,
        inputs: dict[str, Any] | None,
    ) -> Iterator[list[R]]:
        """``fn`` over the batches on the kept workers, given ``inputs`` as the stage's."""
        self.busy = True
        keep: list[Any] = []  # copies made to hand over, held until the workers are done
        try:
            key = handed = None
            if inputs is not None:
                key = next(_KEYS)
                if self.pool is not None:
                    try:
                        handed = describe(inputs, keep)
                    except Unshareable:
                        self.close()  # forked again, the workers inherit the inputs
            pool = self.pool or self._start(key)
            yield from in_order(
                lambda batch: pool.submit(_kept_task, fn, key, handed, batch), batches, limit
            )
            # Every task done: the copies' memory goes back now, though the workers keep
            # them mapped until they are handed the next stage's inputs.
            for copy in keep:
                let_go(copy)
        except Exception:
            self.close()  # a failed task may have left a worker broken
            raise
        finally:
            self.busy = False


def _kept_task(
    fn: Callable[[list[T]], list[R]], key: int | None, handed: Any, batch: list[T]
) -> list[R]:
    """A kept pool's task: take the stage's inputs (unless held already), run ``fn``."""
    if key is not None and _HELD["key"] != key:
        if handed is None:
            raise RuntimeError("a stage's inputs were neither inherited nor handed over")
        _STAGE.clear()
        _STAGE.update(attach(handed))
        _HELD["key"] = key
        release_heap(WORKER_KEPT_HEAP)  # the previous stage's temporaries, when large
    return fn(batch)
