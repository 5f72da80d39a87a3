"""Character-level normalisation: invisible characters, whitespace, Persian letter folding.

Two different jobs live here and must not be confused:

* :func:`clean_line` changes the *output* text: it removes invisible format characters
  (keeping ZWNJ, which is spelling in Persian), collapses whitespace, and (for Persian only)
  folds Arabic yeh/kaf to their Persian forms.
* :func:`match_key` builds a *comparison* key for rule matching; it never reaches the output.
"""

from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"

#: Format characters with no visible effect that scrapes leave behind (ZWNJ excluded).
INVISIBLE = (
    "\u200b\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
)
_DROP_INVISIBLE = {ord(c): None for c in INVISIBLE}

#: Arabic letter forms that Persian writes differently (applied to Persian text only).
PERSIAN_FOLD = str.maketrans({"\u064a": "\u06cc", "\u0643": "\u06a9", "\u0649": "\u06cc"})

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_WS = re.compile(r"\s+")


def clean_line(text: str, lang: str = "und") -> str:
    """Remove invisible characters and collapse spaces in one output line.

    >>> clean_line("  a\\u200b b\\u00a0\\u00a0c ")
    'a b c'
    >>> clean_line("شهريور", "fa")
    'شهریور'
    >>> clean_line("الكرملين", "ar")
    'الكرملين'
    """
    text = _SPACES.sub(" ", text.translate(_DROP_INVISIBLE)).strip()
    if lang == "fa":
        text = text.translate(PERSIAN_FOLD)
    return text


def match_key(text: str) -> str:
    """Key used to compare a line with a rule's literal: case, forms and spacing folded.

    Both Persian and Arabic forms of yeh/kaf map to one key so a rule written in either
    spelling matches; the key is for comparison only.

    >>> match_key(" ارسال\\u200cبه  دوستان ") == match_key("ارسال به دوستان")
    True
    >>> match_key("LOADER")
    'loader'
    """
    text = unicodedata.normalize("NFKC", text.translate(_DROP_INVISIBLE))
    text = text.translate(PERSIAN_FOLD).replace(ZWNJ, " ").replace("\u0640", "")
    return _WS.sub(" ", text).strip().casefold()
