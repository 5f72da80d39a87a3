"""Dates printed by news pages -> ISO 8601: Persian solar, Hijri and Arabic Gregorian.

Calendar arithmetic is left to libraries made for it (``jdatetime`` for the Persian solar
calendar, ``hijridate`` for Umm al-Qura Hijri dates); this module only reads the numbers and
month names out of the strings outlets print. Every parser returns ``None`` when the string
holds no valid date, so a caller can keep the line's text instead of inventing a value.
"""

from __future__ import annotations

import re
from datetime import date

#: Persian and Arabic-Indic digits to ASCII.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")

SOLAR_MONTHS = {
    "فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "امرداد": 5,
    "شهریور": 6, "مهر": 7, "آبان": 8, "آذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12,
}  # fmt: skip

HIJRI_MONTHS = {
    "محرم": 1, "صفر": 2, "ربيع الأول": 3, "ربيع الاول": 3, "ربيع الآخر": 4, "ربيع الثاني": 4,
    "جمادى الأولى": 5, "جمادى الاولى": 5, "جمادى الأول": 5, "جمادى الآخرة": 6,
    "جمادى الثانية": 6, "رجب": 7, "شعبان": 8, "رمضان": 9, "شوال": 10, "ذو القعدة": 11,
    "ذي القعدة": 11, "ذو الحجة": 12, "ذي الحجة": 12,
}  # fmt: skip

GREGORIAN_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "مايو": 5,
    "يونيو": 6, "يوليو": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10,
    "نوفمبر": 11, "ديسمبر": 12, "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4,
    "أيار": 5, "حزيران": 6, "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10,
    "تشرين الثاني": 11, "كانون الأول": 12,
    "ژانویه": 1, "فوریه": 2, "مارس ": 3, "آوریل": 4, "مه": 5, "ژوئن": 6, "ژوئیه": 7,
    "اوت": 8, "سپتامبر": 9, "اکتبر": 10, "نوامبر": 11, "دسامبر": 12,
}  # fmt: skip

_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)(?:\s*(ص|م|am|pm|AM|PM)\b)?")
_YMD = re.compile(r"(?<!\d)(\d{4})\s?[-/.]\s?(\d{1,2})\s?[-/.]\s?(\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s?[-/.]\s?(\d{1,2})\s?[-/.]\s?(\d{4})(?!\d)")
_NAMED = re.compile(r"(?<!\d)(\d{1,2})\s+([^\d\s][^\d]*?)\s*[,،]?\s*(\d{4})(?!\d)")


def ascii_digits(text: str) -> str:
    """Write Persian and Arabic-Indic digits as ASCII digits.

    >>> ascii_digits("کد ۸۱۹۹۹۱ و ٢٠٢١")
    'کد 819991 و 2021'
    """
    return text.translate(_DIGITS)


def _fold(name: str) -> str:
    return " ".join(name.replace("ي", "ی").replace("ك", "ک").split())


_SOLAR = {_fold(k): v for k, v in SOLAR_MONTHS.items()}
_HIJRI = {" ".join(k.split()): v for k, v in HIJRI_MONTHS.items()}
_GREG = {" ".join(k.split()): v for k, v in GREGORIAN_MONTHS.items()}


def _time(text: str) -> str:
    """``THH:MM`` for the first clock time in ``text`` (12-hour ص/م, am/pm honoured), or ``''``."""
    m = _TIME.search(text)
    if not m:
        return ""
    hour, minute = int(m.group(1)), int(m.group(2))
    half = (m.group(3) or "").lower()
    if half in ("م", "pm") and hour < 12:
        hour += 12
    elif half in ("ص", "am") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return ""
    return f"T{hour:02d}:{minute:02d}"


def _iso(d: date | None, text: str) -> str | None:
    return None if d is None else d.isoformat() + _time(text)


def _named(text: str, months: dict[str, int]) -> tuple[int, int, int] | None:
    """(day, month, year) for ``<day> <month name> <year>`` with a month of ``months``."""
    for m in _NAMED.finditer(text):
        name = " ".join(m.group(2).split()).strip(" ,،-")
        month = months.get(name) or months.get(_fold(name))
        if month:
            return int(m.group(1)), month, int(m.group(3))
    return None


def _numeric(text: str) -> tuple[int, int, int] | None:
    """(day, month, year) of a numeric date, year first (1400/10/10) or last (10-10-1400)."""
    m = _YMD.search(text)
    if m:
        return int(m.group(3)), int(m.group(2)), int(m.group(1))
    m = _DMY.search(text)
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    return None


def solar_to_iso(text: str) -> str | None:
    """A Persian solar date (with an optional clock time) as an ISO 8601 Gregorian date.

    >>> solar_to_iso("تاریخ انتشار: ۱۰:۲۶ - ۱۰-۱۰-۱۴۰۰")
    '2021-12-31T10:26'
    >>> solar_to_iso("۳۱ شهريور ۱۴۰۳")
    '2024-09-21'
    >>> solar_to_iso("۱۴۰۰/۱۰/۱۲ - ۱۸:۴۰")
    '2022-01-02T18:40'
    >>> solar_to_iso("۴۵ دی ۱۴۰۰") is None
    True
    """
    import jdatetime  # loaded on first use: most runs capture no date

    text = ascii_digits(text)
    dmy = _named(text, _SOLAR) or _numeric(text)
    if dmy is None:
        return None
    day, month, year = dmy
    if year > 1700:  # a Gregorian date in a Persian page (DW writes "۳۱.۱۲.۲۰۲۱")
        return gregorian_to_iso(text)
    try:
        # The Persian locale named outright: any other makes jdatetime ask the C library for
        # the process locale on every date (a third of the conversion time).
        g = jdatetime.date(year, month, day, locale=jdatetime.FA_LOCALE).togregorian()
    except ValueError:
        return None
    return _iso(g, text)


def hijri_to_iso(text: str) -> str | None:
    """A Hijri (Umm al-Qura) date as an ISO 8601 Gregorian date.

    >>> hijri_to_iso("السبت - 28 جمادى الأولى 1443 هـ")
    '2022-01-01'
    >>> hijri_to_iso("28 رمضان 1200") is None
    True
    """
    from hijridate import Hijri

    text = ascii_digits(text)
    dmy = _named(text, _HIJRI)
    if dmy is None:
        return None
    day, month, year = dmy
    try:
        return _iso(Hijri(year, month, day).to_gregorian(), text)
    except (ValueError, OverflowError):
        return None


def gregorian_to_iso(text: str) -> str | None:
    """A Gregorian date written with Arabic or Persian month names, or as numbers (d/m/y).

    >>> gregorian_to_iso("الجمعة، 31 ديسمبر 2021 10:00 ص")
    '2021-12-31T10:00'
    >>> gregorian_to_iso("نشر في: 01 يناير ,2022: 07:30 م GMT")
    '2022-01-01T19:30'
    >>> gregorian_to_iso("31/12/2021 - 18:20")
    '2021-12-31T18:20'
    >>> gregorian_to_iso("تاریخ ۳۱.۱۲.۲۰۲۱")
    '2021-12-31'
    """
    text = ascii_digits(text)
    dmy = _named(text, _GREG) or _numeric(text)
    if dmy is None:
        return None
    day, month, year = dmy
    try:
        return _iso(date(year, month, day), text)
    except ValueError:
        return None
