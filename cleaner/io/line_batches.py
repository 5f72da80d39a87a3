"""A dataset's reading split into batches a pool worker can finish: raw JSON lines (parsed
where the batch is sent) or sources already read.

Reading a JSON lines file here is only splitting its bytes into lines; parsing each line,
picking its fields and making its Source is the costly part, and :func:`read_batch` does it
wherever the batch goes. Reading the batches of :func:`dataset_batches` one after the other
gives the same sources and errors, in the same order, as
:func:`cleaner.io.partitions.read_partition` over the partitions (or
:func:`cleaner.io.inputs.iter_sources` for stdin).

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> with open(os.path.join(folder, "a.jsonl"), "w") as f:
...     _ = f.write('{"id": "x", "text": "one"}' + chr(10) + "oops" + chr(10))
>>> [(k, [getattr(s, "id", None) or s.reason for s in read_batch(b)])
...  for k, b in dataset_batches([folder], ReadOptions())]
[(0, ['x', 'bad JSON: Expecting value (column 1)'])]
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from cleaner.document import Source
from cleaner.errors import InputError
from cleaner.io.inputs import (
    _READ_ERRORS,
    ReadOptions,
    _read_failure,
    holds_records,
    iter_records,
    iter_sources,
)
from cleaner.io.partitions import PARQUET, Partition, list_partitions, read_partition
from cleaner.io.reading import Refused, capped_lines, open_regular


@dataclass(frozen=True)
class LineBatch:
    """Consecutive raw lines of one JSON lines file.

    Attributes:
        shown: How messages name the file.
        file_id: The file's id (records without an id are named ``file_id:line``).
        first: The line number of ``lines[0]`` (from 1).
        lines: The lines as read, end of line included; None for a line over ``max_bytes``.
        fields: The record fields to read.
        max_bytes: The cap on one record's line.
    """

    shown: str
    file_id: str
    first: int
    lines: list[bytes | None]
    fields: ReadOptions
    max_bytes: int


#: A batch: raw lines, or sources (and errors) already read.
Batch = LineBatch | list[Source | InputError]


def read_batch(batch: Batch) -> list[Source | InputError]:
    """The sources of a batch, in order; a bad line is an InputError and the rest go on."""
    if isinstance(batch, LineBatch):
        b = batch
        return list(iter_records(b.lines, b.shown, b.file_id, b.fields, b.max_bytes, b.first))
    return batch


def dataset_batches(
    paths: Sequence[str], read: ReadOptions, max_lines: int = 1000, max_bytes: int = 2 << 20
) -> Iterator[tuple[int, Batch]]:
    """``(partition index, batch)`` for the inputs of ``paths``, in reading order.

    A batch holds at most ``max_lines`` lines (or sources) or about ``max_bytes`` bytes of
    lines, so the reader holds one batch at a time. Standard input is one partition, read as
    :func:`cleaner.io.inputs.iter_sources` reads it.
    """
    parts = list_partitions(paths)
    if parts is None:
        for chunk in _chunks(iter_sources(paths, read), max_lines, max_bytes):
            yield 0, chunk
        return
    for k, part in enumerate(parts):
        if _is_jsonl(part, read):
            for batch in _line_batches(part, read, max_lines, max_bytes):
                yield k, batch
        else:
            for chunk in _chunks(read_partition(part, read), max_lines, max_bytes):
                yield k, chunk


def _is_jsonl(part: Partition, read: ReadOptions) -> bool:
    """Whether a partition is a readable JSON lines file (as :func:`read_partition` reads)."""
    if part.error is not None or part.path.lower().endswith(PARQUET):
        return False
    gz = part.file_id.lower().endswith(".gz")
    return holds_records(part.file_id[:-3] if gz else part.file_id, read.input_format)


def _line_batches(
    part: Partition, read: ReadOptions, max_lines: int, max_bytes: int
) -> Iterator[Batch]:
    """The raw lines of a JSON lines partition in batches, read as
    :func:`cleaner.io.inputs.iter_file` reads them; a file that cannot be read or is refused
    ends with an InputError after the lines read so far."""
    gz = part.file_id.lower().endswith(".gz")
    file_id = part.file_id[:-3] if gz else part.file_id
    fields = read
    lines: list[bytes | None] = []
    first, size = 1, 0
    failure = None
    try:
        with open_regular(Path(part.path)) as raw:
            stream = cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb")) if gz else raw
            for line in capped_lines(stream, read.max_bytes):
                lines.append(line)
                size += len(line) if line else 0
                if len(lines) >= max_lines or size >= max_bytes:
                    yield LineBatch(part.shown, file_id, first, lines, fields, read.max_bytes)
                    first += len(lines)
                    lines, size = [], 0
    except Refused as err:
        failure = str(err)
    except _READ_ERRORS as err:
        failure = _read_failure(err, gz)
    if lines:
        yield LineBatch(part.shown, file_id, first, lines, fields, read.max_bytes)
    if failure is not None:
        yield [InputError(part.shown, failure)]


def _chunks(items: Iterator[Source | InputError], most: int, max_bytes: int) -> Iterator[Batch]:
    """``items`` in lists of at most ``most`` items or about ``max_bytes`` bytes of data."""
    chunk: list[Source | InputError] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += len(item.data) if isinstance(item, Source) else 0
        if len(chunk) >= most or size >= max_bytes:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk
