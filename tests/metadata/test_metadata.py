"""Metadata kept instead of deleted: dates, codes, agencies, credits in the JSON output."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.pipeline.run import clean
from cleaner.rules import RuleError, load_file

ISNA = """کد خبر: 1400101007384
دوشنبه / ۱۰ دی ۱۴۰۰ / ۱۰:۲۶
افزایش قیمت مرغ در بازار تهران
قیمت هر کیلوگرم مرغ حدود ۱۰ درصد افزایش یافت.
به گزارش ایسنا، رئیس اتحادیه گفت که کمبود نهاده‌ها علت اصلی این افزایش است.
عکس: Getty Images
انتهای پیام
"""

AAWSAT = """السبت - 28 جمادى الأولى 1443 هـ - 01 يناير 2022 مـ رقم العدد [ 15739]
لندن: «الشرق الأوسط»
بريطانيا تسجل رقما قياسيا في الإصابات
سجلت بريطانيا أكثر من 189 ألف إصابة جديدة بفيروس كورونا خلال 24 ساعة.
"""


def test_persian_fields_are_captured_and_the_attributed_sentence_stays():
    res = clean(ISNA)
    assert res.meta["metadata"] == {
        "news_code": "1400101007384",
        "published": "2021-12-31T10:26",
        "credits": ["Getty Images"],
        "agency": "ایسنا",
    }
    assert res.paragraphs[-1].startswith("به گزارش ایسنا، رئیس اتحادیه")
    assert "کد خبر" not in res.text and "Getty" not in res.text and "انتهای پیام" not in res.text


def test_hijri_date_and_dateline_in_arabic():
    res = clean(AAWSAT)
    assert res.meta["metadata"] == {
        "published": "2022-01-01",
        "dateline": "لندن",
        "agency": "الشرق الأوسط",
    }
    assert res.title == "بريطانيا تسجل رقما قياسيا في الإصابات"


def test_irna_dateline_glued_to_the_lead_is_cut_and_kept_as_fields():
    res = clean("تیتر خبر\nتهران- ایرنا- رئیس سازمان گفت که صادرات رشد کرده است.")
    assert res.paragraphs == ("رئیس سازمان گفت که صادرات رشد کرده است.",)
    assert res.meta["metadata"] == {"dateline": "تهران", "agency": "ایرنا"}


def test_no_metadata_field_when_nothing_was_captured():
    assert "metadata" not in clean("تیتر\nیک جمله ساده خبری است.").meta


def test_jsonl_output_carries_the_metadata(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ISNA, encoding="utf-8")
    res = CliRunner().invoke(main, ["clean", str(path), "--format", "jsonl", "--quiet"])
    assert res.exit_code == 0, res.output
    record = json.loads(res.stdout)
    assert record["metadata"]["published"] == "2021-12-31T10:26"


HEAD = "name: x\nscope: lang\nlangs: [fa]\nrules:\n"
RULE = """  - id: code
    kind: pattern
    category: metadata
    description: d
    pattern: '^کد (?P<news_code>\\d+)$'
    capture: {news_code: digits}
    capture_examples:
      - line: "کد 12"
        fields: {news_code: "12"}
    drop: ["کد 13"]
    keep: ["کد را بخوانید."]
"""


def _load(tmp_path, body: str):
    path = tmp_path / "x.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    return load_file(path)


def test_capture_rule_loads(tmp_path):
    rule = _load(tmp_path, RULE).rules[0]
    assert rule.params["capture"] == {"news_code": "digits"}
    assert rule.captures == (("کد 12", {"news_code": "12"}),)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("digits}", "roman}"), "unknown converter 'roman'"),
        (("{news_code: digits}", "{code: digits}"), "not a named group"),
        (
            (
                '    capture_examples:\n      - line: "کد 12"\n        fields: {news_code: "12"}\n',
                "",
            ),
            "needs 'capture_examples'",
        ),
    ],
)
def test_bad_capture_is_a_rule_error(tmp_path, change, message):
    with pytest.raises(RuleError, match=message):
        _load(tmp_path, RULE.replace(*change))


def test_meta_rule_needs_a_capture(tmp_path):
    body = RULE.replace("kind: pattern", "kind: meta").replace(
        "    capture: {news_code: digits}\n", ""
    )
    body = body.replace(
        '    capture_examples:\n      - line: "کد 12"\n        fields: {news_code: "12"}\n', ""
    )
    with pytest.raises(RuleError, match="needs 'capture'"):
        _load(tmp_path, body)
