"""Bytes -> text: detect the encoding, refuse binary input, repair Persian/Arabic mojibake.

The order of the checks is the design (cheap and certain first, statistical last):

1. empty input decodes to ``""``;
2. a byte order mark (UTF-8, UTF-16, UTF-32) decides;
3. a known binary signature (PNG, PDF, zip, gzip...) is refused with advice;
4. NUL bytes or control bytes: UTF-32/UTF-16 without BOM (by the layout of the bytes) or binary;
5. strict UTF-8 (the common case; one C-speed pass, fine on 50 MB);
6. UTF-8 with a few broken sequences (truncated scrapes): decoded with U+FFFD, noted;
7. Arabic-script legacy code pages (windows-1256, ISO-8859-6) by a direct test of the high
   bytes, because charset-normalizer guesses CJK code pages for short Arabic lines;
8. charset-normalizer on a sample for everything else.

NUL characters are removed from the decoded text (a few in a text file; noted in
:attr:`Decoded.repaired`).

Steps 4, 7 and 8 look at a sample of at most :data:`SAMPLE_SIZE` bytes cut on a character
boundary, so a huge input never goes through the statistical detector.

Encodings are reported with the labels of :func:`encoding_label` (``utf-8``, ``utf-8-sig``,
``utf-16``, ``utf-16-le``, ``windows-1256``, ``iso-8859-6``...). Every label is a name Python's
codecs accept, and when :attr:`Decoded.repaired` is None, ``data.decode(encoding) == text``.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cleaner.errors import InputError
from cleaner.text.charclass import ByteClasses
from cleaner.text.scripts import ARABIC_BLOCKS, ARABIC_LETTERS

#: Bytes looked at by the sniffing steps (UTF-16 layout, control bytes, legacy code pages).
SAMPLE_SIZE = 64 * 1024

#: Byte order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: File signatures of common non-text inputs: (magic bytes, what it is, what to do).
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "remove it from the inputs"),
    (b"\xff\xd8\xff", "a JPEG image", "remove it from the inputs"),
    (b"GIF87a", "a GIF image", "remove it from the inputs"),
    (b"GIF89a", "a GIF image", "remove it from the inputs"),
    (b"%PDF-", "a PDF document", "extract its text first (e.g. pdftotext) and pass that"),
    (b"PK\x03\x04", "a zip archive (or docx/xlsx/epub)", "unpack it and pass the text files"),
    (b"\x1f\x8b", "gzip-compressed", "name it *.gz (read transparently) or gunzip it"),
    (b"BZh", "bzip2-compressed", "decompress it first (bunzip2)"),
    (b"\xfd7zXZ\x00", "xz-compressed", "decompress it first (unxz)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed", "decompress it first (unzstd)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive", "unpack it and pass the text files"),
    (b"Rar!\x1a\x07", "a RAR archive", "unpack it and pass the text files"),
    (b"\x7fELF", "an executable", "remove it from the inputs"),
    (b"SQLite format 3\x00", "an SQLite database", "export the text first"),
)

#: Control bytes that never occur in text (tab, newlines, form feed and ESC excluded). SUB
#: (0x1A) is excluded too: converters write it for a character they could not, so it marks
#: text that lost some characters (a scrape's bullets), not binary data, which holds the
#: other controls anyway.
_CONTROL_BYTES = ByteClasses([[*range(0x00, 0x09), *range(0x0E, 0x1A), *range(0x1C, 0x20)]])
#: Share of control bytes in the sample above which an input is binary.
_MAX_CONTROL_SHARE = 0.01

#: Characters of the Arabic script: letters, marks, digits, punctuation, presentation forms.
_ARABIC_SCRIPT = re.compile(f"[{ARABIC_BLOCKS}]")
#: Non-ASCII characters that say nothing about the script (spaces, joiners, quotes, dashes).
_NEUTRAL = (
    "\u00a0\u00ab\u00bb\u00d7\u00f7\u00ad\u200c\u200d\u200e\u200f"
    "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2022\u2026"
)
_NON_ASCII = re.compile(f"[^\\x00-\\x7f\\s{_NEUTRAL}]")

#: A legacy sample reads as Arabic script when at least this share of its non-neutral
#: non-ASCII characters are Arabic-script (Cyrillic or Latin code pages stay well below).
_MIN_ARABIC_SHARE = 0.9
#: ... and at most this share of its high bytes touch an ASCII letter.
_MAX_LATIN_CONTACT = 0.1
#: ... and it has at least this many non-neutral high characters (a lone byte proves nothing).
_MIN_ARABIC_EVIDENCE = 2

#: The most frequent letters of Arabic and Persian (alef, lam, yeh in both forms, meem, waw,
#: noon, reh, teh, beh, heh, dal): about 60% of the letters of real text, under 25% of
#: the letters that a Cyrillic code page (KOI8-R) read as windows-1256 shows.
_COMMON_ARABIC_LETTERS = re.compile(
    "[\u0627\u0644\u064a\u06cc\u0645\u0648\u0646\u0631\u062a\u0628\u0647\u062f]"
)
_ARABIC_LETTER = re.compile(f"[{ARABIC_LETTERS}]")
#: Share of common letters a sample needs, checked once it has enough letters to tell.
_MIN_COMMON_SHARE = 0.35
_MIN_LETTERS_FOR_FREQUENCY = 8

#: Broken sequences tolerated in a UTF-8 input, per valid multi-byte character.
_MAX_BROKEN_UTF8 = 0.05
#: Undecodable bytes tolerated in an input decoded with a detected code page (share of length).
_MAX_REPLACED = 0.01


@dataclass(frozen=True)
class Decoded:
    """The text of an input and how it was obtained.

    Attributes:
        text: The decoded (and possibly repaired) text.
        encoding: Label of the encoding (see :func:`encoding_label`); ``utf-8`` for empty input.
        repaired: What was repaired, e.g. ``"utf-8 read as windows-1256"`` or
            ``"2 invalid utf-8 sequences replaced with U+FFFD"`` (``"; "``-joined), else None.
    """

    text: str
    encoding: str
    repaired: str | None = None


def encoding_label(name: str) -> str:
    """The label we report for a Python codec name: lower case, IANA/WHATWG style.

    >>> encoding_label("cp1256"), encoding_label("iso8859_6"), encoding_label("UTF_8")
    ('windows-1256', 'iso-8859-6', 'utf-8')
    >>> encoding_label("utf_16_le"), encoding_label("utf_8_sig"), encoding_label("big5")
    ('utf-16-le', 'utf-8-sig', 'big5')
    """
    canonical = codecs.lookup(name).name.replace("_", "-")
    if re.fullmatch(r"cp125\d", canonical):
        return "windows-" + canonical[2:]
    if canonical.startswith("iso8859-"):
        return "iso-" + canonical[3:]
    return canonical


def arabic_share(text: str) -> float:
    """Share of the non-ASCII, non-neutral characters of ``text`` that are Arabic-script.

    ASCII is left out because it is the same in every reading of the bytes; spaces, joiners,
    guillemets, dashes and typographic quotes are left out because every script uses them.

    >>> arabic_share("سلام «دنیا» ok")
    1.0
    >>> round(arabic_share("ط³ظ„ط§ظ…"), 2)  # mojibake of سلام: ³ § are not Arabic
    0.67
    >>> arabic_share("café"), arabic_share("plain")
    (0.0, 0.0)
    """
    other = len(_NON_ASCII.findall(text))
    return len(_ARABIC_SCRIPT.findall(text)) / other if other else 0.0


# --- mojibake -------------------------------------------------------------------------

#: How cp1252 readers in the wild turn bytes into text: browsers and latin-1 readers show
#: the 5 bytes cp1252 leaves undefined (and sometimes all of 0x80-0x9F) as C1 controls.
_SLOPPY_1252_CHARS: dict[int, str] = {
    b: bytes([b]).decode("cp1252", "ignore") or chr(b) for b in range(256)
}
#: The way back: every character either reading may show -> the byte (as a latin-1 char).
_SLOPPY_1252_BYTES: dict[int, str] = {ord(c): chr(b) for b, c in _SLOPPY_1252_CHARS.items()}
_SLOPPY_1252_BYTES.update({b: chr(b) for b in range(0x80, 0xA0)})
_CP1256_CHARS: dict[int, str] = {b: bytes([b]).decode("cp1256") for b in range(256)}


def _encode_sloppy_1252(text: str) -> bytes:
    """Bytes that a cp1252 (or latin-1) reader turned into ``text``; raises if none."""
    return text.translate(_SLOPPY_1252_BYTES).encode("latin-1")


def _encode_cp1256(text: str) -> bytes:
    """Bytes that a windows-1256 reader turned into ``text``; raises if none."""
    return text.encode("cp1256")


@dataclass(frozen=True)
class _Mojibake:
    """One kind of mojibake: UTF-8 bytes shown through a code page.

    ``leads`` are what the code page shows for the UTF-8 lead bytes of Arabic-script letters
    (0xD8-0xDB); ``continuations`` what it shows for bytes 0x80-0xBF. A lead followed by a
    continuation is the sign of this mojibake; ``encode`` gets the bytes back.
    """

    name: str
    leads: str
    continuations: str
    encode: Callable[[str], bytes]

    @functools.cached_property
    def sign(self) -> re.Pattern[str]:
        """The sign as a regex (the definition; :meth:`signs` finds the same places)."""
        return re.compile(f"[{self.leads}][{re.escape(self.continuations)}]")

    @functools.cached_property
    def _tables(self) -> tuple[int, int, np.ndarray]:
        lo, hi = ord(min(self.leads)), ord(max(self.leads))
        assert hi - lo + 1 == len(self.leads), "leads must be consecutive code points"
        follows = np.zeros(0x10000, dtype=bool)
        follows[[ord(c) for c in self.continuations]] = True
        return lo, hi - lo, follows

    def signs(self, text: str) -> np.ndarray:
        """Where ``text`` shows the sign: the index of each lead followed by a continuation.

        Found with array operations on the text's UTF-16 code units (leads and continuations
        are all in the BMP, so neighbours are neighbours in code units): the regex scans at
        about 3 ns a character, most of it on Persian text, where the leads are common letters.

        >>> kind = _KINDS[0]
        >>> kind.signs("ط³ظ„ط§ظ… and عکس").tolist(), kind.sign.findall("ط³ظ„ط§ظ… and عکس")
        ([0, 2, 4, 6, 13], ['ط³', 'ظ„', 'ط§', 'ظ…', 'عک'])
        """
        if not any(lead in text for lead in self.leads):  # no lead at all: nothing to find
            return _NOWHERE
        lo, span, follows = self._tables
        units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
        at = np.flatnonzero((units[:-1] - lo).astype(np.uint16) <= span)  # leads, not last
        at = at[follows[units[at + 1]]]
        if len(units) != len(text):  # characters beyond the BMP: code units to characters
            astral = np.flatnonzero((units >> 10) == 0x36)  # high surrogates
            at = at - np.searchsorted(astral, at)
        return at


_NOWHERE = np.zeros(0, dtype=np.intp)

_KINDS = (
    _Mojibake(
        "utf-8 read as windows-1256",
        "\u0637\u0638\u0639\u063a",
        "".join(_CP1256_CHARS[b] for b in range(0x80, 0xC0)),
        _encode_cp1256,
    ),
    _Mojibake(
        "utf-8 read as windows-1252",
        "\u00d8\u00d9\u00da\u00db",
        "".join(_SLOPPY_1252_CHARS[b] for b in range(0x80, 0xC0))
        + "".join(chr(b) for b in range(0x80, 0xA0)),
        _encode_sloppy_1252,
    ),
)

#: A repaired text must be at least this much more Arabic-script than the input...
_MIN_REPAIR_GAIN = 0.15
#: ... and at least this Arabic-script overall.
_MIN_REPAIRED_SHARE = 0.8
#: Characters of a text (from its start) on which those shares are measured.
_SHARE_SAMPLE = 100_000


def _try_repair(text: str, encode: Callable[[str], bytes]) -> str | None:
    """The repaired text if ``text`` round-trips and clearly reads better, else None."""
    try:
        # A prefix first: sound text fails there, without encoding all of a huge input.
        head = encode(text[:_SHARE_SAMPLE])
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        fixed = encode(text).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    # The shares are statistics: a long prefix tells as much as the whole, much faster.
    after = arabic_share(fixed[:_SHARE_SAMPLE])
    if (
        after >= _MIN_REPAIRED_SHARE
        and after - arabic_share(text[:_SHARE_SAMPLE]) >= _MIN_REPAIR_GAIN
    ):
        return fixed
    return None


def repair_mojibake(text: str) -> tuple[str, str | None]:
    """Undo UTF-8 text that was read as windows-1256 or windows-1252, when unambiguous.

    The test, on the whole text and else line by line: every character must map back to a
    byte under that code page, the bytes must be valid UTF-8, and the result must be clearly
    more Arabic-script (:func:`arabic_share` at least 0.8, and 0.15 above the input's).
    Windows-1256 mojibake keeps about half its characters Arabic (lead bytes read as ط ظ ع غ),
    windows-1252 mojibake none; a true repair lands near 1.0. Latin text with accents fails
    the round trip or the last test and is left alone. Returns the text and the repair's name
    (``"; "``-joined when lines needed different repairs), or None.

    >>> repair_mojibake("ط³ظ„ط§ظ… ط¯ظ†غŒط§")
    ('سلام دنیا', 'utf-8 read as windows-1256')
    >>> repair_mojibake("Ø³Ù„Ø§Ù…")
    ('سلام', 'utf-8 read as windows-1252')
    >>> repair_mojibake("Ã©tÃ© naïve")
    ('Ã©tÃ© naïve', None)
    >>> repair_mojibake("عکس سلام")
    ('عکس سلام', None)
    """
    seen = [(kind, at) for kind in _KINDS if len(at := kind.signs(text))]
    for kind, _ in seen:
        fixed = _try_repair(text, kind.encode)
        if fixed is not None:
            return fixed, kind.name
    # A sound document with some mojibake lines (a title, a pasted quote): line by line.
    names: list[str] = []
    for kind, at in seen:
        if names:  # the text changed: where the signs are now
            at = kind.signs(text)
        text, changed = _repair_lines(text, kind, at)
        if changed:
            names.append(kind.name)
    return text, "; ".join(names) or None


def _repair_lines(text: str, kind: _Mojibake, signs: np.ndarray) -> tuple[str, bool]:
    """Repair each line that carries a sign of ``kind`` (at ``signs``) on its own."""
    parts: list[str] = []
    done = 0  # text[:done] is settled (copied to parts, repaired or not)
    for at in signs.tolist():
        if at < done:  # a sign on a line already settled
            continue
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        line = text[start : len(text) if end < 0 else end].rstrip("\r")
        fixed = _try_repair(line, kind.encode)
        parts += [text[done:start], line if fixed is None else fixed]
        done = start + len(line)
    if not parts:
        return text, False
    parts.append(text[done:])
    fixed_text = "".join(parts)
    return fixed_text, fixed_text != text


# --- decoding ------------------------------------------------------------------------


def decode(data: bytes, source: str = "<bytes>") -> Decoded:
    """Decode the bytes of one input, then repair mojibake.

    Args:
        data: The raw bytes.
        source: Where they came from, for error messages (a path, ``<stdin>``, ``file:line``).

    Raises:
        InputError: Binary input (image, PDF, archive, NUL or control bytes that are not
            UTF-16/32 text), or bytes no encoding reads.
    """
    if not data:
        return Decoded("", "utf-8")
    text, encoding, notes = _decode_bytes(data, source)
    text, nul = remove_nul(text)
    text, mojibake = repair_mojibake(text)
    notes += [note for note in (nul, mojibake) if note]
    return Decoded(text, encoding, "; ".join(notes) or None)


def _decode_bytes(data: bytes, source: str) -> tuple[str, str, list[str]]:
    """Text, encoding label and repair notes, following the order in the module docstring."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_with(data, codec, source)
    sample = data[:SAMPLE_SIZE]
    reason = binary_reason(sample)
    if reason:
        raise InputError(source, reason)
    wide = _sniff_wide(sample) if _CONTROL_BYTES.counts(sample)[0] else None
    if wide:
        return _decode_with(data, wide, source)
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    mostly = _decode_mostly_utf8(data)
    if mostly is not None:
        return mostly
    prefix = _trim_to_boundary(sample) if len(data) > SAMPLE_SIZE else data
    codec = _sniff_arabic_codepage(prefix) or _sniff_with_detector(prefix, source)
    return _decode_with(data, codec, source)


def binary_reason(sample: bytes) -> str | None:
    """Why the first bytes of an input are not text (a known signature, control bytes), or None.

    Reading a compressed input stops at its first :data:`SAMPLE_SIZE` bytes when this finds
    a reason, so gzipped zeros are refused before they are unpacked.

    >>> binary_reason(b"%PDF-1.4 ...")
    'this is a PDF document, not text: extract its text first (e.g. pdftotext) and pass that'
    >>> binary_reason(b"\\x00" * 100)[:40]
    'looks binary (100 control or NUL bytes i'
    >>> binary_reason("سلام".encode("utf-16-le")) is None, binary_reason(b"plain") is None
    (True, True)
    """
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return None
    for magic, what, advice in _MAGIC:
        if sample.startswith(magic):
            return f"this is {what}, not text: {advice}"
    (controls,) = _CONTROL_BYTES.counts(sample)
    if controls > _MAX_CONTROL_SHARE * len(sample) and not _sniff_wide(sample):
        return (
            f"looks binary ({controls} control or NUL bytes in the first {len(sample)}),"
            " and is not UTF-16/UTF-32 text; pass text or HTML files only"
        )
    return None


#: Characters that text never holds (C0 controls but tab, newlines, form feed, SUB and ESC,
#: as for bytes) and the replacement character a lossy decoder leaves: binary data stored as
#: a JSON string.
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x19\x1c-\x1f\ufffd]")


