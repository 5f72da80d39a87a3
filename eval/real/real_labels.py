"""The hand-label format of ``labels/*.labels`` (described in README.md): parse and check.

A block per article::

    @ saudinewsnet-dev.jsonl.gz 2015-07-21_635 lines=7
    # a comment
    3 L byline
    5 S end-marker // انتهى //

Every line not named is article body. Labels hold ids, line numbers and leftover spans
only, never the articles' text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from real_corpus import Article

KINDS = (
    "navigation",
    "related",
    "share",
    "contact",
    "comments",
    "credit",
    "caption",
    "end-marker",
    "byline",
    "dateline",
    "metadata",
    "promo",
    "duplicate",
    "other",
)
LABELS_DIR = Path(__file__).resolve().parent / "labels"

_HEAD = re.compile(r"@ (\S+) (\S+) lines=(\d+)\s*$")
_ENTRY = re.compile(r"(\d+) ([LS]) (\S+)(?: (.*))?$")


def find_span(line: str, span: str, start: int = 0) -> tuple[int, int] | None:
    """Where ``span`` occurs in ``line`` from ``start``; a space in it matches any whitespace run.

    Scrapes hold no-break spaces and runs of spaces that a label file cannot show.

    >>> find_span("a\xa0b  c", "a b c")
    (0, 6)
    >>> find_span("x y", "y z") is None
    True
    """
    words = span.split()
    if not words:
        return None
    m = re.compile(r"\s+".join(map(re.escape, words))).search(line, start)
    return (m.start(), m.end()) if m else None


class LabelError(ValueError):
    """A label file that does not parse, or does not fit the article it names."""


@dataclass(frozen=True)
class Entry:
    """One labelled leftover: a whole line (``L``) or a span of it (``S``)."""

    line: int
    whole: bool
    kind: str
    span: str  # the leftover text (the whole line for L)
    where: str  # file:line of the entry, for messages


@dataclass
class Labelled:
    """One article's labels."""

    file: str
    id: str
    lines: int
    where: str
    entries: list[Entry] = field(default_factory=list)


def parse(path: Path) -> list[Labelled]:
    """Read a label file; the spans of ``L`` entries are filled by :func:`check`."""
    out: list[Labelled] = []
    seen: set[tuple[str, str]] = set()
    for n, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        where = f"{path.name}:{n}"
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@"):
            m = _HEAD.match(line)
            if not m:
                raise LabelError(f"{where}: expected '@ FILE ID lines=N'")
            key = (m.group(1), m.group(2))
            if key in seen:
                raise LabelError(f"{where}: article {key[1]} labelled twice")
            seen.add(key)
            out.append(Labelled(m.group(1), m.group(2), int(m.group(3)), where))
            continue
        m = _ENTRY.match(line)
        if not m:
            raise LabelError(f"{where}: expected 'LINE L KIND' or 'LINE S KIND SPAN'")
        if not out:
            raise LabelError(f"{where}: entry before any '@' line")
        num, tag, kind, span = int(m.group(1)), m.group(2), m.group(3), m.group(4) or ""
        if kind not in KINDS:
            raise LabelError(f"{where}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
        if tag == "S" and not span.strip():
            raise LabelError(f"{where}: an S entry needs the span after the kind")
        if tag == "L" and span:
            raise LabelError(f"{where}: an L entry takes no span (the whole line is the leftover)")
        out[-1].entries.append(Entry(num, tag == "L", kind, span, where))
    return out


def check(lab: Labelled, art: Article) -> Labelled:
    """Check the labels against the article's text; L entries get the line as their span."""
    lines = art.lines
    if len(lines) != lab.lines:
        raise LabelError(f"{lab.where}: article has {len(lines)} lines, the label says {lab.lines}")
    whole: set[int] = set()
    spans: set[int] = set()
    entries = []
    for e in lab.entries:
        if not 1 <= e.line <= len(lines) or not lines[e.line - 1].strip():
            raise LabelError(f"{e.where}: line {e.line} is empty or out of range")
        text = lines[e.line - 1]
        if e.whole:
            if e.line in whole or e.line in spans:
                raise LabelError(f"{e.where}: line {e.line} already labelled")
            whole.add(e.line)
            entries.append(Entry(e.line, True, e.kind, text.strip(), e.where))
        else:
            if e.line in whole:
                raise LabelError(f"{e.where}: line {e.line} is already a whole-line leftover")
            if find_span(text, e.span) is None:
                raise LabelError(f"{e.where}: span is not in line {e.line}")
            spans.add(e.line)
            entries.append(e)
    lab.entries = entries
    return lab


def load(paths: list[Path]) -> list[Labelled]:
    """Every block of the label files, in file order."""
    out: list[Labelled] = []
    for p in paths:
        out += parse(p)
    return out
