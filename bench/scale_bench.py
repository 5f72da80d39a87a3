"""Scale benchmark: `cleaner dedupe` throughput and peak memory by workers and engine.

Builds a corpus of ``--n`` paragraphs (default 1,000,000) from the seeds' vocabulary, a
third of them near copies of earlier ones (a word dropped, yeh/kaf spelt the Arabic way,
an attribution added), in documents of 10 paragraphs, as JSON lines. Then runs, each in a
fresh process and in the same session, the real command:

    cleaner dedupe CORPUS --no-clean --clusters OUT -q -j 1
    cleaner dedupe CORPUS --no-clean --clusters OUT -q -j 2
    cleaner dedupe CORPUS --no-clean --clusters OUT -q -j 2 --engine dask   (local cluster)

and prints wall time, paragraphs per second, speed-up against ``-j 1``, peak resident memory
of the main process and of the largest worker, and checks the three cluster files are equal.

It also times ``cleaner clean`` with ``-j 1`` and ``-j 2`` on ``--clean-docs`` raw
documents (the seeds, text and HTML, repeated under new ids) and checks the outputs are equal.

Usage: ``python bench/scale_bench.py [--n 1000000] [--clean-docs 3000] [--skip-dask] [--json]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ATTRIBUTIONS = ("به گزارش ایسنا، ", "به گزارش ایرنا، ", "به نقل از رویترز، ")


def vocabulary() -> list[str]:
    """The distinct words of the text seeds."""
    words: set[str] = set()
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        words.update(re.findall(r"\w+", path.read_text(encoding="utf-8")))
    return sorted(words)


def variant(text: str, rng: random.Random) -> str:
    """A near copy: one edit of the kinds scrapes show."""
    kind = rng.randrange(3)
    if kind == 0:
        words = text.split()
        del words[rng.randrange(len(words))]
        return " ".join(words)
    if kind == 1:
        return text.replace("ی", "ي").replace("ک", "ك")
    return rng.choice(ATTRIBUTIONS) + text


def write_corpus(path: Path, n: int, seed: int, per_doc: int = 10) -> None:
    """``n`` paragraphs in documents of ``per_doc``, a third of them near copies."""
    rng = random.Random(seed)
    vocab = vocabulary()
    made: list[str] = []
    with path.open("w", encoding="utf-8") as out:
        for d in range(0, n, per_doc):
            paras = []
            for _ in range(min(per_doc, n - d)):
                if made and rng.random() < 1 / 3:
                    text = variant(made[rng.randrange(len(made))], rng)
                else:
                    text = " ".join(rng.choices(vocab, k=rng.randint(20, 60)))
                    if len(made) < 200_000:  # copies come from a bounded pool, like a news cycle
                        made.append(text)
                    else:
                        made[rng.randrange(len(made))] = text
                paras.append(text)
            record = {"id": f"doc-{d // per_doc:07d}", "text": "\n".join(paras)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def run(corpus: Path, out: Path, extra: list[str]) -> dict[str, Any]:
    """One `cleaner dedupe` run in a fresh process: time, peak memory, clusters digest."""
    args = ["dedupe", str(corpus), "--no-clean", "--clusters", str(out), "-q", *extra]
    # Report the main process's own peak and its largest child's (a worker) at exit.
    wrapper = (
        "import atexit, resource, sys\n"
        "def peak():\n"
        "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "    print('PEAK', own, child, file=sys.stderr)\n"
        "atexit.register(peak)\n"
        "from cleaner.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *args], capture_output=True, text=True, cwd=ROOT
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"run failed ({' '.join(extra)}):\n{proc.stderr}")
    peak = re.search(r"PEAK (\d+) (\d+)", proc.stderr)
    main_kb, child_kb = (int(peak.group(1)), int(peak.group(2))) if peak else (0, 0)
    return {
        "args": " ".join(extra),
        "seconds": round(seconds, 1),
        "main_peak_mb": round(main_kb / 1024),
        "worker_peak_mb": round(child_kb / 1024),
        "clusters": sum(1 for _ in out.open(encoding="utf-8")),
        "digest": hashlib.sha256(out.read_bytes()).hexdigest()[:16],
    }


def write_raw_corpus(path: Path, n_docs: int) -> None:
    """``n_docs`` raw seed documents (bytes as found, text or HTML) as JSON lines records."""
    seeds = sorted(p for p in (ROOT / "seeds").iterdir() if p.suffix in (".txt", ".html"))
    with path.open("w", encoding="utf-8") as out:
        for d in range(n_docs):
            seed = seeds[d % len(seeds)]
            field = "html" if seed.suffix == ".html" else "text"
            text = seed.read_bytes().decode("utf-8", "replace")
            out.write(json.dumps({"id": f"raw-{d:06d}", field: text}, ensure_ascii=False) + "\n")


def time_clean(corpus: Path, workers: int) -> tuple[float, str]:
    """Seconds of one `cleaner clean` run and the digest of its output."""
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cleaner.cli import main; main()",
            "clean",
            str(corpus),
            "--format",
            "jsonl",
            "-q",
            "-j",
            str(workers),
        ],
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - started, hashlib.sha256(proc.stdout).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    """Generate the corpus, run the contenders, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="paragraphs in the corpus")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-dask", action="store_true", help="no Dask run")
    ap.add_argument("--clean-docs", type=int, default=3000, help="raw documents for clean")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp, "corpus.jsonl")
        t = time.perf_counter()
        write_corpus(corpus, args.n, args.seed)
        mb = corpus.stat().st_size / 1e6
        print(f"corpus: {args.n} paragraphs, {mb:.0f} MB, made in {time.perf_counter() - t:.0f} s")
        contenders = [["-j", "1"], ["-j", "2"]]
        if not args.skip_dask:
            contenders.append(["-j", "2", "--engine", "dask"])
        rows = [run(corpus, Path(tmp, f"c{i}.jsonl"), extra) for i, extra in enumerate(contenders)]
        raw = Path(tmp, "raw.jsonl")
        write_raw_corpus(raw, args.clean_docs)
        clean_rows = [time_clean(raw, w) for w in (1, 2)] if args.clean_docs else []
    base = rows[0]["seconds"]
    print(
        f"{'run':<26}{'seconds':>9}{'para/s':>10}{'vs -j 1':>9}{'main MB':>9}{'worker MB':>11}"
        f"{'clusters':>10}"
    )
    for r in rows:
        print(
            f"{r['args']:<26}{r['seconds']:>9.1f}{args.n / r['seconds']:>10.0f}"
            f"{base / r['seconds']:>8.2f}x{r['main_peak_mb']:>9}{r['worker_peak_mb']:>11}"
            f"{r['clusters']:>10}"
        )
    same = len({r["digest"] for r in rows}) == 1
    print("clusters identical across runs:", "yes" if same else "NO")
    if clean_rows:
        (t1, d1), (t2, d2) = clean_rows
        print(
            f"clean, {args.clean_docs} raw documents: -j 1 {t1:.1f} s ({args.clean_docs / t1:.0f}"
            f" docs/s), -j 2 {t2:.1f} s ({args.clean_docs / t2:.0f} docs/s), {t1 / t2:.2f}x,"
            f" output identical: {'yes' if d1 == d2 else 'NO'}"
        )
        same = same and d1 == d2
    if args.json:
        print(json.dumps({"n": args.n, "rows": rows}))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
