"""record → list[Issue]: the JSON Schema (formats on), then the semantic rules. Never raises for bad data."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import ftfy.badness
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from newspkg import rules
from newspkg.issues import Issue, json_pointer
from newspkg.markers import BOILERPLATE
from newspkg.readers import SEPARATOR
from newspkg.records import code_points, fingerprint, id_of, record_id
from newspkg.rules import Rule
from newspkg.schema import SchemaSet

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
DATE_TOLERANCE = timedelta(days=1)
# C0 and C1 control characters but tab and newline: never in a decoded article.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MIN_HAN_SHARE = 0.5  # a zh text whose non-ASCII letters are mostly not Han characters was decoded wrongly
MIN_CHINESE_SHARE = 0.1  # nor is one Chinese with hardly a Han character among its letters (code and names aside)
HAN_SAMPLE_CHARS = 500
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF))
# What mojibake of CJK mostly turns into: Latin letters with accents, Greek and Cyrillic; and ASCII's.
OTHER_LETTER_RANGES = ((0xC0, 0x24F), (0x370, 0x4FF))
ASCII_LETTER_RANGES = ((0x41, 0x5A), (0x61, 0x7A))
# Dates that URLs and file names carry: infoCode=NW20220226…, /2022/02/26/, /news/1345,20211208….html
URL_DATES = (
    re.compile(r"infoCode=[A-Z]{2}(\d{4})(\d{2})(\d{2})"),
    re.compile(r"/((?:19|20)\d{2})[-/]?(\d{2})[-/]?(\d{2})/"),
    re.compile(r",((?:19|20)\d{2})(\d{2})(\d{2})\d+\.html?$"),
)
# Tags that never belong in a record's text or title: the adapter did not parse the markup.
# A tag as HTML writes it: its name, then attributes or nothing (so "Pair<A, B>" in code is text).
MARKUP = re.compile(
    r"<(?:!doctype\b[^<>]*|/?(?:html|head|body|meta|link|script|style|div|span|p|a|br|img|table|li)"
    r"(?:\s+[\w:-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s<>]+))?)*\s*/?)>",
    re.I,
)
# Python's \s in a str pattern, for RE2 (whose \s is ASCII only): what str.isspace() accepts.
_PYTHON_SPACE = r"[\t-\r\x1c-\x20\x85\p{Z}]"
# An RE2 pattern (pyarrow.compute) that matches every text in which MARKUP, BOILERPLATE, CONTROL
# or U+FFFD would be found, and few others: any "<" stands for the markup. A text it does not match
# skips those searches, costlier in Python than RE2's one pass over a whole column.
TEXT_SUSPECTS = "|".join(("<", BOILERPLATE.pattern.replace(r"\s", _PYTHON_SPACE), CONTROL.pattern, r"\x{FFFD}"))
FILE_NAME_DATE = re.compile(r"(?:^|/)((?:19|20)\d{2})-(\d{2})-(\d{2})-[^/]*$")
Finding = tuple[str, Rule, str]  # pointer, rule, message
# Friendlier names for the schema errors that rules are known by.
RULE_NAMES = {("/url", "pattern"): rules.URL_SCHEME, ("/url", "format"): rules.URL_FORMAT}


class RecordChecker:
    """Checks finished records against their source's composed schema and the rules."""

    def __init__(
        self,
        schemas: SchemaSet,
        extension_of: Mapping[str, str | None],
        now: datetime | None = None,
        integrity: bool = True,
        fingerprints: bool = True,
    ):
        self._schemas = schemas
        self._extension_of = dict(extension_of)
        self._now = now or datetime.now(UTC)
        self._validators: dict[str | None, Any] = {}
        self._null_allowed: dict[tuple[str, str | None], bool] = {}
        self._integrity = integrity  # off for records this process just derived: they agree by construction
        self._fingerprints = fingerprints and integrity  # the one costly integrity check

    def check(self, record: dict[str, Any], file: str, line: int = 0) -> list[Issue]:
        return self._check(record, file, line, _han_and_letters(_han_sample(record)))

    def check_each(
        self, records: list[dict[str, Any]], file: str, lines: list[int], clean: list[bool] | None = None
    ) -> list[list[Issue]]:
        """:meth:`check` of every record (its issues sorted), with the Han share of every zh text
        counted in one pass over all of them: record by record, numpy's fixed costs made that count
        as dear as the boilerplate scan, the costliest rule. ``clean[i]``: the text of record i is
        known not to match :data:`TEXT_SUSPECTS` (see :func:`clean_texts`)."""
        shares = _han_and_letters_each([_han_sample(record) for record in records])
        checked = zip(records, lines, shares, clean or [False] * len(records), strict=True)
        return [self._check(record, file, line, share, known) for record, line, share, known in checked]

    def _check(
        self, record: dict[str, Any], file: str, line: int, han_share: tuple[int, int, int], clean: bool = False
    ) -> list[Issue]:
        errors = self._schema_errors(record)
        found = self._rules(record) + self._text_rules(record, han_share, clean)
        if not errors and not found:
            return []
        rid = id_of(record)
        issues = [_issue(file, rid, line, error) for error in errors]
        issues += [rule.issue(file, message, rid, pointer, line) for pointer, rule, message in found]
        return sorted(set(issues))

    def _validator(self, source: Any) -> Any:
        extension = self._extension_of.get(source) if isinstance(source, str) else None
        if extension not in self._validators:
            self._validators[extension] = self._schemas.validator(extension)
        return self._validators[extension]

    def _schema_errors(self, record: dict[str, Any]) -> list[Any]:
        # A null where the schema allows none means the file did not have the field: report it as
        # missing ("required") rather than as a type error.
        source = record.get("source")
        extension = self._extension_of.get(source) if isinstance(source, str) else None
        refused = [key for key, value in record.items() if value is None and not self._allows_null(key, extension)]
        # Usually no null is refused: the record then goes as it is, not copied.
        present = {k: v for k, v in record.items() if k not in refused} if refused else record
        validator = self._validator(source)
        if validator.is_valid(present):  # the fast path: one call into compiled code
            return []
        errors = list(validator.iter_errors(present))
        # When a composed schema's base fails, its annotations are void, so unevaluatedProperties
        # then lists every base field: noise next to the error that caused it.
        cause = [e for e in errors if e.kind.name != "unevaluatedProperties"]
        return cause or errors

    def _allows_null(self, key: str, extension: str | None) -> bool:
        if key not in self._schemas.properties:
            return True
        allowed = self._null_allowed.get((key, extension))
        if allowed is None:  # asked of nearly every record (one null or another): found once per field
            allowed = self._null_allowed[key, extension] = self._schemas.nullable(key, extension)
        return allowed

    def _rules(self, record: dict[str, Any]) -> list[Finding]:
        found = []
        published = _moment(record.get("published_at"))
        modified = _moment(record.get("modified_at"))
        for pointer, moment in (("/published_at", published), ("/modified_at", modified)):
            if moment and moment > self._now:
                found.append((pointer, rules.DATE_FUTURE, f"{moment.isoformat()} is in the future"))
            if moment and moment < EARLIEST:
                found.append((pointer, rules.DATE_TOO_EARLY, f"{moment.isoformat()} is before 1990"))
        if published and modified and modified < published:
            found.append(("/modified_at", rules.DATE_ORDER, order_message(record)))
        if published:
            found += _embedded_date_rules(record, published)
        if self._integrity:
            found += _integrity_rules(record)
        if record.get("url") is None:
            message = "no URL found in the file; the id falls back to the raw path"
            found.append(("/url", rules.URL_MISSING, message))
        return found

    def _text_rules(self, record: dict[str, Any], han_share: tuple[int, int, int], clean: bool) -> list[Finding]:
        """The rules that scan title and text: the costly part of checking a record. ``clean``:
        the text is known to hold no markup, boilerplate, U+FFFD or control character."""
        found = []
        text = record.get("text")
        if self._fingerprints and isinstance(text, str) and record.get("fingerprint") != fingerprint(text):
            found.append(("/fingerprint", rules.FINGERPRINT, "fingerprint does not match text"))
        for key in ("text", "title"):
            value = record.get(key)
            if isinstance(value, str) and not (clean and key == "text") and (tag := MARKUP.search(value)):
                message = f"{key} still contains HTML markup ({tag[0][:40]!r}): the adapter did not parse it"
                found.append((f"/{key}", rules.TEXT_MARKUP, message))
        found += _decoding_rules(record, han_share, clean)
        if isinstance(text, str) and not clean and (marker := BOILERPLATE.search(text)):
            found.append(("/text", rules.TEXT_BOILERPLATE, f"text still contains boilerplate ({marker[0]!r})"))
        return found


