"""`cleaner clean` as a pipeline sees it: exit codes, errors naming files, outputs."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cleaner.cli import main
from cleaner.pipeline.run import clean

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SEED = SEEDS / "001_05048e11740625ed.txt"
# The installed console script, as a pipeline runs it.
CLEANER = str(Path(sys.executable).with_name("cleaner"))
REQUIRED = {"id", "source", "encoding", "lang", "title", "text", "paragraphs", "removed"}


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([CLEANER, *args], input=stdin, capture_output=True, cwd=ROOT)


def test_stdin_to_stdout_in_a_real_process_matches_the_library():
    proc = _run("clean", "-", "--workers", "1", stdin=SEED.read_bytes())
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode("utf-8") == clean(SEED.read_bytes()).text + "\n"


def test_stdin_cp1256_bytes_jsonl_reports_encoding():
    data = SEED.read_text(encoding="utf-8").encode("cp1256", errors="replace")
    proc = _run("clean", "-", "--format", "jsonl", stdin=data)
    assert proc.returncode == 0, proc.stderr.decode()
    (record,) = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert set(record) >= REQUIRED
    assert record["encoding"] == "windows-1256" and record["lang"] == "fa"
    assert all({"text", "rule", "category"} <= set(r) for r in record["removed"])


def test_folder_to_output_dir_mirrors_paths_and_a_bad_file_fails_alone(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "a.txt").write_bytes(SEED.read_bytes())
    with gzip.open(src / "b.txt.gz", "wb") as f:
        f.write((SEEDS / "003_810ed9ab73ffc4bd.txt").read_bytes())
    (src / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["clean", str(src), "-o", str(out), "--workers", "1"])
    assert res.exit_code == 1
    assert "broken.txt" in res.output and "PNG" in res.output
    assert (out / "sub" / "a.txt").read_text(encoding="utf-8") == clean(
        SEED.read_bytes()
    ).text + "\n"
    assert (out / "b.txt").read_text(encoding="utf-8").startswith("بوتين يعرب")
    assert not (out / "broken.txt").exists()


def test_jsonl_records_in_and_out_with_html_field(tmp_path):
    html = (SEEDS / "100_sputnik_fa.html").read_text(encoding="utf-8")
    records = [
        {"doc": "r1", "body": html, "link": "https://sputniknews.ir/x"},
        {"doc": "r2", "content": SEED.read_text(encoding="utf-8")},
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n{not json\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        main,
        [
            "clean",
            str(path),
            "--input-format",
            "jsonl",
            "--id-field",
            "doc",
            "--html-field",
            "body",
            "--text-field",
            "content",
            "--url-field",
            "link",
            "--format",
            "jsonl",
            "--workers",
            "1",
        ],
    )
    assert res.exit_code == 1  # the broken third line is reported, the others are written
    assert "batch.jsonl:3" in res.output
    out = [json.loads(x) for x in res.output.splitlines() if x.startswith("{")]
    assert [r["id"] for r in out] == ["r1", "r2"]
    assert out[0]["format"] == "html" and out[1]["format"] == "text"
    assert "sputnik-fa" in out[0]["rulesets"]


def test_title_field_gives_the_title_from_metadata(tmp_path):
    headline = "گفتگوی پوتین و بایدن درباره اوکراین"
    body = "کرملین اعلام کرد که گفتگو سازنده بود و دو طرف بر ادامه گفتگوها توافق کردند."
    lead = "رئیس‌جمهور روسیه با همتای آمریکایی خود تلفنی گفتگو کرد"
    records = [
        {"id": "a", "text": f"{headline}\n{body}", "headline": headline},
        {"id": "b", "text": f"{lead}\n{body}", "headline": headline},
        {"id": "c", "text": f"{lead}\n{body}", "headline": "  "},
    ]
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    args = ["clean", str(path), "--title-field", "headline", "--format", "jsonl"]
    res = CliRunner().invoke(main, [*args, "--workers", "1"])
    assert res.exit_code == 0, res.output
    a, b, c = [json.loads(x) for x in res.output.splitlines() if x.startswith("{")]
    # The first line printing the title again goes as such; the body stays.
    assert (a["title"], a["title_from"], a["paragraphs"]) == (headline, "metadata", [body])
    assert [r["rule"] for r in a["removed"]] == ["render/title-repeat"]
    # A first line that is not the title stays a paragraph: no text is lost.
    assert (b["title_from"], b["paragraphs"]) == ("metadata", [lead, body])
    # An empty title field names no title: the first line is read as one, as without it.
    assert (c["title"], c["title_from"]) == (lead, "first-line")


def test_explain_goes_to_stderr_in_text_mode():
    proc = _run("clean", str(SEED), "--explain", "--workers", "1")
    err = proc.stderr.decode()
    assert proc.returncode == 0
    assert "fa/send-to-friends" in err and "global/exact-repeat" in err
    assert "fa/send-to-friends" not in proc.stdout.decode()


def test_usage_errors_exit_2():
    assert _run("clean").returncode == 2
    assert _run("clean", str(SEED), "--format", "xml").returncode == 2


def test_bad_rule_file_exits_2_naming_file_and_line(tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "name: bad\nscope: global\nrules:\n  - id: x\n    kind: pattern\n"
        "    category: navigation\n    description: d\n    pattern: '(('\n"
        "    drop: [a]\n    keep: [b]\n",
        encoding="utf-8",
    )
    proc = _run("clean", str(SEED), "--rules", str(tmp_path))
    assert proc.returncode == 2
    assert f"{tmp_path / 'bad.yaml'}:4: rule 'x'" in proc.stderr.decode()


def test_missing_path_and_empty_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = CliRunner().invoke(
        main, ["clean", str(tmp_path / "nope.txt"), str(empty), "--workers", "1"]
    )
    assert res.exit_code == 1
    assert "nope.txt" in res.output
    assert "empty.txt: no text left after cleaning" in res.output


def test_html_page_without_text_is_an_empty_result_not_a_crash(tmp_path):
    page = tmp_path / "blank.html"
    page.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    res = CliRunner().invoke(main, ["clean", str(page), "--format", "jsonl", "--workers", "1"])
    assert res.exit_code == 0, res.output
    record = json.loads(res.output.splitlines()[0])
    assert record["paragraphs"] == [] and record["format"] == "html"


def test_jsonl_record_is_one_line_even_with_unicode_line_separators():
    """U+2028, U+2029 and U+0085 are escaped: readers that split on them see one record."""
    doc_id = "story\u2028one\u2029two\u0085three"
    record = {"id": doc_id, "text": SEED.read_text(encoding="utf-8")}
    stdin = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    proc = _run("clean", "-", "--input-format", "jsonl", "--format", "jsonl", stdin=stdin)
    assert proc.returncode == 0, proc.stderr.decode()
    (line,) = proc.stdout.decode("utf-8").splitlines()  # str.splitlines splits on all three
    assert json.loads(line)["id"] == doc_id


def test_clean_does_not_load_the_minhash_stack():
    """`cleaner clean`, started once per file in pipelines, leaves datasketch (and scipy,
    0.5 s of start-up) unloaded; `dedupe` runs without them too (datasketch is imported
    only to hand a signature to it)."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from cleaner.cli import main\n"
        f"res = CliRunner().invoke(main, ['clean', {str(SEED)!r}, '-q'])\n"
        "assert res.exit_code == 0, res.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('datasketch', 'scipy')))\n"
        "args = ['dedupe', {seeds!r}, '--clusters', '-', '-q', '-j', '1']\n"
        "res = CliRunner().invoke(main, args)\n"
        "assert res.exit_code == 0, res.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('datasketch', 'scipy')))\n"
    ).replace("{seeds!r}", repr(str(SEEDS)))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:2] == ["[]", "[]"]
