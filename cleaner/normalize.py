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
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")

#: Arabic letter forms that Persian writes differently (applied to Persian text only).
PERSIAN_PAIRS = (("\u064a", "\u06cc"), ("\u0643", "\u06a9"), ("\u0649", "\u06cc"))
PERSIAN_FOLD = str.maketrans(dict(PERSIAN_PAIRS))

# Only runs that need rewriting match (two or more spaces, or one exotic space): a single
# plain space, the common case, costs no substitution.
_SP = " \t\u00a0\u2000-\u200a\u202f\u205f\u3000"
_SPACES = re.compile(f"[{_SP[1:]}][{_SP}]*| [{_SP}]+")
_WS = re.compile(r"[^\S ]\s*| \s+")


def clean_line(text: str, lang: str = "und") -> str:
    """Remove invisible characters and collapse spaces in one output line.

    >>> clean_line("  a\\u200b b\\u00a0\\u00a0c ")
    'a b c'
    >>> clean_line("شهريور", "fa")
    'شهریور'
    >>> clean_line("الكرملين", "ar")
    'الكرملين'
    """
    # str.translate walks a dict per character; regex and replace run in C, which matters
    # on the 50 MB single-line inputs scrapers produce.
    text = _SPACES.sub(" ", _INVISIBLE_RE.sub("", text)).strip()
    if lang == "fa":
        text = fold_persian(text)
    return text


def fold_persian(text: str) -> str:
    """Write Arabic yeh/kaf/alef maksura as Persian ی/ک.

    >>> fold_persian("كيك")
    'کیک'
    """
    for arabic, persian in PERSIAN_PAIRS:
        text = text.replace(arabic, persian)
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
    text = unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", text))
    text = fold_persian(text).replace(ZWNJ, " ").replace("\u0640", "")
    return _WS.sub(" ", text).strip().casefold()
