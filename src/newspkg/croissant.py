"""croissant.json: the package described in Croissant 1.1 (what Hugging Face and Kaggle publish for a
dataset), derived from the descriptor and the record's JSON Schema; nothing is written per field.

One RecordSet, ``articles``, mirrors the record field by field and reads the JSON Lines file, the
record as written. mlcroissant 1.1.1 reads it with ``pandas.read_json(lines=True)``: each date-time
keeps the offset it states (and with it its local date), lists stay lists and ``provenance`` stays an
object whose keys the sub-fields pick. From the Parquet file it would read UTC instants only (the
``<field>_local`` columns are not fields of the record). Both files are listed in ``distribution``.

What mlcroissant 1.1.1 cannot do here, and what a Croissant file cannot switch off:

- it takes a JSON Lines field's ``extract.jsonPath`` as the name of a top-level column: ``"id"``
  works, ``"$.id"`` fails; a nested value is its top-level key plus a ``transform.jsonPath``;
- pandas infers column types: a string column whose every value looks like a number (ids that are
  all digits, say) comes back as a number, leading zeros lost.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from newspkg import documents
from newspkg.package import JSONL_PATH, PARQUET_BYTES, PARQUET_PATH
from newspkg.schema import SchemaSet, main_type

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
RECORD_SET = "articles"
# The Croissant 1.1 @context as mlcroissant 1.1.1 writes it (rdf.make_context), which warns about any
# key left out. Its @vocab is https://schema.org/ (the spec's appendix says http://, which mlcroissant
# would not recognise). "name" and "description" may be language maps; a plain string is in "@language".
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
# The article resources, by path, with their encodingFormat as mlcroissant names it (constants.EncodingFormat);
# the RecordSet reads the first (see the module's docstring).
ENCODING_FORMATS = {JSONL_PATH: "application/jsonlines", PARQUET_PATH: "application/x-parquet"}
# JSON Schema type (and string format) → Croissant dataType.
DATA_TYPES = {"string": "sc:Text", "integer": "sc:Integer", "number": "sc:Float", "boolean": "sc:Boolean"}
STRING_FORMATS = {"date-time": "sc:DateTime", "date": "sc:Date", "uri": "sc:URL"}


def croissant(descriptor: Mapping[str, Any], schemas: SchemaSet) -> dict[str, Any]:
    """The Croissant 1.1 JSON-LD for a package whose descriptor is ``descriptor``."""
    by_path = {resource.get("path"): resource for resource in descriptor.get("resources") or []}
    resources = [by_path[path] for path in ENCODING_FORMATS]
    optional = {
        "alternateName": descriptor.get("title"),
        "description": descriptor.get("description") or descriptor.get("title"),
        "license": _license(descriptor.get("licenses") or []),
        "url": descriptor.get("homepage"),
        "version": descriptor.get("version"),
        "datePublished": descriptor.get("created"),  # set by a build only from SOURCE_DATE_EPOCH
        "creator": _creators(descriptor),
        "keywords": descriptor.get("keywords"),
        "citeAs": documents.bibtex(descriptor),
    }
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": descriptor["name"],
        "conformsTo": CONFORMS_TO,
        **{key: value for key, value in optional.items() if value},
        "distribution": [_file_object(resource) for resource in resources],
        "recordSet": [_record_set(by_path[JSONL_PATH], schemas)],
    }


def dump(document: Mapping[str, Any]) -> bytes:
    """Deterministic JSON: 2-space indent, UTF-8 (not escaped), a trailing newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def _license(licenses: list[Mapping[str, Any]]) -> str | list[str] | None:
    """Each licence's URL, else its name: one string for one licence."""
    found = [str(item.get("path") or item.get("name")) for item in licenses if item.get("path") or item.get("name")]
    return found[0] if len(found) == 1 else found or None


def _creators(descriptor: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The credited contributors: a sc:Person when the descriptor gives a family name, else a
    sc:Organization (a team, an institution)."""
    creators = []
    for contributor in documents.credited(descriptor):
        family, given = contributor.get("familyName"), contributor.get("givenName")
        name = " ".join(str(part) for part in (given, family) if part) if family else contributor.get("title")
        if not name:
            continue
        creator = {"@type": "sc:Person" if family else "sc:Organization", "name": name}
        if contributor.get("email"):
            creator["email"] = contributor["email"]
        if contributor.get("path"):
            creator["url"] = contributor["path"]
        creators.append(creator)
    return creators


def _file_object(resource: Mapping[str, Any]) -> dict[str, Any]:
    algorithm, _, digest = str(resource["hash"]).partition(":")
    if algorithm != "sha256":
        raise ValueError(f"resource {resource['name']}: hash {resource['hash']!r} is not sha256:<hex>")
    size = resource.get("bytes", resource.get(PARQUET_BYTES))
    return {
        "@type": "cr:FileObject",
        "@id": resource["name"],
        "name": PurePosixPath(resource["path"]).name,
        "contentUrl": resource["path"],  # relative to the package root, where croissant.json is
        "encodingFormat": ENCODING_FORMATS[resource["path"]],
        **({"contentSize": f"{size} B"} if size is not None else {}),
        "sha256": digest,
    }


def _record_set(resource: Mapping[str, Any], schemas: SchemaSet) -> dict[str, Any]:
    source = {"fileObject": {"@id": resource["name"]}}
    keys = resource.get("schema", {}).get("primaryKey") or []
    record_set: dict[str, Any] = {"@type": "cr:RecordSet", "@id": RECORD_SET, "name": RECORD_SET}
    if schemas.base.get("description"):
        record_set["description"] = schemas.base["description"]
    if keys:
        ids = [{"@id": f"{RECORD_SET}/{key}"} for key in keys]
        record_set["key"] = ids[0] if len(ids) == 1 else ids
    record_set["field"] = [
        _field(f"{RECORD_SET}/{key}", key, prop, source, [key]) for key, prop in schemas.properties.items()
    ]
    return record_set


def _field(uid: str, name: str, prop: Mapping[str, Any], file: Mapping[str, Any], path: list[str]) -> dict[str, Any]:
    """A Field for a JSON Schema property at ``path`` in the record. mlcroissant reads JSON Lines into
    a table whose columns are the top-level keys, and takes ``extract.jsonPath`` as a column's name:
    a nested value is extracted with its top-level key, then picked with a ``transform.jsonPath``."""
    field: dict[str, Any] = {"@type": "cr:Field", "@id": uid, "name": name}
    if prop.get("description"):
        field["description"] = " ".join(str(prop["description"]).split())
    kind = main_type(prop)
    item = prop.get("items", {}) if kind == "array" else prop
    if main_type(item) == "object" and item.get("properties"):
        field["subField"] = [
            _field(f"{uid}/{key}", key, sub, file, [*path, key]) for key, sub in item["properties"].items()
        ]
    else:
        field["dataType"] = _data_type(item)
        source: dict[str, Any] = {**file, "extract": {"jsonPath": path[0]}}
        if len(path) > 1:
            source["transform"] = {"jsonPath": ".".join(path[1:])}
        field["source"] = source
    if kind == "array":
        field["isArray"] = True
        field["arrayShape"] = "-1"
    return field


def _data_type(prop: Mapping[str, Any]) -> str:
    kind = main_type(prop)
    if kind == "string" and prop.get("format") in STRING_FORMATS:
        return STRING_FORMATS[prop["format"]]
    return DATA_TYPES.get(kind, "sc:Text")
