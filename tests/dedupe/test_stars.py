"""Clusters are stars around a kept paragraph: a paragraph is dropped only when a kept
paragraph repeats it (chains and long paragraphs that quote several short ones built to
break connected components), on hand-made chains and on random batches."""

from __future__ import annotations

import json
import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner.dedupe import DedupeResult, clusters_to_jsonl, dedupe, shingle_text
from cleaner.dedupe.stars import CONTAINED, JACCARD, stars

#: Distinct made-up words, so overlaps are exactly the words shared.
WORDS = [f"w{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}{i}q" for i in range(400)]


def _text(lo: int, hi: int) -> str:
    return " ".join(WORDS[lo:hi])


def _sets(text: str, k: int = 5) -> frozenset[str]:
    key = shingle_text(text)
    return frozenset(key[i : i + k] for i in range(max(1, len(key) - k + 1)))


def _repeats(small: str, big: str, threshold: float, containment: float | None) -> bool:
    """Whether ``small`` may be dropped for ``big``: Jaccard at the threshold, or contained
    in it (counted here from the texts, not read from the result)."""
    a, b = _sets(small), _sets(big)
    inter = len(a & b)
    if inter / len(a | b) >= threshold:
        return True
    return containment is not None and len(a) >= 20 and inter / len(a) >= containment


def _check_drops(docs, result: DedupeResult, threshold: float, containment: float | None):
    text = {(d, i): p for d, _, paras in docs for i, p in enumerate(paras)}
    dropped = result.dropped_ids()
    kept = [u for u in text if u not in dropped]
    for uid in dropped:
        assert any(_repeats(text[uid], text[k], threshold, containment) for k in kept), uid
    for c in result.clusters:
        rep = c.members[0]
        assert rep.kept
        assert (rep.doc_id, rep.index) not in dropped
        for m in c.members[1:]:
            # Every member is like the representative itself (no chain).
            a, b = _sets(m.text), _sets(rep.text)
            inter = len(a & b)
            smaller = min(len(a), len(b))
            contained = inter / smaller >= (containment or 2) and smaller >= 20
            assert inter / len(a | b) >= threshold or contained, (c.id, m.doc_id)
            assert m.similarity >= min(threshold, containment or threshold) - 1e-9
        members = {(m.doc_id, m.index) for m in c.members}
        for r in c.related:
            # A related paragraph is kept, in no cluster, and near the member it names (not
            # the representative): a near copy, quoted in it, or quoting it.
            uid = (r.member.doc_id, r.member.index)
            assert r.member.kept and uid not in dropped and uid not in members
            assert 0 < r.near < len(c.members)
            via = c.members[r.near]
            near = _repeats(text[uid], via.text, threshold, containment)
            assert near or _repeats(via.text, text[uid], threshold, containment), (c.id, uid)
            assert r.member.similarity >= min(threshold, containment or threshold) - 1e-9
    placed = [
        (m.doc_id, m.index)
        for c in result.clusters
        for m in [*c.members, *(r.member for r in c.related)]
    ]
    assert len(placed) == len(set(placed))  # one cluster a paragraph


def test_a_chain_drops_only_what_the_kept_one_repeats():
    # A~B and B~C (24 of 32 words shared), A and C share 16 of 48: C is unlike A.
    a, b, c = _text(0, 32), _text(8, 40), _text(16, 48)
    docs = [("a", "", [a]), ("b", "", [b]), ("c", "", [c])]
    assert not _repeats(c, a, 0.4, None) and _repeats(b, a, 0.4, None)
    assert _repeats(c, b, 0.4, None)
    result = dedupe(docs, containment=None)
    # B joins A; C only links through B (dropped): it is kept, in no cluster, and reported
    # beside A's cluster as repeating B.
    assert result.dropped_ids() == {("b", 0)}
    assert [[m.doc_id for m in cl.members] for cl in result.clusters] == [["a", "b"]]
    (related,) = result.clusters[0].related
    assert (related.member.doc_id, related.member.kept, related.near) == ("c", True, 1)
    assert related.member.jaccard >= 0.4
    _check_drops(docs, result, 0.4, None)
    # Seen the other way round, B is kept (first) and both A and C repeat it.
    result = dedupe(docs[::-1], containment=None)
    assert result.dropped_ids() == {("b", 0)}
    result = dedupe([docs[1], docs[0], docs[2]], containment=None)
    assert result.dropped_ids() == {("a", 0), ("c", 0)}
    _check_drops(docs, result, 0.4, None)


def test_a_long_paragraph_is_no_bridge_and_is_never_dropped_for_a_short_one():
    s1, s2 = _text(0, 12), _text(100, 112)
    long = " ".join([_text(200, 230), s1, _text(240, 270), s2, _text(280, 300)])
    docs = [("s1", "", [s1]), ("long", "", [long]), ("s2", "", [s2])]
    for keep in ("first", "last", "longest", "shortest"):
        result = dedupe(docs, keep=keep)
        assert ("long", 0) not in result.dropped_ids(), keep
        # The short ones are quoted in the long one: each may go for it, not for each other.
        assert result.dropped_ids() == {("s1", 0), ("s2", 0)}, keep
        for c in result.clusters:
            assert c.members[0].doc_id == "long"
        _check_drops(docs, result, 0.4, 0.8)
    # Without containment nothing repeats anything.
    assert dedupe(docs, containment=None).dropped_ids() == set()


