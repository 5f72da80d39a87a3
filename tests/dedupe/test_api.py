from __future__ import annotations

import json

import pytest

from cleaner.dedupe import clusters_to_jsonl, dedupe, near_duplicates_within
from cleaner.document import CleanResult
from cleaner.errors import CleanerError

LEAD = (
    "ولادیمیر پوتین رئیس جمهور روسیه در گفتگوی تلفنی با جو بایدن از تشدید اوضاع ابراز نگرانی کرد."
)
OTHER = "وزیر خارجه لهستان در نشست خبری مشترک گفت که سازمان امنیت و همکاری اروپا نشست دارد."


def pairs_of(result, lines):
    """Every pair of (file, line) co-clustered."""
    out = set()
    for c in result.clusters:
        where = [(m.doc_id, lines[(m.doc_id, m.index)]) for m in c.members]
        out |= {frozenset((a, b)) for a in where for b in where if a != b}
    return out


def test_exact_and_orthographic_copies_cluster_across_docs():
    variant = LEAD.replace("ی", "ي").replace("ک", "ك").replace(" جمهور", "\u200cجمهور")
    docs = [("a", "a.txt", [LEAD, OTHER]), ("b", "b.txt", [OTHER[:20], variant])]
    result = dedupe(docs)
    assert len(result.clusters) == 1
    rep, member = result.clusters[0].members
    assert (rep.doc_id, rep.index, member.doc_id, member.index) == ("a", 0, "b", 1)
    assert member.text == variant  # output text is never the matching key
    assert member.similarity == pytest.approx(1.0)
    assert result.dropped_ids() == {("b", 1)}


def test_short_line_quoted_in_longer_paragraph_is_contained():
    quote = "ما واقعا نگران امنیت خود، امنیت روسیه، در مقیاس جهانی هستیم"
    longer = f"{OTHER} پوتین گفت: «{quote}» و این موضوع را دوباره در نشست خبری تکرار کرد."
    result = dedupe([("a", "", [quote]), ("b", "", [longer])])
    assert len(result.clusters) == 1
    member = result.clusters[0].members[1]
    assert member.containment >= 0.8 > member.jaccard


def test_unrelated_paragraphs_stay_apart():
    assert dedupe([("a", "", [LEAD]), ("b", "", [OTHER])]).clusters == ()


def test_scope_within_and_across():
    docs = [("a", "", [LEAD, LEAD]), ("b", "", [LEAD])]
    within = dedupe(docs, scope="within")
    assert [(m.doc_id, m.index) for m in within.clusters[0].members] == [("a", 0), ("a", 1)]
    across = dedupe(docs, scope="across")
    # (a,1)-(b,0) and (a,0)-(b,0) are the across pairs: (b,0) joins (a,0), seen first;
    # (a,1) repeats only (a,0) (a pair within a document) and (b,0) (dropped): it is kept.
    assert [(m.doc_id, m.index) for m in across.clusters[0].members] == [("a", 0), ("b", 0)]
    assert across.dropped_ids() == {("b", 0)}


def test_keep_policies():
    longer = LEAD + " او همچنین خواستار ادامه گفتگو شد و این را بارها تکرار کرد."
    docs = [("a", "", [LEAD]), ("b", "", [longer])]
    assert dedupe(docs, keep="first").dropped_ids() == {("b", 0)}
    assert dedupe(docs, keep="longest").dropped_ids() == {("a", 0)}
    with pytest.raises(CleanerError, match="keep policy"):
        dedupe(docs, keep="random")


def test_clean_results_are_documents():
    doc = CleanResult("x", "x.html", "utf-8", "fa", "", (LEAD, OTHER, LEAD), ())
    result = dedupe([doc])
    assert result.dropped_ids() == {("x", 2)}
    record = json.loads(clusters_to_jsonl(result))
    assert record["representative"]["source"] == "x.html"
    assert [m["index"] for m in record["members"]] == [0, 2]


def test_near_duplicates_within():
    pairs = near_duplicates_within([LEAD, OTHER, LEAD + "!", "short"])
    assert pairs == [(0, 2, 1.0)]


def test_seed_near_duplicates(seeds):
    docs, lines = seeds
    found = pairs_of(dedupe(docs), lines)
    name = "001_05048e11740625ed.txt"
    assert frozenset({(name, 12), (name, 24)}) in found  # the Kremlin line printed twice
    assert all(len({d for d, _ in p}) == 1 for p in found)  # no near copies across outlets


def test_seed_reuse_pairs_found(seeds):
    docs, lines = seeds
    found = pairs_of(dedupe(docs, mode="reuse"), lines)
    a = "000_761eb659faaffd2f.txt"
    assert frozenset({(a, 9), (a, 12)}) in found  # Putin's words reported, then quoted
    white_house = frozenset({("001_05048e11740625ed.txt", 18), ("004_3c1e2d3964b0d365.txt", 7)})
    assert white_house in found


def test_seed_reuse_leaves_unrelated_paragraphs_of_the_story_apart(seeds):
    docs, lines = seeds
    result = dedupe(docs, mode="reuse")
    found = pairs_of(result, lines)
    d1, d3, d4 = "001_05048e11740625ed.txt", "003_810ed9ab73ffc4bd.txt", "004_3c1e2d3964b0d365.txt"
    unrelated = [
        ((d1, 40), (d4, 2)),  # nuclear war line vs the call's length
        ((d1, 22), (d4, 5)),  # both about sanctions, in different words
        ((d4, 12), (d4, 14)),  # two Tajikistan air-defence paragraphs
        ((d1, 14), (d4, 1)),  # the two leads of the same call
    ]
    for a, b in unrelated:
        assert frozenset({a, b}) not in found
    # Reuse is rare: most paragraphs of the story are in no cluster at all.
    clustered = sum(len(c.members) for c in result.clusters)
    assert clustered < 0.3 * result.stats["paragraphs"]
    assert not any(
        m.doc_id == d3 for c in result.clusters for m in c.members[1:] if c.members[0].doc_id != d3
    )


def test_reuse_against_an_index_finds_the_pair_and_reruns_alike(tmp_path, seeds):
    from cleaner.index import SQLiteIndex

    docs, lines = seeds
    by_name = {d[0]: d for d in docs}
    d1, d4 = by_name["001_05048e11740625ed.txt"], by_name["004_3c1e2d3964b0d365.txt"]
    with SQLiteIndex(tmp_path / "seen.db") as index:
        dedupe([d1], mode="reuse", index=index)
        second = dedupe([d4], mode="reuse", index=index)
        again = dedupe([d4], mode="reuse", index=index)  # stored copies are not counted twice
    found = pairs_of(second, lines)
    white_house = frozenset({(d1[0], 18), (d4[0], 7)})
    assert white_house in found
    assert clusters_to_jsonl(again) == clusters_to_jsonl(second)


def test_cluster_json_lines_escape_unicode_line_separators():
    """A member text holding U+2028/U+2029/U+0085 stays on its cluster's one line."""
    import json

    from cleaner.dedupe import clusters_to_jsonl, dedupe

    text = "کرملین اعلام کرد که پیشرفت اساسی\u2028در مذاکرات\u2029ممکن است\u0085و گفتگو ادامه دارد"
    result = dedupe([("a", "s1", [text]), ("b", "s2", [text])])
    lines = clusters_to_jsonl(result).splitlines()  # str.splitlines splits on all three
    assert len(lines) == len(result.clusters) == 1
    assert json.loads(lines[0])["members"][1]["text"] == text
