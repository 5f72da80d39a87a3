"""Catastrophic user patterns are refused at load; the built-in rules stay fast on stress lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cleaner.rules import RuleError, load_file
from cleaner.rules.safe_regex import backtracking_risk

ROOT = Path(__file__).resolve().parents[2]
#: The reproducers: ``$CLEANER_RELIABILITY``, else ``../shared/reliability`` beside the repository.
RELIABILITY = Path(os.environ.get("CLEANER_RELIABILITY") or ROOT.parent / "shared" / "reliability")

UNSAFE = [
    r"^(a+)+$",
    r"^(\w+\s?)*$",
    r"(?:[^<]+|<br>)*$",
    r"(a\w*)+$",
    r"(.*?,)+$",
    r"(a|a)*$",
    r"^(?:\d+\s*)*x",
    r"(x+x+)+y",
    r"^(a+){1,100}$",
    r"^(?:\w+(?:\s*[,،]\s*[\w ]{2,30}?)*)\($",
]

SAFE = [
    r"^(\w+\s)*$",
    r"\d+(?:[.,]\d+)*",
    r"(?:\S+\s+){2,}",
    r"(?:\w+(?:\s+\w+)*)",
    r"(?:\s*,\s*\w+)*",
    r"^(?:(?:rss|e-mail|twitter)\W*){2,}$",
    r"^(a+){1,3}$",
    r"(?<=[.!])\s*انتهای\s*(پیام|خبر)",
    r"^(?=.*(?:کنید|شوید)$).*?(تلگرام|اینستاگرام)",
    r"(,\s*\w[\w ]*)*$",
]


@pytest.mark.parametrize("pattern", UNSAFE)
def test_exponential_shapes_are_named(pattern: str) -> None:
    assert backtracking_risk(pattern) is not None


@pytest.mark.parametrize("pattern", SAFE)
def test_linear_shapes_pass(pattern: str) -> None:
    assert backtracking_risk(pattern) is None


RULE = """name: evil
scope: global
description: a user's rule file
rules:
  - id: ok
    kind: line
    category: navigation
    description: fine
    match: [menu]
    drop: [menu]
    keep: [lunch]
  - id: word-star
    kind: {kind}
    category: navigation
    description: catastrophic
    {field}: '^(\\w+\\s?)*$'
    drop: ["abc def"]
    keep: ["abc def!"]
"""


@pytest.mark.parametrize(
    ("kind", "field"), [("pattern", "pattern"), ("strip", "pattern"), ("tail", "marker_pattern")]
)
def test_a_catastrophic_rule_is_a_bad_rule_file_with_its_line(
    tmp_path: Path, kind: str, field: str
) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(RULE.format(kind=kind, field=field), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}:12: rule 'word-star'")
    assert "backtrack exponentially" in message


def test_a_catastrophic_signature_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    body = RULE.format(kind="line", field="match").replace("scope: global", "scope: site")
    path.write_text(body.replace("description: a", "signatures: ['(x+)+y']\ndescription: a"))
    with pytest.raises(RuleError, match="signature regex '\\(x\\+\\)\\+y' may backtrack"):
        load_file(path)


@pytest.mark.skipif(not RELIABILITY.is_dir(), reason="../shared/reliability is not beside the repo")
@pytest.mark.parametrize(
    ("command", "folder", "line"),
    [("clean", "evil1", "evil.yaml:5"), ("rules", "evil3", "evil.yaml:5")],
)
def test_the_reproducers_exit_2_at_once(command: str, folder: str, line: str) -> None:
    """`cleaner clean --rules evil1 evil_a.txt` and `cleaner rules test --rules evil3` hung."""
    args = ["clean", "--rules", folder, "evil_a.txt"] if command == "clean" else ["rules", "test"]
    if command == "rules":
        args += ["--rules", folder]
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", *args],
        cwd=RELIABILITY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert line in proc.stderr and "backtrack exponentially" in proc.stderr


def stress_lines() -> list[str]:
    """The reproducers' lines and long runs of every kind of character the rules look at."""
    lines = ["a" * 32 + "!", "word " * 12 + "!"]
    for name in ("evil_a.txt", "evil_w.txt"):
        if (RELIABILITY / name).is_file():
            lines += (RELIABILITY / name).read_text(encoding="utf-8").splitlines()
    n = 20_000
    for unit in ("a", "ب", "۱", "1", " ", "\u200c", "-", ".", "|", "،", "ab ", "کد خبر ", ": "):
        run = unit * (n // len(unit))
        lines += [run, run + "!", run + "x", "x" + run, run + "\u061f"]
    lines += [("word " * 4000) + ":", ("انتهای پیام " * 1500) + "x", ("http://" + "a/" * 8000)]
    # A list of names, as a squad or a cabinet is printed: commas between words and spaces.
    lines += ["، ".join(["نواف العتيبي"] * 60) + " x", ", ".join(["John Smith"] * 60) + " x"]
    return lines


STRESS = textwrap.dedent(
    """
    import json, re, sys
    from cleaner.rules import Rulebook
    lines = json.load(sys.stdin)

    def regexes(obj):
        if isinstance(obj, re.Pattern):
            yield obj
        elif isinstance(obj, dict):
            for v in obj.values():
                yield from regexes(v)
        elif isinstance(obj, (list, tuple, set, frozenset)):
            for v in obj:
                yield from regexes(v)

    count = 0
    for rs in Rulebook.load((), True).rulesets:
        for rx in [*rs.signatures, *(r for rule in rs.rules for r in regexes(rule.params))]:
            for line in lines:
                rx.search(line)
                rx.match(line)
            count += 1
    print(count)
    """
)


def test_every_builtin_regex_ends_on_the_stress_lines() -> None:
    """Every regex of every built-in rule, searched on each stress line: a regex that
    backtracks exponentially (or worse than quadratically) would not end within the
    generous bound, which is there so a hang fails the test instead of the suite."""
    proc = subprocess.run(
        [sys.executable, "-c", STRESS],
        input=json.dumps(stress_lines()),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) >= 50


def test_clean_runs_the_builtin_rules_on_the_stress_lines(tmp_path: Path) -> None:
    """The whole rules stage (router, joined alternations, every kind), for each language."""
    docs = tmp_path / "stress"
    docs.mkdir()
    lead = {
        "fa": "این یک متن فارسی برای آزمایش است که به زبان فارسی نوشته شده است.",
        "ar": "هذا نص عربي للاختبار مكتوب باللغة العربية في هذه الوثيقة.",
        "en": "This is an English text written for the test of the rules.",
    }
    for lang, first in lead.items():
        (docs / f"{lang}.txt").write_text(
            "\n".join([first, *stress_lines(), first]), encoding="utf-8"
        )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cleaner",
            "clean",
            str(docs),
            "-o",
            str(tmp_path / "out"),
            "-j",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.txt")) == [
        "ar.txt",
        "en.txt",
        "fa.txt",
    ]
