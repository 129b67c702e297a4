"""What a newcomer installs with works on any machine: pins are names and versions, nothing else."""

from __future__ import annotations

import re

from conftest import REPO

PIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!-]+")


def test_constraints_hold_only_name_version_pins() -> None:
    """A file URL or a pip-freeze comment in constraints.txt breaks every machine but one."""
    lines = (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
    other = [line for line in lines if not PIN.fullmatch(line)]
    assert lines, "constraints.txt is empty"
    assert not other, f"constraints.txt lines that are not name==version: {other}"


def test_ci_installs_as_the_readme_test_command_does() -> None:
    """.ci/run's install line is the README's test command's install line."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    install = re.search(r"pip install (-c constraints\.txt -e \"\.\[test\]\")", readme)
    assert install, "README.md lacks the test command's install"
    assert f"pip install --quiet {install[1]}" in ci
