"""The ``newspkg`` command: parse options, call the library, pick the exit code.

The only package that prints or imports click. Exit codes: 0 clean, 1 problems found, 2 usage or
configuration error, 3 another build of the dataset running, 4 disk or quota full. The
maintainer's commands are in :mod:`~newspkg.cli.dataset`, the data
user's in :mod:`~newspkg.cli.package`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

if sys.platform == "linux":  # before pyarrow is first imported: Arrow reads it once
    # Arrow's default allocator kept about a row group more per few groups a build wrote; jemalloc
    # hands them back (bench/RESULTS.md has the A/B).
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")

from newspkg import __version__
from newspkg.cli import dataset, package, picture, release
from newspkg.cli.common import Context


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newspkg")
@click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=Path(), show_default=True,
    help="The dataset repository: the folder holding raw/, schema/ and datapackage.json.",
)  # fmt: skip
@click.pass_context
def main(ctx: click.Context, root: Path) -> None:
    """Turn raw news files into a validated, reproducible Frictionless Data Package."""
    ctx.obj = Context(root)


for command in (
    dataset.init_command,
    dataset.sources_group,
    dataset.build_command,
    dataset.validate_command,
    dataset.show_command,
    package.verify_command,
    package.download_command,
    release.diff_command,
    picture.stats_command,
    picture.report_command,
    dataset.schema_command,
    dataset.rules_command,
):
    main.add_command(command)
