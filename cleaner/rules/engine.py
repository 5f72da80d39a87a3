"""Select the rule sets that apply to a document and run them over its lines."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cleaner.document import Line
from cleaner.metadata import Capture
from cleaner.rules.firstchar import FirstCharIndex, required_literal
from cleaner.rules.kinds import KINDS, LITERAL_MAX_CHARS, DocContext
from cleaner.rules.loader import RuleError, builtin_rules_dir, load_folder
from cleaner.rules.model import Rule, RuleSet
from cleaner.scripts import SCRIPT_CLASSES

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

        A site is chosen by the URL's host when known, else by a signature found in the text.
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
            elif rs.langs and lang not in rs.langs:
                continue
            elif (
                host
                and any(host == d or host.endswith("." + d) for d in rs.domains)
                or any(sig.search(window) for sig in rs.signatures)
            ):
                chosen.append(rs)
        return sorted(chosen, key=lambda rs: _SCOPE_ORDER[rs.scope])


#: Phases whose kinds judge each line on its own (line, pattern, menu, script, runon; meta).
#: Their rules only see the lines the stack's prefilter lets through.
LINE_LOCAL_PHASES = frozenset({1, 5})
#: The strip phase: line-local too, with a prefilter of its own (it runs before the others).
STRIP_PHASE = 0
#: Phases whose rules look at neighbours (block, tail) but start from one line: the
#: prefilter of their headers and markers tells which lines may start them.
TRIGGER_PHASES = frozenset({2, 3})

_SENTENCE_END = (".", "!", "?", "\u061f")
_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")
_BACKREF = re.compile(r"\\[1-9]|\(\?P=")


@dataclass(frozen=True)
class Prefilter:
    """One cheap test that every line a line-level rule of a stack could drop passes.

    Body paragraphs make most of a document and match no rule; testing them against each
    rule in turn was most of the rules stage's time. The stack's regexes are joined into one
    alternation over the text and one over the comparison key, the literal strings into one
    set; a line that passes none of them is skipped by every line-level rule. A rule whose
    pattern cannot be joined (back references) makes every line pass.
    """

    floating: tuple[tuple[str, re.Pattern[str], int | None], ...]
    literal_rx: re.Pattern[str] | None
    literals: frozenset[str]
    key_rx: re.Pattern[str] | None = None
    key_max_chars: int | None = None
    head: FirstCharIndex | None = None
    literal_chars: int = 0
    all_lines: bool = False

    def passes(self, doc: DocContext, line: Line) -> bool:
        """False only when no line-level rule of the stack can match ``line``."""
        if self.all_lines:
            return True
        if self.head is not None and self.head.match(line.text):
            return True
        text = line.text
        # Unanchored regexes are searched one by one: joined, they would be tried at every
        # position together; alone, each gets the regex engine's prefix scan and its rule's
        # max_length bound.
        for literal, rx, max_chars in self.floating:
            if (
                (max_chars is None or len(text) <= max_chars)
                and literal in text
                and rx.search(text)
            ):
                return True
        n = len(text)
        # Keys cost more than every test above: only short lines get one. Literals are
        # compared up to twice their longest length (a key can be shorter than its text); a
        # menu line never ends a sentence (parse_menu refuses phrases that do).
        if n <= 2 * self.literal_chars + 8 and doc.literal_key(line) in self.literals:
            return True
        if (
            self.literal_rx is not None
            and n <= LITERAL_MAX_CHARS
            and not text.endswith(_SENTENCE_END)
            and self.literal_rx.search(doc.literal_key(line))
        ):
            return True
        if self.key_rx is None:
            return False
        if self.key_max_chars is not None and len(line.text) > self.key_max_chars:
            return False
        return bool(self.key_rx.search(doc.key(line)))


def _piece(rx: re.Pattern[str], drop_anchor: bool = False) -> str | None:
    """A rule's regex as a non-capturing piece of a larger alternation (None: cannot be)."""
    if _BACKREF.search(rx.pattern):
        return None
    body = _NAMED_GROUP.sub("(?:", rx.pattern[1:] if drop_anchor else rx.pattern)
    return f"(?i:{body})" if rx.flags & re.IGNORECASE else f"(?:{body})"


def _anchored(rx: re.Pattern[str]) -> bool:
    """True when the whole regex is anchored at the start of the line by a leading ``^``.

    Anchored regexes are joined under one ``^``: the regex engine then tries one position
    per line instead of every position for every rule.
    """
    return rx.pattern.startswith("^") and not _top_level_bar(rx.pattern)


