"""Walk ``raw/<source>/`` and yield the raw files in a stable order."""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newspkg import readers
from newspkg.config import SOURCE_FILE, Project, SourceConfig
from newspkg.errors import ConfigError
from newspkg.readers import FILE, SEPARATOR, ItemRef, NotRegular, ReaderError, open_regular
from newspkg.readers.files import FileReader, regular_stat

# Sidecars (<raw file>.meta.toml) sit next to raw files and are not raw files themselves.
SIDECAR_SUFFIX = ".meta.toml"
MAX_DEPTH = 64
# No sidecar: none there, or its name would be too long (a legal 250-byte file name has no room for one).
NO_SIDECAR = (errno.ENOENT, errno.ENAMETOOLONG)
_FILE_READER = FileReader()


@dataclass(frozen=True, slots=True)
class RawFile:
    """One raw file or item of one (see :mod:`newspkg.readers`), read whole: its bytes are what every
    later step works from."""

    path: str  # its name, posix, relative to the project root: "raw/finews/000_….txt", "raw/w/c.warc::record-0"
    source: str
    data: bytes
    sha256: str
    unreadable: str = ""  # why the bytes could not be read (a symlink, a permission error); "" when fine
    sidecar: bytes | None = None  # the bytes of <path>.meta.toml, when there is one
    context: tuple[tuple[str, str], ...] = ()  # what a container says of its item (a crawl: url, fetched_at, record_id)
    filtered: str = ""  # why the source does not take this item of a container (a 404, an image)
    undecodable: str = ""  # why the bytes cannot be decoded (a broken gzip stream); "" when fine
    ref: ItemRef | None = None  # which item of which file, read by which reader; None: the file at path

    @property
    def file_path(self) -> str:
        """The file's path; for an item of a crawl or an export, its file's."""
        return self.path if self.ref is None else self.ref.file

    def told(self, key: str) -> str | None:
        """What the container says of this item under ``key`` (``url``, ``fetched_at``, ``record_id``)."""
        return dict(self.context).get(key) or None

    @property
    def member(self) -> str | None:
        """An item's place in its file (``line-12``); None for a file of its own."""
        return self.ref.place or None if self.ref is not None else None


@dataclass(frozen=True, slots=True)
class Stamp:
    """What changes when a raw file or its sidecar is written (as git's index tells changed files)."""

    text: str  # size, mtime, ctime and inode of the file, then of its sidecar ("-" when none)
    newest: float  # the latest of those times, in seconds


def source_of(raw_path: str) -> str:
    """The source a raw path belongs to: raw/<source>/..."""
    return raw_path.split("/", 2)[1]


def file_stamp(project: Project, relative_path: str) -> Stamp | None:
    """The stamp of a regular raw file (of an item: of its file); None for anything else (a link, a
    FIFO, a missing file)."""
    path = f"{project.root}/{relative_path}"  # str, not Path: this runs once per raw file
    info = regular_stat(path)
    if info is None:
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


def raw_items(project: Project, source: SourceConfig, kept: readers.Listings | None = None) -> Iterator[ItemRef]:
    """The items of a source's raw files, in sorted order, holding one folder's listing at a time.
    Hidden entries, source.toml and sidecars are skipped, and files the source's
    ``include``/``exclude`` patterns leave out; links to folders are not entered. A file is one item
    unless its reader (named in source.toml, or detected among those the adapter takes) lists many;
    ``kept``: listings kept from earlier builds, by the file's stamp."""
    prefix = f"raw/{source.name}/"
    paths = _walk(project.raw_dir / source.name, prefix, depth=0)
    if source.include or source.exclude:
        paths = (path for path in paths if source.takes(path[len(prefix) :]))
    kinds = _kinds(source.adapter)
    if source.reader is None and kinds == (FILE,):
        return (ItemRef(path) for path in paths)
    return _listed(project, source, paths, kinds, kept)


def _listed(
    project: Project, source: SourceConfig, paths: Iterator[str], kinds: tuple[str, ...], kept: readers.Listings | None
) -> Iterator[ItemRef]:
    for path in paths:
        where = project.root / path
        yield from readers.items(where, path, source.reader or readers.detect(where, kinds), kept)


