"""The corpus as one self-contained HTML page: ``newspkg report`` draws :class:`~newspkg.consume.figures.Figures`.

Everything is in the page: inline CSS, inline SVG charts, no script; nothing is fetched when it is
viewed. The page is the Jinja2 template ``templates/report.html.j2`` (autoescaped: every text from the
data is escaped there, control characters and lone surrogates replaced first); this module turns the
figures into its sections, each a chart (:mod:`~newspkg.consume.charts`), a lead, notes and tables.
A new figure is one more function in :data:`SECTIONS`. The same figures give the same bytes: no
timestamps, no paths of this machine, every list in a fixed order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newspkg import templating
from newspkg.consume import near_figures
from newspkg.consume.charts import Bar, Chart, Series, bars_chart, columns_chart, note_chart
from newspkg.consume.figures import Figures
from newspkg.consume.stats import QUANTILES
from newspkg.consume.stats_text import length_label

MAX_MONTHS = 120  # a longer span is drawn per year
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442")  # Okabe–Ito
OTHER_COLOUR = "#8c8c8c"
REJECT_COLOUR = "#d55e00"
OUTCOMES = (  # a build input's fate, and its colour
    ("accepted", "#0072b2"),
    ("duplicates", "#e69f00"),
    ("rejected", "#d55e00"),
    ("filtered", "#8c8c8c"),
)

Words = list[tuple[str, str]]  # (how, text): "" plain, "code", "b"; the template escapes each text


@dataclass(frozen=True)
class Table:
    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


@dataclass
class Section:
    """One chart's section: heading, lead, chart, legend, notes, tables (in that order)."""

    id: str
    title: str
    chart: Chart
    lead: Words = field(default_factory=list)
    legend: Sequence[tuple[str, str]] = ()  # (name, colour)
    notes: Sequence[str] = ()
    tables: Sequence[Table] = ()


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.1f} %"


def _table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    return Table(caption, headers, [[c if isinstance(c, str) else f"{c:,}" for c in row] for row in rows])


# ---- sections ---------------------------------------------------------------------------------------


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _per_month(figures: Figures) -> Section:
    per_month = figures.per_month
    title = "Articles per month and source"
    lead: Words = [
        ("", "The month of "),
        ("code", "published_at"),
        ("", " as the record writes it, in its own offset."),
    ]
    if not per_month.months:
        note = "no records" if not figures.records else "no record has a readable published_at"
        return Section("per-month", title, note_chart("per-month", title, note), lead)
    sources = list(figures.per_source)
    coloured = sources[: len(COLOURS)] if len(sources) <= len(COLOURS) else sources[: len(COLOURS) - 1]
    others = sources[len(coloured) :]
    by_source = per_month.by_source
    months = _month_range(per_month.months[0], per_month.months[-1])
    by_year = len(months) > MAX_MONTHS
    period: Callable[[str], str] = (lambda m: m[:4]) if by_year else (lambda m: m)
    categories = [str(y) for y in range(int(months[0][:4]), int(months[-1][:4]) + 1)] if by_year else months
    position = {c: i for i, c in enumerate(categories)}

    def values(names: Sequence[str]) -> list[int]:
        counts = [0] * len(categories)
        for name in names:
            for month, number in by_source.get(name, {}).items():
                counts[position[period(month)]] += number
        return counts

    series = [Series(name, COLOURS[i], values([name])) for i, name in enumerate(coloured)]
    if others:
        series.append(Series(f"{len(others)} other sources", OTHER_COLOUR, values(others)))
    label = f"{title}: {_count(sum(sum(s.values) for s in series), 'dated record')} from {months[0]} to {months[-1]}"
    chart = columns_chart("per-month", label, categories, series, lambda s, c, v: f"{s}, {c}: {_count(v, 'record')}")
    notes = []
    if per_month.undated:
        number = sum(per_month.undated.values())
        notes.append(f"{_count(number, 'record')} without a readable date {'is' if number == 1 else 'are'} not drawn.")
    if by_year:
        notes.append(f"{len(months):,} months: drawn per year.")
    rows = []
    for month in per_month.months:
        cells = [by_source.get(name, {}).get(month, 0) for name in coloured]
        other = sum(by_source.get(name, {}).get(month, 0) for name in others)
        rows.append([month, *cells, *([other] if others else []), sum(cells) + other])
    headers = ["month", *coloured, *(["other sources"] if others else []), "total"]
    unit = "year" if by_year else "month"
    table = _table(f"Records per month ({unit}s with records only)", headers, rows)
    return Section("per-month", title, chart, lead, [(s.name, s.colour) for s in series], notes, [table])


