"""Walk ``raw/<source>/`` and yield the raw files in a stable order."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newspkg import containers
from newspkg.config import SOURCE_FILE, Project, SourceConfig
from newspkg.errors import ConfigError

# Sidecars (<raw file>.meta.toml) sit next to raw files and are not raw files themselves.
SIDECAR_SUFFIX = ".meta.toml"
MAX_DEPTH = 64
# No sidecar: none there, or its name would be too long (a legal 250-byte file name has no room for one).
NO_SIDECAR = (errno.ENOENT, errno.ENAMETOOLONG)


@dataclass(frozen=True, slots=True)
class RawFile:
    """One raw file, read whole: its bytes are what every later step works from."""

    path: str  # posix, relative to the project root: "raw/finews/000_….txt"
    source: str
    data: bytes
    sha256: str
    unreadable: str = ""  # why the bytes could not be read (a symlink, a permission error); "" when fine
    sidecar: bytes | None = None  # the bytes of <path>.meta.toml, when there is one
    context: tuple[tuple[str, str], ...] = ()  # what a container says of its item (a crawl: url, fetched_at, record_id)
    filtered: str = ""  # why the source does not take this item of a container (a 404, an image)

    @property
    def file_path(self) -> str:
        """The file's path; for an item of a container (see :mod:`newspkg.containers`), its file's."""
        return containers.split(self.path)[0]

    def told(self, key: str) -> str | None:
        """What the container says of this item under ``key`` (``url``, ``fetched_at``, ``record_id``)."""
        return dict(self.context).get(key) or None

    @property
    def member(self) -> str | None:
        """An item's place in its container (``line-12``); None for a file of its own."""
        return containers.split(self.path)[1]


@dataclass(frozen=True, slots=True)
class Stamp:
    """What changes when a raw file or its sidecar is written (as git's index tells changed files)."""

    text: str  # size, mtime, ctime and inode of the file, then of its sidecar ("-" when none)
    newest: float  # the latest of those times, in seconds


def source_of(raw_path: str) -> str:
    """The source a raw path belongs to: raw/<source>/..."""
    return raw_path.split("/", 2)[1]


def file_stamp(project: Project, relative_path: str) -> Stamp | None:
    """The stamp of a regular raw file; None for anything else (a link, a FIFO, a missing file)."""
    path = f"{project.root}/{containers.split(relative_path)[0]}"  # str, not Path: this runs once per raw file
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    parts = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    newest = max(info.st_mtime_ns, info.st_ctime_ns)
    try:
        side = os.lstat(path + SIDECAR_SUFFIX)
    except OSError as error:
        if error.errno in NO_SIDECAR:
            return Stamp(" ".join(map(str, parts)) + " -", newest / 1e9)
        return None
    parts += [side.st_mode, side.st_size, side.st_mtime_ns, side.st_ctime_ns, side.st_ino]
    return Stamp(" ".join(map(str, parts)), max(newest, side.st_mtime_ns, side.st_ctime_ns) / 1e9)


def raw_paths(project: Project, source: SourceConfig) -> Iterator[str]:
    """Relative posix paths of a source's raw files, in sorted order, holding one folder's listing
    at a time. Hidden entries, source.toml and sidecars are skipped, and files the source's
    ``include``/``exclude`` patterns leave out; links to folders are not entered."""
    prefix = f"raw/{source.name}/"
    paths = _walk(project.raw_dir / source.name, prefix, depth=0)
    if source.include or source.exclude:
        paths = (path for path in paths if source.takes(path[len(prefix) :]))
    if source.adapter in containers.CONTAINER_ADAPTERS:
        paths = _with_items(project, paths)
    return paths


def _with_items(project: Project, paths: Iterator[str]) -> Iterator[str]:
    """A container's items in its place; a file that is none (or an unreadable one) as itself."""
    for path in paths:
        source = project.source(source_of(path))
        places = containers.members(project.root / path) if containers.is_container(path, source.adapter) else []
        yield from (f"{path}{containers.SEPARATOR}{place}" for place in places) if places else [path]