def _embedded_date_rules(record: dict[str, Any], published: datetime) -> list[Finding]:
    found = []
    url = record.get("url") or ""
    for pattern in URL_DATES:
        if (match := pattern.search(url)) and not _near(match, published):
            message = f"the URL carries the date {'-'.join(match.groups())}, published_at is {published.date()}"
            found.append(("/published_at", rules.DATE_URL_MISMATCH, message))
            break
    raw_path = (record.get("provenance") or {}).get("raw_path") or ""
    if (match := FILE_NAME_DATE.search(raw_path)) and not _near(match, published):
        message = f"the file name carries the date {'-'.join(match.groups())}, published_at is {published.date()}"
        found.append(("/published_at", rules.DATE_FILENAME_MISMATCH, message))
    return found


def clean_texts(texts: pa.ChunkedArray | pa.Array) -> list[bool]:
    """For each text of a column, whether it is known to hold no markup, boilerplate, U+FFFD or
    control character (RE2 finds no :data:`TEXT_SUSPECTS`); False for a null."""
    # to_pylist, not fill_null or to_numpy: either raises a process's peak memory (bench/RESULTS.md)
    return [found is False for found in pc.match_substring_regex(texts, TEXT_SUSPECTS).to_pylist()]


def _integrity_rules(record: dict[str, Any]) -> list[Finding]:
    """Derived fields must agree with what they are derived from (a hand-edited package may not)."""
    found: list[Finding] = []
    text = record.get("text")
    if not isinstance(text, str):
        return found
    if record.get("char_count") != len(text):
        found.append(("/char_count", rules.CHAR_COUNT, f"char_count should be {len(text)}"))
    provenance = record.get("provenance") or {}
    raw_path, member = provenance.get("raw_path"), provenance.get("member")
    if isinstance(member, str) and isinstance(raw_path, str):
        raw_path = f"{raw_path}{SEPARATOR}{member}"  # an item of a container: its virtual path
    if isinstance(raw_path, str) and record.get("id") != record_id(record.get("url"), raw_path):
        found.append(("/id", rules.RECORD_ID, "id does not match url (or raw path)"))
    return found


