"""One pool kept for the stages of a run: the same results as a pool per map, on the same
worker processes while each stage's inputs can be handed over (cleaner.pool.kept_pool,
cleaner.shared_memory).

The pool cases run in a fresh process: this one may have threads running (a Dask client, a
Redis fixture), and a process with threads starts its pools from a forkserver, not by a fork,
which is the kept pool's condition."""

from __future__ import annotations

import mmap
import multiprocessing
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pytest

from cleaner.pool import (
    kept_pool,
    ordered_map,
    shared_empty,
    shares_memory,
    stage,
    stage_inputs,
    stop_kept_workers,
)
from cleaner.shared_memory import INLINE_BYTES, Outbox, Unshareable, attach, describe


@dataclass(frozen=True)
class Pair:
    left: np.ndarray
    right: np.ndarray
    scale: int


@dataclass(frozen=True)
class Sized:
    offsets: np.ndarray

    @cached_property
    def sizes(self) -> np.ndarray:
        sizes = np.diff(self.offsets)
        sizes.setflags(write=False)
        return sizes

    @cached_property
    def total(self) -> list[int]:
        return [int(self.offsets[-1])] * (INLINE_BYTES + 1)  # too long to hand over


def _pid(batch: list[int]) -> list[int]:
    return [os.getpid() for _ in batch]


def _workers() -> set[int]:
    """The pool workers running now (after a map that started them)."""
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def _write_sums(spans: list[tuple[int, int]]) -> list[int]:
    """Row sums of a stage's matrix written in place into its ``out`` array; the pid."""
    s = stage_inputs()
    for lo, hi in spans:
        s["out"][lo:hi] = s["matrix"][lo:hi].sum(axis=1) * s["pair"].scale
    return [os.getpid()]


def _dot(spans: list[tuple[int, int]]) -> list[tuple[int, float]]:
    s = stage_inputs()
    pair = s["pair"]
    return [(os.getpid(), float(pair.left[lo:hi] @ pair.right[lo:hi])) for lo, hi in spans]


