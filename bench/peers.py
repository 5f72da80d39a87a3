"""cleaner's dedupe next to its peers (rensa, plain datasketch) on one corpus, in one run.

The peer comparison of issue 11's floors. One labelled corpus from ``bench/dedupe_gen.py``
(real paragraphs of the seeds and salads of their words, each base with an exact copy, an
orthographic variant, an attribution added or removed, a light edit, and a line quoted in a
longer paragraph; a fifth of distractors), written as JSON lines (one paragraph a record).
Each contender runs in a fresh process, one after the other, so its peak resident memory
(``ru_maxrss``) is its own:

* ``cleaner -j 1`` / ``cleaner -j 2``: the real command, default near mode at the peers'
  threshold (``cleaner dedupe CORPUS --no-clean --threshold T --clusters OUT -q -j N``; at
  0.5 its bands are 25x5 of 128 values), through ``scale_bench.measured``: peak of the main
  process and of its largest worker, CPU of both, and the peak PSS of the two together
  (proportional set size: a page they share counts once, where the sum of their peaks
  counts it twice);
* ``rensa``: Rust MinHash (``RMinHash.from_token_sets``, 125 values) and ``RMinHashLSH``
  with 25 bands of 5 rows, every candidate verified by the exact Jaccard of the two
  paragraphs' shingle sets (a "verified" peer: no pair on the estimate alone);
* ``datasketch``: ``MinHash.bulk`` (128 values) and ``MinHashLSH(params=(25, 5))``,
  candidates verified the same way.

Every contender shingles alike: the character 5-grams of ``cleaner.dedupe.keys.shingle_text``
(the matching key with its spaces), each text's key made once (``shingle_texts``) for the
peers' tokens and for their exact sets alike. The peers' clusters are the connected
components of their verified pairs, the way a user of a MinHash-LSH library groups them;
cleaner's are its own (clusters file): stars around the kept paragraph, each with the
paragraphs it reports as related (kept: they repeat a member, not the representative). All
are scored by ``dedupe_eval.score`` on the clusters alone: pair precision (share of the pairs
of members of one cluster that are of one group) and recall per variant kind (share of the
items of a kind in one cluster with another item of their group). Both count an item found
when it has a verified pair with its group, at the same Jaccard threshold on the same
shingle sets (a component holds every pair; a star or its related list holds each
paragraph's pair with a member); cleaner also verifies containment (quoted lines).

Wall time is the child process's, start to exit (reading the corpus and writing the
clusters included); CPU time is the child's user + system time (and its workers' or
threads'), steadier on a shared machine. The last lines compare each cleaner run to rensa
on the floors: throughput >= rensa's, peak memory <= rensa's (cleaner ``-j 2``: main +
largest worker, the stricter measure; PSS and the machine's memory printed beside),
cluster-pair precision >= 0.95, recall on every kind >= rensa's. rensa runs
its sketches and queries on Rust threads over every core, as cleaner's default (all cores:
``-j 2`` on the 2-core machine the figures come from) runs its stages on its pool; so the
floors are held against ``cleaner -j 2``, and ``-j 1`` (one core against rensa's threads)
is printed beside it, with the CPU ratio.

A peer whose package is not installed is skipped with a message (``pip install -e
'.[bench]'`` installs rensa; datasketch is a dependency of cleaner).

Usage::

    python bench/peers.py --n 50000
    python bench/peers.py --n 200000 --cache /tmp/peer-corpora   # keep the corpus
    python bench/peers.py --n 50000 --only cleaner-j1,rensa

Exit status 0 when every floor holds for ``cleaner -j 2``, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dedupe_eval import FLOORS, load, score  # noqa: E402
from dedupe_speed import UnionFind, write_corpus  # noqa: E402
from scale_bench import measured, run_sampled  # noqa: E402

from cleaner.dedupe.keys import SHINGLE_SIZE, batch_shingles, shingle_texts  # noqa: E402

BANDS, ROWS = 25, 5
PRECISION_FLOOR = 0.95
#: Kinds whose recall is measured (an anchor to be clustered with).
RECALL_KINDS = [k for k, (_, r) in FLOORS.items() if r is not None]
CONTENDERS = ("cleaner-j1", "cleaner-j2", "rensa", "datasketch")
#: The package each peer needs.
PACKAGES = {"rensa": "rensa", "datasketch": "datasketch"}


def shingles(keys: Sequence[str]) -> Iterator[list[str]]:
    """The character 5-grams of each shingle text, as strings (the peers' tokens)."""
    k = SHINGLE_SIZE
    for key in keys:
        yield [key[j : j + k] for j in range(max(1, len(key) - k + 1))] if key else []


def exact_sets(keys: Sequence[str]) -> list[Any]:
    """Each shingle text's set of shingles, as sorted unique 64-bit hashes (the same 5-grams)."""
    import numpy as np

    hashes, off = batch_shingles(keys)
    return [np.unique(hashes[off[i] : off[i + 1]]) for i in range(len(keys))]


def verified_components(
    n: int, candidates: Iterator[tuple[int, Sequence[int]]], sets: Sequence[Any], threshold: float
) -> tuple[list[list[int]], int, int]:
    """Connected components of the candidate pairs whose exact Jaccard reaches ``threshold``.

    Returns the components of two or more, the candidate pairs checked and those kept.
    """
    import numpy as np

    uf = UnionFind(n)
    checked = kept = 0
    for i, found in candidates:
        a = sets[i]
        for j in found:
            if j <= i:  # each unordered pair once
                continue
            b = sets[j]
            checked += 1
            shared = np.intersect1d(a, b, assume_unique=True).size
            union = a.size + b.size - shared
            if union and shared >= threshold * union:
                kept += 1
                uf.union(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(uf.find(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1], checked, kept


def run_rensa(texts: Sequence[str], threshold: float) -> tuple[list[list[int]], int, int]:
    """rensa's MinHash and LSH (25 bands of 5), candidates verified exactly."""
    from rensa import RMinHash, RMinHashLSH

    num_perm = BANDS * ROWS
    keys = shingle_texts(texts)
    sketches = RMinHash.from_token_sets(shingles(keys), num_perm, 1)
    lsh = RMinHashLSH(threshold, num_perm, BANDS)
    lsh.insert_many(sketches)
    found = lsh.query_all(sketches)
    sets = exact_sets(keys)
    return verified_components(len(texts), enumerate(found), sets, threshold)


def run_datasketch(texts: Sequence[str], threshold: float) -> tuple[list[list[int]], int, int]:
    """datasketch's MinHash (bulk) and MinHashLSH (25 bands of 5), candidates verified exactly."""
    from datasketch import MinHash, MinHashLSH

    keys = shingle_texts(texts)
    sketches = MinHash.bulk(
        ([s.encode("utf-8") for s in doc] for doc in shingles(keys)), num_perm=128
    )
    lsh = MinHashLSH(threshold=threshold, num_perm=128, params=(BANDS, ROWS))
    with lsh.insertion_session() as session:
        for i, m in enumerate(sketches):
            session.insert(i, m)
    sets = exact_sets(keys)
    found = ((i, lsh.query(m)) for i, m in enumerate(sketches))
    return verified_components(len(texts), found, sets, threshold)


def child(which: str, corpus: Path, out: Path, threshold: float) -> None:
    """Run one peer over the corpus in this (fresh) process; clusters of ids to ``out``."""
    with corpus.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    ids = [r["id"] for r in records]
    texts = [r["text"] for r in records]
    del records
    peer = run_rensa if which == "rensa" else run_datasketch
    clusters, checked, kept = peer(texts, threshold)
    with out.open("w", encoding="utf-8") as f:
        for c in clusters:
            f.write(json.dumps([ids[i] for i in c], ensure_ascii=False) + "\n")
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "main_peak_mb": round(own.ru_maxrss / 1024),
                "worker_peak_mb": 0,
                "main_cpu": own.ru_utime + own.ru_stime,
                "worker_cpu": 0.0,
                "candidates": checked,
                "verified": kept,
            }
        )
    )


