"""What changed between two published packages, for release notes and release guards: which records
were added, removed or changed (and in which fields), and how the record schema changed.

Records are matched by ``id``. The old package's JSONL file is read once into a map of id → digest
of its line and the line's offset; the new one is then streamed past it. Only a record whose line
differs is decoded on both sides (the old line read again at its offset) to name the fields that
differ: decoded values are compared, so a line written with other key order or escapes is
unchanged. Memory holds the old package's ids, not its records, and the lists of ids reported.

Schema changes are judged from the side of a data user whose code reads the old release: a change is
**breaking** when that code may fail, or silently lose data, on the new one. The rules:

==============================  ===========  ===========================================================
kind                            breaking     when
==============================  ===========  ===========================================================
field-removed                   yes          a field is gone (a rename shows as removed + added)
field-added                     no           a new field: code that does not know it is unaffected
type-changed                    yes          its types other than null differ, narrowed or widened
nullable-added                  yes          it may now be null where it never was
nullable-removed                no           it is never null any more
required-removed                yes          it may now be missing from a record
required-added                  no           it is now always there
enum-value-removed              yes          a value readers select or map by no longer occurs
enum-value-added                no           a new value (code with exhaustive matches should look)
format-added, -removed,         date-time    ``date-time`` decides whether Parquet and Table Schema
-changed                        only         readers get timestamps or strings; other formats are
                                             constraints
constraint-tightened            no           e.g. a larger minLength, a new pattern or enum
constraint-loosened             no           e.g. a larger maxLength: the same types, fewer limits
constraint-changed              no           e.g. another pattern
description-changed             no           and annotation-changed: title, examples, $id, ...
keyword-changed                 yes          any other keyword (anyOf, $ref, ...): not classified,
                                             so review it
extension-added                 no           a source gained an extension (it can only add and narrow)
extension-removed               yes          a source's extension is gone, and what it declared
resource-added, -removed        no, yes      a resource of the descriptor
==============================  ===========  ===========================================================

A narrowed type and a removed enum value count although no value the old code could not handle
appears: something it relied on (integers in the field, rows with that value) is gone. Null dropped
or a constraint tightened takes nothing away: the values left are ones the old code handled.

Compared are ``schema/article.schema.json`` (where ``newspkg:schemas`` puts it) and the extensions in
``schema/sources/`` matched by file name. An extension's fields are compared as a reader of that
source's records sees them: its declarations over the base's (types intersected), so dropping an
extension's ``url: string`` over the base's ``string or null`` is ``nullable-added``. Then the Table
Schema fields of each resource of the descriptor, matched by resource name: a field removed, its type
changed or its ``required`` constraint dropped is breaking there as well.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from newspkg import package
from newspkg.consume.descriptor import load_descriptor, path_problem
from newspkg.consume.spans import MAX_LINE_BYTES
from newspkg.errors import PackageError
from newspkg.schema import BASE_FILE, EXTENSION_SUFFIX, SOURCES_DIR, SchemaSet, load_package_schemas

DESCRIPTOR = "datapackage.json"
JSONL_RESOURCE = "articles-jsonl"
DEFAULT_MAX_RECORDS = 20
DIGEST_BYTES = 16
MATCHED = b""  # an old record the new package also has

ANNOTATIONS = frozenset(
    {"$schema", "$id", "$anchor", "$comment", "title", "description", "examples", "default", "deprecated",
     "readOnly", "writeOnly", "contentMediaType", "contentEncoding"}
)  # fmt: skip
LOWER_BOUNDS = frozenset({"minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties"})
UPPER_BOUNDS = frozenset({"maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties"})
CLOSING = frozenset({"additionalProperties", "unevaluatedProperties"})  # false: no other keys
CONSTRAINTS = LOWER_BOUNDS | UPPER_BOUNDS | CLOSING | {"pattern", "multipleOf", "uniqueItems", "propertyNames"}
HANDLED = frozenset({"type", "enum", "const", "format", "properties", "required", "items"})
DATE_TIME = "date-time"


@dataclass(frozen=True, order=True)
class RecordChange:
    id: str
    fields: tuple[str, ...]  # sorted; an object field's sub-keys as ``provenance.raw_sha256``

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "fields": list(self.fields)}


@dataclass(frozen=True, order=True)
class SchemaChange:
    file: str  # relative to the package: schema/article.schema.json, schema/sources/x.schema.json, datapackage.json
    path: str  # dotted: properties.provenance.properties.raw_sha256 (a field), properties.title.maxLength (a keyword)
    kind: str
    breaking: bool
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "path": self.path,
            "kind": self.kind,
            "breaking": self.breaking,
            "explanation": self.explanation,
        }


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
    descriptor_path = path / DESCRIPTOR if path.is_dir() else path
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
    resources = descriptor.get("resources")
    listed = [r for r in resources if isinstance(r, dict)] if isinstance(resources, list) else []
    found = [r for r in listed if r.get("name") == JSONL_RESOURCE]
    if not found:
        raise PackageError(f"{where}: no resource named {JSONL_RESOURCE!r}: no records to compare")
    return _safe_file(root, found[0].get("path"), where, "resource path")


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
    problem = path_problem(root, value, strict=True, what=what)
    if problem is not None:
        raise PackageError(f"{where}: {problem[1]}")
    path = root / str(value)
    if not path.is_file():
        raise PackageError(
            f"{where}: {what} {value!r} {'is not a regular file' if path.exists() else 'does not exist'}"
        )
    return path


# -- the diff -------------------------------------------------------------------------------------


def diff_packages(old_path: Path, new_path: Path) -> PackageDiff:
    """Compare the package at ``old_path`` with the one at ``new_path`` (each a folder or its descriptor)."""
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
    )


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


def compare_records(old_jsonl: Path, new_jsonl: Path) -> RecordsDiff:
    """Match two JSONL files' records by id; name the fields of each record that changed."""
    index = _index(old_jsonl)
    old_count, new_count, unchanged = len(index), 0, 0
    added: list[str] = []
    changed: list[RecordChange] = []
    with old_jsonl.open("rb") as old_file, new_jsonl.open("rb") as new_file:
        for number, _, body in _lines(new_file, new_jsonl):
            new_count += 1
            record = _decode(body, new_jsonl, number)
            rid = record["id"]
            entry = index.get(rid)
            if entry is None:
                added.append(rid)
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
            else:
                unchanged += 1
    added.sort()
    repeated = next((a for a, b in itertools.pairwise(added) if a == b), None)
    if repeated is not None:
        raise PackageError(f"{new_jsonl}: id {repeated} occurs more than once")
    removed = sorted(rid for rid, entry in index.items() if entry != MATCHED)
    return RecordsDiff(old_count, new_count, added, removed, sorted(changed), unchanged)


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
        elif not _same(old[key], new[key]):
            before, after = old[key], new[key]
            if isinstance(before, dict) and isinstance(after, dict):
                names += [f"{key}.{sub}" for sub in before.keys() | after.keys() if not _same_key(before, after, sub)]
            else:
                names.append(key)
    return tuple(sorted(names))


