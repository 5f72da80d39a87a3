"""Containment candidates from anchors, in bounded pieces, on a pool or in this process.

The rule (see :func:`cleaner.dedupe.prepare.anchor_pairs`): a paragraph ``x`` looks up its
``per_paragraph`` rarest anchor keys (by holder count, then by key), keeps those held by 2
to ``max_postings`` paragraphs (and within ``budget`` holders after its rarest), and pairs
with every holder; pairs sharing ``min_shared`` such lookups are candidates.

It runs in three stages, each a set of independent tasks, so it runs on a worker pool and,
with one worker, one task after the other with the temporaries of one task at a time:

1. **Holder counts, by key partition.** Anchor keys are hashes, so ``key % parts`` sends
   every row of a key to one partition; a partition counts its keys' holders alone.
2. **Rarest keys, by paragraph chunk.** A paragraph's rows are consecutive; a chunk of
   paragraphs orders its rows by (holder count, key) and picks each paragraph's keys.
3. **Pairs, by key partition.** Each picked ``(x, key)`` goes to its key's partition, which
   finds the key's holders and emits ``(x, holder)`` pairs a slice at a time, each slice
   reduced at once to distinct pairs (with counts when ``min_shared`` > 1).

The union of the partitions' pairs, counts summed, is the one-process result exactly (the
tests compare it with a plain paragraph-by-paragraph version of the rule).

Near mode hands the stage verification's first test (:class:`cleaner.dedupe.verify.BoundTest`):
stage 3 meets each pair with it as the pair is made and keeps those that pass, the only ones
verification could accept (at 1M paragraphs 1.9 of 312 million), so the rest are never sorted,
merged or handed on.

Memory: the main process holds, per anchor row, its key (8 bytes), its place in the key
partitions (4) and its holder count (2, or 4 past 65,535): 14 bytes, about 1.3 KB a
paragraph of 240 characters (~96 anchors); every other array is one task's (``PART_ROWS``
rows, ``EMIT_ROWS`` pairs): a pass over the whole batch at once would hold about 650
(paragraph, holder) rows a paragraph at 200,000 paragraphs, 10 KB a paragraph.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from cleaner.dedupe.pairs import sorted_unique, unpack_pairs
from cleaner.dedupe.partition import partition_rows
from cleaner.dedupe.prepare import anchor_keys, anchor_mask
from cleaner.dedupe.verify import BoundTest, taken
from cleaner.pool import (
    Reserved,
    chunk_size,
    ordered_map,
    shared_empty,
    shares_memory,
    stage,
    stage_inputs,
)

#: Anchor rows per key partition (and per paragraph chunk): bounds one task's temporaries.
PART_ROWS = 1_000_000

#: Pairs emitted at once by a partition before they are reduced to distinct pairs.
EMIT_ROWS = 4_000_000

#: Paragraphs whose anchors are sampled at once (bounds the sampling temporaries).
SAMPLE_ROWS = 50_000

#: Pairs a partition meets its ``test`` with at once: the sketch rows of that many pairs
#: stay in the processor's cache (4 MB); 4M pairs at once took twice as long.
TEST_ROWS = 1 << 16


def anchor_rows(
    set_hashes: np.ndarray, set_offsets: np.ndarray, rate: int, workers: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Anchor keys of every paragraph, and where each paragraph's start (``offsets``).

    The same rows as :func:`cleaner.dedupe.prepare.anchors`, sampled ``SAMPLE_ROWS``
    paragraphs at a time (on ``workers`` processes): first how many each paragraph has,
    then the keys, written in place.

    >>> hashes = np.arange(8, dtype=np.uint64) << np.uint64(40)
    >>> key, off = anchor_rows(hashes, np.array([0, 4, 8]), 2)
    >>> off.tolist()
    [0, 2, 4]
    """
    n = len(set_offsets) - 1
    # Four spans a worker at least (a batch under SAMPLE_ROWS would be one task, one worker).
    size = chunk_size(n, workers, SAMPLE_ROWS, least=1000)
    spans = [(lo, min(n, lo + size)) for lo in range(0, n, size)]
    with stage(set_hashes=set_hashes, set_offsets=set_offsets, rate=rate) as state:
        tasks = [[span] for span in spans]
        counts = [
            c for out in ordered_map(_count_task, tasks, workers, hand_over=True) for c in out
        ]
        offsets = np.zeros(n + 1, dtype=np.int64)
        if n:
            np.cumsum(np.concatenate(counts), out=offsets[1:])
        key = shared_empty(int(offsets[-1]), np.uint64, workers)
        state.update(key=key, offsets=offsets, in_place=shares_memory(workers))
        done = ordered_map(_sample_task, tasks, workers, hand_over=True)
        for (lo, hi), out in zip(spans, done, strict=True):
            if out[0] is not None:
                key[offsets[lo] : offsets[hi]] = out[0]
    return key, offsets


