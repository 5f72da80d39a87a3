"""Whole-document normalisation gives exactly what line-by-line normalisation gives."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from cleaner.rules import Rulebook
from cleaner.text.normalize import CASELESS, clean_line, clean_lines, match_key, match_keys

ROOT = Path(__file__).resolve().parents[2]

#: Lines that stress every pass: invisible characters, exotic and odd whitespace, Arabic and
#: Persian letter forms, tatweel, presentation forms, cased scripts, the micro sign.
TRICKY = [
    "  a\u200b b\u00a0\u00a0c ",
    "\u200fارسال\u200cبه\u2003دوستان\u200e",
    "ك ي ى ـــ تـــست",
    "\ufefb\ufef5 \ufdfa",
    "LOADER \u00b5 \u0130stanbul \u1e9e \u03a3\u03a3",
    "\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\u1680\u2028\u2029\u202f\u205f\u3000x\ty",
    "",
    " ",
    "\u200c",
    "Привет Мир",
    " \x1a\x1a الحديث مستمر. \x1a\x1aمن احتفالات \x00\x08\x0e\x1b\x7f",
]


def _corpus() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "eval").rglob("*.txt"))]
    lines = [ln for t in texts for ln in t.split("\n")]
    for rule in Rulebook.load().rules():
        lines += list(rule.drop) + list(rule.keep)
    return lines + TRICKY


@pytest.mark.parametrize("lang", ["fa", "ar", "und"])
def test_clean_lines_equals_clean_line(lang):
    lines = _corpus()
    assert clean_lines(lines, lang) == [clean_line(t, lang) for t in lines]


def test_match_keys_equals_match_key():
    lines = _corpus()
    assert match_keys(lines) == [match_key(t) for t in lines]
    clean = [clean_line(t, "fa") for t in lines]
    assert match_keys(clean) == [match_key(t) for t in clean]


def test_lines_holding_a_newline_fall_back_to_one_by_one():
    lines = ["a\nb", "  C  "]
    assert clean_lines(lines) == [clean_line(t) for t in lines]
    assert match_keys(lines) == [match_key(t) for t in lines]


def test_control_characters_become_spaces_never_glue():
    # SUB stands for a bullet or a lost paragraph break in real scrapes.
    line = " \x1a\x1a الحديث مستمر. \x1a\x1aمن احتفالات\x00x\x7fy"
    assert clean_line(line) == "الحديث مستمر. من احتفالات x y"
    assert match_key(line) == "الحدیث مستمر. من احتفالات x y"


def test_empty_document():
    assert clean_lines([]) == [] and match_keys([]) == []


def test_the_caseless_ranges_hold_no_cased_character():
    caseless = re.compile(f"[{CASELESS}]")
    changed = [
        hex(i)
        for i in range(sys.maxunicode + 1)
        if caseless.match(chr(i)) and chr(i).casefold() != chr(i)
    ]
    assert changed == []


def test_match_keys_with_the_classes_of_a_larger_text() -> None:
    """Given the classes of a superset of the texts (their document's), the keys are the same."""
    from cleaner.text.normalize import CHARS, match_key, match_keys

    texts = [
        " ارسال\u200cبه  دوستان ",
        "LOADER",
        "",
        "كد خبر",
        "a\u2028 b\tc",
        "Ｆｕｌｌ ｗｉｄｔｈ",
    ]
    expected = [match_key(t) for t in texts]
    document = "\n".join([*texts, "Привет", "\u00a0\u200f"])
    assert match_keys(texts, CHARS.mask(document)) == expected
    assert match_keys(texts, (1 << len(CHARS.names)) - 1) == expected


def test_cleaned_classes_hold_the_classes_of_cleaned_lines() -> None:
    """cleaned_classes(mask of the input) covers the mask of clean_lines' output."""
    import random

    from cleaner.text.normalize import CHARS, cleaned_classes

    alphabet = "a Bب ي\t\u00a0\u2003\u200b\u200f\r\x0c\u2028\u3000Жك😀"
    rng = random.Random(13)
    for _ in range(500):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))) for _ in "abc"]
        found = CHARS.mask("\n".join(texts))
        for lang in ("fa", "ar"):
            after = CHARS.mask("\n".join(clean_lines(texts, lang, found)))
            assert after & ~cleaned_classes(found) == 0, texts
