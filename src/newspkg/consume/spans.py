"""Cutting a JSONL file into spans of whole lines, the unit of work of the record checks, and reading
a span's lines in batches.

Spans begin and end where Parquet row groups do (small groups joined, giant ones cut) wherever
they can, so the process that checks a span reads only the row groups it compares with.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

BATCH_ROWS = 1024  # lines parsed and compared with their Parquet rows at a time


SPAN_LINES = 8192  # lines in a span when no Parquet row group says where to cut


MAX_SPAN_LINES = 65536  # a span never holds more: a foreign Parquet file may have a giant row group


MAX_LINE_BYTES = 64 * 1024 * 1024  # one JSONL record


READ_BLOCK = 4 * 1024 * 1024


@dataclass(frozen=True)
class Span:
    """Whole lines of the JSONL file: the unit of work."""

    first_line: int
    offset: int  # in bytes
    size: int  # in bytes
    lines: int


def span_lengths(row_groups: list[int]) -> Iterator[int]:
    """How many lines each span holds: whole row groups, joined until a span has SPAN_LINES (a
    span's fixed costs then stay small next to its work) and cut at MAX_SPAN_LINES; then SPAN_LINES
    for lines beyond the last row."""
    pending = 0
    for rows in row_groups:
        if pending + rows > MAX_SPAN_LINES and pending:
            yield pending
            pending = 0
        pending += rows
        while pending > MAX_SPAN_LINES:
            yield MAX_SPAN_LINES
            pending -= MAX_SPAN_LINES
        if pending >= SPAN_LINES:
            yield pending
            pending = 0
    if pending:
        yield pending
    while True:
        yield SPAN_LINES


def cut_into_spans(path: Path, cuts: Iterator[int]) -> Iterator[Span]:
    """The file cut into spans of ``next(cuts)`` lines each (the last may hold fewer), found from
    where lines end, block by block: nothing here parses or keeps a line."""
    first, start, offset, counted = 1, 0, 0, 0  # counted: lines of the open span before this block
    wanted = next(cuts)
    last = b""
    with path.open("rb", buffering=0) as file:
        while block := file.read(READ_BLOCK):
            ends = _line_ends(block)
            taken = 0  # of these lines, those already in a span
            while counted + len(ends) - taken >= wanted:
                taken += wanted - counted
                position = ends[taken - 1]
                yield Span(first, start, offset + position - start, wanted)
                first, start, counted = first + wanted, offset + position, 0
                wanted = next(cuts)
            counted += len(ends) - taken
            offset += len(block)
            last = block[-1:]
    if offset > start:
        yield Span(first, start, offset - start, counted + (last != b"\n"))


def _line_ends(block: bytes) -> list[int]:
    """The offset just past every newline in ``block``. ``find`` runs at memchr's speed, where
    ``bytes.count`` of one byte has no fast path: counting newlines, twice per block as this did
    before, was the main process's largest cost beside the workers."""
    ends = []
    position = block.find(b"\n")
    while position != -1:
        ends.append(position + 1)
        position = block.find(b"\n", position + 1)
    return ends


def span_batches(path: Path, span: Span) -> Iterator[tuple[int, list[bytes | None]]]:
    """The span's lines, BATCH_ROWS at a time, with the number of the first."""
    with path.open("rb", buffering=0) as file:
        file.seek(span.offset)
        yield from line_batches(read_lines(_Window(file, span.size)), span.first_line)


def line_batches(lines: Iterator[bytes | None], first_line: int) -> Iterator[tuple[int, list[bytes | None]]]:
    """BATCH_ROWS lines at a time, with the number of the first."""
    batch: list[bytes | None] = []
    for raw in lines:
        batch.append(raw)
        if len(batch) == BATCH_ROWS:
            yield first_line, batch
            first_line, batch = first_line + BATCH_ROWS, []
    if batch:
        yield first_line, batch


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class _Window:
    """The next ``size`` bytes of a file, as a file to read."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self._file, self._left = file, size

    def read(self, size: int) -> bytes:
        data = self._file.read(min(size, self._left))
        self._left -= len(data)
        return data


def read_lines(file: Readable) -> Iterator[bytes | None]:
    """Every line with its newline (the last may have none), read in large blocks (readline per line
    cost more than parsing the JSON); None in place of a line over MAX_LINE_BYTES, which is skipped
    without holding more than a block of it."""
    pending = bytearray()  # the start of a line that continues in the next block
    skipping = False  # inside an over-long line
    while block := file.read(READ_BLOCK):
        start = 0
        while (end := block.find(b"\n", start)) != -1:
            if skipping:
                skipping = False
                yield None
            elif pending:
                pending += block[start : end + 1]
                yield None if len(pending) - 1 > MAX_LINE_BYTES else bytes(pending)
                pending.clear()
            else:
                yield None if end - start > MAX_LINE_BYTES else block[start : end + 1]
            start = end + 1
        if not skipping:
            pending += block[start:]
            if len(pending) > MAX_LINE_BYTES:
                skipping, pending = True, bytearray()
    if skipping:
        yield None
    elif pending:
        yield bytes(pending)
