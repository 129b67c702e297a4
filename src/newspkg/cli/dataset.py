"""The maintainer's commands: start a dataset, add sources, convert, build and look at one file."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from newspkg import adapters, package, readers, report, rules, scaffold
from newspkg.build import Engine, build, check, convert_all, summarize
from newspkg.cli.common import (
    EXIT_CLEAN,
    EXIT_PROBLEMS,
    THOROUGH_OPTION,
    Context,
    engine_options,
    exits_on_config_errors,
    output_options,
    progress_bar,
    raw_count,
)
from newspkg.cli.package import check_and_report
from newspkg.config import Project, load_project
from newspkg.discover import project_raw_paths
from newspkg.errors import ConfigError
from newspkg.near_dedup import near_settings
from newspkg.readers import SEPARATOR
from newspkg.resources import CARD
from newspkg.schema import load_schemas
from newspkg.show import show
from newspkg.summary import BuildSummary


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that exist (by default they are left alone).")
@exits_on_config_errors
def init_command(directory: Path, force: bool) -> int:
    """Start a dataset repository in DIRECTORY (default: here): raw/ with an example source, schema/,
    datapackage.json to fill in, a README for the data, .gitignore, a CI workflow and pre-commit hooks."""
    _report_written(directory, scaffold.init(directory, force=force))
    sys.stdout.write(
        f"next: cd {directory}, fill in datapackage.json, add a source (newspkg sources add NAME --adapter ...), "
        "put its raw files in raw/NAME/, then newspkg build\n"
    )
    return EXIT_CLEAN


@click.group("sources")
def sources_group() -> None:
    """Manage the sources of a dataset repository (the folders under raw/)."""


class AdapterOption(click.Option):
    """``--adapter``, whose help names the adapters registered when it is shown, plugins included."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = f"The format of the raw files: {', '.join(adapters.available())}."
        return super().get_help_record(ctx)


class ReaderOption(click.Option):
    """``--reader``, whose help names the readers registered when it is shown, plugins included."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        names = ", ".join(readers.available())
        self.help = f"How every raw file is read into items: {names} (default: detected per file)."
        return super().get_help_record(ctx)


@sources_group.command("add")
@click.argument("name")
@click.option("--adapter", required=True, cls=AdapterOption, help="The format of the raw files (an adapter's name).")
@click.option("--language", required=True, help="BCP 47 tag of the texts (en, zh-Hans…), or auto: detected per record.")
@click.option("--timezone", required=True, help="IANA zone for times without an offset, e.g. Europe/Paris.")
@click.option("--reader", default=None, cls=ReaderOption, help="How every raw file is read into items.")
@click.option("--force", is_flag=True, help="Overwrite an existing source.toml.")
@click.pass_obj
@exits_on_config_errors
def sources_add_command(
    obj: Context, name: str, adapter: str, language: str, timezone: str, reader: str | None, force: bool
) -> int:
    """Add raw/NAME/ with a source.toml that explains every key and lists the adapter's hints."""
    written = scaffold.add_source(
        obj.root, name, adapter, language=language, timezone=timezone, reader=reader, force=force
    )
    _report_written(obj.root, written)
    load_project(obj.root)  # what was written must read back: language, timezone and adapter are checked
    return EXIT_PROBLEMS if written.kept else EXIT_CLEAN


