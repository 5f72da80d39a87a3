"""Parallel clean: identical output to one worker, in order, with bounded work in flight."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cleaner.cli import main
from cleaner.document import Source
from cleaner.errors import InputError
from cleaner.executor.local import iter_clean
from cleaner.io.inputs import iter_sources
from cleaner.pool import batched, ordered_map

ROOT = Path(__file__).resolve().parents[2]
CLEANER = [sys.executable, "-c", "from cleaner.cli import main; main()"]


def square_all(batch: list[int]) -> list[int]:
    return [x * x for x in batch]


def _as_data(results):
    return [
        ("error", r.source, r.reason) if isinstance(r, InputError) else r.to_dict() for r in results
    ]


def test_ordered_map_keeps_input_order_on_two_processes():
    batches = list(batched(range(200), 7))
    got = [y for out in ordered_map(square_all, batches, 2) for y in out]
    assert got == [x * x for x in range(200)]


def test_ordered_map_reads_input_only_as_fast_as_results_are_taken():
    pulled = []

    def source():
        for i in range(100):
            pulled.append(i)
            yield [i]

    it = ordered_map(square_all, source(), 2, max_in_flight=3)
    assert next(it) == [0]
    assert len(pulled) <= 3  # not the whole stream
    assert [x for out in it for x in out] == [x * x for x in range(1, 100)]


def test_parallel_clean_equals_one_worker_with_errors_in_place(corpus):
    items = list(iter_sources([str(ROOT / "seeds"), str(corpus)]))
    bad = Source("bad.bin", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "bad.bin")
    items.insert(3, bad)
    items.insert(5, InputError("missing.txt", "no such file or folder; check the path"))
    one = _as_data(res for res, _ in iter_clean(items, None, 1))
    two = _as_data(res for res, _ in iter_clean(items, None, 2))
    assert one == two
    assert len(one) == len(items)
    assert one[3][0] == "error" and one[3][1] == "bad.bin"
    assert one[5] == ("error", "missing.txt", "no such file or folder; check the path")


def test_iter_clean_reports_input_bytes():
    src = Source("a", "سلام دنیا، این یک آزمایش است.", "a")
    ((res, nbytes),) = list(iter_clean([src], None, 2))
    assert nbytes == len(src.data.encode("utf-8"))
    assert res.paragraphs


def test_cli_output_is_identical_for_any_worker_count(corpus, tmp_path):
    runner = CliRunner()
    args = ["clean", str(ROOT / "seeds"), str(corpus), "--format", "jsonl", "-q"]
    one = runner.invoke(main, [*args, "-j", "1"])
    two = runner.invoke(main, [*args, "-j", "2"])
    assert one.exit_code == 0, one.output
    assert two.exit_code == 0, two.output
    assert one.stdout == two.stdout
    assert one.stdout.count("\n") == 9 + 400


def test_cli_one_file_per_input_is_identical_for_any_worker_count(tmp_path):
    runner = CliRunner()
    for j in ("1", "2"):
        res = runner.invoke(main, ["clean", str(ROOT / "seeds"), "-o", str(tmp_path / j), "-j", j])
        assert res.exit_code == 0, res.output
    files = sorted(p.relative_to(tmp_path / "1") for p in (tmp_path / "1").rglob("*.txt"))
    assert len(files) == 9
    for rel in files:
        assert (tmp_path / "1" / rel).read_bytes() == (tmp_path / "2" / rel).read_bytes()


def test_cli_failed_input_exit_code_1_and_batch_goes_on(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text("سلام دنیا، این یک آزمایش است.\n", encoding="utf-8")
    (tmp_path / "in" / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    proc = subprocess.run(
        [*CLEANER, "clean", str(tmp_path / "in"), "-j", "2", "--format", "jsonl"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert "bad.txt" in proc.stderr and "1 input(s) failed" in proc.stderr
    assert proc.stdout.count("\n") == 1 and "good.txt" in proc.stdout


def test_gc_paused_restores_the_collector_as_it_was():
    import gc

    import pytest

    from cleaner.pool import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()
