"""Progress: a bar on a terminal, nothing on a pipe, a summary line unless --quiet."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from cleaner.executor.progress import Progress, input_bytes

ROOT = Path(__file__).resolve().parents[2]
CLEANER = [sys.executable, "-c", "from cleaner.cli import main; main()"]


def test_no_bar_when_not_a_terminal_but_a_summary():
    err = io.StringIO()
    p = Progress("clean", 1000, stream=err)
    p.update(docs=2, paragraphs=7, nbytes=1000)
    assert err.getvalue() == ""
    p.close()
    line = err.getvalue()
    assert line.count("\n") == 1
    assert line.startswith("cleaner clean: 2 documents, 7 paragraphs, 0.0 MB in ")


def test_quiet_prints_nothing():
    err = io.StringIO()
    p = Progress("clean", 10, stream=err, quiet=True, bar=True)
    p.update(docs=1, nbytes=10)
    p.close()
    assert err.getvalue() == ""


def test_bar_shows_documents_paragraphs_and_rate():
    err = io.StringIO()
    p = Progress("clean", 2_000_000, stream=err, bar=True)
    p.update(docs=3, paragraphs=12, nbytes=1_000_000)
    p._bar.refresh()
    drawn = err.getvalue()
    p.close()
    assert "3 docs, 12 paragraphs" in drawn
    assert "50%" in drawn and "B/s" in drawn


def test_bar_shows_its_fields_from_the_first_draw():
    # A run shorter than one redraw interval must still show what the bar counts.
    err = io.StringIO()
    p = Progress("clean", 100, stream=err, bar=True)
    first = err.getvalue()
    p.close()
    assert "0 docs, 0 paragraphs" in first


def test_input_bytes_counts_visible_files(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"x" * 10)
    (tmp_path / ".hidden").write_bytes(b"x" * 100)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_bytes(b"x" * 5)
    assert input_bytes([str(tmp_path)]) == 15
    (tmp_path / "c.gz").write_bytes(b"x")
    assert input_bytes([str(tmp_path)]) is None


def _run_with_stderr_on_terminal(args: list[str]) -> tuple[int, str]:
    leader, follower = pty.openpty()
    # A new pty is 0x0; give it the size of a real terminal window.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        [*CLEANER, *args],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        cwd=ROOT,
        env={**os.environ, "TERM": "xterm"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(), b"".join(chunks).decode("utf-8", "replace")


def test_cli_draws_a_bar_on_a_terminal_and_not_on_a_pipe(corpus):
    code, shown = _run_with_stderr_on_terminal(["clean", str(corpus), "-j", "2"])
    assert code == 0
    assert "docs" in shown and "paragraphs" in shown and "\r" in shown  # the bar
    assert "cleaner clean: 400 documents" in shown  # the summary
    piped = subprocess.run(
        [*CLEANER, "clean", str(corpus), "-j", "2"], capture_output=True, text=True, cwd=ROOT
    )
    assert piped.returncode == 0
    assert piped.stderr.startswith("cleaner clean: 400 documents, ")
    assert piped.stderr.count("\n") == 1 and "\r" not in piped.stderr


def test_cli_quiet_on_a_terminal_prints_nothing(corpus):
    code, shown = _run_with_stderr_on_terminal(["clean", str(corpus), "-q"])
    assert code == 0
    assert shown == ""
