"""The incremental-build cache: each raw file's last outcome, and what it was computed from.

One row per raw path: the settings digest (the adapter's name and version, the source's
configuration, the record schemas and the newspkg version), the sha256 of the raw bytes and of
the sidecar, and the file's stamp (size, times and inode of it and its sidecar, see
:func:`newspkg.discover.file_stamp`). The outcome is reused when the settings are the same and
either the stamp is unchanged (the file is then not even read) or the bytes are. Rows are keyed by
path, so a build, which goes in path order, appends to the table rather than scattering writes.
The line comes last in a row. A row also holds the sha256 of what the outcome is made of (its
duplicate key, near-duplicate sketch, issues and line): a row that does not match it (damaged, or altered by hand) is a
miss, and the file is converted again; a damaged cache never stops a build nor is published.
Checking reads each line when its outcome is reused, and again when the build writes it.

Stamps younger than ``RACY_SECONDS`` are not kept, because a write in the same clock tick as the
build could leave the stamp unchanged (git's "racily clean" problem). Outcomes that depend on the
clock (a date in the future) are never stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import orjson

from newspkg import rules
from newspkg.convert import Outcome
from newspkg.discover import RawFile, Stamp, source_of
from newspkg.errors import BuildError, ConfigError
from newspkg.issues import Issue, has_errors

FORMAT = 9  # bump when what a row holds changes: an older cache is then emptied, not misread
RACY_SECONDS = 2
LOCK_WAIT = 60  # seconds a worker waits for another one's write
NO_STAMP = "-"  # a stamp too recent to trust: the bytes decide
SCHEMA = """
create table if not exists outcome (
    path text primary key, settings text not null, raw_sha256 text not null, sidecar_sha256 text not null,
    stamp text not null, dedup blob, sketch blob, issues blob not null, filtered text not null,
    digest text not null, line blob
);
"""
# What an Outcome is made of, and the digest it is checked against. By path, for files whose
# stamps are compared in Python (``{}``: the placeholders of many paths):
SELECT_MANY = (
    "select path, settings, stamp, raw_sha256, dedup, sketch, issues, filtered, digest, line from outcome"
    " where path in ({})"
)
SELECT_BY_BYTES = (  # a file that was read: the same bytes under the same settings
    "select raw_sha256, dedup, sketch, issues, filtered, digest, line from outcome"
    " where path = ? and settings = ? and raw_sha256 = ? and sidecar_sha256 = ?"
)
SELECT_LINES = (
    "select path, settings, raw_sha256, dedup, sketch, issues, filtered, digest, line from outcome where path in ({})"
)
# What a cache can fail with, each meaning "no cache here" (see OutcomeCache).
CACHE_FAILURES = (sqlite3.Error, OSError, UnicodeEncodeError)
T = TypeVar("T")
BATCH = 500  # paths to a query (SQLite takes at least 999 parameters)
CHANGED_UNDER_BUILD = "the outcome cache changed during the build (another build at once?): build again"
RESTAMP = "update outcome set stamp = ? where path = ? and settings = ? and raw_sha256 = ?"
Row = tuple[str, str, str, str, str, bytes | None, bytes | None, bytes, str, str, bytes | None]


class _Keyed(Protocol):
    def settings_digest(self, source: str) -> str: ...

    def acknowledgement_of(self, source: str, raw_path: str, issues: Sequence[Issue]) -> str | None: ...


class _Store:
    """The SQLite file shared by the workers of a build (WAL: readers never wait for the writer).
    Its methods raise what SQLite and the file system raise: :class:`OutcomeCache` stops that."""

    def __init__(self, path: Path, converter: _Keyed) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._converter = converter
        self._pending: list[Row] = []
        self._restamped: list[tuple[str, str, str, str]] = []
        self._db = sqlite3.connect(path, timeout=LOCK_WAIT, isolation_level=None)
        _use_wal(self._db)
        self._db.execute("pragma synchronous=normal")
        if self._version() != FORMAT:
            self._db.execute("begin immediate")
            try:  # asked again under the lock: another worker may have just recreated it, and filled it since
                if self._version() != FORMAT:
                    tables = self._db.execute("select name from sqlite_master where type = 'table'").fetchall()
                    for (table,) in tables:  # whatever a cache of another format holds
                        self._db.execute(f'drop table "{table}"')
                    self._db.execute(f"pragma user_version = {FORMAT}")
                self._db.execute("commit")
            except BaseException:
                self._db.execute("rollback")
                raise
        self._db.executescript(SCHEMA)

    def _version(self) -> int:
        version: int = self._db.execute("pragma user_version").fetchone()[0]
        return version

    def begin(self) -> bool:
        self._db.execute("begin")
        return True

    def commit(self) -> None:
        self._db.execute("commit")

    def unchanged(self, stamps: Mapping[str, Stamp | None]) -> dict[str, Outcome]:
        """The outcomes of the files (raw path → stamp) whose stamps are the ones they had when
        last read: those files need not even be read."""
        paths = [path for path, stamp in stamps.items() if stamp is not None]
        found: dict[str, Outcome] = {}
        for path, settings, stamp, *outcome_row in _rows_by_path(self._db, SELECT_MANY, paths):
            source, known = source_of(path), stamps[path]
            if known is None or stamp != known.text or settings != self._converter.settings_digest(source):
                continue
            outcome = self._outcome(path, source, *outcome_row)
            if outcome is not None:
                found[path] = outcome
        return found

    def get(self, raw: RawFile) -> Outcome | None:
        """The outcome of a file whose bytes (and sidecar's) are the ones it had last time, else None."""
        if raw.unreadable:
            return None
        values = (raw.path, self._converter.settings_digest(raw.source), raw.sha256, _sidecar_sha256(raw))
        row = self._db.execute(SELECT_BY_BYTES, values).fetchone()
        return None if row is None else self._outcome(raw.path, raw.source, *row)

    def why_stale(self, raw: RawFile) -> str:
        """Why a file the cache has no outcome for must be converted: "new" (no row for its path),
        "settings" (adapter, its code, source.toml or schemas changed) or "changed" (its bytes)."""
        row = self._db.execute("select settings from outcome where path = ?", (raw.path,)).fetchone()
        if row is None:
            return "new"
        return "settings" if row[0] != self._converter.settings_digest(raw.source) else "changed"

    def _outcome(
        self,
        raw_path: str,
        source: str,
        raw_sha256: str,
        dedup: Any,
        sketch: Any,
        issues: Any,
        filtered: Any,
        digest: Any,
        line: Any,
    ) -> Outcome | None:
        if not _intact(digest, dedup, sketch, issues, line, filtered):
            return None  # damaged or altered: convert again
        if filtered:  # an item the source does not take: neither record nor reject
            return Outcome(raw_path, raw_sha256, source, None, filtered=filtered, from_cache=True)
        found = tuple(Issue.from_dict(i) for i in orjson.loads(issues))
        rejected = has_errors(found)
        if line is None and not rejected:
            return None  # a row no build writes (no record, yet no error): convert again
        # An accepted record's line stays here until the build writes it; a reject's goes with it
        # into rejects.jsonl (rejects are few).
        return Outcome(
            raw_path,
            raw_sha256,
            source,
            line if rejected else None,
            tuple(orjson.loads(dedup)) if dedup is not None else None,
            found,
            self._converter.acknowledgement_of(source, raw_path, found),
            from_cache=True,
            line_cached=line is not None and not rejected,
            sketch=sketch,
        )

    def put(self, raw: RawFile, outcome: Outcome, stamp: Stamp | None) -> None:
        """Keep the outcome, and the stamp the file had before it was read (unless too recent).

        Rows wait in memory until :meth:`flush`: one transaction per shard, not one per file. An
        outcome that came from the cache (a touched file with the same bytes) only renews its stamp.
        """
        if (raw.unreadable and stamp is None) or any(issue.rule in rules.CLOCK_DEPENDENT for issue in outcome.issues):
            return  # a link or a FIFO (no stamp) is read again; an item a regular file cannot give is not
        trusted = stamp is not None and time.time() - stamp.newest > RACY_SECONDS
        stamp_text = stamp.text if stamp is not None and trusted else NO_STAMP
        settings = self._converter.settings_digest(raw.source)
        if outcome.from_cache:
            self._restamped.append((stamp_text, raw.path, settings, raw.sha256))
            return
        dedup = orjson.dumps(outcome.key) if outcome.key is not None else None
        issues = orjson.dumps([i.to_dict() for i in outcome.issues])
        digest = _digest(dedup, outcome.sketch, issues, outcome.line, outcome.filtered)
        row = (raw.path, settings, raw.sha256, _sidecar_sha256(raw), stamp_text, dedup, outcome.sketch, issues)
        self._pending.append((*row, outcome.filtered, digest, outcome.line))

    def flush(self) -> None:
        """Write what :meth:`put` collected, in one short transaction (workers take turns at the lock)."""
        rows, self._pending = self._pending, []
        restamped, self._restamped = self._restamped, []
        if not rows and not restamped:
            return
        self._db.execute("begin immediate")
        try:
            self._db.executemany("insert or replace into outcome values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.executemany(RESTAMP, restamped)
            self._db.execute("commit")
        except BaseException:
            self._db.execute("rollback")
            raise

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._db.close()


class OutcomeCache:
    """The outcome cache as the workers use it, and the one place where its failures stop: a cache
    that cannot be opened, read or written (locked, damaged, read-only, a path SQLite cannot hold)
    costs speed, as its files are converted again, never the build."""

    def __init__(self, path: Path, converter: _Keyed) -> None:
        self._store = _never_failing(lambda: _Store(path, converter), None)

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Lookups inside share one read transaction: none takes and drops a lock of its own."""
        began = self._call(_Store.begin, False)
        try:
            yield
        finally:
            if began:
                self._call(_Store.commit, None)

    def unchanged(self, stamps: Mapping[str, Stamp | None]) -> dict[str, Outcome]:
        """The outcomes of the files (raw path → stamp) whose stamps are the ones they had when
        last read: those files need not even be read."""
        return self._call(_Store.unchanged, {}, stamps)

    def get(self, raw: RawFile) -> Outcome | None:
        """The outcome of a file whose bytes (and sidecar's) are the ones it had last time, else None."""
        return self._call(_Store.get, None, raw)

    def why_stale(self, raw: RawFile) -> str:
        return self._call(_Store.why_stale, "new", raw)

    def put(self, raw: RawFile, outcome: Outcome, stamp: Stamp | None) -> None:
        """Keep the outcome until :meth:`flush`, with the stamp the file had before it was read."""
        self._call(_Store.put, None, raw, outcome, stamp)

    def flush(self) -> None:
        self._call(_Store.flush, None)

    def close(self) -> None:
        self._call(_Store.close, None)

    def _call(self, method: Callable[..., T], miss: T, *args: Any) -> T:
        store = self._store
        return miss if store is None else _never_failing(lambda: method(store, *args), miss)


def _never_failing(call: Callable[[], T], miss: T) -> T:
    """``call()``, or ``miss`` when the cache fails: the boundary every use of the cache goes through."""
    try:
        return call()
    except CACHE_FAILURES:
        return miss


class CachedLines:
    """The build's reader of the lines that accepted outcomes left in the cache (``line_cached``).

    Read-only and opened on first use: a build whose outcomes all travelled with their lines (no
    cache, or a cold one) never opens it.
    """

    def __init__(self, path: Path, converter: _Keyed) -> None:
        self._uri = path.resolve().as_uri() + "?mode=ro"
        self._converter = converter
        self._db: sqlite3.Connection | None = None

    def read(self, wanted: list[tuple[str, str, str]]) -> dict[str, bytes]:
        """Raw path → line, for each (raw path, source, raw sha256) wanted."""
        paths = [raw_path for raw_path, _, _ in wanted]
        try:
            rows = {path: row for path, *row in _rows_by_path(self._open(), SELECT_LINES, paths)}
        except sqlite3.Error as error:
            raise BuildError(f"{CHANGED_UNDER_BUILD} ({error})") from None
        lines = {}
        for raw_path, source, raw_sha256 in wanted:
            settings, sha256, dedup, sketch, issues, filtered, digest, line = rows.get(
                raw_path, ("", "", None, None, b"", "", "", None)
            )
            same = (settings, sha256) == (self._converter.settings_digest(source), raw_sha256)
            if line is None or not same or not _intact(digest, dedup, sketch, issues, line, filtered):
                raise BuildError(f"{CHANGED_UNDER_BUILD} ({raw_path} is no longer in it)")
            lines[raw_path] = line
        return lines

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect(self._uri, uri=True, isolation_level=None)
            self._db.execute("begin")  # one snapshot for every line, and no lock per read
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def _rows_by_path(db: sqlite3.Connection, query: str, paths: list[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``query`` (``{}`` where its placeholders go) for these paths, ``BATCH`` to a query."""
    for start in range(0, len(paths), BATCH):
        batch = paths[start : start + BATCH]
        yield from db.execute(query.format(",".join("?" * len(batch))), batch).fetchall()


def discard_if_stale(path: Path) -> None:
    """Delete a cache file of another format, before any worker opens it: emptying a large one in
    place is slow (SQLite frees every page), and the other workers, waiting for the lock, would give
    up and build without the cache."""
    if path.exists() and _never_failing(lambda: _format_of(path), -1) != FORMAT:
        _never_failing(
            lambda: _delete(path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")), None
        )


def _delete(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _format_of(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path, timeout=LOCK_WAIT)) as db:
        version: int = db.execute("pragma user_version").fetchone()[0]
        return version


def forget_gone(path: Path, inputs: int, current_paths: Callable[[], Iterable[str]]) -> int:
    """Delete the rows of raw files that are gone (deleted, moved, or their source dropped), after a
    build that saw ``inputs`` files; how many. Without this every path ever built kept its row.
    ``current_paths`` (a walk of raw/) is asked only when the cache holds more rows than the build
    had inputs, which most builds do not (outcomes that depend on the clock are never stored, so
    as many rows of gone files may wait for a later build). A cache that cannot be pruned only
    costs disk."""
    return _never_failing(lambda: _forget_gone(path, inputs, current_paths), 0) if path.exists() else 0


def _forget_gone(path: Path, inputs: int, current_paths: Callable[[], Iterable[str]]) -> int:
    with contextlib.closing(sqlite3.connect(path, timeout=LOCK_WAIT, isolation_level=None)) as db:
        (rows,) = db.execute("select count(*) from outcome").fetchone()
        if rows <= inputs:
            return 0
        db.execute("create temp table seen (path text primary key)")
        try:
            db.executemany("insert or ignore into temp.seen values (?)", ((raw,) for raw in current_paths()))
        except ConfigError:  # raw/ changed under the walk: prune next time
            return 0
        db.execute("begin immediate")
        gone: int = db.execute("delete from outcome where path not in (select path from temp.seen)").rowcount
        db.execute("commit")
        return gone


def _use_wal(db: sqlite3.Connection) -> None:
    """Put the file in WAL mode (it stays so). Workers opening a new cache at once race to do it,
    and the loser is told "database is locked" at once, not after a wait: it tries again."""
    deadline = time.monotonic() + LOCK_WAIT
    while db.execute("pragma journal_mode").fetchone()[0] != "wal":
        try:
            db.execute("pragma journal_mode=wal")
            return  # WAL, or what the file system allows instead
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _digest(dedup: bytes | None, sketch: bytes | None, issues: bytes, line: bytes | None, filtered: str) -> str:
    """The sha256 of what an outcome is made of, each part told apart from the next."""
    hashed = hashlib.sha256()
    for part in (dedup, sketch, issues, line, filtered.encode()):
        hashed.update(b"-" if part is None else b"%d:" % len(part))
        hashed.update(part or b"")
    return hashed.hexdigest()


def _intact(digest: Any, dedup: Any, sketch: Any, issues: Any, line: Any, filtered: Any) -> bool:
    """Whether a row's parts are the ones its digest was made of (a damaged row's may not even be bytes)."""
    parts = (dedup, sketch, issues, line)
    if not all(part is None or isinstance(part, bytes) for part in parts) or not isinstance(filtered, str):
        return False
    return bool(digest == _digest(dedup, sketch, issues, line, filtered))


def _sidecar_sha256(raw: RawFile) -> str:
    return hashlib.sha256(raw.sidecar).hexdigest() if raw.sidecar is not None else "-"
