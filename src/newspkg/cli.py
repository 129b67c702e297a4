"""The ``newspkg`` command: parse options, call the library, pick the exit code.

The only module that prints or imports click. Exit codes: 0 clean, 1 problems found, 2 usage or
configuration error.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, TextIO

import click

if sys.platform == "linux":  # before pyarrow is first imported: Arrow reads it once
    # jemalloc, told to return freed memory soon (below), hands row-group buffers back
    # to the system; Arrow's default (mimalloc) kept about one more group's worth per few groups
    # written (newspkg build --jobs 1 --no-cache on 20k files: peak RSS 275 MB, with jemalloc 192 MB).
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")

import pyarrow as pa

from newspkg import __version__, report, rules, scaffold
from newspkg.build import Engine, build, check, convert_all, summarize
from newspkg.config import Project, available_cores, load_project
from newspkg.consume import download
from newspkg.consume.check import check_package
from newspkg.discover import project_raw_paths
from newspkg.errors import ConfigError, NewspkgError
from newspkg.issues import Issue, Severity
from newspkg.schema import SchemaSet, load_schemas
from newspkg.summary import BuildSummary

# Arrow's default, 0, returns every freed page at once, and the next row group faults them all in
# again: a rebuild that encodes 100k records' Parquet anew took a million page faults (perf stat -e
# page-faults around bench/rebuild.py's newspkg build). Kept for a quarter of a second, the pages
# are reused (bench/rebuild.py on 100k files, alternated 3x: system CPU 4.3-4.9 s -> 1.5-1.7 s,
# wall 9.3-10.6 s -> 8.4-9.5 s, peak RSS 189 -> 248-258 MB).
ARROW_FREED_MEMORY_KEPT_MS = 250
with contextlib.suppress(NotImplementedError):  # a pyarrow built without jemalloc
    pa.jemalloc_set_decay_ms(ARROW_FREED_MEMORY_KEPT_MS)

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_CONFIG = 0, 1, 2
FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(sorted(report.FORMATS)), default="text", show_default=True,
    help="text for people, json (one issue per line, then a summary line) for tools, github for workflow annotations.",
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


def _exits_on_config_errors(command: Callable[..., int]) -> Callable[..., None]:
    """Turn the library's "cannot continue" exceptions into one message and exit code 2, in one place."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except NewspkgError as error:
            click.echo(f"newspkg: error: {error}", err=True)
            sys.exit(EXIT_CONFIG)
        sys.exit(code)

    return wrapper


def _engine_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(ENGINE_OPTIONS):
        command = option(command)
    return command


def _engine(jobs: int, engine: str, address: str | None, no_cache: bool) -> Engine:
    if address and engine != "ray":
        raise click.UsageError("--address goes with --engine ray")
    return Engine(kind=engine, jobs=jobs, address=address, cache=not no_cache)


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


@main.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that exist (by default they are left alone).")
@_exits_on_config_errors
def init_command(directory: Path, force: bool) -> int:
    """Start a dataset repository in DIRECTORY (default: here): raw/ with an example source, schema/,
    datapackage.json to fill in, a README for the data, .gitignore, a CI workflow and pre-commit hooks."""
    written = scaffold.init(directory, force=force)
    _report_written(directory, written)
    sys.stdout.write(
        f"next: cd {directory}, fill in datapackage.json, put raw files in raw/<source>/ "
        "(newspkg sources add NAME --adapter ...), then newspkg build\n"
    )
    return EXIT_CLEAN


@main.group("sources")
def sources_group() -> None:
    """Manage the sources of a dataset repository (the folders under raw/)."""


