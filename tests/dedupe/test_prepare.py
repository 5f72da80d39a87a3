from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from cleaner.dedupe import DedupeOptions, paragraphs_of
from cleaner.dedupe.prepare import anchor_pairs, join_prepared, prepare


def _anchor_pairs_by_hand(owner, key, per, max_postings, min_shared, budget):
    """The rule of ``anchor_pairs`` written out plainly, paragraph by paragraph."""
    df = Counter(key.tolist())
    holders: dict[int, list[int]] = {}
    for o, k in zip(owner.tolist(), key.tolist(), strict=True):
        holders.setdefault(k, []).append(o)
    shared: Counter[tuple[int, int]] = Counter()
    for o in sorted(set(owner.tolist())):
        keys = sorted((df[k], k) for k in key[owner == o].tolist())[:per]
        spent = 0
        for f, k in keys:
            if f < 2 or f > max_postings:
                continue
            if budget is not None and spent >= budget:
                continue
            spent += f
            for y in holders[k]:
                if y != o:
                    shared[(min(o, y), max(o, y))] += 1
    return sorted([a, b] for (a, b), c in shared.items() if c >= min_shared)


@pytest.mark.parametrize(("per", "shared", "budget"), [(1, 1, None), (3, 1, 12), (3, 2, None)])
def test_anchor_pairs_follow_the_rule(per, shared, budget):
    rng = np.random.default_rng(per * 10 + shared)
    rows = {
        (int(o), int(k))
        for o, k in zip(rng.integers(0, 80, 900), rng.zipf(1.6, 900) % 60, strict=True)
    }
    owner, key = (np.array(x, dtype=np.int64) for x in zip(*sorted(rows), strict=True))
    key = key.astype(np.uint64)
    got = anchor_pairs(owner, key, per, 8, shared, budget).tolist()
    assert got == _anchor_pairs_by_hand(owner, key, per, 8, shared, budget)
    assert got


def test_joined_parts_equal_one_prepare(seeds):
    docs, _ = seeds
    paragraphs = paragraphs_of(docs)
    opts = DedupeOptions()
    whole = prepare(paragraphs, opts)
    cut = len(paragraphs) // 3
    parts = [prepare(paragraphs[:cut], opts), prepare(paragraphs[cut:], opts).without_texts()]
    joined = join_prepared(paragraphs, parts)
    for name in ("digests", "set_hashes", "set_offsets", "signature", "bands", "sketch"):
        assert np.array_equal(getattr(whole, name), getattr(joined, name)), name
    assert np.array_equal(whole.anchor_key, joined.anchor_key)
    assert whole.signature.dtype == np.uint32
    assert whole.nbytes() < 3000 * len(paragraphs)


def test_large_batch_prepared_in_slices_is_the_same(seeds, monkeypatch):
    docs, _ = seeds
    paragraphs = paragraphs_of(docs)
    whole = prepare(paragraphs, DedupeOptions())
    monkeypatch.setattr("cleaner.dedupe.prepare.PREPARE_ROWS", 7)
    sliced = prepare(paragraphs, DedupeOptions())
    for name in ("digests", "set_hashes", "set_offsets", "signature", "bands", "sketch"):
        assert np.array_equal(getattr(whole, name), getattr(sliced, name)), name
    assert sliced.paragraphs == whole.paragraphs
