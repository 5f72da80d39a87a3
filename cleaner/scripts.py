"""Writing-system statistics: which script a text's letters are in.

Used by language detection and by the foreign-script rule kind. Counting goes through
compiled character classes (C speed), never a Python loop over characters.
"""

from __future__ import annotations

import re

#: Letter ranges of the scripts we tell apart. Arabic covers Persian and Urdu letters too.
SCRIPT_CLASSES: dict[str, str] = {
    "Arabic": (
        "\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06fc\u06ff\u0750-\u077f"
        "\ufb50-\ufdff\ufe70-\ufefc"
    ),
    "Latin": "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f",
    "Cyrillic": "\u0400-\u04ff",
    "Greek": "\u0370-\u03ff",
    "Hebrew": "\u05d0-\u05ea",
    "Han": "\u4e00-\u9fff",
}
_SCRIPT_RES = {name: re.compile(f"[{cls}]") for name, cls in SCRIPT_CLASSES.items()}
_ANY_LETTER = re.compile("[" + "".join(SCRIPT_CLASSES.values()) + "]")


def _count(rx: re.Pattern[str], text: str) -> int:
    # subn counts matches in C without building a list of them (a 50 MB line stays cheap)
    return rx.subn("", text)[1]


def script_counts(text: str) -> dict[str, int]:
    """Count the letters of each known script in ``text``.

    >>> script_counts("Привет سلام ok")
    {'Arabic': 4, 'Latin': 2, 'Cyrillic': 6}
    """
    counts = {}
    for name, rx in _SCRIPT_RES.items():
        n = _count(rx, text)
        if n:
            counts[name] = n
    return counts


def letter_count(text: str) -> int:
    """Number of letters of any known script.

    >>> letter_count("a1 ب!")
    2
    """
    return _count(_ANY_LETTER, text)


#: Letters beyond this many are not looked at by :func:`script_share`: a line's script shows
#: in its first few thousand characters, and a 50 MB line must not be scanned per script.
SHARE_SAMPLE = 4000


def script_share(text: str, script: str) -> float:
    """Share of the letters of ``text`` that belong to ``script`` (0.0 when no letters).

    Only the first :data:`SHARE_SAMPLE` characters are counted.

    >>> script_share("Заголовок", "Cyrillic")
    1.0
    >>> script_share("123", "Latin")
    0.0
    """
    text = text[:SHARE_SAMPLE]
    if not _SCRIPT_RES[script].search(text):  # the common case, decided without counting
        return 0.0
    total = letter_count(text)
    if not total:
        return 0.0
    return _count(_SCRIPT_RES[script], text) / total


def dominant_script(text: str) -> str | None:
    """The script most letters of ``text`` are written in, or None without letters.

    >>> dominant_script("سلام hi")
    'Arabic'
    """
    counts = script_counts(text)
    return max(counts, key=lambda k: counts[k]) if counts else None
