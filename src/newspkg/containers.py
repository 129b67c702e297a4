"""Raw files that hold many articles: the JSON Lines, JSON array or CSV export of a scraper.

Each item of a container is an input of its own, named by a virtual raw path: the file's path, then
``::`` and the item's place (``raw/scraper/export.jsonl::line-12``, ``::row-3``, ``::item-0``). So
the item goes through everything a file goes through: shards (a large export is split across
workers), the outcome cache, rejects, duplicates and acknowledgements (``[acknowledged."export.jsonl::line-12"]``).
A worker parses a container once and keeps the last one it read.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from pathlib import Path

SEPARATOR = "::"
# Which sources' files are containers: those read by these adapters.
CONTAINER_ADAPTERS = frozenset({"records"})
JSON_LINES = (".jsonl", ".ndjson")
KINDS = {".jsonl": "line", ".ndjson": "line", ".json": "item", ".csv": "row"}


class ContainerError(ValueError):
    """The file cannot be read as the container its name says it is: the message says why."""


def is_container(path: str) -> bool:
    return Path(path).suffix.lower() in KINDS


def split(raw_path: str) -> tuple[str, str | None]:
    """``raw/x/e.jsonl::line-3`` → (``raw/x/e.jsonl``, ``line-3``); a plain path → (path, None)."""
    file_path, separator, member = raw_path.partition(SEPARATOR)
    return file_path, (member if separator else None)


def members(path: Path) -> list[str]:
    """The places of a container's items, in order; [] for a file that cannot be read as one (it is
    then an input of its own, and its reject says why)."""
    try:
        return list(_items(str(path), _stamp(path)))
    except (OSError, ContainerError):
        return []


def item(path: Path, member: str) -> bytes:
    """One item, as the bytes of a JSON object (a line of JSON Lines as written)."""
    items = _items(str(path), _stamp(path))
    if member not in items:
        raise ContainerError(f"{path.name} has no {member} (it changed while it was read?)")
    return items[member]


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


@functools.lru_cache(maxsize=1)
def _items(path: str, stamp: tuple[int, int]) -> dict[str, bytes]:
    """Every item of the file, parsed once per process (the stamp renews it when the file changes)."""
    suffix = Path(path).suffix.lower()
    data = Path(path).read_bytes()
    if suffix in JSON_LINES:
        lines = data.split(b"\n")
        return {f"line-{n}": line.rstrip(b"\r") for n, line in enumerate(lines, start=1) if line.strip()}
    text = _text(data, path)
    if suffix == ".csv":
        rows = csv.DictReader(io.StringIO(text, newline=""))
        return {f"row-{n}": json.dumps(row, ensure_ascii=False).encode() for n, row in enumerate(rows, start=1)}
    try:
        loaded = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise ContainerError(f"not a JSON array: {error}") from None
    entries = loaded if isinstance(loaded, list) else [loaded]
    return {f"item-{n}": json.dumps(entry, ensure_ascii=False).encode() for n, entry in enumerate(entries)}


def _text(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContainerError(f"{Path(path).name} is not UTF-8: {error}") from None
