"""``cleaner dedupe``: find repeated paragraphs within and across documents, drop them."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable
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
    read_options,
    report_error,
)
from cleaner.cli.scale import engine_options, enter_engine, workers_option
from cleaner.dedupe import KEEP_POLICIES, MODES, SCOPES, DedupeOptions
from cleaner.dedupe.api import DocLike, unpack
from cleaner.dedupe.cluster_lines import iter_jsonl
from cleaner.errors import CleanerError, InputError, OptionsMismatch
from cleaner.executor.base import PAIR_STAGES, Engine, Loaded, dedupe_loaded, pair_stages_on
from cleaner.index import open_index
from cleaner.io.layout import OutputNames
from cleaner.io.output import write_atomic
from cleaner.io.partitions import PART_FORMATS
from cleaner.io.resume import part_name


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
    "--parts",
    "part_format",
    type=click.Choice(PART_FORMATS),
    default=None,
    help="With -o DIR: write one part-00000.jsonl (or .parquet) per input file instead of"
    " one text file per document; records hold id, source, title and the kept text.",
)
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
@click.option("-q", "--quiet", is_flag=True, help="No summary and no progress bar on stderr.")
@workers_option
@engine_options
@click.option(
    "--pair-stages",
    type=click.Choice(PAIR_STAGES),
    default="client",
    show_default=True,
    help="With --engine dask: where the band shuffle and the verification run, in this"
    " process or as the cluster's tasks (their inputs go to every worker: slower on one"
    " machine, see docs/scaling.md).",
)
def dedupe_cmd(
    no_clean: bool,
    clusters_out: str | None,
    out_dir: Path | None,
    part_format: str | None,
    index_spec: str | None,
    quiet: bool,
    pair_stages: str,
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
    if part_format and out_dir is None:
        raise click.UsageError("--parts needs an output folder (-o DIR)")
    workers = opts.pop("workers")
    engine = enter_engine(opts.pop("engine"), workers, opts.pop("scheduler"))
    try:
        # The pair stages run on a pool of this machine's processes (a Dask client: in its
        # own process), or as the Dask cluster's tasks with --pair-stages cluster.
        stages = pair_stages_on(engine, pair_stages)
    except CleanerError as exc:
        raise click.UsageError(str(exc)) from None
    dedupe_opts = DedupeOptions(**options, workers=workers, progress=not quiet)
    loaded = _load(opts, no_clean, engine, dedupe_opts)
    for err in loaded.errors:
        report_error(err)
    failed = len(loaded.errors)
    docs = loaded.docs
    stored = 0
    try:
        index = open_index(index_spec) if index_spec else None
        try:
            with stages:
                result = dedupe_loaded(loaded, dedupe_opts, index)
        finally:
            if index is not None:
                stored = int(index.stats().get("paragraphs") or 0)
                index.close()
    except OptionsMismatch as exc:
        raise click.UsageError(str(exc)) from None
    except CleanerError as exc:
        raise RunError(str(exc)) from None
    if clusters_out is not None:
        _write_clusters(clusters_out, iter_jsonl(result, dedupe_opts.workers))
    if out_dir is not None and part_format:
        _write_parts(engine, out_dir, loaded, result.dropped_ids(), no_clean, part_format)
    elif out_dir is not None:
        failed += _write_documents(out_dir, docs, result.dropped_ids(), no_clean)
    if not quiet:
        s = result.stats
        line = (
            f"cleaner dedupe: {s['documents']} documents, {s['paragraphs']} paragraphs seen,"
            f" {s['clusters']} clusters, {s['dropped']} dropped,"
            f" {s['clusters_across_outlets']} clusters across outlets"
        )
        if s["duplicate_documents"]:
            line += f", {s['duplicate_documents']} documents repeating one of their outlet"
        if index_spec:
            line += f", {s['index_matches']} matched in the index ({stored} stored)"
        click.echo(line, err=True)
    _left_to_exit(loaded, result)
    if failed:
        click.echo(f"cleaner: {failed} input(s) failed", err=True)
        sys.exit(1)


#: The last batch the command ran, left for the process's end (see :func:`_left_to_exit`).
_LAST_BATCH: list[list[object]] = []


def _left_to_exit(*batch: object) -> None:
    """Keep the batch's objects (documents, paragraphs, clusters: the outputs are written
    and closed) until the process ends, rather than free them one by one as the command
    returns: at 50k one-paragraph records that took 40 ms, 60 ms after the pool's last fork
    (the pages it shared are copied as the objects' counts change); the end of the process
    gives their memory back at once. A cycle holds them (so the interpreter's teardown of
    module globals does not free them either), and the collector is told to leave every
    object made so far alone (:func:`gc.freeze`), which the interpreter's exit does too. A
    process that runs the command again breaks the previous cycle, freeing that batch: one
    batch at most is held."""
    for held in _LAST_BATCH:
        held.clear()
    held = [*batch]
    held.append(held)
    _LAST_BATCH[:] = [held]
    gc.freeze()


def _load(opts: dict[str, Any], no_clean: bool, engine: Engine, dedupe: DedupeOptions) -> Loaded:
    """The documents to deduplicate, read, cleaned unless ``no_clean``, and prepared."""
    read = read_options(opts)
    config = None if no_clean else clean_config(opts)
    rulebook = None if no_clean else load_rulebook(opts)
    try:
        return engine.load(opts["paths"], read, config, dedupe, rulebook)
    except CleanerError as exc:
        raise click.UsageError(str(exc)) from None


def _write_clusters(target: str, lines: Iterable[bytes]) -> None:
    """The clusters' JSON lines to a file (written whole or not at all) or stdout (``-``)."""
    try:
        if target == "-":
            sys.stdout.flush()
            for chunk in lines:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return
        write_atomic(Path(target), lines)
    except OSError as exc:
        where = "stdout" if target == "-" else target
        raise RunError(f"{where}: cannot write the clusters: {exc.strerror or exc}") from None


def _kept_text(doc: DocLike, dropped: set[tuple[str, int]], no_clean: bool) -> str:
    """A document's title and kept paragraphs as text, like `cleaner clean` writes it."""
    doc_id, _, paras, title = unpack(doc)
    kept = [p for i, p in enumerate(paras) if (doc_id, i) not in dropped]
    return ("\n" if no_clean else "\n\n").join(([title] if title else []) + kept)


def _write_parts(
    engine: Engine,
    out_dir: Path,
    loaded: Loaded,
    dropped: set[tuple[str, int]],
    no_clean: bool,
    fmt: str,
) -> None:
    """One part file per input partition (on the cluster's workers with the Dask engine)."""
    parts: dict[int, list[dict[str, Any]]] = {}
    for doc, k in zip(loaded.docs, loaded.part_of, strict=True):
        doc_id, source, _, title = unpack(doc)
        record = {"id": doc_id, "source": source, "title": title}
        parts.setdefault(k, []).append({**record, "text": _kept_text(doc, dropped, no_clean)})
    jobs = [(out_dir / part_name(k, "." + fmt), records, fmt) for k, records in parts.items()]
    try:
        engine.write_parts(jobs)
    except (OSError, CleanerError) as exc:
        raise RunError(f"{out_dir}: cannot write the parts: {exc}") from None


def _write_documents(
    out_dir: Path, docs: list[DocLike], dropped: set[tuple[str, int]], no_clean: bool
) -> int:
    """Each document with its dropped paragraphs left out (text, like `cleaner clean`).

    A document that cannot be written is reported and the others are still written (each
    file is complete or absent); returns how many failed.
    """
    names = OutputNames(out_dir, ".txt")
    failed = 0
    for doc in docs:
        doc_id, source, _, _ = unpack(doc)
        body = _kept_text(doc, dropped, no_clean)
        try:
            path = claim_output(names, doc_id, source or doc_id)
            write_atomic(path, body + "\n" if body else "")
        except InputError as exc:
            report_error(exc)
            failed += 1
        except (OSError, CleanerError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            report_error(InputError(source or doc_id, f"cannot write output: {reason}"))
            failed += 1
    return failed
