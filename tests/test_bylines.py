"""bylines: roles stripped, names written together split by surname, sentences told apart."""

from __future__ import annotations

import pytest

from newspkg.bylines import SIGNED, byline_names, is_byline, labelled_names, split_joined_names
from newspkg.people import person_names


def test_two_joined_names_are_split() -> None:
    """ "许祥波唐娜" is two names: 许祥波 and 唐娜."""
    assert split_joined_names("许祥波唐娜") == ["许祥波", "唐娜"]


def test_ambiguous_joined_names_stay_whole() -> None:
    """ "陈晓王林红" splits two ways (陈晓|王林红, 陈晓王|林红): it is not guessed at."""
    assert split_joined_names("陈晓王林红") == ["陈晓王林红"]


def test_name_without_a_known_second_surname_stays_whole() -> None:
    """ "欧阳娜娜" has no split into two surname-led names: it stays one name."""
    assert split_joined_names("欧阳娜娜") == ["欧阳娜娜"]


def test_single_three_character_name_stays_whole() -> None:
    """A three-character name is never split."""
    assert split_joined_names("王大鹏") == ["王大鹏"]


def test_byline_names_strip_the_role() -> None:
    """ "通讯员许祥波唐娜" gives the two names without the role."""
    assert byline_names("通讯员许祥波唐娜") == ["许祥波", "唐娜"]


def test_role_and_name_is_a_byline() -> None:
    """ "全媒体记者王大鹏" is a byline."""
    assert is_byline("全媒体记者王大鹏")


def test_sentence_starting_with_a_role_is_not_a_byline() -> None:
    """A sentence ending in 。 is body text even when it starts with 记者."""
    assert not is_byline("记者从市国资委获悉，今年全市国企营收增长。")


@pytest.mark.parametrize(
    ("paragraph", "names"),
    [
        ("扬子晚报记者 张楠", ["张楠"]),  # the outlet before the role
        ("新华社记者邹多为、唐诗凝、丁乐", ["邹多为", "唐诗凝", "丁乐"]),
        ("采写：南都见习记者 林子沛", ["林子沛"]),  # a label first
        ("（总台央视记者 奚丹霓 张赛）", ["奚丹霓", "张赛"]),
        ("文丨政能亮特约评论员 韩涵", ["韩涵"]),
        ("□ 本报记者 葛灵丹", ["葛灵丹"]),  # a mark before it
        ("整合 新华日报·交汇点记者 徐睿翔", ["徐睿翔"]),  # a label, an outlet with its app
        ("顶端新闻·河南商报记者马俊峰/文受访者供图", ["马俊峰"]),  # a photo credit after the name
    ],
)
def test_a_byline_opening_or_closing_the_body_names_its_reporters(paragraph: str, names: list[str]) -> None:
    assert is_byline(paragraph)
    assert byline_names(paragraph) == names


def test_a_role_followed_by_no_name_is_no_byline() -> None:
    assert not is_byline("据新华社记者报道")


@pytest.mark.parametrize("signature", ["By", "Reported by", "Verfasst von", "Ein Artikel von", "Publicado por", "Vom"])
def test_a_signature_opens_a_byline_wherever_it_is_read(signature: str) -> None:
    """One vocabulary signs a byline: the line under a headline, a name's prefix, a paragraph of its own."""
    byline = f"{signature} Claudia Lindner"
    assert SIGNED.match(byline)
    assert person_names([byline]) == ["Claudia Lindner"]
    assert labelled_names(byline) == "Claudia Lindner"
