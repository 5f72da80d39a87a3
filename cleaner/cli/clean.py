"""``cleaner clean``: inputs in, clean text or JSON lines out."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from cleaner.cli.options import (
    RunError,
    claim_output,
    clean_config,
    input_options,
    load_rulebook,
    output_dir_option,
    report_error,
    sources_from,
    warn,
)
from cleaner.cli.scale import workers_options
from cleaner.config import CleanConfig
from cleaner.document import CleanResult, Source
from cleaner.errors import CleanerError, InputError, OptionsMismatch
from cleaner.executor.local import iter_clean
from cleaner.executor.progress import Progress, input_bytes
from cleaner.executor.templates import count_templates
from cleaner.io.layout import OutputNames
from cleaner.io.output import jsonl_line, write_atomic
from cleaner.io.resume import Journal, PartWriter, item_id, skip_consumed, skip_done
from cleaner.io.spool import Spool
from cleaner.pipeline.explain import explain
from cleaner.pipeline.template_store import TemplateStore
from cleaner.pipeline.templates import TemplateIndex, TemplatePolicy

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
@output_dir_option(
    "Write one file per input under this folder (mirroring relative paths), atomically."
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
@click.option(
    "--part-size",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="With -o DIR: write part-00000.jsonl (or .txt), part-00001... of N inputs each,"
    " instead of one file per input.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="With -o DIR: continue an interrupted run; inputs whose output is done are skipped.",
)
@click.option(
    "--templates",
    "template_min_docs",
    type=click.IntRange(min=2),
    default=None,
    metavar="N",
    help="First pass over the batch: drop lines a source repeats in >= N of its documents"
    " (and >= 1% of them; category template, with the count that convicted each line).",
)
@click.option(
    "--templates-db",
    "templates_db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="Keep template counts in this SQLite file and judge each batch with every batch"
    " before it (implies --templates 3 unless --templates N is given).",
)
@workers_options
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
      cleaner clean big.jsonl.gz --format jsonl -o out/ --part-size 10000 --resume

    Inputs are cleaned on --workers processes (all cores by default); the output is the
    same, in the same order, for any number of workers. A progress bar is drawn on stderr
    when it is a terminal, and a summary line is printed at the end (--quiet: neither).
    With -o DIR, a journal in DIR records finished outputs: after a kill, run the same
    command with --resume and it finishes without redoing or losing any output.
    """
    dedupe = opts.pop("dedupe")
    threshold = opts.pop("dedupe_threshold")
    workers, quiet = opts.pop("workers"), opts.pop("quiet")
    resume, part_size = opts.pop("resume"), opts.pop("part_size")
    if (resume or part_size) and out_dir is None:
        raise click.UsageError("--resume and --part-size need an output folder (-o DIR)")
    config = clean_config(opts, dedupe=dedupe, dedupe_threshold=threshold)
    rulebook = load_rulebook(opts)
    min_docs, db = opts.pop("template_min_docs"), opts.pop("templates_db")
    journal = None
    skipped = [0]
    progress = Progress("clean", None if resume else input_bytes(opts["paths"]), quiet=quiet)
    try:
        with contextlib.ExitStack() as stack:
            templates = None
            items: Iterator[Source | InputError] = sources_from(opts)
            if min_docs or db:  # two passes: see cleaner.pipeline.templates
                spool = stack.enter_context(Spool()) if "-" in opts["paths"] else None
                counted = spool.tee(items) if spool else items
                templates = _count(counted, min_docs or 3, db, workers)
                items = spool.replay() if spool else sources_from(opts)
            if out_dir is not None:
                shape = {"templates": [min_docs, str(db)]} if templates else {}
                journal = _journal(out_dir, fmt, part_size, config, resume, shape)
                stack.callback(journal.close)
                skip = skip_consumed if part_size else skip_done
                items = skip(items, journal, skipped)
            with progress:
                results = iter_clean(items, config, workers, rulebook=rulebook, templates=templates)
                failed = _write(results, fmt, out_dir, explain, progress, journal, part_size)
    except OptionsMismatch as exc:
        raise click.UsageError(str(exc)) from None
    except CleanerError as exc:
        raise RunError(str(exc)) from None
    except OSError as exc:  # a part file or stdout that cannot be written (disk full...)
        where = out_dir if out_dir is not None else "stdout"
        raise RunError(f"{where}: cannot write: {exc.strerror or exc}") from None
    progress.close(f"{skipped[0]} input(s) done before, skipped" if skipped[0] else "")
    if failed:
        click.echo(f"cleaner: {failed} input(s) failed", err=True)
        sys.exit(1)


