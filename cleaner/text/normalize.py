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

from cleaner.text.charclass import CharTable
from cleaner.text.scripts import ARABIC_BLOCKS, ARABIC_MARKS, SCRIPT_CLASSES

ZWNJ = "\u200c"

#: Format characters with no visible effect that scrapes leave behind (ZWNJ excluded).
INVISIBLE = (
    "\u200b\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
)
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")

# Arabic vowel signs, shadda, sukun and the dagger alef are written or not at the writer's
# choice ("أيضاً" and "أيضا" are one word): a comparison key leaves them out.
_MARKS_RE = re.compile(f"[{ARABIC_MARKS}]+")

#: Arabic letter forms that Persian writes differently (applied to Persian text only).
PERSIAN_PAIRS = (("\u064a", "\u06cc"), ("\u0643", "\u06a9"), ("\u0649", "\u06cc"))
PERSIAN_FOLD = str.maketrans(dict(PERSIAN_PAIRS))

# Spaces are collapsed in two passes the regex engine scans fast (each starts with a character
# set or a literal; one alternation of both was tried at every position): exotic spaces become
# plain ones, then runs of plain spaces become one. A single plain space, the common case,
# costs no substitution.
#: Control characters that are no line break: a scrape's stand-in for a character it
#: could not write (SUB, "\x1a", where a bullet or a paragraph break was). Read as spaces,
#: since a stand-in for a lost break must not glue two words.
_CONTROL_CLASS = "\x00-\x08\x0e-\x1b\x7f"
_CONTROL_CHARS = "".join(map(chr, [*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F]))
_EXOTIC_CLASS = "\t\u00a0\u2000-\u200a\u202f\u205f\u3000"
_EXOTIC_CHARS = "\t\u00a0" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
#: What an output line writes as a plain space.
_LINE_SPACE = re.compile(f"[{_EXOTIC_CLASS}{_CONTROL_CLASS}]")
_SPACE_RUN = re.compile("  +")
_WS = re.compile(f"(?:[^\\S ]|[{_CONTROL_CLASS}])[\\s{_CONTROL_CLASS}]*| [\\s{_CONTROL_CLASS}]+")


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
    text = _SPACE_RUN.sub(" ", _LINE_SPACE.sub(" ", _INVISIBLE_RE.sub("", text))).strip()
    if lang == "fa":
        text = fold_persian(text)
    return text


def clean_lines(texts: list[str], lang: str = "und", found: int | None = None) -> list[str]:
    """:func:`clean_line` of every line of a document, in a few passes over all of it.

    A regex or replace call per line cost more than the characters it looked at: one call
    over the lines joined does the same work (nothing clean_line rewrites is a newline, nor
    crosses one). Lines holding a newline themselves are cleaned one by one.

    Args:
        texts: The lines.
        lang: The document's language (Persian letter forms are folded for ``fa``).
        found: ``CHARS.mask`` of the lines joined by newlines, when the caller has it.

    >>> clean_lines(["  a\u200b  b ", "", "يك"], "fa")
    ['a b', '', 'یک']
    """
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:
        return [clean_line(t, lang) for t in texts]
    # Each pass runs only when the table says its characters are there (most documents
    # have no invisible character, many no exotic space).
    if found is None:
        found = CHARS.mask(joined)
    if found & _INVISIBLE_BIT:
        joined = _replace_each(joined, INVISIBLE, "")
    if found & _EXOTIC_BIT:
        joined = _replace_each(joined, _EXOTIC_CHARS, " ")
    if found & _CONTROL_BIT:
        joined = _replace_each(joined, _CONTROL_CHARS, " ")
    if "  " in joined:
        joined = _SPACE_RUN.sub(" ", joined)
    if lang == "fa":
        joined = fold_persian(joined)
    return [t.strip() for t in joined.split("\n")] if texts else []


