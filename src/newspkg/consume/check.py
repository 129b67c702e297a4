"""Check a published package as a consumer would: descriptor, both resources' bytes and hash,
every record against the shipped schema and the rules, and JSONL and Parquet holding the same records.

``check_package(path)`` is what ``newspkg validate datapackage.json`` runs on a package its maintainer
built. ``check_package(path, strict=True)`` is ``newspkg verify``, for a package that came from
elsewhere: the same checks, plus

- every resource path (of every resource, not only the two article resources) and every
  ``newspkg:schemas`` path must be a plain relative POSIX path: not absolute, no ``..``, no ``~``,
  no hidden component (``.x``), no backslash, colon or control character, no symbolic link anywhere
  along it leading out of the package (``package:path``);
- a full URL (``https://…``, any ``scheme://``) is never fetched: it is reported as
  ``package:remote``. ``allow_remote`` turns that into a warning for resources other than the two
  article resources (which verify needs to read); it still fetches nothing;
- verify only reads: it does not finish an interrupted build's renames
  (``.newspkg-commit.journal``), it reports them.

In both modes nothing is fetched: a shipped schema may only refer (``$ref``, ``$dynamicRef``) to
itself or the record schema and use a standard ``$schema``, since the schema validator would fetch
anything else (or read a local file). And both read with bounds: the descriptor and each schema
file up to :data:`MAX_JSON_BYTES` (beyond: :class:`~newspkg.errors.PackageError` for the descriptor,
``package:schema`` for a schema), a JSONL line up to
:data:`~newspkg.consume.spans.MAX_LINE_BYTES` (beyond: ``jsonl:syntax`` and the line is skipped),
and never a file that is not a regular file (a FIFO would block).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newspkg import package, rules
from newspkg.config import available_cores
from newspkg.consume.descriptor import load_descriptor, local_path, resources_of
from newspkg.consume.findings import PackageReport
from newspkg.consume.records import RecordsJob, check_records
from newspkg.consume.shipped_schemas import shipped_schemas
from newspkg.issues import Severity
from newspkg.resources import ARTICLES, JSONL, PARQUET
from newspkg.write import recover

CONCURRENT_BYTES = 64 * 1024 * 1024  # of JSONL: where checking outlasts starting processes


ARTICLE_RESOURCES = tuple(resource.name for resource in ARTICLES)


def check_package(
    descriptor_path: Path,
    now: datetime | None = None,
    *,
    strict: bool = False,
    allow_remote: bool = False,
    thorough: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> PackageReport:
    """Check the package described by ``descriptor_path``; see the module docstring for ``strict``.
    ``progress`` is told the JSONL bytes of each part of the records checked, and their total.

    Problems with the package are issues in the report; :class:`~newspkg.errors.PackageError` only
    when the descriptor itself cannot be read (missing, too large, not a JSON object).
    """
    root = descriptor_path.parent
    where = descriptor_path.name
    report = PackageReport()
    journal = root / package.JOURNAL_PATH
    if not strict:
        recover(journal)  # a build killed while committing its outputs: finish it first
    elif journal.exists() or journal.is_symlink():
        report.add(
            package.JOURNAL_PATH,
            rules.PACKAGE_JOURNAL,
            "an interrupted build left this journal: verify never modifies a package; "
            "run newspkg validate datapackage.json in the project to finish the build's renames",
        )
    descriptor = load_descriptor(descriptor_path)
    large = _large_package(root, descriptor)
    if large:
        _preload_workers()
    profile = _ProfileCheck(descriptor, descriptor_path, report, concurrent=large)
    try:
        workers = available_cores() if large else 1  # the rules are Python: a large package uses every core
        options = _Options(now or datetime.now(UTC), strict, allow_remote, thorough, workers, progress)
        _check_contents(root, where, descriptor, report, options)
    finally:
        profile.finish()
    return report


@dataclass(frozen=True)
class _Options:
    """How :func:`check_package` was asked to check, as its helpers need it."""

    now: datetime
    strict: bool
    allow_remote: bool
    thorough: bool
    workers: int
    progress: Callable[[int, int], None] | None


def _check_contents(
    root: Path, where: str, descriptor: dict[str, Any], report: PackageReport, options: _Options
) -> None:
    """Everything but the profile: resource files, shipped schemas, then every record."""
    strict = options.strict
    resources = resources_of(descriptor)
    by_name = {str(r.get("name")): r for r in resources}
    paths = {}
    for name in ARTICLE_RESOURCES:
        resource = by_name.get(name)
        if resource is None:
            report.add(where, rules.PACKAGE_RESOURCE, f"resource {name!r} is missing")
            continue
        if strict and (count := sum(r.get("name") == name for r in resources)) > 1:
            report.add(
                where, rules.PACKAGE_RESOURCE, f"resource {name!r} appears {count} times: only the last is checked"
            )
        path = local_path(root, resource.get("path"), where, report, strict=strict, needed=True)
        if path is not None and _check_file(path, resource, report):
            paths[name] = path
    for resource in resources:  # the rejects, the report, the card...: a package lacking one is not intact
        if resource.get("name") not in ARTICLE_RESOURCES:
            _check_other_resource(root, resource, where, report, options)
    schemas, extension_of = shipped_schemas(root, descriptor, where, report, strict)
    jsonl, parquet = JSONL.name, PARQUET.name
    if schemas is None or jsonl not in paths:
        return
    job = RecordsJob(
        schemas,
        extension_of,
        jsonl_path=paths[jsonl],
        jsonl_name=by_name[jsonl]["path"],
        parquet_path=paths.get(parquet),
        parquet_name=str(by_name[parquet]["path"]) if parquet in paths else "",
        now=options.now,
        thorough=options.thorough,
    )
    check_records(job, report, options.workers, options.progress)
    _check_rows(by_name, paths, report)


def _check_rows(by_name: dict[str, dict[str, Any]], paths: dict[str, Path], report: PackageReport) -> None:
    """The row counts the descriptor declares (``stats.rows``) against the records each file holds."""
    for name, path in paths.items():
        stats = by_name[name].get("stats")
        declared = stats.get("rows") if isinstance(stats, dict) else None
        if declared is None:
            continue
        if name == JSONL.name:
            found = report.records
        else:
            try:
                found = pq.ParquetFile(path).metadata.num_rows
            except (pa.ArrowException, OSError):
                continue  # the row comparison has reported the damage
        if found != declared:
            file = str(by_name[name]["path"])
            report.add(file, rules.RESOURCE_ROWS, f"{file} holds {found} records, the descriptor says {declared}")


def _check_file(path: Path, resource: dict[str, Any], report: PackageReport, *, every: bool = True) -> bool:
    """Size and sha256 of a resource file against the descriptor. ``every``: both must be declared
    (the article resources); otherwise only what is declared is checked."""
    name = str(resource["path"])
    if not path.is_file():
        exists = path.exists() or path.is_symlink()
        report.add(
            name, rules.RESOURCE_MISSING, f"{name} is not a regular file" if exists else f"{name} does not exist"
        )
        return False
    facts = package.file_facts(path)
    size_key = "bytes" if "bytes" in resource or package.PARQUET_BYTES not in resource else package.PARQUET_BYTES
    declared = resource.get(size_key)
    if (every or size_key in resource) and declared != facts.bytes:
        report.add(name, rules.RESOURCE_BYTES, f"{name} has {facts.bytes} bytes, the descriptor says {declared}")
    digest = resource.get("hash")
    if not every and digest is None:
        return True
    if not every and not (isinstance(digest, str) and digest.startswith("sha256:")):
        report.add(
            name,
            rules.RESOURCE_HASH,
            f"{name}: hash {digest!r} not checked: only sha256 is supported",
            severity=Severity.WARNING,
        )
    elif digest != f"sha256:{facts.sha256}":
        report.add(name, rules.RESOURCE_HASH, f"{name} has sha256 {facts.sha256}, the descriptor says {digest}")
    return True


def _check_other_resource(
    root: Path, resource: dict[str, Any], where: str, report: PackageReport, options: _Options
) -> None:
    """Any resource besides the article ones: its paths are safe and exist; declared size and hash hold.
    Only ``verify`` (strict) holds its paths to the strict rules."""
    value = resource.get("path")
    if value is None:  # inline data
        return
    parts = value if isinstance(value, list) and value else [value]
    paths = [
        local_path(root, part, where, report, strict=options.strict, needed=False, allow_remote=options.allow_remote)
        for part in parts
    ]
    if isinstance(value, str) and paths[0] is not None:
        _check_file(paths[0], resource, report, every=False)
        return
    for part, path in zip(parts, paths, strict=True):
        if path is not None and not path.is_file():
            report.add(str(part), rules.RESOURCE_MISSING, f"{part} does not exist or is not a regular file")


class _ProfileCheck:
    """The Data Package profile check (frictionless). For a large package it runs in another process
    while this one checks the records: importing frictionless alone is slow, time a small
    package would rather spend here than wait for. Its issues go where the check began."""

    def __init__(self, descriptor: dict[str, Any], path: Path, report: PackageReport, *, concurrent: bool) -> None:
        # Check a copy without paths to data: the profile check must not read or fetch anything.
        listed = descriptor.get("resources", [])
        if isinstance(listed, list):
            listed = [{**r, "path": "x.jsonl"} if isinstance(r, dict) else r for r in listed]
        self._arguments = ({**descriptor, "resources": listed}, str(path.parent))
        self._name, self._report, self._position = path.name, report, len(report.issues)
        self._pool: ProcessPoolExecutor | None = None
        if not concurrent:
            return
        try:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"))
            self._future = self._pool.submit(_profile_errors_in_child, *self._arguments)
        except (OSError, ValueError):  # no processes to be had: check here, when finished
            self._pool = None

    def finish(self) -> None:
        errors = None
        if self._pool is not None:
            # A child that cannot start (no importable __main__: `python -`, some notebooks) breaks
            # the pool: the check then runs here.
            with self._pool, contextlib.suppress(BrokenProcessPool):
                errors = self._future.result()
        if errors is None:
            errors = profile_errors(*self._arguments)
        found = PackageReport()
        for rule, message in errors:
            found.add(self._name, rules.PROFILE.named(rule), message)
        self._report.issues.insert(self._position, found.issues)


def _large_package(root: Path, descriptor: dict[str, Any]) -> bool:
    """Whether other processes are worth starting: the records take longer to check than they take
    to start (frictionless's import among it), a guess from the JSONL file's size. Paths are
    only looked at here; they are checked later."""
    for resource in descriptor.get("resources") or []:
        if isinstance(resource, dict) and resource.get("name") == JSONL.name:
            with contextlib.suppress(OSError, TypeError, ValueError):
                return (root / resource["path"]).stat().st_size >= CONCURRENT_BYTES and _can_start()
    return False


def _preload_workers() -> None:
    """Worker processes fork from a server that has imported what this process has of newspkg:
    each would import it again otherwise, as a child re-runs the main script (``newspkg`` imports
    the whole command line) and Python's forkserver never preloads it."""
    loaded = [name for name in sys.modules if name.partition(".")[0] == "newspkg"]  # in import order
    multiprocessing.get_context("forkserver").set_forkserver_preload(loaded)


def _can_start() -> bool:
    """Whether a forkserver child can start (not on Windows): it re-imports ``__main__``, which
    ``python -`` has no file for."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return "forkserver" in multiprocessing.get_all_start_methods() and (main is None or Path(main).is_file())


def _profile_errors_in_child(descriptor: dict[str, Any], basepath: str) -> list[tuple[str, str]]:
    """:func:`profile_errors` in a process of our own."""
    return profile_errors(descriptor, basepath)


def profile_errors(descriptor: dict[str, Any], basepath: str) -> list[tuple[str, str]]:
    """(type, message) of every way the descriptor breaks the Data Package profile."""
    import frictionless  # imported here: it is slow to import and only this check needs it

    result = frictionless.Package.validate_descriptor(descriptor, basepath=basepath)
    return [(str(error[0]), str(error[1])) for error in result.flatten(["type", "message"])]
