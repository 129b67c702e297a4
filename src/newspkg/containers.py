"""Raw files that hold many articles: a scraper's export (JSON Lines, a JSON array, CSV) read by the
``records`` adapter, and a crawl's WARC file (``.warc``, ``.warc.gz``) read by the ``html`` adapter.

Each item of a container is an input of its own, named by a virtual raw path: the file's path, then
``::`` and the item's place (``export.jsonl::line-12``, ``::row-3``, ``::item-0``,
``crawl.warc.gz::record-1197``, the record's offset). So an item goes through everything a file goes
through: shards (a large container is split across workers), the outcome cache, rejects, duplicates,
acknowledgements (``[acknowledged."export.jsonl::line-12"]``). A worker parses an export once and
keeps the last one it read; a WARC record is read at its offset, so a crawl is never held whole.

Requests, metadata and warcinfo records are no items. Responses the configuration does not take (a
status other than 200, a content type that is not HTML, a revisit) are items that are *filtered*:
counted by reason, never silently dropped.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import functools
import io
import json
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

SEPARATOR = "::"
EXPORTS = {".jsonl": "line", ".ndjson": "line", ".json": "item", ".csv": "row"}  # for adapter records
CRAWLS = (".warc", ".warc.gz")  # for adapter html
WARC_ITEMS = frozenset({"response", "resource", "revisit"})  # requests, metadata, warcinfo are no articles
HTML_TYPES = ("text/html", "application/xhtml+xml")
CONTAINER_ADAPTERS = frozenset({"records", "html"})

logging.getLogger("warcio").addHandler(logging.NullHandler())  # its warnings only where logging is set up


class ContainerError(ValueError):
    """The file cannot be read as the container its name says it is: the message says why."""


@dataclass(frozen=True, slots=True)
class Item:
    data: bytes
    context: tuple[tuple[str, str], ...] = ()  # what the container says of the item: url, fetched_at, record_id
    filtered: str = ""  # why the configuration does not take it, if it does not


def is_container(path: str, adapter: str) -> bool:
    name = path.lower()
    if adapter == "records":
        return Path(name).suffix in EXPORTS
    return adapter == "html" and name.endswith(CRAWLS)


def split(raw_path: str) -> tuple[str, str | None]:
    """``raw/x/e.jsonl::line-3`` → (``raw/x/e.jsonl``, ``line-3``); a plain path → (path, None)."""
    file_path, separator, member = raw_path.partition(SEPARATOR)
    return file_path, (member if separator else None)


def members(path: Path) -> list[str]:
    """The places of a container's items, in order. A file that cannot be read as one gives [] (it is
    then an input of its own, and its reject says why); a crawl that breaks off gives its items so
    far and the place where it broke (an item whose reading says why)."""
    try:
        if path.name.lower().endswith(CRAWLS):
            return _crawl_places(path)
        return list(_export_items(str(path), _stamp(path)))
    except (OSError, ContainerError):
        return []


def item(path: Path, member: str, limit: int) -> Item:
    """The item at ``member``; of a crawled page, at most ``limit`` + 1 bytes (more is a reject)."""
    if member.startswith("record-"):
        return _crawl_item(path, int(member.removeprefix("record-")), limit)
    if member.startswith("broken-"):
        raise ContainerError(_breakage(path, int(member.removeprefix("broken-"))))
    if member == "none-0":
        return Item(b"", filtered="warc without a response or resource record")
    items = _export_items(str(path), _stamp(path))
    if member not in items:
        raise ContainerError(f"{path.name} has no {member} (it changed while it was read?)")
    return Item(items[member])


def _open(path: Path) -> BinaryIO:
    """A container's file, opened for reading: never through a link, never a FIFO, socket or device
    (which would block or never end)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ContainerError(f"{path.name} is a symlink; links are never followed") from None
        raise
    file = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        file.close()
        raise ContainerError(f"{path.name} is not a regular file (a FIFO, socket or device)")
    return file


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


@functools.lru_cache(maxsize=1)
def _export_items(path: str, stamp: tuple[int, int]) -> dict[str, bytes]:
    """Every item of an export, parsed once per process (the stamp renews it when the file changes)."""
    suffix = Path(path).suffix.lower()
    with _open(Path(path)) as file:
        data = file.read()
    if EXPORTS[suffix] == "line":
        return _lines(data)
    text = _text(data, path)
    if suffix == ".csv":
        return _csv_rows(text)
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # JSON Lines named .json, as several news datasets ship them
            return _lines(data)
        raise ContainerError(f"not a JSON array: {error}") from None
    except (ValueError, RecursionError) as error:  # ValueError: a number over Python's 4,300 digits
        raise ContainerError(f"not a JSON array: {error}") from None
    entries = loaded if isinstance(loaded, list) else [loaded]
    return {f"item-{n}": json.dumps(entry, ensure_ascii=False).encode() for n, entry in enumerate(entries)}


def _lines(data: bytes) -> dict[str, bytes]:
    lines = data.split(b"\n")
    return {f"line-{n}": line.rstrip(b"\r") for n, line in enumerate(lines, start=1) if line.strip()}


