"""Reuse mode: paragraphs that share a rare phrase, not the whole text.

A quote repeated in paraphrase, or one line carried by several outlets inside otherwise
different paragraphs, shares only a few phrases. Phrases are word bigrams of the matching
key; each bigram the two paragraphs share counts its own rarity: ``log((N+1)/df) /
log((N+1)/2)``, capped at 1, where ``df`` is the number of *distinct* paragraphs (batch and
index) holding the bigram. A bigram only the two hold weighs 1; the names and titles every
article of a story repeats («ولادیمیر پوتین», «رئیس جمهور», «کاخ سفید») and generic frames
(«اعلام کرد», «در این») are held by many and weigh little. A pair is reused when the shared
weight reaches ``min_weight`` (rare-bigram equivalents) and ``threshold`` of the bigram
weight of the larger paragraph (a share of the smaller alone pairs any short paragraph
with every long one that happens to hold its few rare bigrams).

Why bigrams and not words, by measurement (``python bench/reuse_eval.py``): weighting shared
*words* by their IDF lets a run of names the story repeats in different contexts («ولادیمیر
پوتین و جو بایدن روسای جمهوری روسیه و آمریکا») outweigh a paraphrased quote, because each
name is still rare-ish as a word; as bigrams, the pieces of such a run are each held by many
paragraphs, while a reused clause brings bigrams («پیشرفت اساسی», «اساسی در») no other
paragraph has. Counting distinct paragraphs keeps a syndicated copy of an article from
halving the weight of everything it repeats.

Words are cut from the matching key; the standalone Persian affixes of :data:`JOIN_LEFT` and
:data:`JOIN_RIGHT` are glued to their word, so ``گردان های`` and ``گردانهای`` are one word.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from cleaner.dedupe.keys import matching_key

#: Affixes written apart (space or ZWNJ) that belong to the word before them.
JOIN_LEFT = frozenset(
    ["ها", "های", "هایی", "ای", "ام", "اند", "ایم", "اید", "تر", "ترین", "هایش", "شان"]
)
#: Prefixes written apart that belong to the word after them.
JOIN_RIGHT = frozenset(["می", "نمی"])


def words(text: str) -> list[str]:
    """The words of a paragraph's matching key, with detached affixes glued back.

    >>> words("گردان های روسی می تواند") == words("گردانهای روسی میتواند")
    True
    """
    out: list[str] = []
    glue = False
    for w in matching_key(text).split():
        if out and (glue or w in JOIN_LEFT):
            out[-1] += w
        else:
            out.append(w)
        glue = w in JOIN_RIGHT
    return out


def term_id(term: str) -> int:
    """A stable signed 64-bit id for a word or bigram (same in every process).

    >>> term_id("a") == term_id("a") and term_id("a") != term_id("b")
    True
    """
    return int.from_bytes(
        hashlib.blake2b(term.encode(), digest_size=8).digest(), "big", signed=True
    )


def bigram_ids(ws: Sequence[str]) -> list[int]:
    """Ids of the word bigrams of a paragraph (its phrase keys)."""
    return [term_id(f"{a} {b}") for a, b in zip(ws[:-1], ws[1:], strict=True)]


@dataclass(frozen=True)
class ReuseScore:
    """Shared rare-bigram weight (absolute) and its share of the larger paragraph's weight."""

    weight: float
    fraction: float


class Weights:
    """Rarity weights of bigram ids: 1 for a bigram two paragraphs hold, less when common."""

    def __init__(self, df: Mapping[int, int], n_paragraphs: int) -> None:
        self._df = df
        self._n = max(n_paragraphs, 2)
        self._scale = math.log((self._n + 1) / 2)

    def __call__(self, term: int) -> float:
        """Weight of one bigram id, in ``[0, 1]``.

        >>> w = Weights({1: 2, 2: 50, 3: 101}, 100)
        >>> round(w(1), 2), round(w(2), 2), w(3)
        (1.0, 0.18, 0.0)
        """
        df = max(self._df.get(term, 2), 2)
        return min(1.0, max(0.0, math.log((self._n + 1) / df) / self._scale))


def reuse_score(a: Collection[int], b: Collection[int], weight: Weights) -> ReuseScore:
    """Rarity weight of the bigrams two paragraphs share (bigram ids, any order).

    >>> w = Weights({1: 2, 2: 2, 3: 2, 9: 99}, 100)
    >>> s = reuse_score([1, 2, 3, 4], [2, 3, 9], w)
    >>> round(s.weight, 2), round(s.fraction, 2)
    (2.0, 0.5)
    """
    sa, sb = set(a), set(b)
    total_a = sum(weight(t) for t in sa)
    total_b = sum(weight(t) for t in sb)
    if not total_a or not total_b:
        return ReuseScore(0.0, 0.0)
    shared = sum(weight(t) for t in sa & sb)
    return ReuseScore(shared, shared / max(total_a, total_b))
