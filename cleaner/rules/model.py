"""The rule types: what a rule file is turned into after validation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: Categories a rule may file a removal under. A rule file may not invent others, so the
#: counts in a report stay comparable across rule sets.
CATEGORIES = frozenset(
    {
        "navigation",
        "related",
        "credit",
        "caption",
        "foreign-script",
        "metadata",
        "comments",
        "duplicate",
        "next-article",
        "share",
        "promo",
        "end-marker",
        "byline",
        "template",
        "empty",
        "contact",
    }
)


@dataclass(frozen=True)
class Example:
    """A document-shaped example: ``text`` run through the rule, then checked.

    ``dropped`` lines must be dropped by this rule, ``kept`` lines must survive, and
    ``output`` (when given) is the exact kept text, one line per kept line. With
    ``stack``, the text runs through the whole stack of its language instead of the rule
    alone: for a rule that judges what the rules before it dropped.
    """

    text: str
    dropped: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    output: str | None = None
    line: int = 0
    stack: bool = False


@dataclass(frozen=True)
class Rule:
    """One validated rule.

    Attributes:
        id: Unique id, ``<ruleset>/<rule>`` once loaded (e.g. ``fa/send-to-friends``).
        kind: One of the kinds in :mod:`cleaner.rules.kinds`.
        category: One of :data:`CATEGORIES`.
        description: What the rule removes and why it is safe.
        params: Kind-specific parameters, already compiled (regexes, key sets).
        drop: Single lines this rule alone must drop.
        keep: Single lines the whole applicable rule stack must keep.
        examples: Document-shaped examples.
        strip: ``(line, becomes)`` pairs for within-line rules.
        captures: ``(line, {field: value})`` pairs: what the rule must capture from the line.
        file: The rule file, for messages.
        line: Line of the rule in its file.
    """

    id: str
    kind: str
    category: str
    description: str
    params: dict[str, Any]
    drop: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    strip: tuple[tuple[str, str], ...] = ()
    captures: tuple[tuple[str, dict[str, str]], ...] = ()
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class RuleSet:
    """The rules of one file and the scope that selects them for a document.

    Attributes:
        name: The file's ``name`` (``global``, ``fa``, ``sputnik-fa``...).
        scope: ``global``, ``lang`` or ``site``.
        langs: For lang scope (and optionally site scope): the languages it applies to.
        domains: For site scope: URL host names (a suffix match: ``sputniknews.com`` covers
            ``ir.sputniknews.com``).
        signatures: For site scope: regexes, any of which found in the text selects the site.
        rules: The rules, in file order.
        file: Path of the file.
    """

    name: str
    scope: str
    rules: tuple[Rule, ...]
    langs: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    signatures: tuple[re.Pattern[str], ...] = ()
    description: str = ""
    file: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
