"""A bar counting the items of one dedupe stage, on stderr when it is a terminal."""

from __future__ import annotations

import os
import sys
from typing import Any


class StageBar:
    """A bar counting the items of one stage of a run (pairs scored, say), on stderr when
    it is a terminal; nothing otherwise, or when ``show`` is False.

    >>> with StageBar("reuse pairs", 10, show=False) as bar:
    ...     bar.update(4)
    >>> bar.done
    4
    """

    def __init__(self, label: str, total: int, *, show: bool = True) -> None:
        self.done = 0
        self._bar: Any = None
        if show and total and sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no thread: the pool forks safely
            self._bar = tqdm(
                total=total, desc=label, unit="", file=sys.stderr, mininterval=0.25, leave=False
            )

    def update(self, count: int) -> None:
        """Count ``count`` more items done."""
        self.done += count
        if self._bar is not None:
            self._bar.update(count)

    def __enter__(self) -> StageBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