def check_text(text: str, source: str = "<text>") -> Decoded:
    """Text given as text (a JSON record's field): refused when binary, NUL characters removed.

    A share of control or replacement characters above what :func:`decode` allows for bytes
    means binary data was stored as a string; cleaning it as text would give garbage.

    Raises:
        InputError: The text looks like binary data.

    >>> checked = check_text("a\\x00b" + " and more text" * 10)
    >>> checked.text[:5], checked.repaired
    ('ab an', '1 NUL character(s) removed')
    >>> try:
    ...     check_text("".join(map(chr, range(256))) * 4, "r:1")
    ... except InputError as err:
    ...     print(err.reason[:60])
    looks binary (100 control or replacement characters in the f
    """
    sample = text[:SAMPLE_SIZE]
    odd = len(_NOT_TEXT.findall(sample))
    if odd > _MAX_CONTROL_SHARE * len(sample):
        raise InputError(
            source,
            f"looks binary ({odd} control or replacement characters in the first {len(sample)}),"
            " not text; check what wrote this field",
        )
    text, note = remove_nul(text)
    return Decoded(text, "utf-8", note)


def remove_nul(text: str) -> tuple[str, str | None]:
    """The text without NUL characters (no text holds them; many tools stop at one), and a note.

    >>> remove_nul("a\\x00b\\x00"), remove_nul("ab")
    (('ab', '2 NUL character(s) removed'), ('ab', None))
    """
    if "\x00" not in text:
        return text, None
    kept = text.replace("\x00", "")
    return kept, f"{len(text) - len(kept)} NUL character(s) removed"


