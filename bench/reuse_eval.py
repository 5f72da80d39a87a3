"""Score reuse mode: generated rounds per kind, and the hand-labelled pairs of the seeds.

Generated rounds (``bench/reuse_gen.py``), scored on the verified pairs of each run:

* ``reuse`` recall: share of reuse items paired with their source;
* ``decoy`` kept apart: share of decoys paired with nothing (a decoy has no true partner);
* precision: verified pairs that are true over all verified pairs of known truth (a pair
  touching a made item; two real paragraphs are of unknown truth unless hand-labelled).

Hand labels (``bench/reuse_seed_labels.tsv``) are scored in two batches: the raw seed
files (every non-blank line a paragraph), and the cleaned seed folder as ``cleaner golden``
sees it, where each article also arrives a second time from its HTML page (syndicated
copies make every word of them look twice as common).

Usage::

    python bench/reuse_eval.py                 # 40 rounds + both label batches
    python bench/reuse_eval.py --rounds 5 --no-clean
    python bench/reuse_eval.py --reuse-min-weight 5.5   # any DedupeOptions reuse knob

Exit status 0 when every floor holds, 1 otherwise.

Measured (``python bench/reuse_eval.py``: rounds 0-39, where the defaults were chosen;
``--seed 100 --no-clean``: rounds 100-139, held out; both with the generator of
2026-11-22, whose reuse clauses keep a word of their source that is not common):

==============================  ===========  ===========  ===========  ===========  ==========
scoring                          recall       decoys apart precision    seeds raw    seeds clean
==============================  ===========  ===========  ===========  ===========  ==========
words by IDF, share of both      0.428        0.972        0.957        r .67 p .92  r .29 p 1.0
(rounds 0-19 *)                                                                      issue pairs
                                                                                     missed
rare bigrams, share of larger    0.592        0.953        0.937        r .72 p 1.0  r .57 p 1.0
(before, 4.0 / 0.15)             held out     held out     held out
                                 0.586        0.924        0.905
chains of shared runs, word x    0.646        0.989        0.987        r .67 p 1.0  r .43 p 1.0
phrase rarity (now, 5.75 /       held out     held out     held out
0.15, gap 2, two chains)         0.627        0.984        0.978
==============================  ===========  ===========  ===========  ===========  ==========

(*) before link-list lines were kept out of rounds (``MAX_WORDS``).

Floors not met. Every score tried traces about the same curve on these one-story rounds of
~50 paragraphs; the chains move it up: a little more recall than the bigram share with
about a fifth of its false pairs (6 instead of 29 on rounds 0-39). Tried on rounds 0-39
(pairs scored offline, best recall with precision and decoys apart at least 0.985): words
by IDF along the best chain 0.63; rare bigrams alone along the chain 0.49; word rarity
times phrase rarity, gaps of one word, one chain 0.66, two chains 0.69 (but then the
frame of 001:18-004:6 outweighs 000:9-000:12, see below);
a discount for words that always follow the one before elsewhere in the batch (names
written in full) 0.64, and it also discounts a line that a third paragraph carries, which
is the reuse the issue asks for. Left as false pairs: two made lines with one attribution
frame and speaker («وقال مسؤول أمريكي رفيع إن» twice in a round of a dozen Arabic
paragraphs, where nothing else makes the frame common) and real paragraphs sharing a
story's terms. Left as misses: reused clauses made mostly of the story's common words
(«مقامهای روس بارها از پاسخ غرب به»), which a batch of ~50 paragraphs cannot tell from
decoys by rarity. On the seeds the margin is thin: the two pairs of issue 3 weigh 6.3 and
6.6 (raw lines), 5.8 and 6.3 (cleaned batch); the heaviest labelled distinct pair, the
frame «جن ساکی سخنگوی کاخ سفید» of 001:18-004:6, weighs 5.5.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dedupe_gen import Item  # noqa: E402
from reuse_gen import LABELS, load_labels, related_texts, seed_round  # noqa: E402

from cleaner.dedupe import DedupeOptions, Paragraph, paragraphs_of, run  # noqa: E402
from cleaner.dedupe.keys import dedupe_key  # noqa: E402

SEEDS = ROOT / "seeds"

#: Floors: generated rounds, then the hand labels (the two pairs issue 3 names must be found).
FLOORS = {"reuse_recall": 0.9, "decoy_kept_apart": 0.99, "precision": 0.99}
LABEL_FLOORS = {"precision": 0.99}
REQUIRED = (("000", 9, "000", 12), ("001", 18, "004", 7))


@dataclass
class Tally:
    """Counts over one or more generated rounds."""

    reuse: int = 0
    reuse_found: int = 0
    decoys: int = 0
    decoys_paired: int = 0
    true_pairs: int = 0
    false_pairs: int = 0
    unknown_pairs: int = 0
    seconds: float = 0.0
    false_examples: list[tuple[Item, Item]] = field(default_factory=list)
    missed: list[tuple[Item, Item]] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        """Recall, decoys kept apart and precision."""
        known = self.true_pairs + self.false_pairs
        return {
            "reuse_recall": self.reuse_found / self.reuse if self.reuse else 1.0,
            "decoy_kept_apart": 1 - self.decoys_paired / self.decoys if self.decoys else 1.0,
            "precision": self.true_pairs / known if known else 1.0,
        }


def _real(item: Item, by_id: dict[str, Item]) -> set[str]:
    """The real paragraphs an item is made of (itself, or its host and its source)."""
    if item.kind == "source":
        return {item.text}
    made = {item.host or ""}
    if item.kind == "reuse" and item.anchor:
        made.add(by_id[item.anchor].text)
    return made


def score_round(
    items: Sequence[Item], tally: Tally, related: Collection[frozenset[str]] = (), **options: Any
) -> None:
    """Run reuse mode over one round and add its counts to ``tally``.

    ``related``: pairs of real paragraphs the hand labels relate; a pair of items built
    from such paragraphs is of unknown truth and left unscored.
    """
    paragraphs = [Paragraph(it.id, "", 0, it.text) for it in items]
    opts = DedupeOptions(**{"mode": "reuse", **options})
    started = time.perf_counter()
    result = run(paragraphs, opts)
    tally.seconds += time.perf_counter() - started
    by_id = {it.id: it for it in items}
    pairs = {frozenset((items[p.a].id, items[p.b].id)) for p in result.pairs}
    unknown = {
        frozenset((a.id, b.id))
        for i, a in enumerate(items)
        for b in items[i + 1 :]
        if a.group != b.group
        and any(frozenset((x, y)) in related for x in _real(a, by_id) for y in _real(b, by_id))
    }
    for it in items:
        if it.kind == "reuse":
            tally.reuse += 1
            hit = frozenset((it.id, it.anchor)) in pairs
            tally.reuse_found += hit
            if not hit:
                tally.missed.append((it, by_id[it.anchor or ""]))
        elif it.kind == "decoy":
            tally.decoys += 1
            tally.decoys_paired += any(it.id in p and p not in unknown for p in pairs)
    for pair in pairs:
        a, b = (by_id[i] for i in sorted(pair))
        if a.kind == b.kind == "source" or pair in unknown:
            tally.unknown_pairs += 1
        elif a.group == b.group:
            tally.true_pairs += 1
        else:
            tally.false_pairs += 1
            tally.false_examples.append((a, b))


def seed_documents() -> list[tuple[str, str, list[str]]]:
    """The raw seed files as documents: every non-blank line a paragraph (id: file name)."""
    docs = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        docs.append((path.name, path.name, [ln for ln in lines if ln]))
    return docs


def cleaned_documents() -> list[tuple[str, str, list[str]]]:
    """The seed folder cleaned as ``cleaner golden`` does (HTML copies included)."""
    from cleaner.config import CleanConfig
    from cleaner.errors import InputError
    from cleaner.io.inputs import iter_sources
    from cleaner.pipeline.run import clean_sources
    from cleaner.rules import Rulebook

    config = CleanConfig()
    book = Rulebook.load(config.rules_dirs, config.builtin_rules)
    results = clean_sources(iter_sources([str(SEEDS)]), config, book)
    return [(r.id, r.id, list(r.paragraphs)) for r in results if not isinstance(r, InputError)]


def locate(docs: Sequence[tuple[str, str, Sequence[str]]]) -> dict[tuple[str, int], int]:
    """``(file prefix, line) -> batch position`` of every labelled line found in ``docs``.

    A line is found by its matching key; the k-th copy of a repeated line in the file is
    the k-th paragraph with that key in the document.
    """
    raw = {p.name[:3]: p.read_text(encoding="utf-8").splitlines() for p in SEEDS.glob("*.txt")}
    positions: dict[tuple[str, str], list[int]] = {}
    k = 0
    for doc_id, _, paras in docs:
        for text in paras:
            if doc_id.endswith(".txt"):  # the HTML copies only weigh in on word frequencies
                positions.setdefault((doc_id[:3], dedupe_key(text)), []).append(k)
            k += 1
    out = {}
    for fa, la, fb, lb, _, _ in load_labels(LABELS):
        for f, ln in ((fa, la), (fb, lb)):
            key = dedupe_key(raw[f][ln - 1])
            copy = sum(dedupe_key(line) == key for line in raw[f][: ln - 1])
            found = positions.get((f, key), [])
            if copy < len(found):
                out[(f, ln)] = found[copy]
    return out


def score_labels(docs: Sequence[tuple[str, str, Sequence[str]]], **options: Any) -> dict[str, Any]:
    """Reuse mode over a batch of seed documents, scored on the hand-labelled pairs."""
    opts = DedupeOptions(**{"mode": "reuse", **options})
    result = run(paragraphs_of(docs), opts)
    pairs = {frozenset((p.a, p.b)) for p in result.pairs}
    where = locate(docs)
    found: dict[str, list[str]] = {"reuse": [], "distinct": [], "unclear": []}
    counts = {"reuse": 0, "distinct": 0, "unclear": 0, "unmapped": 0}
    required_found = []
    for fa, la, fb, lb, label, why in load_labels(LABELS):
        a, b = where.get((fa, la)), where.get((fb, lb))
        if a is None or b is None:
            counts["unmapped"] += 1
            continue
        counts[label] += 1
        hit = frozenset((a, b)) in pairs
        if hit:
            found[label].append(f"{fa}:{la} {fb}:{lb}  {why}")
        if (fa, la, fb, lb) in REQUIRED:
            required_found.append(hit)
    tp, fp = len(found["reuse"]), len(found["distinct"])
    return {
        "counts": counts,
        "recall": tp / counts["reuse"] if counts["reuse"] else float("nan"),
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "required": required_found,
        "found": found,
        "missed": [
            f"{fa}:{la} {fb}:{lb}  {why}"
            for fa, la, fb, lb, label, why in load_labels(LABELS)
            if label == "reuse"
            and (fa, la) in where
            and (fb, lb) in where
            and frozenset((where[(fa, la)], where[(fb, lb)])) not in pairs
        ],
    }


def rounds(n: int, first_seed: int = 0, **options: Any) -> Tally:
    """Score ``n`` generated rounds of the seed story."""
    tally = Tally()
    related = related_texts(LABELS, SEEDS)
    for seed in range(first_seed, first_seed + n):
        score_round(seed_round(seed), tally, related, **options)
    return tally


def round_failures(tally: Tally) -> list[str]:
    """Floors the generated rounds miss."""
    figures = tally.figures()
    return [f"{k} {figures[k]:.4f} < {v}" for k, v in FLOORS.items() if figures[k] < v]


def label_failures(report: dict[str, Any]) -> list[str]:
    """Floors the hand labels miss."""
    out = [f"precision {report['precision']:.4f} < {v}" for v in LABEL_FLOORS.values()]
    out = out if report["precision"] < LABEL_FLOORS["precision"] else []
    if not report["required"] or not all(report["required"]):
        out.append(f"a required pair of issue 3 is missing: {report['required']}")
    return out


def _show_round(tally: Tally, verbose: bool) -> None:
    f = tally.figures()
    print(
        f"generated: {tally.reuse} reuse, {tally.decoys} decoys, "
        f"{tally.true_pairs + tally.false_pairs} scored pairs "
        f"({tally.unknown_pairs} pairs of real paragraphs unscored), {tally.seconds:.2f}s"
    )
    print(
        f"  reuse recall {f['reuse_recall']:.4f} (floor {FLOORS['reuse_recall']})   "
        f"decoys kept apart {f['decoy_kept_apart']:.4f} (floor {FLOORS['decoy_kept_apart']})   "
        f"precision {f['precision']:.4f} (floor {FLOORS['precision']})"
    )
    if verbose:
        for a, b in tally.false_examples[:10]:
            print(f"  FALSE {a.kind}/{b.kind}\n    {a.text}\n    {b.text}")
        for a, b in tally.missed[:10]:
            print(f"  MISSED\n    {a.text}\n    {b.text}")


def _show_labels(title: str, report: dict[str, Any], verbose: bool) -> None:
    c = report["counts"]
    print(
        f"{title}: {c['reuse']} reuse / {c['distinct']} distinct pairs labelled"
        f" ({c['unclear']} unclear, {c['unmapped']} not in this batch)"
    )
    print(
        f"  recall {report['recall']:.4f}   precision {report['precision']:.4f}"
        f"   distinct pairs paired {len(report['found']['distinct'])}"
        f"   required pairs found {report['required']}"
        f"   unclear pairs paired {len(report['found']['unclear'])}"
    )
    if verbose:
        for line in report["found"]["distinct"]:
            print(f"  FALSE  {line}")
        for line in report["missed"]:
            print(f"  MISSED {line}")


def main(argv: Sequence[str] | None = None) -> int:
    """Score generated rounds and the hand labels; print the figures and PASS/FAIL."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0, help="seed of the first round")
    ap.add_argument("--no-clean", action="store_true", help="skip the cleaned-seeds batch")
    ap.add_argument("--reuse-threshold", type=float, default=None)
    ap.add_argument("--reuse-min-weight", type=float, default=None)
    ap.add_argument("-v", "--verbose", action="store_true", help="show false and missed pairs")
    args = ap.parse_args(argv)
    options: dict[str, Any] = {}
    if args.reuse_threshold is not None:
        options["reuse_threshold"] = args.reuse_threshold
    if args.reuse_min_weight is not None:
        options["reuse_min_weight"] = args.reuse_min_weight
    tally = rounds(args.rounds, args.seed, **options)
    _show_round(tally, args.verbose)
    bad = round_failures(tally)
    batches = [("seed labels, raw seed lines", seed_documents())]
    if not args.no_clean:
        batches.append(("seed labels, cleaned seeds + HTML copies", cleaned_documents()))
    for title, docs in batches:
        report = score_labels(docs, **options)
        _show_labels(title, report, args.verbose)
        bad += [f"{title}: {line}" for line in label_failures(report)]
    for line in bad:
        print(f"  below floor: {line}")
    print("PASS" if not bad else "FAIL")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
