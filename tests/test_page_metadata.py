"""What a saved page states about itself, read by the libraries made for it: dates parsed or not
used, JSON-LD however it is wrapped, microdata on any element, authors as person names, and a site's
modified-before-published kept as a warning, never a lost article."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newspkg.adapters.page_authors import AUTHOR
from newspkg.convert import Outcome
from newspkg.dates import language_codes, parse_date
from newspkg.people import person_names
from test_html import convert as convert_pages
from test_html import record_of

ZH_SOURCE = 'adapter = "html"\nlanguage = "zh-Hans"\ntimezone = "Asia/Shanghai"\n'
BODY = (
    "<p>" + "The harbour authority said on Monday that cargo volumes rose by twelve percent this spring. " * 3 + "</p>"
)


def convert(tmp_path: Path, pages: dict[str, bytes]) -> dict[str, Outcome]:
    return convert_pages(tmp_path, pages, source='adapter = "html"\nlanguage = "en"\ntimezone = "Asia/Shanghai"\n')


def page(head: str, body: str = "") -> bytes:
    return f"<html><head>{head}</head><body><h1>Harbour cargo hits a record</h1>{body}{BODY}</body></html>".encode()


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Nov. 19, 2019", "2019-11-19"),
        ("19 Nov 2019 05:44 GMT", "2019-11-19T05:44:00+00:00"),
        ("Tue, 19 Nov 2019 05:44:00 +0000", "2019-11-19T05:44:00+00:00"),
        ("Tue Nov 19 2019 03:05:46 GMT+0000", "2019-11-19T03:05:46+00:00"),
        ("Fri Apr 28 19:20:36 CEST 2023", "2023-04-28T19:20:36+02:00"),
        ("2023-08-30T16:45+0100", "2023-08-30T16:45:00+01:00"),
        ("1. Dezember 2024", "2024-12-01"),
        ("21 Sep 2011 4:35 PM ET", "2011-09-21T16:35:00-04:00"),  # ET in summer is EDT
        ("Jan 3, 2014 1:26 pm ET", "2014-01-03T13:26:00-05:00"),
        ("2024年5月10日06:58", "2024-05-10T06:58:00"),
        ("March 3, 2021 at 7:47 p.m. EST", "2021-03-03T19:47:00-05:00"),
        ("on June 26, 2014 at 9:00p", "2014-06-26T21:00:00"),  # "a" or "p" touching the clock
        ("2018-10-29T10:15-500", "2018-10-29T10:15:00"),  # a broken offset: the time, its zone unknown
    ],
)
def test_dates_in_any_form_become_iso_8601(written: str, expected: str) -> None:
    moment = parse_date(written, language_codes("de"))
    assert moment is not None
    assert moment.text() == expected


@pytest.mark.parametrize("written", ["0001-01-01", "1970-01-01T00:00:00Z", "2094-83-48", "2 hours ago", "07:47 PM EST"])
def test_placeholders_relative_dates_and_non_dates_are_no_dates(written: str) -> None:
    """A relative date has no reference to be read against; a time alone is no date."""
    assert parse_date(written, ("en",)) is None


def test_a_date_after_the_fetch_is_no_date() -> None:
    fetched = datetime(2023, 1, 1, tzinfo=UTC)
    assert parse_date("2024-01-02T10:00:00Z", ("en",), fetched) is None
    assert parse_date("2022-12-31T10:00:00Z", ("en",), fetched) is not None


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Jane Doe and John Roe, AP Auto Writers", ["Jane Doe", "John Roe"]),
        ("Dana A. Ford, James S.A. Corey, and Tom Watkins", ["Dana A. Ford", "James S.A. Corey", "Tom Watkins"]),
        ("Max Mustermann (dpa)", ["Max Mustermann"]),
        ("Von Anna Schmidt und Peter Müller", ["Anna Schmidt", "Peter Müller"]),
        ("Perry Bacon Jr.", ["Perry Bacon Jr."]),
        ("记者 张三 李四", ["张三", "李四"]),
        ("文/许祥波唐娜", ["许祥波", "唐娜"]),
        ("责任编辑：王五", []),
        ("12345678", []),
        ("elmundo.es", []),
        ("Gazette Staff", []),
        ("查看更多", []),
        ("分享到", []),
        ("Username", []),
        ("Foto: JEP", []),
        ("unocero - Alberto Ávila", ["Alberto Ávila"]),
        ("Natasha Daly •", ["Natasha Daly"]),  # marks a page sets beside a name
        ("《Kenji Tanaka", ["Kenji Tanaka"]),
        ("Show more sharing options", []),  # lower-case words: a page's control, no name
        ("Copy Link URL Copied!", []),
        ("Ludwig van Beethoven", ["Ludwig van Beethoven"]),  # a name's particle is lower case
        ("mediagene Inc.", []),  # a company
        ("山东冠县报道", []),
        ("最新动态", []),
        ("Фото: Алексей Меринов", []),  # a photo's credit
        ("Developed By Heba Musa", []),  # the site's maker
        ("Редактор: Елин Димитров", []),  # an editor
        ("Andalucía Información Andalucía Publicado", []),
        ("日本放送協会", []),  # an organisation
        ("스포츠조선=선수민 기자", ["선수민"]),  # outlet=name role
        ("(서울=연합뉴스) 홍길동 기자", ["홍길동"]),
        ("PE\u00adTER CHRISTO\u00adPHER", ["PETER CHRISTOPHER"]),  # soft hyphens: invisible, no letters
        ("José Ortega y Gasset", ["José Ortega y Gasset"]),  # one word after "y": a surname joined
        ("José Volta e Pinto", ["José Volta e Pinto"]),
        ("Ana Silva e João Souza", ["Ana Silva", "João Souza"]),
        ("Eingestellt von Weinlachgummi", ["Weinlachgummi"]),  # Blogger's "Posted by", in German
        ("Interview: Julia Lauter", ["Julia Lauter"]),
        ("© Kathrin Führes", ["Kathrin Führes"]),
        ("Jan Fleischhauer, Kolumnist", ["Jan Fleischhauer"]),  # a role
        ("David Hutzler, dpa", ["David Hutzler"]),  # an agency's initials
        ("AUTO ZEITUNG", []),  # a paper
        ("El Colombiano", []),
        ("Alle Beiträge", []),  # a link's text
        ("Redaccion", []),  # a desk, its accent left out
    ],
)
def test_authors_are_persons(byline: str, names: list[str]) -> None:
    assert person_names([byline], ["unocero"]) == names


@pytest.mark.parametrize(
    "byline",
    [
        "Pagina Facebook",
        "フェースブック",
        "Logo Png",
        "المدينة نيوز",
        "Москвич Mag",
        "PTI",
        "The Local",
        "See All Articles",
        "Send Email",
        "Снимка: Getty Images",
        "Do UOL",  # Portuguese "from UOL"
        "PETA-Team",  # a desk's word after a hyphen
        "Merit Designs Consulting Group",
    ],
)
def test_a_social_network_a_logo_or_an_outlet_is_no_person(byline: str) -> None:
    """A follow link, a logo's alt text, an outlet named in Arabic ("… news") or Russian ("… Mag")."""
    assert person_names([byline]) == []


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        (
            "Martin Untersinger (avec Damien Leloup et Morgane Tual)",
            ["Martin Untersinger", "Damien Leloup", "Morgane Tual"],
        ),
        ("Jane Doe (with John Roe)", ["Jane Doe", "John Roe"]),
        ("Ana Pérez (con información de EFE)", ["Ana Pérez"]),  # with the agency's reporting: no person
        ("Jane Doe (Reuters)", ["Jane Doe"]),
    ],
)
def test_co_authors_in_brackets_after_the_first_are_authors(byline: str, names: list[str]) -> None:
    assert person_names([byline]) == names


