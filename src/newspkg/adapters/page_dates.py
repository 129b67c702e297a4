"""A page's publication and modification dates: every place that states one, in order of trust,
each value parsed by :func:`newspkg.dates.parse_date` (a string that is no date is never used).

The order: JSON-LD, microdata, ``<meta>`` (article:*, OpenGraph, Dublin Core, parse.ly, sailthru…),
``<time datetime>``, hAtom's ``published``, labelled text on the page (``发布时间：``, "Published …"),
the dateline under the headline, a platform's script (WeChat's), htmldate's search of the whole page,
the URL. The first place that has a date wins; a winner without a time of day takes the time another
place gives for that day, and a naive time the offset another date of the page states.
A dateline under the headline giving the winner's day an earlier time gives the time. A time the
page shows at the same minute with its zone gives the winner that zone, and an instant stated in UTC
that the page shows as a local time (the same minute, whole quarter-hours apart) the offset the page
shows it at: the same instant, at the wall clock its readers see. A naive time that a ``<time>``
element states as an instant takes the offset between the two.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from lxml import html as lxml_html

from newspkg.adapters.structured import MODIFIED_WORDS, Structured
from newspkg.dates import EARLIEST, LATEST, Moment, parse_date

PUBLISHED_KEYS = ("datePublished", "dateCreated", "uploadDate")
MODIFIED_KEYS = ("dateModified",)
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "published_time",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created",
    "dc.date", "dcterms.date", "citation_publication_date", "datepublished", "date", "pubdate", "publishdate",
    "publish-date", "publish_date", "publication_date", "release_date", "og:release_date", "og:time",
    "firstpublishedtime", "article.published", "cxenseparse:recs:publishtime", "bt:pubdate", "dc.created",
    "article_date_original",
)  # fmt: skip
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "dc.date.modified", "dcterms.modified", "lastmodifiedtime",
    "last-modified", "dateupdate", "article.updated", "article_date_updated",
)  # fmt: skip
# Elements whose class or id says they hold the article's date (the byline's line, a header's info).
DATED_ELEMENTS = (
    "//time[@pubdate]|//*[contains(@class,'publish') or contains(@id,'publish') or contains(@class,'date')"
    " or contains(@id,'date') or contains(@class,'time') or contains(@class,'byline') or contains(@class,'posted')"
    " or contains(@class,'dateline') or contains(@class,'meta') or contains(@class,'info')"
    " or contains(@class,'created') or contains(@class,'submitted')]"
)
MAX_DATED_ELEMENTS = 30
# hAtom (microformats): <abbr class="published" title="2010-08-13T16:39:00-04:00">Aug 13, 2010</abbr>
HATOM_PUBLISHED = "//*[contains(concat(' ', normalize-space(@class), ' '), ' published ')][@title or @datetime]"
MAX_TIMED_ELEMENTS = 300  # only those stating a time of day are parsed
MAX_TIME_CHARS = 12  # "2:24 pm", "08:30 CEST"
TIME_OF_DAY = re.compile(r"\d{1,2}[:：]\d{2}|\d{1,2}\s*[ap]\.?m\b", re.I)
NUMERIC_DATE_TIME = re.compile(r"(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}:\d\d(?::\d\d)?")
MAX_LABEL_CHARS = 80
MAX_UTC_OFFSET = timedelta(hours=14)
MAX_DATE_WORDS = 8  # "Wednesday, 21 Sep 2011 4:35 PM ET"
# Labelled dates in visible text: 发布时间：2024-05-13 08:30, 时间：…, "Published: …", "Posted on …",
# "Data: 28-04-2021, 09:29" (Polish, Italian, Portuguese).
LABELLED = re.compile(
    r"(?:发布时间|发表时间|发布日期|发稿时间|时间|日期|Published(?: on)?|Posted(?: on)?|Veröffentlicht(?: am)?"
    r"|Publié le|Publicado(?: el| em)?|Pubblicato(?: il)?|Date|Data(?=\s*[:：]))\s*[:：]?\s*(.{6,40})",
    re.I,
)
YEARLESS = re.compile(r"(?:发布时间|时间)\s*[:：]\s*(\d{1,2})-(\d{1,2})(?:\s*(\d{1,2}:\d{2}))?")
# Between a byline's parts: bars, a slash that is not a date's ("By Jane Doe / 3/09/15 8:00am"), labels.
SEGMENT_BREAK = re.compile(r"[|｜·•]|(?<!\d)/|/(?!\d)|\s{2,}|来源|作者|编辑")
LEADING_LABEL = re.compile(r"^[^\d]*?[:：]\s*")
LEADING_PLACE = re.compile(r"^[^\d]*?\s[-–—]\s*")
BAR = re.compile(r"\s*[|｜·•]\s*")  # between a date and its time of day
HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
# WeChat's articles (mp.weixin.qq.com) state their time only in a script, in Unix seconds, shown in Beijing time.
WECHAT_TIME = re.compile(r'\bvar ct = "(\d{9,10})"')
BEIJING = timezone(timedelta(hours=8))
URL_DATE = re.compile(r"/((?:19|20)\d{2})[-/]?(0[1-9]|1[0-2])[-/]?(0[1-9]|[12]\d|3[01])(?:/|[-_]|\.html?)")


@dataclass(frozen=True, slots=True)
class Found:
    moment: Moment
    where: str


@dataclass(frozen=True, slots=True)
class Context:
    """What parsing a page's dates needs: the languages to read them in and the latest plausible date."""

    languages: tuple[str, ...]
    reference: datetime | None  # a crawl's fetch time; nothing after it is the page's date
    url: str | None
    header: tuple[str, ...] = ()  # the lines under the headline (see page_header)
    source: str = field(default="", repr=False)  # the page as written: its scripts, which the tree drops


def published_and_modified(
    tree: lxml_html.HtmlElement, data: Structured, visible: str, context: Context
) -> tuple[Found | None, Found | None]:
    stated = list(_structured(data, PUBLISHED_KEYS, PUBLISHED_META, context))
    modified = list(_structured(data, MODIFIED_KEYS, MODIFIED_META, context))
    published = _first(itertools.chain(stated, _on_the_page(tree, visible, context)))
    published = published or _first(_in_script(context)) or _first(_htmldate(tree, context)) or _first(_in_url(context))
    if published and not published.moment.has_time:
        published = _first(_timed(tree, visible, published, context)) or published
    published = _earlier_in_the_dateline(published, context)
    elsewhere = [*stated, *modified]
    published = _offset_from(published, elsewhere)
    published = _zone_as_shown(published, tree, visible, context)
    published = _instant_in_markup(published, tree, context)
    published = _as_shown(published, tree, visible, context)
    return published, _offset_from(modified[0] if modified else None, elsewhere)


def _earlier_in_the_dateline(found: Found | None, context: Context) -> Found | None:
    """The earliest time the dateline under the headline gives the winner's day, when earlier: the
    metadata's "published" is often a republication or an update. Two times whole quarter-hours
    apart may be one instant in two zones: not earlier. A naive time is compared at a zone's wall
    clock, never at UTC's (a page shows its readers local time)."""
    if found is None or not found.moment.has_time:
        return found
    earliest = found
    for shown in _dateline(context, found):
        earlier = _wall_clock(shown) < _wall_clock(earliest)
        if _comparable(shown, found) and earlier and (_wall_clock(found) - _wall_clock(shown)) % timedelta(minutes=15):
            earliest = shown
    return earliest


def _comparable(shown: Found, found: Found) -> bool:
    """Two times both naive or both zoned, or a naive one beside a local (not UTC) zone's."""
    offset = found.moment.value.utcoffset()
    return (shown.moment.value.utcoffset() is None) == (offset is None) or bool(offset)


def _wall_clock(found: Found) -> datetime:
    return found.moment.value.replace(tzinfo=None, second=0, microsecond=0)


def _zone_as_shown(found: Found | None, tree: lxml_html.HtmlElement, visible: str, context: Context) -> Found | None:
    """A time the page shows at the same minute with its zone gives the winner that zone: a naive
    one, or one whose metadata labels local time as another zone ("7:15 AM EDT" shown for a meta
    tag's "07:15:45 EST"). A ``<time datetime>``'s zone, markup like the metadata's, gives its zone
    only to a naive winner or one stated in UTC (sites write their local clock with a "Z")."""
    if found is None or not found.moment.has_time:
        return found
    naive = found.moment.value.tzinfo is None
    markup = naive or found.moment.value.utcoffset() == timedelta(0)
    for shown in _zoned_shown(tree, visible, found.moment.value.minute, markup, context):
        stated = shown.moment.value
        if _wall_clock(shown) == _wall_clock(found):
            if stated.utcoffset() != found.moment.value.utcoffset() and (naive or _mislabelled(stated, found)):
                return Found(Moment(found.moment.value.replace(tzinfo=stated.tzinfo), has_time=True), found.where)
            return found
    return found


