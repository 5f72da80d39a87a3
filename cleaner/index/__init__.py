"""Persistent indexes of paragraph signatures, behind one small interface.

:func:`open_index` picks a backend from a spec: ``memory:`` for an in-process index, a file
path or ``sqlite:///path`` for embedded SQLite. A server-backed backend (``redis://...``)
registers itself in :data:`BACKENDS` under its URL scheme.
"""

from __future__ import annotations

from collections.abc import Callable

from cleaner.errors import CleanerError, IndexFailure
from cleaner.index.base import Index, IndexItem
from cleaner.index.memory import MemoryIndex
from cleaner.index.redis import open_redis  # the redis client is imported on use
from cleaner.index.sqlite import SQLiteIndex

__all__ = [
    "BACKENDS",
    "Index",
    "IndexFailure",
    "IndexItem",
    "MemoryIndex",
    "SQLiteIndex",
    "open_index",
]


def _open_memory(rest: str) -> Index:
    return MemoryIndex()


def _open_sqlite(rest: str) -> Index:
    return SQLiteIndex(rest[2:] if rest.startswith("//") else rest)


#: URL scheme -> opener taking the rest of the spec (after ``scheme:``).
BACKENDS: dict[str, Callable[[str], Index]] = {"memory": _open_memory, "sqlite": _open_sqlite}
BACKENDS["redis"] = open_redis


def open_index(spec: str) -> Index:
    """Open the index a spec names: ``memory:``, ``sqlite:///path``, ``scheme://...`` or a path.

    >>> open_index("memory:").stats()["backend"]
    'memory'
    """
    scheme, sep, rest = spec.partition(":")
    # A bare path (or a Windows drive letter) is a SQLite file.
    if not sep or len(scheme) == 1 or scheme not in BACKENDS and "/" in scheme:
        return SQLiteIndex(spec)
    if scheme not in BACKENDS:
        raise CleanerError(
            f"{spec}: unknown index scheme {scheme!r}; use a file path, sqlite:///path or memory:"
            f" (known: {', '.join(sorted(BACKENDS))})"
        )
    return BACKENDS[scheme](rest)
