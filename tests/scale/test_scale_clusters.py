"""Clusters of batch paragraphs from numpy (components, member scores): those of union-find
and of scoring member by member."""

from __future__ import annotations

import numpy as np

from cleaner.dedupe import DedupeOptions, paragraphs_of
from cleaner.dedupe.api import (
    _count_members,
    _member,
    _member_scores,
    _Nodes,
    _ordered_components,
    _ordered_groups,
    components,
    run,
)
from cleaner.dedupe.prepare import prepare

from .test_scale_dedupe import make_docs


def _random_edges(n: int, m: int, seed: int) -> list[tuple[int, int, float]]:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    return sorted(
        {(int(min(x, y)), int(max(x, y)), 0.5) for x, y in zip(a, b, strict=True) if x != y}
    )


def test_components_and_their_order_equal_union_find():
    prep = prepare(paragraphs_of(make_docs(40)), DedupeOptions())
    nodes = _Nodes(prep, [], {}, {})
    n = len(prep)
    for seed, m in ((0, 10), (1, 60), (2, 150), (3, 400)):
        verified = _random_edges(n, m, seed)
        assert _ordered_components(n, verified) == _ordered_groups(nodes, verified), seed
    # A long chain joined from its far end: several rounds of labels.
    chain = [(i, i + 1, 1.0) for i in range(n - 2, -1, -1)]
    assert _ordered_components(n, chain) == [list(range(n))]
    assert _ordered_components(n, []) == []
    assert components(3, np.zeros(0, np.int64), np.zeros(0, np.int64)).tolist() == [0, 1, 2]


def test_member_scores_equal_scoring_one_by_one():
    docs = make_docs(300)
    prep = prepare(paragraphs_of(docs), DedupeOptions())
    result = run(paragraphs_of(docs), DedupeOptions(), prepared=prep)
    nodes = _Nodes(prep, [], {}, {})
    groups = _ordered_components(len(prep), [(p.a, p.b, p.similarity) for p in result.pairs])
    assert len(groups) > 20
    _count_members(nodes, groups, 1)  # what the run counts before scoring
    want = []
    for g in groups:
        for node in g:
            m = _member(nodes, node, g[0], None)
            want.append((m.similarity, m.jaccard, m.containment))
    assert list(_member_scores(nodes, groups)) == want
    assert any(s < 1.0 for s, _, _ in want)


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