def run_peer(which: str, corpus: Path, out: Path, threshold: float) -> dict[str, Any]:
    """One peer in a fresh process: wall seconds and the figures it reports."""
    started = time.perf_counter()
    cmd = [sys.executable, __file__, "--child", which, "--corpus", str(corpus)]
    code, stdout, stderr, rise, pss = run_sampled(
        [*cmd, "--out", str(out), "--threshold", str(threshold)], None
    )
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"{which} failed:\n{stderr.decode('utf-8', 'replace')}")
    return {
        "seconds": seconds,
        **json.loads(stdout.decode().strip().splitlines()[-1]),
        "machine_mb": rise,
        "pss_mb": pss,
    }


def run_cleaner(workers: int, corpus: Path, out: Path, threshold: float) -> dict[str, Any]:
    """The real `cleaner dedupe` command in a fresh process (scale_bench's wrapper)."""
    args = ["dedupe", str(corpus), "--no-clean", "--threshold", str(threshold)]
    args += ["--clusters", str(out), "-q", "-j", str(workers)]
    seconds, fig, _ = measured(args, None)
    return {"seconds": seconds, **fig}


def cleaner_clusters(path: Path) -> list[list[str]]:
    """Ids of each cluster of a clusters file: its members, then the paragraphs it reports
    as related (kept: they repeat a member, not the representative)."""
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                c = json.loads(line)
                out.append([m["doc_id"] for m in c["members"] + c.get("related", [])])
    return out