def _bin_label(low: int, high: int | None) -> str:
    def short(n: int) -> str:
        return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)

    return f"≥{short(low)}" if high is None else f"{short(low)}–{short(high)}"


def _text_length(figures: Figures) -> Section:
    length = figures.text_length
    title = "Text length"
    if not length.records:
        return Section("text-length", title, note_chart("text-length", title, "no records"))
    names = ["min", *(name for name, _ in QUANTILES), "max", "mean"]
    quantiles = " · ".join(f"{name} {getattr(length, name):,}" for name in names)
    lead: Words = [("", "Characters of "), ("code", "text"), ("", f": {quantiles} (quantiles by nearest rank).")]
    bins = length.histogram
    categories = [_bin_label(b.at_least, b.below) for b in bins]
    words = {c: length_label(b.at_least, b.below) for c, b in zip(categories, bins, strict=True)}
    chart = columns_chart(
        "text-length",
        f"{title}: histogram of {_count(length.records, 'record')} by characters of text",
        categories,
        [Series("records", COLOURS[0], [b.count for b in bins])],
        lambda _, c, v: f"{words[c]} characters: {_count(v, 'record')}",
    )
    rows = [[words[c], b.count] for c, b in zip(categories, bins, strict=True)]
    return Section(
        "text-length", title, chart, lead, tables=[_table("Records by text length", ["characters", "records"], rows)]
    )


def _completeness(figures: Figures) -> Section:
    completeness, records = figures.completeness, figures.records
    title = "Empty fields"
    lead: Words = [
        ("", 'Share of records leaving each field empty (null, "", [], {} or missing); fields of '),
        ("code", completeness.fields_from),
        ("", ", in its order."),
    ]
    if not records:
        return Section("completeness", title, note_chart("completeness", title, "no records"), lead)
    rows = completeness.fields
    bars = [
        Bar(
            row.field + ("" if row.in_schema else " *"),
            [
                (
                    row.share_empty or 0,
                    REJECT_COLOUR,
                    f"{row.field}: {row.empty:,} of {_count(records, 'record')} empty ({_percent(row.share_empty)})",
                )
            ],
            _percent(row.share_empty),
        )
        for row in rows
    ]
    chart = bars_chart("completeness", f"{title}: percent of {_count(records, 'record')} empty, per field", bars, 1.0)
    notes = ["* not in the schema: a field some records have besides it."] if any(not r.in_schema for r in rows) else []
    table = _table(
        "Empty records per field",
        ["field", "empty", "share empty"],
        [[row.field, row.empty, _percent(row.share_empty)] for row in rows],
    )
    return Section("completeness", title, chart, lead, notes=notes, tables=[table])


def _rejects(figures: Figures) -> Section:
    build = figures.build_report
    title = "Rejected files by rule"
    if not build.available:
        return Section("rejects", title, note_chart("rejects", title, f"no build report: {build.reason}"))
    lead: Words = [
        ("", f"{build.rejected:,} of {_count(build.inputs, 'raw file')} rejected "),
        ("", f"({build.rejected_acknowledged:,} acknowledged in source.toml); a file may break several rules. From "),
        ("code", build.path),
        ("", "."),
    ]
    by_rule = build.rejected_by_rule
    if not by_rule:
        return Section("rejects", title, note_chart("rejects", title, "no rejects"), lead)
    bars = [Bar(rule, [(n, REJECT_COLOUR, f"{rule}: {_count(n, 'file')}")], f"{n:,}") for rule, n in by_rule.items()]
    chart = bars_chart("rejects", f"{title}: {len(by_rule)} rules", bars, max(by_rule.values()))
    tables = [_table("Rejected files per rule", ["rule", "files"], list(by_rule.items()))]
    if build.filtered_by_reason:
        tables.append(_table("Filtered items per reason", ["reason", "items"], list(build.filtered_by_reason.items())))
    return Section("rejects", title, chart, lead, tables=tables)


