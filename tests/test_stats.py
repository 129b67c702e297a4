"""`newspkg stats`: a package's figures, checked against the package's own files."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import wcwidth

from newspkg.consume import build_report, spans, stats, stats_text
from newspkg.errors import PackageError
from packages import JSONL, build_package, invoke, record, write_package

TOP_KEYS = [
    "stats_version",
    "package",
    "records",
    "unreadable_lines",
    "missing",
    "verify",
    "per_source",
    "per_month",
    "text_length",
    "completeness",
    "build_report",
    "original_publishers",
    "near_duplicates",
]


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds built once for the module's read-only tests."""
    return build_package(tmp_path_factory.mktemp("stats") / "package")


@pytest.fixture
def built_copy(built_once: Path, tmp_path: Path) -> Path:
    """A scratch copy of the built package, for tests that change it."""
    return Path(shutil.copytree(built_once, tmp_path / "package"))


@pytest.fixture(scope="module")
def figures(built_once: Path) -> dict[str, Any]:
    result = invoke("stats", str(built_once), "--format", "json")
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = json.loads(result.output)
    return parsed


def jsonl_records(root: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (root / JSONL).read_bytes().split(b"\n") if line]


def test_records_per_month_and_source_match_the_jsonl(built_once: Path, figures: dict[str, Any]) -> None:
    """Each source's records per month are those of the JSONL, counted by the date part of published_at."""
    records = jsonl_records(built_once)
    expected: dict[str, Counter[str]] = {}
    for row in records:
        expected.setdefault(row["source"], Counter())[row["published_at"][:7]] += 1
    assert figures["records"] == len(records) == 4
    assert {source: dict(months) for source, months in expected.items()} == figures["per_month"]["by_source"]
    assert figures["per_month"]["months"] == sorted({row["published_at"][:7] for row in records})
    assert figures["per_source"] == {source: sum(months.values()) for source, months in expected.items()}


def test_month_is_the_local_date_as_written(tmp_path: Path) -> None:
    """An article at 23:30 on 28 February in New York (1 March in UTC) counts for February."""
    descriptor = write_package(
        tmp_path,
        [
            record(published_at="2022-02-28T23:30:00-05:00"),
            record(published_at="2022-03-01T07:00:00+08:00"),  # 28 February in UTC
            record(published_at="yesterday"),
            record(published_at=None),
        ],
    )
    per_month = stats.corpus_stats(descriptor).to_dict()["per_month"]
    assert per_month["by_source"] == {"s": {"2022-02": 1, "2022-03": 1}}
    assert per_month["undated"] == {"s": 2}


def test_completeness_counts_null_empty_and_missing_per_schema_field(built_once: Path, figures: dict[str, Any]) -> None:
    """Every top-level field of the shipped schema is listed, in its order, with the records where it
    is null, "", [] or missing, as counted here from the JSONL."""
    schema = json.loads((built_once / "schema" / "article.schema.json").read_text(encoding="utf-8"))
    records = jsonl_records(built_once)
    fields = figures["completeness"]["fields"]
    assert [row["field"] for row in fields] == list(schema["properties"])
    for row in fields:
        empty = sum(r.get(row["field"]) in (None, "", [], {}) for r in records)
        assert (row["empty"], row["share_empty"]) == (empty, empty / len(records)), row
    by_field = {row["field"]: row["empty"] for row in fields}
    assert by_field["modified_at"] == 3  # only zhuzhou-gaoke's footer gives a modification time
    assert by_field["id"] == 0


def test_completeness_of_hand_made_values(tmp_path: Path) -> None:
    """null, "", [], {} and a missing key are empty; "0", 0, false and " " are not; a field outside the
    schema is listed after the schema's, counted over every record."""
    descriptor = write_package(
        tmp_path,
        [
            record(section=None, tags=[], provenance={}, title="", extra="yes"),
            record(section="0", tags=["t"], provenance={"a": 1}, title=" ", char_count=0),
            record(section=False),
        ],
    )
    fields = {row["field"]: row for row in stats.corpus_stats(descriptor).to_dict()["completeness"]["fields"]}
    assert {name: fields[name]["empty"] for name in ("section", "tags", "provenance", "title", "char_count")} == {
        "section": 1,
        "tags": 2,
        "provenance": 2,
        "title": 2,
        "char_count": 2,
    }
    assert (fields["extra"]["in_schema"], fields["extra"]["empty"]) == (False, 2)
    assert list(fields)[-1] == "extra"


