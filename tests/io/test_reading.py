"""Hostile and unlucky inputs at the reading stage: no hang, bounded memory, every record kept.

Each test is a reproducer of ``../shared/reliability/`` (issue 13) made small: the same
shape of input, with a small ``max_bytes`` to show a cap cheaply.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import threading
from pathlib import Path

import pytest

from cleaner.document import Source
from cleaner.errors import InputError
from cleaner.io.inputs import ReadOptions, iter_sources
from cleaner.io.reading import Refused, read_capped

SEED = Path(__file__).resolve().parents[2] / "seeds" / "001_05048e11740625ed.txt"


def listed(paths: list[str], **kw: object) -> list[Source | InputError]:
    """All the items of ``iter_sources``, in a thread: a blocking open fails the test."""
    out: list[Source | InputError] = []
    stdin = kw.pop("stdin", None)
    read = ReadOptions(**kw)  # type: ignore[arg-type]
    worker = threading.Thread(
        target=lambda: out.extend(iter_sources(paths, read, stdin=stdin)),  # type: ignore[arg-type]
        daemon=True,
    )
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "reading the inputs blocked"
    return out


def errors(items: list[Source | InputError]) -> list[str]:
    return [str(e) for e in items if isinstance(e, InputError)]


def test_a_fifo_in_a_folder_is_reported_and_the_other_files_read(tmp_path: Path) -> None:
    (tmp_path / "a_good.txt").write_bytes(SEED.read_bytes())
    os.mkfifo(tmp_path / "b_fifo.txt")
    (tmp_path / "c_good.txt").write_bytes(SEED.read_bytes())
    items = listed([str(tmp_path)])
    assert [s.id for s in items if isinstance(s, Source)] == ["a_good.txt", "c_good.txt"]
    [err] = errors(items)
    assert "b_fifo.txt: a FIFO, not a regular file: skipped" in err


def test_a_socket_and_a_device_are_refused_unread(tmp_path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "s.txt"))
    try:
        items = listed([str(tmp_path), "/dev/zero"])
    finally:
        sock.close()
    assert [e.split(": ", 1)[1][:20] for e in errors(items)] == [
        "a socket, not a regu",
        "a character device, ",
    ]


def test_a_gzip_over_the_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress("سلام دنیا\n".encode() * 1000))
    [err] = errors(listed([str(path)], max_bytes=1000))
    assert "decompresses to more than the cap of 0.00 MB" in err and "--max-doc-mb" in err
    [src] = listed([str(path)], max_bytes=100_000)
    assert isinstance(src, Source) and len(src.data) == 18_000


def test_gzipped_zeros_are_refused_after_the_first_chunk() -> None:
    stream = io.BytesIO(bytes(50 << 20))
    with pytest.raises(Refused, match="looks binary"):
        read_capped(stream, 100 << 20, sniff=True)
    assert stream.tell() <= 2 << 20  # one chunk read, not 50 MB


def test_a_plain_file_over_the_cap_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 5000)
    (tmp_path / "small.txt").write_bytes(b"x" * 50)
    items = listed([str(tmp_path)], max_bytes=4096)
    assert [s.id for s in items if isinstance(s, Source)] == ["small.txt"]
    assert "big.txt: larger than the cap" in errors(items)[0]


def test_a_json_line_over_the_cap_is_one_error_and_the_next_records_go_on(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "text": "x"},
        {"id": "long", "text": "y" * 10_000},
        {"id": "b", "text": "z"},
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    items = listed([str(path)], max_bytes=1000)
    assert [s.id for s in items if isinstance(s, Source)] == ["a", "b"]
    assert errors(items) == [
        f"{path}:2: record larger than the cap of 0.00 MB on one document;"
        " raise it with --max-doc-mb to read it"
    ]


def test_stdin_over_the_cap_is_refused() -> None:
    items = listed(["-"], stdin=io.BytesIO(b"line\n" * 1000), max_bytes=1000)
    assert "<stdin>: larger than the cap" in errors(items)[0]


def test_a_lone_surrogate_record_is_reported_and_the_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"id": "before", "text": "a"}\n'
        '{"id": "bad", "text": "x \\ud800 y"}\n'
        '{"id": "pair", "text": "\\ud83d\\ude00"}\n'
        '{"id": "after", "text": "b"}\n',
        encoding="utf-8",
    )
    items = listed([str(path)])
    assert [s.id for s in items if isinstance(s, Source)] == ["before", "pair", "after"]
    assert errors(items) == [
        f"{path}:2: holds a lone surrogate escape (such as \\ud800), which"
        " is not a character; fix the program that wrote it"
    ]


def test_a_record_nested_1000_deep_is_reported_and_the_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    deep = '{"id": "deep", "text": "x", "extra": ' + "[" * 1000 + "]" * 1000 + "}"
    path.write_text(f'{{"id": "ok1", "text": "a"}}\n{deep}\n{{"id": "ok2", "text": "b"}}\n')
    items = listed([str(path)])
    assert [s.id for s in items if isinstance(s, Source)] == ["ok1", "ok2"]
    assert errors(items) == [f"{path}:2: JSON nested too deep to read (about 1,000 levels)"]


def test_ids_that_are_not_strings_are_written_as_json(tmp_path: Path) -> None:
    path = tmp_path / "ids.jsonl"
    ids = [{"x": 1}, True, 7, [1, "a"], "plain"]
    path.write_text("".join(json.dumps({"id": i, "text": "t"}) + "\n" for i in ids))
    got = [s.id for s in listed([str(path)]) if isinstance(s, Source)]
    assert got == ['{"x":1}', "true", "7", '[1,"a"]', "plain"]


def test_stdin_json_lines_are_sniffed_without_input_format() -> None:
    data = b'{"id": "a", "text": "one"}\n{"id": "b", "html": "<p>two</p>"}\n'
    items = listed(["-"], stdin=io.BytesIO(data))
    assert [(s.id, s.source) for s in items if isinstance(s, Source)] == [
        ("a", "<stdin>:1"),
        ("b", "<stdin>:2"),
    ]


@pytest.mark.parametrize(
    "data", [b"{ not json at all }\nsecond line\n", b"<html><body>x</body></html>", b"[1, 2]\n"]
)
def test_stdin_that_is_not_json_lines_stays_one_document(data: bytes) -> None:
    [src] = listed(["-"], stdin=io.BytesIO(data))
    assert isinstance(src, Source) and (src.id, src.data) == ("stdin", data)


def test_an_undecodable_file_name_becomes_an_escaped_id(tmp_path: Path) -> None:
    (tmp_path / os.fsdecode(b"b\xff.txt")).write_bytes(SEED.read_bytes())
    [src] = listed([str(tmp_path)])
    assert isinstance(src, Source) and src.id == "b\\xff.txt"
    assert src.data == SEED.read_bytes()
    src.id.encode("utf-8")  # writable in a journal, a JSON record, a terminal
