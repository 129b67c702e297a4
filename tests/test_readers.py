"""Readers: ARC files read as crawls, content deciding where a name lies, one item read by its place
and bounded before it is read, values over the parsers' bounds as that item's reject."""

from __future__ import annotations

import csv
import gzip
import io
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import shared_or_skip
from newspkg import cache, readers
from newspkg.build import Engine, build
from newspkg.config import load_project
from newspkg.readers import exports, listings
from newspkg.schema import load_schemas
from test_html import write_warc

RECORDS_TOML = 'adapter = "records"\nlanguage = "en"\ntimezone = "UTC"\n'
HTML_TOML = 'adapter = "html"\nlanguage = "en"\ntimezone = "UTC"\n'
ITEM = {"title": "Council approves budget", "text": "The council approved the budget on Tuesday. " * 5,
        "published_at": "2023-03-14 18:30:00", "url": "https://news.example.org/budget"}  # fmt: skip
PAGE = (
    b"<html><head><title>Council approves budget</title>"
    b'<meta property="article:published_time" content="2004-09-24T10:00:00Z"></head><body>'
    b"<h1>Council approves budget</h1><article><p>" + b"The council approved the budget on Tuesday. " * 8 + b"</p>"
    b"</article></body></html>"
)


def arc_file(responses: list[tuple[str, bytes]], name: str = "crawl.arc") -> bytes:
    """An ARC file, version 1, laid out as the Internet Archive's crawler (Heritrix) wrote them: the
    ``filedesc://`` version block, then each response as a header line and the HTTP response."""
    meta = b"1 1 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    head = f"filedesc://{name} 0.0.0.0 20040925000741 text/plain {len(meta)}\n".encode() + meta + b"\n"
    records = [
        f"{url} 65.36.164.67 2004092500{10 + n:02d}13 text/html {len(body)}\n".encode() + body + b"\n"
        for n, (url, body) in enumerate(responses)
    ]
    return head + b"".join(records)


def http(status: str, body: bytes, kind: str = "text/html") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n\r\n".encode() + body


def project_with(tmp_path: Path, toml: str, files: dict[str, bytes]) -> Path:
    root = tmp_path / "data"
    (root / "raw" / "site").mkdir(parents=True)
    (root / "raw" / "site" / "source.toml").write_text(toml, encoding="utf-8")
    for name, data in files.items():
        (root / "raw" / "site" / name).write_bytes(data)
    return root


def built(root: Path, jobs: int = 1) -> tuple[dict[str, object], list[dict[str, object]]]:
    summary = build(load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=jobs))
    lines = (root / "build" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return summary.counts(), [json.loads(line) for line in lines]


@pytest.mark.parametrize("compressed", [False, True], ids=["arc", "arc.gz"])
def test_an_arc_file_is_read_as_a_crawl_each_response_an_item(tmp_path: Path, compressed: bool) -> None:
    responses = [
        ("http://news.example.org/budget", http("200 OK", PAGE)),
        ("http://news.example.org/missing", http("400 Bad Request", b"<h1>Bad Request</h1>")),
    ]
    data = arc_file(responses)
    first_at = data.index(b"http://news")  # the first record, after the version block
    if compressed:  # as the Internet Archive stores them: each record a gzip member of its own
        parts = data.split(b"\nhttp://")
        members = [gzip.compress(part + b"\n") for part in [parts[0], *(b"http://" + p for p in parts[1:])]]
        data, first_at = b"".join(members), len(members[0])
    name = "crawl.arc.gz" if compressed else "crawl.arc"
    root = project_with(tmp_path, HTML_TOML, {name: data})
    counts, records = built(root)
    assert (counts["inputs"], counts["accepted"], counts["filtered"]) == (2, 1, 1)
    assert counts["filtered_by_reason"] == {"http status 400": 1}
    (record,) = records
    assert record["title"] == "Council approves budget"
    assert record["url"] == "http://news.example.org/budget"
    provenance = record["provenance"]
    assert provenance["raw_path"] == f"raw/site/{name}"
    assert provenance["member"] == f"record-{first_at}"
    assert provenance["fetched_at"] == "2004-09-25T00:10:13+00:00"
    assert provenance["warc_record_id"] is None  # ARC has no record ids: none is made up
    first = (root / "build" / "articles.jsonl").read_bytes()
    build(load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=1, cache=False))
    assert (root / "build" / "articles.jsonl").read_bytes() == first  # the same bytes: nothing random