def project_raw_paths(project: Project) -> Iterator[str]:
    """:func:`raw_paths` of every source, in the order builds go through them."""
    return (path for source in project.sources for path in raw_paths(project, source))


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
    file_path, member = containers.split(relative_path)
    if member is not None and containers.is_container(file_path, project.source(source).adapter):
        return _read_item(project, relative_path, source, file_path, member)
    if member is not None:  # a plain file named with the separator would read as another file's item
        return _unreadable(
            relative_path,
            source,
            f"has {containers.SEPARATOR} in its name, which names a crawl's or an export's items; rename it",
        )
    path = f"{project.root}/{relative_path}"  # str, not Path: this runs once per raw file
    try:
        relative_path.encode("utf-8")
    except UnicodeEncodeError:  # os.scandir gave lone surrogates for undecodable bytes
        shown = relative_path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return _unreadable(shown, source, "has a file name that is not valid UTF-8; rename it")
    try:
        # O_NOFOLLOW: a link may lead out of the repository, never follow it; O_NONBLOCK: opening a
        # FIFO must not block the build (fstat then tells it is not a regular file).
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        link = Path(path)
        if link.is_symlink():
            return _unreadable(relative_path, source, f"is a symlink to {link.readlink()}; links are never followed")
        return _unreadable(relative_path, source, f"cannot be read: {error.strerror}")
    with os.fdopen(fd, "rb") as file:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return _unreadable(relative_path, source, "is not a regular file (a FIFO, socket or device)")
            limit = project.source(source).max_bytes
            if info.st_size > limit:  # convert rejects it raw:too-large; never hold it whole in memory
                digest = hashlib.file_digest(file, "sha256").hexdigest()
                file.seek(0)
                return RawFile(path=relative_path, source=source, data=file.read(limit + 1), sha256=digest)
            data = file.read()
            sidecar = _read_sidecar(path + SIDECAR_SUFFIX, limit)
        except OSError as error:
            return _unreadable(relative_path, source, f"cannot be read: {error.strerror}")
    digest = hashlib.sha256(data).hexdigest()
    return RawFile(path=relative_path, source=source, data=data, sha256=digest, sidecar=sidecar)


def _read_item(project: Project, relative_path: str, source: str, file_path: str, member: str) -> RawFile:
    config = project.source(source)
    try:
        item = containers.item(project.root / file_path, member, config.max_bytes)
    except (OSError, containers.ContainerError) as error:
        return _unreadable(relative_path, source, f"cannot be read: {error}")
    except Exception as error:  # whatever a reader raises is this item's reject, never the build's
        return _unreadable(relative_path, source, f"cannot be read: {type(error).__name__}: {error}")
    url = dict(item.context).get("url")
    filtered = item.filtered or (config.refuses_url(url) if url is not None else "")
    digest = hashlib.sha256(item.data).hexdigest()
    return RawFile(relative_path, source, item.data, digest, context=item.context, filtered=filtered)


def _read_sidecar(path: str, limit: int) -> bytes | None:
    """The sidecar's bytes, at most ``limit`` + 1 (more is a reject); None when there is none, or it
    is a link or not a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno in (*NO_SIDECAR, errno.ELOOP):  # a link is ignored, as links to raw files are
            return None
        raise
    with os.fdopen(fd, "rb") as file:
        return file.read(limit + 1) if stat.S_ISREG(os.fstat(fd).st_mode) else None


def _unreadable(relative_path: str, source: str, why: str) -> RawFile:
    return RawFile(path=relative_path, source=source, data=b"", sha256=hashlib.sha256(b"").hexdigest(), unreadable=why)


def discover(project: Project, only: set[str] | None = None) -> Iterator[RawFile]:
    """Every raw file of every source (or those in ``only``), sources and files in sorted order."""
    for source in project.sources:
        for path in raw_paths(project, source):
            if only is None or path in only:
                yield read_raw(project, path, source.name)
