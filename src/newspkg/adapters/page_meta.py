"""What a saved article page says about itself: its dates (:mod:`.page_dates`), its headline chosen
by agreement between the places that state one, its authors as person names, its publisher, URL,
section, tags and where the text came from. Machine-readable statements (:mod:`.structured`) come
first; labelled text on the page (``来源：``, ``作者``) and trafilatura's byline search fill what
they leave missing.
"""

from __future__ import annotations

import html
import itertools
import re
from copy import deepcopy as copy_of
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html

from newspkg.adapters.page_authors import Page, authors, editors, reporter_and_outlet
from newspkg.adapters.page_dates import Context, Found, published_and_modified
from newspkg.adapters.page_header import HeaderLine, header_lines
from newspkg.adapters.structured import Structured, structured
from newspkg.people import folded, is_organisation

# 来源 of the article, not of a picture or a figure (图片来源, 数据来源, 资料来源).
# "来源：经济日报", "来源：[ 人民网 ]", "来源：【新华社】", "来源丨新华社", "转自：人民网", "出处：光明日报"
SOURCE = re.compile(
    r"(?<!图片)(?<!数据)(?<!资料)(?<!图)(?:来源|稿源|出处|转自|转载自)\s*[:：|｜丨]\s*[\[【〔]?\s*"
    r"([^\s|｜丨:：<>()（）\[\]【】〔〕]{2,24})"
)
# What a 来源 label says where it names no outlet: the web, a reprint, the site itself.
NOT_SOURCES = frozenset({"网络", "互联网", "网上", "转载", "网络转载", "网友", "本站", "本网", "原创", "未知"})
# A story's source slot beside its date, unlabelled: "<span class="date">…</span><a class="source">北京日报</a>".
SOURCE_SLOT = "//*[contains(concat(' ', normalize-space(@class), ' '), ' source ') or @id = 'source']"
SLOT_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z·《》]{2,20}")
SOURCE_SUFFIX = re.compile(r"(?:原创稿|原创|供稿|独家稿件?)$")
TITLE_META = ("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title", "title")
SITE_META = ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site")
# " - " between words; "-" or "_" touching Han characters ("标题-新华网", "标题_频道_网站").
TITLE_SEPARATORS = re.compile(
    r"\s+[|｜丨\-–—·]+\s+|\s*[_｜|丨]+\s*|\s+::\s+|(?<=[\u4e00-\u9fff])-|-(?=[\u4e00-\u9fff])"
)
# A kicker or column label before the headline: "棱镜｜…", "新华视界丨…", "Local News | …".
KICKER = re.compile(r"^(?P<kicker>[^|｜丨]{1,12})\s*[|｜丨]\s*(?P<headline>.{8,})$")
# A Chinese column's name in brackets before the headline: "【资讯汇总】…" (Japanese titles keep theirs).
BRACKETED_KICKER = re.compile(r"^【(?P<kicker>[^】\u3040-\u30ff]{1,12})】\s*(?P<headline>[^\u3040-\u30ff]{8,})$")
MIN_HEADLINE_CHARS = 4
# Inside an <h1>, what readers see apart from the headline: a kicker above it (<small>, a class that
# says kicker, overline, supertitle, Dachzeile, topic label) and the separator hidden after it.
KICKER_CLASSES = ("kicker", "overline", "topline", "supertitle", "dachzeile", "spitzmarke", "eyebrow", "topic-label")
KICKER_ELEMENTS = (
    ".//small|.//*[@aria-hidden='true']|.//*["
    + " or ".join(
        f"contains(translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '{name}')"
        for name in KICKER_CLASSES
    )
    + "]"
)
# A page that states its headline nowhere else: the elements whose class or id says title.
TITLED_ELEMENTS = "//*[contains(@class, 'title') or contains(@id, 'title') or contains(@id, 'Title')][not(self::title)]"
MAX_TITLED_ELEMENTS = 10
MAX_TITLE_CHARS = 200
MAX_HEADINGS = 20
PLAIN_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
MIN_SHARED_WORDS = 0.5
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
HAN_ONLY = re.compile(r"[\u4e00-\u9fff]+")
COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "夏侯", "公孙", "长孙", "宇文", "司徒",
     "西门", "端木", "独孤", "南宫", "呼延", "轩辕", "钟离", "申屠"}
)  # fmt: skip
# Before a site's name that ends a title: a colon, dashes, a bar (a space alone is part of the headline).
SUFFIX_MARK = re.compile(r"\s*[:：\-–—|｜_·]+\s*")
MIN_SHARE_OF_TITLE = 0.6  # an <h1> inside the <title> is the headline when it is most of it (not the logo)
VISIBLE_CHARS = 20_000  # labels sit above the body or just below it: the page's start is enough


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
    header = list(header_lines(_headline_element(tree, meta.title)))
    dates = replace(context, url=meta.url or context.url, header=tuple(x.text for x in header))
    visible = visible[:VISIBLE_CHARS]
    meta.published_at, meta.modified_at = published_and_modified(tree, data, visible, dates)
    chinese = context.languages[:1] == ("zh",)
    outlets = [value for value in _meta_authors(data) if chinese and _chinese_outlet(value)]
    # first: the outlet a story comes from is no author
    _original_publisher(meta, tree, data, visible, header, outlets, chinese)
    not_names = [*sites, *editors(visible), meta.publisher or "", meta.original_publisher or "", *outlets]
    japanese = context.languages[:1] == ("ja",)
    meta.fill("authors", authors(Page(tree, data, visible, header, not_names, japanese)))
    meta.fill("section", _text(_first(data.json_ld_values("articleSection"))))
    meta.fill("section", data.meta_first("article:section", "parsely-section"))
    meta.fill("tags", _keywords(_first(data.json_ld_values("keywords"))))
    tags = data.meta.get("article:tag") or _keywords(data.meta_first("keywords", "news_keywords", "parsely-tags"))
    meta.fill("tags", tags)
    return meta


