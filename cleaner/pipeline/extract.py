"""HTML to text lines with trafilatura (the sniffer that tells HTML from plain text is
:mod:`cleaner.pipeline.sniff`).

trafilatura finds the main content of a page (menus, footers and most boilerplate go); what it
keeps is rendered one block per line so the rule engine sees exactly what it sees in plain
text. Leftovers that trafilatura keeps (captions, share labels, inline "related" teasers) are
*not* removed here: they become lines and the rules label them, so every removal has a reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape as html_escape

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document, set_date_params

from cleaner.pipeline.huge_html import limit_hit, parse_huge
from cleaner.text.normalize import match_key, match_keys

# What must surround a lead's words: an opening tag right before (only space between), a
# closing tag right after, then the next tag or the end of the page.
_OPENING_TAG = re.compile(r"<[a-zA-Z][^<>]*>\s*")
_CLOSING_TAG = re.compile(r"\s*</[a-zA-Z][\w-]*\s*>\s*(?:<|$)")

# Characters HTML may write otherwise (entities): a word holding one is no literal probe.
_HTML_SPECIAL = frozenset("\"'&<>")

#: Words a description needs before it is taken back as a lead (site names are shorter).
MIN_LEAD_WORDS = 8

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


#: A line this long (characters) reads as prose; menus, buttons and link lists are shorter.
PROSE_CHARS = 80

#: Below this share of prose characters, the main extractor's result reads as a menu and the
#: fallback extractors are tried (see :func:`extract_document`).
MENU_PROSE_SHARE = 0.25

# A markdown table's header separator ("|---|---|"): trafilatura's rendering, no page text.
_TABLE_RULE = re.compile(r"\|(?:\s*:?-{3,}:?\s*\|)+")


def run_trafilatura(
    html: str | bytes | HtmlElement, url: str | None = None, fast: bool = True
) -> object:
    """trafilatura's extraction with our settings (see :func:`extract_document` for why).

    The benchmark times this same call as the baseline the cleaning cost is compared with.
    ``fast=False`` adds trafilatura's fallback extractors (readability, jusText).
    """
    return trafilatura.bare_extraction(
        html,
        url=url,
        fast=fast,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
        with_metadata=True,
        date_extraction_params=set_date_params(extensive=False),
    )


def prose_share(text: str) -> float:
    r"""Share of a text's characters that sit in lines long enough to read as prose.

    >>> prose_share("Home\nNews\nSport")
    0.0
    >>> round(prose_share("x" * 90 + "\nHome"), 2)
    0.96
    """
    lines = [s for line in text.splitlines() if (s := line.strip())]
    total = sum(map(len, lines))
    return sum(len(s) for s in lines if len(s) >= PROSE_CHARS) / total if total else 0.0


def extract_document(html: str, url: str | None = None) -> object:
    """trafilatura's Document for a page (None when nothing is extractable).

    Settings, measured on the 181 pages of ``article-extraction-benchmark``
    (``bench/extraction_eval.py``; figures in the README):

    * tables kept: a page whose article is a table (standings, results) keeps it;
    * the main extractor alone (``fast``): trafilatura's comparison with its fallback
      extractors picks a longer, wrong block on some pages (word F1 0.99 -> 0.34);
    * but where the main extractor's result reads as a menu (under ``MENU_PROSE_SHARE`` of
      its characters in prose-length lines), the fallback extractors are run and their
      result taken when more of it is prose: such a page otherwise keeps its whole menu;
    * a page beyond libxml2's default limits (nested deeper than 255, a node over 10 MB) is
      parsed again with ``huge_tree`` (:mod:`cleaner.pipeline.huge_html`): trafilatura's
      own parse keeps only the part before the limit.
    """
    doc = run_trafilatura(html, url)
    huge = limit_hit() is not None
    if huge:  # the page goes beyond libxml2's default limits: the whole tree, not a part
        tree = parse_huge(html)
        huge = tree is not None
        doc = run_trafilatura(tree, url) if tree is not None else doc
    text = doc.text or "" if isinstance(doc, Document) else ""
    share = prose_share(text)
    if share >= MENU_PROSE_SHARE:
        return doc
    page = parse_huge(html) if huge else None  # trafilatura may change the tree it is given
    alt = run_trafilatura(html if page is None else page, url, fast=False)
    if isinstance(alt, Document) and prose_share(alt.text or "") > share:
        return alt
    return doc


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the main text of an HTML page as lines, with its title and metadata.

    Reader comments are left out; tables are kept, one row per line (cells between ``|``).
    The date comes from markup only (meta tags, ``<time>``, the URL), not from a scan of
    the whole text: same dates on the seeds, about 20% less time, and no date picked from a
    sentence of the body. See :func:`extract_document` for the extractors used.

    >>> ex = extract_html("<html><body><article><h2>Head</h2><p>First paragraph.</p>"
    ...                   "<ul><li>an item</li></ul></article></body></html>")
    >>> ex.lines
    ('Head', 'First paragraph.', '- an item')
    >>> extract_html("<html><body></body></html>").lines
    ()
    """
    doc = extract_document(html, url)
    # trafilatura's parser keeps the limit error of its last parse; a page parsed again with
    # huge_tree was not parsed by it since, so this names what the first parse hit.
    limit = limit_hit()
    if not isinstance(doc, Document):  # None: nothing extractable (a dict only with as_dict)
        return Extracted("", (), {"huge_tree": limit} if limit else {})
    text = doc.text or ""
    lines = [
        s for line in text.splitlines() if (s := line.strip()) and not _TABLE_RULE.fullmatch(s)
    ]
    title = doc.title or ""
    meta = {}
    for name in _META_FIELDS:
        value = getattr(doc, name, None)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        if value:
            meta[name] = str(value)
    if limit:
        meta["huge_tree"] = f"parsed again without libxml2's limits ({limit})"
    lead = find_lead(html, doc.description or "", title, lines)
    if lead:
        at = 1 if lines and match_key(lines[0]) == match_key(title) else 0
        lines.insert(at, lead)
        meta["lead"] = "recovered from the page's description"
    return Extracted(title, tuple(lines), meta)


