"""Pick the articles to label: deterministic, stratified by outlet; show them with line numbers.

Usage::

    .venv/bin/python eval/real/sample.py --lang ar                  # ids, in labelling order
    .venv/bin/python eval/real/sample.py --lang ar --per-outlet 20  # extends the same sample
    .venv/bin/python eval/real/sample.py --show 2015-07-21_635      # numbered, with its '@' line

Every outlet's non-empty articles are shuffled with a fixed seed and the first ``--per-outlet``
taken (all of them where an outlet has fewer), so a bigger ``--per-outlet`` extends the same
sample. The ids are printed round-robin over the outlets, so labelling them in order keeps
every outlet in at each increment.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict

from real_corpus import Article, files_of, iter_articles

SEED = 20151
PER_OUTLET = 15


def sample(name: str, per_outlet: int = PER_OUTLET, seed: int = SEED) -> list[Article]:
    """The sample of one corpus file, round-robin over its outlets (sorted by name)."""
    by_outlet: dict[str, list[Article]] = defaultdict(list)
    for art in iter_articles(name):
        if art.text.strip():
            by_outlet[art.outlet].append(art)
    picked = []
    for outlet in sorted(by_outlet):
        pool = sorted(by_outlet[outlet], key=lambda a: a.id)
        random.Random(f"{seed}:{name}:{outlet}").shuffle(pool)
        picked.append(pool[:per_outlet])
    order: list[Article] = []
    for k in range(max(map(len, picked), default=0)):
        order += [p[k] for p in picked if k < len(p)]
    return order


def show(art: Article) -> str:
    """The article's ``@`` line and its lines numbered from 1 (labelling view)."""
    lines = art.lines
    out = [f"@ {art.file} {art.id} lines={len(lines)}", f"# outlet={art.outlet} url={art.url}"]
    out += [f"{n:>3}| {line}" for n, line in enumerate(lines, 1)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", choices=["ar", "fa", "all"], default="all")
    ap.add_argument("--per-outlet", type=int, default=PER_OUTLET)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--show", nargs="+", metavar="ID", help="print these articles numbered")
    args = ap.parse_args(argv)
    files = files_of(args.lang)
    if args.show:
        wanted = set(args.show)
        found = {a.id: a for f in files for a in iter_articles(f) if a.id in wanted}
        for i in args.show:
            print(show(found[i]) if i in found else f"# {i}: not found", end="\n\n")
        return 0 if wanted <= found.keys() else 1
    for f in files:
        for art in sample(f, args.per_outlet, args.seed):
            print(f"{f}\t{art.outlet}\t{art.id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
