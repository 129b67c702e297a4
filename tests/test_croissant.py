"""croissant.json: a real package described in Croissant 1.1, validated and read back by mlcroissant,
offline, record for record as the JSONL states it."""

from __future__ import annotations

import hashlib
import json
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import REPO, copy_project
from newspkg.cli import main
from newspkg.croissant import CONFORMS_TO, RECORD_SET, croissant, dump
from newspkg.schema import SchemaSet, load_package_schemas

# rdflib, inside mlcroissant's JSON-LD parser, warns about its own API on every load.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

JSONL = "build/articles.jsonl"
EPOCH = "1700000000"  # SOURCE_DATE_EPOCH for the build: the descriptor then has `created`
# Besides the seeds (all +08:00): articles on both sides of UTC, with lists and a modification time,
# read as items of a JSON Lines export (provenance.member is then set).
EXPORT = [
    {
        "title": "Late in New York",
        "text": "First paragraph.\n\nSecond paragraph.",
        "published_at": "2024-03-09T22:30:00-05:00",
        "modified_at": "2024-03-10T08:00:00-05:00",
        "url": "https://wire.example/1",
        "authors": ["Ann Lee", "Bo Chen"],
        "tags": ["city", "night"],
        "captions": ["The bridge at night."],
    },
    {
        "title": "Early in Kathmandu",
        "text": "Only paragraph.",
        "published_at": "2024-03-10T01:15:00+05:45",
        "url": "https://wire.example/2",
        "section": "World",
    },
]
WIRE = 'adapter = "records"\nlanguage = "en"\ntimezone = "UTC"\n'
# A sidecar on one seed: its fields land in provenance.sidecar_fields.
SIDECAR = ("raw/zhuzhou-gaoke/002_d9af5f8fe4e5ae1e.txt.meta.toml", 'tags = ["园区", "高新区"]\n')
Record = dict[str, Any]


