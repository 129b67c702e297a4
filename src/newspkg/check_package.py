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
:data:`~newspkg.check_records.MAX_LINE_BYTES` (beyond: ``jsonl:syntax`` and the line is skipped),
and never a file that is not a regular file (a FIFO would block).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import re
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urldefrag, urljoin

from newspkg import package
from newspkg.check_records import PackageReport, RecordsJob, check_records
from newspkg.config import available_cores
from newspkg.errors import PackageError
from newspkg.issues import Severity
from newspkg.schema import BASE_FILE, EXTENSION_SUFFIX, SOURCES_DIR, SchemaSet, load_schemas
from newspkg.write import recover

MAX_JSON_BYTES = 16 * 1024 * 1024  # the descriptor, and each shipped schema file
CONCURRENT_BYTES = 64 * 1024 * 1024  # of JSONL: about 2 s of record checks
ARTICLE_RESOURCES = ("articles-jsonl", "articles-parquet")
REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
METASCHEMAS = frozenset(
    {
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "http://json-schema.org/draft-07/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-04/schema",
    }
)
REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
NOT_SCHEMAS = frozenset({"const", "enum", "default", "examples"})  # values here are data, not subschemas


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
            "package:journal",
            "an interrupted build left this journal: verify never modifies a package; "
            "run newspkg validate datapackage.json in the project to finish the build's renames",
        )
    descriptor = load_descriptor(descriptor_path)
    large = _large_package(root, descriptor)
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
    listed = descriptor.get("resources")
    resources = [r for r in listed if isinstance(r, dict)] if isinstance(listed, list) else []
    by_name = {str(r.get("name")): r for r in resources}
    paths = {}
    for name in ARTICLE_RESOURCES:
        resource = by_name.get(name)
        if resource is None:
            report.add(where, "package:resource", f"resource {name!r} is missing")
            continue
        if strict and (count := sum(r.get("name") == name for r in resources)) > 1:
            report.add(where, "package:resource", f"resource {name!r} appears {count} times: only the last is checked")
        path = _local_path(root, resource.get("path"), where, report, strict=strict, needed=True)
        if path is not None and _check_file(path, resource, report):
            paths[name] = path
    if strict:
        for resource in resources:
            if resource.get("name") not in ARTICLE_RESOURCES:
                _check_other_resource(root, resource, where, report, options.allow_remote)
    schemas, extension_of = _schemas(root, descriptor, where, report, strict)
    if schemas is None or "articles-jsonl" not in paths:
        return
    job = RecordsJob(
        schemas,
        extension_of,
        jsonl_path=paths["articles-jsonl"],
        jsonl_name=by_name["articles-jsonl"]["path"],
        parquet_path=paths.get("articles-parquet"),
        parquet_name=by_name["articles-parquet"]["path"],
        now=options.now,
        thorough=options.thorough,
    )
    check_records(job, report, options.workers, options.progress)


def load_descriptor(path: Path) -> dict[str, Any]:
    """The descriptor at ``path``, read no further than :data:`MAX_JSON_BYTES`."""
    if not path.exists():
        raise PackageError(f"{path} does not exist")
    if not path.is_file():
        raise PackageError(f"{path} is not a regular file")
    with path.open("rb") as file:
        return parse_descriptor(file.read(MAX_JSON_BYTES + 1), str(path))


def parse_descriptor(data: bytes, where: str) -> dict[str, Any]:
    """A descriptor's bytes as a JSON object, or :class:`~newspkg.errors.PackageError` saying why not."""
    if len(data) > MAX_JSON_BYTES:
        raise PackageError(f"{where} is larger than {MAX_JSON_BYTES} bytes: not read")
    try:
        descriptor = json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PackageError(f"{where} is not valid JSON: {error}") from None
    except RecursionError:
        raise PackageError(f"{where} nests too deeply to be a descriptor") from None
    if not isinstance(descriptor, dict):
        raise PackageError(f"{where} is not a JSON object")
    return descriptor