def test_a_hyphenated_name_stays_a_person_s() -> None:
    assert person_names(["Jean-Pierre Müller-Lüdenscheid"]) == ["Jean-Pierre Müller-Lüdenscheid"]


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Kate Sullivan, CNN", ["Kate Sullivan"]),  # an outlet's initials
        ("Keith Spera, The Times-Picayune", ["Keith Spera"]),
        ("Paz Segura, Marketing Manager", ["Paz Segura"]),  # a role
        ("Jeff Foust, Space Administration.", ["Jeff Foust"]),
        ("JOHN DOE", ["JOHN DOE"]),  # capitals as the page prints them
    ],
)
def test_a_byline_s_outlet_or_role_after_the_name(byline: str, names: list[str]) -> None:
    assert person_names([byline]) == names


@pytest.mark.parametrize(
    ("byline", "sites", "names"),
    [
        ("Skrevet af DAGENS", ["dagens.dk", "dagens"], []),  # the site's name with more words: no person
        ("Marek Świerczyński, Polityka Insight", ["polityka.pl", "polityka"], ["Marek Świerczyński"]),
        ("Mattias Geniar", ["mattiasgeniar"], ["Mattias Geniar"]),  # a personal site's name is its owner's
        ("Swift Taylor", ["ft"], ["Swift Taylor"]),  # a short site name is part of many words
    ],
)
def test_a_byline_that_holds_the_site_s_name_is_the_site(byline: str, sites: list[str], names: list[str]) -> None:
    assert person_names([byline], sites) == names


@pytest.mark.parametrize(
    "script",
    [
        '//<![CDATA[\n{"@type": "NewsArticle", "datePublished": "2024-05-13T08:30:00+02:00"}\n//]]>',
        '{"@graph": [{"@type": "WebSite"}, {"@type": "NewsArticle", "datePublished": "2024-05-13T08:30:00+02:00"}]}',
        '{"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "datePublished": "2024-05-13T08:30:00+02:00"}}',
        '<!--\n{"@type": "NewsArticle", "datePublished": "2024-05-13T08:30:00+02:00",}\n-->',
        '{"@type": "NewsArticle", "datePublished": "2024-05-13T08:30:00+02:00"}\n}',  # a stray closing brace
        '{"@type": "WebSite"},\n{"@type": "NewsArticle", "datePublished": "2024-05-13T08:30:00+02:00"}',  # no [ ]
    ],
)
def test_json_ld_however_it_is_wrapped(tmp_path: Path, script: str) -> None:
    head = f'<script type="application/ld+json">{script}</script>'
    record = record_of(convert(tmp_path, {"a.html": page(head)})["a.html"])
    assert (record["published_at"], record["provenance"]["date_source"]) == ("2024-05-13T08:30:00+02:00", "json-ld")


@pytest.mark.parametrize(
    "element",
    [
        '<meta itemprop="datePublished dateCreated" content="2024-05-13T08:30:00+02:00">',
        '<time itemprop="datePublished" datetime="2024-05-13T08:30:00+02:00">13 May</time>',
        '<span itemprop="datePublished">2024-05-13T08:30:00+02:00</span>',
        '<meta itemprop="datePublished" value="2024-05-13T08:30:00+02:00">',  # as some tools save pages
    ],
)
def test_microdata_on_any_element(tmp_path: Path, element: str) -> None:
    record = record_of(convert(tmp_path, {"a.html": page("", element)})["a.html"])
    assert (record["published_at"], record["provenance"]["date_source"]) == ("2024-05-13T08:30:00+02:00", "microdata")


def test_a_microdata_date_its_element_shows_as_the_update_comes_after_the_others(tmp_path: Path) -> None:
    body = (
        '<time itemprop="datePublished" datetime="2016-12-20T13:00:00.000Z" content="2016-12-20T13:00:00.000Z">'
        "Dec. 20, 2016, 12:44 PM UTC / Updated Dec. 20, 2016, 1:00 PM UTC</time>"
        '<meta itemprop="datePublished" content="2016-12-20T12:44:32.000Z">'
    )
    record = record_of(convert(tmp_path, {"a.html": page("", body)})["a.html"])
    assert (record["published_at"], record["provenance"]["date_source"]) == ("2016-12-20T12:44:32+00:00", "microdata")


def test_a_naive_time_takes_the_offset_the_page_states_elsewhere(tmp_path: Path) -> None:
    head = (
        '<meta property="article:published_time" content="2024-05-13T08:30">'
        '<meta property="article:modified_time" content="2024-05-14T10:00:00-04:00">'
    )
    record = record_of(convert(tmp_path, {"a.html": page(head)})["a.html"])
    assert record["published_at"] == "2024-05-13T08:30:00-04:00"  # not the source's Asia/Shanghai


def test_a_naive_time_another_date_states_as_an_instant_takes_the_offset_between_them(tmp_path: Path) -> None:
    head = (
        '<meta property="article:published_time" content="2021-11-01T04:00:14Z">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-11-01T05:00:14"}</script>'
    )
    record = record_of(convert(tmp_path, {"a.html": page(head)})["a.html"])
    assert record["published_at"] == "2021-11-01T05:00:14+01:00"  # not UTC's, nor the source's


def test_a_textual_byline_date_is_read(tmp_path: Path) -> None:
    body = '<div class="byline">By Jane Doe | Published: Nov. 19, 2019 05:44 GMT</div>'
    record = record_of(convert(tmp_path, {"a.html": page("", body)})["a.html"])
    assert record["published_at"] == "2019-11-19T05:44:00+00:00"
    assert record["authors"] == ["Jane Doe"]


def test_modified_before_published_keeps_the_article_with_a_warning(tmp_path: Path) -> None:
    """The site's own dateModified a few minutes before datePublished: published_at as found,
    modified_at null, and a warning naming both values."""
    script = '{"@type": "NewsArticle", "datePublished": "2024-05-13T08:30:00Z", "dateModified": "2024-05-13T08:27:00Z"}'
    outcome = convert(tmp_path, {"a.html": page(f'<script type="application/ld+json">{script}</script>')})["a.html"]
    record = record_of(outcome)
    assert (record["published_at"], record["modified_at"]) == ("2024-05-13T08:30:00+00:00", None)
    [warning] = [issue for issue in outcome.issues if issue.rule == "date:order"]
    assert warning.severity == "warning"
    assert "2024-05-13T08:27:00+00:00" in warning.message
    assert "2024-05-13T08:30:00+00:00" in warning.message


