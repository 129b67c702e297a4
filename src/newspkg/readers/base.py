"""What readers and the rest of newspkg share: an item's reference, what a reader read, the protocol."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

SEPARATOR = "::"  # between a file's path and an item's place in its name for people
FILE = "file"  # the reader of a file that is one item


class ReaderError(ValueError):
    """A file or an item cannot be read as its reader would: the message says why (that item's reject)."""


@dataclass(frozen=True, slots=True)
class ItemRef:
    """One item: the raw file it is in, the reader that reads it, and its place in the file."""

    file: str  # posix, relative to the project root: "raw/web/crawl.warc.gz"
    reader: str = FILE
    place: str = ""  # "line-12", "record-1197"; "" for a file that is one item
    offset: int = field(default=0, compare=False)  # the byte the reader finds the item at, from its listing

    @property
    def name(self) -> str:
        """The item's name for people: the file's path, then ``::`` and the place."""
        return f"{self.file}{SEPARATOR}{self.place}" if self.place else self.file

    @property
    def source(self) -> str:
        return self.file.split("/", 2)[1]

    def __str__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple[type[ItemRef], tuple[str, str, str, int]]:
        # Shards of items cross process boundaries: by position pickles faster than a slotted default.
        return ItemRef, (self.file, self.reader, self.place, self.offset)


@dataclass(frozen=True, slots=True)
class Item:
    """What a reader read at one place."""

    data: bytes  # the item's bytes; of an item over the limit, only its first limit + 1
    sha256: str = ""  # of the whole item when ``data`` is cut short; "" when it is the sha256 of ``data``
    context: tuple[tuple[str, str], ...] = ()  # what the file says of the item: url, fetched_at, record_id
    filtered: str = ""  # why the configuration does not take it (a 404, an image), if it does not
    undecodable: str = ""  # why its bytes cannot be decoded (a broken gzip stream), if they cannot


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # "line-12"; "" for the file itself
    offset: int = 0


class Reader(Protocol):
    name: str  # "jsonl", "warc"
    version: str  # bump when what it reads changes: the outcome cache then reads every item again
    kind: str  # "file", "export" or "crawl": which adapters take its items unless source.toml names a reader
    suffixes: tuple[str, ...]  # the file names it reads when no content is recognised (".warc.gz")

    def sniff(self, head: bytes) -> bool:
        """Whether a file beginning with these bytes is one this reader reads, whatever its name."""
        ...

    def places(self, path: Path) -> Iterable[Place]:
        """The places of the file's items, in order, one at a time. A file that cannot be read at all
        gives one place, ``""`` (its reading says why); one that breaks off gives its items so far,
        then a place whose reading says why."""
        ...

    def read(self, path: Path, place: Place, limit: int) -> Item:
        """The item at ``place``, at most ``limit`` + 1 of its bytes (more is a reject); raises
        :class:`ReaderError` (or OSError) for an item that cannot be read."""
        ...
