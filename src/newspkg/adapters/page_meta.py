"""What a saved article page says about itself: its dates (:mod:`.page_dates`), its headline chosen
by agreement between the places that state one, its authors as person names, its publisher, URL,
section, tags and where the text came from. Machine-readable statements (:mod:`.structured`) come
first; labelled text on the page (``来源：``, ``作者``) and trafilatura's byline search fill what
they leave missing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from newspkg.adapters.page_dates import Context, Found, published_and_modified
from newspkg.adapters.structured import Structured, structured
from newspkg.people import HAN, is_organisation, person_names

# 来源 of the article, not of a picture or a figure (图片来源, 数据来源, 资料来源).
SOURCE = re.compile(r"(?<!图片)(?<!数据)(?<!资料)(?<!图)(?:来源|稿源)\s*[:：]\s*([^\s|｜:：<>()（）]{2,24})")
SOURCE_SUFFIX = re.compile(r"(?:原创稿|原创|供稿|独家稿件?)$")
EDITOR = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*([\u4e00-\u9fff·]{2,4})")
HAN_NAME = r"[\u4e00-\u9fff·]{2,4}"
AUTHOR = re.compile(
    rf"(?<![\u4e00-\u9fff])(?:作者|记者)\s*[:：\s]\s*({HAN_NAME}(?:[ 、,，]{HAN_NAME})*)(?![\u4e00-\u9fff])"
)
AUTHOR_META = (
    "author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator", "byline",
    "search.byline",
)  # fmt: skip
# The page's byline: a link marked as the author's, an element whose class or id says byline or author.
BYLINE_ELEMENTS = (
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]"
    "|//*[contains(@class, 'byline') or contains(@id, 'byline') or contains(@class, 'author')]"
)
MAX_BYLINE_ELEMENTS = 20
# A link to the author's own page (WordPress /author/jane/, /people/, /staff/, /autor/…).
AUTHOR_PAGE = re.compile(
    r"/(?:authors?|people|profiles?|staff|writers?|journalists?|reporters?|contributors?|columnists?"
    r"|autor(?:en)?|auteurs?|redakteur(?:in)?|journalist(?:in|e)?)/[^/?#]+",
    re.I,
)
# Where a byline element names its person: a link, hCard's fn, microdata's name.
NAME_PARTS = "self::a|.//a|.//*[contains(concat(' ', @class, ' '), ' fn ') or @itemprop='name']"
BY = re.compile(r"^(?:by|von|par|por|door|av|af)\b", re.I)
NAME_AND_OUTLET = re.compile(r"^(?P<name>[\u4e00-\u9fff·]{2,4})\s*[/／]\s*(?P<outlet>[^\s/／]{2,16})$")
MAX_BYLINE_CHARS = 80
TITLE_META = ("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title", "title")
SITE_META = ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site")
# " - " between words; "-" or "_" touching Han characters ("标题-新华网", "标题_频道_网站").
TITLE_SEPARATORS = re.compile(
    r"\s+[|｜丨\-–—·]+\s+|\s*[_｜|丨]+\s*|\s+::\s+|(?<=[\u4e00-\u9fff])-|-(?=[\u4e00-\u9fff])"
)
# A kicker or column label before the headline: "棱镜｜…", "新华视界丨…", "Local News | …".
KICKER = re.compile(r"^(?P<kicker>[^|｜丨]{1,12})\s*[|｜丨]\s*(?P<headline>.{8,})$")
HAN_SAMPLE_CHARS = 2_000
MIN_HEADLINE_CHARS = 4
MIN_SHARE_OF_TITLE = 0.6  # an <h1> inside the <title> is the headline when it is most of it (not the logo)
VISIBLE_CHARS = 20_000
# The header under a headline: a few short lines (kicker, byline, dateline, share buttons), then the body.
MAX_HEADER_LINES = 25
MAX_HEADER_CHARS = 600
MAX_HEADER_LINE_WIDTH = 100  # labels sit above the body or just below it: the page's start is enough


@dataclass
class PageMeta:
    title: str | None = None
    published_at: Found | None = None
    modified_at: Found | None = None
    url: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    original_publisher: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)

    def fill(self, name: str, value: Any) -> None:
        """Set a field still missing."""
        if value and not getattr(self, name):
            setattr(self, name, value)


def page_meta(tree: lxml_html.HtmlElement, visible: str, context: Context) -> PageMeta:
    data = structured(tree)
    meta = PageMeta()
    meta.fill("url", _url(data))
    meta.fill("publisher", _publisher(data))
    sites = _site_names(data, meta.url or context.url)
    meta.fill("title", headline(tree, data, sites))
    header = list(header_lines(tree, meta.title))
    dates = Context(context.languages, context.reference, meta.url or context.url, tuple(x.text for x in header))
    visible = visible[:VISIBLE_CHARS]
    meta.published_at, meta.modified_at = published_and_modified(tree, data, visible, dates)
    _original_publisher(meta, tree, data, visible)  # first: the outlet a story comes from is no author
    _people(meta, tree, data, visible, sites, header)
    meta.fill("section", _text(_first(data.json_ld_values("articleSection"))))
    meta.fill("section", data.meta_first("article:section", "parsely-section"))
    meta.fill("tags", _keywords(_first(data.json_ld_values("keywords"))))
    tags = data.meta.get("article:tag") or _keywords(data.meta_first("keywords", "news_keywords", "parsely-tags"))
    meta.fill("tags", tags)
    return meta


def headline(tree: lxml_html.HtmlElement, data: Structured, sites: list[str]) -> str | None:
    """The headline the places that state one agree on: an ``<h1>`` that one of them holds (a logo
    or banner ``<h1>`` is the site's name), else the JSON-LD headline or ``og:title`` without a site
    suffix, else ``<title>`` without it."""
    page_title = _decoded(tree.findtext(".//title") or "")
    stated = [_decoded(v) for v in [*data.json_ld_values("headline"), *map(data.meta_first, TITLE_META)] if _text(v)]
    candidates = [without_site(value, sites) for value in stated]
    candidates += [without_site(page_title, sites, page_title=True)] if page_title else []
    headings = [_decoded(heading.text_content()) for heading in tree.iter("h1")]
    headings = [text for text in headings if len(text) >= MIN_HEADLINE_CHARS and not _is_site(text, sites)]
    for text in headings:
        if any(_agrees(text, candidate) for candidate in candidates):
            return without_site(text, sites)
    trimmed = [value for value in candidates if len(value) >= MIN_HEADLINE_CHARS and not _is_site(value, sites)]
    return next(iter(trimmed or headings), None)


@dataclass(frozen=True, slots=True)
class HeaderLine:
    text: str
    holder: lxml_html.HtmlElement  # the element the text is in


def header_lines(tree: lxml_html.HtmlElement, title: str | None) -> Iterator[HeaderLine]:
    """The short lines under the headline's ``<h1>``, up to the body's first paragraph: where a page
    states its dateline and byline ("Aug 13, 2010 – 4:39 PM", "By Jane Doe", "石佳/中国青年报")."""
    element = next((h1 for h1 in tree.iter("h1") if title and _agrees(_decoded(h1.text_content()), title)), None)
    count = chars = 0
    for text, holder in _texts_after(element) if element is not None else ():
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


def without_site(title: str, sites: list[str], *, page_title: bool = False) -> str:
    """ "Headline - Site", "Site | Headline", "标题_频道_网站" → the headline; a ``<title>``'s longest
    part when no part names the site (its suffix names it in words the page states nowhere else)."""
    parts = [part for part in TITLE_SEPARATORS.split(title) if part.strip()]
    kept = [part for part in parts if not _is_site(part, sites)]
    if len(parts) >= 2 and (len(kept) < len(parts) or page_title):
        title = max(kept or parts, key=len)
    match = KICKER.match(title)
    return match["headline"] if match and len(match["kicker"]) * 3 < len(match["headline"]) else title


def _agrees(heading: str, stated: str) -> bool:
    a, b = _folded(heading), _folded(stated)
    return bool(a) and (
        a == b or (a in b and len(a) >= MIN_SHARE_OF_TITLE * len(b)) or (b in a and len(b) >= 0.8 * len(a))
    )


def _is_site(text: str, sites: list[str]) -> bool:
    folded = _folded(text)
    return any(folded and (folded == site or (len(folded) <= len(site) + 4 and site in folded)) for site in sites)


def _folded(text: str) -> str:
    return "".join(character for character in text.casefold() if character.isalnum())


def _decoded(text: str) -> str:
    """Entities decoded, double-escaped ones too (``&amp;quot;``), spaces folded."""
    for _ in range(2):
        if "&" in text:
            text = html.unescape(text)
    return " ".join(text.split())


def _site_names(data: Structured, url: str | None) -> list[str]:
    names = [data.meta_first(key) for key in SITE_META]
    names += [_name(value) for value in data.json_ld_values("publisher")]
    host = urlsplit(url).hostname or "" if url else ""
    names += [host.removeprefix("www."), host.removeprefix("www.").split(".")[0]] if host else []
    return sorted({folded for name in names if name and (folded := _folded(name.lstrip("@")))}, key=len)


def _publisher(data: Structured) -> str | None:
    for value in data.json_ld_values("publisher"):
        if name := _name(value):
            return name
    site = data.meta_first("og:site_name", "application-name")
    return _decoded(site) if site else None


def _url(data: Structured) -> str | None:
    for value in [*data.meta.get("canonical", ()), *data.meta.get("og:url", ())]:
        if url := own_url(value):
            return url
    for value in [*data.json_ld_values("url"), *data.json_ld_values("mainEntityOfPage")]:
        if url := own_url(value.get("@id") if isinstance(value, dict) else value):
            return url
    return None


def _people(
    meta: PageMeta,
    tree: lxml_html.HtmlElement,
    data: Structured,
    visible: str,
    sites: list[str],
    header: list[HeaderLine],
) -> None:
    """Authors from JSON-LD, microdata and meta, then the byline under the headline, then the page's
    byline element and trafilatura's byline search (not on Chinese pages: there they name self-media
    accounts, and trafilatura reads them poorly), then 作者/记者; an editor named on the page is never
    an author, nor is the site."""
    editors = set(EDITOR.findall(visible))
    not_names = [*sites, *editors, meta.publisher or "", meta.original_publisher or ""]
    persons = [name for value in data.json_ld_values("author") for name in _persons(value)]
    meta.fill("authors", person_names(persons, not_names))
    meta.fill("authors", person_names(data.itemprops.get("author", ()), not_names))
    for key in AUTHOR_META:
        meta.fill("authors", person_names(data.meta.get(key, ()), not_names))
    if not meta.authors:
        _header_byline(meta, header, not_names)
    if not meta.authors and not _mostly_han(visible):
        from trafilatura.metadata import extract_author

        meta.fill("authors", _byline(tree, not_names))
        if not meta.authors:
            meta.fill("authors", person_names((extract_author(tree) or "").split(";"), not_names))
    if match := AUTHOR.search(visible):
        meta.fill("authors", person_names(re.split(r"[ 、,，]", match[1]), not_names))


def _header_byline(meta: PageMeta, header: list[HeaderLine], not_names: list[str]) -> None:
    """The byline under the headline: a link to the author's page, a line that starts "By" (its
    name maybe in the next element), or a Chinese reporter and outlet ("石佳/中国青年报")."""
    texts = [line.text for line in header]
    for index, line in enumerate(header):
        link = next((a for a in line.holder.iterancestors("a")), line.holder if line.holder.tag == "a" else None)
        # on Chinese pages such a link names a self-media account, not a reporter
        if link is not None and AUTHOR_PAGE.search(link.get("href") or "") and not HAN.search(line.text):
            meta.fill("authors", person_names([line.text], not_names))
        elif BY.match(line.text):  # "By" alone: the name is the next element's text
            words = " ".join(texts[index : index + 2]) if BY.fullmatch(line.text.rstrip(":")) else line.text
            meta.fill("authors", person_names([words], not_names))
        elif (match := NAME_AND_OUTLET.match(line.text)) and is_organisation(match["outlet"]):
            meta.fill("authors", person_names([match["name"]], not_names))
            meta.fill("original_publisher", match["outlet"])
        if meta.authors:
            return


def _byline(tree: lxml_html.HtmlElement, not_names: list[str]) -> list[str]:
    """The names of the page's first byline element that holds any: its name link or hCard ``fn``
    first ("<a>Jane Doe</a> Senior Correspondent"), else its whole text ("By Jane Doe")."""
    for element in tree.xpath(BYLINE_ELEMENTS)[:MAX_BYLINE_ELEMENTS]:
        named = [" ".join(" ".join(name.itertext()).split()) for name in element.xpath(NAME_PARTS)]
        text = " ".join(" ".join(element.itertext()).split())
        for candidate in [*(name for name in named if len(name.split()) >= 2 or HAN.search(name)), text]:
            if 0 < len(candidate) <= MAX_BYLINE_CHARS and (names := person_names([candidate], not_names)):
                return names
    return []


def _original_publisher(meta: PageMeta, tree: lxml_html.HtmlElement, data: Structured, visible: str) -> None:
    """来源 on the page, else the meta source, else an outlet named as the author (环球网) that is
    not the site itself (which the page's ``<title>`` names)."""
    if match := SOURCE.search(visible):
        meta.fill("original_publisher", _source_name(match[1]))
    meta.fill("original_publisher", _source_name(data.meta_first("source")))
    page_title = _folded(tree.findtext(".//title") or "")
    for value in [*data.meta.get("author", ()), *data.meta.get("article:author", ())]:
        if is_organisation(value) and _folded(value) not in page_title:
            meta.fill("original_publisher", _source_name(value))


def _mostly_han(text: str) -> bool:
    sample = text[:HAN_SAMPLE_CHARS]
    return len(HAN.findall(sample)) > len(sample) / 3


def _persons(value: Any) -> list[str]:
    """JSON-LD authors: a person's name, never an organisation's."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict) and "Organization" not in str(item.get("@type")):
            names.append(_name(item) or "")
        elif isinstance(item, str):
            names.append(item)
    return names


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        value = value[0] if value else None
    return _decoded(value) if isinstance(value, str) and value.strip() else None


def _source_name(value: str | None) -> str | None:
    """The name alone: "来源：经济日报原创稿" → 经济日报."""
    if not value:
        return None
    value = re.sub(r"^(?:本文|文章)?来源\s*[:：]\s*", "", _decoded(value))
    return SOURCE_SUFFIX.sub("", value).strip() or None


def own_url(value: Any) -> str | None:
    """An absolute http(s) URL that names a page, not a site's home page."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or (parts.path in ("", "/") and not parts.query):
        return None
    return value.strip()


def _first(values: Any) -> Any:
    return next(iter(values), None)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return _decoded(value) if isinstance(value, str) and value.strip() else None


def _keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_decoded(item) for item in value if isinstance(item, str) and item.strip()]
    if isinstance(value, str):
        return [part for part in re.split(r"[,，;；]\s*", _decoded(value)) if part]
    return []
