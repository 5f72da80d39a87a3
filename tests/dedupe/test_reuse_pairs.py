"""Reuse verification in bulk: the bounds never cut a pair the exact score keeps."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.dedupe import reuse_pairs
from cleaner.dedupe.api import dedupe
from cleaner.dedupe.keys import JOIN_LEFT, JOIN_RIGHT, dedupe_key
from cleaner.dedupe.pair_stages import reuse_scores
from cleaner.dedupe.reuse import Weights, bigram_ids, many_words, reuse_score, term_ids, words
from cleaner.dedupe.reuse_pairs import (
    document_frequencies,
    reuse_candidates,
    score_pairs,
    segment_bounds,
    term_table,
    weigh,
    word_bounds,
)

#: Common words (every paragraph holds some, often twice) and rare ones (a few hold each).
COMMON = ["گفت", "روسیه", "پوتین", "کاخ", "سفید", "و", "در", "به", "از", "که"]
RARE = [f"rare{k}" for k in range(300)]


def random_batch(rng: random.Random, n: int) -> list[list[str]]:
    """Paragraphs of random words, some of them copying a span of an earlier one."""
    out: list[list[str]] = []
    for _ in range(n):
        ws = [rng.choice(COMMON if rng.random() < 0.5 else RARE) for _ in range(rng.randint(0, 30))]
        if out and rng.random() < 0.5:
            src = rng.choice(out)
            lo = rng.randrange(len(src) + 1)
            span = src[lo : lo + rng.randint(1, 12)]
            at = rng.randrange(len(ws) + 1)
            ws[at:at] = span
        out.append(ws)
    return out


def weights_of(batch: list[list[str]]) -> Weights:
    df: Counter[int] = Counter()
    for ws in batch:
        df.update(term_ids(ws))
    return Weights(df, len(batch))


def terms_of(batch: list[list[str]], weight: Weights):
    ids = term_table(batch, [np.array(bigram_ids(ws), dtype=np.int64) for ws in batch])
    return weigh(ids, weight)


@pytest.mark.parametrize("seed", range(8))
def test_bounds_are_never_below_the_exact_score(seed):
    rng = random.Random(seed)
    batch = random_batch(rng, 40)
    weight = weights_of(batch)
    terms = terms_of(batch, weight)
    a, b = np.triu_indices(len(batch), 1)
    exact = [reuse_score(batch[i], batch[j], weight) for i, j in zip(a, b, strict=True)]
    got_w, got_f = score_pairs(terms, a, b)
    assert np.allclose(got_w, [s.weight for s in exact])
    assert np.allclose(got_f, [s.fraction for s in exact])
    words_bound = word_bounds(terms, a, b)
    segments = segment_bounds(terms, a, b)
    assert np.all(words_bound >= got_w - 1e-9)
    assert np.all(segments >= got_w - 1e-9)
    assert np.all(segments <= words_bound + 1e-9)
    # Scattered shared words make light segments: the second bound cuts pairs the first keeps.
    assert np.count_nonzero(segments < words_bound - 1e-9) > 0


@pytest.mark.parametrize("stretch", [1, 3, 17])
def test_bounds_the_same_whatever_stretch_of_keys_is_searched_at_once(stretch, monkeypatch):
    rng = random.Random(stretch)
    batch = random_batch(rng, 50)  # (some paragraphs have no word: nodes without keys)
    terms = terms_of(batch, weights_of(batch))
    a, b = np.triu_indices(len(batch), 1)
    a, b = np.concatenate([a, b]), np.concatenate([b, a])
    whole = word_bounds(terms, a, b), segment_bounds(terms, a, b)
    monkeypatch.setattr(reuse_pairs, "_STRETCH", stretch)
    stretched = word_bounds(terms, a, b), segment_bounds(terms, a, b)
    assert whole[0].tolist() == stretched[0].tolist()
    assert whole[1].tolist() == stretched[1].tolist()
    # The shared-words bound by its definition: a's rarity of each word b holds.
    for k, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        rarity = terms.word_w[terms.ids.offsets[i] : terms.ids.offsets[i + 1]]
        held = set(batch[j])
        expected = sum(r for r, w in zip(rarity, batch[i], strict=True) if w in held)
        assert whole[0][k] == pytest.approx(expected)


@pytest.mark.parametrize("floors", [(2.0, 0.15), (3.0, 0.1), (1.0, 0.05)])
def test_candidates_keep_every_pair_the_exact_score_keeps(floors):
    rng = random.Random(7)
    batch = random_batch(rng, 60)
    terms = terms_of(batch, weights_of(batch))
    a, b = np.triu_indices(len(batch), 1)
    weight, fraction = score_pairs(terms, a, b)
    kept = set(np.flatnonzero((weight >= floors[0]) & (fraction >= floors[1])).tolist())
    todo = set(reuse_candidates(terms, a, b, *floors).tolist())
    assert kept and kept <= todo
    assert len(todo) < len(a)  # the bounds cut something


def test_document_frequencies_count_each_node_once():
    batch = [["a", "b", "a"], ["a"], ["b", "a"]]
    ids = term_table(batch, [np.array(bigram_ids(ws), dtype=np.int64) for ws in batch])
    terms, counts = document_frequencies(ids, np.array([0, 1, 2]))
    assert terms.tolist() == sorted(terms.tolist())
    assert dict(zip(terms.tolist(), counts.tolist(), strict=True)) == dict(
        Counter(t for ws in batch for t in term_ids(ws))
    )
    terms, counts = document_frequencies(ids, np.array([1]))
    assert dict(zip(terms.tolist(), counts.tolist(), strict=True)) == {
        next(iter(term_ids(["a"]))): 1
    }


def test_pool_scores_equal_scores_here():
    rng = random.Random(3)
    batch = random_batch(rng, 30)
    terms = terms_of(batch, weights_of(batch))
    a, b = np.triu_indices(len(batch), 1)
    here = score_pairs(terms, a, b)
    pooled = reuse_scores(terms, a, b, workers=2, chunk=50)
    assert all(np.array_equal(x, y) for x, y in zip(here, pooled, strict=True))


TRICKY = [
    "می‌تواند، رئيس‌جمهور  روسيه (۲۰۲۱)!",
    "مُحَمَّـــد Said: «hello»_world",
    "Straße ﷺ ١٢٣ — x",
    "",
    "   ",
    "گردان های روسی می تواند",
]


def _key_words_glued(text: str) -> list[str]:
    """The words of the matching key with each detached affix glued to its neighbour, one
    token at a time (what reuse mode's words are, written the plain way)."""
    out: list[str] = []
    glue = False
    for w in dedupe_key(text).split():
        if out and (glue or w in JOIN_LEFT):
            out[-1] += w
        else:
            out.append(w)
        glue = w in JOIN_RIGHT
    return out


AFFIXED = [*sorted(JOIN_LEFT), *sorted(JOIN_RIGHT), "کتاب", "x", "،", "ها‌", "\u200c", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(AFFIXED), max_size=8).map(" ".join), max_size=6))
def test_words_are_the_key_words_with_affixes_glued(texts):
    assert [words(t) for t in texts] == [_key_words_glued(t) for t in texts]
    assert many_words(texts) == [words(t) for t in texts]


def test_words_of_tricky_texts():
    assert [words(t) for t in TRICKY] == [_key_words_glued(t) for t in TRICKY]
    assert many_words(TRICKY) == [words(t) for t in TRICKY]


def test_reuse_mode_same_pairs_on_one_worker_and_two():
    rng = random.Random(11)
    docs = [(f"d{k}", "", [" ".join(ws) for ws in random_batch(rng, 6) if ws]) for k in range(20)]
    one = dedupe(docs, mode="reuse", workers=1, reuse_min_weight=2.0)
    two = dedupe(docs, mode="reuse", workers=2, reuse_min_weight=2.0)
    assert len(one.pairs) > 0
    assert list(one.pairs) == list(two.pairs)
