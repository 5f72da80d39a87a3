r"""The key template lines are counted by: a line's comparison key with what varies folded.

A site's furniture often differs from page to page only by a number or an address: a
columnist's contact line carries the writer's code and e-mail, a gallery line its photo count,
a "link to the story" line its URL, a dateline its date. Counted by their exact text, each
such line is seen once; counted by a key where those parts are folded to a placeholder, the
furniture adds up over the outlet's pages while the words around it still have to agree.

What is folded in a line too short to read as a sentence (after
:func:`cleaner.text.normalize.match_key`, which already folds case, letter forms and spacing):
URLs and bare web addresses -> ``<url>``, e-mail addresses -> ``<mail>``, runs of digits of
any script, with the separators of dates, times, phone numbers and codes between them
(``1436/10/12``, ``+966 11 234 5678``, ``12:30``) -> ``0``, and Latin letters
glued to digits (a code such as ``AB1234`` or ``x7``) -> ``0``.

>>> template_key("لمراسلة الكاتب: ali77@alriyadh.com") == template_key("لمراسلة الكاتب: x@y.sa")
True
>>> template_key("رابط الخبر: http://www.alweeam.com.sa/334455/") == template_key(
...     "رابط الخبر: https://alweeam.com.sa/998/")
True
>>> fold_varying(match_key("Riyadh 12/10/1436 H, 28 July 2015, 12:30 GMT"))
'riyadh 0 h, 0 july 0 gmt'
>>> template_key("للاشتراك أرسل 1 إلى 0555 123") == template_key("للاشتراك أرسل 2 إلى 0500111")
True
"""

from __future__ import annotations

import re

from cleaner.text.normalize import match_key

#: The version of the key lines are counted by: a store of counts made with another
#: version (another folding of letters, marks or numbers) would count the same line twice.
KEY_VERSION = 2

_TERMINAL = re.compile(r"[.!?\u061f\u2026\u00bb\"\u201d]\s*$")
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9][\w.-]*\.(?:com|net|org|sa|ir|info|me|co|tv|news)(?:/\S*)?\b",
    re.I,
)
_LETTER = re.compile(r"[^\W\d_]")
_PLACEHOLDER = re.compile(r"<url>|<mail>")
_MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Digits of any script (\d is Unicode-aware), with the separators numbers are written with,
# and ASCII letters glued to them (codes); a lone separator is left alone.
_NUMBER = re.compile(r"[a-z]*\d(?:[\d\s/:.,+\-()\u066b\u066c]*\d)?[a-z]*", re.I)


def fold_varying(key: str) -> str:
    """Fold e-mails, URLs and numbers of a comparison key to placeholders (see the module).

    >>> fold_varying("page 3 of 12")
    'page 0 of 0'
    >>> fold_varying("كود الكاتب AB1234")
    'كود الكاتب 0'
    """
    key = _MAIL.sub("<mail>", key)
    key = _URL.sub("<url>", key)
    return _NUMBER.sub("0", key)


def has_words(key: str) -> bool:
    """Whether a template key holds a letter besides its placeholders.

    A line of numbers alone (a score "2 - 1", a table cell) or of a bare address folds to a
    placeholder that the fixtures, tables and link lists of a sports or news outlet share:
    such lines say nothing about the page's furniture and are not judged.

    >>> has_words(template_key("2 - 1")), has_words(template_key("http://x.com/a.jpg"))
    (False, False)
    >>> has_words(template_key("// انتهى //")), has_words(template_key("12:30 ت م"))
    (True, True)
    """
    return bool(_LETTER.search(_PLACEHOLDER.sub("", key)))


def reads_as_sentence(key: str, short_chars: int = 60) -> bool:
    """True when a line reads as a sentence of news rather than a label or a button.

    >>> reads_as_sentence("لینک کوتاه کپی شد")
    False
    >>> reads_as_sentence("وزیر امور خارجه روسیه گفت که مسکو خواهان جنگ نیست.")
    True
    """
    return len(key) > short_chars or (bool(_TERMINAL.search(key)) and len(key.split()) >= 5)


def template_key(text: str, short_chars: int = 60) -> str:
    """The key a line is counted by in a batch's templates.

    A label (a short line) is keyed with its varying parts folded; a line that reads as a
    sentence keeps them: in a sentence the number is the news (a market report's daily
    figures), and a sentence-length leftover (a disclaimer, an SMS prompt) repeats whole.

    >>> template_key("Page 3") == template_key("Page 12")
    True
    >>> template_key("The index closed at 7,512 points, up 0.4 percent today.")
    'the index closed at 7,512 points, up 0.4 percent today.'
    """
    key = match_key(text)
    folded = fold_varying(key)
    return key if reads_as_sentence(folded, short_chars) else folded