def _decoding_rules(record: dict[str, Any], han_share: tuple[int, int, int], clean: bool = False) -> list[Finding]:
    """Text that was decoded with the wrong encoding must not be published. ``han_share``: (Han
    characters, letters) at the start of a zh text (see :func:`_han_sample`); other languages are
    checked for mojibake (UTF-8 read as Latin-1 or cp1252: "CafÃ©") by ftfy's detector. Beyond
    U+FFFD, only a text's start is read: mis-decoding garbles a whole file."""
    found = []
    chinese = _is_chinese(record)
    for key in ("title", "text"):
        value = record.get(key)
        if not isinstance(value, str):
            continue
        suspect = not (clean and key == "text")  # a clean text has neither U+FFFD nor a control character
        if suspect and "\ufffd" in value:
            message = f"{key} contains U+FFFD replacement characters: the bytes were not decoded cleanly"
            found.append((f"/{key}", rules.TEXT_ENCODING, message))
        elif suspect and (control := CONTROL.search(value, 0, HAN_SAMPLE_CHARS)):
            message = f"{key} contains the control character U+{ord(control[0]):04X}: not decoded cleanly"
            found.append((f"/{key}", rules.TEXT_ENCODING, message))
        elif not chinese and (mojibake := _mojibake(value[:HAN_SAMPLE_CHARS])):
            message = f"{key} looks mis-decoded ({mojibake!r}: UTF-8 read in another encoding)"
            found.append((f"/{key}", rules.TEXT_ENCODING, message))
    han, accented, ascii_letters = han_share
    letters = han + accented + ascii_letters
    # a Chinese post about code holds many ASCII letters; mojibake turns Han into accented ones
    if letters and (han < MIN_HAN_SHARE * (han + accented) or han < MIN_CHINESE_SHARE * letters):
        message = f"only {han / letters:.0%} of the letters are Chinese characters: mis-decoded or not Chinese?"
        found.append(("/text", rules.TEXT_ENCODING, message))
    return found


def _mojibake(sample: str) -> str | None:
    """The first stretch of ``sample`` that ftfy takes for mojibake, or None."""
    if not ftfy.badness.is_bad(sample):
        return None
    match = ftfy.badness.BADNESS_RE.search(sample)
    return sample[max(0, match.start() - 10) : match.end() + 10] if match else sample[:30]


