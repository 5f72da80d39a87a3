"""Template detection over a batch: one source, many documents; the news is guarded."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.document import Source
from cleaner.pipeline.run import build_templates, clean
from cleaner.pipeline.templates import TemplateIndex, TemplatePolicy, source_of
from cleaner.text.normalize import match_key

FOOTER = "خبرگزاری نمونه - همه چیز درباره ایران"
WIRE = "روسیه حدود صد هزار نیرو در نزدیکی مرز اوکراین مستقر کرده است و غرب نگران حمله است."


def _doc(n: int, *, middle: list[str] = (), tail: list[str] = ()) -> list[str]:
    body = [
        f"خبر شماره {n} درباره موضوعی تازه است.",
        f"جمله دوم خبر {n} جزئیات بیشتری می‌دهد و {n} بار تکرار نمی‌شود.",
    ]
    # Stories differ in length before and after any repeated paragraph, as real ones do.
    extra = [f"پاراگراف اضافی {k} برای خبر {n} نوشته شده است." for k in range(n % 3)]
    after = [f"پاراگراف پایانی {k} برای خبر {n} است." for k in range(n % 2)]
    return [f"تیتر خبر {n}", *body[:1], *extra, *middle, *body[1:], *after, *tail, FOOTER]


def _keys(lines: list[str]) -> list[str]:
    return [match_key(t) for t in lines]


def test_footer_on_every_page_is_a_template_with_its_evidence():
    index = TemplateIndex.build(("site", _keys(_doc(n))) for n in range(4))
    found = index.lookup("site", match_key(FOOTER))
    assert found is not None and found.docs == 4 and "4 of 4 documents of site" in found.detail
    assert index.lookup("site", match_key("تیتر خبر 1")) is None
    assert index.lookup("other", match_key(FOOTER)) is None


def test_too_few_documents_or_too_small_a_share_is_no_evidence():
    two = TemplateIndex.build(("site", _keys(_doc(n))) for n in range(2))
    assert two.lookup("site", match_key(FOOTER)) is None
    docs = [("site", _keys(_doc(n, tail=["یک سطر کوتاه"] if n < 3 else []))) for n in range(10)]
    index = TemplateIndex.build(docs, TemplatePolicy(min_docs=3, min_share=0.5))
    assert index.lookup("site", match_key("یک سطر کوتاه")) is None  # 3 of 10
    assert index.lookup("site", match_key(FOOTER)) is not None


def test_background_paragraph_of_a_series_moves_and_stays():
    """A sentence repeated in every story of a series sits at different places: not a template."""
    docs = [("site", _keys(_doc(n, middle=[WIRE]))) for n in range(6)]
    index = TemplateIndex.build(docs)
    assert index.lookup("site", match_key(WIRE)) is None
    assert index.lookup("site", match_key(FOOTER)) is not None


def test_sentence_at_a_stable_place_is_a_template_unless_another_outlet_prints_it():
    disclaimer = "دیدگاه‌های منتشر شده در این ستون لزوماً بازتاب دیدگاه سردبیر این پایگاه نیست."
    docs = [("site", _keys(_doc(n, tail=[disclaimer]))) for n in range(4)]
    assert TemplateIndex.build(docs).lookup("site", match_key(disclaimer)) is not None
    wire = docs + [("other", _keys(["خبری دیگر از منبعی دیگر.", disclaimer]))]
    assert TemplateIndex.build(wire).lookup("site", match_key(disclaimer)) is None


def test_rescraped_article_is_counted_once():
    same = _keys(_doc(1, tail=["سطری که فقط در این خبر هست"]))
    index = TemplateIndex.build([("site", same)] * 4)
    assert index.rescrapes == 3 and index.docs["site"] == 1
    assert index.lookup("site", match_key("سطری که فقط در این خبر هست")) is None


def test_policy_refuses_nonsense():
    with pytest.raises(ValueError):
        TemplatePolicy(min_docs=1)


def test_source_is_record_field_then_host_then_folder():
    assert source_of(Source("a", "", "x/y.txt", url="https://www.mehrnews.com/a")) == "mehrnews.com"
    assert source_of(Source("a", "", "in/tasnim/1.txt")) == "in/tasnim"


def test_pipeline_labels_templates_and_keeps_the_body():
    docs = ["\n".join(_doc(n)) for n in range(4)]
    sources = [Source(f"{n}", d, f"batch/site/{n}.txt") for n, d in enumerate(docs)]
    index = build_templates(sources)
    res = clean(docs[1], source="batch/site/1.txt", templates=index)
    dropped = {r.text: r for r in res.removed}
    assert dropped[FOOTER].category == "template" and dropped[FOOTER].rule == "template/batch"
    assert "4 of 4" in dropped[FOOTER].detail
    assert res.paragraphs[0] == "خبر شماره 1 درباره موضوعی تازه است."
    assert FOOTER not in res.text
    without = clean(docs[1], source="batch/site/1.txt")
    assert FOOTER in without.text


def test_cli_templates_option_over_a_folder(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for n in range(4):
        (site / f"{n}.txt").write_text("\n".join(_doc(n)), encoding="utf-8")
    runner = CliRunner()
    plain = runner.invoke(main, ["clean", str(site), "--quiet"])
    learned = runner.invoke(main, ["clean", str(site), "--templates", "3", "--quiet"])
    assert plain.exit_code == 0 and learned.exit_code == 0, learned.output
    assert plain.stdout.count(FOOTER) == 4 and FOOTER not in learned.stdout
    assert learned.stdout.count("خبر شماره") == 4


def test_cli_templates_refuses_stdin():
    res = CliRunner().invoke(main, ["clean", "-", "--templates", "3"], input="x")
    assert res.exit_code == 2 and "not -" in res.output
