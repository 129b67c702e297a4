"""schema: composing the extensions, and the Table and Arrow schemas derived from the JSON Schema."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest
from click.testing import Result

from conftest import REPO
from newspkg.codec import local_time_columns
from newspkg.config import Project
from newspkg.convert import Converter
from newspkg.discover import discover
from newspkg.issues import Issue, Severity
from newspkg.records import record_id
from newspkg.schema import SchemaSet
from newspkg.validate import RecordChecker

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SEED = "raw/finews/000_7002e876ea497e3f.txt"
LIST_COLUMNS = ("authors", "tags", "captions")


@pytest.fixture
def finews_without_url(repo_project: Project, schemas: SchemaSet) -> dict[str, Any]:
    """Seed 000 (a finews record) with its URL taken away and its id recomputed accordingly."""
    (raw,) = discover(repo_project, {SEED})
    record = copy.deepcopy(Converter(repo_project, schemas, NOW).convert(raw).record)
    assert record is not None
    assert record["source"] == "finews"
    record["url"] = None
    record["id"] = record_id(None, record["provenance"]["raw_path"])
    return record


def errors(issues: list[Issue]) -> list[tuple[str, str]]:
    return [(issue.rule, issue.pointer) for issue in issues if issue.severity is Severity.ERROR]


def test_finews_extension_requires_a_url(checker: RecordChecker, finews_without_url: dict[str, Any]) -> None:
    """A finews record with url null fails the finews extension, at /url."""
    found = errors(checker.check(finews_without_url, SEED))
    assert [pointer for _, pointer in found] == ["/url"]


def test_base_schema_allows_a_missing_url(checker: RecordChecker, finews_without_url: dict[str, Any]) -> None:
    """The same record under a source without the extension (shanxidayuan) has no error."""
    finews_without_url["source"] = "shanxidayuan"
    assert errors(checker.check(finews_without_url, SEED)) == []


def test_table_schema_has_every_field_in_record_order(schemas: SchemaSet) -> None:
    """The Table Schema's fields are the record's keys, in the JSON Schema's order."""
    names = [field["name"] for field in schemas.table_schema()["fields"]]
    assert names == list(schemas.base["properties"])
    assert names[:5] == ["id", "source", "url", "title", "text"]


def test_table_schema_published_at_is_a_datetime(schemas: SchemaSet) -> None:
    """published_at (and modified_at) are Table Schema datetimes, not strings."""
    types = {field["name"]: field["type"] for field in schemas.table_schema()["fields"]}
    assert (types["published_at"], types["modified_at"]) == ("datetime", "datetime")


def test_table_schema_for_parquet_makes_list_columns_any(schemas: SchemaSet) -> None:
    """For Parquet, list and struct columns are `any` (frictionless fails `array` columns read from Parquet)."""
    types = {field["name"]: field["type"] for field in schemas.table_schema(parquet=True)["fields"]}
    assert [types[name] for name in (*LIST_COLUMNS, "provenance")] == ["any"] * 4


def test_table_schema_for_jsonl_keeps_array_columns(schemas: SchemaSet) -> None:
    """For JSONL, list columns stay `array`."""
    types = {field["name"]: field["type"] for field in schemas.table_schema()["fields"]}
    assert [types[name] for name in LIST_COLUMNS] == ["array"] * 3


def test_arrow_timestamps_are_utc(schemas: SchemaSet) -> None:
    """published_at and modified_at are timestamps with time zone UTC."""
    arrow = schemas.arrow_schema()
    for name in ("published_at", "modified_at"):
        assert pa.types.is_timestamp(arrow.field(name).type)
        assert arrow.field(name).type.tz == "UTC"


def test_arrow_list_columns_are_lists_of_strings(schemas: SchemaSet) -> None:
    """authors, tags and captions are list<string>."""
    arrow = schemas.arrow_schema()
    assert [arrow.field(name).type for name in LIST_COLUMNS] == [pa.list_(pa.string())] * 3


def test_arrow_provenance_is_a_struct(schemas: SchemaSet) -> None:
    """provenance is a struct whose fields are the JSON Schema's provenance properties, in order."""
    provenance = schemas.arrow_schema().field("provenance").type
    assert pa.types.is_struct(provenance)
    assert [provenance.field(i).name for i in range(provenance.num_fields)] == list(
        schemas.base["properties"]["provenance"]["properties"]
    )


def test_arrow_schema_has_every_field_in_record_order(schemas: SchemaSet) -> None:
    """The Arrow schema's columns are the record's keys, in order, each date-time field followed by
    its local time (a timestamp without zone)."""
    arrow = schemas.arrow_schema()
    expected = []
    for key in schemas.base["properties"]:
        expected += [key, f"{key}_local"] if key in ("published_at", "modified_at") else [key]
    assert arrow.names == expected
    assert arrow.field("published_at_local").type == pa.timestamp("us")
    assert local_time_columns(arrow) == {"published_at_local": "published_at", "modified_at_local": "modified_at"}


def test_arrow_fields_carry_the_json_schema_descriptions(schemas: SchemaSet) -> None:
    """Every Parquet column says what it holds: its JSON Schema description, in the field's metadata."""
    arrow = schemas.arrow_schema()
    title = arrow.field("title").metadata[b"description"].decode()
    assert title == schemas.base["properties"]["title"]["description"]
    assert all(field.metadata and field.metadata.get(b"description") for field in arrow)


def test_schema_markdown_has_a_row_per_field(run: Callable[..., Result], schemas: SchemaSet) -> None:
    """`newspkg schema --format markdown` prints one table row for each record field."""
    result = run("schema", "--format", "markdown", root=REPO)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for key in schemas.base["properties"]:
        assert sum(line.startswith(f"| `{key}` |") for line in lines) == 1, key
