"""What a regex needs of a line: its first character, and strings it must contain.

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


def required_any(rx: re.Pattern[str]) -> tuple[str, ...]:
    """Strings of which every match of ``rx`` contains at least one (``()``: none known).

    Cheap substring tests on them rule most lines out before the regex runs: a regex that
    starts with ``.+?``, a lookahead or a negated class gets no prefix scan from the regex
    engine and tries every position. Positive lookarounds count (what they see is in the
    text); case-insensitive parts do not.

    >>> required_any(re.compile(r"(?<=[.!])\\s*انتهای\\s*(پیام|خبر)"))
    ('انتهای',)
    >>> required_any(re.compile(r"^(?=.*(?:کنید|شوید)$).*?(تلگرام|اینستاگرام)"))
    ('اینستاگرام', 'تلگرام')
    >>> required_any(re.compile("(a|b)c", re.I)), required_any(re.compile(r"^.{0,9}x?$"))
    ((), ())
    """
    if rx.flags & re.IGNORECASE:
        return ()
    try:
        parsed = _sre.parse(rx.pattern, rx.flags)
    except Exception:  # noqa: BLE001 - no literal known: the regex decides alone
        return ()
    return tuple(sorted(_required(list(parsed.data)) or ()))


def max_line_length(rx: re.Pattern[str]) -> int | None:
    """The longest line ``rx`` can match when it is anchored at both ends (else None).

    A rule such as ``^[^.]{3,40}:$`` cannot match a body paragraph; knowing it, the router
    leaves it out of the groups long lines try. One more character is allowed for the
    newline ``$`` may stand before.

    >>> max_line_length(re.compile(r"^[^.!?:]{3,40}:$")), max_line_length(re.compile("^a+$"))
    (42, None)
    >>> max_line_length(re.compile("^ab")), max_line_length(re.compile("^(a|bc)$", re.M))
    (None, None)
    """
    if rx.flags & re.MULTILINE:
        return None
    try:
        parsed = _sre.parse(rx.pattern, rx.flags)
    except Exception:  # noqa: BLE001 - nothing known
        return None
    items = list(parsed.data)
    if len(items) < 2 or items[0] != (_C.AT, _C.AT_BEGINNING) or items[-1] != (_C.AT, _C.AT_END):
        return None
    _low, high = parsed.getwidth()
    return None if high >= _C.MAXREPEAT - 1 else high + 1


#: Character classes listed member by member up to this size count as required strings.
_MAX_CLASS = 8


def _required(seq: Sequence[tuple[Any, Any]]) -> frozenset[str] | None:
    """The most selective set of strings one of which every match of ``seq`` contains."""
    found: list[frozenset[str]] = []
    run = ""
    for op, av in seq:
        if op == _C.LITERAL:
            run += chr(av)
            continue
        if run:
            found.append(frozenset([run]))
            run = ""
        got: frozenset[str] | None = None
        if op == _C.SUBPATTERN:
            _group, add, _del, sub = av
            got = None if add & re.IGNORECASE else _required(sub)
        elif op == _C.BRANCH:
            alts = [_required(alt) for alt in av[1]]
            if all(alts):
                got = frozenset().union(*alts)  # type: ignore[arg-type]
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = av
            got = _required(sub) if low >= 1 else None
        elif op == _C.ASSERT:
            got = _required(av[1])
        elif op == _C.IN and len(av) <= _MAX_CLASS and all(o == _C.LITERAL for o, _ in av):
            got = frozenset(chr(code) for _, code in av)
        if got:
            found.append(got)
    if run:
        found.append(frozenset([run]))
    if not found:
        return None
    return max(found, key=lambda alts: (min(map(len, alts)), -len(alts)))


class FirstCharIndex:
    """Anchored regex pieces, joined per first character and length class of the line.

    A regex with a ``max_length`` (its rule only looks at lines that short) joins only the
    alternations for lines within that length. :meth:`members` names the regexes of the
    line's group once their joined alternation matched: the caller then tries each alone.
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
        self._joined: dict[tuple[str, int], tuple[re.Pattern[str], tuple[int, ...]] | None] = {}

    def members(self, text: str) -> tuple[int, ...]:
        """Positions of the regexes that may match at the start of ``text`` (maybe none)."""
        if not text:
            return ()
        key = (text[0], bisect.bisect_left(self._bounds, len(text)))
        try:
            group = self._joined[key]
        except KeyError:
            group = self._joined[key] = self._join(text[0], len(text))
        if group is None or group[0].match(text) is None:
            return ()
        return group[1]

    def match(self, text: str) -> bool:
        """True when some regex may match at the start of ``text``."""
        return bool(self.members(text))

    def _join(self, c: str, n: int) -> tuple[re.Pattern[str], tuple[int, ...]] | None:
        chosen = [
            k
            for k, (pred, m) in enumerate(zip(self._preds, self._max, strict=True))
            if (m is None or n <= m) and pred(c)
        ]
        if not chosen:
            return None
        return re.compile("|".join(self._pieces[k] for k in chosen)), tuple(chosen)
