"""Split plain text into line candidates.

:func:`split_lines` decides where one line (paragraph candidate) ends and the next begins: at
newlines, and at runs of spaces that a scraper left where it flattened paragraphs. Sentences
glued without a space inside a line (``است.این``) are :mod:`cleaner.text.glue`'s job.

It runs on whole documents in the hot path, so all the work is done by compiled regular
expressions and C-level string methods; no pattern can backtrack over more than one run of
spaces, so a 50 MB line with no newline costs linear time.
"""

from __future__ import annotations

import re

#: Horizontal space characters that scrapes use between words (NBSP included, newlines not).
_SP = " \t\u00a0\u2000-\u200a\u202f\u205f\u3000"

#: Sentence terminators, Latin and Arabic-script (``۔`` is the Urdu full stop).
_TERM = ".!?\u061f\u06d4\u2026"

#: Closing quotes and brackets that may follow a terminator: ``گفت.»  بعد``.
_CLOSE = "\"'\u00bb\u201d\u2019)]"

#: Characters that continue a sentence; a space run before them is not a paragraph break.
_CONT = ",\u060c\u061b:;.)]\u00bb!?\u061f"

# Any run of 2+ spaces is a candidate paragraph break; :func:`_break_or_keep` decides. Runs are
# rare in running text, so the regex scan (which starts on a character class and cannot
# backtrack) does the work and Python only looks at the few candidates.
_RUN = re.compile(rf"[{_SP}]{{2,}}")
_TERM_SET = frozenset(_TERM)
_CLOSE_SET = frozenset(_CLOSE)
_CONT_SET = frozenset(_CONT)


def _break_or_keep(m: re.Match[str]) -> str:
    """Turn a space run into a newline where it stands for a paragraph break.

    A break is either 2+ spaces right after a sentence terminator (optionally closed by a
    quote or bracket), or 3+ spaces anywhere unless what follows continues the sentence.
    """
    s, i, j = m.string, m.start(), m.end()
    prev = s[i - 1] if i else ""
    if prev in _CLOSE_SET and i >= 2:
        prev = s[i - 2]
    if prev in _TERM_SET:
        return "\n"
    if j - i >= 3 and (j == len(s) or s[j] not in _CONT_SET):
        return "\n"
    return m.group()


def split_lines(text: str) -> list[str]:
    """Split text into stripped, non-blank line candidates.

    Lines end at any newline (``\\n``, ``\\r\\n``, ``\\r``, U+2028/U+2029 and the other breaks
    :meth:`str.splitlines` knows) and at runs of spaces that stand for a lost paragraph break.

    >>> split_lines("one\\r\\ntwo\\rthree\\u2029\\n  \\nfour  ")
    ['one', 'two', 'three', 'four']
    >>> split_lines("First ends here.  Second starts.")
    ['First ends here.', 'Second starts.']
    >>> split_lines("a double  space mid-sentence stays")
    ['a double  space mid-sentence stays']
    >>> split_lines("Headline one   Headline two")
    ['Headline one', 'Headline two']
    >>> split_lines("a name   , a comma continues")
    ['a name   , a comma continues']
    """
    text = _RUN.sub(_break_or_keep, text)
    return [s for line in text.splitlines() if (s := line.strip())]
