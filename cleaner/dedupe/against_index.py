"""A dedupe run against a persistent index: its settings, its candidates, the batch stored."""

from __future__ import annotations

import numpy as np

from cleaner.dedupe.nodes import Nodes
from cleaner.dedupe.options import UNRECORDED, DedupeOptions
from cleaner.dedupe.pairs import sorted_unique
from cleaner.dedupe.prepare import Prepared
from cleaner.errors import OptionsMismatch
from cleaner.index.base import Index, IndexItem


def check_index(index: Index, opts: DedupeOptions) -> None:
    wanted = opts.index_settings()
    held = index.settings({})
    # An index made before a setting was recorded holds that setting's value of then (and
    # is refused before anything is written to it); a new index takes the wanted settings.
    stored = {**UNRECORDED, **held} if held else index.settings(wanted)
    diff = {k: (stored.get(k), v) for k, v in wanted.items() if stored.get(k) != v}
    if diff:
        shown = ", ".join(f"{k}={old} (asked {new})" for k, (old, new) in diff.items())
        raise OptionsMismatch(
            f"the index was built with other settings: {shown}; use those or a new index"
        )


def index_candidates(
    prep: Prepared, nodes: Nodes, index: Index, opts: DedupeOptions, reuse: bool
) -> np.ndarray:
    """Candidate pairs (batch node, index node) from keys shared with the index.

    A batch paragraph already stored under its own uid (the same batch run again) is the
    same node as its stored copy: its stored neighbours pair with it, not with the copy,
    and pairs of two such paragraphs are left to the batch's own candidates (found again
    through the index they would give a batch run twice other clusters than once).
    """
    n = len(prep.paragraphs)
    uids = [(p.doc_id, p.index, prep.digest(i)) for i, p in enumerate(prep.paragraphs)]
    position = {uid: i for i, uid in enumerate(uids)}
    for uid, pid in index.lookup(uids).items():
        i = position[uid]
        nodes.self_pid[pid] = i
        nodes.order_of_batch[i] = (0, pid)
    per_node = [sorted_unique(prep.index_keys(i, reuse)).tolist() for i in range(n)]
    hits = index.query(k for keys in per_node for k in keys)
    # The batch's own stored copies count neither in the index's size nor in a key's
    # postings: the cap is the one the batch's first run had.
    cap = opts.postings_cap(n + index.document_frequencies(())[1] - len(nodes.self_pid))
    ext: list[tuple[int, int]] = []
    for i, keys in enumerate(per_node):
        for k in keys:
            others = [pid for pid in hits.get(k, ()) if pid not in nodes.self_pid]
            if len(others) <= cap:
                ext += ((i, pid) for pid in others)
    node_of: dict[int, int] = {}
    for item in index.get({pid for _, pid in ext}):
        node_of[item.pid or 0] = n + len(nodes.external)
        nodes.external.append(item)
    pairs = [(i, node_of[pid]) for i, pid in ext]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def add_to_index(prep: Prepared, index: Index, reuse: bool) -> int:
    """Store every batch paragraph (a paragraph already stored is skipped by uid)."""
    items = [
        IndexItem(
            doc_id=p.doc_id,
            source=p.source,
            index=p.index,
            text=p.text,
            digest=prep.digest(i),
            shingles=prep.shingle_set(i),
            signature=prep.signature[i],
            keys=prep.index_keys(i, with_phrases=True),
            words=tuple(prep.words(i)),
        )
        for i, p in enumerate(prep.paragraphs)
    ]
    with index.bulk():
        return index.add(items)
