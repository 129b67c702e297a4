"""A picture of the corpus: ``stats`` prints a package's figures, ``report`` draws them as one HTML page."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from newspkg import report
from newspkg.cli.common import EXIT_CLEAN, Context, exits_on_config_errors, progress_on_first_report
from newspkg.consume import report_page, stats
from newspkg.consume.descriptor import descriptor_file
from newspkg.write import BytesFile

PATH_ARGUMENT = click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
NO_VERIFY = click.option(
    "--no-verify", is_flag=True, help="Skip the verify check (the slow part on a large package); the status says so."
)


def figures_of(path: Path, *, verify: bool) -> tuple[Path, dict[str, Any]]:
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
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text for people; json: one object, the figures `newspkg report` draws.",
)  # fmt: skip
@NO_VERIFY
@click.pass_obj
@exits_on_config_errors
def stats_command(obj: Context, path: Path | None, fmt: str, no_verify: bool) -> int:
    """The corpus in figures: PATH is a package's folder or its datapackage.json (default: --root).

    Records per month of each source (the date published_at writes, in its own offset), text length
    (quantiles and a histogram), the share of records leaving each field of the schema empty,
    rejects by rule and duplicates from the build report, the top original publishers, and whether
    `newspkg verify` finds the package intact. The records are read a line at a time. Exit code 0
    whatever verify finds (`newspkg verify` is the check that fails).
    """
    _, figures = figures_of(path or obj.root, verify=not no_verify)
    if fmt == "json":
        sys.stdout.write(report.json_text(figures, indent=2) + "\n")
    else:
        for line in stats.text_lines(figures):
            sys.stdout.write(report.printable(line) + "\n")
    return EXIT_CLEAN


@click.command("report")
@PATH_ARGUMENT
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
    help="The page to write; - for standard output.  [default: <package folder>/build/report.html]",
)  # fmt: skip
@NO_VERIFY
@click.pass_obj
@exits_on_config_errors
def report_command(obj: Context, path: Path | None, output: Path | None, no_verify: bool) -> int:
    """Draw the corpus as one HTML page: PATH is a package's folder or its datapackage.json (default: --root).

    The figures of `newspkg stats` as charts (articles per month and source, text length, empty
    fields, rejects by rule, duplicates, top original publishers) under the verify status. One
    self-contained file: inline CSS and SVG, no script, nothing fetched when it is viewed; the same
    package gives the same bytes. Exit code 0 whatever verify finds.
    """
    descriptor, figures = figures_of(path or obj.root, verify=not no_verify)
    page = report_page.render_page(figures)
    if output is not None and str(output) == "-":
        sys.stdout.write(page)
        return EXIT_CLEAN
    target = output or descriptor.parent / "build" / "report.html"
    with BytesFile(target, page.encode(), within=None if output else descriptor.parent) as file:
        file.commit()
    verify = figures["verify"]
    status = "not verified" if not verify["ran"] else "verify OK" if verify["ok"] else "verify FAILED"
    sys.stdout.write(f"wrote {target}: {report.count(figures['records'], 'record')}, {status}\n")
    return EXIT_CLEAN