def test_a_real_arc_file_gives_its_response_as_an_item(tmp_path: Path) -> None:
    """warcio's example.arc.gz, a capture as crawlers wrote ARC: its response is one item, named by
    its place, with the page's URL and the capture's time; the page states no date, so it is a reject."""
    data = (Path(__file__).parent / "fixtures" / "arc" / "example.arc.gz").read_bytes()
    root = project_with(tmp_path, HTML_TOML, {"example.arc.gz": data})
    counts, records = built(root)
    assert (counts["inputs"], counts["accepted"], counts["rejected"], records) == (1, 0, 1, [])
    (reject,) = [json.loads(line) for line in (root / "build" / "rejects.jsonl").read_text("utf-8").splitlines()]
    assert reject["raw_path"] == "raw/site/example.arc.gz::record-171"
    assert [issue["rule"] for issue in reject["issues"]] == ["schema:required"]
    extracted = reject["extracted"]
    assert (extracted["url"], extracted["title"]) == ("http://example.com/", "Example Domain")
    assert extracted["provenance"]["fetched_at"] == "2014-02-16T05:02:21+00:00"


def test_the_content_decides_where_the_name_lies(tmp_path: Path) -> None:
    """A WARC named .html, an ARC named .warc, JSON Lines named .json: each read as what it is."""
    warc = write_warc(tmp_path / "w.warc", [("https://news.example.org/a", "200 OK", "text/html", PAGE)], gzip=False)
    arc = arc_file([("http://news.example.org/b", http("200 OK", PAGE.replace(b"budget", b"plan")))])
    assert readers.detect(warc, ("file", "crawl")) == "warc"
    root = project_with(tmp_path, HTML_TOML, {"saved.html": warc.read_bytes(), "crawl.warc": arc})
    counts, records = built(root)
    assert counts["inputs"] == 2
    assert sorted((r["provenance"]["raw_path"], r["url"]) for r in records) == [
        ("raw/site/crawl.warc", "http://news.example.org/b"),
        ("raw/site/saved.html", "https://news.example.org/a"),
    ]
    lines = (json.dumps(ITEM) + "\n" + json.dumps({**ITEM, "url": "https://news.example.org/2"}) + "\n").encode()
    path = tmp_path / "export.json"
    path.write_bytes(lines)
    assert readers.detect(path, ("file", "export")) == "jsonl"
    path.write_bytes(json.dumps([ITEM]).encode())
    assert readers.detect(path, ("file", "export")) == "json"
    assert readers.detect(path, ("file",)) == "file"  # an adapter that takes files only opens nothing


def test_an_export_line_over_max_bytes_is_its_reject_and_is_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = json.dumps({**ITEM, "text": "word " * 400_000})  # 2 MB
    other = {**ITEM, "url": "https://news.example.org/3", "text": "The roads were repaired on Monday. " * 5}
    lines = [json.dumps(ITEM), long, json.dumps(other)]
    root = project_with(
        tmp_path, RECORDS_TOML + "[limits]\nmax_bytes = 100000\n", {"export.jsonl": "\n".join(lines).encode()}
    )
    largest: list[int] = []
    real_read = readers.get("jsonl").read

    def recording(path: Path, place: readers.Place, limit: int) -> readers.Item:
        item = real_read(path, place, limit)
        largest.append(len(item.data))
        return item

    monkeypatch.setattr(readers.get("jsonl"), "read", recording)
    counts, _ = built(root)
    assert (counts["inputs"], counts["accepted"], counts["rejected_by_rule"]) == (3, 2, {"raw:too-large": 1})
    assert max(largest) == 100_001  # the long line: its first max_bytes + 1 bytes, no more


