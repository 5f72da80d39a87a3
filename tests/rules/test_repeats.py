"""Helpers of the repeat rules hold to the regexes they stand for."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.rules.repeats import ends_with_question

#: What :func:`ends_with_question` answers, searched forwards.
QUESTION_END = re.compile(r"[?؟]\s*[\"»”)]*\s*$")


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from('ab ?؟"»”)\n\t\u00a0.«\x0b\x1c\u2028\u3000\r'), max_size=12))
def test_ends_with_question_equals_the_forward_regex(text: str) -> None:
    assert ends_with_question(text) == (QUESTION_END.search(text) is not None)
