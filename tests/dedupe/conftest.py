"""Seeds as documents (one paragraph per non-blank line) and their line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed_docs() -> tuple[list[tuple[str, str, list[str]]], dict[tuple[str, int], int]]:
    """Documents ``(name, path, paragraphs)`` and ``(name, paragraph index) -> line number``."""
    docs, lines = [], {}
    for path in sorted(SEEDS.glob("*.txt")):
        paras: list[str] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                lines[(path.name, len(paras))] = number
                paras.append(line.strip())
        docs.append((path.name, str(path), paras))
    return docs, lines


@pytest.fixture(scope="session")
def seeds() -> tuple[list[tuple[str, str, list[str]]], dict[tuple[str, int], int]]:
    return seed_docs()
