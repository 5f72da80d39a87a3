"""Pick the articles to label: deterministic, stratified by outlet; show them with line numbers.

Usage::

    .venv/bin/python eval/real/sample.py --lang ar                  # ids, in labelling order
    .venv/bin/python eval/real/sample.py --lang ar --per-outlet 20  # extends the same sample
    .venv/bin/python eval/real/sample.py --show 2015-07-21_635      # numbered, with its '@' line

Every outlet's non-empty articles are shuffled with a fixed seed and the first ``--per-outlet``
taken (all of them where an outlet has fewer), so a bigger ``--per-outlet`` extends the same
sample. The ids are printed round-robin over the outlets, so labelling them in order keeps
every outlet in at each increment.

Where a language's random part holds too few leftovers to measure their removal on (Persian:
10 leftover lines in 150 articles), ``--tail`` more articles an outlet follow it, drawn the same
way (the seed plus ``:tail``) from the articles whose last line is short and closes no
sentence, skipping those already drawn: where end markers, bylines, credits and separators
sit, and also fixtures, list items and signatures, so both figures are weighed.

Held-out rounds follow, each labelled blind after the rules were tuned on what came before,
so they can be measured on articles they were never tuned on: a round takes an outlet's next
articles of the same random shuffle, then the next of the same short-tail shuffle, each
skipping those already drawn and listed round-robin. A new round is appended after the
others, so every label file stays a prefix of its language's order. Defaults by language:
``PER_OUTLET_BY_LANG``, ``TAIL_BY_LANG`` and ``HELDOUT_BY_LANG``; ``parts`` gives the parts
apart (``random``, ``tail``, ``heldout1``, ``heldout2``, ...; ``run.py --part``).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import defaultdict
from collections.abc import Sequence

from real_corpus import SPECS, Article, files_of, iter_articles

SEED = 20151
PER_OUTLET = 15
#: Articles an outlet in the random part, where a language's differs from PER_OUTLET: the
#: labelled sample (raise it with the labels; tests/test_real_eval.py checks they agree).
PER_OUTLET_BY_LANG = {"ar": 20, "fa": 75}
#: Articles an outlet in the short-tail part (none where a language is not named).
TAIL_BY_LANG = {"fa": 25}
#: Held-out rounds in order, articles an outlet in each: (random, short-tail); a new round is
#: appended (or its run counted one more), never inserted: the label files follow this order;
#: none where not named.
HELDOUT_BY_LANG: dict[str, list[tuple[int, int]]] = {
    "fa": [(25, 15), *[(15, 10)] * 3, *[(10, 10)] * 6],
    "ar": [(6, 0)] * 12,
}
#: Name of the held-out round numbered from 1 (a key of ``parts``).
HELDOUT = "heldout{}"
#: A last line at most this long, closing no sentence, makes an article short-tailed.
TAIL_MAX_CHARS = 60
_CLOSES = re.compile(r"[.!?؟»\")]\s*$")


def short_tail(art: Article) -> bool:
    """Whether the article's last non-empty line is short and closes no sentence."""
    lines = [line.strip() for line in art.lines if line.strip()]
    return bool(lines) and len(lines[-1]) <= TAIL_MAX_CHARS and not _CLOSES.search(lines[-1])


def _draw(by_outlet: dict[str, list[Article]], key: str, n: int, skip: set[str]) -> list[Article]:
    """The first ``n`` of every outlet's seeded shuffle, not in ``skip``, round-robin."""
    picked = []
    for outlet in sorted(by_outlet):
        pool = sorted(by_outlet[outlet], key=lambda a: a.id)
        random.Random(key.format(outlet=outlet)).shuffle(pool)
        picked.append([a for a in pool if a.id not in skip][:n])
    order: list[Article] = []
    for k in range(max(map(len, picked), default=0)):
        order += [p[k] for p in picked if k < len(p)]
    return order


def parts(
    name: str,
    per_outlet: int | None = None,
    seed: int = SEED,
    tail: int | None = None,
    heldout: Sequence[tuple[int, int]] | None = None,
) -> dict[str, list[Article]]:
    """The parts of one corpus file's sample, in order: ``random``, ``tail``, then the held-out
    rounds ``heldout1``, ``heldout2``..., each round-robin over the outlets (sorted by name).
    ``None``: the language's default."""
    lang = SPECS[name].lang
    by_outlet: dict[str, list[Article]] = defaultdict(list)
    for art in iter_articles(name):
        if art.text.strip():
            by_outlet[art.outlet].append(art)
    return draw_parts(
        by_outlet,
        f"{seed}:{name}:{{outlet}}",
        PER_OUTLET_BY_LANG.get(lang, PER_OUTLET) if per_outlet is None else per_outlet,
        TAIL_BY_LANG.get(lang, 0) if tail is None else tail,
        HELDOUT_BY_LANG.get(lang, []) if heldout is None else heldout,
    )


def draw_parts(
    by_outlet: dict[str, list[Article]],
    key: str,
    per_outlet: int,
    tail: int,
    heldout: Sequence[tuple[int, int]],
) -> dict[str, list[Article]]:
    """The parts drawn from ``by_outlet``; ``key`` seeds the random shuffle (``{outlet}`` in it
    is the outlet's name) and, plus ``:tail``, the short-tail one; every part skips the
    articles of the parts before it."""
    tails = {o: [a for a in arts if short_tail(a)] for o, arts in by_outlet.items()}
    tail_key = key + ":tail"
    out = {"random": _draw(by_outlet, key, per_outlet, set())}
    drawn = {a.id for a in out["random"]}
    out["tail"] = _draw(tails, tail_key, tail, drawn) if tail else []
    drawn |= {a.id for a in out["tail"]}
    for n, (rand, tail_n) in enumerate(heldout, 1):
        held = _draw(by_outlet, key, rand, drawn) if rand else []
        drawn |= {a.id for a in held}
        held += _draw(tails, tail_key, tail_n, drawn) if tail_n else []
        drawn |= {a.id for a in held}
        out[HELDOUT.format(n)] = held
    return out


def sample(
    name: str,
    per_outlet: int | None = None,
    seed: int = SEED,
    tail: int | None = None,
    heldout: Sequence[tuple[int, int]] | None = None,
) -> list[Article]:
    """The sample of one corpus file: its parts one after the other (see ``parts``)."""
    return [a for part in parts(name, per_outlet, seed, tail, heldout).values() for a in part]


def show(art: Article) -> str:
    """The article's ``@`` line and its lines numbered from 1 (labelling view)."""
    lines = art.lines
    out = [f"@ {art.file} {art.id} lines={len(lines)}", f"# outlet={art.outlet} url={art.url}"]
    out += [f"{n:>3}| {line}" for n, line in enumerate(lines, 1)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", choices=["ar", "fa", "all"], default="all")
    ap.add_argument("--per-outlet", type=int, help="random part (default by language)")
    ap.add_argument("--tail", type=int, help="short-tail part an outlet (default by language)")
    ap.add_argument(
        "--heldout",
        type=int,
        nargs=2,
        action="append",
        metavar=("RANDOM", "TAIL"),
        help="a held-out round an outlet (repeat for each round, in order)",
    )
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
        held = None if args.heldout is None else [(r, t) for r, t in args.heldout]
        for part, arts in parts(f, args.per_outlet, args.seed, args.tail, held).items():
            for art in arts:
                print(f"{f}\t{art.outlet}\t{art.id}\t{part}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
