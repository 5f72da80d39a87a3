"""Clusters of a run: stars of verified pairs around kept centres, members scored, the drops."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cleaner.dedupe.cluster import (
    Cluster,
    Dropped,
    Member,
    Related,
)
from cleaner.dedupe.nodes import Nodes
from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.outlets import spanning
from cleaner.dedupe.pairs import pair_ends
from cleaner.dedupe.prepare import Paragraph
from cleaner.dedupe.reuse import Weights
from cleaner.dedupe.stars import CONTAINED, JACCARD, LINK, cover_edges, priority, related, stars
from cleaner.dedupe.table import ClusterTable, DroppedTable, RelatedRows
from cleaner.dedupe.verified import Verified, score_pair
from cleaner.dedupe.verify import (
    Overlap,
    overlaps_of,
)


def form_clusters(
    nodes: Nodes, verified: Verified, opts: DedupeOptions, weights: Weights | None
) -> tuple[Sequence[Cluster], Sequence[Dropped]]:
    """Stars of verified pairs around kept centres (:mod:`cleaner.dedupe.stars`), their
    members scored against the centre, the paragraphs related to a member, and the drops."""
    n = len(nodes.prep.paragraphs)
    total = n + len(nodes.external)
    sizes = nodes.sets.sizes()
    near_first, near_second = pair_ends(verified.near)
    src, dst, quoted = cover_edges(near_first, near_second, verified.inter, sizes, opts.threshold)
    kind = np.where(quoted, CONTAINED, JACCARD).astype(np.int8)
    if weights is not None:
        # Reuse pairs that are not near duplicates: in a cluster for the report, never dropped.
        codes = (verified.first << 32) | verified.second
        only = ~np.isin(codes, verified.near)
        a, b = verified.first[only], verified.second[only]
        src, dst = np.concatenate([src, a, b]), np.concatenate([dst, b, a])
        kind = np.concatenate([kind, np.full(2 * len(a), LINK, dtype=np.int8)])
    in_order = not nodes.external and not nodes.order_of_batch
    seen = np.arange(total, dtype=np.int64) if in_order else _seen_order(nodes)
    quoted_node = np.zeros(total, dtype=bool)
    quoted_node[src[kind == CONTAINED]] = True
    external = np.arange(total) >= n
    lengths = (
        _text_lengths(nodes) if opts.keep in ("longest", "shortest") else np.zeros(total, np.int64)
    )
    rank = priority(seen, lengths, opts.keep, quoted_node, external)
    centre, covered = stars(total, src, dst, kind, rank, fixed=np.arange(n, total))
    members, starts = _star_arrays(centre, seen)
    rel = _related_rows(members, starts, *related(centre, src, dst, kind, rank), seen)
    if in_order and weights is None:
        table = _cluster_table(nodes, verified, members, starts, rel)
        return table, table.dropped()
    nodes.counted.update(verified.counted())
    clusters: list[Cluster] = []
    dropped: list[Dropped] = []
    flat, cuts = members.tolist(), starts.tolist()
    rel_cuts, rel_nodes, near = rel.starts.tolist(), rel.nodes.tolist(), rel.near.tolist()
    for cid, (lo, hi) in enumerate(zip(cuts, cuts[1:], strict=False)):
        group = flat[lo:hi]
        rep = group[0]
        ms = []
        for node in group:
            m = _member(nodes, node, rep, weights)
            if node == rep or not covered[node]:
                m = _kept(m)
            elif node < n:
                p = nodes.prep.paragraphs[node]
                dropped.append(Dropped(p.doc_id, p.index, cid))
            ms.append(m)
        rs = tuple(
            Related(_kept(_member(nodes, rel_nodes[r], group[near[r]], weights)), near[r])
            for r in range(rel_cuts[cid], rel_cuts[cid + 1])
        )
        clusters.append(Cluster(cid, tuple(ms), rs))
    return tuple(clusters), tuple(dropped)


def _related_rows(
    members: np.ndarray, starts: np.ndarray, node: np.ndarray, via: np.ndarray, seen: np.ndarray
) -> RelatedRows:
    """The related paragraphs (``node[k]`` is near member ``via[k]``) by cluster, each
    cluster's in seen order, with the place of that member (scores left 0).

    >>> rows = _related_rows(np.array([0, 1, 3, 4]), np.array([0, 2, 4]), np.array([2, 5]),
    ...                      np.array([4, 1]), np.arange(6))
    >>> rows.starts.tolist(), rows.nodes.tolist(), rows.near.tolist()
    ([0, 1, 2], [5, 2], [1, 1])
    """
    clusters = len(starts) - 1
    if not len(node):
        return RelatedRows.none(clusters)
    place = np.full(int(max(members.max(), via.max())) + 1, -1, dtype=np.int64)
    place[members] = np.arange(len(members), dtype=np.int64)
    at = place[via]
    cluster = np.searchsorted(starts, at, side="right") - 1
    order = np.lexsort((seen[node], cluster))
    node, at, cluster = node[order], at[order], cluster[order]
    counts = np.bincount(cluster, minlength=clusters)
    cuts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    zero = np.zeros(len(node), dtype=np.float64)
    return RelatedRows(cuts, node, at - starts[cluster], zero, zero, zero)


def _kept(m: Member) -> Member:
    """The member marked kept (``dataclasses.replace`` costs 17 us a call)."""
    scores = (m.similarity, m.jaccard, m.containment)
    return Member(m.doc_id, m.source, m.index, m.text, *scores, True, m.from_index, outlet=m.outlet)


def _seen_order(nodes: Nodes) -> np.ndarray:
    """Each node's place in seen order (index items by pid, then the batch)."""
    total = len(nodes.prep.paragraphs) + len(nodes.external)
    order = sorted(range(total), key=nodes.order)
    seen = np.empty(total, dtype=np.int64)
    seen[np.array(order, dtype=np.int64)] = np.arange(total, dtype=np.int64)
    return seen


