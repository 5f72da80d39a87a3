"""Run every rule's own examples: the drop lines, the keep lines, the documents.

A rule's ``drop`` lines and document examples run through that rule alone, so a rule proves
it does its job by itself (a document example marked ``stack`` runs through the whole stack,
for a rule that judges what the rules before it dropped); ``keep`` lines run through the
whole stack a document of that language would get, so no other rule may eat them either.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cleaner.config import CleanConfig
from cleaner.document import Line
from cleaner.rules.engine import Rulebook, apply_one, apply_rules
from cleaner.rules.model import Rule, RuleSet
from cleaner.text.lang import detect_lang
from cleaner.text.normalize import clean_line, match_key


@dataclass(frozen=True)
class ExampleFailure:
    """One failed example: which rule, where it is written, and what went wrong."""

    rule: str
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: rule {self.rule!r}: {self.message}"


def _lines(text: str, lang: str) -> list[Line]:
    fold = lang if CleanConfig().fold_persian else "und"
    out: list[Line] = []
    for raw in text.splitlines():
        t = clean_line(raw, fold)
        if t:
            out.append(Line(len(out), t, raw))
    return out


def _lang(rs: RuleSet, rule: Rule, text: str) -> str:
    if rs.langs:
        return rs.langs[0]
    if rule.kind == "script":
        return rule.params["langs"][0]
    return detect_lang(text)


def _stack(book: Rulebook, rs: RuleSet, lang: str) -> list[RuleSet]:
    base = [
        r for r in book.rulesets if r.scope == "global" or (r.scope == "lang" and lang in r.langs)
    ]
    return base + ([rs] if rs.scope == "site" else [])


def check_rule(book: Rulebook, rs: RuleSet, rule: Rule) -> Iterator[ExampleFailure]:
    """Yield a failure for every example of ``rule`` that does not behave as written."""

    def fail(msg: str, line: int | None = None) -> ExampleFailure:
        return ExampleFailure(rule.id, rule.file, line or rule.line, msg)

    for text in rule.drop:
        lang = _lang(rs, rule, text)
        lines = _lines(text, lang)
        apply_one(lines, lang, rule)
        if not lines or lines[0].kept:
            yield fail(f"drop example not dropped: {text!r}")
    for text in rule.keep:
        lang = _lang(rs, rule, text)
        lines = _lines(text, lang)
        apply_rules(lines, lang, _stack(book, rs, lang))
        for ln in lines:
            if not ln.kept or ln.edits:
                who = ln.label.rule if ln.label else ln.edits[0].rule
                yield fail(f"keep example removed by {who}: {text!r}")
    for before, after in rule.strip:
        lang = _lang(rs, rule, before)
        lines = _lines(before, lang)
        apply_one(lines, lang, rule)
        got = lines[0].text if lines else ""
        if got != clean_line(after, lang):
            yield fail(f"strip example gave {got!r}, expected {after!r}")
    for line, fields in rule.captures:
        lang = _lang(rs, rule, line)
        read = {c.field: c.value for c in apply_one(_lines(line, lang), lang, rule)}
        if read != fields:
            yield fail(f"capture example {line!r} gave {read}, expected {fields}")
    for ex in rule.examples:
        lang = _lang(rs, rule, ex.text)
        lines = _lines(ex.text, lang)
        if ex.stack:
            apply_rules(lines, lang, _stack(book, rs, lang))
        else:
            apply_one(lines, lang, rule)
        dropped = {match_key(ln.text) for ln in lines if ln.label and ln.label.rule == rule.id}
        kept_keys = {match_key(ln.text) for ln in lines if ln.kept}
        for t in ex.dropped:
            if match_key(t) not in dropped:
                yield fail(f"example line not dropped: {t!r}", ex.line)
        for t in ex.kept:
            if match_key(t) not in kept_keys or match_key(t) in dropped:
                yield fail(f"example line not kept: {t!r}", ex.line)
        if ex.output is not None:
            got_lines = [ln.text for ln in lines if ln.kept]
            want = [t for t in (clean_line(x, lang) for x in ex.output.splitlines()) if t]
            if got_lines != want:
                yield fail(f"example output {got_lines!r}, expected {want!r}", ex.line)


def check_rulebook(book: Rulebook) -> list[ExampleFailure]:
    """Check the examples of every rule of ``book``."""
    return [f for rs in book.rulesets for rule in rs.rules for f in check_rule(book, rs, rule)]
