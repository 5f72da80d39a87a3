"""Scale benchmark: `cleaner dedupe` throughput and peak memory by workers and engine.

Builds a corpus of ``--n`` paragraphs (default 1,000,000) from the seeds' vocabulary, a
third of them near copies of earlier ones (a word dropped, yeh/kaf spelt the Arabic way,
an attribution added), in documents of 10 paragraphs, as JSON lines split into ``--parts``
files in one folder (a partitioned dataset). Then runs, each in a fresh process and in the
same session, the real command:

    cleaner dedupe CORPUS/ --no-clean --clusters OUT -q -j 1
    cleaner dedupe CORPUS/ --no-clean --clusters OUT -q -j 2
    cleaner dedupe CORPUS/ --no-clean --clusters OUT -q -j 2 --engine dask   (local cluster;
                                                 its workers read the partition files)

and prints wall time, paragraphs per second, speed-up against ``-j 1``, peak resident memory
of the main process and of the largest worker, and the CPU seconds spent by the main process
and by its workers (on a machine shared with other jobs the wall time is noisy, the CPU time
much less so: together they say whether the main process or the workers are the bottleneck),
and checks the cluster files are equal. ``machine MB`` is the largest rise of the machine's
memory in use during the run: it counts, once, the shared memory the workers write for the
main process, which neither process's peak resident memory need count. A contender still
running after ``--timeout`` seconds is stopped and reported as such.

It also times ``cleaner clean`` with ``-j 1`` and ``-j 2`` on ``--clean-docs`` raw
documents (the seeds, text and HTML, repeated under new ids) and checks the outputs are equal.

Usage: ``python bench/scale_bench.py [--n 1000000] [--parts 8] [--clean-docs 3000]
[--per-doc 10] [--skip-dask] [--timeout SECONDS] [--json] [--mode reuse] [--jobs 1,2]
[--rounds 1] [--base TREE] [--first]``

With ``--rounds R`` the contenders run in turn R times (A B A B ...), so that a burst of
another job's load falls on both sides; the table gives each one's median round, and each
round's speed-up is printed, and at the end the median of the rounds' speed-ups. ``--base TREE``
runs each contender on another tree of the project too (a checkout of the commit before a
change: ``git archive main | tar -x -C /tmp/base``), the two trees in turn, contender by
contender; its rows are marked with the tree's folder name and compared with its own ``-j 1``.
``--first`` runs everything in a session the kernel gives the CPU before the others (see
:func:`first_in_line`). The package's modules are compiled to bytecode first, as an
installed package has them: a sandbox that sets ``PYTHONDONTWRITEBYTECODE`` would otherwise
charge every run some 80 ms of compiling, which is start-up no user pays.

Records of one paragraph each, in one file (the main process's reading share at its largest):
``python bench/scale_bench.py --n 50000 --per-doc 1 --parts 1 --skip-dask --clean-docs 0``.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaner.io.decode import decode  # noqa: E402

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


def write_corpus(path: Path, n: int, seed: int, per_doc: int = 10, parts: int = 1) -> None:
    """``n`` paragraphs in documents of ``per_doc``, a third of them near copies.

    With ``parts`` > 1, ``path`` is a folder of ``part-00000.jsonl``... holding the documents
    in order, split evenly.
    """
    rng = random.Random(seed)
    vocab = vocabulary()
    made: list[str] = []
    n_docs = -(-n // per_doc)
    per_part = -(-n_docs // max(1, parts))
    if parts > 1:
        path.mkdir(parents=True, exist_ok=True)
    out = None
    try:
        for d in range(0, n, per_doc):
            if d // per_doc % per_part == 0:
                if out is not None:
                    out.close()
                name = path / f"part-{d // per_doc // per_part:05d}.jsonl" if parts > 1 else path
                out = name.open("w", encoding="utf-8")
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
    finally:
        if out is not None:
            out.close()


#: Runs the CLI in a fresh process and reports, at exit, its own and its children's peak
#: resident memory (KB) and CPU seconds.
WRAPPER = (
    "import atexit, resource, sys\n"
    "def peak():\n"
    "    own = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "    print('PEAK', own.ru_maxrss, kids.ru_maxrss, own.ru_utime + own.ru_stime,\n"
    "          kids.ru_utime + kids.ru_stime, file=sys.stderr)\n"
    "atexit.register(peak)\n"
    "from cleaner.cli import main\n"
    "main(sys.argv[1:])\n"
)


def machine_used_mb() -> float:
    """Memory in use on the machine (MemTotal - MemAvailable), MB; 0 where not known."""
    try:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    except OSError:
        return 0.0
    return (int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])) / 1024


class MachinePeak:
    """The largest rise of the machine's memory in use while a run goes on (sampled 10 times
    a second). Unlike a process's peak resident memory, it counts the shared memory the pool
    workers write for the main process (which the main process may never touch, and which
    outlives the workers), once; other jobs' memory moving meanwhile counts too."""

    def __init__(self) -> None:
        self.base = machine_used_mb()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, machine_used_mb())

    def stop(self) -> int:
        """Stop sampling; the peak rise in MB."""
        self._stop.set()
        self._thread.join()
        return round(self.peak - self.base)


