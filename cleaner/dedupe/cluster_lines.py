"""Clusters as JSON lines, one line per cluster, in cluster order (what ``--clusters`` writes).

Each line is ``json.dumps(cluster.to_dict(), ensure_ascii=False, sort_keys=True)`` with the
line separators JSON leaves raw escaped, as in every JSON lines output of the project
(:func:`cleaner.io.output.jsonl_line`). Clusters held as a
:class:`~cleaner.dedupe.table.ClusterTable` are written from its arrays without making their
objects: a range of clusters' members' strings are laid end to end in one string per field
(:class:`MemberColumns`), and the range is formatted line by line. On a pool (several
ranges), each range's columns go with its task and the table's arrays are handed to the
running workers: no paragraph object of the batch is touched there, so no new fork is
needed and none of the batch's pages is copied; each range's lines come back in an outbox
(:class:`cleaner.shared_memory.Outbox`). At 1M paragraphs (555,000 members, 500 MB of
JSON) this took the main process 12 s as objects; the columns take it 0.5 s.

>>> from cleaner.dedupe.cluster import Cluster, DedupeResult, Member
>>> m = Member("d", "s", 0, "x", 1.0, 1.0, 1.0)
>>> r = DedupeResult((Cluster(7, (m, m)),), ())
>>> line = json.dumps(r.clusters[0].to_dict(), ensure_ascii=False, sort_keys=True)
>>> clusters_to_jsonl(r).splitlines() == [line]
True
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from cleaner.dedupe.cluster import Cluster, DedupeResult
from cleaner.dedupe.streamed import PackedTexts, pack_texts, unpack_texts
from cleaner.dedupe.table import ClusterTable
from cleaner.io.output import escape_separators
from cleaner.pool import (
    chunk_size,
    ordered_map,
    shares_memory,
    stage,
    stage_inputs,
    stop_kept_workers,
)
from cleaner.shared_memory import Outbox, openable

#: Members formatted a task (about 18 MB of JSON on the benchmark's paragraphs).
MEMBERS_PER_CHUNK = 20_000

#: JSON's string encoder without ASCII escapes (the C one when CPython has it).
_string = json.encoder.encode_basestring


@dataclass(frozen=True)
class MemberColumns:
    """The string fields of a range of a table's clusters' members, in member order, then
    of their related paragraphs, each one string with the offsets of its pieces (entry
    ``k``'s text is ``text[text_at[k]:text_at[k + 1]]``)."""

    doc_id: str
    doc_id_at: np.ndarray
    source: str
    source_at: np.ndarray
    outlet: str
    outlet_at: np.ndarray
    text: str
    text_at: np.ndarray
    index: np.ndarray

    @classmethod
    def of(cls, table: ClusterTable, lo: int, hi: int) -> MemberColumns:
        """The columns of clusters ``lo..hi-1`` of ``table`` (read from its paragraphs)."""
        paras = table.paragraphs
        rel = table.related
        assert rel is not None  # made with the table
        members = table.nodes[table.starts[lo] : table.starts[hi]]
        nodes = np.concatenate([members, rel.nodes[rel.starts[lo] : rel.starts[hi]]])
        # The fields of the paragraphs (named tuples) taken apart by zip, in C: a loop over
        # them for each field took 35 ms at 28,000 members, this 23 ms.
        fields = zip(*map(paras.__getitem__, nodes.tolist()), strict=True)
        doc_ids, sources, indexes, texts, outlets = fields if len(nodes) else ((),) * 5
        doc_id, doc_id_at = _column(doc_ids)
        source, source_at = _column(sources)
        outlet, outlet_at = _column(outlets)
        text, text_at = _column(texts)
        index = np.array(indexes, dtype=np.int64)
        return cls(doc_id, doc_id_at, source, source_at, outlet, outlet_at, text, text_at, index)

    def packed(self) -> PackedColumns:
        """The columns as they travel to a worker: the strings packed (:func:`pack_texts`:
        as UTF-16, not pickled one by one as UTF-8), the offsets as they are."""
        strings = pack_texts([self.doc_id, self.source, self.outlet, self.text])
        return strings, (self.doc_id_at, self.source_at, self.outlet_at, self.text_at, self.index)

    @classmethod
    def unpacked(cls, packed: PackedColumns) -> MemberColumns:
        """The columns :meth:`packed` packed."""
        strings, (doc_id_at, source_at, outlet_at, text_at, index) = packed
        doc_id, source, outlet, text = unpack_texts(strings)
        return cls(doc_id, doc_id_at, source, source_at, outlet, outlet_at, text, text_at, index)


#: A range's columns as they travel: the strings packed, then the offset arrays.
PackedColumns = tuple[PackedTexts, tuple[np.ndarray, ...]]


def _column(values: Sequence[str]) -> tuple[str, np.ndarray]:
    """Strings laid end to end, and the offsets of each (one more: the end)."""
    at = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, values), np.int64, len(values)), out=at[1:])
    return "".join(values), at


