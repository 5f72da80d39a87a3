"""``cleaner rules learn``: propose rule files for the template lines of a batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cleaner.cli.options import (
    clean_config,
    input_options,
    load_rulebook,
    output_dir_option,
    sources_from,
)
from cleaner.io.output import write_atomic


@click.command("learn")
@input_options
@click.option(
    "--min-docs",
    type=click.IntRange(min=2),
    default=3,
    show_default=True,
    help="A line must recur in at least N documents of one source.",
)
@click.option(
    "--min-share",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.5,
    show_default=True,
    help="... and in at least this share of that source's documents.",
)
@output_dir_option("Write one learned-<source>.yaml per source here instead of printing them.")
def learn_cmd(min_docs: int, min_share: float, out_dir: Path | None, **opts: Any) -> None:
    """Propose rules for lines a source repeats across its documents (reads PATHS twice).

    A source is the --source-field of JSON lines records, else the URL's host, else the
    input's folder. Each proposal is a site rule file with drop examples from the data and
    keep examples (body sentences of the same source); review it, then save it into rules/.
    Lines the current rules already remove are not proposed.

    \b
    Examples:
      cleaner rules learn scrapes/ --min-docs 5
      cleaner rules learn dump.jsonl --source-field outlet -o proposed/
    """
    from cleaner.pipeline.learn import propose, slug, to_yaml
    from cleaner.pipeline.run import build_templates
    from cleaner.pipeline.templates import TemplatePolicy

    if "-" in opts["paths"]:
        raise click.UsageError("rules learn reads the inputs twice: give files or folders, not -")
    config = clean_config(opts)
    rulebook = load_rulebook(opts)
    index = build_templates(sources_from(opts), TemplatePolicy(min_docs, min_share))
    proposals = propose(sources_from(opts), index, config, rulebook)
    if not proposals:
        click.echo("cleaner: no template lines found (try a lower --min-docs)", err=True)
        return
    for n, p in enumerate(proposals):
        text = to_yaml(p)
        if out_dir is not None:
            write_atomic(out_dir / f"learned-{slug(p.source)}.yaml", text)
        else:
            click.echo(("---\n" if n else "") + text, nl=False)
