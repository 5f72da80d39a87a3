"""cleaner: turn raw news scrapes into clean text and find repeated paragraphs.

The public API, importable from here::

    from cleaner import clean, CleanConfig
    result = clean(raw_bytes, url="https://www.isna.ir/news/1400101000001/")

The dedupe lives in its package, the same name as its function: ``from cleaner.dedupe import
dedupe``. Names are loaded on first use, so importing one layer (``cleaner.text``, ``cleaner.pool``)
does not load the clean pipeline or the MinHash stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "clean": "cleaner.pipeline.run",
    "clean_source": "cleaner.pipeline.run",
    "clean_sources": "cleaner.pipeline.run",
    "build_templates": "cleaner.pipeline.run",
    "default_rulebook": "cleaner.pipeline.run",
    "iter_sources": "cleaner.io.inputs",
    "ReadOptions": "cleaner.io.inputs",
    "DedupeOptions": "cleaner.dedupe.options",
    "DedupeResult": "cleaner.dedupe.cluster",
    "open_index": "cleaner.index",
    "CleanConfig": "cleaner.config",
    "CleanResult": "cleaner.document",
    "Source": "cleaner.document",
    "Removal": "cleaner.document",
    "CleanerError": "cleaner.errors",
    "InputError": "cleaner.errors",
    "RuleError": "cleaner.errors",
    "OptionsMismatch": "cleaner.errors",
    "IndexFailure": "cleaner.errors",
}

__all__ = [
    "__version__",
    "CleanConfig",
    "CleanResult",
    "CleanerError",
    "DedupeOptions",
    "DedupeResult",
    "IndexFailure",
    "InputError",
    "OptionsMismatch",
    "ReadOptions",
    "Removal",
    "RuleError",
    "Source",
    "build_templates",
    "clean",
    "clean_source",
    "clean_sources",
    "default_rulebook",
    "iter_sources",
    "open_index",
]

if TYPE_CHECKING:
    from cleaner.config import CleanConfig
    from cleaner.dedupe.cluster import DedupeResult
    from cleaner.dedupe.options import DedupeOptions
    from cleaner.document import CleanResult, Removal, Source
    from cleaner.errors import (
        CleanerError,
        IndexFailure,
        InputError,
        OptionsMismatch,
        RuleError,
    )
    from cleaner.index import open_index
    from cleaner.io.inputs import ReadOptions, iter_sources
    from cleaner.pipeline.run import (
        build_templates,
        clean,
        clean_source,
        clean_sources,
        default_rulebook,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