def _scores(values: np.ndarray) -> list[str]:
    """Scores as ``Member.to_dict`` rounds them and JSON writes them."""
    if np.isfinite(values).all():
        return [repr(round(x, 4)) for x in values.tolist()]
    return [json.dumps(round(x, 4)) for x in values.tolist()]  # NaN, Infinity


def render(table: ClusterTable, cols: MemberColumns, lo: int, hi: int) -> str:
    """Clusters ``lo..hi-1`` of ``table`` as JSON lines (see the module's doc), from their
    columns (``MemberColumns.of(table, lo, hi)``)."""
    starts = table.starts[lo : hi + 1].tolist()
    first, last = starts[0], starts[-1]
    kept = (table.starts[lo:hi] + table.kept[lo:hi] - first).tolist()
    flag = ["false"] * (last - first)
    for k in kept:
        flag[k] = "true"
    scores = (table.similarity, table.jaccard, table.containment)
    members = _entries(cols, 0, last - first, [s[first:last] for s in scores], flag)
    rel = table.related
    assert rel is not None  # made with the table
    rel_starts = rel.starts[lo : hi + 1].tolist()
    r0, r1 = rel_starts[0], rel_starts[-1]
    base = last - first  # the related paragraphs' columns follow the members'
    rel_scores = [s[r0:r1] for s in (rel.similarity, rel.jaccard, rel.containment)]
    near = rel.near[r0:r1].tolist()
    related = _entries(cols, base, base + r1 - r0, rel_scores, ["true"] * (r1 - r0), near)
    lines = []
    for c, (a, b) in enumerate(zip(starts, starts[1:], strict=False), start=lo):
        ms = members[a - first : b - first]
        rs = related[rel_starts[c - lo] - r0 : rel_starts[c - lo + 1] - r0]
        lines.append(
            f'{{"cluster": {c}, "members": [{", ".join(ms)}], "related": [{", ".join(rs)}], '
            f'"representative": {ms[0]}, "size": {len(ms)}}}\n'
        )
    return escape_separators("".join(lines))


def _entries(
    cols: MemberColumns,
    first: int,
    last: int,
    scores: list[np.ndarray],
    kept: list[str],
    near: list[int] | None = None,
) -> list[str]:
    """The JSON objects of column entries ``first..last-1`` (members, or related paragraphs
    with the member they are near), keys sorted as ``json.dumps`` sorts them."""
    sim, jac, con = (_scores(s) for s in scores)
    doc = _pieces(cols.doc_id, cols.doc_id_at, first, last)
    source = _pieces(cols.source, cols.source_at, first, last)
    outlet = _pieces(cols.outlet, cols.outlet_at, first, last)
    text = _pieces(cols.text, cols.text_at, first, last)
    index = cols.index[first:last].tolist()
    rel = [f'"near": {r}, ' for r in near] if near is not None else [""] * len(index)
    return [
        f'{{"containment": {con[k]}, "doc_id": {doc[k]}, "from_index": false, '
        f'"index": {index[k]}, "jaccard": {jac[k]}, "kept": {kept[k]}, {rel[k]}'
        f'"outlet": {outlet[k]}, "similarity": {sim[k]}, "source": {source[k]}, '
        f'"text": {text[k]}}}'
        for k in range(last - first)
    ]


