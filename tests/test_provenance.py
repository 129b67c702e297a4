"""Provenance names the libraries a package is made and checked with, as they are."""

from __future__ import annotations

import ast
import json
import re
from importlib.metadata import packages_distributions, version
from pathlib import Path

from conftest import REPO
from newspkg import package


def imported_distributions() -> set[str]:
    """The distributions whose modules newspkg's own code imports (lower case)."""
    modules: set[str] = set()
    for path in (REPO / "src" / "newspkg").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    owners = packages_distributions()
    return {re.sub(r"[-_.]+", "-", owner).lower() for module in modules for owner in owners.get(module, ())}


def test_every_library_provenance_names_is_installed_and_imported() -> None:
    """Each listed library is installed (its version is known) and imported by newspkg's code: the
    schema validator is jsonschema-rs, not python-jsonschema, which no module imports."""
    used = imported_distributions()
    assert [name for name in package.DEPENDENCIES if name not in used] == []
    assert all(version(name) for name in package.DEPENDENCIES)
    assert "jsonschema-rs" in package.DEPENDENCIES
    assert "jsonschema" not in package.DEPENDENCIES
    assert "jsonschema" not in used


def test_the_committed_package_lists_them() -> None:
    """The repository's datapackage.json names these libraries (and the adapters' ones) with versions."""
    provenance = json.loads(Path(REPO / "datapackage.json").read_text(encoding="utf-8"))["newspkg:provenance"]
    listed = provenance["dependencies"]
    assert set(package.DEPENDENCIES) <= set(listed)
    assert "jsonschema" not in listed
    assert all(listed[name] for name in package.DEPENDENCIES)
