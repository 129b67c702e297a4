"""The data user's commands: ``verify`` and ``download``, and the package check ``validate
datapackage.json`` shares with them."""

from __future__ import annotations

import time
from itertools import chain
from pathlib import Path
from typing import Any

import click

from newspkg import report
from newspkg.cli.common import (
    EXIT_CLEAN,
    EXIT_PROBLEMS,
    THOROUGH_OPTION,
    Context,
    exits_on_config_errors,
    output_options,
    progress_on_first_report,
)
from newspkg.consume import download
from newspkg.consume.check import check_package
from newspkg.consume.descriptor import descriptor_file
from newspkg.issues import Issue, Severity

ALLOW_REMOTE = click.option(
    "--allow-remote", is_flag=True,
    help="Accept resources given as URLs (other than the article resources) as unchecked warnings; "
    "nothing is ever fetched.",
)  # fmt: skip


@click.command("verify")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@ALLOW_REMOTE
@THOROUGH_OPTION
@output_options
@click.pass_obj
@exits_on_config_errors
def verify_command(obj: Context, path: Path | None, allow_remote: bool, thorough: bool, output: report.Output) -> int:
    """Prove a downloaded package intact: PATH is its folder or its datapackage.json (default: --root).

    Everything `validate datapackage.json` checks, plus: every resource and schema path is a plain
    relative path that stays inside the package (no .., ~, hidden part, backslash or link leading
    out), nothing is fetched (URLs are reported), and the package is only read, never modified.
    """
    path = path or obj.root
    descriptor = descriptor_file(path)
    return check_and_report(descriptor, output, strict=True, allow_remote=allow_remote, thorough=thorough)


@click.command("download")
@click.argument("url")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--max-bytes", type=click.IntRange(min=1), default=download.MAX_BYTES, show_default=True,
    help="The most the whole package may weigh as received (Parquet compressed; verify bounds what each row "
    "group decodes to); each file is also held to its declared size.",
)  # fmt: skip
@ALLOW_REMOTE
@output_options
@exits_on_config_errors
def download_command(url: str, directory: Path, max_bytes: int, allow_remote: bool, output: report.Output) -> int:
    """Fetch a published package over HTTP(S) into DIRECTORY, then verify it.

    URL is the package's datapackage.json, or its folder ending in /. Each file is streamed to
    <path>.partial (resumed with a Range request when one is there) and renamed into place when
    complete. Unsafe paths are never requested. Exit code as verify's.
    """
    fetched = download.download(url, directory, max_bytes=max_bytes)
    return check_and_report(
        fetched.descriptor, output, strict=True, allow_remote=allow_remote, before=fetched.issues,
        title=f"newspkg download: {url} → {directory}",
        extra={"files_fetched": fetched.fetched, "files_kept": fetched.kept, "files_resumed": fetched.resumed,
               "bytes_received": fetched.bytes},
    )  # fmt: skip


def check_and_report(
    path: Path,
    output: report.Output,
    *,
    strict: bool = False,
    allow_remote: bool = False,
    thorough: bool = False,
    before: list[Issue] | None = None,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    """Check the package at ``path``; write its issues, its figures and a verdict."""
    started = time.monotonic()
    with progress_on_first_report("checking records") as progress:
        result = check_package(path, strict=strict, allow_remote=allow_remote, thorough=thorough, progress=progress)
    counts = report.write_issues(chain(before or [], result.issues), output, "see --format json")
    errors = counts[Severity.ERROR]
    warnings = sum(issue.severity is Severity.WARNING for issue in before or []) + result.warnings_by_rule.total()
    seconds = time.monotonic() - started
    figures = {
        "package": str(path),
        "records": result.records,
        "errors": errors,
        "warnings": warnings,
        "warnings_by_rule": dict(sorted(result.warnings_by_rule.items())),
        **(extra or {}),
    }
    if seconds >= report.MEANINGFUL_SECONDS:
        figures["records_per_second"] = round(result.records / seconds)
    command = "verify" if strict else "validate"
    if errors:
        verdict = f"FAILED: {report.count(errors, 'error')} in {path}: the package is not intact"
    else:
        verdict = f"OK: {path} is intact, {report.count(result.records, 'record')} checked"
    report.write_package_summary(figures, output, title or f"newspkg {command}: {path}", verdict)
    return EXIT_PROBLEMS if errors else EXIT_CLEAN
