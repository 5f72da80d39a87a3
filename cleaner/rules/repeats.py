"""The kinds that judge a document as a whole: ``repeat`` (a line printed again, or
contained in a longer kept one) and ``near-repeat`` (a run of reworded copies of kept lines).
Each dropped line names the kept line it copies, its evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cleaner.document import Line
from cleaner.rules.context import (
    STOP_END,
    DocContext,
    ParamError,
    flag_param,
    int_param,
    kept_lines,
)
from cleaner.rules.model import Rule
from cleaner.text.normalize import CASED_BIT, may_have_case
from cleaner.text.shingles import Shingles, contained_share, word_shingles, words_of


def parse_repeat(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "min_length": int_param(raw, "min_length", 1),
        "max_copies": int_param(raw, "max_copies", None),
        "spare_questions": flag_param(raw, "spare_questions"),
        "printed_twice": flag_param(raw, "printed_twice"),
        "contained": int_param(raw, "contained", None),
        "site_title": flag_param(raw, "site_title"),
    }


#: A list number opening a line ("3.", "۴-", "12)"): not part of the sentence it numbers.
_LIST_NUMBER = re.compile(r"^\s*[\d۰-۹٠-٩]{1,3}\s*[-.)]\s*")
#: A bullet opening a list item: a list may repeat an item of an earlier list.
_BULLETS = "-–—•*·▪►"
_BULLET = re.compile(rf"^\s*[{_BULLETS}]")
#: Documents with more kept lines than this are not searched for sentences printed again
#: inside earlier lines (a search per line through the text before it).
_CONTAINED_MAX_LINES = 400


#: Lines this long are paragraphs; shorter ones may be verses, headings or list items.
PARAGRAPH_CHARS = 60
#: A line ending with a question mark: an interview repeats its question to each guest.
#: Read from the line's end (the line reversed): ``[?؟]\s*["»”)]*\s*$`` searched forwards
#: tries every position of a paragraph, this is matched once (what follows the mark reads
#: the same both ways, and ``$`` before a final newline is taken by ``\s*``).
_QUESTION_END_REVERSED = re.compile(r"\s*[\"»”)]*\s*[?؟]")


def ends_with_question(text: str) -> bool:
    """Whether ``text`` ends with a question mark (closing quotes and spaces after it).

    >>> ends_with_question("چرا؟ »"), ends_with_question("why? no"), ends_with_question("?")
    (True, False, True)
    """
    return _QUESTION_END_REVERSED.match(text[::-1]) is not None


#: How many kept lines open a document: a title or lead printed twice has its first copy there.
_HEAD_LINES = 2


def apply_repeat(doc: DocContext, rule: Rule) -> None:
    p = rule.params
    kept = kept_lines(doc)
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
        if p["spare_questions"] and ends_with_question(key):
            continue
        first = where[0]
        for pos in where[1:]:
            if p["printed_twice"] and not printed_twice(keys, first, pos, rank[key]):
                continue
            kept[pos].drop(rule.id, rule.category, f"repeats line {kept[first].index + 1}")
    if p["site_title"]:
        _site_titles(kept, keys, p["min_length"], rule)
    if p["contained"] is not None and len(kept) <= _CONTAINED_MAX_LINES:
        _contained_repeats(kept, keys, p["contained"], rule)


#: A site's name added to a title, as a page's ``<title>`` writes it: a bar, a dash, a
#: double colon or a breadcrumb's chevron, then at most four words without a sentence stop
#: ("... | خبرگزاری فارس"), or the same before it.
_SITE_NAME = r"[^.!?؟|｜»«]{2,60}"
_SEPARATOR = r"\s*(?:[|｜»«]|::|[-–—])\s*"
_SITE_SUFFIX = re.compile(rf"{_SEPARATOR}{_SITE_NAME}")
_SITE_PREFIX = re.compile(rf"{_SITE_NAME}{_SEPARATOR}")
_SITE_WORDS = 4
#: A title is shorter than this (characters); a paragraph at the head is not compared.
_TITLE_CHARS = 250


def _site_titles(kept: list[Line], keys: list[str], min_len: int, rule: Rule) -> None:
    """Drop a head line that is another head line with a site's name added before or after
    it ("Title | Site" over "Title"): the title printed twice, once as the page's
    ``<title>``. The copy without the name stays (its evidence); a name of more than four
    words, or a title shorter than ``min_len`` or of fewer than three words, is no such copy.
    """
    head = [
        pos
        for pos in range(min(len(kept), _HEAD_LINES + 1))
        if kept[pos].kept and len(keys[pos]) <= _TITLE_CHARS
    ]
    for pos in head:
        key = keys[pos]
        for other in head:
            title = keys[other]
            if other == pos or len(title) < min_len or len(title.split()) < 3:
                continue
            # One substring test (in C) per pair; the name is read only when it holds.
            if key.startswith(title):
                name, rx = key[len(title) :], _SITE_SUFFIX
            elif key.endswith(title):
                name, rx = key[: -len(title)], _SITE_PREFIX
            else:
                continue
            if rx.fullmatch(name) and len(name.split()) <= _SITE_WORDS + 1:
                kept[pos].drop(
                    rule.id,
                    rule.category,
                    f"repeats line {kept[other].index + 1} with the site's name",
                )
                break


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
            bare = _bare(key)
            if (
                len(bare) >= min_len
                and not _bulleted(bare)
                and not ends_with_question(bare)
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
    shingle = int_param(raw, "shingle", 3) or 1
    return {
        "shingle": shingle,
        "containment": _share(raw, "containment", 0.8),
        "min_length": int_param(raw, "min_length", 80),
        "min_run": max(1, int_param(raw, "min_run", 2) or 1),
        "max_gap": int_param(raw, "max_gap", 0),
        "min_dropped": int_param(raw, "min_dropped", 0),
        "heading": int_param(raw, "heading", None),
        "gap_containment": (
            _share(raw, "gap_containment", 1.0) if "gap_containment" in raw else None
        ),
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
    characters ("sentences for headlines"). With ``gap_containment``, a kept line between
    two copies of such a run goes too when that share of its word shingles is in the
    document's text that stays, taken as one text: a list item that rewords a sentence
    more than the threshold allows, or joins the end of one paragraph to the start of the
    next.
    """
    p = rule.params
    lines = doc.document if doc.document is not None else doc.lines
    category = rule.category
    # A run needs a line already dropped in this category (``min_dropped``): without one,
    # no line is within reach and no run forms. Most documents end here, before any line
    # is folded or cut into words.
    if p["min_dropped"] and not any(
        ln.label is not None and ln.label.category == category for ln in lines
    ):
        return
    kept = kept_lines(doc)
    if len(kept) > _CONTAINED_MAX_LINES:
        return
    finder = _NearCopies(kept, _folds_case(doc, kept), p)
    copies = finder.find(lines, category)
    min_length = p["min_length"]
    gaps = p["gap_containment"] is not None
    if not copies and not gaps:
        return
    # A run of sentences printed again exactly (the repeat rule's) may hold a reworded
    # line between them too: with ``gap_containment`` such runs count without a copy.
    for run in _runs(lines, copies, category, p["max_gap"], need_copy=not gaps):
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
        if gaps:
            _drop_gaps(lines, run, finder, rule, count)
        if p["heading"] is not None and any(ln.index in copies for ln in run):
            _drop_heading(lines, run, rule, p["heading"], count)


