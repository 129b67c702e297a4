"""A date as a page writes it → a datetime, or nothing: ISO 8601 first, then the numeric forms of
Chinese pages, then dateparser for textual dates in any language.

Pure and reproducible: no parser reads the clock. dateparser gets a fixed reference (a crawl item's
fetch time where there is one), so a relative date ("2 hours ago") is never a date, and a date that
lacks its year is none either. Placeholders (0001-01-01, 1970-01-01) and dates after the reference
are no dates.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from newspkg.normalize import DATE

EARLIEST = datetime(1990, 1, 1)  # before this, a page's date is a placeholder (1970-01-01, 0001-01-01)
# With no fetch time, dates up to this one are plausible: a fixed bound, never the clock.
LATEST = datetime(2100, 1, 1)
MAX_DATE_CHARS = 120  # a date, with its label, is short: longer strings are sentences
# "7:47 p.m." and "9:00a" (a letter alone, touching the clock) → "7:47 pm", "9:00am", which dateparser reads
MERIDIEM = re.compile(r"\b([ap])\.\s?m\.|(?<=\d:\d\d)([ap])\b", re.I)
BROKEN_OFFSET = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)[+-](?:\d|\d{3}|\d{5,})")  # not ±hh[:]mm
YEAR_COLON = re.compile(r"\b((?:19|20)\d\d):\s")  # "November 29, 2016: 3:42 PM ET" → "2016 3:42 PM ET"
CLOCK = re.compile(r"\d{1,2}[:時时]\d{2}|\d{1,2}\s*[ap]m\b|T\d{2}", re.I)
# North American zones named without saying standard or daylight time ("4:35 PM ET").
GENERIC_ZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles"}
GENERIC_ZONE = re.compile(r"\b(ET|CT|MT|PT)\b")


@dataclass(frozen=True, slots=True)
class Moment:
    """A date found: naive when the page states no offset; ``has_time`` when it states a time of day."""

    value: datetime
    has_time: bool

    def text(self) -> str:
        """ISO 8601: the day alone, or the time to the second (with its offset when there is one)."""
        if not self.has_time:
            return self.value.date().isoformat()
        return self.value.replace(microsecond=0).isoformat()

    def with_offset_of(self, other: Moment) -> Moment:
        """A naive time read at the offset another date of the page states."""
        if self.value.tzinfo is not None or other.value.tzinfo is None:
            return self
        return Moment(self.value.replace(tzinfo=other.value.tzinfo), self.has_time)

    def same_day(self, other: Moment) -> bool:
        return self.value.date() == other.value.date()


def parse_date(value: Any, languages: tuple[str, ...] = (), reference: datetime | None = None) -> Moment | None:
    """The moment a string states, or None: a string that is no date is never passed on as one."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_DATE_CHARS:
        return None
    text = " ".join(value.split())
    moment = _iso(text) or _numeric(text) or _textual(text, languages, reference)
    return moment if moment is not None and _plausible(moment.value, reference) else None


def _iso(text: str) -> Moment | None:
    if broken := BROKEN_OFFSET.fullmatch(text):  # "2018-10-29T10:15-500": the time, its zone unknown
        text = broken[1]
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
    return Moment(_fixed_offset(parsed), has_time=len(text) > 10)


def _numeric(text: str) -> Moment | None:
    """2024-05-10 06:58, 2024/5/10, 2024年5月10日06:58, 2024.05.10 (with an offset or not)."""
    match = DATE.fullmatch(text)
    if not match:
        return None
    part = match.groupdict()
    try:
        moment = datetime(
            int(part["year"]), int(part["month"]), int(part["day"]), int(part["hour"] or 0),
            int(part["minute"] or 0), int(part["second"] or 0),
        )  # fmt: skip
    except ValueError:
        return None
    if offset := part["offset"]:
        moment = moment.replace(tzinfo=_offset(offset))
    return Moment(moment, has_time=part["hour"] is not None)


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(-delta if text[0] == "-" else delta)


def _textual(text: str, languages: tuple[str, ...], reference: datetime | None) -> Moment | None:
    """ "Nov. 19, 2019", "Tue Nov 19 2019 03:05:46 GMT+0000", "1. Dezember 2024", RFC 2822 ..."""
    if not any(character.isdigit() for character in text):
        return None
    import dateparser  # costly to import: only pages with textual dates need it

    text = YEAR_COLON.sub(r"\1 ", MERIDIEM.sub(lambda match: f"{match[1] or match[2]}m", text))
    zone = GENERIC_ZONE.search(text)
    if zone:  # dateparser reads "ET" as EST all year: the zone's own rules tell EDT from EST
        text = GENERIC_ZONE.sub(" ", text)
    settings = _settings(reference or LATEST, languages)
    try:
        parsed = dateparser.parse(text, languages=list(languages) or None, settings=settings)
    except (ValueError, OverflowError, RecursionError, LookupError):
        return None
    if parsed is None:
        return None
    if zone and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(GENERIC_ZONES[zone[1]]))
    return Moment(_fixed_offset(parsed), has_time=CLOCK.search(text) is not None)


def _settings(reference: datetime, languages: tuple[str, ...]) -> dict[str, Any]:
    # numbers alone are read in the page's language's order: "03.02.2022" is 3 February in German,
    # "18-03-08 23:16" 8 March 2018 in Chinese; dateparser would read either in English's
    order = {"DATE_ORDER": _date_order(languages[0])} if languages else {}
    return {
        **order,
        "RELATIVE_BASE": reference.replace(tzinfo=None),
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "PARSERS": ["timestamp", "custom-formats", "absolute-time"],  # never "relative-time"
        "RETURN_TIME_AS_PERIOD": False,
    }


def _fixed_offset(moment: datetime) -> datetime:
    """Any zone the parser attached (``GMT``, ``CEST``, ``ET``) as the fixed offset it stands for."""
    offset = moment.utcoffset()
    if offset is None:
        return moment.replace(tzinfo=None)
    return moment.replace(tzinfo=UTC if not offset else timezone(offset))


def _plausible(moment: datetime, reference: datetime | None) -> bool:
    naive = moment.replace(tzinfo=None)
    if naive < EARLIEST:
        return False
    if reference is None:
        return naive < LATEST
    latest = reference if reference.tzinfo else reference.replace(tzinfo=UTC)
    # a naive date is compared a day wide: its zone is not known yet
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC) - timedelta(days=1)) <= latest


def language_codes(tag: str) -> tuple[str, ...]:
    """dateparser's languages for a BCP 47 tag: its primary subtag, then English (pages mix them)."""
    primary = tag.split("-", 1)[0].lower()
    if primary in ("", "und", "auto", "en"):
        return ("en",)
    return (primary, "en") if primary in _dateparser_languages() else ("en",)


@functools.cache
def _date_order(language: str) -> str:
    """The order a language writes a date's numbers in ("DMY", "MDY", "YMD"), from dateparser's
    locale data."""
    from dateparser.languages.loader import default_loader

    try:
        return str(default_loader.get_locale(language).info.get("date_order", "MDY"))
    except ValueError:  # a language dateparser does not know: its default
        return "MDY"


@functools.cache
def _dateparser_languages() -> frozenset[str]:
    from dateparser.data import language_order

    return frozenset(language_order)