def find_lead(html: str, description: str, title: str, lines: list[str]) -> str | None:
    """The page's lead paragraph when trafilatura left it out, else None.

    News pages often print their lead (standfirst) in a block before the article body, and
    trafilatura, which keeps only the body, drops it. Such pages also give the same sentence
    as their description. The description is taken back only when a whole text block of the
    page says exactly that, so nothing is invented; not when it is short, repeats the title
    or is already part of an extracted line.

    >>> page = "<div class=lead>Moscow asked Washington to stop its hostile talk.</div>"
    >>> find_lead(page, "Moscow asked Washington to stop its hostile talk.", "Moscow", [])
    'Moscow asked Washington to stop its hostile talk.'
    >>> find_lead(page, "Moscow asked Washington to stop...", "Moscow", []) is None
    True
    """
    words = description.split()
    if len(words) < MIN_LEAD_WORDS:
        return None
    # Most pages do not print their description at all: one of its words (the longest one
    # HTML writes as it is) missing from the page settles that before any costlier test.
    probe = max((w for w in words if not _HTML_SPECIAL.intersection(w)), key=len, default="")
    if probe not in html:
        return None
    # The lead must be the whole text of an element with no loose text beside it, so a bold
    # sentence opening a longer paragraph is not mistaken for the paragraph. Found from the
    # places the probe occurs: a regex for the description would compile in 50-150 µs a page.
    if probe:
        if next(_element_spans(html, words, probe), None) is None:
            return None
    else:  # every word has a character HTML may write as an entity: the regex, then
        pattern = _html_words(words)
        if not any(_whole_element(html, m.start(), m.end()) for m in re.finditer(pattern, html)):
            return None
    key = match_key(description)
    if key == match_key(title) or any(key in line_key for line_key in match_keys(lines)):
        return None
    return " ".join(words)


