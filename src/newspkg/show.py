"""What one raw file becomes, and where each field of its record came from: the tool for writing
hints, sidecars and adapters (``newspkg show RAWFILE``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newspkg.config import Project
from newspkg.convert import Converter, Outcome
from newspkg.discover import discover
from newspkg.errors import ConfigError
from newspkg.schema import SchemaSet

FROM_SOURCE_TOML = {"source": "the source's folder name", "language": "source.toml", "publisher": "source.toml"}
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


def show(project: Project, schemas: SchemaSet, path: Path) -> Shown:
    """Convert the raw file at ``path`` (relative to the working folder), bypassing the cache."""
    relative = _raw_path(project, path)
    found = list(discover(project, {relative}))
    if not found:
        raise ConfigError(f"{path} is not a raw file of any source (or an include/exclude pattern leaves it out)")
    outcome = Converter(project, schemas).convert(found[0])
    return Shown(outcome, origins(outcome.record or {}, project.source(found[0].source).adapter))


def origins(record: dict[str, Any], adapter: str) -> dict[str, str]:
    provenance = record.get("provenance") or {}
    from_sidecar = set(provenance.get("sidecar_fields") or [])
    found = {}
    for key, value in record.items():
        if key in from_sidecar:
            found[key] = "sidecar (<raw file>.meta.toml)"
        elif key in FROM_SOURCE_TOML:
            found[key] = FROM_SOURCE_TOML[key]
        elif key in DERIVED:
            found[key] = DERIVED[key]
        elif value in (None, [], ""):
            found[key] = "not found in the file"
        elif key == "published_at":
            found[key] = f"adapter {adapter} ({provenance.get('date_source') or 'unknown place'})"
        else:
            found[key] = f"adapter {adapter}"
    return found


def _raw_path(project: Project, path: Path) -> str:
    resolved, raw = path.resolve(), project.raw_dir.resolve()
    if not resolved.is_relative_to(raw):
        raise ConfigError(f"{path} is not inside {project.raw_dir}: raw files live in raw/<source>/")
    return "raw/" + resolved.relative_to(raw).as_posix()
