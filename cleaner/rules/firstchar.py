"""Anchored regexes grouped by the first character they can match.

A rule stack has a few hundred regexes anchored at the start of the line (``^...``). Joined
into one alternation, every line tries every branch (about 20 µs a line for 200 branches);
grouped by the first character they can start with, a line tries the few branches that can
start with its own first character. The grouping is a superset: when the analysis of a
regex cannot tell (an unknown construct), the regex is tried on every line.

The first-character analysis reads the parse tree of Python's own regex parser (a private
module, stable since Python 3.5 under two names); if it is missing, every regex is tried on
every line, which is slower and still correct.
"""

from __future__ import annotations

import bisect
import importlib
import re
from collections.abc import Callable, Sequence
from typing import Any

try:  # Python 3.11+
    _sre: Any = importlib.import_module("re._parser")
    _C: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - Python 3.10
    _sre = importlib.import_module("sre_parse")
    _C = importlib.import_module("sre_constants")

Pred = Callable[[str], bool]


def _any(c: str) -> bool:
    return True


def _category(cat: Any) -> Pred:
    if cat == _C.CATEGORY_DIGIT:
        return lambda c: c.isdigit() or c.isdecimal()
    if cat == _C.CATEGORY_SPACE:
        return str.isspace
    if cat == _C.CATEGORY_WORD:
        return lambda c: c.isalnum() or c == "_"
    return _any  # negated and other categories: anything may start them


def _set(items: list[tuple[Any, Any]], icase: bool) -> Pred:
    preds: list[Pred] = []
    for op, av in items:
        if op == _C.NEGATE:
            return _any
        if op == _C.LITERAL:
            preds.append(_literal(av, icase))
        elif op == _C.RANGE:
            preds.append(_range(av[0], av[1], icase))
        elif op == _C.CATEGORY:
            preds.append(_category(av))
        else:
            return _any
    return _either(preds)


def _range(lo: int, hi: int, icase: bool) -> Pred:
    def pred(c: str) -> bool:
        chars = (c, c.lower(), c.upper()) if icase else (c,)
        return any(lo <= ord(x) <= hi for x in chars)

    return pred


def _either(preds: Sequence[Pred]) -> Pred:
    return lambda c: any(p(c) for p in preds)


def _literal(code: int, icase: bool) -> Pred:
    ch = chr(code)
    if icase:
        low = ch.lower()
        return lambda c: c.lower() == low
    return lambda c: c == ch


def _first(seq: Sequence[tuple[Any, Any]], icase: bool) -> tuple[Pred, bool]:
    """Predicate on the first character of a match of ``seq``, and whether it can be empty."""
    preds: list[Pred] = []
    for op, av in seq:
        nullable = False
        if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
            continue  # consumes nothing: the next item gives the first character
        if op == _C.LITERAL:
            pred: Pred = _literal(av, icase)
        elif op == _C.IN:
            pred = _set(av, icase)
        elif op == _C.SUBPATTERN:
            _group, add, _del, sub = av
            pred, nullable = _first(sub, icase or bool(add & re.IGNORECASE))
        elif op == _C.BRANCH:
            subs = [_first(alt, icase) for alt in av[1]]
            pred = _either([p for p, _ in subs])
            nullable = any(n for _, n in subs)
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = av
            pred, inner_null = _first(sub, icase)
            nullable = low == 0 or inner_null
        else:
            return _any, True  # ANY, NOT_LITERAL, GROUPREF...: anything may start it
        preds.append(pred)
        if not nullable:
            return _either(tuple(preds)), False
    return _either(tuple(preds)), True


def first_char_predicate(rx: re.Pattern[str]) -> Pred:
    """A test that is False only for characters no match of ``rx`` can start with.

    >>> p = first_char_predicate(re.compile(r"^(کد\\s*خبر|کد)\\s*\\d+$"))
    >>> p("ک"), p("ب")
    (True, False)
    >>> first_char_predicate(re.compile(r"^\\s*(©|copyright)", re.I))("C")
    True
    >>> first_char_predicate(re.compile(r"^.*x"))("z")
    True
    """
    try:
        parsed = _sre.parse(rx.pattern, rx.flags)
    except Exception:  # noqa: BLE001 - any trouble: try the regex on every line
        return _any
    pred, nullable = _first(list(parsed.data), bool(rx.flags & re.IGNORECASE))
    return _any if nullable else pred


def required_literal(rx: re.Pattern[str]) -> str:
    """The longest run of plain characters every match of ``rx`` contains ("" if none).

    A cheap ``in`` test on it rules a line out before the regex runs (a regex that starts
    with a lookbehind or a repeat gets no prefix scan from the regex engine).

    >>> required_literal(re.compile(r"(?<=[.!])\\s*انتهای\\s*(پیام|خبر)"))
    'انتهای'
    >>> required_literal(re.compile("(a|b)c", re.I))
    ''
    """
    if rx.flags & re.IGNORECASE:
        return ""
    try:
        parsed = _sre.parse(rx.pattern, rx.flags)
    except Exception:  # noqa: BLE001 - no literal known: the regex decides alone
        return ""
    best, run = "", ""
    for op, av in parsed.data:
        if op == _C.LITERAL:
            run += chr(av)
            best = max(best, run, key=len)
        else:
            run = ""
    return best


class FirstCharIndex:
    """Anchored regex pieces, joined per first character and length class of the line.

    A regex with a ``max_length`` (its rule only looks at lines that short) joins only the
    alternations for lines within that length.
    """

    def __init__(
        self,
        regexes: Sequence[re.Pattern[str]],
        pieces: Sequence[str],
        max_lengths: Sequence[int | None],
    ) -> None:
        self._preds = [first_char_predicate(rx) for rx in regexes]
        self._pieces = list(pieces)
        self._max = list(max_lengths)
        self._bounds = sorted({m for m in max_lengths if m is not None})
        self._joined: dict[tuple[str, int], re.Pattern[str] | None] = {}

    def match(self, text: str) -> bool:
        """True when some regex may match at the start of ``text``."""
        if not text:
            return False
        key = (text[0], bisect.bisect_left(self._bounds, len(text)))
        try:
            rx = self._joined[key]
        except KeyError:
            rx = self._joined[key] = self._join(text[0], len(text))
        return rx is not None and rx.match(text) is not None

    def _join(self, c: str, n: int) -> re.Pattern[str] | None:
        chosen = [
            piece
            for piece, pred, m in zip(self._pieces, self._preds, self._max, strict=True)
            if (m is None or n <= m) and pred(c)
        ]
        return re.compile("|".join(chosen)) if chosen else None