@pytest.mark.parametrize(
    ("value", "why"),
    [("9" * 5000, "digits"), ("[" * 100_000 + "]" * 100_000, "nested")],
    ids=["5000-digit-number", "deep-nesting"],
)
def test_a_json_line_beyond_the_parsers_bounds_is_that_items_reject(tmp_path: Path, value: str, why: str) -> None:
    lines = f'{json.dumps(ITEM)}\n{{"title": "x", "views": {value}}}\n'
    root = project_with(tmp_path, RECORDS_TOML, {"export.jsonl": lines.encode()})
    counts, records = built(root, jobs=2)
    assert (counts["accepted"], len(records)) == (1, 1)
    rejects = [json.loads(line) for line in (root / "build" / "rejects.jsonl").read_text("utf-8").splitlines()]
    assert [reject["raw_path"] for reject in rejects] == ["raw/site/export.jsonl::line-2"]
    (issue,) = rejects[0]["issues"]
    assert (issue["rule"], why in issue["message"]) == ("adapter-error", True), issue


def test_a_csv_row_is_read_by_its_offset_with_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    csv_text = (
        "title,text,published_at,url\n"
        '"Budget","The council approved the budget.\n\nIt did so on Tuesday.",2023-03-14,https://e.org/1\n'
        "\n"
        "Roads,The council repaired the roads on Monday.,2023-03-13,https://e.org/2\n"
    )
    root = project_with(tmp_path, RECORDS_TOML, {"export.csv": csv_text.encode()})
    project = load_project(root)
    from newspkg.discover import project_items, read_raw

    items = list(project_items(project))
    assert [item.name for item in items] == ["raw/site/export.csv::row-1", "raw/site/export.csv::row-2"]
    rows = [json.loads(read_raw(project, item).data) for item in items]
    assert rows[0]["text"] == "The council approved the budget.\n\nIt did so on Tuesday."
    assert rows[1]["title"] == "Roads"


def test_show_prints_an_item_of_an_export_named_as_reports_name_it(
    tmp_path: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_with(tmp_path, RECORDS_TOML, {"export.jsonl": (json.dumps(ITEM) + "\n").encode()})
    monkeypatch.chdir(root)
    shown = run("show", "raw/site/export.jsonl::line-1", "--format", "json", root=root)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["record"]["provenance"]["member"] == "line-1"


def test_a_rebuild_of_unchanged_crawls_converts_no_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    """The real WARC files, with their filtered, unreadable and rejected items: a second build
    converts none of them, and the summary counts items as items."""
    monkeypatch.setattr(cache, "RACY_SECONDS", -1.0)  # the files were written just now
    files = sorted(shared_or_skip("corpus", "warc").rglob("*.warc*"))
    root = project_with(tmp_path, HTML_TOML, {file.name: file.read_bytes() for file in files})
    project, schemas = load_project(root), load_schemas(root / "schema")
    first = build(project, schemas, root, engine=Engine(jobs=2))
    counts = first.counts()
    assert (first.files, counts["inputs"], counts["filtered"], counts["rejected"]) == (11, 17, 9, 7)
    again = build(project, schemas, root, engine=Engine(jobs=2))
    assert (again.inputs, again.from_cache, dict(again.converted_because)) == (17, 17, {})
    assert again.counts() == counts
    shown = run("build", "--jobs", "1", root=root).output
    assert "converted 0 items of 11 files; 17 unchanged, taken from the cache" in shown.splitlines()


def test_a_crawl_is_listed_again_only_when_its_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listings, "RACY_SECONDS", -1.0)  # the files were written just now
    monkeypatch.setattr(cache, "RACY_SECONDS", -1.0)
    pages = [(f"https://news.example.org/{n}", "200 OK", "text/html", PAGE.replace(b"budget", b"plan %d" % n))
             for n in range(3)]  # fmt: skip
    crawl = write_warc(tmp_path / "crawl.warc.gz", pages)
    root = project_with(tmp_path, HTML_TOML, {"crawl.warc.gz": crawl.read_bytes()})
    listed: list[Path] = []
    reader = readers.get("warc")
    real_places = reader.places
    monkeypatch.setattr(reader, "places", lambda path: listed.append(path) or real_places(path))
    project, schemas = load_project(root), load_schemas(root / "schema")
    first = build(project, schemas, root, engine=Engine(jobs=1))
    again = build(project, schemas, root, engine=Engine(jobs=1))
    assert (len(listed), first.inputs, again.inputs, again.from_cache) == (1, 3, 3, 3)
    write_warc(root / "raw" / "site" / "crawl.warc.gz", pages[:2])
    changed = build(project, schemas, root, engine=Engine(jobs=1))
    assert (len(listed), changed.inputs) == (2, 2)


