"""Render issues and summaries as text, JSON lines or GitHub workflow annotations, to a given stream."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
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


def write_issues(
    issues: Iterable[Issue], stream: TextIO, fmt: str, acknowledged: Callable[[Issue], str | None] = lambda _: None
) -> None:
    render = FORMATS[fmt]
    for issue in issues:
        stream.write(render(issue, acknowledged(issue)) + "\n")


def write_summary(summary: dict[str, Any], stream: TextIO, fmt: str, title: str) -> None:
    """The closing summary: a JSON line with a "summary" key, or readable lines."""
    if fmt == "json":
        stream.write(json.dumps({"summary": summary}, ensure_ascii=False) + "\n")
        return
    stream.write(f"{title}\n")
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
        stream.write(f"  {key.replace('_', ' ')}: {value}\n")
