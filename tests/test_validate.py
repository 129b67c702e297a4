"""validate.RecordChecker: the JSON Schema with formats on, then the semantic rules.

Records are a real finews record (seed 000 converted) with one field changed; derived fields (id,
char_count, fingerprint) are recomputed so that only the change under test is wrong.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newspkg.config import Project
from newspkg.convert import Converter
from newspkg.discover import discover
from newspkg.issues import Issue
from newspkg.markers import BOILERPLATE
from newspkg.records import fingerprint, record_id
from newspkg.schema import SchemaSet
from newspkg.validate import (
    CONTROL,
    MARKUP,
    RecordChecker,
    _han_and_letters,
    _han_and_letters_each,
    _near,
    clean_texts,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SEED = "raw/finews/000_7002e876ea497e3f.txt"


@pytest.fixture(scope="module")
def seed_record(repo_project: Project, schemas: SchemaSet) -> dict[str, Any]:
    (raw,) = discover(repo_project, {SEED})
    outcome = Converter(repo_project, schemas, NOW).convert(raw)
    assert outcome.accepted
    assert outcome.record is not None
    return outcome.record


@pytest.fixture
def record(seed_record: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(seed_record)


def with_url(record: dict[str, Any], url: str | None) -> dict[str, Any]:
    record["url"] = url
    record["id"] = record_id(url, record["provenance"]["raw_path"])
    return record


def with_text(record: dict[str, Any], text: str) -> dict[str, Any]:
    record["text"] = text
    record["char_count"] = len(text)
    record["fingerprint"] = fingerprint(text)
    return record


def check(checker: RecordChecker, record: dict[str, Any]) -> list[Issue]:
    return checker.check(record, record["provenance"]["raw_path"])


def found(issues: list[Issue]) -> set[tuple[str, str, str]]:
    return {(issue.rule, issue.pointer, str(issue.severity)) for issue in issues}


def test_seed_record_is_clean(checker: RecordChecker, record: dict[str, Any]) -> None:
    """The unmodified seed record has no issue at all (the baseline every other test changes)."""
    assert check(checker, record) == []


def test_published_at_that_is_not_a_date_is_an_error(checker: RecordChecker, record: dict[str, Any]) -> None:
    """published_at "not-a-date" fails the date-time format."""
    record["published_at"] = "not-a-date"
    assert ("schema:format", "/published_at", "error") in found(check(checker, record))


def test_date_time_format_is_checked_beyond_the_pattern(checker: RecordChecker, record: dict[str, Any]) -> None:
    """2022-02-30 matches the pattern but is no date: only a real format check catches it."""
    record["published_at"] = "2022-02-30T10:00:00+08:00"
    assert ("schema:format", "/published_at", "error") in found(check(checker, record))


def test_url_with_a_space_is_a_format_error(checker: RecordChecker, record: dict[str, Any]) -> None:
    """ "http://exa mple.com" starts like a URL but is none: the uri format check rejects it."""
    with_url(record, "http://exa mple.com")
    assert ("url:format", "/url", "error") in found(check(checker, record))


def test_future_date_is_an_error(checker: RecordChecker, record: dict[str, Any]) -> None:
    """published_at after the checker's "now" is date:future."""
    record["published_at"] = "2026-06-01T00:00:00+08:00"
    assert ("date:future", "/published_at", "error") in found(check(checker, record))


def test_date_before_1990_is_an_error(checker: RecordChecker, record: dict[str, Any]) -> None:
    """published_at before 1990-01-01 is date:too-early."""
    record["published_at"] = "1989-12-31T00:00:00+08:00"
    assert ("date:too-early", "/published_at", "error") in found(check(checker, record))


def test_modified_before_published_is_a_warning(checker: RecordChecker, record: dict[str, Any]) -> None:
    """modified_at earlier than published_at is date:order: the site's inconsistency, never a lost article."""
    record["modified_at"] = "2022-02-25T00:00:00+08:00"
    assert found(check(checker, record)) == {("date:order", "/modified_at", "warning")}


def test_url_date_mismatch_is_a_warning(checker: RecordChecker, record: dict[str, Any]) -> None:
    """infoCode=NW20220101… with published_at 2022-02-26 is date:url-mismatch, a warning only."""
    with_url(record, "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202201012290179330")
    assert found(check(checker, record)) == {("date:url-mismatch", "/published_at", "warning")}


