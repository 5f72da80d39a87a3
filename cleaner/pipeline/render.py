"""Labelled lines -> :class:`CleanResult`: title, kept paragraphs and the removal record."""

from __future__ import annotations

import re

from cleaner.document import Line, Removal

#: A heading does not end a sentence. Lines ending so are a lead, not a title.
_SENTENCE_END = re.compile(r"[.!?؟:…;؛]\s*$")
MAX_TITLE_CHARS = 200


def looks_like_title(text: str) -> bool:
    """True when a line reads as a headline: short, and not ending a sentence.

    >>> looks_like_title("گفتگوی پوتین و بایدن درباره خطوط قرمز")
    True
    >>> looks_like_title("رئیس جمهور روسیه گفت.")
    False
    """
    return 0 < len(text) <= MAX_TITLE_CHARS and not _SENTENCE_END.search(text)


def split_title(lines: list[Line], detect: bool = True) -> tuple[str, list[str]]:
    """The title (first kept line, when it reads as one) and the kept body paragraphs."""
    kept = [ln.text for ln in lines if ln.kept]
    if detect and kept and looks_like_title(kept[0]):
        return kept[0], kept[1:]
    return "", kept


def removals(lines: list[Line]) -> list[Removal]:
    """Every dropped line and every stripped fragment, in document order."""
    out: list[Removal] = []
    for ln in lines:
        for edit in ln.edits:
            out.append(
                Removal(edit.fragment, edit.rule, edit.category, ln.index + 1, "stripped from line")
            )
        if ln.label is not None:
            out.append(
                Removal(ln.text, ln.label.rule, ln.label.category, ln.index + 1, ln.label.detail)
            )
    return out
