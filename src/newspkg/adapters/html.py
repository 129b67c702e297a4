"""Saved article pages (``*.html``): the body through trafilatura, the metadata through a cascade
(:mod:`newspkg.adapters.page_meta`), and a site's quirks as CSS selectors in ``[hints]``.

The bytes were decoded by newspkg (UTF-8 first, whatever the page declares: declared charsets lie),
so the page is parsed from text. A page that holds no article (a home or list page) raises
:class:`~newspkg.adapters.NotAnArticle`: a reject that says so.
"""

from __future__ import annotations

import re
from datetime import datetime

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from newspkg import language
from newspkg.adapters import Draft, NotAnArticle
from newspkg.adapters.page_body import (
    before_closing_notice,
    is_furniture,
    misses_the_article,
    running_text,
    without_closing_notices,
)
from newspkg.adapters.page_dates import Context
from newspkg.adapters.page_meta import page_meta
from newspkg.bylines import byline_names, is_byline, labelled_names
from newspkg.config import SourceConfig
from newspkg.dates import Moment, language_codes, parse_date
from newspkg.discover import RawFile
from newspkg.hints import Hint, Kind
from newspkg.html_text import html_paragraphs
from newspkg.markers import (
    BOILERPLATE,
    BRACKETED_BYLINE,
    CAPTION_STARTS,
    CLOSING_CREDIT,
    DATETIME,
    EDITOR_LINE,
    FILED_BYLINE,
    FURNITURE,
    FURNITURE_ANYWHERE,
    IMAGE_CREDIT,
    LEAD_AUTHOR,
    MAX_FURNITURE_PARAGRAPH,
    NOT_NAMES,
    SOURCE_LINE,
    TRAILING_LINK,
    TRAILING_NAME,
)
from newspkg.people import person_names

MIN_ARTICLE_CHARS = 60  # less body than this is a list page, a stub or an error page
# What a page's header leaves at the start of the first paragraph when it shares the body's block.
HEADER_PREFIX = re.compile(r"^(?:(?:最后更新|更新时间|发布时间)\s*[:：]\s*" + DATETIME + r"\s*)?")
MIN_SENTENCE_CHARS = 15
ANY_DATETIME = re.compile(DATETIME)
SENTENCE_MARK = re.compile(r"[。！？]")
EDGE_PARAGRAPHS = 2  # bylines and captions sit at the start or the end of a body
LEAD_PARAGRAPHS = 3  # a date line and a caption may come before the lead
MAX_CAPTIONS = 50
MAX_CAPTION_CHARS = 500
# When the precise extraction misses the article: the page's data tables may be the article, else recall.
FALLBACKS = ({"favor_precision": True, "tables": True}, {"favor_recall": True, "tables": True})
FALLBACK_GAIN = 1.5  # a fallback replaces what was found when it finds more than this much text
TABLE_RULE = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+$")  # the line under a table's header row, in trafilatura's text
DROPPED = ("script", "style", "noscript", "iframe", "template", "svg")


class HtmlAdapter:
    name = "html"
    version = "2.4.3"
    reads = ("file", "crawl")  # the kinds of reader detected for its files (see newspkg.readers)
    libraries = ("trafilatura", "htmldate", "extruct", "dateparser", "lxml")
    hints = (
        Hint("title_selector", Kind.TEXT, "CSS selector of the headline"),
        Hint("body_selector", Kind.TEXT, "CSS selector of the element holding the article's text"),
        Hint("date_selector", Kind.TEXT, "CSS selector of the element holding the publication time"),
        Hint("drop_selectors", Kind.LINES, "CSS selectors of elements to drop first (share bars, related links)"),
    )

    def parse(self, raw: RawFile, text: str, source: SourceConfig) -> Draft:
        hints = source.hints
        tree = _tree(text)
        for selector in hints.get("drop_selectors", ()):
            for element in tree.cssselect(selector):
                element.drop_tree()
        visible = _visible_text(tree)
        # language = "auto": the page's dates are read in the language of its text
        tag = language.detect(visible) if source.detects_language else source.language
        context = Context(language_codes(tag), _fetched(raw), raw.told("url"), source=text)
        meta = page_meta(tree, visible, context)
        selected_date = _date_in(_selected(tree, hints.get("date_selector")), context)
        published = meta.published_at
        draft = Draft(
            title=_selected(tree, hints.get("title_selector")) or meta.title,
            published_at=selected_date.text() if selected_date else published.moment.text() if published else None,
            modified_at=meta.modified_at.moment.text() if meta.modified_at else None,
            url=meta.url or raw.told("url"),  # a crawl's record names its page
            authors=list(meta.authors),
            publisher=meta.publisher,
            original_publisher=meta.original_publisher,
            section=meta.section,
            tags=list(meta.tags),
            captions=_figure_captions(tree),
        )
        draft.date_source = "date_selector" if selected_date else published.where if published else None
        draft.paragraphs = _body(tree, text, hints.get("body_selector"), draft)
        if sum(len(paragraph) for paragraph in draft.paragraphs) < MIN_ARTICLE_CHARS:
            raise NotAnArticle(f"the page holds under {MIN_ARTICLE_CHARS} characters of article text (a list page?)")
        return draft


