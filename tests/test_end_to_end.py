"""End to end: build the repository's dataset, then read and check it as independent clients would."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import frictionless
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import Result

from conftest import REPO, copy_project

FRICTIONLESS = Path(sys.executable).parent / "frictionless"
JSONL = "build/articles.jsonl"
PARQUET = "build/articles.parquet"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COMPARED = ("id", "title", "text", "authors", "published_at")
Row = dict[str, Any]


def built(project: Path, run: Callable[..., Result]) -> Path:
    result = run("build", root=project)
    assert result.exit_code == 0, result.output
    return project


def outputs(root: Path) -> dict[str, bytes]:
    """Every file a build writes (build/* and datapackage.json), by relative path."""
    files = [*sorted((root / "build").iterdir()), root / "datapackage.json"]
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in files if path.is_file()}


def jsonl_records(root: Path) -> list[Row]:
    # Split on LF only: str.splitlines() would also split inside records at U+2028 or U+0085.
    return [json.loads(line) for line in (root / JSONL).read_bytes().split(b"\n") if line]


def comparable(row: Row) -> Row:
    """The compared fields, with published_at as an aware datetime (an instant) and authors as a list."""
    moment = row["published_at"]
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    elif isinstance(moment, int):  # DuckDB: microseconds since the epoch
        moment = EPOCH + timedelta(microseconds=moment)
    elif isinstance(moment, pd.Timestamp):
        moment = moment.to_pydatetime()
    assert isinstance(moment, datetime)
    assert moment.tzinfo is not None, f"published_at {moment!r} lost its time zone"
    return {
        "id": row["id"],
        "title": row["title"],
        "text": row["text"],
        "authors": [str(author) for author in row["authors"]],
        "published_at": moment,
    }


def pandas_parquet(root: Path) -> list[Row]:
    return pd.read_parquet(root / PARQUET).to_dict(orient="records")


def pandas_jsonl(root: Path) -> list[Row]:
    return pd.read_json(root / JSONL, lines=True).to_dict(orient="records")


def _duckdb(query: str) -> list[Row]:
    # epoch_us: fetching TIMESTAMP WITH TIME ZONE as Python objects would need pytz.
    with duckdb.connect() as connection:
        relation = connection.sql(query)
        return [dict(zip(relation.columns, values, strict=True)) for values in relation.fetchall()]


def duckdb_parquet(root: Path) -> list[Row]:
    path = (root / PARQUET).as_posix()
    return _duckdb(
        f"select id, title, text, authors, epoch_us(published_at) as published_at from read_parquet('{path}')"
    )


def duckdb_jsonl(root: Path) -> list[Row]:
    path = (root / JSONL).as_posix()
    return _duckdb(
        f"select id, title, text, authors, epoch_us(published_at) as published_at from read_json_auto('{path}')"
    )


def pyarrow_parquet(root: Path) -> list[Row]:
    return pq.read_table(root / PARQUET).to_pylist()


READERS = [pandas_parquet, pandas_jsonl, duckdb_parquet, duckdb_jsonl, pyarrow_parquet]


def test_frictionless_cli_reports_the_built_package_valid(project: Path, run: Callable[..., Result]) -> None:
    """After build, the real `frictionless validate datapackage.json` exits 0 and says the package is valid."""
    built(project, run)
    completed = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
        cwd=project, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = json.loads(completed.stdout)
    assert report["valid"] is True, report["errors"]
    names = [
        "articles-jsonl",
        "articles-parquet",
        "rejects",
        "build-report",
        "license",
        "croissant",
        "citation",
        "card",
    ]
    assert {task["name"]: task["valid"] for task in report["tasks"]} == dict.fromkeys(names, True)
    stats = {task["name"]: task["stats"].get("rows") for task in report["tasks"]}
    records = len((project / "build" / "articles.jsonl").read_bytes().splitlines())
    assert (stats["articles-jsonl"], stats["articles-parquet"]) == (records, records)  # the declared counts hold


def test_frictionless_python_api_reports_the_built_package_valid(project: Path, run: Callable[..., Result]) -> None:
    """After build, frictionless.validate() on datapackage.json returns a valid report for every resource."""
    built(project, run)
    report = frictionless.validate(str(project / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])
    expected = [
        "articles-jsonl",
        "articles-parquet",
        "build-report",
        "card",
        "citation",
        "croissant",
        "license",
        "rejects",
    ]
    assert sorted(task.name for task in report.tasks) == expected


@pytest.mark.parametrize("reader", READERS, ids=lambda reader: reader.__name__)
def test_readers_get_the_jsonl_records_back(
    project: Path, run: Callable[..., Result], reader: Callable[[Path], list[Row]]
) -> None:
    """pandas, DuckDB and pyarrow read the same ids, titles, texts, authors and instants as the JSONL, in order."""
    built(project, run)
    expected = [comparable(row) for row in jsonl_records(project)]
    assert expected, "the build wrote no records"
    assert [comparable(row) for row in reader(project)] == expected


def test_parquet_timestamps_are_utc_microseconds(project: Path, run: Callable[..., Result]) -> None:
    """The Parquet timestamp columns are timestamp[us, tz=UTC] holding the JSONL's instants."""
    built(project, run)
    table = pq.read_table(project / PARQUET)
    assert str(table.schema.field("published_at").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("modified_at").type) == "timestamp[us, tz=UTC]"
    for row, record in zip(table.to_pylist(), jsonl_records(project), strict=True):
        for key in ("published_at", "modified_at"):
            expected = datetime.fromisoformat(record[key]) if record[key] is not None else None
            assert row[key] == expected, (record["id"], key)


def test_rebuild_gives_byte_identical_outputs(
    project: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building twice from the same inputs gives byte-identical build/* and datapackage.json."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = outputs(built(project, run))
    second = outputs(built(project, run))
    assert set(first) >= {JSONL, PARQUET, "build/rejects.jsonl", "build/report.json", "datapackage.json"}
    assert first == second


def test_build_in_another_folder_gives_byte_identical_outputs(
    project: Path, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of the inputs built elsewhere gives the same bytes: no absolute path leaks into the outputs."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    elsewhere = copy_project(project, tmp_path / "elsewhere" / project.name)
    assert outputs(built(project, run)) == outputs(built(elsewhere, run))


def test_rebuild_with_source_date_epoch_is_byte_identical_and_has_created(
    project: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SOURCE_DATE_EPOCH set, two builds are byte-identical and `created` is that moment, in UTC."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = outputs(built(project, run))
    second = outputs(built(project, run))
    assert first == second
    descriptor = json.loads(first["datapackage.json"])
    assert descriptor["created"] == "2023-11-14T22:13:20Z"


def test_without_source_date_epoch_the_descriptor_has_no_created(
    project: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without SOURCE_DATE_EPOCH the descriptor has no `created`: nothing in it comes from the clock."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    descriptor = json.loads(outputs(built(project, run))["datapackage.json"])
    assert "created" not in descriptor


def test_build_check_passes_on_a_fresh_build(project: Path, run: Callable[..., Result]) -> None:
    """`build --check` exits 0 and names no file right after a build of the same inputs."""
    built(project, run)
    before = outputs(project)
    result = run("build", "--check", root=project)
    assert result.exit_code == 0, result.output
    assert "differs" not in result.stdout
    assert outputs(project) == before, "build --check must write nothing"


def test_build_check_names_stale_outputs_after_a_raw_file_changes(project: Path, run: Callable[..., Result]) -> None:
    """`build --check` exits 1 and names build/articles.jsonl once a raw file's bytes change after the build."""
    built(project, run)
    before = outputs(project)
    raw = sorted((project / "raw" / "finews").glob("000_*.txt"))
    assert len(raw) == 1
    with raw[0].open("ab") as file:
        file.write("\n\n追加的一段正文，用来改变原始文件的字节。\n".encode())
    result = run("build", "--check", root=project)
    assert result.exit_code == 1, result.output
    stale = [line.split(":", 1)[0] for line in result.stdout.splitlines() if "differs from a rebuild" in line]
    assert JSONL in stale
    assert "datapackage.json" in stale
    assert outputs(project) == before, "build --check must write nothing"


def test_build_check_passes_on_the_repository(run: Callable[..., Result]) -> None:
    """`build --check` on this repository exits 0: the committed build/ and datapackage.json are up to date."""
    before = outputs(REPO)
    result = run("build", "--check", root=REPO)
    assert result.exit_code == 0, result.output
    assert outputs(REPO) == before, "build --check must write nothing"


def test_jsonl_lines_have_every_schema_key_in_schema_order(project: Path, run: Callable[..., Result]) -> None:
    """Every JSONL line is an object with every schema key (base, then extensions' new ones) in schema order."""
    built(project, run)
    schema_dir = project / "schema"
    keys = list(json.loads((schema_dir / "article.schema.json").read_text(encoding="utf-8"))["properties"])
    for extension in sorted((schema_dir / "sources").glob("*.schema.json")):
        extra = json.loads(extension.read_text(encoding="utf-8")).get("properties", {})
        keys += [key for key in extra if key not in keys]
    records = jsonl_records(project)
    assert records
    for number, record in enumerate(records, start=1):
        assert list(record) == keys, f"line {number}"


def test_jsonl_bytes_are_utf8_lf_without_bom_or_blank_lines(project: Path, run: Callable[..., Result]) -> None:
    """The JSONL is UTF-8 without BOM, has no CR, ends with exactly one LF and has no blank line."""
    built(project, run)
    data = (project / JSONL).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data
    assert data.endswith(b"\n")
    assert not data.endswith(b"\n\n")
    data.decode("utf-8")  # strict: raises on any invalid byte
    assert all(line.strip() for line in data[:-1].split(b"\n"))
