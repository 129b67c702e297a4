"""The body of a saved page: closing notices cut, the recall fallback when the precise extraction
misses the article, tables kept when they are the article."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import trafilatura

from test_html import TEXT, record_of
from test_html import convert as convert_pages

ARTICLE = [
    "The harbour handled more freight this spring than in any spring before, the port authority said on Monday.",
    "Container lines added calls at the new terminal, and grain exports rose by a fifth on the same months of 2023.",
    "The authority expects the growth to hold next year, when the second berth of the terminal opens to ships.",
]
EN_SOURCE = 'adapter = "html"\nlanguage = "en"\ntimezone = "UTC"\n'


def page(paragraphs: list[str], after: str = "", title: str = "Harbour freight at a record") -> bytes:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f"<html><head><title>{title}</title>"
        '<meta property="article:published_time" content="2024-05-13T08:30:00+00:00"></head>'
        f'<body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>{body}{after}</article></body></html>'
    ).encode()


def record(tmp_path: Path, data: bytes, source: str = EN_SOURCE) -> dict[str, Any]:
    return record_of(convert_pages(tmp_path, {"a.html": data}, source=source)["a.html"])


@pytest.mark.parametrize(
    "notice",
    [
        "™ &amp; © 2013 Cable News Network, Inc., a Time Warner Company. All rights reserved.",
        "El contenido de los comentarios es la opinión de los usuarios o internautas, no de este diario.",
        "Alle Rechte vorbehalten. Vervielfältigung nur mit Genehmigung.",
        "この記事は会員限定です。電子版に登録すると続きをお読みいただけます。",
        "39健康网(www.39.net)专稿，未经书面授权请勿转载。",
    ],
)
def test_a_closing_notice_is_cut_in_any_language(tmp_path: Path, notice: str) -> None:
    """A copyright, comment-policy or paywall notice after the article, and the furniture after it, are
    not the article's text."""
    found = record(tmp_path, page([*ARTICLE, notice, "Share"]))
    assert found["text"].split("\n\n") == ARTICLE


def test_a_closing_notice_goes_with_the_headlines_after_it(tmp_path: Path) -> None:
    """What follows a closing notice without a sentence of its own (a menu, a list of headlines) goes
    with it."""
    notice = "网友评论仅供其表达个人看法，并不表明网易立场。"
    after = [notice, "热点新闻", "港口罢工两周后结束 新航线六月开通", "渡轮新线路下月开通"]
    source = 'adapter = "html"\nlanguage = "zh-Hans"\ntimezone = "Asia/Shanghai"\n'
    found = record(tmp_path, page([*TEXT, *after], title="港口吞吐量创新高"), source)
    assert found["text"].split("\n\n") == TEXT


def test_a_notice_inside_the_article_is_kept(tmp_path: Path) -> None:
    """Only closing notices go: the same words before the article's last paragraph stay."""
    paragraphs = [ARTICLE[0], "Its copyright notice says all rights reserved.", *ARTICLE[1:]]
    assert record(tmp_path, page(paragraphs))["text"].split("\n\n") == paragraphs


def test_a_byline_before_a_closing_notice_still_names_the_author(tmp_path: Path) -> None:
    """Cutting the notice leaves the byline at the body's end, where it is read as the author."""
    source = 'adapter = "html"\nlanguage = "zh-Hans"\ntimezone = "Asia/Shanghai"\n'
    found = record(tmp_path, page([*TEXT, "文/栗思", "未经书面授权请勿转载。"], title="港口吞吐量创新高"), source)
    assert found["text"].split("\n\n") == TEXT
    assert found["authors"] == ["栗思"]


def fake_extract(precise: str, recall: str, with_tables: str = "") -> Any:
    """trafilatura's extract as it answers on a page where the precise extraction misses the article."""

    def extract(tree: Any, **options: Any) -> str:
        if options.get("favor_recall"):
            return recall
        return with_tables if options.get("include_tables") and with_tables else precise

    return extract


def test_when_the_precise_extraction_is_a_notice_the_recall_one_is_used(tmp_path: Path, monkeypatch: Any) -> None:
    """A precise extraction that holds only a reprint notice gives way to the recall extraction, without
    the comments the recall extraction finds after the article's closing notice."""
    notice = "Reprinted with permission. All rights reserved by the original publisher of this report."
    recall = "\n".join([*ARTICLE, notice, "Great article, thanks for sharing this with us!", "First!"])
    monkeypatch.setattr(trafilatura, "extract", fake_extract(notice, recall))
    assert record(tmp_path, page(ARTICLE))["text"].split("\n\n") == ARTICLE


def test_when_the_precise_extraction_is_a_small_part_of_the_page_the_recall_one_is_used(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A precise extraction holding one paragraph of a page of many gives way to the recall extraction."""
    paragraphs = ARTICLE * 4
    monkeypatch.setattr(trafilatura, "extract", fake_extract(ARTICLE[0], "\n".join(paragraphs)))
    assert record(tmp_path, page(paragraphs))["text"].split("\n\n") == paragraphs


def test_when_the_precise_extraction_holds_the_page_no_fallback_replaces_it(tmp_path: Path, monkeypatch: Any) -> None:
    """A recall extraction that finds more than the article (here, comments) is not used when the
    precise extraction holds the page's running text."""
    recall = "\n".join([*ARTICLE, *(f"Comment {n}: I read this twice and still disagree with it." for n in range(20))])
    monkeypatch.setattr(trafilatura, "extract", fake_extract("\n".join(ARTICLE), recall))
    assert record(tmp_path, page(ARTICLE))["text"].split("\n\n") == ARTICLE


RAINFALL = "".join(f"<tr><td>Station {n}</td><td>{10 + n} mm</td><td>{20 + n} °C</td></tr>" for n in range(30))


def test_a_table_that_is_the_article_is_kept(tmp_path: Path) -> None:
    """A page whose article is a data table keeps its rows, without the rule under its header row."""
    table = f"<table><tr><th>Station</th><th>Rain</th><th>Temperature</th></tr>{RAINFALL}</table>"
    intro = "The weather service published the day's readings for every station of the region."
    text = record(tmp_path, page([intro], after=table, title="Rainfall by station"))["text"]
    assert text.startswith(intro)
    assert "| Station 29 | 39 mm | 49 °C |" in text.split("\n\n")
    assert "---" not in text


def test_a_table_beside_the_article_is_left_out(tmp_path: Path) -> None:
    """A small table next to a long article (a ticker, a box of figures) is not the article."""
    table = "<table><tr><td>Freight</td><td>+12%</td></tr><tr><td>Grain</td><td>+20%</td></tr></table>"
    text = record(tmp_path, page(ARTICLE * 3, after=table))["text"]
    assert text.split("\n\n") == ARTICLE * 3
