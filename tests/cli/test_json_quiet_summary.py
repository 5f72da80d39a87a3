"""A .json array is records; --quiet prints no per-record warning; the summary counts bytes."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from cleaner.cli import main

BODY = "جمله‌ای از متن خبر که باید بماند و تکرار نمی‌شود."


def _run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, ["clean", *args], input=input)


def test_json_array_is_read_as_records(tmp_path):
    rows = [{"id": "a", "text": BODY}, {"id": "b", "text": "دومین " + BODY}]
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    res = _run(str(path), "--format", "jsonl", "--quiet")
    assert res.exit_code == 0, res.output
    records = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a", "b"]
    assert records[0]["paragraphs"] == [BODY]


def test_json_object_is_one_record_and_json_lines_named_json_are_records(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"id": "x", "text": BODY}, ensure_ascii=False), encoding="utf-8")
    lines = tmp_path / "lines.json"
    rows = [{"id": "p", "text": BODY}, {"id": "q", "text": BODY}]
    lines.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    res = _run(str(one), str(lines), "--format", "jsonl", "--quiet")
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == ["x", "p", "q"]


def test_bad_json_and_bad_items_are_clear_errors_and_the_rest_goes_on(tmp_path):
    (tmp_path / "broken.json").write_text('[{"id": "a", "text": "x"', encoding="utf-8")
    (tmp_path / "mixed.json").write_text(json.dumps([5, {"id": "ok", "text": BODY}]), "utf-8")
    res = _run(str(tmp_path), "--format", "jsonl", "--quiet")
    assert res.exit_code == 1
    assert "broken.json: bad JSON" in res.stderr
    assert "mixed.json:1: expected a JSON object" in res.stderr
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == ["ok"]


def test_quiet_silences_the_per_record_warning_but_not_errors(tmp_path):
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "missing.json").write_text("[1]", encoding="utf-8")
    loud = _run(str(tmp_path))
    quiet = _run(str(tmp_path), "--quiet")
    assert "no text left" in loud.stderr and "no text left" not in quiet.stderr
    assert "expected a JSON object" in quiet.stderr


def test_summary_counts_bytes_with_templates(tmp_path):
    for n in range(4):
        text = f"{BODY} شماره {n} {'متن ' * 2000}\nپیوند کوتاه"
        (tmp_path / f"{n}.txt").write_text(text, encoding="utf-8")
    res = _run(str(tmp_path), "--templates", "3", "--workers", "2")
    assert res.exit_code == 0, res.output
    summary = re.search(r"cleaner clean: 4 documents, .* ([\d.]+) MB in", res.stderr)
    assert summary is not None and float(summary.group(1)) > 0, res.stderr