def _count_task(tasks: list[tuple[int, int]]) -> list[np.ndarray]:
    s = stage_inputs()
    off = s["set_offsets"]
    out = []
    for lo, hi in tasks:
        pick = anchor_mask(s["set_hashes"][off[lo] : off[hi]], s["rate"])
        seen = np.concatenate(([0], np.cumsum(pick)))
        out.append(np.diff(seen[off[lo : hi + 1] - off[lo]]))
    return out


def _sample_task(tasks: list[tuple[int, int]]) -> list[np.ndarray | None]:
    s = stage_inputs()
    off = s["set_offsets"]
    out: list[np.ndarray | None] = []
    for lo, hi in tasks:
        hashes = s["set_hashes"][off[lo] : off[hi]]
        key = anchor_keys(hashes[anchor_mask(hashes, s["rate"])])
        if s["in_place"]:
            s["key"][s["offsets"][lo] : s["offsets"][hi]] = key
            out.append(None)
        else:
            out.append(key)
    return out


def containment_codes(
    set_hashes: np.ndarray,
    set_offsets: np.ndarray,
    rate: int,
    per_paragraph: int,
    max_postings: int,
    min_shared: int,
    budget: int | None = None,
    workers: int = 1,
    parts: int | None = None,
    test: BoundTest | None = None,
) -> np.ndarray:
    """Containment candidate pairs of a batch's shingle sets (see the module docstring),
    packed as :func:`cleaner.dedupe.pairs.pack_pairs` packs them, sorted.

    Args:
        set_hashes: Sorted unique shingle hashes of every paragraph, concatenated.
        set_offsets: Paragraph ``i``'s set is ``set_hashes[set_offsets[i]:set_offsets[i+1]]``.
        rate: One shingle in about this many is an anchor.
        per_paragraph: Rarest keys a paragraph looks its containers up by.
        max_postings: Largest number of holders a key may have to be used.
        min_shared: Of the looked-up keys, how many a container must hold.
        budget: Holders a paragraph may spend on keys after its rarest (None: no limit).
        workers: Processes to run the tasks on (1: this process, one task at a time).
        parts: Key partitions (default: enough for ``PART_ROWS`` rows each, and
            ``4 x workers`` at least); the result does not depend on it.
        test: Verification's first test (its sketch bound), of the same sets: the pairs
            failing it are left out as they are made (they are not near duplicates).
    """
    key, offsets = anchor_rows(set_hashes, set_offsets, rate, workers)
    args = (per_paragraph, max_postings, min_shared, budget, workers, parts, test)
    return _candidate_codes(key, offsets, *args)


def candidates_of_rows(*args: Any, **kwargs: Any) -> np.ndarray:
    """:func:`containment_codes`, unpacked, of anchor rows (paragraph ``i``:
    ``key[offsets[i]:offsets[i+1]]``); the arguments of :func:`_candidate_codes`.

    >>> key = np.array([7, 8, 7, 9, 8], dtype=np.uint64)
    >>> candidates_of_rows(key, np.array([0, 2, 4, 5]), 1, 5, 1, parts=2).tolist()
    [[0, 1], [0, 2]]
    """
    return unpack_pairs(_candidate_codes(*args, **kwargs))


