"""adapter = "html": saved article pages, the metadata cascade, editors never authors, lying
charsets, pages that are no article, and a site's quirks as CSS selectors."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from conftest import FIXTURES, NOW, REPORTED, shared_or_skip
from newspkg.build import Engine, build
from newspkg.cli import main
from newspkg.config import load_project
from newspkg.convert import Converter, Outcome
from newspkg.discover import discover
from newspkg.schema import load_schemas

PAGES = FIXTURES / "pages"
SOURCE = 'adapter = "html"\nlanguage = "zh-Hans"\ntimezone = "Asia/Shanghai"\n'
TEXT = [
    "5月13日，记者从港口管理局获悉，今年前四个月，港口货物吞吐量同比增长百分之十二，创历史同期新高。",
    "港口管理局负责人表示，集装箱航线持续加密，新开通的国际航线带动了外贸货物的增长。",
    "下一步，港口将继续推进智慧码头建设，提升装卸效率和服务水平。",
]


def convert(tmp_path: Path, pages: dict[str, bytes], hints: str = "", source: str = SOURCE) -> dict[str, Outcome]:
    folder = tmp_path / "raw" / "site"
    folder.mkdir(parents=True)
    (folder / "source.toml").write_text(source + hints, encoding="utf-8")
    for name, data in pages.items():
        (folder / name).write_bytes(data)
    project = load_project(tmp_path)
    converter = Converter(project, load_schemas(tmp_path / "schema"), NOW)
    return {raw.path.rsplit("/", 1)[1]: converter.convert(raw) for raw in discover(project)}


def record_of(outcome: Outcome) -> dict[str, Any]:
    assert outcome.accepted, outcome.issues
    record = outcome.record
    assert record is not None
    return record


def write_warc(path: Path, responses: list[tuple[str, str, str, bytes]], gzip: bool = True) -> Path:
    """A WARC of response records (url, status, content type, body), written with warcio."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as file:
        writer = WARCWriter(file, gzip=gzip)
        for url, status, kind, body in responses:
            headers = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
            )
            writer.write_record(record)
    return path


def test_the_cascade_takes_each_field_from_the_first_place_that_has_it(tmp_path: Path) -> None:
    """JSON-LD's time beats the meta date and the script's; the canonical URL beats og:url; the
    person in JSON-LD is the author, not the site in meta author nor the editor under the text."""
    record = record_of(convert(tmp_path, {"a.html": (PAGES / "cascade.html").read_bytes()})["a.html"])
    assert record["title"] == "港口吞吐量创新高"
    assert record["published_at"] == "2024-05-13T08:30:00+08:00"
    assert record["provenance"]["date_source"] == "json-ld"
    assert record["url"] == "https://news.example.cn/2024/05/13/port.html"
    assert record["authors"] == ["王小明"]
    assert (record["original_publisher"], record["section"]) == ("港口日报", "财经")
    assert record["text"].split("\n\n") == TEXT
    assert record["provenance"]["encoding"] == "utf-8", "the page declares gb2312; its bytes are UTF-8"


def test_a_home_page_url_is_no_articles_url(tmp_path: Path) -> None:
    page = (PAGES / "cascade.html").read_text(encoding="utf-8")
    page = page.replace('<link rel="canonical" href="https://news.example.cn/2024/05/13/port.html">', "")
    record = record_of(convert(tmp_path, {"a.html": page.encode()})["a.html"])
    assert record["url"] is None  # og:url names the site's home page


def test_without_json_ld_the_meta_date_is_refined_by_the_pages_time_that_day(tmp_path: Path) -> None:
    page = (PAGES / "cascade.html").read_text(encoding="utf-8")
    start, end = page.index('<script type="application/ld+json">'), page.index("</script>") + len("</script>")
    record = record_of(convert(tmp_path, {"a.html": (page[:start] + page[end:]).encode()})["a.html"])
    assert record["published_at"] == "2024-05-13T08:30:00+08:00"
    assert record["provenance"]["date_source"] == "page text, dateline"  # the line under the headline
    assert record["authors"] == ["王小明"]  # from 作者：, meta author being the site


