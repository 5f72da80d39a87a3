"""Helpers of the repeat rules hold to the regexes they stand for."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.rules.repeats import _bare, _bulleted, ends_with_question

#: What :func:`ends_with_question` answers, searched forwards.
QUESTION_END = re.compile(r"[?؟]\s*[\"»”)]*\s*$")


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from('ab ?؟"»”)\n\t\u00a0.«\x0b\x1c\u2028\u3000\r'), max_size=12))
def test_ends_with_question_equals_the_forward_regex(text: str) -> None:
    assert ends_with_question(text) == (QUESTION_END.search(text) is not None)


#: What ``_bare`` and ``_bulleted`` answer, by the regex alone.
LIST_NUMBER = re.compile(r"^\s*[\d۰-۹٠-٩]{1,3}\s*[-.)]\s*")
BULLET = re.compile(r"^\s*[-–—•*·▪►]")


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("a 1۴٤٣.-)•*►–\t\u00a0\u2028\u0661\uff11x"), max_size=8))
def test_list_number_and_bullet_shortcuts_equal_the_regexes(text: str) -> None:
    m = LIST_NUMBER.match(text)
    assert _bare(text) == (text[m.end() :] if m else text)
    assert _bulleted(text) == (BULLET.match(text) is not None)
