"""Issue 13's reproducers through the command line: names, output layout, runtime failures.

Each test is one reproducer of ``../shared/reliability/`` made small. Runtime failures must
read ``cleaner: error: ...`` and exit 1 without the usage banner; exit 2 stays for a wrong
command line.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.io import resume
from cleaner.io.resume import JOURNAL_NAME

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SEED = SEEDS / "001_05048e11740625ed.txt"
CLEANER = str(Path(sys.executable).with_name("cleaner"))


def invoke(*args: str, stdin: bytes | None = None) -> object:
    return CliRunner().invoke(main, list(args), input=stdin)


def test_a_newline_in_a_file_name_cannot_forge_an_error_line(tmp_path: Path) -> None:
    (tmp_path / "evil\ncleaner: error: fake.txt: forged message.bin").write_bytes(os.urandom(4000))
    res = invoke("clean", "-j", "1", str(tmp_path))
    assert res.exit_code == 1
    errors = [line for line in res.stderr.splitlines() if line.startswith("cleaner: error:")]
    assert len(errors) == 1 and "evil\\ncleaner: error: fake.txt" in errors[0]


def test_an_undecodable_file_name_is_written_journaled_and_resumed(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in (b"a.txt", b"b\xff.txt", b"c.txt"):
        (src / os.fsdecode(name)).write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    first = invoke("clean", "-j", "1", str(src), "-o", str(out))
    assert first.exit_code == 0, first.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt"))
    assert len(written) == 3 and "a.txt" in written and "c.txt" in written
    journal = (out / JOURNAL_NAME).read_text(encoding="utf-8")
    assert '"b\\\\xff.txt"' in journal
    again = invoke("clean", "-j", "1", str(src), "-o", str(out), "--resume")
    assert again.exit_code == 0 and "3 input(s) done before, skipped" in again.stderr


def test_names_that_would_collide_keep_their_extension(tmp_path: Path) -> None:
    src = tmp_path / "collide"
    src.mkdir()
    for name, seed in zip(
        ("page", "page.html", "page.txt"), sorted(SEEDS.glob("*.txt")), strict=False
    ):
        (src / name).write_bytes(seed.read_bytes())
    out = tmp_path / "out"
    res = invoke("clean", "-j", "1", str(src), "-o", str(out))
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.glob("*.txt")) == [
        "page.html.txt",
        "page.txt",
        "page.txt.txt",
    ]
    assert res.stderr.count("is taken by 'page': written as") == 2
    texts = {p.read_text(encoding="utf-8") for p in out.glob("*.txt")}
    assert len(texts) == 3  # three inputs, three different outputs


def _dup_ids(tmp_path: Path) -> Path:
    path = tmp_path / "dup.jsonl"
    texts = [s.read_text(encoding="utf-8") for s in sorted(SEEDS.glob("*.txt"))]
    ids = ["a", "b", "a", "c", "b"]
    path.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in zip(ids, texts, strict=True)),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("part_size", [None, "2"])
def test_duplicate_ids_are_reported_the_same_whatever_the_workers(
    tmp_path: Path, part_size: str | None
) -> None:
    path = _dup_ids(tmp_path)
    runs = {}
    for workers in ("1", "2"):
        out = tmp_path / f"o{workers}"
        extra = ["--part-size", part_size] if part_size else []
        res = invoke("clean", "-j", workers, str(path), "-o", str(out), *extra)
        files = {p.name: p.read_bytes() for p in out.iterdir() if p.name != JOURNAL_NAME}
        said = [x for x in res.stderr.splitlines() if x.startswith(("cleaner: e", "cleaner: w"))]
        runs[workers] = (res.exit_code, said, files)
        assert "done before" not in res.stderr
    assert runs["1"] == runs["2"]
    if part_size is None:
        code, err, files = runs["1"]
        assert code == 1 and sorted(files) == ["a.txt", "b.txt", "c.txt"]
        assert [e.split(": ", 3)[2] for e in err if "error" in e] == [
            f"{path}:3",
            f"{path}:5",
        ]
        assert all("repeats the id of" in e for e in err if "error" in e)


def test_an_unwritable_output_folder_is_a_runtime_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for cmd in (["clean"], ["dedupe", "--no-clean"]):
        res = invoke(*cmd, str(SEED), "-o", str(blocker / "out"))
        assert res.exit_code == 1, (cmd, res.output)
        assert "cleaner: error:" in res.stderr and "Usage:" not in res.stderr


def test_disk_full_on_a_part_file_is_a_runtime_error(tmp_path: Path, monkeypatch) -> None:
    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(resume, "write_atomic", full)
    res = invoke("clean", "-j", "1", str(SEEDS), "-o", str(tmp_path / "o"), "--part-size", "2")
    assert res.exit_code == 1
    assert "cleaner: error:" in res.stderr and "No space left on device" in res.stderr
    assert "Usage:" not in res.stderr and "Traceback" not in res.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("cmd", [["clean", "--format", "jsonl"], ["dedupe"]])
def test_disk_full_on_stdout_is_a_runtime_error(cmd: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [CLEANER, *cmd, "-j", "1", "-q", str(SEEDS)], stdout=full, stderr=subprocess.PIPE
        )
    assert proc.returncode == 1
    assert proc.stderr.decode().startswith("cleaner: error: stdout: cannot write")


def test_dedupe_output_goes_on_after_a_failed_write(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:3]:
        (src / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path / "out"
    blocked = sorted(src.iterdir())[1].name
    (out / blocked).mkdir(parents=True)  # a folder where the second output goes
    res = invoke("dedupe", str(src), "-o", str(out), "-j", "1")
    assert res.exit_code == 1
    assert res.stderr.count("cleaner: error:") == 1 and blocked in res.stderr
    written = sorted(p.name for p in out.iterdir() if p.is_file())
    assert written == sorted(p.name for p in src.iterdir() if p.name != blocked)
    assert not list(out.rglob(".*.tmp"))  # nothing half-written


def test_redis_down_is_a_runtime_error() -> None:
    res = invoke("dedupe", str(SEED), "--index", "redis://127.0.0.1:1/0", "-j", "1")
    assert res.exit_code == 1
    assert "cleaner: error: redis://127.0.0.1:1/0: cannot reach Redis" in res.stderr
    assert "Usage:" not in res.stderr


def test_a_wrong_command_line_still_exits_2() -> None:
    assert invoke("clean", str(SEED), "--part-size", "3").exit_code == 2
    assert invoke("clean", str(SEED), "--max-doc-mb", "0").exit_code == 2


def test_exit_codes_are_in_the_help() -> None:
    out = invoke("--help").output
    assert "1  some inputs failed" in out and "index out of reach" in out


def test_nul_bytes_are_removed_from_the_clean_text_and_reported(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    at = text.index(" ", 200)
    page = tmp_path / "nul.txt"
    page.write_bytes((text[:at] + "\x00" + text[at:]).encode())
    res = invoke("clean", "-j", "1", str(page), "--format", "jsonl")
    record = json.loads(res.stdout)
    assert "\x00" not in record["text"]
    assert "1 NUL character(s) removed" in record["repaired"]


def test_binary_garbage_in_a_json_text_field_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    garbage = bytes(range(256)).decode("latin-1") * 8
    records = [{"id": "bin", "text": garbage}, {"id": "ok", "text": SEED.read_text("utf-8")}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    res = invoke("clean", "-j", "1", str(path), "--format", "jsonl")
    assert res.exit_code == 1
    assert f"cleaner: error: {path}:1: looks binary" in res.stderr
    assert [json.loads(line)["id"] for line in res.stdout.splitlines()] == ["ok"]


def test_stdin_json_lines_give_one_record_each_without_input_format() -> None:
    data = "".join(
        json.dumps({"id": f"d{i}", "text": s.read_text("utf-8")}) + "\n"
        for i, s in enumerate(sorted(SEEDS.glob("*.txt")))
    )
    res = invoke("clean", "-", "-j", "1", "--format", "jsonl", stdin=data.encode())
    assert res.exit_code == 0
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == ["d0", "d1", "d2", "d3", "d4"]
