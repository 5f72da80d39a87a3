"""Clusters as stars around a kept paragraph: nothing is dropped unless a kept paragraph
repeats it.

Verified pairs chain on real news (a FIFA report, a Greek bank story and Iranian nuclear
quotes, each like the next): a connected component of them joins unrelated paragraphs,
and dropping every member but one loses text nothing kept repeats. Here a cluster is a
centre and the paragraphs that repeat *it*:

- An edge ``src -> dst`` says ``src`` may be dropped for ``dst``: a Jaccard pair covers
  both ways; a containment pair covers only the smaller (the line quoted) for the larger
  (the paragraph quoting it), so a long paragraph is never dropped for a short one it holds.
  A *link* edge (reuse mode: shared rare phrases, not a copy) joins a cluster for the report
  and never drops.
- Paragraphs are taken in priority order (the keep policy: first, last, longest, shortest
  seen; index items before the batch, as they were kept before; a paragraph quoted in
  another after those that are not, so the quoting one becomes the centre). A paragraph
  with an edge to a centre ahead of it joins that centre (a cover edge before a link edge,
  then the centre ahead); otherwise it becomes a centre itself. A centre is kept; a member
  joined by a cover edge is dropped. A paragraph that links only through another member
  is not a member: it starts or joins another cluster.

That greedy pass is sequential by definition, but a paragraph's part depends only on the
paragraphs ahead of it it has edges to, so it runs in rounds over all edges at once: each
round decides every paragraph whose edges ahead all lead to decided paragraphs. The rounds
number the longest chain of such dependencies (a few on news); past ``MAX_ROUNDS`` the
rest is decided one by one, in order, with the same rule.

A chain A~B, B~C with C unlike A, seen in that order: B joins A; C only links through B,
so it is in no cluster (and kept):

>>> ends = np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1])
>>> centre, covered = stars(3, *ends, np.zeros(4, dtype=np.int8), np.arange(3))
>>> centre.tolist(), covered.tolist()
([0, 0, -1], [False, True, False])
"""

from __future__ import annotations

import numpy as np

#: Vectorised rounds before the paragraphs still undecided are decided one by one.
MAX_ROUNDS = 64

_UNDECIDED, _CENTRE, _MEMBER = 0, 1, 2

#: Kinds of edges, in the order a member prefers them: a near copy, the paragraph it is
#: quoted in, a paragraph sharing its rare phrases (reuse mode: reported, never dropped).
JACCARD, CONTAINED, LINK = 0, 1, 2
#: A containment edge read the other way (the paragraph quoting the line), for
#: :func:`related` alone: after the two cover kinds.
_QUOTES = 3


