"""Pages beyond libxml2's default limits keep their text, and say how (issue 13)."""

from __future__ import annotations

from cleaner.pipeline.extract import extract_html

PARAGRAPH = (
    "رئیس جمهور روسیه در جریان گفتگوهای آنلاین، به همتای آمریکایی خود در مورد خطوط قرمز"
    " و تهدیدهایی که مسکو را نگران کرده است، گفت."
)


def nested(depth: int) -> str:
    return (
        "<html><body>"
        + "<div>" * depth
        + f"<p>{PARAGRAPH}</p>" * 3
        + "</div>" * depth
        + "</body></html>"
    )


def test_a_page_nested_deeper_than_255_levels_keeps_its_text() -> None:
    shallow, deep = extract_html(nested(240)), extract_html(nested(300))
    assert shallow.lines and "huge_tree" not in shallow.meta
    assert deep.lines == shallow.lines
    assert "Excessive depth" in deep.meta["huge_tree"]


def test_an_attribute_over_10_mb_does_not_cut_the_rest_of_the_page() -> None:
    def page(attr: int) -> str:
        return (
            f"<html><body><article><p>{PARAGRAPH} یک</p>"
            f'<div data-blob="{"a" * attr}"></div>'
            f"<p>{PARAGRAPH} دو</p><p>{PARAGRAPH} سه</p></article></body></html>"
        )

    control, big = extract_html(page(1000)), extract_html(page(11 << 20))
    assert len(control.lines) == 3 and big.lines == control.lines
    assert "limit" in big.meta["huge_tree"]