@sources_group.command("add")
@click.argument("name")
@click.option("--adapter", required=True, help="The format of the raw files: jekyll, text, or a plugin's name.")
@click.option("--language", required=True, help="BCP 47 tag of the texts, e.g. en or zh-Hans.")
@click.option("--timezone", required=True, help="IANA zone for times without an offset, e.g. Europe/Paris.")
@click.option("--force", is_flag=True, help="Overwrite an existing source.toml.")
@click.pass_obj
@_exits_on_config_errors
def sources_add_command(obj: Context, name: str, adapter: str, language: str, timezone: str, force: bool) -> int:
    """Add raw/NAME/ with a source.toml that explains every key and lists the adapter's hints."""
    written = scaffold.add_source(obj.root, name, adapter, language=language, timezone=timezone, force=force)
    _report_written(obj.root, written)
    load_project(obj.root)  # what was written must read back: language, timezone and adapter are checked
    return EXIT_PROBLEMS if written.kept else EXIT_CLEAN


def _report_written(root: Path, written: scaffold.Written) -> None:
    for relative in written.created:
        sys.stdout.write(f"created {root / relative}\n")
    for relative in written.kept:
        sys.stdout.write(f"kept {root / relative} (it exists; --force overwrites it)\n")


@main.command("build")
@click.option(
    "--check", "check_only", is_flag=True, help="Write nothing; exit 1 if committed outputs differ from a rebuild."
)
@_engine_options
@FORMAT_OPTION
@click.pass_obj
@_exits_on_config_errors
def build_command(
    obj: Context, check_only: bool, jobs: int, engine: str, address: str | None, no_cache: bool, fmt: str
) -> int:
    """Convert raw/ into build/ and datapackage.json, and summarise what every file became.

    Exits 1 when a file is rejected and its source does not acknowledge that reject.
    """
    project, schemas = obj.project()
    options = _engine(jobs, engine, address, no_cache)
    if check_only:
        stale = check(project, schemas, engine=options)
        for path in stale:
            sys.stdout.write(f"{path}: differs from a rebuild (run newspkg build and commit the result)\n")
        if not stale:
            sys.stdout.write("build outputs are up to date\n")
        return EXIT_PROBLEMS if stale else EXIT_CLEAN
    started = time.monotonic()
    with _progress_bar("building", lambda: _raw_count(project)) as progress:
        summary = build(project, schemas, project.root, engine=options, progress=progress)
    title = "newspkg build: wrote build/articles.jsonl, build/articles.parquet, datapackage.json"
    _write_summary(summary, sys.stdout, fmt, title, time.monotonic() - started)
    return EXIT_PROBLEMS if summary.unacknowledged else EXIT_CLEAN


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_engine_options
@THOROUGH_OPTION
@FORMAT_OPTION
@click.pass_obj
@_exits_on_config_errors
def validate_command(
    obj: Context,
    paths: tuple[Path, ...],
    jobs: int,
    engine: str,
    address: str | None,
    no_cache: bool,
    thorough: bool,
    fmt: str,
) -> int:
    """Check raw files or folders (converted, nothing written), or a published datapackage.json.

    With no PATH, checks every raw file of the repository. A datapackage.json is checked as a
    consumer would: descriptor, bytes and hash of both resources, every record of both resources
    against the shipped schema and the rules, and JSONL and Parquet holding the same records.
    """
    packages = [p for p in paths if p.is_file() and p.suffix == ".json"]
    if packages and len(packages) != len(paths):
        raise click.UsageError("give either datapackage.json files or raw paths, not both")
    if packages:
        return max(_validate_package(path, sys.stdout, fmt, thorough=thorough) for path in packages)
    project, schemas = obj.project()
    wanted = _raw_selection(project, paths) if paths else None
    started = time.monotonic()
    outcomes = convert_all(project, schemas, only=wanted, engine=_engine(jobs, engine, address, no_cache))
    with _progress_bar("validating", lambda: len(wanted) if wanted is not None else _raw_count(project)) as progress:
        summary = summarize(outcomes, progress)
    if wanted is None:  # a check of every raw file: then an acknowledgement that names none is worth a word
        summary.warn_all(project.warnings)
    title = "newspkg validate: raw files checked, nothing written"
    _write_summary(summary, sys.stdout, fmt, title, time.monotonic() - started)
    return EXIT_PROBLEMS if summary.unacknowledged else EXIT_CLEAN


