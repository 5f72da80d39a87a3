"""Select the rule sets that apply to a document and run them over its lines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cleaner.document import Line
from cleaner.metadata import Capture
from cleaner.rules.kinds import KINDS, DocContext
from cleaner.rules.loader import RuleError, builtin_rules_dir, load_folder
from cleaner.rules.model import Rule, RuleSet

#: How much of a document is searched for a site's signatures: they sit in captions and
#: credits, near the top or the bottom, but a whole 50 MB line is not worth scanning.
SIGNATURE_WINDOW = 20_000
_SCOPE_ORDER = {"global": 0, "lang": 1, "site": 2}


@dataclass(frozen=True)
class Rulebook:
    """All loaded rule sets, in load order (built-in first, then user folders)."""

    rulesets: tuple[RuleSet, ...]

    @classmethod
    def load(cls, extra_dirs: Sequence[Path] = (), builtin: bool = True) -> Rulebook:
        """Load the built-in rules and any user rule folders; rule ids must be unique."""
        sets: list[RuleSet] = []
        if builtin:
            sets += load_folder(builtin_rules_dir())
        for folder in extra_dirs:
            sets += load_folder(Path(folder))
        names: dict[str, str] = {}
        for rs in sets:
            if rs.name in names:
                raise RuleError(
                    rs.file, 0, None, f"rule set name {rs.name!r} already used by {names[rs.name]}"
                )
            names[rs.name] = rs.file
        return cls(tuple(sets))

    def rules(self) -> Iterable[Rule]:
        for rs in self.rulesets:
            yield from rs.rules

    def select(self, lang: str, url: str | None, text: str) -> list[RuleSet]:
        """The rule sets for one document: global ones, its language's, its site's.

        A site is chosen by the URL's host when known, else by a signature found in the text.
        """
        host = (urlsplit(url).hostname or "").lower() if url else ""
        window = text[:SIGNATURE_WINDOW] + "\n" + text[-SIGNATURE_WINDOW:]
        chosen = []
        for rs in self.rulesets:
            if rs.scope == "global":
                chosen.append(rs)
            elif rs.scope == "lang":
                if lang in rs.langs:
                    chosen.append(rs)
            elif rs.langs and lang not in rs.langs:
                continue
            elif (
                host
                and any(host == d or host.endswith("." + d) for d in rs.domains)
                or any(sig.search(window) for sig in rs.signatures)
            ):
                chosen.append(rs)
        return sorted(chosen, key=lambda rs: _SCOPE_ORDER[rs.scope])


def apply_rules(lines: list[Line], lang: str, rulesets: Sequence[RuleSet]) -> list[Capture]:
    """Label ``lines`` in place with every rule of ``rulesets``, phase by phase.

    Within a phase rules run in rule-set order (global, language, site) then file order;
    the first rule to drop a line gives its reason. Returns the metadata the rules captured
    (dates, codes, agencies...), in the order they were read.
    """
    doc = DocContext(lines=lines, lang=lang)
    rules = [r for rs in rulesets for r in rs.rules]
    rules.sort(key=lambda r: KINDS[r.kind].phase)  # stable: keeps file order within a phase
    for rule in rules:
        KINDS[rule.kind].apply(doc, rule)
    return doc.captures


def apply_one(lines: list[Line], lang: str, rule: Rule) -> list[Capture]:
    """Label ``lines`` with a single rule (used to check a rule's own examples)."""
    doc = DocContext(lines=lines, lang=lang)
    KINDS[rule.kind].apply(doc, rule)
    return doc.captures