def _top_level_bar(pattern: str) -> bool:
    """True when ``pattern`` has an alternation ``|`` outside every group and class.

    >>> _top_level_bar("^a|b"), _top_level_bar("^(a|b)"), _top_level_bar(r"^[|]\\|")
    (True, False, False)
    """
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":  # "[]...]": a leading ] is a member
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def build_prefilter(rules: Sequence[Rule]) -> Prefilter:
    """The prefilter of the line-level rules of a stack."""
    everything = Prefilter((), None, frozenset(), all_lines=True)
    text: list[tuple[re.Pattern[str], int | None]] = []  # searched in the line's text
    short: list[re.Pattern[str]] = []  # searched in the literal key (short lines only)
    key: list[re.Pattern[str]] = []  # searched in the full comparison key
    key_max: list[int | None] = []
    literals: set[str] = set()
    for rule in rules:
        p = rule.params
        if rule.kind == "line":
            literals |= p["keys"]
        elif rule.kind in ("pattern", "meta") and p.get("on_key"):
            key.append(p["regex"])
            key_max.append(p["max_length"])
        elif rule.kind in ("pattern", "meta"):
            text.append((p["regex"], p["max_length"]))
        elif rule.kind == "strip":
            text.append((p["regex"], None))
        elif rule.kind == "block":  # what may open a block
            literals |= p["header_keys"]
            if p["header_rx"] is not None:
                text.append((p["header_rx"], None))
        elif rule.kind == "tail":  # what may mark a tail
            literals |= p["keys"]
            if p["regex"] is not None:
                text.append((p["regex"], None))
        elif rule.kind == "menu":
            short.append(p["regex"])
        elif rule.kind == "runon":
            text.append((p["marker"], None))
        elif rule.kind == "script":
            chars = "".join(SCRIPT_CLASSES[s] for s in p["scripts"])
            text.append((re.compile(f"[{chars}]"), None))
        else:
            return everything
    heads = [(rx, n) for rx, n in text if _anchored(rx)]
    floating = tuple((required_literal(rx), rx, n) for rx, n in text if not _anchored(rx))
    if any(_BACKREF.search(rx.pattern) for _, rx, _ in floating):
        return everything
    joined: list[re.Pattern[str] | None] = []
    for group in (short, key):
        pieces = [_piece(rx) for rx in group]
        if any(pc is None for pc in pieces):
            return everything
        alt = "|".join(pc for pc in pieces if pc)
        joined.append(re.compile(f"(?:{alt})") if pieces else None)
    head_pieces = [_piece(rx, drop_anchor=True) for rx, _ in heads]
    if any(pc is None for pc in head_pieces):
        return everything
    head = (
        FirstCharIndex(
            [rx for rx, _ in heads], [pc for pc in head_pieces if pc], [n for _, n in heads]
        )
        if heads
        else None
    )
    bound = None if None in key_max else max(key_max, default=None)  # type: ignore[type-var]
    return Prefilter(
        floating,
        joined[0],
        frozenset(literals),
        joined[1],
        bound,
        head,
        max((len(k) for k in literals), default=0),
    )


@dataclass(frozen=True)
class Plan:
    """The rules of a stack in run order, and the prefilters of its phases."""

    rules: tuple[Rule, ...]
    prefilter: Prefilter
    strip: Prefilter
    triggers: Prefilter
    #: All three at once: a line failing it is touched by no rule of those phases, so the
    #: phase prefilters only look at the few lines that pass it.
    union: Prefilter


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

    def of(phases: frozenset[int]) -> Prefilter:
        return build_prefilter([r for r in rules if KINDS[r.kind].phase in phases])

    plan = Plan(
        tuple(rules),
        of(LINE_LOCAL_PHASES),
        of(frozenset({STRIP_PHASE})),
        of(TRIGGER_PHASES),
        of(LINE_LOCAL_PHASES | TRIGGER_PHASES | {STRIP_PHASE}),
    )
    _PLANS[key] = (tuple(rulesets), plan)
    return plan


def apply_rules(lines: list[Line], lang: str, rulesets: Sequence[RuleSet]) -> list[Capture]:
    """Label ``lines`` in place with every rule of ``rulesets``, phase by phase.

    Within a phase rules run in rule-set order (global, language, site) then file order;
    the first rule to drop a line gives its reason. Returns the metadata the rules captured
    (dates, codes, agencies...), in the order they were read.
    """
    plan = plan_for(rulesets)
    doc = DocContext(lines=lines, lang=lang)
    maybe = [ln for ln in lines if plan.union.passes(doc, ln)]
    stripping: DocContext | None = None
    candidates: DocContext | None = None
    for rule in plan.rules:
        kind = KINDS[rule.kind]
        # Each prefilter runs when its phase starts: strip may change a line's text.
        if kind.phase == STRIP_PHASE:
            if stripping is None:
                stripping = doc.view([ln for ln in maybe if plan.strip.passes(doc, ln)])
            kind.apply(stripping, rule)
        elif kind.phase in LINE_LOCAL_PHASES:
            if candidates is None:
                candidates = doc.view([ln for ln in maybe if plan.prefilter.passes(doc, ln)])
            kind.apply(candidates, rule)
        else:
            if kind.phase in TRIGGER_PHASES and doc.triggers is None:
                doc.triggers = frozenset(ln.index for ln in maybe if plan.triggers.passes(doc, ln))
            kind.apply(doc, rule)
    return doc.captures


def apply_one(lines: list[Line], lang: str, rule: Rule) -> list[Capture]:
    """Label ``lines`` with a single rule (used to check a rule's own examples)."""
    doc = DocContext(lines=lines, lang=lang)
    KINDS[rule.kind].apply(doc, rule)
    return doc.captures
