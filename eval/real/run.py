"""Score cleaner on hand-labelled real scrapes: leftovers removed, body sentences kept.

Usage::

    .venv/bin/python eval/real/run.py [--lang ar|fa|all] [--mode single|batch|both] [--json]
        [--verbose] [--min-docs N] [--part all|tuned|heldout|heldoutN] [--update-floors]

``single`` cleans each labelled article alone through the library API, with its URL and
outlet; ``batch`` runs ``cleaner clean`` over the whole corpus file as one batch with
``--templates N --source-field source``, as a user would, and picks the labelled articles
out of its output. ``--part heldout`` scores only the labelled articles of sample.py's
held-out rounds (each labelled blind, after the rules were tuned), ``--part heldout2`` those
of its second round alone, ``--part tuned`` the first two parts (random and short tail).
Figures are printed per outlet and in all; every body sentence lost is
listed with the rule that removed it. Exits 0 whatever the figures (it reports; the floors
are asserted by tests/test_real_eval.py). The label format and the scoring are described
in README.md beside this script.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from real_corpus import REPO, Article, files_of, iter_articles, load_articles
from real_labels import LABELS_DIR, Labelled, check, find_span, load
from sample import HELDOUT_BY_LANG
from sample import parts as sample_parts

from cleaner.pipeline.run import clean

FLOORS = Path(__file__).resolve().parent / "floors.json"
LABEL_FILES = {"ar": LABELS_DIR / "ar.labels", "fa": LABELS_DIR / "fa.labels"}
TEMPLATE_MIN_DOCS = 5
#: Which labelled articles to score: all; ``tuned``, sample.py's random and short-tail parts;
#: ``heldout``, all its held-out rounds; ``heldoutN``, its N-th round alone.
PART = re.compile(r"all|tuned|heldout(?:[1-9][0-9]*)?")
TUNED = ("random", "tail")
#: Body units at least this long (key characters) anchor the alignment; shorter ones and
#: leftovers are only looked for between their neighbouring anchors.
ANCHOR_CHARS = 25

#: Invisible: format characters and the C0/C1 control characters (a scrape's stray U+001A
#: before a line; cleaner drops them, so the key must not hold them either).
_INVISIBLE_CHARS = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)])) + (
    "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u061c\u0640"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)
_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?؟…。])\s+")
_WORD = re.compile(r"\w")


def fold(text: str) -> str:
    """Comparison key: NFKC, no invisible or control characters, ZWNJ, tatweel, diacritics or
    spaces; yeh/kaf forms and digits folded. The same on labels and on cleaner's output."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = _MARKS.sub("", text).translate(_LETTERS).translate(_DIGITS)
    return _SPACE.sub("", text).casefold()


def sentences(text: str) -> list[str]:
    """Split body text at sentence ends; pieces without a letter or digit are not sentences."""
    return [s.strip() for s in _SENTENCE_END.split(text) if _WORD.search(s)]


@dataclass(frozen=True)
class Unit:
    """A piece of a labelled article in document order: a body sentence or a leftover."""

    body: bool
    text: str
    line: int
    kind: str = ""  # the leftover's kind

    @property
    def key(self) -> str:
        return fold(self.text)


def units_of(lab: Labelled, art: Article) -> list[Unit]:
    """The article cut into body sentences and leftovers, in document order."""
    by_line: dict[int, list] = defaultdict(list)
    for e in lab.entries:
        by_line[e.line].append(e)
    out: list[Unit] = []
    for n, line in enumerate(art.lines, 1):
        if not line.strip():
            continue
        entries = by_line.get(n, [])
        if any(e.whole for e in entries):
            out.append(Unit(False, line.strip(), n, entries[0].kind))
            continue
        cuts: list[tuple[int, int, str]] = []
        for e in entries:  # each span takes its first occurrence not taken yet
            at = find_span(line, e.span)
            while at and any(s < at[1] and at[0] < t for s, t, _ in cuts):
                at = find_span(line, e.span, at[0] + 1)
            if at is None:
                raise ValueError(f"{e.where}: span given more often than line {n} holds it")
            cuts.append((at[0], at[1], e.kind))
        pos = 0
        for s, t, kind in sorted(cuts):
            out += [Unit(True, x, n) for x in sentences(line[pos:s])]
            out.append(Unit(False, line[s:t], n, kind))
            pos = t
        out += [Unit(True, x, n) for x in sentences(line[pos:])]
    return out


