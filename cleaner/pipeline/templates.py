"""Template lines learned from a batch: text one source prints on many of its pages.

A first pass over the batch counts, per *source* (a JSON lines source field, else the URL's
host, else the input's folder), in how many documents each line occurs. Lines are counted by
a 64-bit hash of their template key (:func:`cleaner.pipeline.template_key.template_key`: the
comparison key with numbers, codes, dates, phone numbers, e-mail addresses and URLs folded, so a
columnist's contact line that differs only by the writer's code is one line), never by text:
the index holds a few integers per distinct line and no document is kept in memory. The
second pass (the normal clean) labels the lines the index convicts, category ``template``,
with the evidence (count and share) in the removal's detail. The counts may also be kept in a
:class:`cleaner.pipeline.template_store.TemplateStore` and grow batch after batch.

What convicts a line (:class:`TemplatePolicy`):

* **One source, many documents**: it occurs in at least ``min_docs`` documents of one source
  and in at least ``min_share`` of that source's documents. The share floor is low (1%):
  furniture is often in a minority of an outlet's pages (a gallery widget in a third of them,
  a columnist's contact line in his columns only); the count carries the evidence, the share
  only keeps a handful of repeats in a very large source from counting.
* **Re-scrapes are not evidence**: a document whose three longest lines were already seen
  together in the same source is the same article fetched twice; its lines are not counted
  again (otherwise every sentence of an article scraped three times would look like a
  template). Three, not one: a site's long disclaimer may be the longest line of every page.
* **Sentences need more**: a line that reads as a sentence (longer than ``short_chars``, or
  ending with a terminator after five words or more) is counted by its exact comparison key
  (its numbers are the news) and is also required to (a) occur in no other source of the
  batch or of the store (a wire paragraph reprinted by several outlets is news) and (b)
  sit at the same place, counted from the top or from the bottom of the document, in at least
  ``stable_share`` of its documents (a site's disclaimer is always the last line but one; a
  background paragraph repeated in a series moves with the length of each story). Known
  limit: a series whose stories all end with the same paragraph *and* the same number of
  lines after it would be convicted once it has ``min_docs`` stories (and 1% of the source).
* **Glued pieces at the edge only**: a piece cut off a longer line (two sentences glued with
  no space) is judged only at the start or end of its line and with two words or more.

Cost: ``clean --templates`` reads and extracts every input twice (decode and extraction
dominate, so about twice the time of a plain run); memory grows with the number of distinct
lines (roughly 200 bytes each), not with the size of the texts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import PurePath
from typing import Protocol
from urllib.parse import urlsplit

from cleaner.document import Line, Source
from cleaner.pipeline.template_key import has_words, reads_as_sentence, template_key

#: Fields of a line's counters: documents, first top offset, hits there, first bottom offset,
#: hits there, reads as a sentence (0 or 1).
_DOCS, _TOP, _TOP_HITS, _BOTTOM, _BOTTOM_HITS, _SENTENCE = range(6)
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
    min_share: float = 0.01
    short_chars: int = 60
    stable_share: float = 0.8
    min_chars: int = 2

    def __post_init__(self) -> None:
        if self.min_docs < 2:
            raise ValueError("min_docs must be at least 2: one document is no evidence")
        if not 0 < self.min_share <= 1 or not 0 < self.stable_share <= 1:
            raise ValueError("min_share and stable_share must be in (0, 1]")


def line_hash(key: str) -> int:
    """A signed 64-bit hash of a key, stable across runs and processes.

    >>> line_hash("انتهای پیام") == line_hash("انتهای پیام")
    True
    >>> line_hash("a") != line_hash("b")
    True
    """
    digest = blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)  # what SQLite stores as INTEGER


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


#: A line as counted: hash of its template key, key length, reads as a sentence.
HashedLine = tuple[int, int, bool]


def hashed_lines(keys: Sequence[str], policy: TemplatePolicy) -> list[HashedLine]:
    """A document's template keys as counted: lines shorter than ``policy.min_chars`` and
    lines without a word (numbers or an address alone: see ``has_words``) are left out.

    >>> [n for _, n, _ in hashed_lines(["a", "share", "0 - 0", "x" * 70], TemplatePolicy())]
    [5, 70]
    """
    return [
        (line_hash(k), len(k), reads_as_sentence(k, policy.short_chars))
        for k in keys
        if len(k) >= policy.min_chars and has_words(k)
    ]


class CountStore(Protocol):
    """Where a batch's counts are added to those of earlier batches (a TemplateStore)."""

    def fingerprints(self, source: str) -> set[int]:
        """Fingerprints of the documents of ``source`` counted before."""
        ...

    def merge(self, index: TemplateIndex) -> None:
        """Add the counts of a batch (before :meth:`TemplateIndex.finish` frees them)."""
        ...

    def convict(
        self, sources: Iterable[str], policy: TemplatePolicy
    ) -> dict[str, dict[int, Template]]:
        """The templates of ``sources`` over every batch counted."""
        ...


