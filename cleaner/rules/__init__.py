"""Boilerplate rules as data: load rule files, select them per document, label lines."""

from cleaner.errors import RuleError
from cleaner.rules.engine import Rulebook, apply_rules
from cleaner.rules.examples import ExampleFailure, check_rule, check_rulebook
from cleaner.rules.loader import load_file, load_folder
from cleaner.rules.model import CATEGORIES, Rule, RuleSet

__all__ = [
    "CATEGORIES",
    "ExampleFailure",
    "Rule",
    "RuleError",
    "RuleSet",
    "Rulebook",
    "apply_rules",
    "check_rule",
    "check_rulebook",
    "load_file",
    "load_folder",
]
