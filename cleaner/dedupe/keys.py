"""Matching keys and character shingles: what two paragraphs are compared on.

The key is built for comparison only and never reaches the output text. It folds what
scrapes of one story spell differently: invisible characters and whitespace, Arabic and
Persian yeh/kaf (and alef, teh marbuta, hamza seats), ZWNJ present, absent or a space,
Persian/Arabic-Indic/ASCII digits, tatweel, diacritics, punctuation and case.

Shingles are character 5-grams of the key's words with their single spaces, Persian
affixes written apart (:data:`JOIN_LEFT`, :data:`JOIN_RIGHT`) glued to their word. Why, by
measurement:

* gluing the affixes makes ``می‌تواند``, ``میتواند`` and ``می تواند`` one string (ZWNJ is a
  space in the key), as removing every space did before; the key without spaces also made
  every 5-gram span more of the text, so a dropped or moved word broke a larger share of a
  paragraph's shingles: the mean Jaccard of a light paraphrase to its base was 0.58 without
  spaces and 0.67 with them (issue 11), and recall on light edits lower (figures in
  ``bench/README.md``);
* ``python bench/dedupe_eval.py --n 5000 --seed 2 --shingles 3,4,5,6,7`` (threshold 0.4,
  key without spaces): precision is 1.0 at every size, recall differs. Light edits: 0.998 /
  0.986 / 0.937 / 0.846 / 0.729 for k = 3..7 (each changed word breaks ``k`` shingles);
  quoted spans: 0.590 / 0.888 / 0.958 / 0.962 / 0.976 (short shingles are shared by every
  paragraph of a story, so no rare anchor ties a quoted line to the paragraph quoting it).
  Only k = 5 meets both floors (0.9);
* a paragraph has about as many 5-grams as characters, so hashing them all in one numpy
  pass over a whole batch (no Python object per shingle) is cheap.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from cleaner.text.normalize import INVISIBLE, PERSIAN_FOLD
from cleaner.text.scripts import ARABIC_MARKS

#: Shingle length in characters (see the module docstring for why 5).
SHINGLE_SIZE = 5

_DROP_INVISIBLE = {ord(c): None for c in INVISIBLE}

#: Further folds for comparison only: digits, alef and hamza seats, teh marbuta, tatweel.
_DIGITS = {0x06F0 + i: str(i) for i in range(10)} | {0x0660 + i: str(i) for i in range(10)}
_LETTERS = {
    "\u0623": "\u0627",  # أ -> ا
    "\u0625": "\u0627",  # إ -> ا
    "\u0622": "\u0627",  # آ -> ا
    "\u0671": "\u0627",  # ٱ -> ا
    "\u0624": "\u0648",  # ؤ -> و
    "\u0626": "\u06cc",  # ئ -> ی  (رئیس / رییس)
    "\u0629": "\u0647",  # ة -> ه
    "\u06c0": "\u0647",  # ۀ -> ه
    "\u0640": None,  # tatweel
}
COMPARE_FOLD = str.maketrans({**{chr(k): v for k, v in _DIGITS.items()}, **_LETTERS})

#: Arabic-script diacritics (harakat, superscript alef, Quranic marks).
_DIACRITICS = re.compile(f"[{ARABIC_MARKS}\u06d6-\u06ed]")
_NON_WORD = re.compile(r"[\W_]+")


def dedupe_key(text: str) -> str:
    """Fold a paragraph into the key it is compared on (words separated by one space).

    >>> dedupe_key("رئيس‌جمهور  روسيه، ۲۰۲۱") == dedupe_key("رئیس جمهور روسیه 2021")
    True
    >>> dedupe_key("مُحَمَّـــد Said!")
    'محمد said'
    """
    return _fold(unicodedata.normalize("NFKC", text.translate(_DROP_INVISIBLE)))


def _fold(text: str) -> str:
    """The steps of :func:`dedupe_key` after NFKC (each one maps a character at a time)."""
    text = _DIACRITICS.sub("", text.translate(PERSIAN_FOLD).translate(COMPARE_FOLD))
    return _NON_WORD.sub(" ", text).strip().casefold()


#: Names the string :func:`shingle_text` makes, stored with an index (its shingles, and so its
#: signatures and anchors, hold only against paragraphs keyed the same way).
SHINGLE_KEY = "words-spaced-affixes-glued"

#: Affixes written apart (space or ZWNJ) that belong to the word before them.
JOIN_LEFT = frozenset(
    ["ها", "های", "هایی", "ای", "ام", "اند", "ایم", "اید", "تر", "ترین", "هایش", "شان"]
)
#: Prefixes written apart that belong to the word after them.
JOIN_RIGHT = frozenset(["می", "نمی"])

_LEFT = "|".join(sorted(JOIN_LEFT, key=len, reverse=True))
_RIGHT = "|".join(sorted(JOIN_RIGHT, key=len, reverse=True))
_AFTER_PREFIX = "|".join(rf"(?<=[ \n]{p} )" for p in sorted(JOIN_RIGHT))
#: The space before an affix word, and the one after a prefix word that starts a word (texts
#: split by "\n", one put before the first). Every match starts with the space it removes, so
#: the regex engine looks at spaces only: twice as fast as looking for a prefix everywhere.
_GLUE = re.compile(rf" (?:(?=(?:{_LEFT})(?:[ \n]|$))|(?:{_AFTER_PREFIX})(?=[^ \n]))")


def glue_affixes(key: str) -> str:
    r"""A key (or keys joined by newlines) with the affixes written apart glued to their word.

    >>> glue_affixes("می تواند کتاب ها را\nنمی دانم")
    'میتواند کتابها را\nنمیدانم'
    """
    return _GLUE.sub("", "\n" + key)[1:]


def shingle_text(text: str) -> str:
    """The string shingles are cut from: the matching key with its affixes glued.

    >>> shingle_text("می‌تواند") == shingle_text("می تواند") == shingle_text("میتواند")
    True
    >>> shingle_text("کتاب‌ها، را  خواند!")
    'کتابها را خواند'
    """
    return glue_affixes(dedupe_key(text))


#: Separates texts in a batch; NFKC neither composes across it nor produces it.
_SEP = "\n"
_CODES = 0x110000


@lru_cache(maxsize=1)
def _invisible_table() -> np.ndarray:
    """``True`` at every code point :func:`dedupe_key` drops before NFKC."""
    table = np.zeros(_CODES, dtype=bool)
    table[[ord(c) for c in INVISIBLE]] = True
    return table


def shingle_texts(texts: Sequence[str]) -> list[str]:
    """:func:`shingle_text` of many texts, the same strings, with numpy over the whole batch.

    ``str.translate`` with a dict costs a dict look-up per character, most of the time of a
    batch; here the batch is one array of code points: invisible characters are dropped with
    a mask, NFKC runs text by text, and every later step (folds, diacritics,
    punctuation, case) maps one character to at most one, so it is one table look-up per
    character, the table built by running those steps on each distinct character; spaces are
    then collapsed on the same array, and affixes glued by one regular expression over the
    whole batch. A
    batch where that does not hold (a text holding the separator, a character folding to
    several) takes the per-text path.

    >>> texts = ["می‌تواند", "", "Straße 12!", " کتاب ها ، را "]
    >>> shingle_texts(texts) == [shingle_text(t) for t in texts]
    True
    """
    joined = _mapped(texts)
    if joined is None:
        return [shingle_text(t) for t in texts]
    return glue_affixes(joined).split(_SEP)


def _mapped(texts: Sequence[str]) -> str | None:
    """The texts joined by the separator, each character mapped as :func:`dedupe_key`
    maps it (punctuation to a space) and spaces collapsed as it collapses them, or None when
    the batch must take the per-text path."""
    joined = _SEP.join(texts)
    if not texts or joined.count(_SEP) != len(texts) - 1:
        return None
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    codes = codes[~_invisible_table()[codes]]
    # NFKC text by text: a text already in NFKC (most) passes its quick check untouched,
    # while one odd character would send a whole joined batch down the slow path.
    parts = codes.tobytes().decode("utf-32-le").split(_SEP)
    joined = _SEP.join([unicodedata.normalize("NFKC", t) for t in parts])
    if joined.count(_SEP) != len(texts) - 1:
        return None
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    # Tables up to the batch's largest code point, not all of Unicode's: a shard of 2,000
    # paragraphs spent 4 ms filling and scanning 1.1M entries.
    top = int(codes.max()) + 1 if len(codes) else 1
    present = np.flatnonzero(np.bincount(codes, minlength=top))
    table = np.arange(top, dtype=np.uint32)
    drop = np.zeros(top, dtype=bool)
    sep = ord(_SEP)
    for c in present.tolist():
        if c == sep:
            continue
        out = _fold(chr(c))
        if not out and _NON_WORD.fullmatch(_unmarked(chr(c))):
            out = " "  # punctuation and spaces: a word boundary (a diacritic alone is dropped)
        if len(out) > 1:
            return None
        if out:
            table[c] = ord(out)
        else:
            drop[c] = True
    codes = table[codes[~drop[codes]]]
    return _collapsed(codes).tobytes().decode("utf-32-le")


def _collapsed(codes: np.ndarray) -> np.ndarray:
    """Code points of texts joined by the separator with one space between words and none
    at either end of a text.

    >>> _collapsed(np.array([32, 97, 32, 32, 98, 32, 10, 32, 99], dtype=np.uint32)).tolist()
    [97, 32, 98, 10, 99]
    """
    space, sep = ord(" "), ord(_SEP)
    is_space = codes == space
    # First the spaces after a space, a separator or nothing go: one is left of each run,
    # after a word, ...
    after_word = np.zeros(len(codes), dtype=bool)
    after_word[1:] = ~is_space[:-1] & (codes[:-1] != sep)
    codes = codes[~is_space | after_word]
    # ... then that one where no word follows it.
    at_end = np.ones(len(codes), dtype=bool)
    at_end[:-1] = codes[1:] == sep
    return codes[~((codes == space) & at_end)]


def _unmarked(char: str) -> str:
    """A character after the folds and the removal of diacritics (empty for a diacritic)."""
    return _DIACRITICS.sub("", char.translate(PERSIAN_FOLD).translate(COMPARE_FOLD))


_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_ROLL = np.uint64(0x100000001B3)


def mix64(x: np.ndarray) -> np.ndarray:
    """Scramble uint64 values (splitmix64 finaliser) so every bit depends on every input bit.

    >>> int(mix64(np.array([1], dtype=np.uint64))[0]) != 1
    True
    """
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


def batch_shingles(texts: Sequence[str], k: int = SHINGLE_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Hash the k-grams of many shingle texts at once.

    Returns ``(hashes, offsets)``: the shingle hashes of text ``i`` are
    ``hashes[offsets[i]:offsets[i + 1]]`` (with repeats, in text order). A text shorter than
    ``k`` gives one shingle (itself); an empty text gives none.

    >>> h, off = batch_shingles(["abcdef", "abc", ""], k=5)
    >>> off.tolist()
    [0, 2, 3, 3]
    >>> bool(h[0] != h[1])
    True
    """
    n = len(texts)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    if n == 0:
        return np.zeros(0, dtype=np.uint64), offsets
    # Texts shorter than k are padded with NUL up to k so each yields exactly one shingle.
    padded = [t if len(t) >= k or not t else t + "\0" * (k - len(t)) for t in texts]
    plen = np.maximum(lengths, np.where(lengths > 0, k, 0))
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(plen[:-1], out=starts[1:])
    total = int(plen.sum())
    if total < k:
        return np.zeros(0, dtype=np.uint64), offsets
    width = total - k + 1
    rolled = codes[:width].copy()  # the rolling hash, updated in place
    for j in range(1, k):
        rolled *= _ROLL
        rolled += codes[j : j + width]
    counts = np.maximum(plen - k + 1, 0)
    np.cumsum(counts, out=offsets[1:])
    # Keep the windows that start in a text and end inside the same text: window ``j`` of
    # text ``i`` starts at ``starts[i] + j``, and is shingle ``offsets[i] + j``.
    at = np.arange(int(offsets[-1])) + np.repeat(starts - offsets[:-1], counts)
    return mix64(rolled[at]), offsets
