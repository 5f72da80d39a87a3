"""Hypothesis profiles of the fuzz suite: ``ci`` (the default: derandomized, so a run is
reproducible, and small enough for the whole suite to stay under two minutes on two shared
cores) and ``deep`` (``HYPOTHESIS_PROFILE=deep``: random and ten times longer, for a hunt)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,  # a shared machine makes per-example timings meaningless
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    "print_blob": True,
}
settings.register_profile("ci", derandomize=True, database=None, **_COMMON)
settings.register_profile("deep", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
