"""Shared fixtures: the repository, a scratch copy of it, and a CLI runner."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newspkg.cli import main
from newspkg.config import Project, load_project
from newspkg.schema import SchemaSet, load_schemas
from newspkg.validate import RecordChecker
from servers import Serve, servers

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW = datetime(2026, 1, 1, tzinfo=UTC)  # the clock of tests that check dates
PROJECT_PARTS = ("raw", "schema", "datapackage.json")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/fixtures/**/*.expected.json")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch copy of this repository's dataset (raw/, schema/, datapackage.json)."""
    return copy_project(REPO, tmp_path / "project")


def copy_project(source: Path, target: Path) -> Path:
    """Copy a dataset's inputs (raw/, schema/, datapackage.json) into a new folder ``target``."""
    target.mkdir(parents=True)
    for part in PROJECT_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
        else:
            shutil.copy2(source / part, target / part)
    return target


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process: run("build", root=path) → click Result (exceptions propagate)."""

    def invoke(*args: str, root: Path | None = None) -> Result:
        prefix = ["--root", str(root)] if root is not None else []
        return CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def built(project: Path, run: Callable[..., Result]) -> Path:
    """The scratch project after a successful build: a package folder to check or serve."""
    result = run("build", root=project)
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start HTTP servers on 127.0.0.1 for a package folder; all are shut down after the test."""
    with servers() as start:
        yield start


@pytest.fixture(scope="module")
def repo_project() -> Project:
    """This repository's project, read only."""
    return load_project(REPO)


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return load_schemas(REPO / "schema")


@pytest.fixture(scope="module")
def checker(repo_project: Project, schemas: SchemaSet) -> RecordChecker:
    """A record checker for this repository's sources, with the clock fixed at NOW."""
    return RecordChecker(schemas, {source.name: source.schema for source in repo_project.sources}, NOW)


def build_outputs(root: Path) -> list[str]:
    """Every file the last build of ``root`` wrote, as its descriptor lists them, the descriptor last."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    listed = [resource["path"] for resource in descriptor["resources"]]
    return [*listed, "schema/article.schema.json", "datapackage.json"]


def shared_or_skip(*parts: str) -> Path:
    """A path under ../shared/, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: tests on real files need ../shared beside the checkout")
    return path


# Figures that tests measured and that belong in the run's output (e.g. the corpus counts).
REPORTED: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORTED:
        terminalreporter.section("newspkg figures")
        for line in REPORTED:
            terminalreporter.write_line(line)
