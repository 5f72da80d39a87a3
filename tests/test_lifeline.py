"""Workers end with the process that started them, even when it is killed with SIGKILL.

Each test starts a real process whose workers are busy in a catastrophic regular expression
match (C code holding the interpreter lock for minutes: no Python thread can run there),
kills it with ``kill -9`` and waits for every worker to be gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc to find the workers"
)

ROOT = Path(__file__).resolve().parents[1]

#: A task that writes its pid to a file in the folder ``argv[1]``, then matches for minutes.
HOG = """
import os, re, sys, pathlib
def hog(batch):
    pathlib.Path(sys.argv[1], f"{os.getpid()}.pid").write_text("")
    re.match(r"^(a+)+$", "a" * 40 + "!")
    return batch
"""

POOL = (
    HOG
    + """
from cleaner.pool import ordered_map
list(ordered_map(hog, [[1], [2]], 2))
"""
)

DASK = (
    HOG
    + """
from cleaner.executor.dask import dask_client
with dask_client(None, 2) as client:
    client.gather([client.submit(hog, [i], pure=False) for i in range(2)])
"""
)


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its new parent to reap it is gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _kill_and_watch(code: str, folder: Path, workers: int, start_s: float) -> list[int]:
    """Run ``code``, wait for ``workers`` pid files, SIGKILL the process; the pids still
    running 10 s later."""
    proc = subprocess.Popen([sys.executable, "-c", code, str(folder)], cwd=ROOT)
    try:
        deadline = time.monotonic() + start_s
        while len(list(folder.glob("*.pid"))) < workers:
            assert proc.poll() is None, "the process ended before its workers started"
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)
        pids = [int(p.stem) for p in folder.glob("*.pid")]
        assert all(_alive(pid) for pid in pids)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in pids if _alive(pid)]
    for pid in left:  # do not leave a busy orphan behind a failing test
        os.kill(pid, signal.SIGKILL)
    return left


def test_pool_workers_end_with_a_killed_parent(tmp_path: Path) -> None:
    assert _kill_and_watch(POOL, tmp_path, 2, 60) == []


def test_dask_local_workers_end_with_a_killed_parent(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    assert _kill_and_watch(DASK, tmp_path, 2, 120) == []


def test_clean_cli_workers_end_with_a_killed_cli(tmp_path: Path) -> None:
    """`cleaner clean -j 2` killed with -9 while its workers clean: none is left."""
    src = tmp_path / "in"
    src.mkdir()
    seeds = sorted((ROOT / "seeds").iterdir())
    for i in range(400):
        seed = seeds[i % len(seeds)]
        (src / f"{i:04d}{seed.suffix}").write_bytes(seed.read_bytes())
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cleaner",
            "clean",
            str(src),
            "-o",
            str(tmp_path / "out"),
            "-j",
            "2",
        ],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    children: list[int] = []
    deadline = time.monotonic() + 60
    while len(children) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
        children = _descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(children) >= 2, "the workers did not start"
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in children if _alive(pid)]
    for pid in left:  # do not leave an orphan behind a failing test
        os.kill(pid, signal.SIGKILL)
    assert left == []


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
        for kid in kids:
            out += [kid, *_descendants(kid)]
    return out
