"""A crawl: a WARC file (``.warc``, ``.warc.gz``) or an ARC file (``.arc``, ``.arc.gz``, the Internet
Archive's format before WARC), read with warcio. Each response record is an item at its offset
(``crawl.warc.gz::record-1197``); a record is read at its offset, so a crawl is never held whole.

Requests, metadata and warcinfo records are no items. Responses the configuration does not take (a
status other than 200, a content type that is not HTML, a revisit) are items that are *filtered*:
counted by reason, never silently dropped.
"""

from __future__ import annotations

import contextlib
import io
import logging
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newspkg.decode import GZIP_MAGIC
from newspkg.readers.base import Item, Place, ReaderError
from newspkg.readers.files import open_regular

WARC_ITEMS = frozenset({"response", "resource", "revisit"})  # requests, metadata, warcinfo are no articles
HTML_TYPES = ("text/html", "application/xhtml+xml")

logging.getLogger("warcio").addHandler(logging.NullHandler())  # its warnings only where logging is set up


class WarcReader:
    """A WARC file: its response and resource records, filtered as the source says."""

    name = "warc"
    version = "1"
    kind = "crawl"
    suffixes: tuple[str, ...] = (".warc", ".warc.gz")
    arc = False
    magic = b"WARC/"

    def sniff(self, head: bytes) -> bool:
        return _inflated_head(head).startswith(self.magic)

    def places(self, path: Path) -> Iterator[Place]:
        """Its records' places; where it breaks off, ``broken-<offset>`` (that item's reading says
        why); a crawl without a response, ``none-0`` (an item filtered as such)."""
        listed = False
        try:
            for offset, kind in _walk(path, 0, self.arc):
                if kind in WARC_ITEMS:
                    listed = True
                    yield Place(f"record-{offset}", offset)
        except _Broken as broken:
            yield Place(f"broken-{broken.offset}", broken.offset)
            return
        except (OSError, ReaderError):
            yield Place("")  # the file itself: its reading says why
            return
        if not listed:
            yield Place("none-0")

    def read(self, path: Path, place: Place, limit: int) -> Item:
        if place.name.startswith("record-"):
            return _record(path, place.offset, limit, self.arc)
        if place.name.startswith("broken-"):
            raise ReaderError(_breakage(path, place.offset, self.arc))
        if place.name == "none-0":
            return Item(b"", filtered=f"{self.name} without a response or resource record")
        with open_regular(path):  # a link or a FIFO says so; else the file holds no record at all
            pass
        raise ReaderError(f"the {self.name.upper()} file holds no record")


class ArcReader(WarcReader):
    """An ARC file (version 1 or 2), its records read as warcio turns them into WARC responses."""

    name = "arc"
    suffixes: tuple[str, ...] = (".arc", ".arc.gz")
    arc = True
    magic = b"filedesc://"


def _format(arc: bool) -> str:
    return "ARC" if arc else "WARC"


def _inflated_head(head: bytes) -> bytes:
    """The first bytes of a file, inflated when it is gzip-compressed (a ``.warc.gz``)."""
    if not head.startswith(GZIP_MAGIC):
        return head
    try:
        return zlib.decompressobj(wbits=31).decompress(head, 64)
    except zlib.error:
        return b""


@contextlib.contextmanager
def _crawl(path: Path, offset: int, arc: bool) -> Iterator[ArchiveIterator]:
    """The records of a crawl from a byte on; warcio's notes on malformed records, which it writes to
    stderr, kept out of the build's output (the reading itself says what is wrong)."""
    with open_regular(path) as file, contextlib.redirect_stderr(io.StringIO()):
        file.seek(offset)
        yield ArchiveIterator(file, arc2warc=arc)


class _Broken(Exception):
    """Where, and why, the reading of a crawl stops."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset


def _walk(path: Path, start: int, arc: bool) -> Iterator[tuple[int, str]]:
    """The offset and type of each record from byte ``start`` on, each read through; raises
    :class:`_Broken` where reading stops, which warcio does without a word at a cut-off record or at
    bytes it cannot parse."""
    with _crawl(path, start, arc) as records:
        offset = start
        try:
            for record in records:
                offset = start + records.get_record_offset()
                if _cut_short(record):
                    raise _Broken(offset, f"the {_format(arc)} record at byte {offset} {_CUT}")
                yield offset, record.rec_type
        except (ArchiveLoadFailed, OSError, ValueError, EOFError) as error:
            at = max(offset, start + records.offset)  # the end of the last record read
            reason = " ".join(str(error).split())
            raise _Broken(
                at, f"the {_format(arc)} file cannot be read from byte {at} on ({_BEFORE}): {reason}"
            ) from None
        end = start + records.offset
        if end < path.stat().st_size:
            raise _Broken(
                end, f"the {_format(arc)} file cannot be read from byte {end} on: no {_format(arc)} record there"
            )


def _breakage(path: Path, offset: int, arc: bool) -> str:
    """What stops the reading of a crawl at its place ``broken-<offset>``."""
    try:
        for _ in _walk(path, offset, arc):
            pass
    except _Broken as broken:
        return str(broken)
    return f"the {_format(arc)} file cannot be read from byte {offset} on: no {_format(arc)} record there"


_BEFORE = "is the Content-Length of the record before wrong?"
_CUT = "is cut off or its Content-Length is wrong: the file ends before the record does"


def _cut_short(record: Any) -> bool:
    """Whether the file ends before the record's Content-Length does (the record is read through)."""
    while record.raw_stream.read(1 << 16):
        pass
    return bool(record.raw_stream.limit)


def _record(path: Path, offset: int, limit: int, arc: bool) -> Item:
    with _crawl(path, offset, arc) as records:
        try:
            record = next(iter(records))
            payload = record.content_stream().read(limit + 1)
        except (ArchiveLoadFailed, OSError, ValueError, EOFError, StopIteration) as error:
            raise ReaderError(f"the {_format(arc)} record at byte {offset} cannot be read: {error}") from None
        if _cut_short(record):
            raise ReaderError(f"the {_format(arc)} record at byte {offset} {_CUT}")
    headers, http = record.rec_headers, record.http_headers
    url = (headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    fetched_at = _utc(headers.get_header("WARC-Date") or "")
    # An ARC record has no id: warcio makes up a random one, which would change every build.
    record_id = "" if arc else headers.get_header("WARC-Record-ID") or ""
    context = (("url", url), ("fetched_at", fetched_at), ("record_id", record_id))
    return Item(payload, context=context, filtered=_not_taken(record.rec_type, http, headers))


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
