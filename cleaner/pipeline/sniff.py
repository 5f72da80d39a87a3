"""Tell HTML (a page or a fragment) from plain text by its first few KB.

Apart from :mod:`cleaner.pipeline.extract` so that telling costs no trafilatura: a run that
meets no HTML (``dedupe`` of clean text, a batch of plain text) never imports it.
"""

from __future__ import annotations

import re
from itertools import islice

#: How much of the input the sniffer reads; markup shows itself in the first few KB.
SNIFF_CHARS = 8192

# A document-level tag anywhere in the sample settles it.
_DOC_TAG = re.compile(r"<!doctype\s+html|<(?:html|head|body)[\s>]|<\?xml[^>]*>\s*<html", re.I)

# Tags that plain news text never contains by accident; "a < b" or "x<y" never match because
# a tag needs a known name right after "<" (or "</") and a closing ">" before the next "<".
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|span|a|li|ul|ol|td|tr|table|h[1-6]|article|section|header|footer|nav"
    r"|main|aside|figure|figcaption|img|meta|link|script|style|iframe|form|blockquote)"
    r"(?:\s[^<>]{0,1000})?/?>",
    re.I,
)

#: Known tags needed in the sample, without a document tag, to call it an HTML fragment.
MIN_FRAGMENT_TAGS = 2


def looks_like_html(text: str) -> bool:
    """Tell HTML (a page or a fragment) from plain text by its first few KB.

    >>> looks_like_html("<!DOCTYPE html><title>x</title>")
    True
    >>> looks_like_html("<p>one</p><p>two</p>")
    True
    >>> looks_like_html("If a < b and b > c then a<c, said the <source> of the leak.")
    False
    """
    sample = text[:SNIFF_CHARS]
    if "<" not in sample:
        return False
    if _DOC_TAG.search(sample):
        return True
    tags = islice(_BLOCK_TAG.finditer(sample), MIN_FRAGMENT_TAGS)
    return len(list(tags)) >= MIN_FRAGMENT_TAGS
