"""`cleaner dedupe` leaves its batch to the process's end, and holds one batch at most."""

from __future__ import annotations

import weakref

from cleaner.cli import dedupe as dedupe_cli


class _Batch:
    """Stands for a batch's objects: anything the command leaves to the process's end."""


def test_one_batch_at_most_is_held_for_the_process_end():
    first = _Batch()
    ref = weakref.ref(first)
    dedupe_cli._left_to_exit(first)
    del first
    assert ref() is not None  # held: freed by the process's end, not by the command
    dedupe_cli._left_to_exit(_Batch())
    assert ref() is None  # a second run frees the first batch