def test_a_list_page_is_rejected_as_no_article(tmp_path: Path) -> None:
    outcome = convert(tmp_path, {"list.html": (PAGES / "list.html").read_bytes()})["list.html"]
    assert [issue.rule for issue in outcome.issues] == ["page:not-article"]


HINTS = """[hints]
title_selector = "h1"
body_selector = ".article"
date_selector = ".info"
drop_selectors = [".nav"]
"""


def test_selectors_in_hints_override_the_extractor(tmp_path: Path) -> None:
    page = (PAGES / "cascade.html").read_text(encoding="utf-8")
    page = page.replace("<h1>港口吞吐量创新高</h1>", "<h1>港口吞吐量再创新高</h1>")
    page = page.replace('"headline": "港口吞吐量创新高", "datePublished": "2024-05-13T08:30:00+08:00",', "")
    record = record_of(convert(tmp_path, {"a.html": page.encode()}, HINTS)["a.html"])
    assert record["title"] == "港口吞吐量再创新高"
    assert record["published_at"] == "2024-05-13T08:30:00+08:00"
    assert record["provenance"]["date_source"] == "date_selector"
    assert record["text"].split("\n\n") == TEXT


def test_saved_pages_build_into_a_package_both_validators_pass(tmp_path: Path) -> None:
    pages = sorted(shared_or_skip("corpus", "html").rglob("*.html"))
    root = tmp_path / "data"
    folder = root / "raw" / "pages"
    folder.mkdir(parents=True)
    (folder / "source.toml").write_text(SOURCE, encoding="utf-8")
    for page in pages:
        shutil.copy(page, folder / "__".join(page.relative_to(page.parents[2]).parts))
    runner = CliRunner()
    built = runner.invoke(main, ["--root", str(root), "build", "--format", "json", "-q"], catch_exceptions=False)
    summary = json.loads(built.output)["summary"]
    assert built.exit_code == (1 if summary["rejected"] > summary["rejected_acknowledged"] else 0)
    assert summary["inputs"] == len(pages) == 20
    assert summary["accepted"] + summary["rejected"] + summary["duplicates"] == 20
    assert summary["accepted"] >= 18
    assert runner.invoke(main, ["--root", str(root), "validate", str(root / "datapackage.json")]).exit_code == 0
    frictionless = Path(sys.executable).parent / "frictionless"
    checked = subprocess.run([frictionless, "validate", "datapackage.json"], cwd=root, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_saved_news_pages_match_their_hand_checked_fields(tmp_path: Path) -> None:
    """The 20 saved pages of ../shared/corpus/html against fields checked by hand against each page:
    title, published_at at the page's own precision (a prefix), url (null where the page states
    none of its own), original publisher, authors, how the body starts and ends, and strings that
    must not be in it (navigation, editors, copyright, bylines moved to authors)."""
    corpus = shared_or_skip("corpus", "html")
    golden = json.loads((FIXTURES / "html-golden.json").read_text(encoding="utf-8"))
    pages = {name.replace("/", "__"): (corpus / name).read_bytes() for name in golden}
    outcomes = convert(tmp_path, pages)
    wrong: dict[str, list[str]] = {}
    for name, want in golden.items():
        outcome = outcomes[name.replace("/", "__")]
        record = outcome.record or {}
        text = record.get("text") or ""
        found = {
            "title": record.get("title") == want["title"],
            "published_at": (record.get("published_at") or "").startswith(want["published_at"]),
            "url": record.get("url") == want["url"],
            "original_publisher": record.get("original_publisher") == want["original_publisher"],
            "authors": record.get("authors") == want["authors"],
            "first": text.startswith(want["first"]),
            "last": text.endswith(want["last"]),
            "absent": not any(unwanted in text for unwanted in want["absent"]),
            "accepted": outcome.accepted,
        }
        if not all(found.values()):
            wrong[name] = [field for field, ok in found.items() if not ok]
    REPORTED.append(f"saved pages (html adapter): {len(golden) - len(wrong)} of {len(golden)} fully right")
    assert len(wrong) <= 1, f"{len(golden) - len(wrong)} of {len(golden)} pages fully right; wrong: {wrong}"


def test_pages_written_into_a_warc_give_the_same_records_as_loose_pages(tmp_path: Path) -> None:
    """The 20 saved pages as response records of one WARC (written with warcio), with a 404 and a
    PNG beside them: the same records as the loose files (their URL then the record's target, where
    a page states none), and the 404 and the PNG filtered, counted by reason."""
    corpus = shared_or_skip("corpus", "html")
    golden = json.loads((FIXTURES / "html-golden.json").read_text(encoding="utf-8"))
    loose = convert(tmp_path / "loose", {name.replace("/", "__"): (corpus / name).read_bytes() for name in golden})
    responses = [(f"https://example.org/{n}.html", "200 OK", "text/html", (corpus / name).read_bytes())
                 for n, name in enumerate(golden)]  # fmt: skip
    responses += [("https://example.org/gone.html", "404 Not Found", "text/html", b"<h1>Not found</h1>"),
                  ("https://example.org/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n")]  # fmt: skip
    crawl = write_warc(tmp_path / "crawl.warc.gz", responses)
    root = tmp_path / "warc"
    (root / "raw" / "site").mkdir(parents=True)
    (root / "raw" / "site" / "source.toml").write_text(SOURCE, encoding="utf-8")
    shutil.copy(crawl, root / "raw" / "site" / "crawl.warc.gz")
    summary = build(load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=2, shard_size=4))
    assert (summary.inputs, summary.accepted, summary.filtered_by_reason) == (
        22, 20, {"http status 404": 1, "content type image/png": 1},
    )  # fmt: skip
    from_warc = [json.loads(line) for line in (root / "build/articles.jsonl").read_text(encoding="utf-8").splitlines()]
    same = ("title", "text", "published_at", "authors", "original_publisher", "section", "tags")
    by_title = {record["title"]: record for record in from_warc}
    for n, name in enumerate(golden):
        page = record_of(loose[name.replace("/", "__")])
        record = by_title[page["title"]]
        assert {key: record[key] for key in same} == {key: page[key] for key in same}, name
        assert record["url"] == (page["url"] or f"https://example.org/{n}.html")
        assert record["provenance"]["member"].startswith("record-")
        assert record["provenance"]["fetched_at"].endswith("+00:00")
        assert record["provenance"]["warc_record_id"].startswith("<urn:uuid:")
    assert CliRunner().invoke(main, ["--root", str(root), "validate", str(root / "datapackage.json")]).exit_code == 0
    frictionless = Path(sys.executable).parent / "frictionless"
    checked = subprocess.run([frictionless, "validate", "datapackage.json"], cwd=root, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_the_real_warc_files_are_read_without_a_traceback_every_record_accounted_for(tmp_path: Path) -> None:
    """11 WARC files of a WARC library's tests (revisits, resources, chunked and wrongly chunked
    bodies, a file cut off, wget's bracketed URIs, a PNG, POSTs): requests and metadata are no
    inputs; every response or resource is a record, a reject with its reason or filtered by reason."""
    files = sorted(shared_or_skip("corpus", "warc").rglob("*.warc*"))
    root = tmp_path / "crawls"
    (root / "raw" / "crawl").mkdir(parents=True)
    (root / "raw" / "crawl" / "source.toml").write_text(SOURCE.replace("zh-Hans", "en"), encoding="utf-8")
    for file in files:
        shutil.copy(file, root / "raw" / "crawl" / file.name)
    summary = build(load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=1))
    counts = summary.counts()
    # One iana.org page (a home page with dated news items) is a record: it holds a date, found by htmldate.
    assert (len(files), counts["inputs"], counts["filtered"], counts["rejected"]) == (11, 17, 9, 7)
    assert counts["accepted"] + counts["rejected"] + counts["duplicates"] + counts["filtered"] == counts["inputs"]
    assert counts["filtered_by_reason"] == {
        "content type application/json": 3, "content type image/png": 1, "content type text/plain": 2,
        "warc revisit (its page is stored as another record)": 2, "warc without a response or resource record": 1,
    }  # fmt: skip
    assert counts["rejected_by_rule"] == {"raw:unreadable": 2, "schema:required": 5}