def _same_key(old: Mapping[str, Any], new: Mapping[str, Any], key: str) -> bool:
    return key in old and key in new and _same(old[key], new[key])


def _same(old: Any, new: Any) -> bool:
    """Equal as JSON values: Python's ``==`` alone takes ``true`` for ``1``."""
    return bool(old == new) and orjson.dumps(old, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
        new, option=orjson.OPT_SORT_KEYS
    )


# -- schema changes -------------------------------------------------------------------------------


def package_schema_changes(old: Package, new: Package) -> list[SchemaChange]:
    """The record schema's changes, then each extension's, then the descriptor's Table Schemas'."""
    changes = _in_file(new.schema_file(None), schema_changes(old.schemas.base, new.schemas.base))
    for name in sorted(old.schemas.extensions.keys() | new.schemas.extensions.keys()):
        if name not in new.schemas.extensions:
            changes += _in_file(old.schema_file(name), [_extension_removed(name, old.schemas.extensions[name])])
        elif name not in old.schemas.extensions:
            changes += _in_file(new.schema_file(name), [_extension_added(name, new.schemas.extensions[name])])
        else:
            found = extension_changes(old.schemas, new.schemas, name)
            changes += _in_file(new.schema_file(name), found)
    return changes + _in_file(DESCRIPTOR, table_schema_changes(old.descriptor, new.descriptor))


