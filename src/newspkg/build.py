"""Build the package: convert every raw file, settle duplicates, write the outputs, then the descriptor.

Two streaming passes keep memory bounded whatever the corpus size: the first converts (on an
engine) and spills accepted records to a scratch file while indexing them on disk; the second
writes the records that survive duplicate settlement.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import orjson

from newspkg import adapters, card, package, readers, rules
from newspkg.cache import CachedLines, discard_if_stale, forget_gone
from newspkg.config import Project, available_cores
from newspkg.convert import Converter, Outcome
from newspkg.dedup import DuplicateIndex, Twin
from newspkg.discover import project_raw_paths
from newspkg.engines import SHARD_SIZE, Job, shards
from newspkg.errors import BuildBusy, DiskFull, disk_full_stops
from newspkg.issues import Issue
from newspkg.near_dedup import NEAR_TEXT, NearDuplicateIndex, NearSettings, mark_near_duplicate, near_settings
from newspkg.publish import (
    CITATION_PATH,
    CROISSANT_PATH,
    LICENSE_PATH,
    REJECTS_PATH,
    REPORT_PATH,
    Written,
    check_settings,
    package_files,
)
from newspkg.schema import BASE_FILE, SchemaSet, shipped_base
from newspkg.summary import BuildSummary, Duplicate, report_json
from newspkg.write import (
    BytesFile,
    JsonlWriter,
    ParquetWriter,
    commit_together,
    create,
    recover,
    refuse_links,
)

CACHE_PATH = "build/.cache/outcomes.sqlite"
LISTINGS_PATH = "build/.cache/listings.sqlite"  # the items of crawls and exports, by their file's stamp
LOCK_PATH = "build/.cache/build.lock"  # held (flock) by the build of a dataset: one at a time
BASE_SCHEMA_PATH = f"schema/{BASE_FILE}"
SPILL_NAME = ".accepted.spill"
SPILL_BUFFER = 1 << 20
LINES_PER_BATCH = 500  # spilled records handled together: the cached lines among them are read in one query
Progress = Callable[[int], None]  # called with the number of files just finished


class Kept(NamedTuple):
    """A record that survived duplicate settlement, as pass 2 hands it on."""

    line: bytes  # its spilled line; b"\n" when the line was left in the outcome cache
    raw_path: str
    source: str
    raw_sha256: str
    line_cached: bool
    near_duplicate_of: str | None = None


@dataclass(frozen=True, slots=True)
class Engine:
    """Where conversion runs: ``local`` (a process pool of ``jobs`` workers) or ``ray``."""

    kind: str = "local"
    jobs: int = field(default_factory=available_cores)
    address: str | None = None  # a Ray cluster's address; None starts a local one
    cache: bool = True  # reuse outcomes from build/.cache/ for unchanged files
    shard_size: int = SHARD_SIZE  # raw files per unit of work


def convert_all(
    project: Project,
    schemas: SchemaSet,
    now: datetime | None = None,
    only: Iterable[str] | None = None,
    engine: Engine | None = None,
) -> Iterator[Outcome]:
    """Every raw file's outcome (or those of ``only``), in sorted path order, whatever the engine."""
    engine = engine or Engine()
    converter = Converter(project, schemas, now)  # configuration errors surface here, before any worker starts
    if not all(adapters.reaches_workers(source.adapter) for source in project.sources) or not all(
        readers.reaches_workers(name) for name in readers.available()
    ):
        engine = replace(engine, kind="local", jobs=1)  # a run-time registered adapter or reader lives here only
    cache = str(project.root / CACHE_PATH) if engine.cache else None
    if cache is not None:
        discard_if_stale(Path(cache))
    # Everything that determines outcomes, adapters' code included: a worker that outlives a build
    # (the process's own, in a library user's process) makes a new converter when any of it changes.
    settings = project.digest() + "".join(converter.settings_digest(source.name) for source in project.sources)
    job = Job(str(project.root.resolve()), settings, now, cache)
    kept = readers.Listings(project.root / LISTINGS_PATH) if engine.cache else None
    work = shards(project, set(only) if only is not None else None, engine.shard_size, kept)
    if engine.kind == "ray":
        from newspkg.engines.ray import run_ray

        return run_ray(job, work, engine.address, engine.jobs)
    from newspkg.engines.local import run_local

    return run_local(job, work, engine.jobs)


