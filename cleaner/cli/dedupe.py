"""``cleaner dedupe``: find repeated paragraphs within and across documents, drop them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from cleaner.cli.options import (
    clean_config,
    input_options,
    load_rulebook,
    output_dir_option,
    report_error,
    sources_from,
)
from cleaner.cli.scale import engine_options, enter_engine, workers_option
from cleaner.decode import decode
from cleaner.dedupe import KEEP_POLICIES, MODES, SCOPES, DedupeOptions, clusters_to_jsonl
from cleaner.dedupe.api import DocLike, unpack
from cleaner.document import CleanerError, InputError, Source
from cleaner.engine import Engine, dedupe_on
from cleaner.index import open_index
from cleaner.output import output_path, write_atomic


@click.command("dedupe")
@input_options
@click.option(
    "--no-clean",
    is_flag=True,
    help="Inputs are already clean text: one paragraph per non-blank line"
    " (JSON lines: the text field).",
)
@click.option(
    "--clusters",
    "clusters_out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
    default=None,
    help="Write the clusters as JSON lines to FILE, or - for stdout"
    " (the default when -o is not given).",
)
@output_dir_option("Write every document with its duplicate paragraphs dropped under this folder.")
@click.option(
    "--keep",
    type=click.Choice(sorted(KEEP_POLICIES)),
    default="first",
    show_default=True,
    help="Which paragraph of a cluster -o keeps"
    " (an index member always stays: it was kept before).",
)
@click.option("--scope", type=click.Choice(SCOPES), default="all", show_default=True)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="near",
    show_default=True,
    help="near: near-duplicate paragraphs (and short lines quoted in longer ones);"
    " reuse: also paragraphs sharing rare phrases.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True),
    default=DedupeOptions.threshold,
    show_default=True,
    help="Jaccard similarity of character 5-gram sets at which two paragraphs are near duplicates.",
)
@click.option(
    "--containment",
    type=click.FloatRange(0, 1, min_open=True),
    default=DedupeOptions.containment,
    show_default=True,
    help="Share of a shorter paragraph found in a longer one at which it counts as repeated.",
)
@click.option(
    "--index",
    "index_spec",
    default=None,
    metavar="PATH",
    help="SQLite file, redis://HOST:PORT/DB (shared by many processes) or memory: keeping"
    " what earlier batches saw; this batch is compared"
    " with it and added to it. Re-running a batch is harmless.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@workers_option
@engine_options
def dedupe_cmd(
    no_clean: bool,
    clusters_out: str | None,
    out_dir: Path | None,
    index_spec: str | None,
    quiet: bool,
    **opts: Any,
) -> None:
    """Find near-duplicate and reused paragraphs within and across documents.

    PATHS are read like `cleaner clean` reads them and cleaned first, unless --no-clean.
    Clusters (representative first, each member with document id, source, paragraph index,
    text and similarity to the representative) go to --clusters as JSON lines; -o DIR
    writes the documents with the duplicates dropped (--keep says which copy stays). A
    summary (paragraphs seen, clusters, dropped) is printed on stderr.

    \b
    Examples:
      cleaner dedupe seeds/ --clusters -
      cleaner dedupe scrape.jsonl --mode reuse --scope across --clusters reuse.jsonl
      cleaner dedupe today/ -o deduped/ --index seen.db
      cleaner dedupe clean/*.txt --no-clean --threshold 0.6 -o out/
    """
    options = {k: opts.pop(k) for k in ("keep", "scope", "mode", "threshold", "containment")}
    if clusters_out is None and out_dir is None:
        clusters_out = "-"
    engine = enter_engine(opts.pop("engine"), opts.pop("workers"), opts.pop("scheduler"))
    docs, failed = _documents(opts, no_clean, engine)
    stored = 0
    try:
        index = open_index(index_spec) if index_spec else None
        try:
            result = dedupe_on(engine, docs, index=index, **options)
        finally:
            if index is not None:
                stored = int(index.stats().get("paragraphs") or 0)
                index.close()
    except CleanerError as exc:
        raise click.UsageError(str(exc)) from None
    if clusters_out is not None:
        _write_clusters(clusters_out, clusters_to_jsonl(result))
    if out_dir is not None:
        _write_documents(out_dir, docs, result.dropped_ids(), no_clean)
    if not quiet:
        s = result.stats
        line = (
            f"cleaner dedupe: {s['documents']} documents, {s['paragraphs']} paragraphs seen,"
            f" {s['clusters']} clusters, {s['dropped']} dropped"
        )
        if index_spec:
            line += f", {s['index_matches']} matched in the index ({stored} stored)"
        click.echo(line, err=True)
    if failed:
        click.echo(f"cleaner: {failed} input(s) failed", err=True)
        sys.exit(1)


def _documents(opts: dict[str, Any], no_clean: bool, engine: Engine) -> tuple[list[DocLike], int]:
    """The documents to deduplicate (cleaned unless ``no_clean``), and how many inputs failed."""
    docs: list[DocLike] = []
    failed = 0
    items: Iterator[Source | InputError] = sources_from(opts)
    if no_clean:
        for item in items:
            try:
                if isinstance(item, InputError):
                    raise item
                docs.append(_plain(item))
            except InputError as exc:
                report_error(exc)
                failed += 1
        return docs, failed
    rulebook = load_rulebook(opts)
    for res in engine.clean(items, clean_config(opts), rulebook):
        if isinstance(res, InputError):
            report_error(res)
            failed += 1
        else:
            docs.append(res)
    return docs, failed


def _plain(src: Source) -> tuple[str, str, list[str]]:
    """A clean text input: one paragraph per non-blank line."""
    text = src.data if isinstance(src.data, str) else decode(src.data, src.source).text
    return (src.id, src.source, [line.strip() for line in text.splitlines() if line.strip()])


def _write_clusters(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_atomic(Path(target), text)
    except OSError as exc:
        raise click.UsageError(f"{target}: cannot write the clusters: {exc}") from None


def _write_documents(
    out_dir: Path, docs: list[DocLike], dropped: set[tuple[str, int]], no_clean: bool
) -> None:
    """Each document with its dropped paragraphs left out (text, like `cleaner clean`)."""
    for doc in docs:
        doc_id, _, paras, title = unpack(doc)
        kept = [p for i, p in enumerate(paras) if (doc_id, i) not in dropped]
        sep = "\n" if no_clean else "\n\n"
        body = sep.join(([title] if title else []) + kept)
        try:
            write_atomic(output_path(out_dir, doc_id, ".txt"), body + "\n" if body else "")
        except (OSError, CleanerError) as exc:
            raise click.UsageError(f"{out_dir}: cannot write {doc_id}: {exc}") from None