class _ProfileCheck:
    """The Data Package profile check (frictionless). For a large package it runs in another process
    while this one checks the records: importing frictionless alone takes about 3 s, which a small
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
            found.add(self._name, f"package:{rule}", message)
        self._report.issues.insert(self._position, found.issues)


def _large_package(root: Path, descriptor: dict[str, Any]) -> bool:
    """Whether other processes are worth starting: the records take longer to check than they take
    to start (about 3 s with frictionless's import), a guess from the JSONL file's size. Paths are
    only looked at here; they are checked later."""
    for resource in descriptor.get("resources") or []:
        if isinstance(resource, dict) and resource.get("name") == "articles-jsonl":
            with contextlib.suppress(OSError, TypeError, ValueError):
                return (root / resource["path"]).stat().st_size >= CONCURRENT_BYTES and _can_start()
    return False


def _can_start() -> bool:
    """Whether a forkserver child can start (not on Windows): it re-imports ``__main__``, which
    ``python -`` has no file for."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return "forkserver" in multiprocessing.get_all_start_methods() and (main is None or Path(main).is_file())


def _profile_errors_in_child(descriptor: dict[str, Any], basepath: str) -> list[tuple[str, str]]:
    """:func:`profile_errors` in a process of our own."""
    without_iri_grammars()
    return profile_errors(descriptor, basepath)


def without_iri_grammars() -> None:
    """Keep python-jsonschema from compiling the ~40 grammars of its "iri" formats on import (1.5 s
    when rfc3987-syntax is installed): frictionless checks the profile without a format checker, so
    they would go unused. Only in processes of newspkg's own (the command line, the profile check's
    child): a library user's process may want them."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: that import fails


def profile_errors(descriptor: dict[str, Any], basepath: str) -> list[tuple[str, str]]:
    """(type, message) of every way the descriptor breaks the Data Package profile."""
    import frictionless  # imported here: it is slow to import and only this check needs it

    result = frictionless.Package.validate_descriptor(descriptor, basepath=basepath)
    return [(str(error[0]), str(error[1])) for error in result.flatten(["type", "message"])]


def path_problem(root: Path, value: Any, *, strict: bool = True, what: str = "resource path") -> tuple[str, str] | None:
    """Why ``value`` may not be read (or written) as a file of the package at ``root``: (rule, message),
    or None when it is a safe relative path. The lexical rules need no file system, so ``download``
    applies them before fetching; the link rule looks at what exists under ``root``."""
    if not isinstance(value, str) or not value:
        return "package:path", f"{what} {value!r} is not a relative path"
    if strict:
        reason = _unsafe(value)
        if reason == "remote":
            return "package:remote", f"{what} {value!r} is remote: newspkg never fetches remote resources"
        if reason:
            return "package:path", f"{what} {value!r} {reason}"
    elif "://" in value or value.startswith(("/", "~", "\\")) or ".." in value.split("/"):
        return "package:path", f"{what} {value!r} leaves the package"
    return _link_problem(root, value, what)


def _unsafe(value: str) -> str | None:
    if REMOTE.match(value):
        return "remote"
    if value.startswith("/"):
        return "is absolute"
    if "\\" in value:
        return "contains a backslash"
    if "~" in value:
        return "contains ~"
    if ":" in value or any(ord(c) < 0x20 or c == "\x7f" for c in value):
        return "contains a colon or a control character"
    for part in value.split("/"):
        if part == "..":
            return "leaves the package with .."
        if part in ("", "."):
            return "has an empty or '.' component"
        if part.startswith("."):
            return f"has a hidden component {part!r}"
    return None


def _link_problem(root: Path, value: str, what: str) -> tuple[str, str] | None:
    """Every prefix of the path, links followed, must stay inside the package."""
    try:
        inside = root.resolve()
        parts = PurePosixPath(value).parts
        for end in range(1, len(parts) + 1):
            if not root.joinpath(*parts[:end]).resolve().is_relative_to(inside):
                return "package:path", f"{what} {value!r} leads out of the package through a link"
    except (OSError, RuntimeError) as error:  # RuntimeError: a loop of links (Python < 3.13)
        return "package:path", f"{what} {value!r} cannot be resolved: {error}"
    return None


def _local_path(
    root: Path,
    value: Any,
    where: str,
    report: PackageReport,
    *,
    strict: bool,
    needed: bool,
    allow_remote: bool = False,
    what: str = "resource path",
) -> Path | None:
    """``root / value`` when it is safe to read, else None with the reason reported.

    A remote path the caller does not need is a warning with ``allow_remote``; one it needs (the
    article resources, the schemas) is always an error: the package cannot be verified without it."""
    problem = path_problem(root, value, strict=strict, what=what)
    if problem is None:
        return root / str(value)
    rule, message = problem
    severity = Severity.ERROR
    if rule == "package:remote":
        if needed:
            message += ", even with --allow-remote, so the package cannot be verified without it"
        elif allow_remote:
            message += ": not fetched and not checked (allowed by --allow-remote)"
            severity = Severity.WARNING
        else:
            message += ": not fetched (pass --allow-remote to accept it unchecked)"
    report.add(where, rule, message, severity=severity)
    return None


def _check_file(path: Path, resource: dict[str, Any], report: PackageReport, *, every: bool = True) -> bool:
    """Size and sha256 of a resource file against the descriptor. ``every``: both must be declared
    (the article resources); otherwise only what is declared is checked."""
    name = str(resource["path"])
    if not path.is_file():
        exists = path.exists() or path.is_symlink()
        report.add(name, "resource:missing", f"{name} is not a regular file" if exists else f"{name} does not exist")
        return False
    facts = package.file_facts(path)
    size_key = "bytes" if "bytes" in resource or package.PARQUET_BYTES not in resource else package.PARQUET_BYTES
    declared = resource.get(size_key)
    if (every or size_key in resource) and declared != facts.bytes:
        report.add(name, "resource:bytes", f"{name} has {facts.bytes} bytes, the descriptor says {declared}")
    digest = resource.get("hash")
    if not every and digest is None:
        return True
    if not every and not (isinstance(digest, str) and digest.startswith("sha256:")):
        report.add(
            name,
            "resource:hash",
            f"{name}: hash {digest!r} not checked: only sha256 is supported",
            severity=Severity.WARNING,
        )
    elif digest != f"sha256:{facts.sha256}":
        report.add(name, "resource:hash", f"{name} has sha256 {facts.sha256}, the descriptor says {digest}")
    return True


def _check_other_resource(
    root: Path, resource: dict[str, Any], where: str, report: PackageReport, allow_remote: bool
) -> None:
    """Any resource besides the article ones: its paths are safe and exist; declared size and hash hold."""
    value = resource.get("path")
    if value is None:  # inline data
        return
    parts = value if isinstance(value, list) and value else [value]
    paths = [
        _local_path(root, part, where, report, strict=True, needed=False, allow_remote=allow_remote) for part in parts
    ]
    if isinstance(value, str) and paths[0] is not None:
        _check_file(paths[0], resource, report, every=False)
        return
    for part, path in zip(parts, paths, strict=True):
        if path is not None and not path.is_file():
            report.add(str(part), "resource:missing", f"{part} does not exist or is not a regular file")


def _schemas(
    root: Path, descriptor: dict[str, Any], where: str, report: PackageReport, strict: bool
) -> tuple[SchemaSet | None, dict[str, str | None]]:
    shipped = descriptor.get(package.SCHEMAS)
    sources = shipped.get("sources", {}) if isinstance(shipped, dict) else None
    if (
        not isinstance(shipped, dict)
        or not isinstance(shipped.get("record"), str)
        or not isinstance(sources, dict)
        or not all(isinstance(value, str) for value in sources.values())
    ):
        report.add(
            where,
            "package:schema",
            f"{package.SCHEMAS} must name the record schema the package ships (and map sources to schema files)",
        )
        return None, {}
    what = f"{package.SCHEMAS} path"
    record_path = _local_path(root, shipped["record"], where, report, strict=strict, needed=True, what=what)
    source_paths = [
        _local_path(root, v, where, report, strict=strict, needed=True, what=what) for v in sources.values()
    ]
    if record_path is None or None in source_paths:
        return None, {}
    schema_dir = record_path.parent
    if strict and not _schema_layout(root, record_path, source_paths, where, report):
        return None, {}
    files = _schema_files(root, schema_dir, where, report, strict)
    if files is None or not _references_stay_inside(root, files, where, report):
        return None, {}
    extension_of: dict[str, str | None] = {
        source: Path(path).name.removesuffix(EXTENSION_SUFFIX) for source, path in sources.items()
    }
    try:
        schemas = load_schemas(schema_dir)
        for extension in [None, *sorted({e for e in extension_of.values() if e})]:
            schemas.validator(extension)  # compiled now: a broken shipped schema is a finding, not a crash
    except Exception as error:  # a broken shipped schema is a finding about the package
        report.add(where, "package:schema", str(error))
        return None, {}
    return schemas, extension_of


def _schema_layout(
    root: Path, record_path: Path, source_paths: list[Path | None], where: str, report: PackageReport
) -> bool:
    """The schemas are where newspkg reads them: <dir>/article.schema.json, <dir>/sources/<name>.schema.json."""
    sources_dir = record_path.parent / SOURCES_DIR
    wrong = [record_path] if record_path.name != BASE_FILE else []
    wrong += [p for p in source_paths if p and (p.parent != sources_dir or not p.name.endswith(EXTENSION_SUFFIX))]
    for path in wrong:
        report.add(
            where,
            "package:schema",
            f"{package.SCHEMAS} names {path.relative_to(root).as_posix()}, but newspkg reads the record schema "
            f"from <dir>/{BASE_FILE} and source extensions from <dir>/{SOURCES_DIR}/<name>{EXTENSION_SUFFIX}",
        )
    return not wrong


def _schema_files(root: Path, schema_dir: Path, where: str, report: PackageReport, strict: bool) -> list[Path] | None:
    """Every file ``load_schemas(schema_dir)`` will read, each safe to read, or None with the reasons reported."""
    files = [schema_dir / BASE_FILE]
    sources_dir = schema_dir / SOURCES_DIR
    problem = path_problem(root, sources_dir.relative_to(root).as_posix(), strict=strict, what="schema folder")
    if problem is None and sources_dir.is_dir():
        files += sorted(sources_dir.glob(f"*{EXTENSION_SUFFIX}"))
    problems = [problem] if problem else []
    for path in files:
        relative = path.relative_to(root).as_posix()
        problem = path_problem(root, relative, strict=strict, what="schema file")
        if problem is None and (path.exists() or path.is_symlink()) and not path.is_file():
            problem = "package:schema", f"schema file {relative} is not a regular file"
        elif problem is None and path.is_file() and path.stat().st_size > MAX_JSON_BYTES:
            problem = "package:schema", f"schema file {relative} is larger than {MAX_JSON_BYTES} bytes: not read"
        if problem:
            problems.append(problem)
    for rule, message in problems:
        report.add(where, rule, message)
    return None if problems else files


def _references_stay_inside(root: Path, files: list[Path], where: str, report: PackageReport) -> bool:
    """No shipped schema makes the validator fetch or read anything: each ``$ref`` resolves to the schema
    itself or the record schema (what the validator is given), and ``$schema`` is a standard draft."""
    documents: list[tuple[Path, Any]] = []
    for path in files:
        try:
            documents.append((path, json.loads(path.read_bytes())))
        except (OSError, ValueError, RecursionError):
            continue  # load_schemas reports it
    base_path = files[0]
    registry = {base_path.resolve().as_uri()}  # what every validator is given: the record schema, by file and $id
    registry |= {_top_id(document, path) for path, document in documents if path == base_path}
    found: list[tuple[Path, set[str], list[tuple[str, str, str]]]] = []
    try:
        for path, document in documents:
            ids = {path.resolve().as_uri()}
            references: list[tuple[str, str, str]] = []
            _walk_schema(document, path.resolve().as_uri(), ids, references)
            found.append((path, ids, references))
    except RecursionError:
        report.add(where, "package:schema", "a shipped schema nests too deeply to be checked")
        return False
    clean = True
    for path, ids, references in found:
        for keyword, value, resolved in references:
            if keyword == "$schema":
                outside = value.removesuffix("#") not in METASCHEMAS
            else:
                outside = urldefrag(resolved).url not in ids | registry
            if outside:
                clean = False
                rule = "package:path" if resolved.startswith("file:") else "package:remote"
                report.add(
                    where,
                    rule,
                    f"schema file {path.relative_to(root).as_posix()}: {keyword} {value!r} points outside the "
                    "package's schemas: newspkg never fetches or reads it",
                )
    return clean


def _top_id(document: Any, path: Path) -> str:
    base = path.resolve().as_uri()
    identifier = document.get("$id") if isinstance(document, dict) else None
    return urldefrag(urljoin(base, identifier)).url if isinstance(identifier, str) else base


def _walk_schema(node: Any, base: str, ids: set[str], references: list[tuple[str, str, str]]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk_schema(item, base, ids, references)
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("$id"), str):
        base = urljoin(base, node["$id"])
        ids.add(urldefrag(base).url)
    if isinstance(node.get("$schema"), str):
        references.append(("$schema", node["$schema"], node["$schema"]))
    for keyword in REFERENCE_KEYWORDS:
        if isinstance(node.get(keyword), str):
            references.append((keyword, node[keyword], urljoin(base, node[keyword])))
    for key, value in node.items():
        if key not in NOT_SCHEMAS:
            _walk_schema(value, base, ids, references)
