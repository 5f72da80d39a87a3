"""Template counts kept in SQLite, so each batch is judged with every batch before it.

``clean --templates-db PATH`` adds a batch's counts
(:class:`cleaner.pipeline.templates.TemplateIndex`) to the file, then convicts over all of
them: a pipeline that cleans one article at a time still removes the furniture the thousands
of articles before it showed. What is stored is what the index counts, never text: per
source its documents, per (source, line hash) the counters, and per source the fingerprints
of the documents counted (a document counted before is a re-scrape: running the same batch
twice counts it once).

Offsets merge approximately: a line keeps its first-seen offset from the top (and bottom)
and the hits there; when a batch saw the line first at another offset, the offset with more
hits stays. One file may be shared by several processes: WAL mode, every merge in one
``BEGIN IMMEDIATE`` transaction (other writers wait up to ``timeout`` seconds).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from cleaner.errors import CleanerError
from cleaner.pipeline.template_key import KEY_VERSION
from cleaner.pipeline.templates import Template, TemplateIndex, TemplatePolicy, convict

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (name TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lines (
    source TEXT NOT NULL, hash INTEGER NOT NULL, docs INTEGER NOT NULL,
    top INTEGER NOT NULL, top_hits INTEGER NOT NULL,
    bottom INTEGER NOT NULL, bottom_hits INTEGER NOT NULL, sentence INTEGER NOT NULL,
    PRIMARY KEY (source, hash)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lines_by_hash ON lines (hash);
CREATE TABLE IF NOT EXISTS seen (
    source TEXT NOT NULL, fingerprint INTEGER NOT NULL, PRIMARY KEY (source, fingerprint)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
"""

# SQLite evaluates every SET expression on the old row, so each CASE sees the stored values.
_MERGE_LINE = """
INSERT INTO lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source, hash) DO UPDATE SET
    docs = docs + excluded.docs,
    top = CASE WHEN top = excluded.top OR top_hits >= excluded.top_hits THEN top
               ELSE excluded.top END,
    top_hits = CASE WHEN top = excluded.top THEN top_hits + excluded.top_hits
                    ELSE max(top_hits, excluded.top_hits) END,
    bottom = CASE WHEN bottom = excluded.bottom OR bottom_hits >= excluded.bottom_hits
                  THEN bottom ELSE excluded.bottom END,
    bottom_hits = CASE WHEN bottom = excluded.bottom THEN bottom_hits + excluded.bottom_hits
                       ELSE max(bottom_hits, excluded.bottom_hits) END
"""


class TemplateStore:
    """Template counts of every batch seen, in one SQLite file (a ``CountStore``)."""

    def __init__(self, path: str | Path, timeout: float = 60.0) -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                self._db.execute(statement)
            version = self._key_version()
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise CleanerError(
                f"{self.path}: cannot open as a template store ({exc}); give a new file name"
                " or one written by `cleaner clean --templates-db`"
            ) from exc
        #: The key version of the counts found in the file when it was an older one (they
        #: stay: a line whose key changed is counted afresh under its new key), else None.
        self.upgraded_from: int | None = None
        if version > KEY_VERSION:
            self._db.close()
            raise CleanerError(
                f"{self.path}: its lines were counted by line key version {version}, newer than"
                f" this cleaner's ({KEY_VERSION}); use the cleaner that wrote it, or a new file"
            )
        if version < KEY_VERSION:
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('key_version', ?)", (KEY_VERSION,)
            )
            self.upgraded_from = version

    def _key_version(self) -> int:
        """The key version the file's counts were made with; a new file takes this one's.

        A file holding counts but no version was written before versions were recorded (1).
        An older file's counts are kept: a pipeline goes on, and only lines whose key changed
        (Arabic vowel signs, version 2) are counted again from the next batch on.
        """
        row = self._db.execute("SELECT value FROM meta WHERE name = 'key_version'").fetchone()
        if row is not None:
            return int(row[0])
        if self._db.execute("SELECT 1 FROM sources LIMIT 1").fetchone() is not None:
            return 1
        self._db.execute("INSERT INTO meta VALUES ('key_version', ?)", (KEY_VERSION,))
        return KEY_VERSION

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def __enter__(self) -> TemplateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fingerprints(self, source: str) -> set[int]:
        """Fingerprints of the documents of ``source`` counted before."""
        rows = self._db.execute("SELECT fingerprint FROM seen WHERE source = ?", (source,))
        return {f for (f,) in rows}

    def documents(self, source: str) -> int:
        """Documents of ``source`` counted so far."""
        row = self._db.execute("SELECT docs FROM sources WHERE name = ?", (source,)).fetchone()
        return int(row[0]) if row else 0

    def merge(self, index: TemplateIndex) -> None:
        """Add a batch's counts (one transaction: all of the batch or nothing)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for name, docs, counts, new in index.counted():
                self._db.execute(
                    "INSERT INTO sources VALUES (?, ?)"
                    " ON CONFLICT (name) DO UPDATE SET docs = docs + excluded.docs",
                    (name, docs),
                )
                self._db.executemany(_MERGE_LINE, ((name, h, *c) for h, c in counts.items()))
                self._db.executemany(
                    "INSERT OR IGNORE INTO seen VALUES (?, ?)", ((name, f) for f in new)
                )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def convict(
        self, sources: Iterable[str], policy: TemplatePolicy
    ) -> dict[str, dict[int, Template]]:
        """The templates of ``sources`` over every batch counted."""
        out: dict[str, dict[int, Template]] = {}
        for name in sources:
            total = self.documents(name)
            floor = max(policy.min_docs, policy.min_share * total)
            rows = self._db.execute(
                "SELECT hash, docs, top, top_hits, bottom, bottom_hits, sentence FROM lines"
                " WHERE source = ? AND docs >= ?",
                (name, floor),
            ).fetchall()
            found: dict[int, Template] = {}
            for h, *c in rows:
                shared = bool(c[5]) and self._shared(h)
                verdict = convict(c, total, shared, name, policy)
                if verdict is not None:
                    found[h] = verdict
            out[name] = found
        return out

    def _shared(self, h: int) -> bool:
        """Whether two sources or more have the line."""
        rows = self._db.execute("SELECT 1 FROM lines WHERE hash = ? LIMIT 2", (h,)).fetchall()
        return len(rows) > 1
