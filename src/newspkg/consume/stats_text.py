"""The figures of :func:`~newspkg.consume.stats.corpus_stats` in words: ``newspkg stats`` as text
(short sections of tables aligned by display width) and as Markdown. Nothing here computes a figure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from newspkg import report
from newspkg.consume import near_figures
from newspkg.consume.figures import BuildReport, Figures, Publishers, TextLength, VerifyStatus
from newspkg.consume.markdown import markdown_text
from newspkg.consume.stats import QUANTILES

TEXT_MONTHS = 24  # more months than this are shown per year in text (the JSON keeps months)
TEXT_SOURCES = 6  # more sources than this: the month table shows totals, the source table the rest

Table = tuple[list[str], list[list[str]]]  # headers, rows


def length_label(low: int, high: int | None) -> str:
    """A histogram bin in words: ``1,000–1,999``, ``≥ 100,000``."""
    return f"≥ {low:,}" if high is None else f"{low:,}–{high - 1:,}"


def package_label(figures: Figures) -> str:
    described = figures.package
    return " ".join(part for part in (described.name or described.title, described.version) if part) or "package"


def build_verdict(build: BuildReport) -> str:
    """What ``newspkg build`` concluded, from its report: FAILED while a reject is not acknowledged."""
    if not build.available:
        return "not known (no build report)"
    if build.unacknowledged:
        return f"FAILED ({report.count(build.unacknowledged, 'reject')} not acknowledged)"
    return "OK"


def verify_verdict(verify: VerifyStatus) -> str:
    if not verify.ran:
        return "not run"
    counts = f"{report.count(verify.errors, 'error')}, {report.count(verify.warnings, 'warning')}"
    return f"{'OK' if verify.ok else 'FAILED'} ({counts})"


# ---- the sections, as (heading, table) ------------------------------------------------------------


def month_table(figures: Figures) -> tuple[str, Table, Table | None]:
    """Records per month (per year beyond :data:`TEXT_MONTHS`) and source; with many sources, totals
    per period and a table of sources."""
    per_month = figures.per_month
    sources = list(figures.per_source)
    by_year = len(per_month.months) > TEXT_MONTHS
    key_of: Callable[[str], str] = (lambda month: month[:4]) if by_year else (lambda month: month)
    periods = sorted({key_of(month) for month in per_month.months})
    shown = sources if len(sources) <= TEXT_SOURCES else []
    table: dict[str, Counter[str]] = {period: Counter() for period in periods}
    for source, months in per_month.by_source.items():
        for month, number in months.items():
            table[key_of(month)][source] += number
    heading = f"records per {'year' if by_year else 'month'} (published_at's local date)" + (
        "" if shown else f", all {len(sources)} sources"
    )
    rows = [[period, *(f"{table[period][s]:,}" for s in shown), f"{table[period].total():,}"] for period in periods]
    if per_month.undated:
        undated = per_month.undated
        rows.append(["no date", *(f"{undated.get(s, 0):,}" for s in shown), f"{sum(undated.values()):,}"])
    per_source = None if shown else (["source", "records"], [[s, f"{n:,}"] for s, n in figures.per_source.items()])
    return heading, (["year" if by_year else "month", *shown, "total"], rows), per_source


def length_summary(length: TextLength) -> str:
    names = ["min", *(name for name, _ in QUANTILES), "max"]
    figures = ", ".join(f"{name} {getattr(length, name):,}" for name in names)
    return f"text length (characters): {figures}, mean {length.mean:,}"


def length_table(length: TextLength) -> Table:
    filled = [i for i, b in enumerate(length.histogram) if b.count]
    shown = length.histogram[filled[0] : filled[-1] + 1]
    return ["characters", "records"], [[length_label(b.at_least, b.below), f"{b.count:,}"] for b in shown]


def completeness_table(figures: Figures) -> Table:
    rows = [
        [
            row.field + ("" if row.in_schema else " (not in the schema)"),
            f"{row.empty:,}",
            "–" if row.share_empty is None else f"{100 * row.share_empty:.1f} %",
        ]
        for row in figures.completeness.fields
    ]
    return ["field", "empty", "share"], rows


def build_summary(build: BuildReport) -> tuple[str, list[str]]:
    """The build report's counts in a sentence, and its breakdowns, one line each."""
    sentence = (
        f"build report ({build.path}): {report.count(build.inputs, 'input')}, {build.accepted:,} accepted, "
        f"{build.rejected:,} rejected ({build.rejected_acknowledged:,} acknowledged), "
        f"{build.duplicates:,} duplicates, {build.filtered:,} filtered"
    )
    lines = [
        f"{label}: " + ", ".join(f"{key} {n:,}" for key, n in counts.items())
        for label, counts in (
            ("rejected by rule", build.rejected_by_rule),
            ("duplicates by reason", build.duplicates_by_reason),
            ("filtered by reason", build.filtered_by_reason),
        )
        if counts
    ]
    return sentence, lines


