from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.dedupe.api import near_duplicates_within
from cleaner.dedupe.keys import (
    JOIN_LEFT,
    JOIN_RIGHT,
    batch_shingles,
    dedupe_key,
    glue_affixes,
    mix64,
    shingle_text,
    shingle_texts,
)


def test_key_folds_orthographic_variants():
    base = "رئیس‌جمهور روسیه گفت که ۵۰ دقیقه گفتگو کرد"
    variants = [
        "رئيس‌جمهور روسيه گفت كه ۵۰ دقيقه گفتگو كرد",  # Arabic yeh/kaf
        "رئیس جمهور روسیه گفت که 50 دقیقه گفتگو کرد",  # ZWNJ as space, ASCII digits
        "رئیـــس‌جمهور روسیه\u200b گفت که ۵۰ دقیقه  گفتگو کرد",  # tatweel, invisible, spaces
        "رَئیس‌جمهور روسیه گفت که ۵۰ دقیقه گفتگو کرد.",  # diacritic, punctuation
    ]
    for v in variants:
        assert shingle_text(v) == shingle_text(base), v


def test_affixes_written_apart_or_joined_are_one_key():
    # ZWNJ, a space, or nothing between a word and its affix (می، نمی، ها، های، ترین...).
    spellings = [
        "او می‌تواند کتاب‌های بیشتری بخواند و نمی‌خواهد بهترین‌ها را از دست بدهد",
        "او می تواند کتاب های بیشتری بخواند و نمی خواهد بهترین ها را از دست بدهد",
        "او میتواند کتابهای بیشتری بخواند و نمیخواهد بهترینها را از دست بدهد",
    ]
    assert len({shingle_text(s) for s in spellings}) == 1
    assert len(set(shingle_texts(spellings))) == 1


def test_compound_written_without_separator_is_still_a_near_duplicate():
    # "رئیسجمهور" (no ZWNJ, no space) differs from "رئیس جمهور" only at the junction: a few
    # shingles of a paragraph; the pair is still found.
    a = "رئیس‌جمهور روسیه امروز گفت که ۵۰ دقیقه با همتای آمریکایی خود گفتگو کرد"
    b = "رئیسجمهور روسیه امروز گفت که ۵۰ دقیقه با همتای آمریکایی خود گفتگو کرد"
    pairs = near_duplicates_within([a, b])
    assert pairs and pairs[0][2] >= 0.8


def test_key_does_not_merge_different_words():
    assert dedupe_key("پوتین") != dedupe_key("بایدن")


def test_batch_shingles_match_one_by_one():
    texts = [shingle_text(t) for t in ["سلام دنیا زیبا", "", "abc", "x" * 40]]
    hashes, offsets = batch_shingles(texts)
    for i, t in enumerate(texts):
        alone, off = batch_shingles([t])
        assert np.array_equal(hashes[offsets[i] : offsets[i + 1]], alone)
    assert offsets.tolist() == [0, 10, 10, 11, 47]  # spaces count: 14 characters, 10 shingles


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


def _glued_word_by_word(text: str) -> str:
    """The spec of ``glue_affixes``: a space goes when the word after it is an affix
    (``JOIN_LEFT``), or the word before it a prefix (``JOIN_RIGHT``) and a word follows it
    (words end at a space, a newline or either end of the text)."""
    breaks = " \n"
    out = []
    for p, char in enumerate(text):
        if char == " ":
            after = re.match(r"[^ \n]*", text[p + 1 :])
            before = re.search(r"[^ \n]*\Z", text[:p])
            assert after is not None and before is not None
            next_is_word = p + 1 < len(text) and text[p + 1] not in breaks
            if after.group() in JOIN_LEFT or (before.group() in JOIN_RIGHT and next_is_word):
                continue
        out.append(char)
    return "".join(out)


_GLUE_WORDS = sorted(JOIN_LEFT | JOIN_RIGHT) + ["کتاب", "ن", "م", "ها‌", "x"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_GLUE_WORDS, " ", "  ", "\n", " \n "]), max_size=30))
def test_glue_affixes_removes_exactly_the_spaces_of_its_spec(parts: list[str]) -> None:
    text = "".join(parts)
    assert glue_affixes(text) == _glued_word_by_word(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*_GLUE_WORDS, " ", "  ", "،", "!", "\u200c", "ی"]))))
def test_batch_keys_of_affixes_and_spaces_equal_text_by_text(texts: list[list[str]]) -> None:
    joined = ["".join(t) for t in texts]
    assert shingle_texts(joined) == [shingle_text(t) for t in joined]


def _shingles_one_by_one(text: str, k: int) -> list[int]:
    """batch_shingles' contract for one text: each window of ``k`` characters (a shorter
    text padded with NUL to one window) hashed as ``h * 0x100000001B3 + code``, mixed."""
    if not text:
        return []
    padded = text + "\0" * max(0, k - len(text))
    values = []
    for j in range(len(padded) - k + 1):
        h = 0
        for ch in padded[j : j + k]:
            h = (h * 0x100000001B3 + ord(ch)) % 2**64
        values.append(h)
    return mix64(np.array(values, dtype=np.uint64)).tolist()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="ab کت\u0627\U0001f600", max_size=12), max_size=8), st.integers(1, 6)
)
def test_batch_shingles_are_each_texts_windows(texts: list[str], k: int) -> None:
    hashes, offsets = batch_shingles(texts, k)
    assert offsets[0] == 0 and len(offsets) == len(texts) + 1
    for i, t in enumerate(texts):
        assert hashes[offsets[i] : offsets[i + 1]].tolist() == _shingles_one_by_one(t, k)
