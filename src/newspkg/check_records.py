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
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import accumulate
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from newspkg.codec import lines_to_table
from newspkg.issues import MAX_KEPT_WARNINGS, Issue, Severity
from newspkg.records import ID_LENGTH, id_of
from newspkg.schema import SchemaSet
from newspkg.spilled import SpilledList
from newspkg.validate import RecordChecker

BATCH_ROWS = 1024  # lines parsed and compared with their Parquet rows at a time
SPAN_LINES = 8192  # lines in a span when no Parquet row group says where to cut
MAX_SPAN_LINES = 65536  # a span never holds more: a foreign Parquet file may have a giant row group
MAX_LINE_BYTES = 64 * 1024 * 1024  # one JSONL record
READ_BLOCK = 4 * 1024 * 1024
SPANS_IN_FLIGHT_PER_WORKER = 2  # keeps workers busy; a span's results are small
HEX_ID = re.compile(r"[0-9a-f]+")
REPEATS_AT_A_TIME = 65536  # repeated ids turned into Python objects at once
HEX_VALUES = np.zeros(256, dtype=np.uint64)  # a hex digit's ASCII code → its value
HEX_VALUES[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint64)
HEX_SHIFTS = np.arange(4 * (ID_LENGTH - 1), -1, -4, dtype=np.uint64)  # the first digit is the highest
MAX_HELD_ISSUES = 10_000  # a report's issues beyond these wait on disk


class IssueList:
    """Issues in the order they came: the first :data:`MAX_HELD_ISSUES` in memory (where the few
    about the package itself may still be put in front), the rest in a :class:`SpilledList`. A
    package whose every record breaks a rule has millions of errors: held, they outgrew the rest
    of a validation's memory. Pickled (a span's issues, bounded by its size) as a plain list."""

    def __init__(self, issues: Iterable[Issue] = ()) -> None:
        self._held: list[Issue] = []
        self._spilled: SpilledList[Issue] = SpilledList(Issue.to_dict, Issue.from_dict)
        for issue in issues:
            self.append(issue)

    def append(self, issue: Issue) -> None:
        if len(self._held) < MAX_HELD_ISSUES and not self._spilled:
            self._held.append(issue)
        else:
            self._spilled.append(issue)

    def insert(self, position: int, issues: Iterable[Issue]) -> None:
        """Put ``issues`` before the one at ``position``, which must be among the first held."""
        if position > len(self._held):
            raise IndexError(f"issues can only be inserted among the first {len(self._held)}")
        self._held[position:position] = issues

    def __iter__(self) -> Iterator[Issue]:
        yield from self._held
        yield from self._spilled

    def __len__(self) -> int:
        return len(self._held) + len(self._spilled)

    def __reduce__(self) -> tuple[type[IssueList], tuple[list[Issue]]]:
        return IssueList, (list(self),)


@dataclass
class PackageReport:
    issues: IssueList = field(default_factory=IssueList)  # every error; warnings up to MAX_KEPT_WARNINGS
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


@dataclass(frozen=True)
class Span:
    """Whole lines of the JSONL file: the unit of work."""

    first_line: int
    offset: int  # in bytes
    size: int  # in bytes
    lines: int


@dataclass
class CheckedSpan:
    report: PackageReport  # the span's record issues in line order, and its count of records
    lines: list[int]  # the line of every well-formed record
    ids: list[str]  # and its id
    compared: list[Issue] = field(default_factory=list)  # where its records and their Parquet rows differ
    damage: str | None = None  # why its Parquet rows could not be read

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
    for span, checked in _checked_spans(job, _spans(job.jsonl_path, _cuts(row_groups or [])), workers):
        if malformed and job.parquet_path is not None:  # the span's rows begin earlier than its worker assumed
            checked.compared, checked.damage = compare_span(
                job, job.parquet_path, span, span.first_line - 1 - malformed, checked.lines
            )
        report.merge(checked.in_line_order())
        if checked.damage and not damaged:  # once: every span after the damage may say the same
            report.add(job.parquet_name, "parquet:unreadable", f"{job.parquet_name} is damaged: {checked.damage}")
            damaged = True
        ids.add_all(checked.ids, checked.lines)
        records += len(checked.lines)
        malformed += span.lines - len(checked.lines)
        if progress:
            progress(span.size, total)
    if row_groups is not None and sum(row_groups) > records:
        report.add(job.parquet_name, "parquet:rows", "the Parquet file has more rows than the JSONL file has records")
    for rid, line, first in ids.repeats():
        report.add(job.jsonl_name, "unique-id", f"id {rid} is also on line {first}", rid, "/id", line)


