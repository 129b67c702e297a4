"""The listings of crawls and exports, kept between builds by their file's stamp: a rebuild with
nothing changed does not list a file again (listing a crawl reads every record through).

A listing is kept as its places, ``name<TAB>offset`` a line, compressed, one row a file, in
``build/.cache/listings.sqlite``; it is reused only for the same reader (name and version) and
the same stamp. A stamp younger than two seconds is not kept (a write in the same clock tick
would leave it unchanged), nor one that changed while the file was listed. The store never fails
a build: one that cannot be opened, read or written only costs the listing again.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from newspkg.readers.base import Place, Reader
from newspkg.readers.files import regular_stat

RACY_SECONDS = 2
CHUNK = 1 << 16
SCHEMA = "create table if not exists listing (path text primary key, reader text, stamp text, places blob)"
FAILURES = (sqlite3.Error, OSError, ValueError, zlib.error)


class Listings:
    """Where listings are kept; opened on first use, by the build's one process that lists."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def places(self, path: Path, relative: str, reader: Reader) -> Iterator[Place]:
        """The reader's places of the file, from the store when its stamp is the one they were listed at."""
        stamp, key = _stamp(path), f"{reader.name} {reader.version}"
        kept = self._kept(relative, key, stamp) if stamp is not None else None
        if kept is not None:
            yield from kept
            return
        compressor, chunks = zlib.compressobj(), []
        for place in reader.places(path):
            chunks.append(compressor.compress(f"{place.name}\t{place.offset}\n".encode()))
            yield place
        chunks.append(compressor.flush())
        if stamp is not None and stamp == _stamp(path) and time.time() - _newest(stamp) > RACY_SECONDS:
            self._keep(relative, key, stamp, b"".join(chunks))

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def _kept(self, relative: str, key: str, stamp: str) -> Iterator[Place] | None:
        db = self._open()
        if db is None:
            return None
        try:
            row = db.execute(
                "select places from listing where path = ? and reader = ? and stamp = ?", (relative, key, stamp)
            ).fetchone()
            return None if row is None or not _whole(row[0]) else _decoded(row[0])
        except FAILURES:
            return None

    def _keep(self, relative: str, key: str, stamp: str, places: bytes) -> None:
        db = self._open()
        if db is not None:
            with contextlib.suppress(*FAILURES):
                db.execute("insert or replace into listing values (?, ?, ?, ?)", (relative, key, stamp, places))

    def _open(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                if self._path.is_symlink():  # never written through a link
                    raise OSError(f"{self._path} is a symlink")
                self._path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self._path, timeout=5, isolation_level=None)
                self._db.execute(SCHEMA)
            except FAILURES:
                self._broken = True
                self.close()
        return self._db


def _stamp(path: Path) -> str | None:
    """Size, times and inode of a regular file; None for anything else."""
    info = regular_stat(path)
    return None if info is None else f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}"


def _newest(stamp: str) -> float:
    _, modified, changed, _ = stamp.split()
    return max(int(modified), int(changed)) / 1e9


def _whole(places: object) -> bool:
    """Whether a kept listing is the compressed stream written (its checksum is the stream's end)."""
    if not isinstance(places, bytes):
        return False
    stream, data = zlib.decompressobj(), places
    try:
        while data:
            stream.decompress(data, CHUNK)  # at most CHUNK bytes out at a time: checked, never held
            data = stream.unconsumed_tail
        stream.flush()
    except zlib.error:
        return False
    return stream.eof


def _decoded(places: bytes) -> Iterator[Place]:
    """The places kept, a chunk at a time (a listing of a million lines is never held as objects)."""
    stream, rest = zlib.decompressobj(), b""
    for start in range(0, len(places), CHUNK):
        rest += stream.decompress(places[start : start + CHUNK])
        *lines, rest = rest.split(b"\n")  # the last, perhaps partial, line waits for the next chunk
        for line in lines:
            name, offset = line.split(b"\t")
            yield Place(name.decode(), int(offset))
