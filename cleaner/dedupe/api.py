"""The dedupe run: candidates, verification, clusters, drops, index update."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from typing import Any

import numpy as np

from cleaner.dedupe.cluster import (
    KEEP_POLICIES,
    Cluster,
    DedupeResult,
    Dropped,
    Member,
)
from cleaner.dedupe.containment import containment_codes
from cleaner.dedupe.lsh import band_pairs, collision_pairs
from cleaner.dedupe.options import MODES, SCOPES, UNRECORDED, DedupeOptions
from cleaner.dedupe.outlets import document_duplicates, outlet_of_meta, spanning
from cleaner.dedupe.pairs import (
    disjoint_codes,
    pack_pairs,
    pair_ends,
    sorted_unique,
)
from cleaner.dedupe.prepare import Paragraph, Prepared, prepare
from cleaner.dedupe.reuse import Weights, bigram_ids, reuse_score, term_id
from cleaner.dedupe.reuse_pairs import (
    TermIds,
    Terms,
    document_frequencies,
    reuse_candidates,
    term_table,
    weigh,
)
from cleaner.dedupe.stage_bar import StageBar
from cleaner.dedupe.stars import CONTAINED, JACCARD, LINK, cover_edges, priority, stars
from cleaner.dedupe.table import ClusterTable, DroppedTable, PairTable
from cleaner.dedupe.verify import (
    Overlap,
    ShingleSets,
    intersections,
    overlap,
    overlap_of,
    overlaps_of,
    similarity_of,
)
from cleaner.document import CleanResult
from cleaner.errors import CleanerError, OptionsMismatch
from cleaner.index.base import Index, IndexItem
from cleaner.pool import release_heap, remote_stages, shares_memory

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
    """Flatten documents into paragraphs, in the order seen."""
    out: list[Paragraph] = []
    for doc in docs:
        doc_id, source, paras, _ = unpack(doc)
        outlet = repeat(outlet_of(doc))
        out.extend(map(Paragraph, repeat(doc_id), repeat(source), range(len(paras)), paras, outlet))
    return out


@dataclass
class _Nodes:
    """Batch paragraphs (nodes ``0..n-1``) and index items met as candidates (``n..``)."""

    prep: Prepared
    external: list[IndexItem]
    self_pid: dict[int, int]  # index pid -> batch node (the same paragraph seen before)
    order_of_batch: dict[int, tuple[int, int]]  # batch node -> (0, pid) when stored before
    _sets: ShingleSets | None = None
    #: Intersection sizes counted during verification, by ``(a, b)`` with ``a < b``.
    counted: dict[tuple[int, int], int] = field(default_factory=dict)
    #: Words and their ids of every node (reuse mode, made with the weights) ...
    term_ids: TermIds | None = None
    #: ... and weighed.
    terms: Terms | None = None
    #: Reuse fractions scored during verification, by ``(a, b)`` with ``a < b``.
    reuse_fractions: dict[tuple[int, int], float] = field(default_factory=dict)

    @property
    def sets(self) -> ShingleSets:
        """Shingle sets of every node (index items after the batch), once they are all met."""
        if self._sets is None or len(self._sets) != len(self.prep.paragraphs) + len(self.external):
            self._sets = self.prep.sets.extended([it.shingles for it in self.external])
        return self._sets

    def outlet_codes(self) -> np.ndarray:
        """One integer per node, equal for nodes of the same outlet (a node with no outlet:
        its document's own)."""
        code: dict[tuple[bool, str], int] = {}
        keys = [(bool(p.outlet), p.outlet or p.doc_id) for p in self.prep.paragraphs]
        keys += [(False, it.doc_id) for it in self.external]
        return np.fromiter((code.setdefault(k, len(code)) for k in keys), np.int64, len(keys))

    def doc_codes(self) -> np.ndarray:
        """One integer per node, equal for nodes of the same document."""
        code: dict[str, int] = {}
        docs = [p.doc_id for p in self.prep.paragraphs] + [it.doc_id for it in self.external]
        return np.fromiter((code.setdefault(d, len(code)) for d in docs), np.int64, len(docs))

    def shingles(self, node: int) -> np.ndarray:
        return self.sets.get(node)

    def words(self, node: int) -> Sequence[str]:
        """Words of a node, in order (reuse mode)."""
        n = len(self.prep.paragraphs)
        return self.prep.words(node) if node < n else self.external[node - n].words

    def order(self, node: int) -> tuple[int, int]:
        """Seen order: index items by pid, then the batch in input order."""
        n = len(self.prep.paragraphs)
        if node >= n:
            return (0, self.external[node - n].pid or 0)
        return self.order_of_batch.get(node, (1, node))


def _check(opts: DedupeOptions) -> None:
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
    _check(opts)
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
    pairs = [pack_pairs(_band_pairs(prep.bands, opts.workers))]
    release_heap()
    if opts.containment is not None:
        pairs.append(
            containment_codes(
                prep.set_hashes,
                prep.set_offsets,
                prep.anchor_rate,
                opts.anchors_per_paragraph,
                opts.postings_cap(n),
                opts.anchors_shared,
                opts.anchors_per_paragraph * opts.max_postings,
                workers=_here(opts.workers),
            )
        )
    if reuse:
        pairs.append(pack_pairs(_phrase_pairs(prep, opts.postings_cap(n))))
    nodes = _Nodes(prep, [], {}, {})
    if index is not None:
        _check_index(index, opts)
        pairs.append(pack_pairs(_index_pairs(prep, nodes, index, opts, reuse)))
    # The candidates stay packed (8 bytes a pair, not 16): verification unpacks a chunk
    # at a time (at 1M paragraphs, tens of millions of pairs: 1-2 s to unpack at once).
    # They come as disjoint arrays, not one sorted array: the verified pairs are sorted,
    # far fewer.
    doc_dups, in_dup = document_duplicates(
        [p.doc_id for p in paragraphs], [p.outlet for p in paragraphs], [p.text for p in paragraphs]
    )
    cand = [_in_scope(part, nodes, opts.scope, in_dup) for part in disjoint_codes(pairs)]
    del pairs  # each stage's pairs, as large as the candidates together
    release_heap()
    weights = _weights(nodes, index) if reuse else None
    verified = _verify(nodes, cand, opts, weights)
    candidates = sum(map(len, cand))
    del cand
    release_heap()
    clusters, dropped = _clusters(nodes, verified, opts, weights)
    if doc_dups:
        dropped = _with_documents(dropped, paragraphs, in_dup)
    if index is not None and update_index:
        _add_to_index(prep, index, reuse)
    stats = {
        "documents": len({p.doc_id for p in paragraphs}),
        "paragraphs": n,
        "candidates": candidates,
        "pairs": len(verified),
        "clusters": len(clusters),
        "clusters_across_outlets": _across_outlets(clusters),
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


def _here(workers: int) -> int:
    """Workers of a stage that stays on this machine when the others run on a Dask cluster.

    The band shuffle and the verification hand each worker their inputs once (band keys;
    shingle sets and candidates). The containment stage's five passes would each broadcast
    the batch's anchor rows (1.3 KB a paragraph) for little work: it runs here.
    """
    return 1 if remote_stages() else workers


def _band_pairs(bands: np.ndarray, workers: int) -> np.ndarray:
    """Candidate pairs from band collisions, on ``workers`` processes when more than one."""
    if workers <= 1:
        return band_pairs(bands)
    from cleaner.dedupe.pair_stages import band_pairs_parallel  # it imports this package

    return band_pairs_parallel(bands, workers)


def _verify_counts(
    sets: ShingleSets, cand: np.ndarray, opts: DedupeOptions
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cleaner.dedupe.verify.verify_counts` of the packed candidates, in chunks
    (on the pool when workers > 1)."""
    from cleaner.dedupe.pair_stages import verify_codes  # it imports this module

    args = (opts.threshold, opts.containment, opts.min_contained)
    return verify_codes(sets, cand, *args, workers=opts.workers)


def _phrase_pairs(prep: Prepared, max_postings: int) -> np.ndarray:
    """Candidate pairs sharing a phrase key (word bigram)."""
    prep.all_words()
    keys = [prep.phrase_keys(i) for i in range(len(prep.paragraphs))]
    owners = np.repeat(np.arange(len(keys), dtype=np.int64), [len(k) for k in keys])
    flat = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
    return collision_pairs(flat, owners, max_postings)


def _check_index(index: Index, opts: DedupeOptions) -> None:
    wanted = opts.index_settings()
    held = index.settings({})
    # An index made before a setting was recorded holds that setting's value of then (and
    # is refused before anything is written to it); a new index takes the wanted settings.
    stored = {**UNRECORDED, **held} if held else index.settings(wanted)
    diff = {k: (stored.get(k), v) for k, v in wanted.items() if stored.get(k) != v}
    if diff:
        shown = ", ".join(f"{k}={old} (asked {new})" for k, (old, new) in diff.items())
        raise OptionsMismatch(
            f"the index was built with other settings: {shown}; use those or a new index"
        )


def _index_pairs(
    prep: Prepared, nodes: _Nodes, index: Index, opts: DedupeOptions, reuse: bool
) -> np.ndarray:
    """Candidate pairs (batch node, index node) from keys shared with the index.

    A batch paragraph already stored under its own uid (the same batch run again) is the
    same node as its stored copy: its stored neighbours pair with it, not with the copy,
    and pairs of two such paragraphs are left to the batch's own candidates (found again
    through the index they would give a batch run twice other clusters than once).
    """
    n = len(prep.paragraphs)
    uids = [(p.doc_id, p.index, prep.digest(i)) for i, p in enumerate(prep.paragraphs)]
    position = {uid: i for i, uid in enumerate(uids)}
    for uid, pid in index.lookup(uids).items():
        i = position[uid]
        nodes.self_pid[pid] = i
        nodes.order_of_batch[i] = (0, pid)
    per_node = [sorted_unique(prep.index_keys(i, reuse)).tolist() for i in range(n)]
    hits = index.query(k for keys in per_node for k in keys)
    # The batch's own stored copies count neither in the index's size nor in a key's
    # postings: the cap is the one the batch's first run had.
    cap = opts.postings_cap(n + index.document_frequencies(())[1] - len(nodes.self_pid))
    ext: list[tuple[int, int]] = []
    for i, keys in enumerate(per_node):
        for k in keys:
            others = [pid for pid in hits.get(k, ()) if pid not in nodes.self_pid]
            if len(others) <= cap:
                ext += ((i, pid) for pid in others)
    node_of: dict[int, int] = {}
    for item in index.get({pid for _, pid in ext}):
        node_of[item.pid or 0] = n + len(nodes.external)
        nodes.external.append(item)
    pairs = [(i, node_of[pid]) for i, pid in ext]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _in_scope(cand: np.ndarray, nodes: _Nodes, scope: str, in_dup: np.ndarray) -> np.ndarray:
    """Keep the (packed) candidate pairs the scope asks for, none with a paragraph of a
    document that repeats an earlier one of its outlet (reported as such)."""
    if not len(cand) or (scope == "all" and not in_dup.any()):
        return cand
    first, second = pair_ends(cand)
    n = len(in_dup)
    keep = np.ones(len(cand), dtype=bool)
    if in_dup.any():
        keep &= ~in_dup[first] & ~((second < n) & in_dup[np.minimum(second, n - 1)])
    if scope != "all":
        code = nodes.outlet_codes() if scope == "outlets" else nodes.doc_codes()
        same = code[first] == code[second]
        keep &= same if scope == "within" else ~same
    return cand[keep]


def _with_documents(
    dropped: Sequence[Dropped], paragraphs: Sequence[Paragraph], in_dup: np.ndarray
) -> Sequence[Dropped]:
    """The drops, then every paragraph of the documents that repeat an earlier one."""
    rows = np.flatnonzero(in_dup)
    if isinstance(dropped, DroppedTable):
        return DroppedTable(
            paragraphs,
            np.concatenate([dropped.rows, rows]),
            np.concatenate([dropped.cluster, np.full(len(rows), -1, dtype=np.int64)]),
        )
    extra = [Dropped(paragraphs[r].doc_id, paragraphs[r].index, -1) for r in rows.tolist()]
    return (*dropped, *extra)


def _across_outlets(clusters: Sequence[Cluster]) -> int:
    """Clusters whose members come from two named outlets or more."""
    if isinstance(clusters, ClusterTable):
        outlets = [clusters.paragraphs[x].outlet for x in clusters.nodes.tolist()]
        return spanning(outlets, clusters.starts)
    return sum(1 for c in clusters if len({m.outlet for m in c.members} - {""}) > 1)


def _weights(nodes: _Nodes, index: Index | None) -> Weights:
    """Rarity of words and bigrams over the distinct paragraphs of the batch and the index.

    A paragraph repeated word for word (a syndicated copy) counts once; stored copies of
    this batch's own paragraphs (the same batch run again) are not counted twice.
    """
    prep = nodes.prep
    words = [nodes.words(i) for i in range(len(prep.paragraphs) + len(nodes.external))]
    bigrams = [prep.phrase_keys(i) for i in range(len(prep.paragraphs))]
    bigrams += [np.array(bigram_ids(it.words), dtype=np.int64) for it in nodes.external]
    nodes.term_ids = term_table(words, bigrams)
    first: dict[str, int] = {}
    for i in range(len(prep.paragraphs)):
        first.setdefault(prep.digest(i), i)
    seen = first.keys()
    df = Counter(document_frequencies(nodes.term_ids, np.fromiter(first.values(), np.int64)))
    total = len(seen)
    if index is not None:
        own = set(nodes.self_pid)
        keys = np.array(sorted(df), dtype=np.int64).view(np.uint64).tolist()
        for key, pids in index.query(keys).items():  # bigrams (stored as phrase keys)
            df[int(np.uint64(key).view(np.int64))] += sum(1 for p in pids if p not in own)
        vocab = {w for i in range(len(prep.paragraphs)) for w in nodes.words(i)}
        stored = Counter(index.document_frequencies(vocab)[0])
        stored.subtract(w for i in set(nodes.self_pid.values()) for w in set(nodes.words(i)))
        for w, count in stored.items():  # words (stored with their document frequencies)
            df[term_id(w)] += max(0, count)
        total += max(0, index.document_frequencies(())[1] - len(own))
    return Weights(df, total)


def _score(nodes: _Nodes, a: int, b: int, weights: Weights | None) -> tuple[Overlap, float]:
    """Exact overlap of two nodes, and their reuse fraction (0 without weights)."""
    inter = nodes.counted.get((min(a, b), max(a, b)))
    if inter is None:
        o = overlap(nodes.shingles(a), nodes.shingles(b))
    else:
        o = overlap_of(inter, len(nodes.shingles(a)), len(nodes.shingles(b)))
    if weights is None or o.similarity >= 1.0:
        return o, 0.0  # (a member reports the larger of the two: a fraction adds nothing)
    # Scored in the order verification scores a pair: the fraction it was found with.
    key = (min(a, b), max(a, b))
    fraction = nodes.reuse_fractions.get(key)
    if fraction is None:
        if nodes.terms is None:
            return o, reuse_score(nodes.words(key[0]), nodes.words(key[1]), weights).fraction
        fraction = nodes.terms.scores(*key)[1]
    return o, fraction


@dataclass(frozen=True)
class _Verified:
    """The true pairs among the candidates, sorted (ascending first paragraph, then
    second), with their similarity; and the near duplicates among them as sorted packed
    pairs with their shingle intersections (members are scored against their
    representative: often a pair counted here)."""

    first: np.ndarray
    second: np.ndarray
    similarity: np.ndarray
    near: np.ndarray
    inter: np.ndarray

    def __len__(self) -> int:
        return len(self.first)

    def counted(self) -> dict[tuple[int, int], int]:
        """The near duplicates' intersections by ``(a, b)``."""
        first, second = pair_ends(self.near)
        ab = zip(first.tolist(), second.tolist(), strict=True)
        return dict(zip(ab, self.inter.tolist(), strict=True))


def _verify(
    nodes: _Nodes, cand: list[np.ndarray], opts: DedupeOptions, weights: Weights | None
) -> _Verified:
    """The true pairs among the candidates (disjoint arrays of packed pairs), with their
    similarity.

    Near duplicates are verified for all candidates at once; in reuse mode the candidates
    that are not near duplicates are then scored pair by pair on their shared phrases.
    """
    sets = nodes.sets
    sizes = sets.sizes()
    near_codes, near_inter, reused, scores = [], [], [], []
    for part in cand:
        mask, inter = _verify_counts(sets, part, opts)
        near_codes.append(part[mask])
        near_inter.append(inter[mask])
        if weights is None:
            continue
        code, fraction = _reused(nodes, part[~mask], opts, weights)
        reused.append(code)
        a, b = pair_ends(code)
        pairs = np.stack([a, b], axis=1)
        scores.append(
            np.maximum(similarity_of(intersections(sets, pairs), sizes[a], sizes[b]), fraction)
        )
    codes, inter = _joined(near_codes, np.int64), _joined(near_inter, np.int64)
    order = np.argsort(codes)  # sorted, as the candidates are not; these few are
    codes, inter = codes[order], inter[order]
    first, second = pair_ends(codes)
    # Only the verified pairs' similarities are read (computed for those alone: at 1M
    # paragraphs most of the candidates are not).
    sim = similarity_of(inter, sizes[first], sizes[second])
    if weights is not None:
        both = np.concatenate((codes, *reused))
        order = np.argsort(both)
        first, second = pair_ends(both[order])
        sim = np.concatenate((sim, *scores))[order]
    return _Verified(first, second, sim, codes, inter)


def _reused(
    nodes: _Nodes, code: np.ndarray, opts: DedupeOptions, weights: Weights
) -> tuple[np.ndarray, np.ndarray]:
    """The packed candidates that are reuse pairs, and their reuse fraction: bounded all at
    once, scored exactly where the bound lets them through (see :mod:`.reuse_pairs`)."""
    if nodes.terms is None:
        assert nodes.term_ids is not None  # made with the weights
        nodes.terms = weigh(nodes.term_ids, weights)
    a, b = pair_ends(code)
    floors = (opts.reuse_min_weight, opts.reuse_threshold)
    todo = reuse_candidates(nodes.terms, a, b, *floors)
    weight, fraction = _reuse_scores(nodes.terms, a[todo], b[todo], opts)
    ok = (weight >= floors[0]) & (fraction >= floors[1])
    pairs = zip(a[todo].tolist(), b[todo].tolist(), strict=True)
    nodes.reuse_fractions.update(zip(pairs, fraction.tolist(), strict=True))
    return code[todo[ok]], fraction[ok]


def _reuse_scores(
    terms: Terms, a: np.ndarray, b: np.ndarray, opts: DedupeOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Exact reuse scores of pairs, on the pool when workers > 1, with a bar when asked."""
    from cleaner.dedupe.pair_stages import reuse_scores  # it imports this module

    with StageBar("reuse pairs", len(a), show=opts.progress) as bar:
        return reuse_scores(terms, a, b, opts.workers, tick=bar.update)


def _joined(arrays: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)


def _clusters(
    nodes: _Nodes, verified: _Verified, opts: DedupeOptions, weights: Weights | None
) -> tuple[Sequence[Cluster], Sequence[Dropped]]:
    """Stars of verified pairs around kept centres (:mod:`cleaner.dedupe.stars`), their
    members scored against the centre, and the drops."""
    n = len(nodes.prep.paragraphs)
    total = n + len(nodes.external)
    sizes = nodes.sets.sizes()
    near_first, near_second = pair_ends(verified.near)
    src, dst, quoted = cover_edges(near_first, near_second, verified.inter, sizes, opts.threshold)
    kind = np.where(quoted, CONTAINED, JACCARD).astype(np.int8)
    if weights is not None:
        # Reuse pairs that are not near duplicates: in a cluster for the report, never dropped.
        codes = (verified.first << 32) | verified.second
        only = ~np.isin(codes, verified.near)
        a, b = verified.first[only], verified.second[only]
        src, dst = np.concatenate([src, a, b]), np.concatenate([dst, b, a])
        kind = np.concatenate([kind, np.full(2 * len(a), LINK, dtype=np.int8)])
    in_order = not nodes.external and not nodes.order_of_batch
    seen = np.arange(total, dtype=np.int64) if in_order else _seen_order(nodes)
    quoted_node = np.zeros(total, dtype=bool)
    quoted_node[src[kind == CONTAINED]] = True
    external = np.arange(total) >= n
    lengths = (
        _text_lengths(nodes) if opts.keep in ("longest", "shortest") else np.zeros(total, np.int64)
    )
    rank = priority(seen, lengths, opts.keep, quoted_node, external)
    centre, covered = stars(total, src, dst, kind, rank, fixed=np.arange(n, total))
    members, starts = _star_arrays(centre, seen)
    if in_order and weights is None:
        table = _cluster_table(nodes, verified, members, starts, opts)
        return table, table.dropped()
    nodes.counted.update(verified.counted())
    clusters: list[Cluster] = []
    dropped: list[Dropped] = []
    flat, cuts = members.tolist(), starts.tolist()
    for cid, (lo, hi) in enumerate(zip(cuts, cuts[1:], strict=False)):
        group = flat[lo:hi]
        rep = group[0]
        ms = []
        for node in group:
            m = _member(nodes, node, rep, weights)
            if node == rep or not covered[node]:
                m = _kept(m)
            elif node < n:
                p = nodes.prep.paragraphs[node]
                dropped.append(Dropped(p.doc_id, p.index, cid))
            ms.append(m)
        clusters.append(Cluster(cid, tuple(ms)))
    return tuple(clusters), tuple(dropped)


def _kept(m: Member) -> Member:
    """The member marked kept (``dataclasses.replace`` costs 17 us a call)."""
    scores = (m.similarity, m.jaccard, m.containment)
    return Member(m.doc_id, m.source, m.index, m.text, *scores, True, m.from_index, outlet=m.outlet)


def _seen_order(nodes: _Nodes) -> np.ndarray:
    """Each node's place in seen order (index items by pid, then the batch)."""
    total = len(nodes.prep.paragraphs) + len(nodes.external)
    order = sorted(range(total), key=nodes.order)
    seen = np.empty(total, dtype=np.int64)
    seen[np.array(order, dtype=np.int64)] = np.arange(total, dtype=np.int64)
    return seen


def _text_lengths(nodes: _Nodes) -> np.ndarray:
    """Characters of every node's text."""
    texts = [p.text for p in nodes.prep.paragraphs] + [it.text for it in nodes.external]
    return np.fromiter(map(len, texts), np.int64, len(texts))


def _star_arrays(centre: np.ndarray, seen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The clusters' nodes, each cluster's centre first and the rest in seen order,
    clusters ordered by their first member seen, and where each starts (one more: the end).

    >>> [x.tolist() for x in _star_arrays(np.array([1, 1, -1, 4, 4, 1]), np.arange(6))]
    [[1, 0, 5, 4, 3], [0, 3, 5]]
    """
    node = np.flatnonzero(centre >= 0)
    if not len(node):
        return np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)
    c = centre[node]
    first = np.full(len(centre), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, c, seen[node])
    order = np.lexsort((seen[node], node != c, first[c]))
    members, c = node[order], c[order]
    cuts = np.flatnonzero(c[1:] != c[:-1]) + 1
    return members, np.concatenate(([0], cuts, [len(members)])).astype(np.int64)


def _cluster_table(
    nodes: _Nodes, verified: _Verified, members: np.ndarray, starts: np.ndarray, opts: DedupeOptions
) -> ClusterTable:
    """The clusters of batch paragraphs alone (near duplicates, seen in batch order) as
    arrays: what :func:`_clusters` makes as objects, scored and kept alike (the centre)."""
    paras = nodes.prep.paragraphs
    reps = np.repeat(members[starts[:-1]], np.diff(starts))
    inter = _rep_intersections(verified, reps, members)
    sizes = nodes.sets.sizes()
    jaccard, contained = overlaps_of(inter, sizes[members], sizes[reps])
    itself = members == reps
    jaccard[itself] = 1.0
    contained[itself] = 1.0
    similarity = np.maximum(jaccard, contained)
    kept = np.zeros(len(starts) - 1, dtype=np.int64)
    return ClusterTable(paras, starts, members, similarity, jaccard, contained, kept)


def _rep_intersections(verified: _Verified, reps: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Shingles each member shares with its representative, as verification counted them
    (a member joins its centre by a verified near pair; the centre itself: 0, unread)."""
    code = (np.minimum(reps, members) << 32) | np.maximum(reps, members)
    near = verified.near
    if not len(near):
        return np.zeros(len(code), dtype=np.int64)
    at = np.minimum(np.searchsorted(near, code), len(near) - 1)
    return np.where(near[at] == code, verified.inter[at], 0).astype(np.int64)


def _member(nodes: _Nodes, node: int, rep: int, weights: Weights | None) -> Member:
    """A cluster member with its similarity to the representative."""
    n = len(nodes.prep.paragraphs)
    if node == rep:
        o, r = Overlap(1.0, 1.0, 0), 1.0 if weights else 0.0
    else:
        o, r = _score(nodes, node, rep, weights)
    if node < n:
        p = nodes.prep.paragraphs[node]
        place = (p.doc_id, p.source, p.index, p.text, False)
        outlet = p.outlet
    else:
        it = nodes.external[node - n]
        place = (it.doc_id, it.source, it.index, it.text, True)
        outlet = ""  # the index does not store outlets
    return Member(
        doc_id=place[0],
        source=place[1],
        index=place[2],
        text=place[3],
        similarity=max(o.similarity, r),
        jaccard=o.jaccard,
        containment=o.containment,
        kept=place[4],
        from_index=place[4],
        outlet=outlet,
    )


def _add_to_index(prep: Prepared, index: Index, reuse: bool) -> int:
    """Store every batch paragraph (a paragraph already stored is skipped by uid)."""
    items = [
        IndexItem(
            doc_id=p.doc_id,
            source=p.source,
            index=p.index,
            text=p.text,
            digest=prep.digest(i),
            shingles=prep.shingle_set(i),
            signature=prep.signature[i],
            keys=prep.index_keys(i, with_phrases=True),
            words=tuple(prep.words(i)),
        )
        for i, p in enumerate(prep.paragraphs)
    ]
    with index.bulk():
        return index.add(items)
