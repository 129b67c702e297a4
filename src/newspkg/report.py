"""Render issues and summaries as text, JSON lines or GitHub workflow annotations, to a given stream."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TextIO

from newspkg.issues import Issue, Severity


def _text(issue: Issue, acknowledged: str | None) -> str:
    where = issue.file + (f":{issue.line}" if issue.line else "")
    record = f" [{issue.record_id}]" if issue.record_id else ""
    pointer = f" {issue.pointer}" if issue.pointer else ""
    note = f" (acknowledged: {acknowledged})" if acknowledged else ""
    return f"{where}{record}: {issue.severity} {issue.rule}{pointer}: {issue.message}{note}"


def _json(issue: Issue, acknowledged: str | None) -> str:
    return json.dumps({**issue.to_dict(), "acknowledged": acknowledged}, ensure_ascii=False)


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


def write_issues(issues: Iterable[Issue | tuple[Issue, str | None]], stream: TextIO, fmt: str) -> None:
    """One line per issue; an issue may come paired with why its file's reject is acknowledged."""
    render = FORMATS[fmt]
    for item in issues:
        issue, acknowledged = item if isinstance(item, tuple) else (item, None)
        stream.write(render(issue, acknowledged) + "\n")


def write_summary(
    summary: dict[str, Any], stream: TextIO, fmt: str, title: str, lists: Mapping[str, Iterable[Any]] | None = None
) -> None:
    """The closing summary: a JSON line with a "summary" key (``lists`` last in it), or readable
    lines (the figures only)."""
    if fmt == "json":
        stream.write('{"summary": ')
        for text in json_with_lists(summary, lists or {}):
            stream.write(text)
        stream.write("}\n")
        return
    stream.write(f"{title}\n")
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
        stream.write(f"  {key.replace('_', ' ')}: {value}\n")


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