def _instant_in_markup(found: Found | None, tree: lxml_html.HtmlElement, context: Context) -> Found | None:
    """A naive winner that the page's first zoned ``<time datetime>`` states as an instant (a meta
    tag's local "05:00:00" beside ``10:00:00Z``): the winner at the offset between the two."""
    if found is None or not found.moment.has_time or found.moment.value.tzinfo is not None:
        return found
    stated = next(_zoned_markup(tree, context), None)
    if stated is None or not (offset := _offset_between(found, stated)):
        return found
    return Found(Moment(found.moment.value.replace(tzinfo=timezone(offset)), has_time=True), found.where)


def _offset_between(naive: Found, zoned: Found) -> timedelta | None:
    """The offset at which a naive time is the instant a zoned one states: the same second of the
    minute, whole quarter-hours apart, at most a day's offset."""
    instant = zoned.moment.value
    if not zoned.moment.has_time or instant.tzinfo is None or instant.second != naive.moment.value.second:
        return None
    offset = _wall_clock(naive) - instant.astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)
    return None if abs(offset) > MAX_UTC_OFFSET or offset % timedelta(minutes=15) else offset


def _zoned_markup(tree: lxml_html.HtmlElement, context: Context) -> Iterator[Found]:
    """The times with a zone the page's ``<time datetime>`` elements state."""
    for element in tree.xpath("//time[@datetime]")[:MAX_DATED_ELEMENTS]:
        for found in _parsed([element.get("datetime")], "time element", context):
            if found.moment.has_time and found.moment.value.tzinfo is not None:
                yield found


def _mislabelled(stated: datetime, found: Found) -> bool:
    """Metadata that labels the local clock as UTC, or with the zone of the other season ("EST" for
    "EDT"). Otherwise the shown zone's name is more likely another place's (IST: India's, Israel's
    or Ireland's) than the metadata wrong."""
    offset, other = stated.utcoffset(), found.moment.value.utcoffset()
    return offset is not None and other is not None and (not other or abs(offset - other) == timedelta(hours=1))


def _zoned_shown(
    tree: lxml_html.HtmlElement, visible: str, minute: int, markup: bool, context: Context
) -> Iterator[Found]:
    """The times with a zone the page shows at a minute of the hour: its ``<time>`` elements
    (``<time datetime="2016-10-04 05:07:09">10/04/2016 05:07 AM EDT</time>``), its dateline, its
    labelled dates."""
    times = tree.xpath("//time")[:MAX_DATED_ELEMENTS]
    shown = [" ".join(element.text_content().split()) for element in times]
    labelled = [BAR.sub(" ", match[1]) for match in LABELLED.finditer(visible)]
    at_the_minute = re.compile(rf"\d[:：.h]{minute:02}(?!\d)")  # parse only what can match
    for text in [*shown, *context.header, *labelled]:
        if len(text) <= MAX_LABEL_CHARS and at_the_minute.search(text):
            for found in _parsed(_prefixes(text), "page text", context):
                if found.moment.has_time and found.moment.value.tzinfo is not None:
                    yield found
    if markup:  # a zone the markup states, only where the winner states none or UTC
        yield from _zoned_markup(tree, context)


def _first(found: Iterable[Found]) -> Found | None:
    """The first date found, or, when it is a day alone, a time of that day found after it."""
    winner = None
    for candidate in found:
        if winner is None:
            winner = candidate
        elif candidate.moment.has_time and candidate.moment.same_day(winner.moment):
            return candidate
        if winner.moment.has_time:
            break
    return winner


def _offset_from(found: Found | None, elsewhere: list[Found]) -> Found | None:
    """A naive time at the offset another date of the page states (before the source's time zone):
    the offset between the two where another states it as an instant ("05:00:14" beside
    "04:00:14Z" is +01:00), else the first other's."""
    if found is None or not found.moment.has_time or found.moment.value.tzinfo is not None:
        return found
    zoned = [other for other in elsewhere if other.moment.value.tzinfo is not None]
    for other in zoned:
        if (offset := _offset_between(found, other)) is not None:
            return Found(Moment(found.moment.value.replace(tzinfo=timezone(offset)), has_time=True), found.where)
    return Found(found.moment.with_offset_of(zoned[0].moment), found.where) if zoned else found


def _as_shown(found: Found | None, tree: lxml_html.HtmlElement, visible: str, context: Context) -> Found | None:
    """An instant in UTC at the offset of the first local time the page shows for it, if any."""
    if found is None or not found.moment.has_time or found.moment.value.utcoffset() != timedelta(0):
        return found
    instant = found.moment.value
    shown = next(_shown_times(tree, visible, found, context), None)
    if shown is None:
        return found
    offset = shown.moment.value.replace(second=0, microsecond=0) - instant.replace(tzinfo=None, second=0, microsecond=0)
    if not offset or abs(offset) > MAX_UTC_OFFSET or offset % timedelta(minutes=15):
        return found
    return Found(Moment(instant.astimezone(timezone(offset)), has_time=True), found.where)


