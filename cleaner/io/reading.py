"""Reading input bytes within bounds: regular files only, a cap on the size of a document.

A FIFO, socket or device in an input folder would block a run forever or never end; a gzip
bomb or a runaway line would take all the memory of the machine. Everything here reads at
most the cap (plus one byte, to tell "exactly the cap" from "more") and refuses the rest
with a reason the user can act on, so memory stays bounded whatever the input.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cleaner.io.decode import SAMPLE_SIZE, binary_reason

#: Default cap on one document (a file, a decompressed file, a JSON lines record, stdin).
#: News pages are well under 5 MB; cleaning costs about 15 times a text document's size in
#: memory and 30 times an HTML page's (``bench/bounded_memory.py``), so 16 MB keeps one
#: document of either kind near or under half a gigabyte.
DEFAULT_MAX_BYTES = 16 << 20
#: The command-line option that sets the cap, named in the messages.
MAX_OPTION = "--max-doc-mb"

_CHUNK = 1 << 20


class Refused(Exception):
    """An input read here is refused; the message says why and what to do."""


def too_big(limit: int, what: str = "larger") -> str:
    """The reason given for an input over the cap.

    >>> too_big(32 << 20)
    'larger than the cap of 32 MB on one document; raise it with --max-doc-mb to read it'
    """
    mb = limit / (1 << 20)
    shown = f"{mb:.0f}" if mb >= 1 else f"{mb:.2f}"
    return (
        f"{what} than the cap of {shown} MB on one document; raise it with {MAX_OPTION} to read it"
    )


def _kind(mode: int) -> str:
    """What a file that is not a regular file is.

    >>> _kind(stat.S_IFIFO), _kind(stat.S_IFSOCK)
    ('a FIFO', 'a socket')
    """
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a folder"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading; anything else is refused without blocking.

    The file is opened non-blocking and checked on the open descriptor, so a FIFO put in
    place of a file between a listing and the open cannot block the run either.

    Raises:
        Refused: Not a regular file (FIFO, socket, device).
        OSError: The file cannot be opened.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise Refused(_not_regular(mode))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise Refused(_not_regular(mode))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _not_regular(mode: int) -> str:
    return (
        f"{_kind(mode)}, not a regular file: skipped (it could block the run);"
        " pipe its content on stdin (-) to read it"
    )


def read_capped(
    stream: BinaryIO, limit: int, *, sniff: bool = False, what: str = "larger"
) -> bytes:
    """All the bytes of ``stream``, at most ``limit``.

    Args:
        stream: A binary stream (a file, a gzip stream, stdin).
        limit: The cap in bytes.
        sniff: Refuse the input as soon as its first bytes look binary (for a compressed
            stream: gzipped zeros are refused after 64 KB, not unpacked to gigabytes).
        what: How the size is described in the refusal ("larger", "decompresses to more").

    Raises:
        Refused: More than ``limit`` bytes, or binary first bytes with ``sniff``.
    """
    buf = bytearray()
    sniffed = not sniff
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - len(buf)))
        if not chunk:
            break
        buf += chunk
        if not sniffed and len(buf) >= SAMPLE_SIZE:
            _sniff(bytes(buf[:SAMPLE_SIZE]))
            sniffed = True
        if len(buf) > limit:
            raise Refused(too_big(limit, what))
    if not sniffed:
        _sniff(bytes(buf))
    return bytes(buf)


def _sniff(sample: bytes) -> None:
    reason = binary_reason(sample)
    if reason:
        raise Refused(reason)


def capped_lines(
    stream: BinaryIO, limit: int, first: bytes | None = None
) -> Iterator[bytes | None]:
    """The lines of ``stream``; None for a line over ``limit`` bytes (skipped, not kept).

    ``first`` is a line already read with ``stream.readline(limit + 1)``.

    >>> import io
    >>> list(capped_lines(io.BytesIO(b"ab\\n" + b"x" * 10 + b"\\ncd"), 5))
    [b'ab\\n', None, b'cd']
    """
    line = stream.readline(limit + 1) if first is None else first
    while line:
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # the rest of the long line, a chunk at a time
                rest = stream.readline(_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
        else:
            yield line
        line = stream.readline(limit + 1)
