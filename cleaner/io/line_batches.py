"""A dataset's reading split into batches a pool worker can finish: raw JSON lines (parsed
where the batch is sent) or sources already read.

Reading a JSON lines file here is only cutting its bytes into blocks of whole lines (a
:class:`LineBlock`: the newlines are found and counted in C, not a line at a time); splitting
a block into lines, parsing each line, picking its fields and making its Source is the costly
part, and :func:`read_batch` does it wherever the batch goes. A gzipped file is read a line
at a time (:class:`LineBatch`), so that a file cut short keeps every line before the cut.

Reading the batches of :func:`dataset_batches` one after the other gives the same sources
and errors, in the same order, as
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

import numpy as np

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


@dataclass(frozen=True)
class LineBlock:
    """Consecutive whole lines of one JSON lines file, as one block of bytes.

    Attributes:
        shown: How messages name the file.
        file_id: The file's id (records without an id are named ``file_id:line``).
        first: The line number of the block's first line (from 1).
        data: The lines as read, each ending with a newline but perhaps the file's last.
        fields: The record fields to read.
        max_bytes: The cap on one record's line (a longer line in the block is refused).
    """

    shown: str
    file_id: str
    first: int
    data: bytes
    fields: ReadOptions
    max_bytes: int

    def lines(self) -> list[bytes | None]:
        """The block's lines without their newlines; None for a line over ``max_bytes``.

        >>> LineBlock("f", "f", 1, b"ab" + chr(10).encode() + b"abcd", ReadOptions(), 3).lines()
        [b'ab', None]
        """
        lines = self.data.split(b"\n")
        if self.data.endswith(b"\n"):
            lines.pop()
        cap = self.max_bytes
        return [None if len(x) > cap else x for x in lines]


#: A batch: raw lines, a block of them, or sources (and errors) already read.
Batch = LineBatch | LineBlock | list[Source | InputError]


def read_batch(batch: Batch) -> list[Source | InputError]:
    """The sources of a batch, in order; a bad line is an InputError and the rest go on."""
    if isinstance(batch, LineBatch | LineBlock):
        b = batch
        lines = b.lines() if isinstance(b, LineBlock) else b.lines
        return list(iter_records(lines, b.shown, b.file_id, b.fields, b.max_bytes, b.first))
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
        if _is_jsonl(part, read) and not part.file_id.lower().endswith(".gz"):
            for batch in _line_blocks(part, read, max_lines, max_bytes):
                yield k, batch
        elif _is_jsonl(part, read):
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


#: Bytes read at once from a JSON lines file.
_READ_SIZE = 1 << 18


def _line_blocks(
    part: Partition, read: ReadOptions, max_lines: int, max_bytes: int
) -> Iterator[Batch]:
    """The lines of a plain JSON lines partition in blocks of at most ``max_lines`` lines or
    about ``max_bytes`` bytes, as :func:`_line_batches` reads them: a line over the cap is a
    None line (a :class:`LineBatch` of its own when it outgrows the cap before it ends: its
    bytes are dropped as they come, not held); a file that cannot be read or is refused ends
    with an InputError after the whole lines read so far."""
    limit = read.max_bytes
    buf = bytearray()  # whole lines not sent yet, then the start of the next line
    ends: list[int] = []  # where in ``buf`` each whole line ends (after its newline)
    first = 1
    skipping = False  # in a line over the cap: its bytes are dropped up to its newline

    def block(lines: int) -> LineBlock:
        nonlocal buf, ends, first
        size = ends[lines - 1]
        out = LineBlock(part.shown, part.file_id, first, bytes(buf[:size]), read, limit)
        del buf[:size]
        ends = [e - size for e in ends[lines:]]
        first += lines
        return out

    failure = None
    try:
        with open_regular(Path(part.path)) as raw:
            while chunk := raw.read(_READ_SIZE):
                if skipping:
                    at = chunk.find(b"\n")
                    if at < 0:
                        continue
                    chunk, skipping = chunk[at + 1 :], False
                newlines = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 10)
                ends += (newlines + (len(buf) + 1)).tolist()
                buf += chunk
                while len(ends) >= max_lines or (ends and ends[-1] >= max_bytes):
                    yield block(min(len(ends), max_lines))
                if len(buf) - (ends[-1] if ends else 0) > limit:  # a line over the cap
                    if ends:
                        yield block(len(ends))
                    yield LineBatch(part.shown, part.file_id, first, [None], read, limit)
                    first += 1
                    buf.clear()
                    skipping = True
    except Refused as err:
        failure = str(err)
    except _READ_ERRORS as err:
        failure = _read_failure(err, False)
    if failure is None and len(buf) > (ends[-1] if ends else 0):
        ends.append(len(buf))  # the last line, without a newline
    if ends:
        yield block(len(ends))
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
