"""Progress of a long run: a bar on stderr when it is a terminal, a summary line either way.

The bar (tqdm) counts input bytes, so it shows MB/s and, when the input size is known from
the files on disk, an ETA; documents and paragraphs ride along as a postfix. When stderr is
not a terminal (a pipe, a log file, CI) nothing is drawn. ``quiet`` silences the bar and the
summary; errors are still reported by the caller.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO


def input_bytes(paths: Iterable[str]) -> int | None:
    """Total size of the files under ``paths``; None when unknown (stdin, gzip).

    >>> input_bytes(["-"]) is None
    True
    """
    total = 0
    for name in paths:
        if name == "-":
            return None
        path = Path(name)
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for f in files:
            if any(part.startswith(".") for part in f.relative_to(path).parts):
                continue  # hidden files are not inputs (see cleaner.io.inputs)
            if f.suffix == ".gz":  # decompressed size is what the bar counts
                return None
            total += f.stat().st_size
    return total


def format_rate(nbytes: int, seconds: float) -> str:
    """Megabytes per second, one decimal.

    >>> format_rate(3_000_000, 2.0)
    '1.5 MB/s'
    """
    return f"{nbytes / 1e6 / max(seconds, 1e-9):.1f} MB/s"


class Progress:
    """Counts documents, paragraphs and bytes; draws a bar; prints a summary on close.

    Args:
        label: The command, first word of the summary (``clean``, ``dedupe``).
        total_bytes: Input size for the ETA, or None.
        quiet: Draw nothing and print no summary.
        stream: Where to draw (stderr by default).
        bar: Force the bar on or off (default: on when ``stream`` is a terminal).
    """

    def __init__(
        self,
        label: str,
        total_bytes: int | None = None,
        *,
        quiet: bool = False,
        stream: TextIO | None = None,
        bar: bool | None = None,
    ) -> None:
        self.label = label
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.docs = self.paragraphs = self.nbytes = self.failed = 0
        self.started = time.perf_counter()
        if bar is None:
            bar = _is_terminal(self.stream)
        self._bar: Any = None
        if bar and not quiet:
            from tqdm import tqdm

            # No monitor thread: a process with one thread can fork its worker pool safely.
            tqdm.monitor_interval = 0
            self._bar = tqdm(
                total=total_bytes,
                unit="B",
                unit_scale=True,
                unit_divisor=1000,
                file=self.stream,
                desc=label,
                # The fields are there from the first draw: a run shorter than one redraw
                # interval still shows what the bar counts.
                postfix="0 docs, 0 paragraphs",
                mininterval=0.25,
                dynamic_ncols=True,
                leave=False,
            )

    def update(self, docs: int = 0, paragraphs: int = 0, nbytes: int = 0, failed: int = 0) -> None:
        """Count finished work."""
        self.docs += docs
        self.paragraphs += paragraphs
        self.nbytes += nbytes
        self.failed += failed
        if self._bar is not None:
            self._bar.set_postfix_str(
                f"{self.docs} docs, {self.paragraphs} paragraphs", refresh=False
            )
            self._bar.update(nbytes)

    def summary(self, extra: str = "") -> str:
        """One line: counts, size, time, rate, failures."""
        secs = time.perf_counter() - self.started
        line = (
            f"cleaner {self.label}: {self.docs} documents, {self.paragraphs} paragraphs,"
            f" {self.nbytes / 1e6:.1f} MB in {secs:.1f} s ({format_rate(self.nbytes, secs)})"
        )
        if self.failed:
            line += f", {self.failed} failed"
        return line + (f"; {extra}" if extra else "")

    def close(self, extra: str = "") -> None:
        """Remove the bar and print the summary line (unless quiet)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if not self.quiet:
            print(self.summary(extra), file=self.stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:  # an error path: drop the bar, the caller reports
            self._bar.close()
            self._bar = None


def _is_terminal(stream: TextIO) -> bool:
    """Whether a stream is an interactive terminal (and TERM is not ``dumb``)."""
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
