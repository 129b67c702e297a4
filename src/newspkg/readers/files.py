"""Opening a raw file safely, and the reader of a file that is one item (plain or gzip-compressed)."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from newspkg.decode import GZIP_MAGIC, NotGunzipped, gunzipped
from newspkg.readers.base import Item, Place, ReaderError

CHUNK = 1 << 16


class NotRegular(ReaderError):
    """A link, a FIFO, a socket or a device where a regular file should be: never read."""


def regular_stat(path: str | os.PathLike[str]) -> os.stat_result | None:
    """``os.lstat`` of a regular file; None for anything else (a link, a FIFO, a missing file)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def open_regular(path: str | Path) -> BinaryIO:
    """The file at ``path``, opened for reading: never through a link (which may lead out of the
    dataset), never a FIFO, socket or device (which would block or never end). Raises
    :class:`NotRegular` for those, OSError (as ENOENT) for the rest."""
    try:
        # O_NONBLOCK: opening a FIFO must not block (fstat then tells it is not a regular file)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotRegular(f"is a symlink to {_target(path)}; links are never followed") from None
        raise
    file = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        file.close()
        raise NotRegular("is not a regular file (a FIFO, socket or device)")
    return file


def _target(path: str | Path) -> str:
    try:
        return str(Path(path).readlink())
    except OSError:
        return "somewhere"


def read_bounded(file: BinaryIO, limit: int, size: int | None = None) -> tuple[bytes, str]:
    """At most ``limit`` + 1 of the ``size`` bytes (or all bytes) from the file's position, and the
    sha256 of them all when there are more (hashed a chunk at a time, never held whole); "" when
    the bytes returned are all of them."""
    wanted = limit + 1 if size is None else min(size, limit + 1)
    data = file.read(wanted)
    if len(data) <= limit:
        return data, ""
    digest, left = hashlib.sha256(data), None if size is None else size - len(data)
    while left is None or left > 0:
        chunk = file.read(CHUNK if left is None else min(CHUNK, left))
        if not chunk:
            break
        digest.update(chunk)
        left = None if left is None else left - len(chunk)
    return data, digest.hexdigest()


class FileReader:
    """A file that is one item, read whole up to the limit; a gzip-compressed one (a saved page as
    ``.html.gz``: its content decides, not its name) is inflated up to the limit."""

    name = "file"
    version = "1"
    kind = "file"
    suffixes: tuple[str, ...] = ()

    def sniff(self, head: bytes) -> bool:
        return False

    def places(self, path: Path) -> Iterable[Place]:
        return [Place("")]

    def read(self, path: str | Path, place: Place, limit: int) -> Item:
        with open_regular(path) as file:
            if os.fstat(file.fileno()).st_size <= limit:  # read as large as the file, not as the limit
                data, sha256 = file.read(), ""
            else:
                data, sha256 = read_bounded(file, limit)
        if len(data) > limit and not sha256:  # it grew since: no more than the limit
            data, sha256 = data[: limit + 1], hashlib.sha256(data).hexdigest()
        if sha256 or not data.startswith(GZIP_MAGIC):
            return Item(data, sha256)
        try:
            return Item(gunzipped(data, limit), hashlib.sha256(data).hexdigest())
        except NotGunzipped as error:
            return Item(data, undecodable=str(error))
