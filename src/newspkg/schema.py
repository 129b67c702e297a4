"""Load and compose ``schema/*.json``; derive the Table Schema, the Arrow schema and a data dictionary.

The JSON Schema is the single source of truth: nothing here is written by hand per field or
inferred from data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs
import pyarrow as pa

from newspkg import schema_refs
from newspkg.codec import LOCAL_TIME_OF
from newspkg.errors import ConfigError

BASE_FILE = "article.schema.json"
SOURCES_DIR = "sources"
EXTENSION_SUFFIX = ".schema.json"
TIMESTAMP = pa.timestamp("us", tz="UTC")
LOCAL_TIMESTAMP = pa.timestamp("us")  # no zone: the wall-clock time the record states
LOCAL_SUFFIX = "_local"
MAX_SCHEMA_BYTES = 1 << 20
MAX_SCHEMA_DEPTH = 64  # the record schema nests 4 deep; a validator's recursion must stay bounded


@dataclass(frozen=True)
class SchemaSet:
    """The base record schema and the per-source extensions, with everything derived from them."""

    root: Path  # the folder holding article.schema.json
    base: dict[str, Any]
    extensions: dict[str, dict[str, Any]]  # extension name → schema

    # -- record shape ---------------------------------------------------------------------------

    @cached_property
    def properties(self) -> dict[str, dict[str, Any]]:
        """Every field of the package in record order: the base's, then extensions' new ones."""
        merged = dict(self.base["properties"])
        for name in sorted(self.extensions):
            for key, prop in self.extensions[name].get("properties", {}).items():
                merged.setdefault(key, prop)
        return merged

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.properties)

    @cached_property
    def empty_values(self) -> dict[str, Any]:
        """What a record holds for a field it has no value for: [] for arrays, else None."""
        return {key: [] if main_type(prop) == "array" else None for key, prop in self.properties.items()}

    def digest(self) -> str:
        """sha256 over the base and every extension, in a canonical form."""
        canonical = json.dumps({"base": self.base, "extensions": self.extensions}, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def added_fields(self, extension: str | None) -> frozenset[str]:
        """The fields an extension adds to the record (none for the base)."""
        if extension is None:
            return frozenset()
        return frozenset(self.schema_for(extension).get("properties", {})) - set(self.base["properties"])

    def nullable(self, key: str, extension: str | None = None) -> bool:
        """Whether ``key`` may be null: an extension's own declaration wins over the base's."""
        own = self.schema_for(extension).get("properties", {}).get(key) if extension else None
        return "null" in _types(own if own and "type" in own else self.properties[key])

    def path_of(self, extension: str | None) -> Path:
        """The file of the base schema (None) or of a source extension."""
        return self.root / SOURCES_DIR / f"{extension}{EXTENSION_SUFFIX}" if extension else self.root / BASE_FILE

    # -- validators -----------------------------------------------------------------------------

    def validator(self, extension: str | None) -> Any:
        """A compiled validator (jsonschema-rs, formats on) for the base or an extension composed with it."""
        base_uri = self.path_of(None).resolve().as_uri()
        resources = [(base_uri, self.base)]
        if "$id" in self.base:
            resources.append((self.base["$id"], self.base))
        registry = jsonschema_rs.Registry(resources)
        schema = self.schema_for(extension)
        own_uri = self.path_of(extension).resolve().as_uri()
        try:
            return jsonschema_rs.validator_for(schema, validate_formats=True, registry=registry, base_uri=own_uri)
        except (ValueError, jsonschema_rs.ReferencingError) as error:
            raise ConfigError(f"schema {extension or BASE_FILE} cannot be compiled: {error}") from None

    def schema_for(self, extension: str | None) -> dict[str, Any]:
        if extension is None:
            return self.base
        try:
            return self.extensions[extension]
        except KeyError:
            known = ", ".join(sorted(self.extensions)) or "none"
            expected = self.path_of(extension)
            raise ConfigError(
                f"schema extension {extension!r} not found: expected {expected} (known: {known})"
            ) from None

    def composed(self, extension: str | None = None) -> dict[str, Any]:
        """One self-contained schema: the base, or an extension with the base in place of its ``$ref``
        (an embedded resource: with its ``$id``, its own references still resolve within it)."""
        if extension is None:
            return self.base
        inlined = {key: value for key, value in self.base.items() if key != "$schema"}
        schema = dict(self.schema_for(extension))
        schema["allOf"] = [
            inlined if isinstance(part, dict) and str(part.get("$ref", "")).endswith(BASE_FILE) else part
            for part in schema.get("allOf", [])
        ]
        return schema

    # -- derived schemas ------------------------------------------------------------------------

    def table_schema(self, *, parquet: bool = False) -> dict[str, Any]:
        """Frictionless Table Schema. For Parquet, list and struct columns are ``any``: frictionless
        5 fails every row of an ``array`` column read from Parquet; and each date-time field is
        followed by its local-time column (see :meth:`arrow_schema`)."""
        required = set(self.base.get("required", ()))
        fields = []
        for key, prop in self.properties.items():
            field = _table_field(key, prop, key in required, parquet)
            fields.append(field)
            if parquet and _is_datetime(prop):
                local = {"name": key + LOCAL_SUFFIX, "type": "datetime", "description": _local_description(key)}
                fields.append(local | {key: value for key, value in field.items() if key == "constraints"})
        return {"fields": fields, "primaryKey": ["id"]}

    def arrow_schema(self) -> pa.Schema:
        """The Parquet file's columns: the record's fields, each described by its JSON Schema
        description, and after each top-level date-time field its local time (``<field>_local``, a
        timestamp without zone): an instant alone loses the offset the record states, and with it
        the local date in every reader."""
        required = set(self.base.get("required", ()))
        fields = []
        for key, prop in self.properties.items():
            field = _arrow_field(key, prop, key in required)
            fields.append(field)
            if _is_datetime(prop):
                metadata = {"description": _local_description(key), LOCAL_TIME_OF: key}
                fields.append(pa.field(key + LOCAL_SUFFIX, LOCAL_TIMESTAMP, field.nullable, metadata))
        return pa.schema(fields)

    def data_dictionary(self) -> str:
        """A Markdown table of the record's fields."""
        rows = ["| field | type | required | description |", "|---|---|---|---|"]
        required = set(self.base.get("required", ()))
        for key, prop in self.properties.items():
            must = "yes" if key in required and "null" not in _types(prop) else "no"
            kind = " or ".join(_describe_type(prop, t) for t in _types(prop) if t != "null")
            rows.append(f"| `{key}` | {kind} | {must} | {_one_line(prop.get('description', ''))} |")
            sub_required = set(prop.get("required", ()))
            for sub_key, sub in prop.get("properties", {}).items():
                kinds = " or ".join(_describe_type(sub, t) for t in _types(sub) if t != "null")
                must = "yes" if sub_key in sub_required and "null" not in _types(sub) else "no"
                rows.append(f"| `{key}.{sub_key}` | {kinds} | {must} | {_one_line(sub.get('description', ''))} |")
        return "\n".join(rows) + "\n"