def _count(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    s = stage_inputs()
    return [(os.getpid(), sum(len(w) for w in s["words"][lo:hi])) for lo, hi in spans]


def _init(value: int) -> None:
    os.environ["KEPT_POOL_TEST"] = str(value)


def _env(batch: list[int]) -> list[str]:
    return [os.environ.get("KEPT_POOL_TEST", "") for _ in batch]


def _put(tasks: list[tuple[Outbox, int]]) -> list[tuple[int, int]]:
    """Each box given ``size`` bytes of a pattern; the pid and what ``put`` says."""
    return [(os.getpid(), box.put(bytes(range(256)) * (size // 256))) for box, size in tasks]


SPANS = [[(lo, lo + 250)] for lo in range(0, 2000, 250)]


def case_stages_run_on_the_same_workers_and_write_in_place() -> None:
    rng = np.random.default_rng(0)
    with kept_pool(2):
        assert {p for out in ordered_map(_pid, [[1]] * 8, 2) for p in out} <= _workers()
        first = _workers()
        # Made after the workers started: a private matrix (copied to be handed over), a
        # shared output array and a frozen dataclass of arrays.
        matrix = rng.integers(0, 100, (2000, 40))
        assert matrix.nbytes > INLINE_BYTES
        assert shares_memory(2)
        out = shared_empty(2000, np.int64, 2)
        left, right = rng.random(2000), rng.random(2000)
        with stage(matrix=matrix, out=out, pair=Pair(left, right, 3)):
            pids = {p for o in ordered_map(_write_sums, SPANS, 2, hand_over=True) for p in o}
        with stage(pair=Pair(left, right, 1)):
            dots = [r for o in ordered_map(_dot, SPANS, 2, hand_over=True) for r in o]
        stop_kept_workers()  # what they held is let go: the next map forks new workers
        assert not {p for out in ordered_map(_pid, [[1]] * 8, 2) for p in out} & first
        assert not _workers() & first  # the old ones were waited for before the fork
    assert out.tolist() == (matrix.sum(axis=1) * 3).tolist()
    assert [d for _, d in dots] == pytest.approx(
        [left[lo:hi] @ right[lo:hi] for ((lo, hi),) in SPANS]
    )
    assert pids <= first and {p for p, _ in dots} <= first  # no new fork


def case_a_stage_that_cannot_be_handed_over_is_forked_again() -> None:
    words = [["w"] * (k % 7) for k in range(2000)]  # a list: inherited by a fork, not handed
    with kept_pool(2):
        assert {p for out in ordered_map(_pid, [[1]] * 8, 2) for p in out} <= _workers()
        first = _workers()
        with stage(words=words):
            counts = [r for o in ordered_map(_count, SPANS, 2, hand_over=True) for r in o]
        # A map with an initializer gets a pool of its own; the block's maps go on after it.
        assert {
            e for o in ordered_map(_env, [[1]] * 4, 2, initializer=_init, initargs=(7,)) for e in o
        } == {"7"}
        after = {p for out in ordered_map(_pid, [[1]] * 8, 2) for p in out}
    assert [c for _, c in counts] == [sum(k % 7 for k in range(lo, hi)) for ((lo, hi),) in SPANS]
    assert not {p for p, _ in counts} & first
    assert not after & first


def case_running_workers_put_results_in_outboxes_made_after_them() -> None:
    sizes = [256 << 12, 0, 256, 256 << 14]  # megabytes: more than a pipe holds at once
    with kept_pool(2):
        assert {p for out in ordered_map(_pid, [[1]] * 8, 2) for p in out} <= _workers()
        first = _workers()
        boxes = [Outbox() for _ in sizes]
        done = [
            r
            for o in ordered_map(_put, [[t] for t in zip(boxes, sizes, strict=True)], 2)
            for r in o
        ]
    assert {p for p, _ in done} <= first  # no fork: the workers opened the boxes
    assert [n for _, n in done] == sizes
    for box, size in zip(boxes, sizes, strict=True):
        assert box.take(size) == bytes(range(256)) * (size // 256)
        box.close()  # closed already by take: nothing happens
    with pytest.raises(OSError):
        os.fstat(boxes[0].fd)  # let go (no file opened since to take its number)


def case_only_workers_that_inherited_a_stage_stop_when_told_so() -> None:
    words = [["w"] * (k % 7) for k in range(2000)]  # a list: inherited by a fork, not handed
    with kept_pool(2):
        assert {p for out in ordered_map(_pid, [[1]] * 8, 2) for p in out} <= _workers()
        first = _workers()
        stop_kept_workers(inheriting=True)  # forked for no stage: they stay
        assert {p for out in ordered_map(_pid, [[1]] * 8, 2) for p in out} <= first
        with stage(words=words):
            list(ordered_map(_count, SPANS, 2, hand_over=True))
        inheriting = _workers()
        assert not inheriting & first  # forked again to inherit the words
        stop_kept_workers(inheriting=True)  # they hold this process's memory of then: stop
        assert not {p for out in ordered_map(_pid, [[1]] * 8, 2) for p in out} & inheriting


def case_the_same_results_without_a_kept_pool() -> None:
    rng = np.random.default_rng(1)
    matrix = rng.integers(0, 100, (2000, 40))
    outs = []
    for kept in (True, False):
        out = shared_empty(2000, np.int64, 2)
        with kept_pool(2 if kept else 1), stage(matrix=matrix, out=out, pair=Pair(out, out, 2)):
            for _ in ordered_map(_write_sums, SPANS, 2, hand_over=True):
                pass
        outs.append(out.tolist())
    assert outs[0] == outs[1] == (matrix.sum(axis=1) * 2).tolist()


@pytest.mark.parametrize(
    "case",
    [
        "case_stages_run_on_the_same_workers_and_write_in_place",
        "case_a_stage_that_cannot_be_handed_over_is_forked_again",
        "case_running_workers_put_results_in_outboxes_made_after_them",
        "case_only_workers_that_inherited_a_stage_stop_when_told_so",
        "case_the_same_results_without_a_kept_pool",
    ],
)
def test_kept_pool_in_a_fresh_process(case: str) -> None:
    here = str(Path(__file__).resolve().parent)
    script = f"import sys; sys.path.insert(0, {here!r}); import test_kept_pool as t; t.{case}()"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_describe_refuses_what_running_workers_cannot_be_given():
    keep: list = []
    with pytest.raises(Unshareable):
        describe({"paragraphs": list(range(1000))}, keep)
    with pytest.raises(Unshareable):
        describe({"text": "x" * (INLINE_BYTES + 1)}, keep)
    with pytest.raises(Unshareable):
        describe(np.array([object()] * 3), keep)
    with pytest.raises(Unshareable):  # workers could write into it: a copy would hide that
        describe(np.frombuffer(mmap.mmap(-1, 80), np.int64), keep)
    small = np.arange(10)
    given = attach(describe({"a": small, "n": (1, "two", None)}, keep))
    assert given["a"].tolist() == small.tolist() and given["n"] == (1, "two", None)
    big = np.arange(INLINE_BYTES)  # int64: larger than sent along, copied once
    assert attach(describe(big[::3], keep)).tolist() == big[::3].tolist()
    assert len(keep) == 1


def test_describe_hands_over_the_values_a_dataclass_caches():
    keep: list = []
    sized = Sized(np.arange(0, 3 * INLINE_BYTES, 3))
    assert sized.sizes[0] == 3 and len(sized.total) > INLINE_BYTES  # both cached now
    given = attach(describe(sized, keep))
    # The cached sizes go along (read-only as they were); the list is left to be made again.
    assert "sizes" in given.__dict__ and not given.sizes.flags.writeable
    assert given.sizes.tolist() == sized.sizes.tolist()
    assert "total" not in given.__dict__ and given.total == sized.total
    with pytest.raises(Unshareable):  # an attribute that is not a cached property
        pair = Pair(np.arange(3), np.arange(3), 1)
        object.__setattr__(pair, "note", "set by hand")
        describe(pair, keep)
