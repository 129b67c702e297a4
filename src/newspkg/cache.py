"""The incremental-build cache: outcomes keyed by everything that determines them.

Key: sha256 of the raw bytes' and sidecar's sha256, the adapter's name and version, the source's
configuration, the record schemas and the newspkg version. Any change to one of them is a miss.
Outcomes that depend on the clock (a date in the future) are never stored.

A second table remembers each raw file's stamp (size, times and inode of it and its sidecar, see
:func:`newspkg.discover.file_stamp`) and the digests its bytes had: a file whose stamp is unchanged
is not even read again. Stamps younger than ``RACY_SECONDS`` are not kept, because a write in the
same clock tick as the build could leave the stamp unchanged (git's "racily clean" problem).
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import time
from pathlib import Path
from typing import Protocol

import orjson

from newspkg.convert import Outcome
from newspkg.discover import RawFile, Stamp
from newspkg.issues import Issue

FORMAT = 2  # bump when what a row holds changes: an older cache is then emptied, not misread
CLOCK_RULES = frozenset({"date:future", "raw:timeout"})  # depend on the clock or the load
RACY_SECONDS = 2
SCHEMA = """
create table if not exists outcome (key text primary key, line blob, dedup blob, issues blob not null);
create table if not exists stamp (
    path text primary key, stamp text not null, raw_sha256 text not null, sidecar_sha256 text not null
);
"""


class _Keyed(Protocol):
    def settings_digest(self, source: str) -> str: ...

    def acknowledgement_of(self, source: str, raw_path: str) -> str | None: ...


class OutcomeCache:
    """A SQLite file shared by the workers of a build (WAL: readers never wait for the writer)."""

    def __init__(self, path: Path, converter: _Keyed) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._converter = converter
        self._outcomes: list[tuple[str, bytes | None, bytes | None, bytes]] = []
        self._stamps: list[tuple[str, str, str, str]] = []
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self._db.execute("pragma journal_mode=wal")
        self._db.execute("pragma synchronous=normal")
        if self._db.execute("pragma user_version").fetchone()[0] != FORMAT:
            self._db.executescript(f"""
                begin immediate;
                drop table if exists outcome; drop table if exists stamp;
                {SCHEMA}
                pragma user_version = {FORMAT};
                commit;
            """)
        self._db.executescript(SCHEMA)  # another worker may have just recreated it

    def _key(self, source: str, raw_path: str, raw_sha256: str, sidecar_sha256: str) -> str:
        parts = (self._converter.settings_digest(source), raw_path, raw_sha256, sidecar_sha256)
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def unchanged(self, raw_path: str, source: str, stamp: Stamp | None) -> Outcome | None:
        """The outcome of a file whose stamp is the one it had when it was last read, else None."""
        if stamp is None:
            return None
        try:
            row = self._db.execute(
                "select raw_sha256, sidecar_sha256 from stamp where path = ? and stamp = ?", (raw_path, stamp.text)
            ).fetchone()
        except (sqlite3.Error, UnicodeEncodeError):  # a cache that cannot be read (or a name SQLite cannot
            return None  # hold) is a miss, never a failed build
        return None if row is None else self._outcome(raw_path, source, row[0], row[1])

    def get(self, raw: RawFile) -> Outcome | None:
        return None if raw.unreadable else self._outcome(raw.path, raw.source, raw.sha256, _sidecar_sha256(raw))

    def _outcome(self, raw_path: str, source: str, raw_sha256: str, sidecar_sha256: str) -> Outcome | None:
        key = self._key(source, raw_path, raw_sha256, sidecar_sha256)
        try:
            row = self._db.execute("select line, dedup, issues from outcome where key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        line, dedup, issues = row
        return Outcome(
            raw_path,
            raw_sha256,
            source,
            line,
            tuple(orjson.loads(dedup)) if dedup is not None else None,
            tuple(Issue.from_dict(i) for i in orjson.loads(issues)),
            self._converter.acknowledgement_of(source, raw_path),
            from_cache=True,
        )

    def put(self, raw: RawFile, outcome: Outcome, stamp: Stamp | None) -> None:
        """Keep the outcome, and the stamp the file had before it was read (unless too recent).

        Rows wait in memory until :meth:`flush`: one transaction per shard, not two per file.
        """
        if raw.unreadable or any(issue.rule in CLOCK_RULES for issue in outcome.issues):
            return
        sidecar = _sidecar_sha256(raw)
        dedup = orjson.dumps(outcome.key) if outcome.key is not None else None
        issues = orjson.dumps([i.to_dict() for i in outcome.issues])
        self._outcomes.append((self._key(raw.source, raw.path, raw.sha256, sidecar), outcome.line, dedup, issues))
        if stamp is not None and time.time() - stamp.newest > RACY_SECONDS:
            self._stamps.append((raw.path, stamp.text, raw.sha256, sidecar))

    def flush(self) -> None:
        """Write what :meth:`put` collected, in one short transaction (workers take turns at the lock)."""
        outcomes, stamps, self._outcomes, self._stamps = self._outcomes, self._stamps, [], []
        if not outcomes and not stamps:
            return
        with contextlib.suppress(sqlite3.Error):  # an unwritable cache costs speed, never the build
            self._db.execute("begin immediate")
            try:
                self._db.executemany("insert or replace into outcome values (?, ?, ?, ?)", outcomes)
                self._db.executemany("insert or replace into stamp values (?, ?, ?, ?)", stamps)
                self._db.execute("commit")
            except sqlite3.Error:
                self._db.execute("rollback")
                raise

    def close(self) -> None:
        self.flush()
        self._db.close()


def open_cache(path: Path, converter: _Keyed) -> OutcomeCache | None:
    """The cache, or None (convert everything) when it cannot be opened: a cache never fails a build."""
    try:
        return OutcomeCache(path, converter)
    except (sqlite3.Error, OSError):
        return None


def _sidecar_sha256(raw: RawFile) -> str:
    return hashlib.sha256(raw.sidecar).hexdigest() if raw.sidecar is not None else "-"
