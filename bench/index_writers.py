"""Concurrent writers of one SQLite index: every run succeeds and the index equals a
sequential run's.

Builds ``--writers`` batches of ``--paragraphs`` paragraphs each (one corpus of the scale
benchmark's kind, a third of the paragraphs near copies of earlier ones, its documents dealt
round-robin to the batches, so batches hold near copies of each other), then runs in the
same session:

* every batch at once, each as its own process
  ``cleaner dedupe BATCH --no-clean --index concurrent.db --clusters OUT -q -j 1``;
* the same batches one after the other into ``sequential.db``;

and prints each concurrent run's exit code and wall time, and whether the two indexes hold
the same rows (items by their uid, keys, document frequencies, settings), compared by
:func:`index_digest` (row ids differ: they follow the order of the commits).

Usage: ``python bench/index_writers.py [--writers 8] [--paragraphs 40000] [--keep DIR]``;
exit 1 when a run fails or the indexes differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_bench import write_corpus  # noqa: E402  (a script beside this one)


def write_batches(folder: Path, writers: int, paragraphs: int, seed: int = 7) -> list[Path]:
    """``writers`` JSON lines batches of ``paragraphs`` paragraphs (documents of 10)."""
    corpus = folder / "corpus.jsonl"
    write_corpus(corpus, writers * paragraphs, seed)
    batches = [folder / f"batch{b}.jsonl" for b in range(writers)]
    files = [b.open("w", encoding="utf-8") for b in batches]
    try:
        with corpus.open(encoding="utf-8") as lines:
            for n, line in enumerate(lines):
                files[n % writers].write(line)
    finally:
        for f in files:
            f.close()
    corpus.unlink()
    return batches


def index_digest(path: Path) -> dict[str, object]:
    """Counts and hashes of an index's rows, independent of row ids and commit order."""
    db = sqlite3.connect(path)
    try:
        items = db.execute(
            "SELECT pid, doc_id, idx, digest, source, text, shingles, signature, words FROM items"
        ).fetchall()
        uid = {row[0]: row[1:4] for row in items}
        keys = sorted(
            (key, uid.get(pid, ())) for key, pid in db.execute("SELECT key, pid FROM keys")
        )
        out: dict[str, object] = {
            "items": len(items),
            "keys": len(keys),
            "orphan_keys": sum(1 for _, u in keys if u is None),
            "integrity": db.execute("PRAGMA integrity_check").fetchone()[0],
        }
        tables = {
            "items_hash": sorted(row[1:] for row in items),
            "keys_hash": keys,
            "df_hash": sorted(db.execute("SELECT word, n FROM df")),
            "settings_hash": sorted(db.execute("SELECT name, value FROM settings")),
        }
        for name, rows in tables.items():
            out[name] = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
        return out
    finally:
        db.close()


def dedupe_args(batch: Path, index: Path, clusters: Path) -> list[str]:
    """The command line of one writer."""
    return [
        sys.executable,
        "-m",
        "cleaner",
        "dedupe",
        str(batch),
        "--no-clean",
        "--index",
        str(index),
        "--clusters",
        str(clusters),
        "-q",
        "-j",
        "1",
    ]


def run_concurrent(batches: list[Path], index: Path) -> list[tuple[int, float, str]]:
    """Every batch at once into ``index``: (exit code, seconds, stderr) per batch."""
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            dedupe_args(b, index, b.with_suffix(".concurrent.clusters")),
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
        )
        for b in batches
    ]
    out = []
    for p in procs:
        _, err = p.communicate()
        out.append((p.returncode, time.perf_counter() - start, err.decode(errors="replace")))
    return out


def run_sequential(batches: list[Path], index: Path) -> list[int]:
    """The batches one after the other into ``index``: exit code per batch."""
    return [
        subprocess.run(
            dedupe_args(b, index, b.with_suffix(".sequential.clusters")), check=False
        ).returncode
        for b in batches
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--paragraphs", type=int, default=40_000, help="paragraphs a batch")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        batches = write_batches(folder, args.writers, args.paragraphs)
        t0 = time.perf_counter()
        runs = run_concurrent(batches, folder / "concurrent.db")
        conc_s = time.perf_counter() - t0
        for b, (code, secs, err) in zip(batches, runs, strict=True):
            print(f"{b.name}: exit {code}, ended after {secs:.1f} s {err.strip()[:200]}")
        t0 = time.perf_counter()
        seq_codes = run_sequential(batches, folder / "sequential.db")
        seq_s = time.perf_counter() - t0
        conc = index_digest(folder / "concurrent.db")
        seq = index_digest(folder / "sequential.db")
        ok = all(code == 0 for code, _, _ in runs) and not any(seq_codes) and conc == seq
        print(
            json.dumps(
                {
                    "writers": args.writers,
                    "paragraphs_each": args.paragraphs,
                    "concurrent_s": round(conc_s, 1),
                    "sequential_s": round(seq_s, 1),
                    "concurrent_failed": sum(1 for code, _, _ in runs if code),
                    "equal": conc == seq,
                    "concurrent": conc,
                    "sequential": seq,
                },
                indent=1,
            )
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