def test_a_crawl_cut_off_inside_a_record_keeps_the_records_before_and_rejects_the_rest(tmp_path: Path) -> None:
    corpus = shared_or_skip("corpus", "html")
    pages = sorted(json.loads((FIXTURES / "html-golden.json").read_text(encoding="utf-8")))[:3]
    responses = [(f"https://example.org/{n}.html", "200 OK", "text/html", (corpus / name).read_bytes())
                 for n, name in enumerate(pages)]  # fmt: skip
    crawl = write_warc(tmp_path / "crawl.warc.gz", responses).read_bytes()
    root = tmp_path / "cut"
    (root / "raw" / "site").mkdir(parents=True)
    (root / "raw" / "site" / "source.toml").write_text(SOURCE, encoding="utf-8")
    (root / "raw" / "site" / "crawl.warc.gz").write_bytes(crawl[: len(crawl) - 200])  # inside the last member
    summary = build(load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=1))
    counts = summary.counts()
    assert (counts["inputs"], counts["accepted"], counts["rejected"]) == (3, 2, 1)
    assert counts["rejected_by_rule"] == {"raw:unreadable": 1}


def test_url_patterns_filter_crawled_pages_by_reason(tmp_path: Path) -> None:
    corpus = shared_or_skip("corpus", "html")
    pages = sorted(json.loads((FIXTURES / "html-golden.json").read_text(encoding="utf-8")))[:3]
    urls = ["https://example.org/news/1.html", "https://example.org/tag/world.html", "https://example.org/about.html"]
    responses = [
        (url, "200 OK", "text/html", (corpus / name).read_bytes()) for url, name in zip(urls, pages, strict=True)
    ]
    root = tmp_path / "filtered"
    (root / "raw" / "site").mkdir(parents=True)
    patterns = 'include_urls = ["https://example.org/news/*", "*/tag/*"]\nexclude_urls = ["*/tag/*"]\n'
    (root / "raw" / "site" / "source.toml").write_text(SOURCE + patterns, encoding="utf-8")
    write_warc(root / "raw" / "site" / "crawl.warc.gz", responses)
    summary = build(load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=1))
    assert (summary.inputs, summary.accepted) == (3, 1)
    assert summary.filtered_by_reason == {
        "url matches exclude_urls */tag/*": 1, "url matches no include_urls pattern": 1,
    }  # fmt: skip