def test_a_paragraph_quoting_a_member_is_reported_as_related_and_kept():
    # L is quoted in B and in Q; B and Q are unlike. L goes with B (seen first); Q quotes
    # L, not B: kept, in no cluster, listed beside B's cluster as near L.
    base, line = _text(0, 40), _text(10, 25)
    quoting = " ".join([_text(200, 230), line, _text(240, 260)])
    docs = [("b", "", [base]), ("l", "", [line]), ("q", "", [quoting])]
    result = dedupe(docs)
    assert result.dropped_ids() == {("l", 0)}
    (cluster,) = result.clusters
    assert [m.doc_id for m in cluster.members] == ["b", "l"]
    (related,) = cluster.related
    assert (related.member.doc_id, related.member.kept, related.near) == ("q", True, 1)
    assert related.member.containment >= 0.8 > related.member.jaccard
    record = json.loads(clusters_to_jsonl(result))
    assert [(r["doc_id"], r["near"], r["kept"]) for r in record["related"]] == [("q", 1, True)]
    _check_drops(docs, result, 0.4, 0.8)


def test_a_near_copy_of_a_quoted_line_goes_with_its_copy():
    # B is A with two words more; both are quoted in L. B prefers A (a near copy) to L.
    a = _text(0, 30)
    b = a + " " + _text(30, 32)
    long = " ".join([_text(200, 260), a, _text(260, 300)])
    docs = [("a", "", [a]), ("b", "", [b]), ("long", "", [long])]
    result = dedupe(docs)
    assert ("long", 0) not in result.dropped_ids()
    _check_drops(docs, result, 0.4, 0.8)


def test_scope_across_leaves_pairs_within_a_document_alone():
    a = _text(0, 30)
    docs = [("x", "", [a, a]), ("y", "", [a])]
    result = dedupe(docs, scope="across")
    assert result.dropped_ids() == {("y", 0)}
    _check_drops(docs, result, 0.4, 0.8)


def test_stars_rounds_and_one_by_one_agree(monkeypatch):
    """The vectorised rounds give what deciding each node in order gives."""
    import cleaner.dedupe.stars as module

    rng = np.random.default_rng(7)
    for trial in range(20):
        n = 60
        a, b = rng.integers(0, n, 200), rng.integers(0, n, 200)
        keep = a != b
        src, dst = a[keep], b[keep]
        kind = rng.choice([JACCARD, CONTAINED], len(src)).astype(np.int8)
        rank = rng.permutation(n)
        want = stars(n, src, dst, kind, rank)
        monkeypatch.setattr(module, "MAX_ROUNDS", 0)
        got = stars(n, src, dst, kind, rank)
        monkeypatch.setattr(module, "MAX_ROUNDS", 64)
        assert [x.tolist() for x in got] == [x.tolist() for x in want], trial
        centre, covered = want
        for v in np.flatnonzero(covered):
            c = centre[v]
            assert centre[c] == c and not covered[c]
            assert any(s == v and d == c for s, d in zip(src, dst, strict=True))


@st.composite
def batches(draw):
    """Documents of paragraphs: fresh word runs, their near copies (a few words dropped or
    added), lines cut out of them, and paragraphs joining several."""
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    pool: list[str] = []
    docs = []
    for d in range(draw(st.integers(2, 6))):
        paras = []
        for _ in range(rnd.randint(1, 6)):
            kind = rnd.random()
            if not pool or kind < 0.3:
                lo = rnd.randrange(0, len(WORDS) - 40)
                text = _text(lo, lo + rnd.randint(4, 40))
            elif kind < 0.6:
                words = rnd.choice(pool).split()
                for _ in range(rnd.randint(0, 4)):
                    if len(words) > 3 and rnd.random() < 0.5:
                        del words[rnd.randrange(len(words))]
                    else:
                        words.insert(rnd.randrange(len(words) + 1), rnd.choice(WORDS))
                text = " ".join(words)
            elif kind < 0.8:
                words = rnd.choice(pool).split()
                lo = rnd.randrange(len(words))
                text = " ".join(words[lo : lo + rnd.randint(3, 20)])
            else:
                text = " ".join(rnd.choice(pool) for _ in range(rnd.randint(2, 4)))
            pool.append(text)
            paras.append(text)
        docs.append((f"d{d}", "", paras))
    return docs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=batches(),
    keep=st.sampled_from(["first", "last", "longest", "shortest"]),
    scope=st.sampled_from(["all", "within", "across"]),
    threshold=st.sampled_from([0.3, 0.4, 0.6]),
    containment=st.sampled_from([None, 0.8, 0.6]),
)
def test_no_dropped_text_is_unlike_all_kept_text(docs, keep, scope, threshold, containment):
    result = dedupe(docs, keep=keep, scope=scope, threshold=threshold, containment=containment)
    _check_drops(docs, result, threshold, containment)


def test_index_matches_follow_the_same_rule():
    """A paragraph stored by an earlier batch is kept (a centre); a batch paragraph like
    only a batch member of its cluster, not like the stored one, is not dropped for it."""
    from cleaner.index import open_index

    a, b, c = _text(0, 32), _text(8, 40), _text(16, 48)
    index = open_index("memory:")
    dedupe([("old", "", [a])], index=index, containment=None)
    docs = [("b", "", [b]), ("c", "", [c])]
    result = dedupe(docs, index=index, containment=None)
    assert result.dropped_ids() == {("b", 0)}
    (cluster,) = result.clusters
    assert [(m.doc_id, m.from_index, m.kept) for m in cluster.members] == [
        ("old", True, True),
        ("b", False, False),
    ]
    _check_drops([("old", "", [a]), *docs], result, 0.4, None)