def test_file_name_date_mismatch_is_a_warning(checker: RecordChecker, record: dict[str, Any]) -> None:
    """A Jekyll-style file name dated 2021-01-05 with published_at 2022-02-26 is date:filename-mismatch."""
    record["provenance"]["raw_path"] = "raw/finews/2021-01-05-post.md"
    assert found(check(checker, record)) == {("date:filename-mismatch", "/published_at", "warning")}


def test_boilerplate_in_text_is_a_warning(checker: RecordChecker, record: dict[str, Any]) -> None:
    """A copyright notice left in the text is text:boilerplate, a warning."""
    with_text(record, record["text"] + "\n\n版权声明：本站文章未经许可，不得转载。")
    assert found(check(checker, record)) == {("text:boilerplate", "/text", "warning")}


def test_missing_title_is_reported_as_required(checker: RecordChecker, record: dict[str, Any]) -> None:
    """A null title is reported as schema:required at /title (not as a type error)."""
    record["title"] = None
    issues = found(check(checker, record))
    assert ("schema:required", "/title", "error") in issues
    assert not any(pointer == "/title" and rule == "schema:type" for rule, pointer, _ in issues)


def test_missing_title_is_the_only_error_for_an_extension_source(
    checker: RecordChecker, record: dict[str, Any]
) -> None:
    """A finews record missing its title has exactly one error: schema:required /title."""
    record["title"] = None
    errors = {issue for issue in found(check(checker, record)) if issue[2] == "error"}
    assert errors == {("schema:required", "/title", "error")}


def test_javascript_url_is_a_scheme_error(checker: RecordChecker, record: dict[str, Any]) -> None:
    """A javascript: URL is not http(s): url:scheme."""
    with_url(record, "javascript:alert(1)")
    assert ("url:scheme", "/url", "error") in found(check(checker, record))


def test_stale_char_count_is_an_error(checker: RecordChecker, record: dict[str, Any]) -> None:
    """A char_count that does not match the text is record:char-count."""
    record["char_count"] += 1
    assert found(check(checker, record)) == {("record:char-count", "/char_count", "error")}


def test_stale_id_is_an_error(checker: RecordChecker, record: dict[str, Any]) -> None:
    """Changing the URL without recomputing the id is record:id."""
    record["url"] = "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202202260000000000"
    assert found(check(checker, record)) == {("record:id", "/id", "error")}


def test_checking_many_records_at_once_finds_what_checking_each_finds(
    checker: RecordChecker, record: dict[str, Any]
) -> None:
    """check_each (the Han share of every zh text counted in one pass) gives every record the issues
    check gives it: clean, mis-decoded, empty and non-Chinese texts mixed in one batch."""
    mojibake = record["text"].encode("utf-8").decode("latin-1")
    variants = [
        copy.deepcopy(record),
        with_text(copy.deepcopy(record), mojibake),
        with_text(copy.deepcopy(record), ""),
        with_text(copy.deepcopy(record), "abcdefghijklmnopqrstuvwxyz 𠀀𠀁 def"),  # astral Han: one code point each
        {**copy.deepcopy(record), "language": "en"},
        with_text(copy.deepcopy(record), mojibake[:7] + record["text"]),
    ]
    one_by_one = [check(checker, variant) for variant in variants]
    assert checker.check_each(variants, SEED, [0] * len(variants)) == one_by_one
    assert [found(issues) for issues in one_by_one[:4]] == [
        set(),
        {("text:encoding", "/text", "error")},
        {("schema:minLength", "/text", "error"), ("schema:minimum", "/char_count", "error")},
        {("text:encoding", "/text", "error")},
    ]


@given(
    day=st.dates(min_value=date(1990, 1, 3), max_value=date(2030, 12, 29)),
    shift=st.integers(min_value=-3, max_value=3),
    seconds=st.integers(min_value=0, max_value=86399),
    offset_minutes=st.integers(min_value=-1439, max_value=1439),
)
def test_a_date_in_a_url_is_near_exactly_as_defined(day: date, shift: int, seconds: int, offset_minutes: int) -> None:
    """_near's shortcut (same calendar day) agrees with its definition: noon of the URL's day, in
    published's time zone, at most 36 hours from published."""
    zone = timezone(timedelta(minutes=offset_minutes))
    published = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(seconds=seconds)
    url_day = day + timedelta(days=shift)
    match = re.search(r"(\d{4})(\d{2})(\d{2})", url_day.strftime("%Y%m%d"))
    assert match is not None
    noon = datetime(url_day.year, url_day.month, url_day.day, 12, tzinfo=zone)
    assert _near(match, published) == (abs(noon - published) <= timedelta(hours=36))


