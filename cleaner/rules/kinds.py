"""Rule kinds: how each kind's parameters are validated and how it labels lines.

Every kind is a pair of functions registered in :data:`KINDS`:

* ``parse(raw) -> params`` validates the YAML mapping of one rule and compiles it (regexes,
  key sets); it raises :class:`ParamError` naming the field at fault.
* ``apply(doc, rule)`` labels lines of one document. Kinds never delete: they call
  ``Line.drop`` (or record an edit, for ``strip``) so every removal keeps its reason.

Kinds run in phases (:data:`PHASES`) so that, e.g., a byline glued to the first word is cut
before whole-line rules look at the line, and repeats are judged among lines still kept.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cleaner.document import Edit, Line
from cleaner.metadata.captures import CONVERTERS, Capture, convert
from cleaner.rules.model import Rule
from cleaner.rules.safe_regex import UnsafePattern, compile_rule_regex
from cleaner.text.normalize import CASED_BIT, match_key, match_keys, may_have_case
from cleaner.text.scripts import SCRIPT_CLASSES, script_share
from cleaner.text.shingles import Shingles, contained_share, word_shingles, words_of


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

    def neighbour(self, line: Line, step: int) -> Line | None:
        """The document's line ``step`` lines from ``line`` (-1: the one before), or None."""
        lines = self.document if self.document is not None else self.lines
        i = line.index + step
        return lines[i] if 0 <= i < len(lines) else None

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
        )

    def forget(self, line: Line) -> None:
        """Drop a cached key after the line's text changed."""
        self._keys.pop(line.index, None)


# --- parameter helpers -------------------------------------------------------------------


def _regex(raw: dict[str, Any], name: str, required: bool = True) -> re.Pattern[str] | None:
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


def _strings(raw: dict[str, Any], name: str, required: bool = True) -> list[str]:
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


def _int(raw: dict[str, Any], name: str, default: int | None) -> int | None:
    value = raw.get(name, default)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise ParamError(f"field '{name}' must be a non-negative integer")
    return value


def _capture(raw: dict[str, Any], rx: re.Pattern[str] | None) -> dict[str, str]:
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


def _keys(strings: list[str]) -> frozenset[str]:
    return frozenset(match_key(s) for s in strings)


def _kept(doc: DocContext) -> list[Line]:
    return [ln for ln in doc.lines if ln.kept]


# --- line: whole-line literal match ------------------------------------------------------


def parse_line(raw: dict[str, Any]) -> dict[str, Any]:
    return {"keys": _keys(_strings(raw, "match"))}


def apply_line(doc: DocContext, rule: Rule) -> None:
    keys = rule.params["keys"]
    for ln in _kept(doc):
        if doc.literal_key(ln) in keys:
            ln.drop(rule.id, rule.category)


# --- pattern: a regular expression searched in the line ----------------------------------


def parse_pattern(raw: dict[str, Any]) -> dict[str, Any]:
    rx = _regex(raw, "pattern")
    return {
        "regex": rx,
        "max_length": _int(raw, "max_length", None),
        "on_key": bool(raw.get("on_key", False)),
        "capture": _capture(raw, rx),
        "max_hits": _int(raw, "max_hits", None),
        "spare_announced": bool(raw.get("spare_announced", False)),
    }


def announced(doc: DocContext, line: Line) -> bool:
    """True when the line just before ``line`` ends with a colon: the line is what that
    sentence announces (a link "at the address:", a quote "he wrote:", an item of a list).
    """
    prev = doc.neighbour(line, -1)
    return prev is not None and prev.text.rstrip().endswith((":", "："))


def apply_pattern(doc: DocContext, rule: Rule) -> None:
    rx, max_len, on_key = rule.params["regex"], rule.params["max_length"], rule.params["on_key"]
    # A capturing rule also reads lines an earlier rule dropped without reading them:
    # "31/12/2021" is dropped as a bare number by the global rules, and its date is still
    # worth keeping. A line one rule captured from is not read twice.
    if rule.params["capture"]:
        lines = [ln for ln in doc.lines if ln.index not in doc.read]
    else:
        lines = _kept(doc)
    hits: list[tuple[Line, re.Match[str]]] = []
    for ln in lines:
        if max_len is not None and len(ln.text) > max_len:
            continue
        m = rx.search(doc.key(ln) if on_key else ln.text)
        if m:
            hits.append((ln, m))
    max_hits = rule.params["max_hits"]
    if max_hits is not None and len(hits) > max_hits:
        # A column of such lines is the document's own: a table, a ranked list, the
        # links an article lists. Its fields are still read.
        for ln, m in hits:
            if record(doc, rule, m):
                doc.read.add(ln.index)
        return
    for ln, m in hits:
        if record(doc, rule, m):
            doc.read.add(ln.index)
        if rule.params["spare_announced"] and announced(doc, ln):
            continue
        ln.drop(rule.id, rule.category)


# --- meta: capture fields from a line that stays (an agency named in the lead) ----------


def parse_meta(raw: dict[str, Any]) -> dict[str, Any]:
    params = parse_pattern(raw)
    if not params["capture"]:
        raise ParamError("a meta rule needs 'capture' (it never drops a line, it only reads it)")
    return params