def _csv_rows(text: str) -> dict[str, bytes]:
    # A field may hold a whole article: no limit below the file's own size (csv's default is 128 KiB).
    csv.field_size_limit(max(len(text), csv.field_size_limit()))
    rows = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return {f"row-{n}": json.dumps(row, ensure_ascii=False).encode() for n, row in enumerate(rows, start=1)}
    except csv.Error as error:
        raise ContainerError(f"not CSV: {error}") from None


def _text(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContainerError(f"{Path(path).name} is not UTF-8: {error}") from None


@contextlib.contextmanager
def _crawl(path: Path, offset: int) -> Iterator[ArchiveIterator]:
    """The records of a crawl from a byte on; warcio's notes on malformed records, which it writes to
    stderr, kept out of the build's output (the reading itself says what is wrong)."""
    with _open(path) as file, contextlib.redirect_stderr(io.StringIO()):
        file.seek(offset)
        yield ArchiveIterator(file)


class _Broken(Exception):
    """Where, and why, the reading of a crawl stops."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset


def _walk(path: Path, start: int) -> Iterator[tuple[int, str]]:
    """The offset and type of each record from byte ``start`` on, each read through; raises
    :class:`_Broken` where reading stops, which warcio does without a word at a cut-off record or at
    bytes it cannot parse."""
    with _crawl(path, start) as records:
        offset = start
        try:
            for record in records:
                offset = start + records.get_record_offset()
                if _cut_short(record):
                    raise _Broken(offset, f"the WARC record at byte {offset} {_CUT}")
                yield offset, record.rec_type
        except (ArchiveLoadFailed, OSError, ValueError, EOFError) as error:
            at = max(offset, start + records.offset)  # the end of the last record read
            reason = " ".join(str(error).split())
            raise _Broken(at, f"the WARC file cannot be read from byte {at} on ({_BEFORE}): {reason}") from None
        end = start + records.offset
        if end < path.stat().st_size:
            raise _Broken(end, f"the WARC file cannot be read from byte {end} on: no WARC record there")


def _crawl_places(path: Path) -> list[str]:
    """Its records' places; where it breaks off, ``broken-<offset>`` (that item's reading says why);
    a crawl without a response, ``none-0`` (an item filtered as such)."""
    places: list[str] = []
    try:
        for offset, kind in _walk(path, 0):
            if kind in WARC_ITEMS:
                places.append(f"record-{offset}")
    except _Broken as broken:
        return [*places, f"broken-{broken.offset}"]
    return places or ["none-0"]


def _breakage(path: Path, offset: int) -> str:
    """What stops the reading of a crawl at its place ``broken-<offset>``."""
    try:
        for _ in _walk(path, offset):
            pass
    except _Broken as broken:
        return str(broken)
    return f"the WARC file cannot be read from byte {offset} on: no WARC record there"


_BEFORE = "is the Content-Length of the record before wrong?"
_CUT = "is cut off or its Content-Length is wrong: the file ends before the record does"


def _cut_short(record: Any) -> bool:
    """Whether the file ends before the record's Content-Length does (the record is read through)."""
    while record.raw_stream.read(1 << 16):
        pass
    return bool(record.raw_stream.limit)


def _crawl_item(path: Path, offset: int, limit: int) -> Item:
    with _crawl(path, offset) as records:
        try:
            record = next(iter(records))
            payload = record.content_stream().read(limit + 1)
        except (ArchiveLoadFailed, OSError, ValueError, EOFError, StopIteration) as error:
            raise ContainerError(f"the WARC record at byte {offset} cannot be read: {error}") from None
        if _cut_short(record):
            raise ContainerError(f"the WARC record at byte {offset} {_CUT}")
    headers, http = record.rec_headers, record.http_headers
    url = (headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    fetched_at = _utc(headers.get_header("WARC-Date") or "")
    context = (("url", url), ("fetched_at", fetched_at), ("record_id", headers.get_header("WARC-Record-ID") or ""))
    return Item(payload, context, _not_taken(record.rec_type, http, headers))


def _utc(warc_date: str) -> str:
    """A WARC-Date as RFC 3339 in UTC; "" for one that is no date (a provenance detail never rejects)."""
    try:
        moment = datetime.fromisoformat(warc_date.strip())
    except ValueError:
        return ""
    return moment.astimezone(UTC).isoformat() if moment.tzinfo else ""


def _not_taken(kind: str, http: Any, headers: Any) -> str:
    """Why a crawled response is not an article page to convert; "" when it is one."""
    if kind == "revisit":
        return "warc revisit (its page is stored as another record)"
    status = http.get_statuscode() if http is not None else None
    if status is not None and status != "200":
        return f"http status {status}"
    content_type = (http.get_header("Content-Type") if http is not None else headers.get_header("Content-Type")) or ""
    if not content_type.lower().startswith(HTML_TYPES):
        return f"content type {content_type.split(';')[0] or 'none'}"
    return ""
