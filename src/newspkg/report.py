"""Render issues and summaries as text, JSON lines or GitHub workflow annotations, to a given stream."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

import wcwidth

from newspkg.issues import Issue, Severity

DEFAULT_MAX_PER_RULE = 10
MEANINGFUL_SECONDS = 2.0  # a throughput over a shorter run says more about start-up than about the work
REASONS = {"new": "new", "changed": "changed", "settings": "adapter, its code, source.toml or schemas changed"}
# What moves the cursor, colours or reorders what a terminal or a CI log shows: C0, DEL, C1, bidi overrides.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# The same characters escaped the JSON way (JSON escapes C0 itself), with the line separators that
# JavaScript reads as line ends: inside strings, the only place they can be, the value is unchanged.
_TERMINAL_DRIVERS = [0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), 0x2028, 0x2029, *range(0x2066, 0x206A)]
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in _TERMINAL_DRIVERS}


def json_text(value: Any, indent: int | None = None) -> str:
    """``json.dumps`` keeping non-ASCII text readable, with what drives a terminal escaped."""
    return json.dumps(value, ensure_ascii=False, indent=indent).translate(_JSON_ESCAPES)


def printable(text: str) -> str:
    """Control characters as escapes (``\\n``, ``\\x1b``): data never starts a line nor drives a terminal."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


def _text(issue: Issue, acknowledged: str | None) -> str:
    where = issue.file + (f":{issue.line}" if issue.line else "")
    record = f" [{issue.record_id}]" if issue.record_id else ""
    pointer = f" {issue.pointer}" if issue.pointer else ""
    note = f" (acknowledged: {acknowledged})" if acknowledged else ""
    return f"{where}{record}: {issue.severity} {issue.rule}{pointer}: {issue.message}{note}"


def _json(issue: Issue, acknowledged: str | None) -> str:
    return json_text({**issue.to_dict(), "acknowledged": acknowledged})


def _github(issue: Issue, acknowledged: str | None) -> str:
    level = "notice" if acknowledged else ("error" if issue.severity is Severity.ERROR else "warning")
    properties = f"file={_escape_property(issue.file)}"
    if issue.line:
        properties += f",line={issue.line}"
    properties += f",title={_escape_property(issue.rule)}"
    message = f"{issue.pointer or issue.file}: {issue.message}"
    if acknowledged:
        message += f" (acknowledged: {acknowledged})"
    return f"::{level} {properties}::{_escape_data(message)}"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


FORMATS: dict[str, Callable[[Issue, str | None], str]] = {"text": _text, "json": _json, "github": _github}


@dataclass(frozen=True)
class Output:
    """Where and how a command reports: the stream, the format, how many issues of one rule are
    shown (0: all; JSON always has all), and whether only the verdict is wanted."""

    stream: TextIO
    fmt: str = "text"
    max_per_rule: int = DEFAULT_MAX_PER_RULE
    quiet: bool = False

    def write(self, text: str) -> None:
        self.stream.write(text)

    def line(self, text: str) -> None:
        """One line, control characters escaped unless it is JSON (which escapes its own)."""
        self.stream.write((text if self.fmt == "json" else printable(text)) + "\n")


def write_issues(issues: Iterable[Issue | tuple[Issue, str | None]], output: Output, more_in: str) -> Counter[Severity]:
    """One line per issue (an issue may come paired with why its file's reject is acknowledged), at
    most ``output.max_per_rule`` of each rule, then how many more there are and where (``more_in``).
    Returns how many issues there were of each severity, shown or not."""
    render = FORMATS[output.fmt]
    counts: Counter[Severity] = Counter()
    shown: Counter[str] = Counter()
    hidden: Counter[str] = Counter()
    capped = output.fmt != "json" and output.max_per_rule > 0
    for item in issues:
        issue, acknowledged = item if isinstance(item, tuple) else (item, None)
        counts[issue.severity] += 1
        if output.quiet:
            continue
        if capped and shown[issue.rule] >= output.max_per_rule:
            hidden[issue.rule] += 1
            continue
        shown[issue.rule] += 1
        output.line(render(issue, acknowledged))
    for rule, count in sorted(hidden.items()):
        output.line(f"… and {count:,} more {rule} ({more_in}; --max-issues 0 shows them all)")
    return counts


def write_build_summary(
    figures: Mapping[str, Any], output: Output, title: str, verdict: str, lists: Mapping[str, Iterable[Any]]
) -> None:
    """A build's or raw validation's closing summary: a JSON line, or a table of what the files
    became per source, the rules that rejected them, what was converted, and the verdict."""
    if output.fmt == "json":
        _write_json_summary({**figures, "verdict": verdict}, output, lists)
        return
    if not output.quiet:
        for line in _build_lines(figures, title):
            output.line(line)
    output.line(verdict)


