"""A process killed while it writes a file atomically leaves neither the file nor a temp file
(where the system has unnamed temp files: Linux)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from cleaner.io.output import write_atomic

def chunks():
    yield b"first line\\n"
    os.kill(os.getpid(), signal.SIGKILL)  # killed between two chunks
    yield b"never written\\n"

write_atomic(Path(sys.argv[1]) / "clusters.jsonl", chunks())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="O_TMPFILE is Linux's")
def test_a_kill_while_writing_leaves_no_temp_file(tmp_path: Path) -> None:
    (tmp_path / "clusters.jsonl").write_text("the earlier run\\n")
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(tmp_path)], cwd=ROOT)
    assert proc.returncode == -9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clusters.jsonl"]
    assert (tmp_path / "clusters.jsonl").read_text() == "the earlier run\\n"
