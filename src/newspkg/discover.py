"""Walk ``raw/<source>/`` and yield the raw files in a stable order."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newspkg.config import SOURCE_FILE, Project, SourceConfig

# Sidecars (<raw file>.meta.toml) sit next to raw files and are not raw files themselves.
SIDECAR_SUFFIX = ".meta.toml"


@dataclass(frozen=True, slots=True)
class RawFile:
    """One raw file, read whole: its bytes are what every later step works from."""

    path: str  # posix, relative to the project root: "raw/finews/000_….txt"
    source: str
    data: bytes
    sha256: str
    unreadable: str = ""  # why the bytes could not be read (a symlink, a permission error); "" when fine
    sidecar: bytes | None = None  # the bytes of <path>.meta.toml, when there is one

    @property
    def name_in_source(self) -> str:
        """The path relative to the source folder, as acknowledgements name it."""
        return self.path.split("/", 2)[2]


def raw_paths(project: Project, source: SourceConfig) -> list[str]:
    """Relative posix paths of a source's raw files, sorted; never follows symlinks."""
    folder = project.raw_dir / source.name
    found = []
    for directory, subdirs, files in os.walk(folder, followlinks=False):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        for name in files:
            if name.startswith(".") or name == SOURCE_FILE or name.endswith(SIDECAR_SUFFIX):
                continue
            found.append((Path(directory) / name).relative_to(project.root).as_posix())
    return sorted(found)


def read_raw(project: Project, relative_path: str, source: str) -> RawFile:
    path = project.root / relative_path
    if path.is_symlink():  # a link may lead out of the repository: never follow it
        return _unreadable(relative_path, source, f"is a symlink to {path.readlink()}; links are never followed")
    sidecar_path = path.with_name(path.name + SIDECAR_SUFFIX)
    try:
        data = path.read_bytes()
        sidecar = sidecar_path.read_bytes() if sidecar_path.is_file() and not sidecar_path.is_symlink() else None
    except OSError as error:
        return _unreadable(relative_path, source, f"cannot be read: {error.strerror}")
    digest = hashlib.sha256(data).hexdigest()
    return RawFile(path=relative_path, source=source, data=data, sha256=digest, sidecar=sidecar)


def _unreadable(relative_path: str, source: str, why: str) -> RawFile:
    return RawFile(path=relative_path, source=source, data=b"", sha256=hashlib.sha256(b"").hexdigest(), unreadable=why)


def discover(project: Project, only: set[str] | None = None) -> Iterator[RawFile]:
    """Every raw file of every source (or those in ``only``), sources and files in sorted order."""
    for source in project.sources:
        for path in raw_paths(project, source):
            if only is None or path in only:
                yield read_raw(project, path, source.name)
