"""A picture of a package's corpus in figures: what ``newspkg stats`` prints and ``newspkg report`` draws.

:func:`corpus_stats` reads the package's JSONL one line at a time (memory grows with the number of
sources, months and distinct publishers, never with the records) and returns one
:class:`~newspkg.consume.figures.Figures`, computed once; renderers only render it:

- ``records``, and ``unreadable_lines`` (not JSON objects, or longer than
  :data:`~newspkg.consume.spans.MAX_LINE_BYTES`: counted, not read);
- ``missing``: the resources the package lacks, or whose files cannot be read, in words;
- ``verify``: the package's verify status (:func:`verify_status`, ``newspkg verify``'s check);
- ``per_source`` records, and ``per_month`` of each source: the month is the date as the record
  writes ``published_at``, in its own offset (a 2022-02-28T23:30:00-05:00 article is February's,
  though it is March in UTC);
- ``text_length``: characters (code points) of ``text``: nearest-rank quantiles and a histogram of
  the fixed bins :data:`LENGTH_BINS`, the same for every package so that two can be compared;
- ``completeness``: how many records leave each field empty (null, ``""``, ``[]``, ``{}`` or
  missing), for every top-level field of the package's record schema, then any other field the
  records have;
- ``build_report``: rejects by rule, duplicates and filtered items from the build's report
  (:mod:`~newspkg.consume.build_report`), or why there is none;
- ``original_publishers``: the :data:`TOP_PUBLISHERS` most frequent ``original_publisher`` values.

Paths named by the descriptor are read only when ``verify`` would read them (relative, inside the
package, regular files); nothing is fetched.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from newspkg import package, resources
from newspkg.consume import near_figures
from newspkg.consume.build_report import build_report
from newspkg.consume.check import check_package
from newspkg.consume.descriptor import (
    MAX_JSON_BYTES,
    load_descriptor,
    parse_json,
    path_problem,
    readable_file,
    resource_named,
    resources_of,
)
from newspkg.consume.figures import (
    NOT_VERIFIED,
    Completeness,
    Described,
    FieldEmptiness,
    Figures,
    LengthBin,
    PerMonth,
    Publisher,
    Publishers,
    TextLength,
    VerifyStatus,
)
from newspkg.consume.spans import read_lines
from newspkg.errors import PackageError
from newspkg.issues import Severity
from newspkg.schema import BASE_FILE, shipped_base

LENGTH_BINS = (0, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)  # lower bounds
QUANTILES = (("p25", 0.25), ("median", 0.5), ("p75", 0.75), ("p90", 0.9))
TOP_PUBLISHERS = 10
MAX_OTHER_FIELDS = 100  # fields outside the schema that are counted: a hostile package may have millions
MAX_MISSING = 20  # missing resources named; a hostile descriptor may list thousands
FIRST_ERRORS = 5  # verify errors quoted, besides the counts by rule
PROGRESS_BYTES = 8 * 1024 * 1024  # JSONL read between two progress reports

MONTH = re.compile(r"(\d{4}-(?:0[1-9]|1[0-2]))-\d{2}T")
NO_SOURCE = "(no source)"

Progress = Callable[[int, int], None]


def verify_status(descriptor_path: Path, progress: Progress | None = None) -> VerifyStatus:
    """``newspkg verify``'s check (strict; nothing fetched or modified) as figures: ok, how many errors
    and warnings, each by rule, and the first :data:`FIRST_ERRORS` errors in words."""
    result = check_package(descriptor_path, strict=True, progress=progress)
    errors: Counter[str] = Counter()
    first: list[str] = []
    for issue in result.issues:
        if issue.severity is Severity.ERROR:
            errors[issue.rule] += 1
            if len(first) < FIRST_ERRORS:
                where = issue.file + (f":{issue.line}" if issue.line else "")
                first.append(f"{where}: {issue.rule}: {issue.message}")
    return VerifyStatus(
        ran=True,
        ok=not errors,
        records=result.records,
        errors=errors.total(),
        warnings=result.warnings_by_rule.total(),
        errors_by_rule=dict(sorted(errors.items())),
        warnings_by_rule=dict(sorted(result.warnings_by_rule.items())),
        first_errors=first,
    )


def corpus_stats(
    descriptor_path: Path, *, verify: VerifyStatus | None = None, progress: Progress | None = None
) -> Figures:
    """The figures of the package at ``descriptor_path`` (see the module docstring), with ``verify``
    (from :func:`verify_status`; None: not verified). ``progress`` is told the JSONL bytes read, a
    part at a time, and their total. A package without its records gives the figures of none, and
    says so in ``missing``.

    :class:`~newspkg.errors.PackageError` when the descriptor cannot be read at all, or names its
    records at a path that is not safe to read.
    """
    root = descriptor_path.parent
    descriptor = load_descriptor(descriptor_path)
    fields, fields_from = _schema_fields(root, descriptor)
    tally = _Tally(fields)
    jsonl = _jsonl_path(root, descriptor)
    if jsonl is not None:
        tally.read(jsonl, progress)
    return Figures(
        package=Described(*(_string(descriptor.get(key)) for key in ("name", "title", "version"))),
        records=tally.records,
        unreadable_lines=tally.unreadable,
        missing=missing_resources(root, descriptor),
        verify=verify if verify is not None else NOT_VERIFIED,
        per_source=tally.per_source(),
        per_month=tally.per_month(),
        text_length=tally.text_length(),
        completeness=Completeness(fields_from, tally.completeness()),
        build_report=build_report(root, descriptor),
        original_publishers=tally.publishers("original_publisher" in fields),
        near_duplicates=tally.near.figures() if near_figures.FIELD in fields else None,
    )


def missing_resources(root: Path, descriptor: dict[str, Any]) -> list[str]:
    """The article resources the descriptor does not list, then every listed resource whose file is
    not there to read, each in words (at most :data:`MAX_MISSING`)."""
    found = [
        f"resource {resource.name!r} is not in the descriptor"
        for resource in resources.ARTICLES
        if resource_named(descriptor, resource.name) is None
    ]
    for listed in resources_of(descriptor):
        value = listed.get("path")
        if not isinstance(value, str) or path_problem(root, value) is not None:
            continue  # inline data, or a path verify refuses: verify says why
        _, why = readable_file(root, value, "resource path")
        if why:
            found.append(f"resource {listed.get('name')!r}: {why}")
    if len(found) > MAX_MISSING:
        found[MAX_MISSING:] = [f"… and {len(found) - MAX_MISSING:,} more"]
    return found


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _jsonl_path(root: Path, descriptor: dict[str, Any]) -> Path | None:
    """The records' file, or None when the package lacks it (:func:`missing_resources` says so)."""
    found = resource_named(descriptor, resources.JSONL.name)
    if found is None:
        return None
    problem = path_problem(root, found.get("path"))
    if problem is not None:
        raise PackageError(f"the records cannot be read: {problem[1]}")
    path, _ = readable_file(root, found.get("path"), "resource path")
    return path


