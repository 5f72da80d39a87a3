"""The labelled evaluation in eval/boilerplate meets its floors, for Persian and for Arabic."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[2] / "eval" / "boilerplate" / "run.py"


def _runner():
    spec = importlib.util.spec_from_file_location("boilerplate_eval", RUNNER)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up by name
    spec.loader.exec_module(mod)
    return mod


def test_floors_per_language_with_and_without_templates():
    ev = _runner()
    docs = ev.load_docs()
    assert {d.lang for d in docs} == {"fa", "ar"} and len(docs) >= 60
    for templates in (False, True):
        scores = ev.evaluate(docs, templates=templates)
        for lang in ("fa", "ar"):
            s = scores[(lang, "all")]
            assert s.removed_share >= ev.FLOORS["leftovers_removed"], (lang, templates, s.misses)
            assert s.kept_share >= ev.FLOORS["body_kept"], (lang, templates, s.misses)


def test_templates_never_cost_body_and_add_removals():
    ev = _runner()
    docs = ev.load_docs()
    rules = ev.evaluate(docs, templates=False)
    both = ev.evaluate(docs, templates=True)
    for lang in ("fa", "ar"):
        assert both[(lang, "all")].kept == rules[(lang, "all")].kept
        assert both[(lang, "all")].removed >= rules[(lang, "all")].removed
    assert sum(both[(lg, "all")].removed for lg in ("fa", "ar")) > sum(
        rules[(lg, "all")].removed for lg in ("fa", "ar")
    )