@dataclass
class Score:
    """Counts of one slice (an article, an outlet, a language, all)."""

    articles: int = 0
    leftovers: int = 0
    removed: int = 0
    body: int = 0
    kept: int = 0
    lost: list[dict[str, Any]] = field(default_factory=list)
    left: list[dict[str, Any]] = field(default_factory=list)

    def add(self, o: Score) -> None:
        self.articles += o.articles
        self.leftovers += o.leftovers
        self.removed += o.removed
        self.body += o.body
        self.kept += o.kept
        self.lost += o.lost
        self.left += o.left

    @property
    def removed_share(self) -> float:
        return self.removed / self.leftovers if self.leftovers else 1.0

    @property
    def kept_share(self) -> float:
        return self.kept / self.body if self.body else 1.0

    def figures(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "leftovers": self.leftovers,
            "leftovers_removed": round(self.removed_share, 4),
            "body_sentences": self.body,
            "body_kept": round(self.kept_share, 4),
        }


def _rules_for(key: str, removed: list[dict[str, Any]]) -> list[str]:
    """The removals that took (part of) a lost sentence, as ``rule (category)``."""
    hits = []
    for r in removed:
        rk = fold(r.get("text", ""))
        if rk and (key in rk or rk in key):
            hits.append(f"{r['rule']} ({r['category']})")
    return sorted(set(hits)) or ["(no removal names it: text changed or moved)"]


def score(lab: Labelled, art: Article, out: dict[str, Any]) -> Score:
    """Score one cleaned article (``out``: title, paragraphs, removed) against its labels."""
    parts = ([out["title"]] if out.get("title") else []) + list(out["paragraphs"])
    text = "".join(fold(p) for p in parts)
    units = units_of(lab, art)
    keys = [u.key for u in units]
    found: list[tuple[int, int] | None] = [None] * len(units)
    cursor = 0
    for i, u in enumerate(units):  # anchors: long body sentences, found in order
        if u.body and len(keys[i]) >= ANCHOR_CHARS:
            at = text.find(keys[i], cursor)
            if at >= 0:
                found[i] = (at, at + len(keys[i]))
                cursor = at + len(keys[i])
    bound = [len(text)] * (len(units) + 1)
    for i in range(len(units) - 1, -1, -1):
        anchor = found[i] is not None and units[i].body and len(keys[i]) >= ANCHOR_CHARS
        bound[i] = found[i][0] if anchor and found[i] else bound[i + 1]
    s = Score(articles=1)
    cursor = 0
    for i, u in enumerate(units):
        if u.body and len(keys[i]) >= ANCHOR_CHARS:
            hit = found[i]
        else:
            end = max(bound[i + 1], cursor)
            at = text.find(keys[i], cursor, end)
            hit = (at, at + len(keys[i])) if at >= 0 and keys[i] else None
        if hit:
            cursor = max(cursor, hit[1])
        where = {"outlet": art.outlet, "id": art.id, "line": u.line, "text": u.text}
        if u.body:
            s.body += 1
            if hit:
                s.kept += 1
            else:
                s.lost.append(where | {"rules": _rules_for(keys[i], out.get("removed", []))})
        else:
            s.leftovers += 1
            if hit:
                s.left.append(where | {"kind": u.kind})
            else:
                s.removed += 1
    return s


def clean_single(arts: Iterable[Article]) -> dict[str, dict[str, Any]]:
    """Each article cleaned alone through the library API, with its URL and outlet."""
    out = {}
    for a in arts:
        res = clean(a.text, id=a.id, source=a.file, url=a.url, source_name=a.outlet)
        out[a.id] = {
            "title": res.title,
            "paragraphs": list(res.paragraphs),
            "removed": [r.to_dict() for r in res.removed],
        }
    return out


