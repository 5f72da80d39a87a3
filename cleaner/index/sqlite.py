"""Embedded SQLite index: one file, safe for several processes at once.

WAL mode lets readers work while one process writes; every write runs in a ``BEGIN
IMMEDIATE`` transaction. A batch is stored in transactions of :data:`CHUNK_ITEMS`
paragraphs: the keys are random, so a transaction rewrites pages all over the key table
whatever its size, and fewer, larger ones rewrite it fewer times (eight writers of 40,000
paragraphs in transactions of 4,000: a 9 GB log for a 1 GB index before half of them were
stored). A writer waits for the lock as long as other writers keep committing, and gives
up after ``timeout`` seconds without a commit. ``UNIQUE(doc_id, idx, digest)`` makes
adding the same batch twice a no-op (a batch cut short by a kill is completed by running
it again), and keys and document frequencies are only counted for rows that were really
inserted, in the same transaction as their row.

Runs that overlap in time each query the index as it was committed when they query it:
a run does not see paragraphs another run stores after that (run the later batch again
to compare it with everything).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.errors import CleanerError, IndexFailure
from cleaner.index.base import (
    STORED_FIELDS,
    ClosesOnExit,
    IndexItem,
    iter_chunks,
    stored_item,
    stored_row,
    unique_keys,
)

_COLUMNS = ", ".join(STORED_FIELDS)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    pid INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL, idx INTEGER NOT NULL, digest TEXT NOT NULL,
    source TEXT NOT NULL, text TEXT NOT NULL,
    shingles BLOB NOT NULL, signature BLOB NOT NULL, words TEXT NOT NULL,
    UNIQUE (doc_id, idx, digest)
);
CREATE TABLE IF NOT EXISTS keys (
    key INTEGER NOT NULL, pid INTEGER NOT NULL, PRIMARY KEY (key, pid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS df (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def to_sql_keys(keys: np.ndarray) -> list[int]:
    """uint64 keys as the signed 64-bit integers SQLite stores.

    >>> to_sql_keys(np.array([1, 2**64 - 1], dtype=np.uint64))
    [1, -1]
    """
    return keys.astype(np.uint64).view(np.int64).tolist()


def _key_rows(items: Sequence[IndexItem], pids: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(signed key, pid) rows of the items' distinct keys, sorted by key then pid.

    >>> it = IndexItem("d", "s", 0, "t", "x", *(np.zeros(0, np.uint64),) * 2,
    ...                keys=np.array([5, 2**64 - 1, 5], dtype=np.uint64))
    >>> list(_key_rows([it, it], [7, 3]))
    [(-1, 3), (-1, 7), (5, 3), (5, 7)]
    """
    keys = [np.asarray(it.keys, dtype=np.uint64) for it in items]
    flat = np.concatenate(keys).view(np.int64) if keys else np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.asarray(pids, dtype=np.int64), [len(k) for k in keys])
    order = np.lexsort((owner, flat))
    flat, owner = flat[order], owner[order]
    distinct = np.ones(len(flat), dtype=bool)
    distinct[1:] = (flat[1:] != flat[:-1]) | (owner[1:] != owner[:-1])
    flat, owner = flat[distinct], owner[distinct]
    for lo in range(0, len(flat), _KEY_SLICE):
        hi = lo + _KEY_SLICE
        yield from zip(flat[lo:hi].tolist(), owner[lo:hi].tolist(), strict=True)


_UINT64 = 0xFFFFFFFFFFFFFFFF

#: Uids looked up by one statement (three parameters each, under SQLite's old limit of 999).
_UIDS_A_QUERY = 300

#: Paragraphs stored in one transaction (a batch of up to this many in one: its key rows,
#: about 180 a paragraph, are sorted and written in one sweep of the key table).
CHUNK_ITEMS = 50_000

#: How long a writer waits for the write lock while no other writer commits (seconds)
#: before giving up with an error.
WAIT_SECONDS = 600.0

#: How long one attempt at the write lock waits (SQLite's busy timeout, seconds); between
#: attempts the writer looks whether another one committed meanwhile.
_ATTEMPT_SECONDS = 10.0

#: Key rows handed to SQLite at once (the Python ints of a slice, not of a whole batch).
_KEY_SLICE = 500_000


