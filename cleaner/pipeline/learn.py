"""Propose rule files from a batch: the template lines of each source, as reviewable data.

``cleaner rules learn`` runs :func:`cleaner.pipeline.run.build_templates` over the batch (first
pass), then cleans every input with the current rules (second pass) and collects, per source,
the kept lines the index convicts (what no rule removes yet) and a few kept body sentences.
Each source becomes a ``scope: site`` rule file with one ``line`` rule whose ``drop`` examples
are template lines seen in the data and whose ``keep`` examples are body sentences of the same
source, so ``cleaner rules test`` checks the proposal before anyone saves it into ``rules/``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from cleaner.config import CleanConfig
from cleaner.document import Source
from cleaner.errors import InputError
from cleaner.pipeline.run import clean_source
from cleaner.pipeline.template_key import template_key
from cleaner.pipeline.templates import TemplateIndex, source_of
from cleaner.rules.engine import Rulebook
from cleaner.text.normalize import match_key

_SENTENCE = re.compile(r"[.!?\u061f]\s*$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
KEEP_EXAMPLES = 3


@dataclass
class Proposal:
    """What the batch says about one source: its template lines and some body sentences."""

    source: str
    docs: int
    lines: dict[str, str] = field(default_factory=dict)  # key -> text as printed
    counts: dict[str, int] = field(default_factory=dict)  # key -> documents
    body: list[str] = field(default_factory=list)
    langs: Counter[str] = field(default_factory=Counter)


def slug(source: str) -> str:
    """A rule-set name for a source: lowercase letters, digits and dashes.

    >>> slug("www.ISNA.ir")
    'www-isna-ir'
    >>> slug("scrapes/irna")
    'scrapes-irna'
    >>> slug("خبرگزاری")
    'source'
    """
    s = re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-")
    return s or "source"


def propose(
    items: Iterable[Source | InputError],
    index: TemplateIndex,
    config: CleanConfig,
    rulebook: Rulebook,
) -> list[Proposal]:
    """Second pass: the convicted lines no rule removes yet, and body sentences, per source."""
    found: dict[str, Proposal] = {}
    for item in items:
        if isinstance(item, InputError):
            continue
        source = source_of(item)
        convicted = index.templates(source)
        if not convicted:
            continue
        try:
            res = clean_source(item, config, rulebook)
        except InputError:
            continue
        p = found.setdefault(source, Proposal(source, index.docs.get(source, 0)))
        p.langs[res.lang] += 1
        for text in ([res.title] if res.title else []) + list(res.paragraphs):
            key = match_key(text)
            hit = index.lookup(source, template_key(text, index.policy.short_chars))
            if hit is not None:
                p.lines.setdefault(key, text)
                p.counts[key] = hit.docs
            elif (
                len(p.body) < KEEP_EXAMPLES
                and _SENTENCE.search(text)
                and 6 <= len(text.split()) <= 40
            ):
                p.body.append(text)
    return [p for p in found.values() if p.lines and p.body]


def ruleset(p: Proposal) -> dict[str, Any]:
    """The rule file (as data) proposed for one source."""
    ordered = sorted(p.lines, key=lambda k: -p.counts[k])
    texts = [p.lines[k] for k in ordered]
    lang = p.langs.most_common(1)[0][0]
    head: dict[str, Any] = {"name": f"learned-{slug(p.source)}", "scope": "site"}
    if lang in ("fa", "ar", "en", "ru"):
        head["langs"] = [lang]
    if _DOMAIN.match(p.source):
        head["domains"] = [p.source]
    else:
        head["signatures"] = [re.escape(texts[0]).replace("\\ ", " ")]
    counts = ", ".join(f"{p.counts[k]}" for k in ordered)
    head["description"] = (
        f"Learned from {p.docs} documents of {p.source}: lines printed on many of its pages."
    )
    head["rules"] = [
        {
            "id": "template-lines",
            "kind": "line",
            "category": "template",
            "description": (
                f"Lines that recur across documents of {p.source} (documents each: {counts}); "
                "review before saving: keep only page furniture."
            ),
            "match": texts,
            "drop": texts[:3],
            "keep": p.body,
        }
    ]
    return head


def to_yaml(p: Proposal) -> str:
    """One proposal as a rule file, with a header saying where to save it."""
    body = yaml.safe_dump(ruleset(p), allow_unicode=True, sort_keys=False, width=100)
    return f"# proposed rules/learned-{slug(p.source)}.yaml: review, then save\n{body}"
