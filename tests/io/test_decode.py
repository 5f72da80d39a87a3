"""Tests of cleaner.io.decode: encodings built from the real seed texts, mojibake, binary input."""

from __future__ import annotations

import codecs
import gzip
import random
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from cleaner.errors import InputError
from cleaner.io.decode import (
    SAMPLE_SIZE,
    Decoded,
    check_text,
    decode,
    encoding_label,
    repair_mojibake,
)

SEEDS = sorted((Path(__file__).parents[2] / "seeds").glob("*.txt"))
ARABIC_SEED = next(p for p in SEEDS if p.name.startswith("003_"))  # the one Arabic (not Persian)

# Legacy Arabic code pages predate Persian yeh and Persian digits: pages in them use the
# Arabic yeh and ASCII digits. The few characters they still lack (a Cyrillic word, a hamza
# above) are left out: the point is to decode what such a page really holds.
_LEGACY_FOLD = str.maketrans(
    {"\u06cc": "\u064a"}
    | {chr(0x06F0 + i): str(i) for i in range(10)}
    | {chr(0x0660 + i): str(i) for i in range(10)}
)


def seed_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def legacy(text: str, encoding: str) -> str:
    """The seed text as a page in a legacy code page holds it."""
    folded = text.translate(_LEGACY_FOLD)
    return "".join(ch for ch in folded if ch.encode(encoding, "ignore"))


def short_lines(text: str, count: int = 6) -> list[str]:
    """Several different short lines of a seed with some non-ASCII (3 to 80 characters)."""
    lines = [
        ln
        for ln in dict.fromkeys(text.splitlines())
        if 3 <= len(ln.strip()) <= 80 and not ln.isascii()
    ]
    return lines[:count]


def assert_decodes(data: bytes, expected: str, label: str) -> Decoded:
    result = decode(data, "test")
    assert result.text == expected
    assert result.encoding == label
    assert result.repaired is None
    return result


# --- UTF-8 and UTF-16/32 ------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_utf8_whole_and_lines(seed: Path) -> None:
    text = seed_text(seed)
    for unit in [text, *short_lines(text)]:
        result = assert_decodes(unit.encode("utf-8"), unit, "utf-8")
        assert unit.encode("utf-8").decode(result.encoding) == unit


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
@pytest.mark.parametrize(
    ("bom", "codec", "label"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    ],
)
def test_bom_variants(seed: Path, bom: bytes, codec: str, label: str) -> None:
    text = seed_text(seed)
    for unit in [text, *short_lines(text, 3)]:
        data = bom + unit.encode(codec)
        result = assert_decodes(data, unit, label)
        assert data.decode(result.encoding) == unit  # the label reproduces the text


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(seed: Path, codec: str) -> None:
    text = seed_text(seed)
    for unit in [text, *short_lines(text)]:
        assert_decodes(unit.encode(codec), unit, codec)


def test_utf16_without_bom_single_word() -> None:
    # No space, so no NUL byte: the layout of the high bytes still tells.
    word = seed_text(SEEDS[0]).split()[0]
    assert_decodes(word.encode("utf-16-le"), word, "utf-16-le")
    assert_decodes(word.encode("utf-16-be"), word, "utf-16-be")


def test_utf32_without_bom() -> None:
    line = short_lines(seed_text(ARABIC_SEED))[0]
    assert_decodes(line.encode("utf-32-le"), line, "utf-32-le")
    assert_decodes(line.encode("utf-32-be"), line, "utf-32-be")


def test_empty_input_decodes_to_empty_text() -> None:
    assert decode(b"") == Decoded("", "utf-8", None)


def test_truncated_utf8_is_utf8_with_a_note() -> None:
    text = seed_text(SEEDS[1])
    data = text.encode("utf-8").rstrip()[:-1]  # cut inside the last (Persian) character
    result = decode(data)
    assert result.encoding == "utf-8"
    assert result.text.endswith("\ufffd")
    assert result.text[:-1] == data[:-1].decode("utf-8")
    assert result.repaired is not None and "cut off" in result.repaired


def test_stray_byte_in_utf8_is_replaced_and_noted() -> None:
    text = seed_text(SEEDS[2])
    middle = len(text) // 2
    data = text[:middle].encode() + b"\xe9" + text[middle:].encode()
    result = decode(data)
    assert result.encoding == "utf-8"
    assert result.text == text[:middle] + "\ufffd" + text[middle:]
    assert result.repaired == "1 invalid utf-8 sequences replaced with U+FFFD"


# --- legacy Arabic code pages ----------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_windows_1256_whole_and_short_lines(seed: Path) -> None:
    text = legacy(seed_text(seed), "cp1256")
    for unit in [text, *short_lines(text, 10)]:
        result = assert_decodes(unit.encode("cp1256"), unit, "windows-1256")
        assert unit.encode("cp1256").decode(result.encoding) == unit