def headline(tree: lxml_html.HtmlElement, data: Structured, sites: list[str]) -> str | None:
    """The headline the places that state one agree on: an ``<h1>`` that one of them holds (a logo
    or banner ``<h1>`` is the site's name), else an ``<h1>`` that says mostly what one of them says
    (what readers see, where ``og:title`` is the social wording), else the JSON-LD headline or
    ``og:title`` without a site suffix, else ``<title>`` without it."""
    page_title = _decoded(tree.findtext(".//title") or "")
    stated = [_decoded(v) for v in [*data.json_ld_values("headline"), *map(data.meta_first, TITLE_META)] if _text(v)]
    candidates = [without_site(value, sites) for value in stated]
    candidates += [without_site(page_title, sites, page_title=True)] if page_title else []
    # for agreement only: the title with the site cut at its ends, a dash of the headline's own kept
    candidates += [edged for value in [*stated, page_title] if (edged := _site_cut_at_the_ends(value, sites))]
    h1s = [(h1, text) for h1 in tree.iter("h1") if _may_head(text := _heading_text(h1), sites)]
    headings = [text for _, text in h1s]
    for h1, text in h1s:
        if any(_agrees(text, candidate) for candidate in candidates):
            text = _without_leading_kicker(h1, text, stated)
            return _spaced_as_stated(without_site(text, sites), candidates)
    for text in headings:  # another wording of the same story, unless it is a candidate run on
        if similar := [candidate for candidate in candidates if _resembles(text, candidate)]:
            within = [candidate for candidate in similar if folded(candidate) in folded(text)]
            return without_site(within[0] if within else text, sites)
    trimmed = [value for value in candidates if len(value) >= MIN_HEADLINE_CHARS and not _is_site(value, sites)]
    if trimmed and (shown := _shown_as(trimmed[0], tree)):
        return shown
    chosen = next(iter(trimmed or [without_site(text, sites) for text in headings] or _titled(tree, sites)), None)
    return _as_in_title(chosen, page_title) if chosen else None


def _may_head(text: str, sites: list[str]) -> bool:
    return len(text) >= MIN_HEADLINE_CHARS and not _is_site(text, sites)


def _without_leading_kicker(heading: lxml_html.HtmlElement, text: str, stated: list[str]) -> str:
    """An ``<h1>`` whose first element holds words the stated headline leaves out, the rest being
    that headline ("<span>Open Progress</span><br><span>Why …</span>" beside ``og:title`` "Why …"):
    the headline, without its kicker."""
    first = next((child for child in heading if isinstance(child.tag, str)), None)
    kicker = folded(first.text_content()) if first is not None and not (heading.text or "").strip() else ""
    for value in stated:
        if kicker and folded(text) == kicker + folded(value):
            return value
    return text


