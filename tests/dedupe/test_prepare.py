from __future__ import annotations

import numpy as np

from cleaner.dedupe import DedupeOptions, paragraphs_of
from cleaner.dedupe.prepare import join_prepared, prepare


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
