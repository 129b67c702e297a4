"""datapackage.json: keep the hand-edited descriptive fields, rewrite resources, sources and provenance."""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any

from newspkg import __version__
from newspkg.config import Project
from newspkg.errors import ConfigError
from newspkg.resources import JSONL, PARQUET, Resource
from newspkg.schema import SchemaSet

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
# The keys every build writes; all others (name, title, licenses, id, ...) are the maintainer's, kept as they are.
GENERATED_KEYS = ("$schema", "created", "resources", "sources", "newspkg:schemas", "newspkg:provenance")
PROVENANCE = "newspkg:provenance"
SCHEMAS = "newspkg:schemas"
JSONL_PATH = JSONL.path
PARQUET_PATH = PARQUET.path
# At the package root, so that every rename it names stays below it. It exists only while (or if
# killed while) a build renames its outputs into place.
JOURNAL_PATH = ".newspkg-commit.journal"
# frictionless 5 reports a false byte-count error for any Parquet resource that declares `bytes`,
# so the Parquet size goes under this name; `newspkg validate` checks both.
PARQUET_BYTES = "newspkg:bytes"
# The libraries every build makes and checks the package with (distribution names), as provenance
# lists them; the ones an adapter shapes drafts with come from the adapter (``shaping``).
DEPENDENCIES = (
    "ada-url",  # canonical URLs
    "charset-normalizer",  # decoding
    "ftfy",  # the mojibake rule
    "jinja2",  # the dataset card
    "jsonschema-rs",  # the record schema, formats on
    "orjson",  # the JSON Lines
    "pyarrow",  # the Parquet file
    "pycld2",  # languages
    "pyyaml",  # the card's header
    "warcio",  # WARC crawls
)


@dataclass(frozen=True, slots=True)
class FileFacts:
    bytes: int
    sha256: str


def file_facts(path: Path) -> FileFacts:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return FileFacts(size, digest.hexdigest())


class Manifest:
    """The digest of every input (see :func:`manifest_line`), fed in blocks: one call per line cost
    more than the hashing."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self._pending = bytearray()

    def add(self, path: str, sha256: str) -> None:
        self._pending += manifest_line(path, sha256)
        if len(self._pending) >= 1 << 16:
            self._digest.update(self._pending)
            self._pending.clear()

    def hexdigest(self) -> str:
        self._digest.update(self._pending)
        self._pending.clear()
        return self._digest.hexdigest()


def manifest_line(path: str, sha256: str) -> bytes:
    """One input's line in the manifest digest: sha256 over ``<sha256>  <raw path>`` lines in path order."""
    return f"{sha256}  {path}\n".encode()


def read_descriptor(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid JSON ({error}); fix it or delete it to start afresh") from None
    if not isinstance(descriptor, dict):
        raise ConfigError(f"{path}: a descriptor must be a JSON object")
    return descriptor


def descriptor(
    previous: Mapping[str, Any],
    project: Project,
    schemas: SchemaSet,
    resources: list[dict[str, Any]],
    provenance: Mapping[str, Any],
) -> dict[str, Any]:
    """The new descriptor: the maintainer's keys from ``previous``, in their order, and the generated ones."""
    kept = {key: value for key, value in previous.items() if key not in GENERATED_KEYS}
    kept.setdefault("name", project.root.resolve().name.lower())
    created = _created()
    return {
        "$schema": PROFILE,
        **kept,
        **({"created": created} if created else {}),
        "resources": resources,
        "sources": [
            {"title": source.publisher or source.name, "path": f"raw/{source.name}/"} for source in project.sources
        ],
        SCHEMAS: {
            "record": _relative(schemas.path_of(None), project.root),
            "sources": {
                source.name: _relative(schemas.path_of(source.schema), project.root)
                for source in project.sources
                if source.schema
            },
        },
        PROVENANCE: dict(provenance),
    }


def article_resources(schemas: SchemaSet, outputs: Mapping[str, FileFacts], rows: int) -> list[dict[str, Any]]:
    """The records, twice: JSON Lines and Parquet, each with its size, sha256, row count and schema."""
    jsonl_schema = schemas.table_schema()
    parquet_schema = schemas.table_schema(parquet=True)
    return [
        _resource(JSONL, "jsonl", outputs[JSONL_PATH], jsonl_schema, rows),
        _resource(PARQUET, "parquet", outputs[PARQUET_PATH], parquet_schema, rows),
    ]


def bytes_facts(data: bytes) -> FileFacts:
    return FileFacts(len(data), hashlib.sha256(data).hexdigest())


def file_resource(name: str, path: str, mediatype: str, facts: FileFacts, description: str) -> dict[str, Any]:
    """A file of the package besides the records (``type: file``: frictionless checks its size and
    hash but reads nothing in it as a table)."""
    return {
        "name": name,
        "type": "file",
        "path": path,
        "format": PurePosixPath(path).suffix.lstrip(".") or "txt",
        "mediatype": mediatype,
        "encoding": "utf-8",
        "description": description,
        "bytes": facts.bytes,
        "hash": f"sha256:{facts.sha256}",
    }


def _resource(resource: Resource, fmt: str, facts: FileFacts, schema: dict[str, Any], rows: int) -> dict[str, Any]:
    size_key = PARQUET_BYTES if fmt == "parquet" else "bytes"
    return {
        "name": resource.name,
        "type": "table",
        "path": resource.path,
        "format": fmt,
        "mediatype": resource.mediatype,
        "encoding": "utf-8",
        size_key: facts.bytes,
        "hash": f"sha256:{facts.sha256}",
        "stats": {"rows": rows},  # frictionless checks it
        "schema": schema,
    }


def provenance(
    manifest: str,
    schemas: SchemaSet,
    inputs: int,
    counts: Mapping[str, Mapping[str, int]],
    shaping: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What determines the outputs, and nothing else (not the commit or the machine a build runs
    on): a rebuild of an unchanged, committed dataset then changes no file. ``shaping``: the
    libraries the sources' adapters shape records with, and their versions."""
    dependencies = {name: _version_of(name) for name in DEPENDENCIES} | dict(shaping or {})
    return {
        "tool": {"name": "newspkg", "version": __version__},
        "python": ".".join(platform.python_version_tuple()[:2]),
        "dependencies": dict(sorted(dependencies.items())),
        "inputs": {"files": inputs, "manifest_sha256": manifest},
        "schemas_sha256": schemas.digest(),
        "counts": {name: dict(value) for name, value in sorted(counts.items())},
    }


def _version_of(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _created() -> str | None:
    """Data Package ``created``, only from SOURCE_DATE_EPOCH: a build must not depend on the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        return datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")
    except ValueError:
        raise ConfigError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def dump_descriptor(descriptor: Mapping[str, Any]) -> bytes:
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode()