def _is_chinese(record: dict[str, Any]) -> bool:
    language = record.get("language")
    return isinstance(language, str) and (language == "zh" or language.startswith("zh-"))


def _han_sample(record: dict[str, Any]) -> str:
    """The start of a zh text, where the Han share is measured (mis-decoding garbles a whole file:
    its start tells); "" for any other record."""
    text = record.get("text")
    if isinstance(text, str) and _is_chinese(record):
        return text[:HAN_SAMPLE_CHARS]
    return ""


def _han_and_letters(sample: str) -> tuple[int, int, int]:
    """How many of the sample's characters are Han, other letters of :data:`OTHER_LETTER_RANGES`,
    and ASCII letters."""
    if not sample:
        return 0, 0, 0
    counts = np.bincount(_script_table()[code_points(sample)], minlength=4)
    return int(counts[HAN_CLASS]), int(counts[OTHER_LETTER_CLASS]), int(counts[ASCII_LETTER_CLASS])


def _han_and_letters_each(samples: list[str]) -> list[tuple[int, int, int]]:
    """:func:`_han_and_letters` of every sample: the non-empty ones classified as one array and
    summed a sample at a time (per sample, numpy's fixed costs outweighed the counting)."""
    counted = [index for index, sample in enumerate(samples) if sample]
    shares = [(0, 0, 0)] * len(samples)
    if not counted:
        return shares
    classes = _script_table()[code_points("".join(samples))]  # the empty samples add nothing
    starts = np.cumsum([0] + [len(samples[index]) for index in counted[:-1]])
    han, accented, ascii_letters = (
        np.add.reduceat(classes == kind, starts, dtype=np.int64).tolist()
        for kind in (HAN_CLASS, OTHER_LETTER_CLASS, ASCII_LETTER_CLASS)
    )
    for index, han_count, accented_count, ascii_count in zip(counted, han, accented, ascii_letters, strict=True):
        shares[index] = (han_count, accented_count, ascii_count)
    return shares


HAN_CLASS, OTHER_LETTER_CLASS, ASCII_LETTER_CLASS = 1, 2, 3


@functools.cache
def _script_table() -> npt.NDArray[np.uint8]:
    """Every code point's class: 1 Han, 2 another letter of :data:`OTHER_LETTER_RANGES`, 3 an ASCII
    letter, 0 anything else."""
    table = np.zeros(sys.maxunicode + 1, dtype=np.uint8)
    for first, last in HAN_RANGES:
        table[first : last + 1] = HAN_CLASS
    for first, last in OTHER_LETTER_RANGES:
        table[first : last + 1] = OTHER_LETTER_CLASS
    for first, last in ASCII_LETTER_RANGES:
        table[first : last + 1] = ASCII_LETTER_CLASS
    return table


def _near(match: re.Match[str], published: datetime) -> bool:
    """Whether the date in ``match`` (year, month, day) lies within a day of ``published``: noon
    of that day, in published's time zone, at most 36 hours away."""
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if (year, month, day) == (published.year, published.month, published.day):
        return True  # the usual case, settled without building dates
    try:
        noon = datetime(year, month, day, 12, tzinfo=published.tzinfo)
    except ValueError:
        return False
    return abs(noon - published) <= DATE_TOLERANCE + timedelta(hours=12)


def modified_before_published(record: Mapping[str, Any]) -> bool:
    published, modified = _moment(record.get("published_at")), _moment(record.get("modified_at"))
    return published is not None and modified is not None and modified < published


def order_message(record: Mapping[str, Any]) -> str:
    return f"modified_at {record.get('modified_at')} is earlier than published_at {record.get('published_at')}"


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _issue(file: str, rid: str, line: int, error: Any) -> Issue:
    path: list[str | int] = list(error.instance_path)
    keyword = str(error.schema_path[-1]) if error.schema_path else "schema"
    if keyword == "required":
        missing = re.match(r'"((?:[^"\\]|\\.)*)"', error.message)
        name = missing[1] if missing else ""
        path.append(name)
        message = f"{name} is missing: the file has none and no sidecar supplies it"
    else:
        message = error.message
    pointer = json_pointer(path)
    rule = RULE_NAMES.get((pointer, keyword)) or rules.SCHEMA.named(keyword)
    return rule.issue(file, message, rid, pointer, line)