def test_digits_in_a_url_that_only_look_like_a_date_are_none(tmp_path: Path) -> None:
    head = '<link rel="canonical" href="https://news.example.org/2094-83-48/harbour.html">'
    outcome = convert(tmp_path, {"a.html": page(head)})["a.html"]
    assert [issue.rule for issue in outcome.issues if issue.severity == "error"] == ["schema:required"]


def test_the_headline_is_the_h1_the_other_titles_agree_with_without_site_or_kicker(tmp_path: Path) -> None:
    head = (
        "<title>Harbour cargo hits a record - The Gazette</title>"
        '<meta property="og:site_name" content="The Gazette">'
        '<meta property="og:title" content="Harbour cargo hits a record | The Gazette">'
        '<meta property="article:published_time" content="2024-05-13T08:30:00Z">'
    )
    body = "<h1>The Gazette</h1>"
    record = record_of(convert(tmp_path, {"a.html": page(head, body)})["a.html"])
    assert record["title"] == "Harbour cargo hits a record"
    assert record["publisher"] == "The Gazette"


@pytest.mark.parametrize(
    ("h1", "expected"),
    [
        ("【资讯汇总】国务院常务会议部署加快落实各项政策措施", "国务院常务会议部署加快落实各项政策措施"),
        (
            "【経済インサイド】時速５００キロの世界を体感するリニア試乗",
            "【経済インサイド】時速５００キロの世界を体感するリニア試乗",
        ),
    ],
)
def test_a_chinese_column_s_name_in_brackets_is_no_part_of_the_headline(tmp_path: Path, h1: str, expected: str) -> None:
    """A Chinese headline's leading 【column】 is a kicker; a Japanese one keeps its 【】 (with kana)."""
    html = f"<html><head>{DATED}</head><body><h1>{h1}</h1>{BODY}</body></html>"
    assert record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["title"] == expected


@pytest.mark.parametrize(
    "body",
    [
        '<span class="pb-timestamp">May 13 at 8:30 PM</span>',  # a day without its year
        '<small class="post-time">8:30 pm<br/>May 13, 2024</small>',  # words apart across <br>
        "<div>2024年05月13日20:30 来源：港口日报</div>",  # a numeric date and time in the text
    ],
)
def test_a_day_takes_the_time_the_page_gives_for_it(tmp_path: Path, body: str) -> None:
    head = '<meta property="article:published_time" content="2024-05-13">'
    record = record_of(convert(tmp_path, {"a.html": page(head, body)})["a.html"])
    assert record["published_at"] == "2024-05-13T20:30:00+08:00"  # the source's zone: Asia/Shanghai


@pytest.mark.parametrize(
    "body",
    [
        '<div class="pb-byline">By <a href="/people/jane-doe">Jane Doe</a></div>',
        '<h4>By: <a href="/author/jd/" rel="author">Jane Doe</a></h4>',
    ],
)
def test_a_byline_element_names_the_author_when_metadata_does_not(tmp_path: Path, body: str) -> None:
    head = '<meta property="article:published_time" content="2024-05-13T08:30:00Z">'
    record = record_of(convert(tmp_path, {"a.html": page(head, body)})["a.html"])
    assert record["authors"] == ["Jane Doe"]


@pytest.mark.parametrize(
    ("paragraph", "authors"),
    [
        ("Von Claudia Lindner", ["Claudia Lindner"]),
        ("Eine Kolumne von Nils Pickert", ["Nils Pickert"]),
        ("Von Roland Brockmann und Sebastian Drescher", ["Roland Brockmann", "Sebastian Drescher"]),
        ("Autorin: Uta Staschewski, Projektleiterin der HSS in Tunis", ["Uta Staschewski"]),
        ("Von Sprachregeln und Gender-Politik", []),  # words alone: a heading's, no names
    ],
)
def test_a_byline_paragraph_closing_the_text_names_the_authors(
    tmp_path: Path, paragraph: str, authors: list[str]
) -> None:
    html = (
        '<html><head><meta property="article:published_time" content="2024-05-13T08:30:00Z"></head>'
        f"<body><h1>Harbour cargo hits a record</h1>{BODY}{BODY}<p>{paragraph}</p></body></html>"
    )
    assert record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["authors"] == authors


def test_a_comment_form_s_name_field_is_no_byline(tmp_path: Path) -> None:
    form = (
        '<form id="commentform"><p class="comment-form-author"><label for="author">Name <span>*</span></label>'
        '<input id="author" name="author"></p></form>'
    )
    head = '<meta property="article:published_time" content="2024-05-13T08:30:00Z">'
    assert record_of(convert(tmp_path, {"a.html": page(head, form)})["a.html"])["authors"] == []


@pytest.mark.parametrize(
    "elsewhere",
    [
        '<a href="/other-story/"><h3>Another story</h3><span class="author">von Anna Dunst</span></a>',  # a teaser card
        '<aside><ul><li><span class="comment-author-link">Peter Ulmer</span> on Another story</li></ul></aside>',
    ],
)
def test_a_teaser_s_or_a_sidebar_s_byline_is_not_the_page_s(tmp_path: Path, elsewhere: str) -> None:
    """The page's own byline names its desk, no person; a teaser's or a comment's names a person."""
    head = '<meta property="article:published_time" content="2024-05-13T08:30:00Z">'
    article = f'<h1>Harbour cargo hits a record</h1><span class="author">Harbour Redaktion</span>{BODY}'
    html = f"<html><head>{head}</head><body><article>{article}</article><div>{elsewhere}</div></body></html>"
    assert record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["authors"] == []


def test_a_byline_inside_the_link_to_its_author_s_page_is_the_page_s(tmp_path: Path) -> None:
    head = '<meta property="article:published_time" content="2024-05-13T08:30:00Z">'
    byline = '<a href="/autoren/anna-dunst/"><span class="author">Anna Dunst</span></a>'
    article = f"<article><h1>Harbour cargo hits a record</h1>{byline}{BODY}</article>"
    html = f"<html><head>{head}</head><body>{article}</body></html>"
    assert record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["authors"] == ["Anna Dunst"]


def test_figure_captions_are_captions_not_text(tmp_path: Path) -> None:
    caption = "Cranes unload a container ship at dawn. Photo: Jane Doe"
    body = f'<figure><img src="cranes.jpg" alt=""><figcaption>{caption}</figcaption></figure>'
    head = '<meta property="article:published_time" content="2024-05-13T08:30:00Z">'
    record = record_of(convert(tmp_path, {"a.html": page(head, f"<article>{body}</article>")})["a.html"])
    assert record["captions"] == [caption]
    assert caption not in record["text"]


def test_a_labelled_date_and_its_time_apart_across_a_bar_are_read_together(tmp_path: Path) -> None:
    body = "<p>Published: Wednesday, 21 Sep 2011 | 4:35 PM ET</p>"
    record = record_of(convert(tmp_path, {"a.html": page("", body)})["a.html"])
    assert record["published_at"] == "2011-09-21T16:35:00-04:00"


def test_an_element_marked_updated_gives_no_time_to_the_published_day(tmp_path: Path) -> None:
    head = '<meta name="article_date_original" content="Saturday, December 27, 2014">'
    body = '<div class="byline">updated <span class="updated">December 27, 2014 at 12:10 PM</span></div>'
    record = record_of(convert(tmp_path, {"a.html": page(head, body)})["a.html"])
    assert record["published_at"] == "2014-12-27T00:00:00+08:00"  # the day alone, not 12:10


