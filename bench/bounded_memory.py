"""Memory of one document, and of hostile gzip inputs, measured on real ``cleaner clean`` runs.

Run from the repository root::

    .venv/bin/python bench/bounded_memory.py              # about 15 minutes (16 MB of HTML)
    .venv/bin/python bench/bounded_memory.py --bomb-gb 0.2 --sizes 1 4   # quick look

Every figure is the peak resident memory of one ``cleaner clean -j 1`` process (``wait4``),
so it includes the interpreter, the imports and the rules:

* per-document cost: documents of ``--sizes`` MB made of the seed scrapes, as plain text
  and as HTML (the seed pages repeated inside one ``<body>``); the cost is the peak minus
  the peak for a one-line document, divided by the document's size;
* gzip bombs, built in a temporary folder and deleted at the end (never committed):
  ``--bomb-gb`` GB of one repeated line as ``.txt.gz`` and as a one-line ``.jsonl.gz``, and
  2 GB of zeros as ``.txt.gz``. The floor: each handled (refused with its reason) in under
  1 GB resident.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CLEANER = [sys.executable, "-m", "cleaner"]
FLOOR_BYTES = 1 << 30


def run(args: list[str]) -> tuple[int, float, float, str]:
    """Run ``cleaner`` with ``args``: exit code, peak RSS in MB, wall seconds, last stderr line."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([*CLEANER, *args], stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    wall = time.perf_counter() - start
    return proc.returncode, usage.ru_maxrss / 1024, wall, (lines[0] if lines else "")


def seed_text() -> str:
    return "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


def seed_html_body() -> str:
    parts = []
    for page in sorted(SEEDS.glob("*.html")):
        html = page.read_text(encoding="utf-8", errors="replace")
        start, end = html.find("<body"), html.rfind("</body>")
        body = html[html.find(">", start) + 1 : end] if start >= 0 and end > start else html
        parts.append(body)
    return "\n".join(parts)


def grow(unit: str, size: int) -> str:
    return (unit * (size // len(unit.encode("utf-8")) + 1))[: size // 2 * 2]


def per_document(tmp: Path, sizes: list[float]) -> None:
    print("per-document memory (cleaner clean -j 1, peak RSS of the process)")
    tiny = tmp / "tiny.txt"
    tiny.write_text("یک خط کوتاه.\n", encoding="utf-8")
    _, base, _, _ = run(["clean", "-j", "1", "-q", str(tiny)])
    print(f"  baseline (one line): {base:,.0f} MB")
    text, body = seed_text(), seed_html_body()
    for mb in sizes:
        size = int(mb * (1 << 20))
        for kind, unit, wrap in (
            ("text", text, lambda s: s),
            ("html", body, lambda s: f"<html><body>{s}</body></html>"),
        ):
            doc = tmp / f"doc.{kind if kind == 'html' else 'txt'}"
            doc.write_text(wrap(grow(unit, size)), encoding="utf-8")
            real = doc.stat().st_size
            code, peak, wall, _ = run(["clean", "-j", "1", "-q", "--max-doc-mb", "512", str(doc)])
            cost = (peak - base) * (1 << 20) / real
            print(
                f"  {kind:4} {real / (1 << 20):6.1f} MB: peak {peak:7,.0f} MB,"
                f" {cost:5.1f}x the document above the baseline, {wall:5.1f} s, exit {code}"
            )


def write_gzip(path: Path, chunk: bytes, total: int) -> None:
    with gzip.open(path, "wb", compresslevel=1) as out:
        for _ in range(total // len(chunk)):
            out.write(chunk)


def bombs(tmp: Path, gb: float) -> bool:
    total = int(gb * (1 << 30))
    line = "سلام دنیا، این یک خط تکراری است.\n".encode()
    block = line * (1 << 20 // len(line))
    record = b'{"id": "x", "text": "' + b"a" * (1 << 20)
    cases = [
        (f"{gb:g} GB of one repeated line", "bomb.txt.gz", block, total),
        (f"{gb:g} GB one-line JSON record", "bomb.jsonl.gz", record, total),
        ("2 GB of zeros", "zeros.txt.gz", bytes(1 << 20), 2 << 30),
    ]
    ok = True
    print(f"gzip bombs (floor: each refused in under {FLOOR_BYTES >> 20} MB resident)")
    for what, name, chunk, size in cases:
        path = tmp / name
        write_gzip(path, chunk, size)
        gz = path.stat().st_size
        code, peak, wall, err = run(["clean", "-j", "1", "-q", str(path)])
        path.unlink()
        passed = code == 1 and peak * (1 << 20) < FLOOR_BYTES and "error" in err
        ok &= passed
        print(
            f"  {what} ({gz / (1 << 20):.1f} MB gzip): peak {peak:,.0f} MB, {wall:.1f} s,"
            f" exit {code} {'PASS' if passed else 'FAIL'}\n    {err}"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 4, 16])
    parser.add_argument("--bomb-gb", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cleaner-bench-") as tmp:
        per_document(Path(tmp), args.sizes)
        ok = bombs(Path(tmp), args.bomb_gb)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
