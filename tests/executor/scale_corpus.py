"""Corpora of the scale tests, made from the seeds (a module of its own: tests/dedupe has a
conftest too, and ``from conftest import`` would find whichever was imported first)."""

from __future__ import annotations

import json
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed_paragraphs() -> list[str]:
    """Every non-blank line of the text seeds."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        out += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return out


def write_corpus(path: Path, n_docs: int, paras_per_doc: int = 4) -> Path:
    """JSON lines of ``n_docs`` records made of seed paragraphs (rotated, so docs differ)."""
    paras = seed_paragraphs()
    with path.open("w", encoding="utf-8") as out:
        for d in range(n_docs):
            body = [paras[(d * 7 + k * 3) % len(paras)] for k in range(paras_per_doc)]
            body.append(f"یادداشت شماره {d} از مجموعه آزمایشی، نوشته شده برای سنجش.")
            record = {"id": f"doc-{d:05d}", "text": "\n\n".join(body)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
