"""Build a labelled corpus for dedupe evaluation from real paragraphs.

Every item belongs to a *group* (a base paragraph and its variants); an item of any kind
other than ``base`` and ``distractor`` names the item it must be matched with (its anchor).
Kinds:

* ``exact``: the base again;
* ``orthographic``: yeh/kaf forms, ZWNJ present/absent/space, digit scripts, tatweel,
  diacritics;
* ``attribution``: an outlet's attribution prefix ("به گزارش ایسنا،") added or removed;
* ``light_edit``: 10-30% of the words dropped, inserted or swapped with a neighbour;
* ``quoted_span``: a sub-span of the base stands alone as a short line (``quote_line``)
  and is quoted inside a longer paragraph (``quoted_span``, anchored on the line);
* ``distractor``: same-topic text (short runs of words of the pool) that repeats nobody.

A distractor must repeat nobody, real *or generated*. Distractors and synthetic bases are
both salads of the same word pool, so on a large corpus a distractor now and then chains
runs into most of another group's quote line (at 200k items with seed 0, 4 distractors held
6-8 consecutive words of an 8-9 word ``quote_line``: containment 0.89-1.0, a true quoted
span labelled "not a duplicate", which made distractor precision 0.0 on 28 pairs). Salads
used to be checked against the real paragraphs only (:class:`Guard`); now every distractor
is also checked, on the exact shingle sets of the matching key, against the members of
every group (:class:`Taken`), and redrawn while it holds ``contained`` (0.75) of the smaller
set's shingles or has Jaccard ``similar`` (0.4, the near-duplicate threshold) with any of
them. Measured on 2,000 distractors of the old 200k corpus: the largest containment of an
ordinary distractor is 0.61 at the 99th percentile and 0.74 at the 99.9th, its largest
Jaccard 0.33; the check rejects 3 of its first 3,000 distractors (the 4 failing ones among
them or later), and none at 20k, where the corpus is byte for byte the old one. A redraw
moves the random stream, so the items drawn after it (and the shuffle) differ from the old
corpus of the same seed, drawn the same way. Nothing else changed: the same kinds, sizes,
edit rates and pool, so distractors stay as same-topic as before; only the rare salad that
*is* a duplicate is replaced.

Salads are drawn and checked in batches (:func:`fresh_salads`; the checks, in
``fresh_checks.py``, find the few members a salad could repeat through the rarest shingles
before counting), and give the corpus that drawing and checking them one at a time gives,
byte for byte: a salad's draws never depend on the verdict on the one before.

Bases are the real paragraphs (near-identical ones kept once); when more are needed they are
synthesised like distractors, so a large corpus keeps real vocabulary without repeats.

Usage: ``python bench/dedupe_gen.py [--source FILE...] [--n N] [--seed S] > corpus.jsonl``
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fresh_checks import Guard, Sets, Taken, shingle_sets, shingle_text  # noqa: E402

from cleaner.dedupe.keys import batch_shingles  # noqa: E402
from cleaner.dedupe.verify import overlap  # noqa: E402

#: Salads drawn and checked together: larger batches make arrays of hundreds of MB at 1M
#: items, and mapping them anew each batch cost a third of the time (210 of 588 s in system
#: time with 2,048; at 200k: 5.4 s with 2,048, 1.6 with 256, same user time).
BATCH = 256

KINDS = ("exact", "orthographic", "attribution", "light_edit", "quoted_span")
ATTRIBUTIONS = (
    "به گزارش ایسنا، ",
    "به گزارش ایرنا، ",
    "به نقل از خبرگزاری رویترز، ",
    "به گزارش خبرگزاری فارس، ",
    "به گزارش تهران بهشت، ",
    "وفق ما أعلن الكرملين، ",
)
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ARABIC_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹0123456789", "٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩")


@dataclass
class Item:
    """One paragraph of the corpus with its label."""

    id: str
    group: int
    kind: str
    text: str
    anchor: str | None = None
    host: str | None = None  # reuse rounds: the real paragraph a made item was built into


def read_paragraphs(paths: Sequence[Path], min_words: int = 8) -> list[str]:
    """Non-blank lines of at least ``min_words`` words."""
    out = []
    for path in paths:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if len(line.split()) >= min_words:
                out.append(line.strip())
    return out


def distinct(paragraphs: Sequence[str], bar: float = 0.3) -> list[str]:
    """Paragraphs with no earlier one sharing ``bar`` of its shingles (real bases repeat)."""
    hashes, off = batch_shingles([shingle_text(p) for p in paragraphs])
    sets = [np.unique(hashes[off[i] : off[i + 1]]) for i in range(len(paragraphs))]
    kept: list[int] = []
    for i, s in enumerate(sets):
        if all(overlap(s, sets[k]).containment < bar for k in kept):
            kept.append(i)
    return [paragraphs[i] for i in kept]


def salad(rng: random.Random, pool: Sequence[list[str]], words: int) -> str:
    """Same-topic text: runs of 1-3 consecutive words taken from random pool paragraphs."""
    out: list[str] = []
    while len(out) < words:
        src = rng.choice(pool)
        start = rng.randrange(max(1, len(src) - 1))
        out.extend(src[start : start + rng.randint(1, 3)])
    return " ".join(out[:words])


def fresh_salad(
    rng: random.Random, pool: Sequence[list[str]], guard: Guard, lo: int, hi: int
) -> str:
    """A salad that repeats no real paragraph."""
    while True:
        text = salad(rng, pool, rng.randint(lo, hi))
        if guard.fresh(text):
            return text


def fresh_salads(
    rng: random.Random,
    pool: Sequence[list[str]],
    count: int,
    lo: int,
    hi: int,
    accept: Callable[[Sets], np.ndarray],
) -> list[str]:
    """The ``count`` salads that drawing one at a time and redrawing each one ``accept``
    refuses would give, with ``rng`` left where that leaves it; drawn and checked in batches.

    A salad's draws do not depend on whether the ones before it were accepted, so a batch is
    drawn ahead; the draws past the last salad needed are drawn again from the batch's
    starting state, to leave ``rng`` exactly after it.
    """
    out: list[str] = []
    while len(out) < count:
        need = count - len(out)
        state = rng.getstate()
        drawn = [salad(rng, pool, rng.randint(lo, hi)) for _ in range(min(BATCH, 2 * need + 8))]
        passed = np.flatnonzero(accept(shingle_sets(drawn)))
        if passed.size >= need:
            rng.setstate(state)
            for _ in range(int(passed[need - 1]) + 1):
                salad(rng, pool, rng.randint(lo, hi))
            passed = passed[:need]
        out.extend(drawn[i] for i in passed)
    return out


def distractor_check(guard: Guard, taken: Taken) -> Callable[[Sets], np.ndarray]:
    """Accepts a salad that repeats no real paragraph (``guard``) and no member (``taken``)."""

    def accept(sets: Sets) -> np.ndarray:
        ok = guard.fresh_many(sets)
        real_ok = np.flatnonzero(ok)
        ok[real_ok] = taken.fresh_many(sets.take(real_ok))
        return ok

    return accept


def orthographic(rng: random.Random, text: str) -> str:
    """Spell the same paragraph the way another outlet would."""
    steps = [
        lambda t: t.replace("ی", "ي").replace("ک", "ك"),
        lambda t: t.replace("\u200c", " "),
        lambda t: t.replace("\u200c", ""),
        lambda t: t.replace(" های ", "\u200cهای ").replace(" می ", " می\u200c"),
        lambda t: t.translate(_PERSIAN_DIGITS),
        lambda t: t.translate(_ARABIC_DIGITS),
        lambda t: " ".join(
            w[:2] + "ـ" + w[2:] if len(w) > 4 and rng.random() < 0.2 else w for w in t.split()
        ),
        lambda t: " ".join(
            w + "\u064e" if len(w) > 3 and rng.random() < 0.15 else w for w in t.split()
        ),
        lambda t: t.replace(" ", "  ").replace("،", " ، "),
    ]
    chosen = rng.sample(steps, rng.randint(2, 4))
    for step in chosen:
        text = step(text)
    return text


def attribution(rng: random.Random, text: str) -> str:
    """Add an outlet's attribution prefix, or remove the one the paragraph has."""
    for prefix in ATTRIBUTIONS:
        if text.startswith(prefix.strip()):
            return text[len(prefix) :].lstrip("، ")
    if rng.random() < 0.3:
        return f"{text} - {rng.choice(['اسپوتنیک', 'ایسنا', 'ایرنا'])}"
    return rng.choice(ATTRIBUTIONS) + text


