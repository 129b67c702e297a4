"""html_text: markup → paragraphs of plain text, tolerant of what scraped pages contain."""

from __future__ import annotations

from newspkg.html_text import html_paragraphs


def test_each_p_is_a_paragraph() -> None:
    """Every <p> element gives one paragraph, in order, without tags."""
    assert html_paragraphs("<p>第一段。</p> <p class='x'>第二段。</p>") == ["第一段。", "第二段。"]


def test_literal_less_than_survives() -> None:
    """A literal "<1%" in text is text, not the start of a tag."""
    assert html_paragraphs("<p>不良率<1%，优于目标。</p>") == ["不良率<1%，优于目标。"]


def test_script_and_style_are_dropped() -> None:
    """The contents of <script> and <style> never reach the text."""
    markup = "<style>p { color: red }</style><p>正文。</p><script>var a = '<p>x</p>';</script>"
    assert html_paragraphs(markup) == ["正文。"]


def test_entities_are_decoded() -> None:
    """Named, decimal and hex character references become characters."""
    assert html_paragraphs("<p>R&amp;D &lt;中心&gt; &#20013;&#x6587;</p>") == ["R&D <中心> 中文"]


def test_deep_nesting_does_not_raise() -> None:
    """20,000 nested <div> elements parse without a RecursionError."""
    depth = 20_000
    assert html_paragraphs("<div>" * depth + "深处的文字" + "</div>" * depth) == ["深处的文字"]