def _replace_each(text: str, chars: str, new: str) -> str:
    """Replace every one of ``chars`` in ``text`` by ``new``.

    A single-character test and replace run at memory speed; a regex character class is
    tested at every position, about ten times slower (the table already said which class
    is there, this finds which of its few characters).

    >>> _replace_each("a\\u00a0b\\tc", "\\t\\u00a0", " ")
    'a b c'
    """
    for ch in chars:
        if ch in text:
            text = text.replace(ch, new)
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
    spelling matches, with or without vowel signs and tatweel; the key is for comparison only.

    >>> match_key(" ارسال\\u200cبه  دوستان ") == match_key("ارسال به دوستان")
    True
    >>> match_key("اترك تعليقاً") == match_key("اترك تعليقا")
    True
    >>> match_key("LOADER")
    'loader'
    """
    text = unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", text))
    text = _MARKS_RE.sub("", text)
    text = fold_persian(text).replace(ZWNJ, " ").replace("\u0640", "")
    return _WS.sub(" ", text).strip().casefold()


def match_keys(texts: list[str], found: int | None = None) -> list[str]:
    """:func:`match_key` of every line of a document, in a few passes over all of it.

    Nothing match_key does creates, removes or reaches across a newline (NFKC composes
    nothing with one, the whitespace collapse here leaves it alone), so the lines joined by
    newlines give the same keys; lines holding a newline themselves are keyed one by one.
    Each pass is one the regex engine scans fast (a character set or a literal first), and
    text without a cased character (Persian, Arabic, digits) skips the case folding.

    ``found`` may give :data:`CHARS` classes the texts may hold (a superset is enough, such
    as their document's), saving the lookup.

    >>> texts = [" ارسال\u200cبه  دوستان ", "LOADER", "", "كد خبر", "a\u2028 b\tc", "أيضاً"]
    >>> match_keys(texts) == [match_key(t) for t in texts]
    True
    """
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:
        return [match_key(t) for t in texts]
    if found is None:
        found = CHARS.mask(joined)
    if found & _INVISIBLE_BIT:
        joined = _replace_each(joined, INVISIBLE, "")
    if not unicodedata.is_normalized("NFKC", joined):  # NFKC may bring spaces or capitals
        joined = unicodedata.normalize("NFKC", joined)
        found = CHARS.mask(joined)
    if found & _MARKS_BIT:
        joined = _MARKS_RE.sub("", joined)
    joined = fold_persian(joined).replace(ZWNJ, " ").replace("\u0640", "")
    if found & _OTHER_SPACE_BIT:
        joined = _replace_each(joined, _OTHER_SPACE_CHARS, " ")
    if found & _CONTROL_BIT:
        joined = _replace_each(joined, _CONTROL_CHARS, " ")
    if "  " in joined:
        joined = _SPACE_RUN.sub(" ", joined)
    if found & CASED_BIT:
        joined = joined.casefold()
    return [t.strip() for t in joined.split("\n")] if texts else []


#: Whitespace other than the plain space and the newline (what ``str.isspace`` calls space).
_OTHER_SPACE_CLASS = (
    "\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
_OTHER_SPACE_CHARS = (
    "\t\x0b\x0c\r\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(map(chr, range(0x1C, 0x20)))
    + "".join(map(chr, range(0x2000, 0x200B)))
)
#: Characters that case folding may change: anything outside these caseless ranges (Arabic
#: script, ASCII digits and punctuation, Latin-1 signs but the micro sign, general
#: punctuation); ``tests/test_normalize.py`` checks every one of them is caseless.
CASELESS = (
    f"{ARABIC_BLOCKS}\ufeff\\s0-9!-@\\[-`{{-~\u00a0-\u00b4\u00b6-\u00bf\u00d7\u00f7\u2000-\u206f"
)
_MAYBE_CASED = re.compile(f"[^{CASELESS}]")


#: The character classes the normalisers look for, all found in one table lookup per text
#: (see :mod:`cleaner.text.charclass`); a pass runs only when its characters are there. The
#: scripts' letters (``script:Cyrillic``...) ride along, so one lookup per document also
#: tells the rules stage which foreign scripts and whether cased letters occur.
CHARS = CharTable(
    {
        "invisible": INVISIBLE,
        "exotic_space": _EXOTIC_CLASS,
        "other_space": _OTHER_SPACE_CLASS,
        "control": _CONTROL_CLASS,
        "marks": ARABIC_MARKS,
        # the other spaces that clean_lines leaves as they are (not exotic spaces)
        "kept_space": re.escape("".join(sorted(set(_OTHER_SPACE_CHARS) - set(_EXOTIC_CHARS)))),
        "cased": "^" + CASELESS,
        **{f"script:{name}": cls for name, cls in SCRIPT_CLASSES.items()},
    }
)
_INVISIBLE_BIT = CHARS.bit("invisible")
_EXOTIC_BIT = CHARS.bit("exotic_space")
_OTHER_SPACE_BIT = CHARS.bit("other_space")
_KEPT_SPACE_BIT = CHARS.bit("kept_space")
_CONTROL_BIT = CHARS.bit("control")
_MARKS_BIT = CHARS.bit("marks")


def cleaned_classes(found: int) -> int:
    """The :data:`CHARS` classes :func:`clean_lines` output may hold, from its input's.

    Cleaning removes the invisible characters and writes exotic spaces and control characters
    as plain spaces (so other spaces remain only where some that it keeps were there); the
    Persian letters it writes replace Arabic-script ones.

    >>> cleaned_classes(CHARS.mask("a\u00a0b\u200b")) == CHARS.mask("a b")
    True
    """
    out = found & ~(
        _INVISIBLE_BIT | _EXOTIC_BIT | _OTHER_SPACE_BIT | _KEPT_SPACE_BIT | _CONTROL_BIT
    )
    if found & _KEPT_SPACE_BIT:
        out |= _OTHER_SPACE_BIT | _KEPT_SPACE_BIT
    return out


CASED_BIT = CHARS.bit("cased")

#: Below this many characters the regex engine answers one class faster than a table
#: lookup (about 5 µs whatever the length; the regex about 7 ns a character).
_TABLE_MIN_CHARS = 1024


def may_have_case(text: str) -> bool:
    """False when ``text.casefold() == text`` for sure (every character is caseless).

    >>> may_have_case("ارسال به دوستان ۱۲ - ©"), may_have_case("loader")
    (False, True)
    """
    if len(text) < _TABLE_MIN_CHARS:
        return _MAYBE_CASED.search(text) is not None
    return bool(CHARS.mask(text) & CASED_BIT)
