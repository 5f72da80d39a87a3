"""Dedupe on real news (the shared corpora): what is dropped is repeated by what is kept.

For each corpus (``../shared/corpora``: SaudiNewsNet, ten Saudi outlets with the wire agency
``was``; FarsNews and Varzesh3) the paragraphs are deduplicated as they were scraped (one
paragraph a non-blank line or list item, no cleaning, like ``cleaner dedupe --no-clean``), and
this prints, per run:

- the wire agency's copy: clusters holding a wire paragraph and another outlet's, and the
  other outlets' paragraphs in them;
- dropped-text coverage: dropped paragraphs unlike every kept paragraph, i.e. whose
  character 5-gram Jaccard is below 0.3 and whose share contained is below 0.8 against
  every kept one (the issue's measure: must be 0), and their share of the dropped
  characters;
- cluster coherence: the share of members at or above the threshold (Jaccard, or
  containment of the smaller as configured) against their representative, recounted
  here from the texts (must be 1.0);
- cluster sizes (count, largest, members in clusters of more than 10).

Scores are recounted from the texts with :func:`cleaner.dedupe.shingle_text` (the key the
dedupe compares on), not read from the clusters' own figures.

Usage: ``python eval/real/dedupe.py [--corpus NAME ...] [--docs N] [--keep first]
[--scope all] [--mode near] [--containment 0.8]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cleaner.dedupe import DedupeOptions, dedupe, shingle_text  # noqa: E402
from cleaner.dedupe.cluster import DedupeResult  # noqa: E402

#: The shared corpora beside the repository (``CLEANER_CORPORA`` names another folder).
CORPORA = Path(os.environ.get("CLEANER_CORPORA") or ROOT.parent / "shared" / "corpora")

#: Corpus file and its wire agency (the outlet whose copy others carry).
KNOWN = {
    "saudinewsnet": ("saudinewsnet-dev.jsonl.gz", "was"),
    "farsnews-varzesh3": ("farsnews-varzesh3.jsonl.gz", "farsnews"),
}

#: "Unlike" in the issue's measure: below both against every kept paragraph.
UNLIKE_JACCARD, UNLIKE_CONTAINED = 0.3, 0.8


def read_docs(path: Path, limit: int | None = None) -> list[tuple[str, str, list[str], str]]:
    """``(doc_id, source, paragraphs, outlet)`` of a corpus's records, as scraped."""
    docs = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            raw = rec.get("paragraphs") or str(rec.get("content") or "").split("\n")
            paras = [p.strip() for p in raw if p and p.strip()]
            outlet = str(rec.get("source") or "")
            docs.append((str(rec["id"]), f"{path.name}:{len(docs) + 1}", paras, outlet))
            if limit is not None and len(docs) >= limit:
                break
    return docs


def shingles(text: str, k: int = 5) -> frozenset[str]:
    """Character k-grams of a paragraph's matching key."""
    key = shingle_text(text)
    return (
        frozenset(key[i : i + k] for i in range(max(1, len(key) - k + 1))) if key else frozenset()
    )


def scores(a: frozenset[str], b: frozenset[str]) -> tuple[float, float]:
    """Jaccard of two sets, and the share of ``a`` found in ``b``."""
    if not a or not b:
        return 0.0, 0.0
    inter = len(a & b)
    return inter / len(a | b), inter / len(a)


@dataclass(frozen=True)
class Check:
    """What one run's output says about dropped text and clusters."""

    paragraphs: int
    dropped: int
    dropped_chars: int
    unlike: list[tuple[str, int]]
    unlike_chars: int
    members: int
    coherent: int
    sizes: list[int]
    wire_clusters: int
    wire_copies: int
    outlets_per_cluster: Counter[int]
    duplicate_documents: int


def check(
    docs: Sequence[tuple[str, str, Sequence[str], str]],
    result: DedupeResult,
    opts: DedupeOptions,
    wire: str | None = None,
) -> Check:
    """Recount, from the texts, the coverage of dropped paragraphs and the coherence of
    clusters (see the module's doc)."""
    text = {(d, i): p for d, _, paras, _ in docs for i, p in enumerate(paras)}
    outlet = {d: o for d, _, _, o in docs}
    dropped = result.dropped_ids()
    cache: dict[tuple[str, int], frozenset[str]] = {}

    def sh(uid: tuple[str, int]) -> frozenset[str]:
        if uid not in cache:
            cache[uid] = shingles(text[uid])
        return cache[uid]

    # Coverage: against the kept members of its own cluster first, then every kept one.
    kept_in: dict[int, list[tuple[str, int]]] = {}
    cluster_of: dict[tuple[str, int], int] = {}
    members = coherent = wire_clusters = wire_copies = 0
    sizes = []
    outlets_per_cluster: Counter[int] = Counter()
    for c in result.clusters:
        uids = [(m.doc_id, m.index) for m in c.members]
        sizes.append(len(uids))
        kept_in[c.id] = [u for u in uids if u not in dropped]
        for u in uids:
            cluster_of[u] = c.id
        rep = sh(uids[0])
        for u in uids[1:]:
            members += 1
            coherent += _near(sh(u), rep, opts)
        names = {outlet.get(u[0], "") for u in uids}
        outlets_per_cluster[len(names)] += 1
        if wire and wire in names and len(names) > 1:
            wire_clusters += 1
            wire_copies += sum(1 for u in uids if outlet.get(u[0]) != wire)
    unlike = []
    rest: list[tuple[str, int]] = []
    original = {d.doc_id: d.duplicate_of for d in result.documents}
    for uid in sorted(dropped):
        own = sh(uid)
        near = list(kept_in.get(cluster_of.get(uid, -1), ()))
        if uid[0] in original and (original[uid[0]], uid[1]) not in dropped:
            near.append((original[uid[0]], uid[1]))  # the same place of the document it repeats
        # The same text kept elsewhere repeats it, even one with no shingle (a lone ".").
        if not any(text[k] == text[uid] or _like(own, sh(k)) for k in near):
            rest.append(uid)
    if rest:
        kept = [u for u in text if u not in dropped]
        unlike = [u for u in rest if not _like_any(sh(u), kept, sh)]
    return Check(
        paragraphs=len(text),
        dropped=len(dropped),
        dropped_chars=sum(len(text[u]) for u in dropped),
        unlike=unlike,
        unlike_chars=sum(len(text[u]) for u in unlike),
        members=members,
        coherent=coherent,
        sizes=sizes,
        wire_clusters=wire_clusters,
        wire_copies=wire_copies,
        outlets_per_cluster=outlets_per_cluster,
        duplicate_documents=len(result.documents),
    )


