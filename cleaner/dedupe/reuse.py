"""Reuse mode: paragraphs that share a rare phrase, not the whole text.

A quote repeated in paraphrase, or one line carried by several outlets inside otherwise
different paragraphs, shares only a few phrases. Shared *phrases* are found as word bigrams
present in both paragraphs; each word covered by a shared bigram counts its IDF weight
(over the batch and the index), normalised to ``[0, 1]``, so the names and titles every
article of a story repeats count little and rare words count fully. A pair is reused when
the covered weight is large in absolute terms (``min_weight`` rare-word equivalents) and
covers at least ``threshold`` of the weight of each paragraph.

Words are cut from the matching key; the standalone Persian affixes of :data:`JOIN_LEFT` and
:data:`JOIN_RIGHT` are glued to their word, so ``گردان های`` and ``گردانهای`` are one word.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
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
    """Covered rare-word weight (absolute) and its smallest share of either paragraph."""

    weight: float
    fraction: float


class Weights:
    """IDF weights of words, normalised so a word seen once weighs 1."""

    def __init__(self, df: Mapping[str, int], n_docs: int) -> None:
        self._df = df
        self._n = max(n_docs, 1)
        self._log = math.log(self._n + 1)

    def __call__(self, word: str) -> float:
        """Weight of one word: ``log((N+1)/df) / log(N+1)``, in ``[0, 1]``."""
        df = max(self._df.get(word, 1), 1)
        return max(0.0, math.log((self._n + 1) / df) / self._log)


def _covered(a: Sequence[str], b_bigrams: set[tuple[str, str]]) -> set[int]:
    """Positions of ``a`` inside a bigram that ``b`` also has."""
    cov: set[int] = set()
    for p in range(len(a) - 1):
        if (a[p], a[p + 1]) in b_bigrams:
            cov.update((p, p + 1))
    return cov


def reuse_score(a: Sequence[str], b: Sequence[str], weight: Weights) -> ReuseScore:
    """Rare-word weight covered by phrases two word lists share.

    >>> w = Weights({"x": 1, "y": 1, "z": 1, "common": 9}, 9)
    >>> s = reuse_score("x y z".split(), "q x y z".split(), w)
    >>> round(s.weight, 2), round(s.fraction, 2)
    (3.0, 0.75)
    """
    total_a = sum(weight(w) for w in a)
    total_b = sum(weight(w) for w in b)
    if not total_a or not total_b:
        return ReuseScore(0.0, 0.0)
    cov_a = sum(weight(a[p]) for p in _covered(a, set(zip(b[:-1], b[1:], strict=True))))
    cov_b = sum(weight(b[p]) for p in _covered(b, set(zip(a[:-1], a[1:], strict=True))))
    return ReuseScore(min(cov_a, cov_b), min(cov_a / total_a, cov_b / total_b))
