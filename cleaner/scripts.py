"""Writing-system statistics: which script a text's letters are in.

Used by language detection and by the foreign-script rule kind. Counting goes through
compiled character classes (C speed), never a Python loop over characters.
"""

from __future__ import annotations

import re

#: Letter ranges of the scripts we tell apart. Arabic covers Persian and Urdu letters too.
SCRIPT_CLASSES: dict[str, str] = {
    "Arabic": "\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06fc\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc",
    "Latin": "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f",
    "Cyrillic": "\u0400-\u04ff",
    "Greek": "\u0370-\u03ff",
    "Hebrew": "\u05d0-\u05ea",
    "Han": "\u4e00-\u9fff",
}
_SCRIPT_RES = {name: re.compile(f"[{cls}]") for name, cls in SCRIPT_CLASSES.items()}
_ANY_LETTER = re.compile("[" + "".join(SCRIPT_CLASSES.values()) + "]")


def script_counts(text: str) -> dict[str, int]:
    """Count the letters of each known script in ``text``.

    >>> script_counts("Привет سلام ok")
    {'Arabic': 4, 'Latin': 2, 'Cyrillic': 6}
    """
    counts = {}
    for name, rx in _SCRIPT_RES.items():
        n = len(rx.findall(text))
        if n:
            counts[name] = n
    return counts


def letter_count(text: str) -> int:
    """Number of letters of any known script.

    >>> letter_count("a1 ب!")
    2
    """
    return len(_ANY_LETTER.findall(text))


def script_share(text: str, script: str) -> float:
    """Share of the letters of ``text`` that belong to ``script`` (0.0 when no letters).

    >>> script_share("Заголовок", "Cyrillic")
    1.0
    >>> script_share("123", "Latin")
    0.0
    """
    total = letter_count(text)
    if not total:
        return 0.0
    return len(_SCRIPT_RES[script].findall(text)) / total


def dominant_script(text: str) -> str | None:
    """The script most letters of ``text`` are written in, or None without letters.

    >>> dominant_script("سلام hi")
    'Arabic'
    """
    counts = script_counts(text)
    return max(counts, key=lambda k: counts[k]) if counts else None
