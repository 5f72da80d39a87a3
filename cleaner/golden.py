"""Golden files: lock down the output of a folder of inputs, show drift as a unified diff.

For every input ``<id>`` under the seeds folder the golden folder holds ``<id>.clean.txt`` (the
clean text) and ``<id>.json`` (the full record, removals and their rules included), or
``<id>.error.txt`` when the input is expected to fail. A seed without its golden files, and a
golden file without its seed, are reported too. Golden files are only written by
:func:`update`, which the CLI runs on an explicit ``cleaner golden update``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from cleaner.config import CleanConfig
from cleaner.document import CleanResult
from cleaner.errors import InputError
from cleaner.io.inputs import iter_sources
from cleaner.io.output import write_atomic
from cleaner.pipeline.explain import explain
from cleaner.pipeline.run import clean_sources
from cleaner.rules import Rulebook


def _clusters(mode: str) -> Callable[[list[CleanResult]], str]:
    """A producer of the dedupe clusters of the seeds, pretty-printed for readable diffs."""

    def produce(results: list[CleanResult]) -> str:
        from cleaner.dedupe import dedupe  # loaded only when goldens are produced

        # ids, not paths, as sources: the seeds folder's location must not show
        docs = [(r.id, r.id, r.paragraphs) for r in results]
        clusters = dedupe(docs, mode=mode).clusters
        return "".join(
            json.dumps(c.to_dict(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
            for c in clusters
        )

    return produce


#: Golden files computed over the whole seed folder (dedupe clusters), by name.
EXTRA_PRODUCERS: dict[str, Callable[[list[CleanResult]], str]] = {
    "clusters.near.json": _clusters("near"),
    "clusters.reuse.json": _clusters("reuse"),
}


@dataclass(frozen=True)
class Drift:
    """One golden file that does not match: ``changed``, ``missing`` or ``orphan``."""

    name: str
    status: str
    diff: str = ""

    def __str__(self) -> str:
        if self.status == "missing":
            return f"missing golden file {self.name} (run `cleaner golden update` and review)"
        if self.status == "orphan":
            return f"golden file {self.name} has no seed (delete it or restore the seed)"
        return self.diff


def render(result: CleanResult) -> dict[str, str]:
    """The golden files of one result: clean text and the JSON record with removals."""
    record = result.to_dict()
    record["source"] = result.id  # the seeds folder's location must not show in golden files
    return {
        f"{result.id}.clean.txt": result.text + "\n",
        f"{result.id}.json": json.dumps(record, ensure_ascii=False, indent=1) + "\n",
        f"{result.id}.explain.txt": explain(result) + "\n",
    }


def produce(seeds: Path, config: CleanConfig | None = None) -> dict[str, str]:
    """Every golden file's expected content for the inputs under ``seeds``."""
    config = config or CleanConfig()
    book = Rulebook.load(config.rules_dirs, config.builtin_rules)
    files: dict[str, str] = {}
    results: list[CleanResult] = []
    for res in clean_sources(iter_sources([str(seeds)]), config, book):
        if isinstance(res, InputError):
            name = Path(res.source).resolve().relative_to(seeds.resolve()).as_posix()
            files[f"{name}.error.txt"] = res.reason + "\n"
        else:
            files.update(render(res))
            results.append(res)
    for name, producer in EXTRA_PRODUCERS.items():
        files[name] = producer(results)
    return files


def _existing(golden: Path) -> dict[str, Path]:
    if not golden.is_dir():
        return {}
    return {
        p.relative_to(golden).as_posix(): p
        for p in sorted(golden.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def _diff(name: str, old: str, new: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"golden/{name}",
        tofile=f"actual/{name}",
    )
    return "".join(lines)


def check(seeds: Path, golden: Path, config: CleanConfig | None = None) -> list[Drift]:
    """Compare the output for ``seeds`` with ``golden``; return every difference."""
    expected = produce(seeds, config)
    existing = _existing(golden)
    drifts = []
    for name, content in sorted(expected.items()):
        path = existing.get(name)
        if path is None:
            drifts.append(Drift(name, "missing"))
            continue
        old = path.read_text(encoding="utf-8")
        if old != content:
            drifts.append(Drift(name, "changed", _diff(name, old, content)))
    drifts += [Drift(name, "orphan") for name in sorted(set(existing) - set(expected))]
    return drifts


def update(seeds: Path, golden: Path, config: CleanConfig | None = None) -> list[Drift]:
    """Rewrite ``golden`` from ``seeds`` (atomically, file by file); return what changed."""
    drifts = check(seeds, golden, config)
    expected = produce(seeds, config)
    for d in drifts:
        path = golden / d.name
        if d.status == "orphan":
            path.unlink()
        else:
            write_atomic(path, expected[d.name])
    return drifts


def summary(drifts: Iterable[Drift]) -> str:
    """Counts by status, e.g. ``2 changed, 1 missing``."""
    counts: dict[str, int] = {}
    for d in drifts:
        counts[d.status] = counts.get(d.status, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no drift"
