"""Shared memory that pool workers started before it was made can map too.

An anonymous shared mapping is seen only by the processes forked after it was made. Made on
a memfd, a mapping can also be opened by a process already running, of the same user,
through ``/proc/PID/fd/N``. So a pool kept for all the stages of a run
(:func:`cleaner.pool.kept_pool`) hands its workers each stage's arrays as small descriptions
(:func:`describe`: where the array lies in which mapping) that they map (:func:`attach`): no
copy through the pool's pipes and no new fork per stage. An array the process made in its
own memory is sent along when small, or copied once into a new mapping.

This module is at the bottom of the package with :mod:`cleaner.pool`: it imports nothing of
``cleaner``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import mmap
import os
import types
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

#: An array of the process's own memory up to this size travels pickled with the task.
INLINE_BYTES = 64 << 10

#: An array of the process's own memory up to this size is copied into a new mapping to be
#: handed over; a larger one is not (the pool forks again instead: no second copy).
COPY_BYTES = 64 << 20


class Unshareable(Exception):
    """A value that cannot be handed to running workers (they must inherit it by a fork)."""


@dataclass(frozen=True)
class _MapInfo:
    fd: int
    inode: int
    size: int
    address: int
    ref: weakref.ref[mmap.mmap]


#: This process's memfd mappings by ``id`` of their mmap (a forked worker inherits them).
_MAPS: dict[int, _MapInfo] = {}

#: In a worker: the mappings the current stage's arrays lie in, by inode and size (a
#: mapping that grew is mapped again, longer).
_ATTACHED: dict[tuple[int, int], mmap.mmap] = {}


@dataclass(frozen=True)
class _Shared:
    """Where an array lies: in which process's memfd, at which offset, with which layout, and
    whether it may be written (a read-only array stays so in the workers)."""

    pid: int
    fd: int
    inode: int
    size: int
    offset: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    dtype: np.dtype[Any]
    writeable: bool


@dataclass(frozen=True)
class _Rebuilt:
    """A dataclass instance as handed over: its class, its fields' descriptions, and those of
    the values its cached properties hold already."""

    cls: type
    fields: dict[str, Any]
    cached: dict[str, Any]


@functools.lru_cache(maxsize=1)
def openable() -> bool:
    """Whether mappings can be made on a memfd and opened by other processes (Linux)."""
    return hasattr(os, "memfd_create") and os.path.isdir(f"/proc/{os.getpid()}/fd")


def new_map(nbytes: int) -> mmap.mmap:
    """A shared mapping of ``nbytes`` (at least one) that running workers can map too.

    Only the pages written take memory. Where memfds cannot be opened by other processes
    it is an anonymous shared mapping (seen by workers forked after it only).

    >>> m = new_map(10)
    >>> m[:3] = b"abc"; bytes(m[:3])
    b'abc'
    """
    size = max(1, nbytes)
    if not openable():
        return mmap.mmap(-1, size)
    return _mapped(os.memfd_create("cleaner-shared", os.MFD_CLOEXEC), size)


def let_go(mm: mmap.mmap) -> None:
    """Give the memory of a mapping of :func:`new_map` back now, in every process that maps
    it (they read zeros there after): for a copy no one will read again, which running
    workers keep mapped (where the system cannot, the memory goes when the last unmaps it).

    >>> m = new_map(4)
    >>> m[:2] = b"ab"
    >>> let_go(m); bytes(m[:2])
    b'\\x00\\x00'
    """
    remove = getattr(mmap, "MADV_REMOVE", None)
    if remove is not None and id(mm) in _MAPS:
        with contextlib.suppress(OSError):
            mm.madvise(remove)


def grown(mm: mmap.mmap, nbytes: int) -> mmap.mmap:
    """A mapping of the memory of ``mm`` (made by :func:`new_map` on a memfd) made
    ``nbytes`` long: what ``mm`` holds is there at the same offsets, nothing is copied, and
    ``mm`` stays valid. Running workers can map the new one too.

    >>> m = new_map(4)
    >>> m[:2] = b"ab"
    >>> bigger = grown(m, 8)
    >>> bytes(bigger[:2]), len(bigger)
    (b'ab', 8)
    """
    info = _MAPS.get(id(mm))
    if info is None:
        raise ValueError("only a memfd mapping of new_map can grow")
    # A descriptor of its own: each is closed when its mapping is let go.
    return _mapped(os.dup(info.fd), max(nbytes, info.size))


def _mapped(fd: int, size: int) -> mmap.mmap:
    """A shared mapping of the memfd ``fd``, made ``size`` long, registered for handing over
    (``fd`` is closed with the mapping)."""
    try:
        if os.fstat(fd).st_size < size:
            os.ftruncate(fd, size)
        mm = mmap.mmap(fd, size)
    except BaseException:
        os.close(fd)
        raise
    address = np.frombuffer(mm, np.uint8).ctypes.data
    _MAPS[id(mm)] = _MapInfo(fd, os.fstat(fd).st_ino, size, address, weakref.ref(mm))
    weakref.finalize(mm, _forget, id(mm), fd)
    return mm


class Outbox:
    """A memory file (memfd) this process makes for a pool worker to put its result in,
    rather than send it back through the pool's pipe: there a worker sending megabytes
    waits while this process reads them, a piece at a time, between its own work. The
    worker opens the file through ``/proc/PID/fd/N``, whether forked before it was made
    or after (where :func:`openable`).

    >>> box = Outbox()
    >>> box.take(box.put(b"abc"))
    b'abc'
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.fd = os.memfd_create("cleaner-outbox", os.MFD_CLOEXEC)
        self._open = True

    def __getstate__(self) -> dict[str, Any]:
        return {"pid": self.pid, "fd": self.fd, "_open": False}  # the worker's copy owns nothing

    def put(self, data: bytes) -> int:
        """In a worker: write ``data`` as what the box holds; its length."""
        fd = os.open(f"/proc/{self.pid}/fd/{self.fd}", os.O_WRONLY)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        return len(data)

    def take(self, size: int) -> bytes:
        """In the process that made it: the ``size`` bytes a worker put; the box is closed."""
        pieces, at = [], 0
        try:
            while at < size:
                pieces.append(os.pread(self.fd, size - at, at))
                if not pieces[-1]:
                    raise RuntimeError(f"an outbox holds {at} bytes, not {size}")
                at += len(pieces[-1])
        finally:
            self.close()
        return b"".join(pieces)  # one piece: that piece itself, not a copy

    def close(self) -> None:
        """Let the box and what it holds go (nothing if closed already)."""
        if self._open:
            self._open = False
            os.close(self.fd)