def clean_batch(name: str, ids: set[str], min_docs: int) -> dict[str, dict[str, Any]]:
    """The whole corpus file cleaned as one batch by the CLI with templates; ``ids`` kept.

    The records are written as ``{id, text, url, source}`` (source = the outlet) so that
    both corpora run the same command line.
    """
    with tempfile.TemporaryDirectory(prefix="real-eval-") as tmp:
        batch = Path(tmp) / "batch.jsonl.gz"
        with gzip.open(batch, "wt", encoding="utf-8") as fh:
            for a in iter_articles(name):
                rec = {"id": a.id, "text": a.text, "url": a.url, "source": a.outlet}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        cmd = [
            sys.executable, "-m", "cleaner", "clean", str(batch), "--input-format", "jsonl",
            "--text-field", "text", "--url-field", "url", "--source-field", "source",
            "--templates", str(min_docs), "--format", "jsonl", "--quiet",
        ]  # fmt: skip
        result = Path(tmp) / "out.jsonl"
        with result.open("wb") as fh:
            proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.PIPE, cwd=REPO)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr!r}")
        out = {}
        with result.open(encoding="utf-8") as fh:
            for raw in fh:
                rec = json.loads(raw)
                if rec["id"] in ids:
                    out[rec["id"]] = rec
    return out


def part_name(text: str) -> str:
    """``--part``'s value, checked against ``PART``."""
    if not PART.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r}: all, tuned, heldout or heldoutN (N from 1)")
    return text


def select(labs: list[Labelled], part: str) -> list[Labelled]:
    """The labelled articles of one part (``PART``): those sample.py draws in the parts it names
    (``tuned``: random and short tail; ``heldout``: every held-out round; ``heldoutN``: one)."""
    if part == "all":
        return labs
    wanted: set[tuple[str, str]] = set()
    for f in {lab.file for lab in labs}:
        drawn = sample_parts(f)
        if part == "tuned":
            names = [n for n in drawn if n in TUNED]
        elif part == "heldout":
            names = [n for n in drawn if n not in TUNED]
        elif part in drawn:
            names = [part]
        else:
            raise ValueError(f"{f}: sample.py has no part {part} (it has {', '.join(drawn)})")
        wanted |= {(f, a.id) for n in names for a in drawn[n]}
    return [lab for lab in labs if (lab.file, lab.id) in wanted]


def evaluate(
    lang: str, mode: str, min_docs: int = TEMPLATE_MIN_DOCS, part: str = "all"
) -> dict[str, Score]:
    """Scores by outlet (and ``all``) of one language's labels (one part of them) in one mode."""
    path = LABEL_FILES[lang]
    labs = select(load([path]), part) if path.exists() else []
    scores: dict[str, Score] = {}
    for name in files_of(lang):
        mine = [lab for lab in labs if lab.file == name]
        if not mine:
            continue
        arts = load_articles(name, [lab.id for lab in mine])
        missing = [lab.id for lab in mine if lab.id not in arts]
        if missing:
            raise ValueError(f"{path.name}: ids not in {name}: {', '.join(missing[:5])}")
        mine = [check(lab, arts[lab.id]) for lab in mine]
        if mode == "single":
            outs = clean_single(arts[lab.id] for lab in mine)
        else:
            outs = clean_batch(name, {lab.id for lab in mine}, min_docs)
        for lab in mine:
            art = arts[lab.id]
            s = score(lab, art, outs[lab.id])
            for slot in (art.outlet, "all"):
                scores.setdefault(slot, Score()).add(s)
    for other in {lab.file for lab in labs} - set(files_of(lang)):
        raise ValueError(f"{path.name}: unknown corpus file {other}")
    return scores


def table(rows: list[tuple[str, str, str, Score]]) -> str:
    """The figures as a plain table."""
    head = f"{'lang':<5}{'mode':<8}{'outlet':<14}{'docs':>5}{'leftovers removed':>24}"
    lines = [head + f"{'body sentences kept':>26}"]
    for lang, mode, outlet, s in rows:
        lines.append(
            f"{lang:<5}{mode:<8}{outlet:<14}{s.articles:>5}"
            f"{s.removed:>10}/{s.leftovers:<6} {s.removed_share:6.3f}"
            f"{s.kept:>11}/{s.body:<6} {s.kept_share:7.4f}"
        )
    return "\n".join(lines)


def floor_of(x: float) -> float:
    """A figure rounded down to 3 decimals (a floor a re-run always meets)."""
    return math.floor(x * 1000) / 1000