def _duplicates(figures: Figures) -> Section:
    build = figures.build_report
    title = "Duplicates"
    if not build.available:
        return Section("duplicates", title, note_chart("duplicates", title, f"no build report: {build.reason}"))
    reasons = ", ".join(f"{reason} {n:,}" for reason, n in build.duplicates_by_reason.items())
    lead: Words = [
        ("b", _count(build.duplicates, "duplicate")),
        ("", f" among {_count(build.inputs, 'raw file')}" + (f" ({reasons})" if reasons else "")),
        ("", ": each dropped for its twin (the longest text is kept). What each source's files became:"),
    ]
    per_source = build.per_source
    if not per_source:
        return Section("duplicates", title, note_chart("duplicates", title, "no raw files"), lead)
    top = max(counts.inputs for counts in per_source.values()) or 1
    bars = [
        Bar(
            source,
            [(getattr(counts, key), colour, f"{source}: {getattr(counts, key):,} {key}") for key, colour in OUTCOMES],
            f"{counts.inputs:,}",
        )
        for source, counts in per_source.items()
    ]
    label = f"{title}: {build.duplicates:,}; raw files of each source by outcome"
    rows = [[source, c.inputs, *(getattr(c, key) for key, _ in OUTCOMES)] for source, c in per_source.items()]
    tables = [_table("Raw files per source and outcome", ["source", "inputs", *(k for k, _ in OUTCOMES)], rows)]
    if build.duplicate_examples:
        examples = [
            [e["raw_path"] or "", e["kept_raw_path"] or "", e["reason"] or ""] for e in build.duplicate_examples
        ]
        caption = f"The first {len(examples)} duplicates"
        tables.append(_table(caption, ["raw file", "copy of", "reason"], examples))
    return Section("duplicates", title, bars_chart("duplicates", label, bars, top), lead, list(OUTCOMES), (), tables)


def _publishers(figures: Figures) -> Section:
    publishers = figures.original_publishers
    title = "Top original publishers"
    if not figures.records:
        return Section("publishers", title, note_chart("publishers", title, "no records"))
    if not publishers.records_with:
        why = "no record names one" if publishers.field_in_schema else "the schema has no original_publisher"
        return Section("publishers", title, note_chart("publishers", title, why))
    lead: Words = [
        ("", "Where the text came from ("),
        ("code", "original_publisher"),
        ("", f"): {_count(publishers.records_with, 'record')} of {figures.records:,} name one, "),
        ("", f"{publishers.distinct:,} distinct."),
    ]
    top = publishers.top
    bars = [
        Bar(e.name, [(e.records, COLOURS[0], f"{e.name}: {_count(e.records, 'record')}")], f"{e.records:,}")
        for e in top
    ]
    chart = bars_chart("publishers", f"{title}: the {len(top)} most frequent", bars, max(e.records for e in top))
    table = _table(
        "Records per original publisher", ["original publisher", "records"], [[e.name, e.records] for e in top]
    )
    return Section("publishers", title, chart, lead, tables=[table])


def _near_duplicates(figures: Figures) -> Section:
    near = figures.near_duplicates
    key, title = "near-duplicates", "Near-duplicates"
    if near is None or not near.records:
        why = "the schema has no near_duplicate_of" if near is None else "no record repeats another"
        return Section(key, title, note_chart(key, title, why))
    top = near.largest_clusters
    bars = [
        Bar(c.representative, [(c.records, COLOURS[0], f"{c.representative}: {c.records:,}")], f"{c.records:,}")
        for c in top
    ]
    chart = bars_chart(key, f"{title}: the {len(top)} largest clusters", bars, max(c.records for c in top))
    rows = [[c.representative, c.records] for c in top]
    lead: Words = [("", near_figures.summary(near) + ".")]
    return Section(key, title, chart, lead, tables=[_table("Records per cluster", ["representative", "records"], rows)])


SECTIONS: tuple[Callable[[Figures], Section], ...] = (
    _per_month,
    _text_length,
    _completeness,
    _rejects,
    _duplicates,
    _near_duplicates,
    _publishers,
)
"""The page's chart sections, in order: a new figure's section is one more function here."""


def _overview(figures: Figures) -> list[tuple[str, str]]:
    months, build, length = figures.per_month.months, figures.build_report, figures.text_length
    items = [
        ("records", f"{figures.records:,}"),
        ("sources", f"{len(figures.per_source):,}"),
        ("published", f"{months[0]} – {months[-1]}" if months else "–"),
        ("median length", f"{length.median:,}" if length.median is not None else "–"),
    ]
    if build.available:
        items += [("rejected", f"{build.rejected:,}"), ("duplicates", f"{build.duplicates:,}")]
    if figures.unreadable_lines:
        items.append(("unreadable lines", f"{figures.unreadable_lines:,}"))
    return items


def render_page(figures: Figures) -> str:
    """The page for ``figures`` (from :func:`~newspkg.consume.stats.corpus_stats`), as text."""
    described = figures.package
    title = described.title or described.name or "Data package"
    parts = (
        described.name if described.title else None,
        f"version {described.version}" if described.version else None,
        _count(figures.records, "record"),
    )
    return templating.render(
        "report.html.j2",
        title=title,
        sub=" · ".join(part for part in parts if part),
        figures=figures,
        overview=_overview(figures),
        sections=[section(figures) for section in SECTIONS],
    )
