"""Human-readable listing of what a clean run removed and why (``--explain``, golden files)."""

from __future__ import annotations

from cleaner.document import CleanResult

_MAX_SHOWN = 160


def explain(result: CleanResult) -> str:
    """One header line for the document, then one line per removal: line, category, rule, text.

    >>> from cleaner.document import Removal
    >>> r = CleanResult("a.txt", "a.txt", "utf-8", "fa", "T", ("p",),
    ...                 (Removal("0", "global/numeric-only", "metadata", 3),), "text", ("global",))
    >>> print(explain(r))
    == a.txt  lang=fa encoding=utf-8 format=text rules=global  kept=2 removed=1
      L3    metadata        global/numeric-only             0
    """
    kept = len(result.paragraphs) + (1 if result.title else 0)
    head = (
        f"== {result.id}  lang={result.lang} encoding={result.encoding} "
        f"format={result.input_format} rules={','.join(result.rulesets)}  "
        f"kept={kept} removed={len(result.removed)}"
    )
    rows = [head]
    for r in result.removed:
        text = r.text if len(r.text) <= _MAX_SHOWN else r.text[: _MAX_SHOWN - 1] + "…"
        note = f"  ({r.detail})" if r.detail else ""
        rows.append(f"  L{r.line:<4} {r.category:<15} {r.rule:<31} {text}{note}")
    return "\n".join(rows)
