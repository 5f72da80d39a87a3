"""Select the rule sets that apply to a document and run them over its lines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cleaner.document import Line
from cleaner.errors import RuleError
from cleaner.metadata.captures import Capture
from cleaner.rules.context import DocContext
from cleaner.rules.kinds import KINDS, Phase
from cleaner.rules.loader import builtin_rules_dir, load_folder
from cleaner.rules.model import Rule, RuleSet
from cleaner.rules.router import Router

#: How much of a document is searched for a site's signatures: they sit in captions and
#: credits, near the top or the bottom, but a whole 50 MB line is not worth scanning.
SIGNATURE_WINDOW = 20_000
_SCOPE_ORDER = {"global": 0, "lang": 1, "site": 2}


@dataclass(frozen=True)
class Rulebook:
    """All loaded rule sets, in load order (built-in first, then user folders)."""

    rulesets: tuple[RuleSet, ...]

    @classmethod
    def load(cls, extra_dirs: Sequence[Path] = (), builtin: bool = True) -> Rulebook:
        """Load the built-in rules and any user rule folders; rule ids must be unique."""
        sets: list[RuleSet] = []
        if builtin:
            sets += load_folder(builtin_rules_dir())
        for folder in extra_dirs:
            sets += load_folder(Path(folder))
        names: dict[str, str] = {}
        for rs in sets:
            if rs.name in names:
                raise RuleError(
                    rs.file, 0, None, f"rule set name {rs.name!r} already used by {names[rs.name]}"
                )
            names[rs.name] = rs.file
        return cls(tuple(sets))

    def rules(self) -> Iterable[Rule]:
        for rs in self.rulesets:
            yield from rs.rules

    def select(self, lang: str, url: str | None, text: str) -> list[RuleSet]:
        """The rule sets for one document: global ones, its language's, its site's.

        A site is chosen by the URL's host when known (whatever the detected language),
        else by a signature found in the text (then only for the site's languages).
        """
        host = (urlsplit(url).hostname or "").lower() if url else ""
        window = text[:SIGNATURE_WINDOW] + "\n" + text[-SIGNATURE_WINDOW:]
        chosen = []
        for rs in self.rulesets:
            if rs.scope == "global":
                chosen.append(rs)
            elif rs.scope == "lang":
                if lang in rs.langs:
                    chosen.append(rs)
            elif host and any(host == d or host.endswith("." + d) for d in rs.domains):
                # The URL names the site: its rules apply whatever language was detected
                # (a site's older pages may be written with another letter form).
                chosen.append(rs)
            elif rs.langs and lang not in rs.langs:
                continue
            elif any(sig.search(window) for sig in rs.signatures):
                chosen.append(rs)
        return sorted(chosen, key=lambda rs: _SCOPE_ORDER[rs.scope])


#: The strip phase: it runs first and may rewrite a line, which is then routed again.
STRIP_PHASE = Phase.STRIP
#: Phases whose rules look at neighbours (block, tail) but start from one line: the router
#: names the lines that may start them.
TRIGGER_PHASES = frozenset({Phase.BLOCK, Phase.TAIL})


@dataclass(frozen=True)
class Plan:
    """The rules of a stack in run order, and the router that names each line's rules."""

    rules: tuple[Rule, ...]
    router: Router
    #: How many rules (the first ones) belong to the strip phase.
    strip_end: int


_PLANS: dict[tuple[int, ...], tuple[Sequence[RuleSet], Plan]] = {}


def plan_for(rulesets: Sequence[RuleSet]) -> Plan:
    """The plan of a stack of rule sets, built once per stack and process."""
    key = tuple(id(rs) for rs in rulesets)
    hit = _PLANS.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], rulesets, strict=True)):
        return hit[1]
    rules = sorted(
        (r for rs in rulesets for r in rs.rules), key=lambda r: KINDS[r.kind].phase
    )  # stable: keeps file order within a phase
    strip_end = sum(1 for r in rules if KINDS[r.kind].phase == STRIP_PHASE)
    plan = Plan(tuple(rules), Router(rules), strip_end)
    _PLANS[key] = (tuple(rulesets), plan)
    return plan


def _by_rule(routes: list[list[int]], lines: list[Line]) -> dict[int, list[Line]]:
    """Invert per-line routes: each rule's lines, in document order."""
    out: dict[int, list[Line]] = {}
    for ln, rules in zip(lines, routes, strict=True):
        for i in rules:
            out.setdefault(i, []).append(ln)
    return out


def apply_rules(
    lines: list[Line],
    lang: str,
    rulesets: Sequence[RuleSet],
    chars: int | None = None,
    groups: Sequence[int] | None = None,
) -> list[Capture]:
    """Label ``lines`` in place with every rule of ``rulesets``, phase by phase.

    Within a phase rules run in rule-set order (global, language, site) then file order;
    the first rule to drop a line gives its reason. Each rule sees only the lines the
    stack's :class:`Router` sends it (the result is the same as trying every rule on every
    line; ``tests/rules/test_prefilter.py`` checks it). Returns the metadata the rules
    captured (dates, codes, agencies...), in the order they were read. ``chars``:
    :data:`cleaner.text.normalize.CHARS` classes the document may hold (a superset will do),
    when the caller looked them up. ``groups``: the source line of each line, where glued
    sentences were cut apart (:func:`cleaner.pipeline.run.to_pieces`).
    """
    plan = plan_for(rulesets)
    router = plan.router
    doc = DocContext(lines=lines, lang=lang, chars=chars, groups=groups)
    texts = [ln.text for ln in lines]
    doc.prime_keys(router.keyed(lines))
    routes = router.route_all(doc, lines)
    by_rule = _by_rule(routes, lines)
    whole = router.whole_document
    strip_end = plan.strip_end
    # Only the rules some line was routed to, and those that judge whole documents, run;
    # in plan order, the strip phase first.
    for i in sorted({k for k in (*by_rule, *whole) if k < strip_end}):
        _apply(doc, plan.rules[i], i in whole, by_rule.get(i, []), lines)
    changed = [ln for ln in lines if ln.text is not texts[ln.index]]
    if changed:  # a strip rule rewrote these lines: route their new text
        for ln, route in zip(changed, router.route_all(doc, changed), strict=True):
            routes[ln.index] = route
        by_rule = _by_rule(routes, lines)
    for i in sorted({k for k in (*by_rule, *whole) if k >= strip_end}):
        _apply(doc, plan.rules[i], i in whole, by_rule.get(i, []), lines)
    return doc.captures


def _apply(doc: DocContext, rule: Rule, whole: bool, hits: list[Line], lines: list[Line]) -> None:
    """Run one rule on the lines routed to it (all of them for a whole-document rule)."""
    kind = KINDS[rule.kind]
    if whole:
        kind.apply(doc, rule)
    elif kind.phase in TRIGGER_PHASES:
        kind.apply(doc.view(lines, frozenset(ln.index for ln in hits)), rule)
    else:
        kind.apply(doc.view(hits), rule)


def apply_one(lines: list[Line], lang: str, rule: Rule) -> list[Capture]:
    """Label ``lines`` with a single rule (used to check a rule's own examples)."""
    doc = DocContext(lines=lines, lang=lang)
    KINDS[rule.kind].apply(doc, rule)
    return doc.captures
