"""The records of a package: every JSONL line against the shipped schema and the rules, ids unique,
and the Parquet file holding the same records.

The JSONL file is cut into spans of whole lines that begin and end where Parquet row groups do
(small groups joined, giant ones cut) wherever it can be. Each span is one unit of work: its lines
are read, parsed and checked, and compared with its Parquet rows as Arrow batches of
:data:`BATCH_ROWS`, all by the process it went to. On a large package a pool of processes takes the
spans (the rules are Python, one process would be the limit) and this one only finds where spans
begin; on a small one everything runs here. Either way the issues come in line order and are the
same.
"""

from __future__ import annotations

import heapq
import multiprocessing
import re
import uuid
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from newspkg import rules
from newspkg.consume import spans
from newspkg.consume.findings import IssueList, PackageReport
from newspkg.consume.pages import PageError
from newspkg.consume.rows import Damage, RowComparison, as_arrow, too_large
from newspkg.consume.spans import Span, cut_into_spans, span_batches, span_lengths
from newspkg.issues import Issue
from newspkg.records import ID_LENGTH, id_of
from newspkg.schema import SchemaSet
from newspkg.validate import RecordChecker, clean_texts

SPANS_IN_FLIGHT_PER_WORKER = 2  # keeps workers busy; a span's results are small


HEX_ID = re.compile(r"[0-9a-f]+")


REPEATS_AT_A_TIME = 65536  # repeated ids turned into Python objects at once


HEX_VALUES = np.zeros(256, dtype=np.uint64)  # a hex digit's ASCII code → its value


HEX_VALUES[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint64)


HEX_SHIFTS = np.arange(4 * (ID_LENGTH - 1), -1, -4, dtype=np.uint64)  # the first digit is the highest


@dataclass(frozen=True, eq=False)
class RecordsJob:
    """What a process needs to check spans of one package's lines; small and picklable."""

    schemas: SchemaSet
    extension_of: dict[str, str | None]
    jsonl_path: Path
    jsonl_name: str
    parquet_path: Path | None  # None: no Parquet file to compare with (missing, unreadable or another schema)
    parquet_name: str
    now: datetime | None
    thorough: bool  # recompute fingerprints (the slow part)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)  # a process builds one checker per job


@dataclass
class CheckedSpan:
    report: PackageReport  # the span's record issues in line order, and its count of records
    lines: list[int]  # the line of every well-formed record
    ids: list[str]  # and its id
    compared: list[Issue] = field(default_factory=list)  # where its records and their Parquet rows differ
    damage: Damage | None = None  # why its Parquet rows could not be read

    def in_line_order(self) -> PackageReport:
        """Record issues and Parquet differences together, by line (a record's own issues first)."""
        issues = sorted([*self.report.issues, *self.compared], key=attrgetter("line"))
        return PackageReport(IssueList(issues), self.report.records, self.report.warnings_by_rule)


def check_records(
    job: RecordsJob, report: PackageReport, workers: int, progress: Callable[[int, int], None] | None = None
) -> None:
    """Check every line of the JSONL file and, when there is one, compare the Parquet file with it:
    its rows are the well-formed records, in order (a malformed line has none). ``progress`` is told
    the bytes of each span checked, and the file's size."""
    total = job.jsonl_path.stat().st_size
    row_groups = _row_groups(job, report)
    if row_groups is None:
        job = replace(job, parquet_path=None)
    ids = IdLines()
    records = malformed = 0
    damaged = False
    for span, checked in _checked_spans(job, cut_into_spans(job.jsonl_path, span_lengths(row_groups or [])), workers):
        if malformed and job.parquet_path is not None:  # the span's rows begin earlier than its worker assumed
            checked.compared, checked.damage = compare_span(
                job, job.parquet_path, span, span.first_line - 1 - malformed, checked.lines
            )
        report.merge(checked.in_line_order())
        if checked.damage and not damaged:  # once: every span after the damage may say the same
            report.add(job.parquet_name, *checked.damage)
            damaged = True
        ids.add_all(checked.ids, checked.lines)
        records += len(checked.lines)
        malformed += span.lines - len(checked.lines)
        if progress:
            progress(span.size, total)
    if row_groups is not None and sum(row_groups) > records:
        report.add(
            job.parquet_name, rules.PARQUET_ROWS, "the Parquet file has more rows than the JSONL file has records"
        )
    for rid, line, first in ids.repeats():
        report.add(job.jsonl_name, rules.UNIQUE_ID, f"id {rid} is also on line {first}", rid, "/id", line)