def apply_meta(doc: DocContext, rule: Rule) -> None:
    rx, max_len = rule.params["regex"], rule.params["max_length"]
    for ln in _kept(doc):
        if max_len is not None and len(ln.text) > max_len:
            continue
        m = rx.search(ln.text)
        if m:
            record(doc, rule, m)


# --- menu: a line made only of navigation phrases ----------------------------------------

_MENU_SEP = r"[\s|/\\\-–—•·»«>,،:]*"


def parse_menu(raw: dict[str, Any]) -> dict[str, Any]:
    ends = [p for p in _strings(raw, "phrases") if p.rstrip().endswith((".", "!", "?", "\u061f"))]
    if ends:  # the rules stage skips lines that end a sentence when it looks for menus
        raise ParamError(f"menu phrase {ends[0]!r} ends like a sentence; use a line rule")
    phrases = sorted(_keys(_strings(raw, "phrases")), key=len, reverse=True)
    alt = "|".join(re.escape(p) for p in phrases)
    min_phrases = _int(raw, "min_phrases", 1) or 1
    rx = re.compile(rf"^{_MENU_SEP}(?:(?:{alt}){_MENU_SEP}){{{min_phrases},}}$")
    return {"regex": rx}


def apply_menu(doc: DocContext, rule: Rule) -> None:
    rx = rule.params["regex"]
    for ln in _kept(doc):
        if rx.match(doc.literal_key(ln)):
            ln.drop(rule.id, rule.category)


# --- script: lines written in a script foreign to the document ---------------------------


def parse_script(raw: dict[str, Any]) -> dict[str, Any]:
    scripts = _strings(raw, "scripts")
    unknown = [s for s in scripts if s not in SCRIPT_CLASSES]
    if unknown:
        raise ParamError(f"unknown script {unknown[0]!r}; known: {', '.join(SCRIPT_CLASSES)}")
    share = raw.get("min_share", 0.8)
    if not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise ParamError("field 'min_share' must be a number in (0, 1]")
    return {
        "scripts": scripts,
        "min_share": float(share),
        "langs": _strings(raw, "langs"),
        "spare_quotes": bool(raw.get("spare_quotes", False)),
    }


#: A quotation mark opening a line.
_QUOTE_OPEN = re.compile(r"^\s*[«\"“„‘'「『]")
#: A sentence stop ending a line, in any script (the ideographic full stop included).
_ANY_STOP_END = re.compile(r"[.!?؟。！？…]\s*[\"»”’'」』)]*\s*$")


def reads_as_quote(doc: DocContext, line: Line) -> bool:
    """True when a line in another script is a quotation the document makes: announced by a
    colon, opened by a quotation mark, or a sentence (a stop after four words or more);
    template strings of a foreign platform are labels, not sentences.
    """
    text = line.text
    return (
        announced(doc, line)
        or bool(_QUOTE_OPEN.match(text))
        or (bool(_ANY_STOP_END.search(text)) and len(text.split()) >= 4)
    )


def apply_script(doc: DocContext, rule: Rule) -> None:
    p = rule.params
    if doc.lang not in p["langs"]:
        return
    for ln in _kept(doc):
        for script in p["scripts"]:
            share = script_share(ln.text, script)
            if share >= p["min_share"]:
                if p["spare_quotes"] and reads_as_quote(doc, ln):
                    break
                ln.drop(rule.id, rule.category, f"{script} {share:.0%} in a {doc.lang} document")
                break


# --- runon: headlines glued into one long line -------------------------------------------


def parse_runon(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "marker": _regex(raw, "marker"),
        "min_markers": _int(raw, "min_markers", 2),
        "min_length": _int(raw, "min_length", 150),
        "max_stops": _int(raw, "max_stops", 1),
        "stop": re.compile(r"[.。](?:\s|$)"),
    }


def apply_runon(doc: DocContext, rule: Rule) -> None:
    p = rule.params
    for ln in _kept(doc):
        text = ln.text
        if len(text) < p["min_length"] or len(p["stop"].findall(text)) > p["max_stops"]:
            continue
        markers = len(p["marker"].findall(text))
        if markers >= p["min_markers"]:
            ln.drop(rule.id, rule.category, f"{markers} headline markers, no sentences")


# --- block: a header and the list items under it -----------------------------------------


def parse_block(raw: dict[str, Any]) -> dict[str, Any]:
    header_keys = _keys(_strings(raw, "header", required=False))
    header_rx = _regex(raw, "header_pattern", required=False)
    if not header_keys and header_rx is None:
        raise ParamError("a block rule needs 'header' (literal lines) or 'header_pattern'")
    item_rx = _regex(raw, "item_pattern", required=False)
    echo = bool(raw.get("echo", False))
    if item_rx is None and not echo:
        raise ParamError("a block rule needs 'item_pattern' or 'echo: true'")
    if echo and (header_rx is None or "echo" not in header_rx.groupindex):
        raise ParamError("'echo: true' needs a header_pattern with a named group (?P<echo>...)")
    return {
        "header_keys": header_keys,
        "header_rx": header_rx,
        "item_rx": item_rx,
        "echo": echo,
        "max_items": _int(raw, "max_items", 40),
        "max_item_length": _int(raw, "max_item_length", 200),
    }


