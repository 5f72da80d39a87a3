"""``cleaner clean``: inputs in, clean text or JSON lines out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from cleaner.cli.options import clean_config, input_options, load_rulebook, report_error, sources_from
from cleaner.document import CleanResult, InputError
from cleaner.explain import explain
from cleaner.output import output_path, write_atomic
from cleaner.pipeline import clean_sources

#: Separates documents when several are written as text to one stream.
DOC_SEPARATOR = "\f\n"


@click.command("clean")
@input_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="text: title, then paragraphs separated by a blank line; jsonl: one record per input.",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write one file per input under this folder (mirroring relative paths), atomically.",
)
@click.option("--explain", is_flag=True, help="List every removed line with its rule and category.")
@click.option(
    "--dedupe",
    type=click.Choice(["mark", "drop"]),
    default=None,
    help="Near-duplicate paragraphs inside a document: list them (mark) or drop the later ones.",
)
@click.option(
    "--dedupe-threshold", type=click.FloatRange(0, 1, min_open=True), default=0.8, show_default=True
)
def clean_cmd(fmt: str, out_dir: Path | None, explain: bool, **opts: Any) -> None:
    """Clean raw news scrapes (HTML or text, any encoding).

    PATHS are files, folders (read recursively), or - for stdin; .gz files are read
    transparently. Output goes to stdout (documents separated by a form feed line in text
    mode) unless -o DIR is given. With --explain, removals go to stderr in text mode and are
    always in the JSON records' "removed" field.

    \b
    Examples:
      cleaner clean seeds/ -o out/
      cat page.html | cleaner clean - --format jsonl
      cleaner clean scrape.jsonl.gz --input-format jsonl --html-field body --format jsonl
      cleaner clean seeds/001_05048e11740625ed.txt --explain
    """
    dedupe = opts.pop("dedupe")
    threshold = opts.pop("dedupe_threshold")
    config = clean_config(opts, dedupe=dedupe, dedupe_threshold=threshold)
    rulebook = load_rulebook(opts)
    results = clean_sources(sources_from(opts), config, rulebook)
    failed = _write(results, fmt, out_dir, explain)
    if failed:
        click.echo(f"cleaner: {failed} input(s) failed", err=True)
        sys.exit(1)


def _write(
    results: Iterator[CleanResult | InputError], fmt: str, out_dir: Path | None, show: bool
) -> int:
    failed = 0
    first = True
    out = click.get_text_stream("stdout")
    for res in results:
        if isinstance(res, InputError):
            report_error(res)
            failed += 1
            continue
        if not res.paragraphs and not res.title:
            click.echo(f"cleaner: warning: {res.source}: no text left after cleaning", err=True)
        if show and fmt == "text":
            click.echo(explain(res), err=True)
        body = _render(res, fmt)
        if out_dir is not None:
            suffix = ".jsonl" if fmt == "jsonl" else ".txt"
            try:
                write_atomic(output_path(out_dir, res.id, suffix), body)
            except (OSError, ValueError) as exc:
                report_error(InputError(res.source, f"cannot write output: {exc}"))
                failed += 1
            continue
        if fmt == "text" and not first:
            out.write(DOC_SEPARATOR)
        out.write(body)
        out.flush()
        first = False
    return failed


def _render(res: CleanResult, fmt: str) -> str:
    if fmt == "jsonl":
        return json.dumps(res.to_dict(), ensure_ascii=False) + "\n"
    return res.text + "\n" if res.text else ""
