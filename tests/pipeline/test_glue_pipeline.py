"""Text that lost its line breaks is judged piece by piece and printed whole."""

from __future__ import annotations

from cleaner.pipeline.run import clean

BODY = "هواشناسی پیش‌بینی کرده است که بارش‌ها تا اواسط هفته ادامه داشته باشد."


def test_end_marker_glued_to_the_last_sentence_is_cut_and_the_sentence_kept():
    text = f"بارش برف مدارس را تعطیل کرد\nمدارس روز یکشنبه تعطیل است.\n{BODY}انتهای پیام"
    res = clean(text)
    assert res.paragraphs[-1] == BODY
    assert [r.category for r in res.removed] == ["end-marker"]


def test_glued_sentences_stay_one_paragraph_with_the_space_restored():
    res = clean("تیتر خبر\nاین مهم است.این خبر دوم است.")
    assert res.paragraphs == ("این مهم است. این خبر دوم است.",)


def test_paragraphs_joined_by_space_runs_are_split_and_a_widget_between_goes():
    text = "تیتر خبر\nجمله اول خبر است.   اشتراک   جمله دوم خبر است."
    res = clean(text)
    assert res.paragraphs == ("جمله اول خبر است.", "جمله دوم خبر است.")
    assert [r.text for r in res.removed] == ["اشتراک"]


def test_outlet_names_with_a_dot_are_not_split():
    res = clean(
        "العربية.نت\nأعلنت الوزارة تحقيق فائض في الميزانية للمرة الأولى.",
        url="https://www.alarabiya.net/x",
    )
    assert res.meta["metadata"]["agency"] == "العربية.نت"
