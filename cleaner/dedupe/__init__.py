"""Near-duplicate and reused paragraphs: MinHash signatures, LSH candidates, exact verification.

>>> docs = [("a", "a.txt", ["Putin and Biden spoke for two hours on Tuesday."]),
...         ("b", "b.txt", ["Putin and Biden spoke for two hours on Tuesday!", "Other text."])]
>>> result = dedupe(docs)
>>> [(m.doc_id, m.index) for m in result.clusters[0].members], sorted(result.dropped_ids())
([('a', 0), ('b', 0)], [('b', 0)])
"""

from __future__ import annotations

from cleaner.dedupe.api import DocLike, dedupe, near_duplicates_within, paragraphs_of, run
from cleaner.dedupe.cluster import (
    Cluster,
    DedupeResult,
    Dropped,
    Member,
    Pair,
    Related,
)
from cleaner.dedupe.cluster_lines import clusters_to_jsonl
from cleaner.dedupe.keys import dedupe_key, shingle_text
from cleaner.dedupe.options import KEEP_POLICIES, MODES, SCOPES, DedupeOptions
from cleaner.dedupe.prepare import Paragraph

__all__ = [
    "KEEP_POLICIES",
    "MODES",
    "SCOPES",
    "Cluster",
    "DedupeOptions",
    "DedupeResult",
    "DocLike",
    "Dropped",
    "Member",
    "Pair",
    "Paragraph",
    "Related",
    "clusters_to_jsonl",
    "dedupe",
    "dedupe_key",
    "near_duplicates_within",
    "paragraphs_of",
    "run",
    "shingle_text",
]
