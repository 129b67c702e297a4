"""The Jinja2 templates newspkg writes pages and cards from (``src/newspkg/templates/``, package data).

Every environment autoescapes: a text from the data is escaped where the template writes it, after
its control characters and lone surrogates are replaced (they have no place in a page). Markdown
templates escape for HTML too, which Markdown renders as the same text; code blocks take texts that
are already made safe for them (:func:`code_block`)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _finalize(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Markup):
        return CONTROL.sub("\ufffd", value)
    return value


def coordinate(number: float) -> str:
    """An SVG coordinate: one decimal, no trailing .0, never -0."""
    text = f"{number:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def thousands(number: float) -> str:
    return f"{number:,}"


def code_block(text: str) -> Markup:
    """Text for inside a fenced code block: left as it is (HTML entities would show there), but no
    comment opener, so a text can neither forge a card's section marker nor hide what follows."""
    return Markup(CONTROL.sub("\ufffd", text).replace("<!--", "&lt;!--"))  # noqa: S704 - made inert just above


def markdown(text: str) -> Markup:
    """Text for Markdown prose: only what Markdown would read as HTML (``<``, ``>``, ``&``) escaped,
    quotes left as they are, so the file reads well before it is rendered."""
    text = CONTROL.sub("\ufffd", str(text))
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))  # noqa: S704 - escaped here


def markdown_line(text: str) -> Markup:
    """Text for one line of Markdown (a heading): :func:`markdown`, its line breaks made spaces, so
    that it cannot start a line of its own (another heading, a list, an image)."""
    return markdown(" ".join(str(text).split()))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("newspkg", "templates"),
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(n=coordinate, thousands=thousands, code_block=code_block, md=markdown, md_line=markdown_line)
    env.tests.update(
        rect=lambda shape: type(shape).__name__ == "Rect",
        text=lambda shape: type(shape).__name__ == "Text",
    )
    return env


def render(template: str, **values: Any) -> str:
    return environment().get_template(template).render(**values)
