"""The stack router is a shortcut only: labels equal running every rule on every line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.document import Line
from cleaner.pipeline.run import to_pieces
from cleaner.rules import Rulebook
from cleaner.rules.context import DocContext
from cleaner.rules.engine import apply_rules
from cleaner.rules.kinds import KINDS
from cleaner.text.lang import detect_lang
from cleaner.text.normalize import CHARS, clean_line
from cleaner.text.segment import split_lines

ROOT = Path(__file__).resolve().parents[2]
BOOK = Rulebook.load()
DOCS = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "eval").rglob("*.txt"))


def _lines(text: str, lang: str) -> list[Line]:
    pieces, _ = to_pieces(split_lines(text))
    return [Line(i, clean_line(p, lang), p) for i, p in enumerate(pieces)]


def _reference(lines: list[Line], lang: str, rulesets) -> list:
    doc = DocContext(lines=lines, lang=lang)
    rules = sorted((r for rs in rulesets for r in rs.rules), key=lambda r: KINDS[r.kind].phase)
    for rule in rules:
        KINDS[rule.kind].apply(doc, rule)
    return doc.captures


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_routed_labels_equal_the_reference(path):
    text = path.read_text(encoding="utf-8")
    lang = detect_lang(text)
    stack = BOOK.select(lang, None, text)
    slow = _lines(text, lang)
    slow_caps = _reference(slow, lang, stack)
    # Routed without and with the document's character classes looked up beforehand.
    chars = CHARS.mask("\n".join(ln.original for ln in slow))
    for known in (None, chars):
        fast = _lines(text, lang)
        fast_caps = apply_rules(fast, lang, stack, known)
        assert [(ln.text, ln.label, ln.edits) for ln in fast] == [
            (ln.text, ln.label, ln.edits) for ln in slow
        ]
        assert fast_caps == slow_caps


def _pool() -> list[str]:
    """Real lines to build documents of: the seeds, the evaluation documents and every
    rule's own examples (the lines the rules are written to find)."""
    texts = [p.read_text(encoding="utf-8") for p in DOCS]
    for rule in BOOK.rules():
        texts += [*rule.drop, *rule.keep, *(line for line, _ in rule.strip)]
        texts += [ex.text for ex in rule.examples]
    return sorted({s for t in texts for line in t.splitlines() if (s := line.strip())})


POOL = _pool()


@settings(max_examples=150, deadline=None)
@given(
    picked=st.lists(st.sampled_from(POOL), min_size=1, max_size=30),
    lang=st.sampled_from(["fa", "ar", "en"]),
)
def test_routed_labels_equal_the_reference_on_random_documents(picked, lang):
    """Documents of real lines in random order and company: the router (trigram sieve, gate
    strings followed from line to line, first-character groups) never changes a label."""
    text = "\n".join(picked)
    stack = BOOK.select(lang, None, text)
    slow = _lines(text, lang)
    slow_caps = _reference(slow, lang, stack)
    fast = _lines(text, lang)
    fast_caps = apply_rules(fast, lang, stack, CHARS.mask(text))
    assert [(ln.text, ln.label, ln.edits) for ln in fast] == [
        (ln.text, ln.label, ln.edits) for ln in slow
    ]
    assert fast_caps == slow_caps


def test_a_backreference_rule_is_still_routed():
    """A regex with a back reference cannot join an alternation: it is searched alone."""
    from dataclasses import replace

    from cleaner.rules.router import Router

    (rule,) = [r for r in BOOK.rules() if r.kind == "pattern" and not r.params["on_key"]][:1]
    params = {**rule.params, "regex": re.compile(r"^(\w+) \1$"), "max_length": None}
    router = Router([replace(rule, params=params)])
    doc = DocContext(lines=[], lang="fa")
    assert router.route(doc, Line(0, "خبر خبر", "")) == [0]
    assert router.route(doc, Line(1, "خبر دیگر", "")) == []


EDGE_RULES = [
    r for r in BOOK.rules() if r.kind == "cut" and (r.params["first_line"] or r.params["last_line"])
]


@pytest.mark.parametrize("rule", EDGE_RULES, ids=[r.id for r in EDGE_RULES])
def test_cuts_of_the_first_or_last_line_are_routed_there_alone(rule):
    """Such a cut is tried on the document's first and last lines only: the labels equal
    every rule tried on every line, with its own examples at the edges and in the middle."""
    lang = rule.id.split("/")[0] if rule.id.split("/")[0] in ("ar", "fa", "en") else "ar"
    for line, _ in rule.strip:
        text = "\n".join([line, line, line])
        stack = BOOK.select(lang, None, text)
        slow = _lines(text, lang)
        slow_caps = _reference(slow, lang, stack)
        fast = _lines(text, lang)
        assert apply_rules(fast, lang, stack) == slow_caps
        assert [(ln.text, ln.label) for ln in fast] == [(ln.text, ln.label) for ln in slow]
        # Never in the middle (at its edge an earlier rule may have cut the same part).
        assert not [e for e in fast[1].edits if e.rule == rule.id]
