"""The build's report (``build/report.json``, or the resource named ``build-report``) as figures:
rejects by rule, duplicates, filtered items, what each source's files became.

The report is read as a stream of JSON events (ijson), never whole: memory holds its counts and a few
duplicates, whatever the size of its lists. Its lists are read when the file is at most
:data:`REPORT_LISTS_MAX_BYTES` and holds at most :data:`REPORT_MAX_VALUES` JSON values; otherwise only
its counts are. Counts with more than :data:`MAX_COUNT_ENTRIES` entries, or values nested deeper than
:data:`~newspkg.consume.descriptor.MAX_JSON_DEPTH`, make it a report newspkg cannot read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from newspkg import resources
from newspkg.consume.descriptor import MAX_JSON_DEPTH, json_values, readable_file, resource_named
from newspkg.consume.figures import BuildReport, SourceOutcomes

REPORT_LISTS_MAX_BYTES = 64 * 1024 * 1024  # beyond, only the report's counts are read
REPORT_MAX_VALUES = 1_000_000  # JSON values (objects, arrays, scalars) of a report whose lists are read
MAX_COUNT_ENTRIES = 10_000  # entries of one count (by rule, by source): a build has a few dozen
DUPLICATE_EXAMPLES = 10
READ_BLOCK = 1024 * 1024
NUMBERS = ("inputs", "accepted", "rejected", "rejected_acknowledged", "duplicates", "filtered")
COUNTS = ("rejected_by_rule", "filtered_by_reason", "per_source")
DUPLICATES = "duplicates_of"
EXAMPLE_KEYS = ("raw_path", "kept_raw_path", "reason", "source")


class _Unreadable(Exception):
    """Not a build report within the bounds."""


def build_report(root: Path, descriptor: dict[str, Any]) -> BuildReport:
    """The report the descriptor lists as ``build-report``, else build/report.json beside it."""
    named = resource_named(descriptor, resources.BUILD_REPORT.name)
    where = str(named.get("path") if named else resources.BUILD_REPORT.path)
    path, why = readable_file(root, where, "build report path")
    if path is None:
        return BuildReport(available=False, path=where, reason=why)
    try:
        return _read(path, where)
    except (_Unreadable, ijson.JSONError, UnicodeDecodeError, OSError, StopIteration):
        return BuildReport(available=False, path=where, reason=f"{where} is not a build report newspkg can read")


def _read(path: Path, where: str) -> BuildReport:
    with path.open("rb") as file:
        reader = _Reader(lists_wanted=_lists_within_bounds(file))
        file.seek(0)
        reader.read(ijson.basic_parse(file, use_float=True))
    top = reader.values
    by_rule = _counts(top.get("rejected_by_rule"))
    sources = top.get("per_source")
    per_source = {
        str(name): SourceOutcomes(**{key: _number(counts, key) for key in SourceOutcomes.__dataclass_fields__})
        for name, counts in sorted(sources.items() if isinstance(sources, dict) else ())
        if isinstance(counts, dict)
    }
    lists = reader.lists_read
    return BuildReport(
        available=True,
        path=where,
        lists_read=lists,
        inputs=_number(top, "inputs"),
        accepted=_number(top, "accepted"),
        rejected=_number(top, "rejected"),
        rejected_acknowledged=_number(top, "rejected_acknowledged"),
        duplicates=_number(top, "duplicates"),
        filtered=_number(top, "filtered"),
        rejected_by_rule=dict(sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))),
        duplicates_by_reason=dict(sorted(reader.duplicate_reasons.items())) if lists else {},
        duplicate_examples=reader.examples if lists else [],
        filtered_by_reason=_counts(top.get("filtered_by_reason")),
        per_source=per_source,
    )


def _lists_within_bounds(file: BinaryIO) -> bool:
    """Whether the report is small enough for its lists to be read: at most
    :data:`REPORT_LISTS_MAX_BYTES`, and at most :data:`REPORT_MAX_VALUES` JSON values by
    :func:`~newspkg.consume.descriptor.json_values` (counted in C, a block at a time: far cheaper
    than walking the values one event at a time only to give up)."""
    values = size = 0
    while block := file.read(READ_BLOCK):
        size += len(block)
        values += json_values(block)
        if size > REPORT_LISTS_MAX_BYTES or values > REPORT_MAX_VALUES:
            return False
    return True


def _number(values: dict[str, Any], key: str) -> int:
    value = values.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _counts(value: Any) -> dict[str, int]:
    items = value.items() if isinstance(value, dict) else ()
    return {str(k): v for k, v in sorted(items) if isinstance(v, int) and not isinstance(v, bool)}


class _Reader:
    """Walks the report's events once: keeps the top level's numbers and counts, tallies the
    duplicates list, skips everything else."""

    def __init__(self, *, lists_wanted: bool) -> None:
        self.values: dict[str, Any] = {}
        self.lists_read = lists_wanted
        self.duplicate_reasons: Counter[str] = Counter()
        self.examples: list[dict[str, str | None]] = []
        self._seen = 0

    def read(self, events: Iterator[tuple[str, Any]]) -> None:
        event, _ = next(events)
        if event != "start_map":
            raise _Unreadable
        for event, key in events:
            if event == "end_map":
                return
            kind, value = next(events)
            if key in NUMBERS and kind == "number":
                self.values[key] = value
            elif key in COUNTS and kind == "start_map":
                self.values[key] = _build_map(events, 1)
            elif key == DUPLICATES and kind == "start_array" and self.lists_read:
                if not self._duplicates(events):  # over the budget midway: the rest is not wanted
                    if self._have_counts():
                        return
                    self._skip(events)
            elif kind in ("start_map", "start_array"):
                self._skip(events)
            if self.lists_read and not self._within_budget():
                self.lists_read = False
            if not self.lists_read and self._have_counts():
                return  # the counts are all here: the lists (newspkg writes them last) are not wanted

    def _within_budget(self) -> bool:
        return self._seen <= REPORT_MAX_VALUES

    def _have_counts(self) -> bool:
        return self.values.keys() >= {*NUMBERS, *COUNTS}

    def _duplicates(self, events: Iterator[tuple[str, Any]]) -> bool:
        """Tally the duplicates list just opened; False when it holds more values than the budget
        (the list is then left unread from there on, and reported unread)."""
        for event, _ in events:
            self._seen += 1
            if event == "end_array":
                return True
            if event == "start_array":
                self._skip(events)
            if event != "start_map":
                continue
            duplicate = _build_map(events, 2)
            self._seen += len(duplicate)
            if not self._within_budget():
                self.lists_read = False
                return False
            self.duplicate_reasons[str(duplicate.get("reason"))] += 1
            if len(self.examples) < DUPLICATE_EXAMPLES:
                self.examples.append({key: _text(duplicate.get(key)) for key in EXAMPLE_KEYS})
        return True

    def _skip(self, events: Iterator[tuple[str, Any]], depth: int = 1) -> None:
        """Past the value just opened (``depth`` containers are open), counting its values."""
        for event, _ in events:
            self._seen += 1
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > MAX_JSON_DEPTH:
                    raise _Unreadable
            elif event in ("end_map", "end_array"):
                depth -= 1
                if depth == 0:
                    return


def _build_map(events: Iterator[tuple[str, Any]], depth: int) -> dict[str, Any]:
    """The object just opened, as a dict of at most :data:`MAX_COUNT_ENTRIES` entries."""
    built: dict[str, Any] = {}
    for event, key in events:
        if event == "end_map":
            return built
        if len(built) >= MAX_COUNT_ENTRIES or depth > MAX_JSON_DEPTH:
            raise _Unreadable
        kind, value = next(events)
        if kind == "start_map":
            built[key] = _build_map(events, depth + 1)
        elif kind == "start_array":
            _skip_array(events, depth + 1)
        else:
            built[key] = value
    raise _Unreadable


def _skip_array(events: Iterator[tuple[str, Any]], depth: int) -> None:
    opened = 1
    for event, _ in events:
        if event in ("start_map", "start_array"):
            opened += 1
            if depth + opened > MAX_JSON_DEPTH:
                raise _Unreadable
        elif event in ("end_map", "end_array"):
            opened -= 1
            if opened == 0:
                return


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
