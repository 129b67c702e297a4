"""The records of a package: every JSONL line against the shipped schema and the rules, ids unique,
and the Parquet file holding the same records.

Lines go in chunks of :data:`BATCH_ROWS`. On a large package a pool of processes checks the chunks
(the rules are Python, one process would be the limit) while this one compares each chunk with its
Parquet rows as whole Arrow batches; on a small one everything runs here. Either way the issues
come in line order and are the same.
"""

from __future__ import annotations

import multiprocessing
import re
import uuid
from array import array
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from newspkg.issues import MAX_KEPT_WARNINGS, Issue, Severity
from newspkg.records import ID_LENGTH, id_of
from newspkg.schema import SchemaSet
from newspkg.validate import RecordChecker
from newspkg.write import lines_to_table

BATCH_ROWS = 1024
MAX_LINE_BYTES = 64 * 1024 * 1024  # one JSONL record
READ_BLOCK = 4 * 1024 * 1024
CHUNKS_IN_FLIGHT_PER_WORKER = 4  # keeps workers busy; bounds the lines held to a few MB each
HEX_ID = re.compile(r"[0-9a-f]+")


@dataclass
class PackageReport:
    issues: list[Issue] = field(default_factory=list)  # every error; warnings up to MAX_KEPT_WARNINGS
    records: int = 0
    warnings_by_rule: Counter[str] = field(default_factory=Counter)

    def extend(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            if issue.severity is Severity.WARNING:
                self.warnings_by_rule[issue.rule] += 1
                if self.warnings_by_rule.total() > MAX_KEPT_WARNINGS:
                    continue  # counted, not kept: a million identical warnings help nobody
            self.issues.append(issue)

    def add(
        self,
        file: str,
        rule: str,
        message: str,
        record_id: str = "",
        pointer: str = "",
        line: int = 0,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.extend([Issue(file, record_id, pointer, rule, message, severity, line)])

    def merge(self, other: PackageReport) -> None:
        """Another report's issues after this one's, as if they had been added here."""
        kept = self.warnings_by_rule.total()
        for issue in other.issues:
            if issue.severity is not Severity.WARNING:
                self.issues.append(issue)
            elif kept < MAX_KEPT_WARNINGS:
                self.issues.append(issue)
                kept += 1
        self.warnings_by_rule.update(other.warnings_by_rule)
        self.records += other.records


@dataclass(frozen=True, eq=False)
class RecordsJob:
    """What a process needs to check chunks of one package's lines; small and picklable."""

    schemas: SchemaSet
    extension_of: dict[str, str | None]
    jsonl_name: str
    now: datetime | None
    thorough: bool  # recompute fingerprints (the slow part)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)  # a process builds one checker per job


@dataclass
class CheckedChunk:
    report: PackageReport  # the chunk's issues in line order, and its count of records
    lines: list[int]  # the line of every well-formed record
    ids: list[str]  # and its id


def check_records(
    job: RecordsJob,
    jsonl_path: Path,
    parquet_path: Path | None,
    parquet_name: str,
    report: PackageReport,
    workers: int,
) -> None:
    """Check every line of ``jsonl_path`` and, when there is one, compare the Parquet file with it.

    A malformed line still takes its row's place, so Parquet rows stay aligned with JSONL lines.
    """
    ids = IdLines()
    arrow_schema = job.schemas.arrow_schema()
    parquet_batches = _parquet_batches(parquet_path, job.schemas, parquet_name, report) if parquet_path else None
    with jsonl_path.open("rb", buffering=0) as file:
        for (first, raws), checked in _checked_chunks(job, _chunks(file), workers):
            report.merge(checked.report)
            for rid, line in zip(checked.ids, checked.lines, strict=True):
                ids.add(rid, line)
            if parquet_batches is not None:
                well_formed = [raws[line - first] or b"" for line in checked.lines]
                batch = next(parquet_batches, None)
                _compare_batch(checked.lines, well_formed, batch, arrow_schema, parquet_name, report)
    if parquet_batches is not None and next(parquet_batches, None) is not None:
        report.add(parquet_name, "parquet:rows", "the Parquet file has more rows than the JSONL file")
    for rid, line, first in ids.repeats():
        report.add(job.jsonl_name, "unique-id", f"id {rid} is also on line {first}", rid, "/id", line)


Chunk = tuple[int, list[bytes | None]]  # the first line's number, and BATCH_ROWS lines (None: too long)


def _chunks(file: BinaryIO) -> Iterator[Chunk]:
    chunk: list[bytes | None] = []
    first = 1
    for raw in _lines(file):
        chunk.append(raw)
        if len(chunk) == BATCH_ROWS:
            yield first, chunk
            first, chunk = first + BATCH_ROWS, []
    if chunk:
        yield first, chunk


def _checked_chunks(job: RecordsJob, chunks: Iterator[Chunk], workers: int) -> Iterator[tuple[Chunk, CheckedChunk]]:
    """Every chunk with what checking it found, in order; on ``workers`` processes when more than one."""
    if workers <= 1:
        for chunk in chunks:
            yield chunk, check_chunk(job, *chunk)
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        window: deque[tuple[Chunk, Future[CheckedChunk]]] = deque()
        for chunk in chunks:
            window.append((chunk, pool.submit(check_chunk, job, *chunk)))
            if len(window) >= workers * CHUNKS_IN_FLIGHT_PER_WORKER:
                done, checked = window.popleft()
                yield done, checked.result()
        while window:
            done, checked = window.popleft()
            yield done, checked.result()


_checkers: dict[str, tuple[RecordChecker, list[str]]] = {}


def check_chunk(job: RecordsJob, first_line: int, raws: list[bytes | None]) -> CheckedChunk:
    """The unit of work: parse and check one chunk of lines (the checker is made once per process)."""
    if job.token not in _checkers:
        _checkers.clear()  # a process serves one package at a time
        checker = RecordChecker(job.schemas, job.extension_of, job.now, fingerprints=job.thorough)
        _checkers[job.token] = (checker, list(job.schemas.keys))
    checker, keys = _checkers[job.token]
    name = job.jsonl_name
    checked = CheckedChunk(PackageReport(), [], [])
    report = checked.report
    for line, raw in enumerate(raws, start=first_line):
        record = _record(raw, line, job, report)
        if record is None:
            continue
        report.records += 1
        rid = id_of(record)
        if list(record) != keys:
            report.add(name, "record:keys", "keys are not the schema's fields in schema order", rid, "", line)
        report.extend(checker.check(record, name, line))
        checked.lines.append(line)
        checked.ids.append(rid)
    return checked


def _record(raw: bytes | None, line: int, job: RecordsJob, report: PackageReport) -> dict[str, Any] | None:
    name = job.jsonl_name
    if raw is None:
        report.add(name, "jsonl:syntax", f"line {line} is longer than {MAX_LINE_BYTES} bytes: not read", line=line)
        return None
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        report.add(name, "jsonl:syntax", f"line {line} is not JSON: {error}", line=line)
        return None
    if not isinstance(record, dict):
        report.add(name, "jsonl:syntax", f"line {line} is not a JSON object", line=line)
        return None
    return record


def _lines(file: BinaryIO) -> Iterator[bytes | None]:
    """Every line with its newline (the last may have none), read in large blocks (readline per line
    cost more than parsing the JSON); None in place of a line over MAX_LINE_BYTES, which is skipped
    without holding more than a block of it."""
    pending = bytearray()  # the start of a line that continues in the next block
    skipping = False  # inside an over-long line
    while block := file.read(READ_BLOCK):
        start = 0
        while (end := block.find(b"\n", start)) != -1:
            if skipping:
                skipping = False
                yield None
            elif pending:
                pending += block[start : end + 1]
                yield None if len(pending) - 1 > MAX_LINE_BYTES else bytes(pending)
                pending.clear()
            else:
                yield None if end - start > MAX_LINE_BYTES else block[start : end + 1]
            start = end + 1
        if not skipping:
            pending += block[start:]
            if len(pending) > MAX_LINE_BYTES:
                skipping, pending = True, bytearray()
    if skipping:
        yield None
    elif pending:
        yield bytes(pending)


class IdLines:
    """The line of every record's id, for the uniqueness check, in 16 bytes a record: an id of 16
    hex digits (every id newspkg writes) is kept as a 64-bit number, so a million ids take 16 MB,
    not the 150 MB of a dict. Other ids (a broken package) are kept as they are."""

    def __init__(self) -> None:
        self._numbers = array("Q")
        self._lines = array("Q")
        self._others: dict[str, list[int]] = {}

    def add(self, rid: str, line: int) -> None:
        if len(rid) == ID_LENGTH and HEX_ID.fullmatch(rid):
            self._numbers.append(int(rid, 16))
            self._lines.append(line)
        else:
            self._others.setdefault(rid, []).append(line)

    def repeats(self) -> list[tuple[str, int, int]]:
        """(id, line, first line of that id) for every record whose id an earlier line has, by line."""
        found = [(rid, line, lines[0]) for rid, lines in self._others.items() for line in lines[1:]]
        if not self._numbers:
            return found
        numbers = np.frombuffer(self._numbers, dtype=np.uint64)
        lines = np.frombuffer(self._lines, dtype=np.uint64)
        order = np.lexsort((lines, numbers))  # by id, then line
        numbers, lines = numbers[order], lines[order]
        starts = np.flatnonzero(np.r_[True, numbers[1:] != numbers[:-1]])  # where each id's run begins
        first = np.repeat(lines[starts], np.diff(np.r_[starts, len(numbers)]))
        for index in np.flatnonzero(lines != first):
            found.append((f"{int(numbers[index]):016x}", int(lines[index]), int(first[index])))
        return sorted(found, key=lambda repeat: repeat[1])


# -- JSONL against Parquet -----------------------------------------------------------------------


def _compare_batch(
    lines: list[int],
    raws: list[bytes],
    batch: pa.RecordBatch | None,
    schema: pa.Schema,
    name: str,
    report: PackageReport,
) -> None:
    """JSONL and Parquet hold the same records: compared as Arrow columns, row by row only on a difference."""
    records = (orjson.loads(raw) for raw in raws)  # decoded only when needed
    if batch is None:
        for line, record in zip(lines, records, strict=True):
            report.add(
                name, "parquet:rows", f"the Parquet file has no row for JSONL line {line}", id_of(record), line=line
            )
        return
    if batch.num_rows == len(lines) and _equal(_as_arrow(raws, schema), batch):
        return
    rows = batch.to_pylist()
    for index, (line, record) in enumerate(zip(lines, records, strict=True)):
        _compare_row(record, rows[index] if index < len(rows) else None, name, line, report)


def _equal(converted: pa.RecordBatch | None, batch: pa.RecordBatch) -> bool:
    return converted is not None and bool(converted.equals(batch))


def _as_arrow(lines: list[bytes], schema: pa.Schema) -> pa.RecordBatch | None:
    """JSONL lines parsed by Arrow's own (C++) JSON reader into the package's Arrow schema, as the
    build makes its Parquet row groups; None on a difference in types or keys."""
    try:
        return lines_to_table(b"".join(lines), schema, other_keys="error").to_batches()[0]
    except (pa.ArrowException, IndexError, ValueError):
        return None  # the row-by-row comparison names the difference


def _parquet_batches(
    path: Path, schemas: SchemaSet, name: str, report: PackageReport
) -> Iterator[pa.RecordBatch] | None:
    try:
        parquet = pq.ParquetFile(path, pre_buffer=False)  # with use_threads=False: half the peak memory, no slower
    except (pa.ArrowException, OSError) as error:
        report.add(name, "parquet:unreadable", f"{name} cannot be read as Parquet: {error}")
        return None
    expected = schemas.arrow_schema()
    if not parquet.schema_arrow.equals(expected):
        report.add(name, "parquet:schema", f"{name} does not have the Arrow schema derived from the record schema")
        return None
    return _iter_batches(parquet, name, report)


def _iter_batches(parquet: pq.ParquetFile, name: str, report: PackageReport) -> Iterator[pa.RecordBatch]:
    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, use_threads=False):
            batch.validate(full=True)  # damaged UTF-8 or offsets: reported here, not as a crash later
            yield batch
    except (pa.ArrowException, OSError, ValueError) as error:
        report.add(name, "parquet:unreadable", f"{name} is damaged: {error}")


def _compare_row(
    record: dict[str, Any], row: dict[str, Any] | None, name: str, line: int, report: PackageReport
) -> None:
    rid = id_of(record)
    if row is None:
        report.add(name, "parquet:rows", f"the Parquet file has no row for JSONL line {line}", rid, line=line)
        return
    for key, value in record.items():
        if not _same_value(value, row.get(key)):
            report.add(name, "parquet:mismatch", f"{key} differs from JSONL line {line}", rid, f"/{key}", line)


def _same_value(jsonl_value: Any, parquet_value: Any) -> bool:
    if isinstance(parquet_value, datetime) and isinstance(jsonl_value, str):
        try:
            return datetime.fromisoformat(jsonl_value) == parquet_value
        except ValueError:
            return False
    return bool(jsonl_value == parquet_value)