def _in_file(file: str, changes: Iterable[SchemaChange]) -> list[SchemaChange]:
    return sorted(replace(change, file=file) for change in changes)


def _change(path: str, kind: str, breaking: bool, explanation: str) -> SchemaChange:
    return SchemaChange("", path, kind, breaking, explanation)


def schema_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[SchemaChange]:
    """How the record schema ``old`` became ``new``, each change classified (see the module's table)."""
    return list(_node_changes(old, new, "", ""))


def extension_changes(old: SchemaSet, new: SchemaSet, name: str) -> list[SchemaChange]:
    """How extension ``name`` changed, for a reader of that source's records: each field it declares
    (or requires) on either side, as the base and it declare it together."""
    before, after = old.extensions[name], new.extensions[name]
    changes = list(_node_changes(before, after, "", "", skip={"properties", "required"}))
    old_properties = _effective_properties(old.base, before)
    new_properties = _effective_properties(new.base, after)
    declared = set(before.get("properties", {})) | set(after.get("properties", {}))
    changes += _properties_changes(
        {key: value for key, value in old_properties.items() if key in declared},
        {key: value for key, value in new_properties.items() if key in declared},
        "",
        "",
    )
    changes += _required_changes(
        old_properties,
        new_properties,
        _required(old.base) | _required(before),
        _required(new.base) | _required(after),
        "",
        "",
        keys=declared | _required(before) | _required(after),
    )
    return changes


def _effective_properties(base: Mapping[str, Any], extension: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base.get("properties", {}))
    for key, own in extension.get("properties", {}).items():
        merged[key] = _effective(merged.get(key), own)
    return merged


def _effective(base: Mapping[str, Any] | None, own: Mapping[str, Any]) -> dict[str, Any]:
    """A field as allOf of the base's and the extension's declarations reads: the extension's
    keywords over the base's, the types both allow."""
    if base is None:
        return dict(own)
    merged = {**base, **own}
    both, theirs = _types(base), _types(own)
    if both is not None and theirs is not None:
        merged["type"] = sorted(both & theirs)
    return merged


def _extension_added(name: str, schema: Mapping[str, Any]) -> SchemaChange:
    fields = ", ".join(sorted(schema.get("properties", {}))) or "none"
    return _change("", "extension-added", False, f"records of {name} gain an extension (fields it declares: {fields})")


def _extension_removed(name: str, schema: Mapping[str, Any]) -> SchemaChange:
    fields = ", ".join(sorted(schema.get("properties", {}))) or "none"
    return _change(
        "", "extension-removed", True, f"records of {name} lose their extension and what it declared ({fields})"
    )


def _join(path: str, *parts: str) -> str:
    return ".".join(part for part in (path, *parts) if part)


def _node_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str, name: str, skip: Iterable[str] = ()
) -> Iterator[SchemaChange]:
    """The changes of one schema node: ``name`` is its field ("" for the record itself)."""
    skipped, label = set(skip), name or "the record"
    yield from _type_changes(old, new, path, label)
    yield from _enum_changes(old, new, path, label)
    yield from _format_changes(old, new, path, label)
    if "properties" not in skipped:
        old_properties, new_properties = old.get("properties", {}), new.get("properties", {})
        yield from _properties_changes(old_properties, new_properties, path, name)
        yield from _required_changes(old_properties, new_properties, _required(old), _required(new), path, name)
    yield from _items_changes(old, new, path, label)
    for keyword in sorted((old.keys() | new.keys()) - HANDLED - skipped):
        before, after = old.get(keyword), new.get(keyword)
        if keyword in old and keyword in new and _same(before, after):
            continue
        where = _join(path, keyword)
        if keyword in ANNOTATIONS:
            kind = "description-changed" if keyword == "description" else "annotation-changed"
            yield _change(where, kind, False, f"{label}: {keyword} changed")
        elif keyword in CONSTRAINTS:
            tighter = _tighter(keyword, before, after)
            kind = {True: "constraint-tightened", False: "constraint-loosened", None: "constraint-changed"}[tighter]
            yield _change(where, kind, False, f"{label}: {keyword} {_show(before)} → {_show(after)}")
        else:
            yield _unclassified(where, label, keyword)


