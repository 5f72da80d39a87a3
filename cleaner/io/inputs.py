"""The inputs of a run: files, folders, gzip files, JSON lines records and stdin, as Sources.

:func:`iter_sources` turns the paths given on the command line into a stream of
:class:`~cleaner.document.Source` objects, in a deterministic order, and yields an
:class:`~cleaner.document.InputError` (instead of raising) for each input that cannot be read,
so one bad file or record never stops a run. Nothing is decoded here (see
:mod:`cleaner.io.decode`), except JSON lines, which are UTF-8 by definition.

Reading is bounded (:mod:`cleaner.io.reading`): only regular files are opened, gzip is
decompressed as a stream, and a document (a file, its decompressed bytes, a record's line,
stdin) over ``max_bytes`` is refused with its reason, so memory stays bounded.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from cleaner.document import Source
from cleaner.errors import CleanerError, InputError, name_text
from cleaner.io.reading import (
    DEFAULT_MAX_BYTES,
    Refused,
    capped_lines,
    open_regular,
    read_capped,
    too_big,
)

#: Accepted values of ``input_format``.
INPUT_FORMATS = ("auto", "text", "html", "jsonl")
#: Extensions read as JSON lines in ``auto`` mode (also under a ``.gz``).
JSONL_EXTENSIONS = frozenset({".jsonl", ".ndjson"})
#: Extensions read as one JSON document in ``auto`` mode: an array of records (an object:
#: one record); a file of several JSON values (JSON lines named .json) is read as JSON lines.
JSON_EXTENSIONS = frozenset({".json"})
#: Extensions read as HTML in ``auto`` mode (others are sniffed later).
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})

STDIN_ID = "stdin"
STDIN_SOURCE = "<stdin>"

_READ_ERRORS = (OSError, EOFError, zlib.error)  # gzip.BadGzipFile is an OSError


@dataclass(frozen=True)
class ReadOptions:
    """How inputs are read: ``--input-format``, the JSON lines fields a record is read from,
    and the cap on one document's bytes (``--max-doc-mb``).

    Attributes:
        input_format: ``auto`` (by extension: ``.jsonl``/``.ndjson`` are records,
            ``.html``/``.htm``/``.xhtml`` are HTML, others are sniffed later), ``text``,
            ``html``, or ``jsonl`` (every input, stdin included, is JSON lines).
        id_field: Record field holding the document id (fallback ``<file id>:<line>``).
        text_field: Record field holding plain or half-extracted text.
        html_field: Record field holding HTML; preferred over ``text_field`` when non-empty.
        url_field: Record field holding the page URL.
        source_field: Record field whose value is carried in ``meta["source_name"]``.
        max_bytes: Cap on one document's bytes (decompressed); a larger one is refused.
        title_field: Record field holding the document's title (``Source.title``).
    """

    input_format: str = "auto"
    id_field: str = "id"
    text_field: str = "text"
    html_field: str = "html"
    url_field: str = "url"
    source_field: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    title_field: str | None = None


def iter_sources(
    paths: Sequence[str],
    read: ReadOptions | None = None,
    *,
    stdin: BinaryIO | None = None,
) -> Iterator[Source | InputError]:
    """Yield one Source per document of the inputs, or an InputError for each unreadable one.

    Args:
        paths: Files, folders (walked recursively in sorted order, hidden files and folders
            skipped, symlinked folders not followed), or ``-`` for standard input.
        read: The format, the record fields and the size cap (:class:`ReadOptions`).
        stdin: Binary stream read for ``-`` (default: ``sys.stdin.buffer``).

    ``Source.id`` is the path relative to the folder given (for files found in a folder) or
    the file name (for a file given directly), with POSIX separators and without ``.gz``;
    ``stdin`` for standard input; bytes of a file name that do not decode are written
    ``\\xNN`` in ids and messages (:func:`~cleaner.errors.name_text`). Files are read
    whole; JSON lines are streamed line by line.
    Standard input in ``auto`` format is read as JSON lines when its first line is a JSON
    object. Anything but a regular file (a FIFO, a socket, a device) is refused unread.

    Raises:
        CleanerError: ``input_format`` is not one of :data:`INPUT_FORMATS`.
    """
    fields = read or ReadOptions()
    input_format, max_bytes = fields.input_format, fields.max_bytes
    if input_format not in INPUT_FORMATS:
        raise CleanerError(
            f"unknown input format {input_format!r}: use one of {', '.join(INPUT_FORMATS)}"
        )
    stdin_read = False
    for arg in paths:
        if arg == "-":
            if stdin_read:
                yield InputError(STDIN_SOURCE, "'-' given more than once; stdin is read once")
                continue
            stdin_read = True
            yield from _iter_stdin(stdin or sys.stdin.buffer, input_format, fields, max_bytes)
            continue
        path = Path(arg)
        if path.is_dir():
            yield from _iter_folder(path, arg, input_format, fields, max_bytes)
        elif path.exists():
            yield from iter_file(
                path, name_text(arg), name_text(path.name), input_format, fields, max_bytes
            )
        else:
            yield InputError(arg, "no such file or folder; check the path")


def _iter_folder(
    root: Path, arg: str, input_format: str, fields: ReadOptions, max_bytes: int
) -> Iterator[Source | InputError]:
    """The documents of every visible file under ``root``, in sorted order."""
    errors: list[OSError] = []
    found: list[tuple[tuple[str, ...], Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.startswith("."):
                file = Path(dirpath, name)
                found.append((file.relative_to(root).parts, file))
    for err in errors:
        shown = name_text(str(err.filename or arg))
        yield InputError(shown, f"cannot read folder: {err.strerror or err}")
    if not found and not errors:
        yield InputError(arg, "folder holds no input files (hidden files are skipped)")
    for parts, file in sorted(found):
        shown, doc_id = name_text(os.path.join(arg, *parts)), name_text("/".join(parts))
        yield from iter_file(file, shown, doc_id, input_format, fields, max_bytes)


def iter_file(
    path: Path,
    shown: str,
    doc_id: str,
    input_format: str,
    fields: ReadOptions,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Source | InputError]:
    """The document of one file, or its records when it holds JSON lines.

    A file that is not a regular file (FIFO, socket, device) yields an InputError unread.
    """
    gz = doc_id.lower().endswith(".gz")
    if gz:
        doc_id = doc_id[:-3]
    ext = os.path.splitext(doc_id)[1].lower()
    records = holds_records(doc_id, input_format)
    try:
        with open_regular(path) as raw:
            stream = cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb")) if gz else raw
            if records:
                yield from _iter_records(stream, shown, doc_id, fields, max_bytes)
                return
            what = "decompresses to more" if gz else "larger"
            data = read_capped(stream, max_bytes, sniff=gz, what=what)
    except Refused as err:
        yield InputError(shown, str(err))
        return
    except _READ_ERRORS as err:
        yield InputError(shown, _read_failure(err, gz))
        return
    if input_format == "auto" and ext in JSON_EXTENSIONS:
        yield from _iter_json(data, shown, doc_id, fields)
        return
    yield Source(id=doc_id, data=data, source=shown, is_html=_is_html(input_format, ext))


def holds_records(file_id: str, input_format: str) -> bool:
    """Whether a file (named by its id, ``.gz`` removed) is read as JSON lines records.

    >>> [holds_records(*a) for a in [("a.ndjson", "auto"), ("a.txt", "auto"), ("a", "jsonl")]]
    [True, False, True]
    """
    ext = os.path.splitext(file_id)[1].lower()
    return input_format == "jsonl" or (input_format == "auto" and ext in JSONL_EXTENSIONS)


def _read_failure(err: BaseException, gz: bool) -> str:
    """What went wrong reading a file, and what to do."""
    if isinstance(err, (EOFError, zlib.error, gzip.BadGzipFile)):
        return f"not a valid gzip file ({err or 'truncated'}); re-compress it or drop the .gz name"
    if isinstance(err, PermissionError):
        return "permission denied; make the file readable"
    if isinstance(err, OSError) and err.strerror:
        return f"cannot read: {err.strerror}" + ("; is it really gzip?" if gz else "")
    return f"cannot read: {err}"


def _is_html(input_format: str, ext: str) -> bool | None:
    """Whether a document is HTML: known from the format or extension, else None (sniff).

    >>> _is_html("auto", ".htm"), _is_html("auto", ".txt"), _is_html("text", ".html")
    (True, None, False)
    """
    if input_format == "html":
        return True
    if input_format == "text":
        return False
    return True if ext in HTML_EXTENSIONS else None


def _iter_stdin(
    stream: BinaryIO, input_format: str, fields: ReadOptions, max_bytes: int
) -> Iterator[Source | InputError]:
    """The document on standard input, or its records (``jsonl``, or sniffed in ``auto``)."""
    if input_format == "jsonl":
        yield from _iter_records(stream, STDIN_SOURCE, STDIN_ID, fields, max_bytes)
        return
    try:
        first = stream.readline(max_bytes + 1)
        if input_format == "auto" and _is_record(first):
            yield from _iter_records(stream, STDIN_SOURCE, STDIN_ID, fields, max_bytes, first)
            return
        rest = read_capped(stream, max_bytes - len(first)) if len(first) <= max_bytes else b"x"
        if len(first) + len(rest) > max_bytes:
            raise Refused(too_big(max_bytes))
    except Refused as err:
        yield InputError(STDIN_SOURCE, str(err))
        return
    except OSError as err:
        yield InputError(STDIN_SOURCE, f"cannot read: {err}")
        return
    data = first + rest
    yield Source(id=STDIN_ID, data=data, source=STDIN_SOURCE, is_html=_is_html(input_format, ""))


def _is_record(line: bytes) -> bool:
    """Whether a first line reads as a JSON lines record (an object on one line).

    >>> _is_record(b'{"id": 1, "text": "x"}\\n'), _is_record(b"<html>\\n"), _is_record(b"{ a")
    (True, False, False)
    """
    head = line.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(head), dict)
    except (ValueError, RecursionError):
        return False


def _iter_records(
    stream: BinaryIO,
    shown: str,
    file_id: str,
    fields: ReadOptions,
    max_bytes: int,
    first: bytes | None = None,
) -> Iterator[Source | InputError]:
    """One Source per JSON lines record; one InputError per bad line, then go on.

    ``first`` is a first line already read from ``stream`` (to sniff it).
    """
    lines = capped_lines(stream, max_bytes, first)
    yield from iter_records(lines, shown, file_id, fields, max_bytes)


def iter_records(
    lines: Iterable[bytes | None],
    shown: str,
    file_id: str,
    fields: ReadOptions,
    max_bytes: int,
    start: int = 1,
) -> Iterator[Source | InputError]:
    """The records of raw JSON lines (None: a line over ``max_bytes``, refused), numbered
    from ``start`` (a batch of lines from inside a file); a bad line is an InputError."""
    for lineno, raw in enumerate(lines, start):
        where = f"{shown}:{lineno}"
        if raw is None:
            yield InputError(where, "record " + too_big(max_bytes))
            continue
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a UTF-8 byte order mark some editors write
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as err:
            yield InputError(where, f"not UTF-8 (byte {err.start + 1}); JSON lines are UTF-8")
            continue
        except json.JSONDecodeError as err:
            yield InputError(where, f"bad JSON: {err.msg} (column {err.colno})")
            continue
        except RecursionError:
            yield InputError(where, "JSON nested too deep to read (about 1,000 levels)")
            continue
        if not isinstance(record, dict):
            kind = type(record).__name__
            yield InputError(where, f"expected a JSON object per line, got {kind}")
            continue
        if _SURROGATE_ESCAPE.search(raw) and _lone_surrogate(record):
            yield InputError(where, _LONE_SURROGATE)
            continue
        try:
            yield record_source(record, where, f"{file_id}:{lineno}", fields)
        except RecursionError:
            yield InputError(where, "JSON nested too deep to read (about 1,000 levels)")


_LONE_SURROGATE = (
    "holds a lone surrogate escape (such as \\ud800), which is not a character;"
    " fix the program that wrote it"
)
#: A JSON escape of a surrogate code unit: half of a pair (fine), or alone (not text).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _lone_surrogate(record: dict[str, Any]) -> bool:
    """Whether a record holds a string with an unpaired surrogate (UTF-8 cannot write it).

    >>> _lone_surrogate(json.loads('{"a": "\\\\ud83d\\\\ude00"}'))
    False
    >>> _lone_surrogate(json.loads('{"a": ["x\\\\ud800"]}'))
    True
    """
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except RecursionError:  # too deep to tell here; reading its fields will say so
        return False
    return False


def id_text(value: Any) -> str:
    """A record's id as text: a string as it is, any other JSON value written as JSON.

    >>> id_text("a/b"), id_text(7), id_text(2.5), id_text(True), id_text({"x": 1}), id_text([1])
    ('a/b', '7', '2.5', 'true', '{"x":1}', '[1]')
    """
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _iter_json(
    data: bytes, shown: str, file_id: str, fields: ReadOptions
) -> Iterator[Source | InputError]:
    """The records of a ``.json`` file: an array's items (``FILE:N`` is item N, from 1), an
    object as one record; several values one per line are JSON lines; else a clear error."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        yield InputError(shown, f"not UTF-8 (byte {err.start + 1}); JSON is UTF-8")
        return
    except json.JSONDecodeError as err:
        if err.msg == "Extra data":  # one value per line: JSON lines under a .json name
            lines = io.BytesIO(data)
            yield from _iter_records(lines, shown, file_id, fields, max(len(data), 1))
        else:
            yield InputError(shown, f"bad JSON: {err.msg} (line {err.lineno}, column {err.colno})")
        return
    except RecursionError:
        yield InputError(shown, "JSON nested too deep to read (about 1,000 levels)")
        return
    items = value if isinstance(value, list) else [value]
    check = _SURROGATE_ESCAPE.search(data) is not None
    for n, record in enumerate(items, 1):
        where = f"{shown}:{n}"
        if isinstance(record, dict) and check and _lone_surrogate(record):
            yield InputError(where, _LONE_SURROGATE)
        elif isinstance(record, dict):
            try:
                yield record_source(record, where, f"{file_id}:{n}", fields)
            except RecursionError:
                yield InputError(where, "JSON nested too deep to read (about 1,000 levels)")
        else:
            kind = type(record).__name__
            yield InputError(where, f"expected a JSON object (a record) per item, got {kind}")