def _shown_times(tree: lxml_html.HtmlElement, visible: str, near: Found, context: Context) -> Iterator[Found]:
    """The naive times of day the page shows within a day of ``near``: labelled ones first."""
    days = {near.moment.value.date() + timedelta(days=step) for step in (-1, 0, 1)}
    for found in itertools.chain(_on_the_page(tree, visible, context), _numeric_times(visible, context)):
        if found.moment.has_time and found.moment.value.tzinfo is None and found.moment.value.date() in days:
            yield found


def _numeric_times(visible: str, context: Context) -> Iterator[Found]:
    for match in NUMERIC_DATE_TIME.finditer(visible):
        yield from _parsed([match[0]], "page text", context)


def _structured(data: Structured, keys: Iterable[str], meta_keys: Iterable[str], context: Context) -> Iterator[Found]:
    for key in keys:  # datePublished anywhere before dateCreated anywhere
        yield from _parsed(data.json_ld_values(key), "json-ld", context)
        yield from _parsed(data.itemprops.get(key, ()), "microdata", context)
    for key in meta_keys:
        yield from _parsed(data.meta.get(key, ()), f"meta {key}", context)


def _on_the_page(tree: lxml_html.HtmlElement, visible: str, context: Context) -> Iterator[Found]:
    """``<time datetime>`` and hAtom's ``published``, then labelled dates in the page's text, then
    the dateline under the headline."""
    for element in tree.xpath("//time[@datetime]")[:MAX_DATED_ELEMENTS]:
        said = element.text_content() + (element.get("class") or "")
        # <time class="post-published updated">, <time class="updated" pubdate>: the publication
        published = "publish" in (element.get("class") or "").lower() or element.get("pubdate") is not None
        if not MODIFIED_WORDS.search(said) or published:
            yield from _parsed([element.get("datetime")], "time element", context)
    for element in tree.xpath(HATOM_PUBLISHED)[:MAX_DATED_ELEMENTS]:  # <abbr class="published" title="…">
        yield from _parsed([element.get("datetime") or element.get("title")], "hatom", context)
    for match in LABELLED.finditer(visible):  # "Published: Wednesday, 21 Sep 2011 | 4:35 PM ET"
        yield from _parsed(_prefixes(BAR.sub(" ", match[1])), "page text, labelled", context)
    if yearless := YEARLESS.search(visible):
        yield from _yearless(yearless, visible, context)
    yield from _dateline(context)


def _dateline(context: Context, day: Found | None = None) -> Iterator[Found]:
    """The dates the lines under the headline state ("Aug 13, 2010 – 4:39 PM"), not a modified one;
    with ``day``, only the times they give for that day."""
    lines = ("", *context.header, "")
    for before, line, after in zip(lines, lines[1:], lines[2:], strict=False):  # "Updated" may label a date
        if len(line) > MAX_LABEL_CHARS or MODIFIED_WORDS.search(before + line) or not any(c.isdigit() for c in line):
            continue
        if day and not (TIME_OF_DAY.search(f"{line} {after}") and _day_number(day).search(line)):
            continue  # parse only what can give that day a time
        # "December 14, 2016" and "2:24 pm" in elements side by side: one date
        joined = [f"{line} {after}"] if len(after) <= MAX_TIME_CHARS and TIME_OF_DAY.search(after) else []
        for segment in [*joined, *_segments(line)]:
            for found in _parsed(_candidates(segment, day), "page text, dateline", context):
                if day is None or (found.moment.has_time and found.moment.same_day(day.moment)):
                    yield found


def _day_number(day: Found) -> re.Pattern[str]:
    return re.compile(rf"(?<!\d)0?{day.moment.value.day}(?!\d)")


def _timed(tree: lxml_html.HtmlElement, visible: str, day: Found, context: Context) -> Iterator[Found]:
    """The time of day a dated element (a byline's line, a header's info) gives for that day, else
    a numeric date and time of that day in the page's text."""
    yield from _timed_elements(tree, day, context)
    yield from _dateline(context, day)
    for found in _numeric_times(visible, context):
        if found.moment.same_day(day.moment):
            yield found