def test_text_length_quantiles_are_nearest_ranks_of_the_jsonl(built_once: Path, figures: dict[str, Any]) -> None:
    """min, p25, median, p75, p90 and max are the nearest-rank quantiles of len(text); the histogram
    counts every record once, in the right bin."""
    lengths = sorted(len(row["text"]) for row in jsonl_records(built_once))
    length = figures["text_length"]

    def rank(share: float) -> int:  # nearest rank: the smallest value with share of them at or below it
        return lengths[max(1, math.ceil(share * len(lengths))) - 1]

    assert [length[name] for name in ("min", "p25", "median", "p75", "p90", "max")] == [
        lengths[0],
        rank(0.25),
        rank(0.5),
        rank(0.75),
        rank(0.9),
        lengths[-1],
    ]
    assert length["mean"] == round(sum(lengths) / len(lengths), 1)
    bins = length["histogram"]
    assert sum(b["count"] for b in bins) == len(lengths)
    for n in lengths:
        (home,) = [b for b in bins if b["at_least"] <= n and (b["below"] is None or n < b["below"])]
        assert home["count"] >= 1


def test_rejects_and_duplicates_are_those_of_report_json(built_once: Path, figures: dict[str, Any]) -> None:
    """Rejects by rule, duplicates and per-source counts come from build/report.json as written."""
    written = json.loads((built_once / "build" / "report.json").read_text(encoding="utf-8"))
    build = figures["build_report"]
    assert build["available"] is True
    assert build["rejected_by_rule"] == written["rejected_by_rule"] == {"schema:required": 1}
    assert (build["rejected"], build["duplicates"], build["inputs"]) == (
        written["rejected"],
        written["duplicates"],
        written["inputs"],
    )
    assert build["per_source"]["unknown"]["rejected"] == 1


def test_report_is_found_through_a_build_report_resource(tmp_path: Path) -> None:
    """A resource named build-report says where the report is; duplicates are counted by reason."""
    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "build.json").write_text(
        json.dumps(
            {
                "inputs": 3,
                "duplicates": 2,
                "rejected_by_rule": {"b": 1, "a": 4},
                "duplicates_of": [
                    {"raw_path": "raw/s/2", "kept_raw_path": "raw/s/1", "reason": "same-text", "source": "s"},
                    {"raw_path": "raw/s/3", "kept_raw_path": "raw/s/1", "reason": "same-id", "source": "s"},
                ],
            }
        ),
        encoding="utf-8",
    )
    descriptor = write_package(tmp_path, [record()], resources=[{"name": "build-report", "path": "meta/build.json"}])
    build = stats.corpus_stats(descriptor).to_dict()["build_report"]
    assert (build["available"], build["path"], build["duplicates"]) == (True, "meta/build.json", 2)
    assert build["duplicates_by_reason"] == {"same-id": 1, "same-text": 1}
    assert list(build["rejected_by_rule"].items()) == [("a", 4), ("b", 1)]


def test_top_original_publishers_are_counted_from_the_jsonl(built_once: Path, figures: dict[str, Any]) -> None:
    """Every named original publisher, with its records, most first then by name."""
    named = Counter(r["original_publisher"] for r in jsonl_records(built_once) if r.get("original_publisher"))
    publishers = figures["original_publishers"]
    assert publishers["top"] == [
        {"name": name, "records": n} for name, n in sorted(named.items(), key=lambda item: (-item[1], item[0]))
    ]
    assert (publishers["records_with"], publishers["distinct"]) == (2, 2)


def test_publishers_are_the_ten_most_frequent(tmp_path: Path) -> None:
    """Twelve publishers: the ten most frequent are kept, ties broken by name."""
    rows = [record(original_publisher=f"p{i:02d}") for i in range(12) for _ in range(1 + i % 3)]
    publishers = stats.corpus_stats(write_package(tmp_path, rows)).to_dict()["original_publishers"]
    assert [entry["name"] for entry in publishers["top"]] == [
        "p02", "p05", "p08", "p11", "p01", "p04", "p07", "p10", "p00", "p03",
    ]  # fmt: skip
    assert publishers["distinct"] == 12


