"""Build labelled rounds for reuse-mode evaluation from real paragraphs of one story.

A round is a small batch, like one scrape of one story: real paragraphs (``source``), and
two kinds of made paragraphs, each a *host* (another real paragraph of the story, used once
and never an item itself) with a line inserted at a clause boundary:

* ``reuse``: a clause of 6-15 words of a source, lightly paraphrased (a word dropped or
  replaced, two words or two chunks swapped) and framed by another attribution ("به گفته
  ...،", "وی افزود:", "قال ...", "وأضاف ..."). Anchored on its source: it must be paired
  with it.
* ``decoy``: a framed line made of three or four runs (up to three words each) of the
  source's *common* words (in at least ``common_share`` of the story's paragraphs: the
  names, titles and generic phrases every article repeats), joined by connectives, so it
  shares «رئیس جمهور روسیه», «ولادیمیر پوتین», «اعلام کرد که» with the source but none of
  its content. Anchored on the source it imitates: it must NOT be paired with it (nor
  with anything else).

A reuse clause keeps at least one word of its source that is not common (before
2026-11-22 it could be all common words, e.g. «ولادیمیر پوتین رئیس جمهور روسیه اعلام»: a
decoy labelled as a reuse; 4 of rounds 0-39 and 4 of rounds 100-139 held one, and those
rounds now draw another clause).

Hosts are never drawn beside a source the hand labels (``bench/reuse_seed_labels.tsv``)
relate to it (``reuse`` or ``unclear``); two hosts may still be related, and the scorer
leaves such pairs unscored. On other text (no labels) a host may by chance repeat a source,
which then counts against precision.

Usage: ``python bench/reuse_gen.py [--source FILE...] [--seed S] > round.jsonl``
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dedupe_gen import Item, distinct, read_paragraphs  # noqa: E402

from cleaner.dedupe.keys import dedupe_key  # noqa: E402

KINDS = ("source", "reuse", "decoy")

#: Speakers and frames per script; ``{who}`` and ``{line}`` are filled in.
SPEAKERS = {
    "fa": (
        "سخنگوی کرملین",
        "دستیار رئیس جمهور روسیه",
        "سخنگوی کاخ سفید",
        "این مقام روس",
        "یک مقام ارشد آمریکایی",
        "وزیر خارجه روسیه",
    ),
    "ar": (
        "المتحدث باسم الكرملين",
        "مستشار الرئيس الروسي",
        "المتحدثة باسم البيت الأبيض",
        "مسؤول أمريكي رفيع",
    ),
}
FRAMES = {
    "fa": (
        "به گفته {who}، {line}.",
        "وی افزود: «{line}».",
        "{who} در ادامه گفت: {line}.",
        "{who} نیز تاکید کرد که {line}.",
        "به نقل از {who}، «{line}».",
        "{who} خاطرنشان کرد: {line}.",
    ),
    "ar": (
        "وقال {who} إن {line}.",
        "وأضاف {who}: «{line}».",
        "وأضاف أن {line}.",
        "وبحسب {who}، {line}.",
        "وأكد {who} أن «{line}».",
    ),
}
#: Words that join a decoy's runs of common words.
CONNECTIVES = {
    "fa": ("و", "درباره", "با", "در مورد", "همچنین", "گفت که", "پس از"),
    "ar": ("و", "حول", "مع", "بشأن", "أن", "بعد"),
}
_PERSIAN_ONLY = re.compile("[پچژگکی]")
_BOUNDARY = re.compile(r"(?<=[.،؛:!?؟])\s+")


def script(text: str) -> str:
    """``fa`` when the text has a letter only Persian uses, else ``ar``.

    >>> script("پوتین گفت"), script("قال بوتين")
    ('fa', 'ar')
    """
    return "fa" if _PERSIAN_ONLY.search(text) else "ar"


def paraphrase(rng: random.Random, words: list[str], vocab: Sequence[str]) -> list[str]:
    """Light edits (one, two from ten words on): a word dropped or replaced, words swapped."""
    out = list(words)
    for _ in range(1 if len(out) < 10 else rng.randint(1, 2)):
        op = rng.choice(("drop", "replace", "swap", "chunks"))
        p = rng.randrange(len(out))
        if op == "drop" and len(out) > 6:
            del out[p]
        elif op == "replace":
            out[p] = rng.choice(vocab)
        elif op == "swap" and p + 1 < len(out):
            out[p], out[p + 1] = out[p + 1], out[p]
        elif op == "chunks" and len(out) >= 6:
            cut = rng.randint(2, len(out) - 2)
            out = out[cut:] + out[:cut]
    return out


def clause(rng: random.Random, text: str, lo: int = 6, hi: int = 15) -> list[str]:
    """A run of ``lo``-``hi`` words of a paragraph, trailing punctuation removed."""
    words = text.split()
    size = min(len(words), rng.randint(lo, hi))
    start = rng.randrange(len(words) - size + 1)
    return [w.strip("«»\"'.,،:؛") or w for w in words[start : start + size]]


def reused_clause(
    rng: random.Random,
    text: str,
    common: Collection[str],
    vocab: Sequence[str],
    tries: int = 5,
) -> list[str] | None:
    """A paraphrased clause of a source that keeps a word of it outside the common words.

    A clause made only of the story's common words (names, titles, frames) shares with
    its source exactly what a decoy shares: it is not a reuse the issue asks to find, so
    another clause is drawn (None after ``tries``).
    """
    own = set(dedupe_key(text).split()) - set(common)
    for _ in range(tries):
        words = paraphrase(rng, clause(rng, text), vocab)
        if any(k in own for w in words for k in dedupe_key(w).split()):
            return words
    return None


def common_runs(text: str, common: Collection[str], longest: int = 3) -> list[list[str]]:
    """Runs of common words (names, titles, generic words) of a paragraph, cut to ``longest``."""
    runs: list[list[str]] = [[]]
    for w in text.split():
        if dedupe_key(w) in common and len(runs[-1]) < longest:
            runs[-1].append(w.strip("«»\"'.,،:؛") or w)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def decoy_line(rng: random.Random, lang: str, runs: Sequence[list[str]]) -> list[str]:
    """Three or four of the runs, in order, joined by connectives: names without the content."""
    picked = sorted(rng.sample(range(len(runs)), min(len(runs), rng.randint(3, 4))))
    out: list[str] = []
    for k in picked:
        if out:
            out.append(rng.choice(CONNECTIVES[lang]))
        out.extend(runs[k])
    return out


def embed(rng: random.Random, host: str, line: str) -> str:
    """Insert a framed line into a host paragraph at a clause boundary (or an end)."""
    parts = _BOUNDARY.split(host.strip())
    at = rng.randint(0, len(parts))
    return " ".join(parts[:at] + [line] + parts[at:])


def framed(rng: random.Random, lang: str, words: Sequence[str]) -> str:
    """The words as a line with an attribution frame of the script."""
    frame = rng.choice(FRAMES[lang])
    return frame.format(who=rng.choice(SPEAKERS[lang]), line=" ".join(words))


def story_common(paragraphs: Sequence[str], share: float) -> set[str]:
    """Word keys found in at least ``share`` of the paragraphs (and in three at least)."""
    df: Counter[str] = Counter()
    for p in paragraphs:
        df.update({dedupe_key(w) for w in p.split()})
    floor = max(3, share * len(paragraphs))
    return {w for w, n in df.items() if n >= floor and w}


def generate_round(
    paragraphs: Sequence[str],
    seed: int = 0,
    related: Collection[frozenset[str]] = (),
    common_share: float = 0.05,
) -> list[Item]:
    """One labelled round: sources, one reuse and (when possible) one decoy per source.

    Args:
        paragraphs: Real paragraphs of one story.
        seed: Random seed (a round is a pure function of its inputs).
        related: Pairs of paragraph texts known to repeat one another (hand labels):
            never a host beside a source it is related to.
        common_share: Share of the story's paragraphs a word must be in to be common.
    """
    rng = random.Random(seed)
    real = distinct(list(paragraphs))
    common = story_common(real, common_share)
    vocab = [w for p in real for w in p.split()]
    order = list(real)
    rng.shuffle(order)
    sources: list[str] = []
    hosts: dict[str, list[str]] = {"fa": [], "ar": []}
    for text in order:  # one source in three, the rest hosts
        if len(sources) * 3 < len(sources) + sum(map(len, hosts.values())) + 1:
            sources.append(text)
        else:
            hosts[script(text)].append(text)
    hosts = {k: [h for h in v if not _related(h, sources, related)] for k, v in hosts.items()}
    items: list[Item] = []
    for g, text in enumerate(sources):
        lang = script(text)
        sid = f"s{seed}-{g}"
        items.append(Item(sid, g, "source", text))
        if not hosts[lang]:
            continue
        reused = reused_clause(rng, text, common, vocab)
        if reused is None:
            continue
        line = framed(rng, lang, reused)
        host = hosts[lang].pop()
        items.append(Item(f"{sid}-reuse", g, "reuse", embed(rng, host, line), sid, host))
        runs = common_runs(text, common)
        if len(runs) >= 3 and hosts[lang]:
            line = framed(rng, lang, decoy_line(rng, lang, runs))
            host = hosts[lang].pop()
            items.append(
                Item(f"{sid}-decoy", 10_000 + g, "decoy", embed(rng, host, line), sid, host)
            )
    rng.shuffle(items)
    return items


def _related(text: str, sources: Sequence[str], related: Collection[frozenset[str]]) -> bool:
    return any(frozenset((text, s)) in related for s in sources)


def load_labels(path: Path) -> list[tuple[str, int, str, int, str, str]]:
    """Hand labels ``(file prefix, line, file prefix, line, label, why)`` from a TSV file."""
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        a, b, label, why = raw.split("\t")
        (fa, la), (fb, lb) = a.split(":"), b.split(":")
        rows.append((fa, int(la), fb, int(lb), label, why))
    return rows


def related_texts(labels_path: Path, seeds: Path) -> set[frozenset[str]]:
    """Text pairs the labels mark ``reuse`` or ``unclear`` (stripped lines of the seed files)."""
    lines = {p.name[:3]: p.read_text(encoding="utf-8").splitlines() for p in seeds.glob("*.txt")}
    return {
        frozenset((lines[fa][la - 1].strip(), lines[fb][lb - 1].strip()))
        for fa, la, fb, lb, label, _ in load_labels(labels_path)
        if label != "distinct"
    }


LABELS = ROOT / "bench" / "reuse_seed_labels.tsv"
#: Shorter raw lines of the seeds are mostly menus and related-story links, not paragraphs;
#: longer ones are link lists glued into one line (001 line 45), not paragraphs either.
MIN_WORDS, MAX_WORDS = 10, 100


def seed_round(seed: int) -> list[Item]:
    """A round built from the seed story, hosts kept apart from sources by the hand labels."""
    seeds = ROOT / "seeds"
    paragraphs = read_paragraphs(sorted(seeds.glob("*.txt")), MIN_WORDS)
    paragraphs = [p for p in paragraphs if len(p.split()) <= MAX_WORDS]
    return generate_round(paragraphs, seed, related_texts(LABELS, seeds))


def main(argv: Sequence[str] | None = None) -> None:
    """Write one labelled round as JSON lines on stdout."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", nargs="*", type=Path, help="text files of one story")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    items = (
        generate_round(
            [p for p in read_paragraphs(args.source, MIN_WORDS) if len(p.split()) <= MAX_WORDS],
            args.seed,
        )
        if args.source
        else seed_round(args.seed)
    )
    for item in items:
        print(json.dumps(asdict(item), ensure_ascii=False))


if __name__ == "__main__":
    main()
