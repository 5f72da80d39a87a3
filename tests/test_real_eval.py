"""The hand-labelled real-data evaluation (eval/real): its scoring, and its floors as a ratchet.

The floors (eval/real/floors.json) are the figures reached so far on the single-document
run; a change that removes fewer labelled leftovers or keeps fewer body sentences, in all
or at one outlet, fails here. The corpora are read from ../shared/corpora beside the
repository (or $CLEANER_CORPORA); without them the floor test is skipped.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import sys
from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parents[1] / "eval" / "real"


def _modules():
    if str(REAL) not in sys.path:
        sys.path.insert(0, str(REAL))
    return importlib.import_module("run"), importlib.import_module("real_labels")


def _require_corpora() -> None:
    """Skip, naming what is missing, where the shared corpora are absent."""
    from real_corpus import SPECS, corpus_path

    try:
        for name in SPECS:
            corpus_path(name)
    except FileNotFoundError as exc:
        pytest.skip(f"real corpora absent: {exc}")


def _article(text: str):
    from real_corpus import Article

    return Article("x.jsonl.gz", "a1", "ar", "outlet", None, text)


def _labels(tmp_path: Path, body: str):
    _, labels = _modules()
    path = tmp_path / "t.labels"
    path.write_text(body, encoding="utf-8")
    return labels.parse(path)


TEXT = (
    "الرياض - واس: قال الوزير إن المشروع يبدأ غدا. وأضاف أن الكلفة كبيرة.\n"
    "\n"
    "تابعونا على تويتر\n"
    "وختم بالقول إن العمل مستمر في كل المناطق. // انتهى //"
)
LABELS = (
    "@ x.jsonl.gz a1 lines=4\n1 S dateline الرياض - واس:\n3 L share\n4 S end-marker // انتهى //\n"
)


def test_the_key_drops_control_and_invisible_characters_and_folds_letter_forms():
    """A scrape's stray control character (U+001A before a line) is not text: cleaner drops
    it, so a sentence it preceded is still found in the output."""
    run, _ = _modules()
    assert run.fold("\x1a\x1a أيها  الموت\u200c") == run.fold("أيها الموت")
    assert run.fold("كتاب ١٢") == run.fold("کتاب 12") != run.fold("کتاب 13")


def test_units_cut_spans_and_sentences(tmp_path):
    run, labels = _modules()
    art = _article(TEXT)
    lab = labels.check(_labels(tmp_path, LABELS)[0], art)
    units = run.units_of(lab, art)
    assert [(u.body, u.line) for u in units] == [
        (False, 1), (True, 1), (True, 1), (False, 3), (True, 4), (False, 4)
    ]  # fmt: skip
    assert units[1].text == "قال الوزير إن المشروع يبدأ غدا."


def test_score_counts_leftovers_removed_and_names_the_rule_of_a_lost_sentence(tmp_path):
    run, labels = _modules()
    art = _article(TEXT)
    lab = labels.check(_labels(tmp_path, LABELS)[0], art)
    out = {
        "title": "",
        # spaces differ; the dateline is cut, the last line lost with its end marker
        "paragraphs": [
            "قال الوزير إن المشروع يبدأ غدا.   وأضاف أن الكلفة كبيرة.",
            "تابعونا على تويتر",
        ],
        "removed": [{"text": "وختم بالقول إن العمل مستمر في كل المناطق. // انتهى //",
                     "rule": "ar/x", "category": "end-marker"}],
    }  # fmt: skip
    s = run.score(lab, art, out)
    assert (s.leftovers, s.removed, s.body, s.kept) == (3, 2, 3, 2)
    assert s.left[0]["kind"] == "share"
    assert s.lost[0]["line"] == 4 and s.lost[0]["rules"] == ["ar/x (end-marker)"]


def test_a_leftover_is_looked_for_only_between_its_neighbours(tmp_path):
    """A short leftover whose words recur later in the body still counts as removed."""
    run, labels = _modules()
    text = "واس\nقال المتحدث باسم واس إن الخبر صحيح تماما وإن التفاصيل ستعلن لاحقا."
    art = _article(text)
    lab = labels.check(_labels(tmp_path, "@ x.jsonl.gz a1 lines=2\n1 L byline\n")[0], art)
    s = run.score(lab, art, {"title": "", "paragraphs": [text.split("\n")[1]], "removed": []})
    assert (s.removed, s.kept) == (1, 1)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("@ x.jsonl.gz a1 lines=3\n", "article has 4 lines"),
        ("@ x.jsonl.gz a1 lines=4\n2 L share\n", "empty or out of range"),
        ("@ x.jsonl.gz a1 lines=4\n3 S share تويتر فيسبوك\n", "span is not in line 3"),
        ("@ x.jsonl.gz a1 lines=4\n3 L sharing\n", "unknown kind"),
        ("@ x.jsonl.gz a1 lines=4\n3 L share\n3 S share تويتر\n", "already a whole-line"),
    ],
)
def test_labels_that_do_not_fit_the_article_are_refused(tmp_path, body, error):
    _, labels = _modules()
    with pytest.raises(labels.LabelError, match=error):
        labels.check(_labels(tmp_path, body)[0], _article(TEXT))


def test_single_document_figures_meet_the_floors():
    run, _ = _modules()

    _require_corpora()
    floors = json.loads((REAL / "floors.json").read_text(encoding="utf-8"))
    checked = 0
    for lang, modes in floors.items():
        scores = run.evaluate(lang, "single")
        for outlet, want in modes["single"].items():
            got = scores[outlet]
            now = {"leftovers_removed": got.removed_share, "body_kept": got.kept_share}
            for name, floor in want.items():
                fell = f"{lang} {outlet} {name}: {got.figures()}, floor {floor}; {got.lost[:5]}"
                assert now[name] >= floor, fell
                checked += 1
    assert checked, "floors.json names no figure"


def test_short_tail_is_a_short_last_line_that_closes_no_sentence():
    _modules()  # puts eval/real on the path
    sample = importlib.import_module("sample")
    assert sample.short_tail(_article("قال الوزير إن المشروع يبدأ غدا.\nانتهای پیام/م\n\n"))
    assert sample.short_tail(_article("النتائج كالتالي:\nالهلال 2 - النصر 1"))
    assert not sample.short_tail(_article("قال الوزير إن المشروع يبدأ غدا."))
    assert not sample.short_tail(_article("عنوان\n" + "كلمة " * 20))
    assert not sample.short_tail(_article("\n\n"))


def _outlets_of_forty():
    from real_corpus import Article

    ends = ("قال الوزير إن المشروع يبدأ غدا.", "انتهای پیام")  # the second is a short tail
    return {
        o: [Article("x", f"{o}{n}", "fa", o, None, "متن.\n" + ends[n % 2]) for n in range(40)]
        for o in ("a", "b")
    }


def test_each_held_out_round_is_the_next_of_the_same_shuffles_after_the_parts_before_it():
    _modules()
    sample = importlib.import_module("sample")
    by_outlet = _outlets_of_forty()
    key = "7:x:{outlet}"
    before = sample.draw_parts(by_outlet, key, 10, 4, [])
    parts = sample.draw_parts(by_outlet, key, 10, 4, [(5, 3), (2, 1)])
    assert list(before) == ["random", "tail"]
    assert list(parts) == ["random", "tail", "heldout1", "heldout2"]
    assert parts["random"] == before["random"] and parts["tail"] == before["tail"]
    one = sample.draw_parts(by_outlet, key, 10, 4, [(5, 3)])
    assert one["heldout1"] == parts["heldout1"]  # a new round leaves the earlier ones be
    ids = [a.id for part in parts.values() for a in part]
    assert len(ids) == len(set(ids)) == 2 * (10 + 4 + 5 + 3 + 2 + 1)
    shuffles = sample.draw_parts(by_outlet, key, 40, 0, [])["random"]
    tails = sample.draw_parts(by_outlet, key, 0, 40, [])["tail"]
    drawn = {a.id for a in parts["random"] + parts["tail"]}
    for name, (rand, tail) in (("heldout1", (5, 3)), ("heldout2", (2, 1))):
        held = parts[name]
        assert [a.outlet for a in held] == ["a", "b"] * rand + ["a", "b"] * tail
        for o in by_outlet:  # round-robin: each outlet's next of its own shuffle
            rest = [a for a in shuffles if a.outlet == o and a.id not in drawn]
            assert [a for a in held[: 2 * rand] if a.outlet == o] == rest[:rand]
        drawn |= {a.id for a in held[: 2 * rand]}
        for o in by_outlet:
            rest = [a for a in tails if a.outlet == o and a.id not in drawn]
            assert [a for a in held[2 * rand :] if a.outlet == o] == rest[:tail]
        drawn |= {a.id for a in held}


def test_the_labelled_articles_are_the_ones_sample_py_picks_in_its_order():
    """Labels follow sample.py: every label file is a prefix of its language's sample."""
    run, labels = _modules()
    from real_corpus import files_of

    sample = importlib.import_module("sample")
    _require_corpora()
    for lang, path in run.LABEL_FILES.items():
        got = [(lab.file, lab.id) for lab in labels.load([path])]
        picked = [a for f in files_of(lang) for a in sample.sample(f)]
        want = [(a.file, a.id) for a in picked]
        assert got == want[: len(got)], f"{path.name} is not a prefix of sample.py's order"


