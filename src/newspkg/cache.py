"""The incremental-build cache: outcomes keyed by everything that determines them.

Key: sha256 of the raw bytes' and sidecar's sha256, the adapter's name and version, the source's
configuration, the record schemas and the newspkg version. Any change to one of them is a miss.
Outcomes that depend on the clock (a date in the future) are never stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from pathlib import Path
from typing import Any, Protocol

import orjson

from newspkg.convert import Outcome
from newspkg.discover import RawFile
from newspkg.issues import Issue, Severity

CLOCK_RULES = frozenset({"date:future", "raw:timeout"})  # depend on the clock or the load


class _Keyed(Protocol):
    def settings_digest(self, source: str) -> str: ...

    def acknowledgement(self, raw: RawFile) -> str | None: ...


class OutcomeCache:
    """A SQLite file shared by the workers of a build (WAL: readers never wait for the writer)."""

    def __init__(self, path: Path, converter: _Keyed) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._converter = converter
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self._db.execute("pragma journal_mode=wal")
        self._db.execute("pragma synchronous=normal")
        self._db.execute("create table if not exists outcome (key text primary key, value blob not null)")

    def key(self, raw: RawFile) -> str:
        sidecar = hashlib.sha256(raw.sidecar).hexdigest() if raw.sidecar is not None else "-"
        parts = (self._converter.settings_digest(raw.source), raw.path, raw.sha256, sidecar)
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def get(self, raw: RawFile) -> Outcome | None:
        if raw.unreadable:
            return None
        try:
            row = self._db.execute("select value from outcome where key = ?", (self.key(raw),)).fetchone()
        except sqlite3.Error:  # a cache that cannot be read is a miss, never a failed build
            return None
        if row is None:
            return None
        return _decode(orjson.loads(row[0]), raw, self._converter.acknowledgement(raw))

    def put(self, raw: RawFile, outcome: Outcome) -> None:
        if raw.unreadable or any(issue.rule in CLOCK_RULES for issue in outcome.issues):
            return
        value = orjson.dumps({"record": outcome.record, "issues": [i.to_dict() for i in outcome.issues]})
        # Each put is its own short transaction: workers take turns at the write lock (busy timeout)
        # instead of one holding it for a whole shard.
        with contextlib.suppress(sqlite3.Error):  # an unwritable cache costs speed, never the build
            self._db.execute("insert or replace into outcome values (?, ?)", (self.key(raw), value))

    def close(self) -> None:
        self._db.close()


def open_cache(path: Path, converter: _Keyed) -> OutcomeCache | None:
    """The cache, or None (convert everything) when it cannot be opened: a cache never fails a build."""
    try:
        return OutcomeCache(path, converter)
    except (sqlite3.Error, OSError):
        return None


def _decode(data: dict[str, Any], raw: RawFile, acknowledged: str | None) -> Outcome:
    issues = tuple(
        Issue(i["file"], i["record_id"], i["pointer"], i["rule"], i["message"], Severity(i["severity"]), i["line"])
        for i in data["issues"]
    )
    return Outcome(raw.path, raw.sha256, raw.source, data["record"], issues, acknowledged, from_cache=True)
