"""The errors a user can act on: each names the input or rule file and what is wrong.

The CLI maps them to messages and exit codes: an :class:`InputError` fails one input (the
batch goes on, exit 1), a :class:`RuleError` or an :class:`OptionsMismatch` fails the run
before it starts (exit 2). Messages are :func:`printable`: one line whatever a name holds.
"""

from __future__ import annotations

import re

#: Characters a message line must not carry raw: controls and line separators (a newline
#: in a file name would forge a line of its own), and the lone surrogates that stand for
#: the undecodable bytes of a file name (``os.fsdecode``), which no terminal can print.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    r"""A name or message safe to print on one line: controls and undecodable bytes escaped.

    >>> print(printable("evil\ncleaner: error: x"), printable("b\udcff.txt"))
    evil\ncleaner: error: x b\xff.txt
    >>> printable("گزارش ویژه.txt")
    'گزارش ویژه.txt'
    """
    return _UNPRINTABLE.sub(_escape, text)


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def name_text(name: str) -> str:
    r"""A file name as text: the bytes the file system encoding could not decode as ``\xNN``.

    ``os.fsdecode`` keeps such a byte as a lone surrogate, which no UTF-8 output (a journal,
    a JSON record, a terminal) can carry; ids and shown paths are made with this instead.
    The file itself is still opened by its real name.

    >>> print(name_text("b\udcff.txt"), name_text("سلام.txt"))
    b\xff.txt سلام.txt
    """
    return _UNDECODABLE.sub(_escape, name)


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    return _NAMED.get(ch) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


class CleanerError(Exception):
    """Base class of the errors a user can act on (bad input, bad rule file)."""


class OptionsMismatch(CleanerError):
    """The options given do not fit what an earlier run left (an index, an output folder).

    A wrong command line for that state: the CLI exits with code 2, like a usage error.
    """


class InputError(CleanerError):
    """An input could not be read or decoded; names the input and what to do.

    The message is :func:`printable`; ``source`` and ``reason`` keep the raw text.
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(printable(f"{source}: {reason}"))
        self.source = source
        self.reason = reason


class RuleError(CleanerError):
    """A rule file is invalid. The message reads ``file:line: rule <id>: reason``."""

    def __init__(self, file: str, line: int, rule_id: str | None, reason: str) -> None:
        where = f"{file}:{line}" if line else file
        who = f" rule {rule_id!r}:" if rule_id else ""
        super().__init__(f"{where}:{who} {reason}")
        self.file, self.line, self.rule_id, self.reason = file, line, rule_id, reason


class IndexFailure(CleanerError):
    """The index could not be reached, read or written (a server down or too slow, a lock
    held too long): a failure of this run, not of its command line."""
