"""Where each record of the last build's outputs is, so that a rebuild copies unchanged records
instead of encoding them again.

When a build that uses the cache has committed its outputs, the cache file also gets one row per
record written (its raw path, settings digest and raw sha256, which determine its line; its row,
which is its line's number less one; and its line's byte range) and the stamps of the JSONL and
Parquet files. The next build copies a kept record whose outcome is the same from those files: the
JSONL line as bytes, the Parquet row decoded from the old file, which costs far less than parsing
its JSON again. Once either file's stamp has changed (edited, replaced, checked out by git), none
of this is used: lines then come from the outcome cache, as before.
"""

from __future__ import annotations

import bisect
import contextlib
import mmap
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newspkg.errors import BuildError
from newspkg.spilled import SpilledList

TABLES = """
create table if not exists published (
    path text primary key, settings text not null, raw_sha256 text not null,
    row integer not null, start integer not null, size integer not null
);
create table if not exists published_state (key text primary key, value text not null);
"""
GENERATION = "select value from generation"
SELECT = "select path, settings, raw_sha256, row, start, size from published where path in ({})"
BATCH = 500
CHANGED = "the previous build's outputs changed during the build: build again"
# A record's place in the outputs: its row, and its line's first byte and length.
Place = tuple[int, int, int]


def file_stamp(fd: int) -> str:
    info = os.fstat(fd)
    return f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino} {info.st_dev}"