@given(st.lists(st.text(max_size=40), max_size=8))
def test_han_counts_of_many_samples_are_those_of_each(samples: list[str]) -> None:
    """Counting every sample in one array gives each sample the counts it has alone."""
    assert _han_and_letters_each(samples) == [_han_and_letters(sample) for sample in samples]


@pytest.mark.parametrize(
    ("text", "markup"),
    [
        ("Call it as Pair<A, B> or List<Map<String, A>>.", False),  # code in a post is text
        ('Read <a href="https://example.org">more</a>.', True),
        ("One<br/>two", True),
        ('<div class="share">Share</div>', True),
    ],
)
def test_markup_is_a_tag_as_html_writes_it(
    checker: RecordChecker, record: dict[str, Any], text: str, markup: bool
) -> None:
    record["text"] = f"{record['text']}\n\n{text}"
    record["char_count"], record["fingerprint"] = len(record["text"]), fingerprint(record["text"])
    assert (("text:markup", "/text", "error") in found(check(checker, record))) is markup


SUSPECT_TEXTS = [
    "<div class='x'>正文",
    "正文<BR/>",
    "<ſcript>x</ſcript>",  # Python's case-insensitive match folds ſ to s
    "正文\n\n版权声明：本站所有",
    "未经许可，不得转载",
    "Copyright\u3000© 2020",  # Python's \s is Unicode whitespace, RE2's is ASCII
    "Copyright\x1c©",
    "\x07正文",
    "正文\x85",
    "正文\ufffd",
    "返回首页",
]


def test_texts_the_prefilter_passes_skip_no_finding(checker: RecordChecker, record: dict[str, Any]) -> None:
    """A text RE2 calls clean (check_each then skips its markup, boilerplate, U+FFFD and control
    character searches) gets the issues a full check gives it; every text with such a hit is
    suspect, and the plain seed text is clean."""
    variants = [copy.deepcopy(record)] + [with_text(copy.deepcopy(record), text) for text in SUSPECT_TEXTS]
    clean = clean_texts(pa.array([variant["text"] for variant in variants]))
    assert clean == [True] + [False] * len(SUSPECT_TEXTS)
    one_by_one = [check(checker, variant) for variant in variants]
    assert checker.check_each(variants, SEED, [0] * len(variants), clean) == one_by_one
    assert all(issues for issues in one_by_one[1:])


@given(
    st.lists(
        st.sampled_from(
            ["<", "p", "ſ", "S", "版权声明", "ICP", "备", "Copyright", "©", "\u3000", "\x85", "\x1f", "\ufffd"]
        )
        | st.text(max_size=5),
        max_size=12,
    )
)
def test_a_clean_text_has_nothing_the_searches_find(parts: list[str]) -> None:
    """RE2's prefilter matches every text in which Python's searches would find something."""
    text = "".join(parts)
    if clean_texts(pa.array([text])) == [True]:
        assert not MARKUP.search(text)
        assert not BOILERPLATE.search(text)
        assert not CONTROL.search(text)
        assert "\ufffd" not in text


def test_a_chinese_post_about_code_is_no_mis_decoded_text(checker: RecordChecker, record: dict[str, Any]) -> None:
    """ASCII letters of code do not make a zh text mis-decoded; accented letters of mojibake do."""
    sentence, code = (
        "这个函数在指定的秒数之后调用另一个函数。",
        "def later(function, seconds): return Timer(seconds, function) ",
    )
    about_code = sentence * 3 + code * 2  # a third of its letters Han
    mojibake = about_code.encode("utf-8").decode("latin-1")
    found_in = [found(check(checker, with_text(copy.deepcopy(record), text))) for text in (about_code, mojibake)]
    assert found_in == [set(), {("text:encoding", "/text", "error")}]
