"""Character-class tables: the same answer as the regex engine for every character."""

from __future__ import annotations

import re

import numpy as np
import pytest

from cleaner.text.charclass import CharTable, code_units, members
from cleaner.text.normalize import CASELESS, CHARS, INVISIBLE
from cleaner.text.scripts import SCRIPT_CLASSES

CLASSES = {
    "invisible": INVISIBLE,
    "cased": "^" + CASELESS,
    "space": r"\s",
    "digits": r"\d۰-۹",
    **SCRIPT_CLASSES,
}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_members_equal_the_regex_on_every_bmp_character(name):
    body = CLASSES[name]
    rx = re.compile(f"[{body}]")
    table = members(body)
    expected = np.array([rx.match(chr(c)) is not None for c in range(0x10000)])
    assert np.array_equal(table, expected)


def test_present_is_exact_in_the_bmp_and_never_misses_beyond_it():
    table = CharTable({"cased": "^" + CASELESS, "cyrillic": "\u0400-\u04ff"})
    assert table.present("سلام ۱۲ - ©") == frozenset()
    assert table.present("سلام Ok") == {"cased"}
    assert table.present("Привет") == {"cased", "cyrillic"}
    # An astral letter (mathematical bold A) is cased; the table may only say "maybe".
    assert "cased" in table.present("سلام \U0001d400")
    assert "cyrillic" not in table.present("سلام \U0001d400")  # a BMP-only class stays exact


def test_the_package_tables_hold_their_documented_classes():
    assert CHARS.present("a\u200b") == {"cased", "invisible", "script:Latin"}
    assert CHARS.present("Привет سلام") >= {"script:Cyrillic", "script:Arabic"}


def test_lines_names_the_lines_holding_each_class_and_only_the_asked_ones():
    text = "سلام\nПривет мир\n\n中文 and Привет"
    scripts = CharTable({name: cls for name, cls in SCRIPT_CLASSES.items()})
    assert scripts.lines(text, ["Cyrillic", "Han"]) == {"Cyrillic": {1, 3}, "Han": {3}}
    assert scripts.lines(text, ["Greek"]) == {}
    assert scripts.lines("") == {}


def test_code_units_keep_lone_surrogates():
    assert code_units("a\ud800b").tolist() == [97, 0xD800, 98]


def test_too_many_classes_are_refused():
    with pytest.raises(ValueError, match="at most 32"):
        CharTable({str(k): "a" for k in range(33)})


def test_the_normalisers_character_lists_equal_their_classes():
    from cleaner.text.normalize import (
        _CONTROL_CHARS,
        _CONTROL_CLASS,
        _EXOTIC_CHARS,
        _EXOTIC_CLASS,
        _INVISIBLE_RE,
        _OTHER_SPACE_CHARS,
        _OTHER_SPACE_CLASS,
    )

    for chars, rx in (
        (_EXOTIC_CHARS, re.compile(f"[{_EXOTIC_CLASS}]")),
        (_OTHER_SPACE_CHARS, re.compile(f"[{_OTHER_SPACE_CLASS}]")),
        (INVISIBLE, _INVISIBLE_RE),
        (_CONTROL_CHARS, re.compile(f"[{_CONTROL_CLASS}]")),
    ):
        members = [chr(c) for c in range(0x10000) if rx.match(chr(c))]
        assert sorted(members) == sorted(chars)
