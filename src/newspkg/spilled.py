"""A list kept on disk: what a build must list per file (rejects, duplicates) without holding it.

A million-file build has tens of thousands of rejects and duplicates, and a corpus ten times larger
ten times as many: held as objects, they were the one part of a build's memory that grew with the
corpus. Here they are JSON lines in an unnamed temporary file (gone when closed or when the process
ends, even killed), read back in order as often as needed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any, Generic, TypeVar

import orjson

T = TypeVar("T")
READ_BLOCK = 1 << 16
WRITE_BUFFER = 1 << 16


class SpilledList(Generic[T]):
    """Append items, count them, iterate them in order; each item is one line of ``encode``'s JSON."""

    def __init__(self, encode: Callable[[T], Any], decode: Callable[[Any], T]):
        self._encode = encode
        self._decode = decode
        self._file: IO[bytes] | None = None  # made at the first append: most builds list nothing
        self._length = 0

    def append(self, item: T) -> None:
        if self._file is None:
            # Closed by close() or when the list is collected: it outlives any with-block here.
            self._file = tempfile.TemporaryFile(prefix="newspkg-list-", buffering=WRITE_BUFFER)  # noqa: SIM115
        self._file.write(orjson.dumps(self._encode(item)) + b"\n")
        self._length += 1

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[T]:
        """The items so far, read by offset: iterations may overlap, and appends may follow."""
        if self._file is None:
            return
        self._file.flush()
        end, offset, rest = self._file.tell(), 0, b""
        while offset < end:
            block = os.pread(self._file.fileno(), min(READ_BLOCK, end - offset), offset)
            if not block:
                raise OSError(f"{self._file.name}: the list's file ended early")
            offset += len(block)
            *lines, rest = (rest + block).split(b"\n")
            for line in lines:
                yield self._decode(orjson.loads(line))

    def close(self) -> None:
        """Drop the file: the list is empty again."""
        if self._file is not None:
            self._file.close()
            self._file = None
            self._length = 0

    def __del__(self) -> None:  # a summary nobody closed: its lists go with it, without a ResourceWarning
        self.close()
