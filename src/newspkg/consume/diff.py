"""What changed between two published packages, for release notes and release guards: which records
were added, removed or changed (and in which fields), and how the record schema changed.

Records are matched by ``id``. The old package's JSONL file is read once into a map of id → digest
of its line and the line's offset; the new one is then streamed past it. Only a record whose line
differs is decoded on both sides (the old line read again at its offset) to name the fields that
differ: decoded values are compared, so a line written with other key order or escapes is
unchanged. Memory holds the old package's ids, not its records, and the lists of ids reported.

Schema changes are classified by :mod:`newspkg.consume.schema_diff` (its docstring has the rules).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from newspkg import package, resources
from newspkg.consume.descriptor import DESCRIPTOR, descriptor_file, load_descriptor, readable_file, resource_named
from newspkg.consume.schema_diff import (
    SchemaChange,
    extension_added,
    extension_changes,
    extension_removed,
    same_json,
    schema_changes,
    table_schema_changes,
)
from newspkg.consume.spans import MAX_LINE_BYTES
from newspkg.errors import PackageError
from newspkg.schema import BASE_FILE, EXTENSION_SUFFIX, SOURCES_DIR, SchemaSet, load_package_schemas

JSONL_RESOURCE = resources.JSONL.name
DEFAULT_MAX_RECORDS = 20
DIGEST_BYTES = 16
MATCHED = b""  # an old record the new package also has


@dataclass(frozen=True)
class RecordSummary:
    """What release notes say of a record besides its id."""

    title: str | None
    source: str | None
    url: str | None

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> RecordSummary:
        def text(key: str) -> str | None:
            value = record.get(key)
            return value if isinstance(value, str) else None

        return cls(text("title"), text("source"), text("url"))


@dataclass(frozen=True, order=True)
class RecordChange:
    id: str
    fields: tuple[str, ...]  # sorted; an object field's sub-keys as ``provenance.raw_sha256``

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "fields": list(self.fields)}


@dataclass(frozen=True)
class Side:
    """One package as the diff saw it."""

    descriptor: Path
    name: str | None
    version: str | None
    records: int

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.name, self.version) if part) or str(self.descriptor)

    def to_dict(self) -> dict[str, Any]:
        return {"package": str(self.descriptor), "name": self.name, "version": self.version, "records": self.records}


@dataclass(frozen=True)
class PackageDiff:
    old: Side
    new: Side
    added: list[str]  # ids, sorted
    removed: list[str]
    changed: list[RecordChange]  # by id
    unchanged: int
    schema_changes: list[SchemaChange]
    # Title, source and URL of the first records of each kind (by id), as many as were asked for.
    summaries: dict[str, RecordSummary] = field(default_factory=dict)

    @property
    def breaking(self) -> list[SchemaChange]:
        return [change for change in self.schema_changes if change.breaking]

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, every id included, in a fixed key order."""
        return {
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "records": self.counts(),
            "breaking": bool(self.breaking),
            "schema_changes": [change.to_dict() for change in self.schema_changes],
            "added": self.added,
            "removed": self.removed,
            "changed": [change.to_dict() for change in self.changed],
        }


@dataclass(frozen=True)
class Package:
    """A published package opened for a diff: its descriptor, its records file, its schemas."""

    descriptor_path: Path
    descriptor: dict[str, Any]
    jsonl: Path
    schemas: SchemaSet

    @property
    def root(self) -> Path:
        return self.descriptor_path.parent

    def schema_file(self, extension: str | None) -> str:
        return self.schemas.path_of(extension).relative_to(self.root).as_posix()


# -- opening a package ----------------------------------------------------------------------------


def open_package(path: Path, which: str) -> Package:
    """The package whose folder or descriptor is ``path``; ``which`` ("old", "new") names it in errors.

    Raises :class:`~newspkg.errors.PackageError` when its descriptor, its JSONL resource or its
    record schema cannot be read, or a path it names leaves the package."""
    descriptor_path = descriptor_file(path)
    try:
        descriptor = load_descriptor(descriptor_path)
    except PackageError as error:
        raise PackageError(f"{which} package: {error}") from None
    root = descriptor_path.parent
    return Package(
        descriptor_path=descriptor_path,
        descriptor=descriptor,
        jsonl=_jsonl_path(root, descriptor, f"{which} package: {descriptor_path}"),
        schemas=_schemas(root, descriptor, f"{which} package: {descriptor_path}"),
    )


