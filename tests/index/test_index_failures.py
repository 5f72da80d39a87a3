"""An index that cannot be reached or answers too slowly is a clear IndexFailure, soon."""

from __future__ import annotations

import socket
import sqlite3
import threading
from pathlib import Path

import pytest

from cleaner.index import IndexFailure, SQLiteIndex, redis

pytest.importorskip("redis")


def test_redis_down_is_an_index_failure() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(IndexFailure, match="cannot reach Redis"):
        redis.RedisIndex(f"redis://127.0.0.1:{port}/0")


def test_a_stalled_redis_times_out_with_the_projects_timeout(monkeypatch) -> None:
    """A server that accepts the connection and never answers."""
    monkeypatch.setattr(redis, "READ_SECONDS", 0.5)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True)
    thread.start()
    try:
        with pytest.raises(IndexFailure, match="Timeout|timed out"):
            redis.RedisIndex(f"redis://127.0.0.1:{server.getsockname()[1]}/0")
    finally:
        for conn in accepted:
            conn.close()
        server.close()


def test_a_sqlite_lock_held_too_long_is_an_index_failure(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    SQLiteIndex(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(IndexFailure, match="write lock"):
            SQLiteIndex(path, timeout=0.2).settings({"a": "b"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
