"""Instructions the rules stage executes, counted by valgrind: an A/B figure a busy machine
cannot blur.

Wall and CPU times of the rules stage move by 20-40% when other jobs share the cores; the
number of instructions does not (same hash seed, same input). Run from the repository root::

    .venv/bin/python bench/rules_instructions.py              # this checkout, 0.5 MB of seeds
    .venv/bin/python bench/rules_instructions.py --repo ../other-checkout --mb 1

It runs ``pipeline.label_lines`` over the ``seeds/*.txt`` (or, ``--corpus outlets``, the
evaluation documents of ``eval/boilerplate/docs``) replicated to ``--mb`` MB, once to
warm caches (rule loading, regex groups compiled on first use), then once more with
valgrind's instrumentation switched on around that loop only, and prints the count in
millions. Needs ``valgrind`` (callgrind) on the PATH; it is not a dependency of the project.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What runs under valgrind: the measured loop between two callgrind_control calls.
_CHILD = """
import gc, os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from cleaner.config import CleanConfig
from cleaner.text.lang import detect_lang
from cleaner.pipeline.run import default_rulebook, label_lines
from cleaner.text.segment import split_lines
seeds = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[2]).rglob("*.txt"))]
docs, size = [], 0
while size < float(sys.argv[3]) * 1e6:
    text = seeds[len(docs) % len(seeds)]
    docs.append(text)
    size += len(text.encode("utf-8"))
config = CleanConfig()
book = default_rulebook(config)
prepared = []
for text in docs:
    raw = split_lines(text)
    joined = "\\n".join(raw)
    lang = detect_lang(joined)
    prepared.append((raw, lang, book.select(lang, None, joined)))
for raw, lang, stack in prepared:
    label_lines(raw, lang, stack, config)
gc.disable()
os.system("callgrind_control -i on >/dev/null")
for raw, lang, stack in prepared:
    label_lines(raw, lang, stack, config)
os.system("callgrind_control -i off >/dev/null")
"""


#: The corpora of bench_clean.py: the seeds, and the evaluation documents of 21 outlets.
CORPORA = {"seeds": ROOT / "seeds", "outlets": ROOT / "eval" / "boilerplate" / "docs"}


def count(repo: Path, mb: float, seed: int, corpus: str = "seeds") -> int:
    """Instructions of the measured loop for the checkout at ``repo``."""
    with tempfile.TemporaryDirectory() as tmp:
        child = Path(tmp) / "child.py"
        child.write_text(_CHILD, encoding="utf-8")
        out = Path(tmp) / "callgrind.out"
        proc = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                str(child),
                str(repo),
                str(CORPORA[corpus]),
                str(mb),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        )
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not found:
        raise SystemExit(f"valgrind failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout to measure")
    parser.add_argument("--mb", type=float, default=0.5, help="MB of seeds in the loop")
    parser.add_argument("--seed", type=int, default=0, help="PYTHONHASHSEED of the run")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="seeds", help="texts")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("valgrind (callgrind) is not installed: apt install valgrind", file=sys.stderr)
        return 2
    n = count(args.repo.resolve(), args.mb, args.seed, args.corpus)
    print(
        f"{args.repo}: label_lines over {args.mb} MB of {args.corpus}: {n / 1e6:.0f}M instructions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
