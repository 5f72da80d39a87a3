"""Clusters held as arrays (cleaner.dedupe.table) and their JSON lines
(cleaner.dedupe.cluster_lines): the same as the objects and their JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cleaner.dedupe.cluster_lines as cluster_lines
from cleaner.dedupe import DedupeResult, clusters_to_jsonl
from cleaner.dedupe.prepare import Paragraph
from cleaner.dedupe.table import ClusterTable, PairTable, RelatedRows
from cleaner.io.output import escape_separators

#: Texts JSON must escape or keep as they are: quotes, backslashes, control characters,
#: the line separators JSON leaves raw, Persian, characters outside the BMP, nothing.
TEXTS = [
    "plain",
    'a "quote", a \\ backslash and a\ttab',
    "a line\nbreak\r and NUL \x00 and \x1f",
    "separators \u2028 \u2029 \x85 in a paragraph",
    "گزارش خبرگزاری ایسنا درباره گفت‌وگوی تلفنی",
    "astral 😀 𝕏 characters",
    "",
    "/ slash & <html> ' apostrophe",
]


def _table(rng: np.random.Generator, n_clusters: int, keep: str = "first") -> ClusterTable:
    sizes = rng.integers(2, 6, n_clusters)
    starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    total = int(starts[-1])
    extra = 3 * n_clusters  # paragraphs in no cluster, some related to one
    paras = [
        Paragraph(f'doc "{i // 3}" \\ \u2028', f"outlet-{i % 4}", i % 7, TEXTS[i % len(TEXTS)])
        for i in range(total + extra)
    ]
    order = rng.permutation(total + extra).astype(np.int64)
    nodes, free = order[:total], order[total:]
    pool = np.array([1.0, 0.0, 1 / 3, 0.99995, 0.123456789, 2 / 7, 0.5])
    scores = [pool[rng.integers(0, len(pool), total)] for _ in range(3)]
    kept = np.array([rng.integers(0, k) for k in sizes], dtype=np.int64)
    counts = rng.integers(0, 3, n_clusters)  # related paragraphs of each cluster
    rel_starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    rows = int(rel_starts[-1])
    near = np.array([rng.integers(1, sizes[c]) for c in np.repeat(np.arange(n_clusters), counts)])
    rel_scores = [pool[rng.integers(0, len(pool), rows)] for _ in range(3)]
    related = RelatedRows(rel_starts, free[:rows], near.astype(np.int64), *rel_scores)
    return ClusterTable(paras, starts, nodes, *scores, kept, related)


def _dumped(clusters) -> str:
    return "".join(
        escape_separators(json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True)) + "\n"
        for c in clusters
    )


def test_table_lines_are_each_cluster_dumped_whole(monkeypatch):
    table = _table(np.random.default_rng(0), 40)
    result = DedupeResult(table, table.dropped())
    want = _dumped(table)
    assert "\u2028" not in want and "\\u2028" in want and "😀" in want
    assert clusters_to_jsonl(result) == want
    monkeypatch.setattr(cluster_lines, "MEMBERS_PER_CHUNK", 3)  # many ranges of clusters
    assert cluster_lines._spans(table.starts, 3)[1:]  # more than one
    assert b"".join(cluster_lines.iter_jsonl(result, 1)) == want.encode("utf-8")
    assert [json.loads(line)["size"] for line in want.splitlines()] == table.sizes().tolist()
    related = [r for line in want.splitlines() for r in json.loads(line)["related"]]
    assert related and all(r["kept"] and r["near"] >= 1 for r in related)


def test_scores_that_are_not_finite_are_written_as_json_writes_them():
    table = _table(np.random.default_rng(1), 3)
    table.jaccard[0] = np.nan
    table.containment[1] = np.inf
    assert clusters_to_jsonl(DedupeResult(table, ())) == _dumped(table)
    assert "NaN" in _dumped(table)


def test_object_clusters_lines_are_each_cluster_dumped_whole():
    table = _table(np.random.default_rng(2), 2500)  # more than one chunk of objects
    clusters = tuple(table)
    result = DedupeResult(clusters, ())
    assert clusters_to_jsonl(result) == _dumped(clusters)
    assert b"".join(cluster_lines.iter_jsonl(result, 2)) == _dumped(clusters).encode("utf-8")


def test_tables_read_like_tuples():
    table = _table(np.random.default_rng(4), 5)
    as_tuple = tuple(table)
    assert table == as_tuple and as_tuple == table and len(table) == 5
    assert table[-1] == as_tuple[-1] and table[1:3] == as_tuple[1:3]
    with pytest.raises(IndexError):
        table[5]
    dropped = table.dropped()
    assert len(dropped) == int(table.sizes().sum()) - 5
    assert {(d.doc_id, d.index) for d in dropped} == DedupeResult(table, dropped).dropped_ids()
    pairs = PairTable(np.array([0, 1]), np.array([2, 3]), np.array([0.5, 1.0]))
    assert [(p.a, p.b, p.similarity) for p in pairs] == [(0, 2, 0.5), (1, 3, 1.0)]
    assert pairs != table and table != "text"


#: Run in a fresh process: this one may have threads (a Dask client, a Redis fixture), and
#: then the lines would not be rendered on a forked pool.
POOL_LINES_SCRIPT = """
import os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import numpy as np
import cleaner.dedupe.cluster_lines as lines
import cleaner.pool as pool
from cleaner.dedupe import DedupeResult, clusters_to_jsonl
from cleaner.io.output import write_atomic
from dedupe.test_table import _table

lines.MEMBERS_PER_CHUNK = 40  # many tasks, each put in an outbox by a worker
table = _table(np.random.default_rng(5), 300)
result = DedupeResult(table, ())
want = clusters_to_jsonl(result).encode("utf-8")
target = Path(sys.argv[2], "clusters.jsonl")
starts = []
real_start = pool._KeptPool._start
pool._KeptPool._start = lambda self, key: starts.append(key) or real_start(self, key)
with pool.kept_pool(2):
    list(pool.ordered_map(len, [[1]] * 4, 2))  # the workers start, the batch's table after them
    write_atomic(target, lines.iter_jsonl(result, 2))
assert target.read_bytes() == want, "the lines differ"
assert starts == [None], "the pool forked again for the lines"
write_atomic(target, lines.iter_jsonl(result, 2))  # a pool of its own
assert target.read_bytes() == want, "the lines differ"
fds = set(os.listdir("/proc/self/fd"))
real = lines.render
def render(table, cols, lo, hi):
    if lo > len(table) // 2:
        raise RuntimeError("a worker failed")
    return real(table, cols, lo, hi)
lines.render = render  # the pool forks after this: its workers run it
try:
    write_atomic(target, lines.iter_jsonl(result, 2))
except RuntimeError as exc:
    assert "a worker failed" in str(exc)
    assert type(exc.__cause__).__name__ == "_RemoteTraceback", "it failed here, not in a worker"
else:
    raise AssertionError("the failure did not reach the writer")
assert target.read_bytes() == want, "the file changed"
assert os.listdir(sys.argv[2]) == ["clusters.jsonl"], "a temp file was left"
assert set(os.listdir("/proc/self/fd")) == fds, "an outbox was left open"
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="outboxes are memfds (Linux)")
def test_lines_rendered_on_a_pool_are_the_serial_ones_and_a_failure_writes_nothing(tmp_path):
    tests = str(Path(__file__).resolve().parents[1])
    run = [sys.executable, "-c", POOL_LINES_SCRIPT, tests, str(tmp_path)]
    done = subprocess.run(run, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
