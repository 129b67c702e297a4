"""Golden records: each seed in raw/ converts to exactly the reviewed record (or reject) in fixtures/golden/.

Run ``pytest tests/test_golden.py --update-golden`` to rewrite the expected files after a deliberate
change, then read the diff: every change to a golden record must be explained by the change made.
Besides the golden comparison, the facts a reviewer checked by eye are asserted explicitly below, with
body paragraphs derived from the raw files independently of the adapters.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, REPO
from newspkg.config import SOURCE_FILE, load_project
from newspkg.convert import Converter, Outcome
from newspkg.discover import SIDECAR_SUFFIX, discover
from newspkg.schema import load_schemas

GOLDEN = FIXTURES / "golden"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
RAW_FILES = sorted(
    path
    for path in REPO.glob("raw/*/*")
    if path.is_file() and path.name != SOURCE_FILE and not path.name.endswith(SIDECAR_SUFFIX)
)
# Phrases of page furniture that must never reach a record's text.
BOILERPLATE = (
    "版权声明", "免责声明", "版权所有", "Copyright", "copyright", "未经许可", "不得转载", "本文地址", "本文仅代表",
    "留言与评论", "验证码", "关于山西大院", "山西大院新闻网", "大院网-山西大院资讯网", "返回首页", "返回阳泉日报新闻",
    "返回日照日报新闻", "文章来源", "全媒体记者", "通讯员", "网络编辑", "发布者", "点击数", "发布时间", "更新时间",
    "客服电话", "传真", "邮编", "地址:", "400-833-0505", "服务号", "撩园用户APP", "撩园商户APP", "ICP备",
    "增值电信业务经营许可证", "△", "finews.zning.xyz", "withounder",
)  # fmt: skip
MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|&[a-z]+;|&#\d+;|\]\(|^\s*>", re.M)


@pytest.fixture(scope="module")
def converter() -> Converter:
    return Converter(load_project(REPO), load_schemas(REPO / "schema"), now=NOW)


@pytest.fixture(scope="module")
def outcomes(converter: Converter) -> dict[str, Outcome]:
    """Every seed's outcome, by raw file stem."""
    return {Path(raw.path).stem: converter.convert(raw) for raw in discover(converter.project)}


def as_golden(outcome: Outcome) -> dict[str, Any]:
    return {
        "record": outcome.record,
        "issues": [issue.to_dict() for issue in outcome.issues],
        "acknowledged": outcome.acknowledged,
    }


def record(outcomes: dict[str, Outcome], prefix: str) -> dict[str, Any]:
    (stem,) = [stem for stem in outcomes if stem.startswith(prefix)]
    found = outcomes[stem].record
    assert found is not None, f"seed {stem} produced no record at all"
    return found


def raw_text(prefix: str) -> str:
    (path,) = [path for path in RAW_FILES if path.name.startswith(prefix)]
    return path.read_text(encoding="utf-8")


def paragraphs(rec: dict[str, Any]) -> list[str]:
    return rec["text"].split("\n\n")


# -- golden comparison --------------------------------------------------------------------------


def test_there_are_five_seeds() -> None:
    """raw/ holds the five seed files, one per golden record."""
    assert [path.name[:3] for path in RAW_FILES] == ["000", "004", "001", "003", "002"]


@pytest.mark.parametrize("raw_path", RAW_FILES, ids=[path.stem for path in RAW_FILES])
def test_seed_matches_its_golden_record(raw_path: Path, outcomes: dict[str, Outcome], update_golden: bool) -> None:
    """The seed's record, issues and acknowledgement equal fixtures/golden/<stem>.expected.json."""
    actual = as_golden(outcomes[raw_path.stem])
    expected_path = GOLDEN / f"{raw_path.stem}.expected.json"
    if update_golden:
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        pytest.skip("golden file rewritten: review the diff")
    assert expected_path.is_file(), f"{expected_path} is missing: run pytest --update-golden and review it"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual == expected
    assert list(actual["record"]) == list(expected["record"]), "record keys are out of schema order"


# -- facts checked by eye -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "title", "published_at", "url", "original_publisher"),
    [
        (
            "000",
            "开创集团履行社会责任 彰显国企担当",
            "2022-02-26T05:47:34+08:00",
            "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202202262290179330",
            "阳泉日报",
        ),
        (
            "004",
            "我市国资国企奋战虎年开门红",
            "2022-02-14T08:47:41+08:00",
            "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202202142275117111",
            "日照日报",
        ),
    ],
)
def test_jekyll_seed_metadata(
    outcomes: dict[str, Outcome], prefix: str, title: str, published_at: str, url: str, original_publisher: str
) -> None:
    """A finews post keeps its front-matter title and date (+08:00), its <url> line and its 文章来源."""
    rec = record(outcomes, prefix)
    assert (rec["title"], rec["published_at"], rec["url"], rec["original_publisher"]) == (
        title,
        published_at,
        url,
        original_publisher,
    )
    assert rec["provenance"]["date_source"] == "front-matter"


def test_seed_004_authors_come_from_both_bylines(outcomes: dict[str, Outcome]) -> None:
    """全媒体记者王大鹏 / 通讯员许祥波唐娜 give three names, roles stripped, joined names split."""
    assert record(outcomes, "004")["authors"] == ["王大鹏", "许祥波", "唐娜"]


