"""Shared fixtures: the repository, a scratch copy of it, and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newspkg.cli import main

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECT_PARTS = ("raw", "schema", "datapackage.json")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/fixtures/**/*.expected.json")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch copy of this repository's dataset (raw/, schema/, datapackage.json)."""
    root = tmp_path / "project"
    root.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy2(source, root / part)
    return root


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process: run("build", root=path) → click Result (exceptions propagate)."""

    def invoke(*args: str, root: Path | None = None) -> Result:
        prefix = ["--root", str(root)] if root is not None else []
        return CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)

    return invoke


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
