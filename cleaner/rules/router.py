"""Which rules of a stack may touch each line: the routing table of the rules stage.

Body paragraphs make most of a document and match no rule; trying every rule on every line
was most of the rules stage's time. A :class:`Router` is built once per stack of rule sets.
For one line it names the rules that *may* touch it (a superset: each rule still decides
exactly), from what each rule kind looks at:

* anchored regexes (``^...``) on the line's text, grouped by the first character they can
  start with (:class:`FirstCharIndex`): a line tries one joined alternation, then the few
  regexes of its group one by one;
* other regexes on the text, and anchored ones that may start with any character
  (``^.+?``, ``^(?=.*...)``), each behind the strings one of which every match contains
  (:func:`required_any`), so most lines cost a substring test;
* literal lines (line rules, block headers, tail markers) by the line's comparison key in
  one dictionary, and menu regexes on that key, for short lines only;
* regexes on the comparison key (``on_key`` pattern rules) for lines within their bound;
* foreign-script rules by the lines holding a letter of their scripts, found for the whole
  document in one table lookup (:data:`cleaner.text.normalize.CHARS`).

Each kind declares what its rules are routed by (:class:`~cleaner.rules.kinds.Route`, in
:data:`~cleaner.rules.kinds.KINDS`), so a new kind is routed without a change here; rules of
a kind without a route (``repeat``, ``near-repeat``) judge the whole document and run on
every document. The engine gives each line-level rule only its routed lines, and
each block or tail rule only its routed lines as possible headers or markers.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from cleaner.document import Line
from cleaner.rules.context import LITERAL_MAX_CHARS, DocContext
from cleaner.rules.firstchar import (
    FirstCharIndex,
    first_char_predicate,
    max_line_length,
    required_any,
)
from cleaner.rules.kinds import KINDS, Route
from cleaner.rules.model import Rule
from cleaner.text.normalize import CHARS
from cleaner.text.substrings import SubstringSieve

_SENTENCE_END = (".", "!", "?", "\u061f")
_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")
_BACKREF = re.compile(r"\\[1-9]|\(\?P=")


def route_of(rule: Rule) -> Route | None:
    """The route a rule's kind declares (:class:`~cleaner.rules.kinds.Route`), or None for a
    rule that judges the whole document (every line of every document)."""
    route = KINDS[rule.kind].route
    return None if route is None else route(rule.params)


def anchored(rx: re.Pattern[str]) -> bool:
    """True when the whole regex is anchored at the start of the line by a leading ``^``.

    >>> anchored(re.compile("^a|b")), anchored(re.compile("^(a|b)")), anchored(re.compile("a"))
    (False, True, False)
    """
    return (
        rx.pattern.startswith("^")
        and not rx.flags & re.MULTILINE
        and not _top_level_bar(rx.pattern)
        and not _BACKREF.search(rx.pattern)
    )


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


def piece(rx: re.Pattern[str], drop_anchor: bool = False) -> str:
    """An anchored regex as a non-capturing piece of a larger alternation.

    >>> piece(re.compile("^(?P<x>a)b", re.I), drop_anchor=True)
    '(?i:(?:a)b)'
    """
    body = _NAMED_GROUP.sub("(?:", rx.pattern[1:] if drop_anchor else rx.pattern)
    return f"(?i:{body})" if rx.flags & re.IGNORECASE else f"(?:{body})"


@dataclass(frozen=True)
class _Gated:
    """A text regex tried alone, behind strings one of which every match contains."""

    rule: int
    needed: tuple[str, ...]  # () when nothing is known: the regex runs on every line
    rx: re.Pattern[str]
    max_chars: int | None

    @classmethod
    def of(cls, rule: int, rx: re.Pattern[str], max_chars: int | None) -> _Gated:
        return cls(rule, _minimal(required_any(rx)), rx, max_chars)

    def test(self, text: str, n: int) -> bool:
        """True when the regex matches ``text`` (``n`` characters long), gate aside."""
        return (self.max_chars is None or n <= self.max_chars) and self.rx.search(text) is not None


def _minimal(strings: Sequence[str]) -> tuple[str, ...]:
    """The strings without those that contain another one (which suffices).

    >>> _minimal(["منبع عکس", "عکس", "تصویر"])
    ('عکس', 'تصویر')
    """
    return tuple(s for s in strings if not any(o != s and o in s for o in strings))


#: Letters of the scripts a word class is recognised by (Arabic script, Latin). Letters
#: Arabic and Persian share: a class of the Arabic block's letters ("[\u0621-\u064a]+")
#: is a word class too.
_LETTERS = (
    "\u0627\u0628\u062a\u062c\u062f\u0631\u0633\u0639\u0641\u0642\u0644\u0645\u0646\u0648",
    "abcdefghijklmnopqrstuvwxyz",
)


def _starts_with_words(rx: re.Pattern[str]) -> bool:
    """True when a match of ``rx`` may start with every letter of a script (a word class).

    >>> _starts_with_words(re.compile("^[\u0600-\u06ff]+ - "))
    True
    >>> _starts_with_words(re.compile("^(تاریخ|بروز)"))
    False
    """
    pred = first_char_predicate(rx)
    return any(all(map(pred, letters)) for letters in _LETTERS)


def _words(strings: Sequence[str]) -> bool:
    """True when every string is at least a short word (a sign like ":" is in many lines)."""
    return bool(strings) and min(map(len, strings)) >= 3


def _starts_anywhere(rx: re.Pattern[str]) -> bool:
    """True when a match of ``rx`` may start with any character (it fits every group)."""
    return all(first_char_predicate(rx)(c) for c in "a\u0627\u0628 .")


def _rows_holding(
    text: str,
    texts: Sequence[str],
    strings: Sequence[str],
    gated_by: dict[str, tuple[int, ...]],
    holding: dict[int, set[int]],
) -> None:
    """Add to ``holding`` the rows of ``texts`` holding each string, under each gated regex
    it gates.

    ``text`` is ``texts`` joined by newlines. A string is found with one scan of ``text``
    when it is in no line, and otherwise with one more search from each line that holds it
    to the next one that does.

    >>> holding = {}
    >>> _rows_holding("ab\\nc\\nab", ["ab", "c", "ab"], ["b", "x"], {"b": (0,), "x": (1,)}, holding)
    >>> holding
    {0: {0, 2}}
    """
    starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    last = len(starts) - 1
    for lit in strings:
        pos = text.find(lit)
        if pos < 0:
            continue
        found: set[int] = set()
        while pos >= 0:
            # The line the occurrence starts in; a string holding a newline may run into
            # the next line, which only adds a line its regex then rejects.
            i = bisect_right(starts, pos) - 1
            found.add(i)
            if i == last:
                break
            pos = text.find(lit, starts[i + 1])
        for k in gated_by[lit]:
            holding.setdefault(k, set()).update(found)


class Router:
    """The rules of a stack (positions in ``rules``) that may touch a line.

    Args:
        rules: The stack's rules in run order.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        heads: list[tuple[int, re.Pattern[str], int | None]] = []
        gated: list[_Gated] = []
        literals: dict[str, list[int]] = {}
        menus: list[tuple[int, re.Pattern[str]]] = []
        on_key: list[tuple[int, re.Pattern[str], int | None]] = []
        whole: list[int] = []
        scripts: list[tuple[int, frozenset[str]]] = []
        # (rule, regex, tried on the opening lines, tried on the last line)
        edges: list[tuple[int, re.Pattern[str], bool, bool]] = []
        for i, rule in enumerate(rules):
            route = route_of(rule)
            if route is None:
                whole.append(i)
                continue
            if route.opening_only or route.closing_only:
                edges.extend(
                    (i, rx, route.opening_only, route.closing_only) for rx, _ in route.text
                )
                continue
            if route.scripts:
                scripts.append((i, route.scripts))
            for key in route.literals:
                literals.setdefault(key, []).append(i)
            if route.menu is not None:
                menus.append((i, route.menu))
            if route.on_key is not None:
                on_key.append((i, *route.on_key))
            for rx, rule_max in route.text:
                # A regex anchored at both ends cannot match a longer line than it spans.
                bounds = [b for b in (rule_max, max_line_length(rx)) if b is not None]
                max_chars = min(bounds) if bounds else None
                # An anchored regex that may start with anything would join every group
                # of the index and cost every line: behind its required strings it does not.
                # Nor does one that starts with any word of a script ("[\u0600-\u06ff]+"):
                # it would backtrack through the first words of most lines, while the
                # words it needs (an agency's name) are in few.
                needs = required_any(rx)
                if anchored(rx) and not (
                    (_starts_anywhere(rx) and needs) or (_starts_with_words(rx) and _words(needs))
                ):
                    heads.append((i, rx, max_chars))
                else:
                    gated.append(_Gated.of(i, rx, max_chars))
        self.whole_document = tuple(whole)
        # Tried on two lines a document, they need no index.
        self._edges = tuple(edges)
        self._head_rules = [(i, rx) for i, rx, _ in heads]
        self._heads = (
            FirstCharIndex(
                [rx for _, rx, _ in heads],
                [piece(rx, drop_anchor=True) for _, rx, _ in heads],
                [m for _, _, m in heads],
            )
            if heads
            else None
        )
        # Each script rule with the CHARS classes of its scripts ("script:Cyrillic"...).
        self._scripts = tuple((i, frozenset(f"script:{n}" for n in names)) for i, names in scripts)
        self._script_classes = frozenset().union(*(names for _, names in self._scripts))
        self._script_bits = sum(map(CHARS.bit, self._script_classes))
        self._gated = tuple(gated)
        # Each gate string of the stack with the gated regexes it gates: a document costs
        # one scan (in C) for each string its trigrams do not rule out (an alternation of
        # the same strings in the regex engine cost ten times more), and a string found
        # names its regexes directly.
        by_string: dict[str, list[int]] = {}
        for k, g in enumerate(gated):
            for lit in g.needed:
                by_string.setdefault(lit, []).append(k)
        self._gated_by = {lit: tuple(ks) for lit, ks in by_string.items()}
        self._sieve = SubstringSieve(list(by_string))
        self._ungated = tuple(k for k, g in enumerate(gated) if not g.needed)
        self._literals = {k: tuple(v) for k, v in literals.items()}
        self._literal_chars = max((len(k) for k in literals), default=0)
        self._menus = tuple(menus)
        self._on_key = tuple(on_key)
        key_bounds = [m for _, _, m in on_key]
        self._key_chars = (
            None if None in key_bounds else max((m or 0 for m in key_bounds), default=0)
        )

    def keyed(self, lines: Sequence[Line]) -> list[Line]:
        """The lines whose comparison key routing or a rule may ask for (see route_all)."""
        if self._on_key and self._key_chars is None:
            return list(lines)
        literal_chars = 2 * self._literal_chars + 8 if self._literals else -1
        key_chars = (self._key_chars or -1) if self._on_key else -1
        menus = bool(self._menus)
        return [
            ln
            for ln in lines
            if (n := len(ln.text)) <= literal_chars
            or n <= key_chars
            or (menus and n <= LITERAL_MAX_CHARS and not ln.text.endswith(_SENTENCE_END))
        ]

    def route(self, doc: DocContext, line: Line) -> list[int]:
        """Positions of the rules that may touch ``line`` (each at most once, any order)."""
        return self.route_all(doc, [line])[0]

    def route_all(self, doc: DocContext, lines: Sequence[Line]) -> list[list[int]]:
        """:meth:`route` of each line of ``lines`` (one document's, or a few of them).

        Gate strings are looked for in all the lines at once: most are in none of a
        document's lines and cost one scan; a string found is followed from line to line,
        so each gated regex runs on the lines holding one of its strings, and the other
        lines cost no test for it.
        """
        texts = [ln.text for ln in lines]
        joined = "\n".join(texts)
        out: list[list[int]] = [[] for _ in texts]
        holding: dict[int, set[int]] = {}  # gated regex -> rows holding one of its strings
        # The strings the document may hold, most ruled out by its trigrams at once.
        possible = self._sieve.possible(joined)
        _rows_holding(joined, texts, possible, self._gated_by, holding)
        for k, rows_k in holding.items():
            g = self._gated[k]
            for row in rows_k:
                if g.test(texts[row], len(texts[row])):
                    out[row].append(g.rule)
        gated, ungated = self._gated, self._ungated
        heads, head_rules = self._heads, self._head_rules
        literals, literal_chars = self._literals, 2 * self._literal_chars + 8
        menus, on_key, key_chars = self._menus, self._on_key, self._key_chars
        # Script rules: the lines holding their scripts' letters, found for all lines at once.
        if self._scripts and (doc.chars is None or doc.chars & self._script_bits):
            in_scripts = CHARS.lines(joined, self._script_classes)
            for i, names in self._scripts:
                for row in set().union(*(in_scripts.get(name, ()) for name in names)):
                    out[row].append(i)
        members = heads.members if heads is not None else None
        # The lines that open and close the document's text, for the rules of its edges.
        opening = {id(ln) for ln in doc.opening_lines()} if self._edges else set()
        last = doc.last_text_line() if self._edges else None
        closing = id(last) if last is not None else None
        for row, line in enumerate(lines):
            text = line.text
            n = len(text)
            hits = out[row]
            at_open, at_close = id(line) in opening, id(line) == closing
            if at_open or at_close:
                for i, rx, on_open, on_close in self._edges:
                    if ((on_open and at_open) or (on_close and at_close)) and rx.search(text):
                        hits.append(i)
            if members is not None:
                for k in members(text):
                    i, rx = head_rules[k]
                    if rx.match(text):
                        hits.append(i)
            for k in ungated:
                if gated[k].test(text, n):
                    hits.append(gated[k].rule)
            # Keys cost more than every test above: only lines short enough to equal a
            # literal (a key can be shorter than its text: twice the longest, plus slack)
            # or to be a menu get one; a menu line never ends a sentence (parse_menu
            # refuses phrases that do).
            if n <= literal_chars:
                hits.extend(literals.get(doc.literal_key(line), ()))
            if menus and n <= LITERAL_MAX_CHARS and not text.endswith(_SENTENCE_END):
                key = doc.literal_key(line)
                for i, rx in menus:
                    if rx.match(key):
                        hits.append(i)
            if on_key and (key_chars is None or n <= key_chars):
                key = doc.key(line)
                for i, rx, m in on_key:
                    if (m is None or n <= m) and rx.search(key):
                        hits.append(i)
            if len(hits) > 1:
                out[row] = list(dict.fromkeys(hits))
        return out
