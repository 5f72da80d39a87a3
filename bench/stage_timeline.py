"""Where a `cleaner dedupe` run leaves cores idle: each stage's wall time, the machine's busy
cores during it (Linux: read from /proc/stat), and the CPU seconds of the main process in it
(its serial share: on a machine shared with other jobs the one figure that stays reliable).

    python bench/stage_timeline.py CORPUS -j 2            # any `cleaner dedupe` arguments
    python bench/stage_timeline.py --n 200000 -j 2        # a generated corpus (scale_bench's)
    python bench/stage_timeline.py /abs/CORPUS --no-clean --clusters /abs/OUT -j 2 \
        --base /tmp/main-tree --rounds 12 --first   # two trees in turn: each stage's median

With ``--base`` (or ``--rounds`` above one) the runs alternate between this tree and the other
one (paths must then be absolute: each run starts in its tree's folder) and each stage's wall
time, the median of the rounds, is printed per tree: a stage's change too small to show in the
whole run's time, on a machine other jobs share, shows there.

The run is the real CLI in a fresh process; the stages' start and end times are taken by
wrapping the functions named in STAGES, and a sampler process reads the machine's CPU counters
every 50 ms. "idle core-s" is what the stage left unused of the machine's cores: on an
otherwise quiet machine, the serial work of the main process while the workers wait. The
machine must be quiet (another process's work counts as busy). The tasks of the pool's
workers are timed too (by wrapping ``cleaner.pool._kept_task`` before the pool forks):
"tasks s" is the wall time the workers spent in the stage's tasks, added up, and "tasks CPU
s" their CPU; a stage on two workers that keeps both busy has "tasks s" twice its wall time,
whatever else runs on the machine. "main MB" is the main
process's resident memory when the stage ends, "peak MB" its peak so far: the stage that
raises it holds the run's peak (with ``-j 1`` all of a run's memory is the main process's).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_bench import ROOT, first_in_line, write_corpus  # noqa: E402

#: (module, function) pairs timed as stages, in run order.
STAGES = [
    ("cleaner.executor.base", "collect_outcomes"),
    ("cleaner.executor.local", "load_streamed"),
    ("cleaner.executor.local", "prepare_parallel"),
    ("cleaner.dedupe.api", "band_candidates"),
    ("cleaner.dedupe.api", "containment_codes"),
    ("cleaner.dedupe.api", "disjoint_codes"),
    ("cleaner.dedupe.api", "verify_candidates"),
    ("cleaner.dedupe.api", "form_clusters"),
    ("cleaner.cli.dedupe", "_write_clusters"),
]

#: Runs the CLI with the stages wrapped; writes their times as JSON to the file in argv[1].
RUNNER = """
import atexit, functools, importlib, json, os, resource, sys, time
stages, out, events = json.loads(sys.argv[1]), sys.argv[2], []
page = os.sysconf("SC_PAGE_SIZE")
def memory():
    with open("/proc/self/statm") as f:
        resident = int(f.read().split()[1]) * page >> 20
    return resident, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
def timed(real, name):
    @functools.wraps(real)
    def run(*args, **kwargs):
        start, cpu = time.time(), time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            events.append((name, start, time.time(), time.process_time() - cpu, *memory()))
    return run
for module, name in stages:
    mod = importlib.import_module(module)
    setattr(mod, name, timed(getattr(mod, name), name))
import cleaner.pool
real_task = cleaner.pool._kept_task
def kept_task(fn, key, handed, batch):
    start, cpu = time.time(), time.process_time()
    try:
        return real_task(fn, key, handed, batch)
    finally:
        with open(f"{out}.{os.getpid()}", "a") as f:  # the file of this worker
            f.write(json.dumps([start, time.time(), time.process_time() - cpu]) + "\\n")
cleaner.pool._kept_task = kept_task
began = time.time()
atexit.register(lambda: json.dump({"began": began, "ended": time.time(), "events": events,
                                   "cpu": time.process_time()}, open(out, "w")))
from cleaner.cli import main
main(sys.argv[3:])
"""

#: Samples the machine's busy cores every 50 ms until killed: "time busy-fraction" lines.
SAMPLER = """
import os, sys, time
out, cores, prev = open(sys.argv[1], "w"), os.cpu_count(), None
while True:
    with open("/proc/stat") as f:
        counts = list(map(int, f.readline().split()[1:]))
    idle, total = counts[3] + counts[4], sum(counts)
    if prev and total > prev[1]:
        out.write(f"{time.time()} {cores * (1 - (idle - prev[0]) / (total - prev[1]))}\\n")
        out.flush()
    prev = (idle, total)
    time.sleep(0.05)