def test_iso_8859_6_whole_and_short_lines() -> None:
    text = legacy(seed_text(ARABIC_SEED), "iso-8859-6")
    lines = short_lines(text, 10)
    assert len(lines) >= 6
    for unit in [text, *lines]:
        assert_decodes(unit.encode("iso-8859-6"), unit, "iso-8859-6")


def test_short_windows_1256_snippets_are_not_read_as_cjk() -> None:
    # charset-normalizer alone reads some of these as big5hkscs or cp874.
    for seed in SEEDS:
        for line in legacy(seed_text(seed), "cp1256").splitlines():
            if 2 <= len(line.strip()) <= 25 and not line.isascii():
                result = decode(line.encode("cp1256"))
                assert (result.encoding, result.text) == ("windows-1256", line)


def test_big_legacy_input_is_sniffed_on_a_trimmed_prefix() -> None:
    text = legacy(seed_text(ARABIC_SEED), "iso-8859-6")
    big = text * (3 * SAMPLE_SIZE // len(text) + 1)
    assert_decodes(big.encode("iso-8859-6"), big, "iso-8859-6")
    one_line = big.replace("\n", " ")
    assert_decodes(one_line.encode("cp1256"), one_line, "windows-1256")


def test_cyrillic_code_pages_are_not_taken_for_arabic() -> None:
    text = "Президент России Владимир Путин провёл переговоры с президентом США Джо Байденом."
    for codec, label in [("cp1251", "windows-1251"), ("koi8-r", "koi8-r")]:
        assert_decodes(text.encode(codec), text, label)


def test_latin_code_page_text_is_left_to_the_detector() -> None:
    text = (
        "Le président russe Vladimir Poutine s'est entretenu mardi avec son homologue "
        "américain Joe Biden. Selon le Kremlin, les deux dirigeants ont évoqué l'Ukraine."
    )
    assert_decodes(text.encode("cp1252"), text, "windows-1252")


# --- mojibake --------------------------------------------------------------------------


def read_as_cp1252(data: bytes) -> str:
    """What a browser shows for ``data`` read as windows-1252 (undefined bytes as C1)."""
    return "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in data)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_utf8_read_as_windows_1256_is_repaired(seed: Path) -> None:
    text = seed_text(seed)
    garbled = text.encode("utf-8").decode("cp1256")
    assert garbled != text
    assert repair_mojibake(garbled) == (text, "utf-8 read as windows-1256")
    result = decode(garbled.encode("utf-8"))
    assert (result.text, result.encoding) == (text, "utf-8")
    assert result.repaired == "utf-8 read as windows-1256"


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_utf8_read_as_windows_1252_or_latin1_is_repaired(seed: Path) -> None:
    text = seed_text(seed)
    for garbled in (read_as_cp1252(text.encode()), text.encode().decode("latin-1")):
        assert repair_mojibake(garbled) == (text, "utf-8 read as windows-1252")
        assert decode(garbled.encode("utf-8")).text == text


def test_mojibake_short_lines_are_repaired() -> None:
    for seed in SEEDS:
        for line in short_lines(seed_text(seed)):
            garbled = line.encode().decode("cp1256")
            assert repair_mojibake(garbled) == (line, "utf-8 read as windows-1256")


def test_only_the_garbled_lines_of_a_sound_document_are_repaired() -> None:
    lines = seed_text(SEEDS[0]).splitlines()
    garbled = [lines[0].encode().decode("cp1256"), *lines[1:4], read_as_cp1252(lines[4].encode())]
    fixed, name = repair_mojibake("\r\n".join(garbled))
    assert fixed == "\r\n".join(lines[:5])
    assert name == "utf-8 read as windows-1256; utf-8 read as windows-1252"


@pytest.mark.parametrize(
    "text",
    [
        "Café, naïve, Zürich, Ångström, São Paulo — déjà vu «ok»",
        "CafÃ© Ã  la carte",  # Latin mojibake: not Arabic script once repaired, so left alone
        "عکس: © Sputnik / Sergey Guniev",
        "ژ",
    ],
)
def test_text_that_is_not_arabic_mojibake_is_left_alone(text: str) -> None:
    assert repair_mojibake(text) == (text, None)
    assert decode(text.encode("utf-8")).repaired is None


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_sound_seed_text_is_never_repaired(seed: Path) -> None:
    text = seed_text(seed)
    assert repair_mojibake(text) == (text, None)


# --- binary input ------------------------------------------------------------------------


def _zip_bytes() -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", seed_text(SEEDS[0]))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "PNG image"),
        (gzip.compress(SEEDS[0].read_bytes()), "gzip"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
        (_zip_bytes(), "zip"),
        (random.Random(7).randbytes(4096), "binary"),
        (random.Random(7).randbytes(4096).replace(b"\x00", b""), "binary"),
        (b"\x00" * 64, "binary"),
        (b"text\x00\x01\x02\x03\x04\x05more", "binary"),
    ],
    ids=["png", "gzip", "pdf", "zip", "random", "random-no-nul", "nuls", "controls"],
)
def test_binary_input_raises_input_error(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as err:
        decode(data, "some/file.txt")
    assert err.value.source == "some/file.txt"
    assert reason in err.value.reason
    assert str(err.value).startswith("some/file.txt: ")


def test_sub_bullets_are_text_not_binary() -> None:
    # A real scrape (alyaum, SaudiNewsNet) opens every paragraph with two SUB characters
    # where a bullet was: 1.2% of its characters, over the share that marks binary data.
    para = "\x1a\x1a يلعب تخطيط التدريب الرياضي دورا اساسيا في تحقيق المستويات العالية.\n"
    text = para * 40
    assert check_text(text, "r:1").text == text
    assert decode(text.encode("utf-8"), "a.txt").text == text
    with pytest.raises(InputError, match="looks binary"):
        check_text(bytes(range(256)).decode("latin-1") * 4, "r:2")


# --- size and names ------------------------------------------------------------------------


def test_fifty_megabyte_single_line_decodes() -> None:
    line = " ".join(seed_text(seed).replace("\n", " ") for seed in SEEDS)
    data = line.encode("utf-8") * (50_000_000 // len(line.encode("utf-8")) + 1)
    assert len(data) >= 50_000_000 and b"\n" not in data
    result = decode(data)
    assert result.encoding == "utf-8" and result.repaired is None
    assert len(result.text) == len(line) * (len(data) // len(line.encode("utf-8")))
    assert result.text[: len(line)] == line and result.text[-len(line) :] == line


def test_encoding_labels_are_python_codec_names() -> None:
    for name in ["cp1256", "iso8859_6", "utf_16_le", "utf_8_sig", "latin_1", "koi8_r"]:
        label = encoding_label(name)
        assert codecs.lookup(label).name == codecs.lookup(name).name
    assert encoding_label("latin_1") == "iso-8859-1"


def test_byte_counts_equal_their_regex_definitions() -> None:
    """The array and translate counts of the sniffer say what the plain regexes say."""
    import re

    from cleaner.io.decode import _CONTROL_BYTES, _high_next_to_latin

    touching = re.compile(rb"(?<=[A-Za-z])[\x80-\xff]|[\x80-\xff](?=[A-Za-z])")
    controls = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
    rng = random.Random(7)
    alphabet = b"aZ m.\n\t\x00\x1b\x7f\x80\xc7\xe1\xff"
    samples = [bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 60))) for _ in range(500)]
    samples += [s.read_bytes() for s in SEEDS] + ["café naïve".encode("latin-1")]
    for sample in samples:
        assert _high_next_to_latin(sample) == len(touching.findall(sample)), sample
        assert _CONTROL_BYTES.counts(sample) == [len(controls.findall(sample))]


