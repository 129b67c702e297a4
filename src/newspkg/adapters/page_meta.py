"""What a saved article page says about itself, as a cascade: JSON-LD (``NewsArticle`` and its
kin), then OpenGraph and ``<meta>``, then labelled text on the page (``发布时间``, ``来源：``,
``作者``), then script variables (``pubtime``), then the URL. Each step fills only what is still
missing and notes where it found it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "AnalysisNewsArticle"})
DATETIME = (
    r"\d{4}(?:-\d{1,2}-\d{1,2}|/\d{1,2}/\d{1,2}|年\d{1,2}月\d{1,2}日)"
    r"(?:(?:[ T]+|-)\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?"
)
LABELLED_DATE = re.compile(r"(?:发布时间|发表时间|发布日期|时间|日期)\s*[:：]?\s*(" + DATETIME + ")")
# "更新时间 2012年12月10日, 格林尼治标准时间10:41" (BBC): a day, then a time in GMT.
GMT_DATE = re.compile(r"(\d{4}年\d{1,2}月\d{1,2}日)[,，]?\s*格林尼治标准时间\s*(\d{1,2}:\d{2})")
# "发布时间：09-30 22:46": no year; one comes from a full date of that day elsewhere on the page.
YEARLESS_DATE = re.compile(r"(?:发布时间|时间)\s*[:：]\s*(\d{1,2})-(\d{1,2})\s*(\d{1,2}:\d{2})?")
BARE_DATE = re.compile(DATETIME)
# 来源 of the article, not of a picture or a figure (图片来源, 数据来源, 资料来源).
SOURCE = re.compile(r"(?<!图片)(?<!数据)(?<!资料)(?<!图)(?:来源|稿源)\s*[:：]\s*([^\s|｜:：<>()（）]{2,24})")
EDITOR = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*([\u4e00-\u9fff·]{2,4})")
HAN_NAME = r"[\u4e00-\u9fff·]{2,4}"
AUTHOR = re.compile(
    rf"(?<![\u4e00-\u9fff])(?:作者|记者)\s*[:：\s]\s*({HAN_NAME}(?:[ 、,，]{HAN_NAME})*)(?![\u4e00-\u9fff])"
)
# A site, a paper or an app where a person's name belongs (meta author is often the site).
NOT_A_PERSON = re.compile(r"[@/]|网|报|社|新闻|客户端|频道|中心|网站|日报|晚报|电视台|财经|News|Media", re.I)
SCRIPT_DATE = re.compile(
    r"(?:pubtime|publish_?time|pubDate|publishdate|publish_date)[\"']?\s*[:=]\s*[\"']([^\"']{8,30})[\"']", re.I
)
URL_DATE = re.compile(r"/((?:19|20)\d{2})-?(\d{2})[-/]?(\d{2})/")
VISIBLE_CHARS = 20_000  # labels sit above the body or just below it: the page's start is enough


@dataclass
class PageMeta:
    title: str | None = None
    published_at: str | None = None
    modified_at: str | None = None
    url: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    original_publisher: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    found_in: dict[str, str] = field(default_factory=dict)  # field → where its value was found
    page_title: str = ""  # the page's <title>, whose suffix names the site

    def fill(self, name: str, value: Any, where: str) -> None:
        """Set a field still missing; a date without a time is refined by a later find of that day with one."""
        current = getattr(self, name)
        if value and (not current or (name.endswith("_at") and _refines(current, value))):
            setattr(self, name, value)
            self.found_in[name] = where


def page_meta(tree: lxml_html.HtmlElement, visible: str) -> PageMeta:
    meta = PageMeta(page_title=" ".join((tree.findtext(".//title") or "").split()))
    for article in _json_ld_articles(tree):
        _from_json_ld(meta, article)
    _from_meta_tags(meta, _meta_tags(tree))
    _from_visible_text(meta, visible[:VISIBLE_CHARS])
    for script in tree.iter("script"):
        if match := SCRIPT_DATE.search(script.text or ""):
            meta.fill("published_at", match[1].strip(), "script")
    if meta.url and (match := URL_DATE.search(meta.url)):
        meta.fill("published_at", "-".join(match.groups()), "url")
    return meta


def own_url(value: Any) -> str | None:
    """An absolute http(s) URL that names a page, not a site's home page."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or (parts.path in ("", "/") and not parts.query):
        return None
    return value.strip()


