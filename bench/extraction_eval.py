"""Word F1 of cleaned HTML pages against hand-made article bodies, beside trafilatura alone.

Reads ``../shared/corpora/article-extraction-benchmark/`` (or under ``$CLEANER_CORPORA``;
181 pages: ``html/*.html.gz`` and ``ground-truth.json`` with each page's ``articleBody``)
and, in the same run, scores:

* ``paragraphs``: ``cleaner.clean()``'s paragraphs, one per line (what the article body is);
* ``text``: ``cleaner.clean()``'s text (the title, then the paragraphs);
* ``trafilatura``: ``trafilatura.extract()`` with its default settings;
* ``extractor``: trafilatura as ``cleaner.extract`` runs it, before any rule.

Word F1: lower-cased ``\\w+`` tokens as multisets (precision and recall over the tokens both
texts share), as the benchmark's own evaluation counts them. Prints the means and lists the
pages where ``paragraphs`` is more than 0.05 below trafilatura.

    .venv/bin/python bench/extraction_eval.py            # about a minute
    .venv/bin/python bench/extraction_eval.py --check    # exit 1 if a floor fails

Floors (``--check``): mean F1 of ``paragraphs`` >= 0.96 and >= trafilatura's in the same run,
and at most 2 pages more than 0.05 below trafilatura.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaner.pipeline import run as pipeline  # noqa: E402
from cleaner.pipeline.extract import extract_document  # noqa: E402

#: ``$CLEANER_CORPORA`` overrides where the corpora are (a git worktree has no ../shared).
CORPORA = Path(os.environ.get("CLEANER_CORPORA") or ROOT.parent / "shared" / "corpora")
CORPUS = CORPORA / "article-extraction-benchmark"
_WORD = re.compile(r"\w+")
MIN_MEAN = 0.96
MARGIN = 0.05
MAX_BELOW = 2


def word_f1(predicted: str, reference: str) -> float:
    """F1 of the multisets of lower-cased words of two texts (1.0 when both are empty)."""
    p = Counter(_WORD.findall(predicted.lower()))
    r = Counter(_WORD.findall(reference.lower()))
    if not p and not r:
        return 1.0
    common = sum((p & r).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(r.values())
    return 2 * precision * recall / (precision + recall)


def score(corpus: Path) -> dict[str, dict[str, float]]:
    """Every page's F1 for each column, by page hash."""
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    rows: dict[str, dict[str, float]] = {}
    for key in sorted(truth):
        data = gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes())
        url, body = truth[key]["url"], truth[key]["articleBody"]
        res = pipeline.clean(data, id=key, url=url, is_html=True)
        html = data.decode("utf-8", "replace")
        default = trafilatura.extract(html, url=url) or ""
        doc = extract_document(html, url)
        raw = getattr(doc, "text", "") or ""
        rows[key] = {
            "paragraphs": word_f1("\n".join(res.paragraphs), body),
            "text": word_f1(res.text, body),
            "trafilatura": word_f1(default, body),
            "extractor": word_f1(raw, body),
        }
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--check", action="store_true", help="exit 1 if a floor fails")
    ap.add_argument("--json", action="store_true", help="print every page's scores as JSON")
    args = ap.parse_args()
    if not (args.corpus / "ground-truth.json").is_file():
        print(f"skipped: {args.corpus} is absent (the shared corpora sit beside the repo)")
        return 0
    rows = score(args.corpus)
    if args.json:
        print(json.dumps(rows, indent=1))
    n = len(rows)
    means = {c: sum(r[c] for r in rows.values()) / n for c in next(iter(rows.values()))}
    print(f"{n} pages, mean word F1:")
    for column, value in means.items():
        print(f"  {column:<12} {value:.4f}")
    below = {k: r for k, r in rows.items() if r["paragraphs"] < r["trafilatura"] - MARGIN}
    print(f"pages where paragraphs is more than {MARGIN} below trafilatura: {len(below)}")
    for key, r in below.items():
        print(f"  {key[:16]}  paragraphs {r['paragraphs']:.3f}  trafilatura {r['trafilatura']:.3f}")
    floors = {
        f"paragraphs >= {MIN_MEAN}": means["paragraphs"] >= MIN_MEAN,
        "paragraphs >= trafilatura": means["paragraphs"] >= means["trafilatura"],
        f"pages below <= {MAX_BELOW}": len(below) <= MAX_BELOW,
    }
    for name, ok in floors.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 1 if args.check and not all(floors.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
