"""Inputs written to a temporary file as they pass, to be read again in the same order.

``clean --templates`` reads a batch twice (count, then clean); stdin can be read once, so its
inputs are kept here meanwhile, on disk rather than in memory.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator

from cleaner.document import Source
from cleaner.errors import InputError


class Spool:
    """Use as a context manager: :meth:`tee` passes the inputs through while keeping them,
    :meth:`replay` reads them back; the file is deleted on exit."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="cleaner-spool-")  # noqa: SIM115 (closed on exit)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def tee(self, items: Iterable[Source | InputError]) -> Iterator[Source | InputError]:
        """Yield the inputs, keeping each one (an error as its source and reason)."""
        for item in items:
            kept = ("error", item.source, item.reason) if isinstance(item, InputError) else item
            pickle.dump(kept, self._file, pickle.HIGHEST_PROTOCOL)
            yield item

    def replay(self) -> Iterator[Source | InputError]:
        """The kept inputs, in the order they passed."""
        self._file.seek(0)
        while True:
            try:
                item = pickle.load(self._file)
            except EOFError:
                return
            yield InputError(item[1], item[2]) if isinstance(item, tuple) else item