def apply_block(doc: DocContext, rule: Rule) -> None:
    p = rule.params
    lines = doc.lines
    i = 0
    triggers = doc.triggers
    while i < len(lines):
        ln = lines[i]
        if triggers is not None and ln.index not in triggers:
            i += 1
            continue
        m = p["header_rx"].search(ln.text) if p["header_rx"] is not None else None
        # A header another rule already dropped (a "related news" line rule) still opens
        # the block: its items are what this rule is for.
        if not (m or doc.literal_key(ln) in p["header_keys"]):
            i += 1
            continue
        ln.drop(rule.id, rule.category, "block header")
        echo_key = match_key(m.group("echo")) if (m and p["echo"]) else None
        j, items = i + 1, 0
        while j < len(lines) and items < p["max_items"]:
            item = lines[j]
            text = item.text
            is_item = len(text) <= p["max_item_length"] and (
                (p["item_rx"] is not None and p["item_rx"].search(text))
                or (echo_key is not None and doc.literal_key(item) == echo_key)
            )
            if not is_item:
                break
            item.drop(rule.id, rule.category, "block item")
            items += 1
            j += 1
        i = j


# --- tail: from a marker to the end of the document --------------------------------------

#: A tail takes at most this many lines and characters unless its rule says otherwise: page
#: furniture after an end marker is short, and a tail that would take more is cutting text.
TAIL_MAX_LINES = 30
TAIL_MAX_CHARS = 3000
#: A line ending so ends a sentence; a line that does not may be an item of a list.
_STOP_END = re.compile(r"[.!?؟…]\s*[\"»”)]*\s*$")
#: A bullet or a number opening a line: an item of a list.
_ITEM_START = re.compile(r"^\s*(?:[-–—•*·▪►]|[\d۰-۹٠-٩]{1,3}\s*[-.)/]|[\d۰-۹٠-٩]{1,3}\s)")


def announces_list(marker: str, following: list[Line]) -> bool:
    """True when ``marker`` ends with a colon and the lines after it read as the list (or
    quote, poem, line-up) the colon announces: the next two are items or lines that end no
    sentence, the shape of a list; a next-article kicker ("Name:") is followed by one
    headline and then sentences.

    >>> items = [Line(0, "* ذوب‌آهن - اسلامشهر", ""), Line(1, "* گاز ایران - سنگ‌تاش", "")]
    >>> announces_list("برنامه بازی‌ها به شرح زیر است:", items)
    True
    >>> story = [Line(0, "موافقت پوتین با تشکیل سامانه", ""), Line(1, "پوتین آن را امضا کرد.", "")]
    >>> announces_list("آندری کارتاپولوف:", story)
    False
    """
    if not marker.rstrip().endswith((":", "：")) or not following:
        return False
    first = following[:2]
    return all(_ITEM_START.match(ln.text) or not _STOP_END.search(ln.text) for ln in first) or (
        bool(_ITEM_START.match(first[0].text))
    )


def parse_tail(raw: dict[str, Any]) -> dict[str, Any]:
    keys = _keys(_strings(raw, "marker", required=False))
    rx = _regex(raw, "marker_pattern", required=False)
    if not keys and rx is None:
        raise ParamError("a tail rule needs 'marker' (literal lines) or 'marker_pattern'")
    return {
        "keys": keys,
        "regex": rx,
        "followed_by": _regex(raw, "followed_by", required=False),
        "preceded_by": _regex(raw, "preceded_by", required=False),
        "min_before": _int(raw, "min_before", 1),
        "max_following": _int(raw, "max_following", TAIL_MAX_LINES),
        "max_chars": _int(raw, "max_chars", TAIL_MAX_CHARS),
        "stop_at": _int(raw, "stop_at", None),
        "marker_alone": bool(raw.get("marker_alone", False)),
        "spare_named_before": bool(raw.get("spare_named_before", False)),
    }


def tail_extent(rule: Rule, marker: Line, following: list[Line]) -> list[Line] | None:
    """The lines a tail marked by ``marker`` takes, or None when it must not fire.

    It does not fire when the lines after the marker exceed the rule's bounds (lines,
    characters) or are the list its colon announces; with ``stop_at``, it ends before the
    first line of that many characters that ends a sentence (article text again).
    """
    p = rule.params
    if p["stop_at"] is not None:
        for n, ln in enumerate(following):
            if len(ln.text) >= p["stop_at"] and _STOP_END.search(ln.text):
                following = following[:n]
                break
    if len(following) > p["max_following"]:
        return None
    if sum(len(ln.text) for ln in following) > p["max_chars"]:
        return None
    if announces_list(marker.text, following):
        return None
    return following


