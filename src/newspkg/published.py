"""Where each record of the last build's outputs is, so that a rebuild copies unchanged records
instead of encoding them again.

A build that uses the cache writes, beside it, a list of the records it writes, in order: each
one's line size, raw sha256, settings digest and raw path (what determines its line). Once the
outputs are committed, the cache records the stamps of the JSONL and Parquet files and of that list,
and its own write generation. The next build copies a kept record whose outcome is the same (same
path, settings and raw bytes) from those files: the JSONL line as bytes, the Parquet row decoded
from the old file, which takes less CPU than parsing its JSON again. Both builds go through records
in the same order, so the list is read once, alongside. Once any of the files has changed (edited,
replaced, checked out by git), or the cache took new outcomes since (a build that failed after
converting files), none of this is used: lines then come from the outcome cache, as before.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from newspkg.cache import LOCK_WAIT
from newspkg.discover import source_of
from newspkg.errors import BuildError

STATE_TABLE = "create table if not exists published_state (key text primary key, value text not null)"
GENERATION = "select value from generation"
CHANGED = "the previous build's outputs changed during the build: build again"
BUFFER = 1 << 20
# A record's place in the outputs: its row, and its line's first byte and length.
Place = tuple[int, int, int]
# What a list entry says of a record: line size, raw sha256, settings digest, raw path.
Entry = tuple[int, str, str, str]


def _stamp(fd: int) -> str:
    """Size, times, inode and device of an open file: another file, or the same one written to, differs."""
    info = os.fstat(fd)
    return f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino} {info.st_dev}"


def build_order(sources: Sequence[str]) -> Callable[[str], tuple[int, str]]:
    """The order in which a build goes through raw paths: by source, then by path."""
    position = {name: index for index, name in enumerate(sources)}
    return lambda raw_path: (position.get(source_of(raw_path), -1), raw_path)


class PreviousOutputs:
    """The last build's JSONL and Parquet, held open, and the places of their records."""

    def __init__(self, jsonl_fd: int, rows: PreviousRows, places: IO[bytes], order: Callable[[str], Any]) -> None:
        self.jsonl_fd = jsonl_fd  # read by offset (see JsonlWriter.copy), so it may be shared
        self.rows = rows
        self._places = places
        self._order = order
        self._entries = _entries(places)
        self._row, self._start = -1, 0  # the place of the current entry
        self._current: Entry | None = None
        self._advance()

    @classmethod
    def open(
        cls, cache_path: Path, places_path: Path, outputs: tuple[Path, Path], order: Callable[[str], Any]
    ) -> PreviousOutputs | None:
        """The outputs (JSONL, Parquet), if the places listed for them still hold; else None."""
        if not cache_path.exists():
            return None
        paths = {"places": places_path, "jsonl": outputs[0], "parquet": outputs[1]}
        files: dict[str, int] = {}
        try:
            for name, path in paths.items():
                files[name] = _open(path)
            uri = cache_path.resolve().as_uri() + "?mode=ro"
            with contextlib.closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as db:
                db.execute("begin")  # one snapshot of the state and the generation
                recorded = dict(db.execute("select key, value from published_state").fetchall())
                if recorded != _state(db, files, paths):
                    return None
            with contextlib.ExitStack() as undo:  # held open: the files may be replaced meanwhile
                places = undo.enter_context(os.fdopen(os.dup(files["places"]), "rb", buffering=BUFFER))
                rows = PreviousRows(os.dup(files["parquet"]))
                undo.callback(rows.close)
                jsonl_fd = os.dup(files["jsonl"])
                undo.callback(os.close, jsonl_fd)
                previous = cls(jsonl_fd, rows, places, order)
                undo.pop_all()
            return previous
        except (sqlite3.Error, OSError, ValueError, pa.ArrowException):
            return None
        finally:
            for fd in files.values():
                os.close(fd)

    def place(self, raw_path: str, settings: str, raw_sha256: str) -> Place | None:
        """Where the line of this record is in the outputs, if they hold it; asked in build order."""
        key = self._order(raw_path)
        while self._current is not None and self._order(self._current[3]) < key:
            self._advance()
        if self._current is None or self._current[3] != raw_path:
            return None
        size, sha256, recorded_settings, _ = self._current
        if (recorded_settings, sha256) != (settings, raw_sha256):
            return None
        return self._row, self._start, size

    def _advance(self) -> None:
        if self._current is not None:
            self._start += self._current[0]
        self._current = next(self._entries, None)
        self._row += 1

    def close(self) -> None:
        self._places.close()
        self.rows.close()
        os.close(self.jsonl_fd)