def convict(
    c: Sequence[int], total: int, shared: bool, source: str, policy: TemplatePolicy
) -> Template | None:
    """The verdict on one line of ``source`` from its counters (see the module docstring).

    Args:
        c: The line's counters (documents, top offset and hits, bottom offset and hits,
            reads as a sentence).
        total: Documents of the source.
        shared: Whether another source has the line too.
        source: The source's name, for the detail.
        policy: The thresholds.
    """
    docs = c[_DOCS]
    if docs < policy.min_docs or docs < policy.min_share * total:
        return None
    detail = f"in {docs} of {total} documents of {source} ({docs / total:.1%})"
    if c[_SENTENCE]:  # reads as a sentence: one source only, and a stable place
        if shared:
            return None
        top, bottom = c[_TOP_HITS], c[_BOTTOM_HITS]
        if max(top, bottom) < policy.stable_share * docs:
            return None
        where = "top" if top >= bottom else "bottom"
        detail += f", same place from the {where} in {max(top, bottom)}"
    return Template(docs, total, detail)


@dataclass
class TemplateIndex:
    """Counts of line keys per source over a batch, then the lines convicted as templates.

    Use :meth:`add` once per document (its template keys, in order), :meth:`finish` once,
    then :meth:`lookup`. :meth:`build` does the three for an iterable of ``(source, keys)``.
    With a ``store``, documents it counted before are re-scrapes (a batch run twice counts
    once), :meth:`finish` adds the batch's counts to it and convicts over all of them; the
    store is released then (the finished index travels to worker processes without it).
    """

    policy: TemplatePolicy = field(default_factory=TemplatePolicy)
    store: CountStore | None = None
    docs: dict[str, int] = field(default_factory=dict)
    rescrapes: int = 0
    _ids: dict[str, int] = field(default_factory=dict)
    _counts: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    _owner: dict[int, int] = field(default_factory=dict)
    _seen: dict[int, set[int]] = field(default_factory=dict)
    _new: dict[int, set[int]] = field(default_factory=dict)
    _templates: dict[str, dict[int, Template]] | None = None

    @classmethod
    def build(
        cls,
        docs: Iterable[tuple[str, Sequence[str]]],
        policy: TemplatePolicy | None = None,
        store: CountStore | None = None,
    ) -> TemplateIndex:
        """Count every ``(source, template keys)`` document, then convict the templates."""
        index = cls(policy or TemplatePolicy(), store)
        for source, keys in docs:
            index.add(source, keys)
        index.finish()
        return index

    def add(self, source: str, keys: Sequence[str]) -> None:
        """Count one document's template keys (in document order)."""
        self.add_hashed(source, hashed_lines(keys, self.policy))

    def add_hashed(self, source: str, lines: Sequence[HashedLine]) -> None:
        """Count one document given as :func:`hashed_lines` (see :meth:`add`).

        Worker processes send these instead of the keys: three integers a line.
        """
        if self._templates is not None:
            raise RuntimeError("TemplateIndex.add after finish()")
        if not lines:
            return
        sid = self._ids.get(source)
        if sid is None:
            sid = self._ids[source] = len(self._ids)
            self._seen[sid] = self.store.fingerprints(source) if self.store else set()
        longest = sorted(lines, key=lambda x: (x[1], x[0]))[-3:]
        fingerprint = line_hash(" ".join(str(h) for h, _, _ in longest))
        seen = self._seen[sid]
        if fingerprint in seen:
            self.rescrapes += 1
            return
        seen.add(fingerprint)
        self._new.setdefault(sid, set()).add(fingerprint)
        self.docs[source] = self.docs.get(source, 0) + 1
        counts = self._counts.setdefault(sid, {})
        n = len(lines)
        done: set[int] = set()
        for i, (h, _, sentence) in enumerate(lines):
            if h in done:
                continue
            done.add(h)
            owner = self._owner.setdefault(h, sid)
            if owner != sid:
                self._owner[h] = _MANY
            c = counts.get(h)
            if c is None:
                counts[h] = [1, i, 1, n - 1 - i, 1, int(sentence)]
                continue
            c[_DOCS] += 1
            c[_TOP_HITS] += c[_TOP] == i
            c[_BOTTOM_HITS] += c[_BOTTOM] == n - 1 - i

    def counted(self) -> Iterator[tuple[str, int, dict[int, list[int]], set[int]]]:
        """Per source of the batch: its name, new documents, line counters, new fingerprints."""
        for name, sid in self._ids.items():
            yield name, self.docs.get(name, 0), self._counts.get(sid, {}), self._new.get(sid, set())

    def finish(self) -> None:
        """Convict the templates (over the store's counts too, if any) and free the counters."""
        if self.store is not None:
            self.store.merge(self)
            self._templates = {
                s: found
                for s, found in self.store.convict(list(self._ids), self.policy).items()
                if found
            }
            self.store = None
        else:
            self._templates = {}
            for name, sid in self._ids.items():
                total = self.docs.get(name, 0)
                found: dict[int, Template] = {}
                for h, c in self._counts.get(sid, {}).items():
                    verdict = convict(c, total, self._owner.get(h) == _MANY, name, self.policy)
                    if verdict is not None:
                        found[h] = verdict
                if found:
                    self._templates[name] = found
        self._counts.clear()
        self._owner.clear()
        self._seen.clear()
        self._new.clear()

    def lookup(self, source: str, key: str) -> Template | None:
        """The template verdict for a template key of a document of ``source``, or None."""
        if self._templates is None:
            raise RuntimeError("TemplateIndex.lookup before finish()")
        found = self._templates.get(source)
        return found.get(line_hash(key)) if found else None

    def templates(self, source: str) -> dict[int, Template]:
        """The convicted lines of one source, by line hash."""
        return dict((self._templates or {}).get(source, {}))

    def sources(self) -> list[str]:
        """Sources with at least one template, in first-seen order."""
        return [s for s in self._ids if (self._templates or {}).get(s)]


def label_templates(
    lines: list[Line], index: TemplateIndex, source: str, groups: Sequence[int] | None = None
) -> int:
    """Label the kept lines the index convicts as ``source``'s templates; return how many.

    A line is looked up by its text as extracted (before within-line rules edited it), the
    form the first pass counted. ``groups`` gives each line's raw line (several lines share
    one when glued sentences were cut apart): a piece of a raw line is judged only at its
    start or end, and only when it has two words or more, since the cutter also splits an
    abbreviation written with periods ("إيه.بي.سي"), whose middle letters recur everywhere.
    """
    groups = groups if groups is not None else range(len(lines))
    size = Counter(groups)
    n = 0
    for k, ln in enumerate(lines):
        if not ln.kept:
            continue
        g = groups[k]
        if size[g] > 1:
            at_edge = (k == 0 or groups[k - 1] != g) or (k + 1 == len(lines) or groups[k + 1] != g)
            if not at_edge or len(ln.original.split()) < 2:
                continue
        found = index.lookup(source, template_key(ln.original, index.policy.short_chars))
        if found is not None:
            ln.drop(TEMPLATE_RULE, "template", found.detail)
            n += 1
    return n