def test_an_export_that_breaks_off_keeps_its_items_and_rejects_the_rest(tmp_path: Path) -> None:
    """A JSON array followed by more JSON, a CSV that is no longer UTF-8 after a good row: the items
    before the break are read, and the rest is one reject saying where and why, never dropped."""
    other = {**ITEM, "url": "https://news.example.org/2", "text": "The roads were repaired on Monday. " * 5}
    array = json.dumps([ITEM]) + "\n" + json.dumps([other]) + "\n"
    csv_bytes = b"title,text,published_at,url\nRoads,The roads were repaired.,2023-03-13,https://e.org/2\n\xff\xfe,x\n"
    root = project_with(tmp_path, RECORDS_TOML, {"a.json": array.encode(), "b.csv": csv_bytes})
    counts, records = built(root)
    rejects = [json.loads(line) for line in (root / "build" / "rejects.jsonl").read_text("utf-8").splitlines()]
    assert sorted(r["provenance"]["member"] for r in records) == ["item-0", "row-1"]
    assert [reject["raw_path"].rsplit("::")[0] for reject in rejects] == ["raw/site/a.json", "raw/site/b.csv"]
    assert all(reject["raw_path"].split("::")[1].startswith("broken-") for reject in rejects)
    assert counts["inputs"] == 4


def test_a_json_array_too_large_to_list_is_its_files_reject_saying_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "ARRAY_LIMIT", 1000)
    items = [{**ITEM, "url": f"https://news.example.org/{n}"} for n in range(5)]
    root = project_with(tmp_path, RECORDS_TOML, {"export.json": json.dumps(items).encode()})
    counts, _ = built(root)
    rejects = [json.loads(line) for line in (root / "build" / "rejects.jsonl").read_text("utf-8").splitlines()]
    assert (counts["inputs"], [reject["raw_path"] for reject in rejects]) == (1, ["raw/site/export.json"])
    assert "export it as JSON Lines" in rejects[0]["issues"][0]["message"]


def test_a_csv_row_too_long_to_parse_while_listing_is_scanned_not_held(tmp_path: Path) -> None:
    """A CSV row whose one quoted field is 20 MiB (newlines and doubled quotes inside): listing it holds
    a bounded part of it (traced allocations under 16 MiB), the rows around it are listed as before, and
    its reading rejects it by the item's limit."""
    good = "title,text,published_at,url\nBudget,The council approved the budget.,2023-03-14,https://e.org/1\n"
    field = ('He said ""no"".\n' + "x" * 1000 + "\n") * (20 * 1024 * 1024 // 1018)
    text = (
        good + f'Huge,"{field}",2023-03-15,https://e.org/2\nRoads,The roads were repaired.,2023-03-16,https://e.org/3\n'
    )
    root = project_with(tmp_path, RECORDS_TOML, {"export.csv": text.encode()})
    project = load_project(root)
    from newspkg.discover import project_items, read_raw

    tracemalloc.start()
    try:
        items = list(project_items(project))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, peak
    assert [item.name.rpartition("::")[2] for item in items] == ["row-1", "row-2", "row-3"]
    huge = read_raw(project, items[1])
    assert len(huge.data) > project.sources[0].max_bytes  # the convert step rejects it raw:too-large
    assert json.loads(read_raw(project, items[2]).data)["title"] == "Roads"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.text(alphabet='ab ,"\r\n', max_size=12), min_size=1, max_size=3), max_size=6))
def test_csv_rows_scanned_for_their_end_are_the_rows_csv_reads(
    rows: list[list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listed with every row over the listing's bound (so each is scanned for its end, not parsed), a
    CSV written by the csv module gives the same places, read as the same rows, as when each is parsed."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([["h1", "h2", "h3"], *rows])
    path = tmp_path / "export.csv"
    path.write_bytes(buffer.getvalue().encode())
    reader = exports.CsvReader()
    parsed = list(reader.places(path))
    monkeypatch.setattr(exports, "LISTED_ROW_BYTES", len("h1,h2,h3\r\n"))
    scanned = list(reader.places(path))
    assert [(p.name, p.offset) for p in scanned] == [(p.name, p.offset) for p in parsed]
    assert [reader.read(path, p, 1 << 20).data for p in scanned] == [reader.read(path, p, 1 << 20).data for p in parsed]
