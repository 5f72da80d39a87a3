"""Run the boilerplate evaluation: leftovers removed and body kept, per language.

Usage::

    .venv/bin/python eval/boilerplate/run.py [--verbose] [--min-docs N]

Every document of ``docs/<lang>/<outlet>/`` is cleaned twice: with the fixed rules alone, and
with template detection over the whole evaluation batch (one source per outlet folder). The
file format and the scoring are described in this folder's README.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.config import CleanConfig
from cleaner.document import CleanResult, Source
from cleaner.pipeline.run import build_templates, clean_source, default_rulebook
from cleaner.pipeline.templates import TemplatePolicy
from cleaner.text.normalize import match_key

DOCS = Path(__file__).resolve().parent / "docs"
FLOORS = {"leftovers_removed": 0.9, "body_kept": 0.99}
_JOIN = {"": "\n", "<": "", "+": " ", "~": "   "}
HELD_OUT = "3.txt"
_META = re.compile(r"([a-z_]+)=(.*?)(?=\s+[a-z_]+=|\s*$)")


@dataclass(frozen=True)
class Unit:
    """One labelled line: ``x`` leftover, ``b`` body, ``t`` title; how it joins the previous."""

    label: str
    join: str
    text: str


@dataclass
class Doc:
    """A labelled evaluation document."""

    path: Path
    lang: str
    outlet: str
    url: str | None
    units: list[Unit]
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def held_out(self) -> bool:
        return self.path.name == HELD_OUT

    def text(self) -> str:
        parts: list[str] = []
        for i, u in enumerate(self.units):
            if i:
                parts.append(_JOIN[u.join])
            parts.append(u.text)
        return "".join(parts) + "\n"

    def source(self) -> Source:
        rel = self.path.relative_to(DOCS).as_posix()
        return Source(
            rel, self.text(), str(self.path), self.url, False, {"source_name": self.outlet}
        )


def parse_doc(path: Path) -> Doc:
    """Read one labelled document (see README for the format)."""
    lang, outlet = path.parent.parent.name, path.parent.name
    url, meta, units = None, {}, []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("# url:"):
            url = line.split(":", 1)[1].strip()
        elif line.startswith("# meta:"):
            meta = dict(_META.findall(line.split(":", 1)[1]))
        elif line.startswith("#"):
            continue
        else:
            tag, _, text = line.partition("\t")
            if not text or tag[:1] not in "xbt" or tag[1:] not in _JOIN:
                raise ValueError(f"{path}:{n}: expected '<x|b|t>[<+~]<TAB>text'")
            units.append(Unit(tag[0], tag[1:], text))
    return Doc(path, lang, outlet, url, units, meta)


def load_docs(root: Path = DOCS) -> list[Doc]:
    """Every labelled document under ``root``, in path order."""
    return [parse_doc(p) for p in sorted(root.glob("*/*/*.txt"))]


def _compact(text: str) -> str:
    return match_key(text).replace(" ", "")


@dataclass
class Score:
    """Counts for one slice of the evaluation."""

    leftovers: int = 0
    removed: int = 0
    body: int = 0
    kept: int = 0
    meta_fields: int = 0
    meta_right: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.leftovers += other.leftovers
        self.removed += other.removed
        self.body += other.body
        self.kept += other.kept
        self.meta_fields += other.meta_fields
        self.meta_right += other.meta_right
        self.misses += other.misses

    @property
    def removed_share(self) -> float:
        return self.removed / self.leftovers if self.leftovers else 1.0

    @property
    def kept_share(self) -> float:
        return self.kept / self.body if self.body else 1.0


def score_doc(doc: Doc, res: CleanResult) -> Score:
    """Score one cleaned document against its labels."""
    parts = [_compact(p) for p in ([res.title] if res.title else []) + list(res.paragraphs)]
    s = Score()
    units = doc.units
    for i, u in enumerate(units):
        key = _compact(u.text)
        if u.label in "bt":
            s.body += 1
            if any(key in p for p in parts):
                s.kept += 1
            else:
                s.misses.append(f"{doc.path.relative_to(DOCS)}: body lost: {u.text}")
            continue
        s.leftovers += 1
        glued = [
            _compact(units[j].text)
            for j in (i - 1, i + 1)
            if 0 <= j < len(units) and (units[j if j > i else i].join != "")
        ]
        left = any(p == key or (key in p and any(g in p for g in glued)) for p in parts)
        if left:
            s.misses.append(f"{doc.path.relative_to(DOCS)}: leftover kept: {u.text}")
        else:
            s.removed += 1
    got = res.meta.get("metadata", {})
    for name, want in doc.meta.items():
        s.meta_fields += 1
        if got.get(name) == want:
            s.meta_right += 1
        else:
            s.misses.append(
                f"{doc.path.relative_to(DOCS)}: metadata {name}={got.get(name)!r}, want {want!r}"
            )
    return s


def evaluate(docs: list[Doc], templates: bool, min_docs: int = 3) -> dict[tuple[str, str], Score]:
    """Scores by (language, part) where part is ``dev``, ``held-out`` or ``all``."""
    config = CleanConfig()
    book = default_rulebook(config)
    index = None
    if templates:
        index = build_templates((d.source() for d in docs), TemplatePolicy(min_docs=min_docs))
    out: dict[tuple[str, str], Score] = {}
    for doc in docs:
        s = score_doc(doc, clean_source(doc.source(), config, book, index))
        for part in ("held-out" if doc.held_out else "dev", "all"):
            out.setdefault((doc.lang, part), Score()).add(s)
    return out


def report(rows: Iterable[tuple[str, dict[tuple[str, str], Score]]]) -> str:
    """The figures as a table."""
    head = f"{'run':<16}{'lang':<6}{'part':<10}{'leftovers removed':>22}{'body kept':>18}"
    lines = [head + f"{'metadata':>14}"]
    for name, scores in rows:
        for (lang, part), s in sorted(scores.items()):
            lines.append(
                f"{name:<16}{lang:<6}{part:<10}"
                f"{s.removed:>9}/{s.leftovers:<4} {s.removed_share:6.3f}"
                f"{s.kept:>7}/{s.body:<4} {s.kept_share:6.3f}"
                f"{s.meta_right:>6}/{s.meta_fields:<3}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument("--min-docs", type=int, default=3)
    args = parser.parse_args(argv)
    docs = load_docs()
    rules = evaluate(docs, templates=False)
    both = evaluate(docs, templates=True, min_docs=args.min_docs)
    print(f"{len(docs)} documents; held-out part: every outlet's {HELD_OUT}")
    print(report([("rules", rules), ("rules+templates", both)]))
    if args.verbose:
        for name, scores in (("rules", rules), ("rules+templates", both)):
            for (_, part), s in sorted(scores.items()):
                if part == "all":
                    for miss in s.misses:
                        print(f"[{name}] {miss}")
    ok = all(
        s.removed_share >= FLOORS["leftovers_removed"] and s.kept_share >= FLOORS["body_kept"]
        for (_, part), s in both.items()
        if part == "all"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
