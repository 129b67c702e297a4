"""Jekyll posts: YAML front matter, then an HTML or Markdown body, a ``<url>`` line and footer links."""

from __future__ import annotations

import html
import re
from typing import Any

import yaml

from newspkg.adapters import Draft
from newspkg.bylines import byline_names, is_byline
from newspkg.config import SourceConfig
from newspkg.discover import RawFile
from newspkg.html_text import html_paragraphs
from newspkg.markers import CAPTION_STARTS, IMAGE_CREDIT, LABELS, TRAILING_SOURCE

FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\n(?P<yaml>.*?)\n---[ \t]*(?:\n|\Z)", re.S)
URL_LINE = re.compile(r"^<(?P<url>[^<>\s]*)>\s*$")
LINK = r"\[[^\]]*\]\([^)]*\)"
NAVIGATION_LINE = re.compile(rf"^\s*{LINK}(?:\s*(?:[|｜]\s*)?{LINK})*\s*$")
FLAT_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):[ \t]*(?P<value>.*)$")
MAX_BYLINE_PARAGRAPHS = 3
MAX_FRONT_MATTER = 64 * 1024
BASE_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml when the wheel has it: 10x faster
# Each [, {, "- " or "? " may open a level; libyaml recurses in C per level (a stack overflow past ~25,000).
MAX_YAML_NESTING = 1000
NESTING = re.compile(r"[\[{]|(?:^|\s)[-?](?=\s)")
ANCHOR_OR_ALIAS = re.compile(r"(?:^|[\s\[{,:-])[&*][\w-]+", re.M)


class JekyllAdapter:
    name = "jekyll"
    version = "1.1.0"

    def parse(self, raw: RawFile, text: str, source: SourceConfig) -> Draft:
        front, body = split_front_matter(text)
        draft = Draft(
            title=_string(front.get("title")),
            published_at=_string(front.get("date")),
            section=_first(front.get("categories") or front.get("category")),
            tags=_list(front.get("tags")),
        )
        if draft.published_at:
            draft.date_source = "front-matter"
        body_lines, draft.url = _take_url(body.split("\n"))
        digest, markup = _split_digest(line for line in body_lines if not NAVIGATION_LINE.match(line))
        # The ``> digest`` is eastmoney's summary of the body: it is the text only when there is no body.
        paragraphs = html_paragraphs("\n".join(markup)) or digest
        draft.paragraphs = _take_trailing_source(_take_metadata(paragraphs, draft), draft)
        return draft


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The front matter as a dict of strings and lists, and the body after it."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return _load_yaml(match["yaml"]), text[match.end() :]


def _load_yaml(source: str) -> dict[str, Any]:
    if (
        len(source) > MAX_FRONT_MATTER
        or ANCHOR_OR_ALIAS.search(source)
        or len(NESTING.findall(source)) > MAX_YAML_NESTING
    ):
        return _flat_front_matter(source)  # anchors and aliases have no place in a post: no YAML bombs
    # BaseLoader keeps every scalar a string: dates stay as written, "no" stays "no".
    try:
        loaded = yaml.load(source, Loader=BASE_LOADER)  # noqa: S506 - BaseLoader builds no objects
    except (yaml.YAMLError, RecursionError):
        loaded = None
    if isinstance(loaded, dict):
        return loaded
    return _flat_front_matter(source)  # the crawler never escaped quotes: read key: value lines


def _flat_front_matter(source: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for line in source.split("\n"):
        match = FLAT_KEY.match(line.strip())
        if match:
            value = match["value"].strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            result[match["key"]] = value
    return result


def _take_url(lines: list[str]) -> tuple[list[str], str | None]:
    """Remove the last ``<url>`` line; an empty ``<>`` means the post has no URL."""
    for index in range(len(lines) - 1, -1, -1):
        match = URL_LINE.match(lines[index].strip())
        if match:
            return lines[:index] + lines[index + 1 :], match["url"] or None
    return lines, None


def _split_digest(lines: Any) -> tuple[list[str], list[str]]:
    """``> digest`` blockquote lines become their own paragraphs; the rest is markup."""
    digest, markup = [], []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(">"):
            digest.append(html.unescape(stripped.lstrip("> ").strip()))
        else:
            markup.append(line)
    return [d for d in digest if d], markup


def _take_metadata(paragraphs: list[str], draft: Draft) -> list[str]:
    """Move leading bylines and the ``（文章来源：X）`` line out of the body into fields."""
    body = []
    for index, paragraph in enumerate(paragraphs):
        source_match = LABELS["original_publisher"].match(paragraph)
        if source_match:
            draft.original_publisher = draft.original_publisher or source_match[1]
        elif paragraph.startswith(CAPTION_STARTS) or IMAGE_CREDIT.match(paragraph):
            draft.captions.append(paragraph)
        elif index < MAX_BYLINE_PARAGRAPHS and is_byline(paragraph):
            draft.authors.extend(name for name in byline_names(paragraph) if name not in draft.authors)
        else:
            body.append(paragraph)
    return body


def _take_trailing_source(paragraphs: list[str], draft: Draft) -> list[str]:
    """``…。（证券时报）`` at the very end of the body names where the text came from."""
    if not paragraphs or not (match := TRAILING_SOURCE.match(paragraphs[-1])):
        return paragraphs
    draft.original_publisher = draft.original_publisher or match["name"]
    return [*paragraphs[:-1], match["body"]]


def _string(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return html.unescape(value.strip())
    return None


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return html.unescape(value).split()  # Jekyll splits a tags string on spaces
    if isinstance(value, list):
        return [html.unescape(item.strip()) for item in value if isinstance(item, str) and item.strip()]
    return []


def _first(value: Any) -> str | None:
    values = _list(value) if not isinstance(value, str) else [html.unescape(value.strip())]
    return values[0] if values and values[0] else None


adapter = JekyllAdapter()
