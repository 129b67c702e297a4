"""Check a published package as a consumer would: descriptor, both resources' bytes and hash,
every record against the shipped schema and the rules, and JSONL and Parquet holding the same records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from newspkg import package
from newspkg.errors import PackageError
from newspkg.issues import Issue, Severity
from newspkg.records import id_of
from newspkg.schema import SchemaSet, load_schemas
from newspkg.validate import RecordChecker
from newspkg.write import recover

BATCH_ROWS = 4096


@dataclass
class PackageReport:
    issues: list[Issue] = field(default_factory=list)
    records: int = 0

    def add(self, file: str, rule: str, message: str, record_id: str = "", pointer: str = "", line: int = 0) -> None:
        self.issues.append(Issue(file, record_id, pointer, rule, message, Severity.ERROR, line))


def check_package(descriptor_path: Path, now: datetime | None = None) -> PackageReport:
    root = descriptor_path.parent
    recover(root / package.JOURNAL_PATH)  # a build killed while committing its outputs: finish it first
    descriptor = _load(descriptor_path)
    report = PackageReport()
    _check_profile(descriptor, descriptor_path, report)
    resources = {str(r.get("name")): r for r in descriptor.get("resources", []) if isinstance(r, dict)}
    paths = {}
    for name in ("articles-jsonl", "articles-parquet"):
        resource = resources.get(name)
        if resource is None:
            report.add(descriptor_path.name, "package:resource", f"resource {name!r} is missing")
            continue
        path = _safe_path(root, resource.get("path"), descriptor_path.name, report)
        if path is not None and _check_file(path, resource, report):
            paths[name] = path
    schemas, extension_of = _schemas(root, descriptor, descriptor_path.name, report)
    if schemas is None or "articles-jsonl" not in paths:
        return report
    checker = RecordChecker(schemas, extension_of, now)
    jsonl_name = resources["articles-jsonl"]["path"]
    parquet = paths.get("articles-parquet")
    _check_records(paths["articles-jsonl"], jsonl_name, parquet, resources, schemas, checker, report)
    return report


def _load(path: Path) -> dict[str, Any]:
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(f"{path} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PackageError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(descriptor, dict):
        raise PackageError(f"{path} is not a JSON object")
    return descriptor


def _check_profile(descriptor: dict[str, Any], path: Path, report: PackageReport) -> None:
    import frictionless  # imported here: it is slow to import and only this check needs it

    # Validate a copy without paths to data: the profile check must not read or fetch anything.
    shallow = {**descriptor, "resources": [{**r, "path": "x.jsonl"} for r in descriptor.get("resources", [])]}
    result = frictionless.Package.validate_descriptor(shallow, basepath=str(path.parent))
    for error in result.flatten(["type", "message"]):
        report.add(path.name, f"package:{error[0]}", error[1])


def _safe_path(root: Path, value: Any, where: str, report: PackageReport) -> Path | None:
    """A resource path must stay inside the package: relative, no .., no ~, no link leading out."""
    if not isinstance(value, str) or not value:
        report.add(where, "package:path", f"resource path {value!r} is not a relative path")
        return None
    if "://" in value or value.startswith(("/", "~", "\\")) or ".." in value.split("/"):
        report.add(where, "package:path", f"resource path {value!r} leaves the package")
        return None
    path = root / value
    if not path.resolve().is_relative_to(root.resolve()):
        report.add(where, "package:path", f"resource path {value!r} leads out of the package through a link")
        return None
    return path


def _check_file(path: Path, resource: dict[str, Any], report: PackageReport) -> bool:
    name = resource["path"]
    if not path.is_file():
        report.add(name, "resource:missing", f"{name} does not exist")
        return False
    facts = package.file_facts(path)
    declared = resource.get("bytes", resource.get(package.PARQUET_BYTES))
    if declared != facts.bytes:
        report.add(name, "resource:bytes", f"{name} has {facts.bytes} bytes, the descriptor says {declared}")
    if resource.get("hash") != f"sha256:{facts.sha256}":
        report.add(
            name, "resource:hash", f"{name} has sha256 {facts.sha256}, the descriptor says {resource.get('hash')}"
        )
    return True


def _schemas(
    root: Path, descriptor: dict[str, Any], where: str, report: PackageReport
) -> tuple[SchemaSet | None, dict[str, str | None]]:
    shipped = descriptor.get(package.SCHEMAS)
    if not isinstance(shipped, dict) or not isinstance(shipped.get("record"), str):
        report.add(where, "package:schema", f"{package.SCHEMAS} must name the record schema the package ships")
        return None, {}
    record_path = _safe_path(root, shipped["record"], where, report)
    if record_path is None:
        return None, {}
    try:
        schemas = load_schemas(record_path.parent)
    except Exception as error:  # a broken shipped schema is a finding about the package
        report.add(where, "package:schema", str(error))
        return None, {}
    extension_of = {
        source: Path(path).name.removesuffix(".schema.json") for source, path in shipped.get("sources", {}).items()
    }
    return schemas, extension_of  # type: ignore[return-value]


def _check_records(
    jsonl_path: Path,
    jsonl_name: str,
    parquet_path: Path | None,
    resources: dict[str, dict[str, Any]],
    schemas: SchemaSet,
    checker: RecordChecker,
    report: PackageReport,
) -> None:
    keys = list(schemas.keys)
    seen: dict[str, int] = {}
    rows = _parquet_rows(parquet_path, schemas, resources["articles-parquet"]["path"], report) if parquet_path else None
    for line, record in _jsonl_records(jsonl_path, jsonl_name, report):
        report.records += 1
        rid = id_of(record)
        if list(record) != keys:
            report.add(jsonl_name, "record:keys", "keys are not the schema's fields in schema order", rid, "", line)
        report.issues.extend(checker.check(record, jsonl_name, line))
        if rid in seen:
            report.add(jsonl_name, "unique-id", f"id {rid} is also on line {seen[rid]}", rid, "/id", line)
        seen.setdefault(rid, line)
        if rows is not None:
            _compare_row(record, next(rows, None), resources["articles-parquet"]["path"], line, report)
    if rows is not None and next(rows, None) is not None:
        report.add(
            resources["articles-parquet"]["path"], "parquet:rows", "the Parquet file has more rows than the JSONL file"
        )


def _jsonl_records(path: Path, name: str, report: PackageReport) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as file:
        for line, raw in enumerate(file, start=1):
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError as error:
                report.add(name, "jsonl:syntax", f"line {line} is not JSON: {error}", line=line)
                continue
            if not isinstance(record, dict):
                report.add(name, "jsonl:syntax", f"line {line} is not a JSON object", line=line)
                continue
            yield line, record


def _parquet_rows(path: Path, schemas: SchemaSet, name: str, report: PackageReport) -> Iterator[dict[str, Any]] | None:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        report.add(name, "parquet:unreadable", f"{name} cannot be read as Parquet: {error}")
        return None
    expected = schemas.arrow_schema()
    if not parquet.schema_arrow.equals(expected):
        report.add(name, "parquet:schema", f"{name} does not have the Arrow schema derived from the record schema")
        return None
    return _iter_batches(parquet, name, report)


def _iter_batches(parquet: pq.ParquetFile, name: str, report: PackageReport) -> Iterator[dict[str, Any]]:
    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            yield from batch.to_pylist()
    except (pa.ArrowException, OSError, ValueError) as error:  # ValueError: damaged UTF-8 in a column
        report.add(name, "parquet:unreadable", f"{name} is damaged: {error}")


def _compare_row(
    record: dict[str, Any], row: dict[str, Any] | None, name: str, line: int, report: PackageReport
) -> None:
    rid = id_of(record)
    if row is None:
        report.add(name, "parquet:rows", f"the Parquet file has no row for JSONL line {line}", rid)
        return
    for key, value in record.items():
        if not _same_value(value, row.get(key)):
            report.add(name, "parquet:mismatch", f"{key} differs from JSONL line {line}", rid, f"/{key}", line)


def _same_value(jsonl_value: Any, parquet_value: Any) -> bool:
    if isinstance(parquet_value, datetime) and isinstance(jsonl_value, str):
        try:
            return datetime.fromisoformat(jsonl_value) == parquet_value
        except ValueError:
            return False
    return bool(jsonl_value == parquet_value)
