"""Resumable batches: a journal of finished work in the output folder.

A run killed half way leaves two kinds of trace, and both are safe to build on:

* every output file is written atomically (complete under its name, or absent), and
* the journal ``DIR/.cleaner-journal.jsonl`` lists what was finished, one line per output,
  appended *after* the output was in place.

``--resume`` reads the journal, removes the temp files of writes a kill cut short, and
skips what the journal lists. Output written but not yet
journaled (a kill between the rename and the journal line) is simply written again, with
the same content, so nothing is lost and nothing is doubled.

Two layouts:

* one file per input (``-o DIR``): the journal lists finished document ids; a resumed run
  skips those inputs. Failed inputs are not journaled and are tried again.
* parts (``-o DIR --part-size N``): inputs go, in order, into ``part-00000.jsonl`` (or
  ``.txt``), ``part-00001``... of N inputs each, a part written atomically when full. The
  journal lists finished parts and how many inputs each consumed; a resumed run skips that
  many inputs and goes on with the next part number. A kill loses at most the part in
  progress, which is redone.

The journal's first line holds a fingerprint of the options that shape the output; resuming
with other options is refused rather than mixing two kinds of output in one folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cleaner.document import Source
from cleaner.errors import InputError, OptionsMismatch
from cleaner.io.output import write_atomic

JOURNAL_NAME = ".cleaner-journal.jsonl"
JOURNAL_VERSION = 1


class ResumeRefused(OptionsMismatch):
    """``--resume`` asked for what the folder cannot give: other options, other inputs."""


def fingerprint(options: Mapping[str, Any]) -> str:
    """A short stable hash of the options that decide what the output looks like.

    >>> fingerprint({"format": "jsonl"}) == fingerprint({"format": "jsonl"})
    True
    >>> len(fingerprint({"format": "text"}))
    16
    """
    blob = json.dumps(options, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def part_name(number: int, suffix: str) -> str:
    """The file name of part ``number``.

    >>> part_name(3, ".jsonl")
    'part-00003.jsonl'
    """
    return f"part-{number:05d}{suffix}"


class Journal:
    """The record of finished outputs in an output folder.

    Args:
        out_dir: The output folder (created if missing).
        options: What shapes the output (format, part size, clean options...).
        resume: Continue the journal found there; otherwise start a new one (and remove
            the parts an earlier journal listed, so no stale part outlives it).

    Raises:
        ResumeRefused: ``resume`` and the journal was written with other options.
    """

    def __init__(self, out_dir: Path, options: Mapping[str, Any], resume: bool) -> None:
        self.path = Path(out_dir) / JOURNAL_NAME
        self.fingerprint = fingerprint(options)
        self.done_ids: set[str] = set()
        #: The ids the interrupted run finished, in the order it finished them.
        self.done_order: list[str] = []
        self.parts: list[dict[str, Any]] = []
        old = _read(self.path)
        if resume and old is not None:
            header, entries = old
            if header.get("fingerprint") != self.fingerprint:
                raise ResumeRefused(
                    f"{out_dir}: the interrupted run used other options (format, part size or"
                    " clean options); resume with the same options, or drop --resume to start over"
                )
            remove_temps(Path(out_dir))
            for entry in entries:
                if "id" in entry and str(entry["id"]) not in self.done_ids:
                    self.done_ids.add(str(entry["id"]))
                    self.done_order.append(str(entry["id"]))
                elif "part" in entry:
                    self.parts.append(entry)
        else:
            if old is not None:
                for entry in old[1]:
                    if "part" in entry:
                        with contextlib.suppress(OSError):
                            (self.path.parent / str(entry["part"])).unlink()
            header = {"journal": JOURNAL_VERSION, "fingerprint": self.fingerprint}
            write_atomic(self.path, json.dumps(header) + "\n")
        #: What the interrupted run finished: what --resume skips (never what this run adds,
        #: so a repeated id is not taken for work done before).
        self.done_before = frozenset(self.done_ids)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)

    @property
    def consumed(self) -> int:
        """Inputs consumed by the finished parts."""
        return sum(int(p["inputs"]) for p in self.parts)

    def _append(self, entry: Mapping[str, Any]) -> None:
        # One write per line on an O_APPEND descriptor: a kill leaves at worst a torn last
        # line, which _read ignores.
        os.write(self._fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))

    def record_doc(self, doc_id: str) -> None:
        """Note that the output of ``doc_id`` is in place."""
        self.done_ids.add(doc_id)
        self._append({"id": doc_id})

    def record_part(self, name: str, inputs: int, last_id: str) -> None:
        """Note that a part file is in place and how many inputs it consumed."""
        entry = {"part": name, "inputs": inputs, "last": last_id}
        self.parts.append(entry)
        self._append(entry)

    def close(self) -> None:
        """Close the journal file."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def remove_temps(out_dir: Path) -> int:
    """Remove the temp files a killed atomic write left (``.NAME.XXXXXXXX.tmp``); count them."""
    removed = 0
    for temp in out_dir.rglob(".*.tmp"):
        if temp.is_file() and temp.name.count(".") >= 3:
            with contextlib.suppress(OSError):
                temp.unlink()
                removed += 1
    return removed


