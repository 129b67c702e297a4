"""What a Parquet file's pages say they inflate to, read from their headers without decoding a page.

Arrow decompresses a whole page before it hands out a row of it, into a buffer of the size the
page's header declares (and fails if the page inflates to any other size). A row group's footer
may understate that size, so the footer alone cannot bound what reading a group costs; the page
headers can. A header is a Thrift struct in the compact protocol: this module reads just enough
of that protocol to find a header's sizes and its end, within a bound of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyarrow.parquet as pq

MAX_HEADER_BYTES = 1 << 20  # a page header holds sizes and statistics: far less than this
FIRST_READ = 4 << 10  # most headers are a few dozen bytes
MAX_DEPTH = 16  # a page header nests structs three deep
_STOP, _TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(13)
_UNCOMPRESSED_SIZE, _COMPRESSED_SIZE = 2, 3  # PageHeader's field ids


class PageError(ValueError):
    """A page header that cannot be read."""


def inflated_bytes(path: Path, metadata: pq.FileMetaData, group: int, bound: int) -> int:
    """What the pages of row group ``group`` declare they inflate to, all columns together; the
    walk stops once that passes ``bound`` (so the figure is then only known to be over it)."""
    total = 0
    row_group = metadata.row_group(group)
    with path.open("rb") as file:
        for column in range(row_group.num_columns):
            for size in _page_sizes(file, row_group.column(column)):
                total += size
                if total > bound:
                    return total
    return total


def _page_sizes(file: BinaryIO, chunk: pq.ColumnChunkMetaData) -> Iterator[int]:
    """The uncompressed size of each page of a column chunk, in the byte range Arrow reads it from."""
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    end = start + chunk.total_compressed_size
    position = start
    while position < end:
        uncompressed, compressed, header = _page_header(file, position, end)
        yield uncompressed
        position += header + compressed


def _page_header(file: BinaryIO, position: int, end: int) -> tuple[int, int, int]:
    """(uncompressed size, compressed size, header length) of the page at ``position``."""
    wanted = FIRST_READ
    while True:
        file.seek(position)
        data = file.read(min(wanted, end - position))
        try:
            reader = _Compact(data)
            fields = reader.page_sizes()
            break
        except _Truncated:
            if len(data) < wanted or wanted >= MAX_HEADER_BYTES:
                message = f"the page header at byte {position} is cut short or over {MAX_HEADER_BYTES} bytes"
                raise PageError(message) from None
            wanted *= 4
    uncompressed, compressed = fields.get(_UNCOMPRESSED_SIZE), fields.get(_COMPRESSED_SIZE)
    if uncompressed is None or compressed is None or uncompressed < 0 or compressed < 0:
        raise PageError(f"the page header at byte {position} has no valid sizes")
    return uncompressed, compressed, reader.at


class _Truncated(Exception):
    """The bytes read end inside the header: read more."""


class _Compact:
    """A reader of Thrift's compact protocol over bytes, skipping what it is not asked for."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def page_sizes(self) -> dict[int, int]:
        """The top-level i32 fields of the struct that starts here (a page header's sizes among them)."""
        found: dict[int, int] = {}
        for field, kind in self._fields():
            if kind == _I32 and field in (_UNCOMPRESSED_SIZE, _COMPRESSED_SIZE):
                found[field] = self._zigzag()
            else:
                self._skip(kind, 1)
        return found

    def _byte(self) -> int:
        if self.at >= len(self.data):
            raise _Truncated
        self.at += 1
        return self.data[self.at - 1]

    def _varint(self) -> int:
        value = shift = 0
        while (byte := self._byte()) & 0x80:
            value |= (byte & 0x7F) << shift
            shift += 7
            if shift > 63:
                raise PageError("a page header holds a malformed number")
        return value | (byte << shift)

    def _zigzag(self) -> int:
        value = self._varint()
        return (value >> 1) ^ -(value & 1)

    def _fields(self) -> Iterator[tuple[int, int]]:
        field = 0
        while (header := self._byte()) & 0x0F != _STOP:
            field = field + (header >> 4) if header >> 4 else self._zigzag()
            yield field, header & 0x0F

    def _skip(self, kind: int, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise PageError("a page header nests too deep")
        if kind in (_TRUE, _FALSE):
            return
        if kind == _BYTE:
            self._byte()
        elif kind in (_I16, _I32, _I64):
            self._varint()
        elif kind in (_DOUBLE, _BINARY):
            self._advance(8 if kind == _DOUBLE else self._varint())
        elif kind in (_LIST, _SET):
            header = self._byte()
            count = header >> 4 if header >> 4 != 15 else self._varint()
            for _ in range(count):
                self._skip_element(header & 0x0F, depth + 1)
        elif kind == _MAP:
            if count := self._varint():
                types = self._byte()
                for _ in range(count):
                    self._skip_element(types >> 4, depth + 1)
                    self._skip_element(types & 0x0F, depth + 1)
        elif kind == _STRUCT:
            for _, inner in self._fields():
                self._skip(inner, depth + 1)
        else:
            raise PageError(f"a page header holds an unknown type ({kind})")

    def _skip_element(self, kind: int, depth: int) -> None:
        """In a list, set or map a boolean takes a byte of its own (in a struct, its field header holds it)."""
        if kind in (_TRUE, _FALSE):
            self._byte()
        else:
            self._skip(kind, depth)

    def _advance(self, count: int) -> None:
        if self.at + count > len(self.data):
            raise _Truncated
        self.at += count
