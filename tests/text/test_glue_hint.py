"""The glue hint is a necessary condition of a glue point, scanned per terminator."""

from __future__ import annotations

import re
from pathlib import Path

from cleaner.text.glue import _AR, _GLUE, may_be_glued

ROOT = Path(__file__).resolve().parents[2]
# The hint as one regex (what the per-terminator scans must equal).
ONE_HINT = re.compile(rf"[.!?\u061f\u2026][\u00bb\"\u201d)]?\u00ab?[{_AR}]")

SAMPLES = [
    "پوتین گفت. بله",
    "پوتین گفت.انتهای پیام",
    "آیا؟«بله» گفت",
    "گفت!»بله",
    "گفت…و رفت",
    "version 2.5 and www.x.com",
    "العربية.نت",
    "",
]


def test_the_per_terminator_hint_equals_one_regex_and_never_misses_a_glue_point():
    texts = SAMPLES + [
        line for p in sorted((ROOT / "seeds").glob("*.txt")) for line in p.read_text().splitlines()
    ]
    for text in texts:
        assert may_be_glued(text) == (ONE_HINT.search(text) is not None), text
        if _GLUE.search(text):
            assert may_be_glued(text), text
