"""The corpus as one self-contained HTML page: ``newspkg report`` draws :func:`~newspkg.consume.stats.corpus_stats`.

Everything is in the page: inline CSS, inline SVG charts drawn here, no script; nothing is fetched
when it is viewed. Each chart is an ``<svg data-chart="…" role="img">`` with an ``aria-label``, a
``<title>``, a ``<title>`` on every bar (its tooltip), and its numbers in a table below it. Every
text from the data (titles, sources, publishers, rules) is escaped. The same figures give the same
bytes: no timestamps, no paths of this machine, every list in a fixed order.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newspkg.consume import near_figures
from newspkg.consume.stats import QUANTILES, length_label

WIDTH = 720  # every chart's viewBox width; the page scales it
LEFT = 52  # room for the value axis of column charts
RIGHT_PAD = 28  # room for half the last category's label
LABELS = 170  # room for the labels of bar charts
RIGHT = 64  # room for the value after a bar
ROW = 22  # height of one bar chart row
MAX_MONTHS = 120  # a longer span is drawn per year
MAX_X_LABELS = 12
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442")  # Okabe–Ito
OTHER_COLOUR = "#8c8c8c"
OUTCOMES = (  # a build input's fate, and its colour
    ("accepted", "#0072b2"),
    ("duplicates", "#e69f00"),
    ("rejected", "#d55e00"),
    ("filtered", "#8c8c8c"),
)
LABEL_UNITS = 26  # a label longer than this (wide characters count 2) is cut, whole in its tooltip
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

CSS = """
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --track: #eef1f4; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f8fa; color: var(--ink); line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC",
    "PingFang SC", "Microsoft YaHei", sans-serif; }
