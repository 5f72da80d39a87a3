"""In-memory index: dictionaries in one process (tests, one-off runs, ``memory:``)."""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from cleaner.index.base import ClosesOnExit, IndexItem


class MemoryIndex(ClosesOnExit):
    """An :class:`~cleaner.index.base.Index` that lives as long as the process."""

    def __init__(self) -> None:
        self._items: list[IndexItem] = []
        self._uids: dict[tuple[str, int, str], int] = {}
        self._keys: defaultdict[int, list[int]] = defaultdict(list)
        self._df: Counter[str] = Counter()
        self._settings: dict[str, str] = {}

    def settings(self, values: Mapping[str, str]) -> dict[str, str]:
        """Store settings not stored yet; return what the index holds."""
        for name, value in values.items():
            self._settings.setdefault(name, value)
        return dict(self._settings)

    def add(self, items: Sequence[IndexItem]) -> int:
        """Store items not stored yet (by uid); returns how many were new."""
        new = 0
        for item in items:
            if item.uid in self._uids:
                continue
            pid = len(self._items)
            self._items.append(replace(item, pid=pid))
            self._uids[item.uid] = pid
            for key in set(int(k) for k in item.keys):
                self._keys[key].append(pid)
            self._df.update(set(item.words))
            new += 1
        return new

    def query(self, keys: Iterable[int], limit: int | None = None) -> dict[int, list[int]]:
        """For each stored key, the pids holding it (none for a key of more than ``limit``)."""
        found = ((k, self._keys[k]) for k in set(keys) if k in self._keys)
        return {k: list(pids) if limit is None or len(pids) <= limit else [] for k, pids in found}

    def counts(self, keys: np.ndarray) -> np.ndarray:
        """How many stored items hold each key (0: none)."""
        held = [len(self._keys.get(k, ())) for k in np.asarray(keys, dtype=np.uint64).tolist()]
        return np.array(held, dtype=np.int64)

    def get(self, pids: Iterable[int]) -> list[IndexItem]:
        """The stored items with these pids, in pid order."""
        return [self._items[p] for p in sorted(set(pids))]

    def lookup(self, uids: Iterable[tuple[str, int, str]]) -> dict[tuple[str, int, str], int]:
        """Pids of the items already stored under these uids."""
        return {u: self._uids[u] for u in uids if u in self._uids}

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        """Stored paragraphs holding each word, and the number of stored paragraphs."""
        return {w: self._df[w] for w in words if w in self._df}, len(self._items)

    def stats(self) -> Mapping[str, Any]:
        """Counts for a summary."""
        return {"backend": "memory", "paragraphs": len(self._items), "keys": len(self._keys)}

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Nothing to group in memory."""
        yield

    def close(self) -> None:
        """Nothing to release."""