def test_mojibake_signs_are_where_the_sign_regex_finds_them() -> None:
    """The array search for mojibake signs finds what the regex of its definition finds."""
    from cleaner.io.decode import _KINDS

    rng = random.Random(11)
    for kind in _KINDS:
        alphabet = kind.leads + kind.continuations[::7] + "aب ک\n😀"  # 😀: beyond the BMP
        for _ in range(400):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
            expected = [m.start() for m in kind.sign.finditer(text)]
            assert kind.signs(text).tolist() == expected, text


def test_too_broken_shortcut_agrees_with_the_full_count() -> None:
    """The byte-count shortcut of _too_broken only says True where the decodes would."""
    from cleaner.io import decode as dec

    def full(data: bytes) -> bool:
        kept = len(data.decode("utf-8", "ignore"))
        broken = len(data.decode("utf-8", "surrogateescape")) - kept
        multibyte = kept - sum(b < 0x80 for b in data)
        return broken > dec._MAX_BROKEN_UTF8 * multibyte

    rng = random.Random(5)
    pieces = ["سلام".encode(), "é".encode(), b"\xd8", b"\xa7", b"\xff", b"ab ", "€".encode()]
    samples = [
        b"".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30))) for _ in range(2000)
    ]
    samples += [s.read_bytes() for s in SEEDS] + [
        s.read_text().encode("cp1256", "replace") for s in SEEDS
    ]
    for data in samples:
        assert dec._too_broken(data) == full(data), data


def test_class_counts_equal_regex_counts_on_the_decoded_text() -> None:
    """The sniffer's byte-level class counts are the counts of its regexes on the text."""
    from cleaner.io import decode as dec

    rng = random.Random(9)
    for codec in ("cp1256", "iso8859_6"):
        valid = [b for b in range(256) if _decodes(bytes([b]), codec)]
        for _ in range(300):
            sample = bytes(rng.choice(valid) for _ in range(rng.randrange(0, 80)))
            text = sample.decode(codec)
            expected = [len(rx.findall(text)) for rx in dec._SNIFF_CLASSES]
            assert dec._class_counts(sample, codec) == expected, sample


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True