def apply_tail(doc: DocContext, rule: Rule) -> None:
    p = rule.params
    kept = _kept(doc)
    triggers = doc.triggers
    for pos, ln in enumerate(kept):
        if pos < p["min_before"] or (triggers is not None and ln.index not in triggers):
            continue
        if not (
            doc.literal_key(ln) in p["keys"]
            or (p["regex"] is not None and p["regex"].search(ln.text))
        ):
            continue
        following = kept[pos + 1 :]
        if p["followed_by"] is not None and not (
            following and p["followed_by"].search(following[0].text)
        ):
            continue
        if p["preceded_by"] is not None and not (
            pos > 0 and p["preceded_by"].search(kept[pos - 1].text)
        ):
            continue
        if p["spare_named_before"] and _named_before(ln, kept[:pos]):
            continue
        # Lines another rule dropped go with the tail too; only kept lines are counted.
        rest = doc.lines[ln.index + 1 :]
        taken = tail_extent(rule, ln, [x for x in rest if x.kept])
        if taken is None:
            if p["marker_alone"]:  # the marker is a leftover whatever follows it
                ln.drop(rule.id, rule.category, "tail marker; the lines after it are text")
                return
            continue
        ln.drop(rule.id, rule.category, "tail marker")
        end = taken[-1].index if taken else ln.index
        for x in rest:
            if x.index > end:
                break
            x.drop(rule.id, rule.category, "after tail marker")
        return


def _named_before(line: Line, before: list[Line]) -> bool:
    """Whether the article's text already names what ``line`` says: a statement signed by
    the body the article quotes ("... بیانیه انجمن قلم ایران ..." closed by "انجمن قلم ایران"),
    which is part of the statement, not a writer's byline."""
    key = match_key(line.text)
    return bool(key) and any(key in match_key(x.text) for x in before)


# --- repeat: exact repeats inside one document -------------------------------------------


def parse_repeat(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "min_length": _int(raw, "min_length", 1),
        "max_copies": _int(raw, "max_copies", None),
        "spare_questions": bool(raw.get("spare_questions", False)),
        "printed_twice": bool(raw.get("printed_twice", False)),
        "contained": _int(raw, "contained", None),
    }


#: A list number opening a line ("3.", "۴-", "12)"): not part of the sentence it numbers.
_LIST_NUMBER = re.compile(r"^\s*[\d۰-۹٠-٩]{1,3}\s*[-.)]\s*")
#: A bullet opening a list item: a list may repeat an item of an earlier list.
_BULLET = re.compile(r"^\s*[-–—•*·▪►]")
#: Documents with more kept lines than this are not searched for sentences printed again
#: inside earlier lines (a search per line through the text before it).
_CONTAINED_MAX_LINES = 400


#: Lines this long are paragraphs; shorter ones may be verses, headings or list items.
PARAGRAPH_CHARS = 60
#: A line ending with a question mark: an interview repeats its question to each guest.
_QUESTION_END = re.compile(r"[?؟]\s*[\"»”)]*\s*$")
#: How many kept lines open a document: a title or lead printed twice has its first copy there.
_HEAD_LINES = 2


def apply_repeat(doc: DocContext, rule: Rule) -> None:
    p = rule.params
    kept = _kept(doc)
    fold = _folds_case(doc, kept)
    # The output text is already normalised (spaces, invisible characters, Persian letter
    # forms): exact repeats compare it directly, without a match key per line.
    keys = [ln.text.casefold() if fold else ln.text for ln in kept]
    copies: dict[str, list[int]] = {}
    # Each line's place among the distinct lines: a title printed twice does not push the
    # lead out of the document's head.
    rank: dict[str, int] = {}
    for pos, key in enumerate(keys):
        rank.setdefault(key, len(rank))
        if len(key) >= p["min_length"]:
            copies.setdefault(key, []).append(pos)
    for key, where in copies.items():
        if len(where) < 2:
            continue
        # A refrain, a meal plan's days, a heading over each section: many copies are
        # the text's own structure, not a title printed twice.
        if p["max_copies"] is not None and len(where) > p["max_copies"]:
            continue
        if p["spare_questions"] and _QUESTION_END.search(key):
            continue
        first = where[0]
        for pos in where[1:]:
            if p["printed_twice"] and not printed_twice(keys, first, pos, rank[key]):
                continue
            kept[pos].drop(rule.id, rule.category, f"repeats line {kept[first].index + 1}")
    if p["contained"] is not None and len(kept) <= _CONTAINED_MAX_LINES:
        _contained_repeats(kept, keys, p["contained"], rule)


def _folds_case(doc: DocContext, kept: list[Line]) -> bool:
    """Whether the document's lines need case folding to be compared: folding Persian or
    Arabic text changes nothing and costs a lookup per character."""
    if doc.chars is not None:
        return bool(doc.chars & CASED_BIT)
    return may_have_case("\n".join(ln.text for ln in kept))


