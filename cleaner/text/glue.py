"""Sentences glued without a space ("است.این"): judge them apart, print them together.

A scrape that flattened ``<p>...گفت.</p><p>انتهای پیام</p>`` leaves ``...گفت.انتهای پیام``:
the end marker is glued to the last body sentence, and a whole-line rule can no longer see it.
:func:`split_glued` cuts a line at such glue points into *pieces*; the rules judge each piece
as a line of its own; :func:`rejoin` then joins the kept pieces of one source line again with
a space. So a glued leftover goes while the paragraph it was glued to stays one paragraph (the
glue may have been a lost space as well as a lost paragraph break, and we cannot tell which).

Only sentence terminators between two Arabic-script words count as glue: ``2.5``,
``www.x.com`` and abbreviations such as ``ج.ا.ا`` (a one-letter word on either side) stay whole,
and so do initialisms spelt in syllables (``آي.بي.إم``: a two-letter word between two dots is
no sentence), and two dots or more, a pause inside a sentence or a headline (``بالصور..فعاليات``).
"""

from __future__ import annotations

import re

from cleaner.document import Line
from cleaner.text.scripts import ARABIC_LETTERS, ARABIC_MARKS

_AR = ARABIC_LETTERS
_MARK = ARABIC_MARKS
#: Words written after a dot in outlet names ("العربية.نت"): a domain, not a new sentence.
_DOMAIN_WORDS = "نت|كوم|کام|اورغ|أورغ"

# A terminator run after a word of 2+ letters, directly followed by a word of 2+ letters (an
# opening guillemet may start the next sentence). Lookarounds are fixed-width, so a 50 MB line
# costs one linear scan.
_GLUE = re.compile(
    rf"(?<=[{_AR}][{_AR}{_MARK}])(?!\.\.)[.!?\u061f\u2026]+[\u00bb\"\u201d)]?"
    rf"(?!(?:{_DOMAIN_WORDS})(?![{_AR}]))(?=\u00ab?[{_AR}]{{2}})"
)

#: A necessary condition of :data:`_GLUE`, one regex per terminator: each starts with a
#: literal character, which the regex engine scans for several times faster than a character
#: set (and _GLUE starts with a lookbehind tried at every position).
_HINTS = tuple(
    (t, re.compile(rf"{re.escape(t)}[\u00bb\"\u201d)]?\u00ab?[{_AR}]")) for t in ".!?\u061f\u2026"
)


#: A piece that is the middle of an initialism spelt in syllables ("بي." of "آي.بي.إم").
_SYLLABLE = re.compile(rf"[{_AR}]{{2}}\.")


def _hinted(text: str) -> bool:
    """Whether some terminator of ``text`` is directly followed by a word."""
    return any(t in text and hint.search(text) is not None for t, hint in _HINTS)


#: At most this many cuts per line: the first and last half. A 5 MB line glued throughout
#: would otherwise become hundreds of thousands of lines for the rules to judge.
MAX_CUTS = 64


def may_be_glued(text: str) -> bool:
    """False when no line of ``text`` has a glue point (a necessary condition, fast to scan).

    >>> may_be_glued("پوتین گفت. بله"), may_be_glued("پوتین گفت.انتهای پیام")
    (False, True)
    """
    return _hinted(text)


def split_glued(line: str) -> list[str]:
    """Cut a line after every terminator glued to the next sentence; one piece if none.

    >>> split_glued("پوتین گفت.انتهای پیام")
    ['پوتین گفت.', 'انتهای پیام']
    >>> split_glued("آیا آمد؟«بله»")
    ['آیا آمد؟', '«بله»']
    >>> split_glued("نرخ ۲.۵ درصد و ج.ا.ا و www.isna.ir")
    ['نرخ ۲.۵ درصد و ج.ا.ا و www.isna.ir']
    >>> split_glued("دبي - العربية.نت")
    ['دبي - العربية.نت']
    >>> split_glued("بالصور..فعاليات العيد")
    ['بالصور..فعاليات العيد']
    >>> split_glued("شركات مثل آي.بي.إم وإف.بي.آي أمس.وقال")
    ['شركات مثل آي.بي.إم وإف.بي.آي أمس.', 'وقال']
    >>> len(split_glued("این است." * 500))
    65
    """
    if not _hinted(line):
        return [line]
    cuts = [m.end() for m in _GLUE.finditer(line)]
    # The middle syllable of an initialism, a piece of one two-letter word, keeps both its dots.
    syllables = {
        c
        for a, b in zip(cuts, cuts[1:], strict=False)
        if _SYLLABLE.fullmatch(line, a, b)
        for c in (a, b)
    }
    cuts = [c for c in cuts if c not in syllables]
    if not cuts:
        return [line]
    if len(cuts) > MAX_CUTS:  # leftovers sit at the edges; a long glued text stays in big pieces
        cuts = cuts[: MAX_CUTS // 2] + cuts[-MAX_CUTS // 2 :]
    bounds = [0, *cuts, len(line)]
    return [p for a, b in zip(bounds, bounds[1:], strict=False) if (p := line[a:b].strip())]


def rejoin(lines: list[Line], groups: list[int]) -> list[Line]:
    """Join the kept pieces of each source line (``groups[i]`` is line i's source line).

    Dropped pieces stay as they are, for the removal record. The joined line keeps the first
    kept piece's index and edits.

    >>> a, b, c = Line(0, "گفت.", "گفت."), Line(1, "انتهای پیام", ""), Line(2, "ادامه", "")
    >>> b.drop("fa/end", "end-marker")
    >>> [ln.text for ln in rejoin([a, b, c], [0, 0, 0]) if ln.kept]
    ['گفت. ادامه']
    """
    out: list[Line] = []
    head: dict[int, Line] = {}
    for ln, group in zip(lines, groups, strict=True):
        if not ln.kept:
            out.append(ln)
            continue
        first = head.get(group)
        if first is None:
            head[group] = ln
            out.append(ln)
            continue
        first.text = f"{first.text} {ln.text}"
        first.original = f"{first.original} {ln.original}"
        first.edits.extend(ln.edits)
    return out
