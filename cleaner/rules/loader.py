"""Load and validate rule files (YAML) into :class:`RuleSet` objects.

A rule file is data: a header naming its scope, then a list of rules, each with an id, a
kind, a category, a description and its own examples. Every problem is reported as a
:class:`RuleError` naming the file, the line and the rule id, so a user fixing a rule file
at 3 a.m. does not have to guess.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from cleaner.errors import RuleError
from cleaner.rules.context import ParamError
from cleaner.rules.kinds import KINDS
from cleaner.rules.model import CATEGORIES, Example, Rule, RuleSet
from cleaner.rules.safe_regex import UnsafePattern, compile_rule_regex

RULESET_SCOPES = ("global", "lang", "site")
_LINE = "__line__"
_COMMON_FIELDS = frozenset(
    {"id", "kind", "category", "description", "drop", "keep", "examples", "strip_examples"}
    | {"capture_examples", _LINE}
)
_FILE_FIELDS = frozenset(
    {"name", "scope", "langs", "domains", "signatures", "description", "lists", "rules", _LINE}
)
#: A named list of a rule file (``lists:``) placed in a regex: ``{{places}}``.
_LIST_REF = re.compile(r"\{\{([a-z][a-z0-9_]*)\}\}")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that records the line of every mapping under ``__line__``."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[_LINE] = node.start_mark.line + 1
        return mapping


def builtin_rules_dir() -> Path:
    """The folder of rule files shipped with the package (``rules/`` in a checkout).

    A wheel carries ``rules/`` as the package ``cleaner.builtin_rules``; a source checkout
    (run from the repository, or installed in editable mode) reads ``rules/`` directly.
    """
    try:
        spec = importlib.util.find_spec("cleaner.builtin_rules")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parents[2] / "rules"


def rule_files(folder: Path) -> list[Path]:
    """The rule files of a folder, sorted by name (``*.yaml`` and ``*.yml``)."""
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_folder(folder: Path) -> list[RuleSet]:
    """Load every rule file of ``folder``; raise RuleError on the first invalid one."""
    if not folder.is_dir():
        raise RuleError(str(folder), 0, None, "rule folder not found")
    return [load_file(p) for p in rule_files(folder)]


def load_file(path: Path) -> RuleSet:
    """Load and validate one rule file."""
    file = str(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise RuleError(file, line, None, f"not valid YAML: {exc.problem}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL...)
        line = path.read_text(encoding="utf-8")[: exc.position].count("\n") + 1
        raise RuleError(file, line, None, f"not valid YAML: {exc.reason}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(file, 0, None, f"cannot read: {exc}") from None
    return parse_ruleset(raw, file)


def parse_ruleset(raw: Any, file: str) -> RuleSet:
    """Validate the parsed YAML of one rule file."""
    if not isinstance(raw, dict):
        raise RuleError(
            file, 1, None, "a rule file must be a mapping with 'name', 'scope', 'rules'"
        )
    line = raw.get(_LINE, 1)
    unknown = set(raw) - _FILE_FIELDS
    if unknown:
        raise RuleError(file, line, None, f"unknown field(s) {sorted(unknown)}")
    name = raw.get("name")
    if not isinstance(name, str) or not _ID.match(name):
        raise RuleError(file, line, None, "'name' must be a lowercase identifier")
    scope = raw.get("scope")
    if scope not in RULESET_SCOPES:
        raise RuleError(file, line, None, f"'scope' must be one of {', '.join(RULESET_SCOPES)}")
    langs = _str_list(raw.get("langs", []), file, line, "langs")
    domains = _str_list(raw.get("domains", []), file, line, "domains")
    signatures = []
    for s in _str_list(raw.get("signatures", []), file, line, "signatures"):
        try:
            signatures.append(compile_rule_regex(s))
        except re.error as exc:
            raise RuleError(file, line, None, f"invalid signature regex {s!r}: {exc}") from None
        except UnsafePattern as exc:
            raise RuleError(file, line, None, f"signature regex {s!r} {exc}") from None
    if scope == "lang" and not langs:
        raise RuleError(file, line, None, "a lang rule file needs 'langs'")
    if scope == "site" and not (domains or signatures):
        raise RuleError(file, line, None, "a site rule file needs 'domains' or 'signatures'")
    lists = _lists(raw.get("lists", {}), file, line)
    items = raw.get("rules")
    if not isinstance(items, list) or not items:
        raise RuleError(file, line, None, "'rules' must be a non-empty list")
    rules: list[Rule] = []
    seen: set[str] = set()
    for item in items:
        rule = parse_rule(item, name, file, lists)
        if rule.id in seen:
            raise RuleError(file, rule.line, rule.id, "duplicate rule id in this file")
        seen.add(rule.id)
        rules.append(rule)
    return RuleSet(
        name=name,
        scope=scope,
        rules=tuple(rules),
        langs=tuple(langs),
        domains=tuple(d.lower() for d in domains),
        signatures=tuple(signatures),
        description=str(raw.get("description", "")),
        file=file,
    )


def _lists(value: Any, file: str, line: int) -> dict[str, str]:
    """A file's named lists, each as the regex alternation its ``{{name}}`` stands for.

    The strings are literal text (escaped); the longest come first, so that a place of two
    words is taken whole rather than its first word alone ("مكة المكرمة" before "مكة").
    """
    if not isinstance(value, dict):
        raise RuleError(file, line, None, "'lists' must map names to lists of strings")
    out: dict[str, str] = {}
    for key, items in _unmarked(value).items():
        if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise RuleError(file, line, None, f"list name {key!r}: lowercase letters, digits, _")
        strings = _str_list(items, file, line, f"lists.{key}")
        if not strings or not all(s.strip() for s in strings):
            raise RuleError(file, line, None, f"list {key!r} must hold non-empty strings")
        alternatives = sorted(set(strings), key=lambda s: (-len(s), s))
        out[key] = "(?:" + "|".join(re.escape(s) for s in alternatives) + ")"
    return out


def _with_lists(value: Any, lists: dict[str, str], file: str, line: int, rid: str) -> Any:
    """``value`` with each ``{{name}}`` of a regex string replaced by the file's list."""
    if not isinstance(value, str) or "{{" not in value:
        return value

    def place(m: re.Match[str]) -> str:
        if m.group(1) not in lists:
            known = ", ".join(sorted(lists)) or "none"
            raise RuleError(file, line, rid, f"unknown list {{{{{m.group(1)}}}}} (lists: {known})")
        return lists[m.group(1)]

    return _LIST_REF.sub(place, value)


