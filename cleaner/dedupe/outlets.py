"""Outlets: which publication a paragraph comes from, and documents an outlet stored twice.

A member's ``source`` is where the input was read (``dump.jsonl:83``); its ``outlet`` is the
publication: the record's ``--source-field`` value, else the host of its URL. Scrapes often
hold one outlet's article twice (two URLs, a re-crawl): reported as one document repeating
another, not as a paragraph cluster for each of its paragraphs.

>>> outlet_of_meta({"url": "https://www.isna.ir/news/1"}), outlet_of_meta({"source_name": "was"})
('isna.ir', 'was')
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np


def outlet_of_meta(meta: Mapping[str, Any], url: str | None = None) -> str:
    """The outlet named by a document's metadata: its source field, else its URL's host
    (``www.`` left out), else ``""``."""
    name = meta.get("source_name")
    if name:
        return str(name)
    url = url or meta.get("url")
    if url:
        host = (urlsplit(str(url)).hostname or "").lower()
        return host.removeprefix("www.")
    return ""


@dataclass(frozen=True)
class DocumentDuplicate:
    """A document whose paragraphs are, in order, those of an earlier document of its outlet."""

    doc_id: str
    outlet: str
    duplicate_of: str

    def to_dict(self) -> dict[str, Any]:
        """The duplicate as a JSON object."""
        return {"doc_id": self.doc_id, "outlet": self.outlet, "duplicate_of": self.duplicate_of}


def document_duplicates(
    doc_ids: Sequence[str], outlets: Sequence[str], texts: Sequence[str]
) -> tuple[list[DocumentDuplicate], np.ndarray]:
    """Documents that repeat an earlier document of the same named outlet word for word
    (documents with no outlet are left to the paragraph clusters).

    Args:
        doc_ids, outlets, texts: One entry a paragraph, in batch order (a document's
            paragraphs next to one another).

    Returns:
        The repeating documents (first seen kept), and a mask of their paragraphs.

    >>> dups, mask = document_duplicates(["a", "a", "b", "b", "c", "d", "e"],
    ...                                  ["x", "x", "x", "x", "y", "", ""],
    ...                                  ["p", "q", "p", "q", "p", "p", "p"])
    >>> [d.doc_id for d in dups], mask.tolist()
    (['b'], [False, False, True, True, False, False, False])
    """
    mask = np.zeros(len(doc_ids), dtype=bool)
    if not any(outlets):  # nothing to compare: a loop over every paragraph saved
        return [], mask
    first: dict[tuple[str, bytes], str] = {}
    dups: list[DocumentDuplicate] = []
    lo = 0
    while lo < len(doc_ids):
        hi = lo + 1
        while hi < len(doc_ids) and doc_ids[hi] == doc_ids[lo]:
            hi += 1
        if not outlets[lo]:
            lo = hi
            continue
        digest = hashlib.blake2b(digest_size=16)
        for text in texts[lo:hi]:
            digest.update(text.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        seen = first.setdefault((outlets[lo], digest.digest()), doc_ids[lo])
        if seen != doc_ids[lo]:
            dups.append(DocumentDuplicate(doc_ids[lo], outlets[lo], seen))
            mask[lo:hi] = True
        lo = hi
    return dups, mask


def spanning(outlets: Sequence[str], starts: np.ndarray) -> int:
    """Clusters (members ``outlets[starts[c]:starts[c + 1]]``) with members of two named
    outlets or more.

    >>> spanning(["a", "a", "a", "b", "", "c"], np.array([0, 2, 4, 6]))
    1
    """
    cuts = starts.tolist()
    return sum(
        1 for lo, hi in zip(cuts, cuts[1:], strict=False) if len(set(outlets[lo:hi]) - {""}) > 1
    )
