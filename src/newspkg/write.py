"""Streaming writers: JSONL (one record per line, keys in schema order) and Parquet (zstd, bounded row groups).

Both write to a hidden partial file that takes its real name only on ``commit()``, which the build
calls for all outputs together once every one is complete: a killed build never leaves a
half-written file where a reader would look.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, BinaryIO, Self

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from newspkg.codec import dump_line, lines_to_table
from newspkg.errors import ConfigError, PackageError, disk_full_stops

ROW_GROUP_SIZE = 10_000
MAX_ROW_GROUP_BYTES = 8 << 20  # of JSON: parsing a group takes about 2.5x this at its peak, and two run at once
PARSERS = 2  # threads turning groups' JSON into Arrow: the slowest step of writing Parquet
WRITE_BLOCK = 1 << 20  # JSONL bytes written (and hashed) at a time
GROUPS_IN_FLIGHT = 2  # groups parsing or encoding: more kept the threads no busier, and cost memory


def refuse_links(root: Path, path: Path) -> Path:
    """``path``, once sure that neither it nor a folder between ``root`` and it is a link: newspkg
    never writes through one (the link would take the write outside the package)."""
    parts = path.relative_to(root).parts
    for depth in range(1, len(parts) + 1):
        if (part := root.joinpath(*parts[:depth])).is_symlink():
            raise ConfigError(f"{part} is a link: newspkg never writes through links (make it a real folder or file)")
    return path


def create(path: Path, buffering: int = -1) -> BinaryIO:
    """A new file of newspkg's own (a partial file, a scratch file): whatever had the name, a link
    included, is removed first, and the file is created without following one."""
    path.unlink(missing_ok=True)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666), "wb", buffering)


class _AtomicFile:
    def __init__(self, path: Path, within: Path | None = None) -> None:
        """``within``: the folder from which down no part of ``path`` may be a link (default: its folder)."""
        self.path = refuse_links(within or path.parent, path)
        self.partial = path.with_name(f".{path.name}.partial")
        path.parent.mkdir(parents=True, exist_ok=True)

    def commit(self) -> None:
        self.partial.replace(self.path)

    def discard(self) -> None:
        self.partial.unlink(missing_ok=True)

    def close(self) -> None:
        """Finish writing the partial file."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
        if kind is not None:
            self.discard()


class JsonlWriter(_AtomicFile):
    """Lines gathered into blocks of ``WRITE_BLOCK`` bytes, each written and hashed on a thread
    (both release the GIL) while the next is gathered: the file's size and sha256 are known when it
    is closed, without reading it back."""

    def __init__(self, path: Path, within: Path | None = None) -> None:
        super().__init__(path, within)
        self._file = create(self.partial)
        self._block = bytearray()
        self._digest = hashlib.sha256()
        self._size = 0
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="newspkg-jsonl")
        self._writing: Future[None] | None = None  # the previous block

    def write(self, record: dict[str, Any]) -> None:
        self.write_line(dump_line(record))

    def write_line(self, line: bytes) -> None:
        """A line already serialised by :func:`dump_line`."""
        self._block += line
        if len(self._block) >= WRITE_BLOCK:
            self._write_block()

    def _write_block(self) -> None:
        block, self._block = self._block, bytearray()
        self._wait()
        self._writing = self._writer.submit(self._write, block)

    def _write(self, block: bytes | bytearray) -> None:
        self._file.write(block)
        self._digest.update(block)
        self._size += len(block)

    def _wait(self) -> None:
        writing, self._writing = self._writing, None
        if writing is not None:
            with disk_full_stops(self.path):
                writing.result()  # a write error surfaces here, in the build

    def facts(self) -> tuple[int, str]:
        """Size and sha256 of everything written; call after :meth:`close`."""
        return self._size, self._digest.hexdigest()

    def close(self) -> None:
        try:
            if self._block:
                self._write_block()
            self._wait()
            with disk_full_stops(self.path):
                self._file.flush()
                os.fsync(self._file.fileno())
        finally:
            self._writer.shutdown()
            self._file.close()