def _journal(
    out_dir: Path,
    fmt: str,
    part_size: int | None,
    config: CleanConfig,
    resume: bool,
    extra: dict[str, Any],
) -> Journal:
    """The journal of the output folder (a refused resume is a usage error)."""
    shape = {"format": fmt, "part_size": part_size, "config": repr(config), **extra}
    try:
        return Journal(out_dir, shape, resume)
    except CleanerError as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:
        raise RunError(f"{out_dir}: cannot write the output folder: {exc}") from None


def _write(
    results: Iterator[tuple[CleanResult | InputError, int]],
    fmt: str,
    out_dir: Path | None,
    show: bool,
    progress: Progress,
    journal: Journal | None = None,
    part_size: int | None = None,
) -> int:
    failed = 0
    first = True
    out = sys.stdout  # click.get_text_stream is deprecated (Click 9 drops it)
    suffix = ".jsonl" if fmt == "jsonl" else ".txt"
    parts = None
    names = None
    if out_dir is not None and journal is not None and part_size:
        sep = "" if fmt == "jsonl" else DOC_SEPARATOR
        parts = PartWriter(out_dir, suffix, part_size, journal, sep)
    elif out_dir is not None:
        names = OutputNames(out_dir, suffix)
        for done in journal.done_order if journal is not None else ():
            names.claim(done, "the interrupted run")
    for res, nbytes in results:
        if isinstance(res, InputError):
            report_error(res)
            failed += 1
            progress.update(nbytes=nbytes, failed=1)
            if parts is not None:
                parts.add(item_id(res), None)
            continue
        progress.update(docs=1, paragraphs=len(res.paragraphs), nbytes=nbytes)
        if not res.paragraphs and not res.title and not progress.quiet:
            warn(f"{res.source}: no text left after cleaning")
        if show and fmt == "text":
            click.echo(explain(res), err=True)
        body = _render(res, fmt)
        if parts is not None:
            parts.add(res.id, body)
            continue
        if names is not None:
            try:
                write_atomic(claim_output(names, res.id, res.source, progress.quiet), body)
            except InputError as exc:
                report_error(exc)
                failed += 1
                continue
            except (OSError, ValueError, CleanerError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                report_error(InputError(res.source, f"cannot write output: {reason}"))
                failed += 1
                continue
            if journal is not None:
                journal.record_doc(res.id)
            continue
        if fmt == "text" and not first:
            out.write(DOC_SEPARATOR)
        out.write(body)
        out.flush()
        first = False
    if parts is not None:
        parts.flush()
    return failed


def _render(res: CleanResult, fmt: str) -> str:
    if fmt == "jsonl":
        return jsonl_line(res.to_dict())
    return res.text + "\n" if res.text else ""


def _count(
    items: Iterator[Source | InputError], min_docs: int, db: Path | None, workers: int
) -> TemplateIndex:
    """``clean --templates``: the first pass, with the store of earlier batches if given."""
    policy = TemplatePolicy(min_docs=min_docs)
    if db is None:
        return count_templates(items, policy, workers)
    with TemplateStore(db) as store:
        if store.upgraded_from is not None:
            warn(
                f"{db}: counts made with line key version {store.upgraded_from} are kept; lines"
                " whose key changed since are counted afresh (start a new file to count them"
                " all alike)"
            )
        return count_templates(items, policy, workers, store)
