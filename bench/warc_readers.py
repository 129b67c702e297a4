"""Listing a crawl's records, as a build does before it converts any: warcio (newspkg's reader)
against fastwarc, on one crawl.

    python bench/warc_readers.py CRAWL.warc[.gz] [--rounds 3]

fastwarc comes with the bench extra (pip install -e '.[bench]'). Each reader walks every record and
keeps the offsets of responses, resources and revisits; the best of the rounds is printed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

KINDS = ("response", "resource", "revisit")


def with_warcio(path: Path) -> list[int]:
    from warcio.archiveiterator import ArchiveIterator

    offsets = []
    with path.open("rb") as file:
        records = ArchiveIterator(file)
        for record in records:
            offset = records.get_record_offset()
            if record.rec_type in KINDS:
                offsets.append(offset)
    return offsets


def with_fastwarc(path: Path) -> list[int]:
    from fastwarc import ArchiveIterator, WarcRecordType

    kinds = WarcRecordType.response | WarcRecordType.resource | WarcRecordType.revisit
    with path.open("rb") as file:
        return [record.stream_pos for record in ArchiveIterator(file, record_types=kinds, parse_http=False)]


def best_of(rounds: int, reader: Callable[[Path], list[int]], path: Path) -> tuple[float, list[int]]:
    times, offsets = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        offsets = reader(path)
        times.append(time.perf_counter() - start)
    return min(times), offsets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("crawl", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    warcio_s, expected = best_of(args.rounds, with_warcio, args.crawl)
    fastwarc_s, offsets = best_of(args.rounds, with_fastwarc, args.crawl)
    assert offsets == expected, "the readers disagree on the records"
    print(f"{args.crawl.name}: {len(expected)} records, {args.crawl.stat().st_size / 1e6:.1f} MB")
    print(f"warcio   {warcio_s:.2f} s")
    print(f"fastwarc {fastwarc_s:.2f} s ({warcio_s / fastwarc_s:.1f}x faster)")


if __name__ == "__main__":
    main()
