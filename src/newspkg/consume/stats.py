"""A picture of a package's corpus in figures: what ``newspkg stats`` prints and ``newspkg report`` draws.

:func:`corpus_stats` reads the package's JSONL one line at a time (memory grows with the number of
sources, months and distinct publishers, never with the records) and returns one plain dict, the
contract the report page renders from (:data:`STATS_VERSION` changes when its shape does):

- ``records``, and ``unreadable_lines`` (not JSON objects, or longer than
  :data:`~newspkg.consume.spans.MAX_LINE_BYTES`: counted, not read);
- ``verify``: the package's verify status (:func:`verify_status`, ``newspkg verify``'s check), or
  ``{"ran": false}``;
- ``per_source`` records, and ``per_month`` of each source: the month is the date as the record
  writes ``published_at``, in its own offset (a 2022-02-28T23:30:00-05:00 article is February's,
  though it is March in UTC);
- ``text_length``: characters (code points) of ``text``: nearest-rank quantiles and a histogram of
  the fixed bins :data:`LENGTH_BINS`, the same for every package so that two can be compared;
- ``completeness``: how many records leave each field empty (null, ``""``, ``[]``, ``{}`` or
  missing), for every top-level field of the package's record schema, then any other field the
  records have;
- ``build_report``: rejects by rule, duplicates and filtered items from the build's report
  (build/report.json, or the resource named ``build-report``), or why there is none. Its lists
  are read when the report is at most :data:`REPORT_LISTS_MAX_BYTES` and holds at most
  :data:`REPORT_MAX_VALUES` JSON values; otherwise only its counts;
- ``original_publishers``: the :data:`TOP_PUBLISHERS` most frequent ``original_publisher`` values.

Nothing here prints; :func:`text_lines` turns the figures into the lines ``newspkg stats`` shows.
Paths named by the descriptor are read only when ``verify`` would read them (relative, inside the
package, regular files); nothing is fetched.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from newspkg import package, report
from newspkg.consume import near_figures
from newspkg.consume.check import check_package
from newspkg.consume.descriptor import (
    MAX_JSON_BYTES,
    json_values,
    load_descriptor,
    parse_json,
    readable_file,
    resource_named,
)
from newspkg.consume.spans import read_lines
from newspkg.errors import PackageError
from newspkg.issues import Severity
from newspkg.schema import BASE_FILE, shipped_base

STATS_VERSION = 1

LENGTH_BINS = (0, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)  # lower bounds
QUANTILES = (("p25", 0.25), ("median", 0.5), ("p75", 0.75), ("p90", 0.9))
TOP_PUBLISHERS = 10
MAX_OTHER_FIELDS = 100  # fields outside the schema that are counted: a hostile package may have millions
FIRST_ERRORS = 5  # verify errors quoted, besides the counts by rule
REPORT_RESOURCE = "build-report"
REPORT_PATH = "build/report.json"
REPORT_LISTS_MAX_BYTES = 64 * 1024 * 1024  # beyond, only the report's counts (before its lists) are read
REPORT_HEAD_BYTES = 1024 * 1024
# JSON values (objects, arrays, members) of a report whose lists are read: at most about 130 bytes
# each once parsed, so about 130 MB; a report newspkg writes has one per 40 bytes or so.
REPORT_MAX_VALUES = 1_000_000
DUPLICATE_EXAMPLES = 10
PROGRESS_BYTES = 8 * 1024 * 1024  # JSONL read between two progress reports

MONTH = re.compile(r"(\d{4}-(?:0[1-9]|1[0-2]))-\d{2}T")
NO_SOURCE = "(no source)"

Progress = Callable[[int, int], None]


def verify_status(descriptor_path: Path, progress: Progress | None = None) -> dict[str, Any]:
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
    return {
        "ran": True,
        "ok": not errors,
        "records": result.records,
        "errors": errors.total(),
        "warnings": result.warnings_by_rule.total(),
        "errors_by_rule": dict(sorted(errors.items())),
        "warnings_by_rule": dict(sorted(result.warnings_by_rule.items())),
        "first_errors": first,
    }


NOT_VERIFIED: dict[str, Any] = {"ran": False}


def corpus_stats(
    descriptor_path: Path, *, verify: Mapping[str, Any] | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """The figures of the package at ``descriptor_path`` (see the module docstring), with ``verify``
    (from :func:`verify_status`; None: not verified). ``progress`` is told the JSONL bytes read, a
    part at a time, and their total.

    :class:`~newspkg.errors.PackageError` when the descriptor or the records cannot be read at all.
    """
    root = descriptor_path.parent
    descriptor = load_descriptor(descriptor_path)
    fields, fields_from = _schema_fields(root, descriptor)
    tally = _Tally(fields)
    tally.read(_jsonl_path(root, descriptor), progress)
    return {
        "stats_version": STATS_VERSION,
        "package": {key: _string(descriptor.get(key)) for key in ("name", "title", "version")},
        "records": tally.records,
        "unreadable_lines": tally.unreadable,
        "verify": dict(verify) if verify is not None else dict(NOT_VERIFIED),
        "per_source": tally.per_source(),
        "per_month": tally.per_month(),
        "text_length": tally.text_length(),
        "completeness": {"fields_from": fields_from, "fields": tally.completeness()},
        "build_report": build_report(root, descriptor),
        "original_publishers": tally.publishers("original_publisher" in fields),
        "near_duplicates": tally.near.figures() if near_figures.FIELD in fields else None,
    }


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _jsonl_path(root: Path, descriptor: dict[str, Any]) -> Path:
    found = resource_named(descriptor, "articles-jsonl")
    if found is None:
        raise PackageError("the descriptor has no resource named 'articles-jsonl': no records to describe")
    path, why = readable_file(root, found.get("path"), "resource path")
    if path is None:
        raise PackageError(f"the records cannot be read: {why}")
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

    def per_month(self) -> dict[str, Any]:
        months = sorted({month for _, month in self.months})
        counts: dict[str, dict[str, int]] = {}
        for (source, month), number in sorted(self.months.items()):
            counts.setdefault(source, {})[month] = number
        return {
            "months": months,
            "by_source": {source: counts.get(source, {}) for source in self.per_source()},
            "undated": {source: self.undated[source] for source in self.per_source() if self.undated[source]},
        }

    def text_length(self) -> dict[str, Any]:
        counted = self.lengths.total()
        figures: dict[str, Any] = {"records": counted, "min": None}
        figures.update(dict.fromkeys((name for name, _ in QUANTILES), None))
        figures.update({"max": None, "mean": None})
        if counted:
            ordered = sorted(self.lengths.items())
            figures["min"], figures["max"] = ordered[0][0], ordered[-1][0]
            for name, share in QUANTILES:
                figures[name] = _nearest_rank(ordered, share, counted)
            figures["mean"] = round(sum(length * n for length, n in ordered) / counted, 1)
        bins = []
        for index, low in enumerate(LENGTH_BINS):
            high = LENGTH_BINS[index + 1] if index + 1 < len(LENGTH_BINS) else None
            number = sum(n for length, n in self.lengths.items() if length >= low and (high is None or length < high))
            bins.append({"at_least": low, "below": high, "count": number})
        figures["histogram"] = bins
        return figures

    def completeness(self) -> list[dict[str, Any]]:
        rows = [(name, True, self.empty[name]) for name in self.fields]
        rows += [(name, False, self.records - self.other_filled[name]) for name in sorted(self.other_fields)]
        return [
            {
                "field": name,
                "in_schema": in_schema,
                "empty": empty,
                "share_empty": round(empty / self.records, 6) if self.records else None,
            }
            for name, in_schema, empty in rows
        ]

    def publishers(self, in_schema: bool) -> dict[str, Any]:
        top = sorted(self.publisher_counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_PUBLISHERS]
        return {
            "field_in_schema": in_schema,
            "records_with": self.publisher_counts.total(),
            "distinct": len(self.publisher_counts),
            "top": [{"name": name, "records": number} for name, number in top],
        }


def _nearest_rank(ordered: list[tuple[int, int]], share: float, counted: int) -> int:
    """The smallest length with at least ``share`` of the records at or below it (nearest rank)."""
    rank = max(1, math.ceil(share * counted))
    seen = 0
    for length, number in ordered:
        seen += number
        if seen >= rank:
            return length
    return ordered[-1][0]


def build_report(root: Path, descriptor: dict[str, Any]) -> dict[str, Any]:
    """Rejects, duplicates and filtered items from the build's report: the resource named
    ``build-report`` if the descriptor lists one, else build/report.json beside the descriptor."""
    named = resource_named(descriptor, REPORT_RESOURCE)
    where = named.get("path") if named else REPORT_PATH
    path, why = readable_file(root, where, "build report path")
    if path is None:
        return {"available": False, "path": str(where), "reason": why}
    figures = _read_report(path)
    if figures is None:
        return {"available": False, "path": str(where), "reason": f"{where} is not a build report newspkg can read"}
    return {"available": True, "path": str(where), **figures}


def _read_report(path: Path) -> dict[str, Any] | None:
    """The report's counts and, when it is not huge, what its lists of rejects and duplicates say."""
    lists_read = path.stat().st_size <= REPORT_LISTS_MAX_BYTES
    with path.open("rb") as file:
        data = file.read(REPORT_LISTS_MAX_BYTES if lists_read else REPORT_HEAD_BYTES)
    if lists_read and json_values(data) > REPORT_MAX_VALUES:
        lists_read, data = False, data[:REPORT_HEAD_BYTES]
    try:
        parsed = parse_json(data if lists_read else _counts_part(data), REPORT_MAX_VALUES)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None

    def number(key: str, within: dict[str, Any] = parsed) -> int:
        value = within.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def counts(key: str) -> dict[str, int]:
        value = parsed.get(key)
        items = value.items() if isinstance(value, dict) else ()
        return {str(k): v for k, v in sorted(items) if isinstance(v, int) and not isinstance(v, bool)}

    sources = parsed.get("per_source")
    per_source = {
        str(name): {key: number(key, counts_of) for key in ("inputs", "accepted", "rejected", "duplicates", "filtered")}
        for name, counts_of in sorted(sources.items() if isinstance(sources, dict) else ())
        if isinstance(counts_of, dict)
    }
    duplicates = parsed.get("duplicates_of") if lists_read else None
    by_reason: Counter[str] = Counter()
    examples: list[dict[str, str | None]] = []
    for duplicate in duplicates if isinstance(duplicates, list) else ():
        if isinstance(duplicate, dict):
            by_reason[str(duplicate.get("reason"))] += 1
            if len(examples) < DUPLICATE_EXAMPLES:
                examples.append(
                    {key: _string(duplicate.get(key)) for key in ("raw_path", "kept_raw_path", "reason", "source")}
                )
    return {
        "lists_read": lists_read,
        "inputs": number("inputs"),
        "accepted": number("accepted"),
        "rejected": number("rejected"),
        "rejected_acknowledged": number("rejected_acknowledged"),
        "rejected_by_rule": dict(sorted(counts("rejected_by_rule").items(), key=lambda item: (-item[1], item[0]))),
        "duplicates": number("duplicates"),
        "duplicates_by_reason": dict(sorted(by_reason.items())),
        "duplicate_examples": examples,
        "filtered": number("filtered"),
        "filtered_by_reason": counts("filtered_by_reason"),
        "per_source": per_source,
    }


