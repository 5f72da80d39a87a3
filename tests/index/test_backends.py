from __future__ import annotations

import numpy as np
import pytest

from cleaner.errors import CleanerError
from cleaner.index import MemoryIndex, SQLiteIndex, open_index
from cleaner.index.base import Index, IndexItem


def item(doc: str, idx: int, text: str, keys: list[int]) -> IndexItem:
    return IndexItem(
        doc_id=doc,
        source=f"{doc}.txt",
        index=idx,
        text=text,
        digest=f"d-{text}",
        shingles=np.array(sorted({hash(c) % 2**60 for c in text}), dtype=np.uint64),
        signature=np.arange(4, dtype=np.uint64),
        keys=np.array(keys, dtype=np.uint64),
        words=tuple(text.split()),
    )


@pytest.fixture(params=["memory", "sqlite"])
def index(request, tmp_path):
    idx = MemoryIndex() if request.param == "memory" else SQLiteIndex(tmp_path / "i.db")
    yield idx
    idx.close()


def test_backends_implement_the_interface(index):
    assert isinstance(index, Index)


def test_add_is_idempotent_and_queries_find_items(index):
    big = 2**64 - 5  # keys use the full unsigned range
    batch = [item("a", 0, "one two", [1, big]), item("a", 1, "two three", [big, 7])]
    assert index.add(batch) == 2
    assert index.add(batch) == 0
    assert index.stats()["paragraphs"] == 2
    hits = index.query([big, 7, 99])
    assert sorted(hits) == [7, big]
    assert len(hits[big]) == 2
    (got,) = index.get(hits[7])
    assert (got.doc_id, got.index, got.text, got.words) == ("a", 1, "two three", ("two", "three"))
    assert np.array_equal(got.shingles, batch[1].shingles)
    assert index.lookup([("a", 1, "d-two three"), ("a", 1, "other")]) == {
        ("a", 1, "d-two three"): got.pid
    }
    df, n = index.document_frequencies(["two", "one", "zzz"])
    assert (df, n) == ({"two": 2, "one": 1}, 2)


def test_a_limited_query_gives_no_pids_for_a_common_key_and_counts_count(index):
    big = 2**64 - 5
    index.add([item("a", 0, "x", [1, big]), item("a", 1, "y", [big, 7]), item("b", 0, "z", [big])])
    assert index.query([big, 7, 99], limit=2) == {
        big: [],
        7: [index.lookup([("a", 1, "d-y")])[("a", 1, "d-y")]],
    }
    assert sorted(len(p) for p in index.query([big, 7], limit=3).values()) == [1, 3]
    keys = np.array([7, 99, big, 1, big], dtype=np.uint64)
    assert index.counts(keys).tolist() == [1, 0, 3, 1, 3]
    assert index.counts(np.zeros(0, dtype=np.uint64)).tolist() == []


def test_settings_first_writer_wins(index):
    assert index.settings({"seed": "1"}) == {"seed": "1"}
    assert index.settings({"seed": "2"}) == {"seed": "1"}


def test_open_index_specs(tmp_path):
    assert isinstance(open_index("memory:"), MemoryIndex)
    for spec in (str(tmp_path / "a.db"), f"sqlite:///{tmp_path}/b.db"):
        idx = open_index(spec)
        assert isinstance(idx, SQLiteIndex)
        idx.close()
    assert (tmp_path / "b.db").exists()
    with pytest.raises(CleanerError, match="unknown index scheme"):
        open_index("ftp://example.org/index")


def test_sqlite_refuses_a_file_that_is_not_an_index(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CleanerError, match="cannot open"):
        SQLiteIndex(bad)
