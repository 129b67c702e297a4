"""The release manager's command: ``diff``, what changed between two published packages."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newspkg.cli.common import EXIT_CLEAN, EXIT_PROBLEMS, exits_on_config_errors
from newspkg.consume import diff, diff_render


@click.command("diff")
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(list(diff_render.RENDERERS)), default="text", show_default=True,
    help="text for people, json (everything, every id, one object) for tools, markdown for release notes.",
)  # fmt: skip
@click.option(
    "--max-records", type=click.IntRange(min=0), default=diff.DEFAULT_MAX_RECORDS, show_default=True,
    help="Records listed per kind (added, removed, changed) in text and markdown (0: all); JSON lists every id.",
)  # fmt: skip
@exits_on_config_errors
def diff_command(old: Path, new: Path, fmt: str, max_records: int) -> int:
    """Compare two published packages: OLD and NEW are each a folder or its datapackage.json.

    Records are matched by id: added, removed, changed (naming the fields that differ) and
    unchanged. The record schemas (schema/article.schema.json, the extensions in schema/sources/)
    and the descriptors' Table Schemas are compared, and each change is classified as breaking or
    not for code that reads the records. Exit code 1 when a change is breaking (a release guard for
    CI), 0 when none is, 2 when a package cannot be read.
    """
    result = diff.diff_packages(old, new, summarised=max_records if fmt == "markdown" else -1)
    for text in diff_render.RENDERERS[fmt](result, max_records):
        sys.stdout.write(text)
    return EXIT_PROBLEMS if result.breaking else EXIT_CLEAN