def _row_groups(job: RecordsJob, report: PackageReport) -> list[int] | None:
    """The number of rows of each Parquet row group; None (and why, in the report) when there is
    nothing to compare with."""
    if job.parquet_path is None:
        return None
    name = job.parquet_name
    try:
        metadata = pq.ParquetFile(job.parquet_path).metadata
    except (pa.ArrowException, OSError) as error:
        report.add(name, "parquet:unreadable", f"{name} cannot be read as Parquet: {error}")
        return None
    if not metadata.schema.to_arrow_schema().equals(job.schemas.arrow_schema()):
        report.add(name, "parquet:schema", f"{name} does not have the Arrow schema derived from the record schema")
        return None
    return [metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)]


def _cuts(row_groups: list[int]) -> Iterator[int]:
    """How many lines each span holds: whole row groups, joined until a span has SPAN_LINES (a
    span's fixed costs then stay small next to its work) and cut at MAX_SPAN_LINES; then SPAN_LINES
    for lines beyond the last row."""
    pending = 0
    for rows in row_groups:
        if pending + rows > MAX_SPAN_LINES and pending:
            yield pending
            pending = 0
        pending += rows
        while pending > MAX_SPAN_LINES:
            yield MAX_SPAN_LINES
            pending -= MAX_SPAN_LINES
        if pending >= SPAN_LINES:
            yield pending
            pending = 0
    if pending:
        yield pending
    while True:
        yield SPAN_LINES


def _spans(path: Path, cuts: Iterator[int]) -> Iterator[Span]:
    """The file cut into spans of ``next(cuts)`` lines each (the last may hold fewer), found from
    where lines end, block by block: nothing here parses or keeps a line."""
    first, start, offset, counted = 1, 0, 0, 0  # counted: lines of the open span before this block
    wanted = next(cuts)
    last = b""
    with path.open("rb", buffering=0) as file:
        while block := file.read(READ_BLOCK):
            ends = _line_ends(block)
            taken = 0  # of these lines, those already in a span
            while counted + len(ends) - taken >= wanted:
                taken += wanted - counted
                position = ends[taken - 1]
                yield Span(first, start, offset + position - start, wanted)
                first, start, counted = first + wanted, offset + position, 0
                wanted = next(cuts)
            counted += len(ends) - taken
            offset += len(block)
            last = block[-1:]
    if offset > start:
        yield Span(first, start, offset - start, counted + (last != b"\n"))


def _line_ends(block: bytes) -> list[int]:
    """The offset just past every newline in ``block``. ``find`` runs at memchr's speed, where
    ``bytes.count`` of one byte has no fast path: counting newlines, twice per block as this did
    before, was the main process's largest cost beside the workers."""
    ends = []
    position = block.find(b"\n")
    while position != -1:
        ends.append(position + 1)
        position = block.find(b"\n", position + 1)
    return ends


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
    rows = _RowComparison(job, job.parquet_path, span.first_line - 1, span.lines) if job.parquet_path else None
    for first, raws in _span_batches(job, span):
        lines = _check_lines(job, first, raws, checked)
        if rows is not None:
            rows.compare(lines, [raws[line - first] or b"" for line in lines])
    if rows is not None:
        checked.compared, checked.damage = list(rows.report.issues), rows.damage
    return checked


def _span_batches(job: RecordsJob, span: Span) -> Iterator[tuple[int, list[bytes | None]]]:
    with job.jsonl_path.open("rb", buffering=0) as file:
        file.seek(span.offset)
        yield from _batches(_lines(_Window(file, span.size)), span.first_line)


def _check_lines(job: RecordsJob, first_line: int, raws: list[bytes | None], checked: CheckedSpan) -> list[int]:
    """Parse and check a batch of lines into ``checked``; the lines that held a record."""
    checker, keys = _checker(job)
    name = job.jsonl_name
    report = checked.report
    records, well_formed = [], []
    for line, raw in enumerate(raws, start=first_line):
        record = _record(raw, line, job, report)
        if record is not None:
            records.append(record)
            well_formed.append(line)
    for record, line, issues in zip(records, well_formed, checker.check_each(records, name, well_formed), strict=True):
        rid = id_of(record)
        if list(record) != keys:
            report.add(name, "record:keys", "keys are not the schema's fields in schema order", rid, "", line)
        report.extend(issues)
        checked.ids.append(rid)
    report.records += len(records)
    checked.lines += well_formed
    return well_formed


def _checker(job: RecordsJob) -> tuple[RecordChecker, list[str]]:
    """The job's checker, made once per process (compiling the schemas is not free)."""
    if job.token not in _checkers:
        _checkers.clear()  # a process serves one package at a time
        checker = RecordChecker(job.schemas, job.extension_of, job.now, fingerprints=job.thorough)
        _checkers[job.token] = (checker, list(job.schemas.keys))
    return _checkers[job.token]