def _forget(key: int, fd: int) -> None:
    _MAPS.pop(key, None)
    os.close(fd)


def _mapping_of(array: np.ndarray) -> mmap.mmap | None:
    """The mmap an array's memory belongs to, if any."""
    base: Any = array
    while isinstance(base, np.ndarray | memoryview):
        base = base.base if isinstance(base, np.ndarray) else base.obj
    return base if isinstance(base, mmap.mmap) else None


def _describe_array(array: np.ndarray, keep: list[mmap.mmap]) -> Any:
    if array.dtype.hasobject:
        raise Unshareable("an array of Python objects")
    mm = _mapping_of(array)
    info = _MAPS.get(id(mm)) if mm is not None else None
    if mm is not None and info is None:
        # An anonymous shared mapping: workers may write into it for this process, which a
        # copy would hide. Only a fork shares it.
        raise Unshareable("an array in an anonymous shared mapping")
    writeable = array.flags.writeable
    if info is None:
        if array.nbytes <= INLINE_BYTES:
            return array
        if array.nbytes > COPY_BYTES or not openable():
            raise Unshareable(f"an array of {array.nbytes} bytes in this process's memory")
        mm = new_map(array.nbytes)
        keep.append(mm)  # the caller holds the copy until the workers have mapped it
        copy = np.frombuffer(mm, array.dtype, count=array.size).reshape(array.shape)
        copy[...] = array
        array, info = copy, _MAPS[id(mm)]
    offset = array.ctypes.data - info.address
    layout = (offset, array.shape, array.strides, array.dtype, writeable)
    return _Shared(os.getpid(), info.fd, info.inode, info.size, *layout)