def _row_groups(job: RecordsJob, report: PackageReport) -> list[int] | None:
    """The number of rows of each Parquet row group; None (and why, in the report) when there is
    nothing to compare with."""
    if job.parquet_path is None:
        return None
    name = job.parquet_name
    try:
        metadata = pq.ParquetFile(job.parquet_path).metadata
    except (pa.ArrowException, OSError) as error:
        report.add(name, rules.PARQUET_UNREADABLE, f"{name} cannot be read as Parquet: {error}")
        return None
    if not metadata.schema.to_arrow_schema().equals(job.schemas.arrow_schema()):
        report.add(name, rules.PARQUET_SCHEMA, f"{name} does not have the Arrow schema derived from the record schema")
        return None
    try:
        why = too_large(job.parquet_path, metadata, name)
    except (PageError, OSError) as error:
        report.add(name, rules.PARQUET_UNREADABLE, f"{name} cannot be read as Parquet: {error}")
        return None
    if why is not None:
        report.add(name, rules.PARQUET_TOO_LARGE, why)
        return None
    return [metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)]


def _checked_spans(job: RecordsJob, spans: Iterator[Span], workers: int) -> Iterator[tuple[Span, CheckedSpan]]:
    """Every span with what checking it found, in order; on ``workers`` processes when more than one."""
    if workers <= 1:
        for span in spans:
            yield span, check_span(job, span)
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        window: deque[tuple[Span, Future[CheckedSpan]]] = deque()
        for span in spans:
            window.append((span, pool.submit(check_span, job, span)))
            if len(window) >= workers * SPANS_IN_FLIGHT_PER_WORKER:
                done, checked = window.popleft()
                yield done, checked.result()
        while window:
            done, checked = window.popleft()
            yield done, checked.result()


_checkers: dict[str, tuple[RecordChecker, list[str]]] = {}


def check_span(job: RecordsJob, span: Span) -> CheckedSpan:
    """The unit of work: read, parse and check a span's lines and compare its records with their
    Parquet rows, a batch at a time, assuming no malformed line came before the span (the caller
    knows if one did)."""
    checked = CheckedSpan(PackageReport(), [], [])
    rows = _rows(job, job.parquet_path, span.first_line - 1, span.lines) if job.parquet_path else None
    for first, raws in span_batches(job.jsonl_path, span):
        records, lines = _parse_lines(job, first, raws, checked.report)
        well_formed = [raws[line - first] or b"" for line in lines]
        # The records as Arrow columns, made for the Parquet comparison, spare the rules a Python
        # search of most texts (see validate.clean_texts).
        table = as_arrow(well_formed, job.schemas.arrow_schema()) if rows is not None and records else None
        clean = clean_texts(table["text"]) if table is not None and table.num_rows == len(records) else None
        _check_records(job, records, lines, clean, checked)
        if rows is not None:
            rows.compare(lines, well_formed, table)
    if rows is not None:
        checked.compared, checked.damage = list(rows.report.issues), rows.damage
    return checked


def compare_span(
    job: RecordsJob, parquet_path: Path, span: Span, first_row: int, records: list[int]
) -> tuple[list[Issue], Damage | None]:
    """The span's well-formed lines (``records``) against the Parquet rows from ``first_row`` on: the
    differences, and why the rows could not be read."""
    rows = _rows(job, parquet_path, first_row, len(records))
    well_formed = set(records)
    for first, raws in span_batches(job.jsonl_path, span):
        lines = [line for line in range(first, first + len(raws)) if line in well_formed]
        rows.compare(lines, [raws[line - first] or b"" for line in lines])
    return list(rows.report.issues), rows.damage


def _rows(job: RecordsJob, parquet_path: Path, first_row: int, count: int) -> RowComparison:
    return RowComparison(job.schemas.arrow_schema(), job.parquet_name, parquet_path, first_row, count)


def _parse_lines(
    job: RecordsJob, first_line: int, raws: list[bytes | None], report: PackageReport
) -> tuple[list[dict[str, Any]], list[int]]:
    """The records of a batch of lines, and the lines that held them (the others reported)."""
    records, well_formed = [], []
    for line, raw in enumerate(raws, start=first_line):
        record = _record(raw, line, job, report)
        if record is not None:
            records.append(record)
            well_formed.append(line)
    return records, well_formed


