"""The interface every index backend implements, and the item it stores.

An index keeps what is needed to deduplicate tomorrow's batch against today's without
recomputing: for each paragraph its place (document id, source, paragraph index), its text,
its sorted shingle hashes (to verify candidates exactly), its signature, the keys it is
found by (LSH band keys, containment anchors, reuse phrase keys) and its words (for the
document frequencies that weight reuse mode). Backends: :mod:`cleaner.index.memory`,
:mod:`cleaner.index.sqlite`; :func:`cleaner.index.open_index` picks one from a spec.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np

_Self = TypeVar("_Self", bound="ClosesOnExit")


@dataclass(frozen=True)
class IndexItem:
    """One stored paragraph.

    Attributes:
        doc_id: The document it belongs to.
        source: Where the document came from.
        index: Position of the paragraph in its document (0-based).
        text: The paragraph as output (not its matching key).
        digest: Hash of the matching key; with doc_id and index it identifies the item.
        shingles: Sorted unique shingle hashes (uint64).
        signature: MinHash signature (uint64, one value per bin).
        keys: Keys the item is found by (uint64 band keys, anchors, phrase keys).
        words: The paragraph's words in order (reuse mode); each distinct word counts once
            in the index's document frequencies.
        pid: Sequence number given by the index (insertion order), None before insertion.
    """

    doc_id: str
    source: str
    index: int
    text: str
    digest: str
    shingles: np.ndarray
    signature: np.ndarray
    keys: np.ndarray
    words: tuple[str, ...] = ()
    pid: int | None = field(default=None, compare=False)

    @property
    def uid(self) -> tuple[str, int, str]:
        """What makes two items the same: document, position and content."""
        return (self.doc_id, self.index, self.digest)


#: An item's stored fields, in the order of :func:`stored_row` and :func:`stored_item`: one
#: format for every backend that serialises items (SQLite columns, Redis hash fields).
STORED_FIELDS = ("doc_id", "idx", "digest", "source", "text", "shingles", "signature", "words")


def stored_row(item: IndexItem) -> tuple[str, int, str, str, str, bytes, bytes, str]:
    """The values of :data:`STORED_FIELDS` for ``item`` (arrays as uint64 bytes)."""
    return (
        item.doc_id,
        item.index,
        item.digest,
        item.source,
        item.text,
        item.shingles.astype(np.uint64).tobytes(),
        item.signature.astype(np.uint64).tobytes(),
        "\n".join(item.words),
    )


def stored_item(pid: int, values: Sequence[Any]) -> IndexItem:
    """The item stored as ``values`` (:data:`STORED_FIELDS` in order; text as str or bytes).

    >>> item = IndexItem("d", "s", 2, "t", "h", np.arange(3), np.arange(2), np.zeros(0), ("w",))
    >>> back = stored_item(7, stored_row(item))
    >>> back.uid == item.uid, back.words, back.shingles.tolist(), back.pid
    (True, ('w',), [0, 1, 2], 7)
    """
    doc_id, idx, digest, source, text, shingles, signature, words = values

    def text_of(v: str | bytes) -> str:
        return v.decode() if isinstance(v, bytes) else v

    return IndexItem(
        doc_id=text_of(doc_id),
        source=text_of(source),
        index=int(idx),
        text=text_of(text),
        digest=text_of(digest),
        shingles=np.frombuffer(shingles, dtype=np.uint64),
        signature=np.frombuffer(signature, dtype=np.uint64),
        keys=np.zeros(0, dtype=np.uint64),
        words=tuple(text_of(words).split("\n")) if words else (),
        pid=pid,
    )


@runtime_checkable
class Index(Protocol):
    """A store of paragraph signatures shared between batches."""

    def settings(self, values: Mapping[str, str]) -> dict[str, str]:
        """Store settings not stored yet; return what the index holds (first writer wins)."""
        ...

    def add(self, items: Sequence[IndexItem]) -> int:
        """Store items not stored yet (by uid); returns how many were new."""
        ...

    def query(self, keys: Iterable[int], limit: int | None = None) -> dict[int, list[int]]:
        """For each key (uint64 as int) that is stored, the pids holding it; with ``limit``,
        a key held by more than ``limit`` pids maps to an empty list (too common to give
        candidates: its pids are not read)."""
        ...

    def counts(self, keys: np.ndarray) -> np.ndarray:
        """How many stored items hold each key of a uint64 array (0: none), as int64."""
        ...

    def get(self, pids: Iterable[int]) -> list[IndexItem]:
        """The stored items with these pids, in pid order."""
        ...

    def lookup(self, uids: Iterable[tuple[str, int, str]]) -> dict[tuple[str, int, str], int]:
        """Pids of the items already stored under these uids."""
        ...

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many stored paragraphs hold each word, and how many paragraphs are stored."""
        ...

    def stats(self) -> Mapping[str, Any]:
        """Counts for a summary (paragraphs, keys, backend)."""
        ...

    def bulk(self) -> AbstractContextManager[None]:
        """A context in which adds are grouped into one transaction."""
        ...

    def close(self) -> None:
        """Release the backend's resources."""
        ...


class ClosesOnExit:
    """Mixin of the backends: ``with open_index(...) as index:`` closes the index on exit."""

    def close(self) -> None:  # pragma: no cover - every backend defines its own
        raise NotImplementedError

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def iter_chunks(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """Slices of at most ``size`` values (SQL parameter lists stay short).

    >>> [list(c) for c in iter_chunks([1, 2, 3], 2)]
    [[1, 2], [3]]
    """
    for start in range(0, len(values), size):
        yield values[start : start + size]


def unique_keys(keys: Iterable[int] | np.ndarray) -> np.ndarray:
    """The distinct keys (uint64 as ints, or an array of them), sorted, as uint64.

    >>> unique_keys([2**64 - 1, 3, 3]).tolist()
    [3, 18446744073709551615]
    """
    if isinstance(keys, np.ndarray):
        return np.unique(keys.astype(np.uint64))
    return np.unique(np.fromiter(keys, dtype=np.uint64))
