"""A dedupe run against a persistent index: its settings, its candidates, the batch stored."""

from __future__ import annotations

import numpy as np

from cleaner.dedupe.containment import pick_rarest
from cleaner.dedupe.nodes import Nodes
from cleaner.dedupe.options import UNRECORDED, DedupeOptions
from cleaner.dedupe.pairs import pair_ends, sorted_unique, union_of_codes
from cleaner.dedupe.prepare import Prepared, anchors
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

    A paragraph looks the index up by the keys the batch's own stages use, counted over
    the batch and the index together: every band key; its rarest anchors, picked as the
    containment stage picks them in a batch (the index holds every anchor of a paragraph,
    so each one looked up would pair it with every story sharing a common phrase); in
    reuse mode every phrase key. A key held by more than the cap of the batch and the
    index together gives no candidates.

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
    # The batch's own stored copies count neither in the index's size nor in a key's
    # holders: the cap and the rarest anchors are those of the batch's first run.
    own = len(nodes.self_pid)
    cap = opts.postings_cap(n + index.document_frequencies(())[1] - own)
    looked_up = [(np.repeat(np.arange(n, dtype=np.int64), prep.bands.shape[1]), prep.bands.ravel())]
    if reuse:
        phrases = [prep.phrase_keys(i) for i in range(n)]
        owner = np.repeat(np.arange(n, dtype=np.int64), [len(k) for k in phrases])
        looked_up.append((owner, np.concatenate(phrases) if phrases else np.zeros(0, np.uint64)))
    a_owner, a_key = anchors(prep.set_hashes, prep.set_offsets, prep.anchor_rate)
    copies = np.fromiter(nodes.self_pid.values(), dtype=np.int64, count=own)
    stored = index.counts(a_key) - _held_by(a_owner, a_key, copies)
    picked = rarest_anchors(a_owner, a_key, stored, opts, cap)
    keys = np.concatenate([picked[1], *(key for _, key in looked_up)])
    held = Holders(index.query(keys, limit=cap + own), nodes.self_pid)
    codes = [held.pairs(owner, key, cap) for owner, key in looked_up]
    codes.append(held.pairs(*picked, cap, opts.anchors_shared))
    return _as_nodes(union_of_codes(codes), nodes, index)


def _as_nodes(code: np.ndarray, nodes: Nodes, index: Index) -> np.ndarray:
    """Packed pairs (batch node, pid) as pairs of nodes: the index items they name are
    read and become the nodes after the batch's."""
    first, pid = pair_ends(code)
    stored = index.get(sorted_unique(pid).tolist())
    node = len(nodes.prep.paragraphs) + len(nodes.external) + np.arange(len(stored))
    nodes.external.extend(stored)
    stored_pids = np.array([item.pid for item in stored], dtype=np.int64)
    at = np.searchsorted(stored_pids, pid)
    found = at < len(stored)
    found[found] = stored_pids[at[found]] == pid[found]
    return np.stack([first[found], node[at[found]]], axis=1)


