"""Running a batch again against an index that already holds it gives the same clusters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.dedupe import clusters_to_jsonl, dedupe
from cleaner.index import SQLiteIndex

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from scale_bench import write_corpus  # noqa: E402


def _docs(path: Path) -> list[tuple[str, str, list[str]]]:
    return [
        (r["id"], "s", r["text"].split("\n"))
        for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    ]


def _run(docs: list[tuple[str, str, list[str]]], index_path: Path) -> str:
    with SQLiteIndex(index_path) as index:
        return clusters_to_jsonl(dedupe(docs, index=index))


#: The reproducers: ``$CLEANER_RELIABILITY``, else ``../shared/reliability`` beside the repository.
RELIABILITY = Path(os.environ.get("CLEANER_RELIABILITY") or ROOT.parent / "shared" / "reliability")


@pytest.mark.skipif(
    not (RELIABILITY / "gen" / "make_big.py").is_file(),
    reason="../shared/reliability (the reproducers) is not beside the repo",
)
def test_the_reproducer_batch_run_twice_gives_the_clusters_of_its_first_run(
    tmp_path: Path,
) -> None:
    """The reproducer's perturbed seeds: a second run found 62 clusters instead of 67."""
    env = {**os.environ, "SEEDS": str(ROOT / "seeds"), "OUT": str(tmp_path), "N": "100"}
    subprocess.run([sys.executable, str(RELIABILITY / "gen" / "make_big.py")], env=env, check=True)
    runs = []
    for n in (1, 2):
        out = tmp_path / f"c{n}.jsonl"
        args = ["dedupe", str(tmp_path / "big.jsonl"), "--index", str(tmp_path / "i.db")]
        subprocess.run(
            [sys.executable, "-m", "cleaner", *args, "--clusters", str(out), "-q"],
            check=True,
            cwd=ROOT,
        )
        runs.append(out.read_bytes())
    assert runs[0].count(b"\n") > 20
    assert runs[1] == runs[0]


def test_a_batch_run_twice_gives_the_clusters_of_its_first_run(tmp_path: Path) -> None:
    write_corpus(tmp_path / "c.jsonl", 4000, seed=11)
    docs = _docs(tmp_path / "c.jsonl")
    first = _run(docs, tmp_path / "i.db")
    assert first.count("\n") > 50
    assert _run(docs, tmp_path / "i.db") == first
    assert clusters_to_jsonl(dedupe(docs)) == first  # the same as with no index at all


def test_a_later_batch_run_twice_gives_the_same_clusters(tmp_path: Path) -> None:
    write_corpus(tmp_path / "c.jsonl", 4000, seed=12)
    docs = _docs(tmp_path / "c.jsonl")
    _run(docs[:200], tmp_path / "i.db")
    later = _run(docs[200:], tmp_path / "i.db")
    assert '"from_index": true' in later
    assert _run(docs[200:], tmp_path / "i.db") == later
