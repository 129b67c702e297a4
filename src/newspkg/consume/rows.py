"""JSONL records against the Parquet file's rows: the same records in the same order, compared as
Arrow columns, row by row only where they differ.

A row group is read only when its footer, and its pages' headers, say it is at most
:data:`MAX_GROUP_BYTES` uncompressed (``parquet:too-large`` otherwise, checked before any is
read), and only as long as what it decodes to stays within that: strings are read as
dictionaries, so that a value a dictionary repeats (a few KiB on disk) is measured before it is
decoded once per row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newspkg import rules
from newspkg.codec import lines_to_table, local_time_columns
from newspkg.consume.findings import PackageReport
from newspkg.consume.pages import inflated_bytes
from newspkg.consume.spans import BATCH_ROWS, MAX_LINE_BYTES
from newspkg.records import id_of
from newspkg.rules import Rule
from newspkg.write import MAX_ROW_GROUP_BYTES

# A row group newspkg writes closes once it holds MAX_ROW_GROUP_BYTES of JSON: it is at most that
# and one more record, which a consumer reads only up to MAX_LINE_BYTES. Its Arrow columns take
# less than that JSON (no keys, no escapes), so 72 MiB is well above any group newspkg writes.
MAX_GROUP_BYTES = MAX_ROW_GROUP_BYTES + MAX_LINE_BYTES

Damage = tuple[Rule, str]  # why rows could not be read, and the rule that says so


class RowComparison:
    """Records against the Parquet rows from ``first_row`` on, a batch at a time, in order. After
    damage (rows that cannot be read) the rest goes uncompared."""

    def __init__(self, schema: pa.Schema, parquet_name: str, parquet_path: Path, first_row: int, count: int) -> None:
        self.report = PackageReport()
        self._rows = _ParquetRows(parquet_path, parquet_name, schema, first_row, count)
        self._schema = schema
        self._name = parquet_name

    @property
    def damage(self) -> Damage | None:
        return self._rows.damage

    def compare(self, lines: list[int], raws: list[bytes], converted: pa.Table | None = None) -> None:
        """Well-formed records (their lines and JSONL bytes, and these as :func:`as_arrow` made
        them, if it was called) against the next ``len(lines)`` rows."""
        if not lines or self.damage:
            return
        batch = self._rows.take(len(lines))
        if not self.damage:
            _compare_batch(lines, raws, converted, batch, self._schema, self._name, self.report)


def _compare_batch(
    lines: list[int],
    raws: list[bytes],
    converted: pa.Table | None,
    batch: pa.Table | None,
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
    if batch.num_rows == len(lines) and _equal(converted if converted is not None else as_arrow(raws, schema), batch):
        return
    rows = batch.to_pylist()
    local_times = local_time_columns(schema)
    for index, (line, record) in enumerate(zip(lines, records, strict=True)):
        _compare_row(record, rows[index] if index < len(rows) else None, local_times, name, line, report)


def _equal(converted: pa.Table | None, batch: pa.Table) -> bool:
    return converted is not None and bool(converted.equals(batch))


def as_arrow(lines: list[bytes], schema: pa.Schema) -> pa.Table | None:
    """JSONL lines parsed by Arrow's own (C++) JSON reader into the package's Arrow schema, as the
    build makes its Parquet row groups; None on a difference in types or keys."""
    try:
        return lines_to_table(b"".join(lines), schema, other_keys="error")
    except (pa.ArrowException, ValueError):
        return None  # the row-by-row comparison names the difference


class _TooLarge(Exception):
    """A row group decodes to more than :data:`MAX_GROUP_BYTES`."""


class _ParquetRows:
    """Rows ``[start, start + count)`` of a Parquet file, handed out a batch at a time. Only the row
    groups holding them are read; a span cut at a row group's first row (as spans are, where the
    file's row groups allow) reads nothing it does not use."""

    def __init__(self, path: Path, name: str, schema: pa.Schema, start: int, count: int) -> None:
        self.damage: Damage | None = None
        self._name = name
        self._skip = 0
        self._pending: list[pa.RecordBatch] = []
        self._batches: Iterator[pa.RecordBatch] = iter(())
        try:
            metadata = pq.read_metadata(path)
            columns = metadata.schema
            strings = [
                columns.column(i).path for i in range(len(columns)) if columns.column(i).physical_type == "BYTE_ARRAY"
            ]
            # pre_buffer=False with use_threads=False: half the memory, no slower
            parquet = pq.ParquetFile(path, metadata=metadata, pre_buffer=False, read_dictionary=strings)
            sizes = [metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)]
            ends = list(accumulate(sizes))
            groups = [index for index, end in enumerate(ends) if end > start and end - sizes[index] < start + count]
            if groups:
                self._skip = start - (ends[groups[0]] - sizes[groups[0]])  # rows of the first group before ours
                self._batches = _decoded_batches(parquet, groups, schema)
        except (pa.ArrowException, OSError, ValueError) as error:
            self.damage = rules.PARQUET_UNREADABLE, f"{name} is damaged: {error}"
        self._left = count

    def take(self, wanted: int) -> pa.Table | None:
        """The next ``wanted`` rows, fewer when the file has no more; None when it has none."""
        wanted = min(wanted, self._left)
        have = sum(batch.num_rows for batch in self._pending)
        try:
            while have < wanted and (batch := next(self._batches, None)) is not None:
                if self._skip:
                    skipped = min(self._skip, batch.num_rows)
                    batch, self._skip = batch.slice(skipped), self._skip - skipped
                if batch.num_rows:
                    self._pending.append(batch)
                have += batch.num_rows
        except (pa.ArrowException, OSError, ValueError) as error:
            self.damage = rules.PARQUET_UNREADABLE, f"{self._name} is damaged: {error}"
            return None
        except _TooLarge as error:
            self.damage = rules.PARQUET_TOO_LARGE, f"{self._name}: {error}"
            return None
        if not have or not wanted:
            return None
        taken = _first_rows(self._pending, wanted)
        self._left -= taken.num_rows
        return taken