def _decode_with(data: bytes, codec: str, source: str) -> tuple[str, str, list[str]]:
    """Decode all of ``data``; a few undecodable bytes become U+FFFD (and are noted)."""
    label = encoding_label(codec)
    try:
        return data.decode(codec), label, []
    except UnicodeDecodeError:
        pass
    text = data.decode(codec, "replace")
    bad = text.count("\ufffd") - data.decode(codec, "ignore").count("\ufffd")
    if bad > _MAX_REPLACED * len(text):
        raise InputError(
            source,
            f"does not decode as {label} ({bad} undecodable sequences);"
            " convert it to UTF-8 first (e.g. iconv -f ENCODING -t UTF-8)",
        )
    return text, label, [f"{bad} undecodable {label} sequences replaced with U+FFFD"]


def _decode_mostly_utf8(data: bytes) -> tuple[str, str, list[str]] | None:
    r"""UTF-8 cut off mid-character or with a few broken sequences, else None.

    Scrapes get cut at a byte count, or have a stray byte from another encoding pasted in;
    both are still UTF-8. Up to one broken sequence per 20 valid multi-byte characters passes.

    >>> _decode_mostly_utf8("سلام".encode()[:-1])
    ('سلا\ufffd', 'utf-8', ['input ends inside a utf-8 character (cut off): replaced with U+FFFD'])
    >>> _decode_mostly_utf8("ای ایران ای مرز پرگهر".encode() * 2 + b"\xe9 ok")[1:]
    ('utf-8', ['1 invalid utf-8 sequences replaced with U+FFFD'])
    >>> _decode_mostly_utf8("سلام".encode("cp1256")) is None
    True
    """
    try:
        head = codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        pass
    else:
        note = "input ends inside a utf-8 character (cut off): replaced with U+FFFD"
        return head + "\ufffd", "utf-8", [note]
    # Cheap on the sample first: legacy code pages fail there already.
    if _too_broken(data[:SAMPLE_SIZE]) or _too_broken(data):
        return None
    text = data.decode("utf-8", "replace")
    broken = text.count("\ufffd") - data.count("\ufffd".encode())
    return text, "utf-8", [f"{broken} invalid utf-8 sequences replaced with U+FFFD"]