def _entries(places: IO[bytes]) -> Iterator[Entry]:
    """The list's entries; it ends early at a line it cannot read (what follows is then not copied)."""
    settings = ""
    for line in places:
        try:
            size, sha256, new_settings, raw_path = orjson.loads(line)
        except (orjson.JSONDecodeError, ValueError):
            return
        settings = new_settings or settings  # written only where it changes
        yield size, sha256, settings, raw_path


class PreviousRows:
    """Rows of the previous Parquet file, read a row group at a time from any thread. The last few
    groups decoded are kept for every thread: consecutive requests mostly fall in them. Read, not
    mapped: mapped pages would count in the build's memory, the whole file of a large package."""

    KEPT_GROUPS = 3  # the writer's parsers ask for neighbouring groups at once

    def __init__(self, fd: int) -> None:
        """Takes ``fd`` over: :meth:`close` closes it (so does a failure here)."""
        self._file = os.fdopen(fd, "rb")
        try:
            self._reader = pq.ParquetFile(pa.PythonFile(self._file, mode="r"))  # used under the lock only
        except BaseException:
            self._file.close()
            raise
        metadata = self._reader.metadata
        self._firsts = [0]  # the first row of each row group, and the number of rows last
        for group in range(metadata.num_row_groups):
            self._firsts.append(self._firsts[-1] + metadata.row_group(group).num_rows)
        self._decoded: dict[int, pa.Table] = {}  # oldest first
        self._lock = threading.Lock()

    def take(self, first: int, stop: int, schema: pa.Schema) -> pa.Table:
        """Rows ``first`` to ``stop - 1`` as one table of ``schema``."""
        if not 0 <= first < stop <= self._firsts[-1]:
            raise BuildError(CHANGED)
        groups = range(bisect.bisect_right(self._firsts, first) - 1, bisect.bisect_right(self._firsts, stop - 1))
        table = pa.concat_tables([self._group(group) for group in groups])
        rows = table.slice(first - self._firsts[groups[0]], stop - first)
        return pa.Table.from_arrays(rows.columns, schema=schema)

    def _group(self, group: int) -> pa.Table:
        with self._lock:  # one decodes while the other waits for the same group: each is decoded once
            if group not in self._decoded:
                self._decoded[group] = self._reader.read_row_group(group, use_threads=False)
                while len(self._decoded) > self.KEPT_GROUPS:
                    del self._decoded[next(iter(self._decoded))]
            return self._decoded[group]

    def close(self) -> None:
        self._decoded.clear()
        self._file.close()


class PlacesRecorder:
    """Lists the records a build writes, in order (see the module's doc); :meth:`save` makes the
    list the one the next build reads, once the outputs are committed."""

    def __init__(self, places_path: Path) -> None:
        self._path = places_path
        self._partial = places_path.with_name(f".{places_path.name}.partial")
        places_path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self._partial.open("wb", buffering=BUFFER)
        self._settings = ""

    def add(self, raw_path: str, settings: str, raw_sha256: str, size: int) -> None:
        changed = settings if settings != self._settings else ""
        self._file.write(orjson.dumps([size, raw_sha256, changed, raw_path]) + b"\n")
        self._settings = settings

    def close(self) -> None:
        self._file.close()

    def save(self, cache_path: Path, jsonl_path: Path, parquet_path: Path) -> None:
        """Put the list in place and record the files it describes; a cache that cannot take
        them only costs the next build its copies."""
        self.close()
        with contextlib.suppress(sqlite3.Error, OSError):
            self._partial.replace(self._path)  # the recorded stamps no longer match: nothing holds until the end
            paths = {"places": self._path, "jsonl": jsonl_path, "parquet": parquet_path}
            files: dict[str, int] = {}
            db = sqlite3.connect(cache_path, timeout=LOCK_WAIT, isolation_level=None)
            try:
                for name, path in paths.items():
                    files[name] = _open(path)
                db.execute(STATE_TABLE)
                db.execute("begin immediate")
                db.execute("delete from published_state")
                db.executemany("insert into published_state values (?, ?)", _state(db, files, paths).items())
                db.execute("commit")
            finally:
                db.close()
                for fd in files.values():
                    os.close(fd)


def _open(path: Path) -> int:
    return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)


def _state(db: sqlite3.Connection, files: dict[str, int], paths: dict[str, Path]) -> dict[str, str]:
    """What the places hold for: these very files, and the outcome cache as it is now (a build
    that wrote outcomes, even one that then failed, may have changed lines these files still hold)."""
    (generation,) = db.execute(GENERATION).fetchone()
    state = {name: f"{paths[name].resolve()} {_stamp(fd)}" for name, fd in files.items()}
    return {**state, "cache_generation": str(generation)}
