"""Clusters of batch paragraphs from numpy (components, member scores): those of union-find
and of scoring member by member."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from cleaner.dedupe import KEEP_POLICIES, Cluster, DedupeOptions, Dropped, paragraphs_of
from cleaner.dedupe.api import (
    _count_members,
    _member,
    _Nodes,
    _ordered_components,
    _ordered_groups,
    components,
    run,
)
from cleaner.dedupe.prepare import prepare
from cleaner.dedupe.table import ClusterTable

from .test_scale_dedupe import make_docs


def _random_edges(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    pairs = sorted({(int(min(x, y)), int(max(x, y))) for x, y in zip(a, b, strict=True) if x != y})
    return np.array([x for x, _ in pairs]), np.array([y for _, y in pairs])


def test_components_and_their_order_equal_union_find():
    prep = prepare(paragraphs_of(make_docs(40)), DedupeOptions())
    nodes = _Nodes(prep, [], {}, {})
    n = len(prep)
    for seed, m in ((0, 10), (1, 60), (2, 150), (3, 400)):
        a, b = _random_edges(n, m, seed)
        assert _ordered_components(n, a, b) == _ordered_groups(nodes, a, b), seed
    # A long chain joined from its far end: several rounds of labels.
    chain = np.arange(n - 2, -1, -1)
    assert _ordered_components(n, chain, chain + 1) == [list(range(n))]
    none = np.zeros(0, np.int64)
    assert _ordered_components(n, none, none) == []
    assert components(3, np.zeros(0, np.int64), np.zeros(0, np.int64)).tolist() == [0, 1, 2]


def test_cluster_table_equals_clusters_made_member_by_member():
    """The table's clusters and drops, for every keep policy, are those of scoring each
    member against its representative and applying the policy to the members."""
    docs = make_docs(300)
    paragraphs = paragraphs_of(docs)
    kept_elsewhere = set()
    for keep in KEEP_POLICIES:
        opts = DedupeOptions(keep=keep)
        prep = prepare(paragraphs, opts)
        result = run(paragraphs, opts, prepared=prep)
        assert isinstance(result.clusters, ClusterTable)
        nodes = _Nodes(prep, [], {}, {})
        groups = _ordered_components(len(prep), result.pairs.a, result.pairs.b)
        assert len(groups) > 20
        verified = {(p.a, p.b) for p in result.pairs}
        # Some members were not verified against their representative (counted afterwards).
        assert any((g[0], x) not in verified for g in groups for x in g[1:])
        _count_members(nodes, groups, 1)
        clusters, dropped = [], []
        for cid, g in enumerate(groups):
            members = [_member(nodes, node, g[0], None) for node in g]
            kept = KEEP_POLICIES[keep](members)
            kept_elsewhere.add((keep, kept > 0))
            clusters.append(
                Cluster(cid, tuple(replace(m, kept=k == kept) for k, m in enumerate(members)))
            )
            dropped += [
                Dropped(paragraphs[node].doc_id, paragraphs[node].index, cid)
                for k, node in enumerate(g)
                if k != kept
            ]
        assert result.clusters == tuple(clusters), keep
        assert result.dropped == tuple(dropped), keep
        assert result.stats["dropped"] == len(dropped)
        assert any(m.similarity < 1.0 for c in clusters for m in c.members)
    # Each policy but "first" kept some member other than the representative.
    assert {("last", True), ("longest", True), ("shortest", True)} <= kept_elsewhere


def test_clusters_jsonl_is_each_cluster_dumped_whole():
    import json

    from cleaner.dedupe import clusters_to_jsonl, dedupe
    from cleaner.index import open_index

    docs = make_docs(300)
    index = open_index("memory:")
    dedupe(docs[:100], index=index)
    for result in (dedupe(docs), dedupe(docs, mode="reuse"), dedupe(docs[100:], index=index)):
        want = "".join(
            json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
            for c in result.clusters
        )
        assert result.clusters and clusters_to_jsonl(result) == want
