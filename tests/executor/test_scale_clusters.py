"""Clusters of batch paragraphs from numpy (stars, member scores): those of the general
path, which scores member by member."""

from __future__ import annotations

from dataclasses import dataclass

import cleaner.dedupe.api as api
from cleaner.dedupe import KEEP_POLICIES, DedupeOptions, paragraphs_of
from cleaner.dedupe.api import run
from cleaner.dedupe.prepare import prepare
from cleaner.dedupe.table import ClusterTable

from .test_scale_dedupe import make_docs


@dataclass
class _GeneralNodes(api.Nodes):
    """Nodes whose seen order is given (the batch's own): the run takes the general path."""

    def __post_init__(self) -> None:
        self.order_of_batch[0] = (1, 0)


def test_cluster_table_equals_clusters_made_member_by_member(monkeypatch):
    """The table's clusters and drops, for every keep policy, are those the general path
    makes member by member."""
    paragraphs = paragraphs_of(make_docs(300))
    for keep in KEEP_POLICIES:
        opts = DedupeOptions(keep=keep)
        prep = prepare(paragraphs, opts)
        table = run(paragraphs, opts, prepared=prep)
        assert isinstance(table.clusters, ClusterTable)
        with monkeypatch.context() as m:
            m.setattr(api, "Nodes", _GeneralNodes)
            objects = run(paragraphs, opts, prepared=prep)
        assert isinstance(objects.clusters, tuple)
        assert len(table.clusters) > 20
        assert table.clusters == objects.clusters, keep
        assert table.dropped == objects.dropped, keep
        assert any(m.similarity < 1.0 for c in objects.clusters for m in c.members)
        assert all(c.members[0].kept for c in objects.clusters)


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