def _unclassified(where: str, label: str, keyword: str) -> SchemaChange:
    return _change(where, "keyword-changed", True, f"{label}: {keyword} changed; not classified, review it")


def _types(node: Mapping[str, Any]) -> frozenset[str] | None:
    """The types a schema allows, or None for any."""
    kind = node.get("type")
    if kind is None:
        return None
    return frozenset([kind] if isinstance(kind, str) else kind)


def _show_types(types: frozenset[str] | None) -> str:
    if types is None:
        return "any"
    return " or ".join(sorted(types)) or "nothing"


def _type_changes(old: Mapping[str, Any], new: Mapping[str, Any], path: str, name: str) -> Iterator[SchemaChange]:
    before, after = _types(old), _types(new)
    if before == after:
        return
    where = _join(path, "type")
    if before is None or after is None or before - {"null"} != after - {"null"}:
        shown = [_show_types(t if t is None else t - {"null"}) for t in (before, after)]
        yield _change(where, "type-changed", True, f"{name}: type {shown[0]} → {shown[1]}")
    if before is not None and after is not None:
        if "null" in after - before:
            yield _change(where, "nullable-added", True, f"{name} may now be null")
        elif "null" in before - after:
            yield _change(where, "nullable-removed", False, f"{name} is never null any more")


def _enum_values(node: Mapping[str, Any]) -> dict[str, Any] | None:
    if "enum" in node and isinstance(node["enum"], list):
        values = node["enum"]
    elif "const" in node:
        values = [node["const"]]
    else:
        return None
    return {json.dumps(value, sort_keys=True, ensure_ascii=False): value for value in values}


def _enum_changes(old: Mapping[str, Any], new: Mapping[str, Any], path: str, name: str) -> Iterator[SchemaChange]:
    before, after = _enum_values(old), _enum_values(new)
    where = _join(path, "enum")
    if before is None and after is not None:
        yield _change(where, "constraint-tightened", False, f"{name}: limited to {len(after)} values")
    elif before is not None and after is None:
        yield _change(where, "constraint-loosened", False, f"{name}: no longer limited to a set of values")
    elif before is not None and after is not None:
        for shown in sorted(before.keys() - after.keys()):
            yield _change(where, "enum-value-removed", True, f"{name}: value {shown} no longer occurs")
        for shown in sorted(after.keys() - before.keys()):
            yield _change(where, "enum-value-added", False, f"{name}: new value {shown}")


def _format_changes(old: Mapping[str, Any], new: Mapping[str, Any], path: str, name: str) -> Iterator[SchemaChange]:
    before, after = old.get("format"), new.get("format")
    if before == after:
        return
    kind = "format-added" if before is None else "format-removed" if after is None else "format-changed"
    breaking = DATE_TIME in (before, after)
    why = ": Parquet and Table Schema readers get strings, not timestamps" if before == DATE_TIME else ""
    why = why or (": Parquet and Table Schema readers get timestamps, not strings" if after == DATE_TIME else "")
    yield _change(_join(path, "format"), kind, breaking, f"{name}: format {_show(before)} → {_show(after)}{why}")


def _required(node: Mapping[str, Any]) -> set[str]:
    required = node.get("required", [])
    return {key for key in required if isinstance(key, str)} if isinstance(required, list) else set()


def _properties_changes(old: Mapping[str, Any], new: Mapping[str, Any], path: str, name: str) -> Iterator[SchemaChange]:
    for key in sorted(old.keys() | new.keys()):
        where, field = _join(path, "properties", key), _child(name, key)
        if key not in new:
            yield _change(where, "field-removed", True, f"{field} was removed (a rename shows as removed + added)")
        elif key not in old:
            yield _change(where, "field-added", False, f"{field} was added")
        elif isinstance(old[key], dict) and isinstance(new[key], dict):
            yield from _node_changes(old[key], new[key], where, field)
        elif not _same(old[key], new[key]):
            yield _unclassified(where, field, "its schema")