def test_seed_001_metadata(outcomes: dict[str, Outcome]) -> None:
    """The 山西大院 page gives its title, byline time, 本文地址 URL and the lead photo's caption."""
    rec = record(outcomes, "001")
    assert rec["title"] == "综改区晋中开发区推动党的二十大精神落实见效"
    assert rec["published_at"] == "2022-12-09T10:03:42+08:00"
    assert rec["url"] == "http://www.shanxidayuan.com/gsyl/jinzhong/5311.html"
    assert rec["captions"] == ["吉利汽车甲醇重卡"]


def test_seed_002_has_no_url_and_keeps_its_update_time(outcomes: dict[str, Outcome]) -> None:
    """The 株洲高科 page has no URL; 更新时间 becomes modified_at and 发布时间 published_at."""
    rec = record(outcomes, "002")
    assert rec["url"] is None
    assert rec["published_at"] == "2019-04-30T11:43:36+08:00"
    assert rec["modified_at"] == "2019-05-10T12:08:43+08:00"


def test_seed_002_captions_are_the_triangle_lines(outcomes: dict[str, Outcome]) -> None:
    """Every △ line of the raw file is a caption, in order, without the triangle."""
    expected = [line.strip().lstrip("△").strip() for line in raw_text("002").splitlines() if line.startswith("△")]
    assert len(expected) == 3
    assert record(outcomes, "002")["captions"] == expected


def test_seed_003_is_an_acknowledged_reject_for_exactly_its_missing_facts(outcomes: dict[str, Outcome]) -> None:
    """No title, date or URL: two required errors and a missing-URL warning, acknowledged with a reason."""
    (stem,) = [stem for stem in outcomes if stem.startswith("003")]
    outcome = outcomes[stem]
    assert not outcome.accepted
    found = sorted((issue.rule, issue.pointer, str(issue.severity)) for issue in outcome.issues)
    assert found == [
        ("schema:required", "/published_at", "error"),
        ("schema:required", "/title", "error"),
        ("url:missing", "/url", "warning"),
    ]
    assert outcome.acknowledged
    assert outcome.acknowledged.strip()


@pytest.mark.parametrize("prefix", ["000", "004", "001", "002"])
def test_other_seeds_are_accepted(outcomes: dict[str, Outcome], prefix: str) -> None:
    """Seeds 000, 001, 002 and 004 become records with no error."""
    (stem,) = [stem for stem in outcomes if stem.startswith(prefix)]
    assert outcomes[stem].accepted, [issue.to_dict() for issue in outcomes[stem].issues]


# -- body text, derived from the raw files independently ----------------------------------------


def jekyll_body(raw: str) -> list[str]:
    """The <p> elements' text, minus bylines and the 文章来源 line."""
    found = [re.sub(r"<[^>]+>", "", p).strip() for p in re.findall(r"<p[^>]*>(.*?)</p>", raw, re.S)]
    return [p for p in found if p and not p.startswith(("（文章来源", "全媒体记者", "通讯员"))]


def lines_between(raw: str, first: str, stop: str) -> list[str]:
    """Non-empty lines after the line ``first`` up to the first line starting with ``stop``."""
    lines = [line.strip() for line in raw.splitlines()]
    start = lines.index(first) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(stop))
    return [line for line in lines[start:end] if line and line != "0"]


def expected_body(prefix: str) -> list[str]:
    raw = raw_text(prefix)
    if prefix in ("000", "004"):
        return jekyll_body(raw)
    if prefix == "001":
        return lines_between(raw, "吉利汽车甲醇重卡", "版权声明")
    if prefix == "002":
        title = "温暖企业,高科在行动:《株洲高科集团有限公司关于推进集团联系片区的实施方案》正式出台"
        return [line for line in lines_between(raw, title, "发布者") if not line.startswith("△")]
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    assert lines[-1].startswith("免责声明")
    return lines[:-1]


@pytest.mark.parametrize("prefix", ["000", "004", "001", "002", "003"])
def test_text_is_exactly_the_body_paragraphs(outcomes: dict[str, Outcome], prefix: str) -> None:
    """The text holds every body paragraph of the raw file, in order, and nothing else."""
    expected = expected_body(prefix)
    assert len(expected) >= 6
    assert paragraphs(record(outcomes, prefix)) == expected


@pytest.mark.parametrize("prefix", ["000", "004", "001", "002", "003"])
def test_text_has_no_boilerplate(outcomes: dict[str, Outcome], prefix: str) -> None:
    """No navigation, byline, copyright, comment-form, 验证码, contact or caption markers in the text."""
    text = record(outcomes, prefix)["text"]
    assert [phrase for phrase in BOILERPLATE if phrase in text] == []


@pytest.mark.parametrize("prefix", ["000", "004", "001", "002", "003"])
def test_text_has_no_markup(outcomes: dict[str, Outcome], prefix: str) -> None:
    """No tags, entities, Markdown links or blockquote markers survive into the text."""
    assert MARKUP.findall(record(outcomes, prefix)["text"]) == []


@pytest.mark.parametrize("prefix", ["001", "002"])
def test_captions_are_not_body_paragraphs(outcomes: dict[str, Outcome], prefix: str) -> None:
    """A caption taken out of the body is not also left in it as a paragraph."""
    rec = record(outcomes, prefix)
    assert rec["captions"]
    assert set(rec["captions"]).isdisjoint(paragraphs(rec))