main { max-width: 800px; margin: 0 auto; padding: 24px 16px 48px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 0 0 8px; }
.sub, .note, .lead { color: var(--muted); }
.sub { margin: 0 0 16px; overflow-wrap: anywhere; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin: 0 0 16px; }
.verify { border-width: 2px; }
.verify.ok { border-color: #1a7f37; background: #f0fff4; }
.verify.problems { border-color: #cf222e; background: #fff5f5; }
.verify.skipped { border-color: var(--line); }
.verdict { font-size: 1.25rem; font-weight: 700; margin: 0; }
.ok .verdict { color: #1a7f37; }
.problems .verdict { color: #cf222e; }
.figures { display: flex; flex-wrap: wrap; gap: 8px 24px; margin: 0; padding: 0; list-style: none; }
.figures b { display: block; font-size: 1.3rem; }
.lead { margin: 0 0 8px; }
svg { display: block; width: 100%; height: auto; max-width: 720px; }
svg text { font-size: 11px; fill: var(--ink); }
svg .axis { fill: var(--muted); }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .track { fill: var(--track); }
svg .note { font-size: 13px; fill: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 8px 0 0; padding: 0; list-style: none;
  font-size: 13px; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px;
  vertical-align: -1px; }
details { margin-top: 8px; font-size: 13px; }
summary { cursor: pointer; color: var(--muted); }
table { border-collapse: collapse; margin-top: 6px; }
th, td { padding: 2px 10px 2px 0; text-align: right; border-bottom: 1px solid var(--track); }
th:first-child, td:first-child { text-align: left; overflow-wrap: anywhere; }
ul.plain { margin: 6px 0 0; padding-left: 20px; }
code { overflow-wrap: anywhere; }
footer { color: var(--muted); font-size: 13px; }
"""


def esc(value: Any) -> str:
    """Text for HTML or SVG, from anywhere: control characters and lone surrogates replaced, then escaped."""
    return html.escape(CONTROL.sub("\ufffd", str(value)), quote=True)


def _n(number: float) -> str:
    """A coordinate: one decimal, no trailing .0, never -0."""
    text = f"{number:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _short(label: str) -> str:
    """``label`` cut to :data:`LABEL_UNITS` (a wide character counts twice), with an ellipsis when cut."""
    units = 0
    for index, character in enumerate(label):
        units += 2 if unicodedata.east_asian_width(character) in "WF" else 1
        if units > LABEL_UNITS:
            return label[: index - 1] + "…"
    return label


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.1f} %"


# ---- charts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: Sequence[int]


def _section(chart: str, title: str, *parts: str) -> str:
    """One chart's section: its heading, then ``parts`` (lead, chart, legend, table)."""
    return f'<section id="{chart}">\n<h2>{title}</h2>\n' + "".join(parts) + "</section>\n"


def _svg(chart: str, label: str, height: float, body: Iterable[str]) -> str:
    return (
        f'<svg data-chart="{chart}" role="img" aria-label="{esc(label)}" viewBox="0 0 {WIDTH} {_n(height)}">\n'
        f"<title>{esc(label)}</title>\n" + "".join(body) + "</svg>\n"
    )


def _note_svg(chart: str, label: str, note: str) -> str:
    """A chart with nothing to draw: its place kept, saying why."""
    return _svg(
        chart,
        f"{label}: {note}",
        48,
        [f'<text class="note" x="{_n(WIDTH / 2)}" y="28" text-anchor="middle">{esc(note)}</text>\n'],
    )


def _nice_step(top: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` intervals up to ``top``."""
    raw = max(top / ticks, 1)
    power = int(10 ** math.floor(math.log10(raw)))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


def columns_chart(
    chart: str, label: str, categories: Sequence[str], series: Sequence[Series], tooltip: Callable[[str, str, int], str]
) -> str:
    """Stacked columns, one per category, each series a colour; ``tooltip(series, category, value)``."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    step = _nice_step(max(totals, default=0))
    top = max(step, math.ceil(max(totals, default=0) / step) * step)
    plot_top, plot_height = 10, 180
    height = plot_top + plot_height + 36
    width = WIDTH - LEFT - RIGHT_PAD
    band = width / max(len(categories), 1)
    bar = max(band * 0.78, 1)
    parts = []
    for tick in range(0, top + 1, step):
        y = plot_top + plot_height - plot_height * tick / top
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT_PAD}" y1="{_n(y)}" y2="{_n(y)}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{_n(y + 4)}" text-anchor="end">{tick:,}</text>\n')
    every = math.ceil(len(categories) / MAX_X_LABELS)
    for index, category in enumerate(categories):
        x = LEFT + band * index + (band - bar) / 2
        base = float(plot_top + plot_height)
        for s in series:
            value = s.values[index]
            if not value:
                continue
            h = plot_height * value / top
            base -= h
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(base)}" width="{_n(bar)}" height="{_n(h)}" fill="{s.colour}">'
                f"<title>{esc(tooltip(s.name, category, value))}</title></rect>\n"
            )
        if index % every == 0:
            middle = LEFT + band * index + band / 2
            parts.append(
                f'<text class="axis" x="{_n(middle)}" y="{_n(plot_top + plot_height + 16)}" '
                f'text-anchor="middle">{esc(category)}</text>\n'
            )
    axis_y = plot_top + plot_height
    parts.append(
        f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT_PAD}" y1="{axis_y}" y2="{axis_y}" stroke="#59636e"/>\n'
    )
    return _svg(chart, label, height, parts)


@dataclass(frozen=True)
class Bar:
    label: str
    parts: Sequence[tuple[int | float, str, str]]  # (value, colour, tooltip) stacked left to right
    value_text: str


def bars_chart(chart: str, label: str, bars: Sequence[Bar], top: float) -> str:
    """Horizontal bars on a light track, a label at the left and the value at the right."""
    width = WIDTH - LABELS - RIGHT
    parts = []
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        title = esc(bar.label)
        parts.append(
            f'<text x="{LABELS - 8}" y="{_n(y + 13)}" text-anchor="end">{esc(_short(bar.label))}'
            f"<title>{title}</title></text>\n"
        )
        parts.append(
            f'<rect class="track" x="{LABELS}" y="{_n(y + 2)}" width="{width}" height="{ROW - 6}">'
            f"<title>{title}</title></rect>\n"
        )
        x = float(LABELS)
        for value, colour, tooltip in bar.parts:
            if value <= 0:
                continue
            w = width * value / top if top else 0
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(y + 2)}" width="{_n(max(w, 1))}" height="{ROW - 6}" fill="{colour}">'
                f"<title>{esc(tooltip)}</title></rect>\n"
            )
            x += w
        parts.append(f'<text class="axis" x="{LABELS + width + 6}" y="{_n(y + 13)}">{esc(bar.value_text)}</text>\n')
    return _svg(chart, label, 8 + ROW * len(bars), parts)


def _legend(entries: Iterable[tuple[str, str]]) -> str:
    items = "".join(
        f'<li><span class="swatch" style="background:{colour}"></span>{esc(name)}</li>' for name, colour in entries
    )
    return f'<ul class="legend">{items}</ul>\n'


def _table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(c if isinstance(c, str) else f'{c:,}')}</td>" for c in row) + "</tr>\n"
        for row in rows
    )
    return (
        f"<details><summary>{esc(caption)}</summary>\n<table>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}</tbody>\n</table></details>\n"
    )


# ---- sections ---------------------------------------------------------------------------------------


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _per_month(figures: Mapping[str, Any]) -> str:
    per_month = figures["per_month"]
    title = "Articles per month and source"
    lead = '<p class="lead">The month of <code>published_at</code> as the record writes it, in its own offset.</p>\n'
    if not per_month["months"]:
        note = "no records" if not figures["records"] else "no record has a readable published_at"
        return _section("per-month", title, lead, _note_svg("per-month", title, note))
    sources = list(figures["per_source"])
    coloured = sources[: len(COLOURS)] if len(sources) <= len(COLOURS) else sources[: len(COLOURS) - 1]
    others = sources[len(coloured) :]
    by_source = per_month["by_source"]
    months = _month_range(per_month["months"][0], per_month["months"][-1])
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
    unit = "year" if by_year else "month"
    label = f"{title}: {_count(sum(sum(s.values) for s in series), 'dated record')} from {months[0]} to {months[-1]}"
    svg = columns_chart("per-month", label, categories, series, lambda s, c, v: f"{s}, {c}: {_count(v, 'record')}")
    undated = per_month["undated"]
    note = ""
    if undated:
        number = sum(undated.values())
        verb = "is" if number == 1 else "are"
        note = f'<p class="note">{_count(number, "record")} without a readable date {verb} not drawn.</p>\n'

    if by_year:
        note += f'<p class="note">{len(months):,} months: drawn per year.</p>\n'
    rows = []
    for month in per_month["months"]:
        cells = [by_source.get(name, {}).get(month, 0) for name in coloured]
        other = sum(by_source.get(name, {}).get(month, 0) for name in others)
        rows.append([month, *cells, *([other] if others else []), sum(cells) + other])
    headers = ["month", *coloured, *(["other sources"] if others else []), "total"]
    table = _table(f"Records per month ({unit}s with records only)", headers, rows)
    legend = _legend((s.name, s.colour) for s in series)
    return _section("per-month", title, lead, svg, legend, note, table)


def _text_length(figures: Mapping[str, Any]) -> str:
    length = figures["text_length"]
    title = "Text length"
    if not length["records"]:
        return _section("text-length", title, _note_svg("text-length", title, "no records"))
    names = ["min", *(name for name, _ in QUANTILES), "max", "mean"]
    lead = (
        '<p class="lead">Characters of <code>text</code>: '
        + " · ".join(f"{name} {length[name]:,}" for name in names)
        + " (quantiles by nearest rank).</p>\n"
    )
    bins = length["histogram"]
    categories = [_bin_label(b["at_least"], b["below"]) for b in bins]
    words = {c: length_label(b["at_least"], b["below"]) for c, b in zip(categories, bins, strict=True)}
    series = [Series("records", COLOURS[0], [b["count"] for b in bins])]
    svg = columns_chart(
        "text-length",
        f"{title}: histogram of {_count(length['records'], 'record')} by characters of text",
        categories,
        series,
        lambda _, c, v: f"{words[c]} characters: {_count(v, 'record')}",
    )
    table = _table(
        "Records by text length",
        ["characters", "records"],
        [[words[c], b["count"]] for c, b in zip(categories, bins, strict=True)],
    )
    return _section("text-length", title, lead, svg, table)


def _bin_label(low: int, high: int | None) -> str:
    def short(n: int) -> str:
        return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)

    return f"≥{short(low)}" if high is None else f"{short(low)}–{short(high)}"


def _completeness(figures: Mapping[str, Any]) -> str:
    completeness = figures["completeness"]
    records = figures["records"]
    title = "Empty fields"
    lead = (
        f'<p class="lead">Share of records leaving each field empty (null, "", [], {{}} or missing); fields of '
        f"<code>{esc(completeness['fields_from'])}</code>, in its order.</p>\n"
    )
    if not records:
        return _section("completeness", title, lead, _note_svg("completeness", title, "no records"))
    rows = completeness["fields"]
    bars = [
        Bar(
            row["field"] + ("" if row["in_schema"] else " *"),
            [
                (
                    row["share_empty"],
                    "#d55e00",
                    f"{row['field']}: {row['empty']:,} of {_count(records, 'record')} empty "
                    f"({_percent(row['share_empty'])})",
                )
            ],
            _percent(row["share_empty"]),
        )
        for row in rows
    ]
    svg = bars_chart("completeness", f"{title}: percent of {_count(records, 'record')} empty, per field", bars, 1.0)
    note = (
        '<p class="note">* not in the schema: a field some records have besides it.</p>\n'
        if any(not row["in_schema"] for row in rows)
        else ""
    )
    table = _table(
        "Empty records per field",
        ["field", "empty", "share empty"],
        [[row["field"], row["empty"], _percent(row["share_empty"])] for row in rows],
    )
    return _section("completeness", title, lead, svg, note, table)


def _rejects(figures: Mapping[str, Any]) -> str:
    build = figures["build_report"]
    title = "Rejected files by rule"
    if not build["available"]:
        note = f"no build report: {build['reason']}"
        return _section("rejects", title, _note_svg("rejects", title, note))
    lead = (
        f'<p class="lead">{build["rejected"]:,} of {_count(build["inputs"], "raw file")} rejected '
        f"({build['rejected_acknowledged']:,} acknowledged in source.toml); a file may break several rules. "
        f"From <code>{esc(build['path'])}</code>.</p>\n"
    )
    by_rule = build["rejected_by_rule"]
    if not by_rule:
        return _section("rejects", title, lead, _note_svg("rejects", title, "no rejects"))
    top = max(by_rule.values())
    bars = [Bar(rule, [(n, "#d55e00", f"{rule}: {_count(n, 'file')}")], f"{n:,}") for rule, n in by_rule.items()]
    svg = bars_chart("rejects", f"{title}: {len(by_rule)} rules", bars, top)
    table = _table("Rejected files per rule", ["rule", "files"], list(by_rule.items()))
    filtered = build["filtered_by_reason"]
    if filtered:
        table += _table("Filtered items per reason", ["reason", "items"], list(filtered.items()))
    return _section("rejects", title, lead, svg, table)


def _duplicates(figures: Mapping[str, Any]) -> str:
    build = figures["build_report"]
    title = "Duplicates"
    if not build["available"]:
        note = f"no build report: {build['reason']}"
        return _section("duplicates", title, _note_svg("duplicates", title, note))
    reasons = ", ".join(f"{reason} {n:,}" for reason, n in build["duplicates_by_reason"].items())
    lead = (
        f'<p class="lead"><b>{_count(build["duplicates"], "duplicate")}</b> among {_count(build["inputs"], "raw file")}'
        + (f" ({esc(reasons)})" if reasons else "")
        + ": each dropped for its twin (the longest text is kept). What each source's files became:</p>\n"
    )
    per_source = build["per_source"]
    if not per_source:
        return _section("duplicates", title, lead, _note_svg("duplicates", title, "no raw files"))
    top = max(counts["inputs"] for counts in per_source.values()) or 1
    bars = [
        Bar(
            source,
            [(counts[key], colour, f"{source}: {counts[key]:,} {key}") for key, colour in OUTCOMES],
            f"{counts['inputs']:,}",
        )
        for source, counts in per_source.items()
    ]
    svg = bars_chart("duplicates", f"{title}: {build['duplicates']:,}; raw files of each source by outcome", bars, top)
    legend = _legend((key, colour) for key, colour in OUTCOMES)
    table = _table(
        "Raw files per source and outcome",
        ["source", "inputs", *(key for key, _ in OUTCOMES)],
        [[source, counts["inputs"], *(counts[key] for key, _ in OUTCOMES)] for source, counts in per_source.items()],
    )
    examples = build["duplicate_examples"]
    if examples:
        table += _table(
            f"The first {len(examples)} duplicates",
            ["raw file", "copy of", "reason"],
            [[e["raw_path"] or "", e["kept_raw_path"] or "", e["reason"] or ""] for e in examples],
        )
    return _section("duplicates", title, lead, svg, legend, table)


def _publishers(figures: Mapping[str, Any]) -> str:
    publishers = figures["original_publishers"]
    title = "Top original publishers"
    if not figures["records"]:
        return _section("publishers", title, _note_svg("publishers", title, "no records"))
    if not publishers["records_with"]:
        why = "no record names one" if publishers["field_in_schema"] else "the schema has no original_publisher"
        return _section("publishers", title, _note_svg("publishers", title, why))
    lead = (
        f'<p class="lead">Where the text came from (<code>original_publisher</code>): '
        f"{_count(publishers['records_with'], 'record')} of {figures['records']:,} name one, "
        f"{publishers['distinct']:,} distinct.</p>\n"
    )
    top = publishers["top"]
    most = max(entry["records"] for entry in top)
    bars = [
        Bar(
            e["name"],
            [(e["records"], COLOURS[0], f"{e['name']}: {_count(e['records'], 'record')}")],
            f"{e['records']:,}",
        )
        for e in top
    ]
    svg = bars_chart("publishers", f"{title}: the {len(top)} most frequent", bars, most)
    table = _table(
        "Records per original publisher", ["original publisher", "records"], [[e["name"], e["records"]] for e in top]
    )
    return _section("publishers", title, lead, svg, table)


def _verify(figures: Mapping[str, Any]) -> str:
    verify = figures["verify"]
    if not verify["ran"]:
        return (
            '<section class="verify skipped" id="verify" aria-label="verify status">\n'
            '<p class="verdict">Verify: not run</p>\n'
            '<p class="note">Made with --no-verify: run <code>newspkg verify</code> to prove the package intact.</p>\n'
            "</section>\n"
        )
    ok = verify["ok"]
    counts = f"{_count(verify['errors'], 'error')}, {_count(verify['warnings'], 'warning')}"
    verdict = (
        f"Verify: OK, the package is intact ({_count(verify['records'], 'record')} checked)"
        if ok
        else f"Verify: PROBLEMS, {_count(verify['errors'], 'error')}: the package is not intact"
    )
    lines = [f"<p>{esc(counts)}, as <code>newspkg verify</code> finds them.</p>\n"]
    for key, label in (("errors_by_rule", "Errors by rule"), ("warnings_by_rule", "Warnings by rule")):
        if verify[key]:
            items = "".join(f"<li><code>{esc(rule)}</code> {n:,}</li>" for rule, n in verify[key].items())
            lines.append(f'<p class="note">{label}:</p><ul class="plain">{items}</ul>\n')
    if verify["first_errors"]:
        items = "".join(f"<li>{esc(line)}</li>" for line in verify["first_errors"])
        lines.append(f'<p class="note">First errors:</p><ul class="plain">{items}</ul>\n')
    kind = "ok" if ok else "problems"
    return (
        f'<section class="verify {kind}" id="verify" aria-label="verify status">\n'
        f'<p class="verdict">{esc(verdict)}</p>\n' + "".join(lines) + "</section>\n"
    )


def _overview(figures: Mapping[str, Any]) -> str:
    months = figures["per_month"]["months"]
    build = figures["build_report"]
    items = [
        ("records", f"{figures['records']:,}"),
        ("sources", f"{len(figures['per_source']):,}"),
        ("published", f"{months[0]} – {months[-1]}" if months else "–"),
        ("median length", f"{figures['text_length']['median']:,}" if figures["text_length"]["records"] else "–"),
    ]
    if build["available"]:
        items += [("rejected", f"{build['rejected']:,}"), ("duplicates", f"{build['duplicates']:,}")]
    if figures["unreadable_lines"]:
        items.append(("unreadable lines", f"{figures['unreadable_lines']:,}"))
    cells = "".join(f"<li><b>{esc(value)}</b>{esc(name)}</li>" for name, value in items)
    return f'<section id="overview" aria-label="overview">\n<ul class="figures">{cells}</ul>\n</section>\n'


def render_page(figures: Mapping[str, Any]) -> str:
    """The page for ``figures`` (from :func:`~newspkg.consume.stats.corpus_stats`), as text."""
    described = figures["package"]
    title = described["title"] or described["name"] or "Data package"
    sub = " · ".join(
        part
        for part in (
            described["name"] if described["title"] else None,
            f"version {described['version']}" if described["version"] else None,
            _count(figures["records"], "record"),
        )
        if part
    )
    sections = [
        _verify(figures),
        _overview(figures),
        _per_month(figures),
        _text_length(figures),
        _completeness(figures),
        _rejects(figures),
        _duplicates(figures),
        near_figures.html_section(figures.get("near_duplicates")),
        _publishers(figures),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{esc(title)}: a picture of the corpus</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f'<h1>{esc(title)}</h1>\n<p class="sub">{esc(sub)}</p>\n'
        + "".join(sections)
        + "<footer>Drawn by <code>newspkg report</code> from the figures of <code>newspkg stats --format json</code> "
        f"(stats version {figures['stats_version']}).</footer>\n"
        "</main>\n</body>\n</html>\n"
    )