def _required_changes(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    old_required: set[str],
    new_required: set[str],
    path: str,
    name: str,
    keys: set[str] | None = None,
) -> Iterator[SchemaChange]:
    """Fields of both sides (of ``keys``, if given) that became required or stopped being so."""
    for key in sorted(old_required ^ new_required):
        if key not in old or key not in new or (keys is not None and key not in keys):
            continue  # a field added or removed says so already
        where, field = _join(path, "properties", key), _child(name, key)
        if key in old_required:
            yield _change(where, "required-removed", True, f"{field} is no longer required: records may lack it")
        else:
            yield _change(where, "required-added", False, f"{field} is now required")


def _child(name: str, key: str) -> str:
    return f"{name}.{key}" if name else key


def _items_changes(old: Mapping[str, Any], new: Mapping[str, Any], path: str, name: str) -> Iterator[SchemaChange]:
    if "items" not in old and "items" not in new:
        return
    before, after = old.get("items", {}), new.get("items", {})  # none: items of any kind
    if isinstance(before, dict) and isinstance(after, dict):
        yield from _node_changes(before, after, _join(path, "items"), f"{name} items")
    elif not _same(before, after):
        yield _unclassified(_join(path, "items"), name, "items")


def _tighter(keyword: str, before: Any, after: Any) -> bool | None:
    """Whether a constraint now allows fewer values (True), more (False), or cannot tell (None)."""
    if keyword in CLOSING:
        closed_before, closed_after = before is False, after is False
        return None if closed_before == closed_after else closed_after
    if before is None or after is None:
        return before is None  # a constraint added tightens, one removed loosens
    if keyword == "uniqueItems":
        return bool(after)
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (before, after))
    if numbers and keyword in LOWER_BOUNDS:
        return bool(after > before)
    if numbers and keyword in UPPER_BOUNDS:
        return bool(after < before)
    return None


def _show(value: Any) -> str:
    return "none" if value is None else json.dumps(value, ensure_ascii=False)


# -- the descriptor's Table Schemas ---------------------------------------------------------------


def table_schema_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[SchemaChange]:
    """Resources added or removed, and their Table Schema fields removed, added or retyped."""
    old_resources, new_resources = _resources(old), _resources(new)
    changes: list[SchemaChange] = []
    for name in sorted(old_resources.keys() | new_resources.keys()):
        where = _join("resources", name)
        if name not in new_resources:
            changes.append(_change(where, "resource-removed", True, f"resource {name} was removed"))
        elif name not in old_resources:
            changes.append(_change(where, "resource-added", False, f"resource {name} was added"))
        else:
            changes += _table_fields_changes(old_resources[name], new_resources[name], where, name)
    return changes


def _resources(descriptor: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    resources = descriptor.get("resources")
    listed = resources if isinstance(resources, list) else []
    return {r["name"]: r for r in listed if isinstance(r, dict) and isinstance(r.get("name"), str)}


def _table_fields(resource: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    listed = fields if isinstance(fields, list) else []
    return {f["name"]: f for f in listed if isinstance(f, dict) and isinstance(f.get("name"), str)}


def _table_fields_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str, resource: str
) -> Iterator[SchemaChange]:
    before, after = _table_fields(old), _table_fields(new)
    for key in sorted(before.keys() | after.keys()):
        where, field = _join(path, "schema.fields", key), f"{resource}: field {key}"
        if key not in after:
            yield _change(where, "field-removed", True, f"{field} was removed")
        elif key not in before:
            yield _change(where, "field-added", False, f"{field} was added")
        else:
            yield from _table_field_changes(before[key], after[key], where, field)


def _table_field_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], where: str, field: str
) -> Iterator[SchemaChange]:
    if old.get("type") != new.get("type"):
        shown = f"{_show(old.get('type'))} → {_show(new.get('type'))}"
        yield _change(_join(where, "type"), "type-changed", True, f"{field}: type {shown}")
    if old.get("format") != new.get("format"):
        shown = f"{_show(old.get('format'))} → {_show(new.get('format'))}"
        yield _change(_join(where, "format"), "format-changed", False, f"{field}: format {shown}")
    required = [_table_required(f) for f in (old, new)]
    if required == [True, False]:
        yield _change(_join(where, "constraints.required"), "nullable-added", True, f"{field} may now be empty")
    elif required == [False, True]:
        yield _change(_join(where, "constraints.required"), "nullable-removed", False, f"{field} is now required")