def test_binary_payloads_and_a_wrong_content_length_are_rejects_naming_the_byte(tmp_path: Path) -> None:
    """A PNG and a PDF served as text/html are rejects; a record whose Content-Length is 100 bytes
    short leaves bytes no WARC reader can place: the records before it are kept, the rest of the file
    is one reject that names the byte where reading stopped."""
    corpus = shared_or_skip("corpus", "html")
    pages = sorted(json.loads((FIXTURES / "html-golden.json").read_text(encoding="utf-8")))[:3]
    png, pdf = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, b"%PDF-1.4\n" + bytes(range(256)) * 40
    bodies = [
        (corpus / pages[0]).read_bytes(),
        png,
        pdf,
        (corpus / pages[1]).read_bytes(),
        (corpus / pages[2]).read_bytes(),
    ]
    responses = [(f"https://example.org/{n}.html", "200 OK", "text/html", body) for n, body in enumerate(bodies)]
    root = tmp_path / "wrong"
    (root / "raw" / "site").mkdir(parents=True)
    (root / "raw" / "site" / "source.toml").write_text(SOURCE, encoding="utf-8")
    crawl = write_warc(root / "raw" / "site" / "crawl.warc", responses, gzip=False)
    data = crawl.read_bytes()
    length = re.findall(rb"Content-Length: (\d+)\r\n", data)[3]  # the fourth record's WARC header
    crawl.write_bytes(data.replace(b"Content-Length: " + length, b"Content-Length: %d" % (int(length) - 100), 1))
    summary = build(load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=1))
    counts = summary.counts()
    assert (counts["inputs"], counts["accepted"], counts["rejected"]) == (5, 2, 3)
    assert counts["rejected_by_rule"] == {"decode:invalid": 2, "raw:unreadable": 1}
    rejects = [json.loads(line) for line in (root / "build/rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    broken = [reject for reject in rejects if "::broken-" in reject["raw_path"]]
    assert len(broken) == 1
    assert "Content-Length of the record before wrong" in json.dumps(broken[0])


def test_a_crawl_of_a_hundred_thousand_tiny_records_accounts_for_every_one(tmp_path: Path) -> None:
    """100,000 records, one in a thousand an article page and the rest tiny images: each is an item,
    listed and read at its offset (the crawl is never held whole), the pages converted."""
    head = "<title>Story {n}</title><meta property='article:published_time' content='2024-01-02T10:00:00Z'>"
    body = "<h1>Story {n}</h1>" + "<p>The council met on Tuesday about story {n}.</p>" * 8
    article = f"<html><head>{head}</head><body><article>{body}</article></body></html>"
    responses = [(f"https://example.org/{n}", "200 OK", "text/html", article.format(n=n).encode()) if n % 1000 == 0
                 else (f"https://example.org/{n}.png", "200 OK", "image/png", b"\x89PNG%d" % n)
                 for n in range(100_000)]  # fmt: skip
    root = tmp_path / "many"
    (root / "raw" / "site").mkdir(parents=True)
    (root / "raw" / "site" / "source.toml").write_text(SOURCE.replace("zh-Hans", "en"), encoding="utf-8")
    write_warc(root / "raw" / "site" / "crawl.warc", responses, gzip=False)
    summary = build(load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=2))
    counts = summary.counts()
    assert (counts["inputs"], counts["filtered"]) == (100_000, 99_900)
    assert counts["filtered_by_reason"] == {"content type image/png": 99_900}
    assert counts["accepted"] == 100, counts["rejected_by_rule"]


def test_a_crawled_page_over_max_bytes_is_a_reject_read_no_further(tmp_path: Path) -> None:
    corpus = shared_or_skip("corpus", "html")
    pages = sorted(json.loads((FIXTURES / "html-golden.json").read_text(encoding="utf-8")))[:2]
    huge = b"<html><body><p>" + b"word " * 2_000_000 + b"</p></body></html>"  # 10 MB
    bodies = [(corpus / pages[0]).read_bytes(), huge, (corpus / pages[1]).read_bytes()]
    responses = [(f"https://example.org/{n}.html", "200 OK", "text/html", body) for n, body in enumerate(bodies)]
    root = tmp_path / "huge"
    (root / "raw" / "site").mkdir(parents=True)
    (root / "raw" / "site" / "source.toml").write_text(SOURCE + "[limits]\nmax_bytes = 1000000\n", encoding="utf-8")
    write_warc(root / "raw" / "site" / "crawl.warc.gz", responses)
    summary = build(load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=1))
    counts = summary.counts()
    assert (counts["inputs"], counts["accepted"], counts["rejected_by_rule"]) == (3, 2, {"raw:too-large": 1})