def _check_records(
    job: RecordsJob, records: list[dict[str, Any]], lines: list[int], clean: list[bool] | None, checked: CheckedSpan
) -> None:
    """Check a batch's records (on ``lines``) into ``checked``."""
    checker, keys = _checker(job)
    name = job.jsonl_name
    report = checked.report
    for record, line, issues in zip(records, lines, checker.check_each(records, name, lines, clean), strict=True):
        rid = id_of(record)
        if list(record) != keys:
            report.add(name, rules.RECORD_KEYS, "keys are not the schema's fields in schema order", rid, "", line)
        report.extend(issues)
        checked.ids.append(rid)
    report.records += len(records)
    checked.lines += lines


def _checker(job: RecordsJob) -> tuple[RecordChecker, list[str]]:
    """The job's checker, made once per process (compiling the schemas is not free)."""
    if job.token not in _checkers:
        _checkers.clear()  # a process serves one package at a time
        checker = RecordChecker(job.schemas, job.extension_of, job.now, fingerprints=job.thorough)
        _checkers[job.token] = (checker, list(job.schemas.keys))
    return _checkers[job.token]


def _record(raw: bytes | None, line: int, job: RecordsJob, report: PackageReport) -> dict[str, Any] | None:
    name = job.jsonl_name
    if raw is None:
        report.add(
            name, rules.JSONL_SYNTAX, f"line {line} is longer than {spans.MAX_LINE_BYTES} bytes: not read", line=line
        )
        return None
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        report.add(name, rules.JSONL_SYNTAX, f"line {line} is not JSON: {error}", line=line)
        return None
    if not isinstance(record, dict):
        report.add(name, rules.JSONL_SYNTAX, f"line {line} is not a JSON object", line=line)
        return None
    return record


class IdLines:
    """The line of every record's id, for the uniqueness check, in 16 bytes a record: an id of 16
    hex digits (every id newspkg writes) is kept as a 64-bit number, a fraction of what a dict
    takes. Other ids (a broken package) are kept as they are."""

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

    def add_all(self, rids: list[str], lines: list[int]) -> None:
        """:meth:`add` of every id and its line; a span's ids of 16 hex digits (all, in a package
        newspkg wrote) are read as one array."""
        joined = "".join(rids)
        if not rids or set(map(len, rids)) != {ID_LENGTH} or not HEX_ID.fullmatch(joined):
            for rid, line in zip(rids, lines, strict=True):
                self.add(rid, line)
            return
        digits = HEX_VALUES[np.frombuffer(joined.encode("ascii"), dtype=np.uint8)].reshape(-1, ID_LENGTH)
        self._numbers.frombytes((digits << HEX_SHIFTS).sum(axis=1, dtype=np.uint64).tobytes())
        self._lines.extend(lines)

    def repeats(self) -> Iterator[tuple[str, int, int]]:
        """(id, line, first line of that id) for every record whose id an earlier line has, by
        line. The repeats of numeric ids stay numpy arrays (24 bytes each) until yielded: a file
        holding its lines twice has as many repeats as records."""
        others = sorted(
            ((rid, line, lines[0]) for rid, lines in self._others.items() for line in lines[1:]),
            key=lambda repeat: repeat[1],
        )
        return heapq.merge(others, self._numeric_repeats(), key=lambda repeat: repeat[1])

    def _numeric_repeats(self) -> Iterator[tuple[str, int, int]]:
        if not self._numbers:
            return
        numbers = np.frombuffer(self._numbers, dtype=np.uint64)
        lines = np.frombuffer(self._lines, dtype=np.uint64)
        order = np.lexsort((lines, numbers))  # by id, then line
        numbers, lines = numbers[order], lines[order]
        starts = np.flatnonzero(np.r_[True, numbers[1:] != numbers[:-1]])  # where each id's run begins
        first = np.repeat(lines[starts], np.diff(np.r_[starts, len(numbers)]))
        repeated = np.flatnonzero(lines != first)
        repeated = repeated[np.argsort(lines[repeated], kind="stable")]  # by line
        found = numbers[repeated], lines[repeated], first[repeated]
        del numbers, lines, order, starts, first, repeated  # only the repeats stay while they are read
        for start in range(0, len(found[0]), REPEATS_AT_A_TIME):
            chunk = (column[start : start + REPEATS_AT_A_TIME].tolist() for column in found)
            for number, line, first_line in zip(*chunk, strict=True):
                yield f"{number:016x}", line, first_line
