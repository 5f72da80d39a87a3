"""The clean pipeline: decode -> extract or segment -> label with rules -> render.

Each stage is a function of its own module; this one only composes them:

1. :func:`cleaner.decode.decode`: bytes to text, with the encoding found.
2. :func:`cleaner.extract.extract_html` for HTML, :func:`cleaner.segment.split_lines` for text.
3. :func:`cleaner.lang.detect_lang`, then :meth:`Rulebook.select` picks global, language and
   site rule sets, and :func:`cleaner.rules.engine.apply_rules` labels the lines.
4. :mod:`cleaner.render` turns labelled lines into a :class:`CleanResult`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cleaner.config import CleanConfig
from cleaner.decode import decode
from cleaner.document import CleanResult, InputError, Line, Removal, Source
from cleaner.extract import extract_html, looks_like_html
from cleaner.lang import detect_lang
from cleaner.normalize import clean_line, match_key
from cleaner.render import removals, split_title
from cleaner.rules.engine import Rulebook, apply_rules
from cleaner.segment import split_lines


@dataclass(frozen=True)
class Extracted:
    """Text of one input split into raw lines, before any rule ran."""

    lines: list[str]
    input_format: str
    title_hint: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def to_text(src: Source) -> tuple[str, str | None, dict[str, Any]]:
    """Decode a source's bytes; text sources pass through with encoding ``None``."""
    if isinstance(src.data, str):
        return src.data, None, {}
    decoded = decode(src.data, src.source)
    meta = {"repaired": decoded.repaired} if decoded.repaired else {}
    return decoded.text, decoded.encoding, meta


def to_lines(text: str, is_html: bool | None, url: str | None) -> Extracted:
    """Split text into raw lines: trafilatura for HTML, the segmenter for plain text."""
    if is_html is None:
        is_html = looks_like_html(text)
    if not is_html:
        return Extracted(split_lines(text), "text")
    ex = extract_html(text, url=url)
    return Extracted(list(ex.lines), "html", ex.title, dict(ex.meta))


def label_lines(raw: list[str], lang: str, rulesets: list, config: CleanConfig) -> list[Line]:
    """Clean every raw line for output and label it with the selected rules."""
    fold_lang = lang if config.fold_persian else "und"
    lines = []
    for t in raw:
        text = clean_line(t, fold_lang)
        if text:
            lines.append(Line(index=len(lines), text=text, original=t))
    apply_rules(lines, lang, rulesets)
    return lines


def clean_source(src: Source, config: CleanConfig, rulebook: Rulebook) -> CleanResult:
    """Clean one input. Raises InputError when its bytes cannot be decoded."""
    text, encoding, meta = to_text(src)
    ex = to_lines(text, src.is_html, src.url)
    joined = "\n".join(ex.lines)
    lang = detect_lang(joined)
    rulesets = rulebook.select(lang, src.url, joined)
    lines = label_lines(ex.lines, lang, rulesets, config)
    title, paragraphs = split_title(lines, config.detect_title)
    removed = removals(lines)
    if ex.title_hint and not title:
        title = clean_line(ex.title_hint, lang if config.fold_persian else "und")
        if paragraphs and match_key(paragraphs[0]) == match_key(title):
            removed.append(Removal(paragraphs[0], "render/title-repeat", "duplicate", 1))
            paragraphs = paragraphs[1:]
    if config.dedupe:
        paragraphs, near = _dedupe_within(paragraphs, config)
        meta["near_duplicates"] = near
    if src.url:
        meta["url"] = src.url
    meta.update(src.meta)
    if ex.meta:
        meta["extracted"] = ex.meta
    return CleanResult(
        id=src.id,
        source=src.source,
        encoding=encoding,
        lang=lang,
        title=title,
        paragraphs=tuple(paragraphs),
        removed=tuple(removed),
        input_format=ex.input_format,
        rulesets=tuple(rs.name for rs in rulesets),
        meta=meta,
    )


def _dedupe_within(paragraphs: list[str], config: CleanConfig) -> tuple[list[str], list[dict]]:
    """Find near-duplicate paragraphs of one document; drop the later ones if asked."""
    from cleaner.dedupe import near_duplicates_within  # the MinHash stack loads only when used

    pairs = near_duplicates_within(paragraphs, config.dedupe_threshold)
    near = [{"paragraph": j, "duplicate_of": i, "similarity": round(s, 3)} for i, j, s in pairs]
    if config.dedupe == "drop":
        later = {j for _, j, _ in pairs}
        paragraphs = [p for k, p in enumerate(paragraphs) if k not in later]
    return paragraphs, near


def clean_sources(
    items: Iterable[Source | InputError],
    config: CleanConfig | None = None,
    rulebook: Rulebook | None = None,
) -> Iterator[CleanResult | InputError]:
    """Clean a stream of inputs; a failing input yields its InputError and the rest go on."""
    config = config or CleanConfig()
    rulebook = rulebook or Rulebook.load(config.rules_dirs, config.builtin_rules)
    for item in items:
        if isinstance(item, InputError):
            yield item
            continue
        try:
            yield clean_source(item, config, rulebook)
        except InputError as exc:
            yield exc


def clean(
    data: bytes | str,
    *,
    id: str = "input",
    source: str = "<input>",
    url: str | None = None,
    is_html: bool | None = None,
    config: CleanConfig | None = None,
    rulebook: Rulebook | None = None,
) -> CleanResult:
    """Clean one document given as bytes (any encoding) or text, HTML or plain.

    Raises:
        InputError: the bytes are binary or cannot be decoded.
    """
    config = config or CleanConfig()
    rulebook = rulebook or default_rulebook(config)
    return clean_source(Source(id, data, source, url, is_html), config, rulebook)


_RULEBOOKS: dict[tuple, Rulebook] = {}


def default_rulebook(config: CleanConfig) -> Rulebook:
    """The rulebook for a config's rule folders, loaded once per process."""
    key = (config.rules_dirs, config.builtin_rules)
    if key not in _RULEBOOKS:
        _RULEBOOKS[key] = Rulebook.load(config.rules_dirs, config.builtin_rules)
    return _RULEBOOKS[key]
