"""``cleaner golden``: regression checks of clean output against golden files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from cleaner import golden
from cleaner.cli.options import rules_option
from cleaner.config import CleanConfig
from cleaner.rules import RuleError

_dirs = [
    click.argument(
        "seeds", required=False, default="seeds", type=click.Path(file_okay=False, path_type=Path)
    ),
    click.argument(
        "golden_dir",
        required=False,
        default="golden",
        type=click.Path(file_okay=False, path_type=Path),
    ),
    rules_option,
]


def _with_dirs(f: Any) -> Any:
    for deco in reversed(_dirs):
        f = deco(f)
    return f


def _config(rules_dirs: tuple[Path, ...]) -> CleanConfig:
    return CleanConfig(rules_dirs=tuple(rules_dirs))


@click.group("golden")
def golden_group() -> None:
    """Golden files: expected outputs of a folder of inputs, compared as unified diffs."""


@golden_group.command("check")
@_with_dirs
def check_cmd(seeds: Path, golden_dir: Path, rules_dirs: tuple[Path, ...]) -> None:
    """Compare the output for SEEDS (default seeds/) with GOLDEN (default golden/).

    Prints a unified diff for every changed file, and every missing or orphaned golden file;
    exit 1 on any drift.

    \b
    Example:
      cleaner golden check new_scrapes/ expected/
    """
    if not seeds.is_dir():
        raise click.UsageError(f"seeds folder not found: {seeds}")
    try:
        drifts = golden.check(seeds, golden_dir, _config(rules_dirs))
    except RuleError as exc:
        raise click.UsageError(f"invalid rule file: {exc}") from None
    for d in drifts:
        click.echo(str(d))
    click.echo(f"golden check: {golden.summary(drifts)}", err=True)
    if drifts:
        sys.exit(1)


@golden_group.command("update")
@_with_dirs
@click.option("--quiet", "-q", is_flag=True, help="Do not print the diffs of what changed.")
def update_cmd(seeds: Path, golden_dir: Path, rules_dirs: tuple[Path, ...], quiet: bool) -> None:
    """Rewrite GOLDEN from SEEDS and print the diff of what changed, for review.

    Review the printed diff (or `git diff golden/`) before committing: a golden change is
    a change of behaviour.

    \b
    Example:
      cleaner golden update && git diff --stat golden/
    """
    if not seeds.is_dir():
        raise click.UsageError(f"seeds folder not found: {seeds}")
    try:
        drifts = golden.update(seeds, golden_dir, _config(rules_dirs))
    except RuleError as exc:
        raise click.UsageError(f"invalid rule file: {exc}") from None
    if not quiet:
        for d in drifts:
            click.echo(str(d))
    click.echo(f"golden update: {golden.summary(drifts)}", err=True)
