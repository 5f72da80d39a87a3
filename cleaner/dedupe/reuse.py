"""Reuse mode: paragraphs that share a rare passage, not the whole text.

A quote repeated in paraphrase, or one line carried by several outlets inside otherwise
different paragraphs, shares one passage: a run of words in the same order, perhaps with a
word dropped, replaced or swapped. Two paragraphs of one story also share the names, titles
and frames every article repeats («ولادیمیر پوتین رئیس جمهور روسیه», «سخنگوی کاخ سفید ...
گفت»), and a few story terms scattered through them («تضمینهای امنیتی»). The score tells
them apart by three things at once:

* **rarity of words**: a word weighs ``log((N+1)/df) / log((N+1)/2)`` in ``[0, 1]``, where
  ``df`` is the number of *distinct* paragraphs (batch and index) holding it: 1 when only
  the two paragraphs hold it, near 0 for «و», «پوتین», «روسیه»;
* **rarity of phrases**: inside a run of shared words, a word counts its rarity times that
  of the rarest bigram it forms there. A phrase many paragraphs hold (the frame «سخنگوی
  کاخ سفید», «تاکید کرد که») weighs little even when its words alone do not; a run of
  common words that only these two paragraphs hold («از پاسخ غرب به») keeps its weight.
  This is the stop-phrase list, learnt from the batch instead of written down. A word
  shared alone (a run of one) counts its own rarity;
* **contiguity**: only the two heaviest *chains* of runs count. A chain is runs in the
  same order in both paragraphs, each starting at most :data:`MAX_GAP` words after the one
  before (a dropped, replaced or swapped word); two chains, because a quote reported in
  other words keeps its clauses but not always their order (000:9 and 000:12 of the
  seeds). So the story terms two paragraphs share here and there do not add up.

A pair is reused when its chains weigh at least ``reuse_min_weight`` and that is at least
``reuse_threshold`` of the smaller paragraph's word weight (:mod:`cleaner.dedupe.options`).

Why, by measurement (``python bench/reuse_eval.py``; figures in its docstring): the share
of rare bigrams alone pairs a decoy made of the story's common words with
its source whenever those words sit in bigrams only the two hold («پوتین که مسکو»), and
two made lines with one attribution frame. Weighting words by rarity alone loses reused
clauses of common words; weighting bigrams alone lets decoy bigrams through; chains of
both keep a decoy's three-word runs apart (each run is cheap) and a reused clause together.
On generated rounds held out from tuning, chains score precision 0.978 and recall 0.627
against 0.905 and 0.586 for the share of rare bigrams.

Words are those of the string shingles are cut from: the matching key, where the standalone
Persian affixes of :data:`cleaner.dedupe.keys.JOIN_LEFT` and
:data:`cleaner.dedupe.keys.JOIN_RIGHT` are glued to their word, so ``گردان های`` and
``گردانهای`` are one word (a batch in reuse mode takes them from the keys it shingles).
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from cleaner.dedupe.keys import shingle_text, shingle_texts
from cleaner.dedupe.pairs import ranked

#: Words a chain may skip between two runs, in either paragraph (edits of a word or two).
MAX_GAP = 2
#: Chains of a pair that count (clauses of a quote may come in another order).
CHAINS = 2


def words(text: str) -> list[str]:
    """The words of a paragraph's matching key, with detached affixes glued back: the words
    of the string its shingles are cut from (:func:`cleaner.dedupe.keys.shingle_text`).

    >>> words("گردان های روسی می تواند") == words("گردانهای روسی میتواند")
    True
    """
    return shingle_text(text).split()


def many_words(texts: Sequence[str]) -> list[list[str]]:
    """:func:`words` of many texts (their keys made for the whole batch at once).

    >>> many_words(["گردان های روسی", "a b"]) == [words("گردان های روسی"), ["a", "b"]]
    True
    """
    return words_of_keys(shingle_texts(texts))


def words_of_keys(keys: Sequence[str], canon: dict[str, str] | None = None) -> list[list[str]]:
    """The words of shingle texts already made (:func:`cleaner.dedupe.keys.shingle_texts`);
    ``canon`` holds one object per distinct word, shared by the slices of a batch.

    >>> words_of_keys(["a b", "b"])
    [['a', 'b'], ['b']]
    """
    # One object per distinct word: 200k paragraphs hold 8M words, a few hundred thousand
    # distinct (a string object apiece took most of reuse mode's memory).
    canon = {} if canon is None else canon
    keep = canon.setdefault
    return [list(map(keep, ws, ws)) for ws in map(str.split, keys)]


@lru_cache(maxsize=1 << 18)
def term_id(term: str) -> int:
    """A stable signed 64-bit id for a word or bigram (same in every process).

    >>> term_id("a") == term_id("a") and term_id("a") != term_id("b")
    True
    """
    return int.from_bytes(
        hashlib.blake2b(term.encode(), digest_size=8).digest(), "big", signed=True
    )


def bigram_ids(ws: Sequence[str]) -> list[int]:
    """Ids of the word bigrams of a paragraph (its phrase keys): :func:`term_id` of each.

    Hashed without :func:`term_id`'s cache: a bigram is rarely met twice in a batch.

    >>> bigram_ids(["a", "b"]) == [term_id("a b")]
    True
    """
    blake = hashlib.blake2b
    return [
        int.from_bytes(blake(f"{a} {b}".encode(), digest_size=8).digest(), "big", signed=True)
        for a, b in zip(ws[:-1], ws[1:], strict=True)
    ]


def many_bigram_ids(many: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """:func:`bigram_ids` of many paragraphs, as int64 arrays: each distinct bigram of the
    batch hashed once (a day of news holds 296,000 distinct among 528,000).

    >>> [a.tolist() for a in many_bigram_ids([["a", "b", "c"], ["a"], ["a", "b"]])] == [
    ...     bigram_ids(["a", "b", "c"]), [], bigram_ids(["a", "b"])]
    True
    """
    if not many:
        return []
    # Each distinct word numbered in the order first met.
    code = {w: k for k, w in enumerate(dict.fromkeys(itertools.chain.from_iterable(many)))}
    lengths = np.fromiter(map(len, many), np.int64, len(many))
    flat = np.fromiter(
        map(code.__getitem__, itertools.chain.from_iterable(many)), np.int64, int(lengths.sum())
    )
    ends = np.cumsum(lengths)
    starts_pair = np.ones(len(flat), dtype=bool)  # a bigram starts at every word but a last
    starts_pair[ends[lengths > 0] - 1] = False
    at = np.flatnonzero(starts_pair)
    distinct, rank = ranked(flat[at] * max(len(code), 1) + flat[at + 1])
    # UTF-8 of "a b" is that of a, a space, b; a copy of a blank hash is quicker to make
    # than a new one.
    vocab = [w.encode() for w in code]
    spaced = [w + b" " for w in vocab]
    left, right = np.divmod(distinct, max(len(code), 1))
    blank = hashlib.blake2b(digest_size=8).copy
    digests: list[bytes] = []
    keep = digests.append
    for x, y in zip(left.tolist(), right.tolist(), strict=True):
        h = blank()
        h.update(spaced[x] + vocab[y])
        keep(h.digest())
    ids = np.frombuffer(b"".join(digests), dtype=">i8").astype(np.int64)[rank]
    return np.split(ids, np.cumsum(np.maximum(lengths - 1, 0))[:-1])


def term_ids(ws: Sequence[str]) -> set[int]:
    """Ids of the distinct words and bigrams of a paragraph: the terms weights count.

    A word has no space and a bigram has one, so their ids never meet.

    >>> len(term_ids(["a", "b", "a", "b"]))  # a, b, "a b", "b a"
    4
    """
    return {term_id(w) for w in ws} | set(bigram_ids(ws))


@dataclass(frozen=True)
class ReuseScore:
    """Weight of the best shared chain, and its share of the smaller paragraph's weight."""

    weight: float
    fraction: float