def test_rejects_file_holds_rejects_and_filtered_items_are_counted(tmp_path: Path) -> None:
    page = b"<html><head><title>Story</title></head><body><h1>Story</h1><p>Too short.</p></body></html>"
    responses = [
        ("https://example.org/a.png", "200 OK", "image/png", b"\x89PNG"),
        ("https://example.org/gone", "404 Not Found", "text/html", b"<p>gone</p>"),
        ("https://example.org/short", "200 OK", "text/html", page),
    ]
    root = tmp_path / "crawl"
    (root / "raw" / "site").mkdir(parents=True)
    (root / "raw" / "site" / "source.toml").write_text(SOURCE, encoding="utf-8")
    write_warc(root / "raw" / "site" / "crawl.warc.gz", responses)
    summary = build(load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=1))
    counts = summary.counts()
    assert (counts["inputs"], counts["rejected"], sum(counts["filtered_by_reason"].values())) == (3, 1, 2)
    lines = (root / "build/rejects.jsonl").read_text(encoding="utf-8").splitlines()
    [reject] = [json.loads(line) for line in lines]  # the short page alone: neither the image nor the 404
    assert reject["raw_path"].startswith("raw/site/crawl.warc.gz::record-")
    assert [issue["rule"] for issue in reject["issues"]] == ["page:not-article"]