def shipped_base() -> bytes:
    """The record schema this version of newspkg ships: the contract every dataset builds on."""
    return (resources.files("newspkg") / BASE_FILE).read_bytes()


def load_schemas(schema_dir: Path) -> SchemaSet:
    """A dataset's schemas: the record schema newspkg ships, and the dataset's own extensions in
    ``schema_dir/sources/``. A copy of the base in ``schema_dir`` is an output of the build, for
    data users, and is never read here."""
    base = _base_schema(shipped_base(), f"{BASE_FILE} (shipped with newspkg)")
    return SchemaSet(root=schema_dir, base=base, extensions=_extensions(schema_dir, base))


def load_package_schemas(schema_dir: Path) -> SchemaSet:
    """A published package's schemas, base included, exactly as the package ships them."""
    path = schema_dir / BASE_FILE
    base = _base_schema(_read(path), str(path))
    return SchemaSet(root=schema_dir, base=base, extensions=_extensions(schema_dir, base))


def _extensions(schema_dir: Path, base: dict[str, Any]) -> dict[str, dict[str, Any]]:
    sources = schema_dir / SOURCES_DIR
    paths = sorted(sources.glob(f"*{EXTENSION_SUFFIX}")) if sources.is_dir() else []
    # what an extension may refer to besides itself: the record schema, by its file or its $id
    inside = {(schema_dir / BASE_FILE).resolve().as_uri()}
    inside |= {base["$id"]} if isinstance(base.get("$id"), str) else set()
    return {path.name.removesuffix(EXTENSION_SUFFIX): _extension_schema(path, inside) for path in paths}


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path} is missing: it defines the record (see README, 'The record')") from None


def _base_schema(data: bytes, path: str) -> dict[str, Any]:
    """A record schema: an object schema whose ``properties`` name the record's fields."""
    schema = _parse_schema(data, path)
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties or not all(isinstance(p, dict) for p in properties.values()):
        raise ConfigError(f'{path}: properties: a record schema must list the record\'s fields under "properties"')
    required = schema.get("required", [])
    unknown = [key for key in required if key not in properties] if isinstance(required, list) else required
    if unknown:
        raise ConfigError(f'{path}: required: {unknown} are not fields under "properties"')
    return schema


def _extension_schema(path: Path, inside: set[str]) -> dict[str, Any]:
    """A source's extension: it must compose the record schema, or its records would escape it, and
    refer to nothing but itself and the record schema (nothing is fetched or read from elsewhere)."""
    schema = _parse_schema(_read(path), str(path))
    ids, found = schema_refs.references(schema, path.resolve().as_uri())
    for keyword, value, resolved in found:
        if schema_refs.points_outside(keyword, value, resolved, ids | inside):
            raise ConfigError(f"{path}: {keyword}: {value!r} points outside schema/: newspkg never fetches or reads it")
    parts = schema.get("allOf")
    composes = isinstance(parts, list) and any(
        isinstance(part, dict) and str(part.get("$ref", "")).endswith(BASE_FILE) for part in parts
    )
    if not composes:
        raise ConfigError(
            f'{path}: allOf: an extension must compose the record schema: "allOf": [{{"$ref": "../{BASE_FILE}"}}]'
        )
    properties = schema.get("properties", {})
    if not isinstance(properties, dict) or not all(isinstance(p, dict) for p in properties.values()):
        raise ConfigError(f"{path}: properties: must map each added field to its schema")
    return schema


