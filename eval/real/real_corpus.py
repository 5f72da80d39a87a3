"""The shared corpora as the real-data evaluation reads them: one article = id, outlet, text.

The text of an article is exactly what cleaner is given, and its lines are
``text.split("\\n")`` numbered from 1 (see README.md in this folder).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
#: Overrides where the corpora are (a git worktree has no ``../shared`` beside it).
CORPORA_ENV = "CLEANER_CORPORA"


def corpora_dir() -> Path:
    """``$CLEANER_CORPORA`` if set, else ``../shared/corpora`` from the repository root."""
    env = os.environ.get(CORPORA_ENV)
    return Path(env) if env else REPO.parent / "shared" / "corpora"


def _host_outlet(url: str) -> str:
    """``https://www.varzesh3.com/news/1`` -> ``varzesh3``."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return host.split(".")[0] if host else "?"


@dataclass(frozen=True)
class CorpusSpec:
    """How one corpus file's records become articles."""

    lang: str
    text: Callable[[dict[str, Any]], str]
    url: Callable[[dict[str, Any]], str | None]
    outlet: Callable[[dict[str, Any]], str]
    outlet_rule: str  # how the outlet is told, for the README and --help


#: The labelled corpus files by name (the name is what a label file's ``@`` line gives).
SPECS: dict[str, CorpusSpec] = {
    "saudinewsnet-dev.jsonl.gz": CorpusSpec(
        lang="ar",
        text=lambda r: r["content"],
        url=lambda r: r.get("url") or None,
        outlet=lambda r: r["source"],
        outlet_rule="the record's source field",
    ),
    "farsnews-varzesh3.jsonl.gz": CorpusSpec(
        lang="fa",
        text=lambda r: "\n".join(r["paragraphs"]),
        url=lambda r: r.get("link") or None,
        # every record says source=farsnews; the link's host tells the two outlets apart
        outlet=lambda r: _host_outlet(r.get("link") or ""),
        outlet_rule="the first label of the link's host (farsnews.ir, varzesh3.com)",
    ),
}


@dataclass(frozen=True)
class Article:
    """One article of a corpus file, as cleaner is given it."""

    file: str
    id: str
    lang: str
    outlet: str
    url: str | None
    text: str

    @property
    def lines(self) -> list[str]:
        """The article's lines, index 0 = line 1."""
        return self.text.split("\n")


def corpus_path(name: str) -> Path:
    """The path of a corpus file; raises FileNotFoundError with the way to point at it."""
    path = corpora_dir() / name
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: put the shared corpora at ../shared/corpora beside the"
            f" repository or set {CORPORA_ENV}=/path/to/corpora"
        )
    return path


def iter_articles(name: str) -> Iterator[Article]:
    """Every article of a corpus file, in file order."""
    spec = SPECS[name]
    with gzip.open(corpus_path(name), "rt", encoding="utf-8") as fh:
        for raw in fh:
            if raw.strip():
                r = json.loads(raw)
                yield Article(
                    name, str(r["id"]), spec.lang, spec.outlet(r), spec.url(r), spec.text(r)
                )


def load_articles(name: str, ids: Iterable[str] | None = None) -> dict[str, Article]:
    """Articles of a corpus file by id (only ``ids`` when given)."""
    wanted = None if ids is None else set(ids)
    return {a.id: a for a in iter_articles(name) if wanted is None or a.id in wanted}


def files_of(lang: str) -> list[str]:
    """The corpus files of a language (``all``: every file)."""
    return [n for n, s in SPECS.items() if lang in ("all", s.lang)]