@click.command("build")
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if committed outputs differ.")
@click.option("--wait", is_flag=True, help="When another build of the dataset is running, wait for it (else exit 3).")
@click.option(
    "--drop-near-duplicates",
    "drop_near",
    is_flag=True,
    help="List near-duplicates (reprints) with the duplicates in build/report.json instead of keeping them marked.",
)
@engine_options
@output_options
@click.pass_obj
@exits_on_config_errors
def build_command(
    obj: Context, check_only: bool, wait: bool, drop_near: bool, engine: Engine, output: report.Output
) -> int:
    """Convert raw/ into build/ and datapackage.json, and summarise what every file became.

    Exits 1 when a file is rejected and its source does not acknowledge that reject, 3 when another
    build of the dataset is running (see --wait), 4 when the disk or the quota is full.
    """
    project, schemas = obj.project()
    if check_only:
        stale = check(project, schemas, engine=engine, wait=wait, drop_near_duplicates=drop_near)
        for path in stale:
            output.line(f"{path}: differs from a rebuild (run newspkg build and commit the result)")
        output.write(f"FAILED: {len(stale)} outputs are stale\n" if stale else "OK: build outputs are up to date\n")
        return EXIT_PROBLEMS if stale else EXIT_CLEAN
    started = time.monotonic()
    with progress_bar("building", lambda: raw_count(project)) as progress:
        summary = build(
            project, schemas, project.root, engine=engine, progress=progress, wait=wait, drop_near_duplicates=drop_near
        )
    title = f"newspkg build: wrote {_written(project.descriptor_path)}"
    _write_summary(summary, output, title, time.monotonic() - started, listed_in="build/rejects.jsonl")
    return EXIT_PROBLEMS if summary.unacknowledged else EXIT_CLEAN


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@engine_options
@THOROUGH_OPTION
@output_options
@click.pass_obj
@exits_on_config_errors
def validate_command(
    obj: Context, paths: tuple[Path, ...], engine: Engine, thorough: bool, output: report.Output
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
        return max(check_and_report(path, output, thorough=thorough) for path in packages)
    project, schemas = obj.project()
    wanted = _raw_selection(project, paths) if paths else None
    started = time.monotonic()
    # nothing written in the dataset, not even the outcome cache: every file is converted afresh
    outcomes = convert_all(project, schemas, only=wanted, engine=replace(engine, cache=False))
    with progress_bar("validating", lambda: len(wanted) if wanted is not None else raw_count(project)) as progress:
        near = near_settings(package.read_descriptor(project.descriptor_path))  # as the build would settle them
        summary = summarize(outcomes, progress, near)
    if wanted is None:  # a check of every raw file: then an acknowledgement that names none is worth a word
        summary.warn_all(project.warnings)
    title = "newspkg validate: raw files checked, nothing written"
    _write_summary(summary, output, title, time.monotonic() - started, listed_in=None)
    return EXIT_PROBLEMS if summary.unacknowledged else EXIT_CLEAN


@click.command("show")
@click.argument("raw_file")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text for people; json: its fate, the record, its issues and where each field came from, as one object.",
)  # fmt: skip
@click.pass_obj
@exits_on_config_errors
def show_command(obj: Context, raw_file: str, fmt: str) -> int:
    """Print the record RAW_FILE becomes (keys in schema order), its issues, and where each field came from.

    RAW_FILE may name an item of a crawl or an export as reports do: 'raw/web/crawl.warc.gz::record-1197'.
    """
    project, schemas = obj.project()
    shown = show(project, schemas, raw_file)
    outcome = shown.outcome
    fate = f"filtered ({outcome.filtered})" if outcome.filtered else "accepted" if outcome.accepted else "rejected"
    issues = [issue.to_dict() for issue in outcome.issues]
    if fmt == "json":
        found = {"raw_path": outcome.raw_path, "fate": fate, "record": outcome.record, "issues": issues}
        sys.stdout.write(report.json_text({**found, "origins": shown.origins}, indent=2) + "\n")
    else:
        width = max((len(key) for key in shown.origins), default=0)
        lines = [
            f"{outcome.raw_path}: {fate}",
            *json.dumps(outcome.record, ensure_ascii=False, indent=2).split("\n"),
            "where each field came from:",
            *(f"  {key.ljust(width)}  {origin}" for key, origin in shown.origins.items()),
        ]
        sys.stdout.writelines(report.printable(line) + "\n" for line in lines)
        sys.stdout.write("issues:\n" if outcome.issues else "issues: none\n")
        report.write_issues(outcome.issues, report.Output(sys.stdout, max_per_rule=0), "")
    return EXIT_CLEAN if outcome.accepted or outcome.filtered else EXIT_PROBLEMS


