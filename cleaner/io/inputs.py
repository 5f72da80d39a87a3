"""The inputs of a run: files, folders, gzip files, JSON lines records and stdin, as Sources.

:func:`iter_sources` turns the paths given on the command line into a stream of
:class:`~cleaner.document.Source` objects, in a deterministic order, and yields an
:class:`~cleaner.document.InputError` (instead of raising) for each input that cannot be read,
so one bad file or record never stops a run. Nothing is decoded here (see
:mod:`cleaner.io.decode`), except JSON lines, which are UTF-8 by definition.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cleaner.document import Source
from cleaner.errors import CleanerError, InputError

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
class RecordFields:
    """Names of the JSON lines fields a record is read from."""

    id: str
    text: str
    html: str
    url: str
    source: str | None


def iter_sources(
    paths: Sequence[str],
    *,
    input_format: str = "auto",
    id_field: str = "id",
    text_field: str = "text",
    html_field: str = "html",
    url_field: str = "url",
    source_field: str | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[Source | InputError]:
    """Yield one Source per document of the inputs, or an InputError for each unreadable one.

    Args:
        paths: Files, folders (walked recursively in sorted order, hidden files and folders
            skipped, symlinked folders not followed), or ``-`` for standard input.
        input_format: ``auto`` (by extension: ``.jsonl``/``.ndjson`` are records,
            ``.html``/``.htm``/``.xhtml`` are HTML, others are sniffed later), ``text``,
            ``html``, or ``jsonl`` (every input, stdin included, is JSON lines).
        id_field: Record field holding the document id (fallback ``<file id>:<line>``).
        text_field: Record field holding plain or half-extracted text.
        html_field: Record field holding HTML; preferred over ``text_field`` when non-empty.
        url_field: Record field holding the page URL.
        source_field: Record field whose value is carried in ``meta["source_name"]``.
        stdin: Binary stream read for ``-`` (default: ``sys.stdin.buffer``).

    ``Source.id`` is the path relative to the folder given (for files found in a folder) or
    the file name (for a file given directly), with POSIX separators and without ``.gz``;
    ``stdin`` for standard input. Files are read whole; JSON lines are streamed line by line.

    Raises:
        CleanerError: ``input_format`` is not one of :data:`INPUT_FORMATS`.
    """
    if input_format not in INPUT_FORMATS:
        raise CleanerError(
            f"unknown input format {input_format!r}: use one of {', '.join(INPUT_FORMATS)}"
        )
    fields = RecordFields(id_field, text_field, html_field, url_field, source_field)
    stdin_read = False
    for arg in paths:
        if arg == "-":
            if stdin_read:
                yield InputError(STDIN_SOURCE, "'-' given more than once; stdin is read once")
                continue
            stdin_read = True
            yield from _iter_stdin(stdin or sys.stdin.buffer, input_format, fields)
            continue
        path = Path(arg)
        if path.is_dir():
            yield from _iter_folder(path, arg, input_format, fields)
        elif path.exists():
            yield from iter_file(path, arg, path.name, input_format, fields)
        else:
            yield InputError(arg, "no such file or folder; check the path")


def _iter_folder(
    root: Path, arg: str, input_format: str, fields: RecordFields
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
        yield InputError(str(err.filename or arg), f"cannot read folder: {err.strerror or err}")
    if not found and not errors:
        yield InputError(arg, "folder holds no input files (hidden files are skipped)")
    for parts, file in sorted(found):
        shown = os.path.join(arg, *parts)
        yield from iter_file(file, shown, "/".join(parts), input_format, fields)


def iter_file(
    path: Path, shown: str, doc_id: str, input_format: str, fields: RecordFields
) -> Iterator[Source | InputError]:
    """The document of one file, or its records when it holds JSON lines."""
    gz = doc_id.lower().endswith(".gz")
    if gz:
        doc_id = doc_id[:-3]
    ext = os.path.splitext(doc_id)[1].lower()
    records = input_format == "jsonl" or (input_format == "auto" and ext in JSONL_EXTENSIONS)
    try:
        if records:
            opener = gzip.open if gz else open
            with opener(path, "rb") as stream:
                yield from _iter_records(stream, shown, doc_id, fields)
            return
        data = _read_gzip(path) if gz else path.read_bytes()
    except _READ_ERRORS as err:
        yield InputError(shown, _read_failure(err, gz))
        return
    if input_format == "auto" and ext in JSON_EXTENSIONS:
        yield from _iter_json(data, shown, doc_id, fields)
        return
    yield Source(id=doc_id, data=data, source=shown, is_html=_is_html(input_format, ext))


def _read_gzip(path: Path) -> bytes:
    """The decompressed bytes of a gzip file."""
    with gzip.open(path, "rb") as stream:
        return stream.read()


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
    stream: BinaryIO, input_format: str, fields: RecordFields
) -> Iterator[Source | InputError]:
    """The document on standard input, or its records with ``input_format="jsonl"``."""
    if input_format == "jsonl":
        yield from _iter_records(stream, STDIN_SOURCE, STDIN_ID, fields)
        return
    try:
        data = stream.read()
    except OSError as err:
        yield InputError(STDIN_SOURCE, f"cannot read: {err}")
        return
    yield Source(id=STDIN_ID, data=data, source=STDIN_SOURCE, is_html=_is_html(input_format, ""))


def _iter_records(
    lines: Iterable[bytes], shown: str, file_id: str, fields: RecordFields
) -> Iterator[Source | InputError]:
    """One Source per JSON lines record; one InputError per bad line, then go on."""
    for lineno, raw in enumerate(lines, 1):
        where = f"{shown}:{lineno}"
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
        if not isinstance(record, dict):
            kind = type(record).__name__
            yield InputError(where, f"expected a JSON object per line, got {kind}")
            continue
        yield record_source(record, where, f"{file_id}:{lineno}", fields)


def _iter_json(
    data: bytes, shown: str, file_id: str, fields: RecordFields
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
            yield from _iter_records(data.splitlines(keepends=True), shown, file_id, fields)
        else:
            yield InputError(shown, f"bad JSON: {err.msg} (line {err.lineno}, column {err.colno})")
        return
    items = value if isinstance(value, list) else [value]
    for n, record in enumerate(items, 1):
        where = f"{shown}:{n}"
        if isinstance(record, dict):
            yield record_source(record, where, f"{file_id}:{n}", fields)
        else:
            kind = type(record).__name__
            yield InputError(where, f"expected a JSON object (a record) per item, got {kind}")


def record_source(
    record: dict[str, Any], where: str, fallback_id: str, fields: RecordFields
) -> Source | InputError:
    """The Source of one record, or an InputError if it holds no document.

    >>> f = RecordFields("id", "text", "html", "url", "site")
    >>> s = record_source({"id": 7, "html": "<p>x</p>", "site": "bbc"}, "a:1", "a:1", f)
    >>> s.id, s.data, s.is_html, s.meta
    ('7', '<p>x</p>', True, {'source_name': 'bbc'})
    >>> record_source({"text": "x", "url": "https://e.com"}, "a:2", "a:2", f).id
    'a:2'
    >>> record_source({"body": "x"}, "a:3", "a:3", f).reason
    "record has no string field 'html' or 'text'; name the fields to read"
    """
    html, text = record.get(fields.html), record.get(fields.text)
    if isinstance(html, str) and (html.strip() or not isinstance(text, str)):
        data, is_html = html, True
    elif isinstance(text, str):
        data, is_html = text, None
    else:
        return InputError(
            where,
            f"record has no string field {fields.html!r} or {fields.text!r};"
            " name the fields to read",
        )
    raw_id = record.get(fields.id)
    doc_id = fallback_id if raw_id is None or raw_id == "" else str(raw_id)
    url = record.get(fields.url)
    meta: dict[str, Any] = {}
    if fields.source and record.get(fields.source) is not None:
        meta["source_name"] = record[fields.source]
    return Source(
        id=doc_id,
        data=data,
        source=where,
        url=url if isinstance(url, str) and url else None,
        is_html=is_html,
        meta=meta,
    )
