"""Data written into Markdown (release notes, the stats in Markdown) as text, never as markup."""

from __future__ import annotations

import re

from newspkg.report import printable

# What Markdown would read as markup in the middle of a line (an underscore inside a word is not).
_MARKUP = re.compile(r"[\\`*\[\]<>|~&$#!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def markdown_text(text: str) -> str:
    """Data as plain Markdown text: its markup escaped, so it never becomes a link, an image or HTML."""
    return _MARKUP.sub(lambda match: "\\" + match.group(), printable(text))


def code(text: str) -> str:
    """Data as a code span fenced with more backticks than it holds: it cannot end the span early."""
    text = printable(text)
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def link(label: str, url: str | None) -> str:
    """``label`` linking to ``url`` when it is an http(s) URL Markdown cannot misread; else the label alone."""
    text = markdown_text(label)
    if not url or not re.fullmatch(r"https?://[^\s<>()\[\]`\\]+", url):
        return text
    return f"[{text}](<{url}>)"
