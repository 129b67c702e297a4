"""Posts of static sites (Jekyll, Hugo, Eleventy, ...): front matter, then a Markdown or HTML body.

Front matter gives the metadata under the usual keys (see :data:`KEYS`); the body becomes plain
text through a Markdown parser (markdown-it-py; HTML in it is read as HTML). What only some sites
do is switched on by ``[hints]`` in ``source.toml``: a crawler's trailing ``<url>`` line, lines of
navigation links, a ``> digest`` summary, Chinese bylines and source lines.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from newspkg import rules
from newspkg.adapters import Draft
from newspkg.adapters.front_matter import split_front_matter
from newspkg.bylines import byline_names, is_byline
from newspkg.config import SourceConfig
from newspkg.discover import RawFile
from newspkg.hints import Hint, Kind
from newspkg.html_text import html_paragraphs
from newspkg.markers import CAPTION_STARTS, IMAGE_CREDIT, LABELS, TRAILING_SOURCE
from newspkg.normalize import parse_datetime

# Front matter keys, first found wins.
KEYS = {
    "title": ("title",),
    "published_at": ("date", "publishDate", "published", "pubDate"),
    "modified_at": ("lastmod", "last_modified_at", "modified", "updated"),
    "authors": ("authors", "author"),
    "url": ("canonical_url", "canonicalURL", "canonical", "url", "permalink"),
    "summary": ("description", "summary", "excerpt"),
    "section": ("categories", "category", "section"),
    "tags": ("tags", "keywords"),
}
FILE_NAME_DATE = re.compile(r"(?:^|/)(\d{4}-\d{2}-\d{2})-[^/]*$")  # Jekyll's _posts/2022-02-26-title.md
PATH_DATE = re.compile(r"(?:^|/)((?:19|20)\d{2})/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])/")  # posts/2023/08/24/x.md
URL_LINE = re.compile(r"^<(?P<url>[^<>\s]*)>\s*$")
LINK = r"\[[^\]]*\]\([^)]*\)"
NAVIGATION_LINE = re.compile(rf"^\s*{LINK}(?:\s*(?:[|｜]\s*)?{LINK})*\s*$")
# Template tags of Liquid ({% %}, {{ }}) and Hugo shortcodes ({{< >}}, {{% %}}): never article text.
TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
MAX_BYLINE_PARAGRAPHS = 3
MARKDOWN = MarkdownIt("commonmark", {"html": True})
UTC_ZONE = ZoneInfo("UTC")  # whether a date string is a date does not depend on its zone


class PostAdapter:
    name = "jekyll"
    version = "2.0.0"
    libraries = ("markdown-it-py",)
    hints = (
        Hint("url_line", Kind.FLAG, "a trailing <url> line is the post's URL (a crawler's mirror)"),
        Hint("navigation_lines", Kind.FLAG, "lines of nothing but Markdown links are site navigation"),
        Hint("digest_quote", Kind.FLAG, "> lines are a digest of the body: the text only when there is no body"),
        Hint("bylines", Kind.FLAG, "leading Chinese bylines give the authors; （文章来源：…） the original publisher"),
        Hint(
            "url_template",
            Kind.TEXT,
            "a post's URL from {slug}, {year}, {month}, {day}, {categories}, e.g. posts/{slug}/, against base_url",
        ),
        Hint("permalink", Kind.TEXT, "the site's permalink setting, e.g. /:categories/:year/:month/:day/:title.html"),
    )

    def parse(self, raw: RawFile, text: str, source: SourceConfig) -> Draft:
        hints = source.hints
        front, body = split_front_matter(text)
        draft = _metadata(front, raw.path, hints.get("url_template"), hints.get("permalink"))
        lines = body.split("\n")
        if hints.get("url_line"):
            lines, draft.url = _take_url(lines, draft.url)
        if hints.get("navigation_lines"):
            lines = [line for line in lines if not NAVIGATION_LINE.match(line)]
        digest: list[str] = []
        if hints.get("digest_quote"):
            digest, lines = _split_digest(lines)
        paragraphs = markdown_paragraphs("\n".join(lines)) or digest or _summary(front)
        if hints.get("bylines"):
            paragraphs = _take_trailing_source(_take_metadata(paragraphs, draft), draft)
        draft.paragraphs = paragraphs
        return draft


def markdown_paragraphs(body: str) -> list[str]:
    """A Markdown (or HTML) body as paragraphs of plain text: no markers, link text kept. NULs go
    first: CommonMark turns them into U+FFFD, which would read as a decoding error."""
    return html_paragraphs(MARKDOWN.render(TEMPLATE_TAG.sub("", body.replace("\x00", ""))))


def _metadata(front: dict[str, Any], raw_path: str, url_template: str | None, permalink: str | None) -> Draft:
    draft = Draft(
        title=_string(_first_key(front, "title")),
        published_at=_string(_first_key(front, "published_at")),
        modified_at=_string(_first_key(front, "modified_at")),
        authors=_names(_first_key(front, "authors")),
        section=_first(_first_key(front, "section")),
        tags=_list(_first_key(front, "tags")),
    )
    stated = draft.published_at
    if stated and parse_datetime(stated, UTC_ZONE) is None and (fallback := _date_from_path(front, raw_path)):
        draft.published_at, draft.date_source = fallback
        message = f"the front matter's date {stated!r} is no date: the post's {draft.date_source} gives {fallback[0]}"
        draft.warnings.append((rules.DATE_FALLBACK, "published_at", message))
    elif stated:
        draft.date_source = "front-matter"
    elif found := _date_from_path(front, raw_path):
        draft.published_at, draft.date_source = found
    draft.url = _url(front, _url_parts(front, raw_path, draft.published_at), url_template, permalink)
    return draft


def _date_from_path(front: dict[str, Any], raw_path: str) -> tuple[str, str] | None:
    """The day the file name (Jekyll's 2024-01-02-title.md), a Hugo ``path`` or the folders give."""
    if match := FILE_NAME_DATE.search(raw_path):
        return match[1], "file-name"
    if match := PATH_DATE.search(_string(front.get("path")) or "") or PATH_DATE.search(raw_path):
        return "-".join(match.groups()), "path"  # Hugo's path, or the folders
    return None


def _first_key(front: dict[str, Any], field: str) -> Any:
    return next((front[key] for key in KEYS[field] if front.get(key) not in (None, "", [])), None)


def _url(front: dict[str, Any], parts: dict[str, str], template: str | None, permalink: str | None) -> str | None:
    """The post's own URL: as the front matter gives it (relative ones resolve against base_url);
    else ``url_template`` (the maintainer's word on the live site) filled from the post's slug, date
    and categories; else its permalink pattern (``/:year/:title/``, the front matter's, then the
    site's). None when a part is missing."""
    url = _string(_first_key(front, "url"))
    if url and ":" not in url.split("//", 1)[-1]:
        return url
    if template:
        try:
            return template.format_map(parts)
        except (KeyError, ValueError, IndexError):  # a part the post lacks, or a template that is no format
            return None
    pattern = url or permalink
    return _expanded(pattern, parts) if pattern else None


def _url_parts(front: dict[str, Any], raw_path: str, published: str | None) -> dict[str, str]:
    """What a permalink is made of: the slug (the front matter's, else the file name's without its
    date), the date the post is published on, its categories."""
    stem = raw_path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    slug = _string(front.get("slug")) or re.sub(r"^\d{4}-\d{2}-\d{2}-", "", stem)
    parts = {"slug": slug, "title": slug}
    categories = _list(_first_key(front, "section"))
    if categories:
        parts["categories"] = "/".join(category.lower().replace(" ", "-") for category in categories)
    if published and (day := re.match(r"(\d{4})-(\d{2})-(\d{2})", published)):
        parts |= {"year": day[1], "month": day[2], "day": day[3]}
    return parts


def _expanded(pattern: str, parts: dict[str, str]) -> str | None:
    """A Jekyll permalink pattern with the post's parts; None when it needs one the post lacks."""
    names = re.findall(r":(categories|year|month|day|title|slug|output_ext)", pattern)
    if any(name not in parts and name not in ("categories", "output_ext") for name in names):
        return None
    values = {**parts, "output_ext": ".html"}
    url = re.sub(r":(categories|year|month|day|title|slug|output_ext)", lambda m: values.get(m[1], ""), pattern)
    return re.sub(r"/{2,}", "/", url)  # a post without categories: no empty segment


def _summary(front: dict[str, Any]) -> list[str]:
    """The front matter's description, the text of a post that has no body."""
    summary = _string(_first_key(front, "summary"))
    return [summary] if summary else []


def _take_url(lines: list[str], found: str | None) -> tuple[list[str], str | None]:
    """Remove the last ``<url>`` line; an empty ``<>`` means the post has no URL."""
    for index in range(len(lines) - 1, -1, -1):
        match = URL_LINE.match(lines[index].strip())
        if match:
            return lines[:index] + lines[index + 1 :], match["url"] or None
    return lines, found


def _split_digest(lines: Iterable[str]) -> tuple[list[str], list[str]]:
    """``> digest`` lines become their own paragraphs; the rest stays the body."""
    digest, rest = [], []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(">"):
            digest.append(html.unescape(stripped.lstrip("> ").strip()))
        else:
            rest.append(line)
    return [d for d in digest if d], rest


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


def _names(value: Any) -> list[str]:
    """Authors as a string, a list, or Jekyll's ``{name: ...}`` objects."""
    items = value if isinstance(value, list) else [value]
    names = [item.get("name") if isinstance(item, dict) else item for item in items]
    return [name for name in (_string(n) for n in names) if name]


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return html.unescape(value).split()  # Jekyll splits a tags string on spaces
    if isinstance(value, list):
        return [html.unescape(item.strip()) for item in value if isinstance(item, str) and item.strip()]
    return []


def _first(value: Any) -> str | None:
    values = _list(value) if not isinstance(value, str) else [html.unescape(value.strip())]
    return values[0] if values and values[0] else None


adapter = PostAdapter()
