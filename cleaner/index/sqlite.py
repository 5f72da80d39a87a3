"""Embedded SQLite index: one file, safe for several processes at once.

WAL mode lets readers work while one process writes; every write runs in a ``BEGIN
IMMEDIATE`` transaction (other writers wait, up to ``timeout`` seconds); ``UNIQUE(doc_id,
idx, digest)`` with ``INSERT OR IGNORE`` makes adding the same batch twice a no-op, and
keys and document frequencies are only counted for rows that were really inserted.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.errors import CleanerError
from cleaner.index.base import ClosesOnExit, IndexItem, iter_chunks

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


class SQLiteIndex(ClosesOnExit):
    """An :class:`~cleaner.index.base.Index` in one SQLite file."""

    def __init__(self, path: str | Path, timeout: float = 60.0) -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._write():
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    self._db.execute(statement)
        except sqlite3.DatabaseError as exc:
            raise CleanerError(
                f"{self.path}: cannot open as a dedupe index ({exc}); give a new file name"
                " or an index written by `cleaner dedupe --index`"
            ) from exc
        self._in_bulk = False

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One IMMEDIATE transaction (nested calls join the outer one)."""
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def bulk(self) -> contextlib.AbstractContextManager[None]:
        """Group every add inside the ``with`` block into one transaction."""
        return self._write()

    def settings(self, values: Mapping[str, str]) -> dict[str, str]:
        """Store settings not stored yet; return what the index holds (first writer wins)."""
        with self._write():
            self._db.executemany(
                "INSERT OR IGNORE INTO settings(name, value) VALUES (?, ?)", values.items()
            )
            rows = self._db.execute("SELECT name, value FROM settings").fetchall()
        return dict(rows)

    def add(self, items: Sequence[IndexItem]) -> int:
        """Store items not stored yet (by uid); returns how many were new."""
        new = 0
        with self._write():
            for item in items:
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO items(doc_id, idx, digest, source, text, shingles,"
                    " signature, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        item.doc_id,
                        item.index,
                        item.digest,
                        item.source,
                        item.text,
                        item.shingles.astype(np.uint64).tobytes(),
                        item.signature.astype(np.uint64).tobytes(),
                        "\n".join(item.words),
                    ),
                )
                if cur.rowcount != 1:
                    continue
                pid = cur.lastrowid
                self._db.executemany(
                    "INSERT OR IGNORE INTO keys(key, pid) VALUES (?, ?)",
                    ((k, pid) for k in set(to_sql_keys(item.keys))),
                )
                self._db.executemany(
                    "INSERT INTO df(word, n) VALUES (?, 1)"
                    " ON CONFLICT(word) DO UPDATE SET n = n + 1",
                    ((w,) for w in set(item.words)),
                )
                new += 1
        return new

    def query(self, keys: Iterable[int]) -> dict[int, list[int]]:
        """For each stored key (given as uint64 ints), the pids holding it."""
        unsigned = np.array(sorted(set(keys)), dtype=np.uint64)
        out: dict[int, list[int]] = {}
        for chunk in iter_chunks(to_sql_keys(unsigned)):
            marks = ",".join("?" * len(chunk))
            for key, pid in self._db.execute(
                f"SELECT key, pid FROM keys WHERE key IN ({marks})", chunk
            ):
                out.setdefault(key & 0xFFFFFFFFFFFFFFFF, []).append(pid)
        return out

    def get(self, pids: Iterable[int]) -> list[IndexItem]:
        """The stored items with these pids, in pid order."""
        items: list[IndexItem] = []
        for chunk in iter_chunks(sorted(set(pids))):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT pid, doc_id, idx, digest, source, text, shingles, signature, words"
                f" FROM items WHERE pid IN ({marks}) ORDER BY pid",
                chunk,
            )
            for pid, doc_id, idx, digest, source, text, sh, sig, words in rows:
                items.append(
                    IndexItem(
                        doc_id=doc_id,
                        source=source,
                        index=idx,
                        text=text,
                        digest=digest,
                        shingles=np.frombuffer(sh, dtype=np.uint64),
                        signature=np.frombuffer(sig, dtype=np.uint64),
                        keys=np.zeros(0, dtype=np.uint64),
                        words=tuple(words.split("\n")) if words else (),
                        pid=pid,
                    )
                )
        return items

    def lookup(self, uids: Iterable[tuple[str, int, str]]) -> dict[tuple[str, int, str], int]:
        """Pids of the items already stored under these uids."""
        out: dict[tuple[str, int, str], int] = {}
        for doc_id, idx, digest in uids:
            row = self._db.execute(
                "SELECT pid FROM items WHERE doc_id = ? AND idx = ? AND digest = ?",
                (doc_id, idx, digest),
            ).fetchone()
            if row:
                out[(doc_id, idx, digest)] = row[0]
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
