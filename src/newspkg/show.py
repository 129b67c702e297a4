"""What one raw file becomes, and where each field of its record came from: the tool for writing
hints, sidecars and adapters (``newspkg show RAWFILE``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newspkg.config import Project, SourceConfig
from newspkg.convert import Converter, Outcome
from newspkg.discover import discover
from newspkg.errors import ConfigError
from newspkg.readers import SEPARATOR
from newspkg.schema import SchemaSet

FROM_SOURCE_TOML = {"source": "the source's folder name", "language": "source.toml", "publisher": "source.toml"}
DETECTED = {"language": 'detected from the text (language = "auto")'}
DERIVED = {
    "id": "derived: sha256 of the canonical url (or of the raw path without one)",
    "char_count": "derived: the length of text",
    "fingerprint": "derived: sha256 of text's word characters",
    "provenance": "newspkg",
}


@dataclass(frozen=True)
class Shown:
    outcome: Outcome
    origins: dict[str, str]  # field → where its value came from


def show(project: Project, schemas: SchemaSet, path: str) -> Shown:
    """Convert the raw file at ``path`` (relative to the working folder), or an item of a crawl or an
    export named as reports name it (``raw/web/crawl.warc.gz::record-1197``), bypassing the cache."""
    file_path, member = _file_and_place(path)
    relative = _raw_path(project, Path(file_path)) + (f"{SEPARATOR}{member}" if member else "")
    found = list(discover(project, {relative}))
    if not found:
        raise ConfigError(
            f"{path} is not a raw file or item of any source (or an include/exclude pattern leaves it out)"
        )
    outcome = Converter(project, schemas).convert(found[0])
    return Shown(outcome, origins(outcome.record or {}, project.source(found[0].source)))


def origins(record: dict[str, Any], source: SourceConfig) -> dict[str, str]:
    provenance = record.get("provenance") or {}
    from_sidecar = set(provenance.get("sidecar_fields") or [])
    # the source's own statements; language = "auto" and a page's publisher come from the file
    stated = {"source": True, "language": not source.detects_language, "publisher": source.publisher is not None}
    adapter = source.adapter
    found = {}
    for key, value in record.items():
        if key in from_sidecar:
            found[key] = "sidecar (<raw file>.meta.toml)"
        elif stated.get(key):
            found[key] = FROM_SOURCE_TOML[key]
        elif key in DETECTED:
            found[key] = DETECTED[key]
        elif key in DERIVED:
            found[key] = DERIVED[key]
        elif value in (None, [], ""):
            found[key] = "not found in the file"
        elif key == "published_at":
            found[key] = f"adapter {adapter} ({provenance.get('date_source') or 'unknown place'})"
        else:
            found[key] = f"adapter {adapter}"
    return found


def _file_and_place(path: str) -> tuple[str, str]:
    """A file's path and an item's place: a file named with ``::`` is the file; else the place is
    after the last ``::`` (no place holds one)."""
    if SEPARATOR not in path or Path(path).exists():
        return path, ""
    file_path, _, place = path.rpartition(SEPARATOR)
    return file_path, place


def _raw_path(project: Project, path: Path) -> str:
    resolved, raw = path.resolve(), project.raw_dir.resolve()
    if not resolved.is_relative_to(raw):
        raise ConfigError(f"{path} is not inside {project.raw_dir}: raw files live in raw/<source>/")
    return "raw/" + resolved.relative_to(raw).as_posix()
