"""Tests of cleaner.io.output: mirrored safe paths, atomic writes, streaming JSON lines."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from cleaner.errors import CleanerError
from cleaner.io.output import jsonl_line, output_path, write_atomic

SEED = sorted((Path(__file__).parents[2] / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")


def leftovers(folder: Path) -> list[str]:
    """Temp files left in a folder (there must never be any)."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- output_path ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc_id", "suffix", "expected"),
    [
        ("a/b.html", ".txt", "a/b.txt"),
        ("page.HTM", "json", "page.json"),
        ("notes", ".txt", "notes.txt"),
        ("report.v1", ".txt", "report.v1.txt"),
        ("خبرها/گزارش ویژه.html", ".txt", "خبرها/گزارش ویژه.txt"),
        ("stdin", ".txt", "stdin.txt"),
    ],
)
def test_plain_ids_are_mirrored_with_the_suffix(
    tmp_path: Path, doc_id: str, suffix: str, expected: str
) -> None:
    assert output_path(tmp_path, doc_id, suffix) == tmp_path / expected


NASTY_IDS = [
    "https://x.com/y?z=1",
    "http://x.com/y?z=1",
    "https://x.com/y_z=1",
    "https://x.com/news/",
    "../../etc/passwd",
    "/etc/passwd",
    "a/../../b.txt",
    "C:\\Windows\\system.ini",
    "\\\\server\\share\\f.txt",
    "dump.jsonl:17",
    "con.txt",
    "",
    "..",
    "a" * 400 + ".html",
    "پ" * 300,
    'tab\there|pipe*star"quote<lt>',
]


def test_nasty_ids_stay_inside_the_out_dir_are_distinct_and_writable(tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = [output_path(out, doc_id, ".txt") for doc_id in NASTY_IDS]
    assert len(set(paths)) == len(paths)
    for path in paths:
        assert path.resolve().is_relative_to(out.resolve())
        assert all(len(part.encode()) <= 255 for part in path.parts)
        write_atomic(path, "ok")  # the file system takes the name
        assert path.read_text() == "ok"
    assert not (tmp_path / "etc").exists()


def test_url_ids_become_readable_names(tmp_path: Path) -> None:
    path = output_path(tmp_path, "https://x.com/news/item?id=4", ".txt")
    rel = path.relative_to(tmp_path).as_posix()
    assert rel.startswith("x.com/news/item_id_4-") and rel.endswith(".txt")


def test_a_symlink_out_of_the_out_dir_is_refused(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "link").symlink_to(outside)
    with pytest.raises(CleanerError, match="outside"):
        output_path(out, "link/a.html", ".txt")


# --- write_atomic --------------------------------------------------------------------


def test_write_atomic_creates_parents_and_writes_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "c.txt"
    write_atomic(path, SEED)
    assert path.read_bytes() == SEED.encode("utf-8")
    write_atomic(path, b"\x00bytes")
    assert path.read_bytes() == b"\x00bytes"
    assert leftovers(path.parent) == []


def test_write_atomic_modes(tmp_path: Path) -> None:
    new = tmp_path / "new.txt"
    write_atomic(new, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask  # as open() would make it
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o600)
    write_atomic(kept, "new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_failure_while_writing_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("old content")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "half \ud800 a lone surrogate cannot be written")
    assert path.read_text() == "old content"
    assert leftovers(tmp_path) == []


def test_chunks_are_written_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "clusters.jsonl"
    write_atomic(path, iter([b"one\n", b"", "دو\n".encode()]))
    assert path.read_text(encoding="utf-8") == "one\nدو\n"

    def failing():
        yield b"half of a run\n"
        raise RuntimeError("a worker died")

    with pytest.raises(RuntimeError, match="worker died"):
        write_atomic(path, failing())
    assert path.read_text(encoding="utf-8") == "one\nدو\n"  # the last complete file
    assert leftovers(tmp_path) == []


def test_failure_to_replace_leaves_the_target_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside.txt").write_text("keep")
    with pytest.raises(OSError):
        write_atomic(target, "cannot replace a folder")
    assert (target / "inside.txt").read_text() == "keep"
    assert leftovers(tmp_path) == []


def test_disk_error_at_fsync_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A full disk cannot be made here; an I/O error injected at fsync stands for it.
    path = tmp_path / "doc.txt"
    path.write_text("old content")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        write_atomic(path, "new content")
    assert path.read_text() == "old content"
    assert leftovers(tmp_path) == []


# --- jsonl_line ------------------------------------------------------------------------


def test_jsonl_line_is_one_line_whatever_the_record_holds() -> None:
    record = {"text": "a\nb\r\u2028c\u2029d\x85e", "id": "x\u200cy", "n": [1, None]}
    line = jsonl_line(record)
    assert line.endswith("\n") and line.count("\n") == 1
    assert len(line.splitlines()) == 1  # str.splitlines also breaks at U+2028, U+2029, U+0085
    assert json.loads(line) == record


def test_write_atomic_to_a_device_writes_through_and_keeps_the_device() -> None:
    import stat as st

    write_atomic(Path("/dev/null"), "clusters nobody wants\n")
    assert st.S_ISCHR(os.stat("/dev/null").st_mode)


def test_write_atomic_to_a_fifo_feeds_its_reader(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, [b"a\n", b"b\n"])
    reader.join(10)
    assert got == [b"a\nb\n"] and fifo.is_fifo()