def _spaced_as_stated(heading: str, candidates: list[str]) -> str:
    """A heading spaced as a stated title spaces the same words: an element's edge inside a heading
    drops the space between its parts ("<span>标题:</span>副标题")."""
    unspaced = "".join(heading.split())
    return next((c for c in candidates if c != heading and "".join(c.split()) == unspaced), heading)


def _shown_as(title: str, tree: lxml_html.HtmlElement) -> str | None:
    """The title as a heading shows it, where the two differ only in their quotation marks (“” for "")."""
    plain = title.translate(PLAIN_QUOTES)
    headings = (_decoded(heading.text_content()) for heading in itertools.islice(tree.iter("h2", "h3"), MAX_HEADINGS))
    return next((text for text in headings if text != title and text.translate(PLAIN_QUOTES) == plain), None)


def _as_in_title(chosen: str, page_title: str) -> str:
    """A headline that runs on into what the ``<title>`` puts after it ("标题--上報" where the
    ``<title>`` reads "标题 -- 上報 / 焦點"): the ``<title>``'s widest part, where the rest begins
    another part."""
    parts = [folded(part) for part in TITLE_SEPARATORS.split(page_title) if part.strip()]
    widest = max(parts, key=_width, default="")
    for mark in SUFFIX_MARK.finditer(chosen):
        rest = folded(chosen[mark.end() :])
        head_is_widest = mark.start() and folded(chosen[: mark.start()]) == widest
        if head_is_widest and rest and any(part != widest and part.startswith(rest) for part in parts):
            return chosen[: mark.start()]
    return chosen


def _titled(tree: lxml_html.HtmlElement, sites: list[str]) -> list[str]:
    """A page that states its headline nowhere else: the elements whose class or id says title."""
    texts = [_decoded(element.text_content()) for element in tree.xpath(TITLED_ELEMENTS)[:MAX_TITLED_ELEMENTS]]
    return [text for text in texts if MIN_HEADLINE_CHARS <= len(text) <= MAX_TITLE_CHARS and not _is_site(text, sites)]


def _headline_element(tree: lxml_html.HtmlElement, title: str | None) -> lxml_html.HtmlElement | None:
    """The ``<h1>`` that states the title, else the ``<h2>`` (a blog's post title under its name's ``<h1>``)."""
    headings = itertools.chain(tree.iter("h1"), tree.iter("h2"))
    return next((heading for heading in headings if title and _agrees(_heading_text(heading), title)), None)


def _heading_text(heading: lxml_html.HtmlElement) -> str:
    """An ``<h1>``'s text without the kicker set in it ("<small>Tunesien</small><br>Große Aufgaben…"),
    a line break a space."""
    if not heading.xpath(f"{KICKER_ELEMENTS}|.//br"):
        return _decoded(heading.text_content())
    copy = copy_of(heading)
    for line_break in copy.iter("br"):
        line_break.tail = f" {line_break.tail or ''}"
    whole = _decoded(copy.text_content())
    for kicker in copy.xpath(KICKER_ELEMENTS):
        kicker.tail = f" {kicker.tail or ''}"  # what follows it, apart from what comes before it
        kicker.drop_tree()
    text = _decoded(copy.text_content()).strip(" :：–—-|")
    return text if len(text) >= MIN_HEADLINE_CHARS else whole


def without_site(title: str, sites: list[str], *, page_title: bool = False) -> str:
    """ "Headline - Site", "Site | Headline", "标题_频道_网站" → the headline; a ``<title>``'s longest
    part when no part names the site (its suffix names it in words the page states nowhere else)."""
    parts = [part for part in TITLE_SEPARATORS.split(title) if part.strip()]
    kept = [part for part in parts if not _is_site(part, sites)]
    if len(parts) >= 2 and (len(kept) < len(parts) or page_title):
        title = max(kept or parts, key=_width)
    for mark in SUFFIX_MARK.finditer(title):  # "标题--上報", "Headline:site開発日誌"
        if mark.start() and _is_site(title[mark.end() :], sites):
            title = title[: mark.start()]
            break
    match = KICKER.match(title) or BRACKETED_KICKER.match(title)
    return match["headline"] if match and len(match["kicker"]) * 3 < len(match["headline"]) else title


