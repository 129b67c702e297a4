"""A package that lacks a resource, run through every consumer command: each says what is missing and
none ends in a traceback (the CLI runs with exceptions propagating)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import Result

from newspkg import resources
from packages import build_package, invoke

COMMANDS = ("validate", "verify", "stats", "report", "diff")


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_package(tmp_path_factory.mktemp("missing") / "package")


def run_every_command(package: Path, reference: Path, page: Path) -> dict[str, Result]:
    return {
        "validate": invoke("--root", str(package), "validate", str(package / "datapackage.json")),
        "verify": invoke("verify", str(package)),
        "stats": invoke("stats", str(package), "--no-verify"),
        "report": invoke("report", str(package), "--no-verify", "-o", str(page)),
        "diff": invoke("diff", str(reference), str(package)),
    }


def without(built: Path, target: Path, name: str, *, entry: bool) -> str:
    """A copy of ``built`` without resource ``name``'s file, or (``entry``) without its descriptor entry;
    the resource's path."""
    copy = Path(shutil.copytree(built, target))
    descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    listed = next(r for r in descriptor["resources"] if r["name"] == name)
    if entry:
        descriptor["resources"].remove(listed)
        (copy / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    else:
        (copy / listed["path"]).unlink()
    return str(listed["path"])


@pytest.mark.parametrize("name", [resource.name for resource in resources.ALL])
def test_a_missing_file_is_named_by_every_command(built_once: Path, tmp_path: Path, name: str) -> None:
    """The file of any resource deleted: validate and verify fail (exit 1) naming it; stats and report
    say it is missing (exit 0, by design); diff still compares when the records are there."""
    path = without(built_once, tmp_path / "package", name, entry=False)
    results = run_every_command(tmp_path / "package", built_once, tmp_path / "page.html")
    for command in ("validate", "verify"):
        assert results[command].exit_code == 1, (command, results[command].output)
        assert f"{path} does not exist" in results[command].output, command
    assert results["stats"].exit_code == 0, results["stats"].output
    assert f"  missing: resource {name!r}: {path} does not exist" in results["stats"].output.splitlines()
    assert results["report"].exit_code == 0, results["report"].output
    assert f"missing: resource {name!r}: {path} does not exist" in results["report"].output
    assert f"<li>resource {name!r}: {path} does not exist</li>".replace("'", "&#39;") in (
        tmp_path / "page.html"
    ).read_text(encoding="utf-8")
    if name == resources.JSONL.name:
        assert results["diff"].exit_code == 2
        assert "newspkg: error: new package" in results["diff"].output
    else:
        assert results["diff"].exit_code == 0, results["diff"].output


@pytest.mark.parametrize("name", [resource.name for resource in resources.ARTICLES])
def test_an_unlisted_article_resource_is_named_by_every_command(built_once: Path, tmp_path: Path, name: str) -> None:
    """The JSONL or Parquet resource left out of datapackage.json: validate and verify fail naming it,
    stats and report say the package lacks it; diff needs the JSONL and says so (exit 2), and calls
    a dropped Parquet resource a breaking change (exit 1)."""
    without(built_once, tmp_path / "package", name, entry=True)
    results = run_every_command(tmp_path / "package", built_once, tmp_path / "page.html")
    for command in ("validate", "verify"):
        assert results[command].exit_code == 1, (command, results[command].output)
        assert f"resource {name!r} is missing" in results[command].output, command
    expected = f"resource {name!r} is not in the descriptor"
    assert results["stats"].exit_code == 0
    assert f"  missing: {expected}" in results["stats"].output.splitlines()
    assert results["report"].exit_code == 0
    assert expected in results["report"].output
    if name == resources.JSONL.name:
        assert results["diff"].exit_code == 2
        assert f"no resource named {name!r}" in results["diff"].output
        assert "0 records" in results["stats"].output.splitlines()[0]
    else:  # a release that drops a resource breaks its readers
        assert results["diff"].exit_code == 1, results["diff"].output
        assert f"resource {name} was removed" in results["diff"].output


def test_a_complete_package_misses_nothing(built_once: Path, tmp_path: Path) -> None:
    """The package as built: no command reports anything missing."""
    results = run_every_command(built_once, built_once, tmp_path / "page.html")
    assert [command for command, result in results.items() if result.exit_code != 0] == []
    assert "missing:" not in results["stats"].output
    assert "missing:" not in results["report"].output