@pytest.mark.parametrize(
    ("stated", "shown", "expected"),
    [
        ("2024-05-20T06:33:26Z", "2024-05-20 14:33", "2024-05-20T14:33:26+08:00"),
        ("2024-05-19T18:10:00+00:00", "2024-05-20 02:10", "2024-05-20T02:10:00+08:00"),  # the next day locally
        ("2024-05-20T06:33:26Z", "2024-05-20 14:40", "2024-05-20T06:33:26+00:00"),  # another minute: no twin
        ("2024-05-20T06:33:26Z", "2024-05-23 14:33", "2024-05-20T06:33:26+00:00"),  # another day: no twin
    ],
)
def test_an_instant_in_utc_takes_the_offset_the_page_shows_it_at(
    tmp_path: Path, stated: str, shown: str, expected: str
) -> None:
    head = f'<meta property="article:published_time" content="{stated}">'
    record = record_of(convert(tmp_path, {"a.html": page(head, f"<p>发布时间：{shown}</p>")})["a.html"])
    assert record["published_at"] == expected


@pytest.mark.parametrize(("language", "expected"), [("zh", "2018-03-08T23:16:00"), ("ja", "2018-03-08T23:16:00")])
def test_chinese_and_japanese_dates_are_year_first_with_two_digit_years_too(language: str, expected: str) -> None:
    moment = parse_date("18-03-08 23:16", language_codes(language))
    assert moment is not None
    assert moment.text() == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "2022-02-03T15:34:00"), ("fr", "2022-02-03T15:34:00"), ("en", "2022-03-02T15:34:00")],
)
def test_numbers_alone_are_read_in_the_page_s_language_s_order(language: str, expected: str) -> None:
    moment = parse_date("03.02.2022 15:34", language_codes(language))
    assert moment is not None
    assert moment.text() == expected


@pytest.mark.parametrize("label", ["来源：网络", "来源：转载"])
def test_a_source_label_that_names_no_outlet(tmp_path: Path, label: str) -> None:
    """来源 "the web" or "a reprint" names no outlet: no original publisher."""
    record = record_of(convert(tmp_path, {"a.html": page(DATED, f"<p>2019-11-25 18:57 {label}</p>")})["a.html"])
    assert record["original_publisher"] is None


@pytest.mark.parametrize(
    "label", ["来源：人民网", "来源：[ <a href='http://www.people.com.cn/'>人民网</a> ]", "来源：【人民网】"]
)
def test_a_source_label_names_the_outlet_in_brackets_or_not(tmp_path: Path, label: str) -> None:
    record = record_of(convert(tmp_path, {"a.html": page(DATED, f"<p>2005年3月11日12:12 {label}</p>")})["a.html"])
    assert record["original_publisher"] == "人民网"


@pytest.mark.parametrize("label", ["来源丨人民网", "来源 | 人民网", "转自：人民网", "出处：人民网"])
def test_a_source_is_labelled_with_a_bar_or_as_a_reprint_s_origin(tmp_path: Path, label: str) -> None:
    record = record_of(convert(tmp_path, {"a.html": page(DATED, f"<p>2005年3月11日12:12 {label}</p>")})["a.html"])
    assert record["original_publisher"] == "人民网"


@pytest.mark.parametrize("label", ["来源：综合新华社、人民网", "来源：新华社、人民网"])
def test_a_source_label_naming_several_outlets_names_no_one_publisher(tmp_path: Path, label: str) -> None:
    record = record_of(convert(tmp_path, {"a.html": page(DATED, f"<p>2005年3月11日12:12 {label}</p>")})["a.html"])
    assert record["original_publisher"] is None


def test_a_chinese_page_s_unlabelled_source_slot_beside_its_date(tmp_path: Path) -> None:
    """A Chinese page's source slot (``class="source"``) names the outlet without a 来源 label."""
    text = "<p>" + "国务院常务会议研究部署推进有关工作，会议指出要加快落实各项政策措施。" * 6 + "</p>"
    slot = '<div><span class="date">2019年09月07日 04:04</span><a class="source" href="/">北京日报</a></div>'
    html = f"<html><head>{DATED}</head><body><h1>常务会议部署工作</h1>{slot}{text}</body></html>"
    record = record_of(convert_pages(tmp_path, {"a.html": html.encode()}, source=ZH_SOURCE)["a.html"])
    assert record["original_publisher"] == "北京日报"


def test_the_outlet_a_story_comes_from_is_no_author(tmp_path: Path) -> None:
    head = '<meta property="article:author" content="参考消息">'
    body = "<p>2019-11-25 18:57 来源：参考消息</p>"
    record = record_of(convert(tmp_path, {"a.html": page(head, body)})["a.html"])
    assert record["original_publisher"] == "参考消息"
    assert record["authors"] == []


@pytest.mark.parametrize(
    ("body", "expected", "where"),
    [
        # the dateline under the headline, before the body, however the site marks it up
        ("<div><span>Max Muster</span><br/>Thu, 14 May 2020 17:55 UTC</div>", "2020-05-14T17:55:00+00:00", "dateline"),
        ('<ul><li>markets</li></ul><span class="x">3/09/15 8:00am</span>', "2015-03-09T08:00:00+08:00", "dateline"),
        # hAtom's published: the machine-readable instant behind the words shown
        (
            '<abbr class="published updated" title="2010-08-13T16:39:00-04:00">Aug 13</abbr>',
            "2010-08-13T16:39:00-04:00",
            "hatom",
        ),
    ],
)  # fmt: skip
def test_the_dateline_under_the_headline_is_the_page_s_date(
    tmp_path: Path, body: str, expected: str, where: str
) -> None:
    later = "<p>Sun, 1 Dec 2024</p>"  # a date in the body is not the page's
    html = f"<html><body><nav>Home</nav><h1>Harbour cargo hits a record</h1>{body}{BODY}{later}</body></html>"
    record = record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])
    assert record["published_at"] == expected
    assert where in record["provenance"]["date_source"]


def test_a_blog_s_post_title_in_an_h2_heads_its_dateline_and_byline(tmp_path: Path) -> None:
    """A blog's ``<h1>`` is its name; the lines under the post's ``<h2>`` are the post's header."""
    head = "<title>Harbour cargo hits a record | Port Notes</title>"
    header = "<h2>Harbour cargo hits a record</h2><small>May 13, 2024 at 08:45 AM | categories: ports</small>"
    html = f"<html><head>{head}</head><body><h1>Port Notes</h1>{header}<p>By Jane Doe</p>{BODY}</body></html>"
    record = record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])
    assert record["published_at"] == "2024-05-13T08:45:00+08:00"
    assert record["authors"] == ["Jane Doe"]


def test_a_date_in_the_body_is_not_the_dateline(tmp_path: Path) -> None:
    """The header ends where the body's first paragraph starts: a date after it is not the page's."""
    html = f"<html><body><h1>Harbour cargo hits a record</h1>{BODY}<p>3/09/15 8:00am</p></body></html>"
    record = record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])
    assert record["provenance"]["date_source"] != "page text, dateline"


