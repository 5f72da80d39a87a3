"""The clean pipeline: decode -> extract or segment -> label with rules -> render.

Each stage is a function of its own module; this one only composes them:

1. :func:`cleaner.io.decode.decode`: bytes to text, with the encoding found.
2. :func:`cleaner.pipeline.extract.extract_html` for HTML,
   :func:`cleaner.text.segment.split_lines` for text;
   :func:`cleaner.text.glue.split_glued` cuts sentences glued without a space ("است.این") apart.
3. :func:`cleaner.text.lang.detect_lang`, then :meth:`Rulebook.select` picks global, language and
   site rule sets, and :func:`cleaner.rules.engine.apply_rules` labels the lines and captures
   metadata (:mod:`cleaner.metadata.captures`).
4. With a :class:`cleaner.pipeline.templates.TemplateIndex` (``clean --templates``, built by
   :func:`build_templates` in a first pass over the batch), lines the batch convicts as a
   source's templates are labelled too.
5. :func:`cleaner.text.glue.rejoin` joins the kept pieces of each line again, and
   :mod:`cleaner.pipeline.render` turns labelled lines into a :class:`CleanResult`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cleaner.config import CleanConfig
from cleaner.document import CleanResult, Line, Removal, Source
from cleaner.errors import InputError
from cleaner.io.decode import check_text, decode
from cleaner.metadata.captures import Capture, metadata_of
from cleaner.pipeline.render import removals, split_title
from cleaner.pipeline.sniff import looks_like_html
from cleaner.pipeline.template_key import template_key
from cleaner.pipeline.templates import TemplateIndex, TemplatePolicy, label_templates, source_of
from cleaner.rules.engine import Rulebook, apply_rules
from cleaner.text.glue import may_be_glued, rejoin, split_glued
from cleaner.text.lang import detect_lang
from cleaner.text.normalize import CHARS, clean_line, clean_lines, cleaned_classes, match_key
from cleaner.text.segment import split_lines


@dataclass(frozen=True)
class RawLines:
    """Text of one input split into raw lines, before any rule ran."""

    lines: list[str]
    input_format: str
    title_hint: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def to_text(src: Source) -> tuple[str, str | None, dict[str, Any]]:
    """Decode a source's bytes; text sources are checked (not binary, no NUL), encoding ``None``."""
    if isinstance(src.data, str):
        checked = check_text(src.data, src.source)
        return checked.text, None, {"repaired": checked.repaired} if checked.repaired else {}
    decoded = decode(src.data, src.source)
    meta = {"repaired": decoded.repaired} if decoded.repaired else {}
    return decoded.text, decoded.encoding, meta


def to_lines(text: str, is_html: bool | None, url: str | None) -> RawLines:
    """Split text into raw lines: trafilatura for HTML, the segmenter for plain text."""
    if is_html is None:
        is_html = looks_like_html(text)
    if not is_html:
        return RawLines(split_lines(text), "text")
    # Imported at the first page: trafilatura takes 0.3-0.5 s to import, which a run that
    # meets no HTML (dedupe of clean text, a batch of plain text) need not pay.
    from cleaner.pipeline.extract import extract_html

    ex = extract_html(text, url=url)
    return RawLines(list(ex.lines), "html", ex.title, dict(ex.meta))


def to_pieces(raw: list[str]) -> tuple[list[str], list[int]]:
    """Cut raw lines at glued sentences; also return each piece's raw line number."""
    if not may_be_glued("\n".join(raw)):  # one scan of the document instead of one per line
        return list(raw), list(range(len(raw)))
    pieces: list[str] = []
    groups: list[int] = []
    for n, line in enumerate(raw):
        for piece in split_glued(line):
            pieces.append(piece)
            groups.append(n)
    return pieces, groups


@dataclass
class Labelled:
    """Lines of one document after the rules: labels, raw-line groups, captured metadata."""

    lines: list[Line]
    groups: list[int]
    captures: list[Capture]


def label_document(raw: list[str], lang: str, rulesets: list, config: CleanConfig) -> Labelled:
    """Cut glued sentences apart, clean every piece for output, label it with the rules."""
    fold_lang = lang if config.fold_persian else "und"
    pieces, piece_groups = to_pieces(raw)
    # Which character classes the document holds, looked up once for the normaliser and
    # the rules (cleaning only removes characters or writes plain spaces and Persian
    # letters, so what the cleaned lines hold is a subset).
    found = CHARS.mask("\n".join(pieces))
    lines: list[Line] = []
    groups: list[int] = []
    cleaned = clean_lines(pieces, fold_lang, found)
    for text, t, g in zip(cleaned, pieces, piece_groups, strict=True):
        if text:
            lines.append(Line(len(lines), text, t))
            groups.append(g)
    captures = apply_rules(lines, lang, rulesets, cleaned_classes(found), groups)
    return Labelled(lines, groups, captures)