#: Values handed over as they are (pickled with the task: small, or pickled by name).
_PLAIN = (
    type(None),
    bool,
    int,
    float,
    str,
    np.generic,
    np.dtype,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
)

#: Items of a list handed over at most (a longer list is a batch's data, to inherit).
_MAX_LIST = 64


def describe(value: Any, keep: list[mmap.mmap]) -> Any:
    """``value`` with its arrays replaced by where they lie (see :func:`attach`).

    Arrays of memfd mappings are described; small arrays go as they are; larger ones of
    this process's memory are copied into a new mapping, appended to ``keep``; dataclass
    instances go field by field, with the values their cached properties hold (derived from
    the fields: one that cannot go is left for the worker to compute again). Raises
    :class:`Unshareable` for what cannot go (a long list or string, an object array, an
    object of another kind, a dataclass with attributes besides its fields and cached
    properties).
    """
    if isinstance(value, np.ndarray):
        return _describe_array(value, keep)
    if isinstance(value, str | bytes):
        if len(value) > INLINE_BYTES:
            raise Unshareable(f"a string of {len(value)} characters")
        return value
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return {k: describe(v, keep) for k, v in value.items()}
    if isinstance(value, tuple):
        items = [describe(v, keep) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        if len(value) > _MAX_LIST:
            raise Unshareable(f"a list of {len(value)} items")
        return [describe(v, keep) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value)]
        extra = set(getattr(value, "__dict__", names)) - set(names)
        if any(
            not isinstance(getattr(type(value), x, None), functools.cached_property) for x in extra
        ):
            raise Unshareable(f"a {type(value).__name__} with attributes besides its fields")
        fields = {name: describe(getattr(value, name), keep) for name in names}
        return _Rebuilt(
            type(value), fields, _cached(getattr(value, "__dict__", {}), sorted(extra), keep)
        )
    raise Unshareable(f"a {type(value).__name__}")


def _cached(held: dict[str, Any], names: list[str], keep: list[mmap.mmap]) -> dict[str, Any]:
    """The descriptions of the cached values ``names`` of ``held`` that can be handed over."""
    out = {}
    for name in names:
        with contextlib.suppress(Unshareable):
            out[name] = describe(held[name], keep)
    return out


def attach(value: Any) -> Any:
    """In a worker: ``value`` as :func:`describe` gave it, its arrays mapped where they lie.

    The mappings of the previous call that this one does not use are let go.
    """
    used: dict[tuple[int, int], mmap.mmap] = {}
    out = _attach(value, used)
    _ATTACHED.clear()
    _ATTACHED.update(used)
    return out


def _attach(value: Any, used: dict[tuple[int, int], mmap.mmap]) -> Any:
    if isinstance(value, _Shared):
        key = (value.inode, value.size)
        mm = used.get(key) or _ATTACHED.get(key) or _opened(value)
        used[key] = mm
        array = np.ndarray(value.shape, value.dtype, mm, value.offset, value.strides)
        array.flags.writeable = value.writeable
        return array
    if isinstance(value, _Rebuilt):
        made: Any = object.__new__(value.cls)
        for name, field in value.fields.items():
            object.__setattr__(made, name, _attach(field, used))  # frozen dataclasses too
        for name, held in value.cached.items():
            made.__dict__[name] = _attach(held, used)  # where a cached property keeps it
        return made
    if isinstance(value, dict):
        return {k: _attach(v, used) for k, v in value.items()}
    if isinstance(value, tuple):
        items = [_attach(v, used) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return [_attach(v, used) for v in value]
    return value


def _opened(where: _Shared) -> mmap.mmap:
    """The mapping an array lies in: inherited by the fork that made this worker, or
    opened through the process that made it."""
    for info in _MAPS.values():
        if (info.inode, info.size) != (where.inode, where.size):
            continue
        if (mm := info.ref()) is not None:
            return mm
    fd = os.open(f"/proc/{where.pid}/fd/{where.fd}", os.O_RDWR)
    try:
        if os.fstat(fd).st_ino != where.inode:
            raise RuntimeError(f"shared memory {where.inode} of process {where.pid} is gone")
        return mmap.mmap(fd, where.size)
    finally:
        os.close(fd)