@pytest.mark.parametrize(
    ("body", "authors"),
    [
        (
            "<div><span>By:</span> <div>CNN Wire</div></div><div>By Jane Doe</div>",
            ["Jane Doe"],
        ),  # a desk, then a person
        ('<p><a href="/author/jane-doe/">Jane Doe</a></p><p>Follow</p>', ["Jane Doe"]),  # a link to her page
        # links to the authors' pages, joined by separators in elements of their own
        (
            '<p><a href="/autor/ana"><small>Ana Caro</small></a><small>, </small><a href="/autor/rocio">'
            '<small>Rocío Latorre</small></a><small> y </small><a href="/autor/jose">José Wilson</a></p>',
            ["Ana Caro", "Rocío Latorre", "José Wilson"],
        ),
        ('<p class="author vcard"><a href="/team/jd">Jane Doe</a> Senior Washington Correspondent</p>', ["Jane Doe"]),
        ('<div class="metaInfo">Ein Artikel von <strong>Pamela Sladky</strong> | 27.01.2022</div>', ["Pamela Sladky"]),
        # a byline element whose class names the author in Spanish or French
        (
            '<div class="autor"><h6>Jacobo Betancur Peláez | Publicado hace 3 horas</h6></div>',
            ["Jacobo Betancur Peláez"],
        ),
        ('<div class="dates_auteurs"><span class="auteurs">Didier Roy</span>, 21 juin 2018</div>', ["Didier Roy"]),
        # a team's handle in the byline element, then a person under the headline
        (
            '<div class="byline">Published by <a href="/author/bbnteam/">BBNTEAM</a></div><p><em>By Jane Doe</em></p>',
            ["Jane Doe"],
        ),
    ],
)
def test_the_byline_under_the_headline_names_the_authors(tmp_path: Path, body: str, authors: list[str]) -> None:
    head = '<meta property="article:published_time" content="2024-05-13T08:30:00Z">'
    html = f"<html><head>{head}</head><body><h1>Harbour cargo hits a record</h1>{body}{BODY}</body></html>"
    assert record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["authors"] == authors


def test_a_chinese_reporter_and_outlet_under_the_headline(tmp_path: Path) -> None:
    body = "<p>石佳/中国青年报</p><p>2019-09-24 09:10</p>"
    html = f"<html><body><h1>港口吞吐量创新高</h1>{body}{BODY}</body></html>"
    record = record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])
    assert (record["authors"], record["original_publisher"]) == (["石佳"], "中国青年报")
    assert record["published_at"] == "2019-09-24T09:10:00+08:00"


def test_a_meta_tag_s_value_attribute_is_read_like_content(tmp_path: Path) -> None:
    """Pages saved by some tools (Mercury's fixtures) keep a meta tag's value in ``value=``."""
    head = '<meta name="article:published_time" value="2016-11-29T20:26:06.000Z">'
    record = record_of(convert(tmp_path, {"a.html": page(head)})["a.html"])
    assert record["published_at"] == "2016-11-29T20:26:06+00:00"


DATED = '<meta property="article:published_time" content="2024-05-13T08:30:00Z">'


def headline_of(tmp_path: Path, head: str, body: str) -> str:
    """The title of a dated page with this head, and this body before the article's text."""
    html = f"<html><head>{DATED}{head}</head><body>{body}{BODY}</body></html>"
    return record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["title"]


@pytest.mark.parametrize(
    ("head", "body", "authors"),
    [
        # a related story's microdata author, in another item, is not this page's
        (
            '<meta property="article:author" content="Jane Doe">',
            '<div itemscope><span itemprop="author">Jane Doe</span></div>'
            '<div itemscope><span itemprop="author">Max Muster</span></div>',
            ["Jane Doe"],
        ),
        # OpenGraph's article:author as profile URLs: the names the page's links to them show
        (
            '<meta property="article:author" content="https://example.org/profile/jane-doe,https://example.org/profile/jo">'
            '<meta property="article:author" content="https://www.facebook.com/jane.doe">',
            '<p><a href="/profile/jane-doe">Jane Doe</a> and <a href="https://example.org/profile/jo">John Roe</a></p>'
            '<a href="https://www.facebook.com/jane.doe">Facebook</a>',
            ["Jane Doe", "John Roe"],
        ),
        # a role before the name in one place, the name alone in another: the name
        (
            '<script type="application/ld+json">'
            '{"@type": "NewsArticle", "author": {"name": "Online-Experte Max Muster"}}</script>',
            '<div class="byline">Von Max Muster</div>',
            ["Max Muster"],
        ),
        # photo credits in the page's microdata, the writer in three meta tags
        (
            '<meta name="parsely-author" content="Austin Murphy"><meta name="sailthru.author" content="Austin Murphy">',
            '<div itemscope><span itemprop="author">Greg Nelson</span></div>',
            ["Austin Murphy"],
        ),
    ],
)
def test_authors_are_those_two_places_agree_on(tmp_path: Path, head: str, body: str, authors: list[str]) -> None:
    html = f"<html><head>{DATED}{head}</head><body><h1>Harbour cargo hits a record</h1>{body}{BODY}</body></html>"
    assert record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["authors"] == authors


ZH_BODY = "<p>" + "港口管理局周一表示，今年春季货物吞吐量增长百分之十二，创下历史新高。" * 3 + "</p>"


@pytest.mark.parametrize(
    ("header", "body", "authors"),
    [
        ("<p>新华社记者邹多为、唐诗凝、丁乐</p>", ZH_BODY, ["邹多为", "唐诗凝", "丁乐"]),  # a byline under the headline
        (
            "",
            "<p>〔記者巫其倫／台北報導〕港口管理局周一表示，今年春季吞吐量增長。</p>" + ZH_BODY,
            ["巫其倫"],
        ),  # in the lead
        (
            "",
            ZH_BODY + "<p>正是有了你们，才有这座英雄的城！（评论员 罗博 萧海川）</p>",
            ["罗博", "萧海川"],
        ),  # closing it
        ("<p>記者林悅／南市報導</p>", ZH_BODY, ["林悅"]),  # Traditional script: the role and where it was filed
        (
            "",
            ZH_BODY + "<p>警方已勘驗現場。（王煌忠／台中報導）</p><p>《蘋果》關心你</p>"
            "<p>自殺防治諮詢安心專線：0800-788995</p>",
            ["王煌忠"],
        ),  # where it was filed says byline without a role, before the notices the site appends
    ],
)
def test_chinese_bylines_under_the_headline_in_the_lead_or_closing_the_text(
    tmp_path: Path, header: str, body: str, authors: list[str]
) -> None:
    html = f"<html><head>{DATED}</head><body><h1>港口吞吐量创新高</h1>{header}{body}</body></html>"
    assert record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["authors"] == authors


