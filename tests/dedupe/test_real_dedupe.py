"""The floors of eval/real/dedupe.py: no dropped paragraph unlike every kept one, every
cluster member at the threshold against its representative; on a slice of the shared
corpora (skipped, saying so, when they are not beside the repository) and on generated data."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from cleaner.dedupe import Cluster, DedupeOptions, DedupeResult, Dropped, Member, dedupe

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


real = _load("real_dedupe_eval", ROOT / "eval" / "real" / "dedupe.py")


def _assert_floors(docs, opts: DedupeOptions, wire: str | None = None):
    result = dedupe(
        docs, mode=opts.mode, keep=opts.keep, scope=opts.scope, containment=opts.containment
    )
    c = real.check(docs, result, opts, wire)
    assert c.dropped > 0 and c.members > 0
    assert c.unlike == []
    assert c.coherent == c.members
    return c


@pytest.mark.parametrize("name", sorted(real.KNOWN))
@pytest.mark.parametrize("keep", ["first", "longest"])
def test_real_slice_drops_only_repeated_text(name, keep):
    file, wire = real.KNOWN[name]
    path = real.CORPORA / file
    if not path.exists():
        pytest.skip(f"shared corpus {path} not found (../shared/corpora beside the repository)")
    docs = real.read_docs(path, 600)
    c = _assert_floors(docs, DedupeOptions(keep=keep), wire)
    assert max(c.sizes) >= 3


def test_generated_batch_drops_only_repeated_text():
    sys.path.insert(0, str(ROOT / "bench"))
    from dedupe_gen import generate, read_paragraphs

    items = generate(read_paragraphs(sorted((ROOT / "seeds").glob("*.txt"))), seed=11)
    docs = [(it.id, "", [it.text], "") for it in items]
    for keep in ("first", "last", "longest", "shortest"):
        _assert_floors(docs, DedupeOptions(keep=keep))


def test_the_check_finds_text_dropped_for_nothing_like_it():
    """The check can fail: a chain clustered whole (A~B, B~C, C unlike A) and its far end
    dropped is counted as unlike every kept paragraph, and as incoherent."""
    words = [f"w{i}x{i * 7}" for i in range(60)]
    a, b, c = " ".join(words[0:32]), " ".join(words[10:42]), " ".join(words[20:52])
    docs = [("a", "", [a], ""), ("b", "", [b], ""), ("c", "", [c], "")]
    members = tuple(Member(d, "", 0, t, 1.0, 1.0, 1.0, kept=d == "a") for d, _, (t,), _ in docs)
    chain = DedupeResult((Cluster(0, members),), (Dropped("b", 0, 0), Dropped("c", 0, 0)))
    got = real.check(docs, chain, DedupeOptions(containment=None))
    assert got.unlike == [("c", 0)]
    assert (got.coherent, got.members) == (1, 2)
