"""Resumable batches: kill a real run half way, resume it, get exactly the full output."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.io.resume import JOURNAL_NAME, Journal, PartWriter

from .scale_corpus import write_corpus

ROOT = Path(__file__).resolve().parents[2]
CLEANER = [sys.executable, "-c", "from cleaner.cli import main; main()"]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("big") / "big.jsonl", 3000, paras_per_doc=3)


def _journal_entries(out: Path) -> list[dict]:
    try:
        lines = (out / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()[1:]
    except FileNotFoundError:
        return []
    return [json.loads(ln) for ln in lines if ln.endswith("}")]


def _kill_after(args: list[str], out: Path, entries: int) -> int:
    """Start a run, SIGKILL it once the journal holds ``entries`` lines; entries seen then."""
    proc = subprocess.Popen([*CLEANER, *args], cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(_journal_entries(out)) < entries and proc.poll() is None:
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    return len(_journal_entries(out))


def test_killed_part_run_resumes_without_loss_or_duplicates(big, tmp_path):
    out = tmp_path / "out"
    args = ["clean", str(big), "--format", "jsonl", "-o", str(out), "--part-size", "100", "-q"]
    done = _kill_after([*args, "-j", "1"], out, 3)
    assert 3 <= done < 30
    resumed = subprocess.run(
        [*CLEANER, *args, "--resume", "-j", "2"], cwd=ROOT, text=True, capture_output=True
    )
    assert resumed.returncode == 0, resumed.stderr
    whole = subprocess.run(
        [*CLEANER, "clean", str(big), "--format", "jsonl", "-q", "-j", "2"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    parts = sorted(out.glob("part-*.jsonl"))
    assert len(parts) == 30
    joined = b"".join(p.read_bytes() for p in parts)
    assert joined == whole.stdout
    ids = [json.loads(line)["id"] for line in joined.splitlines()]
    assert ids == [f"doc-{d:05d}" for d in range(3000)]
    assert not list(out.glob(".*.tmp"))


def test_killed_file_per_input_run_resumes_to_the_same_folder(big, tmp_path):
    out = tmp_path / "out"
    args = ["clean", str(big), "-o", str(out), "-q"]
    done = _kill_after([*args, "-j", "1"], out, 200)
    assert 200 <= done < 3000
    resumed = CliRunner().invoke(main, [*args, "--resume", "-j", "2"])
    assert resumed.exit_code == 0, resumed.output
    ref = tmp_path / "ref"
    assert CliRunner().invoke(main, ["clean", str(big), "-o", str(ref), "-q"]).exit_code == 0
    got = {p.name: p.read_bytes() for p in out.glob("*.txt")}
    want = {p.name: p.read_bytes() for p in ref.glob("*.txt")}
    assert len(want) == 3000
    assert got == want
    assert not list(out.glob(".*.tmp"))
    ids = [e["id"] for e in _journal_entries(out)]
    assert sorted(set(ids)) == sorted(f"doc-{d:05d}" for d in range(3000))


def test_resume_skips_finished_inputs_and_says_so(corpus, tmp_path):
    runner = CliRunner()
    args = ["clean", str(corpus), "-o", str(tmp_path), "--part-size", "64", "-j", "1"]
    assert runner.invoke(main, args).exit_code == 0
    again = runner.invoke(main, [*args, "--resume"])
    assert again.exit_code == 0
    assert "0 documents" in again.stderr and "400 input(s) done before, skipped" in again.stderr


def test_resume_with_other_options_is_refused(corpus, tmp_path):
    runner = CliRunner()
    base = ["clean", str(corpus), "-o", str(tmp_path), "-q"]
    assert runner.invoke(main, [*base, "--part-size", "50"]).exit_code == 0
    res = runner.invoke(main, [*base, "--part-size", "60", "--resume"])
    assert res.exit_code == 2
    assert "other options" in res.stderr


def test_resume_after_inputs_changed_is_refused(tmp_path):
    runner = CliRunner()
    first = write_corpus(tmp_path / "a.jsonl", 30)
    out = tmp_path / "out"
    args = ["clean", str(first), "-o", str(out), "--part-size", "10"]
    assert runner.invoke(main, args).exit_code == 0
    lines = first.read_text(encoding="utf-8").splitlines(keepends=True)
    first.write_text("".join(lines[1:]), encoding="utf-8")  # one record fewer at the front
    res = runner.invoke(main, [*args, "--resume"])
    assert res.exit_code == 2
    assert "inputs changed" in res.stderr


def test_resume_needs_an_output_folder(corpus):
    res = CliRunner().invoke(main, ["clean", str(corpus), "--resume"])
    assert res.exit_code == 2 and "-o DIR" in res.stderr


def test_a_torn_journal_line_is_ignored_and_the_part_redone(tmp_path):
    with Journal(tmp_path, {"f": 1}, resume=False) as journal:
        parts = PartWriter(tmp_path, ".txt", 2, journal, "")
        for i in range(5):
            parts.add(f"d{i}", f"{i}\n")
    with (tmp_path / JOURNAL_NAME).open("a", encoding="utf-8") as f:
        f.write('{"part": "part-00002.txt", "inp')  # killed while writing
    with Journal(tmp_path, {"f": 1}, resume=True) as journal:
        assert journal.consumed == 4 and len(journal.parts) == 2


def test_a_fresh_start_removes_the_parts_of_the_old_journal(tmp_path):
    with Journal(tmp_path, {"f": 1}, resume=False) as journal:
        parts = PartWriter(tmp_path, ".txt", 1, journal, "")
        for i in range(3):
            parts.add(f"d{i}", f"{i}\n")
    (tmp_path / "mine.txt").write_text("kept")
    Journal(tmp_path, {"f": 1}, resume=False).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [JOURNAL_NAME, "mine.txt"]
