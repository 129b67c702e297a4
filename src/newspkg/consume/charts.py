"""The report page's charts as shapes: where each bar, label and grid line goes. Geometry only; the
template ``templates/chart.svg.j2`` writes the SVG, escaping every text."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

WIDTH = 720  # every chart's viewBox width; the page scales it
LEFT = 52  # room for the value axis of column charts
RIGHT_PAD = 28  # room for half the last category's label
LABELS = 170  # room for the labels of bar charts
RIGHT = 64  # room for the value after a bar
ROW = 22  # height of one bar chart row
MAX_X_LABELS = 12
LABEL_UNITS = 26  # a label longer than this (wide characters count 2) is cut, whole in its tooltip


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    title: str
    fill: str = ""
    css: str = ""  # a class instead of a fill ("track")


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    css: str = ""
    anchor: str = ""
    title: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    x2: float
    y1: float
    y2: float
    stroke: str = ""


@dataclass
class Chart:
    """One ``<svg data-chart=…>``: its label (aria-label and title) and its shapes, drawn in order."""

    name: str
    label: str
    height: float
    shapes: list[Rect | Text | Line] = field(default_factory=list)
    width: int = WIDTH


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: Sequence[int]


@dataclass(frozen=True)
class Bar:
    label: str
    parts: Sequence[tuple[int | float, str, str]]  # (value, colour, tooltip) stacked left to right
    value_text: str


def short(label: str) -> str:
    """``label`` cut to :data:`LABEL_UNITS` (a wide character counts twice), with an ellipsis when cut."""
    units = 0
    for index, character in enumerate(label):
        units += 2 if unicodedata.east_asian_width(character) in "WF" else 1
        if units > LABEL_UNITS:
            return label[: index - 1] + "…"
    return label


def note_chart(name: str, label: str, note: str) -> Chart:
    """A chart with nothing to draw: its place kept, saying why."""
    return Chart(name, f"{label}: {note}", 48, [Text(WIDTH / 2, 28, note, css="note", anchor="middle")])


def nice_step(top: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` intervals up to ``top``."""
    raw = max(top / ticks, 1)
    power = int(10 ** math.floor(math.log10(raw)))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


def columns_chart(
    name: str, label: str, categories: Sequence[str], series: Sequence[Series], tooltip: Callable[[str, str, int], str]
) -> Chart:
    """Stacked columns, one per category, each series a colour; ``tooltip(series, category, value)``."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    step = nice_step(max(totals, default=0))
    top = max(step, math.ceil(max(totals, default=0) / step) * step)
    plot_top, plot_height = 10, 180
    chart = Chart(name, label, plot_top + plot_height + 36)
    band = (WIDTH - LEFT - RIGHT_PAD) / max(len(categories), 1)
    bar = max(band * 0.78, 1)
    for tick in range(0, top + 1, step):
        y = plot_top + plot_height - plot_height * tick / top
        chart.shapes += [Line(LEFT, WIDTH - RIGHT_PAD, y, y), Text(LEFT - 6, y + 4, f"{tick:,}", "axis", "end")]
    every = math.ceil(len(categories) / MAX_X_LABELS)
    for index, category in enumerate(categories):
        x = LEFT + band * index + (band - bar) / 2
        base = float(plot_top + plot_height)
        for s in series:
            value = s.values[index]
            if value:
                height = plot_height * value / top
                base -= height
                chart.shapes.append(Rect(x, base, bar, height, tooltip(s.name, category, value), fill=s.colour))
        if index % every == 0:
            middle = LEFT + band * index + band / 2
            chart.shapes.append(Text(middle, plot_top + plot_height + 16, category, "axis", "middle"))
    axis = plot_top + plot_height
    chart.shapes.append(Line(LEFT, WIDTH - RIGHT_PAD, axis, axis, stroke="#59636e"))
    return chart


def bars_chart(name: str, label: str, bars: Sequence[Bar], top: float) -> Chart:
    """Horizontal bars on a light track, a label at the left and the value at the right."""
    width = WIDTH - LABELS - RIGHT
    chart = Chart(name, label, 8 + ROW * len(bars))
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        chart.shapes.append(Text(LABELS - 8, y + 13, short(bar.label), anchor="end", title=bar.label))
        chart.shapes.append(Rect(LABELS, y + 2, width, ROW - 6, bar.label, css="track"))
        x = float(LABELS)
        for value, colour, tooltip in bar.parts:
            if value <= 0:
                continue
            w = width * value / top if top else 0
            chart.shapes.append(Rect(x, y + 2, max(w, 1), ROW - 6, tooltip, fill=colour))
            x += w
        chart.shapes.append(Text(LABELS + width + 6, y + 13, bar.value_text, "axis"))
    return chart
