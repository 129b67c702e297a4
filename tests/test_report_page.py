"""`newspkg report`: one self-contained HTML page, checked as text and in headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from newspkg.consume import report_page, stats
from packages import build_package, invoke, record, write_package

CHARTS = ("per-month", "text-length", "completeness", "rejects", "duplicates", "publishers")
NOTES = ("near-duplicates",)  # nothing repeats in the page's package: a chart saying so, without bars
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOADS = re.compile(r"<script|<link|<img|<iframe|<object|<embed|@import|url\(|\bsrc\s*=|\bhref\s*=", re.IGNORECASE)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_package(tmp_path_factory.mktemp("report") / "package")


@pytest.fixture(scope="module")
def page(built_once: Path) -> Path:
    """The page `newspkg report` writes for the built seeds, at its default place."""
    result = invoke("--root", str(built_once), "report")
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {built_once / 'build' / 'report.html'}: 4 records, verify OK\n"
    return built_once / "build" / "report.html"


def svg_of(html: str, chart: str) -> str:
    match = re.search(rf'<svg data-chart="{chart}".*?</svg>', html, re.DOTALL)
    assert match, f"no {chart} chart"
    return match.group(0)


def test_the_page_loads_nothing(page: Path) -> None:
    """No script, stylesheet link, image, import or url(): nothing to fetch; a CSP forbids it anyway."""
    html = page.read_text(encoding="utf-8")
    assert LOADS.findall(html) == []
    assert not re.search(r"https?://", html)
    assert "content=\"default-src 'none'; style-src 'unsafe-inline'\"" in html


def test_every_chart_is_an_accessible_svg(page: Path) -> None:
    """Each chart: role img, an aria-label, a <title> first, a <title> on each bar, a table of its numbers."""
    html = page.read_text(encoding="utf-8")
    for chart in CHARTS:
        svg = svg_of(html, chart)
        opening = re.match(
            r'<svg data-chart="[^"]+" role="img" aria-label="([^"]+)"[^>]*>\n<title>([^<]+)</title>', svg
        )
        assert opening, svg[:200]
        assert opening.group(1) == opening.group(2)
        rects = re.findall(r"<rect (?!class=\"track\")[^>]*>(<title>[^<]+</title>)?", svg)
        assert rects, chart
        assert all(title for title in rects), chart
    assert html.count("<details><summary>") >= len(CHARTS)
    assert '<section class="verify ok"' in html
    assert "Verify: OK, the package is intact (4 records checked)" in html


def test_the_charts_draw_the_figures(page: Path, built_once: Path) -> None:
    """Bars carry the package's numbers: the finews February, the reject, the empty modified_at share."""
    html = page.read_text(encoding="utf-8")
    assert "<title>finews, 2022-02: 2 records</title>" in svg_of(html, "per-month")
    assert "<title>schema:required: 1 file</title>" in svg_of(html, "rejects")
    assert "<title>modified_at: 3 of 4 records empty (75.0 %)</title>" in svg_of(html, "completeness")
    assert "<title>1,000–1,999 characters: 2 records</title>" in svg_of(html, "text-length")
    assert "<title>unknown: 1 rejected</title>" in svg_of(html, "duplicates")
    assert "<title>阳泉日报: 1 record</title>" in svg_of(html, "publishers")