def tree_pss_mb(root: int) -> float:
    """Proportional set size of a process and its descendants together (MB; Linux, else 0).

    A page mapped by k processes counts 1/k in each (``/proc/PID/smaps_rollup``), so the
    pages a main process and its forked workers share count once in the sum, where the sum
    of their peak resident sizes counts them in each.
    """
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # (a process gone meanwhile)
        children.setdefault(ppid, []).append(int(stat.parent.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += sum(
            int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")
        )
    return total / 1024


class PssPeak:
    """The largest :func:`tree_pss_mb` of a process tree while it runs (sampled 5 times a
    second: a peak shorter than that can be missed, which ``ru_maxrss`` never misses)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, tree_pss_mb(self.pid))

    def stop(self) -> int:
        """Stop sampling; the peak in MB."""
        self._stop.set()
        self._thread.join()
        return round(self.peak)


def run_sampled(
    cmd: list[str], timeout: float | None, cwd: Path | None = None
) -> tuple[int, bytes, bytes, int, int]:
    """Run ``cmd``: its exit status, stdout, stderr, the machine's memory rise and its
    process tree's peak PSS (MB); raises ``subprocess.TimeoutExpired`` (the run stopped)."""
    machine = MachinePeak()
    pss: PssPeak | None = None
    try:
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd) as proc:
            pss = PssPeak(proc.pid)
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise
    finally:
        rise = machine.stop()
        peak = pss.stop() if pss is not None else 0
    return proc.returncode, out, err, rise, peak


def measured(
    args: list[str], timeout: float | None, tree: Path = ROOT
) -> tuple[float, dict[str, Any], bytes]:
    """Wall seconds, peak memory and CPU of one CLI run in a fresh process, and its stdout
    (the package of ``tree``: the run's working directory comes first on its path)."""
    started = time.perf_counter()
    try:
        cmd = [sys.executable, "-c", WRAPPER, *args]
        code, out, stderr, rise, pss = run_sampled(cmd, timeout, tree)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, {"stopped": True}, b""
    seconds = time.perf_counter() - started
    err = stderr.decode("utf-8", "replace")
    if code != 0:
        raise SystemExit(f"run failed ({' '.join(args[:1] + args[2:])}):\n{err}")
    peak = re.search(r"PEAK (\d+) (\d+) ([\d.]+) ([\d.]+)", err)
    fig = {"main_peak_mb": 0, "worker_peak_mb": 0, "main_cpu": 0.0, "worker_cpu": 0.0}
    if peak:
        fig = {
            "main_peak_mb": round(int(peak.group(1)) / 1024),
            "worker_peak_mb": round(int(peak.group(2)) / 1024),
            "main_cpu": round(float(peak.group(3)), 1),
            "worker_cpu": round(float(peak.group(4)), 1),
        }
    fig["machine_mb"] = rise
    fig["pss_mb"] = pss
    return seconds, fig, out


def run(
    corpus: Path, out: Path, extra: list[str], timeout: float | None, tree: Path = ROOT
) -> dict[str, Any]:
    """One `cleaner dedupe` run in a fresh process: time, peak memory, CPU, clusters digest."""
    args = ["dedupe", str(corpus), "--no-clean", "--clusters", str(out), "-q", *extra]
    seconds, fig, _ = measured(args, timeout, tree)
    label = " ".join(extra) + (f" ({tree.name})" if tree != ROOT else "")
    row: dict[str, Any] = {"args": label, "seconds": round(seconds, 3), **fig}
    if not fig.get("stopped"):
        row["clusters"] = sum(1 for _ in out.open(encoding="utf-8"))
        row["digest"] = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    return row


def first_in_line() -> None:
    """Run the rest of this process, and the runs it starts, in a session of its own that the
    kernel gives the CPU before the others (Linux: its autogroup at nice -20; needs the
    right to raise a priority). The kernel shares the cores between sessions, not
    processes: another session's busy job otherwise takes a core from a ``-j 2`` run
    (whose figure then says how loaded the machine was, not how the run scales). Re-runs
    this script under ``setsid`` when this process leads its group (it cannot start a
    session then)."""
    if os.getsid(0) != os.getpid():  # not leading a session of its own yet
        if os.getpgid(0) == os.getpid():
            os.execvp("setsid", ["setsid", "--wait", sys.executable, *sys.argv])
        os.setsid()
    try:
        Path("/proc/self/autogroup").write_text("-20")
    except OSError as exc:
        print(f"cannot be given the CPU first: {exc}", file=sys.stderr)


def median_row(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median time among one contender's rounds (the later one of a middle pair)."""
    if any(r.get("stopped") for r in runs):
        return next(r for r in runs if r.get("stopped"))
    middle = statistics.median_high([r["seconds"] for r in runs])
    return next(r for r in runs if r["seconds"] == middle)


def write_raw_corpus(path: Path, n_docs: int) -> None:
    """``n_docs`` raw seed documents (text or HTML) as JSON lines records, each decoded as
    cleaner reads the file (a seed in windows-1256 read as UTF-8 would be replacement
    characters, refused as binary)."""
    seeds = sorted(p for p in (ROOT / "seeds").iterdir() if p.suffix in (".txt", ".html"))
    with path.open("w", encoding="utf-8") as out:
        for d in range(n_docs):
            seed = seeds[d % len(seeds)]
            field = "html" if seed.suffix == ".html" else "text"
            text = decode(seed.read_bytes(), str(seed)).text
            out.write(json.dumps({"id": f"raw-{d:06d}", field: text}, ensure_ascii=False) + "\n")


def time_clean(corpus: Path, workers: int) -> dict[str, Any]:
    """One `cleaner clean` run: seconds, CPU of the main process and workers, output digest."""
    args = ["clean", str(corpus), "--format", "jsonl", "-q", "-j", str(workers)]
    seconds, fig, stdout = measured(args, None)
    return {"seconds": seconds, **fig, "digest": hashlib.sha256(stdout).hexdigest()[:16]}


def main(argv: list[str] | None = None) -> int:
    """Generate the corpus, run the contenders, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="paragraphs in the corpus")
    ap.add_argument("--parts", type=int, default=8, help="files the corpus is split into")
    ap.add_argument(
        "--per-doc", type=int, default=10, help="paragraphs per record (1: one-paragraph records)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-dask", action="store_true", help="no Dask run")
    ap.add_argument("--timeout", type=float, default=None, help="stop a run after SECONDS")
    ap.add_argument("--clean-docs", type=int, default=3000, help="raw documents for clean")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    ap.add_argument("--mode", default="near", choices=("near", "reuse"), help="dedupe mode")
    ap.add_argument("--jobs", default="1,2", help="comma-separated -j values to run")
    ap.add_argument("--rounds", type=int, default=1, help="run the contenders in turn R times")
    ap.add_argument(
        "--base", type=Path, default=None, help="another tree of the project to run in turn"
    )
    ap.add_argument(
        "--first", action="store_true", help="a session of its own, given the CPU first (Linux)"
    )
    args = ap.parse_args(argv)
    if args.first:
        first_in_line()
    trees = [ROOT] + ([args.base.resolve()] if args.base else [])
    for tree in trees:
        compileall.compile_dir(tree / "cleaner", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp, "corpus" if args.parts > 1 else "corpus.jsonl")
        t = time.perf_counter()
        write_corpus(corpus, args.n, args.seed, per_doc=args.per_doc, parts=args.parts)
        files = [corpus] if corpus.is_file() else list(corpus.iterdir())
        mb = sum(f.stat().st_size for f in files) / 1e6
        print(
            f"corpus: {args.n} paragraphs, {mb:.0f} MB in {len(files)} file(s),"
            f" made in {time.perf_counter() - t:.0f} s",
            flush=True,
        )
        mode = ["--mode", args.mode] if args.mode != "near" else []
        runs = [["-j", j, *mode] for j in args.jobs.split(",")]
        if not args.skip_dask:
            runs.append(["-j", "2", "--engine", "dask", *mode])
        # Tree by tree: each tree's first contender is what its others are compared with.
        contenders = [(tree, extra) for tree in trees for extra in runs]
        rounds: list[list[dict[str, Any]]] = [[] for _ in contenders]
        for r in range(max(1, args.rounds)):
            # Contender by contender, the trees in turn (the other one first every other
            # round), so that a burst of another job's load falls on both trees alike.
            order = [
                i + t * len(runs)
                for i in range(len(runs))
                for t in (range(len(trees)) if r % 2 == 0 else reversed(range(len(trees))))
            ]
            for i in order:
                tree, extra = contenders[i]
                rounds[i].append(run(corpus, Path(tmp, f"c{i}.jsonl"), extra, args.timeout, tree))
                print(json.dumps(rounds[i][-1]), flush=True)
            if args.rounds > 1 and not any(c[-1].get("stopped") for c in rounds):
                speedups = []
                for t in range(len(trees)):
                    mine = rounds[t * len(runs) : (t + 1) * len(runs)]
                    first = mine[0][-1]["seconds"]
                    speedups += [f"{c[-1]['args']} {first / c[-1]['seconds']:.2f}x" for c in mine]
                print(f"round {r + 1} (load {os.getloadavg()[0]:.1f}): " + ", ".join(speedups))
        rows = [median_row(c) for c in rounds]
        raw = Path(tmp, "raw.jsonl")
        write_raw_corpus(raw, args.clean_docs)
        clean_rows = [time_clean(raw, w) for w in (1, 2)] if args.clean_docs else []
    print(
        f"{'run':<26}{'seconds':>9}{'para/s':>9}{'vs -j 1':>9}{'main MB':>9}{'KB/para':>9}"
        f"{'worker MB':>10}{'machine MB':>11}{'main CPU':>9}{'work CPU':>9}{'clusters':>9}"
    )
    for k, r in enumerate(rows):
        first = rows[k - k % len(runs)]
        base = first["seconds"] if not first.get("stopped") else None
        if r.get("stopped"):
            print(f"{r['args']:<26}{'stopped after':>20} {r['seconds']:.0f} s")
            continue
        speed = f"{base / r['seconds']:>8.2f}x" if base else f"{'-':>9}"
        print(
            f"{r['args']:<26}{r['seconds']:>9.2f}{args.n / r['seconds']:>9.0f}{speed}"
            f"{r['main_peak_mb']:>9}{r['main_peak_mb'] * 1024 / args.n:>9.1f}"
            f"{r['worker_peak_mb']:>10}{r['machine_mb']:>11}{r['main_cpu']:>9.1f}"
            f"{r['worker_cpu']:>9.1f}"
            f"{r['clusters']:>9}"
        )
    same = len({r["digest"] for r in rows if not r.get("stopped")}) == 1
    print("clusters identical across runs:", "yes" if same else "NO")
    if args.rounds > 1:
        for t in range(0, len(rounds), len(runs)):
            one = rounds[t]
            for c in rounds[t + 1 : t + len(runs)]:
                if any(x.get("stopped") for x in one + c):
                    continue
                paired = [a["seconds"] / b["seconds"] for a, b in zip(one, c, strict=True)]
                print(
                    f"{c[0]['args']} vs {one[0]['args']}: median of the rounds' ratios"
                    f" {statistics.median(paired):.2f}x ({', '.join(f'{x:.2f}' for x in paired)})"
                )
    if clean_rows:
        one, two = clean_rows
        print(
            f"clean, {args.clean_docs} raw documents: -j 1 {one['seconds']:.1f} s"
            f" (CPU {one['main_cpu']:.1f} s), -j 2 {two['seconds']:.1f} s"
            f" (CPU main {two['main_cpu']:.1f} s + workers {two['worker_cpu']:.1f} s),"
            f" {one['seconds'] / two['seconds']:.2f}x,"
            f" output identical: {'yes' if one['digest'] == two['digest'] else 'NO'}"
        )
        same = same and one["digest"] == two["digest"]
    if args.json:
        print(json.dumps({"n": args.n, "rows": rows, "clean": clean_rows}))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