def _kinds(adapter_name: str) -> tuple[str, ...]:
    """The kinds of item an adapter takes without a reader named (its ``reads``): files by default."""
    from newspkg import adapters

    try:
        adapter = adapters.get(adapter_name)
    except ConfigError:  # the converter names the source.toml to fix
        return (FILE,)
    return tuple(getattr(adapter, "reads", (FILE,)))


def project_items(project: Project, kept: readers.Listings | None = None) -> Iterator[ItemRef]:
    """:func:`raw_items` of every source, in the order builds go through them."""
    return (item for source in project.sources for item in raw_items(project, source, kept))


def project_raw_paths(project: Project, kept: readers.Listings | None = None) -> Iterator[str]:
    """The names of :func:`project_items` (``raw/web/crawl.warc.gz::record-1197``)."""
    return (item.name for item in project_items(project, kept))


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


def read_raw(project: Project, item: ItemRef | str, source: str | None = None) -> RawFile:
    """The item (or the file at a relative path) as its reader reads it, with the sidecar of a file
    of its own; whatever the reading raises is the item's reason to be unreadable, never the build's."""
    ref = ItemRef(item) if isinstance(item, str) else item
    source = source or ref.source
    name = ref.name
    if SEPARATOR in ref.file:  # a file named so would read as another file's item
        return _unreadable(
            ref, source, f"has {SEPARATOR} in its name, which names a crawl's or an export's items; rename it"
        )
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.scandir gave lone surrogates for undecodable bytes
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return _unreadable(ItemRef(shown), source, "has a file name that is not valid UTF-8; rename it")
    config = project.source(source)
    path = f"{project.root}/{ref.file}"  # str, not Path: this runs once per raw file
    try:
        got = _read(path, ref, config.max_bytes)
        oversized = len(got.data) > config.max_bytes  # convert rejects it raw:too-large
        alone = ref.reader == FILE and not oversized  # only a file of its own has a sidecar
        sidecar = _read_sidecar(path + SIDECAR_SUFFIX, config.max_bytes) if alone else None
    except NotRegular as error:
        return _unreadable(ref, source, str(error))
    except OSError as error:
        return _unreadable(ref, source, f"cannot be read: {error.strerror or error}")
    except ReaderError as error:
        return _unreadable(ref, source, f"cannot be read: {error}")
    except Exception as error:  # whatever a reader raises is this item's reject, never the build's
        return _unreadable(ref, source, f"cannot be read: {type(error).__name__}: {error}")
    url = dict(got.context).get("url")
    filtered = got.filtered or (config.refuses_url(url) if url is not None else "")
    digest = got.sha256 or hashlib.sha256(got.data).hexdigest()
    return RawFile(name, source, got.data, digest, "", sidecar, got.context, filtered, got.undecodable, ref)


def _read(path: str, ref: ItemRef, limit: int) -> readers.Item:
    if ref.reader == FILE:  # most raw files: no registry look-up, no Path to make (this runs once per file)
        return _FILE_READER.read(path, readers.Place(""), limit)
    return readers.read(Path(path), ref, limit)


def _read_sidecar(path: str, limit: int) -> bytes | None:
    """The sidecar's bytes, at most ``limit`` + 1 (more is a reject); None when there is none, or it
    is a link or not a regular file (ignored, as links to raw files are)."""
    try:
        with open_regular(path) as file:
            return file.read(limit + 1)
    except NotRegular:
        return None
    except OSError as error:
        if error.errno in NO_SIDECAR:
            return None
        raise


def _unreadable(ref: ItemRef, source: str, why: str) -> RawFile:
    return RawFile(ref.name, source, b"", hashlib.sha256(b"").hexdigest(), unreadable=why, ref=ref)


def discover(project: Project, only: set[str] | None = None) -> Iterator[RawFile]:
    """Every raw file of every source (or those in ``only``), sources and files in sorted order."""
    for source in project.sources:
        for item in raw_items(project, source):
            if only is None or item.name in only:
                yield read_raw(project, item, source.name)