def light_edit(rng: random.Random, text: str, vocab: Sequence[str]) -> str:
    """Drop, insert or swap 10-30% of the words."""
    words = text.split()
    edits = max(1, round(len(words) * rng.uniform(0.1, 0.3)))
    for _ in range(edits):
        op = rng.choice(("drop", "insert", "swap"))
        p = rng.randrange(len(words))
        if op == "drop" and len(words) > 3:
            del words[p]
        elif op == "insert":
            words.insert(p, rng.choice(vocab))
        elif p + 1 < len(words):
            words[p], words[p + 1] = words[p + 1], words[p]
    return " ".join(words)


def quote(
    rng: random.Random, text: str, pool: Sequence[list[str]], guard: Guard
) -> tuple[str, str]:
    """A sub-span of the paragraph as a line, and that line quoted in a longer paragraph."""
    words = text.split()
    size = min(len(words), rng.randint(8, 20))
    start = rng.randrange(len(words) - size + 1)
    line = " ".join(words[start : start + size])
    before = fresh_salad(rng, pool, guard, 10, 25)
    after = fresh_salad(rng, pool, guard, 5, 20)
    return line, f"{before} گفت: «{line}» {after}"


def generate(
    paragraphs: Sequence[str], n: int | None = None, seed: int = 0, distractors: float = 0.2
) -> list[Item]:
    """A labelled corpus: each base with one variant of every kind, plus distractors.

    Args:
        paragraphs: Real paragraphs to build from.
        n: Approximate number of items; by default every distinct real paragraph is a base.
        seed: Random seed (the corpus is a pure function of its inputs).
        distractors: Share of distractor items.
    """
    rng = random.Random(seed)
    real = distinct(list(paragraphs))
    pool = [p.split() for p in real]
    vocab = [w for p in pool for w in p]
    per_base = len(KINDS) + 2  # base, variants, and the quote line
    want = len(real) if n is None else max(1, int(n * (1 - distractors)) // per_base)
    guard = Guard(real)
    bases = real[:want] + fresh_salads(rng, pool, want - len(real), 12, 45, guard.fresh_many)
    items: list[Item] = []
    for g, base in enumerate(bases):
        bid = f"g{g}"
        items.append(Item(bid, g, "base", base))
        items.append(Item(f"{bid}-exact", g, "exact", base, bid))
        items.append(Item(f"{bid}-orth", g, "orthographic", orthographic(rng, base), bid))
        items.append(Item(f"{bid}-attr", g, "attribution", attribution(rng, base), bid))
        items.append(Item(f"{bid}-edit", g, "light_edit", light_edit(rng, base, vocab), bid))
        line, quoted = quote(rng, base, pool, guard)
        items.append(Item(f"{bid}-line", g, "quote_line", line, bid))
        items.append(Item(f"{bid}-quoted", g, "quoted_span", quoted, f"{bid}-line"))
    total = len(items) if n is None else n
    n_distractors = int(total * distractors / (1 - distractors)) if n is None else n - len(items)
    taken = Taken([it.text for it in items if it.kind not in ("exact", "orthographic")])
    check = distractor_check(guard, taken)
    for d, text in enumerate(fresh_salads(rng, pool, max(0, n_distractors), 12, 40, check)):
        items.append(Item(f"d{d}", len(bases) + d, "distractor", text))
    rng.shuffle(items)
    return items


def iter_jsonl(items: Sequence[Item]) -> Iterator[str]:
    """Items as JSON lines."""
    for item in items:
        yield json.dumps(asdict(item), ensure_ascii=False)


def main(argv: Sequence[str] | None = None) -> None:
    """Write a labelled corpus as JSON lines on stdout."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", nargs="*", type=Path, help="text files (default: seeds/*.txt)")
    ap.add_argument("--n", type=int, default=None, help="approximate number of items")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    paths = args.source or sorted((ROOT / "seeds").glob("*.txt"))
    for line in iter_jsonl(generate(read_paragraphs(paths), args.n, args.seed)):
        print(line)


if __name__ == "__main__":
    main()
