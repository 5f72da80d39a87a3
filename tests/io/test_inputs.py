"""Tests of cleaner.io.inputs: files, folders, gzip, JSON lines and stdin as Sources."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from cleaner.document import Source
from cleaner.errors import CleanerError, InputError
from cleaner.io.inputs import ReadOptions, iter_sources

SEEDS = sorted((Path(__file__).parents[2] / "seeds").glob("*.txt"))


def seed_bytes(i: int = 0) -> bytes:
    return SEEDS[i].read_bytes()


def sources(items: list[Source | InputError]) -> list[Source]:
    return [s for s in items if isinstance(s, Source)]


def errors(items: list[Source | InputError]) -> list[InputError]:
    return [e for e in items if isinstance(e, InputError)]


def write_jsonl(path: Path, records: list[object], *, compress: bool = False) -> None:
    text = "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
    )
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if compress else data)


# --- files and folders ---------------------------------------------------------------


def test_a_file_is_one_source_named_by_its_file_name(tmp_path: Path) -> None:
    page = tmp_path / "deep" / "page.html"
    page.parent.mkdir()
    page.write_bytes(seed_bytes(0))
    [src] = list(iter_sources([str(page)]))
    assert isinstance(src, Source)
    assert (src.id, src.data, src.source) == ("page.html", seed_bytes(0), str(page))
    assert src.is_html is True and src.url is None and src.meta == {}


@pytest.mark.parametrize(
    ("name", "fmt", "is_html"),
    [
        ("a.html", "auto", True),
        ("a.HTM", "auto", True),
        ("a.txt", "auto", None),
        ("a", "auto", None),
        ("a.txt", "html", True),
        ("a.html", "text", False),
    ],
)
def test_is_html_from_format_or_extension(
    tmp_path: Path, name: str, fmt: str, is_html: bool | None
) -> None:
    (tmp_path / name).write_bytes(b"x")
    [src] = list(iter_sources([str(tmp_path / name)], ReadOptions(input_format=fmt)))
    assert isinstance(src, Source) and src.is_html is is_html


def test_folder_is_walked_recursively_in_sorted_order_skipping_hidden(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    for rel in ["b.txt", "a.txt", "a/c.html", "a/z/d.txt", ".hidden.txt", ".git/x.txt", "a/.y"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(rel.encode())
    items = list(iter_sources([str(root)]))
    assert [s.id for s in sources(items)] == ["a/c.html", "a/z/d.txt", "a.txt", "b.txt"]
    assert [s.data for s in sources(items)] == [b"a/c.html", b"a/z/d.txt", b"a.txt", b"b.txt"]
    assert sources(items)[1].source == str(root / "a" / "z" / "d.txt")
    assert [s.is_html for s in sources(items)] == [True, None, None, None]
    assert errors(items) == []


def test_gzip_files_are_read_transparently_and_drop_gz_from_the_id(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.html.gz").write_bytes(gzip.compress(seed_bytes(1)))
    [src] = list(iter_sources([str(tmp_path)]))
    assert isinstance(src, Source)
    assert (src.id, src.data, src.is_html) == ("sub/page.html", seed_bytes(1), True)


def test_missing_path_and_broken_gzip_are_errors_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "bad.txt.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    (tmp_path / "good.txt").write_bytes(seed_bytes(2))
    missing = str(tmp_path / "nope.txt")
    items = list(iter_sources([missing, str(tmp_path / "bad.txt.gz"), str(tmp_path / "good.txt")]))
    assert [type(i).__name__ for i in items] == ["InputError", "InputError", "Source"]
    first, second = errors(items)
    assert first.source == missing and "no such file" in first.reason
    assert second.source == str(tmp_path / "bad.txt.gz") and "gzip" in second.reason
    assert sources(items)[0].data == seed_bytes(2)


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / ".only-hidden").write_text("x")
    [err] = list(iter_sources([str(tmp_path)]))
    assert isinstance(err, InputError) and "no input files" in err.reason


def test_unknown_input_format_is_a_usage_error() -> None:
    with pytest.raises(CleanerError, match="unknown input format 'xml'"):
        list(iter_sources(["x"], ReadOptions(input_format="xml")))


# --- JSON lines ------------------------------------------------------------------------


def test_jsonl_records_become_sources(tmp_path: Path) -> None:
    seed = SEEDS[0].read_text(encoding="utf-8")
    path = tmp_path / "dump.jsonl"
    write_jsonl(
        path,
        [
            {"id": "a1", "text": seed, "url": "https://ex.com/a", "site": "sputnik", "n": 3},
            {"id": 42, "html": "<p>سلام</p>", "text": "سلام"},
            {"text": "no id here"},
            {"id": "e", "html": "", "text": "html empty: text is used"},
        ],
    )
    items = list(iter_sources([str(path)], ReadOptions(source_field="site")))
    assert errors(items) == []
    a, b, c, d = sources(items)
    assert (a.id, a.data, a.url, a.is_html) == ("a1", seed, "https://ex.com/a", None)
    assert a.meta == {"source_name": "sputnik"} and a.source == f"{path}:1"
    assert (b.id, b.data, b.is_html, b.meta) == ("42", "<p>سلام</p>", True, {})
    assert (c.id, c.source) == ("dump.jsonl:3", f"{path}:3")
    assert (d.data, d.is_html) == ("html empty: text is used", None)


def test_bad_lines_are_errors_with_file_and_line_and_the_file_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "d.ndjson"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + b'{"text": "one"}\n'
        + b"\n"
        + b'{"text": "two"\n'
        + b'{"body": "no text field"}\n'
        + b'["a list"]\n'
        + b'{"text": "caf\xe9"}\n'
        + b'{"text": 5}\n'
        + '{"text": "سه"}'.encode()
    )
    items = list(iter_sources([str(path)]))
    assert [s.data for s in sources(items)] == ["one", "سه"]
    assert [s.id for s in sources(items)] == ["d.ndjson:1", "d.ndjson:8"]
    assert [e.source for e in errors(items)] == [f"{path}:{n}" for n in (3, 4, 5, 6, 7)]
    reasons = [e.reason for e in errors(items)]
    assert reasons[0].startswith("bad JSON")
    assert "no string field 'html' or 'text'" in reasons[1]
    assert "JSON object" in reasons[2]
    assert "not UTF-8" in reasons[3]


def test_custom_field_names(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    write_jsonl(path, [{"doc": "d1", "body": "<b>x</b>", "link": "u", "outlet": "bbc"}])
    [src] = list(
        iter_sources(
            [str(path)],
            ReadOptions(id_field="doc", html_field="body", url_field="link", source_field="outlet"),
        )
    )
    assert isinstance(src, Source)
    assert (src.id, src.data, src.is_html, src.url) == ("d1", "<b>x</b>", True, "u")
    assert src.meta == {"source_name": "bbc"}


def test_gzipped_jsonl_and_forced_jsonl_format(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl.gz", [{"id": "g", "text": "gz"}], compress=True)
    write_jsonl(tmp_path / "b.txt", [{"id": "t", "text": "forced"}])
    auto = list(iter_sources([str(tmp_path / "a.jsonl.gz")]))
    assert [(s.id, s.data) for s in sources(auto)] == [("g", "gz")]
    forced = list(iter_sources([str(tmp_path / "b.txt")], ReadOptions(input_format="jsonl")))
    assert [(s.id, s.data) for s in sources(forced)] == [("t", "forced")]


class CountingStream(io.RawIOBase):
    """A binary stream of lines that counts how many lines were handed out."""

    def __init__(self, lines: list[bytes]) -> None:
        self.lines = lines
        self.taken = 0

    def readline(self, size: int | None = -1) -> bytes:
        if self.taken >= len(self.lines):
            return b""
        self.taken += 1
        return self.lines[self.taken - 1]

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        raise AssertionError("JSON lines must be streamed, not read whole")


def test_jsonl_from_stdin_is_streamed() -> None:
    stream = CountingStream([b'{"id": "%d", "text": "t"}\n' % i for i in range(1000)])
    it = iter_sources(["-"], ReadOptions(input_format="jsonl"), stdin=stream)  # type: ignore[arg-type]
    first = next(it)
    assert isinstance(first, Source)
    assert (first.id, first.source) == ("0", "<stdin>:1")
    assert stream.taken == 1
    assert len(list(it)) == 999


# --- stdin -----------------------------------------------------------------------------


def test_stdin_document() -> None:
    items = list(iter_sources(["-"], stdin=io.BytesIO(seed_bytes(3))))
    [src] = sources(items)
    assert (src.id, src.source, src.data, src.is_html) == ("stdin", "<stdin>", seed_bytes(3), None)


def test_stdin_jsonl_fallback_id_and_dash_twice() -> None:
    stdin = io.BytesIO(b'{"text": "a"}\n{"html": "<p>b</p>"}\n')
    items = list(iter_sources(["-", "-"], ReadOptions(input_format="jsonl"), stdin=stdin))
    assert [(s.id, s.is_html) for s in sources(items)] == [("stdin:1", None), ("stdin:2", True)]
    [err] = errors(items)
    assert err.source == "<stdin>" and "more than once" in err.reason
