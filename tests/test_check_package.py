"""`newspkg validate datapackage.json`: a published package checked as a consumer would, and config errors."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import pickle
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from newspkg.consume import check as package_check
from newspkg.consume import findings
from newspkg.consume import records as record_checks
from newspkg.consume import rows as row_checks
from newspkg.consume import spans as span_cuts
from newspkg.issues import Severity

JSONL = "build/articles.jsonl"
PARQUET = "build/articles.parquet"
ISSUE_KEYS = {"file", "line", "record_id", "pointer", "rule", "severity", "message", "acknowledged"}
SUMMARY_KEYS = {"package", "records", "errors", "warnings"}
FUTURE = "2099-01-01T00:00:00+08:00"


@pytest.fixture
def built(project: Path, run: Callable[..., Result]) -> Path:
    """The scratch project after a successful build."""
    result = run("build", root=project)
    assert result.exit_code == 0, result.output
    return project


def validate(run: Callable[..., Result], root: Path, fmt: str = "text") -> Result:
    return run("validate", "--format", fmt, str(root / "datapackage.json"))


def json_lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def issues_of(result: Result) -> list[dict[str, Any]]:
    return [entry for entry in json_lines(result) if "summary" not in entry]


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def declare_facts(root: Path, relative: str) -> None:
    """Rewrite the descriptor's bytes and hash for one resource so that they match the file again."""
    descriptor_path = root / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    data = (root / relative).read_bytes()
    (resource,) = [r for r in descriptor["resources"] if r["path"] == relative]
    resource["bytes" if "bytes" in resource else "newspkg:bytes"] = len(data)
    resource["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
    descriptor_path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def date_in_future(root: Path) -> str:
    """Set the first JSONL record's published_at in the future, keep bytes and hash true; return its id."""
    path = root / JSONL
    first, rest = path.read_bytes().split(b"\n", 1)
    record = json.loads(first)
    record["published_at"] = FUTURE
    path.write_bytes(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" + rest)
    declare_facts(root, JSONL)
    return str(record["id"])


def test_fresh_build_validates_clean(built: Path, run: Callable[..., Result]) -> None:
    """`validate datapackage.json` on a fresh build exits 0 with no errors and counts every record."""
    result = validate(run, built, "json")
    assert result.exit_code == 0, result.output
    assert [issue for issue in issues_of(result) if issue["severity"] == "error"] == []
    summary = json_lines(result)[-1]["summary"]
    records = (built / JSONL).read_bytes().count(b"\n")
    assert summary["errors"] == 0
    assert summary["records"] == records > 0


def test_changed_jsonl_byte_fails_the_hash(built: Path, run: Callable[..., Result]) -> None:
    """One flipped byte in build/articles.jsonl → exit 1 and a resource:hash issue naming that file."""
    flip_byte(built / JSONL, 10)  # inside the first record's id: still ASCII, still JSON
    result = validate(run, built)
    assert result.exit_code == 1, result.output
    assert any(line.startswith(f"{JSONL}: error resource:hash") for line in result.stdout.splitlines()), result.output


def parquet_flip(path: Path, outcome: str) -> int:
    """The offset nearest the middle of ``path`` where flipping one bit gives ``outcome`` when a client reads
    every row with pyarrow: "readable" (rows come back, possibly changed) or "bad-utf8" (a string decodes
    to invalid UTF-8 while the file and its Arrow schema still open)."""
    data = path.read_bytes()
    schema = pq.ParquetFile(path).schema_arrow
    middle = len(data) // 2
    for distance in range(len(data)):
        for offset in sorted({middle - distance, middle + distance}):
            if not 0 <= offset < len(data):
                continue
            damaged = bytearray(data)
            damaged[offset] ^= 0x01
            try:
                parquet = pq.ParquetFile(io.BytesIO(bytes(damaged)))
                if not parquet.schema_arrow.equals(schema):
                    continue
                for batch in parquet.iter_batches():
                    batch.to_pylist()
            except UnicodeDecodeError:
                found = "bad-utf8"
            except (pa.ArrowException, OSError):
                continue
            else:
                found = "readable"
            if found == outcome:
                return offset
    pytest.skip(f"no single-bit flip in {path.name} gives {outcome}")


def test_changed_parquet_byte_fails_the_hash(built: Path, run: Callable[..., Result]) -> None:
    """One flipped byte near the middle of build/articles.parquet → exit 1 and resource:hash for that file,
    even when the damaged file still reads (silent corruption only the hash catches)."""
    path = built / PARQUET
    flip_byte(path, parquet_flip(path, "readable"))
    result = validate(run, built, "json")
    assert result.exit_code == 1, result.output
    rules = {(issue["file"], issue["rule"]) for issue in issues_of(result)}
    assert (PARQUET, "resource:hash") in rules
    assert (JSONL, "resource:hash") not in rules


def test_damaged_parquet_is_reported_not_crashed(built: Path, run: Callable[..., Result]) -> None:
    """A flipped byte that leaves invalid UTF-8 in a Parquet string → resource:hash and parquet:unreadable, no crash."""
    path = built / PARQUET
    flip_byte(path, parquet_flip(path, "bad-utf8"))
    result = validate(run, built, "json")
    assert result.exit_code == 1, result.output
    rules = {(issue["file"], issue["rule"]) for issue in issues_of(result)}
    assert {(PARQUET, "resource:hash"), (PARQUET, "parquet:unreadable")} <= rules


def test_record_breaking_a_rule_is_reported_with_its_pointer(built: Path, run: Callable[..., Result]) -> None:
    """A JSONL record published in the future (bytes and hash kept true) → exit 1, date:future at /published_at."""
    record_id = date_in_future(built)
    result = validate(run, built, "json")
    assert result.exit_code == 1, result.output
    issues = issues_of(result)
    assert not [issue for issue in issues if issue["rule"].startswith("resource:")], "bytes and hash should match"
    future = [issue for issue in issues if issue["rule"] == "date:future"]
    assert len(future) == 1, issues
    assert future[0] | {"message": ""} == {
        "file": JSONL,
        "line": 1,
        "record_id": record_id,
        "pointer": "/published_at",
        "rule": "date:future",
        "severity": "error",
        "message": "",
        "acknowledged": None,
    }


def test_jsonl_and_parquet_disagreeing_is_reported(built: Path, run: Callable[..., Result]) -> None:
    """After the JSONL's published_at changes but the Parquet's does not, parquet:mismatch names that record."""
    record_id = date_in_future(built)
    result = validate(run, built, "json")
    assert result.exit_code == 1, result.output
    mismatches = [issue for issue in issues_of(result) if issue["rule"] == "parquet:mismatch"]
    assert [(issue["file"], issue["record_id"], issue["pointer"]) for issue in mismatches] == [
        (PARQUET, record_id, "/published_at")
    ]


def test_same_instant_at_another_offset_is_a_mismatch(built: Path, run: Callable[..., Result]) -> None:
    """The JSONL's published_at restated in UTC (the same instant) no longer matches the Parquet's
    local time: the record's local date is part of what the two files must agree on."""
    path = built / JSONL
    first, rest = path.read_bytes().split(b"\n", 1)
    record = json.loads(first)
    instant = datetime.fromisoformat(record["published_at"])
    assert instant.utcoffset() != timedelta(0)
    record["published_at"] = instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
    path.write_bytes(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" + rest)
    declare_facts(built, JSONL)
    result = validate(run, built, "json")
    assert result.exit_code == 1, result.output
    mismatches = [issue for issue in issues_of(result) if issue["rule"] == "parquet:mismatch"]
    assert [(issue["record_id"], issue["pointer"]) for issue in mismatches] == [(record["id"], "/published_at")]
    assert "published_at_local is not the local time" in mismatches[0]["message"]


def test_json_format_shape(built: Path, run: Callable[..., Result]) -> None:
    """--format json: one JSON object per line; issues have exactly the pinned keys; the last line is the summary."""
    flip_byte(built / JSONL, 10)
    result = validate(run, built, "json")
    assert result.exit_code == 1, result.output
    entries = json_lines(result)
    *issues, last = entries
    ids = [json.loads(line)["id"] for line in (built / JSONL).read_bytes().splitlines()]
    for issue in issues:
        assert set(issue) == ISSUE_KEYS, issue
        assert issue["acknowledged"] is None
        assert issue["message"], issue
    assert [(i["file"], i["line"], i["record_id"], i["pointer"], i["rule"], i["severity"]) for i in issues] == [
        (JSONL, 0, "", "", "resource:hash", "error"),
        (JSONL, 1, ids[0], "/id", "record:id", "error"),
        (PARQUET, 1, ids[0], "/id", "parquet:mismatch", "error"),
        (JSONL, 4, ids[3], "/url", "url:missing", "warning"),
    ]
    assert set(last) == {"summary"}
    assert set(last["summary"]) >= SUMMARY_KEYS
    assert last["summary"]["errors"] == sum(issue["severity"] == "error" for issue in issues)
    assert last["summary"]["warnings"] == sum(issue["severity"] == "warning" for issue in issues)


def test_github_format_annotates_each_issue(built: Path, run: Callable[..., Result]) -> None:
    """--format github: one ::error/::warning file=… annotation per issue, with line= for JSONL records."""
    flip_byte(built / JSONL, 10)
    issues = issues_of(validate(run, built, "json"))
    result = validate(run, built, "github")
    assert result.exit_code == 1, result.output
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == len(issues)
    assert any(issue["file"] == JSONL and issue["line"] > 0 for issue in issues), "expected a record-level issue"
    for issue, annotation in zip(issues, annotations, strict=True):
        assert annotation.startswith(f"::{issue['severity']} file={issue['file']}"), annotation
        properties = annotation.split("::")[1]
        assert (f",line={issue['line']}" in properties) == (issue["line"] > 0), annotation
    rest = [line for line in result.stdout.splitlines() if not line.startswith("::")]
    assert rest[0].startswith("newspkg validate:")
    assert all(line.startswith("  ") for line in rest[1:-1])
    assert rest[-1].startswith("FAILED: ")


def _unknown_adapter(root: Path) -> None:
    (root / "raw" / "zhuzhou-gaoke" / "source.toml").write_text(
        'adapter = "no-such-adapter"\ntimezone = "UTC"\nlanguage = "en"\n', encoding="utf-8"
    )


def _invalid_toml(root: Path) -> None:
    (root / "raw" / "zhuzhou-gaoke" / "source.toml").write_text('adapter = "text\n', encoding="utf-8")


def _unknown_key(root: Path) -> None:
    (root / "raw" / "zhuzhou-gaoke" / "source.toml").write_text(
        'adapter = "text"\ntimezon = "Asia/Shanghai"\n', encoding="utf-8"
    )


def _schema_not_json(root: Path) -> None:
    (root / "schema" / "sources" / "finews.schema.json").write_text('{"properties": {', encoding="utf-8")


def _no_raw_folder(root: Path) -> None:
    for path in sorted((root / "raw").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (root / "raw").rmdir()


CONFIG_ERRORS = {
    # breakage → words the message must contain to say what to fix
    "unknown-adapter": (_unknown_adapter, ["no-such-adapter", "jekyll", "text"]),
    "invalid-toml": (_invalid_toml, ["zhuzhou-gaoke/source.toml", "not valid TOML"]),
    "unknown-key": (_unknown_key, ["zhuzhou-gaoke/source.toml", "timezon", "unknown key"]),
    "schema-not-json": (_schema_not_json, ["finews.schema.json", "not valid JSON"]),
    "outside-a-dataset-repo": (_no_raw_folder, ["raw", "--root"]),
}


@pytest.mark.parametrize("command", [["build"], ["build", "--check"], ["validate"]], ids=" ".join)
@pytest.mark.parametrize("case", sorted(CONFIG_ERRORS))
def test_config_error_exits_2_saying_what_to_fix(
    project: Path, run: Callable[..., Result], case: str, command: list[str]
) -> None:
    """A configuration error stops the command with exit 2 and one message naming what to fix."""
    breakage, words = CONFIG_ERRORS[case]
    breakage(project)
    result = run(*command, root=project)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("newspkg: error: "), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert not list((project / "build").glob(".*.partial")), "a stopped build left partial files"


def test_package_outside_a_dataset_repo_needs_no_raw(built: Path, run: Callable[..., Result]) -> None:
    """`validate datapackage.json` checks a downloaded package: it needs no raw/ folder."""
    _no_raw_folder(built)
    result = validate(run, built)
    assert result.exit_code == 0, result.output


def _parent_path(root: Path) -> str:
    return "../x.jsonl"


def _absolute_path(root: Path) -> str:
    return str(root.parent / "x.jsonl")


def _home_path(root: Path) -> str:
    return "~/x.jsonl"


def _link_out(root: Path) -> str:
    (root / "build" / "link.jsonl").symlink_to(root.parent / "x.jsonl")
    return "build/link.jsonl"


@pytest.mark.parametrize("make_path", [_parent_path, _absolute_path, _home_path, _link_out], ids=lambda f: f.__name__)
def test_resource_path_leaving_the_package_is_refused(
    built: Path, run: Callable[..., Result], make_path: Callable[[Path], str]
) -> None:
    """A resource path that leads out of the package (.., absolute, ~, a link) → exit 1 with package:path."""
    outside = built.parent / "x.jsonl"
    outside.write_bytes((built / JSONL).read_bytes())
    descriptor_path = built / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = make_path(built)
    descriptor_path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    result = validate(run, built, "json")
    assert result.exit_code == 1, result.output
    issues = issues_of(result)
    assert ("datapackage.json", "package:path") in {(issue["file"], issue["rule"]) for issue in issues}, issues
    assert json_lines(result)[-1]["summary"]["records"] == 0, "records were read from outside the package"


def test_report_keeps_every_error_but_counts_warnings_past_the_cap() -> None:
    """A package with more warnings than MAX_KEPT_WARNINGS keeps the first ones and counts all of them."""
    from newspkg import rules
    from newspkg.consume.findings import PackageReport
    from newspkg.issues import MAX_KEPT_WARNINGS, Issue, Severity

    report = PackageReport()
    warning = Issue("build/articles.jsonl", "", "/url", "url:missing", "no URL", Severity.WARNING)
    report.extend([warning] * (MAX_KEPT_WARNINGS + 500))
    report.add("build/articles.jsonl", rules.UNIQUE_ID, "id repeated")
    assert report.warnings_by_rule["url:missing"] == MAX_KEPT_WARNINGS + 500
    assert sum(i.severity is Severity.WARNING for i in report.issues) == MAX_KEPT_WARNINGS
    assert [i.rule for i in report.issues if i.severity is Severity.ERROR] == ["unique-id"]


def test_issues_past_what_a_report_holds_wait_on_disk_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """An IssueList holds the first MAX_HELD_ISSUES issues and spills the rest; package issues can
    still go in front; iterating, counting and pickling see every issue in order."""
    from newspkg.issues import Issue

    monkeypatch.setattr(findings, "MAX_HELD_ISSUES", 3)
    issues = [Issue(JSONL, f"{n:016x}", "/text", "text:markup", f"markup {n}", line=n + 1) for n in range(10)]
    listed = findings.IssueList(issues)
    listed.insert(1, [Issue("datapackage.json", "", "", "package:profile", "profile")])
    expected = [issues[0], Issue("datapackage.json", "", "", "package:profile", "profile"), *issues[1:]]
    assert list(listed) == expected
    assert len(listed) == 11
    assert list(pickle.loads(pickle.dumps(listed))) == expected
    with pytest.raises(IndexError):
        listed.insert(5, [])


def test_a_package_with_more_errors_than_a_report_holds_lists_them_all(
    built: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every record wrong, and a report that holds only two issues in memory: validate still lists
    every error, in line order, and counts them all."""
    monkeypatch.setattr(findings, "MAX_HELD_ISSUES", 2)
    path = built / JSONL
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for record in records:
        record["char_count"] += 1
    lines = [json.dumps(record, ensure_ascii=False, separators=(",", ":")) for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    declare_facts(built, JSONL)
    result = validate(run, built, "json")
    assert result.exit_code == 1, result.output
    found = [(issue["line"], issue["rule"]) for issue in issues_of(result) if issue["severity"] == "error"]
    expected = [
        (line, rule) for line in range(1, len(records) + 1) for rule in ("record:char-count", "parquet:mismatch")
    ]
    assert found == expected  # by line, a record's own issues before its row's
    assert json_lines(result)[-1]["summary"]["errors"] == len(expected)


@settings(max_examples=500, derandomize=True)
@given(st.binary(max_size=60).map(lambda b: b.replace(b"\x00", b"\n")), st.integers(1, 7), st.integers(0, 9))
def test_block_reader_splits_lines_as_readline_does(data: bytes, block: int, limit: int) -> None:
    """Lines read a block at a time are the file's lines; a line over the limit comes as None."""
    expected = [None if len(line.rstrip(b"\n")) > limit else line for line in io.BytesIO(data).readlines()]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(span_cuts, "READ_BLOCK", block)
        patch.setattr(span_cuts, "MAX_LINE_BYTES", limit)
        assert list(span_cuts.read_lines(io.BytesIO(data))) == expected


@pytest.mark.parametrize("concurrent", [False, True], ids=["in-process", "other-processes"])
def test_a_large_package_is_checked_on_other_processes_with_the_same_findings(
    built: Path, concurrent: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package with a broken profile (licenses not a list), a malformed line, a rule broken, a
    repeated id and a Parquet row that differs: the same issues, in the same order, whether it is
    checked here or (as a large package is) on a pool of processes, in chunks of 2 lines."""
    descriptor_path = built / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    descriptor_path.write_text(json.dumps({**descriptor, "licenses": "MIT"}), encoding="utf-8")
    jsonl = built / "build" / "articles.jsonl"
    lines = jsonl.read_bytes().splitlines(keepends=True)
    future = json.loads(lines[1])
    future["published_at"] = "2999-01-01T00:00:00+08:00"
    lines[1] = json.dumps(future, ensure_ascii=False).encode() + b"\n"  # also differs from its Parquet row
    jsonl.write_bytes(b"".join([*lines, b"not json\n", lines[0]]))
    declare_facts(built, "build/articles.jsonl")
    monkeypatch.setattr(package_check, "CONCURRENT_BYTES", 0 if concurrent else 1 << 62)
    monkeypatch.setattr(span_cuts, "BATCH_ROWS", 2)
    report = package_check.check_package(descriptor_path)
    found = [(issue.rule, issue.line) for issue in report.issues if issue.severity is Severity.ERROR]
    assert found == [
        ("package:package-error", 0),
        ("date:future", 2),
        ("parquet:mismatch", 2),
        ("jsonl:syntax", 5),
        ("parquet:rows", 6),
        ("unique-id", 6),
        ("resource:rows", 0),  # 5 records, where the descriptor says 4
    ]
    assert report.records == 5


@pytest.mark.parametrize("concurrent", [False, True], ids=["in-process", "other-processes"])
def test_parquet_rows_are_the_records_after_a_malformed_line_in_every_span(
    built: Path, concurrent: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A malformed line 2 has no Parquet row, so the rows of later spans (one line each here, checked
    apart) begin one earlier: only the syntax error and the one real difference (line 4) are found."""
    jsonl = built / "build" / "articles.jsonl"
    lines = jsonl.read_bytes().splitlines(keepends=True)
    edited = json.loads(lines[2])
    edited["title"] = "changed in JSONL only"
    lines[2] = json.dumps(edited, ensure_ascii=False).encode() + b"\n"
    jsonl.write_bytes(b"".join([lines[0], b"{not json\n", *lines[1:]]))
    declare_facts(built, "build/articles.jsonl")
    monkeypatch.setattr(package_check, "CONCURRENT_BYTES", 0 if concurrent else 1 << 62)
    monkeypatch.setattr(span_cuts, "MAX_SPAN_LINES", 1)
    monkeypatch.setattr(span_cuts, "SPAN_LINES", 1)
    report = package_check.check_package(built / "datapackage.json")
    found = [(issue.rule, issue.line, issue.pointer) for issue in report.issues if issue.severity is Severity.ERROR]
    assert found == [("jsonl:syntax", 2, ""), ("parquet:mismatch", 4, "/title")]
    assert report.records == len(lines)


def test_parquet_with_another_schema_is_reported_and_not_compared(built: Path) -> None:
    """A Parquet file whose Arrow schema is not the one the record schema derives (char_count as
    int32) → parquet:schema alone: its rows are not compared field by field."""
    path = built / PARQUET
    table = pq.read_table(path)
    index = table.schema.get_field_index("char_count")
    pq.write_table(table.set_column(index, "char_count", table.column(index).cast(pa.int32())), path)
    declare_facts(built, PARQUET)
    report = package_check.check_package(built / "datapackage.json")
    found = [(issue.file, issue.rule) for issue in report.issues if issue.severity is Severity.ERROR]
    assert found == [(PARQUET, "parquet:schema")]


def test_parquet_with_more_rows_than_records(built: Path) -> None:
    jsonl = built / "build" / "articles.jsonl"
    jsonl.write_bytes(b"".join(jsonl.read_bytes().splitlines(keepends=True)[:-1]))
    declare_facts(built, "build/articles.jsonl")
    report = package_check.check_package(built / "datapackage.json")
    found = [(issue.file, issue.rule) for issue in report.issues if issue.severity is Severity.ERROR]
    assert found == [(PARQUET, "parquet:rows"), (JSONL, "resource:rows")]  # and the declared count is wrong


@pytest.mark.parametrize(("start", "takes"), [(0, [2, 2, 2]), (1, [2, 2, 1]), (2, [4, 1]), (5, [3]), (6, [1])])
def test_records_are_compared_with_rows_across_row_groups(tmp_path: Path, start: int, takes: list[int]) -> None:
    """Records compared with the Parquet rows from any start, a few at a time, whatever the row groups
    (here 1, 2 and 3 rows): equal rows give no issue, the one differing row (n = 4) is named by its
    line, and records past the last row are reported as having none."""
    schema = pa.schema([("id", pa.string()), ("n", pa.int64())])
    table = pa.table({"id": [f"r{n}" for n in range(6)], "n": list(range(6))}, schema=schema)
    path = tmp_path / "rows.parquet"
    with pq.ParquetWriter(path, schema) as writer:
        for first, size in ((0, 1), (1, 2), (3, 3)):
            writer.write_table(table.slice(first, size))
    comparison = row_checks.RowComparison(schema, "rows.parquet", path, start, sum(takes))
    line = 1
    for wanted in takes:
        lines = list(range(line, line + wanted))
        rows = [start + number - 1 for number in lines]
        comparison.compare(lines, [json.dumps({"id": f"r{r}", "n": 40 if r == 4 else r}).encode() for r in rows])
        line += wanted
    expected = []
    for number in range(1, sum(takes) + 1):
        row = start + number - 1
        if row >= 6:
            expected.append(("parquet:rows", number, f"r{row}", ""))
        elif row == 4:
            expected.append(("parquet:mismatch", number, "r4", "/n"))
    found = [(issue.rule, issue.line, issue.record_id, issue.pointer) for issue in comparison.report.issues]
    assert found == expected
    assert comparison.damage is None


def test_rows_that_cannot_be_read_are_damage_not_compared(tmp_path: Path) -> None:
    """A Parquet file that cannot be read is damage (with the reason); no record is compared with it."""
    path = tmp_path / "rows.parquet"
    path.write_bytes(b"PAR1 this is not a Parquet file PAR1")
    comparison = row_checks.RowComparison(pa.schema([("n", pa.int64())]), "rows.parquet", path, 0, 2)
    comparison.compare([1, 2], [b'{"n": 0}', b'{"n": 1}'])
    assert comparison.damage
    assert list(comparison.report.issues) == []


def test_repeated_ids_name_the_line_that_had_them_first() -> None:
    """Hex ids (kept as numbers) and any other ids (kept as they are) both repeat exactly."""
    ids = record_checks.IdLines()
    for line, rid in enumerate(
        ["00000000000000ff", "x", "ffffffffffffffff", "00000000000000ff", "x", "00000000000000FF", "00000000000000ff"],
        start=1,
    ):
        ids.add(rid, line)
    assert list(ids.repeats()) == [("00000000000000ff", 4, 1), ("x", 5, 2), ("00000000000000ff", 7, 1)]
    assert list(record_checks.IdLines().repeats()) == []


@settings(max_examples=300, derandomize=True)
@given(
    st.lists(st.sampled_from(["00000000000000ff", "ffffffffffffffff", "0000000000000001", "x", "y", ""]), max_size=20)
)
def test_repeated_ids_are_those_a_dict_of_first_lines_finds(rids: list[str]) -> None:
    """IdLines.repeats gives, in line order, what the plain rule gives: every line whose id an earlier
    line had, with that earlier line."""
    ids = record_checks.IdLines()
    first: dict[str, int] = {}
    expected = []
    for line, rid in enumerate(rids, start=1):
        ids.add(rid, line)
        if rid in first:
            expected.append((rid, line, first[rid]))
        first.setdefault(rid, line)
    assert list(ids.repeats()) == expected


def test_package_with_a_repeated_id_fails(built: Path, run: Callable[..., Result]) -> None:
    path = built / "build" / "articles.jsonl"
    first = path.read_bytes().split(b"\n", 1)[0]
    record = json.loads(first)
    path.write_bytes(path.read_bytes() + first + b"\n")
    declare_facts(built, "build/articles.jsonl")
    issues = [i for i in issues_of(validate(run, built, "json")) if i["rule"] == "unique-id"]
    assert [(i["record_id"], i["line"], i["message"]) for i in issues] == [
        (record["id"], 5, f"id {record['id']} is also on line 1")
    ]


@settings(max_examples=300, derandomize=True)
@given(
    st.lists(st.binary(max_size=9).map(lambda b: b.replace(b"\n", b"")), max_size=30),
    st.booleans(),
    st.lists(st.integers(1, 6), min_size=1, max_size=8),
    st.integers(1, 12),
)
def test_spans_cut_the_file_at_line_ends_read_block_by_block(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], last_newline: bool, cuts: list[int], block: int
) -> None:
    """Spans cover the file in order, each holding the lines it says it holds and ending where a
    line ends (the last one may end without a newline), whatever the block size."""
    data = b"\n".join(lines) + (b"\n" if last_newline and lines else b"")
    path = tmp_path_factory.mktemp("spans") / "a.jsonl"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(span_cuts, "READ_BLOCK", block)
        spans = list(span_cuts.cut_into_spans(path, itertools.chain(cuts, itertools.repeat(cuts[-1]))))
    expected = io.BytesIO(data).readlines()
    assert b"".join(data[span.offset : span.offset + span.size] for span in spans) == data
    first = 1
    for span in spans:
        assert span.first_line == first
        assert (
            io.BytesIO(data[span.offset : span.offset + span.size]).readlines()
            == expected[first - 1 : first - 1 + span.lines]
        )
        first += span.lines
    assert first - 1 == len(expected)


HEX_IDS = st.integers(0, 2**64 - 1).map(lambda n: f"{n:016x}")
ANY_IDS = st.one_of(
    HEX_IDS,
    st.sampled_from(["0000000000000001", "00000000000000001", "ABCDEF0123456789", "", "x"]),
    st.text("0123456789abcdefg", min_size=15, max_size=17),
)


@settings(max_examples=300, derandomize=True)
@given(st.one_of(st.lists(HEX_IDS, max_size=12), st.lists(ANY_IDS, max_size=12)), st.randoms(use_true_random=False))
def test_ids_added_as_one_array_are_those_added_one_by_one(rids: list[str], rng: random.Random) -> None:
    """IdLines.add_all (a span's 16-hex-digit ids parsed as one array) finds the repeats that add,
    id by id, finds: every id comes back, shuffled, in a second span, so each one must repeat."""
    again = rng.sample(rids, len(rids))
    spans = [(rids, list(range(1, len(rids) + 1))), (again, list(range(len(rids) + 1, 2 * len(rids) + 1)))]
    one_by_one, at_once = record_checks.IdLines(), record_checks.IdLines()
    first: dict[str, int] = {}
    expected = []
    for span_ids, lines in spans:
        at_once.add_all(span_ids, lines)
        for rid, line in zip(span_ids, lines, strict=True):
            one_by_one.add(rid, line)
            if rid in first:
                expected.append((rid, line, first[rid]))
            first.setdefault(rid, line)
    assert list(one_by_one.repeats()) == expected
    assert list(at_once.repeats()) == expected


def test_spans_join_small_row_groups_and_cut_large_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole row groups are joined until a span has SPAN_LINES lines, never over MAX_SPAN_LINES;
    lines beyond the last row go SPAN_LINES at a time."""
    monkeypatch.setattr(span_cuts, "SPAN_LINES", 5)
    monkeypatch.setattr(span_cuts, "MAX_SPAN_LINES", 8)
    cuts = span_cuts.span_lengths([3, 3, 3, 10, 2])
    assert [next(cuts) for _ in range(6)] == [6, 3, 8, 4, 5, 5]


def test_progress_is_told_every_byte_of_the_records_checked(built: Path) -> None:
    """check_package reports each part of the JSONL file it checked, with the file's size: the parts
    add up to the whole file."""
    size = (built / JSONL).stat().st_size
    reports: list[tuple[int, int]] = []
    package_check.check_package(built / "datapackage.json", progress=lambda done, total: reports.append((done, total)))
    assert reports
    assert {total for _, total in reports} == {size}
    assert sum(done for done, _ in reports) == size


@pytest.mark.parametrize(
    ("command", "label"),
    [(("validate", "datapackage.json"), "checking records"), (("validate",), "validating"), (("build",), "building")],
)
def test_a_terminal_gets_a_progress_bar_and_a_pipe_none(
    built: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], label: str
) -> None:
    """On a terminal, build and both kinds of validate draw a progress bar (on stderr); elsewhere
    (CI, pipes) they print none."""
    from newspkg.cli import common

    args = [str(built / arg) if arg.endswith(".json") else arg for arg in command]
    quiet = run(*args, root=built)
    monkeypatch.setattr(common, "on_terminal", lambda: True)
    shown = run(*args, root=built)
    assert quiet.exit_code == shown.exit_code == 0, shown.output
    assert label not in quiet.stderr
    assert label in shown.stderr
    assert label not in shown.stdout
