"""cleaner.text.segment: line splitting of plain text and the Arabic-script glue repair."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.text.segment import split_lines

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed(prefix: str) -> str:
    """The text of the plain-text seed whose name starts with ``prefix``."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "newline", ["\n", "\r\n", "\r", "\u2028", "\u2029", "\n\n", "\r\n\r\n", "\n \u00a0\t\n"]
)
def test_every_newline_kind_splits_and_blank_lines_go(newline: str) -> None:
    assert split_lines(f"first{newline}second") == ["first", "second"]


def test_lines_are_stripped_of_spaces_and_nbsp() -> None:
    assert split_lines("  \u00a0 کلمه \u00a0 \n\tدوم\u00a0\u00a0") == ["کلمه", "دوم"]


def test_empty_and_whitespace_only_input_give_no_lines() -> None:
    assert split_lines("") == []
    assert split_lines(" \n\u00a0\r\n\t \u2029") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 2+ spaces after a terminator: a flattened paragraph break.
        ("پایان جمله است.  جمله بعدی", ["پایان جمله است.", "جمله بعدی"]),
        ("آیا چنین است؟\u00a0\u00a0بله", ["آیا چنین است؟", "بله"]),
        ("He said «stop.»  Then left", ["He said «stop.»", "Then left"]),
        ('قال "انتهى."  ثم', ['قال "انتهى."', "ثم"]),
        # 3+ spaces are a break even without a terminator (flattened headline lists).
        ("خبر اول   خبر دوم    خبر سوم", ["خبر اول", "خبر دوم", "خبر سوم"]),
        ("tab\t\t\trun", ["tab", "run"]),
    ],
)
def test_space_runs_that_are_paragraph_breaks_split(text: str, expected: list[str]) -> None:
    assert split_lines(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a double  space in the middle of a sentence",
        "گفتگوی پوتین و بایدن - اسپوتنیک ایران  , 1920, 08.12.2021",
        "three spaces before a comma   , still one sentence",
        "three spaces before an Arabic comma   \u060c still one",
    ],
)
def test_space_runs_inside_a_sentence_do_not_split(text: str) -> None:
    assert split_lines(text) == [text]


def test_seed_000_has_its_22_lines_and_keeps_the_double_space_line_whole() -> None:
    lines = split_lines(seed("000"))
    assert len(lines) == 22
    assert lines[0] == 'گفتگوی پوتین و بایدن درباره "خطوط قرمز"'
    assert lines[2] == "گفتگوی پوتین و بایدن درباره خطوط قرمز - اسپوتنیک ایران  , 1920, 08.12.2021"
    assert lines[-3:] == ["loader", "بحث و گفتگو", "Заголовок открываемого материала"]


def test_seed_001_headline_run_on_stays_one_line() -> None:
    lines = split_lines(seed("001"))
    assert len(lines) == 27
    assert lines[-1].startswith("سینمایی که مسجد شد(+عکس) نقش پیچیده")
    assert lines[-1].endswith("ابراهیم عقیل ؛ مردی که آمریکا از قرن گذشته دنبالش بود")


def test_seed_002_trailing_and_leading_nbsp_are_stripped() -> None:
    lines = split_lines(seed("002"))
    assert len(lines) == 20
    assert lines[0] == "تماس با ما درباره ما"
    assert lines[9] == "مقامهای روس بارها از پاسخ غرب به پیشنهادات امنیتی این کشور انتقاد کردهاند."
    assert all(line == line.strip() for line in lines)
    assert lines[-3:] == ["ارسال نظر", "پربازدیترین ها", "آخرین اخبار"]


@pytest.mark.parametrize(("prefix", "count"), [("003", 24), ("004", 15)])
def test_other_seeds_split_on_their_newlines_only(prefix: str, count: int) -> None:
    text = seed(prefix)
    assert split_lines(text) == [line.strip() for line in text.splitlines() if line.strip()]
    assert len(split_lines(text)) == count


def test_flattened_seed_splits_back_into_its_paragraphs() -> None:
    # A scraper that replaced each newline by three spaces: every paragraph comes back.
    text = seed("004")
    flattened = "   ".join(text.splitlines())
    assert split_lines(flattened) == split_lines(text)


def test_huge_single_line_inputs_stay_linear() -> None:
    # No timing assertion: these would take minutes with a backtracking pattern.
    assert split_lines(" " * 5_000_000) == []
    assert split_lines(("x" + " " * 1000 + ",") * 5000) == [("x" + " " * 1000 + ",") * 5000]
    assert len(split_lines("ب.  " * 200_000)) == 200_000
