"""Labelled lines -> :class:`CleanResult`: title, kept paragraphs and the removal record."""

from __future__ import annotations

from cleaner.document import Line, Removal
from cleaner.text.headline import looks_like_title


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
