"""Readers turn a raw file into items; adapters turn an item into a draft.

A reader lists the places of a file's items (an export's lines or rows, a crawl's records) and reads
one item by its place, never the file whole: a plain file is one item of its own. An item is an
:class:`ItemRef`, the file, the reader and the place, named for people as reports, acknowledgements
and the outcome cache name it: ``raw/web/crawl.warc.gz::record-1197``, ``export.jsonl::line-12``.

Built-in readers are in :data:`BUILT_IN`; a plugin declares one as an entry point of the
``newspkg.readers`` group, or calls :func:`register`. Which reader reads a file: ``reader = "…"`` in
``source.toml``, else the first whose :meth:`Reader.sniff` recognises the file's first bytes, else
the first whose suffixes end its name, among the kinds of item the source's adapter takes (its
``reads``; by default only files of their own).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from newspkg.plugins import Registry
from newspkg.readers.base import FILE, SEPARATOR, Item, ItemRef, Place, Reader, ReaderError
from newspkg.readers.crawls import ArcReader, WarcReader
from newspkg.readers.exports import CsvReader, JsonArrayReader, JsonLinesReader
from newspkg.readers.files import FileReader, NotRegular, open_regular
from newspkg.readers.listings import Listings

__all__ = [
    "FILE", "SEPARATOR", "Item", "ItemRef", "Listings", "NotRegular", "Place", "Reader", "ReaderError", "open_regular"
]  # fmt: skip

ENTRY_POINT_GROUP = "newspkg.readers"
HEAD = 8192  # the bytes detection looks at
# Built in, in the order detection asks them: crawls before exports, JSON Lines before a JSON array.
_TABLE: tuple[Reader, ...] = (
    FileReader(), WarcReader(), ArcReader(), JsonLinesReader(), JsonArrayReader(), CsvReader()
)  # fmt: skip
BUILT_IN: dict[str, Reader] = {reader.name: reader for reader in _TABLE}

REGISTRY: Registry[Reader] = Registry("reader", ENTRY_POINT_GROUP, BUILT_IN)
register, get, available, reaches_workers = (
    REGISTRY.register,
    REGISTRY.get,
    REGISTRY.available,
    REGISTRY.reaches_workers,
)


def detect(path: Path, kinds: Sequence[str]) -> str:
    """The name of the reader for the file at ``path`` among readers of these kinds: content first,
    then the name's suffix, else :data:`FILE`. Opens the file only when a kind besides files is taken."""
    candidates = [reader for reader in REGISTRY.parts() if reader.kind in kinds and reader.name != FILE]
    if not candidates:
        return FILE
    head = _head(path)
    for reader in candidates:
        if head and reader.sniff(head):
            return reader.name
    lowered = path.name.lower()
    for reader in candidates:
        if lowered.endswith(reader.suffixes):
            return reader.name
    return FILE


def items(path: Path, relative: str, reader_name: str, kept: Listings | None = None) -> Iterator[ItemRef]:
    """The items of the file at ``path`` (``relative`` to the project root) as this reader lists them
    (or as it listed them, kept, when the file has not changed since)."""
    reader = get(reader_name)
    if reader.name == FILE:
        yield ItemRef(relative)
        return
    places = reader.places(path) if kept is None else kept.places(path, relative, reader)
    for place in places:
        yield ItemRef(relative, reader.name, place.name, place.offset)


def read(path: Path, ref: ItemRef, limit: int) -> Item:
    return get(ref.reader).read(path, Place(ref.place, ref.offset), limit)


def _head(path: Path) -> bytes:
    try:
        with open_regular(path) as file:
            return file.read(HEAD)
    except (OSError, ReaderError):
        return b""  # its reader's reading says why
