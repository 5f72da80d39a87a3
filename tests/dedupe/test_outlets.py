"""Outlets: members carry the outlet (source field, else URL host), clusters spanning outlets
are counted, ``--scope outlets`` pairs different outlets only, and an outlet's article
stored twice is one document duplicate, not a paragraph cluster for each paragraph."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cleaner.cli import main
from cleaner.dedupe import dedupe

WIRE = [
    "The minister said on Tuesday that the new port would open to ships before the year ends.",
    "Officials expect the project to create thousands of jobs in the eastern province by 2030.",
    "The agency added that the contracts were signed with three international firms last week.",
]
OTHER = "A completely different paragraph about football results and the league table."


def test_members_carry_their_outlet_and_clusters_across_outlets_are_counted():
    docs = [
        ("w1", "dump.jsonl:1", WIRE, "was"),
        ("a1", "dump.jsonl:2", [WIRE[0], OTHER], "alriyadh"),
        ("a2", "dump.jsonl:3", [OTHER + " Again, and more."], "alriyadh"),
    ]
    result = dedupe(docs)
    outlets = [[m.outlet for m in c.members] for c in result.clusters]
    assert ["was", "alriyadh"] in outlets
    assert result.stats["clusters_across_outlets"] == 1
    assert all(c.to_dict()["members"][0]["outlet"] for c in result.clusters)


def test_scope_outlets_keeps_pairs_between_different_outlets_only():
    docs = [
        ("a", "", [WIRE[0]], "x"),
        ("b", "", [WIRE[0], OTHER], "x"),  # not the same article: a paragraph more
        ("c", "", [WIRE[0]], "y"),
    ]
    result = dedupe(docs, scope="outlets")
    assert [[m.doc_id for m in c.members] for c in result.clusters] == [["a", "c"]]
    # b repeats a, of its own outlet: not a pair in this scope, so it stays.
    assert result.dropped_ids() == {("c", 0)}
    assert dedupe(docs, scope="across").dropped_ids() == {("b", 0), ("c", 0)}


def test_an_outlets_article_stored_twice_is_one_document_duplicate():
    docs = [
        ("a", "", WIRE, "x"),
        ("b", "", WIRE, "x"),  # the same article of x again
        ("c", "", WIRE, "y"),  # the wire copy in another outlet
        ("d", "", WIRE, ""),  # no outlet known: left to the paragraph clusters
    ]
    result = dedupe(docs)
    assert [d.to_dict() for d in result.documents] == [
        {"doc_id": "b", "outlet": "x", "duplicate_of": "a"}
    ]
    assert result.stats["duplicate_documents"] == 1
    assert {m.doc_id for c in result.clusters for m in c.members} == {"a", "c", "d"}
    assert {(d.doc_id, d.cluster) for d in result.dropped if d.doc_id == "b"} == {("b", -1)}
    assert result.dropped_ids() >= {("b", 0), ("b", 1), ("b", 2)}
    assert ("a", 0) not in result.dropped_ids()


def test_cli_outlet_from_the_source_field_or_the_url(tmp_path):
    path = tmp_path / "dump.jsonl"
    records = [
        {"id": "1", "text": "\n".join(WIRE), "outlet": "was", "url": "https://spa.gov.sa/1"},
        {"id": "2", "text": WIRE[0], "outlet": "sabq", "url": "https://sabq.org/2"},
        {"id": "3", "text": WIRE[0], "url": "https://www.okaz.com.sa/3"},
        {"id": "4", "text": "\n".join(WIRE), "outlet": "was", "url": "https://spa.gov.sa/4"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    args = ["dedupe", str(path), "--no-clean", "--source-field", "outlet"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    clusters = [json.loads(line) for line in res.stdout.splitlines()]
    (first,) = [c for c in clusters if c["size"] == 3]
    assert [m["outlet"] for m in first["members"]] == ["was", "sabq", "okaz.com.sa"]
    assert "1 clusters across outlets" in res.stderr
    assert "1 documents repeating one of their outlet" in res.stderr
    res = CliRunner().invoke(main, [*args, "--scope", "outlets", "-q"])
    assert res.exit_code == 0, res.output
    assert {m["outlet"] for line in res.stdout.splitlines() for m in json.loads(line)["members"]}