class Weights:
    """Rarity weights of term ids: 1 for a term two paragraphs hold, less when common.

    The document frequencies are held as two arrays (the term ids sorted, their counts), so
    the weights of a whole batch's terms are one sorted look-up.
    """

    def __init__(self, df: Mapping[int, int], n_paragraphs: int) -> None:
        terms = np.fromiter(df.keys(), np.int64, len(df))
        counts = np.fromiter(df.values(), np.int64, len(df))
        order = np.argsort(terms)
        self._set(terms[order], counts[order], n_paragraphs)

    @classmethod
    def of_arrays(cls, terms: np.ndarray, counts: np.ndarray, n_paragraphs: int) -> Weights:
        """Weights from document frequencies as arrays: ``terms`` sorted and distinct.

        >>> w = Weights.of_arrays(np.array([1, 2]), np.array([2, 50]), 100)
        >>> w(2) == Weights({2: 50}, 100)(2)
        True
        """
        made = cls.__new__(cls)
        made._set(terms, counts, n_paragraphs)
        return made

    def _set(self, terms: np.ndarray, counts: np.ndarray, n_paragraphs: int) -> None:
        self._terms = terms.astype(np.int64, copy=False)
        self._counts = counts.astype(np.int64, copy=False)
        self._n = max(n_paragraphs, 2)
        self._scale = math.log((self._n + 1) / 2)
        self._known: dict[int, float] = {}  # a pair scores every word: compute each once

    def _df(self, terms: np.ndarray) -> np.ndarray:
        """Document frequency of each term id (2 for a term not counted)."""
        if not len(self._terms):
            return np.full(len(terms), 2, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._terms, terms), len(self._terms) - 1)
        return np.where(self._terms[at] == terms, self._counts[at], 2)

    def __call__(self, term: int) -> float:
        """Weight of one term id (word or bigram), in ``[0, 1]``.

        >>> w = Weights({1: 2, 2: 50, 3: 101}, 100)
        >>> round(w(1), 2), round(w(2), 2), w(3)
        (1.0, 0.18, 0.0)
        """
        got = self._known.get(term)
        if got is None:
            df = max(int(self._df(np.array([term], dtype=np.int64))[0]), 2)
            got = min(1.0, max(0.0, math.log((self._n + 1) / df) / self._scale))
            self._known[term] = got
        return got

    def many(self, terms: np.ndarray) -> np.ndarray:
        """Weights of many term ids at once.

        >>> Weights({1: 2, 2: 50, 3: 101}, 100).many(np.array([3, 1, 3])).tolist()
        [0.0, 1.0, 0.0]
        """
        df = self._df(np.asarray(terms, dtype=np.int64)).astype(np.float64)
        got = np.log((self._n + 1) / np.maximum(df, 2.0)) / self._scale
        return np.clip(got, 0.0, 1.0)


