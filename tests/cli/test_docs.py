"""Every command is documented: in --help (with an example) and in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cleaner.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    # Through list_commands/get_command, as click's own help does: commands may load lazily.
    ctx = click.Context(group)
    out = []
    for name in sorted(group.list_commands(ctx)):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        full = f"{prefix}{name}"
        if isinstance(cmd, click.Group):
            out += _commands(cmd, full + " ")
        else:
            out.append((full, cmd))
    return out


COMMANDS = _commands(main)


def test_expected_commands_exist():
    names = {n for n, _ in COMMANDS}
    assert {"clean", "dedupe", "golden check", "golden update", "rules list", "rules test"} <= names


@pytest.mark.parametrize(("name", "cmd"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_has_help_with_example_and_is_in_readme(name, cmd):
    res = CliRunner().invoke(main, [*name.split(), "--help"])
    assert res.exit_code == 0
    assert "Example" in res.output, f"`cleaner {name} --help` shows no example"
    assert f"cleaner {name}" in README, f"README does not document `cleaner {name}`"


def test_exit_codes_in_help_and_readme():
    res = CliRunner().invoke(main, ["--help"])
    for code in ("0", "1", "2"):
        assert f"  {code}  " in res.output
    assert "## Exit codes" in README


def test_readme_starts_with_the_two_setup_commands():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "./scripts/run-seeds" in first_block and "./scripts/test" in first_block
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/test" in ci
