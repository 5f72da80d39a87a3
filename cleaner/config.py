"""The options of a clean run, in one frozen object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Where a run's heavy work may happen (``--engine``): this machine's process pool, or a Dask
#: cluster. Named here, at the bottom, so the CLI offers them without loading the engines.
ENGINES = ("local", "dask")


@dataclass(frozen=True)
class CleanConfig:
    """Every option of ``clean``; the CLI builds one of these and nothing else.

    Attributes:
        rules_dirs: User rule folders loaded after the built-in rules.
        builtin_rules: Load the rules shipped with the package.
        fold_persian: In Persian documents, write Arabic yeh/kaf as Persian ی/ک in the
            output. Never applied to other languages.
        detect_title: Take the first kept line as the title when it reads as a heading.
        dedupe: Near-duplicate paragraphs inside one document: ``None`` (off), ``"mark"``
            (listed in the JSON output, kept in the text) or ``"drop"``.
        dedupe_threshold: Similarity (Jaccard or containment) at which two paragraphs of one
            document count as near duplicates.
    """

    rules_dirs: tuple[Path, ...] = ()
    builtin_rules: bool = True
    fold_persian: bool = True
    detect_title: bool = True
    dedupe: str | None = None
    dedupe_threshold: float = 0.8

    def __post_init__(self) -> None:
        if self.dedupe not in (None, "mark", "drop"):
            raise ValueError("dedupe must be None, 'mark' or 'drop'")
        if not 0 < self.dedupe_threshold <= 1:
            raise ValueError("dedupe_threshold must be in (0, 1]")
