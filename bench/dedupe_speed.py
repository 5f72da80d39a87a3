"""Throughput and peak memory of ``cleaner.dedupe`` next to plain datasketch, same corpus.

Plain datasketch is what a data engineer writes first: one ``MinHash(num_perm=128)`` per
paragraph fed shingle by shingle with ``update``, every paragraph inserted into a
``MinHashLSH`` and queried, candidates kept when the MinHash estimate reaches the threshold,
clusters as connected components. Both run on the same 5-gram shingles of the same matching
keys, each in its own subprocess (peak memory is that process's ``ru_maxrss``); both are
scored with the same per-kind precision and recall. For ``cleaner.dedupe`` the bytes of its
matching material per paragraph (``Prepared.nbytes``) are printed too.

By default both contenders run on the same ``--n`` paragraphs (plain datasketch takes about
a quarter of an hour on 200,000 here). ``--baseline-n`` runs plain datasketch on a smaller
corpus instead, where ``cleaner.dedupe`` runs too (the like-for-like speed-up); its time at
``--n`` is then extrapolated linearly and printed as an extrapolation, not a measurement.

Usage::

    python bench/dedupe_speed.py                       # 200k, both measured
    python bench/dedupe_speed.py --baseline-n 20000    # quicker: datasketch at 20k only
    python bench/dedupe_speed.py --cache /tmp/corpora   # keep the corpora for the next run

PASS when ``cleaner.dedupe`` is at least 5x faster (in wall time and in CPU time) on the same
corpus with recall no lower than plain datasketch's on any kind (0.005 tolerance for
sampling noise).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dedupe_eval import FLOORS, load, score  # noqa: E402
from dedupe_gen import generate, read_paragraphs  # noqa: E402

from cleaner.dedupe import DedupeOptions, Paragraph, run  # noqa: E402
from cleaner.dedupe.keys import SHINGLE_SIZE, shingle_text  # noqa: E402
from cleaner.dedupe.prepare import prepare  # noqa: E402

SPEEDUP_FLOOR = 5.0


class UnionFind:
    """Disjoint sets over ``0..n-1`` with path halving.

    >>> uf = UnionFind(4); uf.union(0, 1); uf.union(2, 1); uf.find(2) == uf.find(0)
    True
    """

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        """The root of ``x``'s set."""
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        """Merge the sets of ``a`` and ``b`` (the smaller root wins, for stable roots)."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def peak_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User and system CPU time of this process so far (steadier than wall time on a busy
    machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_ours(corpus: Path) -> dict[str, Any]:
    """cleaner.dedupe over the corpus, near mode, default options."""
    items = load(corpus)
    paragraphs = [Paragraph(it.id, "", 0, it.text) for it in items]
    opts = DedupeOptions()
    started, cpu = time.perf_counter(), cpu_seconds()
    prep = prepare(paragraphs, opts)
    result = run(paragraphs, opts, prepared=prep)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    report = score(items, [[m.doc_id for m in c.members] for c in result.clusters])
    material = prep.nbytes() / len(items)
    return {"seconds": seconds, "cpu": cpu, "report": report, "material": material}


def run_datasketch(corpus: Path) -> dict[str, Any]:
    """Plain datasketch usage over the corpus."""
    from datasketch import MinHash, MinHashLSH

    items = load(corpus)
    threshold = DedupeOptions.threshold
    started, cpu = time.perf_counter(), cpu_seconds()
    sketches = []
    for it in items:
        text = shingle_text(it.text)
        m = MinHash(num_perm=128)
        for j in range(max(1, len(text) - SHINGLE_SIZE + 1)):
            m.update(text[j : j + SHINGLE_SIZE].encode("utf-8"))
        sketches.append(m)
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    for i, m in enumerate(sketches):
        lsh.insert(i, m)
    uf = UnionFind(len(items))
    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            if j != i and m.jaccard(sketches[j]) >= threshold:
                uf.union(i, j)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    groups: dict[int, list[str]] = {}
    for i, it in enumerate(items):
        groups.setdefault(uf.find(i), []).append(it.id)
    clusters = [g for g in groups.values() if len(g) > 1]
    return {"seconds": seconds, "cpu": cpu, "report": score(items, clusters)}


def child(which: str, corpus: Path) -> dict[str, Any]:
    """Run one contender in a fresh process and read its figures."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", which, "--corpus", str(corpus)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_corpus(n: int, seed: int, folder: Path) -> tuple[Path, int]:
    """Generate a corpus of about ``n`` items from the seeds into a JSON lines file.

    A corpus already in ``folder`` (``--cache``) is reused: generating 200,000 items takes
    minutes, and the corpus is a pure function of ``n`` and ``seed``.
    """
    path = folder / f"corpus-{n}-{seed}.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as f:
            return path, sum(1 for line in f if line.strip())
    items = generate(read_paragraphs(sorted((ROOT / "seeds").glob("*.txt"))), n, seed)
    part = path.with_name(path.name + ".part")  # a run stopped midway leaves no corpus to reuse
    with part.open("w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(asdict(it), ensure_ascii=False) + "\n")
    part.replace(path)
    return path, len(items)


def recall_row(report: dict[str, Any]) -> str:
    """Recall per kind that has a recall floor, compactly."""
    return "  ".join(
        f"{k} {report[k]['recall']:.3f}" for k, (_, r) in FLOORS.items() if r is not None
    )


def main(argv: list[str] | None = None) -> int:
    """Measure both contenders, print the figures and PASS/FAIL."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200_000, help="paragraphs for cleaner.dedupe")
    ap.add_argument("--baseline-n", type=int, help="paragraphs for plain datasketch (default: --n)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", type=Path, help="folder to keep (and reuse) generated corpora")
    ap.add_argument("--child", choices=("ours", "datasketch"), help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        result = run_ours(args.corpus) if args.child == "ours" else run_datasketch(args.corpus)
        result["peak_mb"] = peak_mb()
        print(json.dumps(result))
        return 0
    baseline_n = args.baseline_n or args.n
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.cache or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        small, n_small = write_corpus(baseline_n, args.seed, folder)
        ours_small = child("ours", small)
        base = child("datasketch", small)
        big, n_big = (
            (small, n_small) if args.n == baseline_n else write_corpus(args.n, args.seed, folder)
        )
        ours_big = ours_small if big == small else child("ours", big)
    rows = [("plain datasketch", n_small, base), ("cleaner.dedupe", n_small, ours_small)]
    if big != small:
        rows.append(("cleaner.dedupe", n_big, ours_big))
    print(
        f"{'contender':<18}{'paragraphs':>11}{'seconds':>10}{'CPU s':>8}{'para/s':>10}"
        f"{'peak MB':>9}{'B/para':>8}  recall"
    )
    for name, n, r in rows:
        per_para = f"{r['material']:>8.0f}" if "material" in r else f"{'-':>8}"
        print(
            f"{name:<18}{n:>11}{r['seconds']:>10.1f}{r['cpu']:>8.1f}{n / r['seconds']:>10.0f}"
            f"{r['peak_mb']:>9.0f}"
            f"{per_para}  {recall_row(r['report'])}"
        )
    print(
        "(B/para: bytes of cleaner.dedupe's matching material per paragraph, texts not"
        " counted; peak MB: the whole process, corpus and texts included)"
    )
    # Both ratios must clear the floor: wall time is what a user waits, CPU time is what
    # the other jobs of a shared machine do not disturb.
    speedup = min(base["seconds"] / ours_small["seconds"], base["cpu"] / ours_small["cpu"])
    wall = base["seconds"] / ours_small["seconds"]
    print(
        f"\nspeed-up on the same {n_small} paragraphs: {wall:.1f}x wall time,"
        f" {base['cpu'] / ours_small['cpu']:.1f}x CPU time (floor {SPEEDUP_FLOOR}x)"
    )
    if n_big != n_small:
        base_big = base["seconds"] * n_big / n_small
        print(
            f"plain datasketch at {n_big} paragraphs, EXTRAPOLATED linearly from {n_small}:"
            f" {base_big:.0f} s -> speed-up {base_big / ours_big['seconds']:.1f}x"
            f" (cleaner.dedupe measured: {ours_big['seconds']:.1f} s,"
            f" {ours_big['peak_mb']:.0f} MB peak)"
        )
    worse = [
        k
        for k, (_, r) in FLOORS.items()
        if r is not None and ours_small["report"][k]["recall"] < base["report"][k]["recall"] - 0.005
    ]
    for k in worse:
        print(f"  recall below plain datasketch on {k}")
    ok = speedup >= SPEEDUP_FLOOR and not worse
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