def _pieces(joined: str, at: np.ndarray, first: int, last: int) -> list[str]:
    """Members ``first..last-1``'s pieces of a column, JSON-encoded."""
    ends = at[first : last + 1].tolist()
    return [_string(joined[a:b]) for a, b in zip(ends, ends[1:], strict=False)]


def _spans(starts: np.ndarray, members: int) -> list[tuple[int, int]]:
    """Ranges of clusters of about ``members`` members each (whole clusters)."""
    cuts = np.searchsorted(starts, np.arange(members, int(starts[-1]), members), side="right") - 1
    bounds = sorted({0, len(starts) - 1, *cuts.tolist()})
    return list(zip(bounds, bounds[1:], strict=False))


def _object_lines(clusters: Sequence[Cluster]) -> str:
    """Clusters as JSON lines from their objects; each member is encoded once by one
    encoder, the representative's JSON reused (20% less time than each cluster whole)."""
    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
    lines = []
    for c in clusters:
        members = [encode(m.to_dict()) for m in c.members]
        related = [encode(r.to_dict()) for r in c.related]
        lines.append(
            f'{{"cluster": {c.id}, "members": [{", ".join(members)}], '
            f'"related": [{", ".join(related)}], '
            f'"representative": {members[0]}, "size": {len(members)}}}\n'
        )
    return escape_separators("".join(lines))


#: A range of clusters to render on the pool: its bounds, its columns, its outbox (if any).
RenderTask = tuple[int, int, PackedColumns, Outbox | None]


def _render_task(tasks: list[RenderTask]) -> list[int | bytes]:
    """Ranges of clusters rendered, each put in its outbox (its size sent back), or sent
    back where there is none."""
    table = stage_inputs()["table"]
    out: list[int | bytes] = []
    for lo, hi, cols, box in tasks:
        data = render(table, MemberColumns.unpacked(cols), lo, hi).encode("utf-8")
        out.append(data if box is None else box.put(data))
    return out


def _text_chunks(result: DedupeResult) -> Iterator[str]:
    clusters = result.clusters
    if isinstance(clusters, ClusterTable):
        for lo, hi in _spans(clusters.starts, MEMBERS_PER_CHUNK):
            yield render(clusters, MemberColumns.of(clusters, lo, hi), lo, hi)
        return
    step = 1000
    for lo in range(0, len(clusters), step):
        yield _object_lines(clusters[lo : lo + step])


def iter_jsonl(result: DedupeResult, workers: int = 1) -> Iterator[bytes]:
    """The clusters' JSON lines as UTF-8, a chunk at a time (on ``workers`` processes when
    the clusters are a table and a pool can fork)."""
    clusters = result.clusters
    if workers > 1 and isinstance(clusters, ClusterTable) and shares_memory(workers):
        members = int(clusters.starts[-1]) if len(clusters.starts) else 0
        size = chunk_size(members, workers, MEMBERS_PER_CHUNK, least=1000)
        spans = _spans(clusters.starts, size)
        if len(spans) > 1:
            boxes = [Outbox() if openable() else None for _ in spans]

            def tasks() -> Iterator[list[RenderTask]]:
                # Each range's columns made as its task goes: the workers start on the first
                # while this process makes the next.
                for (lo, hi), box in zip(spans, boxes, strict=True):
                    yield [(lo, hi, MemberColumns.of(clusters, lo, hi).packed(), box)]

            try:
                # Without its paragraphs, the table is arrays: the running workers are
                # handed them (no fork).
                with stage(table=replace(clusters, paragraphs=())):
                    done = ordered_map(_render_task, tasks(), workers, hand_over=True)
                    for box, (out,) in zip(boxes, done, strict=True):
                        if isinstance(out, bytes):
                            yield out
                        else:
                            assert box is not None  # only a task with an outbox sends a size
                            yield box.take(out)
            finally:
                for box in boxes:
                    if box is not None:
                        box.close()
            # The last stage of a run: its workers exit while the lines are written and
            # the file closed (waited for at the end of the run, 35 ms at 50k paragraphs).
            stop_kept_workers()
            return
    for chunk in _text_chunks(result):
        yield chunk.encode("utf-8")


def clusters_to_jsonl(result: DedupeResult) -> str:
    """Clusters as JSON lines, one per cluster, in a deterministic order (for goldens)."""
    return "".join(_text_chunks(result))
