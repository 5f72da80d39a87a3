"""``cleaner rules``: list the loaded rules and run their examples."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cleaner.cli.options import load_rulebook, no_builtin_option, rules_option
from cleaner.rules import check_rulebook


@click.group("rules")
def rules_group() -> None:
    """Inspect and test the boilerplate rules (rule files are YAML data; see README)."""


@rules_group.command("list")
@rules_option
@no_builtin_option
def list_cmd(rules_dirs: tuple[Path, ...], no_builtin_rules: bool) -> None:
    """List rule sets (scope, languages, sites) and their rules (id, kind, category).

    \b
    Example:
      cleaner rules list --rules my_rules/
    """
    book = load_rulebook({"rules_dirs": rules_dirs, "no_builtin_rules": no_builtin_rules})
    for rs in book.rulesets:
        where = ",".join(rs.langs + rs.domains) or "-"
        click.echo(f"{rs.name}  scope={rs.scope} for={where}  {rs.file}")
        for r in rs.rules:
            click.echo(f"  {r.id:<34} {r.kind:<8} {r.category:<14} {r.description[:70]}")


@rules_group.command("test")
@rules_option
@no_builtin_option
def test_cmd(rules_dirs: tuple[Path, ...], no_builtin_rules: bool) -> None:
    """Run every rule's drop/keep examples; exit 1 if any fails.

    \b
    Example:
      cleaner rules test --rules my_rules/
    """
    book = load_rulebook({"rules_dirs": rules_dirs, "no_builtin_rules": no_builtin_rules})
    failures = check_rulebook(book)
    n = sum(len(rs.rules) for rs in book.rulesets)
    for f in failures:
        click.echo(f"FAIL {f}", err=True)
    click.echo(f"{n} rules, {len(failures)} failing example(s)", err=True)
    if failures:
        sys.exit(1)


# `rules learn` lives in its own module (cleaner.cli.learn); imported last to avoid a cycle.
from cleaner.cli.learn import learn_cmd  # noqa: E402

rules_group.add_command(learn_cmd)