def _bare(text: str) -> str:
    """A line without the list number opening it.

    >>> _bare("۴- بند"), _bare("12) item"), _bare("2021 was")
    ('بند', 'item', '2021 was')
    """
    # Only a digit or a space can open one (``\d``, ``\s``): most lines cost no regex.
    first = text[:1]
    if not (first.isdecimal() or first.isspace()):
        return text
    m = _LIST_NUMBER.match(text)
    return text[m.end() :] if m else text


def _bulleted(text: str) -> bool:
    """Whether a bullet opens ``text`` (after spaces).

    >>> _bulleted("• item"), _bulleted(" - item"), _bulleted("item - x")
    (True, True, False)
    """
    first = text[:1]
    return (first in _BULLETS or first.isspace()) and _BULLET.match(text) is not None


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
        self._fold = fold
        # Lines compared on their output text (already normalised: spaces, invisible
        # characters, Persian letter forms), case folded where the document has case.
        self.long = {ln.index: self.fold(ln.text) for ln in kept if len(ln.text) >= self.min_length}
        self._words: dict[int, tuple[str, ...]] = {}
        self._sets: dict[int, Shingles] = {}

    def fold(self, text: str) -> str:
        """``text`` as lines are compared: case folded where the document has case."""
        return text.casefold() if self._fold else text

    def may_be_copy(self, ln: Line) -> bool:
        """Whether a kept line may be judged a copy at all (its shape alone)."""
        if ln.index not in self.long or ln.index in self.head:
            return False
        bare = _bare(ln.text)
        return len(bare) >= self.min_length and not (_bulleted(bare) or ends_with_question(bare))

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
    lines: list[Line], copies: dict[int, _Copy], category: str, max_gap: int, need_copy: bool
) -> list[list[Line]]:
    """Runs of copies in document order: candidates and lines dropped in ``category``.

    A line dropped for another reason neither counts nor breaks a run; up to ``max_gap``
    kept lines in a row between two copies stay kept without breaking it (a list item
    reworded past the threshold); more end it. With ``need_copy``, runs without a
    candidate are left out.
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
    return [r for r in runs if r and (not need_copy or any(ln.index in copies for ln in r))]


def _drop_gaps(
    lines: list[Line], run: list[Line], finder: _NearCopies, rule: Rule, count: int
) -> None:
    """Drop the kept lines that sit between two copies of ``run`` (after it was dropped)
    when ``gap_containment`` of their word shingles is in the text that stays."""
    share: float = rule.params["gap_containment"]
    first, last = run[0].index, run[-1].index
    gaps = [ln for ln in lines[first + 1 : last] if ln.kept and finder.may_be_copy(ln)]
    if not gaps:
        return
    # The evidence is what the reader keeps: the document's kept text outside the gaps,
    # one text, so that a shingle across a paragraph break counts.
    gap_ids = {ln.index for ln in gaps}
    staying = " ".join(ln.text for ln in lines if ln.kept and ln.index not in gap_ids)
    whole = word_shingles(words_of(finder.fold(staying)), finder.size)
    for ln in gaps:
        s = contained_share(finder.shingles(ln.index), whole)
        if s >= share:
            ln.drop(
                rule.id,
                rule.category,
                f"between copies of a run of {count}, {s:.0%} of its word "
                f"{finder.size}-grams in the kept text",
            )


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
    if len(head.text) <= max_chars and not STOP_END.search(head.text):
        head.drop(rule.id, rule.category, f"heading over the {count} copies after it")


# --- strip: cut a part of a line (a byline glued to the first word) ----------------------