def _text_lengths(nodes: Nodes) -> np.ndarray:
    """Characters of every node's text."""
    texts = [p.text for p in nodes.prep.paragraphs] + [it.text for it in nodes.external]
    return np.fromiter(map(len, texts), np.int64, len(texts))


def _star_arrays(centre: np.ndarray, seen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The clusters' nodes, each cluster's centre first and the rest in seen order,
    clusters ordered by their first member seen, and where each starts (one more: the end).

    >>> [x.tolist() for x in _star_arrays(np.array([1, 1, -1, 4, 4, 1]), np.arange(6))]
    [[1, 0, 5, 4, 3], [0, 3, 5]]
    """
    node = np.flatnonzero(centre >= 0)
    if not len(node):
        return np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)
    c = centre[node]
    first = np.full(len(centre), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, c, seen[node])
    order = np.lexsort((seen[node], node != c, first[c]))
    members, c = node[order], c[order]
    cuts = np.flatnonzero(c[1:] != c[:-1]) + 1
    return members, np.concatenate(([0], cuts, [len(members)])).astype(np.int64)


def _cluster_table(
    nodes: Nodes,
    verified: Verified,
    members: np.ndarray,
    starts: np.ndarray,
    rel: RelatedRows,
) -> ClusterTable:
    """The clusters of batch paragraphs alone (near duplicates, seen in batch order) as
    arrays: what :func:`form_clusters` makes as objects, scored and kept alike (the centre)."""
    paras = nodes.prep.paragraphs
    reps = np.repeat(members[starts[:-1]], np.diff(starts))
    inter = _rep_intersections(verified, reps, members)
    sizes = nodes.sets.sizes()
    jaccard, contained = overlaps_of(inter, sizes[members], sizes[reps])
    itself = members == reps
    jaccard[itself] = 1.0
    contained[itself] = 1.0
    similarity = np.maximum(jaccard, contained)
    kept = np.zeros(len(starts) - 1, dtype=np.int64)
    if len(rel.nodes):
        cluster = np.repeat(np.arange(len(starts) - 1), np.diff(rel.starts))
        via = members[starts[cluster] + rel.near]
        inter = _rep_intersections(verified, via, rel.nodes)
        rel_jaccard, rel_contained = overlaps_of(inter, sizes[rel.nodes], sizes[via])
        rel_similarity = np.maximum(rel_jaccard, rel_contained)
        rel = RelatedRows(
            rel.starts, rel.nodes, rel.near, rel_similarity, rel_jaccard, rel_contained
        )
    return ClusterTable(paras, starts, members, similarity, jaccard, contained, kept, rel)


def _rep_intersections(verified: Verified, reps: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Shingles each member shares with its representative, as verification counted them
    (a member joins its centre by a verified near pair; the centre itself: 0, unread)."""
    code = (np.minimum(reps, members) << 32) | np.maximum(reps, members)
    near = verified.near
    if not len(near):
        return np.zeros(len(code), dtype=np.int64)
    at = np.minimum(np.searchsorted(near, code), len(near) - 1)
    return np.where(near[at] == code, verified.inter[at], 0).astype(np.int64)


def _member(nodes: Nodes, node: int, rep: int, weights: Weights | None) -> Member:
    """A cluster member with its similarity to the representative."""
    n = len(nodes.prep.paragraphs)
    if node == rep:
        o, r = Overlap(1.0, 1.0, 0), 1.0 if weights else 0.0
    else:
        o, r = score_pair(nodes, node, rep, weights)
    if node < n:
        p = nodes.prep.paragraphs[node]
        place = (p.doc_id, p.source, p.index, p.text, False)
        outlet = p.outlet
    else:
        it = nodes.external[node - n]
        place = (it.doc_id, it.source, it.index, it.text, True)
        outlet = ""  # the index does not store outlets
    return Member(
        doc_id=place[0],
        source=place[1],
        index=place[2],
        text=place[3],
        similarity=max(o.similarity, r),
        jaccard=o.jaccard,
        containment=o.containment,
        kept=place[4],
        from_index=place[4],
        outlet=outlet,
    )


def with_documents(
    dropped: Sequence[Dropped], paragraphs: Sequence[Paragraph], in_dup: np.ndarray
) -> Sequence[Dropped]:
    """The drops, then every paragraph of the documents that repeat an earlier one."""
    rows = np.flatnonzero(in_dup)
    if isinstance(dropped, DroppedTable):
        return DroppedTable(
            paragraphs,
            np.concatenate([dropped.rows, rows]),
            np.concatenate([dropped.cluster, np.full(len(rows), -1, dtype=np.int64)]),
        )
    extra = [Dropped(paragraphs[r].doc_id, paragraphs[r].index, -1) for r in rows.tolist()]
    return (*dropped, *extra)


def across_outlets(clusters: Sequence[Cluster]) -> int:
    """Clusters whose members come from two named outlets or more."""
    if isinstance(clusters, ClusterTable):
        outlets = [clusters.paragraphs[x].outlet for x in clusters.nodes.tolist()]
        return spanning(outlets, clusters.starts) if any(outlets) else 0
    return sum(1 for c in clusters if len({m.outlet for m in c.members} - {""}) > 1)