"""


Row = tuple[str, float, float, float, float, float, float, float, float]


def _in_window(tasks: list[list[float]], a: float, b: float) -> tuple[float, float]:
    """The workers' task time inside ``a..b``, added up, and their CPU (a task's CPU
    counted in proportion to its part inside).

    >>> _in_window([[0.0, 2.0, 1.0], [1.5, 3.0, 1.5]], 1.0, 2.0)
    (1.5, 1.0)
    """
    wall = cpu = 0.0
    for start, end, used in tasks:
        inside = min(end, b) - max(start, a)
        if inside > 0:
            wall += inside
            cpu += used * inside / (end - start)
    return wall, cpu


def timeline(args: list[str], tree: Path = ROOT) -> tuple[list[Row], float]:
    """Run ``cleaner dedupe ARGS`` (the package of ``tree``): rows of (stage, start, end, busy
    cores, main CPU s, main resident MB at its end, main peak MB by its end, the workers' task
    time and CPU in it), gaps included (their CPU: what the stages left of the main
    process's), and its whole CPU."""
    with tempfile.TemporaryDirectory() as tmp:
        times, samples = Path(tmp, "times.json"), Path(tmp, "cpu.txt")
        sampler = subprocess.Popen([sys.executable, "-c", SAMPLER, str(samples)])
        try:
            time.sleep(0.2)
            cmd = [sys.executable, "-c", RUNNER, json.dumps(STAGES), str(times), "dedupe", *args]
            subprocess.run(cmd, check=True, cwd=tree)
        finally:
            sampler.kill()
            sampler.wait()
        run = json.loads(times.read_text())
        cpu = [tuple(map(float, line.split())) for line in samples.read_text().splitlines()]
        tasks = [
            json.loads(line)
            for path in Path(tmp).glob("times.json.*")
            for line in path.read_text().splitlines()
        ]

    def busy(a: float, b: float) -> float:
        inside = [u for t, u in cpu if a <= t < b]
        return sum(inside) / len(inside) if inside else float("nan")

    nan = float("nan")
    rows: list[Row] = []
    at = run["began"]
    for name, a, b, used, resident, peak in sorted(run["events"], key=lambda e: e[1]):
        if a > at + 0.01:
            rows.append(
                ("(between stages)", at, a, busy(at, a), nan, nan, nan, *_in_window(tasks, at, a))
            )
        rows.append((name, a, b, busy(a, b), used, resident, peak, *_in_window(tasks, a, b)))
        at = max(at, b)
    end = run["ended"]
    rows.append(
        ("(after the stages)", at, end, busy(at, end), nan, nan, nan, *_in_window(tasks, at, end))
    )
    began = run["began"]
    return [(n, a - began, b - began, *rest) for n, a, b, *rest in rows], run["cpu"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, help="generate a corpus of N paragraphs (8 files)")
    ap.add_argument("--base", type=Path, help="another tree of the project to run in turn")
    ap.add_argument("--rounds", type=int, default=1, help="run the trees in turn R times")
    ap.add_argument("--first", action="store_true", help="given the CPU first (scale_bench's)")
    args, rest = ap.parse_known_args(argv)
    if args.first:
        first_in_line()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        if args.n:
            corpus = Path(tmp, "corpus")
            write_corpus(corpus, args.n, 0, parts=8)
            rest = [str(corpus), "--no-clean", "--clusters", str(Path(tmp, "c.jsonl")), *rest]
        if args.base or args.rounds > 1:
            trees = [ROOT] + ([args.base.resolve()] if args.base else [])
            return compare(trees, [*rest, "-q"], args.rounds)
        rows, total_cpu = timeline([*rest, "-q"])
    print(
        f"{'stage':<20}{'from s':>8}{'to s':>8}{'wall s':>8}{'busy cores':>12}{'idle core-s':>13}"
        f"{'tasks s':>9}{'tasks CPU s':>13}{'main CPU s':>12}{'main MB':>9}{'peak MB':>9}"
    )
    idle = 0.0
    for name, a, b, busy, used, resident, peak, work, work_cpu in rows:
        lost = (cores - busy) * (b - a) if busy == busy else 0.0
        idle += lost
        shown = f"{used:>12.2f}{resident:>9.0f}{peak:>9.0f}" if used == used else ""
        print(
            f"{name:<20}{a:>8.2f}{b:>8.2f}{b - a:>8.2f}{busy:>12.2f}{lost:>13.2f}"
            f"{work:>9.2f}{work_cpu:>13.2f}{shown}"
        )
    staged = sum(row[4] for row in rows if row[4] == row[4])
    print(
        f"total {rows[-1][2]:.1f} s on {cores} cores; idle core-seconds {idle:.1f};"
        f" main process CPU {total_cpu:.2f} s ({total_cpu - staged:.2f} s outside the stages:"
        " start-up and imports, reading)"
    )
    return 0


def compare(trees: list[Path], args: list[str], rounds: int) -> int:
    """Run the trees in turn (the order flipped each round); print each stage's median wall
    time per tree, the gaps between stages added up."""
    walls: dict[Path, list[dict[str, float]]] = {tree: [] for tree in trees}
    for r in range(rounds):
        for tree in trees if r % 2 == 0 else trees[::-1]:
            rows, _ = timeline(args, tree)
            wall: dict[str, float] = {"(whole run)": rows[-1][2]}
            for name, a, b, *_ in rows:
                wall[name] = wall.get(name, 0.0) + b - a
            walls[tree].append(wall)
    names = list(dict.fromkeys(n for runs in walls.values() for w in runs for n in w))
    print(f"{'stage':<20}" + "".join(f"{tree.name[:14]:>16}" for tree in trees))
    for name in names:
        cells = [statistics.median(w.get(name, 0.0) for w in walls[tree]) for tree in trees]
        print(f"{name:<20}" + "".join(f"{c:>16.3f}" for c in cells))
    print(f"median wall seconds of {rounds} round(s), the trees in turn")
    return 0


if __name__ == "__main__":
    sys.exit(main())