class ParquetWriter(_AtomicFile):
    """Writes the JSONL lines it is given as row groups of ``row_group_size`` records.

    Arrow's JSON reader turns a group's lines into columns in C++ (timestamps with offsets become
    UTC instants), so no record is decoded in Python. A group also ends at ``MAX_ROW_GROUP_BYTES``
    of JSON, which bounds memory whatever the texts' sizes; both limits depend only on the records,
    so the file is the same for the same records. Groups are parsed on ``PARSERS`` threads and
    encoded, in order, on one more (Arrow releases the GIL) while the next one is gathered: besides
    that one, at most ``GROUPS_IN_FLIGHT`` groups are held at once.
    """

    def __init__(
        self, path: Path, schema: pa.Schema, row_group_size: int = ROW_GROUP_SIZE, within: Path | None = None
    ) -> None:
        super().__init__(path, within)
        self._file = create(self.partial)
        self._schema = schema
        self._row_group_size = row_group_size
        self._lines = bytearray()  # the group so far, appended in place: no second copy to join
        self._count = 0
        try:
            with disk_full_stops(path):  # it writes the file's header at once
                self._writer = pq.ParquetWriter(
                    self._file, schema, compression="zstd", write_statistics=True, use_dictionary=True
                )
        except BaseException:
            self._file.close()
            self.discard()
            raise
        self._parsers = ThreadPoolExecutor(PARSERS, thread_name_prefix="newspkg-json")
        self._encoder = ThreadPoolExecutor(1, thread_name_prefix="newspkg-parquet")  # one: groups stay in order
        self._in_flight: deque[Future[None]] = deque()  # groups being parsed or encoded, oldest first

    def write_line(self, line: bytes) -> None:
        """One record's JSONL line, as :func:`dump_line` made it."""
        self._lines += line
        self._count += 1
        if self._count >= self._row_group_size or len(self._lines) >= MAX_ROW_GROUP_BYTES:
            self._write_row_group()

    def _write_row_group(self) -> None:
        if self._count:
            lines, count = self._lines, self._count
            self._lines, self._count = bytearray(), 0
            while len(self._in_flight) >= GROUPS_IN_FLIGHT:
                with disk_full_stops(self.path):
                    self._in_flight.popleft().result()  # an error surfaces here, in the build
            table = self._parsers.submit(lines_to_table, lines, self._schema)
            self._in_flight.append(self._encoder.submit(self._encode, table, count))

    def _encode(self, table: Future[pa.Table], count: int) -> None:
        self._writer.write_table(table.result(), row_group_size=count)

    def close(self) -> None:
        try:
            self._write_row_group()
            with disk_full_stops(self.path):
                while self._in_flight:
                    self._in_flight.popleft().result()
        finally:
            self._parsers.shutdown(cancel_futures=True)
            self._encoder.shutdown(cancel_futures=True)
            with disk_full_stops(self.path), self._file:
                self._writer.close()
                self._file.flush()
                os.fsync(self._file.fileno())


class BytesFile(_AtomicFile):
    """Contents known at once (the report, the descriptor), written durably to the partial file:
    bytes, or pieces of bytes written as they come."""

    def __init__(self, path: Path, data: bytes | Iterable[bytes], within: Path | None = None) -> None:
        super().__init__(path, within)
        with disk_full_stops(path), create(self.partial) as file:
            if isinstance(data, bytes):
                file.write(data)
            else:
                file.writelines(data)
            file.flush()
            os.fsync(file.fileno())


def commit_together(files: list[_AtomicFile], journal: Path) -> None:
    """Give every partial file its real name as one step that survives a crash.

    The journal names the renames before any happens; a build killed halfway through them leaves
    the journal behind, and :func:`recover` (run before anything reads the outputs) finishes them.
    Killed before the journal exists, a build leaves the previous outputs untouched.
    """
    pairs = [[os.path.relpath(f.partial, journal.parent), os.path.relpath(f.path, journal.parent)] for f in files]
    BytesFile(journal, orjson.dumps(pairs)).commit()
    _fsync_folders({f.path.parent for f in files})
    recover(journal)


def recover(journal: Path) -> bool:
    """Finish the renames an interrupted commit left in ``journal``; True when there were any.

    A journal may come with a downloaded package: only ``<folder>/.<name>.partial`` →
    ``<folder>/<name>`` pairs below the journal's folder, reached without a link, are followed, and
    only a regular file is renamed; anything else is refused.
    """
    if journal.is_symlink():
        raise PackageError(f"{journal} is a link, not a newspkg commit journal: delete it")
    if not journal.exists():
        return False
    pairs = [(journal.parent / partial, journal.parent / final) for partial, final in _journal_pairs(journal)]
    for partial, final in pairs:
        try:
            refuse_links(journal.parent, final)
        except ConfigError as error:
            raise PackageError(f"{journal}: {error}") from None
        if partial.is_symlink() or (partial.exists() and not partial.is_file()):
            raise PackageError(f"{journal}: {partial} is not a regular file: newspkg renames only its own files")
    for partial, final in pairs:
        if partial.exists():
            partial.replace(final)
    _fsync_folders({final.parent for _, final in pairs if final.parent.is_dir()})
    journal.unlink()
    return True


def _journal_pairs(journal: Path) -> list[tuple[str, str]]:
    try:
        entries = orjson.loads(journal.read_bytes())
    except orjson.JSONDecodeError:
        raise PackageError(f"{journal} is not a newspkg commit journal: delete it") from None
    pairs = []
    for entry in entries if isinstance(entries, list) else [None]:
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(part, str) for part in entry)):
            raise PackageError(f"{journal} is not a newspkg commit journal: delete it")
        partial, final = PurePosixPath(entry[0]), PurePosixPath(entry[1])
        inside = not final.is_absolute() and ".." not in final.parts and final.name not in ("", ".")
        if not inside or partial != final.with_name(f".{final.name}.partial"):
            raise PackageError(f"{journal} names a rename newspkg never makes ({entry[0]} → {entry[1]}): delete it")
        pairs.append((entry[0], entry[1]))
    return pairs


def _fsync_folders(folders: set[Path]) -> None:
    for folder in folders:
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