def publisher_table(publishers: Publishers) -> Table:
    return ["original publisher", "records"], [[entry.name, f"{entry.records:,}"] for entry in publishers.top]


def publishers_heading(publishers: Publishers) -> str:
    return (
        f"top original publishers ({report.count(publishers.records_with, 'record')} name one, "
        f"{publishers.distinct:,} distinct)"
    )


def no_publishers(publishers: Publishers) -> str:
    return "original publishers: none named" + ("" if publishers.field_in_schema else " (the schema has no such field)")


# ---- text ------------------------------------------------------------------------------------------


def text_lines(figures: Figures) -> Iterator[str]:
    """The figures as ``newspkg stats`` shows them: short sections of small tables."""
    yield f"newspkg stats: {package_label(figures)}: {report.count(figures.records, 'record')}"
    if figures.unreadable_lines:
        yield f"  {report.count(figures.unreadable_lines, 'line')} not read (not a JSON object, or too long)"
    for missing in figures.missing:
        yield f"  missing: {missing}"
    yield f"build: {build_verdict(figures.build_report)}"
    yield from _verify_lines(figures.verify)
    yield ""
    if figures.records:
        heading, months, sources = month_table(figures)
        yield heading
        yield from _table(months)
        if sources:
            yield "records per source"
            yield from _table(sources)
    else:
        yield "records per month: no records"
    yield ""
    if figures.text_length.records:
        yield length_summary(figures.text_length)
        yield from _table(length_table(figures.text_length))
    else:
        yield "text length: no records"
    yield ""
    if figures.records:
        yield f'empty fields (null, "", [], {{}} or missing) of {report.count(figures.records, "record")}'
        yield from _table(completeness_table(figures))
    else:
        yield "empty fields: no records"
    yield ""
    yield from _build_lines(figures.build_report)
    yield from near_figures.text_lines(figures.near_duplicates)
    yield ""
    publishers = figures.original_publishers
    if publishers.records_with:
        yield publishers_heading(publishers)
        yield from _table(publisher_table(publishers))
    else:
        yield no_publishers(publishers)


def _verify_lines(verify: VerifyStatus) -> Iterator[str]:
    yield f"verify: {verify_verdict(verify)}"
    for label, counts in (("errors by rule", verify.errors_by_rule), ("warnings by rule", verify.warnings_by_rule)):
        if counts:
            yield f"  {label}: " + ", ".join(f"{rule} {n:,}" for rule, n in counts.items())
    for line in verify.first_errors:
        yield f"  {line}"


def _build_lines(build: BuildReport) -> Iterator[str]:
    if not build.available:
        yield f"build report: none ({build.reason})"
        return
    sentence, lines = build_summary(build)
    yield sentence
    for line in lines:
        yield f"  {line}"


def _table(table: Table) -> Iterator[str]:
    for line in report.table(*table):
        yield "  " + line


# ---- Markdown --------------------------------------------------------------------------------------


def markdown_lines(figures: Figures) -> Iterator[str]:
    """The figures as a Markdown section (for a release page or a pull request)."""
    yield f"## {markdown_text(package_label(figures))}: {report.count(figures.records, 'record')}"
    yield ""
    yield f"- build: {build_verdict(figures.build_report)}"
    yield f"- verify: {verify_verdict(figures.verify)}"
    for missing in figures.missing:
        yield f"- missing: {markdown_text(missing)}"
    sections: list[tuple[str, Table]] = []
    if figures.records:
        heading, months, sources = month_table(figures)
        sections.append((heading, months))
        if sources:
            sections.append(("records per source", sources))
        sections.append((length_summary(figures.text_length), length_table(figures.text_length)))
        sections.append(("empty fields", completeness_table(figures)))
    if figures.original_publishers.records_with:
        publishers = figures.original_publishers
        sections.append((publishers_heading(publishers), publisher_table(publishers)))
    for heading, (headers, rows) in sections:
        yield ""
        yield f"### {markdown_text(heading[0].upper() + heading[1:])}"
        yield ""
        yield "| " + " | ".join(map(markdown_text, headers)) + " |"
        yield "|" + "|".join(["---", *("---:" for _ in headers[1:])]) + "|"
        for row in rows:
            yield "| " + " | ".join(map(markdown_text, row)) + " |"
