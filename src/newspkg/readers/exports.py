"""A scraper's export: JSON Lines (``::line-12``, its line number), a JSON array (``::item-0``) or CSV
(``::row-3``, after the header). The listing goes through the file once, a chunk at a time, and
notes where each item begins; an item is read at its offset, at most ``max_bytes`` of it, so a
worker never holds an export, nor more than one item of it.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from newspkg.readers.base import Item, Place, ReaderError
from newspkg.readers.files import FileReader, open_regular

CHUNK = 1 << 20  # listing reads this much at a time
FIRST_READ = 1 << 14  # an item is read this much at a time until it ends (most are smaller)
LISTED_ROW_BYTES = 1 << 20  # a CSV row longer is scanned for its end while listing, not parsed (nor held)
ARRAY_LIMIT = 64 * 1024 * 1024  # a JSON array is listed whole (its values' ends need parsing): JSON Lines beyond
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a field may hold a whole article; the item's limit bounds it


class JsonLinesReader:
    """One JSON value a line (``.jsonl``, ``.ndjson``, or a ``.json`` whose first line is a whole value)."""

    name = "jsonl"
    version = "1"
    kind = "export"
    suffixes: tuple[str, ...] = (".jsonl", ".ndjson")

    def sniff(self, head: bytes) -> bool:
        """Lines of JSON values: its first line a whole value, and more after it."""
        first, newline, rest = head.lstrip(b"\xef\xbb\xbf \t\r\n").partition(b"\n")
        if not newline or not first.strip().startswith(b"{") or not rest.strip():
            return False
        try:
            json.loads(first)
        except (ValueError, RecursionError):
            return False
        return True

    def places(self, path: Path) -> Iterator[Place]:
        return _listed(path, _line_starts)

    def read(self, path: Path, place: Place, limit: int) -> Item:
        if not place.name:
            return FileReader().read(path, place, limit)
        with open_regular(path) as file:
            file.seek(place.offset)
            return Item(_line_at(file, limit))


class JsonArrayReader:
    """A JSON array of values (``.json``); a single value is one item, ``item-0``."""

    name = "json"
    version = "1"
    kind = "export"
    suffixes: tuple[str, ...] = (".json",)

    def sniff(self, head: bytes) -> bool:
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")

    def places(self, path: Path) -> Iterator[Place]:
        return _listed(path, _value_starts)

    def read(self, path: Path, place: Place, limit: int) -> Item:
        if place.name.startswith("line-"):  # JSON Lines the first lines of which did not show it
            return JsonLinesReader().read(path, place, limit)
        if not place.name and path.stat().st_size > ARRAY_LIMIT:
            raise ReaderError(f"a JSON array over {ARRAY_LIMIT} bytes is not listed: export it as JSON Lines")
        if not place.name:
            return FileReader().read(path, place, limit)
        with open_regular(path) as file:
            file.seek(place.offset)
            if place.name.startswith("broken-"):
                raise ReaderError(f"not a JSON array from byte {place.offset} on: {_value_error(file)}")
            return _value_at(file, limit)


class CsvReader:
    """CSV with a header row: each row an item, as a JSON object of the header's names."""

    name = "csv"
    version = "1"
    kind = "export"
    suffixes: tuple[str, ...] = (".csv",)

    def sniff(self, head: bytes) -> bool:
        return False  # CSV has no signature: only its name says so

    def places(self, path: Path) -> Iterator[Place]:
        return _listed(path, _row_starts)

    def read(self, path: Path, place: Place, limit: int) -> Item:
        with open_regular(path) as file:
            header = _header(file)
            if not place.name:
                return FileReader().read(path, place, limit)
            file.seek(place.offset)
            try:
                row = next(csv.DictReader(_Lines(file, budget=limit), fieldnames=header))
            except _OverBudget:
                if place.name.startswith("broken-"):
                    raise ReaderError(f"not CSV from byte {place.offset} on: a row over {limit} bytes") from None
                file.seek(place.offset)
                return Item(file.read(limit + 1))
            except (csv.Error, StopIteration) as error:
                raise ReaderError(f"not CSV from byte {place.offset} on: {error}") from None
        if place.name.startswith("broken-"):
            raise ReaderError(f"not CSV from byte {place.offset} on (the file changed since it was listed?)")
        return Item(json.dumps(row, ensure_ascii=False).encode())


