"""The small evaluation: a labelled corpus from the seeds must meet every floor."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from dedupe_eval import evaluate, failures  # noqa: E402
from dedupe_gen import generate, read_paragraphs  # noqa: E402


def test_floors_hold_on_the_seed_corpus():
    items = generate(read_paragraphs(sorted((ROOT / "seeds").glob("*.txt"))), seed=3)
    report = evaluate(items)
    assert report["quoted_span"]["items"] >= 50
    assert failures(report) == []


def test_generator_is_deterministic_and_labelled():
    paras = read_paragraphs(sorted((ROOT / "seeds").glob("*.txt")))
    a, b = generate(paras, seed=5), generate(paras, seed=5)
    assert a == b
    ids = {it.id for it in a}
    assert all(it.anchor in ids for it in a if it.anchor is not None)
    assert {it.kind for it in a} >= {
        "exact",
        "orthographic",
        "attribution",
        "light_edit",
        "quoted_span",
        "distractor",
    }


def test_a_distractor_holding_another_groups_quote_line_is_redrawn():
    from dedupe_gen import Taken

    line = "اوشاکف، معاون پوتین تحلیل واقع بینانهای روسیه با در"
    taken = Taken([line, "روسای جمهوری کشور جدی بود ماه شارع الهرم بالاتجاه گفتگو یک"])
    # The failing distractor of the 200k corpus (seed 0): most of the line, verbatim.
    assert not taken.fresh(
        "از پاسخ غرب و تبادل یوری اوشاکف، بدل و اوشاکف، معاون پوتین تحلیل واقع - بوتين"
        " كورونا فى الجانب واقع بینانهای روسیه در هزاران در رابطه با - المباشر مع که"
    )
    # Same topic, shared words, but no run of the line: still a distractor.
    assert taken.fresh("پوتین و بایدن در گفتگوی تلفنی درباره اوکراین و تضمین های امنیتی سخن گفتند")


def test_no_distractor_contains_or_resembles_a_member_of_a_group():
    import numpy as np
    from dedupe_gen import shingle_text  # the generator's key: what it guarantees on

    from cleaner.dedupe.keys import batch_shingles
    from cleaner.dedupe.verify import overlap

    items = generate(read_paragraphs(sorted((ROOT / "seeds").glob("*.txt"))), n=3000, seed=1)
    hashes, off = batch_shingles([shingle_text(it.text) for it in items])
    sets = [np.unique(hashes[off[i] : off[i + 1]]) for i in range(len(items))]
    members = [i for i, it in enumerate(items) if it.kind != "distractor"]
    for d, it in enumerate(items):
        if it.kind == "distractor":
            for m in members:
                o = overlap(sets[d], sets[m])
                assert o.containment < 0.75 and o.jaccard < 0.4, (it.text, items[m].text)
