"""Reuse mode against near mode on one day of real news, in the same run.

Reads one day of ``../shared/corpora/saudinewsnet-dev.jsonl.gz`` (or under
``$CLEANER_CORPORA``; every outlet), cleans
each article (``--no-clean``: every non-blank line of its content is a paragraph), then
dedupes the day's paragraphs in near mode and in reuse mode, alternately, ``--rounds``
times each, and prints each run's wall and CPU seconds (this process and its pool's workers:
on a machine shared with other jobs the CPU time is the steadier figure), the best of
each mode and their ratio. The issue's floor: reuse mode within 5x of near mode.

Usage::

    python bench/reuse_speed.py                      # 2015-08-06: 12,040 cleaned paragraphs
    python bench/reuse_speed.py --no-clean -j 1
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaner import clean  # noqa: E402
from cleaner.dedupe import dedupe  # noqa: E402

#: ``$CLEANER_CORPORA`` if set, else ``../shared/corpora`` beside the repository.
CORPUS = (
    Path(os.environ.get("CLEANER_CORPORA") or ROOT.parent / "shared" / "corpora")
    / "saudinewsnet-dev.jsonl.gz"
)


def day_documents(day: str, cleaned: bool) -> list[tuple[str, str, list[str]]]:
    """The articles of one day as ``(id, outlet, paragraphs)``."""
    docs = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if not r["date_extracted"].startswith(day):
                continue
            if cleaned:
                paras = list(clean(r["content"].encode("utf-8"), url=r["url"]).paragraphs)
            else:
                paras = [p.strip() for p in r["content"].split("\n") if p.strip()]
            if paras:
                docs.append((r["id"], r["source"], paras))
    return docs


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--day", default="2015-08-06")
    ap.add_argument("--no-clean", action="store_true", help="lines of the content as paragraphs")
    ap.add_argument("-j", "--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    if not CORPUS.exists():
        print(f"reuse_speed: {CORPUS} not found (the shared corpora sit beside the repo)")
        return 1
    docs = day_documents(args.day, not args.no_clean)
    paragraphs = sum(len(p) for _, _, p in docs)
    print(f"{args.day}: {len(docs)} articles, {paragraphs} paragraphs, -j {args.workers}")
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.rounds):
        for mode in ("near", "reuse"):
            wall, cpu = time.perf_counter(), _cpu()
            result = dedupe(docs, mode=mode, workers=args.workers)
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            s = result.stats
            print(
                f"  {mode:<6} {wall:7.2f} s wall {cpu:7.2f} s CPU  candidates {s['candidates']}"
                f"  pairs {s['pairs']}  clusters {s['clusters']}"
            )
            old = best.get(mode, (float("inf"), float("inf")))
            best[mode] = (min(old[0], wall), min(old[1], cpu))
    (nw, nc), (rw, rc) = best["near"], best["reuse"]
    print(f"best: near {nw:.2f} s, reuse {rw:.2f} s wall: {rw / nw:.2f}x (CPU {rc / nc:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
