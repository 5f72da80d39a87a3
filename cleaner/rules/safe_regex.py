"""Refuse, when a rule file is loaded, the regular expressions that may backtrack for ever.

Python's ``re`` backtracks: a pattern that can match one string in exponentially many ways
(``^(a+)+$``, ``^(\\w+\\s?)*$``) takes minutes on a 33-character line that does not match,
and cannot be interrupted. Rule files may come from users, so every regex of a rule goes
through :func:`compile_rule_regex`, which refuses the three shapes behind such patterns:

* a repeated group holding an unbounded repeat with nothing between two turns that the
  inner repeat cannot also match (``(a+)+``, ``(\\w+\\s?)*``, ``(a\\w*)+``); a separator
  (an item every turn must match) starting with a character the inner repeat cannot match
  makes the split unique (``(\\w+\\s)*``, ``(,\\s*\\d+)*``, ``((?:rss|e-mail)\\W*)+``);
* a repeated alternation with two one-character branches that share a character
  (``(\\w|\\d)+``, ``(a|a)*``);
* two unbounded repeats side by side in a repeated group that match a common character
  (``(,\\s*[\\w ]+)*``: each turn splits its spaces between them in many ways, and the
  turns multiply them, as on a list of names with commas).

The check is on the parsed pattern, at load, so a refused rule is reported as a bad rule
file (``FILE:LINE: rule 'ID': ...``, exit 2) before any input is read. It looks for the
exponential shapes only; the built-in rules also pass a test that runs every one of their
regexes on long stress lines (``tests/rules/test_safe_regex.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cleaner.rules.firstchar import _C, _sre  # this Python's regex parser

#: Repeats allowing at least this many turns count as unbounded (``{1,1000}`` backtracks
#: as badly as ``+``).
MANY = 16

#: Characters tried when comparing two character classes, besides those the classes name.
_PROBES = "aA0_ \t\n.-,!?/|:\u00a0\u200c\u0628\u06f1\u0661\u0430\x00\U0001f600"

CharPred = Callable[[str], bool]


class UnsafePattern(ValueError):
    """A pattern that may take exponential time; the message says which part and why."""


def compile_rule_regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile``, refusing patterns that may backtrack exponentially.

    Raises:
        re.error: the pattern is not a valid regular expression.
        UnsafePattern: the pattern has one of the shapes in this module's docstring.

    >>> compile_rule_regex(r"^(\\w+\\s)*$").pattern
    '^(\\\\w+\\\\s)*$'
    >>> compile_rule_regex(r"^(a+)+$")
    Traceback (most recent call last):
    ...
    cleaner.rules.safe_regex.UnsafePattern: may backtrack exponentially: ...
    """
    compiled = re.compile(pattern, flags)
    reason = backtracking_risk(pattern, flags)
    if reason:
        raise UnsafePattern(reason)
    return compiled


def backtracking_risk(pattern: str, flags: int = 0) -> str | None:
    """Why ``pattern`` may take exponential time on some line, or None.

    >>> backtracking_risk(r"^(\\w+\\s?)*$").split(":")[0]
    'may backtrack exponentially'
    >>> backtracking_risk(r"(a|a)+x") is not None, backtracking_risk(r"(,\\s*\\d+)*$")
    (True, None)
    """
    parsed = _sre.parse(pattern, flags)
    icase = bool(flags & re.IGNORECASE)
    for body in _repeats(list(parsed)):
        reason = (
            _nested(body, icase)
            or _overlapping_branches(body, icase)
            or _adjacent_repeats(body, icase)
        )
        if reason:
            return reason
    return None


_REPEATS = tuple(
    op for op in (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None)) if op
)


def _many(high: int) -> bool:
    return high == _C.MAXREPEAT or high >= MANY


