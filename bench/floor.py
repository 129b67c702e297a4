"""The floor: read every raw file and write it out as one JSONL line, nothing else.

    python bench/floor.py REPO OUT.jsonl

No parsing, normalising or validating: what is left is the file system walk, reading, the
cheapest decode that gets a str, JSON encoding and writing. newspkg build cannot beat this
in one process, so the gap between the two rows is what newspkg's own work costs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson


def raw_files(root: Path) -> Iterator[Path]:
    """Every file under raw/ except source.toml, in sorted order (as newspkg discovers them)."""
    for directory, subdirs, files in os.walk(root / "raw"):
        subdirs.sort()
        for name in sorted(files):
            if name != "source.toml":
                yield Path(directory) / name


def decode(data: bytes) -> str:
    # The cheapest decode that copes with the corpus: UTF-8 (with or without BOM), else GB18030.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def main() -> None:
    root, out = Path(sys.argv[1]), Path(sys.argv[2])
    count = 0
    with out.open("wb") as sink:
        for path in raw_files(root):
            record = {"path": path.relative_to(root).as_posix(), "text": decode(path.read_bytes())}
            sink.write(orjson.dumps(record) + b"\n")
            count += 1
    print(f"{count} files")


if __name__ == "__main__":
    main()