def _listed(path: Path, starts: Callable[[BinaryIO], Iterator[Place]]) -> Iterator[Place]:
    """The places ``starts`` finds in the file; the file itself when it cannot be read or holds no
    item (its reading then says why: a link, not UTF-8, empty)."""
    listed = False
    try:
        with open_regular(path) as file:
            for place in starts(file):
                listed = True
                yield place
    except (OSError, ReaderError):
        pass
    if not listed:
        yield Place("")


def _line_starts(file: BinaryIO) -> Iterator[Place]:
    """Each line holding more than white space, by its number (from 1) and the byte it begins at."""
    number, start, position, nonblank = 1, 0, 0, False
    while chunk := file.read(CHUNK):
        at = 0
        while (end := chunk.find(b"\n", at)) != -1:
            if nonblank or chunk[at:end].strip():
                yield Place(f"line-{number}", start)
            number, start, nonblank, at = number + 1, position + end + 1, False, end + 1
        nonblank = nonblank or bool(chunk[at:].strip())
        position += len(chunk)
    if nonblank:
        yield Place(f"line-{number}", start)


def _line_at(file: BinaryIO, limit: int) -> bytes:
    """The line from the file's position, without its line end; of a longer one, its first ``limit`` + 1 bytes."""
    data = b""
    while len(data) <= limit:
        chunk = file.read(min(max(FIRST_READ, len(data)), limit + 1 - len(data)))
        end = chunk.find(b"\n")
        if end != -1:
            return (data + chunk[:end]).rstrip(b"\r")
        data += chunk
        if not chunk:
            break
    return data if len(data) > limit else data.rstrip(b"\r")


def _value_starts(file: BinaryIO) -> Iterator[Place]:
    """Where each value of a JSON array begins (``item-N``); of a single value, ``item-0``; of JSON
    Lines, each line; where the array cannot be read on, ``broken-<byte>`` (its reading says why)."""
    data = file.read(ARRAY_LIMIT + 1)
    if len(data) > ARRAY_LIMIT:
        raise ReaderError(f"a JSON array over {ARRAY_LIMIT} bytes: export it as JSON Lines")
    text = _text(data)
    decoder = json.JSONDecoder()
    at = _skip(text, 0)
    if not text.startswith("[", at):
        try:
            end = _skip(text, decoder.raw_decode(text, at)[1])
        except (ValueError, RecursionError):
            return  # the file itself is the item, and its reading says why
        if end < len(text):  # JSON Lines named .json, as several news datasets ship them
            file.seek(0)
            yield from _line_starts(file)
            return
        yield Place("item-0", len(text[:at].encode()) + len(data) - len(text.encode()))  # a single value
        return
    yield from _array_values(text, _skip(text, at + 1), decoder, len(data) - len(text.encode()))


def _array_values(text: str, at: int, decoder: json.JSONDecoder, bom: int) -> Iterator[Place]:
    byte, counted, number = bom, 0, 0
    while at < len(text) and text[at] != "]":
        byte += len(text[counted:at].encode())
        counted = at
        try:
            at = decoder.raw_decode(text, at)[1]
        except (ValueError, RecursionError) as error:
            if not number:  # nothing before it: the file is the one item, and its reading says why
                raise ReaderError(f"not a JSON array: {error}") from None
            yield Place(f"broken-{byte}", byte)
            return
        yield Place(f"item-{number}", byte)
        number += 1
        at = _skip(text, at)
        if text.startswith(",", at):
            at = _skip(text, at + 1)
        elif at < len(text) and text[at] != "]":
            byte += len(text[counted:at].encode())
            yield Place(f"broken-{byte}", byte)
            return
    if text.startswith("]", at) and (end := _skip(text, at + 1)) < len(text):  # more after the array's end
        byte += len(text[counted:end].encode())
        yield Place(f"broken-{byte}", byte)


def _value_at(file: BinaryIO, limit: int) -> Item:
    """The JSON value at the file's position, written as one line; a longer one, cut at ``limit`` + 1 bytes."""
    data = b""
    size = FIRST_READ
    while True:
        data += file.read(size - len(data))
        text = data.decode("utf-8", "replace")
        try:
            value, _ = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError:
            if len(data) < size:  # the file ended: not a value
                raise ReaderError("not a JSON value (the file changed since it was listed?)") from None
            if size > limit:
                return Item(data[: limit + 1])
            size = min(size * 4, limit + 1)
            continue
        except (ValueError, RecursionError) as error:
            raise ReaderError(f"not a JSON value within bounds: {error}") from None
        return Item(json.dumps(value, ensure_ascii=False).encode())