@click.command("schema")
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json", "table", "arrow"]), default="markdown",
    show_default=True,
    help="markdown: a data dictionary; json: the composed JSON Schema; table: the Frictionless Table Schema; "
    "arrow: the Parquet Arrow schema.",
)  # fmt: skip
@click.option("--source", "extension", default=None, help="With --format json: the schema of this source's extension.")
@click.pass_obj
@exits_on_config_errors
def schema_command(obj: Context, fmt: str, extension: str | None) -> int:
    """Print the record schema (the one newspkg ships, with schema/sources/ extensions) or what is derived from it."""
    schemas = load_schemas(obj.root / "schema")
    if fmt == "json":
        text = json.dumps(schemas.composed(extension), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "table":
        text = json.dumps(schemas.table_schema(), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "arrow":
        text = schemas.arrow_schema().to_string(show_field_metadata=False, show_schema_metadata=False) + "\n"
    else:
        text = schemas.data_dictionary()
    sys.stdout.write(text)
    return EXIT_CLEAN


@click.command("rules")
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
        sys.stdout.write(report.json_text(fields) + "\n")


def _write_summary(
    summary: BuildSummary, output: report.Output, title: str, seconds: float, listed_in: str | None
) -> None:
    """The issues, the figures and the verdict; ``listed_in``: the file that lists every reject, if any."""
    report.write_issues(summary.issues(), output, f"see {listed_in}" if listed_in else "newspkg build lists them all")
    figures: dict[str, Any] = {
        **summary.counts(),
        "converted": summary.inputs - summary.from_cache,
        "files": summary.files,
        "converted_because": dict(sorted(summary.converted_because.items())),
        "reused_from_cache": summary.from_cache,
        "seconds": round(seconds, 2),
    }
    if summary.unacknowledged:
        where = f"see {listed_in}" if listed_in else "see the issues above"
        verdict = f"FAILED: {report.count(summary.unacknowledged, 'reject')} not acknowledged — {where}"
    else:
        rejects = report.count(len(summary.rejects), "reject")
        acknowledged = " (acknowledged)" if summary.rejects else ""
        duplicates = report.count(len(summary.duplicates), "duplicate")
        filtered = summary.filtered_by_reason.total()
        filtered_note = f", {report.count(filtered, 'item')} filtered" if filtered else ""
        near = summary.near_duplicates.get("records", 0)
        near_note = f", {report.count(near, 'near-duplicate')} marked" if near and not summary.near_dropped else ""
        verdict = (
            f"OK: {report.count(summary.accepted, 'record')}, {rejects}{acknowledged}, {duplicates}{filtered_note}"
            f"{near_note}"
        )
    report.write_build_summary(figures, output, title, verdict, summary.lists() if output.fmt == "json" else {})


def _written(descriptor_path: Path) -> str:
    """What a build wrote, as its new descriptor lists it."""
    resources = json.loads(descriptor_path.read_text(encoding="utf-8"))["resources"]
    card = next((r["path"] for r in resources if r["name"] == CARD.name), None)
    return f"datapackage.json and the {len(resources)} files it lists" + (
        f" (the dataset card: {card})" if card else ""
    )


def _report_written(root: Path, written: scaffold.Written) -> None:
    for relative in written.created:
        sys.stdout.write(f"created {root / relative}\n")
    for relative in written.kept:
        sys.stdout.write(f"kept {root / relative} (it exists; --force overwrites it)\n")


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
        inside = (prefix.rstrip("/") + "/", prefix + SEPARATOR)  # a folder's files, a container's items
        selected.update(p for p in every if p == prefix or p.startswith(inside))
    return selected
