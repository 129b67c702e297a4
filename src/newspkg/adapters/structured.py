"""What a page states about itself in markup made for machines: JSON-LD (read by extruct, however it
is wrapped), microdata on any element, and ``<meta>`` tags (OpenGraph, Dublin Core, parse.ly,
sailthru, article:*). Values come out as found; :mod:`newspkg.adapters.page_meta` chooses among them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "AnalysisNewsArticle", "OpinionNewsArticle",
        "ReviewNewsArticle", "BackgroundNewsArticle", "Report", "LiveBlogPosting", "TechArticle", "ScholarlyArticle",
        "SocialMediaPosting",
    }
)  # fmt: skip
# JSON-LD wrapped for old browsers or templates: CDATA markers, HTML comments, a trailing semicolon.
WRAPPERS = re.compile(r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)|(?://\s*)?(?:\]\]>|-->)\s*$|;\s*$")
MAX_JSON_LD_CHARS = 1_000_000  # a page's own metadata is small; more is a dump, not read
MAX_DEPTH = 12
# The microdata properties a record is made of: only these are read (an articleBody's text is not).
ITEMPROPS = ("datePublished", "dateCreated", "uploadDate", "dateModified", "author")
ITEMPROP_XPATH = "//*[" + " or ".join(f"contains(@itemprop, '{name}')" for name in ITEMPROPS) + "]"
MODIFIED_WORDS = re.compile(r"updated|modified|更新|修改|aktualisiert|mis à jour|actualizado|atualizado", re.I)


@dataclass
class Structured:
    """Every machine-readable statement of a page, in the page's order (JSON-LD: articles first)."""

    json_ld: list[dict[str, Any]] = field(default_factory=list)  # article-like items first
    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name/property → values
    itemprops: dict[str, list[str]] = field(default_factory=dict)  # microdata property → values

    def meta_first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, ()):
                return value
        return None

    def json_ld_values(self, key: str) -> Iterator[Any]:
        for item in self.json_ld:
            if key in item:
                yield item[key]


def structured(tree: lxml_html.HtmlElement) -> Structured:
    return Structured(json_ld=_json_ld(tree), meta=_meta(tree), itemprops=_itemprops(tree))


def _json_ld(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    articles: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        for item in _walk(_script_data(script), 0):
            kinds = item.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            named = {kind.rsplit("/", 1)[-1] for kind in kinds if isinstance(kind, str)}
            (articles if ARTICLE_TYPES & named else others).append(item)
    return articles + others


def _script_data(script: lxml_html.HtmlElement) -> Any:
    """The script's JSON through extruct, else without its wrappers (CDATA, HTML comments)."""
    from extruct.jsonld import JsonLdExtractor  # costly to import: only pages with JSON-LD need it

    text = script.text or ""
    if len(text) > MAX_JSON_LD_CHARS:
        return None
    try:
        return JsonLdExtractor().extract_items(script)
    except (ValueError, RecursionError, TypeError, IndexError):
        pass
    import jstyleson  # extruct's forgiving reader: comments and trailing commas

    try:
        return _leading_values(jstyleson.dispose(WRAPPERS.sub("", text.strip())))
    except (ValueError, RecursionError, TypeError, IndexError):
        return None


def _leading_values(text: str) -> list[Any] | None:
    """The JSON values a script holds, read one after another up to the first thing that is not
    JSON: a stray closing brace after the object, objects listed without their array's brackets."""
    decoder = json.JSONDecoder(strict=False)
    values, at = [], 0
    while at < len(text):
        while at < len(text) and (text[at].isspace() or text[at] == ","):  # between values
            at += 1
        try:
            value, at = decoder.raw_decode(text, at)
        except ValueError:
            break
        values.append(value)
    return values or None


def _walk(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Every object of the data: items of ``@graph`` and lists, and those nested in an item
    (an article under ``mainEntity`` of a ``WebPage``, a ``CreativeWork`` in ``hasPart``)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        for key, value in data.items():
            if key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart", "itemListElement", "about"):
                yield from _walk(value, depth + 1)


def _meta(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for tag in tree.iter("meta", "link"):
        if tag.tag == "link":
            key = "canonical" if "canonical" in (tag.get("rel") or "").lower().split() else ""
            value = tag.get("href")
        else:
            key = tag.get("property") or tag.get("name") or tag.get("itemprop") or tag.get("http-equiv") or ""
            value = tag.get("content") or tag.get("value")  # "value": pages saved by some tools
        key = key.strip().lower()
        if key and value and value.strip():
            found.setdefault(key, []).append(value.strip())
    return found


def _itemprops(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    """The :data:`ITEMPROPS` on any element: ``content``, ``datetime``, or the element's text; an
    author given as an item contributes its ``name``."""
    found: dict[str, list[str]] = {}
    updated: list[str] = []  # datePublished values of elements that show an update
    # the item the first author belongs to: the others are related stories' or comments'
    scopes: list[lxml_html.HtmlElement | None] = []
    for element in tree.xpath(ITEMPROP_XPATH):
        if "author" in (element.get("itemprop") or "").split():
            scopes = scopes or [_item_of(element)]
            if _item_of(element) is not scopes[0]:
                continue
        if element.tag == "meta" and not element.get("itemscope"):
            value = element.get("content") or element.get("value")  # "value": pages saved by some tools
        elif element.get("itemscope") is not None:
            names = element.xpath('.//*[@itemprop="name"]')
            value = (names[0].get("content") or names[0].text_content()) if names else None
        else:
            value = element.get("content") or element.get("datetime") or element.text_content()
        value = " ".join((value or "").split())
        if value:
            for name in set(ITEMPROPS).intersection((element.get("itemprop") or "").split()):
                found.setdefault(name, []).append(value)
                if name == "datePublished" and element.tag != "meta" and MODIFIED_WORDS.search(element.text_content()):
                    updated.append(value)
    # "12:44 PM / Updated 1:00 PM" shown in the element whose datePublished is the update's: the others first
    if updated and len(found["datePublished"]) > len(updated):
        found["datePublished"] = [v for v in found["datePublished"] if v not in updated] + updated
    return found


def _item_of(element: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The item a property belongs to: its nearest ancestor with ``itemscope``."""
    return next((parent for parent in element.iterancestors() if parent.get("itemscope") is not None), None)