def _counts_part(head: bytes) -> bytes:
    """The counts of a report too large to read whole: what comes before its lists (newspkg writes
    the lists last), closed as an object."""
    before, found, _ = head.partition(b',\n  "rejects":')
    return before + b"\n}" if found else b""


# ---- text ----------------------------------------------------------------------------------------

TEXT_MONTHS = 24  # more months than this are shown per year in text (the JSON keeps months)
TEXT_SOURCES = 6  # more sources than this: the month table shows totals, the source table the rest


def text_lines(figures: Mapping[str, Any]) -> Iterator[str]:
    """The figures as ``newspkg stats`` shows them: short sections of small tables."""
    described = figures["package"]
    name = " ".join(part for part in (described["name"] or described["title"], described["version"]) if part)
    yield f"newspkg stats: {name or 'package'}: {report.count(figures['records'], 'record')}"
    if figures["unreadable_lines"]:
        yield f"  {report.count(figures['unreadable_lines'], 'line')} not read (not a JSON object, or too long)"
    yield from _verify_lines(figures["verify"])
    yield from _month_lines(figures)
    yield from _length_lines(figures["text_length"])
    yield from _completeness_lines(figures)
    yield from _build_lines(figures["build_report"])
    yield from _publisher_lines(figures["original_publishers"])
    yield from near_figures.text_lines(figures.get("near_duplicates"))


