"""Reuse mode on the labelled evaluation: the seed pairs issue 3 names, and generated rounds.

The generated-round floors here are the levels measured when reuse scoring moved to chains
of shared runs (``python bench/reuse_eval.py``: recall 0.646, decoys kept apart 0.989,
precision 0.987 on rounds 0-39; 0.627 / 0.984 / 0.978 on held-out rounds 100-139), so a
change that loses ground fails. The issue's floors (recall 0.9, precision 0.99) are not met
yet: ``test_issue_floors`` is a strict xfail that turns into a failure the day they are, so
the floors above get raised then.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from reuse_eval import (  # noqa: E402
    FLOORS,
    rounds,
    score_labels,
    seed_documents,
)
from reuse_gen import seed_round  # noqa: E402

#: Levels on rounds 0-4 (measured 0.659 / 1.0 / 1.0), a little under the 40-round figures.
REGRESSION = {"reuse_recall": 0.62, "decoy_kept_apart": 0.98, "precision": 0.98}


@pytest.fixture(scope="module")
def tally():
    return rounds(5)


def test_required_seed_pairs_found_and_distinct_pairs_kept_apart():
    report = score_labels(seed_documents())
    assert report["required"] == [True, True]  # 000:9-000:12 and 001:18-004:7
    assert report["found"]["distinct"] == []  # no labelled same-story non-reuse pair
    assert report["recall"] >= 0.65  # 12 of 18 labelled reuse pairs (was 13 of 18)


def test_generated_rounds_hold_their_measured_levels(tally):
    figures = tally.figures()
    assert tally.reuse >= 80 and tally.decoys >= 70
    for name, floor in REGRESSION.items():
        assert figures[name] >= floor, (name, figures[name])


@pytest.mark.xfail(strict=True, reason="issue 3 floors not reached yet; see bench/reuse_eval.py")
def test_issue_floors(tally):
    figures = tally.figures()
    assert all(figures[name] >= floor for name, floor in FLOORS.items())


def test_rounds_are_deterministic_and_labelled():
    a, b = seed_round(7), seed_round(7)
    assert a == b
    ids = {it.id: it for it in a}
    made = [it for it in a if it.kind != "source"]
    assert made and all(it.anchor in ids and it.host for it in made)
    # a reuse item carries words of its source; its host is not an item of the round
    assert all(it.host not in {s.text for s in a if s.kind == "source"} for it in made)