_ASCII_BYTES = bytes(range(0x80))


#: UTF-8 lead bytes (0xC0-0xFF) and continuation bytes (0x80-0xBF).
_UTF8_ROLES = ByteClasses([range(0xC0, 0x100), range(0x80, 0xC0)])


def _too_broken(data: bytes) -> bool:
    r"""Whether ``data`` has more broken UTF-8 bytes than :data:`_MAX_BROKEN_UTF8` allows.

    >>> _too_broken("سلام".encode("cp1256")), _too_broken(("سلام " * 10).encode() + b"\xff")
    (True, False)
    """
    # First from byte counts alone (legacy code pages settle here): a valid multi-byte
    # character has one lead byte (0xC0-0xFF) and at least one continuation (0x80-0xBF),
    # so at least leads - continuations bytes are broken, among at most min(both) valid
    # characters.
    leads, continuations = _UTF8_ROLES.counts(data)
    if leads - continuations > _MAX_BROKEN_UTF8 * min(leads, continuations):
        return True
    # Else counted by lengths of C-speed decodes: "ignore" drops each broken byte that
    # "surrogateescape" keeps as one character.
    kept = len(data.decode("utf-8", "ignore"))
    broken = len(data.decode("utf-8", "surrogateescape")) - kept
    multibyte = kept - (len(data) - len(data.translate(None, _ASCII_BYTES)))
    return broken > _MAX_BROKEN_UTF8 * multibyte