def _figure_captions(tree: lxml_html.HtmlElement) -> list[str]:
    """The captions of the article's figures (of the page's, when no ``<article>`` holds any)."""
    captions: list[str] = []
    for element in (tree.xpath("//article//figcaption") or tree.xpath("//figcaption"))[:MAX_CAPTIONS]:
        caption = " ".join(" ".join(element.itertext()).split())
        if caption and len(caption) <= MAX_CAPTION_CHARS and caption not in captions:
            captions.append(caption)
    return captions


def _date_in(text: str | None, context: Context) -> Moment | None:
    """The date a selected element holds, among what else it says."""
    if not text:
        return None
    match = ANY_DATETIME.search(text)
    return parse_date(match[0] if match else text, context.languages, context.reference)


def _fetched(raw: RawFile) -> datetime | None:
    """When a crawl fetched the page: no date after it is the page's."""
    told = raw.told("fetched_at")
    try:
        return datetime.fromisoformat(told.replace("Z", "+00:00")) if told else None
    except ValueError:
        return None


def _tree(text: str) -> lxml_html.HtmlElement:
    try:
        tree = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise NotAnArticle(f"not an HTML page: {error}") from None
    for element in tree.xpath("//" + " | //".join(DROPPED)):
        if element.tag != "script" or element.get("type") != "application/ld+json":
            element.drop_tree()
    return tree


def _visible_text(tree: lxml_html.HtmlElement) -> str:
    """The page's text, a space between elements (a label and its value sit in different ones)."""
    body = tree.find("body")
    return " ".join(" ".join((body if body is not None else tree).itertext()).split())


def _body(tree: lxml_html.HtmlElement, page: str, selector: str | None, draft: Draft) -> list[str]:
    """The article's paragraphs: what the selector holds, or what trafilatura finds (for precision;
    when that misses the article, with the page's tables, then for recall), without the page
    furniture and the closing notices around it."""
    if selector:
        found = tree.cssselect(selector)
        return _clean(html_paragraphs(lxml_html.tostring(found[0], encoding="unicode")) if found else [], draft)
    running_chars, tables = running_text(tree)
    paragraphs = _clean(_trimmed(_extract(tree, favor_precision=True)), draft)
    for options in FALLBACKS if tables else FALLBACKS[1:]:  # no data table: no try with tables
        if not misses_the_article(paragraphs, running_chars, MIN_ARTICLE_CHARS):
            return paragraphs
        found = _clean(_trimmed(before_closing_notice(_extract(tree, **options))), draft)
        if sum(map(len, found)) > FALLBACK_GAIN * sum(map(len, paragraphs)):
            paragraphs = found
    if sum(map(len, paragraphs)) < MIN_ARTICLE_CHARS:  # none found it
        paragraphs = _clean(_sentence_run(page), draft)
    return paragraphs


def _bracketed_byline(body: list[str]) -> re.Match[str] | None:
    """The reporters in brackets in the lead (after a caption, maybe), or closing a paragraph: the
    text's last, or the last before the notices a site appends."""
    for paragraph in body[:LEAD_PARAGRAPHS]:
        if lead := _reporters_in_brackets(paragraph):
            return lead
    for paragraph in reversed(body):  # the text's end, maybe before notices the site appends
        end = paragraph[-60:]
        if (closing := _reporters_in_brackets(end)) and closing.end() >= len(end) - 1:
            return closing
    return None


def _reporters_in_brackets(text: str) -> re.Match[str] | None:
    """ "（记者唐霁）", "〔記者巫其倫／台北報導〕", or a name and where it was filed: "（王煌忠／台中報導）"."""
    return BRACKETED_BYLINE.search(text) or FILED_BYLINE.search(text)


def _without_header(paragraph: str, draft: Draft) -> str:
    paragraph = HEADER_PREFIX.sub("", paragraph)
    if match := LEAD_AUTHOR.match(paragraph):
        draft.authors = draft.authors or [match["name"]]
        paragraph = paragraph[match.end() :]
    return paragraph