def shared_runs(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """Maximal runs of consecutive words both hold: ``(start in a, start in b, length)``.

    Runs come in the order of their start in ``a``.

    >>> shared_runs("x a b c d".split(), "a b y c d".split())
    [(1, 0, 2), (3, 3, 2)]
    """
    where: dict[str, list[int]] = defaultdict(list)
    for j, w in enumerate(b):
        where[w].append(j)
    # A run starts at every shared pair of positions whose words before do not match too;
    # it is then read forward. Each shared pair of positions is visited once.
    na, nb = len(a), len(b)
    found: list[tuple[int, int, int]] = []
    for i, w in enumerate(a):
        at = where.get(w)
        if at is None:
            continue
        for j in at:
            if i and j and a[i - 1] == b[j - 1]:
                continue
            n = 1
            while i + n < na and j + n < nb and a[i + n] == b[j + n]:
                n += 1
            found.append((i, j, n))
    return found


def run_weight(word_w: Sequence[float], pair_w: Sequence[float], start: int, length: int) -> float:
    """Weight of a shared run: each word's rarity times the rarest bigram it forms in the run.

    ``word_w[k]`` is the rarity of word ``k``, ``pair_w[k]`` that of the bigram ``k, k+1``.
    A phrase many paragraphs hold weighs little even when its words alone do not; a run of
    one word counts its rarity.

    >>> run_weight([1.0, 0.5, 0.5], [0.2, 1.0], 0, 3)  # 1*0.2 + 0.5*1 + 0.5*1
    1.2
    >>> run_weight([1.0, 0.5, 0.5], [0.2, 1.0], 0, 1)
    1.0
    """
    if length == 1:
        return word_w[start]
    total = 0.0
    for k in range(start, start + length):
        left = pair_w[k - 1] if k > start else 0.0
        right = pair_w[k] if k < start + length - 1 else 0.0
        total += word_w[k] * max(left, right)
    return total


def best_chain(
    runs: Sequence[tuple[int, int, int]], values: Sequence[float], max_gap: int
) -> tuple[float, list[int]]:
    """Heaviest chain of runs in order in both paragraphs, at most ``max_gap`` words apart.

    Returns its weight and the indexes of its runs.

    >>> best_chain([(0, 0, 2), (3, 3, 2), (9, 1, 1)], [2.0, 1.5, 5.0], 1)
    (5.0, [2])
    >>> best_chain([(0, 0, 2), (3, 3, 2)], [2.0, 1.5], 1)
    (3.5, [0, 1])
    """
    if not runs:
        return 0.0, []
    # end in a -> {end in b -> (weight, index) of the heaviest chain ending there}: most
    # runs have no run ending just before them in ``a``, so one look-up per gap in ``a``
    # settles them. Ties keep the first found (gaps in ``a``, then in ``b``, smallest first).
    # The ends in ``a`` are shifted by ``max_gap``: a gap before the first word reads None.
    ends: list[dict[int, tuple[float, int]] | None] = [None] * (
        max_gap + 1 + max(i + n for i, _, n in runs)
    )
    total: list[float] = []
    back: list[int] = []
    gaps = range(max_gap + 1)
    for k, ((i, j, n), value) in enumerate(zip(runs, values, strict=True)):
        prev, carried = -1, 0.0
        for gi in gaps:
            row = ends[i + max_gap - gi]
            if row is None:
                continue
            for gj in gaps:
                got = row.get(j - gj)
                if got is not None and got[0] > carried:
                    carried, prev = got
        weight = value + carried
        total.append(weight)
        back.append(prev)
        row = ends[i + n + max_gap]
        if row is None:
            ends[i + n + max_gap] = {j + n: (weight, k)}
        else:
            got = row.get(j + n)
            if got is None or got[0] < weight:
                row[j + n] = (weight, k)
    best = max(total)
    k = total.index(best)  # the first of the heaviest
    chain = []
    while k >= 0:
        chain.append(k)
        k = back[k]
    return best, chain[::-1]


def best_chains(
    runs: Sequence[tuple[int, int, int]], values: Sequence[float], max_gap: int, count: int
) -> float:
    """Weight of the ``count`` heaviest chains that share no word of ``a``.

    A quote reported in other words keeps its clauses, not their order: «نگران امنیت خود
    ... در مقیاس جهانی» and «گردانهای ... در خاک روسیه» come in two chains.

    >>> best_chains([(0, 5, 2), (4, 0, 2)], [2.0, 1.5], 1, 2)
    3.5
    """
    weight = 0.0
    runs, values = list(runs), list(values)
    for left in range(count - 1, -1, -1):
        got, chain = best_chain(runs, values, max_gap)
        if not chain:
            break
        weight += got
        if not left:
            break
        used = {runs[k][0] + x for k in chain for x in range(runs[k][2])}
        keep = [k for k, (i, _, n) in enumerate(runs) if used.isdisjoint(range(i, i + n))]
        runs, values = [runs[k] for k in keep], [values[k] for k in keep]
    return weight


def reuse_score(
    a: Sequence[str],
    b: Sequence[str],
    weight: Weights,
    max_gap: int = MAX_GAP,
    chains: int = CHAINS,
) -> ReuseScore:
    """Weight of the best chain of shared runs of two paragraphs' words (see the module).

    >>> rare = Weights({}, 100)  # every term held by two paragraphs only: weight 1
    >>> s = reuse_score("x a b c d y".split(), "a b q c d".split(), rare)
    >>> s.weight, s.fraction  # runs "a b" and "c d", one replaced word between them
    (4.0, 0.8)
    >>> reuse_score("a b c d".split(), "d c b a".split(), rare).weight  # two chains of one
    2.0
    """
    if not shared_runs(a, b):
        return ReuseScore(0.0, 0.0)
    word_w = [weight(term_id(w)) for w in a]
    pair_w = [weight(t) for t in bigram_ids(a)]
    smaller = min(sum(word_w), sum(weight(term_id(w)) for w in b))
    return ReuseScore(*chain_score(a, b, word_w, pair_w, smaller, max_gap, chains))


def chain_score(
    a: Sequence[str],
    b: Sequence[str],
    word_w: Sequence[float],
    pair_w: Sequence[float],
    smaller: float,
    max_gap: int = MAX_GAP,
    chains: int = CHAINS,
) -> tuple[float, float]:
    """:func:`reuse_score` given the rarities of ``a``'s words and bigrams (``pair_w[k]``:
    bigram ``k, k+1``; entries past the last are ignored) and the smaller paragraph's weight.

    >>> chain_score("x a b".split(), "a b y".split(), [1.0] * 3, [1.0] * 2, 3.0)
    (2.0, 0.6666666666666666)
    """
    runs = shared_runs(a, b)
    if not runs:
        return 0.0, 0.0
    # (a run of one word, most of them, weighs its word: no call)
    values = [word_w[i] if n == 1 else run_weight(word_w, pair_w, i, n) for i, _, n in runs]
    chain = best_chains(runs, values, max_gap, chains)
    return chain, min(1.0, chain / smaller) if smaller else 0.0
