"""Run a test's script in an interpreter of its own: a pool forked from pytest's process would
carry its threads and state, and a script may change module settings for the whole process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_script(script: str) -> str:
    """Run ``script`` with the tests folder as its argument; its standard output.

    Fails the test with the script's standard error when it exits non-zero.
    """
    tests = str(Path(__file__).resolve().parents[1])
    proc = subprocess.run([sys.executable, "-c", script, tests], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
