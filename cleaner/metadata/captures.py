"""Metadata kept instead of deleted: dates, news codes, bylines, agencies, image credits.

A rule captures a field by naming a regex group after it and a converter for it, in the rule
file (data, not code)::

    pattern: '^کد\\s*خبر\\s*:?\\s*(?P<news_code>[\\d۰-۹]+)$'
    capture: {news_code: digits}

The engine records a :class:`Capture` whenever such a rule acts on a line; :func:`collect`
turns a document's captures into the ``metadata`` mapping of the JSON output. Converters are
pure ``str -> str | None`` functions registered by name in :data:`CONVERTERS`; ``None`` means
"no valid value here" and the field is left out rather than filled with a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cleaner.metadata.dates import ascii_digits, gregorian_to_iso, hijri_to_iso, solar_to_iso

#: Fields that may hold several values (a document has several pictures); others keep the first.
LIST_FIELDS = frozenset({"credits", "sources"})

_EDGE = re.compile(r"^[\s\-–—:：،,؛;|/()«»\"'.]+|[\s\-–—:：،,؛;|/()«»\"'.]+$")


@dataclass(frozen=True)
class Capture:
    """One field value read from a line by a rule (``raw`` is the matched text)."""

    field: str
    value: str
    rule: str
    raw: str


def tidy(text: str) -> str | None:
    """Collapse spaces and trim punctuation at both ends; ``None`` when nothing is left.

    >>> tidy(" - تهران- ")
    'تهران'
    >>> tidy("«الشرق الأوسط»")
    'الشرق الأوسط'
    >>> tidy(" :: ") is None
    True
    """
    text = _EDGE.sub("", " ".join(text.split()))
    return text or None


def digits(text: str) -> str | None:
    """The digits of a code, written in ASCII.

    >>> digits("۸۱۹۹۹۱")
    '819991'
    >>> digits("کد") is None
    True
    """
    found = "".join(ch for ch in ascii_digits(text) if ch.isdigit() and ch.isascii())
    return found or None


CONVERTERS: dict[str, Callable[[str], str | None]] = {
    "text": tidy,
    "digits": digits,
    "solar_date": solar_to_iso,
    "hijri_date": hijri_to_iso,
    "gregorian_date": gregorian_to_iso,
}


def convert(name: str, raw: str) -> str | None:
    """Run the converter ``name`` on ``raw``; an empty or invalid value gives ``None``."""
    return CONVERTERS[name](raw) if raw and raw.strip() else None


def metadata_of(captures: Iterable[Capture]) -> dict[str, Any]:
    """The ``metadata`` mapping of one document: first value per field, lists for credits.

    >>> metadata_of([Capture("published", "2021-12-31", "fa/d", "x"),
    ...          Capture("published", "2022-01-01", "fa/u", "y"),
    ...          Capture("credits", "AFP", "fa/c", "z"), Capture("credits", "AFP", "fa/c", "z")])
    {'published': '2021-12-31', 'credits': ['AFP']}
    """
    out: dict[str, Any] = {}
    for c in captures:
        if c.field in LIST_FIELDS:
            values = out.setdefault(c.field, [])
            if c.value not in values:
                values.append(c.value)
        else:
            out.setdefault(c.field, c.value)
    return out
