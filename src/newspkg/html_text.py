"""HTML (or Markdown-ish text with some tags) → paragraphs of plain text.

Built on the standard library's tolerant, non-recursive parser: unbalanced tags, a literal ``<`` in
text and deep nesting do not break it.
"""

from __future__ import annotations

from html.parser import HTMLParser

BLOCK_TAGS = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 li ul ol center section article blockquote tr table pre hr figure".split()  # noqa: SIM905
)
SKIPPED_TAGS = frozenset("script style noscript iframe figcaption svg template button select".split())  # noqa: SIM905
VOID_TAGS = frozenset("br hr img input meta link area base col embed source track wbr".split())  # noqa: SIM905


class _ParagraphCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS and tag not in VOID_TAGS:
            self._skip_depth += 1
        elif tag in BLOCK_TAGS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._current.append(data)

    def _break(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.paragraphs.append(text)
        self._current = []

    def close(self) -> None:
        super().close()
        self._break()


def html_paragraphs(markup: str) -> list[str]:
    """Paragraphs of text; a blank line in the source also separates paragraphs (Markdown)."""
    paragraphs: list[str] = []
    for chunk in markup.split("\n\n"):
        collector = _ParagraphCollector()
        collector.feed(chunk)
        collector.close()
        paragraphs.extend(collector.paragraphs)
    return paragraphs
