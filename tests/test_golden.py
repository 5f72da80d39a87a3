"""Golden files: seeds/ against golden/, and the check/update machinery itself."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from cleaner import golden
from cleaner.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_seeds_match_golden_files():
    drifts = golden.check(ROOT / "seeds", ROOT / "golden")
    report = "\n".join(str(d) for d in drifts)
    assert not drifts, f"golden drift (review, then `cleaner golden update`):\n{report}"


def _copy_seeds(tmp_path: Path, names: list[str]) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for n in names:
        shutil.copy(ROOT / "seeds" / n, seeds / n)
    return seeds


def test_missing_changed_and_orphan_golden_files_are_reported(tmp_path):
    seeds = _copy_seeds(tmp_path, ["002_6dbdcfe647b1e665.txt", "003_810ed9ab73ffc4bd.txt"])
    gold = tmp_path / "golden"
    assert {d.status for d in golden.check(seeds, gold)} == {"missing"}
    golden.update(seeds, gold)
    assert golden.check(seeds, gold) == []

    txt = gold / "002_6dbdcfe647b1e665.txt.clean.txt"
    txt.write_text(txt.read_text(encoding="utf-8").replace("لاوروف", "LAVROV"), encoding="utf-8")
    (gold / "gone.txt.clean.txt").write_text("x\n", encoding="utf-8")
    (seeds / "003_810ed9ab73ffc4bd.txt").unlink()
    drifts = {d.name: d for d in golden.check(seeds, gold)}
    assert drifts["002_6dbdcfe647b1e665.txt.clean.txt"].status == "changed"
    assert (
        "-" in drifts["002_6dbdcfe647b1e665.txt.clean.txt"].diff
        and "LAVROV" in drifts["002_6dbdcfe647b1e665.txt.clean.txt"].diff
    )
    assert drifts["gone.txt.clean.txt"].status == "orphan"
    assert drifts["003_810ed9ab73ffc4bd.txt.json"].status == "orphan"


def test_cli_check_exits_1_with_diff_and_update_repairs(tmp_path):
    seeds = _copy_seeds(tmp_path, ["001_05048e11740625ed.txt"])
    gold = tmp_path / "golden"
    runner = CliRunner()
    res = runner.invoke(main, ["golden", "check", str(seeds), str(gold)])
    assert res.exit_code == 1 and "missing golden file" in res.output
    res = runner.invoke(main, ["golden", "update", str(seeds), str(gold)])
    assert res.exit_code == 0
    res = runner.invoke(main, ["golden", "check", str(seeds), str(gold)])
    assert res.exit_code == 0, res.output

    # A new rule folder changes the output: check shows it as a unified diff.
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "extra.yaml").write_text(
        "name: extra\nscope: lang\nlangs: [fa]\nrules:\n"
        "  - id: drop-quote\n    kind: pattern\n    category: metadata\n"
        "    description: test rule\n    pattern: '^وی همچنین افزود'\n    takes_rest: true\n"
        "    drop: ['وی همچنین افزود، پوتین گفت']\n    keep: ['پوتین گفت']\n",
        encoding="utf-8",
    )
    res = runner.invoke(main, ["golden", "check", str(seeds), str(gold), "--rules", str(rules)])
    assert res.exit_code == 1
    assert "--- golden/001_05048e11740625ed.txt.clean.txt" in res.output
    assert "\n-وی همچنین افزود" in res.output
