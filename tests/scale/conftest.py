"""Fixtures of the scale tests: a corpus of JSON lines records, and a real redis-server."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed_paragraphs() -> list[str]:
    """Every non-blank line of the text seeds."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        out += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return out


def write_corpus(path: Path, n_docs: int, paras_per_doc: int = 4) -> Path:
    """JSON lines of ``n_docs`` records made of seed paragraphs (rotated, so docs differ)."""
    paras = seed_paragraphs()
    with path.open("w", encoding="utf-8") as out:
        for d in range(n_docs):
            body = [paras[(d * 7 + k * 3) % len(paras)] for k in range(paras_per_doc)]
            body.append(f"یادداشت شماره {d} از مجموعه آزمایشی، نوشته شده برای سنجش.")
            record = {"id": f"doc-{d:05d}", "text": "\n\n".join(body)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 records of 5 paragraphs each."""
    return write_corpus(tmp_path_factory.mktemp("corpus") / "corpus.jsonl", 400)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free port in a temp folder, stopped after the session.

    Fails (does not skip) when the binary is missing: the shared-index tests must run.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "redis-server not found: install it (Debian/Ubuntu: apt-get install -y redis-server;"
            " scripts/test does this) to run the Redis index tests",
            pytrace=False,
        )
    folder = tmp_path_factory.mktemp("redis")
    port = _free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None:
                    pytest.fail(f"redis-server exited with code {proc.returncode}", pytrace=False)
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not answer within 10 s", pytrace=False)
        client.close()
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
