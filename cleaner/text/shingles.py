"""Word shingles of a comparison key, and how much of one line another holds.

A sentence printed again with a word changed, a space added inside a word or a clause cut
(a pull quote, an editor's list of an article's sentences) keeps most of its runs of
consecutive words: the share of a line's word n-grams found in another line tells a near
copy from a sentence that only shares names with it.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")

#: A line's word n-grams, each by its hash: set operations on ints do not hash every
#: tuple of words again, and the sets are only compared within one process.
Shingles = frozenset[int]


def words_of(text: str) -> tuple[str, ...]:
    """The words of a line, punctuation left out.

    >>> words_of("قال  الوزير: «نعم».")
    ('قال', 'الوزير', 'نعم')
    """
    return tuple(_WORD.findall(text))


def word_shingles(words: tuple[str, ...], size: int) -> Shingles:
    """The distinct runs of ``size`` consecutive words (their hashes); none when there are
    fewer words.

    >>> word_shingles(("a", "b", "c", "d"), 3) == {hash(("a", "b", "c")), hash(("b", "c", "d"))}
    True
    >>> word_shingles(("a", "b"), 3)
    frozenset()
    """
    return frozenset(map(hash, zip(*[words[i:] for i in range(size)], strict=False)))


def contained_share(part: Shingles, whole: Shingles) -> float:
    """The share of ``part``'s shingles that ``whole`` holds (0 for an empty ``part``).

    >>> a = word_shingles(("a", "b", "c", "d"), 2)
    >>> contained_share(a, word_shingles(("x", "a", "b", "c", "y"), 2))
    0.6666666666666666
    """
    return len(part & whole) / len(part) if part else 0.0