def parse_rule(raw: Any, ruleset: str, file: str, lists: dict[str, str] | None = None) -> Rule:
    """Validate one rule mapping; ``lists`` are its file's named lists."""
    if not isinstance(raw, dict):
        raise RuleError(file, 0, None, "each rule must be a mapping")
    line = raw.get(_LINE, 0)
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise RuleError(file, line, None, "missing or invalid 'id' (lowercase, digits, - . _)")
    kind_name = raw.get("kind")
    if kind_name not in KINDS:
        raise RuleError(file, line, rid, f"unknown kind {kind_name!r}; known: {', '.join(KINDS)}")
    kind = KINDS[kind_name]
    category = raw.get("category")
    if category not in CATEGORIES:
        raise RuleError(
            file,
            line,
            rid,
            f"unknown category {category!r}; known: {', '.join(sorted(CATEGORIES))}",
        )
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise RuleError(file, line, rid, "missing 'description'")
    unknown = set(raw) - _COMMON_FIELDS - kind.fields
    if unknown:
        raise RuleError(file, line, rid, f"unknown field(s) {sorted(unknown)} for kind {kind_name}")
    params_raw = {
        k: _with_lists(_unmarked(v), lists or {}, file, line, rid)
        for k, v in raw.items()
        if k in kind.fields
    }
    try:
        params = kind.parse(params_raw)
    except ParamError as exc:
        raise RuleError(file, line, rid, str(exc)) from None
    drop = tuple(_str_list(raw.get("drop", []), file, line, "drop", rid))
    keep = tuple(_str_list(raw.get("keep", []), file, line, "keep", rid))
    examples = tuple(_examples(raw.get("examples", []), file, line, rid))
    strip = tuple(_strip_examples(raw.get("strip_examples", []), file, line, rid))
    captures = tuple(_capture_examples(raw.get("capture_examples", []), file, line, rid))
    if "capture" in raw and not captures:
        raise RuleError(file, line, rid, "a rule with 'capture' needs 'capture_examples'")
    drops_something = kind_name != "meta"
    if drops_something and not (
        drop or strip or any(e.dropped or e.output is not None for e in examples)
    ):
        raise RuleError(file, line, rid, "needs at least one example that must be dropped")
    if not (keep or any(e.kept or e.output is not None for e in examples)):
        raise RuleError(file, line, rid, "needs at least one example that must be kept")
    return Rule(
        id=f"{ruleset}/{rid}",
        kind=kind_name,
        category=category,
        description=" ".join(description.split()),
        params=params,
        drop=drop,
        keep=keep,
        examples=examples,
        strip=strip,
        captures=captures,
        file=file,
        line=line,
    )


