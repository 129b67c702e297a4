"""A picture of the corpus: ``stats`` prints a package's figures, ``report`` draws them as one HTML page."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from newspkg import report
from newspkg.build import build_lock
from newspkg.cli.common import EXIT_CLEAN, Context, exits_on_config_errors, progress_on_first_report
from newspkg.consume import report_page, stats, stats_text
from newspkg.consume.descriptor import descriptor_file
from newspkg.consume.figures import Figures
from newspkg.write import BytesFile

PATH_ARGUMENT = click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
NO_VERIFY = click.option(
    "--no-verify", is_flag=True, help="Skip the verify check (the slow part on a large package); the status says so."
)


def _json_lines(figures: Figures) -> Iterator[str]:
    yield report.json_text(figures.to_dict(), indent=2)


# The renderers of `newspkg stats`, by the name --format takes.
RENDERERS: dict[str, Callable[[Figures], Iterator[str]]] = {
    "text": stats_text.text_lines,
    "json": _json_lines,
    "markdown": stats_text.markdown_lines,
}


def figures_of(path: Path, *, verify: bool) -> tuple[Path, Figures]:
    """The package's descriptor and its figures, with progress bars on a terminal."""
    descriptor = descriptor_file(path)
    status = None
    if verify:
        with progress_on_first_report("verifying") as progress:
            status = stats.verify_status(descriptor, progress)
    with progress_on_first_report("reading records") as progress:
        return descriptor, stats.corpus_stats(descriptor, verify=status, progress=progress)


@click.command("stats")
@PATH_ARGUMENT
@click.option(
    "--format", "fmt", type=click.Choice(list(RENDERERS)), default="text", show_default=True,
    help="text for people; json: one object, the figures `newspkg report` draws; markdown: tables for a "
    "release page.",
)  # fmt: skip
@NO_VERIFY
@click.pass_obj
@exits_on_config_errors
def stats_command(obj: Context, path: Path | None, fmt: str, no_verify: bool) -> int:
    """The corpus in figures: PATH is a package's folder or its datapackage.json (default: --root).

    Records per month of each source (the date published_at writes, in its own offset), text length
    (quantiles and a histogram), the share of records leaving each field of the schema empty,
    rejects by rule and duplicates from the build report, the top original publishers, the build's
    verdict and whether `newspkg verify` finds the package intact, and the resources the package
    lacks. The records are read a line at a time. Exit code 0 whatever verify finds (`newspkg
    verify` is the check that fails).
    """
    _, figures = figures_of(path or obj.root, verify=not no_verify)
    for line in RENDERERS[fmt](figures):
        sys.stdout.write((line if fmt == "json" else report.printable(line)) + "\n")
    return EXIT_CLEAN


@click.command("report")
@PATH_ARGUMENT
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
    help="The page to write; - for standard output.  [default: <package folder>/build/report.html]",
)  # fmt: skip
@NO_VERIFY
@click.option(
    "--wait", is_flag=True, help="When a build of the package's dataset is running, wait for it (else exit 3)."
)
@click.pass_obj
@exits_on_config_errors
def report_command(obj: Context, path: Path | None, output: Path | None, no_verify: bool, wait: bool) -> int:
    """Draw the corpus as one HTML page: PATH is a package's folder or its datapackage.json (default: --root).

    The figures of `newspkg stats` as charts (articles per month and source, text length, empty
    fields, rejects by rule, duplicates, top original publishers) under the build's and verify's
    verdicts, side by side. One
    self-contained file: inline CSS and SVG, no script, nothing fetched when it is viewed; the same
    package gives the same bytes. Exit code 0 whatever verify finds. Written into the package (no
    --output), the page is made under the dataset's build lock: 3 when a build or another report holds
    it (see --wait).
    """
    package = descriptor_file(path or obj.root).parent
    with build_lock(package, wait) if output is None else contextlib.nullcontext():
        descriptor, figures = figures_of(path or obj.root, verify=not no_verify)
        page = report_page.render_page(figures)
        if output is not None and str(output) == "-":
            sys.stdout.write(page)
            return EXIT_CLEAN
        target = output or descriptor.parent / "build" / "report.html"
        with BytesFile(target, page.encode(), within=None if output else descriptor.parent) as file:
            file.commit()
    verify = figures.verify
    status = "not verified" if not verify.ran else "verify OK" if verify.ok else "verify FAILED"
    missing = "".join(f"; missing: {what}" for what in figures.missing)
    sys.stdout.write(
        report.printable(f"wrote {target}: {report.count(figures.records, 'record')}, {status}{missing}") + "\n"
    )
    return EXIT_CLEAN
