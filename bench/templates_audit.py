"""What template removal takes on the whole shared corpora, to be read for body text.

Cleans each corpus as one batch with templates (first pass over every article, then the
clean), and prints per outlet: articles, lines kept by the rules, lines removed as templates
(and their share), the distinct template lines with their counts, and a sample of the removed
lines that read as sentences (the ones most likely to be body text). Nothing is asserted:
the output is read.

    .venv/bin/python bench/templates_audit.py                      # both corpora, ~3 min
    .venv/bin/python bench/templates_audit.py --corpus fa --min-docs 5 --samples 30

Corpora: ``../shared/corpora`` (or ``$CLEANER_CORPORA``): ``saudinewsnet-dev.jsonl.gz``
(record ``content``, outlet ``source``) and ``farsnews-varzesh3.jsonl.gz`` (record
``paragraphs`` joined by newlines, outlet from the record's ``link``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaner.config import CleanConfig  # noqa: E402
from cleaner.document import Source  # noqa: E402
from cleaner.executor.local import iter_clean  # noqa: E402
from cleaner.executor.templates import count_templates  # noqa: E402
from cleaner.pipeline.template_key import reads_as_sentence, template_key  # noqa: E402
from cleaner.pipeline.templates import TemplatePolicy  # noqa: E402

CORPORA = Path(os.environ.get("CLEANER_CORPORA") or ROOT.parent / "shared" / "corpora")


def _fa_outlet(record: dict) -> str:
    """FarsNews or Varzesh3, by the record's link (its ``source`` field says farsnews for all)."""
    return "Varzesh3" if "varzesh3" in str(record.get("link", "")).lower() else "FarsNews"


def articles(corpus: str) -> Iterator[Source]:
    """The corpus's articles as Sources, with their outlet as the source name."""
    name = "saudinewsnet-dev" if corpus == "ar" else "farsnews-varzesh3"
    with gzip.open(CORPORA / f"{name}.jsonl.gz", "rt", encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            r = json.loads(line)
            if corpus == "ar":
                text, outlet, url = r["content"], r["source"], r.get("url")
            else:
                text, outlet, url = "\n".join(r.get("paragraphs") or []), _fa_outlet(r), None
            meta = {"source_name": outlet}
            yield Source(str(r.get("id", n)), text, f"{corpus}:{n}", url, False, meta)


def audit(corpus: str, min_docs: int, workers: int, samples: int) -> None:
    """Print what templates remove from one corpus."""
    policy = TemplatePolicy(min_docs=min_docs)
    index = count_templates(articles(corpus), policy, workers)
    docs: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    lines: dict[str, Counter[str]] = defaultdict(Counter)
    details: dict[tuple[str, str], str] = {}
    sentences: dict[str, list[str]] = defaultdict(list)
    for res, _ in iter_clean(articles(corpus), CleanConfig(), workers, templates=index):
        outlet = str(res.meta.get("source_name"))  # type: ignore[union-attr]
        docs[outlet] += 1
        kept[outlet] += len(res.paragraphs) + bool(res.title)  # type: ignore[union-attr]
        for r in res.removed:  # type: ignore[union-attr]
            if r.category != "template":
                continue
            removed[outlet] += 1
            key = template_key(r.text)
            lines[outlet][key] += 1
            details[(outlet, key)] = r.detail
            if reads_as_sentence(key):
                sentences[outlet].append(r.text)
    total_kept, total_removed = sum(kept.values()), sum(removed.values())
    print(f"== {corpus}: {sum(docs.values())} articles, --templates {min_docs}")
    print(f"   lines removed as templates {total_removed} of {total_kept + total_removed}")
    rng = random.Random(0)
    for outlet in sorted(docs):
        n = removed[outlet]
        share = n / max(1, n + kept[outlet])
        print(
            f"-- {outlet}: {docs[outlet]} articles, {n} template lines removed ({share:.2%}),"
            f" {len(lines[outlet])} distinct, {len(sentences[outlet])} read as sentences"
        )
        for key, count in lines[outlet].most_common(15):
            print(f"   {count:5d}  {key[:90]!r}  [{details[(outlet, key)]}]")
        picked = rng.sample(sentences[outlet], min(samples, len(sentences[outlet])))
        for text in picked:
            print(f"   sentence: {text[:160]!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", choices=["ar", "fa", "all"], default="all")
    ap.add_argument("--min-docs", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--samples", type=int, default=10)
    args = ap.parse_args()
    if not CORPORA.is_dir():
        print(f"skipped: {CORPORA} is absent (the shared corpora sit beside the repo)")
        return 0
    for corpus in ("ar", "fa") if args.corpus == "all" else (args.corpus,):
        audit(corpus, args.min_docs, args.workers, args.samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
