"""Every rule's own examples, one test per rule so a failure names the rule."""

from __future__ import annotations

import pytest

from cleaner.rules import Rulebook, check_rule

BOOK = Rulebook.load()
RULES = [(rs, r) for rs in BOOK.rulesets for r in rs.rules]


@pytest.mark.parametrize(("rs", "rule"), RULES, ids=[r.id for _, r in RULES])
def test_rule_examples(rs, rule):
    failures = [str(f) for f in check_rule(BOOK, rs, rule)]
    assert not failures, "\n".join(failures)


def test_every_ruleset_has_rules_and_known_scope():
    names = {rs.name for rs in BOOK.rulesets}
    assert {"global", "fa", "ar", "sputnik-fa"} <= names


def test_broken_example_is_reported(tmp_path):
    (tmp_path / "x.yaml").write_text(
        """
name: x
scope: global
rules:
  - id: too-greedy
    kind: pattern
    category: navigation
    description: Drops every line with a letter a.
    pattern: 'a'
    drop: ["zzz"]
    keep: ["banana"]
""",
        encoding="utf-8",
    )
    book = Rulebook.load([tmp_path], builtin=False)
    failures = [str(f) for rs in book.rulesets for r in rs.rules for f in check_rule(book, rs, r)]
    assert len(failures) == 2
    assert "drop example not dropped: 'zzz'" in failures[0]
    assert "keep example removed by x/too-greedy" in failures[1]
    assert "x.yaml:5" in failures[0]