@main.command("verify")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--allow-remote", is_flag=True,
    help="Accept resources given as URLs (other than the article resources) as unchecked warnings; "
    "nothing is ever fetched.",
)  # fmt: skip
@THOROUGH_OPTION
@FORMAT_OPTION
@click.pass_obj
@_exits_on_config_errors
def verify_command(obj: Context, path: Path | None, allow_remote: bool, thorough: bool, fmt: str) -> int:
    """Prove a downloaded package intact: PATH is its folder or its datapackage.json (default: --root).

    Everything `validate datapackage.json` checks, plus: every resource and schema path is a plain
    relative path that stays inside the package (no .., ~, hidden part, backslash or link leading
    out), nothing is fetched (URLs are reported), and the package is only read, never modified.
    """
    path = path or obj.root
    descriptor = path / "datapackage.json" if path.is_dir() else path
    return _validate_package(descriptor, sys.stdout, fmt, strict=True, allow_remote=allow_remote, thorough=thorough)


@main.command("download")
@click.argument("url")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=download.MAX_BYTES,
    show_default=True,
    help="The most the whole package may weigh; each file is also held to its declared size.",
)
@click.option("--allow-remote", is_flag=True, help="As for verify: URL resources pass as unchecked warnings.")
@FORMAT_OPTION
@_exits_on_config_errors
def download_command(url: str, directory: Path, max_bytes: int, allow_remote: bool, fmt: str) -> int:
    """Fetch a published package over HTTP(S) into DIRECTORY, then verify it.

    URL is the package's datapackage.json, or its folder ending in /. Each file is streamed to
    <path>.partial (resumed with a Range request when one is there) and renamed into place when
    complete. Unsafe paths are never requested. Exit code as verify's.
    """
    fetched = download.download(url, directory, max_bytes=max_bytes)
    return _validate_package(
        fetched.descriptor, sys.stdout, fmt, strict=True, allow_remote=allow_remote, before=fetched.issues,
        title=f"newspkg download: {url} → {directory}",
        extra={"files_fetched": fetched.fetched, "files_kept": fetched.kept, "files_resumed": fetched.resumed,
               "bytes_received": fetched.bytes},
    )  # fmt: skip