def _near(member: frozenset[str], rep: frozenset[str], opts: DedupeOptions) -> bool:
    """At or above the run's threshold against the representative (Jaccard, or the
    smaller's containment when it has enough shingles)."""
    jaccard, _ = scores(member, rep)
    if jaccard >= opts.threshold:
        return True
    if opts.containment is None or not member or not rep:
        return False
    smaller = min(len(member), len(rep))
    return smaller >= opts.min_contained and len(member & rep) / smaller >= opts.containment


def _like(dropped: frozenset[str], kept: frozenset[str]) -> bool:
    jaccard, contained = scores(dropped, kept)
    return jaccard >= UNLIKE_JACCARD or contained >= UNLIKE_CONTAINED


def _like_any(dropped: frozenset[str], kept: list[tuple[str, int]], sh: Any) -> bool:
    """Whether any kept paragraph is like ``dropped`` (the kept sharing a shingle only)."""
    return any(_like(dropped, sh(k)) for k in kept if not dropped.isdisjoint(sh(k)))


def runs(args: argparse.Namespace) -> Iterator[tuple[str, Check, float]]:
    for name in args.corpus:
        file, wire = KNOWN[name]
        docs = read_docs(CORPORA / file, args.docs)
        opts = DedupeOptions(
            mode=args.mode, keep=args.keep, scope=args.scope, containment=args.containment
        )
        started = time.perf_counter()
        result = dedupe(
            docs, mode=opts.mode, keep=opts.keep, scope=opts.scope, containment=opts.containment
        )
        seconds = time.perf_counter() - started
        yield name, check(docs, result, opts, wire), seconds


def show(name: str, c: Check, seconds: float, wire: str) -> None:
    sizes = np.array(c.sizes or [0])
    print(f"\n{name}: {c.paragraphs:,} paragraphs, dedupe {seconds:.1f} s")
    print(
        f"  wire ({wire}) copy in other outlets: {c.wire_clusters:,} clusters,"
        f" {c.wire_copies:,} paragraphs of other outlets"
    )
    print(f"  documents repeating one of their outlet word for word: {c.duplicate_documents:,}")
    share = c.unlike_chars / c.dropped_chars if c.dropped_chars else 0.0
    print(
        f"  dropped: {c.dropped:,} paragraphs; unlike every kept paragraph: {len(c.unlike)}"
        f" ({share:.1%} of the dropped characters)  [floor 0]"
    )
    coherence = c.coherent / c.members if c.members else 1.0
    print(
        f"  coherence: {c.coherent:,} of {c.members:,} members >= threshold vs representative"
        f" = {coherence:.4f}  [floor 1.0]"
    )
    big = int(sizes[sizes > 10].sum())
    print(
        f"  clusters: {len(c.sizes):,}, largest {int(sizes.max())},"
        f" median {float(np.median(sizes))},"
        f" members in clusters of more than 10: {big:,};"
        f" outlets a cluster: {dict(sorted(c.outlets_per_cluster.items()))}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", nargs="+", default=sorted(KNOWN), choices=sorted(KNOWN))
    ap.add_argument("--docs", type=int, default=None, help="first N records of each corpus")
    ap.add_argument("--mode", default="near")
    ap.add_argument("--keep", default="first")
    ap.add_argument("--scope", default="all")
    ap.add_argument("--containment", type=float, default=DedupeOptions.containment)
    args = ap.parse_args(argv)
    missing = [n for n in args.corpus if not (CORPORA / KNOWN[n][0]).exists()]
    if missing:
        print(f"dedupe eval: corpora not found under {CORPORA}: {', '.join(missing)}")
        return 1
    failed = False
    for name, c, seconds in runs(args):
        show(name, c, seconds, KNOWN[name][1])
        failed |= bool(c.unlike) or c.coherent != c.members
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