class Holders:
    """The index's holders of the keys a batch looks up, but the batch's stored copies.

    ``keys`` are sorted; ``keys[j]`` is held by ``count[j]`` paragraphs of the index,
    ``pids[start[j]:start[j] + count[j]]``, or by more than the query read (``count[j]``
    is then :data:`MANY` and its pids are not known).
    """

    #: The count of a key held by more paragraphs than the query read.
    MANY = 2**31 - 1

    def __init__(self, hits: dict[int, list[int]], self_pid: dict[int, int]) -> None:
        self.keys = np.array(sorted(hits), dtype=np.uint64)
        count: list[int] = []
        pids: list[int] = []
        for key in self.keys.tolist():
            others = [pid for pid in hits[key] if pid not in self_pid]
            count.append(len(others) if hits[key] else self.MANY)
            pids += others
        self.count = np.array(count, dtype=np.int64)
        self.pids = np.array(pids, dtype=np.int64)
        known = np.where(self.count == self.MANY, 0, self.count)
        self.start = np.cumsum(known) - known

    def _find(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each key is in :attr:`keys`, and its count (0: not in the index)."""
        at = np.minimum(np.searchsorted(self.keys, key), max(0, len(self.keys) - 1))
        if not len(self.keys):
            return at, np.zeros(len(key), dtype=np.int64)
        return at, np.where(self.keys[at] == key, self.count[at], 0)

    def pairs(
        self, owner: np.ndarray, key: np.ndarray, cap: int, min_shared: int = 1
    ) -> np.ndarray:
        """Packed sorted pairs ``(owner, pid)`` of the rows' keys held by 1 to ``cap``
        paragraphs, of which a pair must come from ``min_shared`` rows.

        >>> held = Holders({5: [10, 11], 9: [], 7: [12]}, self_pid={11: 0})
        >>> pair_ends(held.pairs(np.array([0, 0, 1]), np.array([5, 9, 7], np.uint64), 2))
        (array([0, 1]), array([10, 12]))
        """
        at, count = self._find(key)
        use = (count >= 1) & (count <= cap)
        owner, at, count = owner[use], at[use], count[use]
        within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        pid = self.pids[np.repeat(self.start[at], count) + within]
        code = np.sort((np.repeat(owner, count) << 32) | pid)
        if min_shared <= 1:
            return sorted_unique(code)
        heads = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1])))
        shared = np.diff(np.append(heads, len(code)))
        return code[heads[shared >= min_shared]]


def _held_by(owner: np.ndarray, key: np.ndarray, batch: np.ndarray) -> np.ndarray:
    """For each row, how many rows of the ``batch`` nodes hold its key (a batch run again:
    the stored copies of its paragraphs hold what they hold).

    >>> _held_by(np.array([0, 1, 2]), np.array([7, 7, 9], np.uint64), np.array([0, 1])).tolist()
    [2, 2, 0]
    """
    mine, count = np.unique(key[np.isin(owner, batch)], return_counts=True)
    if not len(mine):
        return np.zeros(len(key), dtype=np.int64)
    at = np.minimum(np.searchsorted(mine, key), len(mine) - 1)
    return np.where(mine[at] == key, count[at], 0)


def rarest_anchors(
    owner: np.ndarray, key: np.ndarray, stored: np.ndarray, opts: DedupeOptions, cap: int
) -> tuple[np.ndarray, np.ndarray]:
    """The anchors each paragraph looks the index up by, as ``(owner, key)`` rows: of
    those ``stored`` in the index (held by that many paragraphs there), its rarest by
    holders in the batch and the index together, picked as
    :func:`cleaner.dedupe.containment.anchor_pairs` picks them in a batch.

    A paragraph 0.8 contained in a stored one has a fifth of its anchors of its own, its
    rarest among them: a key the index does not hold cannot find a container there.
    """
    in_index = stored > 0
    owner, key = owner[in_index], key[in_index]
    distinct, rank, in_batch = np.unique(key, return_inverse=True, return_counts=True)
    holders = np.minimum(in_batch[rank] + stored[in_index], cap + 1)
    per = opts.anchors_per_paragraph
    o, _, r = pick_rarest(owner, holders, rank, per, cap, per * opts.max_postings)
    return o, distinct[r]


def add_to_index(prep: Prepared, index: Index) -> int:
    """Store every batch paragraph (a paragraph already stored is skipped by uid)."""
    keys = prep.index_keys()
    items = [
        IndexItem(
            doc_id=p.doc_id,
            source=p.source,
            index=p.index,
            text=p.text,
            digest=prep.digest(i),
            shingles=prep.shingle_set(i),
            signature=prep.signature[i],
            keys=keys[i],
            words=tuple(prep.words(i)),
        )
        for i, p in enumerate(prep.paragraphs)
    ]
    with index.bulk():
        return index.add(items)