def peer_clusters(path: Path) -> list[list[str]]:
    """Member ids of each cluster a peer wrote."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def all_pairs(items: Sequence[Any], clusters: Sequence[Sequence[str]]) -> tuple[int, int]:
    """Pairs of members of one cluster, and how many of them are of one group."""
    from collections import Counter

    group = {it.id: it.group for it in items}
    total = good = 0
    for ids in clusters:
        n = len(ids)
        total += n * (n - 1) // 2
        good += sum(c * (c - 1) // 2 for c in Counter(group[m] for m in ids).values())
    return total, good


def main(argv: list[str] | None = None) -> int:
    """Generate the corpus, run every contender, score them, print the table and floors."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=50_000, help="paragraphs in the corpus")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threshold", type=float, default=0.5, help="Jaccard threshold of all")
    ap.add_argument("--cache", type=Path, help="folder to keep (and reuse) generated corpora")
    ap.add_argument("--only", default=",".join(CONTENDERS), help="contenders to run")
    ap.add_argument("--child", choices=tuple(PACKAGES), help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.corpus, args.out, args.threshold)
        return 0
    wanted = [c for c in args.only.split(",") if c]
    unknown = set(wanted) - set(CONTENDERS)
    if unknown:
        ap.error(f"unknown contenders: {', '.join(sorted(unknown))}")
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.cache or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        corpus, n = write_corpus(args.n, args.seed, folder)
        items = load(corpus)
        print(f"corpus: {n} paragraphs ({corpus.name}), ready in {time.perf_counter() - t:.0f} s")
        for name in wanted:
            package = PACKAGES.get(name)
            if package and importlib.util.find_spec(package) is None:
                print(f"{name}: skipped, not installed (pip install -e '.[bench]')", flush=True)
                continue
            out = Path(tmp, f"{name}.jsonl")
            if name.startswith("cleaner"):
                row = run_cleaner(int(name[-1]), corpus, out, args.threshold)
                clusters = cleaner_clusters(out)
            else:
                row = run_peer(name, corpus, out, args.threshold)
                clusters = peer_clusters(out)
            row["report"] = score(items, clusters)
            row["pairs"], row["good"] = all_pairs(items, clusters)
            row["largest"] = max((len(c) for c in clusters), default=0)
            row["clusters"] = len(clusters)
            rows[name] = row
            print(f"{name}: done in {row['seconds']:.1f} s", flush=True)
    show(rows, n)
    return floors(rows, n)