def summarize(
    outcomes: Iterable[Outcome], progress: Progress | None = None, near: NearSettings | None = None
) -> BuildSummary:
    """Settle outcomes without writing anything (what ``newspkg validate raw/`` reports)."""
    with tempfile.TemporaryDirectory(prefix="newspkg-validate-") as scratch:
        return _settle(outcomes, Path(scratch), lambda _: progress(1) if progress else None, near=near)


def build(
    project: Project,
    schemas: SchemaSet,
    out_root: Path,
    now: datetime | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
    wait: bool = False,
    drop_near_duplicates: bool = False,
) -> BuildSummary:
    """Write build/ and datapackage.json under ``out_root``; return what became of every input.

    One build of a project at a time: another one holding its lock is :class:`BuildBusy`, unless
    ``wait``. A link where an output (or a folder of one) goes is a configuration error.
    Near-duplicates are marked (or with ``drop_near_duplicates`` listed with the duplicates) as
    the descriptor's ``near_duplicates`` settings say.
    """
    with build_lock(project.root, wait):
        try:
            return _build(project, schemas, out_root, now, engine, progress, drop_near_duplicates)
        except DiskFull:
            _discard_partials(out_root)  # they hold the space that ran out
            raise


def _discard_partials(out_root: Path) -> None:
    """Delete the partial files of a build that stopped before its commit (after it, recovery needs them)."""
    if not (out_root / package.JOURNAL_PATH).exists():
        for folder in (out_root, out_root / "build", out_root / "schema"):
            for partial in folder.glob(".*.partial"):
                partial.unlink()


@contextlib.contextmanager
def build_lock(root: Path, wait: bool) -> Iterator[None]:
    """Hold the project's build lock (``LOCK_PATH``, never deleted: its inode is the lock); `newspkg
    report` takes it too, to write its page into the package."""
    path = refuse_links(root, root / LOCK_PATH)
    with disk_full_stops(path):  # no room for a folder or an inode
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            message = f"{path}: another build or report of this dataset is running (--wait waits for it)"
            raise BuildBusy(message) from None
        yield
    finally:
        os.close(descriptor)


def _build(
    project: Project,
    schemas: SchemaSet,
    out_root: Path,
    now: datetime | None,
    engine: Engine | None,
    progress: Progress | None,
    drop_near_duplicates: bool = False,
) -> BuildSummary:
    recover(out_root / package.JOURNAL_PATH)  # a build killed while committing: finish its renames first
    engine = engine or Engine()
    previous = package.read_descriptor(project.descriptor_path)
    package_warnings = check_settings(project, previous)
    near = near_settings(previous, drop_near_duplicates)
    _refuse_linked_outputs(project, out_root, previous)
    outcomes = convert_all(project, schemas, now, engine=engine)  # configuration errors stop the build here
    manifest = package.Manifest()
    with (  # the writers finish first (they read from the cache), and one that cannot start closes the others
        contextlib.closing(CachedLines(project.root / CACHE_PATH, Converter(project, schemas, now))) as cached,
        JsonlWriter(out_root / package.JSONL_PATH, within=out_root) as jsonl,
        ParquetWriter(out_root / package.PARQUET_PATH, schemas.arrow_schema(), within=out_root) as parquet,
        JsonlWriter(out_root / REJECTS_PATH, within=out_root) as rejects,
    ):
        kept_writer = KeptWriter(jsonl, parquet, cached)

        def on_outcome(outcome: Outcome) -> None:
            manifest.add(outcome.raw_path, outcome.raw_sha256)
            if not outcome.accepted and not outcome.filtered:  # a filtered item is counted, not a reject
                rejects.write(_reject_entry(outcome))
            if progress:
                progress(1)

        summary = _settle(outcomes, jsonl.path.parent, on_outcome, kept_writer.write, near)
    summary.warn_all([*project.warnings, *package_warnings])
    report = BytesFile(out_root / REPORT_PATH, report_json(summary), within=out_root)  # streamed: its lists may be long
    counts = {name: dict(counter) for name, counter in summary.per_source.items()}
    shaping = {k: v for s in project.sources for k, v in adapters.libraries(adapters.get(s.adapter)).items()}
    provenance = package.provenance(manifest.hexdigest(), schemas, summary.inputs, counts, shaping)
    written = Written(
        package.FileFacts(*jsonl.facts()), parquet.partial, rejects.partial, report.partial, summary.accepted
    )
    documents = package_files(project, schemas, previous, written, out_root, provenance)  # descriptor last
    # for data users: the package is self-contained
    base_copy = BytesFile(out_root / BASE_SCHEMA_PATH, shipped_base(), within=out_root)
    commit_together([jsonl, parquet, rejects, report, base_copy, *documents], out_root / package.JOURNAL_PATH)
    if engine.cache:
        forget_gone(
            project.root / CACHE_PATH,
            summary.inputs,
            lambda: project_raw_paths(project, readers.Listings(project.root / LISTINGS_PATH)),
        )
    return summary