@pytest.mark.parametrize(
    ("head", "h1", "title"),
    [
        # og:title is the social wording; the <h1> says mostly the same: what readers see wins
        (
            '<meta property="og:title" content="Zsa Zsa Gabor\'s Palm Springs home is for sale">',
            "Take a tour inside Zsa Zsa Gabor's former Palm Springs retreat — it's for sale!",
            "Take a tour inside Zsa Zsa Gabor's former Palm Springs retreat — it's for sale!",
        ),
        # an <h1> that runs a title on into the site's name: the title
        (
            '<meta property="og:title" content="Anticorrupción decidirá si recurre">',
            "Anticorrupción decidirá si recurre<span>Ultima Hora Mallorca</span>",
            "Anticorrupción decidirá si recurre",
        ),
        # the site's name after a colon or two dashes, no space before it
        (
            '<meta property="og:site_name" content="phpspot開発日誌">',
            "ツリーを描画できる「Treeviz」:phpspot開発日誌",
            "ツリーを描画できる「Treeviz」",
        ),
        ('<meta property="og:site_name" content="上報">', "稱「憂鬱症是不知足」挨轟--上報", "稱「憂鬱症是不知足」挨轟"),
        # a kicker set in the <h1>, and the separator hidden after it
        (
            "",
            "<small>Tunesien</small><br> Große Aufgaben für die neue Regierung",
            "Große Aufgaben für die neue Regierung",
        ),
        (
            "",
            '<span class="ts-overline">Abstandsregeln</span><span aria-hidden="true">: </span>'
            "<span>Wie Firmen ihre Beschäftigten schützen</span>",
            "Wie Firmen ihre Beschäftigten schützen",
        ),
        (
            "",
            '<div class="topic-label">100. Geburtstag</div> Margot Friedländer wird 100',
            "Margot Friedländer wird 100",
        ),
        # a kicker in the <h1>'s first element that the stated headline leaves out, the <title> keeping it
        (
            '<meta property="og:title" content="Why collaborative thinking beats individual smarts">'
            '<meta property="og:site_name" content="The Economist">'
            "<title>Open Progress - Why collaborative thinking beats individual smarts | The Economist</title>",
            "<span>Open Progress</span><br><span>Why collaborative thinking beats individual smarts</span>",
            "Why collaborative thinking beats individual smarts",
        ),
        # a dash of the headline's own, where the site's name closes the title
        (
            '<meta property="og:site_name" content="Hildesheimer Presse">'
            "<title>Hund vertreibt Einbrecher – Zeugenaufruf – Hildesheimer Presse</title>",
            "Hund vertreibt Einbrecher – Zeugenaufruf",
            "Hund vertreibt Einbrecher – Zeugenaufruf",
        ),
        (
            "",
            "Open Progress<br/>Why thinking together beats smarts",
            "Open Progress Why thinking together beats smarts",
        ),
    ],
)
def test_the_headline_readers_see(tmp_path: Path, head: str, h1: str, title: str) -> None:
    assert headline_of(tmp_path, head, f"<h1>{h1}</h1>") == title


@pytest.mark.parametrize(
    ("stated", "markup", "expected"),
    [
        # the local clock without a zone, the <time> element's the instant: the offset between them
        ("2017-01-09T05:00:00", "2017-01-09T10:00:00Z", "2017-01-09T05:00:00-05:00"),
        ("2017-01-09T05:00:00", "2017-01-09T10:20:00Z", "2017-01-09T05:00:00+08:00"),  # another minute: the source's
    ],
)
def test_a_naive_time_that_a_time_element_states_as_an_instant(
    tmp_path: Path, stated: str, markup: str, expected: str
) -> None:
    head = f'<meta property="article:published_time" content="{stated}">'
    body = f'<time datetime="{markup}">published</time>'
    assert record_of(convert(tmp_path, {"a.html": page(head, body)})["a.html"])["published_at"] == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<time datetime="2016-10-04 05:07:09">10/04/2016 05:07 AM EDT</time>', "2016-10-04T05:07:09-04:00"),
        # another time of that day, shown with its zone, may be another clock's: the source's zone
        (
            '<meta name="dc.date.issued" content="2016-11-29T03:33:08"><p>November 29, 2016: 3:42 PM ET</p>',
            "2016-11-29T03:33:08+08:00",
        ),
        ("<p>November 29, 2016: 3:42 PM ET</p>", "2016-11-29T15:42:00-05:00"),  # a colon after the year
    ],
)
def test_a_naive_time_takes_the_zone_the_page_shows(tmp_path: Path, body: str, expected: str) -> None:
    html = f"<html><body><h1>Harbour cargo hits a record</h1>{body}{BODY}</body></html>"
    assert record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["published_at"] == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        # microdata's day first, the element that gives its time after it
        (
            '<meta itemprop="datePublished" content="2024-05-10">'
            '<div itemprop="datePublished" content="2024-05-10T01:11:46+03:00">10 мая</div>',
            "2024-05-10T01:11:46+03:00",
        ),
        # hAtom's "updated" beside "published" is the publication
        (
            '<meta name="date" content="2020-04-15"><span class="time"><time class="post-published updated"'
            ' datetime="2020-04-15T20:41:13+02:00">On <b>Apr 15, 2020</b></time></span>',
            "2020-04-15T20:41:13+02:00",
        ),
        # HTML5's pubdate on a <time> hAtom classes as updated
        (
            '<meta name="date" content="2021-03-16"><p><time class="updated" datetime="2021-03-16T08:00:48+00:00"'
            " pubdate>16 March 2021</time></p>",
            "2021-03-16T08:00:48+00:00",
        ),
        # the dateline opens with the place, a dash before the date: "Danmark - 10. March 2020 kl. 20:00"
        (
            '<meta name="date" content="2020-03-10">'
            + BODY
            + '<div class="created_at">Danmark - 10 March 2020 20:00</div>',
            "2020-03-10T20:00:00+08:00",
        ),
        # the day in a meta tag, its time under a Polish label after the text
        (
            '<meta name="date" content="2021-04-28">'
            + BODY
            + '<ul class="autor"><li>Data: 28-04-2021, 09:29</li></ul>',
            "2021-04-28T09:29:00+08:00",
        ),
        # Drupal's "submitted" line, which ends with the date after the user's name
        (
            '<meta name="date" content="2017-07-24">'
            + BODY
            + '<div class="submitted">Submitted by <span class="username">rasos</span> on 24 July 2017 - 18:55</div>',
            "2017-07-24T18:55:00+08:00",
        ),
    ],
)
def test_a_time_for_the_day_stated_elsewhere(tmp_path: Path, markup: str, expected: str) -> None:
    html = f"<html><body><h1>Harbour cargo hits a record</h1>{markup}{BODY}</body></html>"
    assert record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["published_at"] == expected


def test_a_dateline_s_day_and_time_in_elements_side_by_side(tmp_path: Path) -> None:
    body = "<p>By <a>Kathy Wise</a></p><p><span>December 14, 2016</span><span>2:24 pm</span></p>"
    html = f"<html><body><h1>Harbour cargo hits a record</h1>{body}{BODY}</body></html>"
    assert (
        record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["published_at"] == "2016-12-14T14:24:00+08:00"
    )