def _trim_to_boundary(sample: bytes) -> bytes:
    """Cut a prefix after its last newline, else after its last byte below 0x40.

    No multi-byte sequence of UTF-8 or of the CJK code pages continues with a byte below
    0x40, so the cut never splits a character the detector would then call invalid.

    >>> _trim_to_boundary("a b\\nسلام".encode()[:-1])
    b'a b\\n'
    >>> _trim_to_boundary("سلام دنیا".encode()[:-1]).decode()
    'سلام '
    """
    cut = sample.rfind(b"\n")
    if cut < 0:
        cut = max(sample.rfind(bytes([b])) for b in range(0x40))
    return sample[: cut + 1] if cut >= 0 else sample


def _sniff_wide(sample: bytes) -> str | None:
    """``utf-32-le/be`` or ``utf-16-le/be`` for a BOM-less sample in that layout, else None.

    In UTF-16 text the high byte of each code unit takes few values (0x00 for ASCII, 0x06
    for Arabic, 0x20 for punctuation...) while the low byte varies; in UTF-8, legacy code
    pages and binary data both byte positions look alike. The guess must then decode
    strictly into printable text.

    >>> _sniff_wide("سلام".encode("utf-16-le")), _sniff_wide("a new day".encode("utf-16-be"))
    ('utf-16-le', 'utf-16-be')
    >>> _sniff_wide("ok".encode("utf-32-le")), _sniff_wide(b"\\x00\\x01\\x02\\x03" * 8)
    ('utf-32-le', None)
    """
    if len(sample) >= 8:
        quads = sample[: len(sample) // 4 * 4]
        if not quads[3::4].strip(b"\x00") and _is_text(quads, "utf-32-le"):
            return "utf-32-le"
        if not quads[0::4].strip(b"\x00") and _is_text(quads, "utf-32-be"):
            return "utf-32-be"
    pairs = sample[: len(sample) // 2 * 2]
    if len(pairs) < 8:
        return None
    even, odd = _top_share(pairs[0::2]), _top_share(pairs[1::2])
    for codec, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high >= 0.9 and low < 0.8:
            # Drop a last unit that is half of a surrogate pair cut by the sample.
            last_high = pairs[-1] if codec == "utf-16-le" else pairs[-2]
            units = pairs[:-2] if 0xD8 <= last_high <= 0xDB else pairs
            if _is_text(units, codec):
                return codec
    return None


def _top_share(values: bytes) -> float:
    """Share of ``values`` taken by its three most common bytes."""
    return sum(n for _, n in Counter(values).most_common(3)) / len(values)


def _is_text(data: bytes, codec: str) -> bool:
    """Whether ``data`` decodes strictly into characters that text is made of."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return False
    odd = sum(
        1
        for ch in text
        if unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs") and ch not in "\t\n\r\f\x1b"
    )
    return odd <= 0.02 * len(text)


def _sniff_arabic_codepage(sample: bytes) -> str | None:
    """``cp1256`` or ``iso8859_6`` when the high bytes read as Arabic-script words, else None.

    A sample qualifies when, read with the code page, at least 90% of its non-neutral
    non-ASCII characters are Arabic-script and at most 10% of its high bytes touch an ASCII
    letter (accented Latin code pages fail one or the other), and once it has 8 letters or
    more, the most common Arabic letters make at least 35% of them (Cyrillic code pages such
    as KOI8-R, whose lowercase lands on Arabic letters, fail that). Between the two
    code pages the higher :func:`arabic_share` wins; ISO-8859-6 must read strictly (it leaves
    many bytes undefined) and win outright: windows-1256 reads its waw, heh, yeh as è ç ê,
    while windows-1256 text uses feh, qaf, kaf bytes that ISO-8859-6 leaves undefined.

    >>> _sniff_arabic_codepage("پيام و سلام".encode("cp1256"))
    'cp1256'
    >>> _sniff_arabic_codepage("وقال يوري".encode("iso-8859-6"))
    'iso8859_6'
    >>> _sniff_arabic_codepage("Где это было".encode("cp1251")) is None
    True
    """
    high = len(sample.translate(None, _ASCII_BYTES))  # bytes >= 0x80, counted in C
    if not high or _high_next_to_latin(sample) > _MAX_LATIN_CONTACT * high:
        return None
    best, best_share = None, 0.0
    for codec in ("cp1256", "iso8859_6"):
        try:
            sample.decode(codec)
        except UnicodeDecodeError:
            continue
        # Both code pages map one byte to one character, so the characters of a class are
        # counted as the bytes that decode into it (bytes.translate, in C): the same figures
        # as arabic_share and a letter-frequency check on the decoded text, with no regex pass.
        other, script, letters, common = _class_counts(sample, codec)
        if other < _MIN_ARABIC_EVIDENCE:
            continue
        share = script / other
        looks = letters < _MIN_LETTERS_FOR_FREQUENCY or common >= _MIN_COMMON_SHARE * letters
        if share >= _MIN_ARABIC_SHARE and share > best_share and looks:
            best, best_share = codec, share
    return best


def _high_next_to_latin(sample: bytes) -> int:
    r"""How many high bytes (>= 0x80) touch an ASCII letter: accents in Latin words do.

    Counted with array operations: a regex visits every high byte of an Arabic sample with
    a lookaround, about 15 ns a byte.

    >>> _high_next_to_latin("café naïve".encode("latin-1")), _high_next_to_latin(b"\xc7\xe1 x")
    (2, 0)
    """
    b = np.frombuffer(sample, dtype=np.uint8)
    high = b >= 0x80
    letter = ((b | 0x20) - ord("a")).astype(np.uint8) < 26  # A-Z folded onto a-z
    near = np.zeros(len(b), dtype=bool)
    near[1:] = letter[:-1]
    near[:-1] |= letter[1:]
    return int(np.count_nonzero(high & near))


#: The character classes the code-page sniffer counts, in the order _class_counts gives.
_SNIFF_CLASSES = (_NON_ASCII, _ARABIC_SCRIPT, _ARABIC_LETTER, _COMMON_ARABIC_LETTERS)


@functools.cache
def _sniff_classes(codec: str) -> ByteClasses:
    """The bytes a single-byte ``codec`` decodes into each of ``_SNIFF_CLASSES``."""
    decoded = []
    for b in range(256):
        try:
            decoded.append((b, bytes([b]).decode(codec)))
        except UnicodeDecodeError:
            continue
    return ByteClasses([[b for b, ch in decoded if rx.fullmatch(ch)] for rx in _SNIFF_CLASSES])


def _class_counts(sample: bytes, codec: str) -> list[int]:
    """How many characters of each of ``_SNIFF_CLASSES`` ``sample`` decodes into.

    >>> _class_counts("سلام ok é".encode("cp1256"), "cp1256")
    [5, 4, 4, 3]
    """
    return _sniff_classes(codec).counts(sample)


def _sniff_with_detector(sample: bytes, source: str) -> str:
    """The code page charset-normalizer finds most likely for the sample.

    When several code pages give the very same text, the most widespread one is reported.
    """
    # Imported at need: UTF-8 inputs never get here, and every start would pay 6-9 ms.
    import charset_normalizer

    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        raise InputError(
            source,
            "no known encoding reads these bytes as text; if it is text, convert it to UTF-8"
            " (e.g. iconv -f ENCODING -t UTF-8), otherwise remove it from the inputs",
        )
    same_text = set(best.could_be_from_charset)
    return next((c for c in _WIDESPREAD if c in same_text), str(best.encoding))


#: Code pages named first when they read a sample exactly like the detector's pick.
_WIDESPREAD = ("cp1252", "cp1256", "cp1251", "iso8859_6", "iso8859_1", "cp1250")
