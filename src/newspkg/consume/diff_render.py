"""A diff of two packages (:func:`~newspkg.consume.diff.diff_packages`) as text for people, JSON for
tools, and Markdown release notes. Data is printed as data: control characters escaped, Markdown markup
escaped or fenced (:mod:`~newspkg.consume.markdown`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from newspkg.consume.diff import PackageDiff, RecordSummary
from newspkg.consume.markdown import code, link, markdown_text
from newspkg.report import json_text, printable


def render_json(result: PackageDiff, max_records: int) -> Iterator[str]:
    """The whole result, every id, as one line of JSON (``max_records`` does not apply)."""
    yield json_text(result.to_dict()) + "\n"


def render_text(result: PackageDiff, max_records: int) -> Iterator[str]:
    """Counts, the records (at most ``max_records`` of each kind; 0: all), the schema changes, a verdict."""
    for line in _text_lines(result, max_records):
        yield printable(line) + "\n"


def _text_lines(result: PackageDiff, max_records: int) -> Iterator[str]:
    counts = result.counts()
    yield f"newspkg diff: {result.old.descriptor} → {result.new.descriptor}"
    summary = ", ".join(f"{count:,} {what}" for what, count in counts.items())
    yield f"records: {result.old.records:,} → {result.new.records:,} ({summary})"
    groups: list[tuple[str, str, list[str]]] = [
        ("+", "added", result.added),
        ("-", "removed", result.removed),
        ("~", "changed", [f"{change.id}: {', '.join(change.fields)}" for change in result.changed]),
    ]
    for mark, what, lines in groups:
        shown, more = _capped(lines, max_records)
        for line in shown:
            yield f"  {mark} {line}"
        if more:
            yield f"  … and {more:,} more {what} (--max-records 0 lists them all)"
    breaking = len(result.breaking)
    if result.schema_changes:
        yield f"schema changes: {len(result.schema_changes):,} ({breaking:,} breaking)"
    else:
        yield "schema changes: none"
    for change in result.schema_changes:
        mark = "BREAKING " if change.breaking else ""
        yield f"  {mark}{change.file} {change.path}: {change.kind}: {change.explanation}"
    yield _verdict(result)


def render_markdown(result: PackageDiff, max_records: int) -> Iterator[str]:
    """Release notes: a heading, a table of counts, the schema changes first, then the added, removed
    and changed records, each with its title, source and URL (at most ``max_records`` of each kind;
    0: all), and how many more there are."""
    old, new = result.old.label, result.new.label
    if old == new:
        old, new = str(result.old.descriptor), str(result.new.descriptor)
    yield f"## Changes from {markdown_text(old)} to {markdown_text(new)}\n\n"
    yield "| records | count |\n|---|---:|\n"
    rows = {"in old": result.old.records, "in new": result.new.records, **result.counts()}
    for what, count in rows.items():
        yield f"| {what} | {count:,} |\n"
    yield "\n### Schema changes\n\n"
    if not result.schema_changes:
        yield "No schema changes.\n"
    for change in result.schema_changes:
        mark = "**breaking** " if change.breaking else ""
        where = f"{code(change.path or '(top level)')} in {code(change.file)}"
        yield f"- {mark}{where}: {markdown_text(change.explanation)} ({change.kind})\n"
    changed = {change.id: change.fields for change in result.changed}
    groups: list[tuple[str, list[str]]] = [
        ("Added records", result.added),
        ("Removed records", result.removed),
        ("Changed records", [change.id for change in result.changed]),
    ]
    for title, ids in groups:
        if not ids:
            continue
        yield f"\n### {title} ({len(ids):,})\n\n"
        shown, more = _capped(ids, max_records)
        for rid in shown:
            fields = f": {', '.join(map(code, changed[rid]))}" if rid in changed else ""
            yield f"- {_record_line(rid, result.summaries.get(rid))}{fields}\n"
        if more:
            yield f"- … and {more:,} more\n"


def _record_line(rid: str, summary: RecordSummary | None) -> str:
    """A record in release notes: its title (a link to its URL), its source, its id."""
    if summary is None:
        return code(rid)
    title = link(summary.title or "(no title)", summary.url)
    source = f" · {markdown_text(summary.source)}" if summary.source else ""
    return f"{title}{source} · {code(rid)}"


def _capped(lines: list[str], most: int) -> tuple[list[str], int]:
    if most == 0 or len(lines) <= most:
        return lines, 0
    return lines[:most], len(lines) - most


def _verdict(result: PackageDiff) -> str:
    breaking = len(result.breaking)
    if breaking:
        return f"BREAKING: {breaking:,} breaking schema change{'' if breaking == 1 else 's'}"
    return "OK: no breaking schema change"


RENDERERS: dict[str, Callable[[PackageDiff, int], Iterator[str]]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
