"""Who wrote a saved page. Every place that names the authors is read: JSON-LD, the meta tags made
for it (``article:author``, parse.ly, sailthru, Dublin Core…), microdata, the byline under the
headline, the page's byline element, trafilatura's byline search, ``作者：``/``记者``, ``… 기자``. The names
chosen are the first place's that another place confirms (a page's related stories, comments and
photo credits name people too, each in one place only), else the first place's that names anyone
in more than a word: unconfirmed, a word alone is more often a place or a section than a person,
and a reporter the text names with the role ("记者 X", "X 기자") comes before a tag that may name
the outlet. A byline the page shows that names the confirmed authors and more gives the co-authors.
An editor named on the page is never an author, nor is the site or the outlet a story comes from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from lxml import html as lxml_html

from newspkg.adapters.page_header import HeaderLine
from newspkg.adapters.structured import Structured
from newspkg.bylines import SIGNED, byline_names, is_byline
from newspkg.people import HAN, folded, is_organisation, person_names

EDITOR = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*([\u4e00-\u9fff·]{2,4})")
HAN_NAME = r"[\u4e00-\u9fff·]{2,4}"
AUTHOR = re.compile(
    rf"(?<![\u4e00-\u9fff])(?:作者|记者)\s*[:：\s]\s*(?:记者|通讯员)?\s*"  # "作者： 记者王敬照"
    rf"({HAN_NAME}(?:[ 、,，]{HAN_NAME}(?![\u4e00-\u9fff]|\s*[:：]))*)(?![\u4e00-\u9fff])"  # not "来源："
)
# "이용민 기자", "김수아 인턴 기자" (an intern, a trainee, a senior reporter)
KOREAN_REPORTER = re.compile(r"(?<![가-힣])([가-힣]{2,4})\s?(?:(?:인턴|수습|선임|객원)\s?)?(?:기자|특파원)(?![가-힣])")
# Meta tags made to name the authors; plain ``author`` comes after microdata: it often names the company.
AUTHOR_META = (
    "article:author", "og:article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
    "byline", "search.byline", "twitter:creator",
)  # fmt: skip
# The page's byline: a link marked as the author's, an element whose class or id says byline or author.
BYLINE_ELEMENTS = (
    "(//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]"
    "|//*[contains(@class, 'byline') or contains(@id, 'byline') or contains(@class, 'author')"
    " or contains(@class, 'autor') or contains(@class, 'auteur')])"  # Spanish, German, French
    "[not(ancestor::form) and not(ancestor::aside)]"  # a comment form's "Name *" field, a sidebar's comments
)
MAX_BYLINE_ELEMENTS = 20
MAX_BYLINE_CHARS = 80
# Where a byline element names its person: a link, hCard's fn, microdata's name.
NAME_PARTS = "self::a|.//a|.//*[contains(concat(' ', @class, ' '), ' fn ') or @itemprop='name']"
# A link to the author's own page (WordPress /author/jane/, /people/, /staff/, /autor/…).
AUTHOR_PAGE = re.compile(
    r"/(?:authors?|people|profiles?|staff|writers?|journalists?|reporters?|contributors?|columnists?"
    r"|autor(?:en)?|auteurs?|redakteur(?:in)?|journalist(?:in|e)?)/[^/?#]+",
    re.I,
)
JOINED = re.compile(r"^\s*(?:[,&]|and\b|und\b|et\b|y\b)|(?:[,&]|\band|\bund|\bet|\by)\s*$", re.I)  # "X, " "and Y"
NAME_AND_OUTLET = re.compile(r"^(?P<name>[\u4e00-\u9fff·]{2,4})\s*[/／]\s*(?P<outlet>[^\s/／]{2,16})$")
HAN_SAMPLE_CHARS = 2_000
SPACELESS_NAMES = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")  # Chinese, Japanese, Korean
Persons = Callable[[Iterable[str]], list[str]]  # author strings → the persons they name
Kind = Literal["tag", "shown", "reporter"]  # a machine-readable tag, the byline shown, a role in the text


@dataclass(frozen=True, slots=True)
class Page:
    """What the authors are read from."""

    tree: lxml_html.HtmlElement
    data: Structured
    visible: str
    header: list[HeaderLine]
    not_names: list[str]  # the site, the publisher, the outlet: no person
    japanese: bool = False  # a space within a name written in kanji: "渡部 拓也" is one person

    def persons(self, values: Iterable[str]) -> list[str]:
        return person_names(values, self.not_names, spaced_kanji=self.japanese)


def authors(page: Page) -> list[str]:
    """The names the most trusted place confirmed by another gives, else the first place's that
    names a person in more than one word (or in a script written without spaces)."""
    places = [(names, kind) for names, kind in _places(page) if names]
    found = [names for names, _ in places]
    reporters = [names for names, kind in places if kind == "reporter"]
    for index, names in enumerate(found):
        others = [name for other in found[:index] + found[index + 1 :] for name in other]
        if any(_same_person(name, other) for name in names for other in others):
            # "FOCUS-Online-Experte Robin Tschöpe" confirmed as "Robin Tschöpe": the name alone
            confirmed = [min((o for o in others if _same_person(name, o)), key=len, default=name) for name in names]
            return _with_co_authors(confirmed, [names for names, kind in places if kind == "shown"])
    if reporters:  # unconfirmed, a reporter the text names by the role beats a tag that may name the outlet
        return reporters[0]
    # unconfirmed, a word alone ("Danmark", "Vídeos") is a place's or a section's more often than a person's
    return next((names for names in found if not all(_one_word(name) for name in names)), [])


def _with_co_authors(confirmed: list[str], shown: list[list[str]]) -> list[str]:
    """The byline the page shows, where it names the confirmed authors and more ("By Paul Wiseman
    and Fatima Hussein" beside a tag naming the first): a tag often names the first author only."""
    for names in shown:
        more = [name for name in names if not any(_same_person(name, known) for known in confirmed)]
        named = all(any(_same_person(known, name) for name in names) for known in confirmed)
        if named and more and not any(_one_word(name) for name in more):
            return [*confirmed, *more]
    return confirmed


def _one_word(name: str) -> bool:
    return " " not in name.strip() and not SPACELESS_NAMES.search(name)


def _same_person(name: str, other: str) -> bool:
    """One name, or one ends with the other ("Experte Robin Tschöpe", "Robin Tschöpe")."""
    a, b = sorted((name.casefold(), other.casefold()), key=len)
    return a == b or (len(a.split()) >= 2 and b.endswith(" " + a))


def editors(visible: str) -> set[str]:
    return set(EDITOR.findall(visible))


def reporter_and_outlet(header: list[HeaderLine]) -> tuple[str, str] | None:
    """A Chinese reporter and outlet under the headline: "石佳/中国青年报"."""
    for line in header:
        if (match := NAME_AND_OUTLET.match(line.text)) and is_organisation(match["outlet"]):
            return match["name"], match["outlet"]
    return None


def _places(page: Page) -> Iterator[tuple[list[str], Kind]]:
    """The names each place gives, in order of trust, and its kind: a tag, the byline the page
    shows, or a reporter the text names with the role ("作者：X", "记者 X", "이용민 기자")."""
    persons, data = page.persons, page.data
    yield persons([name for value in data.json_ld_values("author") for name in _persons(value)]), "tag"
    for key in AUTHOR_META:
        yield persons(_linked_names(page.tree, data.meta.get(key, []))), "tag"
    yield persons(data.itemprops.get("author", ())), "tag"
    yield persons(data.meta.get("author", ())), "tag"
    yield _header_byline(page.header, persons), "shown"
    if not _mostly_han(page.visible):  # Chinese pages: these name self-media accounts
        # one place: trafilatura's search reads the byline elements too
        yield _byline(page.tree, persons) or _trafilatura_byline(page.tree, persons), "shown"
    if match := AUTHOR.search(page.visible):
        yield persons(re.split(r"[ 、,，]", match[1])), "reporter"
    if match := KOREAN_REPORTER.search(page.visible):
        yield persons([match[1]]), "reporter"
    if _mostly_han(page.visible):  # last: an element the page marks as its author's
        yield _marked_author(page.tree, persons), "tag"


def _linked_names(tree: lxml_html.HtmlElement, values: list[str]) -> list[str]:
    """``article:author`` as OpenGraph means it, the authors' profile URLs: the names the page's
    links to them show ("https://…/profile/sam-levin" → Sam Levin); a name stays a name."""
    urls = [url for value in values for url in value.split(",") if url.strip().startswith(("http://", "https://"))]
    if not urls:
        return values
    paths = dict.fromkeys(urlsplit(url.strip()).path.rstrip("/") for url in urls)  # in the tag's order
    shown: dict[str, str] = {}
    for link in tree.iter("a"):
        path = urlsplit(link.get("href") or "").path.rstrip("/")
        text = " ".join(link.text_content().split())
        # a link to a profile on a social network may read "Facebook": the network, not the person
        host = urlsplit(link.get("href") or "").hostname or ""
        if path in paths and path not in shown and text and folded(text) not in folded(host):
            shown[path] = text
    return [shown[path] for path in paths if path in shown]


def _header_byline(header: list[HeaderLine], persons: Persons) -> list[str]:
    """The byline under the headline: a link to the author's page, a line that starts "By" (its
    name maybe in the next element), a Chinese byline ("新华社记者邹多为、唐诗凝"), or a reporter
    and outlet ("石佳/中国青年报")."""
    texts = [line.text for line in header]
    handles: list[str] = []  # "Published by BBNTEAM … By Aaron Humes": a word alone, then a person
    for index, line in enumerate(header):
        link = next(line.holder.iterancestors("a"), line.holder if line.holder.tag == "a" else None)
        names: list[str] = []
        # on Chinese pages such a link names a self-media account, not a reporter
        if link is not None and AUTHOR_PAGE.search(link.get("href") or "") and not HAN.search(line.text):
            names = persons([_run_on(texts, index, given=1)])  # "<a>Isabel Caro</a>, <a>Rocío Latorre</a> y …"
        elif SIGNED.match(line.text):  # "By" alone: the names are in the elements after it
            names = persons([_run_on(texts, index) if SIGNED.fullmatch(line.text.rstrip(":")) else line.text])
        elif is_byline(line.text):  # "新华社记者邹多为、唐诗凝、丁乐"
            names = persons(byline_names(line.text))
        if names and not all(_one_word(name) for name in names):
            return names
        handles = handles or names
    found = reporter_and_outlet(header)
    return persons([found[0]]) if found else handles


def _run_on(texts: list[str], start: int, given: int = 2) -> str:
    """A byline split across elements: "By:" "Paul Wiseman" "," "Fatima Hussein, AP" — the ``given``
    elements from ``start`` ("By:" and the next), then more while a separator joins them."""
    words = texts[start : start + given]
    for text in texts[start + given :]:
        if not (JOINED.search(words[-1]) or JOINED.match(text)) or len(" ".join(words)) > MAX_BYLINE_CHARS:
            break
        words.append(text)
    return " ".join(words)


def _byline(tree: lxml_html.HtmlElement, persons: Persons) -> list[str]:
    """The names of the page's first byline element that holds any: its name link or hCard ``fn``
    first ("<a>Jane Doe</a> Senior Correspondent"), else its whole text ("By Jane Doe")."""
    for element in tree.xpath(BYLINE_ELEMENTS)[:MAX_BYLINE_ELEMENTS]:
        if _in_a_teaser(element):
            continue
        text = " ".join(" ".join(element.itertext()).split())
        # "By" in its own element: the names are around it
        if SIGNED.fullmatch(text.rstrip(":")) and (parent := element.getparent()) is not None:
            element, text = parent, " ".join(" ".join(parent.itertext()).split())
        named = [" ".join(" ".join(name.itertext()).split()) for name in element.xpath(NAME_PARTS)]
        for candidate in [*(name for name in named if len(name.split()) >= 2 or HAN.search(name)), text]:
            if 0 < len(candidate) <= MAX_BYLINE_CHARS and (names := persons([candidate])):
                return names
    return []


def _in_a_teaser(element: lxml_html.HtmlElement) -> bool:
    """Inside a link to another story (a teaser card that is a link), not to the author's page."""
    return any(not AUTHOR_PAGE.search(link.get("href") or "") for link in element.iterancestors("a"))


def _marked_author(tree: lxml_html.HtmlElement, persons: Persons) -> list[str]:
    """A Chinese page's author link or element (``<a rel="author">``, ``<span id="author_baidu">``);
    its ``class="author"`` elements mostly name self-media accounts."""
    for element in tree.xpath("//a[@rel='author']|//*[contains(@id, 'author')]")[:MAX_BYLINE_ELEMENTS]:
        text = " ".join(element.text_content().split())
        if 0 < len(text) <= MAX_BYLINE_CHARS and (names := persons([text])):
            return names
    return []


def _trafilatura_byline(tree: lxml_html.HtmlElement, persons: Persons) -> list[str]:
    from trafilatura.metadata import extract_author

    return persons((extract_author(tree) or "").split(";"))


def _mostly_han(text: str) -> bool:
    sample = text[:HAN_SAMPLE_CHARS]
    return len(HAN.findall(sample)) > len(sample) / 3


def _persons(value: Any) -> list[str]:
    """JSON-LD authors: a person's name, never an organisation's."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict) and "Organization" not in str(item.get("@type")):
            name = item.get("name")
            names.append(name[0] if isinstance(name, list) and name else name if isinstance(name, str) else "")
        elif isinstance(item, str):
            names.append(item)
    return [name for name in names if name]