def test_the_same_package_gives_the_same_bytes(page: Path, built_once: Path, tmp_path: Path) -> None:
    """Rendered again from a copy elsewhere: byte-identical (no time, no path of this machine)."""
    copy = Path(shutil.copytree(built_once, tmp_path / "elsewhere"))
    result = invoke("report", str(copy / "datapackage.json"), "--output", str(tmp_path / "again.html"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again.html").read_bytes() == page.read_bytes()
    assert invoke("report", str(copy), "--output", "-").output == page.read_text(encoding="utf-8")


def test_text_from_the_data_is_escaped(tmp_path: Path) -> None:
    """Markup in a title, a source name, a publisher or a rule arrives as text, never as markup."""
    hostile = '<script>alert("x")</script><img src=https://example.org/x.png>'
    descriptor = write_package(
        tmp_path,
        [record(source=hostile, original_publisher=hostile), record(original_publisher="a\x00b&c")],
        report={"inputs": 2, "rejected": 1, "rejected_by_rule": {hostile: 1}, "per_source": {hostile: {"inputs": 2}}},
    )
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    descriptor.write_text(json.dumps({**data, "title": hostile}), encoding="utf-8")
    html = report_page.render_page(stats.corpus_stats(descriptor))
    assert re.findall(r"<(?:script|img|link|iframe|object|embed)\b", html, re.IGNORECASE) == []
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "a\ufffdb&amp;c" in html
    assert "\x00" not in html


def test_an_empty_package_says_no_records_in_each_chart(tmp_path: Path) -> None:
    """0 records: the record charts are kept, each saying "no records"; the reject is still drawn."""
    package = build_package(tmp_path / "package", keep_sources=("unknown",))
    html = report_page.render_page(stats.corpus_stats(package / "datapackage.json"))
    for chart in ("per-month", "text-length", "completeness", "publishers"):
        svg = svg_of(html, chart)
        assert '<text class="note" x="360" y="28" text-anchor="middle">no records</text>' in svg, chart
        assert "<rect" not in svg
    assert "<title>schema:required: 1 file</title>" in svg_of(html, "rejects")
    assert "0 records" in html


def test_a_missing_build_report_is_said(tmp_path: Path, built_once: Path) -> None:
    """Without build/report.json the rejects and duplicates charts say why they are empty."""
    copy = Path(shutil.copytree(built_once, tmp_path / "package"))
    (copy / "build" / "report.json").unlink()
    (copy / "build" / "report.html").unlink(missing_ok=True)
    assert invoke("report", str(copy), "--no-verify").exit_code == 0
    html = (copy / "build" / "report.html").read_text(encoding="utf-8")
    for chart in ("rejects", "duplicates"):
        assert "no build report: build/report.json does not exist" in svg_of(html, chart)
    assert "Verify: not run" in html


def test_a_long_span_is_drawn_per_year_and_many_sources_share_a_colour(tmp_path: Path) -> None:
    """Thirty years of months are drawn as 31 yearly columns; sources beyond the palette are one series."""
    rows = [
        record(source=f"source-{i % 10}", published_at=f"{1995 + i % 31}-{1 + i % 12:02d}-01T00:00:00+01:00")
        for i in range(200)
    ]
    html = report_page.render_page(stats.corpus_stats(write_package(tmp_path, rows)))
    svg = svg_of(html, "per-month")
    labels = re.findall(r'<text class="axis"[^>]*text-anchor="middle">(\d{4})</text>', svg)
    assert labels[0] == "1995"
    assert len(labels) == 11  # every third of 31 years
    assert "4 other sources" in html
    assert len(set(re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"', svg))) == len(report_page.COLOURS)


# ---- in a browser ----------------------------------------------------------------------------------


def chromium() -> str:
    """Debian's Chromium for playwright, or skip (fail when NEWSPKG_REQUIRE_CHROMIUM=1, as in CI)."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (Python) is not installed")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        missing.append("no chromium on PATH")
    if missing:
        reason = "; ".join(missing)
        if os.environ.get("NEWSPKG_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"NEWSPKG_REQUIRE_CHROMIUM=1 but {reason}")
        pytest.skip(reason)
    assert executable is not None
    return executable


def test_the_page_in_headless_chromium(page: Path, tmp_path: Path) -> None:
    """Opened from file://: no console error, no page error, no request but the file itself; every chart
    drawn (shapes with a size); a full-page screenshot is saved."""
    executable = chromium()
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    url = page.as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 900, "height": 900})
            tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            tab.on("pageerror", lambda error: errors.append(str(error)))
            tab.on("request", lambda request: requests.append(request.url))
            tab.goto(url, wait_until="load")
            drawn: dict[str, Any] = tab.evaluate(
                """() => Object.fromEntries([...document.querySelectorAll("svg[data-chart]")].map(svg => {
                    const box = svg.getBoundingClientRect();
                    const shapes = [...svg.querySelectorAll("rect, path")].filter(shape => {
                        const b = shape.getBoundingClientRect();
                        return b.width > 0 && b.height > 0;
                    });
                    return [svg.dataset.chart, {shapes: shapes.length, width: box.width, height: box.height}];
                }))"""
            )
            screenshot = tmp_path / "report.png"
            tab.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert requests == [url]
    assert sorted(drawn) == sorted((*CHARTS, *NOTES))
    for chart, seen in ((chart, drawn[chart]) for chart in CHARTS):
        assert seen["shapes"] > 0, chart
        assert seen["width"] > 300, (chart, seen)
        assert seen["height"] > 20, (chart, seen)
    assert screenshot.stat().st_size > 10_000


def test_the_build_verdict_stands_beside_verify(tmp_path: Path) -> None:
    """A build that failed (a reject not acknowledged) is said FAILED beside verify's verdict, never
    under a lone green verify box."""
    report = {"inputs": 3, "accepted": 1, "rejected": 2, "rejected_acknowledged": 1, "rejected_by_rule": {"r:x": 2}}
    descriptor = write_package(tmp_path, [record()], report=report)
    html = report_page.render_page(stats.corpus_stats(descriptor, verify=stats.verify_status(descriptor)))
    verdicts = re.search(r'<div class="verdicts">\n(.*?)</div>', html, re.DOTALL)
    assert verdicts
    boxes = re.findall(r'<section class="(\w+) (\w+)" id="(\w+)"', verdicts.group(1))
    assert boxes == [("build", "problems", "build"), ("verify", "problems", "verify")]
    assert "Build: FAILED, 1 reject not acknowledged" in verdicts.group(1)
    assert "Verify: PROBLEMS" in verdicts.group(1)