@main.command("schema")
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json", "table", "arrow"]), default="markdown",
    show_default=True,
    help="markdown: a data dictionary; json: the composed JSON Schema; table: the Frictionless Table Schema; "
    "arrow: the Parquet Arrow schema.",
)  # fmt: skip
@click.option("--source", "extension", default=None, help="With --format json: the schema of this source's extension.")
@click.pass_obj
@_exits_on_config_errors
def schema_command(obj: Context, fmt: str, extension: str | None) -> int:
    """Print the record schema (the one newspkg ships, with schema/sources/ extensions) or what is derived from it."""
    schemas = load_schemas(obj.root / "schema")
    if fmt == "json":
        text = json.dumps(schemas.composed(extension), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "table":
        text = json.dumps(schemas.table_schema(), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "arrow":
        text = schemas.arrow_schema().to_string(show_schema_metadata=False) + "\n"
    else:
        text = schemas.data_dictionary()
    sys.stdout.write(text)
    return EXIT_CLEAN


@main.command("rules")
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True,
    help="markdown: the table in the README; json: one rule per line.",
)  # fmt: skip
def rules_command(fmt: str) -> None:
    """Print every rule newspkg checks: its name, severity, the stage that emits it, what it means."""
    if fmt == "markdown":
        sys.stdout.write(rules.markdown_table())
        return
    for rule in rules.RULES:
        fields = {"rule": rule.name, "severity": rule.severity, "stage": rule.stage, "meaning": rule.meaning}
        sys.stdout.write(json.dumps(fields, ensure_ascii=False) + "\n")


def _validate_package(
    path: Path,
    out: TextIO,
    fmt: str,
    *,
    strict: bool = False,
    allow_remote: bool = False,
    thorough: bool = False,
    before: list[Issue] | None = None,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    started = time.monotonic()
    with contextlib.closing(_BarOnFirstReport("checking records")) as bar:
        progress = bar if _on_terminal() else None
        result = check_package(path, strict=strict, allow_remote=allow_remote, thorough=thorough, progress=progress)
    shown: Counter[Severity] = Counter()
    report.write_issues(_counted(chain(before or [], result.issues), shown), out, fmt)
    errors = shown[Severity.ERROR]
    warnings = sum(issue.severity is Severity.WARNING for issue in before or []) + result.warnings_by_rule.total()
    if warnings > shown[Severity.WARNING] and fmt == "text":
        out.write(f"(showing the first {shown[Severity.WARNING]} warnings; the summary counts them all by rule)\n")
    seconds = time.monotonic() - started
    summary = {
        "package": str(path),
        "records": result.records,
        "errors": errors,
        "warnings": warnings,
        "warnings_by_rule": dict(sorted(result.warnings_by_rule.items())),
        **(extra or {}),
        "records_per_second": round(result.records / seconds) if seconds > 0 else None,
    }
    command = "verify" if strict else "validate"
    report.write_summary(summary, out, fmt, title or f"newspkg {command}: {path}")
    return EXIT_PROBLEMS if errors else EXIT_CLEAN


def _counted(issues: Iterable[Issue], counts: Counter[Severity]) -> Iterator[Issue]:
    """The issues, counted by severity as they pass (a package's may be too many to hold)."""
    for issue in issues:
        counts[issue.severity] += 1
        yield issue


def _raw_selection(project: Project, paths: tuple[Path, ...]) -> set[str]:
    """Project-relative raw paths under the given files or folders."""
    root = project.root.resolve()
    selected: set[str] = set()
    every = list(project_raw_paths(project))
    for path in paths:
        resolved = path.resolve()
        if not resolved.is_relative_to(root / "raw"):
            raise ConfigError(f"{path} is not inside {project.raw_dir}: raw files live in raw/<source>/")
        prefix = resolved.relative_to(root).as_posix()
        selected.update(p for p in every if p == prefix or p.startswith(prefix.rstrip("/") + "/"))
    return selected


def _write_summary(summary: BuildSummary, out: TextIO, fmt: str, title: str, seconds: float) -> None:
    report.write_issues(summary.issues(), out, fmt)
    shown = len(summary.warnings)
    if shown < summary.warnings_by_rule.total() and fmt == "text":
        out.write(f"(showing the first {shown} warnings; build/report.json counts them all by rule)\n")
    data = summary.counts()
    data["converted"] = summary.inputs - summary.from_cache
    data["reused_from_cache"] = summary.from_cache
    data["files_per_second"] = round(summary.inputs / seconds) if seconds > 0 else None
    report.write_summary(data, out, fmt, title, summary.lists() if fmt == "json" else None)


def _on_terminal() -> bool:
    """Whether progress can be shown: stderr is a terminal (not CI, not a pipe)."""
    return sys.stderr.isatty()


@contextlib.contextmanager
def _progress_bar(label: str, total: Callable[[], int]) -> Iterator[Callable[[int], None] | None]:
    """A progress bar of ``total()`` steps on a terminal; nothing at all elsewhere."""
    if not _on_terminal():
        yield None
        return
    with click.progressbar(length=total(), label=label, file=sys.stderr, show_pos=True, show_eta=True) as bar:
        yield bar.update


def _raw_count(project: Project) -> int:
    return sum(1 for _ in project_raw_paths(project))


class _BarOnFirstReport:
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