def _jsonl_path(root: Path, descriptor: dict[str, Any], where: str) -> Path:
    found = resource_named(descriptor, JSONL_RESOURCE)
    if found is None:
        raise PackageError(f"{where}: no resource named {JSONL_RESOURCE!r}: no records to compare")
    return _safe_file(root, found.get("path"), where, "resource path")


def _schemas(root: Path, descriptor: dict[str, Any], where: str) -> SchemaSet:
    """The record schema where ``newspkg:schemas`` says (else schema/article.schema.json), and the
    extensions beside it in sources/, every path checked before it is read."""
    shipped = descriptor.get(package.SCHEMAS)
    record = shipped.get("record") if isinstance(shipped, dict) else None
    value = record if isinstance(record, str) else f"schema/{BASE_FILE}"
    record_path = _safe_file(root, value, where, "schema path")
    if record_path.name != BASE_FILE:
        raise PackageError(f"{where}: the record schema {value!r} must be named {BASE_FILE}")
    sources = record_path.parent / SOURCES_DIR
    for extension in sorted(sources.glob(f"*{EXTENSION_SUFFIX}")) if sources.is_dir() else []:
        _safe_file(root, extension.relative_to(root).as_posix(), where, "schema path")
    return load_package_schemas(record_path.parent)


def _safe_file(root: Path, value: Any, where: str, what: str) -> Path:
    path, why = readable_file(root, value, what)
    if path is None:
        raise PackageError(f"{where}: {why}")
    return path


# -- the diff -------------------------------------------------------------------------------------


def diff_packages(old_path: Path, new_path: Path, summarised: int = DEFAULT_MAX_RECORDS) -> PackageDiff:
    """Compare the package at ``old_path`` with the one at ``new_path`` (each a folder or its descriptor);
    the first ``summarised`` records of each kind (0: all) come with their title, source and URL."""
    old, new = open_package(old_path, "old"), open_package(new_path, "new")
    records = compare_records(old.jsonl, new.jsonl)
    return PackageDiff(
        old=_side(old, records.old_count),
        new=_side(new, records.new_count),
        added=records.added,
        removed=records.removed,
        changed=records.changed,
        unchanged=records.unchanged,
        schema_changes=package_schema_changes(old, new),
        summaries=_summaries(records, old.jsonl, new.jsonl, summarised),
    )


def _summaries(records: RecordsDiff, old_jsonl: Path, new_jsonl: Path, most: int) -> dict[str, RecordSummary]:
    """Title, source and URL of the first ``most`` (0: all, less than 0: none) added, removed and
    changed records, each line read again at its offset: the diff keeps offsets, not records."""
    if most < 0:
        return {}
    changed = [change.id for change in records.changed]
    wanted = [
        (new_jsonl, records.new_offsets, records.added),
        (old_jsonl, records.old_offsets, records.removed),
        (new_jsonl, records.new_offsets, changed),
    ]
    summaries: dict[str, RecordSummary] = {}
    for path, offsets, ids in wanted:
        with path.open("rb") as file:
            for rid in ids if most == 0 else ids[:most]:
                file.seek(offsets[rid])
                line = file.readline(MAX_LINE_BYTES + 1).rstrip(b"\r\n")  # bounded when it was first read
                summaries[rid] = RecordSummary.of(_decode(line, path, 0))
    return summaries


def _side(opened: Package, records: int) -> Side:
    def text(key: str) -> str | None:
        value = opened.descriptor.get(key)
        return value if isinstance(value, str) else None

    return Side(opened.descriptor_path, text("name"), text("version"), records)


@dataclass(frozen=True)
class RecordsDiff:
    old_count: int
    new_count: int
    added: list[str]
    removed: list[str]
    changed: list[RecordChange]
    unchanged: int
    old_offsets: dict[str, int]  # where each removed record's line begins
    new_offsets: dict[str, int]  # where each added or changed record's line begins