def _refuse_linked_outputs(project: Project, out_root: Path, previous: dict[str, Any]) -> None:
    """Stop before any work when a file the build writes, or a folder of one, is a link."""
    outputs = [package.JSONL_PATH, package.PARQUET_PATH, REJECTS_PATH, REPORT_PATH, LICENSE_PATH, CITATION_PATH]
    outputs += [CROISSANT_PATH, card.card_path(previous), "datapackage.json", BASE_SCHEMA_PATH, package.JOURNAL_PATH]
    for relative in outputs:  # partial files and the spill are newspkg's own: made anew (see write.create)
        refuse_links(out_root, out_root / relative)
    for relative in (CACHE_PATH, f"{CACHE_PATH}-wal", f"{CACHE_PATH}-shm"):
        refuse_links(project.root, project.root / relative)


def _settle(
    outcomes: Iterable[Outcome],
    scratch: Path,
    on_outcome: Callable[[Outcome], None],
    write_kept: Callable[[list[Kept]], None] | None = None,
    near: NearSettings | None = None,
) -> BuildSummary:
    """Count every outcome; spill accepted records, settle duplicates, then hand on the kept lines.

    A spill line is the record's JSONL line after a tab-separated header (orjson escapes tabs
    inside strings, so the first tab is the separator): the kept lines are written out unchanged,
    and no record is decoded. A line left in the outcome cache is spilled empty: ``write_kept``
    finds it (see :class:`KeptWriter`).
    """
    summary = BuildSummary()
    index = DuplicateIndex()
    near_index = NearDuplicateIndex(near or NearSettings())
    spill_path = scratch / SPILL_NAME
    try:
        with disk_full_stops(spill_path), create(spill_path, SPILL_BUFFER) as spill:
            _spill_accepted(outcomes, summary, index, near_index, spill, on_outcome)
        index.settle()
        near_index.settle(np.fromiter((seq for seq, _ in index.duplicates()), dtype=np.int64))
        summary.near_duplicates = near_index.figures()
        with spill_path.open("rb", buffering=SPILL_BUFFER) as spill:
            for kept in _kept_batches(spill, summary, index.duplicates(), near_index):
                if write_kept:
                    write_kept(kept)
    finally:
        index.close()
        near_index.close()
        spill_path.unlink(missing_ok=True)
    return summary


def _spill_accepted(
    outcomes: Iterable[Outcome],
    summary: BuildSummary,
    index: DuplicateIndex,
    near_index: NearDuplicateIndex,
    spill: BinaryIO,
    on_outcome: Callable[[Outcome], None],
) -> None:
    """Pass 1: count every outcome, keep rejects (without records), spill and index accepted ones."""
    last_file = None
    for outcome in outcomes:
        summary.inputs += 1
        file = outcome.raw_path.partition(readers.SEPARATOR)[0]  # a file's items come one after another
        summary.files += file != last_file
        last_file = file
        summary.from_cache += outcome.from_cache
        if outcome.converted_because:
            summary.converted_because[outcome.converted_because] += 1
        summary.count(outcome.source, "inputs")
        on_outcome(outcome)
        if outcome.filtered:
            summary.filter(outcome)
        elif outcome.key is not None and outcome.accepted:
            index.add(summary.inputs, outcome.raw_path, outcome.key)
            if outcome.sketch is not None:
                near_index.add(summary.inputs, outcome.raw_path, outcome.key, outcome.sketch)
            spill.write(_spill_header(summary.inputs, outcome) + b"\t" + (outcome.line or b"\n"))
        else:
            summary.reject(outcome)


