"""Concurrent `cleaner dedupe --index` writers of one SQLite file: every run succeeds and the
index equals a sequential run's (the small version of ``bench/index_writers.py``)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import numpy as np

from cleaner.index import SQLiteIndex, sqlite
from cleaner.index.base import IndexItem

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from index_writers import index_digest, run_concurrent, run_sequential, write_batches  # noqa: E402


def test_four_concurrent_writers_store_what_a_sequential_run_stores(tmp_path: Path) -> None:
    batches = write_batches(tmp_path, writers=4, paragraphs=1000)
    runs = run_concurrent(batches, tmp_path / "concurrent.db")
    assert [(r.code, r.err) for r in runs] == [(0, "")] * 4
    assert [r.code for r in run_sequential(batches, tmp_path / "sequential.db")] == [0] * 4
    concurrent = index_digest(tmp_path / "concurrent.db")
    assert concurrent["items"] == 4 * 1000
    assert concurrent["orphan_keys"] == 0
    assert concurrent == index_digest(tmp_path / "sequential.db")


def _item(i: int) -> IndexItem:
    keys = np.array([i, i + 1, 2**64 - 1 - i], dtype=np.uint64)
    return IndexItem(
        doc_id=f"d{i // 10}",
        source="s",
        index=i % 10,
        text=f"paragraph {i}",
        digest=f"{i:x}",
        shingles=keys,
        signature=keys,
        keys=keys,
        words=("word", f"w{i % 3}"),
    )


def test_an_add_commits_in_chunks_that_each_hold_their_keys_and_words(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(sqlite, "CHUNK_ITEMS", 7)
    items = [_item(i) for i in range(30)]
    with SQLiteIndex(tmp_path / "a.db") as index:
        assert index.add(items[:12]) == 12
        assert index.add(items) == 18  # the stored ones are skipped by uid
        assert index.stats()["keys"] == 3 * 30
        freq, total = index.document_frequencies(["word", "w0", "w1"])
    assert (freq, total) == ({"word": 30, "w0": 10, "w1": 10}, 30)
    monkeypatch.setattr(sqlite, "CHUNK_ITEMS", 1000)
    with SQLiteIndex(tmp_path / "b.db") as index:
        index.add(items)
    assert index_digest(tmp_path / "a.db") == index_digest(tmp_path / "b.db")


def test_the_digest_sees_a_key_moved_to_another_item_and_a_changed_count(tmp_path: Path) -> None:
    """The comparison is of the rows themselves: the same counts with one key row given to
    another paragraph, or one document frequency changed, give another digest."""
    with SQLiteIndex(tmp_path / "a.db") as index:
        index.add([_item(i) for i in range(30)])
    before = index_digest(tmp_path / "a.db")
    db = sqlite3.connect(tmp_path / "a.db")
    with db:
        db.execute("UPDATE keys SET pid = 8 WHERE key = 5 AND pid = 6")
    moved = index_digest(tmp_path / "a.db")
    assert (moved["items"], moved["keys"], moved["orphan_keys"]) == (30, 90, 0)
    assert moved["keys_hash"] != before["keys_hash"]
    with db:
        db.execute("UPDATE keys SET pid = 6 WHERE key = 5 AND pid = 8")
        db.execute("UPDATE df SET n = n + 1 WHERE word = 'w0'")
    db.close()
    changed = index_digest(tmp_path / "a.db")
    assert changed["keys_hash"] == before["keys_hash"]
    assert changed["df_hash"] != before["df_hash"]
