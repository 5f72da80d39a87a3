"""Rule kinds: how each kind's parameters are validated and how it labels lines.

Every kind is a pair of functions registered in :data:`KINDS` (the whole-document kinds
``repeat`` and ``near-repeat`` live in :mod:`cleaner.rules.repeats`; what every kind shares,
in :mod:`cleaner.rules.context`):

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
from dataclasses import dataclass
from typing import Any

from cleaner.document import Edit, Line
from cleaner.rules.context import (
    STOP_END,
    DocContext,
    ParamError,
    capture_param,
    flag_param,
    int_param,
    kept_lines,
    key_set,
    record,
    regex_param,
    strings_param,
)
from cleaner.rules.model import Rule
from cleaner.rules.repeats import apply_near_repeat, apply_repeat, parse_near_repeat, parse_repeat
from cleaner.text.normalize import match_key
from cleaner.text.scripts import SCRIPT_CLASSES, script_share


def parse_line(raw: dict[str, Any]) -> dict[str, Any]:
    return {"keys": key_set(strings_param(raw, "match"))}


def apply_line(doc: DocContext, rule: Rule) -> None:
    keys = rule.params["keys"]
    for ln in kept_lines(doc):
        if doc.literal_key(ln) in keys:
            ln.drop(rule.id, rule.category)


# --- pattern: a regular expression searched in the line ----------------------------------


def parse_pattern(raw: dict[str, Any]) -> dict[str, Any]:
    rx = regex_param(raw, "pattern")
    for flag in ("first_line", "alone"):
        if flag_param(raw, flag) and flag_param(raw, "on_key"):
            raise ParamError(f"'{flag}' reads the line's own text: drop 'on_key'")
    if flag_param(raw, "alone") and (
        flag_param(raw, "first_line") or flag_param(raw, "needs_text")
    ):
        raise ParamError(
            "'alone' judges a document's only line: drop 'first_line' and 'needs_text'"
        )
    return {
        "regex": rx,
        "max_length": int_param(raw, "max_length", None),
        "on_key": flag_param(raw, "on_key"),
        "capture": capture_param(raw, rx),
        "max_hits": int_param(raw, "max_hits", None),
        "spare_announced": flag_param(raw, "spare_announced"),
        "spare_first": flag_param(raw, "spare_first"),
        "min_run": int_param(raw, "min_run", None),
        "takes_rest": flag_param(raw, "takes_rest"),
        "first_line": flag_param(raw, "first_line"),
        "alone": flag_param(raw, "alone"),
        "needs_text": flag_param(raw, "needs_text"),
        "free_tail": flag_param(raw, "free_tail"),
    }


def announced(doc: DocContext, line: Line) -> bool:
    """True when the line just before ``line`` ends with a colon: the line is what that
    sentence announces (a link "at the address:", a quote "he wrote:", an item of a list).
    """
    prev = doc.neighbour(line, -1)
    return prev is not None and prev.text.rstrip().endswith((":", "："))


def in_rows(doc: DocContext, hits: list[Line], min_run: int) -> set[int]:
    """The indices of the ``hits`` that follow each other, ``min_run`` or more in a row.

    One button label or section name per line ("Telegram", then "WhatsApp") reads as a
    share bar or a menu only in a row of them; one such word alone may be a subheading.
    Empty lines and lines that other rules dropped do not break a row; a row right after a
    line ending with a colon is the list that line announces, the article's own.
    """
    hit = {ln.index for ln in hits}
    lines = doc.document if doc.document is not None else doc.lines
    taken: set[int] = set()
    row: list[Line] = []
    for ln in [*lines, None]:
        if ln is not None and (not ln.kept or not ln.text.strip()):
            continue
        if ln is not None and ln.index in hit:
            row.append(ln)
            continue
        if len(row) >= min_run and not announced(doc, row[0]):
            taken.update(r.index for r in row)
        row = []
    return taken


def apply_pattern(doc: DocContext, rule: Rule) -> None:
    rx, max_len, on_key = rule.params["regex"], rule.params["max_length"], rule.params["on_key"]
    # A capturing rule also reads lines an earlier rule dropped without reading them:
    # "31/12/2021" is dropped as a bare number by the global rules, and its date is still
    # worth keeping. A line one rule captured from is not read twice.
    if rule.params["capture"]:
        lines = [ln for ln in doc.lines if ln.index not in doc.read]
    else:
        lines = kept_lines(doc)
    if rule.params["first_line"]:
        lines = _opening_label_lines(doc, rx, lines)
    elif rule.params["alone"]:
        lines = _lone_line(doc, lines)
    hits: list[tuple[Line, re.Match[str]]] = []
    for ln in lines:
        if max_len is not None and len(ln.text) > max_len:
            continue
        text = doc.key(ln) if on_key else ln.text
        m = rx.search(text)
        if (
            m
            and not _glued_after_sentence(rx, text)
            and (rule.params["takes_rest"] or not _glued_before_sentence(rx, text, m))
            and not (rule.params["free_tail"] and _ends_closed_run(text))
        ):
            hits.append((ln, m))
    if rule.params["min_run"] is not None:
        rows = in_rows(doc, [ln for ln, _ in hits], rule.params["min_run"])
        hits = [(ln, m) for ln, m in hits if ln.index in rows]
    # Without other text in the document, the lines matched are the item's own: read only.
    item_text = (
        bool(hits)
        and rule.params["needs_text"]
        and not _other_text(doc, {ln.index for ln, _ in hits})
    )
    max_hits = rule.params["max_hits"]
    if item_text or (max_hits is not None and len(hits) > max_hits):
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
        # The document's first line is the item's own headline ("فيديو: ..." over a video).
        if rule.params["spare_first"] and ln is doc.first_text_line():
            continue
        ln.drop(rule.id, rule.category)


def _opening_label_lines(doc: DocContext, rx: re.Pattern[str], lines: list[Line]) -> list[Line]:
    """Of ``lines``, those a ``first_line`` pattern may judge: the lines that open the
    document (:meth:`DocContext.opening_lines`), when text follows them and no later line
    matches the rule too. A line of its shape over the text labels it (a writer's name, the
    person a stripped photo showed); lines of that shape down the document are a list the
    text is made of (the askers of a readers' column, a team sheet), the first among them.
    """
    openings = doc.opening_lines()
    last = doc.last_text_line()
    chosen = [ln for ln in lines if ln is not last and any(ln is o for o in openings)]
    if not chosen:
        return []
    every = doc.document if doc.document is not None else doc.lines
    for ln in every:
        if ln.kept and not any(ln is o for o in openings) and rx.search(ln.text):
            return []
    return chosen


def _lone_line(doc: DocContext, lines: list[Line]) -> list[Line]:
    """Of ``lines``, the document's only line with text, if it has one line only. A label
    that is the whole record (a photo's caption or a name where the article should be) is
    what the scrape took instead of the text; the same words over a text may head it."""
    first, last = doc.first_text_line(), doc.last_text_line()
    if first is None or first is not last:
        return []
    return [ln for ln in lines if ln is first]


def _other_text(doc: DocContext, taken: set[int]) -> bool:
    """Whether a kept line outside ``taken`` reads as article text (:func:`_closed_sentence`).
    Without one, the lines a caption rule matched are the item's own text (a "picture and
    caption" item is its caption)."""
    every = doc.document if doc.document is not None else doc.lines
    return any(ln.kept and ln.index not in taken and _closed_sentence(ln.text) for ln in every)


#: Words a run of text needs to read as a sentence of the article rather than a label.
_SENTENCE_WORDS = 6


def _closed_sentence(text: str) -> bool:
    """Whether ``text`` reads as a sentence: six words or more, closed by its stop."""
    return len(text.split()) >= _SENTENCE_WORDS and _ANY_STOP_END.search(text) is not None


#: What breaks a run of words in :func:`_ends_closed_run`: a stop inside the line, a bracket
#: (a credit) or a label's colon; not a comma, which a sentence holds.
_RUN_BREAKS = ".!?\u061f:()"


def _ends_closed_run(text: str) -> bool:
    """Whether ``text`` ends with a run of six words or more closed by a full stop or "!",
    with no stop, bracket or colon inside it: the sentence a free-text leftover
    (a caption, a teaser, a list of tags) runs into when a scrape glued one after it. Such
    leftovers have no full stop of their own, or are shorter. Linear in the line's length.

    >>> _ends_closed_run("Read more: Oil falls The minister said the talks went well.")
    True
    >>> _ends_closed_run("Read more: Oil prices fall as demand weakens")
    False
    >>> _ends_closed_run("صورة أرشيفية (رويترز) قال الوزير إن المحادثات كانت بناءة ومفيدة.")
    True
    >>> _ends_closed_run("صورة أرشيفية لمحتجين (الأناضول).")
    False
    """
    body = text.rstrip().rstrip("\"\u00bb\u201d')")
    if not body.endswith((".", "!")):
        return False
    body = body[:-1]
    cut = max(body.rfind(c) for c in _RUN_BREAKS)
    return len(body[cut + 1 :].split()) >= _SENTENCE_WORDS


#: The end of a sentence inside a line: its stop, a closing quote, then a space.
_SENTENCE_END = re.compile(r"[.!?\u061f][\"\u00bb\u201d)]?\s+")


def _glued_after_sentence(rx: re.Pattern[str], text: str) -> bool:
    """Whether ``rx`` matches what follows a closed sentence of six words or more at the start
    of ``text``, a sentence it does not match itself: the leftover is glued after article
    text, and dropping the line would take the text with it (a ``cut`` rule takes such a
    tail, the sentence left). Two notices in a row ("Your email address will not be
    published. Required fields are marked *") are both the rule's."""
    # The last few sentence ends only: a leftover is glued at the line's end, and a line of
    # megabytes must not cost a search of the line for each of its sentences.
    for end in list(_SENTENCE_END.finditer(text))[-_GLUE_ENDS:]:
        before = text[: end.end()]
        if (
            len(before.split()) >= _SENTENCE_WORDS
            and rx.search(text[end.end() :])
            and not rx.search(before)
        ):
            return True
    return False


#: How many of a line's last sentence ends are tried as the point a leftover is glued at.
_GLUE_ENDS = 5


def _glued_before_sentence(rx: re.Pattern[str], text: str, m: re.Match[str]) -> bool:
    """Whether the match is a leftover glued before a sentence of article text that it leaves
    unmatched (six words or more, closed by its stop): "تصوير: أحمد حسن قال الوزير ...". A
    rule whose label takes the rest of its line (``takes_rest``: a teaser or a list of the
    writer's other articles after the label) is not asked."""
    rest = text[m.end() :]
    return _closed_sentence(rest) and not rx.search(rest)


# --- meta: capture fields from a line that stays (an agency named in the lead) ----------


def parse_meta(raw: dict[str, Any]) -> dict[str, Any]:
    params = parse_pattern(raw)
    if not params["capture"]:
        raise ParamError("a meta rule needs 'capture' (it never drops a line, it only reads it)")
    return params


def apply_meta(doc: DocContext, rule: Rule) -> None:
    rx, max_len = rule.params["regex"], rule.params["max_length"]
    for ln in kept_lines(doc):
        if max_len is not None and len(ln.text) > max_len:
            continue
        m = rx.search(ln.text)
        if m:
            record(doc, rule, m)


# --- menu: a line made only of navigation phrases ----------------------------------------

_MENU_SEP = r"[\s|/\\\-–—•·»«>,،:]*"


def parse_menu(raw: dict[str, Any]) -> dict[str, Any]:
    ends = [
        p for p in strings_param(raw, "phrases") if p.rstrip().endswith((".", "!", "?", "\u061f"))
    ]
    if ends:  # the rules stage skips lines that end a sentence when it looks for menus
        raise ParamError(f"menu phrase {ends[0]!r} ends like a sentence; use a line rule")
    phrases = sorted(key_set(strings_param(raw, "phrases")), key=len, reverse=True)
    alt = "|".join(re.escape(p) for p in phrases)
    min_phrases = int_param(raw, "min_phrases", 1) or 1
    rx = re.compile(rf"^{_MENU_SEP}(?:(?:{alt}){_MENU_SEP}){{{min_phrases},}}$")
    min_run = int_param(raw, "min_run", None)
    # With min_run, a line of fewer phrases (one section name) counts in a row of them.
    one = re.compile(rf"^{_MENU_SEP}(?:(?:{alt}){_MENU_SEP})+$") if min_run else None
    return {"regex": rx, "one": one, "min_run": min_run}


def apply_menu(doc: DocContext, rule: Rule) -> None:
    rx, one = rule.params["regex"], rule.params["one"]
    short: list[Line] = []
    for ln in kept_lines(doc):
        key = doc.literal_key(ln)
        if rx.match(key):
            ln.drop(rule.id, rule.category)
        elif one is not None and one.match(key):
            short.append(ln)
    if short:
        rows = in_rows(doc, short, rule.params["min_run"])
        for ln in short:
            if ln.index in rows:
                ln.drop(rule.id, rule.category)


# --- script: lines written in a script foreign to the document ---------------------------


def parse_script(raw: dict[str, Any]) -> dict[str, Any]:
    scripts = strings_param(raw, "scripts")
    unknown = [s for s in scripts if s not in SCRIPT_CLASSES]
    if unknown:
        raise ParamError(f"unknown script {unknown[0]!r}; known: {', '.join(SCRIPT_CLASSES)}")
    share = raw.get("min_share", 0.8)
    if not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise ParamError("field 'min_share' must be a number in (0, 1]")
    return {
        "scripts": scripts,
        "min_share": float(share),
        "langs": strings_param(raw, "langs"),
        "spare_quotes": flag_param(raw, "spare_quotes"),
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
    for ln in kept_lines(doc):
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
        "marker": regex_param(raw, "marker"),
        "min_markers": int_param(raw, "min_markers", 2),
        "min_length": int_param(raw, "min_length", 150),
        "max_stops": int_param(raw, "max_stops", 1),
        "stop": re.compile(r"[.。](?:\s|$)"),
    }


def apply_runon(doc: DocContext, rule: Rule) -> None:
    p = rule.params
    for ln in kept_lines(doc):
        text = ln.text
        if len(text) < p["min_length"] or len(p["stop"].findall(text)) > p["max_stops"]:
            continue
        markers = len(p["marker"].findall(text))
        if markers >= p["min_markers"]:
            ln.drop(rule.id, rule.category, f"{markers} headline markers, no sentences")


# --- block: a header and the list items under it -----------------------------------------


def parse_block(raw: dict[str, Any]) -> dict[str, Any]:
    header_keys = key_set(strings_param(raw, "header", required=False))
    header_rx = regex_param(raw, "header_pattern", required=False)
    if not header_keys and header_rx is None:
        raise ParamError("a block rule needs 'header' (literal lines) or 'header_pattern'")
    item_rx = regex_param(raw, "item_pattern", required=False)
    echo = flag_param(raw, "echo")
    if item_rx is None and not echo:
        raise ParamError("a block rule needs 'item_pattern' or 'echo: true'")
    if echo and (header_rx is None or "echo" not in header_rx.groupindex):
        raise ParamError("'echo: true' needs a header_pattern with a named group (?P<echo>...)")
    return {
        "header_keys": header_keys,
        "header_rx": header_rx,
        "item_rx": item_rx,
        "echo": echo,
        "max_items": int_param(raw, "max_items", 40),
        "max_item_length": int_param(raw, "max_item_length", 200),
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
    return all(_ITEM_START.match(ln.text) or not STOP_END.search(ln.text) for ln in first) or (
        bool(_ITEM_START.match(first[0].text))
    )


def parse_tail(raw: dict[str, Any]) -> dict[str, Any]:
    keys = key_set(strings_param(raw, "marker", required=False))
    rx = regex_param(raw, "marker_pattern", required=False)
    if not keys and rx is None:
        raise ParamError("a tail rule needs 'marker' (literal lines) or 'marker_pattern'")
    return {
        "keys": keys,
        "regex": rx,
        "followed_by": regex_param(raw, "followed_by", required=False),
        "preceded_by": regex_param(raw, "preceded_by", required=False),
        "min_before": int_param(raw, "min_before", 1),
        "max_following": int_param(raw, "max_following", TAIL_MAX_LINES),
        "max_chars": int_param(raw, "max_chars", TAIL_MAX_CHARS),
        "stop_at": int_param(raw, "stop_at", None),
        "marker_alone": flag_param(raw, "marker_alone"),
        "spare_named_before": flag_param(raw, "spare_named_before"),
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
            if len(ln.text) >= p["stop_at"] and STOP_END.search(ln.text):
                following = following[:n]
                break
    if len(following) > p["max_following"]:
        return None
    if sum(len(ln.text) for ln in following) > p["max_chars"]:
        return None
    if announces_list(marker.text, following):
        return None
    return following


def _marks(doc: DocContext, p: dict[str, Any], ln: Line) -> bool:
    """Whether ``ln`` is the tail's marker line (a literal or the marker pattern)."""
    return doc.literal_key(ln) in p["keys"] or (
        p["regex"] is not None and p["regex"].search(ln.text) is not None
    )


def apply_tail(doc: DocContext, rule: Rule) -> None:
    p = rule.params
    last_only = _last_line_only(p)
    if last_only:
        # Tried on every document: the last kept line alone is looked at until it marks.
        last = next((ln for ln in reversed(doc.lines) if ln.kept), None)
        if last is None or not _marks(doc, p, last):
            return
    kept = kept_lines(doc)
    triggers = doc.triggers
    start = len(kept) - 1 if last_only else 0
    for pos, ln in enumerate(kept[start:], start):
        if pos < p["min_before"] or (triggers is not None and ln.index not in triggers):
            continue
        if not _marks(doc, p, ln):
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
    # What the line names, without the dash or asterisk that marks it off.
    key = _MARKS_AROUND.sub("", match_key(line.text))
    return bool(key) and any(key in match_key(x.text) for x in before)


#: Punctuation around a line's words (a dash or an asterisk before a name).
_MARKS_AROUND = re.compile(r"^[\W_]+|[\W_]+$")


# --- repeat: exact repeats inside one document -------------------------------------------


def parse_strip(raw: dict[str, Any]) -> dict[str, Any]:
    replace = raw.get("replace", "")
    if not isinstance(replace, str):
        raise ParamError("field 'replace' must be a string")
    rx = regex_param(raw, "pattern")
    return {"regex": rx, "replace": replace, "capture": capture_param(raw, rx)}


def apply_strip(doc: DocContext, rule: Rule) -> None:
    rx, replace = rule.params["regex"], rule.params["replace"]
    for ln in kept_lines(doc):
        # Every match goes: a gallery printed as one line glues an agency after each caption.
        found = list(rx.finditer(ln.text))
        if not found:
            continue
        for m in found:
            record(doc, rule, m)
        new = rx.sub(replace, ln.text).strip()
        ln.edits.extend(Edit(rule.id, rule.category, m.group(0).strip()) for m in found)
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
    rx = regex_param(raw, "pattern")
    assert rx is not None
    # Anchored here, so a rule file cannot cut from the middle of a sentence by mistake.
    body = rf"^\s*(?:{rx.pattern})" if at == "start" else rf"(?:{rx.pattern})\s*$"
    anchored_rx = re.compile(body, rx.flags)
    return {
        "regex": anchored_rx,
        "at": at,
        "min_left": int_param(raw, "min_left", 20),
        "first_line": flag_param(raw, "first_line"),
        "last_line": flag_param(raw, "last_line"),
        "through_line": flag_param(raw, "through_line"),
        "needs_stop": flag_param(raw, "needs_stop", True),
        "capture": capture_param(raw, anchored_rx),
    }


#: Quotation marks a sentence may open with.
_OPENING_QUOTES = frozenset("«\"“„'‘(")


def apply_cut(doc: DocContext, rule: Rule) -> None:
    """Cut the matched part off a line when what is left reads as text: at least
    ``min_left`` characters, starting with a word (a part cut off the start) or ending a
    sentence (a part cut off the end: it followed the last sentence). Otherwise the line is
    left whole for line rules to judge. With ``last_line``, only the document's last line
    with text is cut: what follows the last sentence of an article (a caption, the writer's
    name) has the shape a subheading glued to the end of an earlier paragraph has too. With
    ``first_line``, only the lead (:meth:`DocContext.opening_lines`): a photo caption glued
    before the lead has the shape of the end of a sentence glued to the next one. With
    ``needs_stop: false``, what is left of a cut off the end need not end a sentence (the
    part's own words are the evidence: a widget's label glued to its first item, after a
    verse); with ``through_line``, the pieces the same source line was cut into after this
    one go too (:mod:`cleaner.text.glue` cut a list of headlines at a glued "?").
    """
    p = rule.params
    rx = p["regex"]
    lines = kept_lines(doc)
    if p["first_line"] or p["last_line"]:
        edges = doc.opening_lines() if p["first_line"] else []
        last = doc.last_text_line() if p["last_line"] else None
        lines = [ln for ln in lines if ln is last or any(ln is e for e in edges)]
    for ln in lines:
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
            if p["needs_stop"] and not STOP_END.search(left):
                continue
        if len(left) < p["min_left"]:
            continue
        record(doc, rule, m)
        ln.edits.append(Edit(rule.id, rule.category, m.group(0).strip()))
        ln.text = left
        doc.forget(ln)
        if p["through_line"] and p["at"] == "end":
            _drop_rest_of_source_line(doc, rule, ln)


def _drop_rest_of_source_line(doc: DocContext, rule: Rule, line: Line) -> None:
    """Drop the pieces that follow ``line`` in the source line it was cut from: what a cut
    at its end started (a list of headlines) goes on past a glued "?" or "!" there."""
    groups = doc.groups
    if groups is None:
        return
    lines = doc.document if doc.document is not None else doc.lines
    for ln in lines[line.index + 1 :]:
        if groups[ln.index] != groups[line.index]:
            break
        ln.drop(rule.id, rule.category, f"continues the part cut from line {line.index + 1}")


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
    #: The ``text`` regexes are tried only on the lines that open the document's text
    #: (:meth:`DocContext.opening_lines`), or on its last line, or both: a cut with
    #: ``first_line`` or ``last_line`` touches no other line.
    opening_only: bool = False
    closing_only: bool = False


def _route_pattern(p: dict[str, Any]) -> Route:
    rx: TextRegex = (p["regex"], p.get("max_length"))
    if p.get("first_line") or p.get("alone"):
        return Route(text=(rx,), opening_only=True)
    return Route(on_key=rx) if p.get("on_key") else Route(text=(rx,))


def _route_text(name: str) -> Callable[[dict[str, Any]], Route]:
    def route(p: dict[str, Any]) -> Route:
        return Route(text=((p[name], None),))

    return route


def _route_cut(p: dict[str, Any]) -> Route:
    return Route(
        text=((p["regex"], None),), opening_only=p["first_line"], closing_only=p["last_line"]
    )


def _route_block(p: dict[str, Any]) -> Route:
    header = () if p["header_rx"] is None else ((p["header_rx"], None),)
    return Route(text=header, literals=frozenset(p["header_keys"]))


def _last_line_only(p: dict[str, Any]) -> bool:
    """A tail that may take nothing after its marker can fire on the last kept line only."""
    return p["max_following"] == 0 and not p["marker_alone"]


def _route_tail(p: dict[str, Any]) -> Route | None:
    # Tried on each document's last kept line rather than routed over every line: which
    # line is last is known only once the earlier phases have dropped theirs.
    if _last_line_only(p):
        return None
    marker = () if p["regex"] is None else ((p["regex"], None),)
    return Route(text=marker, literals=frozenset(p["keys"]))


@dataclass(frozen=True)
class Kind:
    """A rule kind: parameter parser, labeller, the phase it runs in, its YAML fields and
    its route (None, or a route that is None for some parameters: the rule judges the whole
    document)."""

    parse: Callable[[dict[str, Any]], dict[str, Any]]
    apply: Callable[[DocContext, Rule], None]
    phase: Phase
    fields: frozenset[str]
    route: Callable[[dict[str, Any]], Route | None] | None


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
        frozenset(
            {"pattern", "at", "min_left", "first_line", "last_line", "ignore_case", "capture"}
            | {"through_line", "needs_stop"}
        ),
        _route_cut,
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
            | {"spare_announced", "spare_first", "min_run", "takes_rest", "first_line"}
            | {"needs_text", "free_tail", "alone"}
        ),
        _route_pattern,
    ),
    "menu": Kind(
        parse_menu,
        apply_menu,
        Phase.LINE,
        frozenset({"phrases", "min_phrases", "min_run"}),
        lambda p: Route(menu=p["one"] or p["regex"]),
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
        frozenset(
            {"min_length", "max_copies", "spare_questions", "printed_twice", "contained"}
            | {"site_title"}
        ),
        None,
    ),
    "near-repeat": Kind(
        parse_near_repeat,
        apply_near_repeat,
        Phase.REPEAT,
        frozenset(
            {"shingle", "containment", "min_length", "min_run", "max_gap", "min_dropped"}
            | {"heading", "gap_containment"}
        ),
        None,
    ),
}

#: Phases in run order, by name, for documentation and ``cleaner rules list``.
PHASES = tuple(phase.name.lower() for phase in Phase)
