"""Template detection over a batch: one source, many documents; the news is guarded."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.document import Source
from cleaner.errors import CleanerError
from cleaner.pipeline.run import build_templates, clean
from cleaner.pipeline.template_key import template_key
from cleaner.pipeline.template_store import TemplateStore
from cleaner.pipeline.templates import TemplateIndex, TemplatePolicy, source_of

FOOTER = "خبرگزاری نمونه | همه چیز درباره ایران"
#: Titles differ by their words (titles that differ only by a number are one template key).
TOPICS = ("اقتصاد", "ورزش", "سیاست", "فرهنگ", "دانش", "هنر", "جهان", "شهر", "بازار", "سلامت")
WIRE = "روسیه حدود صد هزار نیرو در نزدیکی مرز اوکراین مستقر کرده است و غرب نگران حمله است."


def _doc(n: int, *, middle: list[str] = (), tail: list[str] = ()) -> list[str]:
    body = [
        f"خبر شماره {n} درباره موضوعی تازه است.",
        f"جمله دوم خبر {n} جزئیات بیشتری می‌دهد و {n} بار تکرار نمی‌شود.",
    ]
    # Stories differ in length before and after any repeated paragraph, as real ones do.
    extra = [f"پاراگراف اضافی {k} برای خبر {n} نوشته شده است." for k in range(n % 3)]
    after = [f"پاراگراف پایانی {k} برای خبر {n} است." for k in range(n % 2)]
    return [
        f"تیتر خبر {TOPICS[n % len(TOPICS)]}",
        *body[:1],
        *extra,
        *middle,
        *body[1:],
        *after,
        *tail,
        FOOTER,
    ]


def _keys(lines: list[str]) -> list[str]:
    return [template_key(t) for t in lines]


def test_footer_on_every_page_is_a_template_with_its_evidence():
    index = TemplateIndex.build(("site", _keys(_doc(n))) for n in range(4))
    found = index.lookup("site", template_key(FOOTER))
    assert found is not None and found.docs == 4 and "4 of 4 documents of site" in found.detail
    assert index.lookup("site", template_key(f"تیتر خبر {TOPICS[1]}")) is None
    assert index.lookup("other", template_key(FOOTER)) is None


def test_too_few_documents_or_too_small_a_share_is_no_evidence():
    two = TemplateIndex.build(("site", _keys(_doc(n))) for n in range(2))
    assert two.lookup("site", template_key(FOOTER)) is None
    docs = [("site", _keys(_doc(n, tail=["یک سطر کوتاه"] if n < 3 else []))) for n in range(10)]
    index = TemplateIndex.build(docs, TemplatePolicy(min_docs=3, min_share=0.5))
    assert index.lookup("site", template_key("یک سطر کوتاه")) is None  # 3 of 10
    assert index.lookup("site", template_key(FOOTER)) is not None


def test_background_paragraph_of_a_series_moves_and_stays():
    """A sentence repeated in every story of a series sits at different places: not a template."""
    docs = [("site", _keys(_doc(n, middle=[WIRE]))) for n in range(6)]
    index = TemplateIndex.build(docs)
    assert index.lookup("site", template_key(WIRE)) is None
    assert index.lookup("site", template_key(FOOTER)) is not None


def test_sentence_at_a_stable_place_is_a_template_unless_another_outlet_prints_it():
    disclaimer = "دیدگاه‌های منتشر شده در این ستون لزوماً بازتاب دیدگاه سردبیر این پایگاه نیست."
    docs = [("site", _keys(_doc(n, tail=[disclaimer]))) for n in range(4)]
    assert TemplateIndex.build(docs).lookup("site", template_key(disclaimer)) is not None
    wire = docs + [("other", _keys(["خبری دیگر از منبعی دیگر.", disclaimer]))]
    assert TemplateIndex.build(wire).lookup("site", template_key(disclaimer)) is None


def test_rescraped_article_is_counted_once():
    same = _keys(_doc(1, tail=["سطری که فقط در این خبر هست"]))
    index = TemplateIndex.build([("site", same)] * 4)
    assert index.rescrapes == 3 and index.docs["site"] == 1
    assert index.lookup("site", template_key("سطری که فقط در این خبر هست")) is None


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


def _records(docs: list[list[str]], site: str = "site") -> str:
    rows = [{"id": f"{site}-{n}", "text": "\n".join(d), "site": site} for n, d in enumerate(docs)]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def test_cli_templates_from_stdin_with_workers_as_from_a_file(tmp_path):
    data = _records([_doc(n) for n in range(4)])
    (tmp_path / "batch.jsonl").write_text(data, encoding="utf-8")
    args = ["--input-format", "jsonl", "--source-field", "site", "--templates", "3", "--quiet"]
    runner = CliRunner()
    piped = runner.invoke(main, ["clean", "-", *args, "--workers", "1"], input=data)
    pooled = runner.invoke(main, ["clean", "-", *args, "--workers", "2"], input=data)
    read = runner.invoke(main, ["clean", str(tmp_path / "batch.jsonl"), *args, "--workers", "2"])
    assert piped.exit_code == pooled.exit_code == read.exit_code == 0, piped.output
    assert FOOTER not in piped.stdout and piped.stdout.count("خبر شماره") == 4
    assert piped.stdout == pooled.stdout == read.stdout


def test_cli_templates_db_teaches_later_single_articles(tmp_path):
    db = str(tmp_path / "templates.db")
    args = ["--input-format", "jsonl", "--source-field", "site", "--format", "jsonl"]
    runner = CliRunner()
    first = runner.invoke(
        main,
        ["clean", "-", *args, "--templates-db", db],
        input=_records([_doc(n) for n in range(4)]),
    )
    assert first.exit_code == 0, first.output
    one = _records([_doc(7)]).replace("site-0", "later")
    later = runner.invoke(main, ["clean", "-", *args, "--templates-db", db], input=one)
    assert later.exit_code == 0, later.output
    record = json.loads(later.stdout)
    removed = [r for r in record["removed"] if r["category"] == "template"]
    assert [r["text"] for r in removed] == [FOOTER]
    assert "5 of 5 documents of site" in removed[0]["detail"]
    alone = runner.invoke(main, ["clean", "-", *args], input=one)
    assert FOOTER in json.loads(alone.stdout)["paragraphs"]


def test_store_counts_a_batch_run_twice_once(tmp_path):
    docs = [("site", _keys(_doc(n))) for n in range(4)]
    with TemplateStore(tmp_path / "t.db") as store:
        TemplateIndex.build(docs, store=store)
        again = TemplateIndex.build(docs, store=store)
        assert store.documents("site") == 4 and again.rescrapes == 4
    found = again.lookup("site", template_key(FOOTER))
    assert found is not None and "4 of 4 documents" in found.detail


def test_store_refuses_a_file_that_is_not_one(tmp_path):
    bad = tmp_path / "x.db"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CleanerError, match="cannot open as a template store"):
        TemplateStore(bad)


def test_store_of_an_older_line_key_is_kept_and_said_a_newer_one_refused(tmp_path):
    """A pipeline goes on with its store after an upgrade (told that changed lines are counted
    afresh); a store written by a newer cleaner is not guessed at."""
    path = tmp_path / "t.db"
    with TemplateStore(path) as store:
        assert store.upgraded_from is None  # a new file takes this version
        TemplateIndex.build([("site", _keys(_doc(0)))], store=store)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM meta")  # as a file written before versions were recorded
    with TemplateStore(path) as store:
        assert store.upgraded_from == 1 and store.documents("site") == 1
    with TemplateStore(path) as store:  # recorded: said once
        assert store.upgraded_from is None
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = 99 WHERE name = 'key_version'")
    with pytest.raises(CleanerError, match="version 99, newer"):
        TemplateStore(path)


def test_cli_warns_once_that_an_older_store_is_upgraded(tmp_path):
    db = tmp_path / "seen.db"
    one = json.dumps({"id": "a", "text": "خبر کوتاه درباره بازار امروز.", "source": "s"}) + "\n"
    args = ["--input-format", "jsonl", "--source-field", "source", "--templates", "2"]
    runner = CliRunner()
    assert (
        runner.invoke(main, ["clean", "-", *args, "--templates-db", str(db)], input=one).exit_code
        == 0
    )
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM meta")
    first = runner.invoke(main, ["clean", "-", *args, "--templates-db", str(db)], input=one)
    again = runner.invoke(main, ["clean", "-", *args, "--templates-db", str(db)], input=one)
    assert first.exit_code == 0 and "line key version 1 are kept" in first.stderr
    assert again.exit_code == 0 and "line key version" not in again.stderr


def test_lines_that_differ_by_a_code_are_one_template_in_a_minority_of_pages():
    """A columnist's contact line in 10 of 100 pages, each with its own code: a template."""
    docs = []
    for n in range(100):
        tail = [f"لمراسلة الكاتب: writer{n % 7}@example.com كود {n * 31}"] if n % 10 == 0 else []
        docs.append(("site", _keys(_doc(n, tail=tail)[1:])))  # no title: each story differs
    index = TemplateIndex.build(docs)
    found = index.lookup("site", template_key("لمراسلة الكاتب: someone@example.org كود 5"))
    assert found is not None and found.docs == 10 and "(10.0%)" in found.detail
    # The sentences of the stories themselves stay, though the same few repeat.
    assert index.lookup("site", template_key("خبر شماره 1 درباره موضوعی تازه است.")) is None
    assert index.lookup("site", template_key(FOOTER)) is not None


def test_score_and_address_lines_are_never_templates():
    """Fixture lines of numbers alone fold to one key in every match report: not judged."""
    docs = [
        ("site", _keys(_doc(n, middle=[f"{n % 3} - {n % 2}", "http://x.com/a.jpg"])))
        for n in range(10)
    ]
    index = TemplateIndex.build(docs)
    assert index.lookup("site", template_key("1 - 0")) is None
    assert index.lookup("site", template_key("http://x.com/b.png")) is None
    assert index.lookup("site", template_key(FOOTER)) is not None