def _sentence_run(page: str) -> list[str]:
    """The longest run of sentence-like paragraphs of the page's markup, read without a tree: a short
    page trafilatura's models pass over, or one whose broken markup hides text from lxml."""
    best: list[str] = []
    run: list[str] = []
    for paragraph in [*html_paragraphs(page), ""]:
        if len(paragraph) >= MIN_SENTENCE_CHARS and SENTENCE_MARK.search(paragraph):
            run.append(paragraph)
            continue
        if sum(map(len, run)) > sum(map(len, best)):
            best = run
        run = []
    return best


def _extract(
    tree: lxml_html.HtmlElement, *, favor_precision: bool = False, favor_recall: bool = False, tables: bool = False
) -> list[str]:
    extracted = trafilatura.extract(
        tree,
        output_format="txt",
        include_comments=False,
        include_tables=tables,
        deduplicate=False,
        favor_precision=favor_precision,
        favor_recall=favor_recall,
    )
    lines = (line.strip().removeprefix("- ") for line in (extracted or "").split("\n"))
    return [line for line in lines if line and not TABLE_RULE.match(line)]


def _trimmed(lines: list[str]) -> list[str]:
    """Without the short lines (menus, buttons, counters) before and after the body; a byline
    closing it stays (it gives the authors)."""
    keep = [not is_furniture(line) or is_byline(line) for line in lines]
    if True not in keep:
        return []
    first, last = keep.index(True), len(keep) - 1 - keep[::-1].index(True)
    return lines[first : last + 1]


def _selected(tree: lxml_html.HtmlElement, selector: str | None) -> str | None:
    if not selector:
        return None
    found = tree.cssselect(selector)
    text = " ".join(found[0].text_content().split()) if found else ""
    return text or None


def _labelled_persons(paragraph: str, draft: Draft) -> list[str]:
    """The persons a byline paragraph names ("Von Claudia Lindner"), the publisher none of them;
    words alone ("Von Sprachregeln und Gender-Politik") are a heading's more often than names."""
    labelled = labelled_names(paragraph)
    names = person_names([labelled], [draft.publisher or ""]) if labelled else []
    return names if any(" " in name for name in names) else []


def _clean(paragraphs: list[str], draft: Draft) -> list[str]:
    """The body without furniture and editors' lines (an editor is never an author), then a source
    line becomes the original publisher, a byline at either end the authors, a caption a caption."""
    kept = [TRAILING_LINK.sub("", paragraph) for paragraph in paragraphs]
    kept = [p for p in kept if not (EDITOR_LINE.match(p) or FURNITURE.match(p) or BOILERPLATE.search(p))]
    kept = [p for p in kept if len(p) > MAX_FURNITURE_PARAGRAPH or not FURNITURE_ANYWHERE.search(p)]
    kept = without_closing_notices(kept)
    if kept and kept[0] == draft.title:  # the headline, repeated above the text
        kept = kept[1:]
    if kept and draft.title and kept[0].startswith(draft.title):  # the header, in the body's block
        kept[0] = _without_header(kept[0][len(draft.title) :].strip(), draft)
    body = []
    for index, paragraph in enumerate(kept):
        edge = index < EDGE_PARAGRAPHS or len(kept) - 1 - index < EDGE_PARAGRAPHS
        if paragraph in draft.captions:  # a figure's caption, which the extraction kept
            continue
        if match := SOURCE_LINE.match(paragraph):
            draft.original_publisher = draft.original_publisher or match[1]
        elif match := CLOSING_CREDIT.match(paragraph):
            draft.original_publisher = draft.original_publisher or match["source"]
            draft.authors = draft.authors or [match["name"]]
        elif edge and is_byline(paragraph):
            draft.authors.extend(name for name in person_names(byline_names(paragraph)) if name not in draft.authors)
        elif edge and not draft.authors and (names := _labelled_persons(paragraph, draft)):
            draft.authors = names
        elif edge and (paragraph.startswith(CAPTION_STARTS) or IMAGE_CREDIT.match(paragraph)):
            draft.captions.append(paragraph)
        else:
            body.append(paragraph)
    if not draft.authors and body and (match := _bracketed_byline(body)):
        draft.authors = person_names(re.split(r"[ 、,，]", match[1]), NOT_NAMES)
    if not draft.authors and body and (match := TRAILING_NAME.match(body[-1])):
        draft.authors = [match["name"]]
        body[-1] = match["body"]
    return _trimmed(body)


adapter = HtmlAdapter()
