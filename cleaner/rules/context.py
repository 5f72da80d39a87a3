"""What a rule kind sees of one document (:class:`DocContext`), and what every kind's
parameter parser shares: reading a field of a rule's YAML mapping, compiling its regexes and
captures, recording a capture into the document's metadata.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cleaner.document import Line
from cleaner.metadata.captures import CONVERTERS, Capture, convert
from cleaner.rules.model import Rule
from cleaner.rules.safe_regex import UnsafePattern, compile_rule_regex
from cleaner.text.headline import looks_like_title
from cleaner.text.normalize import match_key, match_keys


class ParamError(ValueError):
    """A rule's parameters are invalid; the message names the field."""


#: Lines longer than this are never compared with literal strings (line, menu, block
#: header and tail marker rules): boilerplate literals and menu bars are short (a 12-item
#: menu is about 90 characters), and a comparison key for every body paragraph was the
#: largest cost of the rules stage.
LITERAL_MAX_CHARS = 150


@dataclass
class DocContext:
    """What a kind may look at while labelling one document."""

    lines: list[Line]
    lang: str
    captures: list[Capture] = field(default_factory=list)
    read: set[int] = field(default_factory=set)  # lines some rule already captured from
    _keys: dict[int, str] = field(default_factory=dict)
    #: Lines that may open a block or mark a tail (None: any line); set by the engine from
    #: its router so block and tail rules skip the body paragraphs.
    triggers: frozenset[int] | None = None
    #: :data:`cleaner.text.normalize.CHARS` classes the document may hold (None: not looked up).
    chars: int | None = None
    #: Every line of the document, when ``lines`` is a view of some of them.
    document: list[Line] | None = None
    #: The source line each line was cut from, by line index, where sentences glued without
    #: a space were cut apart (:mod:`cleaner.text.glue`); None: each line is its own.
    groups: Sequence[int] | None = None

    def neighbour(self, line: Line, step: int) -> Line | None:
        """The document's line ``step`` lines from ``line`` (-1: the one before), or None."""
        lines = self.document if self.document is not None else self.lines
        i = line.index + step
        return lines[i] if 0 <= i < len(lines) else None

    def first_text_line(self) -> Line | None:
        """The document's first line with text that no rule dropped yet, or None."""
        lines = self.document if self.document is not None else self.lines
        return next((ln for ln in lines if ln.kept and ln.text.strip()), None)

    def opening_lines(self) -> list[Line]:
        """The lines that open the article's text: the first line with text, and the next
        one too when the first reads as a headline (a scrape often prints the title above
        the lead, where a dateline or an agency's name is glued)."""
        lines = self.document if self.document is not None else self.lines
        texts = (ln for ln in lines if ln.kept and ln.text.strip())
        first = next(texts, None)
        if first is None:
            return []
        second = next(texts, None)
        if second is not None and looks_like_title(first.text):
            return [first, second]
        return [first]

    def last_text_line(self) -> Line | None:
        """The document's last line with text that no rule dropped yet, or None."""
        lines = self.document if self.document is not None else self.lines
        return next((ln for ln in reversed(lines) if ln.kept and ln.text.strip()), None)

    def key(self, line: Line) -> str:
        """The line's comparison key, computed once per line text."""
        k = self._keys.get(line.index)
        if k is None:
            k = self._keys[line.index] = match_key(line.text)
        return k

    def prime_keys(self, lines: list[Line]) -> None:
        """Compute the keys of ``lines`` at once (cheaper than one at a time)."""
        todo = [ln for ln in lines if ln.index not in self._keys]
        # The document's classes hold its lines' (cleaning removes characters or writes
        # plain spaces and Persian letters): no lookup of their own.
        keys = match_keys([ln.text for ln in todo], self.chars)
        for ln, k in zip(todo, keys, strict=True):
            self._keys[ln.index] = k

    def literal_key(self, line: Line) -> str:
        """The key for comparing with literal boilerplate strings; "" for long lines.

        Literal boilerplate (menus, markers, headers) is short, and computing a key for
        every long body paragraph was half the cost of the rules stage.
        """
        return "" if len(line.text) > LITERAL_MAX_CHARS else self.key(line)

    def view(self, lines: list[Line], triggers: frozenset[int] | None = None) -> DocContext:
        """The same document seen through some of its lines (shared keys and captures),
        with the lines that may open a block or mark a tail (None: any line)."""
        return DocContext(
            lines,
            self.lang,
            self.captures,
            self.read,
            self._keys,
            triggers,
            self.chars,
            self.document if self.document is not None else self.lines,
            self.groups,
        )

    def forget(self, line: Line) -> None:
        """Drop a cached key after the line's text changed."""
        self._keys.pop(line.index, None)