def _element_spans(html: str, words: list[str], probe: str) -> Iterator[tuple[int, int]]:
    """Spans of ``html`` that say ``words`` and are the whole text of an element.

    What :func:`_whole_element` takes among the matches of :func:`_html_words`, found from
    the occurrences of ``probe`` (one of ``words``, written the same in HTML): in an
    element's text (the last ``>`` before it after the last ``<``; a match holds neither),
    with only the words before it since the opening tag, then the words after it.

    >>> words = "Moscow asked Washington to stop".split()
    >>> list(_element_spans("<p>Moscow  asked Washington to stop</p>", words, "Washington"))
    [(3, 35)]
    >>> list(_element_spans('<meta content="Moscow asked Washington to stop">', words, "stop"))
    []
    """
    escaped = [html_escape(w, quote=False) for w in words]
    k = words.index(probe)
    before, after = escaped[:k], escaped[k:]
    at = html.find(probe)
    while at >= 0:
        opened = html.rfind(">", 0, at)
        if opened > html.rfind("<", 0, at):  # in an element's text, not inside a tag
            raw = html[opened + 1 : at]
            segment = raw
            if "&" in segment:
                for entity, quote in _QUOTE_ENTITIES:
                    segment = segment.replace(entity, quote)
            if segment.split() == before and (not before or segment[-1:].isspace()):
                start = opened + 1 + len(raw) - len(raw.lstrip())
                end = _match_words(html, at, after)
                if end >= 0 and _whole_element(html, start, end):
                    yield start, end
        at = html.find(probe, at + 1)


def _match_words(html: str, at: int, words: list[str]) -> int:
    """Where ``words`` (HTML-escaped) written from ``at`` with spaces between end, or -1.

    >>> _match_words('say  &quot;yes"!', 0, ["say", '"yes"'])
    15
    >>> _match_words("say no", 0, ["say", "yes"])
    -1
    """
    n = len(html)
    for j, word in enumerate(words):
        if j:  # at least one space (what the regex's \\s matches) before every later word
            space = at
            while at < n and html[at].isspace():
                at += 1
            if at == space:
                return -1
        if '"' not in word and "'" not in word:
            if not html.startswith(word, at):
                return -1
            at += len(word)
            continue
        for part in _QUOTE_SPLIT.split(word):
            for form in _QUOTE_FORMS.get(part, (part,)):
                if html.startswith(form, at):
                    at += len(form)
                    break
            else:
                return -1
    return at


#: How HTML may write the quotes of a description (what :func:`_html_words` accepts).
_QUOTE_ENTITIES = (("&quot;", '"'), ("&#34;", '"'), ("&#39;", "'"), ("&apos;", "'"))
_QUOTE_FORMS = {'"': ('"', "&quot;", "&#34;"), "'": ("'", "&#39;", "&apos;")}
_QUOTE_SPLIT = re.compile("([\"'])")


def _whole_element(html: str, start: int, end: int) -> bool:
    """Whether ``html[start:end]`` is all the text of an element, nothing loose beside it.

    >>> page = "<p>Lead here.</p><div> x <b>Bold</b></div>"
    >>> _whole_element(page, 3, 13), _whole_element(page, page.index("Bold"), page.index("</b>"))
    (True, False)
    """
    opening = html.rfind("<", 0, start)
    if opening < 0 or not _OPENING_TAG.fullmatch(html, opening, start):
        return False
    before = html[:opening].rstrip()
    return (not before or before.endswith(">")) and bool(_CLOSING_TAG.match(html, end))


def _html_words(words: list[str]) -> str:
    """A regex for words as HTML may write them: any spaces between, quotes raw or as entities.

    >>> bool(re.fullmatch(_html_words(["say", '"yes"']), 'say  &quot;yes"'))
    True
    """
    escaped = re.escape(html_escape(" ".join(words), quote=False)).replace("\\ ", r"\s+")
    return escaped.replace('"', '(?:"|&quot;|&\\#34;)').replace("'", "(?:'|&\\#39;|&apos;)")