def _table_required(field: Mapping[str, Any]) -> bool:
    constraints = field.get("constraints")
    return isinstance(constraints, dict) and constraints.get("required") is True


# -- rendering ------------------------------------------------------------------------------------


def render_json(result: PackageDiff, max_records: int) -> Iterator[str]:
    """The whole result, every id, as one line of JSON (``max_records`` does not apply)."""
    yield json.dumps(result.to_dict(), ensure_ascii=False) + "\n"


def render_text(result: PackageDiff, max_records: int) -> Iterator[str]:
    """Counts, the records (at most ``max_records`` of each kind; 0: all), the schema changes, a verdict."""
    counts = result.counts()
    yield f"newspkg diff: {result.old.descriptor} → {result.new.descriptor}\n"
    summary = ", ".join(f"{count:,} {what}" for what, count in counts.items())
    yield f"records: {result.old.records:,} → {result.new.records:,} ({summary})\n"
    groups: list[tuple[str, str, list[str]]] = [
        ("+", "added", result.added),
        ("-", "removed", result.removed),
        ("~", "changed", [f"{change.id}: {', '.join(change.fields)}" for change in result.changed]),
    ]
    for mark, what, lines in groups:
        shown, more = _capped(lines, max_records)
        for line in shown:
            yield f"  {mark} {line}\n"
        if more:
            yield f"  … and {more:,} more {what} (--max-records 0 lists them all)\n"
    breaking = len(result.breaking)
    if result.schema_changes:
        yield f"schema changes: {len(result.schema_changes):,} ({breaking:,} breaking)\n"
    else:
        yield "schema changes: none\n"
    for change in result.schema_changes:
        mark = "BREAKING " if change.breaking else ""
        yield f"  {mark}{change.file} {change.path}: {change.kind}: {change.explanation}\n"
    yield _verdict(result) + "\n"


def render_markdown(result: PackageDiff, max_records: int) -> Iterator[str]:
    """Release notes: a heading, a table of counts, the schema changes, the records (capped as in text)."""
    old, new = result.old.label, result.new.label
    if old == new:
        old, new = str(result.old.descriptor), str(result.new.descriptor)
    yield f"## Changes from {old} to {new}\n\n"
    yield "| records | count |\n|---|---:|\n"
    rows = {"in old": result.old.records, "in new": result.new.records, **result.counts()}
    for what, count in rows.items():
        yield f"| {what} | {count:,} |\n"
    yield "\n### Schema changes\n\n"
    if not result.schema_changes:
        yield "No schema changes.\n"
    for change in result.schema_changes:
        mark = "**breaking** " if change.breaking else ""
        yield f"- {mark}`{change.path or '(top level)'}` in `{change.file}`: {change.explanation} ({change.kind})\n"
    groups: list[tuple[str, list[str]]] = [
        ("Changed records", [f"`{c.id}`: {', '.join(f'`{f}`' for f in c.fields)}" for c in result.changed]),
        ("Added records", [f"`{rid}`" for rid in result.added]),
        ("Removed records", [f"`{rid}`" for rid in result.removed]),
    ]
    for title, lines in groups:
        if not lines:
            continue
        yield f"\n### {title}\n\n"
        shown, more = _capped(lines, max_records)
        for line in shown:
            yield f"- {line}\n"
        if more:
            yield f"- … and {more:,} more\n"


def _capped(lines: list[str], most: int) -> tuple[list[str], int]:
    if most == 0 or len(lines) <= most:
        return lines, 0
    return lines[:most], len(lines) - most


def _verdict(result: PackageDiff) -> str:
    breaking = len(result.breaking)
    if breaking:
        return f"BREAKING: {breaking:,} breaking schema change{'' if breaking == 1 else 's'}"
    return "OK: no breaking schema change"


RENDERERS: dict[str, Callable[[PackageDiff, int], Iterator[str]]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