def _unmarked(value: Any) -> Any:
    """A mapping without the ``__line__`` marker the loader adds (``capture: {...}``)."""
    return {k: v for k, v in value.items() if k != _LINE} if isinstance(value, dict) else value


def _str_list(value: Any, file: str, line: int, name: str, rid: str | None = None) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(file, line, rid, f"'{name}' must be a list of strings")
    return value


def _examples(value: Any, file: str, line: int, rid: str) -> Iterable[Example]:
    if not isinstance(value, list):
        raise RuleError(file, line, rid, "'examples' must be a list")
    for ex in value:
        ex_line = ex.get(_LINE, line) if isinstance(ex, dict) else line
        if not isinstance(ex, dict) or not isinstance(ex.get("text"), str):
            raise RuleError(file, ex_line, rid, "each example needs a 'text'")
        unknown = set(ex) - {"text", "dropped", "kept", "output", "stack", _LINE}
        if unknown:
            raise RuleError(file, ex_line, rid, f"unknown example field(s) {sorted(unknown)}")
        output = ex.get("output")
        if output is not None and not isinstance(output, str):
            raise RuleError(file, ex_line, rid, "'output' must be a string")
        if not isinstance(ex.get("stack", False), bool):
            raise RuleError(file, ex_line, rid, "'stack' must be true or false")
        yield Example(
            text=ex["text"],
            dropped=tuple(_str_list(ex.get("dropped", []), file, ex_line, "dropped", rid)),
            kept=tuple(_str_list(ex.get("kept", []), file, ex_line, "kept", rid)),
            output=output,
            line=ex_line,
            stack=ex.get("stack", False),
        )


def _strip_examples(value: Any, file: str, line: int, rid: str) -> Iterable[tuple[str, str]]:
    if not isinstance(value, list):
        raise RuleError(file, line, rid, "'strip_examples' must be a list")
    for ex in value:
        ok = isinstance(ex, dict) and isinstance(ex.get("line"), str)
        if not ok or not isinstance(ex.get("becomes"), str):
            raise RuleError(file, line, rid, "each strip example needs 'line' and 'becomes'")
        yield ex["line"], ex["becomes"]


def _capture_examples(
    value: Any, file: str, line: int, rid: str
) -> Iterable[tuple[str, dict[str, str]]]:
    if not isinstance(value, list):
        raise RuleError(file, line, rid, "'capture_examples' must be a list")
    for ex in value:
        ok = isinstance(ex, dict) and isinstance(ex.get("line"), str)
        fields = _unmarked(ex.get("fields")) if ok else None
        if (
            not ok
            or not isinstance(fields, dict)
            or not all(isinstance(v, str) for v in fields.values())
        ):
            raise RuleError(
                file, line, rid, "each capture example needs 'line' and 'fields' (field: value)"
            )
        yield ex["line"], {str(k): v for k, v in fields.items()}