class IndexBusyError(IndexFailure):
    """Another writer kept the index locked for longer than the wait allowed."""


class SQLiteIndex(ClosesOnExit):
    """An :class:`~cleaner.index.base.Index` in one SQLite file."""

    def __init__(self, path: str | Path, timeout: float = WAIT_SECONDS) -> None:
        self.path = str(path)
        self._timeout = timeout
        try:
            self._db = sqlite3.connect(
                self.path, timeout=min(timeout, _ATTEMPT_SECONDS), isolation_level=None
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._write():
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    self._db.execute(statement)
        except IndexBusyError:
            raise
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise IndexBusyError(
                    f"{self.path}: the index stayed locked by another process for"
                    f" {timeout:g} s ({exc})"
                ) from exc
            raise CleanerError(
                f"{self.path}: cannot open as a dedupe index ({exc}); give a new file name"
                " or an index written by `cleaner dedupe --index`"
            ) from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One IMMEDIATE transaction (nested calls join the outer one)."""
        if self._db.in_transaction:
            yield
            return
        self._begin()
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _begin(self) -> None:
        """Take the write lock, waiting while other writers commit (each commit starts the
        wait anew); give up after ``timeout`` seconds in which none did."""
        last = self._db.execute("PRAGMA data_version").fetchone()[0]
        since = time.monotonic()
        while True:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                version = self._db.execute("PRAGMA data_version").fetchone()[0]
                if version != last:
                    last, since = version, time.monotonic()
                elif time.monotonic() - since >= self._timeout:
                    raise IndexBusyError(
                        f"{self.path}: another process held the index's write lock for"
                        f" {self._timeout:g} s without committing ({exc}); what this run"
                        " stored before is kept, run it again to store the rest"
                    ) from exc

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """The adds of one batch: each add commits in transactions of :data:`CHUNK_ITEMS`
        paragraphs."""
        yield

    def settings(self, values: Mapping[str, str]) -> dict[str, str]:
        """Store settings not stored yet; return what the index holds (first writer wins)."""
        with self._write():
            self._db.executemany(
                "INSERT OR IGNORE INTO settings(name, value) VALUES (?, ?)", values.items()
            )
            rows = self._db.execute("SELECT name, value FROM settings").fetchall()
        return dict(rows)

    def add(self, items: Sequence[IndexItem]) -> int:
        """Store items not stored yet (by uid); returns how many were new.

        Each chunk of :data:`CHUNK_ITEMS` items is one transaction: its rows, their keys
        and their words' counts are committed together or not at all.
        """
        new = 0
        for chunk in iter_chunks(items, CHUNK_ITEMS):
            with self._write():
                new += self._add_chunk(chunk)
            self._checkpoint()
        return new

    def _checkpoint(self) -> None:
        """Copy the log into the database and let the next writer start the log anew.

        SQLite's own checkpoints never wait, so while other processes read and write all
        the time the log only grows. This one waits for the readers of older snapshots
        (every read is one short query). The log still grows by about what one chunk
        rewrites: the keys are random, so a chunk touches pages all over the key table
        (eight writers of 40,000 paragraphs: a 9 GB log at its largest, for a 2.4 GB index).
        """
        with contextlib.suppress(sqlite3.OperationalError):
            self._db.execute("PRAGMA wal_checkpoint(RESTART)")

    def _add_chunk(self, items: Sequence[IndexItem]) -> int:
        """Insert the rows not stored yet, then their keys sorted (B-tree pages are written
        in order, not at random) and their words counted once per new row.

        The transaction holds the write lock, so no other writer takes a pid meanwhile: the
        new rows get the pids after the last one given, and every statement is one
        ``executemany``."""
        stored = self.lookup(item.uid for item in items)
        fresh = {item.uid: item for item in reversed(items) if item.uid not in stored}
        added = [item for item in items if fresh.get(item.uid) is item]  # first of a uid
        if not added:
            return 0
        row = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'items'").fetchone()
        first = (row[0] if row else 0) + 1
        pids = range(first, first + len(added))
        self._db.executemany(
            f"INSERT INTO items(pid, {_COLUMNS}) VALUES (?{', ?' * len(STORED_FIELDS)})",
            ((pid, *stored_row(item)) for pid, item in zip(pids, added, strict=True)),
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO keys(key, pid) VALUES (?, ?)", _key_rows(added, pids)
        )
        words = Counter(w for item in added for w in set(item.words))
        self._db.executemany(
            "INSERT INTO df(word, n) VALUES (?, ?)"
            " ON CONFLICT(word) DO UPDATE SET n = n + excluded.n",
            sorted(words.items()),
        )
        return len(added)

    def query(self, keys: Iterable[int], limit: int | None = None) -> dict[int, list[int]]:
        """For each stored key (given as uint64 ints), the pids holding it; a key held by
        more than ``limit`` pids is counted in SQLite and given no pids."""
        out: dict[int, list[int]] = {}
        for chunk in iter_chunks(to_sql_keys(unique_keys(keys))):
            if limit is not None:
                counts = self._db.execute(
                    "SELECT key, count(*) FROM keys WHERE key IN"
                    f" ({','.join('?' * len(chunk))}) GROUP BY key",
                    chunk,
                ).fetchall()
                out.update((key & _UINT64, []) for key, count in counts if count > limit)
                chunk = [key for key, count in counts if count <= limit]
            rows = self._db.execute(
                f"SELECT key, pid FROM keys WHERE key IN ({','.join('?' * len(chunk))})", chunk
            )
            for key, pid in rows:
                out.setdefault(key & _UINT64, []).append(pid)
        if limit is not None:  # (a writer may have added holders since they were counted)
            out.update([(key, []) for key, pids in out.items() if len(pids) > limit])
        return out

    def counts(self, keys: np.ndarray) -> np.ndarray:
        """How many stored items hold each key (0: none), counted in SQLite."""
        keys = np.asarray(keys, dtype=np.uint64)
        distinct = unique_keys(keys)
        found = np.zeros(len(distinct), dtype=np.int64)
        for chunk in iter_chunks(to_sql_keys(distinct)):
            rows = self._db.execute(
                "SELECT key, count(*) FROM keys WHERE key IN"
                f" ({','.join('?' * len(chunk))}) GROUP BY key",
                chunk,
            ).fetchall()
            if rows:
                held = np.array(rows, dtype=np.int64)
                found[np.searchsorted(distinct, held[:, 0].view(np.uint64))] = held[:, 1]
        return found[np.searchsorted(distinct, keys)] if len(distinct) else found

    def get(self, pids: Iterable[int]) -> list[IndexItem]:
        """The stored items with these pids, in pid order."""
        items: list[IndexItem] = []
        for chunk in iter_chunks(sorted(set(pids))):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT pid, {_COLUMNS} FROM items WHERE pid IN ({marks}) ORDER BY pid",
                chunk,
            )
            items.extend(stored_item(pid, values) for pid, *values in rows)
        return items

    def lookup(self, uids: Iterable[tuple[str, int, str]]) -> dict[tuple[str, int, str], int]:
        """Pids of the items already stored under these uids."""
        out: dict[tuple[str, int, str], int] = {}
        for chunk in iter_chunks(list(dict.fromkeys(uids)), _UIDS_A_QUERY):
            marks = ",".join(["(?, ?, ?)"] * len(chunk))
            rows = self._db.execute(
                f"SELECT i.doc_id, i.idx, i.digest, i.pid FROM (VALUES {marks}) AS u"
                " CROSS JOIN items AS i"  # (the join's order: one index search a uid)
                " ON i.doc_id = u.column1 AND i.idx = u.column2 AND i.digest = u.column3",
                [value for uid in chunk for value in uid],
            )
            out.update(((doc_id, idx, digest), pid) for doc_id, idx, digest, pid in rows)
        return out

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        """Stored paragraphs holding each word, and the number of stored paragraphs."""
        out: dict[str, int] = {}
        for chunk in iter_chunks(sorted(set(words))):
            marks = ",".join("?" * len(chunk))
            out.update(self._db.execute(f"SELECT word, n FROM df WHERE word IN ({marks})", chunk))
        return out, self._count("items")

    def _count(self, table: str) -> int:
        return int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def stats(self) -> Mapping[str, Any]:
        """Counts for a summary."""
        return {
            "backend": "sqlite",
            "path": self.path,
            "paragraphs": self._count("items"),
            "keys": self._count("keys"),
        }

    def close(self) -> None:
        """Close the connection (an open bulk transaction is rolled back)."""
        self._db.close()
