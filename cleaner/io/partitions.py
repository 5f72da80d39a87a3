"""Partitioned datasets: the input files of a run as partitions a worker reads by itself.

A dataset is the files named on the command line, folders walked in sorted order like
:func:`cleaner.io.inputs.iter_sources` walks them: JSON lines (``.jsonl``, ``.ndjson``, gzipped
or not), Parquet (``.parquet``: one record per row, the same fields as JSON lines), or single
documents. Each file is a partition. A Dask worker given a partition's path reads it itself
(the client sends paths, not bytes), so the files must be where the workers can open them
(a shared folder). Reading partition after partition gives the same sources, in the same
order, as reading the paths in one process, so every engine sees the same documents.

Deduplicated documents can be written back as partitions too: ``part-00000.jsonl`` (or
``.parquet``), one per input partition, records in input order (:func:`write_part`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaner.document import Source
from cleaner.errors import CleanerError, InputError, name_text
from cleaner.io.inputs import ReadOptions, iter_file, record_source
from cleaner.io.output import jsonl_line, write_atomic

PARQUET = ".parquet"
PART_FORMATS = ("jsonl", "parquet")


@dataclass(frozen=True)
class Partition:
    """One input file, or an input that could not be listed (``error`` says why).

    Attributes:
        path: The file on disk.
        shown: How sources and messages name it (the path as given, or below its folder).
        file_id: Its id: the name given, or the path relative to its folder, without ``.gz``.
        size: Bytes on disk (to balance tasks).
        error: Why the input cannot be read; the partition then yields that InputError.
    """

    path: str
    shown: str
    file_id: str
    size: int = 0
    error: str | None = None


def list_partitions(paths: Sequence[str]) -> list[Partition] | None:
    """The partitions of ``paths`` in reading order; None when stdin (``-``) is among them.

    >>> list_partitions(["-"]) is None
    True
    >>> list_partitions(["no/such/file"])[0].error
    'no such file or folder; check the path'
    """
    if "-" in paths:
        return None
    out: list[Partition] = []
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            out.extend(_folder_partitions(path, arg))
        elif path.exists():
            out.append(Partition(arg, name_text(arg), name_text(path.name), _size(path)))
        else:
            out.append(Partition(arg, arg, arg, error="no such file or folder; check the path"))
    return out


def _folder_partitions(root: Path, arg: str) -> list[Partition]:
    """Every visible file under ``root``, sorted as :func:`cleaner.io.inputs.iter_sources` reads."""
    errors: list[OSError] = []
    found: list[tuple[tuple[str, ...], Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [
            (Path(dirpath, n).relative_to(root).parts, Path(dirpath, n))
            for n in filenames
            if not n.startswith(".")
        ]
    out = [
        Partition(
            str(e.filename or arg),
            str(e.filename or arg),
            "",
            error=f"cannot read folder: {e.strerror or e}",
        )
        for e in errors
    ]
    if not found and not errors:
        out.append(
            Partition(arg, arg, "", error="folder holds no input files (hidden files are skipped)")
        )
    for parts, file in sorted(found):
        shown, file_id = name_text(os.path.join(arg, *parts)), name_text("/".join(parts))
        out.append(Partition(str(file), shown, file_id, _size(file)))
    return out


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_partition(part: Partition, read: ReadOptions) -> Iterator[Source | InputError]:
    """The sources of one partition, in order; unreadable input yields an InputError."""
    if part.error is not None:
        yield InputError(part.shown, part.error)
    elif part.path.lower().endswith(PARQUET):
        yield from _parquet_sources(part, read)
    else:
        yield from iter_file(
            Path(part.path),
            part.shown,
            part.file_id,
            read.input_format,
            read,
            read.max_bytes,
        )


def _parquet_sources(part: Partition, read: ReadOptions) -> Iterator[Source | InputError]:
    """One source per Parquet row, named ``path:row`` (rows count from 1, like lines)."""
    pq = _need_pyarrow()
    try:
        table = pq.read_table(part.path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        yield InputError(part.shown, f"cannot read as Parquet: {exc}")
        return
    fields = read
    file_id = part.file_id[: -len(PARQUET)] if part.file_id.endswith(PARQUET) else part.file_id
    for batch in table.to_batches(max_chunksize=4096):
        for row, record in enumerate(batch.to_pylist(), 1):
            where = f"{part.shown}:{row}"
            yield record_source(record, where, f"{file_id}:{row}", fields)


def _need_pyarrow() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise CleanerError("Parquet needs pyarrow: pip install 'cleaner[scale]'") from exc
    return pq


def balance(parts: Sequence[Partition], max_bytes: int) -> Iterator[range]:
    """Consecutive partitions grouped into tasks of about ``max_bytes`` (a big file alone).

    >>> ps = [Partition(str(i), str(i), str(i), size) for i, size in enumerate([5, 5, 20, 1])]
    >>> [list(task) for task in balance(ps, 10)]
    [[0, 1], [2], [3]]
    """
    start, size = 0, 0
    for k, part in enumerate(parts):
        if k > start and size + part.size > max_bytes:
            yield range(start, k)
            start, size = k, 0
        size += part.size
    if start < len(parts):
        yield range(start, len(parts))


def write_part(records: Iterable[dict[str, Any]], path: Path, fmt: str) -> int:
    """Write records as one JSON lines or Parquet partition, atomically; how many were written."""
    rows = list(records)
    if fmt == "jsonl":
        write_atomic(path, "".join(map(jsonl_line, rows)))
    elif fmt == "parquet":
        import io

        import pyarrow as pa

        pq = _need_pyarrow()
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(rows), sink)
        write_atomic(path, sink.getvalue())
    else:
        raise CleanerError(f"unknown part format {fmt!r}; use one of {', '.join(PART_FORMATS)}")
    return len(rows)