def write_package_summary(figures: Mapping[str, Any], output: Output, title: str, verdict: str) -> None:
    """A package check's closing summary: a JSON line, or its figures and the verdict."""
    if output.fmt == "json":
        _write_json_summary({**figures, "verdict": verdict}, output, {})
        return
    if not output.quiet:
        output.line(title)
        for key, value in figures.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v:,}" for k, v in value.items()) or "none"
            elif isinstance(value, int):
                value = f"{value:,}"
            output.line(f"  {key.replace('_', ' ')}: {value}")
    output.line(verdict)


def _write_json_summary(summary: Mapping[str, Any], output: Output, lists: Mapping[str, Iterable[Any]]) -> None:
    """A JSON line with a "summary" key, ``lists`` last in it, written a list item at a time."""
    output.write('{"summary": ')
    for text in json_with_lists(dict(summary), lists):
        output.write(text.translate(_JSON_ESCAPES))
    output.write("}\n")


def _build_lines(figures: Mapping[str, Any], title: str) -> Iterator[str]:
    yield title
    columns = ("inputs", "accepted", "rejected", "duplicates", "filtered")
    per_source = figures["per_source"]
    rows = [[name, *(f"{counts[c]:,}" for c in columns)] for name, counts in per_source.items()]
    if len(rows) > 1:
        rows.append(["total", *(f"{figures[c]:,}" for c in columns)])
    yield from table(["source", *columns], rows)
    if figures["rejected_by_rule"]:
        yield "rejected files by rule: " + _by_rule(figures["rejected_by_rule"])
    if figures["filtered"]:
        yield "filtered items by reason: " + _by_rule(figures["filtered_by_reason"])
    if figures["rejected_acknowledged"]:
        yield f"rejects acknowledged in source.toml: {figures['rejected_acknowledged']:,}"
    if figures["warnings"]:
        yield "warnings by rule: " + ", ".join(
            f"{rule} {count:,}" for rule, count in figures["warnings_by_rule"].items()
        )
    yield _converted_line(figures)
    seconds = figures["seconds"]
    if seconds >= MEANINGFUL_SECONDS:
        noun = _noun(figures)
        yield f"{figures['inputs']:,} {noun}s in {seconds:.1f} s ({figures['inputs'] / seconds:,.0f} {noun}s/s)"


def _by_rule(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{rule} {count:,}" for rule, count in counts.items())


def _converted_line(figures: Mapping[str, Any]) -> str:
    why = figures["converted_because"]
    reasons = ", ".join(f"{count:,} {REASONS.get(reason, reason)}" for reason, count in why.items())
    converted = count(figures["converted"], _noun(figures))
    if _noun(figures) == "item":
        converted += " of " + count(figures["files"], "file")
    line = f"converted {converted}" + (f" ({reasons})" if reasons else "")
    return line + f"; {figures['reused_from_cache']:,} unchanged, taken from the cache"


def _noun(figures: Mapping[str, Any]) -> str:
    """What the inputs are called: files, or items when crawls or exports hold many of them."""
    return "file" if figures.get("files", figures["inputs"]) == figures["inputs"] else "item"


def count(number: int, noun: str) -> str:
    """``1 record``, ``2,000 records``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def table(headers: list[str], rows: list[list[str]]) -> Iterator[str]:
    """Aligned columns: the first to the left, the others (figures) to the right, padded by the
    width a terminal gives each cell (a Chinese character takes two columns)."""
    widths = [max(display_width(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, *rows]:
        cells = [_pad(row[0], widths[0], left=True), *(_pad(c, w) for c, w in zip(row[1:], widths[1:], strict=True))]
        yield "  ".join(cells).rstrip()


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (wide characters two, combining marks none); a character
    wcwidth cannot measure (a control character: printable() escapes those) counts as one."""
    width = wcwidth.wcswidth(text)
    if width >= 0:
        return width
    return sum(measured if (measured := wcwidth.wcwidth(character)) >= 0 else 1 for character in text)


def _pad(cell: str, width: int, *, left: bool = False) -> str:
    fill = " " * (width - display_width(cell))
    return cell + fill if left else fill + cell


def json_with_lists(
    head: dict[str, Any], lists: Mapping[str, Iterable[Any]], indent: int | None = None
) -> Iterator[str]:
    """``json.dumps({**head, **lists}, ensure_ascii=False, indent=indent)`` with each list written as
    a JSON array, produced a list item at a time: the lists, read from disk, never exist whole."""
    text = json.dumps({**head, **dict.fromkeys(lists, 0)}, ensure_ascii=False, indent=indent)
    inner = "" if indent is None else "\n" + " " * 2 * indent  # the items sit two levels deep
    separator = ", " if indent is None else ","
    close = "]" if indent is None else "\n" + " " * indent + "]"
    for name, items in lists.items():
        before, _, text = text.rpartition(f"{json.dumps(name)}: 0")  # the placeholders are the last keys
        yield before + f"{json.dumps(name)}: "
        opened = False
        for item in items:
            dumped = json.dumps(item, ensure_ascii=False, indent=indent)
            yield (separator if opened else "[") + inner + (dumped.replace("\n", inner) if inner else dumped)
            opened = True
        yield close if opened else "[]"
    yield text