class PreviousOutputs:
    """The last build's JSONL and Parquet, held open, and the places of their records."""

    def __init__(self, db: sqlite3.Connection, jsonl_fd: int, parquet: mmap.mmap) -> None:
        self._db = db
        self.jsonl_fd = jsonl_fd
        self.rows = PreviousRows(parquet)

    @classmethod
    def open(cls, cache_path: Path, jsonl_path: Path, parquet_path: Path) -> PreviousOutputs | None:
        """The outputs, if the places recorded for them still hold (same files, same stamps); else None."""
        if not cache_path.exists():
            return None
        with contextlib.ExitStack() as undo:
            try:
                db = sqlite3.connect(cache_path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
                undo.callback(db.close)
                db.execute("begin")  # one snapshot: the places and what they were recorded with
                recorded = dict(db.execute("select key, value from published_state").fetchall())
                jsonl_fd = _open(jsonl_path)
                undo.callback(os.close, jsonl_fd)
                parquet_fd = _open(parquet_path)
                undo.callback(os.close, parquet_fd)
                found = _state(db, jsonl_path, jsonl_fd, parquet_path, parquet_fd)
                if recorded != found:
                    return None
                parquet = mmap.mmap(parquet_fd, 0, access=mmap.ACCESS_READ)  # stays valid after the file is replaced
                undo.callback(parquet.close)
                previous = cls(db, jsonl_fd, parquet)
            except (sqlite3.Error, OSError, ValueError, pa.ArrowException):
                return None
            undo.pop_all()
        os.close(parquet_fd)
        return previous

    def places(self, wanted: Iterable[tuple[str, str, str]]) -> dict[str, Place]:
        """Raw path → place, for each (raw path, settings, raw sha256) whose line is in the outputs."""
        by_path = {path: (settings, sha256) for path, settings, sha256 in wanted}
        paths = list(by_path)
        found: dict[str, Place] = {}
        for start in range(0, len(paths), BATCH):
            batch = paths[start : start + BATCH]
            query = SELECT.format(",".join("?" * len(batch)))
            for path, settings, sha256, row, first, size in self._db.execute(query, batch).fetchall():
                if by_path[path] == (settings, sha256):
                    found[path] = (row, first, size)
        return found

    def lines(self, start: int, stop: int, count: int) -> bytes:
        """``count`` consecutive lines of the previous JSONL, bytes ``start`` to ``stop``."""
        data = os.pread(self.jsonl_fd, stop - start, start)
        if len(data) != stop - start or data.count(b"\n") != count or not data.endswith(b"\n"):
            raise BuildError(CHANGED)
        return data

    def close(self) -> None:
        self._db.close()
        os.close(self.jsonl_fd)
        self.rows.close()


class PreviousRows:
    """Rows of the previous Parquet file, read a row group at a time from any thread (each thread
    keeps the last group it decoded: consecutive requests mostly fall in it)."""

    def __init__(self, mapped: mmap.mmap) -> None:
        self._mapped = mapped
        self._buffer: pa.Buffer | None = pa.py_buffer(mapped)
        metadata = pq.ParquetFile(pa.BufferReader(self._buffer)).metadata
        self._firsts = [0]  # the first row of each row group, and the number of rows last
        for group in range(metadata.num_row_groups):
            self._firsts.append(self._firsts[-1] + metadata.row_group(group).num_rows)
        self._local = threading.local()

    def take(self, first: int, stop: int, schema: pa.Schema) -> pa.Table:
        """Rows ``first`` to ``stop - 1`` as one table of ``schema``."""
        if not 0 <= first < stop <= self._firsts[-1]:
            raise BuildError(CHANGED)
        groups = range(bisect.bisect_right(self._firsts, first) - 1, bisect.bisect_right(self._firsts, stop - 1))
        table = pa.concat_tables([self._group(group) for group in groups])
        rows = table.slice(first - self._firsts[groups[0]], stop - first)
        return pa.Table.from_arrays(rows.columns, schema=schema)

    def _group(self, group: int) -> pa.Table:
        if getattr(self._local, "group", None) != group:
            reader = pq.ParquetFile(pa.BufferReader(self._buffer))  # one per call: readers are not shared
            self._local.table = reader.read_row_group(group, use_threads=False)
            self._local.group = group
        table: pa.Table = self._local.table
        return table

    def close(self) -> None:
        self._local = threading.local()
        self._buffer = None
        with contextlib.suppress(BufferError):  # a table still refers to the mapping: it goes with them
            self._mapped.close()


class PlacesRecorder:
    """Collects the places of the records a build writes; :meth:`save` records them once the
    outputs are committed."""

    def __init__(self) -> None:
        self._rows: SpilledList[list[Any]] = SpilledList(list, list)  # on disk: a million places are 200 MB
        self._bytes = 0

    def add(self, path: str, settings: str, raw_sha256: str, size: int) -> None:
        self._rows.append([path, settings, raw_sha256, len(self._rows), self._bytes, size])
        self._bytes += size

    def save(self, cache_path: Path, jsonl_path: Path, parquet_path: Path) -> None:
        """Record the places with the committed files' stamps; a cache that cannot take them only
        costs the next build its copies."""
        with contextlib.suppress(sqlite3.Error, OSError):
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(cache_path, timeout=60, isolation_level=None)
            try:
                db.executescript(TABLES)
                db.execute("begin immediate")
                db.execute("delete from published_state")
                db.execute("delete from published")
                db.executemany("insert into published values (?, ?, ?, ?, ?, ?)", self._rows)
                jsonl_fd, parquet_fd = _open(jsonl_path), _open(parquet_path)
                try:
                    state = _state(db, jsonl_path, jsonl_fd, parquet_path, parquet_fd)
                finally:
                    os.close(jsonl_fd)
                    os.close(parquet_fd)
                db.executemany("insert into published_state values (?, ?)", state.items())
                db.execute("commit")
            finally:
                db.close()
                self._rows.close()


def _open(path: Path) -> int:
    return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)


def _state(
    db: sqlite3.Connection, jsonl_path: Path, jsonl_fd: int, parquet_path: Path, parquet_fd: int
) -> dict[str, str]:
    """What the places hold for: these very files, and the outcome cache as it is now (a build
    that wrote outcomes, even one that then failed, may have changed lines these files still hold)."""
    (generation,) = db.execute(GENERATION).fetchone()
    return {
        "jsonl": f"{jsonl_path.resolve()} {file_stamp(jsonl_fd)}",
        "parquet": f"{parquet_path.resolve()} {file_stamp(parquet_fd)}",
        "cache_generation": str(generation),
    }