def _parse_schema(data: bytes, path: str) -> dict[str, Any]:
    if len(data) > MAX_SCHEMA_BYTES:
        raise ConfigError(f"{path}: over {MAX_SCHEMA_BYTES} bytes: a record schema is never this large")
    try:
        schema = json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid JSON: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deep to read: a record schema is never this deep") from None
    if not isinstance(schema, dict):
        raise ConfigError(f"{path}: a record schema must be a JSON object")
    if depth(schema) > MAX_SCHEMA_DEPTH:
        raise ConfigError(f"{path}: nested over {MAX_SCHEMA_DEPTH} levels deep: a record schema is never this deep")
    declared = schema.get("$schema")
    if declared is not None and (
        not isinstance(declared, str) or schema_refs.points_outside("$schema", declared, declared, set())
    ):
        # checked first: validating a schema against its metaschema fetches any other one
        raise ConfigError(f"{path}: $schema: {declared!r} is no standard draft: newspkg never fetches or reads it")
    try:
        jsonschema_rs.meta.validate(schema)
    except jsonschema_rs.ReferencingError as error:
        raise ConfigError(f"{path}: not a usable JSON Schema: {error}") from None
    except jsonschema_rs.ValidationError as error:
        where = "/".join(str(part) for part in error.instance_path) or "(top level)"
        raise ConfigError(f"{path}: {where}: not a valid JSON Schema: {error.message}") from None
    return schema


def depth(document: Any) -> int:
    """How deeply objects and arrays nest in ``document``, counted without recursion."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _types(prop: Mapping[str, Any]) -> list[str]:
    kind = prop.get("type", "string")
    return [kind] if isinstance(kind, str) else list(kind)


def main_type(prop: Mapping[str, Any]) -> str:
    return next((t for t in _types(prop) if t != "null"), "string")


def _is_datetime(prop: dict[str, Any]) -> bool:
    return main_type(prop) == "string" and prop.get("format") == "date-time"


def _table_field(name: str, prop: dict[str, Any], required: bool, parquet: bool) -> dict[str, Any]:
    kind = main_type(prop)
    field: dict[str, Any] = {"name": name, "type": kind}
    if prop.get("description"):
        field["description"] = prop["description"]
    constraints: dict[str, Any] = {}
    if required and "null" not in _types(prop):
        constraints["required"] = True
    if _is_datetime(prop):
        field["type"] = "datetime"
    elif kind == "string":
        if prop.get("format") == "uri":
            field["format"] = "uri"
        for key in ("minLength", "maxLength", "enum"):
            if key in prop:
                constraints[key] = prop[key]
        if "pattern" in prop:
            constraints["pattern"] = _whole_match_pattern(prop["pattern"])
    elif kind in ("integer", "number"):
        for key in ("minimum", "maximum"):
            if key in prop:
                constraints[key] = prop[key]
    elif kind in ("array", "object") and parquet:
        field["type"] = "any"
    if name == "id":
        constraints["unique"] = True
    if constraints:
        field["constraints"] = constraints
    return field


def _whole_match_pattern(pattern: str) -> str:
    """JSON Schema patterns match anywhere; Table Schema patterns must match the whole value."""
    anchored = pattern[1:] if pattern.startswith("^") else ".*" + pattern
    return anchored[:-1] if anchored.endswith("$") and not anchored.endswith("\\$") else anchored + ".*"


def _arrow_type(prop: dict[str, Any]) -> pa.DataType:
    kind = main_type(prop)
    if _is_datetime(prop):
        return TIMESTAMP
    if kind == "array":
        return pa.list_(_arrow_type(prop.get("items", {})))
    if kind == "object":
        required = set(prop.get("required", ()))
        return pa.struct([_arrow_field(k, p, k in required) for k, p in prop.get("properties", {}).items()])
    simple = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
    return simple.get(kind, pa.string())


def _arrow_field(name: str, prop: dict[str, Any], required: bool) -> pa.Field:
    nullable = not required or "null" in _types(prop)
    metadata = {"description": " ".join(prop["description"].split())} if prop.get("description") else None
    return pa.field(name, _arrow_type(prop), nullable=nullable, metadata=metadata)


def _local_description(name: str) -> str:
    return (
        f"{name} as the local wall-clock time the record states (its offset dropped): the local date "
        f"in any reader. The offset is {name}{LOCAL_SUFFIX} minus {name}."
    )


def _describe_type(prop: dict[str, Any], kind: str) -> str:
    if kind == "array":
        return f"array of {main_type(prop.get('items', {}))}"
    if prop.get("format"):
        return f"{kind} ({prop['format']})"
    return kind


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