def _json_ld_articles(tree: lxml_html.HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kinds = item.get("@type")
                kinds = kinds if isinstance(kinds, list) else [kinds]
                if ARTICLE_TYPES.intersection(k for k in kinds if isinstance(k, str)):
                    yield item
                stack.extend(value for key, value in item.items() if key == "@graph")


def _from_json_ld(meta: PageMeta, article: dict[str, Any]) -> None:
    meta.fill("title", _text(article.get("headline")), "json-ld")
    meta.fill("published_at", _text(article.get("datePublished")), "json-ld")
    meta.fill("modified_at", _text(article.get("dateModified")), "json-ld")
    page = article.get("mainEntityOfPage")
    meta.fill(
        "url", own_url(article.get("url")) or own_url(page.get("@id") if isinstance(page, dict) else page), "json-ld"
    )
    meta.fill("authors", _names(article.get("author")), "json-ld")
    publisher = article.get("publisher")
    meta.fill("publisher", _text(publisher.get("name") if isinstance(publisher, dict) else publisher), "json-ld")
    meta.fill("section", _text(article.get("articleSection")), "json-ld")
    meta.fill("tags", _keywords(article.get("keywords")), "json-ld")


def _meta_tags(tree: lxml_html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in tree.iter("meta", "link"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        if tag.tag == "link" and (tag.get("rel") or "").lower() == "canonical":
            key = "canonical"
        value = tag.get("content") if tag.tag == "meta" else tag.get("href")
        if key and value and value.strip():
            found.setdefault(key, value.strip())
    return found


def _from_meta_tags(meta: PageMeta, tags: dict[str, str]) -> None:
    meta.fill("title", tags.get("og:title"), "meta og:title")
    for key in (
        "article:published_time", "pubdate", "publishdate", "publish_date", "datepublished", "og:release_date",
        "og:time", "firstpublishedtime",
    ):  # fmt: skip
        meta.fill("published_at", tags.get(key), f"meta {key}")
    modified = tags.get("article:modified_time") or tags.get("og:updated_time") or tags.get("lastmodifiedtime")
    meta.fill("modified_at", modified or tags.get("dateupdate"), "meta modified")
    meta.fill("url", own_url(tags.get("canonical")) or own_url(tags.get("og:url")), "meta url")
    author = tags.get("article:author") or tags.get("author")
    meta.fill("authors", _names(author), "meta author")
    meta.fill("publisher", tags.get("og:site_name"), "meta og:site_name")
    # An outlet in meta author is where the text came from, unless it is the site itself.
    site = " ".join(filter(None, (tags.get("og:site_name"), meta.page_title)))
    if author and NOT_A_PERSON.search(author) and "/" not in author and "@" not in author and author not in site:
        meta.fill("original_publisher", tags.get("source") or author, "meta author")
    meta.fill("original_publisher", tags.get("source"), "meta source")
    meta.fill("section", tags.get("article:section"), "meta article:section")
    meta.fill("tags", _keywords(tags.get("article:tag") or tags.get("keywords")), "meta keywords")


def _from_visible_text(meta: PageMeta, visible: str) -> None:
    if match := GMT_DATE.search(visible):
        meta.fill("published_at", f"{match[1]} {match[2]}Z", "page text, labelled")
    if match := LABELLED_DATE.search(visible):
        meta.fill("published_at", match[1], "page text, labelled")
    if (match := YEARLESS_DATE.search(visible)) and (year := _year_of(int(match[1]), int(match[2]), meta, visible)):
        time_of_day = f" {match[3]}" if match[3] else ""
        meta.fill("published_at", f"{year}-{int(match[1]):02}-{int(match[2]):02}{time_of_day}", "page text, labelled")
    if match := SOURCE.search(visible):
        meta.fill("original_publisher", match[1], "page text 来源")
    if match := AUTHOR.search(visible):
        meta.fill("authors", _names(re.split(r"[ 、,，]", match[1])), "page text 作者")
    editors = set(EDITOR.findall(visible))
    meta.authors = [name for name in meta.authors if name not in editors]  # an editor is never an author
    if match := BARE_DATE.search(visible):
        meta.fill("published_at", match[0], "page text")


def _year_of(month: int, day: int, meta: PageMeta, visible: str) -> int | None:
    """The year of a full date of that month and day elsewhere (a modified time, the page's text)."""
    for text in (meta.modified_at or "", visible):
        for found in re.finditer(r"(\d{4})[-年/](\d{1,2})[-月/](\d{1,2})", text):
            if (int(found[2]), int(found[3])) == (month, day):
                return int(found[1])
    return None


def _refines(date: str, moment: Any) -> bool:
    """Whether ``moment`` is ``date``'s day with a time of day, when ``date`` has none."""
    day, found = [int(n) for n in re.findall(r"\d+", date)], re.findall(r"\d+", str(moment))
    return len(day) == 3 and len(found) >= 5 and [int(n) for n in found[:3]] == day


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _names(value: Any) -> list[str]:
    """People's names: a site, a paper or an e-mail address given as the author is none."""
    items = value if isinstance(value, list) else [value]
    names = [item.get("name") if isinstance(item, dict) else item for item in items]
    return [name.strip() for name in names if isinstance(name, str) and name.strip() and not NOT_A_PERSON.search(name)]


def _keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        return [item.strip() for item in value if isinstance(item, str) and item.strip()]
    if isinstance(value, str):
        return [part for part in re.split(r"[,，;；]\s*", value.strip()) if part]
    return []
