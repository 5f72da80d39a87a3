"""Score dedupe on a labelled corpus: precision and recall per variant kind, against floors.

A predicted pair is two items in one cluster. Precision of a kind: the share of predicted
pairs touching an item of that kind whose two items belong to one group. Recall of a kind:
the share of its items clustered with their anchor (the base, or the quoted line).

Usage::

    python bench/dedupe_eval.py                     # seeds, default options
    python bench/dedupe_eval.py --n 20000           # bigger corpus (synthetic bases added)
    python bench/dedupe_eval.py --shingles 3,4,5,6,7  # the measurement behind SHINGLE_SIZE
    python bench/dedupe_eval.py --corpus corpus.jsonl --threshold 0.6

Exit status 0 when every floor holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dedupe_gen import Item, generate, read_paragraphs  # noqa: E402

from cleaner.dedupe import DedupeOptions, Paragraph, run  # noqa: E402

#: (precision floor, recall floor) per kind; None: not measured for that kind.
FLOORS: dict[str, tuple[float, float | None]] = {
    "exact": (0.99, 0.99),
    "orthographic": (0.99, 0.99),
    "attribution": (0.99, 0.99),
    "light_edit": (0.99, 0.9),
    "quoted_span": (0.99, 0.9),
    "quote_line": (0.99, None),
    "base": (0.99, None),
    "distractor": (0.99, None),
}


def evaluate(items: Sequence[Item], **options: Any) -> dict[str, dict[str, float]]:
    """Precision, recall and counts per kind for one dedupe run over the items."""
    paragraphs = [Paragraph(it.id, "", 0, it.text) for it in items]
    started = time.perf_counter()
    result = run(paragraphs, DedupeOptions(**options))
    seconds = time.perf_counter() - started
    ids = [p.doc_id for p in paragraphs]
    found = [(ids[p.a], ids[p.b]) for p in result.pairs]
    report = score(items, [[m.doc_id for m in c.members] for c in result.clusters], found)
    report["_run"] = {"seconds": seconds, "clusters": len(result.clusters)}
    return report


def score(
    items: Sequence[Item],
    clusters: Sequence[Sequence[str]],
    pairs: Sequence[tuple[str, str]] = (),
) -> dict[str, dict[str, float]]:
    """Precision, recall and counts per kind of clusters given as lists of item ids.

    Precision is over the pairs of members of each cluster (a pair is right when both are
    of one group). An item is recalled when it is in one cluster with another item of its
    group, or one of the verified ``pairs`` with one: clusters are stars around a kept
    paragraph, so a line quoted both in its base and in a longer paragraph joins one of
    them, and a light edit like a copy of its base, not the centre that copy joined, is
    paired with that copy, not clustered with it.
    """
    group_of = {it.id: it.group for it in items}
    found = {a for a, b in pairs if group_of[a] == group_of[b]}
    found |= {b for a, b in pairs if group_of[a] == group_of[b]}
    by_id = {it.id: it for it in items}
    pair_total: defaultdict[str, int] = defaultdict(int)
    pair_good: defaultdict[str, int] = defaultdict(int)
    for ids in clusters:
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                good = by_id[a].group == by_id[b].group
                for kind in {by_id[a].kind, by_id[b].kind}:
                    pair_total[kind] += 1
                    pair_good[kind] += good
    report: dict[str, dict[str, float]] = {}
    clustered = set()
    for ids in clusters:
        per_group = Counter(group_of[m] for m in ids)
        clustered.update(m for m in ids if per_group[group_of[m]] > 1)
    for kind in FLOORS:
        members = [it for it in items if it.kind == kind]
        hits = sum(
            1 for it in members if it.anchor is not None and (it.id in found or it.id in clustered)
        )
        report[kind] = {
            "items": len(members),
            "pairs": pair_total[kind],
            "precision": pair_good[kind] / pair_total[kind] if pair_total[kind] else 1.0,
            "recall": hits / len(members) if members and members[0].anchor else float("nan"),
        }
    report["_run"] = {"seconds": 0.0, "clusters": len(clusters)}
    return report


def failures(report: dict[str, dict[str, float]]) -> list[str]:
    """Floors a report misses, as readable lines."""
    out = []
    for kind, (p_floor, r_floor) in FLOORS.items():
        row = report[kind]
        if row["items"] and row["precision"] < p_floor:
            out.append(f"{kind}: precision {row['precision']:.4f} < {p_floor}")
        if row["items"] and r_floor is not None and row["recall"] < r_floor:
            out.append(f"{kind}: recall {row['recall']:.4f} < {r_floor}")
    return out


def show(report: dict[str, dict[str, float]], title: str) -> None:
    """Print one report as a table."""
    print(f"\n{title}  ({report['_run']['clusters']} clusters, {report['_run']['seconds']:.2f}s)")
    print(f"{'kind':<14}{'items':>7}{'pairs':>8}{'precision':>11}{'recall':>9}  floors (p, r)")
    for kind, (p_floor, r_floor) in FLOORS.items():
        row = report[kind]
        recall = "-" if r_floor is None else f"{row['recall']:.4f}"
        print(
            f"{kind:<14}{row['items']:>7}{row['pairs']:>8}{row['precision']:>11.4f}{recall:>9}"
            f"  ({p_floor}, {r_floor if r_floor is not None else '-'})"
        )


def load(path: Path) -> list[Item]:
    """Items from a JSON lines corpus written by dedupe_gen.py."""
    with path.open(encoding="utf-8") as f:
        return [Item(**json.loads(line)) for line in f if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (or read) a corpus, score it, print the tables and PASS/FAIL."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, help="JSON lines from dedupe_gen.py")
    ap.add_argument("--source", nargs="*", type=Path, help="text files (default: seeds/*.txt)")
    ap.add_argument("--n", type=int, default=None, help="approximate corpus size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threshold", type=float, default=DedupeOptions.threshold)
    ap.add_argument("--containment", type=float, default=DedupeOptions.containment)
    ap.add_argument("--mode", default="near", choices=("near", "reuse"))
    ap.add_argument("--shingles", default=None, help="comma-separated shingle sizes to compare")
    args = ap.parse_args(argv)
    if args.corpus:
        items = load(args.corpus)
    else:
        paths = args.source or sorted((ROOT / "seeds").glob("*.txt"))
        items = generate(read_paragraphs(paths), args.n, args.seed)
    sizes = [int(k) for k in args.shingles.split(",")] if args.shingles else [None]
    failed = False
    for k in sizes:
        opts: dict[str, Any] = {
            "threshold": args.threshold,
            "containment": args.containment,
            "mode": args.mode,
        }
        if k is not None:
            opts["shingle_size"] = k
        report = evaluate(items, **opts)
        show(report, f"{len(items)} items, " + ", ".join(f"{a}={b}" for a, b in opts.items()))
        bad = failures(report)
        for line in bad:
            print(f"  below floor: {line}")
        print("PASS" if not bad else "FAIL")
        failed |= bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
