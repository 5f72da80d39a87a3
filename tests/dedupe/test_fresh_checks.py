"""The corpus generator's batch checks answer as comparing with every known set one by one."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import dedupe_gen  # noqa: E402
from dedupe_gen import distinct, fresh_salad, generate, read_paragraphs, salad  # noqa: E402
from fresh_checks import Guard, Sets, Taken, shingle_sets  # noqa: E402

from cleaner.dedupe.verify import intersection, overlap  # noqa: E402


@pytest.fixture(scope="module")
def real() -> list[str]:
    return distinct(read_paragraphs(sorted((ROOT / "seeds").glob("*.txt"))))


@pytest.fixture(scope="module")
def members() -> list[str]:
    items = generate(read_paragraphs(sorted((ROOT / "seeds").glob("*.txt"))), n=3000, seed=1)
    return [it.text for it in items if it.kind not in ("exact", "orthographic", "distractor")]


def near_copies(rng: random.Random, members: list[str], count: int) -> list[str]:
    """Texts on both sides of the bars: runs of members of every length, alone or padded."""
    out = []
    for _ in range(count):
        words = rng.choice(members).split()
        start = rng.randrange(len(words))
        run = words[start : start + rng.randint(1, len(words))]
        pad = rng.choice(members).split()[: rng.choice((0, 0, 2, 8, 30))]
        out.append(" ".join(run + pad if rng.random() < 0.5 else pad + run))
    return out


def one_by_one(s: np.ndarray, member_sets: list[np.ndarray]) -> bool:
    """The bars of Taken (containment 0.75 of the smaller set, Jaccard 0.4), member by member."""
    for m in member_sets:
        shared = intersection(s, m) if s.size and m.size else 0
        if shared and not (
            shared < 0.75 * min(s.size, m.size) and shared < 0.4 * (s.size + m.size - shared)
        ):
            return False
    return True


def test_taken_rejects_exactly_the_texts_some_member_fails(members):
    rng = random.Random(4)
    texts = near_copies(rng, members, 400) + rng.sample(members, 20)
    sets = shingle_sets(members)
    member_sets = [sets.flat[sets.offsets[i] : sets.offsets[i + 1]] for i in range(len(members))]
    expected = np.array([one_by_one(shingle_sets([t]).flat, member_sets) for t in texts])
    assert 50 < expected.sum() < len(texts) - 50  # both verdicts, many near the bars
    assert Taken(members).fresh_many(shingle_sets(texts)).tolist() == expected.tolist()


def test_taken_finds_a_member_sharing_only_its_commonest_shingles(members):
    """The sets prefix filtering is for: nothing shared among the rarest shingles of the
    member (a set of its size holding its commonest 60%: Jaccard 0.43) or of the set (the
    rarest shingles of other members, then the member's commonest: Jaccard 0.41)."""
    taken = Taken(members)
    sets = shingle_sets(members)
    member_sets = [sets.flat[sets.offsets[i] : sets.offsets[i + 1]] for i in range(len(members))]
    rng = np.random.default_rng(0)
    made = []
    for m in [m for m in member_sets if m.size >= 100][:40]:
        by_rank = m[np.argsort(taken.rank_of[taken.keys.searchsorted(m)])]
        common = by_rank[-int(np.ceil(0.6 * m.size)) :]
        unknown = rng.integers(1, 2**63, m.size - common.size, dtype=np.uint64)
        made.append(np.concatenate([common, unknown]))
        size = round(m.size / 1.05)
        common = by_rank[-int(np.ceil(0.6 * size)) :]
        rare = taken.keys[np.argsort(taken.rank_of)]
        rare = rare[~np.isin(rare, m)][: size - common.size]
        made.append(np.concatenate([rare, common]))
    made = [np.unique(s) for s in made]
    expected = [one_by_one(s, member_sets) for s in made]
    assert expected.count(False) >= 70
    offsets = np.cumsum([0] + [s.size for s in made])
    assert taken.fresh_many(Sets(np.concatenate(made), offsets)).tolist() == expected


def test_guard_rejects_exactly_the_salads_sharing_its_bar_with_a_real_paragraph(real):
    rng = random.Random(5)
    pool = [p.split() for p in real]
    texts = [salad(rng, pool, rng.randint(5, 45)) for _ in range(300)]
    real_sets = [shingle_sets([p]).flat for p in real]
    expected = [
        all(overlap(shingle_sets([t]).flat, r).containment < 0.3 for r in real_sets) for t in texts
    ]
    assert 0 < sum(expected) < len(texts)
    assert Guard(real).fresh_many(shingle_sets(texts)).tolist() == expected


def test_batched_salads_are_the_salads_drawn_one_at_a_time(real, members, monkeypatch):
    monkeypatch.setattr(dedupe_gen, "BATCH", 7)  # many batches, and a last one drawn again
    pool = [p.split() for p in real]
    guard, taken = Guard(real), Taken(members)
    slow, fast = random.Random(9), random.Random(9)
    expected = []
    for _ in range(60):
        text = fresh_salad(slow, pool, guard, 12, 40)
        while not taken.fresh(text):
            text = fresh_salad(slow, pool, guard, 12, 40)
        expected.append(text)
    check = dedupe_gen.distractor_check(guard, taken)
    assert dedupe_gen.fresh_salads(fast, pool, 60, 12, 40, check) == expected
    assert fast.random() == slow.random()  # the stream goes on from the same place