def _verify_lines(verify: Mapping[str, Any]) -> Iterator[str]:
    if not verify["ran"]:
        yield "verify: not run"
        return
    counts = f"{report.count(verify['errors'], 'error')}, {report.count(verify['warnings'], 'warning')}"
    yield f"verify: {'OK' if verify['ok'] else 'FAILED'} ({counts})"
    for kind in ("errors_by_rule", "warnings_by_rule"):
        if verify[kind]:
            yield f"  {kind.replace('_', ' ')}: " + ", ".join(f"{r} {n:,}" for r, n in verify[kind].items())
    for line in verify["first_errors"]:
        yield f"  {line}"


def _month_lines(figures: Mapping[str, Any]) -> Iterator[str]:
    per_month = figures["per_month"]
    sources = list(figures["per_source"])
    yield ""
    if not figures["records"]:
        yield "records per month: no records"
        return
    by_year = len(per_month["months"]) > TEXT_MONTHS
    key_of: Callable[[str], str] = (lambda month: month[:4]) if by_year else (lambda month: month)
    periods = sorted({key_of(month) for month in per_month["months"]})
    shown = sources if len(sources) <= TEXT_SOURCES else []
    table: dict[str, Counter[str]] = {period: Counter() for period in periods}
    for source, months in per_month["by_source"].items():
        for month, number in months.items():
            table[key_of(month)][source] += number
    yield f"records per {'year' if by_year else 'month'} (published_at's local date)" + (
        "" if shown else f", all {len(sources)} sources"
    )
    rows = [[period, *(f"{table[period][s]:,}" for s in shown), f"{table[period].total():,}"] for period in periods]
    undated = per_month["undated"]
    if undated:
        rows.append(["no date", *(f"{undated.get(s, 0):,}" for s in shown), f"{sum(undated.values()):,}"])
    yield from _indented(report.table(["year" if by_year else "month", *shown, "total"], rows))
    if not shown:
        yield "records per source"
        yield from _indented(
            report.table(["source", "records"], [[s, f"{n:,}"] for s, n in figures["per_source"].items()])
        )


