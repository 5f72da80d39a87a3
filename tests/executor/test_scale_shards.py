"""Shards prepared on a forked pool write their material in place: the arrays of one prepare."""

from __future__ import annotations

import numpy as np

from cleaner.dedupe import DedupeOptions, paragraphs_of
from cleaner.dedupe.prepare import Paragraph, prepare
from cleaner.dedupe.shards import prepare_parallel, shard_slots
from cleaner.pool import Reserved

from .fresh_python import run_script
from .test_scale_dedupe import make_docs

#: Run in a fresh process, so that the pool forks (this one may have threads running) and
#: the workers write in place. ``small`` makes the slots too small for some shards: their
#: sets come back through the pool, and the ones after them are laid out as pieces.
SHARDS_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import cleaner.dedupe.shards as shards
from cleaner.dedupe import DedupeOptions, paragraphs_of
from cleaner.dedupe.prepare import prepare
from cleaner.pool import shares_memory
from executor.test_scale_dedupe import make_docs

assert shares_memory(2)
real = shards.shard_slots
def small(paragraphs, spans):
    slots = real(paragraphs, spans)
    slots[2:] -= 60_000  # shard 1 outgrows its slot and the next one: pieces
    return slots
paragraphs = paragraphs_of(make_docs(700))
opts = DedupeOptions()
whole = prepare(paragraphs, opts)
def check(got, *case):
    for name in ("digests", "set_hashes", "set_offsets", "signature", "bands", "sketch"):
        want = getattr(whole, name)
        assert getattr(got, name).dtype == want.dtype, name
        assert np.array_equal(getattr(got, name), want), (name, *case)
    assert got.paragraphs == paragraphs and got.anchor_rate == whole.anchor_rate
for workers, size, slots in ((2, 700, real), (2, 20_000, real), (2, 700, small), (1, 700, small)):
    shards.shard_slots = slots
    check(shards.prepare_parallel(paragraphs, opts, workers, size), workers, size)
shards.shard_slots = real
shards.POOL_SHARD_SIZE = 300  # the pool's own cap binds: many small shards, a short last one
check(shards.prepare_parallel(paragraphs, opts, 2), "pool shards")
print("same")
"""


def test_shards_written_in_place_on_a_forked_pool_equal_one_prepare():
    stdout = run_script(SHARDS_SCRIPT)
    assert stdout.strip() == "same"


def test_shards_on_a_pool_in_this_process_equal_one_prepare():
    paragraphs = paragraphs_of(make_docs(300))
    opts = DedupeOptions()
    whole = prepare(paragraphs, opts)
    for workers in (1, 2):  # 2: forked or not, whatever this test session allows
        got = prepare_parallel(paragraphs, opts, workers, size=400)
        assert np.array_equal(got.set_hashes, whole.set_hashes)
        assert np.array_equal(got.set_offsets, whole.set_offsets)
        assert np.array_equal(got.bands, whole.bands)


def test_empty_batch():
    got = prepare_parallel([], DedupeOptions(), workers=2)
    assert len(got) == 0 and len(got.set_hashes) == 0


def test_slots_leave_room_for_a_shingle_a_character():
    paras = [Paragraph("d", "", i, "x" * i) for i in range(5)]
    slots = shard_slots(paras, [(0, 3), (3, 5)])
    assert slots.tolist() == [0, 6, 15]


def test_reserved_pieces_past_the_limit_are_joined():
    r = Reserved(8, np.uint64)
    r.array[:3] = [1, 2, 3]
    r.place(0, r.array[:3], 4)
    r.place(3, np.arange(10, 13, dtype=np.uint64), 4)  # outgrew its slot
    r.array[6:8] = [7, 8]
    r.place(6, r.array[6:8], 8)
    assert r.done(8).tolist() == [1, 2, 3, 10, 11, 12, 7, 8]


#: Counts the kept pool's forks in a dedupe on two workers (a fresh process: see above).
FORKS_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import cleaner.pool as pool
from cleaner.executor import open_engine
from cleaner.executor.base import dedupe_on
from executor.test_scale_dedupe import make_docs

forks = []
start = pool._KeptPool._start
def counted(self, key):
    forks.append(key)
    return start(self, key)
pool._KeptPool._start = counted
with open_engine("local", workers=2) as engine:
    result = dedupe_on(engine, make_docs(700))  # 3,500 paragraphs: prepared in shards
print(len(forks), len(result.clusters))
"""


def test_the_pair_stages_run_on_the_workers_forked_to_prepare():
    """Preparing forks the pool (its workers inherit the paragraphs); the band shuffle,
    containment and verification are handed their arrays (the shingle sets with the sizes
    they cache) and run on the same workers: a second fork would leave both cores idle
    while the workers stop and start."""
    stdout = run_script(FORKS_SCRIPT)
    forks, clusters = map(int, stdout.split())
    assert clusters > 0
    assert forks == 1