def test_a_schema_without_original_publisher_says_so(tmp_path: Path) -> None:
    """No shipped schema: newspkg's own fields are listed; no publisher anywhere gives an empty top."""
    descriptor = write_package(tmp_path, [record()], schemas=False)
    computed = stats.corpus_stats(descriptor)
    figures = computed.to_dict()
    assert figures["completeness"]["fields_from"].startswith("article.schema.json of newspkg")
    assert figures["original_publishers"] == {"field_in_schema": True, "records_with": 0, "distinct": 0, "top": []}
    lines = list(stats_text.text_lines(computed))
    assert "original publishers: none named" in lines


def test_verify_status_is_verify_strict(built_once: Path, figures: dict[str, Any]) -> None:
    """The built package verifies: ok, no errors, its one url:missing warning."""
    assert figures["verify"] == {
        "ran": True,
        "ok": True,
        "records": 4,
        "errors": 0,
        "warnings": 1,
        "errors_by_rule": {},
        "warnings_by_rule": {"url:missing": 1},
        "first_errors": [],
    }


def test_a_changed_package_fails_verify_but_stats_exits_0(built_copy: Path) -> None:
    """A JSONL byte changed after the build: verify's errors are counted and quoted; the figures still come."""
    jsonl = built_copy / JSONL
    jsonl.write_bytes(jsonl.read_bytes().replace("国有企业".encode(), "国营企业".encode(), 1))
    result = invoke("stats", str(built_copy / "datapackage.json"), "--format", "json")
    assert result.exit_code == 0, result.output
    verify = json.loads(result.output)["verify"]
    assert verify["ok"] is False
    assert verify["errors"] >= 1
    assert "resource:hash" in verify["errors_by_rule"]
    assert verify["first_errors"][0].startswith("build/articles.jsonl")


def test_no_verify_skips_the_check(built_once: Path) -> None:
    """--no-verify: the status says verify did not run, in JSON and in text."""
    result = invoke("stats", str(built_once), "--format", "json", "--no-verify")
    assert json.loads(result.output)["verify"] == {"ran": False}
    assert "verify: not run" in invoke("stats", str(built_once), "--no-verify").output


def test_json_is_one_object_in_a_stable_key_order(built_once: Path, figures: dict[str, Any]) -> None:
    """The top-level keys come in the documented order, and a second run prints the same bytes."""
    assert list(figures) == TOP_KEYS
    first = invoke("stats", str(built_once), "--format", "json").output
    assert invoke("stats", str(built_once / "datapackage.json"), "--format", "json").output == first
    assert json.loads(first) == figures
    assert first.startswith("{\n")
    assert first.endswith("\n}\n")