def peak(row: dict[str, Any]) -> int:
    """Peak memory of a contender: its process, plus its largest worker if any (MB)."""
    return int(row["main_peak_mb"]) + int(row["worker_peak_mb"])


def cpu(row: dict[str, Any]) -> float:
    """CPU seconds of a contender: its process (and threads), plus its workers."""
    return float(row["main_cpu"]) + float(row["worker_cpu"])


def precision(row: dict[str, Any]) -> float:
    """Cluster-pair precision (1.0 with no pair)."""
    return row["good"] / row["pairs"] if row["pairs"] else 1.0


def show(rows: dict[str, dict[str, Any]], n: int) -> None:
    """Print one line per contender."""
    print(
        f"\n{'contender':<12}{'wall s':>8}{'CPU s':>8}{'para/s':>9}{'peak MB':>9}{'main MB':>9}"
        f"{'worker MB':>10}{'PSS MB':>8}{'machine MB':>11}"
        f"{'clusters':>9}{'largest':>8}{'pairs':>10}{'pair P':>8}  recall " + " ".join(RECALL_KINDS)
    )
    for name, r in rows.items():
        recall = " ".join(f"{r['report'][k]['recall']:.4f}" for k in RECALL_KINDS)
        print(
            f"{name:<12}{r['seconds']:>8.1f}{cpu(r):>8.1f}{n / r['seconds']:>9.0f}{peak(r):>9}"
            f"{r['main_peak_mb']:>9}{r['worker_peak_mb']:>10}{r.get('pss_mb', 0):>8}"
            f"{r.get('machine_mb', 0):>11}"
            f"{r['clusters']:>9}{r['largest']:>8}{r['pairs']:>10}{precision(r):>8.4f}  {recall}"
        )
    print(
        "(peak MB: ru_maxrss of the contender's process, + its largest worker for -j 2 (the"
        " shared memory both touch counted twice); PSS MB: the largest proportional set size"
        " of the process and its workers together, sampled 5 times a second (a page they"
        " share counts once); machine MB: the largest rise of the"
        " machine's memory in use during the run (each page once; another job's memory counts"
        " too: a quiet machine's figure); CPU s: user + system of the process and its workers;"
        " para/s on wall time)"
    )


def floors(rows: dict[str, dict[str, Any]], n: int) -> int:
    """Print each cleaner run against rensa on the floors; 1 when ``cleaner -j 2`` misses one."""
    rensa = rows.get("rensa")
    failed = False
    for name in ("cleaner-j1", "cleaner-j2"):
        r = rows.get(name)
        if r is None:
            continue
        checks = [("pair precision", precision(r) >= PRECISION_FLOOR, f"{precision(r):.4f}")]
        if rensa is None:
            print(f"{name}: rensa not run, only the precision floor is checked")
        else:
            checks += [
                (
                    "throughput",
                    r["seconds"] <= rensa["seconds"],
                    f"{n / r['seconds']:.0f} vs {n / rensa['seconds']:.0f} para/s,"
                    f" CPU {cpu(r) / cpu(rensa):.2f}x rensa's",
                ),
                (
                    "peak memory",
                    peak(r) <= peak(rensa),
                    f"{peak(r)} vs {peak(rensa)} MB; PSS {r.get('pss_mb', 0)}"
                    f" vs {rensa.get('pss_mb', 0)} MB; machine {r.get('machine_mb', 0)}"
                    f" vs {rensa.get('machine_mb', 0)} MB",
                ),
            ]
            for k in RECALL_KINDS:
                mine, theirs = r["report"][k]["recall"], rensa["report"][k]["recall"]
                checks.append((f"recall {k}", mine >= theirs, f"{mine:.4f} vs {theirs:.4f}"))
        line = "; ".join(f"{what} {'met' if ok else 'NOT MET'} ({fig})" for what, ok, fig in checks)
        print(f"{name} vs rensa: {line}")
        if name == "cleaner-j2":
            failed = not all(ok for _, ok, _ in checks)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
