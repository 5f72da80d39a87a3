"""Which of a few character classes occur in a text, for the whole text at once.

The regex engine tests a character class one character at a time, about 10 ns a character
for the classes the rules stage needs (invisible characters, exotic spaces, cased letters,
foreign scripts): one scan per class over every document was a quarter of the stage's
time, and most scans find nothing. A :class:`CharTable` holds one bit per class for every
character of the Basic Multilingual Plane; a text is looked up in it with numpy (its
UTF-16 code units index the table), so all the classes cost one pass in C.

Answers are exact for text inside the BMP. A character beyond it (an emoji, a
mathematical letter) is two surrogate code units; the table marks surrogates as present
for every class that may hold such characters, so :meth:`CharTable.present` may say "maybe"
but never misses a class.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

#: Every BMP character once, in order (lone surrogates included); built on first use.
_BMP: list[str] = []

_SURROGATES = slice(0xD800, 0xE000)


def _bmp() -> str:
    if not _BMP:
        _BMP.append("".join(map(chr, range(0x10000))))
    return _BMP[0]


def members(body: str) -> np.ndarray:
    """A boolean table over the BMP of the characters the class ``[body]`` matches.

    >>> table = members("a-c\\u0400")
    >>> [chr(c) for c in np.flatnonzero(table)]
    ['a', 'b', 'c', 'Ѐ']
    """
    rx = re.compile(f"[{body}]")
    # Each member becomes a NUL (one character for one): the NULs' positions are the
    # members, found in C; NUL itself is then tested on its own.
    marked = rx.sub("\0", _bmp())
    table = code_units(marked) == 0
    table[0] = rx.match("\0") is not None
    return table


def beyond_bmp(body: str) -> bool:
    """Whether the class ``[body]`` may match a character beyond the BMP.

    >>> beyond_bmp("a-z"), beyond_bmp("^a-z"), beyond_bmp("\\U0001F600")
    (False, True, True)
    """
    # A negated class, a category (\\d, \\w...) or an escape it would take a parser to
    # read may hold astral characters: say so (the answer only has to be safe).
    return (
        body.startswith("^")
        or re.search(r"\\[^ux]", body) is not None
        or any(ord(ch) > 0xFFFF for ch in body)
    )


def code_units(text: str) -> np.ndarray:
    """The UTF-16 code units of ``text`` (lone surrogates kept as they are).

    >>> code_units("a\\U0001F600").tolist()
    [97, 55357, 56832]
    """
    return np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype="<u2")


class CharTable:
    """Up to 32 named character classes, looked up together.

    Args:
        classes: Class name -> the body of a regex character class (what goes between
            ``[`` and ``]``, ``^`` first for a negated class).

    >>> table = CharTable({"cyrillic": "\\u0400-\\u04ff", "digit": "0-9"})
    >>> sorted(table.present("Привет 2021")), sorted(table.present("سلام"))
    (['cyrillic', 'digit'], [])
    """

    def __init__(self, classes: Mapping[str, str]) -> None:
        if len(classes) > 32:
            raise ValueError("a CharTable holds at most 32 classes")
        self.names = tuple(classes)
        self._bodies = tuple(classes.values())
        self._table: np.ndarray | None = None

    @property
    def _bits(self) -> np.ndarray:
        """The table, built on first use (a few ms a class: importing stays cheap)."""
        if self._table is None:
            table = np.zeros(0x10000, dtype=np.uint32)
            for bit, body in enumerate(self._bodies):
                flag = np.uint32(1 << bit)
                table[members(body)] |= flag
                if beyond_bmp(body):
                    table[_SURROGATES] |= flag
            self._table = table
        return self._table

    def mask(self, text: str) -> int:
        """The bits of the classes that occur in ``text`` (bit ``k``: the k-th class)."""
        if not text:
            return 0
        return int(np.bitwise_or.reduce(self._bits.take(code_units(text))))

    def present(self, text: str) -> frozenset[str]:
        """Names of the classes ``text`` holds a character of (maybe, beyond the BMP)."""
        mask = self.mask(text)
        return frozenset(name for k, name in enumerate(self.names) if mask >> k & 1)

    def bit(self, name: str) -> int:
        """The bit of class ``name`` in :meth:`mask`."""
        return 1 << self.names.index(name)

    def lines(self, text: str, names: Iterable[str] | None = None) -> dict[str, set[int]]:
        """For each class ``text`` holds, the numbers of the lines (split on ``\\n``) with one.

        Args:
            text: The text.
            names: Only these classes (default: all).

        >>> CharTable({"digit": "0-9"}).lines("a\\nb1\\nc\\n22")
        {'digit': {1, 3}}
        """
        if not text:
            return {}
        codes = code_units(text)
        found = self._bits.take(codes)
        wanted = sum(map(self.bit, names)) if names is not None else (1 << len(self.names)) - 1
        mask = int(np.bitwise_or.reduce(found)) & wanted
        if not mask:
            return {}
        newlines = np.flatnonzero(codes == 10)
        out = {}
        for k, name in enumerate(self.names):
            if mask >> k & 1:
                # (flatnonzero is several times faster on booleans than on integers)
                at = np.flatnonzero((found & np.uint32(1 << k)) != 0)
                out[name] = set(np.searchsorted(newlines, at).tolist())
        return out


class ByteClasses:
    """Up to 8 classes of byte values, counted together in bytes.

    One ``bytes.translate`` maps every byte to the bit set of the classes it is in, then
    one ``bytes.count`` per bit set that occurs: both in C, where a regex or a translate
    per class would pass over the data once per class.

    >>> ByteClasses([b"abc", b"c", range(0x80, 0x100)]).counts(b"a c \\xc7\\xe1 cc")
    [4, 3, 2]
    """

    def __init__(self, classes: Sequence[Iterable[int]]) -> None:
        if len(classes) > 8:
            raise ValueError("ByteClasses holds at most 8 classes")
        table = bytearray(256)
        for k, members in enumerate(classes):
            for b in members:
                table[b] |= 1 << k
        self._table = bytes(table)
        self._size = len(classes)
        self._sets = tuple(sorted(set(table) - {0}))

    def counts(self, data: bytes) -> list[int]:
        """How many bytes of ``data`` each class holds, in the order of the classes."""
        sets = data.translate(self._table)
        out = [0] * self._size
        for bits in self._sets:
            n = sets.count(bits)
            if n:
                for k in range(self._size):
                    if bits >> k & 1:
                        out[k] += n
        return out