# --- parameter helpers -------------------------------------------------------------------


def regex_param(raw: dict[str, Any], name: str, required: bool = True) -> re.Pattern[str] | None:
    value = raw.get(name)
    if value is None:
        if required:
            raise ParamError(f"missing field '{name}'")
        return None
    if not isinstance(value, str):
        raise ParamError(f"field '{name}' must be a string (a regular expression)")
    flags = re.IGNORECASE if raw.get("ignore_case") else 0
    try:
        return compile_rule_regex(value, flags)
    except re.error as exc:
        raise ParamError(f"field '{name}': invalid regular expression: {exc}") from None
    except UnsafePattern as exc:
        raise ParamError(f"field '{name}': regular expression {exc}") from None


def strings_param(raw: dict[str, Any], name: str, required: bool = True) -> list[str]:
    value = raw.get(name)
    if value is None:
        if required:
            raise ParamError(f"missing field '{name}'")
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ParamError(f"field '{name}' must be a non-empty list of strings")
    return value


def int_param(raw: dict[str, Any], name: str, default: int | None) -> int | None:
    value = raw.get(name, default)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise ParamError(f"field '{name}' must be a non-negative integer")
    return value


def flag_param(raw: dict[str, Any], name: str, default: bool = False) -> bool:
    """A yes/no field. YAML's ``true``/``false`` only: a quoted ``"no"`` is a non-empty
    string, which ``bool`` would read as yes."""
    value = raw.get(name, default)
    if not isinstance(value, bool):
        raise ParamError(f"field '{name}' must be true or false")
    return value


def capture_param(raw: dict[str, Any], rx: re.Pattern[str] | None) -> dict[str, str]:
    """Validate ``capture: {field: converter}``: each field a named group of the rule's regex."""
    value = raw.get("capture")
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        raise ParamError("field 'capture' must map field names to converter names")
    groups = set(rx.groupindex) if rx is not None else set()
    for name, conv in value.items():
        if name not in groups:
            raise ParamError(
                f"capture field {name!r} is not a named group (?P<{name}>...) of the pattern"
            )
        if conv not in CONVERTERS:
            raise ParamError(
                f"capture {name!r}: unknown converter {conv!r}; known: {', '.join(CONVERTERS)}"
            )
    return dict(value)


def record(doc: DocContext, rule: Rule, m: re.Match[str]) -> bool:
    """Keep the fields a rule captures from its match; True if any was kept."""
    kept = False
    for name, conv in rule.params.get("capture", {}).items():
        raw = m.group(name)
        value = convert(conv, raw) if raw else None
        if value is not None:
            doc.captures.append(Capture(field_name(name), value, rule.id, raw))
            kept = True
    return kept


def field_name(group: str) -> str:
    """The field a regex group fills: a trailing number is dropped, since one regex cannot
    name two alternatives alike (``dateline2`` fills ``dateline``).

    >>> field_name("dateline2"), field_name("news_code")
    ('dateline', 'news_code')
    """
    return group.rstrip("0123456789") or group


def key_set(strings: list[str]) -> frozenset[str]:
    return frozenset(match_key(s) for s in strings)


def kept_lines(doc: DocContext) -> list[Line]:
    return [ln for ln in doc.lines if ln.kept]


# --- line: whole-line literal match ------------------------------------------------------


#: A line ending so ends a sentence; a line that does not may be an item of a list.
STOP_END = re.compile(r"[.!?؟…]\s*[\"»”)]*\s*$")