def test_a_byline_split_across_elements_is_read_up_to_its_separators(tmp_path: Path) -> None:
    byline = "<p><span>By:</span> <a>Paul Wiseman</a><span>,</span> <a>Fatima Hussein</a>, The Associated Press</p>"
    html = (
        f"<html><head>{DATED}</head><body><h1>Harbour cargo hits a record</h1>{byline}<p>Share</p>{BODY}</body></html>"
    )
    record = record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])
    assert record["authors"] == ["Paul Wiseman", "Fatima Hussein"]


@pytest.mark.parametrize(("creator", "authors"), [("Andrew Tarantola", ["Andrew Tarantola"]), ("@gizmodo", [])])
def test_a_twitter_card_s_creator_names_the_author_not_a_handle(
    tmp_path: Path, creator: str, authors: list[str]
) -> None:
    head = DATED + f'<meta name="twitter:creator" content="{creator}">'
    assert record_of(convert(tmp_path, {"a.html": page(head)})["a.html"])["authors"] == authors


def test_the_byline_shown_names_the_co_authors_a_tag_leaves_out(tmp_path: Path) -> None:
    """The microdata names the first author; the byline under the headline names both."""
    head = DATED + '<meta itemprop="author" content="Paul Wiseman"><meta name="author" content="Paul Wiseman">'
    byline = "<p><span>By:</span> <a>Paul Wiseman</a><span>,</span> <a>Fatima Hussein</a></p>"
    record = record_of(convert(tmp_path, {"a.html": page(head, byline)})["a.html"])
    assert record["authors"] == ["Paul Wiseman", "Fatima Hussein"]


def test_a_by_in_its_own_element_reads_the_byline_around_it(tmp_path: Path) -> None:
    byline = '<p class="byline"><span class="byline-prefix">By</span> <span>Maggie Haberman</span> and Edward Wong</p>'
    html = f"<html><head>{DATED}</head><body>{byline}<h1>Harbour cargo hits a record</h1>{BODY}</body></html>"
    record = record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])
    assert record["authors"] == ["Maggie Haberman", "Edward Wong"]


@pytest.mark.parametrize(
    ("author", "authors", "original_publisher"),
    [
        ("参考消息", [], "参考消息"),  # four Han characters, no compound surname: an outlet
        ("欧阳文忠", ["欧阳文忠"], None),  # a compound surname: a person
        ("王小明", ["王小明"], None),
    ],
)
def test_an_outlet_named_as_the_author_of_a_chinese_page(
    tmp_path: Path, author: str, authors: list[str], original_publisher: str | None
) -> None:
    head = f'{DATED}<meta property="article:author" content="{author}">'
    html = f"<html><head>{head}</head><body><h1>港口吞吐量创新高</h1>{ZH_BODY}</body></html>"
    record = record_of(convert_pages(tmp_path, {"a.html": html.encode()}, source=ZH_SOURCE)["a.html"])
    assert (record["authors"], record["original_publisher"]) == (authors, original_publisher)


def test_a_chinese_byline_in_the_body_names_persons_only(tmp_path: Path) -> None:
    body = "<p>本报记者 彭冲 山东冠县报道</p>" + ZH_BODY
    html = f"<html><head>{DATED}</head><body><h1>港口吞吐量创新高</h1><p>2024-05-13 08:30</p>{body}</body></html>"
    assert record_of(convert(tmp_path, {"a.html": html.encode()})["a.html"])["authors"] == ["彭冲"]


@pytest.mark.parametrize(
    ("head", "dateline", "expected"),
    [
        # the metadata's "published" is a republication; the dateline under the headline is the first
        ('<meta property="article:published_time" content="2019-10-23T09:10:42+08:00">', "2019年10月23日 09:05",
         "2019-10-23T09:05:00+08:00"),
        ('<meta itemprop="datePublished" content="2016-12-20T13:00:00Z">', "Dec. 20, 2016, 12:44 PM UTC",
         "2016-12-20T12:44:00+00:00"),
        # a local time is not compared with UTC's clock
        ('<meta property="article:published_time" content="2022-05-04T13:02:07Z">', "May 4, 2022 09:01",
         "2022-05-04T13:02:07+00:00"),
        # whole quarter-hours apart: one instant in two zones, not an earlier time
        ('<meta property="article:published_time" content="2019-10-23T09:05:00+08:00">', "2019年10月23日 01:05",
         "2019-10-23T09:05:00+08:00"),
    ],
)  # fmt: skip
def test_the_dateline_s_earlier_time_of_the_day_is_the_publication(
    tmp_path: Path, head: str, dateline: str, expected: str
) -> None:
    record = record_of(convert(tmp_path, {"a.html": page(head, f"<p>{dateline}</p>")})["a.html"])
    assert record["published_at"] == expected


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # the meta tag says EST in October; the page shows EDT at that minute
        ('<meta name="publish_date" content="Sat, 09 Oct 2010 07:15:45 EST">', "<p>10/9/10 7:15 AM EDT</p>",
         "2010-10-09T07:15:45-04:00"),
        ('<meta name="dc.date.issued" content="2016-11-29T03:33:08">',
         '<p>Share</p><span class="cnnDateStamp">First published November 29, 2016: 3:33 AM ET</span>',
         "2016-11-29T03:33:08-05:00"),
        # the local clock labelled UTC in a meta tag, with its zone in the <time> element
        ('<meta property="article:published_time" content="2019-04-19T20:00:00Z">',
         '<p><time datetime="2019-04-19T20:00:00+09:00">2019.04.19</time></p>', "2019-04-19T20:00:00+09:00"),
        # a zone only the markup states corrects no other zone the metadata states
        ('<meta property="article:published_time" content="2019-04-19T20:00:00+02:00">',
         '<p><time datetime="2019-04-19T20:00:00+09:00">2019.04.19</time></p>', "2019-04-19T20:00:00+02:00"),
        # metadata that labels the local clock as UTC, the page showing it as EST
        ('<meta property="article:published_time" content="2014-12-29T16:08:14+00:00">',
         "<p><span class='timestamp'>December 29, 2014 4:08 pm EST</span></p>", "2014-12-29T16:08:14-05:00"),
        # IST is India's time here, not Israel's: a zone the metadata states hours away stays
        ('<meta property="article:published_time" content="2020-11-28T13:34:47+05:30">',
         '<p><span class="fl">Publish Date:Sat, 28 Nov 2020 01:34 PM (IST)</span></p>', "2020-11-28T13:34:47+05:30"),
    ],
)  # fmt: skip
def test_a_time_the_page_shows_at_the_same_minute_gives_its_zone(
    tmp_path: Path, head: str, body: str, expected: str
) -> None:
    assert record_of(convert(tmp_path, {"a.html": page(head, body)})["a.html"])["published_at"] == expected


def test_date_published_anywhere_comes_before_date_created(tmp_path: Path) -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "dateCreated": "2017-11-17T10:41:09Z"}</script>'
    body = '<time itemprop="datePublished" datetime="2017-11-16T14:15+0000">16 November 2017</time>'
    assert record_of(convert(tmp_path, {"a.html": page(head, body)})["a.html"])["published_at"] == (
        "2017-11-16T14:15:00+00:00"
    )