def test_run_py_parts_split_the_labels_by_the_parts_of_the_sample():
    """--part tuned: the random and short-tail parts; heldoutN: round N; heldout: every round."""
    run, labels = _modules()

    sample = importlib.import_module("sample")
    _require_corpora()
    labs = labels.load([run.LABEL_FILES["fa"]])
    (name,) = {lab.file for lab in labs}
    parts = sample.parts(name)
    start = len(parts["random"]) + len(parts["tail"])
    assert len(labs) >= start + len(parts["heldout1"]), "fa.labels lacks the first held-out round"
    assert run.select(labs, "tuned") == labs[:start]
    end = start
    for n in range(1, len(parts) - 1):
        begin, end = end, end + len(parts[f"heldout{n}"])
        assert run.select(labs, f"heldout{n}") == labs[begin:end]
    assert run.select(labs, "heldout") == labs[start:]
    assert run.select(labs, "all") == labs
    beyond = f"heldout{len(parts) - 1}"  # the round after the last one sample.py draws
    with pytest.raises(ValueError, match=f"no part {beyond}"):
        run.select(labs, beyond)


def test_run_py_part_names_are_checked():
    run, _ = _modules()
    assert run.part_name("heldout12") == "heldout12"
    for bad in ("heldout0", "held", "tuned1", "heldout-1"):
        with pytest.raises(argparse.ArgumentTypeError):
            run.part_name(bad)


def test_audit_diff_lists_every_changed_paragraph_and_title(tmp_path: Path):
    _modules()
    audit = importlib.import_module("audit")
    rows = [
        {"id": "a", "outlet": "o1", "title": "T", "paragraphs": ["p1", "p2", "p3"]},
        {"id": "b", "outlet": "o2", "title": "", "paragraphs": ["q1"]},
    ]
    after = [dict(rows[0], paragraphs=["p1", "p3"]), dict(rows[1], title="q0")]
    paths = []
    for name, data in (("before", rows), ("after", after)):
        paths.append(tmp_path / f"{name}.jsonl")
        paths[-1].write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    assert list(audit.changes(rows[0], after[0])) == [("-", "p2")]
    assert list(audit.changes(rows[1], after[1])) == [("-", "[title] "), ("+", "[title] q0")]
    out = io.StringIO()
    counts = audit.diff(paths[0], paths[1], 80, out)
    assert counts["articles"] == 2 and counts["o1:-"] == 1 and counts["o2:+"] == 1
    assert "@ a (o1)\n  - p2\n" in out.getvalue() and "2 article(s) changed" in out.getvalue()
