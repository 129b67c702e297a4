"""How a record schema changed, each change classified as breaking or not for a data user.

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

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from newspkg.consume.descriptor import resources_of
from newspkg.schema import SchemaSet

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


def extension_added(name: str, schema: Mapping[str, Any]) -> SchemaChange:
    fields = ", ".join(sorted(schema.get("properties", {}))) or "none"
    return _change("", "extension-added", False, f"records of {name} gain an extension (fields it declares: {fields})")


def extension_removed(name: str, schema: Mapping[str, Any]) -> SchemaChange:
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
        if keyword in old and keyword in new and same_json(before, after):
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
        elif not same_json(old[key], new[key]):
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
    elif not same_json(before, after):
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
    return {r["name"]: r for r in resources_of(descriptor) if isinstance(r.get("name"), str)}


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


def same_json(old: Any, new: Any) -> bool:
    """Equal as JSON values: Python's ``==`` alone takes ``true`` for ``1``."""
    return bool(old == new) and orjson.dumps(old, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
        new, option=orjson.OPT_SORT_KEYS
    )