def _timed_elements(tree: lxml_html.HtmlElement, day: Found, context: Context) -> Iterator[Found]:
    for element in tree.xpath(DATED_ELEMENTS)[:MAX_TIMED_ELEMENTS]:
        text = " ".join(" ".join(element.itertext()).split())  # "1:26 pm ET<br/>Jun 3, 2014": words apart
        said = f"{text} {element.get('class') or ''} {element.get('id') or ''}"  # <span class="updated">
        if 6 <= len(text) <= MAX_LABEL_CHARS and TIME_OF_DAY.search(text) and not MODIFIED_WORDS.search(said):
            for segment in _segments(text):
                for found in _parsed(_candidates(segment, day), "page text", context):
                    if found.moment.has_time and found.moment.same_day(day.moment):
                        yield found


def _candidates(segment: str, day: Found | None) -> list[str]:
    """A segment's readings, each once: whole; with the known day's year ("March 18 at 3:57 PM" is a
    day without its year); its leading words."""
    year = [f"{segment} {day.moment.value.year}"] if day else []
    return list(dict.fromkeys([segment, *year, *_prefixes(segment), *(_suffixes(segment) if day else [])]))


def _in_script(context: Context) -> Iterator[Found]:
    """A publishing platform's time in a page's script: WeChat's ``var ct = "1581517074"``."""
    if match := WECHAT_TIME.search(context.source):
        instant = datetime.fromtimestamp(int(match[1]), BEIJING)
        if EARLIEST <= instant.replace(tzinfo=None) < LATEST:
            yield Found(Moment(instant, has_time=True), "script")


def _in_url(context: Context) -> Iterator[Found]:
    if context.url and (match := URL_DATE.search(context.url)):
        yield from _parsed(["-".join(match.groups())], "url", context)


def _prefixes(text: str) -> list[str]:
    """A labelled value runs on into what follows it: its date is one of its leading words."""
    words = text.split()
    return [" ".join(words[:count]) for count in range(min(len(words), MAX_DATE_WORDS), 0, -1)]


def _segments(text: str) -> list[str]:
    """A byline's line: "By Jane Doe | Nov. 19, 2019 05:44 GMT" → its parts, each maybe a date; a
    part also without its label ("Posted:") or the place before a dash ("Danmark - 10. marts 2020")."""
    parts = [part.strip() for part in SEGMENT_BREAK.split(text) if part.strip()]
    readings = (read for part in parts for read in (part, LEADING_LABEL.sub("", part), LEADING_PLACE.sub("", part)))
    return list(dict.fromkeys(reading for reading in readings if any(c.isdigit() for c in reading)))


def _yearless(match: re.Match[str], visible: str, context: Context) -> Iterator[Found]:
    """ "发布时间：09-30 22:46": the year is that of a full date of that day elsewhere on the page."""
    month, day = int(match[1]), int(match[2])
    for found in re.finditer(r"(\d{4})[-年/](\d{1,2})[-月/](\d{1,2})", visible):
        if (int(found[2]), int(found[3])) == (month, day):
            time_of_day = f" {match[3]}" if match[3] else ""
            yield from _parsed([f"{found[1]}-{month:02}-{day:02}{time_of_day}"], "page text, labelled", context)
            return


def _htmldate(tree: lxml_html.HtmlElement, context: Context) -> Iterator[Found]:
    """htmldate's search of the whole page (its markup, its text, its scripts): the original date."""
    import htmldate

    latest = context.reference.replace(tzinfo=None) if context.reference else LATEST
    try:
        found = htmldate.find_date(
            tree, original_date=True, outputformat=HTMLDATE_FORMAT, url=context.url, min_date=EARLIEST, max_date=latest
        )
    except (ValueError, TypeError, OverflowError, RecursionError):
        return
    # htmldate writes a day without a time as midnight: read it as the day alone
    yield from _parsed([found.removesuffix("T00:00:00") if found else None], "htmldate", context)


def _suffixes(text: str) -> list[str]:
    """A line that ends with its date: "Gespeichert von rasos am 24. Juli 2017 - 18:55"."""
    words = text.split()
    return [" ".join(words[-count:]) for count in range(min(len(words), MAX_DATE_WORDS), 1, -1)]


def _parsed(values: Iterable[object], where: str, context: Context) -> Iterator[Found]:
    """The first date the values state; when it is a day alone, then a time of that day a later
    value states (``<meta itemprop="datePublished" content="2024-05-10">`` before the element that
    gives its time)."""
    first = None
    for value in values:
        if isinstance(value, dict):  # a JSON-LD value given as {"@value": ...}
            value = value.get("@value")
        if isinstance(value, list):
            value = value[0] if value else None
        if (moment := parse_date(value, context.languages, context.reference)) is None:
            continue
        if first is None or (moment.has_time and moment.same_day(first)):
            yield Found(moment, where)
            if moment.has_time:
                return
            first = moment