def _schema_fields(root: Path, descriptor: dict[str, Any]) -> tuple[list[str], str]:
    """Top-level fields of the package's record schema, in its order, and where they came from:
    its path, or newspkg's own schema when the package's cannot be read."""
    shipped = descriptor.get(package.SCHEMAS)
    value = shipped.get("record") if isinstance(shipped, dict) else None
    if value is not None:
        path, _ = readable_file(root, value, "schema path")
        fields = _properties(path.read_bytes()) if path and path.stat().st_size <= MAX_JSON_BYTES else None
        if fields is not None:
            return fields, str(value)
    return _properties(shipped_base()) or [], f"{BASE_FILE} of newspkg (the package's own could not be read)"


def _properties(data: bytes) -> list[str] | None:
    try:
        schema = parse_json(data)
    except ValueError:
        return None
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return [str(name) for name in properties] if isinstance(properties, dict) else None


def is_empty(value: Any) -> bool:
    """Whether a field's value says nothing: null, "", [] or {} (a missing field is None here)."""
    return value is None or (isinstance(value, str | list | dict) and not value)


class _Tally:
    """Counts gathered one record at a time."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        self.records = 0
        self.unreadable = 0
        self.sources: Counter[str] = Counter()
        self.months: Counter[tuple[str, str]] = Counter()
        self.undated: Counter[str] = Counter()
        self.lengths: Counter[int] = Counter()  # distinct lengths are few next to the records
        self.empty: Counter[str] = Counter()
        self.other_filled: Counter[str] = Counter()  # fields outside the schema: records where they have a value
        self.other_fields: set[str] = set()
        self.other_fields_dropped = False
        self.publisher_counts: Counter[str] = Counter()
        self.near = near_figures.NearTally()

    def read(self, path: Path, progress: Progress | None) -> None:
        total = path.stat().st_size
        unreported = reported = 0
        with path.open("rb") as file:
            for line in read_lines(file):
                if line is None:  # longer than MAX_LINE_BYTES: skipped unread
                    self.unreadable += 1
                    continue
                unreported += len(line)
                self.add_line(line)
                if progress is not None and unreported >= PROGRESS_BYTES:
                    progress(unreported, total)
                    reported, unreported = reported + unreported, 0
        if progress is not None and total > reported:
            progress(total - reported, total)

    def add_line(self, line: bytes) -> None:
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            self.unreadable += 1
            return
        self.add(record)

    def add(self, record: dict[str, Any]) -> None:
        self.records += 1
        source = record.get("source")
        source = source if isinstance(source, str) and source else NO_SOURCE
        self.sources[source] += 1
        published = record.get("published_at")
        month = MONTH.match(published) if isinstance(published, str) else None
        if month:
            self.months[source, month.group(1)] += 1
        else:
            self.undated[source] += 1
        text = record.get("text")
        if isinstance(text, str):
            self.lengths[len(text)] += 1
        for name in self.fields:
            if is_empty(record.get(name)):
                self.empty[name] += 1
        if len(record) > len(self.fields) or any(name not in record for name in self.fields):
            self._other_fields(record)
        publisher = record.get("original_publisher")
        if isinstance(publisher, str) and publisher:
            self.publisher_counts[publisher] += 1
        self.near.add(record)

    def _other_fields(self, record: dict[str, Any]) -> None:
        schema_fields = set(self.fields)
        for name, value in record.items():
            if name in schema_fields:
                continue
            if name not in self.other_fields:
                if len(self.other_fields) >= MAX_OTHER_FIELDS:
                    self.other_fields_dropped = True
                    continue
                self.other_fields.add(name)
            if not is_empty(value):
                self.other_filled[name] += 1

    def per_source(self) -> dict[str, int]:
        """Records per source, most first (then by name)."""
        return dict(sorted(self.sources.items(), key=lambda item: (-item[1], item[0])))

    def per_month(self) -> PerMonth:
        months = sorted({month for _, month in self.months})
        counts: dict[str, dict[str, int]] = {}
        for (source, month), number in sorted(self.months.items()):
            counts.setdefault(source, {})[month] = number
        return PerMonth(
            months=months,
            by_source={source: counts.get(source, {}) for source in self.per_source()},
            undated={source: self.undated[source] for source in self.per_source() if self.undated[source]},
        )

    def text_length(self) -> TextLength:
        counted = self.lengths.total()
        quantiles: dict[str, int | None] = dict.fromkeys((name for name, _ in QUANTILES), None)
        low = high = mean = None
        if counted:
            ordered = sorted(self.lengths.items())
            low, high = ordered[0][0], ordered[-1][0]
            quantiles = {name: _nearest_rank(ordered, share, counted) for name, share in QUANTILES}
            mean = round(sum(length * n for length, n in ordered) / counted, 1)
        bins = []
        for index, at_least in enumerate(LENGTH_BINS):
            below = LENGTH_BINS[index + 1] if index + 1 < len(LENGTH_BINS) else None
            number = sum(
                n for length, n in self.lengths.items() if length >= at_least and (below is None or length < below)
            )
            bins.append(LengthBin(at_least, below, number))
        return TextLength(records=counted, min=low, **quantiles, max=high, mean=mean, histogram=bins)

    def completeness(self) -> list[FieldEmptiness]:
        rows = [(name, True, self.empty[name]) for name in self.fields]
        rows += [(name, False, self.records - self.other_filled[name]) for name in sorted(self.other_fields)]
        return [
            FieldEmptiness(name, in_schema, empty, round(empty / self.records, 6) if self.records else None)
            for name, in_schema, empty in rows
        ]

    def publishers(self, in_schema: bool) -> Publishers:
        top = sorted(self.publisher_counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_PUBLISHERS]
        return Publishers(
            field_in_schema=in_schema,
            records_with=self.publisher_counts.total(),
            distinct=len(self.publisher_counts),
            top=[Publisher(name, number) for name, number in top],
        )


def _nearest_rank(ordered: list[tuple[int, int]], share: float, counted: int) -> int:
    """The smallest length with at least ``share`` of the records at or below it (nearest rank)."""
    rank = max(1, math.ceil(share * counted))
    seen = 0
    for length, number in ordered:
        seen += number
        if seen >= rank:
            return length
    return ordered[-1][0]
