"""The dedupe of a batch: its public API and the run that composes the stages.

:func:`run` takes the batch's material (:mod:`.prepare`), its candidates (:mod:`.candidates`,
:mod:`.containment`, :mod:`.against_index`), verifies them (:mod:`.verified`), forms the
clusters (:mod:`.clustering`) and stores the batch in the index.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import repeat
from typing import Any

import numpy as np

from cleaner.dedupe.against_index import add_to_index, check_index, index_candidates
from cleaner.dedupe.candidates import band_candidates, in_scope, phrase_candidates, stage_workers
from cleaner.dedupe.cluster import (
    DedupeResult,
)
from cleaner.dedupe.clustering import across_outlets, form_clusters, with_documents
from cleaner.dedupe.containment import containment_codes
from cleaner.dedupe.nodes import Nodes
from cleaner.dedupe.options import KEEP_POLICIES, MODES, SCOPES, DedupeOptions
from cleaner.dedupe.outlets import DocumentDuplicate, document_duplicates, outlet_of_meta
from cleaner.dedupe.pairs import (
    disjoint_codes,
    pack_pairs,
)
from cleaner.dedupe.prepare import Paragraph, Prepared, prepare
from cleaner.dedupe.table import PairTable
from cleaner.dedupe.verified import verify_candidates, weights_of
from cleaner.dedupe.verify import BoundTest
from cleaner.document import CleanResult
from cleaner.errors import CleanerError
from cleaner.index.base import Index
from cleaner.pool import release_heap, remote_stages, shares_memory, stop_kept_workers

#: A document: a CleanResult, or ``(doc_id, source, paragraphs)``, or
#: ``(doc_id, source, paragraphs, outlet)``.
DocLike = CleanResult | tuple[str, str, Sequence[str]] | tuple[str, str, Sequence[str], str]


def unpack(doc: DocLike) -> tuple[str, str, Sequence[str], str]:
    """A document's id, source, paragraphs and title ("" for a tuple document)."""
    if isinstance(doc, CleanResult):
        return doc.id, doc.source, doc.paragraphs, doc.title
    return doc[0], doc[1], doc[2], ""


def outlet_of(doc: DocLike) -> str:
    """A document's outlet: its source field or URL host (see :mod:`cleaner.dedupe.outlets`),
    a tuple document's fourth item, or ``""``."""
    if isinstance(doc, CleanResult):
        return outlet_of_meta(doc.meta)
    return doc[3] if len(doc) > 3 else ""


def paragraphs_of(docs: Iterable[DocLike]) -> list[Paragraph]:
    """Flatten documents into paragraphs, in the order seen.

    A loop of the main process over every document: tuple documents are taken apart in
    place and a one-paragraph document makes its one Paragraph directly (50,000
    one-paragraph records: 0.07 s through :func:`unpack` and ``map``, 0.02 s so).
    """
    out: list[Paragraph] = []
    add = out.append
    paras: Sequence[str]
    for doc in docs:
        if isinstance(doc, CleanResult):
            doc_id, source, paras, outlet = doc.id, doc.source, doc.paragraphs, outlet_of(doc)
        else:
            doc_id, source, paras = doc[0], doc[1], doc[2]
            outlet = doc[3] if len(doc) > 3 else ""
        if len(paras) == 1:
            add(Paragraph(doc_id, source, 0, paras[0], outlet))
            continue
        rows = range(len(paras))
        out.extend(map(Paragraph, repeat(doc_id), repeat(source), rows, paras, repeat(outlet)))
    return out


def check_options(opts: DedupeOptions) -> None:
    if opts.mode not in MODES:
        raise CleanerError(f"unknown mode {opts.mode!r}; use one of {', '.join(MODES)}")
    if opts.scope not in SCOPES:
        raise CleanerError(f"unknown scope {opts.scope!r}; use one of {', '.join(SCOPES)}")
    if opts.keep not in KEEP_POLICIES:
        raise CleanerError(
            f"unknown keep policy {opts.keep!r}; use one of {', '.join(KEEP_POLICIES)}"
        )
    if not 0.0 < opts.threshold <= 1.0:
        raise CleanerError(f"threshold {opts.threshold} must be in (0, 1]")
    if opts.workers < 1:
        raise CleanerError(f"workers {opts.workers} must be 1 or more")


def dedupe(
    docs: Iterable[DocLike],
    *,
    mode: str = "near",
    threshold: float = 0.4,
    scope: str = "all",
    keep: str = "first",
    index: Index | None = None,
    update_index: bool = True,
    **options: Any,
) -> DedupeResult:
    """Find repeated paragraphs in documents (and against an index) and pick what to drop.

    Args:
        docs: CleanResults or ``(doc_id, source, paragraphs)`` tuples.
        mode: ``near`` or ``reuse`` (see :class:`DedupeOptions`).
        threshold: Jaccard threshold of near duplicates.
        scope: ``within`` a document, ``across`` documents, or ``all``.
        keep: Keep policy when dropping: ``first``, ``last``, ``longest``, ``shortest``.
        index: An index of earlier batches; matches against it are reported and the batch
            is added to it (unless ``update_index`` is False).
        update_index: Add this batch's paragraphs to ``index``.
        **options: Any other :class:`DedupeOptions` field.

    Returns:
        Clusters (representative first), dropped paragraphs, and counts.
    """
    opts = DedupeOptions(mode=mode, threshold=threshold, scope=scope, keep=keep, **options)
    return run(paragraphs_of(docs), opts, index, update_index)