def label_lines(raw: list[str], lang: str, rulesets: list, config: CleanConfig) -> list[Line]:
    """Clean every raw line for output and label it with the selected rules."""
    return label_document(raw, lang, rulesets, config).lines


def clean_source(
    src: Source,
    config: CleanConfig,
    rulebook: Rulebook,
    templates: TemplateIndex | None = None,
) -> CleanResult:
    """Clean one input (``templates``: a batch's index). Raises InputError if undecodable."""
    text, encoding, meta = to_text(src)
    ex = to_lines(text, src.is_html, src.url)
    joined = "\n".join(ex.lines)
    lang = detect_lang(joined)
    rulesets = rulebook.select(lang, src.url, joined)
    labelled = label_document(ex.lines, lang, rulesets, config)
    if templates is not None:
        label_templates(labelled.lines, templates, source_of(src), labelled.groups)
    lines = rejoin(labelled.lines, labelled.groups)
    removed = removals(lines)
    # The record names the title (its metadata), else the page does (HTML).
    hint_from = "metadata" if src.title else "html"
    hint = clean_line(src.title or ex.title_hint, lang if config.fold_persian else "und")
    if hint:
        # The first line stays a paragraph unless it is that title printed again.
        title, title_from = hint, hint_from
        kept = [ln for ln in lines if ln.kept]
        paragraphs = [ln.text for ln in kept]
        if kept and match_key(kept[0].text) == match_key(title):
            removed.append(
                Removal(kept[0].text, "render/title-repeat", "duplicate", kept[0].index + 1)
            )
            paragraphs = paragraphs[1:]
            removed.sort(key=lambda r: r.line)  # stable: document order
    else:
        title, paragraphs = split_title(lines, config.detect_title)
        title_from = "first-line" if title else ""
    if config.dedupe:
        paragraphs, near = _dedupe_within(paragraphs, config)
        meta["near_duplicates"] = near
    if src.url:
        meta["url"] = src.url
    meta.update(src.meta)
    if ex.meta:
        meta["extracted"] = ex.meta
    found = metadata_of(labelled.captures)
    if found:
        meta["metadata"] = found
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
        title_from=title_from,
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
    templates: TemplateIndex | None = None,
) -> Iterator[CleanResult | InputError]:
    """Clean a stream of inputs; a failing input yields its InputError and the rest go on."""
    config = config or CleanConfig()
    rulebook = rulebook or Rulebook.load(config.rules_dirs, config.builtin_rules)
    for item in items:
        if isinstance(item, InputError):
            yield item
            continue
        try:
            yield clean_source(item, config, rulebook, templates)
        except InputError as exc:
            yield exc


def template_keys(src: Source, short_chars: int = 60) -> tuple[str, list[str]]:
    """A document's source and the template keys of its pieces, as the rules will see them."""
    text, _, _ = to_text(src)
    pieces, _ = to_pieces(to_lines(text, src.is_html, src.url).lines)
    return source_of(src), [template_key(p, short_chars) for p in pieces]


def build_templates(
    items: Iterable[Source | InputError], policy: TemplatePolicy | None = None
) -> TemplateIndex:
    """First pass of ``clean --templates``: count line keys per source over the whole batch.

    Inputs that fail are skipped here; the second pass reports them. The items must be
    re-readable (files, folders), since the clean pass reads them again.
    """
    index = TemplateIndex(policy or TemplatePolicy())
    for item in items:
        if isinstance(item, InputError):
            continue
        try:
            index.add(*template_keys(item, index.policy.short_chars))
        except InputError:
            continue
    index.finish()
    return index


def clean(
    data: bytes | str,
    *,
    id: str = "input",
    source: str = "<input>",
    url: str | None = None,
    is_html: bool | None = None,
    config: CleanConfig | None = None,
    rulebook: Rulebook | None = None,
    templates: TemplateIndex | None = None,
    source_name: str | None = None,
    title: str | None = None,
) -> CleanResult:
    """Clean one document given as bytes (any encoding) or text, HTML or plain.

    ``templates`` is an index built over a batch (:func:`build_templates`); ``source_name``
    names the document's source in it when the URL or ``source`` path does not. ``title``
    is the document's title as its metadata gives it (reported as ``title_from:
    metadata``; a first line repeating it goes as the title printed again).

    Raises:
        InputError: the bytes are binary or cannot be decoded.
    """
    config = config or CleanConfig()
    rulebook = rulebook or default_rulebook(config)
    meta = {"source_name": source_name} if source_name else {}
    src = Source(id, data, source, url, is_html, meta, title)
    return clean_source(src, config, rulebook, templates)


_RULEBOOKS: dict[tuple, Rulebook] = {}


def default_rulebook(config: CleanConfig) -> Rulebook:
    """The rulebook for a config's rule folders, loaded once per process."""
    key = (config.rules_dirs, config.builtin_rules)
    if key not in _RULEBOOKS:
        _RULEBOOKS[key] = Rulebook.load(config.rules_dirs, config.builtin_rules)
    return _RULEBOOKS[key]