def test_validating_raw_files_writes_nothing_in_the_dataset(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newspkg.cli import main

    root = tmp_path / "site"
    (root / "raw" / "site").mkdir(parents=True)
    (root / "raw" / "site" / "source.toml").write_text(SOURCE, encoding="utf-8")
    (root / "raw" / "site" / "page.html").write_bytes(b"<html><body><h1>T</h1><p>Short.</p></body></html>")
    result = CliRunner().invoke(main, ["--root", str(root), "validate"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert sorted(path.name for path in root.iterdir()) == ["raw"]  # no build/, no cache


def test_show_prints_an_item_of_a_crawl_named_as_reports_name_it(tmp_path: Path, monkeypatch: Any) -> None:
    from click.testing import CliRunner

    from newspkg.cli import main

    head = "<meta property='article:published_time' content='2024-01-02T10:00:00Z'>"
    article = f"<html><head>{head}</head><body><h1>Council meets</h1>" + "<p>The council met on Tuesday.</p>" * 9
    responses = [
        ("https://example.org/story", "200 OK", "text/html", (article + "</body></html>").encode()),
        ("https://example.org/short", "200 OK", "text/html", b"<html><body><h1>T</h1><p>Short.</p></body></html>"),
    ]
    root = tmp_path / "crawl"
    (root / "raw" / "site").mkdir(parents=True)
    (root / "raw" / "site" / "source.toml").write_text(SOURCE.replace("zh-Hans", "en"), encoding="utf-8")
    write_warc(root / "raw" / "site" / "crawl.warc.gz", responses)
    monkeypatch.chdir(root)
    project = load_project(root)
    story, short = (raw.path for raw in discover(project))
    shown = CliRunner().invoke(main, ["show", story, "--format", "json"], catch_exceptions=False)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["record"]["url"] == "https://example.org/story"
    rejected = CliRunner().invoke(main, ["show", short], catch_exceptions=False)
    assert rejected.exit_code == 1
    assert f"{short}: rejected" in rejected.output
    missing = CliRunner().invoke(main, ["show", "raw/site/crawl.warc.gz::record-1"], catch_exceptions=False)
    assert missing.exit_code == 2
    assert "is not a raw file or item of any source" in missing.output


def test_rejects_of_a_crawl_are_acknowledged_at_once_by_a_pattern_and_rules(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newspkg.cli import main

    short = b"<html><body><h1>T</h1><p>Short.</p></body></html>"
    responses = [(f"https://example.org/list-{n}", "200 OK", "text/html", short) for n in range(3)]
    root = tmp_path / "crawl"
    (root / "raw" / "site").mkdir(parents=True)
    toml = SOURCE + '\n[acknowledged."crawl*.warc.gz::*"]\nreason = "list pages"\nrules = ["page:not-article"]\n'
    toml += '\n[acknowledged."gone-*.warc"]\nreason = "nothing matches this"\n'
    (root / "raw" / "site" / "source.toml").write_text(toml, encoding="utf-8")
    write_warc(root / "raw" / "site" / "crawl.warc.gz", responses)
    result = CliRunner().invoke(main, ["--root", str(root), "build", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output  # three rejects, all acknowledged
    summary = json.loads(result.output.splitlines()[-1])["summary"]
    assert (summary["rejected"], summary["rejected_acknowledged"]) == (3, 3)
    issues = [json.loads(line) for line in result.output.splitlines()[:-1]]
    [missing] = [issue for issue in issues if issue["rule"] == "acknowledged:missing"]
    assert 'acknowledged."gone-*.warc"] names no file' in missing["message"]
    (root / "raw" / "site" / "source.toml").write_text(toml.replace("page:not-article", "raw:empty"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(root), "build", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1  # the rules do not cover these rejects
