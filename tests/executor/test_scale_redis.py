"""The Redis index against a real redis-server: the Index interface, concurrent writers."""

from __future__ import annotations

import multiprocessing
import uuid
from collections import Counter

import numpy as np
import pytest

from cleaner.dedupe import clusters_to_jsonl, dedupe
from cleaner.errors import CleanerError
from cleaner.index import Index, SQLiteIndex, open_index
from cleaner.index.base import IndexItem
from cleaner.index.redis import RedisIndex

A = "ولادیمیر پوتین رئیس جمهور روسیه در گفتگوی تلفنی با جو بایدن از تشدید اوضاع ابراز نگرانی کرد."
B = "وزیر خارجه لهستان در نشست خبری مشترک گفت که سازمان امنیت و همکاری اروپا نشست دارد."
C = "کاخ سفید اعلام کرد که پیشرفت اساسی در این گفتگوها تنها در شرایط کاهش تنش رخ می دهد."


def item(doc: str, idx: int, text: str, keys: list[int]) -> IndexItem:
    return IndexItem(
        doc_id=doc,
        source=f"{doc}.txt",
        index=idx,
        text=text,
        digest=f"d-{text}",
        shingles=np.array(sorted({(ord(c) * 2654435761) % 2**60 for c in text}), np.uint64),
        signature=np.arange(4, dtype=np.uint64),
        keys=np.array(keys, dtype=np.uint64),
        words=tuple(text.split()),
    )


@pytest.fixture
def spec(redis_url: str) -> str:
    """A fresh index in the shared server (its own key prefix)."""
    return f"{redis_url}/0?prefix=t{uuid.uuid4().hex[:10]}:"


def test_open_index_gives_a_redis_backend(spec):
    with open_index(spec) as index:
        assert isinstance(index, Index) and isinstance(index, RedisIndex)
        assert index.stats()["backend"] == "redis"


def test_add_is_idempotent_and_queries_find_items(spec):
    index = open_index(spec)
    big = 2**64 - 5
    batch = [item("a", 0, "one two", [1, big]), item("a", 1, "two three", [big, 7])]
    assert index.add(batch) == 2
    assert index.add(batch) == 0
    assert index.stats()["paragraphs"] == 2 and index.stats()["keys"] == 3
    hits = index.query([big, 7, 99])
    assert sorted(hits) == [7, big]
    assert len(hits[big]) == 2
    (got,) = index.get(hits[7])
    assert (got.doc_id, got.index, got.text, got.words) == ("a", 1, "two three", ("two", "three"))
    assert got.source == "a.txt" and got.digest == "d-two three"
    assert np.array_equal(got.shingles, batch[1].shingles)
    assert np.array_equal(got.signature, batch[1].signature)
    assert index.lookup([("a", 1, "d-two three"), ("a", 1, "other")]) == {
        ("a", 1, "d-two three"): got.pid
    }
    assert index.document_frequencies(["two", "one", "zzz"]) == ({"two": 2, "one": 1}, 2)
    assert [i.pid for i in index.get([2, 1, 2])] == [1, 2]
    index.close()


def test_a_limited_query_gives_no_pids_for_a_common_key_and_counts_count(spec):
    index = open_index(spec)
    big = 2**64 - 5
    index.add([item("a", 0, "x", [1, big]), item("a", 1, "y", [big, 7]), item("b", 0, "z", [big])])
    hits = index.query([big, 7, 99], limit=2)
    assert hits == {big: [], 7: [index.lookup([("a", 1, "d-y")])[("a", 1, "d-y")]]}
    assert sorted(len(p) for p in index.query([big, 7], limit=3).values()) == [1, 3]
    keys = np.array([7, 99, big, 1, big], dtype=np.uint64)
    assert index.counts(keys).tolist() == [1, 0, 3, 1, 3]
    index.close()


def test_settings_first_writer_wins(spec):
    with open_index(spec) as index:
        assert index.settings({"seed": "1"}) == {"seed": "1"}
        assert index.settings({"seed": "2", "x": "y"}) == {"seed": "1", "x": "y"}


def _writer(spec: str, tag: int, results: multiprocessing.Queue) -> None:
    """Add overlapping batches: every writer adds the shared items and its own."""
    index = open_index(spec)
    new = 0
    for batch in range(20):
        shared = [
            item("shared", batch * 10 + k, f"shared {batch} {k} common", [batch, 1000 + k])
            for k in range(10)
        ]
        own = [
            item(f"w{tag}", batch * 10 + k, f"own {tag} {batch} {k} common", [batch])
            for k in range(10)
        ]
        new += index.add(shared + own)
    index.close()
    results.put(new)


def test_concurrent_writers_neither_lose_nor_double_count(spec):
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(spec, t, results)) for t in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    # 200 shared items (stored once, whoever came first) + 4 x 200 own items.
    assert sum(results.get(timeout=5) for _ in procs) == 1000
    index = open_index(spec)
    assert index.stats()["paragraphs"] == 1000
    pids = index.query(range(20))
    assert all(len(pids[b]) == len(set(pids[b])) == 50 for b in range(20))
    assert sorted(p for b in range(20) for p in pids[b]) == list(range(1, 1001))
    df, total = index.document_frequencies(["common", "shared", "own"])
    assert (df, total) == ({"common": 1000, "shared": 200, "own": 800}, 1000)
    per_doc = Counter(i.doc_id for i in index.get(range(1, 1001)))
    assert per_doc == {"shared": 200, "w0": 200, "w1": 200, "w2": 200, "w3": 200}
    assert index.stats()["keys"] == 30


def test_dedupe_against_redis_matches_sqlite(spec, tmp_path):
    today = [("d1", "d1.txt", [A, B])]
    tomorrow = [("d2", "d2.txt", [C, A.replace("ی", "ي")]), ("d3", "d3.txt", [B + "!", C])]
    out = {}
    for name, opener in (
        ("redis", lambda: open_index(spec)),
        ("sqlite", lambda: SQLiteIndex(tmp_path / "i.db")),
    ):
        with opener() as index:
            dedupe(today, index=index)
        with opener() as index:
            out[name] = dedupe(tomorrow, index=index)
            assert index.stats()["paragraphs"] == 6
    assert clusters_to_jsonl(out["redis"]) == clusters_to_jsonl(out["sqlite"])
    assert out["redis"].dropped_ids() == {("d2", 1), ("d3", 0), ("d3", 1)}


def test_unreachable_server_is_an_error_naming_the_url():
    with pytest.raises(CleanerError, match="cannot reach Redis.*start redis-server"):
        open_index("redis://127.0.0.1:1/0")
