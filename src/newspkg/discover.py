"""Walk ``raw/<source>/`` and yield the raw files in a stable order."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newspkg.config import SOURCE_FILE, Project, SourceConfig
from newspkg.errors import ConfigError

# Sidecars (<raw file>.meta.toml) sit next to raw files and are not raw files themselves.
SIDECAR_SUFFIX = ".meta.toml"
MAX_DEPTH = 64


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


def raw_paths(project: Project, source: SourceConfig) -> Iterator[str]:
    """Relative posix paths of a source's raw files, in sorted order, holding one folder's listing
    at a time. Hidden entries, source.toml and sidecars are skipped; links to folders are not entered."""
    return _walk(project.raw_dir / source.name, f"raw/{source.name}/", depth=0)


def _walk(folder: Path, relative: str, depth: int) -> Iterator[str]:
    if depth > MAX_DEPTH:
        raise ConfigError(f"{folder}: folders nested deeper than {MAX_DEPTH} levels under raw/")
    entries = []
    with os.scandir(folder) as scan:
        for entry in scan:
            if entry.name.startswith(".") or (depth == 0 and entry.name == SOURCE_FILE):
                continue
            if entry.is_dir(follow_symlinks=False):
                entries.append(entry.name + "/")  # sorts as its paths do: "b/c" after "b.txt"
            elif not entry.name.endswith(SIDECAR_SUFFIX):
                entries.append(entry.name)
    for name in sorted(entries):
        if name.endswith("/"):
            yield from _walk(folder / name[:-1], relative + name, depth + 1)
        else:
            yield relative + name


def read_raw(project: Project, relative_path: str, source: str) -> RawFile:
    path = project.root / relative_path
    try:
        relative_path.encode("utf-8")
    except UnicodeEncodeError:  # os.scandir gave lone surrogates for undecodable bytes
        shown = relative_path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return _unreadable(shown, source, "has a file name that is not valid UTF-8; rename it")
    if path.is_symlink():  # a link may lead out of the repository: never follow it
        return _unreadable(relative_path, source, f"is a symlink to {path.readlink()}; links are never followed")
    sidecar_path = path.with_name(path.name + SIDECAR_SUFFIX)
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the build forever in open()
            return _unreadable(relative_path, source, "is not a regular file (a FIFO, socket or device)")
        limit = project.source(source).max_bytes
        with path.open("rb") as file:
            if info.st_size > limit:  # convert rejects it raw:too-large; never hold it whole in memory
                digest = hashlib.file_digest(file, "sha256").hexdigest()
                file.seek(0)
                return RawFile(path=relative_path, source=source, data=file.read(limit + 1), sha256=digest)
            data = file.read()
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