def compare_records(old_jsonl: Path, new_jsonl: Path) -> RecordsDiff:
    """Match two JSONL files' records by id; name the fields of each record that changed."""
    index = _index(old_jsonl)
    old_count, new_count, unchanged = len(index), 0, 0
    added: list[str] = []
    changed: list[RecordChange] = []
    new_offsets: dict[str, int] = {}
    with old_jsonl.open("rb") as old_file, new_jsonl.open("rb") as new_file:
        for number, offset, body in _lines(new_file, new_jsonl):
            new_count += 1
            record = _decode(body, new_jsonl, number)
            rid = record["id"]
            entry = index.get(rid)
            if entry is None:
                added.append(rid)
                new_offsets[rid] = offset
                continue
            if entry == MATCHED:
                raise PackageError(f"{new_jsonl}: line {number}: id {rid} occurs more than once")
            index[rid] = MATCHED
            if entry[:DIGEST_BYTES] == _digest(body):
                unchanged += 1
                continue
            old_file.seek(int.from_bytes(entry[DIGEST_BYTES:], "big"))
            old_body = old_file.readline(MAX_LINE_BYTES + 1).rstrip(b"\r\n")  # bounded when it was indexed
            fields = changed_fields(_decode(old_body, old_jsonl, 0), record)
            if fields:
                changed.append(RecordChange(rid, fields))
                new_offsets[rid] = offset
            else:
                unchanged += 1
    added.sort()
    repeated = next((a for a, b in itertools.pairwise(added) if a == b), None)
    if repeated is not None:
        raise PackageError(f"{new_jsonl}: id {repeated} occurs more than once")
    removed = sorted(rid for rid, entry in index.items() if entry != MATCHED)
    old_offsets = {rid: int.from_bytes(index[rid][DIGEST_BYTES:], "big") for rid in removed}
    return RecordsDiff(old_count, new_count, added, removed, sorted(changed), unchanged, old_offsets, new_offsets)


def _index(jsonl: Path) -> dict[str, bytes]:
    """id → the digest of its line, then the line's offset (8 bytes): all the diff keeps of a record."""
    index: dict[str, bytes] = {}
    with jsonl.open("rb") as file:
        for number, offset, body in _lines(file, jsonl):
            rid = _decode(body, jsonl, number)["id"]
            if rid in index:
                raise PackageError(f"{jsonl}: line {number}: id {rid} occurs more than once")
            index[rid] = _digest(body) + offset.to_bytes(8, "big")
    return index


def _lines(file: BinaryIO, path: Path) -> Iterator[tuple[int, int, bytes]]:
    """(line number, offset, line without its end) for every non-blank line, each read with a bound."""
    offset = 0
    number = 0
    while line := file.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(line) > MAX_LINE_BYTES:
            raise PackageError(f"{path}: line {number} is longer than {MAX_LINE_BYTES} bytes")
        body = line.rstrip(b"\r\n")
        if body.strip():
            yield number, offset, body
        offset += len(line)


def _decode(body: bytes, path: Path, number: int) -> dict[str, Any]:
    where = f"{path}: line {number}" if number else f"{path}"
    try:
        record = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise PackageError(f"{where}: not valid JSON ({error}): run newspkg verify on the package") from None
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise PackageError(f"{where}: not a record with a string id: run newspkg verify on the package")
    return record


def _digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=DIGEST_BYTES).digest()


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    """The top-level fields whose values differ (an object field's differing sub-keys as
    ``field.key``), sorted. A field on one side only differs; ``1`` and ``true`` differ."""
    names: list[str] = []
    for key in old.keys() | new.keys():
        if key not in old or key not in new:
            names.append(key)
        elif not same_json(old[key], new[key]):
            before, after = old[key], new[key]
            if isinstance(before, dict) and isinstance(after, dict):
                names += [f"{key}.{sub}" for sub in before.keys() | after.keys() if not _same_key(before, after, sub)]
            else:
                names.append(key)
    return tuple(sorted(names))


def _same_key(old: Mapping[str, Any], new: Mapping[str, Any], key: str) -> bool:
    return key in old and key in new and same_json(old[key], new[key])


# -- schema changes -------------------------------------------------------------------------------


def package_schema_changes(old: Package, new: Package) -> list[SchemaChange]:
    """The record schema's changes, then each extension's, then the descriptor's Table Schemas'."""
    changes = _in_file(new.schema_file(None), schema_changes(old.schemas.base, new.schemas.base))
    for name in sorted(old.schemas.extensions.keys() | new.schemas.extensions.keys()):
        if name not in new.schemas.extensions:
            changes += _in_file(old.schema_file(name), [extension_removed(name, old.schemas.extensions[name])])
        elif name not in old.schemas.extensions:
            changes += _in_file(new.schema_file(name), [extension_added(name, new.schemas.extensions[name])])
        else:
            found = extension_changes(old.schemas, new.schemas, name)
            changes += _in_file(new.schema_file(name), found)
    return changes + _in_file(DESCRIPTOR, table_schema_changes(old.descriptor, new.descriptor))


def _in_file(file: str, changes: Iterable[SchemaChange]) -> list[SchemaChange]:
    return sorted(replace(change, file=file) for change in changes)
