"""Pages beyond libxml2's default limits: nested deeper than 255 levels, a node over 10 MB.

trafilatura parses with lxml's default limits; past them libxml2 stops building the tree and
the rest of the page is silently lost (an empty text, or the text before a huge attribute).
libxml2 records that as a resource-limit error on the parser trafilatura used;
:func:`limit_hit` reads it after an extraction, and :func:`parse_huge` parses the page again
with ``huge_tree`` (no such limits) so the extraction can run on the whole page. Memory stays
bounded by the cap on a document's size (:mod:`cleaner.io.reading`).
"""

from __future__ import annotations

from lxml.html import HtmlElement, HTMLParser, fromstring
from trafilatura.utils import HTML_PARSER

#: trafilatura's parser settings, without the limits.
_HUGE_PARSER = HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    huge_tree=True,
)


def limit_hit() -> str | None:
    """The resource-limit error of trafilatura's last parse (what was cut short), or None."""
    for entry in HTML_PARSER.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT":
            return str(entry.message).strip()
    return None


def parse_huge(html: str) -> HtmlElement | None:
    """The page's tree parsed without libxml2's limits, or None when it does not parse.

    >>> len(list(parse_huge("<div>" * 300 + "deep text" + "</div>" * 300).iter("div")))
    300
    """
    try:
        try:
            return fromstring(html, parser=_HUGE_PARSER)
        except ValueError:  # a string that declares its encoding: parsed as bytes
            return fromstring(html.encode("utf-8", "surrogatepass"), parser=_HUGE_PARSER)
    except Exception:  # lxml raises several types for input it cannot parse at all
        return None
