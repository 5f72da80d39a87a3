"""What a change does to every article of the shared corpora, paragraph by paragraph.

The labelled figures (``run.py``) cover 400 articles; a new rule must also leave the other
24,000 alone, and what it takes there is only known by reading it. ``dump`` cleans every
article of the corpora (each alone, with its URL and outlet, as ``run.py`` cleans single
documents) into one JSON line per article; run it before and after a change, then ``diff``
prints every paragraph one run has and the other has not, article by article, with a count by
outlet at the end, for a reader to judge each line.

Usage::

    .venv/bin/python eval/real/audit.py dump /tmp/before.jsonl      # on the commit before
    .venv/bin/python eval/real/audit.py dump /tmp/after.jsonl       # with the change
    .venv/bin/python eval/real/audit.py diff /tmp/before.jsonl /tmp/after.jsonl

The dumps hold the corpora's text: keep them out of the repository.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from real_corpus import files_of, iter_articles

from cleaner import clean


def dump(out: Path, lang: str) -> int:
    """Clean every article of ``lang``'s corpus files into ``out``; the article count."""
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for name in files_of(lang):
            for a in iter_articles(name):
                res = clean(a.text, id=a.id, source=a.file, url=a.url, source_name=a.outlet)
                row = {
                    "id": a.id,
                    "outlet": a.outlet,
                    "title": res.title,
                    "paragraphs": list(res.paragraphs),
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    return n


def _rows(path: Path) -> dict[str, dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return {r["id"]: r for r in map(json.loads, fh) if r}


def changes(before: dict[str, Any], after: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The paragraphs (and title) one article's two runs differ by, in document order:
    ``("-", text)`` for what only ``before`` has, ``("+", text)`` for what only ``after`` has."""
    if before.get("title") != after.get("title"):
        yield from (("-", f"[title] {before['title']}"), ("+", f"[title] {after['title']}"))
    old, new = before["paragraphs"], after["paragraphs"]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            yield from (("-", p) for p in old[i1:i2])
            yield from (("+", p) for p in new[j1:j2])


def diff(before_path: Path, after_path: Path, width: int, out: Any = sys.stdout) -> Counter[str]:
    """Print every article whose output changed; counts by ``outlet:-`` / ``outlet:+``."""
    before, after = _rows(before_path), _rows(after_path)
    counts: Counter[str] = Counter()
    for aid, b in before.items():
        a = after.get(aid)
        if a is None:
            counts["missing after"] += 1
            continue
        lines = list(changes(b, a))
        if not lines:
            continue
        counts["articles"] += 1
        print(f"@ {aid} ({b['outlet']})", file=out)
        for sign, text in lines:
            counts[f"{b['outlet']}:{sign}"] += 1
            shown = text if len(text) <= width else text[: width - 1] + "…"
            print(f"  {sign} {shown}", file=out)
    counts["missing before"] = len(after.keys() - before.keys())
    print(f"\n{counts['articles']} article(s) changed", file=out)
    for outlet in sorted({k.rsplit(":", 1)[0] for k in counts if ":" in k}):
        print(f"  {outlet}: -{counts[outlet + ':-']} +{counts[outlet + ':+']}", file=out)
    for key in ("missing before", "missing after"):
        if counts[key]:
            print(f"  {key}: {counts[key]} article(s)", file=out)
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump", help="clean every article into a JSON-lines file")
    d.add_argument("out", type=Path)
    d.add_argument("--lang", choices=["ar", "fa", "all"], default="all")
    c = sub.add_parser("diff", help="print what two dumps differ by, article by article")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    c.add_argument("--width", type=int, default=160, help="characters shown a paragraph")
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        n = dump(args.out, args.lang)
        print(f"{n} articles cleaned into {args.out}", file=sys.stderr)
    else:
        diff(args.before, args.after, args.width)
    return 0


if __name__ == "__main__":
    sys.exit(main())
