"""Which of many fixed strings a text may hold, most of them ruled out at once.

The rules stage looks for a few hundred strings (the words a rule's regex needs) in every
document; a substring test walks the document once per string, and in Arabic or Persian
text the search's skip table helps little (the letters share a few hundred code points),
so those scans were a fifth of the stage's time. A :class:`SubstringSieve` reads a text's
character trigrams once, with numpy, into a table of hashes; a string with a trigram the
text lacks cannot be in it, and only the few strings left are looked for.

The answer is a superset: a string the text holds is never ruled out (each of its trigrams
is one of the text's, so its hash is in the table); a hash collision or trigrams found apart
only leave a string to the real substring test. Trigrams are of UTF-16 code units, so a
character beyond the BMP (two units) needs no care: a substring's units are a run of the
text's units.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cleaner.text.charclass import code_units

#: Strings are ruled out by runs of this many code units; shorter strings never are.
GRAM = 3
#: log2 of the hash table's size, for the shortest texts and the longest: a text's trigrams
#: fill at most about a sixth of it (below the longest), and a small table costs less to
#: clear than a large one.
_MIN_BITS, _MAX_BITS = 10, 16
#: Below this many characters scanned (the text's length times the number of strings), a
#: substring test for every string costs less than the sieve's dozen numpy calls (about
#: 20 µs whatever the text).
_SCAN_BELOW = 25_000
#: Odd multipliers: each spreads a code unit over all 16 bits (a bijection modulo 2^16).
_MULT = (np.uint16(0x9E37), np.uint16(0x85EB), np.uint16(0xC2B3))


def gram_hashes(units: np.ndarray) -> np.ndarray:
    """The 16-bit hash of each run of :data:`GRAM` code units of ``units``, in order (its
    top bits index a table; the arithmetic wraps modulo 2^16, in place of a cast).

    >>> h = gram_hashes(code_units("abcabc")).tolist()
    >>> len(h), h[0] == h[3], h[0] == h[1]
    (4, True, False)
    """
    n = len(units) - GRAM + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint16)
    return units[:n] * _MULT[0] + units[1 : n + 1] * _MULT[1] + units[2 : n + 2] * _MULT[2]


class SubstringSieve:
    """The strings of a fixed list that a text may hold.

    Args:
        strings: The strings looked for.
        scan_below: Texts this short (characters times strings) are scanned for every
            string instead (the answer is then exact).

    >>> sieve = SubstringSieve(["انتهای", "پایان", ":", "abc"], scan_below=0)
    >>> sieve.possible("انتهای پیام:")
    ['انتهای', ':']
    """

    def __init__(self, strings: Sequence[str], scan_below: int = _SCAN_BELOW) -> None:
        self.strings = tuple(strings)
        self._scan_below = scan_below
        grams = [gram_hashes(code_units(s)) for s in self.strings]
        #: Positions of the strings too short to be ruled out: always possible.
        self._short = tuple(k for k, g in enumerate(grams) if not len(g))
        self._long = tuple(k for k, g in enumerate(grams) if len(g))
        longs = [grams[k] for k in self._long]
        self._grams = np.concatenate(longs) if longs else np.zeros(0, dtype=np.uint16)
        #: ``_grams`` as table slots, for each table size used so far.
        self._slots: dict[int, np.ndarray] = {}
        # Where each long string's trigrams start in ``_grams``: reduceat's segments.
        self._starts = np.cumsum([0] + [len(g) for g in longs[:-1]]).astype(np.intp)

    def possible(self, text: str) -> list[str]:
        """The strings ``text`` may hold (every one it holds, maybe a few more), in order."""
        if not self._long:
            return list(self.strings)
        if len(text) * len(self.strings) < self._scan_below:
            return [s for s in self.strings if s in text]
        units = code_units(text)
        bits = min(max(len(units).bit_length() + 3, _MIN_BITS), _MAX_BITS)
        shift = np.uint16(16 - bits)
        slots = self._slots.get(bits)
        if slots is None:
            slots = self._slots[bits] = (self._grams >> shift).astype(np.intp)
        seen = np.zeros(1 << bits, dtype=bool)
        # Indexes of the platform's own integer type: numpy converts any other first.
        seen[(gram_hashes(units) >> shift).astype(np.intp)] = True
        whole = np.logical_and.reduceat(seen[slots], self._starts)
        kept = set(self._short)
        kept.update(self._long[i] for i in np.flatnonzero(whole).tolist())
        return [self.strings[k] for k in sorted(kept)]
