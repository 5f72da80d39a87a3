"""HTML to text lines with trafilatura, and a sniffer that tells HTML from plain text.

trafilatura finds the main content of a page (menus, footers and most boilerplate go); what it
keeps is rendered one block per line so the rule engine sees exactly what it sees in plain
text. Leftovers that trafilatura keeps (captions, share labels, inline "related" teasers) are
*not* removed here: they become lines and the rules label them, so every removal has a reason.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from itertools import islice

import trafilatura
from trafilatura.settings import Document, set_date_params

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

# Metadata fields copied from trafilatura's Document when non-empty (title goes apart).
_META_FIELDS = (
    "author",
    "date",
    "sitename",
    "hostname",
    "url",
    "description",
    "categories",
    "tags",
    "language",
    "image",
    "pagetype",
    "license",
)

# trafilatura logs every page it finds too short at ERROR/WARNING; a caller that cleans a
# million pages wants the empty result, not a million log lines.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Extracted:
    """What trafilatura found in one HTML page.

    Attributes:
        title: The page title from its metadata (``<title>``, ``og:title``, ``<h1>``), or ``""``.
        lines: One line per paragraph, heading or list item (items keep a ``- `` prefix), in
            page order; empty when the page has no extractable text.
        meta: Non-empty metadata from trafilatura as strings: date, author, sitename, hostname,
            url, description, categories, tags...
    """

    title: str
    lines: tuple[str, ...]
    meta: dict[str, str] = field(default_factory=dict)


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


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the main text of an HTML page as lines, with its title and metadata.

    Reader comments and tables are left out. Speed settings, measured on the HTML seeds:
    ``fast`` skips trafilatura's fallback extractors (readability, jusText): same lines on
    every seed, about 20% less time; on pages without article markup it may keep a few menu
    links, which the rules label. The date comes from markup only (meta tags, ``<time>``,
    the URL), not from a scan of the whole text: same dates on the seeds, about 20% less time,
    and no date picked from a sentence of the body.

    >>> ex = extract_html("<html><body><article><h2>Head</h2><p>First paragraph.</p>"
    ...                   "<ul><li>an item</li></ul></article></body></html>")
    >>> ex.lines
    ('Head', 'First paragraph.', '- an item')
    >>> extract_html("<html><body></body></html>").lines
    ()
    """
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        fast=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        with_metadata=True,
        date_extraction_params=set_date_params(extensive=False),
    )
    if not isinstance(doc, Document):  # None: nothing extractable (a dict only with as_dict)
        return Extracted("", ())
    text = doc.text or ""
    lines = tuple(s for line in text.splitlines() if (s := line.strip()))
    meta = {}
    for name in _META_FIELDS:
        value = getattr(doc, name, None)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        if value:
            meta[name] = str(value)
    return Extracted(doc.title or "", lines, meta)