def _site_cut_at_the_ends(title: str, sites: list[str]) -> str | None:
    """The title without the parts at its ends that name the site, the parts between as written
    ("Hund vertreibt Einbrecher – Zeugenaufruf – Hildesheimer Presse"; a site named in two parts,
    "… - Martina Berg - Lady 50plus"); None where no end names it."""
    separators = list(TITLE_SEPARATORS.finditer(title))
    starts = [0, *(separator.end() for separator in separators)]
    ends = [*(separator.start() for separator in separators), len(title)]
    first = next((k for k in range(1, len(starts)) if _is_site(title[: ends[k - 1]], sites)), 0)
    last = next((k for k in range(1, len(starts)) if _is_site(title[starts[-k] :], sites)), 0)
    kept = title[starts[first] : ends[len(ends) - 1 - last]] if first + last < len(starts) else ""
    return kept.strip() if (first or last) and kept.strip() else None


def _width(text: str) -> int:
    """A Han or kana character says as much as two letters ("Joel on Software - 给计算机系学生的建议")."""
    return len(text) + len(CJK.findall(text))


def _resembles(heading: str, stated: str) -> bool:
    """Most words of the shorter shared by the longer (of Chinese and Japanese, most pairs of characters)."""
    a, b = _words(heading), _words(stated)
    return bool(a and b) and len(a & b) >= MIN_SHARED_WORDS * min(len(a), len(b))


def _words(text: str) -> set[str]:
    lower = text.casefold()
    if CJK.search(lower):
        characters = "".join(CJK.findall(lower))
        return {characters[i : i + 2] for i in range(len(characters) - 1)}
    return set(re.findall(r"\w+", lower))


def _agrees(heading: str, stated: str) -> bool:
    a, b = folded(heading), folded(stated)
    return bool(a) and (
        a == b or (a in b and len(a) >= MIN_SHARE_OF_TITLE * len(b)) or (b in a and len(b) >= 0.8 * len(a))
    )


def _is_site(text: str, sites: list[str]) -> bool:
    name = folded(text)
    return any(name and (name == site or (len(name) <= len(site) + 4 and site in name)) for site in sites)


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
    return sorted({site for name in names if name and (site := folded(name.lstrip("@")))}, key=len)


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


def _original_publisher(
    meta: PageMeta,
    tree: lxml_html.HtmlElement,
    data: Structured,
    visible: str,
    header: list[HeaderLine],
    outlets: list[str],
    chinese: bool,
) -> None:
    """来源 on the page, else a Chinese page's source slot, else the meta source, else an outlet
    named as the author (环球网, 参考消息) that is not the site itself (which the page's ``<title>``
    names), else the outlet after the reporter's name under the headline ("石佳/中国青年报")."""
    if match := SOURCE.search(visible):
        meta.fill("original_publisher", _source_name(match[1]))
    if chinese:
        meta.fill("original_publisher", _source_slot(tree))
    meta.fill("original_publisher", _source_name(data.meta_first("source")))
    page_title = folded(tree.findtext(".//title") or "")
    for value in _meta_authors(data):
        if (is_organisation(value) or value in outlets) and folded(value) not in page_title:
            meta.fill("original_publisher", _source_name(value))
    if reporter := reporter_and_outlet(header):
        meta.fill("original_publisher", reporter[1])


def _source_slot(tree: lxml_html.HtmlElement) -> str | None:
    """The name in the page's first source slot, where it holds a name alone."""
    for element in tree.xpath(SOURCE_SLOT)[:3]:
        text = " ".join(" ".join(element.itertext()).split())
        if SLOT_NAME.fullmatch(text) and HAN_ONLY.search(text):
            return _source_name(text)
    return None


def _meta_authors(data: Structured) -> list[str]:
    return [*data.meta.get("author", ()), *data.meta.get("article:author", ())]


def _chinese_outlet(value: str) -> bool:
    """Four or more Han characters that do not start with a compound surname: on a Chinese page, an
    outlet or an account named as the author (参考消息, 新浪科技), not a person (张三, 欧阳文忠)."""
    return bool(HAN_ONLY.fullmatch(value)) and len(value) >= 4 and value[:2] not in COMPOUND_SURNAMES


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
    name = SOURCE_SUFFIX.sub("", value).strip()
    compiled = name.startswith("综合") or "、" in name  # "综合抖音、南方都市报": several outlets, no one publisher
    return name if name and name not in NOT_SOURCES and not compiled else None


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
