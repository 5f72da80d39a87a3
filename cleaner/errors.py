"""The errors a user can act on: each names the input or rule file and what is wrong.

The CLI maps them to messages and exit codes: an :class:`InputError` fails one input (the
batch goes on, exit 1), a :class:`RuleError` fails the run before it starts (exit 2).
"""

from __future__ import annotations


class CleanerError(Exception):
    """Base class of the errors a user can act on (bad input, bad rule file)."""


class InputError(CleanerError):
    """An input could not be read or decoded; names the input and what to do."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class RuleError(CleanerError):
    """A rule file is invalid. The message reads ``file:line: rule <id>: reason``."""

    def __init__(self, file: str, line: int, rule_id: str | None, reason: str) -> None:
        where = f"{file}:{line}" if line else file
        who = f" rule {rule_id!r}:" if rule_id else ""
        super().__init__(f"{where}:{who} {reason}")
        self.file, self.line, self.rule_id, self.reason = file, line, rule_id, reason
