"""Streaming writers: JSONL (one record per line, keys in schema order) and Parquet (zstd, bounded row groups).

Both write to a hidden partial file that takes its real name only on ``commit()``, which the build
calls for all outputs together once every one is complete: a killed build never leaves a
half-written file where a reader would look.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, BinaryIO, Self

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from newspkg.errors import PackageError

ROW_GROUP_SIZE = 10_000
BATCH_SIZE = 1_000  # records held as Python dicts before they become an Arrow batch


def dump_line(record: dict[str, Any]) -> bytes:
    """One JSONL line: UTF-8, no BOM, compact, key order kept, LF."""
    return orjson.dumps(record) + b"\n"


class _AtomicFile:
    def __init__(self, path: Path) -> None:
        self.path = path
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
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._file: BinaryIO = self.partial.open("wb", buffering=1 << 20)

    def write(self, record: dict[str, Any]) -> None:
        self._file.write(dump_line(record))

    def write_line(self, line: bytes) -> None:
        """A line already serialised by :func:`dump_line`."""
        self._file.write(line)

    def close(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()


class ParquetWriter(_AtomicFile):
    """Writes row groups of ``row_group_size`` records, holding them as compact Arrow batches
    (Python dicts only ``BATCH_SIZE`` at a time) until a group is full."""

    def __init__(self, path: Path, schema: pa.Schema, row_group_size: int = ROW_GROUP_SIZE) -> None:
        super().__init__(path)
        self._schema = schema
        self._timestamps = [f.name for f in schema if pa.types.is_timestamp(f.type)]
        self._row_group_size = row_group_size
        self._buffer: list[dict[str, Any]] = []
        self._batches: list[pa.RecordBatch] = []
        self._rows_in_batches = 0
        self._writer = pq.ParquetWriter(
            self.partial, schema, compression="zstd", write_statistics=True, use_dictionary=True
        )

    def write(self, record: dict[str, Any]) -> None:
        self._buffer.append(to_arrow_row(record, self._timestamps))
        if len(self._buffer) == BATCH_SIZE:
            self._to_arrow()
        if self._rows_in_batches >= self._row_group_size:
            self._write_row_group()

    def _to_arrow(self) -> None:
        if self._buffer:
            self._batches.append(pa.RecordBatch.from_pylist(self._buffer, schema=self._schema))
            self._rows_in_batches += len(self._buffer)
            self._buffer = []

    def _write_row_group(self) -> None:
        if self._batches:
            self._writer.write_table(pa.Table.from_batches(self._batches), row_group_size=self._row_group_size)
            self._batches, self._rows_in_batches = [], 0

    def close(self) -> None:
        self._to_arrow()
        self._write_row_group()
        self._writer.close()


def to_arrow_row(record: dict[str, Any], timestamp_fields: list[str]) -> dict[str, Any]:
    """RFC 3339 strings → aware datetimes, which Arrow stores as UTC instants."""
    row = dict(record)
    for name in timestamp_fields:
        value = row.get(name)
        if isinstance(value, str):
            row[name] = datetime.fromisoformat(value)
    return row


class BytesFile(_AtomicFile):
    """Whole contents known at once (the report, the descriptor), written durably to the partial file."""

    def __init__(self, path: Path, data: bytes) -> None:
        super().__init__(path)
        with self.partial.open("wb") as file:
            file.write(data)
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
    _fsync_folders(files)
    recover(journal)


def recover(journal: Path) -> bool:
    """Finish the renames an interrupted commit left in ``journal``; True when there were any.

    A journal may come with a downloaded package: only ``<folder>/.<name>.partial`` →
    ``<folder>/<name>`` pairs below the journal's folder are followed; anything else is refused.
    """
    if not journal.exists():
        return False
    pairs = [(journal.parent / partial, journal.parent / final) for partial, final in _journal_pairs(journal)]
    for partial, final in pairs:
        if partial.exists():
            partial.replace(final)
    _fsync_folders([_AtomicFile(final) for _, final in pairs])
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


def _fsync_folders(files: list[_AtomicFile]) -> None:
    for folder in {f.path.parent for f in files}:
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
