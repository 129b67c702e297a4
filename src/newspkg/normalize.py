"""Small pure functions: text cleanup, dates to RFC 3339, canonical URLs."""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import ada_url

# Zero-width and control characters (NUL included) carry nothing a reader sees.
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u00ad\u200b-\u200d\u2060\ufeff]")
LINE_ENDS = re.compile(r"\r\n?")

DATE = re.compile(
    r"(?P<year>\d{4})[-/年.](?P<month>\d{1,2})[-/月.](?P<day>\d{1,2})日?"
    r"(?:(?:[ T]+|-|(?<=日)\s*)(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6})\d*)?)?)?"
    r"\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?"
)


def unify_line_ends(text: str) -> str:
    return LINE_ENDS.sub("\n", text)


def clean_line(value: str, *, entities: bool = True) -> str:
    """One line or paragraph: entities decoded, zero-width characters dropped, spaces folded, NFC."""
    if entities and "&" in value:
        value = html.unescape(value)
    if not value.isprintable():  # only then can there be invisible characters (printable is the common, fast case)
        value = INVISIBLE.sub("", value)
    value = " ".join(value.split())  # every run of whitespace (U+3000, no-break space, tabs…) → one space
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def clean_paragraphs(paragraphs: list[str], *, entities: bool = True) -> str:
    """Body text: each paragraph cleaned as ``clean_line`` does, separated by one blank line, empty
    ones dropped. Inlined, and NFC checked once for the whole text: a record has dozens of paragraphs."""
    cleaned = []
    for paragraph in paragraphs:
        if entities and "&" in paragraph:
            paragraph = html.unescape(paragraph)
        if not paragraph.isprintable():  # newlines inside a paragraph land here too; split() folds them
            paragraph = INVISIBLE.sub("", paragraph)
        if paragraph := " ".join(paragraph.split()):
            cleaned.append(paragraph)
    text = "\n\n".join(cleaned)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def to_rfc3339(value: str, zone: ZoneInfo) -> str:
    """``2022-02-26 05:47:34 +0800`` → ``2022-02-26T05:47:34+08:00``; naive times are read in ``zone``.

    A value that is not a real date is returned as it was, so that validation reports it.
    """
    parsed = parse_datetime(value, zone)
    return value.strip() if parsed is None else format_rfc3339(parsed)


def parse_datetime(value: str, zone: ZoneInfo) -> datetime | None:
    match = DATE.fullmatch(value.strip())
    if not match:
        return None
    part = match.groupdict()
    try:
        moment = datetime(
            int(part["year"]), int(part["month"]), int(part["day"]),
            int(part["hour"] or 0), int(part["minute"] or 0), int(part["second"] or 0),
            int((part["fraction"] or "0").ljust(6, "0")),
        )  # fmt: skip
    except ValueError:  # 2022-02-30, 25:00, ...
        return None
    offset = part["offset"]
    if offset is None:
        return moment.replace(tzinfo=zone)
    if offset == "Z":
        return moment.replace(tzinfo=UTC)
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment.replace(tzinfo=timezone(sign * delta))


def format_rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")


def canonical_url(value: str, base: str | None = None) -> str:
    """WHATWG-serialised URL without fragment: lower-case host, IRIs percent-encoded.

    Protocol-relative links resolve against ``base`` (or https). A value that does not parse is
    returned trimmed, so that validation reports it.
    """
    value = value.strip()
    if value.startswith("//") and not base:
        value = "https:" + value
    try:
        url = ada_url.URL(value, base) if base else ada_url.URL(value)
    except ValueError:
        return value
    url.hash = ""
    return url.href