def _length_lines(length: Mapping[str, Any]) -> Iterator[str]:
    yield ""
    if not length["records"]:
        yield "text length: no records"
        return
    names = ["min", *(name for name, _ in QUANTILES), "max"]
    yield "text length (characters): " + ", ".join(f"{n} {length[n]:,}" for n in names) + f", mean {length['mean']:,}"
    bins = length["histogram"]
    filled = [i for i, b in enumerate(bins) if b["count"]]
    rows = [[length_label(b["at_least"], b["below"]), f"{b['count']:,}"] for b in bins[filled[0] : filled[-1] + 1]]
    yield from _indented(report.table(["characters", "records"], rows))


def length_label(low: int, high: int | None) -> str:
    """A histogram bin in words: ``1,000–1,999``, ``≥ 100,000``."""
    return f"≥ {low:,}" if high is None else f"{low:,}–{high - 1:,}"


def _completeness_lines(figures: Mapping[str, Any]) -> Iterator[str]:
    yield ""
    fields = figures["completeness"]["fields"]
    records = figures["records"]
    if not records:
        yield "empty fields: no records"
        return
    yield f'empty fields (null, "", [], {{}} or missing) of {report.count(records, "record")}'
    rows = [
        [
            row["field"] + ("" if row["in_schema"] else " (not in the schema)"),
            f"{row['empty']:,}",
            "–" if row["share_empty"] is None else f"{100 * row['share_empty']:.1f} %",
        ]
        for row in fields
    ]
    yield from _indented(report.table(["field", "empty", "share"], rows))


def _build_lines(build: Mapping[str, Any]) -> Iterator[str]:
    yield ""
    if not build["available"]:
        yield f"build report: none ({build['reason']})"
        return
    yield (
        f"build report ({build['path']}): {report.count(build['inputs'], 'input')}, {build['accepted']:,} accepted, "
        f"{build['rejected']:,} rejected ({build['rejected_acknowledged']:,} acknowledged), "
        f"{build['duplicates']:,} duplicates, {build['filtered']:,} filtered"
    )
    for key, label in (
        ("rejected_by_rule", "rejected by rule"),
        ("duplicates_by_reason", "duplicates by reason"),
        ("filtered_by_reason", "filtered by reason"),
    ):
        if build[key]:
            yield f"  {label}: " + ", ".join(f"{k} {n:,}" for k, n in build[key].items())


def _publisher_lines(publishers: Mapping[str, Any]) -> Iterator[str]:
    yield ""
    if not publishers["records_with"]:
        missing = "" if publishers["field_in_schema"] else " (the schema has no such field)"
        yield f"original publishers: none named{missing}"
        return
    yield (
        f"top original publishers ({report.count(publishers['records_with'], 'record')} name one, "
        f"{publishers['distinct']:,} distinct)"
    )
    # Names last: report.table pads by code points, and publishers' names are often wide (CJK) characters.
    width = max(len("records"), *(len(f"{entry['records']:,}") for entry in publishers["top"]))
    yield f"  {'records':>{width}}  original publisher"
    for entry in publishers["top"]:
        yield f"  {entry['records']:>{width},}  {entry['name']}"


def _indented(lines: Iterator[str]) -> Iterator[str]:
    for line in lines:
        yield "  " + line
