"""The first-character grouping never loses a match of an anchored rule regex."""

from __future__ import annotations

import re
from pathlib import Path

from cleaner.rules import Rulebook
from cleaner.rules.firstchar import FirstCharIndex, first_char_predicate
from cleaner.rules.router import anchored, piece

ROOT = Path(__file__).resolve().parents[2]


def _anchored_regexes() -> list[re.Pattern[str]]:
    out = []
    for rule in Rulebook.load().rules():
        for name in ("regex", "header_rx", "marker"):
            rx = rule.params.get(name)
            if isinstance(rx, re.Pattern) and anchored(rx):
                out.append(rx)
    return out


def _lines() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("*.txt")]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "eval").rglob("*.txt")]
    for rule in Rulebook.load().rules():
        texts += list(rule.drop) + list(rule.keep)
    return [ln.strip() for t in texts for ln in t.splitlines() if ln.strip()]


def test_index_matches_whenever_a_regex_matches():
    regexes = _anchored_regexes()
    assert len(regexes) > 20
    index = FirstCharIndex(
        regexes, [piece(rx, drop_anchor=True) for rx in regexes], [None] * len(regexes)
    )
    for line in _lines():
        if any(rx.match(line) for rx in regexes):
            assert index.match(line), line


def test_predicates_are_supersets_on_the_first_character():
    lines = _lines()
    for rx in _anchored_regexes():
        pred = first_char_predicate(rx)
        for line in lines:
            if rx.match(line):
                assert pred(line[0]), (rx.pattern, line)


def test_predicate_rejects_other_first_characters():
    pred = first_char_predicate(re.compile(r"^(کد|شناسه)\s*خبر"))
    assert pred("ک") and pred("ش") and not pred("ب") and not pred("a")
    icase = first_char_predicate(re.compile(r"^(?i:read more)"))
    assert icase("R") and icase("r") and not icase("x")
