"""The lines under a page's headline, up to the body's first paragraph: where a page states its
dateline and byline ("Aug 13, 2010 – 4:39 PM", "By Jane Doe", "石佳/中国青年报"), each with the element
that holds it (a link to the author's page tells a name from a label)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from newspkg.people import HAN

# A few short lines (kicker, byline, dateline, share buttons), then the body.
MAX_HEADER_LINES = 25
MAX_HEADER_CHARS = 600
MAX_HEADER_LINE_WIDTH = 100


@dataclass(frozen=True, slots=True)
class HeaderLine:
    text: str
    holder: lxml_html.HtmlElement  # the element the text is in


def header_lines(headline: lxml_html.HtmlElement | None) -> Iterator[HeaderLine]:
    """The short lines after the headline's element, until one too long to be a header's."""
    count = chars = 0
    for text, holder in _texts_after(headline) if headline is not None else ():
        line = " ".join(text.split())
        if not line:
            continue
        width = len(line) + len(HAN.findall(line))  # a Han character says as much as two letters
        count, chars = count + 1, chars + width
        if width > MAX_HEADER_LINE_WIDTH or count > MAX_HEADER_LINES or chars > MAX_HEADER_CHARS:
            return  # the body's first paragraph, or a header too long to be one
        yield HeaderLine(line, holder)


def _texts_after(element: lxml_html.HtmlElement) -> Iterator[tuple[str, lxml_html.HtmlElement]]:
    """The texts that follow an element in document order (its tail, its siblings', its ancestors'),
    each with the element it is in."""
    node: lxml_html.HtmlElement | None = element
    while node is not None and (parent := node.getparent()) is not None:
        yield node.tail or "", parent
        for sibling in node.itersiblings():
            if isinstance(sibling.tag, str):  # not a comment
                for event, inner in etree.iterwalk(sibling, events=("start", "end")):
                    if isinstance(inner.tag, str):
                        yield (inner.text or "", inner) if event == "start" else (inner.tail or "", inner.getparent())
            else:
                yield sibling.tail or "", parent
        node = parent