def cover_edges(
    first: np.ndarray,
    second: np.ndarray,
    inter: np.ndarray,
    sizes: np.ndarray,
    threshold: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directed cover edges of verified near pairs, and which nodes are quoted in another.

    A pair at or above the Jaccard ``threshold`` covers both ways; a pair verified by
    containment alone covers the smaller set for the larger (both ways when equal).

    Returns:
        ``(src, dst, quoted)``: ``src[k]`` may be dropped for ``dst[k]``; ``quoted[k]`` is
        True when edge ``k`` is a containment edge (``src`` quoted in ``dst``).

    >>> src, dst, quoted = cover_edges(np.array([0, 2]), np.array([1, 3]), np.array([10, 10]),
    ...                                np.array([10, 11, 10, 40]), 0.5)
    >>> src.tolist(), dst.tolist(), quoted.tolist()
    ([0, 1, 2], [1, 0, 3], [False, False, True])
    """
    sa, sb = sizes[first], sizes[second]
    union = sa + sb - inter
    jaccard = np.where(union > 0, inter / np.maximum(union, 1), 0.0) >= threshold
    a_to_b = jaccard | (sa <= sb)
    b_to_a = jaccard | (sb <= sa)
    src = np.concatenate([first[a_to_b], second[b_to_a]])
    dst = np.concatenate([second[a_to_b], first[b_to_a]])
    quoted = np.concatenate([~jaccard[a_to_b], ~jaccard[b_to_a]])
    quoted &= sizes[src] != sizes[dst]
    # Edges in (first, second) order, so the result does not depend on which stage gave them.
    order = np.lexsort((dst, src))
    return src[order], dst[order], quoted[order]


def stars(
    nodes: int,
    src: np.ndarray,
    dst: np.ndarray,
    kind: np.ndarray,
    rank: np.ndarray,
    fixed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The centre of every node, and whether it is dropped for it (see the module's doc).

    Cover edges make the clusters; link edges then join a paragraph in no cluster to a
    centre, or to another such paragraph in a cluster of their own (all kept), so a link
    never stops a copy from being dropped for a kept paragraph.

    Args:
        nodes: Nodes are ``0..nodes-1``.
        src, dst: Directed edges: ``src[k]`` may join ``dst[k]``'s cluster.
        kind: Per edge, ``JACCARD`` or ``CONTAINED`` (cover edges: ``src`` may be dropped
            for ``dst``) or ``LINK`` (joins, never drops). A member joins a centre by the
            first kind it can, then the centre ahead.
        rank: Priority of each node (lower first; distinct for the nodes of the edges).
        fixed: Nodes that are centres whatever their edges (index items: kept before).

    Returns:
        ``(centre, covered)``: ``centre[v]`` is the centre of ``v``'s cluster (``v`` itself
        for a centre), -1 when ``v`` is in no cluster (no edge, or a centre nothing joined);
        ``covered[v]`` is True when ``v`` joined by a cover edge (it may be dropped).
    """
    link = kind == LINK
    cover = ~link
    centre, covered = _stars(nodes, src[cover], dst[cover], kind[cover], rank, fixed)
    if not link.any():
        return centre, covered
    free = centre < 0
    centres = np.flatnonzero(centre == np.arange(nodes))
    open_ = link & free[src] & (free[dst] | (centre[dst] == dst))
    if fixed is not None:
        centres = np.union1d(centres, fixed)
    joined, _ = _stars(nodes, src[open_], dst[open_], kind[open_], rank, centres)
    take = free & (joined >= 0)
    centre[take] = joined[take]
    return centre, covered


def _stars(
    nodes: int,
    src: np.ndarray,
    dst: np.ndarray,
    kind: np.ndarray,
    rank: np.ndarray,
    fixed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One pass of the greedy stars over ``src -> dst`` edges (see :func:`stars`)."""
    ahead = rank[dst] < rank[src]
    if fixed is not None and len(fixed):
        ahead &= ~np.isin(src, fixed)
    all_src, all_dst, all_kind = src, dst, kind
    src, dst, kind = src[ahead], dst[ahead], kind[ahead]
    state = np.zeros(nodes, dtype=np.int8)
    involved = np.zeros(nodes, dtype=bool)
    involved[src] = True
    involved[dst] = True
    todo = np.flatnonzero(involved)
    es, ed = src, dst
    for _ in range(MAX_ROUNDS):
        if not len(todo):
            break
        to_state = state[ed]
        has_centre = np.zeros(nodes, dtype=bool)
        has_centre[es[to_state == _CENTRE]] = True
        waiting = np.zeros(nodes, dtype=bool)
        waiting[es[to_state == _UNDECIDED]] = True
        joins = has_centre[todo]
        starts = ~joins & ~waiting[todo]
        state[todo[joins]] = _MEMBER
        state[todo[starts]] = _CENTRE
        todo = todo[~joins & ~starts]
        open_ = (state[es] == _UNDECIDED) & (state[ed] != _MEMBER)
        es, ed = es[open_], ed[open_]
    if len(todo):
        _one_by_one(state, todo, es, ed, rank)
    centre, covered = _assign(nodes, state, src, dst, kind, rank)
    _adopt_alone(centre, covered, state, all_src, all_dst, all_kind, rank)
    return centre, covered


def _one_by_one(
    state: np.ndarray, todo: np.ndarray, es: np.ndarray, ed: np.ndarray, rank: np.ndarray
) -> None:
    """Decide the undecided nodes ``todo`` in priority order (the rounds' rule, in turn)."""
    order = np.argsort(es, kind="stable")
    es, ed = es[order], ed[order]
    cuts = np.searchsorted(es, todo)
    ends = np.searchsorted(es, todo, side="right")
    out = {int(v): ed[lo:hi].tolist() for v, lo, hi in zip(todo, cuts, ends, strict=True)}
    flags = state.tolist()
    for v in todo[np.argsort(rank[todo], kind="stable")].tolist():
        flags[v] = _MEMBER if any(flags[u] == _CENTRE for u in out[v]) else _CENTRE
    for v in todo.tolist():
        state[v] = flags[v]


def _assign(
    nodes: int,
    state: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    kind: np.ndarray,
    rank: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each member's centre (by the first kind of edge it has to one, then the centre
    ahead); centres nothing joined are in no cluster."""
    to_centre = (state[src] == _MEMBER) & (state[dst] == _CENTRE)
    s, d, k = src[to_centre], dst[to_centre], kind[to_centre]
    order = np.lexsort((rank[d], k, s))
    s, d, k = s[order], d[order], k[order]
    first = np.ones(len(s), dtype=bool)
    first[1:] = s[1:] != s[:-1]
    centre = np.full(nodes, -1, dtype=np.int64)
    covered = np.zeros(nodes, dtype=bool)
    centre[s[first]] = d[first]
    covered[s[first]] = k[first] != LINK
    joined = np.unique(d[first])
    centre[joined] = joined
    return centre, covered


def _adopt_alone(
    centre: np.ndarray,
    covered: np.ndarray,
    state: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    kind: np.ndarray,
    rank: np.ndarray,
) -> None:
    """A centre nothing joined that has a cover edge to a centre with members, ahead of it
    or not, joins that centre (it repeats a kept paragraph: keeping both would leave the
    copy). The adopting centres have members, so none of them moves."""
    alone = (state == _CENTRE) & (centre < 0)
    fit = alone[src] & (centre[dst] == dst) & (kind != LINK)
    s, d, k = src[fit], dst[fit], kind[fit]
    if not len(s):
        return
    order = np.lexsort((rank[d], k, s))
    s, d = s[order], d[order]
    first = np.ones(len(s), dtype=bool)
    first[1:] = s[1:] != s[:-1]
    centre[s[first]] = d[first]
    covered[s[first]] = True


def related(
    centre: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    kind: np.ndarray,
    rank: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Paragraphs in no cluster that are near a member of one (not its centre), and which.

    Such a paragraph is kept (no kept paragraph is one it repeats), but the report would
    hide a near duplicate it found if it left it out: a near copy of the member, a line
    quoted in it, or a paragraph quoting it. Each is reported with one cluster: by its
    edge of the first kind (near copy, quoted in the member, quoting it), then the member
    whose centre is ahead, then the member ahead.

    Returns:
        ``(node, via)``: paragraph ``node[k]`` is near member ``via[k]``, in node order.

    >>> centre = np.array([0, 0, -1, -1])  # B (1) in A's star; C (2) repeats B, D (3) quotes B
    >>> src, dst = np.array([2, 1]), np.array([1, 3])
    >>> [x.tolist() for x in related(centre, src, dst, np.array([JACCARD, CONTAINED], np.int8),
    ...                               np.arange(4))]
    [[2, 3], [1, 1]]
    """
    quoted = kind == CONTAINED  # also the other way: the paragraph quoting the member
    src, dst = np.concatenate([src, dst[quoted]]), np.concatenate([dst, src[quoted]])
    kind = np.concatenate([kind, np.full(int(quoted.sum()), _QUOTES, dtype=kind.dtype)])
    member = (centre[dst] >= 0) & (centre[dst] != dst)
    fit = (kind != LINK) & (centre[src] < 0) & member
    s, d, k = src[fit], dst[fit], kind[fit]
    if not len(s):
        return s, d
    order = np.lexsort((rank[d], rank[centre[d]], k, s))
    s, d = s[order], d[order]
    first = np.ones(len(s), dtype=bool)
    first[1:] = s[1:] != s[:-1]
    return s[first], d[first]


def priority(
    seen: np.ndarray,
    lengths: np.ndarray,
    keep: str,
    quoted: np.ndarray,
    fixed: np.ndarray,
) -> np.ndarray:
    """Rank of every node: index items first, then nodes quoted in none before those
    quoted in another, then the keep policy, then seen order.

    Args:
        seen: Seen order of each node (distinct).
        lengths: Text length of each node (read by ``longest`` and ``shortest``).
        keep: ``first``, ``last``, ``longest`` or ``shortest``.
        quoted: Per node, True when it is the quoted end of a containment edge.
        fixed: Per node, True for an index item.

    >>> priority(np.arange(3), np.array([5, 9, 7]), "longest", np.zeros(3, bool),
    ...          np.zeros(3, bool)).tolist()
    [2, 0, 1]
    """
    policy = {
        "first": seen,
        "last": -seen,
        "longest": -lengths,
        "shortest": lengths,
    }[keep]
    order = np.lexsort((seen, policy, quoted, ~fixed))
    rank = np.empty(len(seen), dtype=np.int64)
    rank[order] = np.arange(len(seen), dtype=np.int64)
    return rank
