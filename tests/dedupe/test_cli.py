from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cleaner.cli import main

ROOT = Path(__file__).resolve().parents[2]
A = "ولادیمیر پوتین رئیس جمهور روسیه در گفتگوی تلفنی با جو بایدن از تشدید اوضاع ابراز نگرانی کرد."
B = "وزیر خارجه لهستان در نشست خبری مشترک گفت که سازمان امنیت و همکاری اروپا نشست دارد."
C = "کاخ سفید اعلام کرد که پیشرفت اساسی در این گفتگوها تنها در شرایط کاهش تنش رخ می دهد."


def write(folder: Path, name: str, *paras: str) -> Path:
    path = folder / name
    path.write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    return path


def test_no_clean_clusters_output_and_summary(tmp_path):
    write(tmp_path, "a.txt", A, B)
    write(tmp_path, "b.txt", C, A.replace("ی", "ي"))
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main,
        [
            "dedupe",
            str(tmp_path / "a.txt"),
            str(tmp_path / "b.txt"),
            "--no-clean",
            "--clusters",
            str(tmp_path / "c.jsonl"),
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "4 paragraphs seen, 1 clusters, 1 dropped" in res.stderr
    (record,) = [json.loads(x) for x in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert [m["index"] for m in record["members"]] == [0, 1]
    assert (out / "b.txt").read_text(encoding="utf-8") == C + "\n"
    assert (out / "a.txt").read_text(encoding="utf-8") == f"{A}\n{B}\n"


def test_keep_scope_and_bad_options(tmp_path):
    write(tmp_path, "a.txt", A, B, A)
    args = ["dedupe", str(tmp_path / "a.txt"), "--no-clean", "-q"]
    res = CliRunner().invoke(main, [*args, "--scope", "across"])
    assert res.exit_code == 0 and res.stdout == ""
    res = CliRunner().invoke(main, [*args, "--keep", "last"])
    # The kept paragraph (the last seen) is the centre, listed first.
    members = json.loads(res.stdout)["members"]
    assert [(m["index"], m["kept"]) for m in members] == [(2, True), (0, False)]
    res = CliRunner().invoke(main, [*args, "--threshold", "0"])
    assert res.exit_code == 2


def test_index_across_runs_and_mismatch(tmp_path):
    write(tmp_path, "day1.txt", A, B)
    write(tmp_path, "day2.txt", A + "!", C)
    index = str(tmp_path / "seen.db")
    runner = CliRunner()
    first = runner.invoke(
        main, ["dedupe", str(tmp_path / "day1.txt"), "--no-clean", "--index", index]
    )
    assert first.exit_code == 0 and first.stdout == ""
    second = runner.invoke(
        main, ["dedupe", str(tmp_path / "day2.txt"), "--no-clean", "--index", index]
    )
    assert "1 dropped" in second.stderr
    record = json.loads(second.stdout)
    assert [m["from_index"] for m in record["members"]] == [True, False]
    bad = runner.invoke(
        main,
        [
            "dedupe",
            str(tmp_path / "day2.txt"),
            "--no-clean",
            "--index",
            index,
            "--threshold",
            "0.9",
        ],
    )
    assert bad.exit_code == 2 and "other settings" in bad.stderr


def test_cleans_html_first_and_writes_stdout_in_a_real_process(tmp_path):
    page = "<html><body><article>{}</article></body></html>"
    for name, paras in (("x.html", (A, B)), ("y.html", (C, A))):
        body = "".join(f"<p>{p}</p>" for p in paras)
        (tmp_path / name).write_text(page.format(body), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", "from cleaner.cli import main; main()", "dedupe", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) == 1
    assert {m["doc_id"] for m in records[0]["members"]} == {"x.html", "y.html"}
    assert "1 clusters, 1 dropped" in proc.stderr


def test_missing_file_is_reported_and_the_rest_processed(tmp_path):
    write(tmp_path, "a.txt", A, A)
    res = CliRunner().invoke(
        main, ["dedupe", str(tmp_path / "a.txt"), str(tmp_path / "nope.txt"), "--no-clean"]
    )
    assert res.exit_code == 1
    assert "nope.txt" in res.stderr
    assert json.loads(res.stdout)["size"] == 2