def update_floors(results: dict[tuple[str, str], dict[str, Score]]) -> None:
    """Write the figures just measured into floors.json (the languages and modes run).

    A share of nothing (an outlet with no leftover labelled yet) is no figure: left out.
    """
    floors = json.loads(FLOORS.read_text(encoding="utf-8")) if FLOORS.exists() else {}
    for (lang, mode), scores in results.items():
        floors.setdefault(lang, {})[mode] = {
            outlet: {
                name: floor_of(share)
                for name, share, count in (
                    ("leftovers_removed", s.removed_share, s.leftovers),
                    ("body_kept", s.kept_share, s.body),
                )
                if count
            }
            for outlet, s in sorted(scores.items())
        }
    FLOORS.write_text(json.dumps(floors, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", choices=["ar", "fa", "all"], default="all")
    ap.add_argument("--mode", choices=["single", "batch", "both"], default="both")
    ap.add_argument("--json", action="store_true", help="figures and lists as one JSON object")
    ap.add_argument("--verbose", action="store_true", help="also list every leftover kept")
    ap.add_argument("--min-docs", type=int, default=TEMPLATE_MIN_DOCS, help="--templates N")
    ap.add_argument(
        "--part",
        type=part_name,
        default="all",
        help="which labelled articles: all, tuned, heldout (every round) or heldoutN (round N)",
    )
    ap.add_argument("--update-floors", action="store_true", help="write figures to floors.json")
    args = ap.parse_args(argv)
    if args.update_floors and args.part != "all":
        ap.error("--update-floors writes the figures of all labels: use it with --part all")
    langs = ["ar", "fa"] if args.lang == "all" else [args.lang]
    round_no = args.part.removeprefix("heldout")
    for lang in langs:
        if round_no.isdigit() and int(round_no) > len(HELDOUT_BY_LANG.get(lang, [])):
            ap.error(f"--part {args.part}: sample.py has no such held-out round for {lang}")
    modes = ["single", "batch"] if args.mode == "both" else [args.mode]
    results: dict[tuple[str, str], dict[str, Score]] = {}
    seconds: dict[str, float] = {}
    for lang in langs:
        if not LABEL_FILES[lang].exists():
            print(f"# no labels for {lang} ({LABEL_FILES[lang]})", file=sys.stderr)
            continue
        for mode in modes:
            t0 = time.perf_counter()
            results[(lang, mode)] = evaluate(lang, mode, args.min_docs, args.part)
            seconds[f"{lang}/{mode}"] = round(time.perf_counter() - t0, 1)
    if args.update_floors:
        update_floors(results)
    if args.json:
        doc = {
            f"{lang}/{mode}": {
                "figures": {o: s.figures() for o, s in sorted(sc.items())},
                "lost": sc["all"].lost if "all" in sc else [],
                "leftovers_kept": sc["all"].left if "all" in sc else [],
            }
            for (lang, mode), sc in results.items()
        }
        out = {"part": args.part, "runs": doc, "seconds": seconds}
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    rows = []
    for (lang, mode), sc in results.items():
        rows += [(lang, mode, o, s) for o, s in sorted(sc.items()) if o != "all"]
        if "all" in sc:
            rows.append((lang, mode, "all", sc["all"]))
    if args.part != "all":
        print(f"part: {args.part}")
    print(table(rows))
    print("seconds: " + ", ".join(f"{k} {v}" for k, v in seconds.items()))
    for (lang, mode), sc in results.items():
        if "all" not in sc:
            continue
        lost = sc["all"].lost
        by_rule = Counter(r for x in lost for r in x["rules"])
        print(f"\n[{lang}/{mode}] {len(lost)} body sentence(s) lost")
        for rule, n in by_rule.most_common():
            print(f"  {n:>4}  {rule}")
        for x in lost:
            rules = ", ".join(x["rules"])
            print(f"  {x['outlet']} {x['id']} line {x['line']}: {x['text']}  <- {rules}")
        if args.verbose:
            print(f"[{lang}/{mode}] {len(sc['all'].left)} leftover(s) kept")
            for x in sc["all"].left:
                print(f"  {x['outlet']} {x['id']} line {x['line']} {x['kind']}: {x['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
