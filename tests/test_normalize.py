"""normalize: dates to RFC 3339, line cleanup and canonical URLs."""

from __future__ import annotations

import re
import unicodedata
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from newspkg.normalize import canonical_url, clean_line, to_rfc3339
from newspkg.records import word_characters

SHANGHAI = ZoneInfo("Asia/Shanghai")


# -- to_rfc3339 ---------------------------------------------------------------------------------


def test_compact_offset_gets_a_colon() -> None:
    """A Jekyll date with "+0800" becomes RFC 3339 with "T" and "+08:00"."""
    assert to_rfc3339("2022-02-26 05:47:34 +0800", SHANGHAI) == "2022-02-26T05:47:34+08:00"


def test_naive_time_is_read_in_the_source_zone() -> None:
    """A time without an offset gets the source's zone: Asia/Shanghai → +08:00."""
    assert to_rfc3339("2022-12-09 10:03:42", SHANGHAI) == "2022-12-09T10:03:42+08:00"


def test_naive_time_in_another_zone_gets_that_zone() -> None:
    """The zone is the source's, not a hard-wired +08:00."""
    assert to_rfc3339("2022-07-01 12:00:00", ZoneInfo("Europe/Berlin")) == "2022-07-01T12:00:00+02:00"


def test_z_suffix_is_utc() -> None:
    """ "Z" keeps the moment in UTC; the zone of the source does not apply."""
    assert to_rfc3339("2022-02-26T05:47:34Z", SHANGHAI) in {"2022-02-26T05:47:34Z", "2022-02-26T05:47:34+00:00"}


def test_chinese_date_form() -> None:
    """ "2022年2月26日 05:47" becomes a zero-padded RFC 3339 time with seconds."""
    assert to_rfc3339("2022年2月26日 05:47", SHANGHAI) == "2022-02-26T05:47:00+08:00"


def test_chinese_date_without_time_is_midnight() -> None:
    """A date alone ("2022年2月26日") is midnight in the source's zone."""
    assert to_rfc3339("2022年2月26日", SHANGHAI) == "2022-02-26T00:00:00+08:00"


def test_fractional_seconds_are_kept() -> None:
    """Fractions of a second survive (as microseconds)."""
    assert to_rfc3339("2022-02-26 05:47:34.25+08:00", SHANGHAI) == "2022-02-26T05:47:34.250000+08:00"


def test_china_daylight_saving_time_1988() -> None:
    """China had DST 1986–1991: a naive 1988-07-01 12:00 in Asia/Shanghai is +09:00."""
    assert to_rfc3339("1988-07-01 12:00", SHANGHAI) == "1988-07-01T12:00:00+09:00"


def test_impossible_date_is_returned_unchanged() -> None:
    """ "2022-02-30 10:00:00" is not a date: it comes back as written, for validation to report."""
    assert to_rfc3339("2022-02-30 10:00:00", SHANGHAI) == "2022-02-30 10:00:00"


def test_text_that_is_no_date_is_returned_unchanged() -> None:
    """Free text is not guessed at: it comes back trimmed."""
    assert to_rfc3339("  上周五  ", SHANGHAI) == "上周五"


# -- clean_line ---------------------------------------------------------------------------------


def test_clean_line_removes_zero_width_characters() -> None:
    """Zero-width space, joiners, word joiner, BOM and soft hyphen are dropped."""
    assert clean_line("新\u200b闻\u200c报\u200d道\u2060！\ufeff\u00ad") == "新闻报道！"


def test_clean_line_folds_ideographic_and_no_break_spaces() -> None:
    """U+3000 and U+00A0 become one ordinary space; runs fold to one; ends are trimmed."""
    assert clean_line("\u3000\u3000第一段\u3000\u00a0 正文\u00a0") == "第一段 正文"


def test_clean_line_unescapes_entities() -> None:
    """HTML entities in text dumps are decoded: &amp; → &."""
    assert clean_line("R&amp;D &lt;中心&gt;") == "R&D <中心>"


def test_clean_line_is_nfc() -> None:
    """Decomposed characters are composed (NFC)."""
    cleaned = clean_line("Cafe\u0301")
    assert cleaned == "Caf\u00e9"
    assert unicodedata.is_normalized("NFC", cleaned)


# -- canonical_url ------------------------------------------------------------------------------


def test_canonical_url_lower_cases_the_host() -> None:
    """Scheme and host are lower-cased; the path keeps its case."""
    assert canonical_url("HTTP://WWW.ShanxiDayuan.COM/Gsyl/5311.html") == "http://www.shanxidayuan.com/Gsyl/5311.html"


def test_canonical_url_drops_the_fragment() -> None:
    """The fragment is not part of the article's address."""
    assert canonical_url("http://example.com/a.html?x=1#comments") == "http://example.com/a.html?x=1"


def test_canonical_url_percent_encodes_an_iri_path() -> None:
    """Chinese characters in the path are percent-encoded as UTF-8."""
    assert canonical_url("http://example.com/新闻/1.html") == "http://example.com/%E6%96%B0%E9%97%BB/1.html"


def test_protocol_relative_url_without_base_gets_https() -> None:
    """ "//x.com/a" with no base resolves to https."""
    assert canonical_url("//x.com/a") == "https://x.com/a"


def test_protocol_relative_url_takes_the_base_scheme() -> None:
    """ "//x.com/a" with an http base resolves to http, on its own host."""
    assert canonical_url("//x.com/a", "http://finews.withounder.com/") == "http://x.com/a"


def test_unparseable_url_is_returned_trimmed() -> None:
    """A URL that does not parse comes back as written (trimmed), for validation to report."""
    assert canonical_url(" http://exa mple.com ") == "http://exa mple.com"


# -- word_characters (the fingerprint's input) ----------------------------------------------------


@settings(max_examples=2000, derandomize=True)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=("Cs",))))
def test_word_characters_are_what_the_regex_keeps(text: str) -> None:
    """The array filter keeps exactly what ``re.sub(r"[\\W_]+", "", text)`` keeps, for any text."""
    assert word_characters(text) == re.sub(r"[\W_]+", "", text)


def test_word_characters_of_chinese_text() -> None:
    text = "全媒体记者 王大鹏：A股_2022年，涨了 3.5%！\n\n𠀋字"
    assert word_characters(text) == "全媒体记者王大鹏A股2022年涨了35𠀋字"