@contextmanager
def offline() -> Iterator[list[str]]:
    """No connection, name lookup or socket can be opened; each attempt is listed (and fails)."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args))
        raise OSError("tests/test_croissant.py: the network is off")

    with pytest.MonkeyPatch.context() as patch:
        for name in ("connect", "connect_ex"):
            patch.setattr(socket.socket, name, refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        yield attempts


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's dataset plus the export and the sidecar, built: the build writes croissant.json
    beside datapackage.json."""
    root = copy_project(REPO, tmp_path_factory.mktemp("croissant") / "project")
    (root / "raw" / "wire").mkdir()
    (root / "raw" / "wire" / "source.toml").write_text(WIRE, encoding="utf-8")
    lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in EXPORT)
    (root / "raw" / "wire" / "export.jsonl").write_text(lines, encoding="utf-8")
    (root / SIDECAR[0]).write_text(SIDECAR[1], encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = CliRunner().invoke(main, ["--root", str(root), "build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root


def descriptor(root: Path) -> dict[str, Any]:
    return dict(json.loads((root / "datapackage.json").read_text(encoding="utf-8")))


def schemas(root: Path) -> SchemaSet:
    return load_package_schemas(root / "schema")


def document(root: Path) -> dict[str, Any]:
    return dict(json.loads((root / "croissant.json").read_text(encoding="utf-8")))


def jsonl_records(root: Path) -> list[Record]:
    # Split on LF only: str.splitlines() would also split inside records at U+2028 or U+0085.
    return [json.loads(line) for line in (root / JSONL).read_bytes().split(b"\n") if line]


@pytest.fixture(scope="module")
def read(package: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Record], list[str], Path]:
    """Every record of ``articles`` as mlcroissant yields it, read offline, with the network
    attempts made and mlcroissant's cache folder (pointed at a scratch folder)."""
    cache = tmp_path_factory.mktemp("croissant-cache")
    with offline() as attempts, pytest.MonkeyPatch.context() as patch:
        # mlcroissant downloads into (and extracts under) ~/.cache/croissant; read in 1.1.1 at import.
        patch.setattr("mlcroissant._src.core.constants.DOWNLOAD_PATH", cache / "download")
        patch.setattr("mlcroissant._src.operation_graph.operations.extract.EXTRACT_PATH", cache / "extract")
        dataset = mlc.Dataset(jsonld=package / "croissant.json")
        records = list(dataset.records(RECORD_SET))
    return records, attempts, cache


def as_stated(value: Any, prop: dict[str, Any]) -> Any:
    """A value mlcroissant read, in the JSONL's terms, by the field's JSON Schema. The only
    normalisations: sc:Text comes back as UTF-8 bytes (decoded here), sc:DateTime as a
    pandas.Timestamp (rendered as an RFC 3339 string, see :func:`stated_time`), a sub-field's key is
    its @id (its last part here). Everything else is compared as it comes: lists as lists, integers
    as int, null as None."""
    if value is None:
        return None
    kinds = prop.get("type", "string")
    kind = next(t for t in ([kinds] if isinstance(kinds, str) else kinds) if t != "null")
    if kind == "array":
        assert isinstance(value, list), value
        return [as_stated(item, prop["items"]) for item in value]
    if kind == "object":
        assert isinstance(value, dict), value
        return {
            key.rsplit("/", 1)[1]: as_stated(sub, prop["properties"][key.rsplit("/", 1)[1]])
            for key, sub in value.items()
        }
    if prop.get("format") == "date-time":
        assert isinstance(value, pd.Timestamp), value
        return value.to_pydatetime().isoformat()
    if kind == "string":
        assert isinstance(value, bytes), value
        return value.decode("utf-8")
    assert type(value) is {"integer": int, "number": float, "boolean": bool}[kind], value
    return value


def stated_time(value: str) -> str:
    """An RFC 3339 date-time as datetime.isoformat() writes it: the same wall-clock time and offset,
    only spelt one way (Z as +00:00, no trailing zero fraction)."""
    return datetime.fromisoformat(value).isoformat()


def stated(record: Record, schema: SchemaSet) -> Record:
    """A JSONL record with each date-time in the form of :func:`stated_time`."""

    def walk(value: Any, prop: dict[str, Any]) -> Any:
        if isinstance(value, dict):
            return {key: walk(sub, prop["properties"][key]) for key, sub in value.items()}
        if isinstance(value, str) and prop.get("format") == "date-time":
            return stated_time(value)
        return value

    return {key: walk(value, schema.properties[key]) for key, value in record.items()}


def test_mlcroissant_validates_it_with_no_error_and_no_warning(package: Path, caplog: pytest.LogCaptureFixture) -> None:
    """As `mlcroissant validate --jsonld croissant.json` (mlc.Dataset: errors raise, warnings are
    kept in the context and logged): no error, no warning (citeAs is the dataset's BibTeX). The
    @context is the one mlcroissant expects (else it logs a warning)."""
    with offline() as attempts, caplog.at_level(logging.WARNING):
        dataset = mlc.Dataset(jsonld=package / "croissant.json")
    issues = dataset.metadata.ctx.issues
    assert not issues.errors
    assert not issues.warnings
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []
    assert document(package)["citeAs"].startswith("@misc{newspkg-seed-articles,")
    assert not attempts


def test_the_records_read_through_mlcroissant_are_the_jsonl_records(
    package: Path, read: tuple[list[Record], list[str], Path]
) -> None:
    """Every record, in order, every field in schema order, equal to its JSONL line (see as_stated
    for the only normalisations): strings, integers, nulls, the list fields and each provenance
    sub-field included."""
    records, _, _ = read
    schema = schemas(package)
    expected = [stated(record, schema) for record in jsonl_records(package)]
    got = [
        {
            key.removeprefix(f"{RECORD_SET}/"): as_stated(value, schema.properties[key.removeprefix(f"{RECORD_SET}/")])
            for key, value in record.items()
        }
        for record in records
    ]
    assert len(got) == len(expected) >= 6
    for mine, theirs in zip(got, expected, strict=True):
        assert list(mine) == list(theirs) == list(schema.properties)
        assert mine == theirs


def test_the_package_read_has_what_the_comparison_needs(package: Path) -> None:
    """The record-for-record comparison means something: several offsets (west and east of UTC),
    non-empty lists, a modification time, a container member and a sidecar field are in the data."""
    records = jsonl_records(package)
    offsets = {datetime.fromisoformat(r["published_at"]).utcoffset() for r in records}
    assert len(offsets) >= 3
    assert any(r["authors"] for r in records)
    assert any(r["tags"] for r in records)
    assert any(r["captions"] for r in records)
    assert any(r["modified_at"] for r in records)
    assert any(r["provenance"]["member"] for r in records)
    assert any(r["provenance"]["sidecar_fields"] for r in records)


def test_each_published_at_keeps_its_local_date(package: Path, read: tuple[list[Record], list[str], Path]) -> None:
    """A published_at read through mlcroissant is on the local date (and at the offset) the JSONL
    states, also where that is another day in UTC."""
    records, _, _ = read
    lines = jsonl_records(package)
    moved = 0
    for record, line in zip(records, lines, strict=True):
        moment = record[f"{RECORD_SET}/published_at"]
        assert moment.date() == date.fromisoformat(line["published_at"][:10])
        assert moment.utcoffset() == datetime.fromisoformat(line["published_at"]).utcoffset()
        moved += moment.date() != moment.tz_convert("UTC").date()
    assert moved >= 1


def test_reading_never_touches_the_network_or_the_cache(read: tuple[list[Record], list[str], Path]) -> None:
    """mlcroissant reads the package's own files: no connection or name lookup, nothing downloaded
    or extracted into its cache."""
    _, attempts, cache = read
    assert attempts == []
    assert not (cache / "download").exists()
    assert not (cache / "extract").exists()


def test_the_file_objects_carry_the_files_digests_and_sizes(package: Path) -> None:
    """Each FileObject names a file of the package by its path, with that file's sha256 and size."""
    files = {item["contentUrl"]: item for item in document(package)["distribution"]}
    assert set(files) == {"build/articles.jsonl", "build/articles.parquet"}
    for path, item in files.items():
        data = (package / path).read_bytes()
        assert item["sha256"] == hashlib.sha256(data).hexdigest()
        assert item["contentSize"] == f"{len(data)} B"
    assert files["build/articles.jsonl"]["encodingFormat"] == "application/jsonlines"
    assert files["build/articles.parquet"]["encodingFormat"] == "application/x-parquet"


def test_the_fields_mirror_the_json_schema(package: Path) -> None:
    """One field per property of the record, in order, with its description, dataType from the JSON
    Schema, lists as arrays, provenance with one sub-field per property, and the key on id."""
    schema = schemas(package)
    (record_set,) = document(package)["recordSet"]
    fields = {field["name"]: field for field in record_set["field"]}
    assert list(fields) == list(schema.properties)
    for name, field in fields.items():
        assert field["description"] == " ".join(schema.properties[name]["description"].split())
    assert record_set["key"] == {"@id": "articles/id"}
    assert fields["published_at"]["dataType"] == "sc:DateTime"
    assert fields["char_count"]["dataType"] == "sc:Integer"
    assert fields["url"]["dataType"] == "sc:URL"
    assert fields["authors"] | {"description": ""} == {
        "@type": "cr:Field",
        "@id": "articles/authors",
        "name": "authors",
        "description": "",
        "dataType": "sc:Text",
        "source": {"fileObject": {"@id": "articles-jsonl"}, "extract": {"jsonPath": "authors"}},
        "isArray": True,
        "arrayShape": "-1",
    }
    provenance = fields["provenance"]
    assert "dataType" not in provenance
    assert "source" not in provenance
    assert [sub["name"] for sub in provenance["subField"]] == list(schema.properties["provenance"]["properties"])
    raw_path = provenance["subField"][0]
    assert raw_path["source"] == {
        "fileObject": {"@id": "articles-jsonl"},
        "extract": {"jsonPath": "provenance"},
        "transform": {"jsonPath": "raw_path"},
    }


def test_the_dataset_is_described_from_the_descriptor(package: Path) -> None:
    """Name, title, description, licence URL, homepage, version, keywords, creators and
    datePublished (the descriptor's `created`) come from datapackage.json."""
    source, doc = descriptor(package), document(package)
    assert doc["conformsTo"] == CONFORMS_TO == "http://mlcommons.org/croissant/1.1"
    assert doc["@type"] == "sc:Dataset"
    assert (doc["name"], doc["alternateName"]) == (source["name"], source["title"])
    assert doc["description"] == source["description"]
    assert doc["license"] == source["licenses"][0]["path"]
    assert (doc["url"], doc["version"], doc["keywords"]) == (source["homepage"], source["version"], source["keywords"])
    assert doc["datePublished"] == source["created"] == "2023-11-14T22:13:20Z"
    assert doc["creator"] == [{"@type": "sc:Organization", "name": "newspkg maintainers"}]


def test_no_created_no_date_published(package: Path) -> None:
    """Without `created` (a build without SOURCE_DATE_EPOCH) there is no datePublished: never the clock."""
    source = {key: value for key, value in descriptor(package).items() if key != "created"}
    assert "datePublished" not in croissant(source, schemas(package))


def test_creators_are_the_credited_contributors(package: Path) -> None:
    """Contributors with an author or creator role are the creators (all of them when none has one);
    one with a family name is a sc:Person, any other a sc:Organization; a licence without a URL is
    named."""
    source = {
        "name": "x",
        "licenses": [{"name": "CC-BY-4.0"}],
        "contributors": [
            {
                "title": "Ann Lee",
                "givenName": "Ann",
                "familyName": "Lee",
                "email": "ann@example.org",
                "roles": ["creator"],
            },
            {"title": "A newsroom", "path": "https://news.example", "roles": ["author"]},
            {"title": "Someone else", "roles": ["contributor"]},
        ],
        "resources": descriptor(package)["resources"],
    }
    doc = croissant(source, schemas(package))
    assert doc["creator"] == [
        {"@type": "sc:Person", "name": "Ann Lee", "email": "ann@example.org"},
        {"@type": "sc:Organization", "name": "A newsroom", "url": "https://news.example"},
    ]
    assert doc["license"] == "CC-BY-4.0"


def test_cite_as_is_bibtex_the_data_cannot_add_a_field_to(package: Path) -> None:
    """A title closing its field and opening a note stays inside the title of ``citeAs``."""
    source = {**descriptor(package), "title": "T}}, note = {{forged"}
    cite = croissant(source, schemas(package))["citeAs"]
    assert (
        "  title = {{T\\textbraceright{}\\textbraceright{}, note = \\textbraceleft{}\\textbraceleft{}forged}},\n"
        in cite
    )
    assert "note = {" not in cite


def test_the_output_is_byte_identical_across_calls(package: Path) -> None:
    """Two calls on the same inputs give the same bytes (2-space indent, UTF-8, a trailing newline),
    the ones written, and leave the descriptor as it was."""
    source = descriptor(package)
    before = json.dumps(source)
    first = dump(croissant(source, schemas(package)))
    second = dump(croissant(descriptor(package), schemas(package)))
    assert first == second == (package / "croissant.json").read_bytes()
    assert json.dumps(source) == before
    assert first.endswith(b"}\n")
    assert first.startswith(b'{\n  "@context": {\n    "@language"')
    assert "记者".encode() in first  # from a description: UTF-8, not \\u-escaped
    assert b"\\u" not in first
