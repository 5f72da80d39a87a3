"""Partitioned datasets: JSON lines and Parquet files read by the workers that process them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.dedupe import DedupeOptions, clusters_to_jsonl
from cleaner.errors import InputError
from cleaner.executor import open_engine
from cleaner.executor.base import dedupe_loaded
from cleaner.executor.local import LocalEngine
from cleaner.io.inputs import ReadOptions, iter_sources
from cleaner.io.partitions import list_partitions, read_partition

from .scale_corpus import write_corpus

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _records(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of JSON lines partitions (one gzipped, one nested) split from one corpus."""
    root = tmp_path_factory.mktemp("dataset")
    records = _records(write_corpus(root.parent / "whole.jsonl", 240))
    chunks = [records[k : k + 60] for k in range(0, len(records), 60)]
    (root / "b").mkdir()
    names = ["a-0.jsonl", "a-1.jsonl.gz", "b/c-2.jsonl", "b/c-3.jsonl"]
    for name, chunk in zip(names, chunks, strict=True):
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk)
        data = gzip.compress(text.encode()) if name.endswith(".gz") else text.encode()
        (root / name).write_bytes(data)
    (root / ".hidden.jsonl").write_text("not read\n", encoding="utf-8")
    return root


def _data(items) -> list[object]:
    return [x.source if isinstance(x, InputError) else (x.id, x.source, x.data) for x in items]


def read_dataset(paths, read):
    """Every source of the inputs, partition after partition (what an engine reads)."""
    return [item for part in list_partitions(paths) for item in read_partition(part, read)]


def test_partitions_read_like_the_inputs_are_read(dataset, tmp_path):
    (tmp_path / "empty").mkdir()
    paths = [str(dataset), str(tmp_path / "missing.jsonl"), str(tmp_path / "empty")]
    parts = list_partitions(paths)
    assert [p.file_id for p in parts[:4]] == [
        "a-0.jsonl",
        "a-1.jsonl.gz",
        "b/c-2.jsonl",
        "b/c-3.jsonl",
    ]
    assert parts[4].error and parts[5].error
    got = list(read_dataset(paths, ReadOptions()))
    assert len(got) == 240 + 2
    assert _data(got) == _data(iter_sources(paths))


def test_a_parquet_partition_reads_as_its_json_lines_twin(dataset, tmp_path):
    rows = _records(dataset / "a-0.jsonl")
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "a-0.parquet")
    got = list(read_dataset([str(tmp_path / "a-0.parquet")], ReadOptions()))
    want = list(read_dataset([str(dataset / "a-0.jsonl")], ReadOptions()))
    assert [(s.id, s.data) for s in got] == [(s.id, s.data) for s in want]
    assert got[0].source.endswith("a-0.parquet:1")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    (bad,) = read_dataset([str(tmp_path / "bad.parquet")], ReadOptions())
    assert isinstance(bad, InputError) and "Parquet" in bad.reason


def test_dask_workers_read_the_partitions_and_cluster_like_the_local_engine(
    dataset, cluster, monkeypatch
):
    from dataclasses import replace

    from distributed import get_task_stream

    import cleaner.dedupe.pair_stages as stages

    monkeypatch.setattr(stages, "VERIFY_CHUNK", 500)  # the candidates in several tasks
    opts = DedupeOptions()
    local = LocalEngine(1).load([str(dataset)], ReadOptions(), None, opts)
    with (
        open_engine("dask", scheduler=cluster.scheduler_address) as engine,
        get_task_stream(engine.client) as stream,
    ):
        on_dask = engine.load([str(dataset)], ReadOptions(), None, opts)
        with engine.pair_stages():
            two = dedupe_loaded(on_dask, replace(opts, workers=2))
    loads = [t for t in stream.data if "load_partitions" in str(t["key"])]
    assert len(loads) >= 1  # the workers read the files; the client sent paths
    assert on_dask.docs == local.docs and on_dask.part_of == local.part_of == sorted(local.part_of)
    assert set(local.part_of) == {0, 1, 2, 3}
    # The band shuffle and the verification ran as the cluster's tasks, on both workers.
    stage_tasks = [t for t in stream.data if "_remote_task" in str(t["key"])]
    assert len(stage_tasks) > 8 and len({t["worker"] for t in stage_tasks}) == 2
    assert two.stats["candidates"] > 2 * 500
    one = dedupe_loaded(local, opts)
    assert one.clusters and clusters_to_jsonl(one) == clusters_to_jsonl(two)
    assert one.dropped == two.dropped and one.stats["pairs"] == two.stats["pairs"]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_parts_out_hold_the_documents_without_their_duplicates(dataset, cluster, tmp_path, fmt):
    runner = CliRunner()
    base = ["dedupe", str(dataset), "-q", "--no-clean"]
    per_doc = runner.invoke(main, [*base, "-j", "1", "-o", str(tmp_path / "docs")])
    assert per_doc.exit_code == 0, per_doc.output
    for engine in (["-j", "2"], ["--engine", "dask", "--scheduler", cluster.scheduler_address]):
        out = tmp_path / f"{fmt}-{engine[1]}"
        res = runner.invoke(main, [*base, *engine, "-o", str(out), "--parts", fmt])
        assert res.exit_code == 0, res.output
        files = sorted(out.glob(f"part-*.{fmt}"))
        assert [f.name for f in files] == [f"part-0000{k}.{fmt}" for k in range(4)]
        if fmt == "jsonl":
            records = [r for f in files for r in _records(f)]
        else:
            records = [r for f in files for r in pq.read_table(f).to_pylist()]
        assert len(records) == 240
        for r in records:
            assert (tmp_path / "docs" / f"{r['id']}.txt").read_text(encoding="utf-8") == (
                r["text"] + "\n" if r["text"] else ""
            )


def test_parts_need_an_output_folder(dataset):
    res = CliRunner().invoke(main, ["dedupe", str(dataset), "--parts", "jsonl"])
    assert res.exit_code == 2 and "-o DIR" in res.stderr
