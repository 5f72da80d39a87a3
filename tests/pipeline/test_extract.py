"""cleaner.pipeline.extract: the HTML sniffer and trafilatura extraction on the HTML seeds."""

from __future__ import annotations

import dataclasses
import re
from html import escape as esc
from pathlib import Path

import lxml.html
import pytest

from cleaner.pipeline.extract import Extracted, extract_html
from cleaner.pipeline.sniff import looks_like_html
from cleaner.text.segment import split_lines

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
HTML_SEEDS = sorted(SEEDS.glob("*.html"))
TEXT_SEEDS = sorted(SEEDS.glob("*.txt"))

_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)


def read_page(path: Path) -> str:
    """A seed page decoded with the charset its own <meta> declares."""
    data = path.read_bytes()
    m = _CHARSET.search(data[:4096])
    return data.decode(m.group(1).decode() if m else "utf-8")


def page(prefix: str) -> str:
    """The decoded HTML seed whose name starts with ``prefix``."""
    (path,) = SEEDS.glob(f"{prefix}_*.html")
    return read_page(path)


def text_seed_lines(prefix: str) -> list[str]:
    """Lines of the plain-text seed whose name starts with ``prefix``."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return split_lines(path.read_text(encoding="utf-8"))


def visible_text(html: str) -> str:
    """All text of a page outside <script>/<style>, whitespace collapsed (an oracle for tests)."""
    root = lxml.html.fromstring(html)
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    return " ".join(root.text_content().split())


def test_there_are_html_seeds_and_one_is_windows_1256() -> None:
    assert len(HTML_SEEDS) >= 3
    declared = [_CHARSET.search(p.read_bytes()[:4096]) for p in HTML_SEEDS]
    assert any(m and m.group(1).lower() == b"windows-1256" for m in declared)
    with pytest.raises(UnicodeDecodeError):
        (SEEDS / "102_youm7_ar.html").read_bytes().decode("utf-8")


# --- looks_like_html ---------------------------------------------------------------------


@pytest.mark.parametrize("path", HTML_SEEDS, ids=lambda p: p.name)
def test_every_html_seed_looks_like_html(path: Path) -> None:
    assert looks_like_html(read_page(path))


@pytest.mark.parametrize("path", TEXT_SEEDS, ids=lambda p: p.name)
def test_no_text_seed_looks_like_html(path: Path) -> None:
    assert not looks_like_html(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html>\n<html><head></head><body></body></html>",
        "\ufeff  \n<!doctype HTML><p>x</p>",
        "<html lang='fa'><body>متن</body></html>",
        "<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'><p>x</p></html>",
        "<p>یک پاراگراف</p><p>دومی</p>",
        "<div class='x'>متن<br/>ادامه</div>",
        "  <article>\n<h1>Title</h1>\n</article>",
    ],
)
def test_pages_and_fragments_look_like_html(text: str) -> None:
    assert looks_like_html(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain news text without any markup.",
        "If a < b and b > c then a < c.",
        "قیمت دلار < ۵۰ هزار تومان و x<y>z در متن",
        "the <source> said <b>nothing</b> about it",
        "one stray <br> in scraped text",
        "<<< breaking >>> news",
        "a<p and b>q",
    ],
)
def test_plain_text_with_stray_angle_brackets_is_not_html(text: str) -> None:
    assert not looks_like_html(text)


def test_sniffer_reads_only_the_start() -> None:
    assert not looks_like_html("x" * 20_000 + "<p>late</p><p>markup</p>")


# --- extract_html on small pages -----------------------------------------------------------


def test_blocks_become_lines_and_list_items_keep_a_dash() -> None:
    html = (
        "<html><body><article><h2>Heading</h2><p>First paragraph of the story.</p>"
        "<ul><li>first item</li><li>second item</li></ul>"
        "<p>Last paragraph of the story.</p></article></body></html>"
    )
    assert extract_html(html).lines == (
        "Heading",
        "First paragraph of the story.",
        "- first item",
        "- second item",
        "Last paragraph of the story.",
    )


def test_line_break_inside_a_paragraph_splits_the_line() -> None:
    html = "<html><body><article><p>one line<br>another line</p></article></body></html>"
    assert extract_html(html).lines == ("one line", "another line")


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body></body></html>",
        "<html><head><title>only a title</title></head><body><script>x=1</script></body></html>",
        "<<<>>>",
        "\x00\x01 binary-ish",
    ],
)
def test_pages_without_text_give_empty_lines_not_an_exception(html: str) -> None:
    ex = extract_html(html)
    assert isinstance(ex, Extracted)
    assert ex.lines == ()


def test_extracted_is_frozen() -> None:
    ex = extract_html("<html><body><p>text here</p></body></html>")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ex.title = "changed"  # type: ignore[misc]


# --- extract_html on the seed pages --------------------------------------------------------


@pytest.mark.parametrize("path", HTML_SEEDS, ids=lambda p: p.name)
def test_extraction_invents_no_text(path: Path) -> None:
    html = read_page(path)
    ex = extract_html(html)
    assert ex.lines
    seen = visible_text(html)
    for line in ex.lines:
        assert " ".join(line.split()) in seen


@pytest.mark.parametrize(
    ("prefix", "source", "body"),
    [
        ("100", "000", [*range(5, 8), *range(10, 17)]),
        ("101", "001", range(10, 25)),
        ("102", "003", range(17, 24)),
        ("103", "002", range(4, 17)),
    ],
)
def test_article_body_paragraphs_all_come_out_in_order(
    prefix: str, source: str, body: list[int]
) -> None:
    # The seed pages were built from the plain-text seeds; the paragraphs they put in the
    # article body must all be extracted, whole and in page order.
    lines = list(extract_html(page(prefix)).lines)
    seed_lines = text_seed_lines(source)
    wanted = [seed_lines[i] for i in body]
    positions = [lines.index(p) for p in wanted]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("prefix", "chrome"),
    [
        ("100", ["سیاست", "نوار خبری", "پذیرفتن", "بحث و گفتگو", "loader"]),
        ("100", ["Заголовок открываемого материала", "اشتراک", "مراجعه به بانک تصاویر"]),
        ("100", ["ناتو باید به قول خود عمل کند و به سمت شرق گسترش نیابد."]),
        ("101", ["صفحه اصلی", "پربازدیدترین", "ارسال به دوستان", "فیلم بیشتر »»"]),
        ("101", ["آمریکا هیچ وقت به تعهداتش پایبند نبوده است.", "نظرات"]),
        ("102", ["الرئيسية", "موضوعات ذات صلة", "اضف تعليق", "الأكثر قراءة", "شارك"]),
        ("102", ["روسيا لن تتراجع عن مطالبها الأمنية.", "جميع الحقوق محفوظة © اليوم السابع 2021"]),
        ("103", ["تماس با ما درباره ما", "ارسال نظر", "پربازدیترین ها", "آخرین اخبار"]),
        ("103", ["ممنون از پوشش خبری خوبتان."]),
    ],
)
def test_menus_comments_and_sidebars_are_not_lines(prefix: str, chrome: list[str]) -> None:
    lines = extract_html(page(prefix)).lines
    for junk in chrome:
        assert junk not in lines


def test_windows_1256_page_extracts_arabic() -> None:
    ex = extract_html(page("102"))
    assert ex.title == "بوتين يعرب عن ارتياحه للاتصال الهاتفى مع بايدن"
    assert ex.lines[0].startswith("أعرب الرئيس الروسي فلاديمير بوتين")


@pytest.mark.parametrize(
    ("prefix", "title", "meta"),
    [
        (
            "100",
            'گفتگوی پوتین و بایدن درباره "خطوط قرمز"',
            {"date": "2021-12-08", "sitename": "اسپوتنیک ایران", "hostname": "sputniknews.com"},
        ),
        ("101", "تماس تلفنی پوتین و بایدن درباره بحران اوکراین", {"sitename": "ایسنا"}),
        ("102", "بوتين يعرب عن ارتياحه للاتصال الهاتفى مع بايدن", {"date": "2021-12-31"}),
        ("103", "مسکو خواستار پایان یافتن اظهارات خصومت طلبانه مقامهای آمریکایی شد", {}),
    ],
)
def test_title_and_metadata(prefix: str, title: str, meta: dict[str, str]) -> None:
    ex = extract_html(page(prefix))
    assert ex.title == title
    assert meta.items() <= ex.meta.items()
    assert all(isinstance(v, str) and v for v in ex.meta.values())


def test_url_argument_lands_in_meta() -> None:
    html = "<html><body><article><p>" + "متن خبر. " * 20 + "</p></article></body></html>"
    ex = extract_html(html, url="https://www.example.ir/news/1")
    assert ex.meta.get("url") == "https://www.example.ir/news/1"
    assert ex.meta.get("hostname") == "example.ir"


# --- the lead trafilatura leaves out ---------------------------------------------------------


@pytest.mark.parametrize(("prefix", "source", "at"), [("100", "000", 0), ("103", "002", 1)])
def test_lead_outside_the_body_is_taken_back(prefix: str, source: str, at: int) -> None:
    # Both pages print their lead above the article body and repeat it as their description;
    # 103 also has its <h1> as first line, so the lead comes right after it.
    ex = extract_html(page(prefix))
    lead = {"000": 4, "002": 2}[source]
    assert ex.lines[at] == text_seed_lines(source)[lead]
    assert ex.meta["lead"]
    assert ex.lines.count(ex.lines[at]) == 1


def test_lead_already_in_the_body_is_not_repeated() -> None:
    ex = extract_html(page("101"))
    lead = text_seed_lines("001")[9]
    assert ex.lines.count(lead) == 1
    assert "lead" not in ex.meta


def test_truncated_description_is_not_a_lead() -> None:
    ex = extract_html(page("102"))  # youm7's description is the first 150 characters
    assert "lead" not in ex.meta


LEAD = "Moscow called on Washington to end the hostile remarks of its officials."
BODY = "".join(f"<p>Body paragraph number {i} of the article, long enough.</p>" for i in range(6))


def _page(description: str, lead_html: str, title: str = "Moscow and Washington") -> str:
    return (
        f'<html><head><title>{title}</title><meta name="description" content="{esc(description)}">'
        f"</head><body><div class='lead'>{lead_html}</div>"
        f"<div itemprop='articleBody'>{BODY}</div></body></html>"
    )


@pytest.mark.parametrize(
    ("description", "lead_html", "taken"),
    [
        (LEAD, LEAD, True),
        (LEAD, LEAD.replace(" ", "\n  ", 3), True),  # reflowed in the markup
        (
            'He said "no more" to the plan of the officials today.',
            "He said &quot;no more&quot; to the plan of the officials today.",
            True,
        ),
        (LEAD, "A different lead paragraph that the page shows to its readers.", False),
        (LEAD, f"<b>{LEAD}</b> and more words in the same block", False),
        (LEAD, f"Words before it in the same block <b>{LEAD}</b>", False),
        (LEAD, f"<strong class='x'>{LEAD}</strong>", True),
        ("Short site description", "Short site description", False),
    ],
)
def test_find_lead_takes_only_a_whole_text_block(
    description: str, lead_html: str, taken: bool
) -> None:
    ex = extract_html(_page(description, lead_html))
    assert (" ".join(description.split()) in ex.lines) is taken


def test_description_equal_to_the_title_is_not_a_lead() -> None:
    ex = extract_html(_page(LEAD, LEAD, title=LEAD))
    assert LEAD not in ex.lines


def test_element_spans_are_the_whole_element_matches_of_the_regex() -> None:
    """find_lead's search from the probe finds what the regex of the description finds."""
    import random

    from cleaner.pipeline.extract import _element_spans, _html_words, _whole_element

    words = ['"no', "more'", "to", "the", "plan", "of", "officials", "today"]
    contexts = [
        "<p>{}</p>",
        "<div class=lead>\n  {}\n</div>",
        '<meta name="description" content="{}">',
        '<script type="application/ld+json">{{"description": "{}"}}</script>',
        "<p>Before it {}</p>",
        "<p>{} and after</p>",
        "<b>x</b> {}",
        "<p>{}",
    ]
    quotes = {'"': ('"', "&quot;", "&#34;", "&#x22;"), "'": ("'", "&#39;", "&apos;")}
    rng = random.Random(3)
    taken = 0
    for _ in range(400):
        shown = [
            "".join(rng.choice(quotes.get(c, (c,))) for c in w)
            for w in words[: rng.choice((len(words), len(words) - 1))]
        ]
        glue = [rng.choice((" ", "  ", "\n", "\t ", "\u00a0")) for _ in shown]
        text = "".join(w + g for w, g in zip(shown, glue, strict=True)).strip()
        html = "".join(rng.choice(contexts).format(text) for _ in range(rng.randrange(1, 4)))
        expected = [
            m.span()
            for m in re.finditer(_html_words(words), html)
            if _whole_element(html, m.start(), m.end())
        ]
        taken += bool(expected)
        for probe in ("plan", "officials", "today"):
            assert list(_element_spans(html, words, probe)) == expected, html
    assert 0 < taken < 400  # both outcomes were tried
