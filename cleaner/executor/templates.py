"""The first pass of ``clean --templates``: count a batch's lines, on worker processes.

Each worker turns its inputs into hashed lines (:func:`cleaner.pipeline.templates.hashed_lines`
of :func:`cleaner.pipeline.run.template_keys`: decode, extract or segment, the template keys);
the main process counts them in a :class:`~cleaner.pipeline.templates.TemplateIndex` in input
order, so the index is the same for any number of workers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cleaner.document import Source
from cleaner.errors import InputError
from cleaner.executor.local import byte_batches
from cleaner.pipeline.run import template_keys
from cleaner.pipeline.templates import (
    CountStore,
    HashedLine,
    TemplateIndex,
    TemplatePolicy,
    hashed_lines,
)
from cleaner.pool import ordered_map

_STATE: dict[str, Any] = {}


def _init(policy: TemplatePolicy) -> None:
    _STATE["policy"] = policy


def _count_batch(batch: list[Source | None]) -> list[tuple[str, list[HashedLine]] | None]:
    """A worker's share: each input's source and hashed lines (None: unreadable or an error)."""
    out: list[tuple[str, list[HashedLine]] | None] = []
    for src in batch:
        if src is None:
            out.append(None)
            continue
        try:
            source, keys = template_keys(src, _STATE["policy"].short_chars)
        except InputError:
            out.append(None)
            continue
        out.append((source, hashed_lines(keys, _STATE["policy"])))
    return out


def count_templates(
    items: Iterable[Source | InputError],
    policy: TemplatePolicy | None = None,
    workers: int = 1,
    store: CountStore | None = None,
) -> TemplateIndex:
    """Count every input's lines (on ``workers`` processes) and convict the templates.

    Inputs that fail are skipped here (the clean pass reports them). With a ``store``, the
    batch's counts are added to it and the verdicts are over every batch it holds.
    """
    policy = policy or TemplatePolicy()
    index = TemplateIndex(policy, store)
    shipped = (
        [None if isinstance(x, InputError) else x for x in batch]
        for batch in byte_batches(items, 16, 4 << 20)
    )
    mapped = ordered_map(_count_batch, shipped, workers, initializer=_init, initargs=(policy,))
    for counted in mapped:
        for found in counted:
            if found is not None:
                index.add_hashed(*found)
    index.finish()
    return index
