"""The substring sieve never rules out a string the text holds."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.rules import Rulebook
from cleaner.rules.engine import plan_for
from cleaner.text.substrings import SubstringSieve

ROOT = Path(__file__).resolve().parents[2]

#: Few letters, so that random strings often are substrings of random texts; Arabic,
#: Persian, Latin, space, newline and a character beyond the BMP (two UTF-16 units).
_ALPHABET = st.sampled_from("ابتپکك یي aAb \n:\U0001f600\u200c")


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(_ALPHABET, max_size=60),
    strings=st.lists(st.text(_ALPHABET, min_size=1, max_size=6), max_size=12),
)
def test_every_string_held_is_possible(text: str, strings: list[str]) -> None:
    possible = SubstringSieve(strings, scan_below=0).possible(text)
    assert {s for s in strings if s in text} <= set(possible) <= set(strings)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), text=st.text(_ALPHABET, min_size=3, max_size=80))
def test_slices_of_the_text_are_possible(data: st.DataObject, text: str) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    sieve = SubstringSieve([text[start:end], "zzz"], scan_below=0)
    assert text[start:end] in sieve.possible(text)


def _gate_strings() -> list[str]:
    """Every string the rules' routers gate a regex by, in every stack a document may get."""
    book = Rulebook.load()
    out: set[str] = set()
    for lang in ("ar", "fa", "en"):
        stack = [rs for rs in book.rulesets if rs.scope == "global" or lang in rs.langs]
        out.update(plan_for(stack).router._sieve.strings)
    return sorted(out)


def test_real_gate_strings_on_real_lines() -> None:
    """The router's own strings on the seeds and evaluation documents, whole and line by line."""
    strings = _gate_strings()
    assert len(strings) > 100
    sieve = SubstringSieve(strings, scan_below=0)
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "eval").rglob("*.txt"))
    held = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for part in [text, *text.splitlines()]:
            wanted = [s for s in strings if s in part]
            held += len(wanted)
            assert set(wanted) <= set(sieve.possible(part)), path.name
    assert held > 100


def test_short_texts_are_scanned_exactly() -> None:
    sieve = SubstringSieve(["abc", "xyz", ":"])
    assert sieve.possible("abc: def") == ["abc", ":"]