def _read(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The header and entries of a journal, None when there is none (or it is unreadable)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line torn by a kill
    if not records or not isinstance(records[0], dict) or "journal" not in records[0]:
        return None
    return records[0], [r for r in records[1:] if isinstance(r, dict)]


def item_id(item: Source | InputError) -> str:
    """The id an input is journaled under (an error: its source)."""
    return item.id if isinstance(item, Source) else item.source


def skip_done(
    items: Iterable[Source | InputError], journal: Journal, skipped: list[int]
) -> Iterator[Source | InputError]:
    """Inputs whose output the interrupted run journaled (one-file-per-input layout).

    ``skipped[0]`` counts the inputs passed over, for the summary.
    """
    for item in items:
        if isinstance(item, Source) and item.id in journal.done_before:
            skipped[0] += 1
            continue
        yield item


def skip_consumed(
    items: Iterable[Source | InputError], journal: Journal, skipped: list[int]
) -> Iterator[Source | InputError]:
    """Inputs after those the finished parts consumed (parts layout).

    Raises:
        ResumeRefused: The input at the checkpoint is not the one journaled (the inputs
            changed since the interrupted run).
    """
    todo = journal.consumed
    last = str(journal.parts[-1]["last"]) if journal.parts else None
    it = iter(items)
    for n, item in enumerate(it, 1):
        if n < todo:
            continue
        if n == todo:
            if item_id(item) != last:
                raise ResumeRefused(
                    f"input {n} is {item_id(item)!r}, the interrupted run ended its last part at"
                    f" {last!r}: the inputs changed; drop --resume to start over"
                )
            skipped[0] = todo
            break
        yield item  # only reached when nothing was consumed
    else:
        if todo:
            raise ResumeRefused(
                f"the interrupted run consumed {todo} inputs, there are fewer now: the inputs"
                " changed; drop --resume to start over"
            )
    yield from it


class PartWriter:
    """Collects rendered outputs into parts of ``size`` inputs, each written atomically."""

    def __init__(
        self, out_dir: Path, suffix: str, size: int, journal: Journal, separator: str = ""
    ) -> None:
        if size < 1:
            raise ValueError("part size must be at least 1")
        self.out_dir = Path(out_dir)
        self.suffix = suffix
        self.size = size
        self.journal = journal
        self.separator = separator
        self.number = len(journal.parts)
        self._bodies: list[str] = []
        self._inputs = 0
        self._last = ""

    def add(self, item_id: str, body: str | None) -> None:
        """Add one input's output (None for a failed input: consumed, nothing written)."""
        self._inputs += 1
        self._last = item_id
        if body is not None:
            self._bodies.append(body)
        if self._inputs >= self.size:
            self.flush()

    def flush(self) -> None:
        """Write the part in progress (if any input went into it) and journal it."""
        if not self._inputs:
            return
        name = part_name(self.number, self.suffix)
        write_atomic(self.out_dir / name, self.separator.join(self._bodies))
        self.journal.record_part(name, self._inputs, self._last)
        self.number += 1
        self._bodies, self._inputs = [], 0
