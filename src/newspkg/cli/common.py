"""What the commands share: the context, the options, exit codes and progress bars."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from newspkg import report
from newspkg.build import Engine
from newspkg.config import Project, available_cores, load_project
from newspkg.discover import project_raw_paths
from newspkg.errors import BuildBusy, DiskFull, NewspkgError
from newspkg.schema import SchemaSet, load_schemas

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_CONFIG = 0, 1, 2
EXIT_BUSY = 3  # another build of the dataset is running
EXIT_DISK_FULL = 4  # no space (or quota) left: nothing was replaced
EXIT_CODES: dict[type[NewspkgError], int] = {BuildBusy: EXIT_BUSY, DiskFull: EXIT_DISK_FULL}
OUTPUT_OPTIONS = (
    click.option(
        "--format", "fmt", type=click.Choice(sorted(report.FORMATS)), default="text", show_default=True,
        help="text for people, json (one issue per line, then a summary line) for tools, "
        "github for workflow annotations.",
    ),
    click.option(
        "--max-issues", type=click.IntRange(min=0), default=report.DEFAULT_MAX_PER_RULE, show_default=True,
        help="Issues shown per rule in text and github reports (0: all); JSON lists every issue.",
    ),
    click.option("--quiet", "-q", is_flag=True, help="Print only the verdict (with --format json, the summary)."),
)  # fmt: skip
ENGINE_OPTIONS = (
    click.option(
        "--jobs", "-j", type=click.IntRange(min=1), default=available_cores, show_default="all cores",
        help="Worker processes (with --engine ray and no --address: CPUs of the local Ray cluster).",
    ),
    click.option(
        "--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
        help="local: a process pool on this machine; ray: Ray tasks (pip install 'newspkg[ray]').",
    ),
    click.option("--address", default=None, help="With --engine ray: the cluster to join (default: a local one)."),
    click.option("--no-cache", is_flag=True, help="Convert every file, ignoring build/.cache/."),
)  # fmt: skip
THOROUGH_OPTION = click.option(
    "--thorough", is_flag=True,
    help="For a package: also recompute every record's fingerprint from its text (much slower).",
)  # fmt: skip


@dataclass(frozen=True)
class Context:
    root: Path

    def project(self) -> tuple[Project, SchemaSet]:
        project = load_project(self.root)
        return project, load_schemas(project.schema_dir)


def exits_on_config_errors(command: Callable[..., int]) -> Callable[..., None]:
    """Turn the library's "cannot continue" exceptions into one message and an exit code, in one
    place: 3 when another build is running, 4 when the disk is full, else 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except NewspkgError as error:
            click.echo(f"newspkg: error: {report.printable(str(error))}", err=True)
            sys.exit(EXIT_CODES.get(type(error), EXIT_CONFIG))
        sys.exit(code)

    return wrapper


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--format, --max-issues and --quiet, handed to the command as one ``output``."""

    @functools.wraps(command)
    def wrapper(*args: Any, fmt: str, max_issues: int, quiet: bool, **kwargs: Any) -> Any:
        return command(*args, output=report.Output(sys.stdout, fmt, max_issues, quiet), **kwargs)

    for option in reversed(OUTPUT_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def engine_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--jobs, --engine, --address and --no-cache, handed to the command as one ``engine``."""

    @functools.wraps(command)
    def wrapper(*args: Any, jobs: int, engine: str, address: str | None, no_cache: bool, **kwargs: Any) -> Any:
        if address and engine != "ray":
            raise click.UsageError("--address goes with --engine ray")
        return command(*args, engine=Engine(kind=engine, jobs=jobs, address=address, cache=not no_cache), **kwargs)

    for option in reversed(ENGINE_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def on_terminal() -> bool:
    """Whether progress can be shown: stderr is a terminal (not CI, not a pipe)."""
    return sys.stderr.isatty()


@contextlib.contextmanager
def progress_bar(label: str, total: Callable[[], int]) -> Iterator[Callable[[int], None] | None]:
    """A progress bar of ``total()`` steps on a terminal; nothing at all elsewhere."""
    if not on_terminal():
        yield None
        return
    with click.progressbar(length=total(), label=label, file=sys.stderr, show_pos=True, show_eta=True) as bar:
        yield bar.update


def raw_count(project: Project) -> int:
    return sum(1 for _ in project_raw_paths(project))


@contextlib.contextmanager
def progress_on_first_report(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar for work whose size is known once it starts, on a terminal; nothing elsewhere."""
    if not on_terminal():
        yield None
        return
    with contextlib.closing(BarOnFirstReport(label)) as bar:
        yield bar


class BarOnFirstReport:
    """A progress bar for work whose size is known only once it starts (a package's records): drawn
    at the first report, which gives the total, and advanced by each."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self._label, file=sys.stderr, show_eta=True)
            self._bar.__enter__()
        self._bar.update(done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