def _contained_repeats(kept: list[Line], keys: list[str], min_len: int, rule: Rule) -> None:
    """Drop a line of at least ``min_len`` characters found whole inside an earlier, longer
    kept line (a leading list number set aside): a sentence of the article printed again,
    as a pull quote or an editor's list of its sentences. An earlier short line found inside
    a later paragraph (a lead the body repeats) is never dropped: only later copies go.
    """
    parts: list[str] = []  # the kept lines before, joined only when a long line comes
    seen: set[str] = set()  # exact copies are judged by the rule's other fields
    for pos, ln in enumerate(kept):
        key = keys[pos]
        if ln.kept and len(key) >= min_len and parts and key not in seen:
            m = _LIST_NUMBER.match(key)
            bare = key[m.end() :] if m else key
            if (
                len(bare) >= min_len
                and not _BULLET.match(bare)
                and not _QUESTION_END.search(bare)
                and bare in "\n".join(parts)
            ):
                ln.drop(rule.id, rule.category, "printed again inside an earlier paragraph")
                continue
        parts.append(key)
        seen.add(key)


def printed_twice(keys: list[str], first: int, pos: int, rank: int) -> bool:
    """True when the copy at ``pos`` of the line at ``first`` reads as text printed twice.

    A paragraph (``PARAGRAPH_CHARS`` or more) is printed twice when it copies the
    document's first lines (``rank``: its place among the distinct lines), the line just
    before it, or belongs to a run repeating an earlier run in order (a scrape that doubled
    the article). A shorter line (a verse, a heading, a time in a schedule) is printed twice
    only as a title or lead copied within two lines of itself. Elsewhere a repeated line is
    the text's own: a refrain, a formula a wire story repeats.
    """
    if len(keys[pos]) < PARAGRAPH_CHARS:
        return rank < _HEAD_LINES and pos - first <= 2
    if rank < _HEAD_LINES or pos - 1 == first:
        return True
    before = first > 0 and keys[pos - 1] == keys[first - 1]
    after = pos + 1 < len(keys) and keys[pos + 1] == keys[first + 1]
    return before or after


# --- near-repeat: a run of lines copying other lines of the document, reworded ----------


