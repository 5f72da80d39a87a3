from __future__ import annotations

import numpy as np

from cleaner.dedupe.keys import batch_shingles, matching_key, shingle_text, shingle_texts


def test_key_folds_orthographic_variants():
    base = "رئیس‌جمهور روسیه گفت که ۵۰ دقیقه گفتگو کرد"
    variants = [
        "رئيس‌جمهور روسيه گفت كه ۵۰ دقيقه گفتگو كرد",  # Arabic yeh/kaf
        "رئیس جمهور روسیه گفت که 50 دقیقه گفتگو کرد",  # ZWNJ as space, ASCII digits
        "رئیسجمهور روسیه گفت که ٥٠ دقیقه گفتگو کرد",  # ZWNJ absent, Arabic-Indic digits
        "رئیـــس‌جمهور روسیه\u200b گفت که ۵۰ دقیقه  گفتگو کرد",  # tatweel, invisible, spaces
        "رَئیس‌جمهور روسیه گفت که ۵۰ دقیقه گفتگو کرد.",  # diacritic, punctuation
    ]
    for v in variants:
        assert shingle_text(v) == shingle_text(base), v


def test_key_does_not_merge_different_words():
    assert matching_key("پوتین") != matching_key("بایدن")


def test_batch_shingles_match_one_by_one():
    texts = [shingle_text(t) for t in ["سلام دنیا زیبا", "", "abc", "x" * 40]]
    hashes, offsets = batch_shingles(texts)
    for i, t in enumerate(texts):
        alone, off = batch_shingles([t])
        assert np.array_equal(hashes[offsets[i] : offsets[i + 1]], alone)
    assert offsets.tolist() == [0, 8, 8, 9, 45]


def test_batch_keys_equal_text_by_text():
    rng = np.random.default_rng(2)
    # Persian/Arabic, Latin, digits, invisibles, combining marks, presentation forms (NFKC
    # changes them), an emoji; then batches that take the per-text path (a newline inside a
    # text, a character case-folded into two).
    alphabet = (
        [chr(c) for c in range(0x600, 0x700)]
        + list("abcXYZ 019.,!?«»-_")
        + ["\u200c", "\u200d", "\u00ad", "\ufeff", "\u0301", "\ufb50", "\ufe8d", "\U0001f600"]
    )
    texts = ["".join(rng.choice(alphabet, int(rng.integers(0, 60)))) for _ in range(500)]
    assert shingle_texts(texts) == [shingle_text(t) for t in texts]
    for odd in (["a\nb", "c"], ["Straße", "x"], [""], []):
        assert shingle_texts(odd) == [shingle_text(t) for t in odd]
