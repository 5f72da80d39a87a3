"""Concurrent writers of one SQLite index: every run succeeds and the index equals a
sequential run's.

Builds ``--writers`` batches of ``--paragraphs`` paragraphs each (one corpus of the scale
benchmark's kind, a third of the paragraphs near copies of earlier ones, its documents dealt
round-robin to the batches, so batches hold near copies of each other), then runs in the
same session:

* every batch at once, each as its own process
  ``cleaner dedupe BATCH --no-clean --index concurrent.db --clusters OUT -q -j 1``;
* the same batches one after the other into ``sequential.db``;

and prints each run's exit code, wall time, CPU time and peak memory, and whether the two
indexes hold the same rows (items whole, in uid order; each key with the uid of its item;
document frequencies; settings), compared by :func:`index_digest` (row ids differ: they
follow the order of the commits).

Usage: ``python bench/index_writers.py [--writers 8] [--paragraphs 40000] [--keep DIR]``;
exit 1 when a run fails or the indexes differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

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


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser over uint64 values (a fixed, well-spread 64-bit hash)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def index_digest(path: Path) -> dict[str, object]:
    """Counts and hashes of an index's rows, independent of row ids and commit order.

    Items are hashed in uid order, whole (text, shingles, signature, words, source);
    document frequencies and settings in their keys' order; each key row as (key, the uid of
    the item holding it), summed over the rows as 128 bits (a multiset hash: the same set of
    rows gives the same sum whatever their order). Everything is streamed: an index of
    320,000 paragraphs holds about 60 million key rows.
    """
    db = sqlite3.connect(path)
    try:
        items = hashlib.sha256()
        n_items = 0
        pids: list[int] = []
        uids: list[int] = []
        rows = db.execute(
            "SELECT pid, doc_id, idx, digest, source, text, shingles, signature, words"
            " FROM items ORDER BY doc_id, idx, digest"
        )
        for pid, *row in rows:
            items.update(repr(row).encode())
            uid = hashlib.blake2b(repr(row[:3]).encode(), digest_size=8).digest()
            pids.append(pid)
            uids.append(int.from_bytes(uid, "little") | 1)  # (0 marks a pid with no item)
            n_items += 1
        uid_of = np.zeros(max(pids, default=0) + 1, dtype=np.uint64)
        uid_of[pids] = uids
        sums = [np.uint64(0), np.uint64(0)]
        n_keys = orphans = 0
        cursor = db.execute("SELECT key, pid FROM keys")
        while block := cursor.fetchmany(1_000_000):
            key_pid = np.array(block, dtype=np.int64)
            key = key_pid[:, 0].view(np.uint64)
            pid = key_pid[:, 1]
            uid = uid_of[np.minimum(pid, len(uid_of) - 1)]
            uid[pid >= len(uid_of)] = 0
            orphans += int((uid == 0).sum())
            n_keys += len(key)
            with np.errstate(over="ignore"):
                for i, salt in enumerate((0x9E3779B97F4A7C15, 0xD1B54A32D192ED03)):
                    sums[i] += _mix(_mix(key ^ np.uint64(salt)) ^ uid).sum(dtype=np.uint64)
        out: dict[str, object] = {
            "items": n_items,
            "keys": n_keys,
            "orphan_keys": orphans,
            "integrity": db.execute("PRAGMA integrity_check").fetchone()[0],
            "items_hash": items.hexdigest()[:16],
            "keys_hash": f"{int(sums[0]):016x}{int(sums[1]):016x}",
        }
        for name, sql in (
            ("df_hash", "SELECT word, n FROM df ORDER BY word"),
            ("settings_hash", "SELECT name, value FROM settings ORDER BY name"),
        ):
            table = hashlib.sha256()
            for row in db.execute(sql):
                table.update(repr(row).encode())
            out[name] = table.hexdigest()[:16]
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


class Run(NamedTuple):
    """One writer: exit code, seconds from the start of its phase to its end, CPU seconds
    (user + system), peak resident memory (MB), what it printed on stderr, and its place
    among the writers started together."""

    code: int
    seconds: float
    cpu: float
    peak_mb: float
    err: str
    order: int = 0


def _start(batch: Path, index: Path, name: str) -> subprocess.Popen[bytes]:
    with batch.with_suffix(f".{name}.err").open("wb") as err:
        return subprocess.Popen(
            dedupe_args(batch, index, batch.with_suffix(f".{name}.clusters")),
            stderr=err,
            stdout=subprocess.DEVNULL,
        )


def _wait_all(
    started: list[tuple[Path, subprocess.Popen[bytes]]], name: str, start: float
) -> list[Run]:
    """Wait for every writer, taking each as it ends; their runs in the order started."""
    by_pid = {proc.pid: (n, batch, proc) for n, (batch, proc) in enumerate(started)}
    runs: list[Run] = []
    while by_pid:
        pid, status, usage = os.wait4(-1, 0)
        if pid not in by_pid:
            continue
        n, batch, proc = by_pid.pop(pid)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = batch.with_suffix(f".{name}.err").read_text(errors="replace")
        cpu = usage.ru_utime + usage.ru_stime
        seconds = time.perf_counter() - start
        runs.append(Run(proc.returncode, seconds, cpu, usage.ru_maxrss / 1024, err, n))
    return sorted(runs, key=lambda r: r.order)


def run_concurrent(batches: list[Path], index: Path) -> list[Run]:
    """Every batch at once into ``index``."""
    start = time.perf_counter()
    return _wait_all([(b, _start(b, index, "concurrent")) for b in batches], "concurrent", start)


def run_sequential(batches: list[Path], index: Path) -> list[Run]:
    """The batches one after the other into ``index``."""
    start = time.perf_counter()
    return [
        _wait_all([(b, _start(b, index, "sequential"))], "sequential", start)[0] for b in batches
    ]


def _summary(runs: list[Run], seconds: float) -> dict[str, object]:
    return {
        "wall_s": round(seconds, 1),
        "cpu_s": round(sum(r.cpu for r in runs), 1),
        "peak_mb_of_a_writer": round(max(r.peak_mb for r in runs), 0),
        "failed": sum(1 for r in runs if r.code),
    }


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
        report: dict[str, object] = {"writers": args.writers, "paragraphs_each": args.paragraphs}
        digests = {}
        for name, run in (("concurrent", run_concurrent), ("sequential", run_sequential)):
            t0 = time.perf_counter()
            runs = run(batches, folder / f"{name}.db")
            report[name] = _summary(runs, time.perf_counter() - t0)
            for b, r in zip(batches, runs, strict=True):
                print(
                    f"{name} {b.name}: exit {r.code}, ended after {r.seconds:.1f} s,"
                    f" CPU {r.cpu:.1f} s, peak {r.peak_mb:.0f} MB {r.err.strip()[:200]}",
                    flush=True,
                )
            digests[name] = index_digest(folder / f"{name}.db")
        report["equal"] = digests["concurrent"] == digests["sequential"]
        report.update({f"{name}_index": d for name, d in digests.items()})
        print(json.dumps(report, indent=1))
        failed = any(report[name]["failed"] for name in digests)  # type: ignore[index]
        return 0 if report["equal"] and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
