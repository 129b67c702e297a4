"""Reading a package's descriptor, and whether a path it names is safe to read: relative, inside
the package, no link leading out. ``download`` applies the same rules before fetching anything.

Every JSON file a consumer parses (the descriptor, shipped schemas, the build report) goes through
:func:`parse_json`, which bounds what the parsed structure may take besides the file's size: a
descriptor of 16 MiB of ``{}`` would otherwise be millions of Python objects (and as many
resources for the profile check to report on)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from newspkg import rules
from newspkg.consume.findings import PackageReport
from newspkg.errors import PackageError
from newspkg.issues import Severity
from newspkg.rules import Rule
from newspkg.schema import depth

MAX_JSON_BYTES = 16 * 1024 * 1024  # the descriptor, and each shipped schema file
# Values (objects, arrays, members) in a descriptor or schema: the descriptor newspkg writes has
# about 500. A parsed value takes at most about 130 bytes, and the profile check about 2 KiB and
# 0.1 ms for each resource: 100,000 values keep both within a few hundred MB and seconds.
MAX_JSON_VALUES = 100_000
MAX_JSON_DEPTH = 64  # nesting: the descriptor newspkg writes nests 6 deep, the record schema 5
DESCRIPTOR = "datapackage.json"


REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def descriptor_file(path: Path) -> Path:
    """A package's descriptor: ``path`` itself, or the datapackage.json in folder ``path``."""
    return path / DESCRIPTOR if path.is_dir() else path


def resources_of(descriptor: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The descriptor's resources that are objects (a broken entry is the profile check's to report)."""
    listed = descriptor.get("resources")
    return [r for r in listed if isinstance(r, dict)] if isinstance(listed, list) else []


def resource_named(descriptor: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The last resource called ``name`` (as frictionless reads a repeated name), or None."""
    return next((r for r in reversed(resources_of(descriptor)) if r.get("name") == name), None)


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
        descriptor = parse_json(data)
    except JSONBoundError as error:
        raise PackageError(f"{where} {error}") from None
    except ValueError as error:  # not JSON, not UTF-8
        raise PackageError(f"{where} is not valid JSON: {error}") from None
    if not isinstance(descriptor, dict):
        raise PackageError(f"{where} is not a JSON object")
    return descriptor


class JSONBoundError(ValueError):
    """A JSON file beyond what :func:`parse_json` reads; the message says which bound."""


def json_values(data: bytes) -> int:
    """An upper bound on the values (objects, arrays, members) of JSON ``data``: its ``{``, ``[`` and
    ``,`` bytes, counted without parsing (those inside strings too)."""
    return data.count(b"{") + data.count(b"[") + data.count(b",")


def parse_json(data: bytes, max_values: int | None = None) -> Any:
    """UTF-8 JSON ``data`` parsed, when it holds at most ``max_values`` values (:func:`json_values`,
    counted before parsing; default :data:`MAX_JSON_VALUES`) nested at most :data:`MAX_JSON_DEPTH`
    deep; else :class:`JSONBoundError`. Not JSON: :class:`ValueError`."""
    max_values = MAX_JSON_VALUES if max_values is None else max_values
    if json_values(data) > max_values:
        raise JSONBoundError(f"holds more than {max_values} JSON values (objects, arrays, members): not read")
    too_deep = f"nests more than {MAX_JSON_DEPTH} levels deep: not read"
    try:
        parsed = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise JSONBoundError(too_deep) from None
    if depth(parsed) > MAX_JSON_DEPTH:
        raise JSONBoundError(too_deep)
    return parsed


def path_problem(
    root: Path, value: Any, *, strict: bool = True, what: str = "resource path"
) -> tuple[Rule, str] | None:
    """Why ``value`` may not be read (or written) as a file of the package at ``root``: (rule, message),
    or None when it is a safe relative path. The lexical rules need no file system, so ``download``
    applies them before fetching; the link rule looks at what exists under ``root``."""
    if not isinstance(value, str) or not value:
        return rules.PACKAGE_PATH, f"{what} {value!r} is not a relative path"
    if strict:
        reason = _unsafe(value)
        if reason == "remote":
            return rules.PACKAGE_REMOTE, f"{what} {value!r} is remote: newspkg never fetches remote resources"
        if reason:
            return rules.PACKAGE_PATH, f"{what} {value!r} {reason}"
    elif "://" in value or value.startswith(("/", "~", "\\")) or ".." in value.split("/"):
        return rules.PACKAGE_PATH, f"{what} {value!r} leaves the package"
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


def _link_problem(root: Path, value: str, what: str) -> tuple[Rule, str] | None:
    """Every prefix of the path, links followed, must stay inside the package."""
    try:
        inside = root.resolve()
        parts = PurePosixPath(value).parts
        for end in range(1, len(parts) + 1):
            if not root.joinpath(*parts[:end]).resolve().is_relative_to(inside):
                return rules.PACKAGE_PATH, f"{what} {value!r} leads out of the package through a link"
    except (OSError, RuntimeError) as error:  # RuntimeError: a loop of links (Python < 3.13)
        return rules.PACKAGE_PATH, f"{what} {value!r} cannot be resolved: {error}"
    return None


def readable_file(root: Path, value: Any, what: str) -> tuple[Path | None, str]:
    """``root / value`` when verify would read it (a safe path to a regular file), else None and why."""
    problem = path_problem(root, value, strict=True, what=what)
    if problem is not None:
        return None, problem[1]
    path = root / str(value)
    if not path.is_file():
        return None, f"{value} {'is not a regular file' if path.exists() else 'does not exist'}"
    return path, ""


def local_path(
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
    severity = None
    if rule == rules.PACKAGE_REMOTE:
        if needed:
            message += ", even with --allow-remote, so the package cannot be verified without it"
        elif allow_remote:
            message += ": not fetched and not checked (allowed by --allow-remote)"
            severity = Severity.WARNING
        else:
            message += ": not fetched (pass --allow-remote to accept it unchecked)"
    report.add(where, rule, message, severity=severity)
    return None