def _kept_batches(
    spill: BinaryIO, summary: BuildSummary, duplicates: Iterator[tuple[int, Twin]], near_index: NearDuplicateIndex
) -> Iterator[list[Kept]]:
    """Pass 2: count each spilled record as kept or duplicate; yield the kept ones, a batch at a time."""
    next_duplicate = next(duplicates, None)
    marks = near_index.marks()
    mark = next(marks, None)
    while spilled := list(islice(spill, LINES_PER_BATCH)):
        kept: list[Kept] = []
        for entry in spilled:
            header, line = entry.split(b"\t", 1)
            seq, raw_path, raw_sha256, source, acknowledged, issues, line_cached = orjson.loads(header)
            if next_duplicate is not None and next_duplicate[0] == seq:
                twin = next_duplicate[1]
                summary.duplicate(Duplicate(raw_path, raw_sha256, source, twin.id, twin.raw_path, twin.reason))
                next_duplicate = next(duplicates, None)
                continue
            near_of = None
            if mark is not None and mark.seq == seq:
                near_of, mark = mark, next(marks, None)
            if near_of is not None and near_index.settings.drop:
                summary.duplicate(Duplicate(raw_path, raw_sha256, source, *near_of[1:], NEAR_TEXT))
            else:
                _keep(summary, raw_path, source, acknowledged, issues)
                representative = near_of.representative if near_of else None
                kept.append(Kept(line, raw_path, source, raw_sha256, line_cached, representative))
        yield kept


class KeptWriter:
    """Hands each kept record's line on to the JSONL and Parquet writers: from the spill (records
    this build converted) or, for unchanged records, from the outcome cache, a batch in one query."""

    def __init__(self, jsonl: JsonlWriter, parquet: ParquetWriter, cached_lines: CachedLines) -> None:
        self._jsonl, self._parquet, self._cached_lines = jsonl, parquet, cached_lines

    def write(self, kept: list[Kept]) -> None:
        wanted = [(record.raw_path, record.source, record.raw_sha256) for record in kept if record.line_cached]
        from_cache = self._cached_lines.read(wanted) if wanted else {}
        for record in kept:
            line = from_cache[record.raw_path] if record.line_cached else record.line
            if record.near_duplicate_of:
                line = mark_near_duplicate(line, record.near_duplicate_of)
            self._jsonl.write_line(line)
            self._parquet.write_line(line)


def _spill_header(seq: int, outcome: Outcome) -> bytes:
    issues = _as_dicts(outcome.issues)
    return orjson.dumps(
        [seq, outcome.raw_path, outcome.raw_sha256, outcome.source, outcome.acknowledged, issues, outcome.line_cached]
    )


def _keep(
    summary: BuildSummary, raw_path: str, source: str, acknowledged: str | None, issues: list[dict[str, Any]]
) -> None:
    summary.accepted += 1
    summary.count(source, "accepted")
    for issue in issues:
        summary.warn(Issue.from_dict(issue))
    if acknowledged:
        message = "source.toml acknowledges a reject, but the file is now accepted: remove the acknowledgement"
        summary.warn(rules.ACKNOWLEDGED_STALE.issue(raw_path, message))


def _as_dicts(issues: Iterable[Issue]) -> list[dict[str, Any]]:
    return [issue.to_dict() for issue in issues]


def _reject_entry(outcome: Outcome) -> dict[str, Any]:
    return {
        "raw_path": outcome.raw_path,
        "raw_sha256": outcome.raw_sha256,
        "source": outcome.source,
        "acknowledged": outcome.acknowledged,
        "issues": _as_dicts(outcome.issues),
        "extracted": outcome.record,  # what could be read, to help fix the file
    }


def check(
    project: Project,
    schemas: SchemaSet,
    engine: Engine | None = None,
    wait: bool = False,
    drop_near_duplicates: bool = False,
) -> list[str]:
    """Rebuild (without the cache) into a scratch folder; name every committed output that differs,
    the descriptor last."""
    engine = replace(engine or Engine(), cache=False)
    with tempfile.TemporaryDirectory(prefix="newspkg-check-") as scratch:
        build(project, schemas, Path(scratch), engine=engine, wait=wait, drop_near_duplicates=drop_near_duplicates)
        outputs = sorted(
            (path.relative_to(scratch).as_posix() for path in Path(scratch).rglob("*") if path.is_file()),
            key=lambda name: (name == "datapackage.json", name),
        )
        return [path for path in outputs if not _same_bytes(project.root / path, Path(scratch) / path)]


def _same_bytes(committed: Path, rebuilt: Path) -> bool:
    return committed.is_file() and committed.read_bytes() == rebuilt.read_bytes()
