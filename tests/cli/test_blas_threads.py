"""The command asks numpy's BLAS for one thread (no command multiplies matrices, and its
threads spin as numpy is imported), unless the user said otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = "import os, cleaner.cli; print(os.environ.get('OPENBLAS_NUM_THREADS'))"


def _threads_asked(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip()


def test_one_blas_thread_by_default():
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _threads_asked(env) == "1"


def test_the_users_setting_stays():
    assert _threads_asked({**os.environ, "OPENBLAS_NUM_THREADS": "3"}) == "3"
