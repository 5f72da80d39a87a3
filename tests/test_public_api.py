"""The public API: every name in ``cleaner.__all__`` resolves, lazily, to its defining module."""

from __future__ import annotations

import subprocess
import sys

import cleaner


def test_all_lists_exactly_the_lazy_exports() -> None:
    assert sorted(cleaner.__all__) == sorted(["__version__", *cleaner._EXPORTS])


def test_every_exported_name_resolves_to_the_object_of_its_module() -> None:
    import importlib

    for name in cleaner.__all__:
        if name == "__version__":
            continue
        obj = getattr(cleaner, name)
        module = importlib.import_module(cleaner._EXPORTS[name])
        assert obj is getattr(module, name), name


def test_unknown_names_raise_attribute_error() -> None:
    try:
        cleaner.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("cleaner.no_such_name resolved")


def test_importing_a_low_layer_does_not_load_the_pipeline_or_the_minhash_stack() -> None:
    code = (
        "import sys, cleaner.pool, cleaner.text.normalize; "
        "print(any(m.startswith(('cleaner.pipeline', 'cleaner.dedupe', 'trafilatura', "
        "'datasketch')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_clean_from_the_package_root() -> None:
    result = cleaner.clean(
        b"A first paragraph of text.\n\nA second one.", config=cleaner.CleanConfig()
    )
    assert "A second one." in result.paragraphs