def test_text_output_shows_each_section(built_once: Path) -> None:
    """Text: the verdict, a month table, the length quantiles, empty fields, rejects and publishers."""
    result = invoke("--root", str(built_once), "stats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "newspkg stats: newspkg-seed-articles 0.1.0: 4 records"
    assert lines[1] == "build: OK"
    assert lines[2] == "verify: OK (0 errors, 1 warning)"
    assert "  month    finews  shanxidayuan  zhuzhou-gaoke  total" in lines
    assert "  2022-02       2             0              0      2" in lines
    assert any(line.startswith("text length (characters): min 1,738, p25 1,738, median 1,994") for line in lines)
    assert "  modified_at             3   75.0 %" in lines  # near_duplicate_of: 100.0 % widens the column
    assert "  rejected by rule: schema:required 1" in lines
    assert "  阳泉日报                  1" in lines


def test_text_tables_align_wide_characters(tmp_path: Path) -> None:
    """Chinese publishers and sources take two columns each on a terminal: every row of a table ends
    in the same column, whatever mix of wide and narrow characters it holds."""
    rows = [record(original_publisher=name) for name in ("阳泉日报", "Reuters", "日照日报社ABC", "日照日报社ABC")]
    descriptor = write_package(tmp_path, rows)
    lines = list(stats_text.text_lines(stats.corpus_stats(descriptor)))
    start = lines.index("top original publishers (4 records name one, 3 distinct)") + 1
    table = lines[start : start + 4]
    assert table[0].split() == ["original", "publisher", "records"]
    assert {wcwidth.wcswidth(line) for line in table} == {wcwidth.wcswidth(table[0])}
    assert table[1].startswith("  日照日报社ABC  ")


def test_an_empty_package_has_figures_without_records(tmp_path: Path) -> None:
    """A package of 0 records (its one raw file rejected): no quantiles, no shares, every field still
    listed, the reject still counted, and text that says "no records"."""
    package = build_package(tmp_path / "package", keep_sources=("unknown",))
    assert (package / JSONL).read_bytes() == b""
    result = invoke("stats", str(package), "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["records"] == 0
    assert figures["verify"]["ok"] is True
    assert figures["per_month"] == {"months": [], "by_source": {}, "undated": {}}
    assert {figures["text_length"][name] for name in ("min", "median", "p90", "max", "mean")} == {None}
    assert {row["share_empty"] for row in figures["completeness"]["fields"]} == {None}
    assert len(figures["completeness"]["fields"]) == 18
    assert figures["build_report"]["rejected_by_rule"] == {"schema:required": 1}
    text = invoke("stats", str(package)).output
    assert "records per month: no records" in text
    assert "text length: no records" in text
    assert "empty fields: no records" in text


def test_a_missing_report_json_is_said_not_crashed_on(built_copy: Path) -> None:
    """Without build/report.json the figures say it is absent; the records are still counted. (Verify is
    off: a descriptor listing the report as a resource makes its absence a verify error.)"""
    (built_copy / "build" / "report.json").unlink()
    result = invoke("stats", str(built_copy), "--format", "json", "--no-verify")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["build_report"] == {
        "available": False,
        "path": "build/report.json",
        "reason": "build/report.json does not exist",
    }
    assert figures["records"] == 4
    text = invoke("stats", str(built_copy), "--no-verify").output
    assert "build report: none (build/report.json does not exist)" in text


def test_a_huge_report_gives_its_counts_without_its_lists(built_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A report larger than the bound: its counts (before its lists) are read, its lists are not."""
    monkeypatch.setattr(build_report, "REPORT_LISTS_MAX_BYTES", 100)
    build = stats.corpus_stats(built_copy / "datapackage.json").to_dict()["build_report"]
    assert (build["available"], build["lists_read"]) == (True, False)
    assert (build["inputs"], build["rejected_by_rule"]) == (5, {"schema:required": 1})


def test_a_report_of_many_values_gives_its_counts_without_its_lists(
    built_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report whose lists hold more JSON values than the bound (empty objects, within the size
    limit): its counts are read, its lists are not."""
    monkeypatch.setattr(build_report, "REPORT_MAX_VALUES", 1000)
    path = built_copy / "build" / "report.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"duplicates_of": []', '"duplicates_of": [' + "{}," * 999 + "{}]")
    )
    build = stats.corpus_stats(built_copy / "datapackage.json").to_dict()["build_report"]
    assert (build["available"], build["lists_read"]) == (True, False)
    assert (build["inputs"], build["rejected_by_rule"]) == (5, {"schema:required": 1})


def test_an_unsafe_report_path_is_not_read(tmp_path: Path) -> None:
    """A build-report resource leading out of the package is not followed."""
    (tmp_path / "outside.json").write_text('{"inputs": 9}', encoding="utf-8")
    descriptor = write_package(
        tmp_path / "package", [record()], resources=[{"name": "build-report", "path": "../outside.json"}]
    )
    build = stats.corpus_stats(descriptor).to_dict()["build_report"]
    assert build["available"] is False
    assert ".." in build["reason"]


def test_unreadable_lines_are_counted_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A line that is not JSON, one that is not an object, and one over the line limit are counted as
    unreadable; the records around them are read."""
    monkeypatch.setattr(spans, "MAX_LINE_BYTES", 200)
    long = json.dumps(record(text="y" * 300)).encode() + b"\n"
    descriptor = write_package(tmp_path, [record(), b"{not json\n", b"[1]\n", long, record(source="t")])
    figures = stats.corpus_stats(descriptor).to_dict()
    assert (figures["records"], figures["unreadable_lines"]) == (2, 3)
    assert figures["per_source"] == {"s": 1, "t": 1}


def test_records_that_cannot_be_read_at_all_are_a_package_error(tmp_path: Path) -> None:
    """An articles-jsonl path leading out of the package is refused before anything is read; the CLI
    turns that into exit code 2."""
    descriptor = write_package(tmp_path, [record()])
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    data["resources"][0]["path"] = "../elsewhere.jsonl"
    descriptor.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PackageError, match="leaves the package"):
        stats.corpus_stats(descriptor)
    result = invoke("stats", str(descriptor), "--no-verify")
    assert result.exit_code == 2
    assert "newspkg: error: the records cannot be read" in result.output


def test_progress_is_told_every_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The progress callback's parts add up to the JSONL's size, each report giving that total."""
    monkeypatch.setattr(stats, "PROGRESS_BYTES", 100)
    descriptor = write_package(tmp_path, [record(text="z" * 50) for _ in range(20)])
    reports: list[tuple[int, int]] = []
    stats.corpus_stats(descriptor, progress=lambda done, total: reports.append((done, total)))
    size = (tmp_path / JSONL).stat().st_size
    assert len(reports) > 1
    assert sum(done for done, _ in reports) == size
    assert {total for _, total in reports} == {size}


def test_many_months_are_shown_per_year_in_text(tmp_path: Path) -> None:
    """More than two years of months: the text table counts per year (the JSON keeps months)."""
    rows = [record(published_at=f"{2000 + i // 12}-{1 + i % 12:02d}-15T12:00:00+08:00") for i in range(36)]
    figures = stats.corpus_stats(write_package(tmp_path, rows))
    assert len(figures.per_month.months) == 36
    text = list(stats_text.text_lines(figures))
    assert "records per year (published_at's local date)" in text
    assert "  2001  12     12" in text


def test_markdown_gives_the_verdicts_and_the_tables(built_once: Path) -> None:
    """--format markdown: both verdicts as a list, then each table as a Markdown table with right-aligned figures."""
    result = invoke("stats", str(built_once), "--format", "markdown")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "## newspkg-seed-articles 0.1.0: 4 records"
    assert "- build: OK" in lines
    assert "- verify: OK (0 errors, 1 warning)" in lines
    assert "| month | finews | shanxidayuan | zhuzhou-gaoke | total |" in lines
    assert "|---|---:|---:|---:|---:|" in lines
    assert "| 阳泉日报 | 1 |" in lines


def test_markdown_prints_data_as_text(tmp_path: Path) -> None:
    """A publisher's name with Markdown or HTML in it stays text: a table cell cannot be split or linked."""
    descriptor = write_package(tmp_path, [record(original_publisher="[x](https://evil.example) | <b>")])
    lines = invoke("stats", str(descriptor), "--format", "markdown", "--no-verify").output.splitlines()
    assert "| \\[x\\](https://evil.example) \\| \\<b\\> | 1 |" in lines


@pytest.mark.parametrize(
    "text",
    [
        '{"inputs": 5, "rejected_by_rule": {"a": 1}',  # cut short
        "[1, 2]",  # not an object
        '{"inputs": 5, "notes": ' + "[" * 100 + "]" * 100 + "}",  # nested deeper than the bound
        "\ufeff{",  # not JSON
    ],
)
def test_a_report_newspkg_cannot_read_is_said_not_crashed_on(tmp_path: Path, text: str) -> None:
    """A build report cut short, not an object, nested too deep or not JSON: said, and the records still counted."""
    descriptor = write_package(tmp_path, [record()])
    (tmp_path / "build" / "report.json").write_text(text, encoding="utf-8")
    figures = stats.corpus_stats(descriptor).to_dict()
    assert figures["build_report"] == {
        "available": False,
        "path": "build/report.json",
        "reason": "build/report.json is not a build report newspkg can read",
    }
    assert figures["records"] == 1


def test_counts_of_more_entries_than_the_bound_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A report whose rejected_by_rule holds more entries than MAX_COUNT_ENTRIES is not taken as a build report."""
    monkeypatch.setattr(build_report, "MAX_COUNT_ENTRIES", 10)
    report = {"inputs": 1, "rejected_by_rule": {f"rule-{i}": 1 for i in range(11)}}
    descriptor = write_package(tmp_path, [record()], report=report)
    assert stats.corpus_stats(descriptor).build_report.available is False
    monkeypatch.setattr(build_report, "MAX_COUNT_ENTRIES", 11)
    assert stats.corpus_stats(descriptor).build_report.rejected_by_rule == report["rejected_by_rule"]
