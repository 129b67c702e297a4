"""The JSON Schemas a package ships: where they must be, that each can be read and compiled, and
that no ``$ref`` or ``$schema`` makes the validator fetch or read anything outside them."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

from newspkg import package, rules, schema_refs
from newspkg.consume.descriptor import MAX_JSON_BYTES, JSONBoundError, local_path, parse_json, path_problem
from newspkg.consume.findings import PackageReport
from newspkg.schema import BASE_FILE, EXTENSION_SUFFIX, SOURCES_DIR, SchemaSet, load_package_schemas


def shipped_schemas(
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
            rules.PACKAGE_SCHEMA,
            f"{package.SCHEMAS} must name the record schema the package ships (and map sources to schema files)",
        )
        return None, {}
    what = f"{package.SCHEMAS} path"
    record_path = local_path(root, shipped["record"], where, report, strict=strict, needed=True, what=what)
    source_paths = [local_path(root, v, where, report, strict=strict, needed=True, what=what) for v in sources.values()]
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
        schemas = load_package_schemas(schema_dir)
        for extension in [None, *sorted({e for e in extension_of.values() if e})]:
            schemas.validator(extension)  # compiled now: a broken shipped schema is a finding, not a crash
    except Exception as error:  # a broken shipped schema is a finding about the package
        report.add(where, rules.PACKAGE_SCHEMA, str(error))
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
            rules.PACKAGE_SCHEMA,
            f"{package.SCHEMAS} names {path.relative_to(root).as_posix()}, but newspkg reads the record schema "
            f"from <dir>/{BASE_FILE} and source extensions from <dir>/{SOURCES_DIR}/<name>{EXTENSION_SUFFIX}",
        )
    return not wrong


def _schema_files(root: Path, schema_dir: Path, where: str, report: PackageReport, strict: bool) -> list[Path] | None:
    """Every file ``load_package_schemas(schema_dir)`` will read, each safe to read, or None with the
    reasons reported."""
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
            problem = rules.PACKAGE_SCHEMA, f"schema file {relative} is not a regular file"
        elif problem is None and path.is_file() and path.stat().st_size > MAX_JSON_BYTES:
            problem = rules.PACKAGE_SCHEMA, f"schema file {relative} is larger than {MAX_JSON_BYTES} bytes: not read"
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
            documents.append((path, parse_json(path.read_bytes())))
        except JSONBoundError as error:
            report.add(where, rules.PACKAGE_SCHEMA, f"schema file {path.relative_to(root).as_posix()} {error}")
            return False
        except (OSError, ValueError):
            continue  # load_package_schemas reports it
    base_path = files[0]
    registry = {base_path.resolve().as_uri()}  # what every validator is given: the record schema, by file and $id
    registry |= {_top_id(document, path) for path, document in documents if path == base_path}
    found: list[tuple[Path, set[str], list[tuple[str, str, str]]]] = []
    try:
        for path, document in documents:
            found.append((path, *schema_refs.references(document, path.resolve().as_uri())))
    except RecursionError:
        report.add(where, rules.PACKAGE_SCHEMA, "a shipped schema nests too deeply to be checked")
        return False
    clean = True
    for path, ids, references in found:
        for keyword, value, resolved in references:
            if schema_refs.points_outside(keyword, value, resolved, ids | registry):
                clean = False
                rule = rules.PACKAGE_PATH if resolved.startswith("file:") else rules.PACKAGE_REMOTE
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
