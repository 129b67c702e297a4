"""JSONL records against the Parquet file's rows: the same records in the same order, compared as
Arrow columns, row by row only where they differ."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from newspkg import rules
from newspkg.codec import lines_to_table, local_time_columns
from newspkg.consume.findings import PackageReport
from newspkg.consume.spans import BATCH_ROWS
from newspkg.records import id_of


class RowComparison:
    """Records against the Parquet rows from ``first_row`` on, a batch at a time, in order. After
    damage (rows that cannot be read) the rest goes uncompared."""

    def __init__(self, schema: pa.Schema, parquet_name: str, parquet_path: Path, first_row: int, count: int) -> None:
        self.report = PackageReport()
        self._rows = _ParquetRows(parquet_path, first_row, count)
        self._schema = schema
        self._name = parquet_name

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
                name, rules.PARQUET_ROWS, f"the Parquet file has no row for JSONL line {line}", id_of(record), line=line
            )
        return
    if batch.num_rows == len(lines) and _equal(_as_arrow(raws, schema), batch):
        return
    rows = batch.to_pylist()
    local_times = local_time_columns(schema)
    for index, (line, record) in enumerate(zip(lines, records, strict=True)):
        _compare_row(record, rows[index] if index < len(rows) else None, local_times, name, line, report)


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
    record: dict[str, Any],
    row: dict[str, Any] | None,
    local_times: dict[str, str],
    name: str,
    line: int,
    report: PackageReport,
) -> None:
    rid = id_of(record)
    if row is None:
        report.add(name, rules.PARQUET_ROWS, f"the Parquet file has no row for JSONL line {line}", rid, line=line)
        return
    differ = [key for key, value in record.items() if not _same_value(value, row.get(key))]
    for key in differ:
        report.add(name, rules.PARQUET_MISMATCH, f"{key} differs from JSONL line {line}", rid, f"/{key}", line)
    for key, source in local_times.items():
        if source not in differ and not _same_local_time(record.get(source), row.get(key)):
            message = f"{key} is not the local time {source} states on JSONL line {line}"
            report.add(name, rules.PARQUET_MISMATCH, message, rid, f"/{source}", line)


def _same_local_time(stated: Any, local: Any) -> bool:
    if stated is None or local is None:
        return stated is local
    try:
        return isinstance(stated, str) and datetime.fromisoformat(stated).replace(tzinfo=None) == local
    except ValueError:
        return False


def _same_value(jsonl_value: Any, parquet_value: Any) -> bool:
    if isinstance(parquet_value, datetime) and isinstance(jsonl_value, str):
        try:
            return datetime.fromisoformat(jsonl_value) == parquet_value
        except ValueError:
            return False
    return bool(jsonl_value == parquet_value)