def _repeats(seq: Sequence[Any]) -> Iterable[list[Any]]:
    """Every backtracking repeat of many turns in a parsed sequence, with its body."""
    for node in seq:
        op, av = node
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            low, high, body = av
            if _many(high):
                yield list(body)
            yield from _repeats(list(body))
        elif op in _REPEATS:  # possessive: no backtracking into it, look inside only
            yield from _repeats(list(av[2]))
        elif op == _C.SUBPATTERN:
            yield from _repeats(list(av[-1]))
        elif op == _C.BRANCH:
            for alt in av[1]:
                yield from _repeats(list(alt))
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            yield from _repeats(list(av[1]))
        elif op == getattr(_C, "ATOMIC_GROUP", None):
            yield from _repeats(list(av))


def _flat(seq: Sequence[Any]) -> list[Any]:
    """A body's items with plain groups opened (their items are the body's items)."""
    out: list[Any] = []
    for node in seq:
        op, av = node
        if op == _C.SUBPATTERN:
            out += _flat(list(av[-1]))
        else:
            out.append(node)
    return out


def _nested(body: list[Any], icase: bool) -> str | None:
    items = _flat(body)
    for i, (op, av) in enumerate(items):
        inner = _inner_unbounded(op, av)
        if inner is None:
            continue
        inner_chars = _chars(inner, icase)
        separated = any(
            not _nullable([node]) and not _overlap(_first_chars([node], icase), inner_chars)
            for j, node in enumerate(items)
            if j != i
        )
        if not separated:
            return (
                "may backtrack exponentially: a repeated group holds an unbounded repeat and"
                " nothing separates one turn from the next (as in (a+)+ or (\\w+\\s?)*);"
                " end each turn with a character the inner repeat cannot match, e.g. (\\w+\\s)*"
            )
    return None


def _adjacent_repeats(body: list[Any], icase: bool) -> str | None:
    r"""Two unbounded repeats next to each other in a repeated group that may match the same
    characters (``(,\s*[\w ]+)*``): each turn splits its text between them in many ways,
    and the turns multiply those ways on a line that does not match."""
    items = _flat(body)
    for (op_a, av_a), (op_b, av_b) in zip(items, items[1:], strict=False):
        repeats = (_C.MAX_REPEAT, _C.MIN_REPEAT)
        if op_a not in repeats or op_b not in repeats:
            continue
        if not (_many(av_a[1]) and _many(av_b[1])):
            continue
        if _overlap(_chars(list(av_a[2]), icase), _chars(list(av_b[2]), icase)):
            return (
                "may backtrack exponentially: in a repeated group, two unbounded repeats side"
                " by side match the same characters (as in (,\\s*[\\w ]+)*); let one of them"
                " exclude what the other matches, e.g. (,\\s*\\w[\\w ]*)*"
            )
    return None


def _inner_unbounded(op: Any, av: Any) -> list[Any] | None:
    """The body of an unbounded backtracking repeat at or inside this item, or None."""
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT) and _many(av[1]):
        return list(av[2])
    if op == _C.BRANCH:
        for alt in av[1]:
            for node in _flat(list(alt)):
                found = _inner_unbounded(*node)
                if found is not None:
                    return found
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT):  # a bounded repeat of something unbounded
        for node in _flat(list(av[2])):
            found = _inner_unbounded(*node)
            if found is not None:
                return found
    return None


def _overlapping_branches(body: list[Any], icase: bool) -> str | None:
    for op, av in _flat(body):
        if op != _C.BRANCH:
            continue
        short = [(alt, _width(list(alt))) for alt in av[1]]
        short = [(alt, w) for alt, w in short if w[1] <= 1]
        for a in range(len(short)):
            for b in range(a + 1, len(short)):
                (alt_a, w_a), (alt_b, w_b) = short[a], short[b]
                same = w_a == w_b and (
                    w_a == (0, 0)
                    or _overlap(_chars(list(alt_a), icase), _chars(list(alt_b), icase))
                )
                if same:
                    return (
                        "may backtrack exponentially: two branches of a repeated alternation"
                        " match the same text (as in (a|a)*); join them into one"
                    )
    return None


def _width(seq: list[Any]) -> tuple[int, int]:
    low, high = _sre.SubPattern(_sre.State(), seq).getwidth()
    return int(low), int(high)


def _nullable(seq: list[Any]) -> bool:
    return _width(seq)[0] == 0


# --- character classes -----------------------------------------------------------------