def test_a_byline_closing_a_chinese_text_after_the_share_line(tmp_path: Path) -> None:
    closing = "<p>□ 本报记者 葛灵丹</p><p>分享让更多人看到</p>"
    html = f"<html><head>{DATED}</head><body><h1>港口吞吐量创新高</h1>{ZH_BODY}{closing}</body></html>"
    record = record_of(convert_pages(tmp_path, {"a.html": html.encode()}, source=ZH_SOURCE)["a.html"])
    assert record["authors"] == ["葛灵丹"]
    assert "葛灵丹" not in record["text"]


def test_a_labelled_author_who_is_a_reporter() -> None:
    assert AUTHOR.search("首页 > 新闻 作者： 记者王敬照 来源：河北新闻网")[1] == "王敬照"


def test_a_japanese_name_with_a_space_is_one_person(tmp_path: Path) -> None:
    head = f'{DATED}<meta name="author" content="渡部 拓也">'
    body = "<p>" + "港湾局は月曜日、今春の貨物取扱量が十二パーセント増えたと発表した。" * 3 + "</p>"
    html = f"<html><head>{head}</head><body><h1>港の貨物が過去最高</h1>{body}</body></html>"
    source = 'adapter = "html"\nlanguage = "ja"\ntimezone = "Asia/Tokyo"\n'
    record = record_of(convert_pages(tmp_path, {"a.html": html.encode()}, source=source)["a.html"])
    assert record["authors"] == ["渡部 拓也"]
    assert person_names(["记者 张三 李四"]) == ["张三", "李四"]  # Chinese: names apart are two


@pytest.mark.parametrize(
    ("head", "byline", "authors"),
    [
        ("", "<p>이용민 기자 | 2020-03-04 16:52:59</p>", ["이용민"]),
        # an intern reporter; the meta tag names the agency, the byline the person
        ('<meta name="author" content="뉴시스">', "<p>[서울=뉴시스]김수아 인턴 기자 = 특별모금</p>", ["김수아"]),
    ],
)
def test_a_korean_reporter_s_byline(tmp_path: Path, head: str, byline: str, authors: list[str]) -> None:
    sentence = "세종사회복지공동모금회는 지난달 25일부터 특별모금을 진행하고 있다. "
    body = f"{byline}<p>{sentence * 3}</p>"
    html = f"<html><head>{DATED}{head}</head><body><h1>특별모금 진행</h1>{body}</body></html>"
    source = 'adapter = "html"\nlanguage = "ko"\ntimezone = "Asia/Seoul"\n'
    record = record_of(convert_pages(tmp_path, {"a.html": html.encode()}, source=source)["a.html"])
    assert record["authors"] == authors


def test_a_wechat_article_s_time_is_in_its_script(tmp_path: Path) -> None:
    """WeChat states an article's time only in a script, in Unix seconds; nothing else on the page
    is its date (htmldate would read a year out of the page's CSS)."""
    script = '<script>var appmsg_type = "9"; var ct = "1659274471";</script>'
    html = f"<html><head>{script}</head><body><h1>港口吞吐量创新高</h1>{ZH_BODY}</body></html>"
    record = record_of(convert_pages(tmp_path, {"a.html": html.encode()}, source=ZH_SOURCE)["a.html"])
    assert (record["published_at"], record["provenance"]["date_source"]) == ("2022-07-31T21:34:31+08:00", "script")


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        # a <title>'s parts weighed by what they say: a Han character says as much as two letters
        ("<title>Joel on Software - 给计算机系学生的建议</title>", "", "给计算机系学生的建议"),
        # no <h1>, no <title>, no metadata: the element whose class says title, not the site's
        ("", '<div class="site-title">科普</div><div class="rumor-title">徒手抓子弹真的存在吗？</div>',
         "徒手抓子弹真的存在吗？"),
    ],
)  # fmt: skip
def test_a_headline_where_the_page_states_it_only_once(tmp_path: Path, head: str, body: str, title: str) -> None:
    html = f"<html><head>{DATED}{head}</head><body>{body}{ZH_BODY}</body></html>"
    record = record_of(convert_pages(tmp_path, {"a.html": html.encode()}, source=ZH_SOURCE)["a.html"])
    assert record["title"] == title


@pytest.mark.parametrize(
    ("og_title", "heading", "title"),
    [
        # the heading's parts in two elements lose the space between them; og:title keeps it
        (
            "Market cap falls:  six of the top ten lose value",
            "<h1><span>Market cap falls:</span>six of the top ten lose value</h1>",
            "Market cap falls: six of the top ten lose value",
        ),
        # og:title writes straight quotes where the page's heading (an <h2>, no <h1>) shows curly ones
        (
            'Intendente: "Encontramos obras paralizadas"',
            "<h2>Intendente: “Encontramos obras paralizadas”</h2>",
            "Intendente: “Encontramos obras paralizadas”",
        ),
    ],
)
def test_a_headline_as_the_heading_shows_it(tmp_path: Path, og_title: str, heading: str, title: str) -> None:
    assert headline_of(tmp_path, f"<meta property='og:title' content='{og_title}'>", heading) == title


def test_a_headline_runs_on_into_what_the_title_element_puts_after_it(tmp_path: Path) -> None:
    """og:title "标题--上報" where the <title> reads "标题 -- 上報 / 焦點": the site's name, which
    the page names nowhere else, is cut."""
    head = "<title>港口吞吐量创下历史新高 -- 上報 / 焦點</title>"
    head += "<meta property='og:title' content='港口吞吐量创下历史新高--上報'>"
    html = f"<html><head>{DATED}{head}</head><body>{ZH_BODY}</body></html>"
    record = record_of(convert_pages(tmp_path, {"a.html": html.encode()}, source=ZH_SOURCE)["a.html"])
    assert record["title"] == "港口吞吐量创下历史新高"


@pytest.mark.parametrize(
    ("head", "body", "authors"),
    [
        ('<meta name="author" content="Danmark">', "", []),  # a word alone, from one place: no person
        # confirmed by another place, a word alone is a name
        ('<meta name="author" content="Madonna">', '<p class="byline">By Madonna</p>', ["Madonna"]),
        # unconfirmed, the next place that names a person in more than a word
        ('<meta name="author" content="Vídeos">', '<p class="byline">By Ana de Armas</p>', ["Ana de Armas"]),
    ],
)
def test_a_word_alone_is_a_name_only_when_another_place_confirms_it(
    tmp_path: Path, head: str, body: str, authors: list[str]
) -> None:
    assert record_of(convert(tmp_path, {"a.html": page(DATED + head, body)})["a.html"])["authors"] == authors


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ('<span id="author_baidu">王帆</span>', ["王帆"]),
        ('<a href="/reporter/899" rel="author">謝明俊</a>', ["謝明俊"]),
        ('<div class="author">扬眼</div>', []),  # a class says author: on Chinese pages, a self-media account
    ],
)
def test_a_chinese_page_s_marked_author(tmp_path: Path, byline: str, authors: list[str]) -> None:
    header = f"<h1>港口吞吐量创新高</h1><div>来源：中国新闻网 {byline}</div>"
    html = f"<html><head>{DATED}</head><body>{header}{ZH_BODY}</body></html>"
    record = record_of(convert_pages(tmp_path, {"a.html": html.encode()}, source=ZH_SOURCE)["a.html"])
    assert record["authors"] == authors