def _value_error(file: BinaryIO) -> str:
    text = file.read(FIRST_READ).decode("utf-8", "replace")
    try:
        json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError) as error:
        return str(error)
    return "a value where a comma or the array's end should be, or more JSON after the array's end"


def _skip(text: str, at: int) -> int:
    """The first place from ``at`` on that is not JSON white space."""
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReaderError(f"not UTF-8: {error}") from None


class _OverBudget(Exception):
    """A CSV row longer than the item's limit."""


class _Lines:
    """The lines of a file from its position, decoded, noting the byte each begins at; over the
    budget (the item's limit) raises :class:`_OverBudget`."""

    def __init__(self, file: BinaryIO, budget: int | None = None) -> None:
        self.file, self.budget = file, budget
        self.position = file.tell()
        self.used = 0
        self.first = self.position == 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.file.readline() if self.budget is None else self.file.readline(self.budget + 1 - self.used)
        if not line:
            raise StopIteration
        self.position += len(line)
        self.used += len(line)
        if self.budget is not None and self.used > self.budget:
            raise _OverBudget
        try:
            text = line.decode("utf-8-sig" if self.first else "utf-8")
        except UnicodeDecodeError as error:
            raise ReaderError(f"not UTF-8 at byte {self.position - len(line)}: {error}") from None
        self.first = False
        return text


def _header(file: BinaryIO) -> list[str]:
    """The header row's names; a header over :data:`LISTED_ROW_BYTES` is no header."""
    file.seek(0)
    try:
        return next(csv.reader(_Lines(file, budget=LISTED_ROW_BYTES)), [])
    except _OverBudget:
        raise ReaderError(f"a CSV header over {LISTED_ROW_BYTES} bytes") from None
    except csv.Error as error:
        raise ReaderError(f"not CSV: {error}") from None


def _row_starts(file: BinaryIO) -> Iterator[Place]:
    """Each row after the header, by its number (from 1, blank rows not counted) and the byte it
    begins at. A row over :data:`LISTED_ROW_BYTES` is not parsed but scanned for its end
    (:func:`_row_end`), so that listing never holds it; its reading applies the item's limit."""
    if not _header(file):
        return
    number, start = 1, file.tell()
    lines = _Lines(file, budget=LISTED_ROW_BYTES)
    rows = csv.reader(lines)
    while True:
        lines.used = 0  # the budget is a row's
        try:
            row = next(rows, None)
        except _OverBudget:
            if (end := _row_end(file, start)) is None:
                yield Place(f"broken-{start}", start)  # its reading says why
                return
            yield Place(f"row-{number}", start)
            file.seek(end)
            number, start, lines = number + 1, end, _Lines(file, budget=LISTED_ROW_BYTES)
            rows = csv.reader(lines)
            continue
        except (csv.Error, ReaderError):
            yield Place(f"broken-{start}", start)  # its reading says why
            return
        if row is None:
            return
        if row:
            yield Place(f"row-{number}", start)
            number += 1
        start = lines.position


_FIELD_START, _UNQUOTED, _QUOTED, _QUOTE_IN_QUOTED, _LINE_END = range(5)
_UNQUOTED_STOP = re.compile(rb"[,\r\n]")
_NEWLINE, _RETURN, _COMMA, _QUOTE = b'\n\r,"'


def _row_end(file: BinaryIO, start: int) -> int | None:
    """The byte after the CSV row that begins at ``start``, found as Python's csv module finds it
    (excel dialect: a quote opens a field only at its start, ``""`` is a quote within one), a
    chunk at a time; None where the module would fail (a bare carriage return)."""
    file.seek(start)
    state, position = _FIELD_START, start
    while chunk := file.read(CHUNK):
        at = 0
        while at < len(chunk):
            if state == _QUOTED:
                if (at := chunk.find(b'"', at)) == -1:
                    break
                state, at = _QUOTE_IN_QUOTED, at + 1
                continue
            if state == _UNQUOTED:
                if (stop := _UNQUOTED_STOP.search(chunk, at)) is None:
                    break
                at = stop.start()
            byte = chunk[at]
            if byte == _NEWLINE:
                return position + at + 1
            if state == _LINE_END:
                if byte != _RETURN:
                    return None
            elif byte == _RETURN:
                state = _LINE_END
            elif byte == _COMMA:
                state = _FIELD_START
            elif byte == _QUOTE and state in (_FIELD_START, _QUOTE_IN_QUOTED):
                state = _QUOTED
            else:
                state = _UNQUOTED
            at += 1
        position += len(chunk)
    return position  # the file ends the row, inside a quoted field or not (as the module reads it)