def _candidate_codes(
    key: np.ndarray,
    offsets: np.ndarray,
    per_paragraph: int,
    max_postings: int,
    min_shared: int,
    budget: int | None = None,
    workers: int = 1,
    parts: int | None = None,
    test: BoundTest | None = None,
) -> np.ndarray:
    """Containment candidates of anchor rows as sorted packed pairs (see
    :mod:`cleaner.dedupe.pairs`); the arguments after ``key`` and ``offsets`` are those of
    :func:`containment_codes`."""
    if not len(key):
        return np.zeros(0, dtype=np.int64)
    if parts is None:
        parts = max(4 * workers if workers > 1 else 1, -(-len(key) // PART_ROWS))
    order, bounds = partition_rows(key, parts, workers, PART_ROWS)
    in_place = shares_memory(workers)
    with stage(key=key, offsets=offsets, order=order, in_place=in_place, test=test) as state:
        spans = list(zip(bounds[:-1], bounds[1:], strict=True))
        freq = _holder_counts(spans, max_postings, workers)
        picked = _rarest(offsets, per_paragraph, max_postings, budget, workers)
        del freq
        state.pop("freq")
        if test is None and workers > 1 and min_shared == 1 and in_place:
            # (With a test the partitions' pairs are few: they come back through the pool.)
            code, count = _pairs_merged_on_pool(picked, spans, parts, len(offsets) - 1, workers)
        else:
            tasks = _pair_tasks(picked, spans, parts, min_shared)
            found = [r for o in ordered_map(_pairs_task, tasks, workers, hand_over=True) for r in o]
            code, count = _merge(found, min_shared > 1)
    if count is not None:
        code = code[count >= min_shared]
    return code


def anchor_pairs(
    owner: np.ndarray,
    key: np.ndarray,
    per_paragraph: int,
    max_postings: int,
    min_shared: int,
    budget: int | None = None,
    workers: int = 1,
) -> np.ndarray:
    """Containment candidates: ``x`` pairs with ``y`` holding ``min_shared`` of x's rarest keys.

    A short line quoted inside a longer paragraph has all its shingles there, its rarest
    ones included, while two unrelated paragraphs of one story rarely share a paragraph's
    rarest ones (``min_shared`` > 1 asks for more, trading recall for fewer candidates).
    A paragraph's ``per_paragraph`` rarest keys (by holders, then by key) are its
    candidates' keys, of which those held once are of no use. Keys held by more than
    ``max_postings`` paragraphs are boilerplate and skipped. With a ``budget``, a
    paragraph's rarest key is used up to ``max_postings`` holders, and its further keys
    only while the holders of the keys before them stay under ``budget``: a large corpus
    needs a higher cap to keep its quoted lines, not three times as many pairs. LSH cannot
    propose these pairs: their Jaccard similarity is low.

    Args:
        owner: Paragraph of each row, sorted; rows are unique ``(owner, key)``.
        key: Anchor key of each row.
        per_paragraph: Rarest keys a paragraph looks its containers up by.
        max_postings: Largest number of holders a key may have to be used.
        min_shared: Of the looked-up keys, how many a container must hold.
        budget: Holders a paragraph may spend on keys after its rarest (None: no limit).
        workers: Processes (see :func:`candidates_of_rows`, which this calls).

    Returns:
        ``(m, 2)`` sorted unique pairs ``(i, j)``, ``i < j``.

    >>> owner = np.array([0, 0, 1, 1, 2])
    >>> anchor_pairs(owner, np.array([7, 8, 7, 9, 8], dtype=np.uint64), 1, 5, 1).tolist()
    [[0, 1], [0, 2]]
    """
    n = int(owner[-1]) + 1 if len(owner) else 0
    offsets = np.searchsorted(owner, np.arange(n + 1)).astype(np.int64)
    args = (per_paragraph, max_postings, min_shared, budget, workers)
    return candidates_of_rows(key, offsets, *args)


def _holder_counts(spans: list[tuple[int, int]], cap: int, workers: int) -> np.ndarray:
    """Stage 1: holders of each row's key (above ``cap``: ``cap + 1``).

    Each partition's rows are also put in key order in ``order`` (stage 3 finds a key's
    holders there by binary search).
    """
    s = stage_inputs()
    order = s["order"]
    freq = shared_empty(len(order), np.uint16 if cap + 1 < 2**16 else np.int32, workers)
    s["freq"] = freq
    tasks = [[(lo, hi, cap)] for lo, hi in spans]
    done = ordered_map(_counts_task, tasks, workers, hand_over=True)
    for (lo, hi), (rows, counts) in zip(spans, (r for out in done for r in out), strict=True):
        if rows is not None:
            order[lo:hi] = rows
            freq[rows] = counts
    return freq


def _counts_task(
    tasks: list[tuple[int, int, int]],
) -> list[tuple[np.ndarray | None, np.ndarray | None]]:
    s = stage_inputs()
    out: list[tuple[np.ndarray | None, np.ndarray | None]] = []
    for lo, hi, cap in tasks:
        rows = s["order"][lo:hi]
        perm, keys = sort_keys(s["key"][rows])
        head = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        del keys
        counts = np.diff(np.append(head, len(perm)))
        rows = rows[perm]
        freq = np.repeat(np.minimum(counts, cap + 1), counts)
        if s["in_place"]:
            s["order"][lo:hi] = rows
            s["freq"][rows] = freq
            out.append((None, None))
        else:
            out.append((rows, freq))
    return out


def sort_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The permutation that sorts uint64 ``keys`` (stable), and the sorted keys.

    The row number is packed under the key's top bits and the values sorted (numpy's plain
    sort is several times faster than its argsort); when two keys agreeing on those bits
    come out of order, a plain argsort decides.

    >>> [a.tolist() for a in sort_keys(np.array([9, 2, 9, 1], dtype=np.uint64))]
    [[3, 1, 0, 2], [1, 2, 9, 9]]
    """
    n = len(keys)
    bits = np.uint64(max(1, (n - 1).bit_length()))
    packed = ((keys >> bits) << bits) | np.arange(n, dtype=np.uint64)
    packed.sort()
    perm = (packed & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.int64)
    del packed
    ordered = keys[perm]
    if n > 1 and bool((ordered[1:] < ordered[:-1]).any()):
        perm = np.argsort(keys, kind="stable")
        ordered = keys[perm]
    return perm, ordered


def _rarest(
    offsets: np.ndarray, per: int, cap: int, budget: int | None, workers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stage 2: the keys each paragraph looks up, as ``(paragraph, key, holders)`` rows."""
    n = len(offsets) - 1
    rows = int(offsets[-1])
    # At 50k paragraphs, chunks of PART_ROWS were six: the last, smaller one left a worker idle.
    step = chunk_size(rows, workers, PART_ROWS)
    cuts = np.searchsorted(offsets, np.arange(0, rows, max(1, step)), "right") - 1
    edges = sorted_unique(np.concatenate(([0], cuts, [n]))).tolist()
    tasks = [[(lo, hi, per, cap, budget)] for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    done = [r for out in ordered_map(_rarest_task, tasks, workers, hand_over=True) for r in out]
    x, k, f = (np.concatenate([d[i] for d in done]) for i in range(3))
    return x, k, f


def _rarest_task(
    tasks: list[tuple[int, int, int, int, int | None]],
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    return [_rarest_of_chunk(*t) for t in tasks]


def _rarest_of_chunk(
    lo: int, hi: int, per: int, cap: int, budget: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Picked ``(paragraph, key, holders)`` rows of paragraphs ``lo..hi-1``."""
    s = stage_inputs()
    offsets = s["offsets"]
    a, b = int(offsets[lo]), int(offsets[hi])
    if a == b:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64), np.zeros(0, np.int64)
    keys = s["key"][a:b]
    freq = s["freq"][a:b].astype(np.int64)
    owner = np.repeat(np.arange(hi - lo, dtype=np.int64), np.diff(offsets[lo : hi + 1]))
    # A dense rank of the keys inside the chunk orders them as the keys do.
    perm, ordered = sort_keys(keys)
    head = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    uniq = ordered[head]
    rank = np.empty(len(keys), dtype=np.int64)
    rank[perm] = np.cumsum(head) - 1
    del perm, ordered, head
    o, f, r = pick_rarest(owner, freq, rank, per, cap, budget)
    return o + lo, uniq[r], f


def pick_rarest(
    owner: np.ndarray, freq: np.ndarray, rank: np.ndarray, per: int, cap: int, budget: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The keys each owner looks up: of its ``per`` rarest rows (by holders, then key
    rank), those held by 2 to ``cap`` paragraphs and within ``budget`` (see
    :func:`anchor_pairs`), as ``(owner, holders, key rank)`` rows sorted by owner.

    >>> o, f, r = pick_rarest(np.array([0, 0, 0, 1]), np.array([9, 1, 3, 2]),
    ...                       np.array([0, 1, 2, 0]), 2, 5, None)
    >>> o.tolist(), f.tolist(), r.tolist()
    ([0, 1], [3, 2], [2, 0])
    """
    o, f, r = by_rarity(owner, freq, rank)
    # Each owner's first ``per`` rows (by rarity) are its candidates' keys.
    heads = np.flatnonzero(np.concatenate(([True], o[1:] != o[:-1])))
    rows = (heads[:, None] + np.arange(per)).ravel()
    rows = rows[rows < np.repeat(np.append(heads[1:], len(o)), per)]
    o, f, r = o[rows], f[rows], r[rows]
    chosen = (f > 1) & (f <= cap)
    if budget is not None:
        idx = np.flatnonzero(chosen)
        chosen[idx[~within_budget(o[idx], f[idx], budget)]] = False
    return o[chosen], f[chosen], r[chosen]


def by_rarity(
    owner: np.ndarray, freq: np.ndarray, rank: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows as ``(owner, holders, key rank)``, sorted by owner, then holders, then key rank.

    The three fields are packed into one int64 when they fit, so one plain sort replaces a
    three-key lexsort.

    >>> o, f, r = by_rarity(np.array([0, 0, 1]), np.array([2, 1, 2]), np.array([0, 1, 0]))
    >>> o.tolist(), f.tolist(), r.tolist()
    ([0, 0, 1], [1, 2, 2], [1, 0, 0])
    """
    if not len(owner):
        return owner, freq, rank
    bits_r = max(1, int(rank.max()).bit_length())
    bits_f = max(1, int(freq.max()).bit_length())
    if int(owner.max()).bit_length() + bits_f + bits_r > 62:
        order = np.lexsort((rank, freq, owner))
        return owner[order], freq[order], rank[order]
    code = np.sort((owner << (bits_f + bits_r)) | (freq << bits_r) | rank)
    low = (1 << bits_r) - 1
    return code >> (bits_f + bits_r), (code >> bits_r) & ((1 << bits_f) - 1), code & low


def within_budget(owner: np.ndarray, freq: np.ndarray, budget: int) -> np.ndarray:
    """Mask of keys (rows sorted by owner, then rarity) whose owner spent under ``budget``
    holders on the keys before them.

    >>> within_budget(np.array([0, 0, 0, 1]), np.array([60, 100, 400, 80]), 150).tolist()
    [True, True, False, True]
    """
    spent = np.cumsum(freq)
    start = np.searchsorted(owner, owner)  # first row of each owner
    before = spent - freq - np.where(start > 0, spent[start - 1], 0)
    return before < budget


def _pair_tasks(
    picked: tuple[np.ndarray, np.ndarray, np.ndarray],
    spans: list[tuple[int, int]],
    parts: int,
    min_shared: int,
) -> Iterator[list[tuple[Any, ...]]]:
    """Stage 3's tasks: each key partition with the picked rows of its keys."""
    x, k, f = picked
    part = (k % np.uint64(parts)).astype(np.int64)
    by_part = np.argsort(part, kind="stable")
    cut = np.searchsorted(part[by_part], np.arange(parts + 1))
    for p, (lo, hi) in enumerate(spans):
        rows = by_part[cut[p] : cut[p + 1]]
        if len(rows):
            yield [(lo, hi, x[rows], k[rows], f[rows], min_shared > 1)]


def _pairs_task(tasks: list[tuple[Any, ...]]) -> list[tuple[np.ndarray, np.ndarray | None]]:
    return [_pairs_of_part(*t) for t in tasks]


def _pairs_of_part(
    lo: int, hi: int, x: np.ndarray, k: np.ndarray, f: np.ndarray, counted: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Distinct pairs (packed ``i << 32 | j``) of the picked rows ``(x, k, f)`` of a
    partition, but those failing the stage's ``test`` (when it has one)."""
    s = stage_inputs()
    test: BoundTest | None = s.get("test")
    rows = s["order"][lo:hi]  # this partition's rows, in key order (stage 1)
    keys = s["key"][rows]
    # Only the holders of picked keys are needed: their runs of ``rows``, end to end.
    uniq, which = np.unique(k, return_inverse=True)
    first = np.searchsorted(keys, uniq)
    count = np.searchsorted(keys, uniq, "right") - first
    del keys
    base = np.cumsum(count) - count
    held = np.repeat(first - base, count) + np.arange(int(count.sum()))
    hold_owner = np.searchsorted(s["offsets"], rows[held], "right") - 1
    del held
    # The picked rows of a key one after the other: the test reads its holders' material
    # from a few cached rows, not from paragraphs all over memory (at 1M paragraphs, 2M
    # picked rows of 60,000 keys make 310M pairs).
    by_key = np.argsort(which, kind="stable")
    x, f, start = x[by_key], f[by_key], base[which[by_key]]
    step = EMIT_ROWS
    if test is not None:
        step = TEST_ROWS
        picked_rows, holder_rows = test.rows(x), test.rows(hold_owner)
    ends = np.cumsum(f)
    found: list[tuple[np.ndarray, np.ndarray | None]] = []
    pending: list[np.ndarray] = []
    kept = 0
    i = 0
    while i < len(x):
        # Picked rows whose holders, together, stay within ``step`` (one row at least).
        stop = max(i + 1, int(np.searchsorted(ends, ends[i] - f[i] + step, "right")))
        length = f[i:stop]
        at = np.repeat(start[i:stop] - (np.cumsum(length) - length), length)
        at += np.arange(len(at))
        pick = np.repeat(np.arange(i, stop), length)
        if test is not None:
            kept_at = np.flatnonzero(test.passes(taken(picked_rows, pick), taken(holder_rows, at)))
            pick, at = pick[kept_at], at[kept_at]
        xs, y = x[pick], hold_owner[at]
        keep = xs != y
        xs, y = xs[keep], y[keep]
        pending.append((np.minimum(xs, y) << 32) | np.maximum(xs, y))
        kept += len(pending[-1])
        i = stop
        if test is None or kept >= EMIT_ROWS or i == len(x):
            # Few pairs pass a test: its survivors are gathered before they are sorted.
            code = pending[0] if len(pending) == 1 else np.concatenate(pending)
            pending, kept = [], 0
            found.append(_distinct(code, None, counted))
    return _merge(found, counted)


def _pairs_merged_on_pool(
    picked: tuple[np.ndarray, np.ndarray, np.ndarray],
    spans: list[tuple[int, int]],
    parts: int,
    n: int,
    workers: int,
) -> tuple[np.ndarray, None]:
    """Stage 3 and the merge of its pairs on a forked pool: the sorted distinct codes.

    Each key partition writes its distinct pairs into a slot of shared memory (room for
    every pair its picked keys can emit: their holders) and says where each range of
    first paragraphs starts in them; then each range of first paragraphs merges its pieces
    of every partition. The ranges laid end to end, in order, are the sorted distinct pairs
    the one-process merge gives; nothing but counts travels through the pool.
    """
    s = stage_inputs()
    tasks = [t[0] for t in _pair_tasks(picked, spans, parts, 1)]
    if not tasks:
        return np.zeros(0, dtype=np.int64), None
    room = np.cumsum([0] + [int(t[4].sum()) for t in tasks])
    found = Reserved(int(room[-1]), np.int64)
    step = -(-n // len(tasks))  # first paragraphs per range
    edges = np.arange(len(tasks) + 1, dtype=np.int64) * step << 32
    s.update(found=found.array, room=room, edges=edges)
    slot_tasks = [[(t, *task[:5])] for t, task in enumerate(tasks)]
    done = [r for o in ordered_map(_slot_task, slot_tasks, workers, hand_over=True) for r in o]
    cuts = np.array(done, dtype=np.int64).reshape(len(tasks), -1)  # (task, edge)
    sizes = (cuts[:, 1:] - cuts[:, :-1]).sum(axis=0)  # pairs of each range, before merging
    merged = Reserved(int(sizes.sum()), np.int64)
    s.update(cuts=cuts, merged=merged.array, at=np.concatenate(([0], np.cumsum(sizes))))
    ranges = [[r] for r in range(len(tasks)) if sizes[r]]
    at = 0
    for r, count in zip(
        (r[0] for r in ranges),
        ordered_map(_range_task, ranges, workers, hand_over=True),
        strict=True,
    ):
        start = int(s["at"][r])
        merged.place(at, merged.array[start : start + count[0]], int(s["at"][r + 1]))
        at += count[0]
    del found
    return merged.done(at), None


def _slot_task(tasks: list[tuple[Any, ...]]) -> list[np.ndarray]:
    """A key partition's distinct pairs, written in its slot; where each range starts."""
    s = stage_inputs()
    out = []
    for t, lo, hi, x, k, f in tasks:
        code, _ = _pairs_of_part(lo, hi, x, k, f, False)
        start = int(s["room"][t])
        s["found"][start : start + len(code)] = code
        out.append(np.searchsorted(code, s["edges"]))
    return out


def _range_task(ranges: list[int]) -> list[int]:
    """The distinct pairs of a range of first paragraphs, from every partition's piece."""
    s = stage_inputs()
    out = []
    cuts, room, found = s["cuts"], s["room"], s["found"]
    for r in ranges:
        pieces = [
            found[room[t] + cuts[t, r] : room[t] + cuts[t, r + 1]]
            for t in range(len(cuts))
            if cuts[t, r + 1] > cuts[t, r]
        ]
        code, _ = _distinct(np.concatenate(pieces), None, False)
        start = int(s["at"][r])
        s["merged"][start : start + len(code)] = code
        out.append(len(code))
    return out


def _distinct(
    code: np.ndarray, count: np.ndarray | None, counted: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Sorted distinct codes, and with ``counted`` the sum of their counts (1 each if None).
    Without ``counted``, ``code`` (every caller's own temporary) is sorted in place.

    >>> [a.tolist() for a in _distinct(np.array([5, 3, 5]), None, True)]
    [[3, 5], [1, 2]]
    """
    order = np.argsort(code, kind="stable") if counted else None
    if order is not None:
        code = code[order]
    else:
        code.sort()  # in place: tens of millions of pairs at 200k paragraphs, no copy
    head = np.ones(len(code), dtype=bool)
    np.not_equal(code[1:], code[:-1], out=head[1:])
    if not counted:
        return code[head], None
    weights = np.ones(len(code), dtype=np.int64) if count is None else count[order]
    starts = np.flatnonzero(head)
    return code[starts], np.add.reduceat(weights, starts) if len(starts) else weights[:0]


def _merge(
    found: list[tuple[np.ndarray, np.ndarray | None]], counted: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """The distinct codes of several pieces, their counts summed. ``found`` is emptied.

    Without counts, the pieces are moved one at a time into one array, sorted and made
    distinct in place: at 1M paragraphs they hold some 2 GB of pairs, which the plain way
    (concatenate, then keep the heads) held three times over at its peak.
    """
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64) if counted else None
    if len(found) == 1:
        return found.pop()
    if counted:
        code = np.concatenate([c for c, _ in found])
        count = np.concatenate([n for _, n in found if n is not None])
        found.clear()
        return _distinct(code, count, True)
    code = np.empty(sum(len(c) for c, _ in found), dtype=np.int64)
    at = 0
    found.reverse()
    while found:
        piece, _ = found.pop()
        code[at : at + len(piece)] = piece
        at += len(piece)
        del piece
    code.sort()
    code.resize(distinct_in_place(code, COMPACT_ROWS), refcheck=False)
    return code, None


#: Values a pass of :func:`distinct_in_place` compares at once (bounds its temporaries).
COMPACT_ROWS = 1 << 22


def distinct_in_place(code: np.ndarray, chunk: int = COMPACT_ROWS) -> int:
    """Move the distinct values of sorted ``code`` to its front, in order; their number.

    >>> a = np.array([1, 1, 2, 3, 3, 3, 7], dtype=np.int64)
    >>> m = distinct_in_place(a, chunk=2)
    >>> a[:m].tolist()
    [1, 2, 3, 7]
    """
    kept = 0
    last: int | None = None
    for lo in range(0, len(code), chunk):
        part = code[lo : lo + chunk]
        head = np.ones(len(part), dtype=bool)
        np.not_equal(part[1:], part[:-1], out=head[1:])
        if last is not None:
            head[0] = part[0] != last
        last = int(part[-1])
        values = part[head]  # a copy: the writes below only reach places already read
        code[kept : kept + len(values)] = values
        kept += len(values)
    return kept