def _chars(seq: Sequence[Any], icase: bool) -> list[tuple[CharPred, str]]:
    """The characters a sequence may consume: (predicate, characters it names) pairs."""
    out: list[tuple[CharPred, str]] = []
    for op, av in seq:
        if op == _C.LITERAL:
            out.append(_lit(chr(av), icase))
        elif op == _C.NOT_LITERAL:
            out.append(_not_lit(chr(av)))
        elif op == _C.IN:
            out.append(_in(av, icase))
        elif op == _C.ANY:
            out.append((lambda c: c != "\n", ""))
        elif op == _C.SUBPATTERN:
            out += _chars(list(av[-1]), icase)
        elif op == _C.BRANCH:
            for alt in av[1]:
                out += _chars(list(alt), icase)
        elif op in _REPEATS:
            out += _chars(list(av[2]), icase)
        elif op == getattr(_C, "ATOMIC_GROUP", None):
            out += _chars(list(av), icase)
        elif op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
            continue
        else:  # a back reference or an unknown item: it may consume anything
            out.append((lambda c: True, ""))
    return out


def _first_chars(seq: Sequence[Any], icase: bool) -> list[tuple[CharPred, str]]:
    """The characters a match of the sequence may start with."""
    out: list[tuple[CharPred, str]] = []
    for node in seq:
        op, av = node
        if op == _C.SUBPATTERN:
            first = _first_chars(list(av[-1]), icase)
        elif op == _C.BRANCH:
            first = [c for alt in av[1] for c in _first_chars(list(alt), icase)]
        elif op in _REPEATS:
            first = _first_chars(list(av[2]), icase)
        else:
            first = _chars([node], icase)
        out += first
        if not _nullable([node]):
            break
    return out


def _lit(ch: str, icase: bool) -> tuple[CharPred, str]:
    if icase:
        return (lambda c: c.lower() == ch.lower(), ch + ch.lower() + ch.upper())
    return (lambda c: c == ch, ch)


def _not_lit(ch: str) -> tuple[CharPred, str]:
    return (lambda c: c != ch, ch)


def _in(items: list[tuple[Any, Any]], icase: bool) -> tuple[CharPred, str]:
    negate = False
    preds: list[CharPred] = []
    named = ""
    for op, av in items:
        if op == _C.NEGATE:
            negate = True
        elif op == _C.LITERAL:
            pred, chars = _lit(chr(av), icase)
            preds.append(pred)
            named += chars
        elif op == _C.RANGE:
            preds.append(_range(*av))
            named += chr(av[0]) + chr(av[1])
        elif op == _C.CATEGORY:
            preds.append(_category(av))
        else:
            preds.append(lambda c: True)
    if negate:
        return (lambda c: not any(p(c) for p in preds), named)
    return (lambda c: any(p(c) for p in preds), named)


def _range(lo: int, hi: int) -> CharPred:
    return lambda c: any(lo <= ord(x) <= hi for x in (c, c.lower()))


def _category(cat: Any) -> CharPred:
    tests: dict[Any, CharPred] = {
        _C.CATEGORY_DIGIT: lambda c: re.match(r"\d", c) is not None,
        _C.CATEGORY_NOT_DIGIT: lambda c: re.match(r"\D", c) is not None,
        _C.CATEGORY_SPACE: lambda c: re.match(r"\s", c) is not None,
        _C.CATEGORY_NOT_SPACE: lambda c: re.match(r"\S", c) is not None,
        _C.CATEGORY_WORD: lambda c: re.match(r"\w", c) is not None,
        _C.CATEGORY_NOT_WORD: lambda c: re.match(r"\W", c) is not None,
    }
    return tests.get(cat, lambda c: True)


def _overlap(a: list[tuple[CharPred, str]], b: list[tuple[CharPred, str]]) -> bool:
    """Whether some character is in both classes (tried on the characters either names,
    on the ends of their ranges and on probes of every script and kind)."""
    probes = set(_PROBES + "".join(n for _, n in a) + "".join(n for _, n in b))
    return any(any(p(c) for p, _ in a) and any(p(c) for p, _ in b) for c in probes)