def _share(raw: dict[str, Any], name: str, default: float) -> float:
    value = raw.get(name, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= 1:
        raise ParamError(f"field '{name}' must be a number in (0, 1]")
    return float(value)


def parse_near_repeat(raw: dict[str, Any]) -> dict[str, Any]:
    shingle = _int(raw, "shingle", 3) or 1
    return {
        "shingle": shingle,
        "containment": _share(raw, "containment", 0.8),
        "min_length": _int(raw, "min_length", 80),
        "min_run": max(1, _int(raw, "min_run", 2) or 1),
        "max_gap": _int(raw, "max_gap", 0),
        "min_dropped": _int(raw, "min_dropped", 0),
        "heading": _int(raw, "heading", None),
    }


@dataclass(frozen=True)
class _Copy:
    """A line found (mostly) inside another kept line: its evidence and how much of it."""

    evidence: Line
    share: float


def apply_near_repeat(doc: DocContext, rule: Rule) -> None:
    """Drop lines that copy most of another kept line, reworded, next to exact copies.

    A candidate is a kept line of ``min_length`` characters or more (a list number set
    aside), not a question or a bulleted item, nor one of the document's first two kept
    lines (a title or lead the body repeats is the article's own), whose word
    ``shingle``-grams are at least ``containment`` inside one other kept line at least as
    long (the evidence, which stays). Lines with the very same words are the exact repeat
    rule's to judge (it spares refrains, lists and repeated questions).

    A copy alone is spared: a writer restates a sentence, two speakers say the same words.
    Only a run of ``min_run`` copies or more goes (candidates and lines already dropped in
    this rule's category, next to each other or ``max_gap`` kept lines apart; other
    dropped lines between them do not break the run), and only when it holds at least
    ``min_dropped`` lines of ``min_length`` characters already dropped in this rule's
    category (sentences printed again: the block is one of copies; a title printed twice
    is no such sign): an editor's list of the article's sentences, a block of pull quotes.
    Copies of one same line count once (a formula the text repeats). Only lines within
    reach of such a dropped line, or of a candidate found so, are judged: most documents
    cost one pass over their lines. With ``heading``, the kept line just above a run that
    ends the document's kept text goes too when it is a heading of at most that many
    characters ("sentences for headlines").
    """
    p = rule.params
    lines = doc.document if doc.document is not None else doc.lines
    category = rule.category
    kept = _kept(doc)
    if len(kept) > _CONTAINED_MAX_LINES:
        return
    copies = _NearCopies(kept, _folds_case(doc, kept), p).find(lines, category)
    min_length = p["min_length"]
    if not copies:
        return
    for run in _runs(lines, copies, category, p["max_gap"]):
        dropped = sum(1 for ln in run if ln.index not in copies)
        sentences = sum(1 for ln in run if ln.index not in copies and len(ln.text) >= min_length)
        # Copies of one line are a formula the text repeats (each caller "expressed his
        # condolences"): they count once.
        evidence = {copies[ln.index].evidence.index for ln in run if ln.index in copies}
        count = len(evidence) + dropped
        if count < p["min_run"] or sentences < p["min_dropped"]:
            continue
        for ln in run:
            c = copies.get(ln.index)
            if c is not None:
                ln.drop(
                    rule.id,
                    rule.category,
                    f"copies line {c.evidence.index + 1} ({c.share:.0%} of its word "
                    f"{p['shingle']}-grams), one of a run of {count} copies",
                )
        if p["heading"] is not None:
            _drop_heading(lines, run, rule, p["heading"], count)


def _bare(text: str) -> str:
    """A line without the list number opening it."""
    m = _LIST_NUMBER.match(text)
    return text[m.end() :] if m else text


class _NearCopies:
    """Finds the kept lines of one document that copy most of another kept line.

    Shingles are made only for the lines judged and the lines that may be their evidence
    (those holding one of the judged line's rarest-looking words), each once.
    """

    def __init__(self, kept: list[Line], fold: bool, p: dict[str, Any]) -> None:
        self.kept = kept
        self.size: int = p["shingle"]
        self.share: float = p["containment"]
        self.min_length: int = p["min_length"]
        self.reach: int = p["max_gap"] + 1
        self.min_dropped: int = p["min_dropped"]
        self.head = {ln.index for ln in kept[:_HEAD_LINES]}
        # Lines compared on their output text (already normalised: spaces, invisible
        # characters, Persian letter forms), case folded where the document has case.
        self.long = {
            ln.index: ln.text.casefold() if fold else ln.text
            for ln in kept
            if len(ln.text) >= self.min_length
        }
        self._words: dict[int, tuple[str, ...]] = {}
        self._sets: dict[int, Shingles] = {}

    def may_be_copy(self, ln: Line) -> bool:
        """Whether a kept line may be judged a copy at all (its shape alone)."""
        if ln.index not in self.long or ln.index in self.head:
            return False
        bare = _bare(ln.text)
        return len(bare) >= self.min_length and not (
            _BULLET.match(bare) or _QUESTION_END.search(bare)
        )

    def words(self, i: int) -> tuple[str, ...]:
        """Line ``i``'s words, a list number opening it set aside."""
        if i not in self._words:
            self._words[i] = words_of(_bare(self.long[i]))
        return self._words[i]

    def shingles(self, i: int) -> Shingles:
        if i not in self._sets:
            self._sets[i] = word_shingles(self.words(i), self.size)
        return self._sets[i]

    def find(self, lines: list[Line], category: str) -> dict[int, _Copy]:
        """Copies within reach of lines dropped in ``category`` (with ``min_dropped``; of
        any candidate otherwise), reach spreading from every copy found."""
        copies: dict[int, _Copy] = {}
        judged: set[int] = set()
        if self.min_dropped:
            # Sentences printed again anchor a block of copies; a short line printed twice
            # (a title) anchors none.
            marks = {
                ln.index
                for ln in lines
                if ln.label is not None
                and ln.label.category == category
                and len(ln.text) >= self.min_length
            }
            todo = self._within_reach(lines, marks)
        else:
            todo = [ln for ln in self.kept if self.may_be_copy(ln)]
        while todo:
            judged.update(ln.index for ln in todo)
            found = False
            for ln in sorted(todo, key=lambda x: (-len(self.long[x.index]), x.index)):
                c = self.copy_of(ln.index, copies)
                if c is not None:
                    copies[ln.index] = c
                    found = True
            if not found or not self.min_dropped:
                break
            todo = [ln for ln in self._within_reach(lines, set(copies)) if ln.index not in judged]
        return copies

    def _within_reach(self, lines: list[Line], marks: set[int]) -> list[Line]:
        """Kept lines that may be copies with at most ``reach - 1`` other kept lines
        between them and a marked line (lines dropped for other reasons not counted)."""
        near: dict[int, Line] = {}
        for seq in (lines, lines[::-1]):
            steps: int | None = None
            for ln in seq:
                if ln.index in marks:
                    steps = 0
                elif ln.kept and steps is not None:
                    steps += 1
                    if steps > self.reach:
                        steps = None
                    elif self.may_be_copy(ln):
                        near[ln.index] = ln
        return list(near.values())

    def copy_of(self, i: int, copies: dict[int, _Copy]) -> _Copy | None:
        """The kept line that holds most of line ``i``'s shingles, when at least ``share``
        of them; None when none does or one has the very same words."""
        mine = self.shingles(i)
        if not mine:
            return None
        # At most this many shingles may be missing, so at most this many distinct words
        # (a word is missing only with every shingle holding it): a line whose text lacks
        # more of the longest words than that cannot be the evidence.
        allowed = int(len(mine) * (1 - self.share))
        sample = sorted(set(self.words(i)), key=len, reverse=True)[: allowed + _SAMPLE_MORE]
        best: tuple[float, int] | None = None
        for j, text in self.long.items():
            if j == i or j in copies or _lacks(text, sample, allowed):
                continue
            if self.words(j) == self.words(i):
                return None
            theirs = self.shingles(j)
            if len(theirs) < len(mine):
                continue
            s = contained_share(mine, theirs)
            if s >= self.share and (best is None or s > best[0]):
                best = (s, j)
        if best is None:
            return None
        by_index = {ln.index: ln for ln in self.kept}
        return _Copy(by_index[best[1]], best[0])


#: Words of a line looked up in another beyond those it may lack, before its shingles.
_SAMPLE_MORE = 6


def _lacks(text: str, words: list[str], allowed: int) -> bool:
    """Whether ``text`` lacks more than ``allowed`` of ``words``.

    >>> _lacks("a bc d", ["bc", "x", "y"], 1), _lacks("a bc d", ["bc", "x"], 1)
    (True, False)
    """
    missing = 0
    for w in words:
        if w not in text:
            missing += 1
            if missing > allowed:
                return True
    return False


def _runs(
    lines: list[Line], copies: dict[int, _Copy], category: str, max_gap: int
) -> list[list[Line]]:
    """Runs of copies in document order: candidates and lines dropped in ``category``.

    A line dropped for another reason neither counts nor breaks a run; up to ``max_gap``
    kept lines in a row between two copies stay kept without breaking it (a list item
    reworded past the threshold); more end it. Runs without a candidate are left out.
    """
    runs: list[list[Line]] = []
    run: list[Line] = []
    gap = 0
    for ln in lines:
        if ln.index in copies or (ln.label is not None and ln.label.category == category):
            run.append(ln)
            gap = 0
        elif ln.kept:
            gap += 1
            if gap > max_gap:
                runs.append(run)
                run, gap = [], 0
    runs.append(run)
    return [r for r in runs if any(ln.index in copies for ln in r)]


def _drop_heading(
    lines: list[Line], run: list[Line], rule: Rule, max_chars: int, count: int
) -> None:
    """Drop the heading just above a run of copies that ends the document's kept text."""
    last = run[-1].index
    if any(ln.kept for ln in lines[last + 1 :]):
        return
    above = [ln for ln in lines[: run[0].index] if ln.kept]
    if not above:
        return
    head = above[-1]
    if len(head.text) <= max_chars and not _STOP_END.search(head.text):
        head.drop(rule.id, rule.category, f"heading over the {count} copies after it")


# --- strip: cut a part of a line (a byline glued to the first word) ----------------------


def parse_strip(raw: dict[str, Any]) -> dict[str, Any]:
    replace = raw.get("replace", "")
    if not isinstance(replace, str):
        raise ParamError("field 'replace' must be a string")
    rx = _regex(raw, "pattern")
    return {"regex": rx, "replace": replace, "capture": _capture(raw, rx)}


def apply_strip(doc: DocContext, rule: Rule) -> None:
    rx, replace = rule.params["regex"], rule.params["replace"]
    for ln in _kept(doc):
        m = rx.search(ln.text)
        if not m:
            continue
        record(doc, rule, m)
        new = rx.sub(replace, ln.text, count=1).strip()
        ln.edits.append(Edit(rule.id, rule.category, m.group(0).strip()))
        ln.text = new
        doc.forget(ln)
        if not new:
            ln.drop(rule.id, rule.category, "nothing left after strip")


# --- cut: a leftover cut off the start or the end of a line, the sentence left ----------

#: Where a cut may take its part from.
CUT_PLACES = ("start", "end")


def parse_cut(raw: dict[str, Any]) -> dict[str, Any]:
    at = raw.get("at")
    if at not in CUT_PLACES:
        raise ParamError(f"field 'at' must be one of: {', '.join(CUT_PLACES)}")
    rx = _regex(raw, "pattern")
    assert rx is not None
    # Anchored here, so a rule file cannot cut from the middle of a sentence by mistake.
    body = rf"^\s*(?:{rx.pattern})" if at == "start" else rf"(?:{rx.pattern})\s*$"
    anchored_rx = re.compile(body, rx.flags)
    return {
        "regex": anchored_rx,
        "at": at,
        "min_left": _int(raw, "min_left", 20),
        "capture": _capture(raw, anchored_rx),
    }


#: Quotation marks a sentence may open with.
_OPENING_QUOTES = frozenset("«\"“„'‘(")


def apply_cut(doc: DocContext, rule: Rule) -> None:
    """Cut the matched part off a line when what is left reads as text: at least
    ``min_left`` characters, starting with a word (a part cut off the start) or ending a
    sentence (a part cut off the end: it followed the last sentence). Otherwise the line is
    left whole for line rules to judge.
    """
    p = rule.params
    rx = p["regex"]
    for ln in _kept(doc):
        text = ln.text
        m = rx.search(text)
        if not m:
            continue
        if p["at"] == "start":
            left = text[m.end() :].strip()
            if not left[:1].isalnum() and left[:1] not in _OPENING_QUOTES:
                continue  # a sentence starts with a word, not with the stop of another
        else:
            left = text[: m.start()].strip()
            if not _STOP_END.search(left):
                continue
        if len(left) < p["min_left"]:
            continue
        record(doc, rule, m)
        ln.edits.append(Edit(rule.id, rule.category, m.group(0).strip()))
        ln.text = left
        doc.forget(ln)


class Phase(enum.IntEnum):
    """When a kind's rules run, in this order: strip and cut rewrite a line first (it is then
    routed again), whole-line kinds judge lines alone, block and tail kinds start from a line
    and look at its neighbours, repeat judges the whole document, meta captures last."""

    STRIP = 0
    LINE = 1
    BLOCK = 2
    TAIL = 3
    REPEAT = 4
    META = 5


#: A regex the router searches in a line's text, with the longest line it may match.
TextRegex = tuple[re.Pattern[str], int | None]


@dataclass(frozen=True)
class Route:
    """What the router (:mod:`cleaner.rules.router`) looks at to name the lines a rule may
    touch; a line that none of these select never reaches the rule."""

    #: Regexes searched in the line's text.
    text: tuple[TextRegex, ...] = ()
    #: Comparison keys of whole lines the rule names (lines, block headers, tail markers).
    literals: frozenset[str] = frozenset()
    #: A regex searched in the line's comparison key, for lines within its bound.
    on_key: TextRegex | None = None
    #: A regex matched on the literal key of short lines that end no sentence.
    menu: re.Pattern[str] | None = None
    #: Scripts (:data:`cleaner.text.scripts.SCRIPT_CLASSES` names) whose letters select a line.
    scripts: frozenset[str] = frozenset()


def _route_pattern(p: dict[str, Any]) -> Route:
    rx: TextRegex = (p["regex"], p.get("max_length"))
    return Route(on_key=rx) if p.get("on_key") else Route(text=(rx,))


def _route_text(name: str) -> Callable[[dict[str, Any]], Route]:
    def route(p: dict[str, Any]) -> Route:
        return Route(text=((p[name], None),))

    return route


def _route_block(p: dict[str, Any]) -> Route:
    header = () if p["header_rx"] is None else ((p["header_rx"], None),)
    return Route(text=header, literals=frozenset(p["header_keys"]))


def _route_tail(p: dict[str, Any]) -> Route:
    marker = () if p["regex"] is None else ((p["regex"], None),)
    return Route(text=marker, literals=frozenset(p["keys"]))


@dataclass(frozen=True)
class Kind:
    """A rule kind: parameter parser, labeller, the phase it runs in, its YAML fields and
    its route (None: the kind judges the whole document, every line of it)."""

    parse: Callable[[dict[str, Any]], dict[str, Any]]
    apply: Callable[[DocContext, Rule], None]
    phase: Phase
    fields: frozenset[str]
    route: Callable[[dict[str, Any]], Route] | None


KINDS: dict[str, Kind] = {
    "strip": Kind(
        parse_strip,
        apply_strip,
        Phase.STRIP,
        frozenset({"pattern", "replace", "ignore_case", "capture"}),
        _route_text("regex"),
    ),
    "cut": Kind(
        parse_cut,
        apply_cut,
        Phase.STRIP,
        frozenset({"pattern", "at", "min_left", "ignore_case", "capture"}),
        _route_text("regex"),
    ),
    "meta": Kind(
        parse_meta,
        apply_meta,
        Phase.META,
        frozenset({"pattern", "max_length", "ignore_case", "capture"}),
        _route_pattern,
    ),
    "line": Kind(
        parse_line,
        apply_line,
        Phase.LINE,
        frozenset({"match"}),
        lambda p: Route(literals=frozenset(p["keys"])),
    ),
    "pattern": Kind(
        parse_pattern,
        apply_pattern,
        Phase.LINE,
        frozenset(
            {"pattern", "max_length", "ignore_case", "on_key", "capture", "max_hits"}
            | {"spare_announced"}
        ),
        _route_pattern,
    ),
    "menu": Kind(
        parse_menu,
        apply_menu,
        Phase.LINE,
        frozenset({"phrases", "min_phrases"}),
        lambda p: Route(menu=p["regex"]),
    ),
    "script": Kind(
        parse_script,
        apply_script,
        Phase.LINE,
        frozenset({"scripts", "min_share", "langs", "spare_quotes"}),
        lambda p: Route(scripts=frozenset(p["scripts"])),
    ),
    "runon": Kind(
        parse_runon,
        apply_runon,
        Phase.LINE,
        frozenset({"marker", "min_markers", "min_length", "max_stops", "ignore_case"}),
        _route_text("marker"),
    ),
    "block": Kind(
        parse_block,
        apply_block,
        Phase.BLOCK,
        frozenset(
            {"header", "header_pattern", "item_pattern", "echo", "max_items", "max_item_length"}
            | {"ignore_case"}
        ),
        _route_block,
    ),
    "tail": Kind(
        parse_tail,
        apply_tail,
        Phase.TAIL,
        frozenset(
            {
                "marker",
                "marker_pattern",
                "followed_by",
                "preceded_by",
                "min_before",
                "max_following",
                "max_chars",
                "stop_at",
                "marker_alone",
                "spare_named_before",
                "ignore_case",
            }
        ),
        _route_tail,
    ),
    "repeat": Kind(
        parse_repeat,
        apply_repeat,
        Phase.REPEAT,
        frozenset({"min_length", "max_copies", "spare_questions", "printed_twice", "contained"}),
        None,
    ),
    "near-repeat": Kind(
        parse_near_repeat,
        apply_near_repeat,
        Phase.REPEAT,
        frozenset(
            {"shingle", "containment", "min_length", "min_run", "max_gap", "min_dropped"}
            | {"heading"}
        ),
        None,
    ),
}

#: Phases in run order, by name, for documentation and ``cleaner rules list``.
PHASES = tuple(phase.name.lower() for phase in Phase)