def run(
    paragraphs: list[Paragraph],
    opts: DedupeOptions,
    index: Index | None = None,
    update_index: bool = True,
    prepared: Prepared | None = None,
) -> DedupeResult:
    """The dedupe of a flat list of paragraphs (``prepared``: their material, made elsewhere)."""
    check_options(opts)
    if not shares_memory(opts.workers) and not remote_stages():
        # A pool that cannot fork would be sent the batch's arrays pickled, each worker
        # its copy: slower than this process alone.
        opts = replace(opts, workers=1)
    started = time.perf_counter()
    prep = prepared if prepared is not None else prepare(paragraphs, opts)
    # Each stage below frees its temporaries; the heap is handed back between them, so the
    # resident memory is the stage's own, not the largest stage's before it.
    release_heap()
    n = len(paragraphs)
    reuse = opts.mode == "reuse"
    # Each stage's pairs, packed one int64 a pair (the containment stage gives them so).
    pairs = [pack_pairs(band_candidates(prep.bands, opts.workers))]
    release_heap()
    if opts.containment is not None:
        # Near mode keeps only the pairs that can be near duplicates (reuse mode scores
        # the others too, see cleaner.dedupe.verified).
        near = (opts.threshold, opts.containment, opts.min_contained)
        test = None if reuse else BoundTest.of(prep.sets, *near)
        pairs.append(
            containment_codes(
                prep.set_hashes,
                prep.set_offsets,
                prep.anchor_rate,
                opts.anchors_per_paragraph,
                opts.postings_cap(n),
                opts.anchors_shared,
                opts.anchors_per_paragraph * opts.max_postings,
                workers=stage_workers(opts.workers),
                test=test,
            )
        )
    if reuse:
        pairs.append(pack_pairs(phrase_candidates(prep, opts.postings_cap(n))))
    nodes = Nodes(prep, [], {}, {})
    if index is not None:
        check_index(index, opts)
        pairs.append(pack_pairs(index_candidates(prep, nodes, index, opts, reuse)))
    # The candidates stay packed (8 bytes a pair, not 16): verification unpacks a chunk
    # at a time (at 1M paragraphs, tens of millions of pairs: 1-2 s to unpack at once).
    # They come as disjoint arrays, not one sorted array: the verified pairs are sorted,
    # far fewer.
    doc_dups, in_dup = _document_duplicates(paragraphs)
    cand = [in_scope(part, nodes, opts.scope, in_dup) for part in disjoint_codes(pairs)]
    del pairs  # each stage's pairs, as large as the candidates together
    release_heap()
    weights = weights_of(nodes, index) if reuse else None
    verified = verify_candidates(nodes, cand, opts, weights)
    candidates = sum(map(len, cand))
    del cand
    # Workers forked to inherit a stage's inputs (verification's candidates when too large
    # to hand over) hold this process's memory of then: let go. Workers handed their
    # inputs stay for the clusters' lines (no fork).
    stop_kept_workers(inheriting=True)
    release_heap()
    clusters, dropped = form_clusters(nodes, verified, opts, weights)
    if doc_dups:
        dropped = with_documents(dropped, paragraphs, in_dup)
    if index is not None and update_index:
        add_to_index(prep, index)
    stats = {
        "documents": len({p.doc_id for p in paragraphs}),
        "paragraphs": n,
        "candidates": candidates,
        "pairs": len(verified),
        "clusters": len(clusters),
        "clusters_across_outlets": across_outlets(clusters),
        "duplicate_documents": len(doc_dups),
        "dropped": len(dropped),
        "index_matches": len(nodes.external),
        "seconds": round(time.perf_counter() - started, 3),
    }
    first, second, similarity = verified.first, verified.second, verified.similarity
    if nodes.external:
        batch = (first < n) & (second < n)
        first, second, similarity = first[batch], second[batch], similarity[batch]
    pair_table = PairTable(first, second, similarity)
    return DedupeResult(clusters, dropped, stats, pair_table, tuple(doc_dups))


def _document_duplicates(
    paragraphs: list[Paragraph],
) -> tuple[list[DocumentDuplicate], np.ndarray]:
    """:func:`document_duplicates` of the batch (none without outlets: the other columns are
    then not made, 20 ms at 50k paragraphs)."""
    # Field by field: ``zip(*paragraphs)`` would make a tuple per paragraph (0.8 s at 1M).
    outlets = [p.outlet for p in paragraphs]
    if not any(outlets):
        return [], np.zeros(len(paragraphs), dtype=bool)
    doc_ids = [p.doc_id for p in paragraphs]
    texts = [p.text for p in paragraphs]
    return document_duplicates(doc_ids, outlets, texts)


def near_duplicates_within(
    paragraphs: Sequence[str], threshold: float = 0.4, **options: Any
) -> list[tuple[int, int, float]]:
    """Verified near-duplicate pairs ``(i, j, similarity)``, ``i < j``, inside one document.

    >>> text = "a long enough paragraph of text"
    >>> near_duplicates_within([text, "other", text.upper() + "!"])
    [(0, 2, 1.0)]
    """
    opts = DedupeOptions(threshold=threshold, scope="within", **options)
    result = run(paragraphs_of([("doc", "", paragraphs)]), opts)
    return sorted((p.a, p.b, round(p.similarity, 4)) for p in result.pairs)
