"""Writing-system statistics: which script a text's letters are in.

Used by language detection and by the foreign-script rule kind. Counting goes through
compiled character classes (C speed), never a Python loop over characters.
"""

from __future__ import annotations

import re

from cleaner.text.charclass import ByteClasses

#: The Arabic script's letters (Persian and Urdu letters too), as the body of a regex class.
ARABIC_LETTERS = (
    "\u0620-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff"
    "\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc"
)
#: Harakat and the other marks that sit on an Arabic-script letter (``مستقیماً``).
ARABIC_MARKS = "\u064b-\u065f\u0670"
#: The Unicode blocks of the Arabic script: letters, marks, digits, punctuation. U+FEFF is left
#: out: the byte-order mark sits in the last block but is no Arabic.
ARABIC_BLOCKS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefe"

#: Letter ranges of the scripts we tell apart. Arabic covers Persian and Urdu letters too.
SCRIPT_CLASSES: dict[str, str] = {
    "Arabic": ARABIC_LETTERS,
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


#: UTF-8 lead bytes of the two-byte blocks of each script (U+0080..U+07FF), and of Han's
#: three-byte block; ASCII letters are counted apart. Counting bytes with bytes.translate
#: runs in C, an order of magnitude faster than a regex per script on Arabic-script text.
_LEAD_BYTES: dict[str, bytes] = {
    "Arabic": bytes(range(0xD8, 0xDC)),  # U+0600..U+06FF
    "Cyrillic": bytes(range(0xD0, 0xD4)),  # U+0400..U+04FF
    "Greek": bytes(range(0xCD, 0xD0)),  # U+0340..U+03FF
    "Hebrew": bytes(range(0xD6, 0xD8)),  # U+0580..U+05FF
    "Han": bytes(range(0xE4, 0xEA)),  # U+4000..U+9FFF
}
_ASCII_LETTERS = bytes(range(0x41, 0x5B)) + bytes(range(0x61, 0x7B))
#: ASCII letters (Latin), then the lead bytes of each script, counted in one pass.
_BLOCKS = ByteClasses([_ASCII_LETTERS, *_LEAD_BYTES.values()])
_BLOCK_NAMES = ("Latin", *_LEAD_BYTES)


def block_counts(text: str) -> dict[str, int]:
    """Approximate letters per script, by Unicode block (marks and digits of a block count).

    Good enough to find a document's dominant script (exact letter counts: the
    :data:`SCRIPT_CLASSES` regexes).

    >>> block_counts("Привет سلام ok")
    {'Latin': 2, 'Arabic': 4, 'Cyrillic': 6}
    """
    counts = _BLOCKS.counts(text.encode("utf-8", "surrogatepass"))
    return {name: n for name, n in zip(_BLOCK_NAMES, counts, strict=True) if n}