def _batches(lines: Iterator[bytes | None], first_line: int) -> Iterator[tuple[int, list[bytes | None]]]:
    """BATCH_ROWS lines at a time, with the number of the first."""
    batch: list[bytes | None] = []
    for raw in lines:
        batch.append(raw)
        if len(batch) == BATCH_ROWS:
            yield first_line, batch
            first_line, batch = first_line + BATCH_ROWS, []
    if batch:
        yield first_line, batch


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


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class _Window:
    """The next ``size`` bytes of a file, as a file to read."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self._file, self._left = file, size

    def read(self, size: int) -> bytes:
        data = self._file.read(min(size, self._left))
        self._left -= len(data)
        return data


def _lines(file: Readable) -> Iterator[bytes | None]:
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


# -- JSONL against Parquet -----------------------------------------------------------------------


def compare_span(
    job: RecordsJob, parquet_path: Path, span: Span, first_row: int, records: list[int]
) -> tuple[list[Issue], str | None]:
    """The span's well-formed lines (``records``) against the Parquet rows from ``first_row`` on: the
    differences, and why the rows could not be read."""
    rows = _RowComparison(job, parquet_path, first_row, len(records))
    well_formed = set(records)
    for first, raws in _span_batches(job, span):
        lines = [line for line in range(first, first + len(raws)) if line in well_formed]
        rows.compare(lines, [raws[line - first] or b"" for line in lines])
    return list(rows.report.issues), rows.damage


class _RowComparison:
    """Records against the Parquet rows from ``first_row`` on, a batch at a time, in order. After
    damage (rows that cannot be read) the rest goes uncompared."""

    def __init__(self, job: RecordsJob, parquet_path: Path, first_row: int, count: int) -> None:
        self.report = PackageReport()
        self._rows = _ParquetRows(parquet_path, first_row, count)
        self._schema = job.schemas.arrow_schema()
        self._name = job.parquet_name

    @property
    def damage(self) -> str | None:
        return self._rows.damage

    def compare(self, lines: list[int], raws: list[bytes]) -> None:
        """Well-formed records (their lines and JSONL bytes) against the next ``len(lines)`` rows."""
        if not lines or self.damage:
            return
        batch = self._rows.take(len(lines))
        if not self.damage:
            _compare_batch(lines, raws, batch, self._schema, self._name, self.report)


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


class _ParquetRows:
    """Rows ``[start, start + count)`` of a Parquet file, handed out a batch at a time. Only the row
    groups holding them are read; a span cut at a row group's first row (as spans are, where the
    file's row groups allow) reads nothing it does not use."""

    def __init__(self, path: Path, start: int, count: int) -> None:
        self.damage: str | None = None  # why the rows could not be read
        self._skip = 0
        self._pending: list[pa.RecordBatch] = []
        self._batches: Iterator[pa.RecordBatch] = iter(())
        try:
            parquet = pq.ParquetFile(path, pre_buffer=False)  # with use_threads=False: half the memory, no slower
            sizes = [parquet.metadata.row_group(index).num_rows for index in range(parquet.metadata.num_row_groups)]
            ends = list(accumulate(sizes))
            groups = [index for index, end in enumerate(ends) if end > start and end - sizes[index] < start + count]
            if groups:
                self._skip = start - (ends[groups[0]] - sizes[groups[0]])  # rows of the first group before ours
                self._batches = parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=groups, use_threads=False)
        except (pa.ArrowException, OSError, ValueError) as error:
            self.damage = str(error)
        self._left = count

    def take(self, wanted: int) -> pa.RecordBatch | None:
        """The next ``wanted`` rows, fewer when the file has no more; None when it has none."""
        wanted = min(wanted, self._left)
        have = sum(batch.num_rows for batch in self._pending)
        try:
            while have < wanted and (batch := next(self._batches, None)) is not None:
                batch.validate(full=True)  # damaged UTF-8 or offsets: reported, not a crash later
                if self._skip:
                    skipped = min(self._skip, batch.num_rows)
                    batch, self._skip = batch.slice(skipped), self._skip - skipped
                if batch.num_rows:
                    self._pending.append(batch)
                have += batch.num_rows
        except (pa.ArrowException, OSError, ValueError) as error:
            self.damage = str(error)
            return None
        if not have or not wanted:
            return None
        taken = _first_rows(self._pending, wanted)
        self._left -= taken.num_rows
        return taken


def _first_rows(batches: list[pa.RecordBatch], wanted: int) -> pa.RecordBatch:
    """Remove the first ``wanted`` rows from ``batches`` (or all there are) and return them as one
    batch (no copy when they lie in one batch, as they do in a span cut at a row group's start)."""
    table = pa.Table.from_batches(batches)
    batches[:] = [batch for batch in table.slice(wanted).to_batches() if batch.num_rows]
    return table.slice(0, wanted).combine_chunks().to_batches()[0]


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
