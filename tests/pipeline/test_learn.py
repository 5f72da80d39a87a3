"""``cleaner rules learn`` proposes rule files that load and pass their own examples."""

from __future__ import annotations

from click.testing import CliRunner

from cleaner.cli import main
from cleaner.rules import Rulebook, check_rulebook, load_file

FOOTER = "همراه ما باشید در سایت نمونه"
#: Titles differ by words: titles that differ only by a number are one template key.
TOPICS = ("بازار", "ورزش", "سیاست", "فرهنگ")


def _batch(tmp_path):
    site = tmp_path / "in" / "sample"
    site.mkdir(parents=True)
    for n in range(4):
        lines = [
            f"تیتر خبر {TOPICS[n]}",
            f"این جمله نخست خبر شماره {n} است و درباره بازار حرف می‌زند.",
            f"جمله دوم خبر {n} جزئیات بیشتری از وضعیت امروز بازار می‌دهد.",
            FOOTER,
        ]
        (site / f"{n}.txt").write_text("\n".join(lines), encoding="utf-8")
    return site


def test_learn_writes_a_rule_file_that_loads_and_checks(tmp_path):
    site = _batch(tmp_path)
    out = tmp_path / "proposed"
    res = CliRunner().invoke(main, ["rules", "learn", str(site), "-o", str(out)])
    assert res.exit_code == 0, res.output
    files = sorted(out.glob("learned-*.yaml"))
    assert len(files) == 1
    rs = load_file(files[0])
    assert rs.scope == "site" and rs.langs == ("fa",)
    rule = rs.rules[0]
    assert rule.kind == "line" and rule.category == "template" and rule.drop == (FOOTER,)
    assert all("خبر" in k for k in rule.keep)
    book = Rulebook.load([out])
    assert check_rulebook(book) == []
    # the learned file, saved as a rule folder, removes the footer by itself
    from cleaner.config import CleanConfig
    from cleaner.pipeline.run import clean

    text = (site / "0.txt").read_text(encoding="utf-8")
    cleaned = clean(text, source=str(site / "0.txt"), config=CleanConfig(rules_dirs=(out,)))
    assert FOOTER not in cleaned.text


def test_learn_prints_yaml_to_stdout(tmp_path):
    site = _batch(tmp_path)
    res = CliRunner().invoke(main, ["rules", "learn", str(site)])
    assert res.exit_code == 0
    assert res.stdout.startswith("# proposed rules/learned-") and FOOTER in res.stdout


def test_learn_says_when_nothing_recurs(tmp_path):
    site = _batch(tmp_path)
    res = CliRunner().invoke(main, ["rules", "learn", str(site), "--min-docs", "5"])
    assert res.exit_code == 0 and "no template lines found" in res.output