def record_source(
    record: dict[str, Any], where: str, fallback_id: str, fields: ReadOptions
) -> Source | InputError:
    """The Source of one record, or an InputError if it holds no document.

    >>> f = ReadOptions(source_field="site", title_field="headline")
    >>> rec = {"id": 7, "html": "<p>x</p>", "site": "bbc", "headline": "X"}
    >>> s = record_source(rec, "a:1", "a:1", f)
    >>> s.id, s.data, s.is_html, s.meta, s.title
    ('7', '<p>x</p>', True, {'source_name': 'bbc'}, 'X')
    >>> record_source({"text": "x", "url": "https://e.com"}, "a:2", "a:2", f).id
    'a:2'
    >>> record_source({"body": "x"}, "a:3", "a:3", f).reason
    "record has no string field 'html' or 'text'; name the fields to read"
    """
    html, text = record.get(fields.html_field), record.get(fields.text_field)
    if isinstance(html, str) and (html.strip() or not isinstance(text, str)):
        data, is_html = html, True
    elif isinstance(text, str):
        data, is_html = text, None
    else:
        return InputError(
            where,
            f"record has no string field {fields.html_field!r} or {fields.text_field!r};"
            " name the fields to read",
        )
    raw_id = record.get(fields.id_field)
    doc_id = fallback_id if raw_id is None or raw_id == "" else id_text(raw_id)
    url = record.get(fields.url_field)
    meta: dict[str, Any] = {}
    if fields.source_field and record.get(fields.source_field) is not None:
        meta["source_name"] = record[fields.source_field]
    title = record.get(fields.title_field) if fields.title_field else None
    return Source(
        id=doc_id,
        data=data,
        source=where,
        url=url if isinstance(url, str) and url else None,
        is_html=is_html,
        meta=meta,
        title=title if isinstance(title, str) and title.strip() else None,
    )
