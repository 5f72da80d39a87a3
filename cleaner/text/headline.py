"""Whether a line reads as a headline: the title guess and the rules of a document's lead
ask the same question."""

from __future__ import annotations

import re

#: A heading does not end a sentence. Lines ending so are a lead, not a title.
_SENTENCE_END = re.compile(r"[.!?؟:…;؛]\s*$")
MAX_TITLE_CHARS = 200


def looks_like_title(text: str) -> bool:
    """True when a line reads as a headline: short, and not ending a sentence.

    >>> looks_like_title("گفتگوی پوتین و بایدن درباره خطوط قرمز")
    True
    >>> looks_like_title("رئیس جمهور روسیه گفت.")
    False
    """
    return 0 < len(text) <= MAX_TITLE_CHARS and not _SENTENCE_END.search(text)
