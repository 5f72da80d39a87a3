"""Reuse scoring: shared runs, chains, and what weighs (rare words in order) and what not."""

from __future__ import annotations

from collections import Counter

from cleaner.dedupe.options import DedupeOptions
from cleaner.dedupe.reuse import (
    Weights,
    best_chain,
    best_chains,
    reuse_score,
    shared_runs,
    term_id,
    term_ids,
    words,
)

#: A small "story": every paragraph names the two presidents; two of them share a clause.
STORY = [
    "ولادیمیر پوتین رئیس جمهور روسیه گفت که گردانهای روسی در خاک خود هستند و کسی را تهدید نمیکنند",
    "به گفته دستیار ولادیمیر پوتین رئیس جمهور روسیه گردانهای روسی در خاک خود هستند و تهدیدی نیستند",
    "ولادیمیر پوتین رئیس جمهور روسیه و جو بایدن درباره تحریمها و اوکراین گفتگو کردند",
    "جو بایدن به ولادیمیر پوتین رئیس جمهور روسیه درباره حمله به اوکراین هشدار داد",
    "کاخ سفید اعلام کرد جو بایدن و ولادیمیر پوتین رئیس جمهور روسیه دو ساعت گفتگو کردند",
    "ولادیمیر پوتین رئیس جمهور روسیه خواستار تضمینهای امنیتی از ناتو شد",
]


def story_weights(paragraphs: list[str]) -> tuple[list[list[str]], Weights]:
    ws = [words(p) for p in paragraphs]
    df: Counter[int] = Counter()
    for w in ws:
        df.update(term_ids(w))
    return ws, Weights(df, len(ws))


def test_runs_are_maximal_and_in_order():
    a = ["x", "a", "b", "c", "y", "d", "e"]
    b = ["a", "b", "c", "z", "d", "e"]
    assert shared_runs(a, b) == [(1, 0, 3), (5, 4, 2)]
    assert shared_runs(a, ["q"]) == []


def test_chain_allows_small_gaps_and_keeps_order():
    runs = [(0, 0, 2), (3, 3, 2), (7, 5, 2)]  # gaps of 1 word, then of 2 and 0
    assert best_chain(runs, [1.0, 1.0, 1.0], 1) == (2.0, [0, 1])
    assert best_chain(runs, [1.0, 1.0, 1.0], 2) == (3.0, [0, 1, 2])
    # two clauses of one quote in the other order: one chain each
    swapped = [(0, 6, 3), (5, 0, 3)]
    assert best_chains(swapped, [2.0, 2.0], 2, 1) == 2.0
    assert best_chains(swapped, [2.0, 2.0], 2, 2) == 4.0


def test_word_and_bigram_ids_never_meet():
    ids = term_ids(["a", "b"])
    assert ids == {term_id("a"), term_id("b"), term_id("a b")}


def test_shared_clause_outweighs_the_names_every_paragraph_repeats():
    ws, weight = story_weights(STORY)
    floor = DedupeOptions().reuse_min_weight
    # «ولادیمیر پوتین رئیس جمهور روسیه» is in every paragraph: the run is worth almost nothing
    names = words("ولادیمیر پوتین رئیس جمهور روسیه")
    alone = reuse_score(names, ws[2], weight)
    assert alone.weight < 0.1
    # «گردانهای روسی در خاک خود هستند و» is only in paragraphs 0 and 1
    assert reuse_score(ws[0], ws[1], weight).weight >= floor
    others = [(i, j) for i in range(6) for j in range(i + 1, 6) if (i, j) != (0, 1)]
    assert all(reuse_score(ws[i], ws[j], weight).weight < floor for i, j in others)


def test_order_matters_scattered_rare_words_weigh_less_than_a_run():
    rare = Weights({}, 100)  # every term held by two paragraphs only
    a = ["r1", "r2", "r3", "r4", "r5", "r6"]
    in_order = reuse_score(a, ["x", "r1", "r2", "r3", "r4", "r5", "r6", "y"], rare)
    far = " x y z "  # three words apart: more than a chain may skip
    scattered = reuse_score(a, far.join(["r6", "r4", "r2", "r5", "r1", "r3"]).split(), rare)
    assert in_order.weight == 6.0
    assert scattered.weight == 2.0  # the two best chains are one word each


def test_no_shared_word_scores_zero():
    ws, weight = story_weights(STORY)
    assert reuse_score(["کاملا", "متفاوت"], ws[0], weight) == reuse_score([], [], weight)
