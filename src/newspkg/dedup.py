"""Settle duplicates with bounded memory: an on-disk SQLite index of every accepted record.

Of the records that share a canonical URL (same ``id``), one is kept; then of the kept records that
share a text (same ``fingerprint``), one is kept. Which one: the most complete version (the longest
text), then the latest correction (``modified_at``), then the original posting (the earliest
``published_at``), then the first raw path in sorted order. The rule is deterministic and does not
depend on the engine or the order files were converted in.

Only the records that share a URL or a text with another one (a few in a hundred) can be settled
any other way than "kept": 64-bit hashes of every record's id and fingerprint, grouped as integers
(SQLite sorts those far faster than the texts), find them first, and only those are ranked. A
collision of hashes only adds a record to rank, so the outcome is exact.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newspkg.errors import disk_full_stops

SCHEMA = """
create table record (
    seq integer primary key, id text not null, fingerprint text not null, raw_path text not null,
    text_length integer not null, modified real not null, published real not null,
    id_hash integer not null, text_hash integer not null
);
create table candidate (seq integer primary key);
"""
BEST_FIRST = "text_length desc, modified desc, published, seq"
# What settles a record's fate: id, fingerprint, char_count, modified_at and published_at (as
# POSIX seconds, 0 when absent). Workers compute it, so the build never decodes a record to get it.
DedupKey = tuple[str, str, int, float, float]
_hash = hash  # equal strings, equal hashes (within one process): all that finding candidates needs


def dedup_key(record: dict[str, Any]) -> DedupKey:
    modified = _timestamp(record.get("modified_at")) or 0.0
    published = _timestamp(record.get("published_at")) or 0.0
    return (record["id"], record["fingerprint"], record["char_count"], modified, published)


@dataclass(frozen=True, slots=True)
class Twin:
    """The record that was kept in place of a duplicate."""

    seq: int
    id: str
    raw_path: str
    reason: str  # "same-id" (same canonical URL) or "same-text" (same fingerprint)


class DuplicateIndex:
    """Add every accepted record in order (``add``), then ``settle()``, then walk ``duplicates()``."""

    def __init__(self) -> None:
        self.location = f"{_temporary_folder()} (the duplicate index, a temporary SQLite file)"
        with disk_full_stops(self.location):
            self._db = sqlite3.connect("")  # "": a private temporary database on disk, gone on close
            self._db.executescript(SCHEMA)
        self._pending: list[tuple[int, str, str, str, int, float, float, int, int]] = []

    def add(self, seq: int, raw_path: str, key: DedupKey) -> None:
        rid, fingerprint, text_length, modified, published = key
        hashes = (_hash(rid), _hash(fingerprint))
        self._pending.append((seq, rid, fingerprint, raw_path, text_length, modified, published, *hashes))
        if len(self._pending) >= 10_000:
            self._flush()

    def _flush(self) -> None:
        with disk_full_stops(self.location):
            self._db.executemany("insert into record values (?, ?, ?, ?, ?, ?, ?, ?, ?)", self._pending)
        self._pending = []

    def settle(self) -> None:
        """Choose the kept record of every URL, then of every text among those."""
        self._flush()
        with disk_full_stops(self.location):
            self._settle()

    def _settle(self) -> None:
        self._db.executescript(f"""
            insert into candidate
                select seq from record
                where id_hash in (select id_hash from record group by id_hash having count(*) > 1);
            insert or ignore into candidate
                select seq from record
                where text_hash in (select text_hash from record group by text_hash having count(*) > 1);
            create table id_winner as select id, seq from (
                select id, seq, row_number() over (partition by id order by {BEST_FIRST}) as rank
                from candidate join record using (seq)
            ) where rank = 1;
            create unique index id_winner_by_id on id_winner (id);
            create table text_winner as select fingerprint, seq from (
                select fingerprint, seq, row_number() over (partition by fingerprint order by {BEST_FIRST}) as rank
                from record where seq in (select seq from id_winner)
            ) where rank = 1;
            create unique index text_winner_by_fingerprint on text_winner (fingerprint);
        """)  # noqa: S608 - BEST_FIRST is a constant of this module

    def duplicates(self) -> Iterator[tuple[int, Twin]]:
        """Every record that is not kept, in ``seq`` order, with the kept record in its place.

        A URL's winner may itself lose to a same-text record under another URL: the twin named is
        then that final winner, so every duplicate points at a record that is in the package.
        """
        with disk_full_stops(self.location):  # a query's sort may write a temporary file
            yield from self._duplicates()

    def _duplicates(self) -> Iterator[tuple[int, Twin]]:
        rows = self._db.execute("""
            select r.seq, final.seq, kept.id, kept.raw_path,
                   case when final.seq = by_id.seq then 'same-id' else 'same-text' end
            from candidate
            join record r on r.seq = candidate.seq
            join id_winner by_id on by_id.id = r.id
            join record id_kept on id_kept.seq = by_id.seq
            join text_winner final on final.fingerprint = id_kept.fingerprint
            join record kept on kept.seq = final.seq
            where final.seq != r.seq
            order by r.seq
        """)
        for seq, winner, kept_id, kept_path, reason in rows:
            yield seq, Twin(winner, kept_id, kept_path, reason)

    def close(self) -> None:
        self._db.close()


def _temporary_folder() -> str:
    """Where SQLite keeps a private temporary database: ``SQLITE_TMPDIR``, else (nearly) the folder
    Python's own temporary files go to."""
    return os.environ.get("SQLITE_TMPDIR") or tempfile.gettempdir()


def _timestamp(value: Any) -> float | None:
    try:
        return datetime.fromisoformat(value).timestamp() if isinstance(value, str) else None
    except ValueError:
        return None