def too_large(path: Path, metadata: pq.FileMetaData, name: str) -> str | None:
    """Why none of the file's rows are read: the first row group over :data:`MAX_GROUP_BYTES`
    uncompressed, by its footer or else by its pages' headers (what Arrow inflates a page to, which
    a footer may understate); None when there is none. A page header that cannot be read is damage."""
    groups = [metadata.row_group(index) for index in range(metadata.num_row_groups)]
    over = [
        (index, group.total_byte_size) for index, group in enumerate(groups) if group.total_byte_size > MAX_GROUP_BYTES
    ]
    if over:
        (index, size), others = over[0], len(over) - 1
        return (
            f"{name}: row group {index} is {size} bytes uncompressed"
            + (f" (and {others} other row groups)" if others else "")
            + f", over the {MAX_GROUP_BYTES} bytes a consumer reads: its rows are not compared"
        )
    for index in range(metadata.num_row_groups):
        if (inflated := inflated_bytes(path, metadata, index, MAX_GROUP_BYTES)) > MAX_GROUP_BYTES:
            return (
                f"{name}: the pages of row group {index} inflate to more than {MAX_GROUP_BYTES} bytes (at least "
                f"{inflated}; its footer says {groups[index].total_byte_size}): its rows are not compared"
            )
    return None


def _decoded_batches(parquet: pq.ParquetFile, groups: list[int], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The rows of ``groups``, a batch at a time, their strings decoded (``schema``'s types) once
    the group's rows so far are known to decode to at most :data:`MAX_GROUP_BYTES`."""
    for group in groups:
        decoded = 0
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], use_threads=False):
            batch.validate(full=True)  # damaged UTF-8, offsets or indices: reported, not a crash later
            decoded += sum(_decoded_bytes(column) for column in batch.columns)
            if decoded > MAX_GROUP_BYTES:
                raise _TooLarge(f"row group {group} decodes to more than {MAX_GROUP_BYTES} bytes: not read further")
            yield batch.cast(schema)


def _decoded_bytes(array: pa.Array) -> int:
    """What ``array`` takes with its dictionaries decoded: an entry counts each time it is used."""
    if isinstance(array, pa.DictionaryArray):
        used = pc.sum(pc.take(pc.binary_length(array.dictionary), array.indices)).as_py()
        return 4 * len(array) + (used or 0)
    if isinstance(array, pa.ListArray):
        return 4 * len(array) + _decoded_bytes(array.flatten())
    if isinstance(array, pa.StructArray):
        return sum(_decoded_bytes(child) for child in array.flatten())
    return int(array.nbytes)


def _first_rows(batches: list[pa.RecordBatch], wanted: int) -> pa.Table:
    """Remove the first ``wanted`` rows from ``batches`` (or all there are) and return them as a
    table, never copied: rows that straddle two row groups stay in two chunks, which
    :meth:`pyarrow.Table.equals` compares as one (joining them copied every text)."""
    table = pa.Table.from_batches(batches)
    batches[:] = [batch for batch in table.slice(wanted).to_batches() if batch.num_rows]
    return table.slice(0, wanted)


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
