"""Template lines learned from a batch: text one source prints on many of its pages.

A first pass over the batch counts, per *source* (a JSON lines source field, else the URL's
host, else the input's folder), in how many documents each line occurs. Lines are counted by
a 64-bit hash of their comparison key (:func:`cleaner.text.normalize.match_key`), never by text, so
the index holds a few integers per distinct line and no document is kept in memory. The second
pass (the normal clean) labels the lines the index convicts, category ``template``, with the
evidence in the removal's detail.

What convicts a line (:class:`TemplatePolicy`, every threshold measured on
``eval/boilerplate``):

* **One source, many documents**: it occurs in at least ``min_docs`` documents of one source
  and in at least ``min_share`` of that source's documents. Page furniture is on nearly every
  page of a site; a quote repeated across a series is on a few of them.
* **Re-scrapes are not evidence**: a document whose three longest lines were already seen
  together in the same source is the same article fetched twice; its lines are not counted
  again (otherwise every sentence of an article scraped three times would look like a
  template). Three, not one: a site's long disclaimer may be the longest line of every page.
* **Sentences need more**: a line that reads as a sentence (longer than ``short_chars``, or
  ending with a terminator after five words or more) is also required to (a) occur in no
  other source of the batch (a wire paragraph reprinted by several outlets is news) and (b)
  sit at the same place, counted from the top or from the bottom of the document, in at least
  ``stable_share`` of its documents (a site's disclaimer is always the last line but one; a
  background paragraph repeated in a series moves with the length of each story). Known
  limit: a series whose stories all end with the same paragraph *and* the same number of
  lines after it would be convicted; ``min_share`` keeps that to sources the series dominates.

Cost: ``clean --templates`` reads and extracts every input twice (decode and extraction
dominate, so about twice the time of a plain run); memory grows with the number of distinct
lines (roughly 200 bytes each), not with the size of the texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import PurePath
from urllib.parse import urlsplit

from cleaner.document import Line, Source
from cleaner.text.normalize import match_key

_TERMINAL = re.compile(r"[.!?\u061f\u2026\u00bb\"\u201d]\s*$")
#: Fields of a line's counter: documents, first top offset, hits, first bottom offset, hits.
_DOCS, _TOP, _TOP_HITS, _BOTTOM, _BOTTOM_HITS = range(5)
_MANY = -1  # a line's "source" once it has been seen in two sources

#: The rule id template removals are filed under (no rule file: the batch is the evidence).
TEMPLATE_RULE = "template/batch"


@dataclass(frozen=True)
class TemplatePolicy:
    """When a recurring line counts as a template (see the module docstring).

    Attributes:
        min_docs: Documents of one source the line must occur in.
        min_share: Share of that source's documents the line must occur in.
        short_chars: Lines longer than this (comparison key) read as sentences.
        stable_share: For sentences: share of occurrences at the same offset from top or bottom.
        min_chars: Shorter lines are not judged (a lone digit or letter says nothing).
    """

    min_docs: int = 3
    min_share: float = 0.5
    short_chars: int = 60
    stable_share: float = 0.8
    min_chars: int = 2

    def __post_init__(self) -> None:
        if self.min_docs < 2:
            raise ValueError("min_docs must be at least 2: one document is no evidence")
        if not 0 < self.min_share <= 1 or not 0 < self.stable_share <= 1:
            raise ValueError("min_share and stable_share must be in (0, 1]")


def line_hash(key: str) -> int:
    """A 64-bit hash of a comparison key, stable across runs and processes.

    >>> line_hash("انتهای پیام") == line_hash("انتهای پیام")
    True
    >>> line_hash("a") != line_hash("b")
    True
    """
    return int.from_bytes(blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def reads_as_sentence(key: str, short_chars: int = 60) -> bool:
    """True when a line reads as a sentence of news rather than a label or a button.

    >>> reads_as_sentence("لینک کوتاه کپی شد")
    False
    >>> reads_as_sentence("وزیر امور خارجه روسیه گفت که مسکو خواهان جنگ نیست.")
    True
    """
    return len(key) > short_chars or (bool(_TERMINAL.search(key)) and len(key.split()) >= 5)


def source_of(src: Source) -> str:
    """The source a document's templates are counted in: source field, URL host, or folder.

    >>> source_of(Source("a", "", "x/a.txt", url="https://www.isna.ir/news/1"))
    'isna.ir'
    >>> source_of(Source("a", "", "scrapes/irna/a.txt"))
    'scrapes/irna'
    >>> source_of(Source("a", "", "dump.jsonl:12", meta={"source_name": "Mehr"}))
    'Mehr'
    >>> source_of(Source("a", "", "dump.jsonl:12"))
    'dump.jsonl'
    """
    name = src.meta.get("source_name")
    if name:
        return str(name)
    if src.url:
        host = (urlsplit(src.url).hostname or "").lower()
        if host:
            return host.removeprefix("www.")
    where = src.source
    if re.search(r":\d+$", where):  # a record of a JSON lines file: the file is the source
        return where.rsplit(":", 1)[0]
    return str(PurePath(where).parent)


@dataclass(frozen=True)
class Template:
    """A convicted line: its counts and why (``detail`` goes into the removal record)."""

    docs: int
    of: int
    detail: str


@dataclass
class TemplateIndex:
    """Counts of line keys per source over a batch, then the lines convicted as templates.

    Use :meth:`add` once per document (its line keys, in order), :meth:`finish` once, then
    :meth:`lookup`. :meth:`build` does the three for an iterable of ``(source, keys)``.
    """

    policy: TemplatePolicy = field(default_factory=TemplatePolicy)
    docs: dict[str, int] = field(default_factory=dict)
    rescrapes: int = 0
    _ids: dict[str, int] = field(default_factory=dict)
    _counts: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    _owner: dict[int, int] = field(default_factory=dict)
    _seen: dict[int, set[int]] = field(default_factory=dict)
    _templates: dict[str, dict[int, Template]] | None = None

    @classmethod
    def build(
        cls, docs: Iterable[tuple[str, Sequence[str]]], policy: TemplatePolicy | None = None
    ) -> TemplateIndex:
        """Count every ``(source, line keys)`` document, then convict the templates."""
        index = cls(policy or TemplatePolicy())
        for source, keys in docs:
            index.add(source, keys)
        index.finish()
        return index

    def add(self, source: str, keys: Sequence[str]) -> None:
        """Count one document's line keys (comparison keys, in document order)."""
        if self._templates is not None:
            raise RuntimeError("TemplateIndex.add after finish()")
        keys = [k for k in keys if len(k) >= self.policy.min_chars]
        if not keys:
            return
        sid = self._ids.setdefault(source, len(self._ids))
        fingerprint = line_hash("\n".join(sorted(keys, key=len)[-3:]))
        seen = self._seen.setdefault(sid, set())
        if fingerprint in seen:
            self.rescrapes += 1
            return
        seen.add(fingerprint)
        self.docs[source] = self.docs.get(source, 0) + 1
        counts = self._counts.setdefault(sid, {})
        n = len(keys)
        done: set[int] = set()
        for i, key in enumerate(keys):
            h = line_hash(key)
            if h in done:
                continue
            done.add(h)
            owner = self._owner.setdefault(h, sid)
            if owner != sid:
                self._owner[h] = _MANY
            c = counts.get(h)
            if c is None:
                counts[h] = [1, i, 1, n - 1 - i, 1, reads_as_sentence(key, self.policy.short_chars)]
                continue
            c[_DOCS] += 1
            c[_TOP_HITS] += c[_TOP] == i
            c[_BOTTOM_HITS] += c[_BOTTOM] == n - 1 - i

    def finish(self) -> None:
        """Convict the templates and free the counters."""
        p = self.policy
        names = {sid: name for name, sid in self._ids.items()}
        self._templates = {}
        for sid, counts in self._counts.items():
            source = names[sid]
            total = self.docs.get(source, 0)
            found: dict[int, Template] = {}
            for h, c in counts.items():
                docs = c[_DOCS]
                if docs < p.min_docs or docs < p.min_share * total:
                    continue
                detail = f"in {docs} of {total} documents of {source}"
                if c[5]:  # reads as a sentence: one source only, and a stable place
                    if self._owner.get(h) == _MANY:
                        continue
                    top, bottom = c[_TOP_HITS], c[_BOTTOM_HITS]
                    if max(top, bottom) < p.stable_share * docs:
                        continue
                    where = "top" if top >= bottom else "bottom"
                    detail += f", same place from the {where} in {max(top, bottom)}"
                found[h] = Template(docs, total, detail)
            if found:
                self._templates[source] = found
        self._counts.clear()
        self._owner.clear()
        self._seen.clear()

    def lookup(self, source: str, key: str) -> Template | None:
        """The template verdict for a line key of a document of ``source``, or None."""
        if self._templates is None:
            raise RuntimeError("TemplateIndex.lookup before finish()")
        found = self._templates.get(source)
        return found.get(line_hash(key)) if found else None

    def templates(self, source: str) -> dict[int, Template]:
        """The convicted lines of one source, by line hash."""
        return dict((self._templates or {}).get(source, {}))

    def sources(self) -> list[str]:
        """Sources with at least one template, in first-seen order."""
        return [s for s in self.docs if (self._templates or {}).get(s)]


def label_templates(lines: list[Line], index: TemplateIndex, source: str) -> int:
    """Label the kept lines the index convicts as ``source``'s templates; return how many.

    A line is looked up by its text as extracted (before within-line rules edited it), the
    form the first pass counted.
    """
    n = 0
    for ln in lines:
        if not ln.kept:
            continue
        found = index.lookup(source, match_key(ln.original))
        if found is not None:
            ln.drop(TEMPLATE_RULE, "template", found.detail)
            n += 1
    return n
