"""Pool workers keep freed heap blocks for their next task (cleaner.pool.keep_freed_blocks).

Each case runs in a fresh process: the allocator's settings are the process's for its life.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from cleaner.pool import _mallopt

#: Blocks of 1 to 16 MB made and freed one after the other, as a stage's tasks make their
#: temporaries: prints the page faults they took.
GROWING_BLOCKS = """
import resource, sys
from cleaner.pool import keep_freed_blocks
if sys.argv[1] == "keep":
    keep_freed_blocks()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for mb in range(1, 17):
    block = bytearray(mb << 20)  # zero-filled: every page written
    del block
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def faults(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", GROWING_BLOCKS, mode], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.mark.skipif(_mallopt() is None, reason="the C library has no mallopt (not glibc)")
def test_kept_blocks_are_reused_rather_than_mapped_and_faulted_afresh():
    # Left to itself glibc maps each block larger than the last freed one on its own and
    # unmaps it when freed: 136 MB of fresh pages. Kept, the heap grows to the largest, 16 MB.
    fresh, kept = faults("default"), faults("keep")
    assert fresh > 20_000
    assert kept < fresh / 3
