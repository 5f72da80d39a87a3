"""The types that flow between the stages of a clean run.

A raw input becomes a :class:`Source` (bytes plus where they came from), is decoded and
extracted into :class:`Line` objects, every line is labelled (kept, or dropped with a rule id
and category), and the labelled lines are rendered into a :class:`CleanResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """One input document before decoding.

    Attributes:
        id: Stable identifier (file path relative to its root, or the record's id field).
        data: Raw bytes, or already-decoded text (JSON lines records carry text).
        source: Where it came from, for messages: a path, ``<stdin>``, or ``path:line``.
        url: The page URL when known; selects site rules by domain.
        is_html: True/False when the caller knows, None to sniff.
        meta: Extra fields carried through to the JSON output (e.g. a record's source field).
        title: The document's title as its record gives it (``--title-field``), if any.
    """

    id: str
    data: bytes | str
    source: str
    url: str | None = None
    is_html: bool | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    title: str | None = None


@dataclass(frozen=True)
class Label:
    """Why a line was dropped: the rule that matched and its category."""

    rule: str
    category: str
    detail: str = ""


@dataclass(frozen=True)
class Edit:
    """A fragment cut out of a line by a within-line rule, kept on record."""

    rule: str
    category: str
    fragment: str


@dataclass(slots=True)  # slots: thousands per document, read by every rule
class Line:
    """One line (paragraph candidate) of a document, with its label.

    ``label`` is None while the line is kept. ``text`` may be rewritten by within-line
    strip rules; ``original`` keeps what the extractor produced, for explanations.
    """

    index: int
    text: str
    original: str
    label: Label | None = None
    edits: list[Edit] = field(default_factory=list)

    @property
    def kept(self) -> bool:
        return self.label is None

    def drop(self, rule: str, category: str, detail: str = "") -> None:
        """Label the line as dropped unless an earlier rule already did (first reason wins)."""
        if self.label is None:
            self.label = Label(rule, category, detail)


@dataclass(frozen=True)
class Removal:
    """A dropped line as reported in the JSON output and by ``--explain``."""

    text: str
    rule: str
    category: str
    line: int
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "rule": self.rule,
            "category": self.category,
            "line": self.line,
        }
        if self.detail:
            d["detail"] = self.detail
        return d


@dataclass(frozen=True)
class CleanResult:
    """The clean text of one input and the record of everything removed.

    Attributes:
        id: The input's id.
        source: Where the input came from (path, ``<stdin>``, ``file:line``).
        encoding: The encoding the bytes were decoded with (``None`` for text input).
        lang: Detected language code (``fa``, ``ar``, ``ru``, ``en``, ``und``).
        title: The title (first line when it reads as a heading), or ``""``.
        paragraphs: The kept body paragraphs, in order, title excluded.
        removed: Every dropped line with its rule and category, in document order.
        input_format: ``html`` or ``text``.
        rulesets: Names of the rule files applied, in order.
        meta: Extra fields (URL, repaired mojibake, extractor metadata...).
        title_from: Where the title came from: ``metadata`` (the record's title field),
            ``html`` (the page's own title), ``first-line`` (the first kept line, read as a
            heading: it is not in ``paragraphs``), or ``""`` (no title).
    """

    id: str
    source: str
    encoding: str | None
    lang: str
    title: str
    paragraphs: tuple[str, ...]
    removed: tuple[Removal, ...]
    input_format: str = "text"
    rulesets: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    title_from: str = ""

    @property
    def text(self) -> str:
        """Title first, then the paragraphs, separated by one blank line."""
        parts = ([self.title] if self.title else []) + list(self.paragraphs)
        return "\n\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The JSON lines record for this result."""
        d: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "encoding": self.encoding,
            "lang": self.lang,
            "format": self.input_format,
            "title": self.title,
            "title_from": self.title_from,
            "text": self.text,
            "paragraphs": list(self.paragraphs),
            "removed": [r.to_dict() for r in self.removed],
            "rulesets": list(self.rulesets),
        }
        d.update({k: v for k, v in self.meta.items() if k not in d})
        return d
