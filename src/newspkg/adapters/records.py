"""The items of a scraper's export (JSON Lines, a JSON array, CSV; see :mod:`newspkg.readers`),
one article each, mapped by ``[fields]`` in ``source.toml``: record field = the item's key, dotted
for nested ones. Configuration only: a new export format needs no code.

    [fields]
    title = "title"
    text = "maintext"
    published_at = "date_publish"
    authors = "authors"
"""

from __future__ import annotations

import json
import re
from typing import Any

from newspkg.adapters import Draft
from newspkg.adapters.jekyll import markdown_paragraphs
from newspkg.config import SourceConfig
from newspkg.discover import RawFile
from newspkg.hints import Hint, Kind
from newspkg.html_text import html_paragraphs

# What [fields] may map, besides the fields of the source's schema extension.
FIELDS = (
    "title",
    "text",
    "published_at",
    "modified_at",
    "url",
    "authors",
    "original_publisher",
    "section",
    "tags",
    "captions",
)
LIST_SEPARATORS = re.compile(r"\s*[,;，；、]\s*")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


class RecordsAdapter:
    name = "records"
    version = "1.0.0"
    reads = ("file", "export")  # the kinds of reader detected for its files (see newspkg.readers)
    fields = FIELDS  # what [fields] in source.toml may map (and the fields a schema extension adds)
    hints = (Hint("text_format", Kind.TEXT, "how the text field is written", choices=("text", "html", "markdown")),)

    def parse(self, raw: RawFile, text: str, source: SourceConfig) -> Draft:
        try:
            item = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"the item is not JSON: {error}") from None
        except ValueError as error:  # a number of more digits than Python converts (4,300)
            raise ValueError(f"the item's JSON is beyond bounds: {error}") from None
        except RecursionError:
            raise ValueError("the item's JSON is beyond bounds: nested deeper than the parser goes") from None
        if not isinstance(item, dict):
            raise ValueError(f"the item is a JSON {type(item).__name__}, not an object")
        mapping = source.fields or {name: name for name in FIELDS}
        found = {name: _lookup(item, key) for name, key in mapping.items()}
        draft = Draft(
            title=_text(found.get("title")),
            published_at=_text(found.get("published_at")),
            modified_at=_text(found.get("modified_at")),
            url=_text(found.get("url")),
            original_publisher=_text(found.get("original_publisher")),
            section=_text(found.get("section")),
            authors=_list(found.get("authors")),
            tags=_list(found.get("tags")),
            captions=_list(found.get("captions")),
            paragraphs=_paragraphs(found.get("text"), source.hints.get("text_format", "text")),
            extra={name: value for name, value in found.items() if name not in FIELDS},
        )
        if draft.published_at:
            draft.date_source = f"field {mapping.get('published_at', 'published_at')}"
        return draft


def _lookup(item: dict[str, Any], key: str) -> Any:
    """``a.b`` is ``item["a"]["b"]``; a key that is there as written wins."""
    if key in item:
        return item[key]
    value: Any = item
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return text or None


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [text for text in (_text(item) for item in value) if text]
    text = _text(value)
    return [part for part in LIST_SEPARATORS.split(text) if part] if text else []


def _paragraphs(value: Any, text_format: str) -> list[str]:
    text = _text(value)
    if not text:
        return []
    if text_format == "html":
        return html_paragraphs(text)
    if text_format == "markdown":
        return markdown_paragraphs(text)
    return [part.strip() for part in PARAGRAPH_BREAK.split(text) if part.strip()]


adapter = RecordsAdapter()
