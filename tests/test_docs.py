"""The README stays true to the code: the data dictionary and every command are documented."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from conftest import REPO
from newspkg.cli import main
from newspkg.config import load_project

DICTIONARY = re.compile(r"<!-- data-dictionary:start -->\n(.*?)<!-- data-dictionary:end -->", re.S)


def test_readme_data_dictionary_matches_the_schema(run: Callable[..., Result]) -> None:
    """The README's field table is exactly what `newspkg schema --format markdown` prints."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = DICTIONARY.search(readme)
    assert match, "README.md lacks the data-dictionary markers"
    printed = run("schema", "--format", "markdown", root=REPO).output
    assert match[1] == printed, (
        "README.md's data dictionary is stale: paste `newspkg schema` output between the markers"
    )


def test_every_command_is_documented_in_the_readme() -> None:
    """Each CLI command appears in the README as `newspkg <command>`."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name in main.commands if f"newspkg {name}" not in readme]
    assert not missing, f"README.md does not document: {missing}"


def test_changelog_has_an_unreleased_section() -> None:
    """CHANGELOG.md keeps an Unreleased section for the next change."""
    assert "## [Unreleased]" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


def test_every_source_example_in_the_docs_is_a_valid_configuration(tmp_path: Path) -> None:
    docs = "".join((REPO / name).read_text(encoding="utf-8") for name in ("README.md", "docs/sources.md"))
    examples = re.findall(r"```toml\n(adapter = .*?)```", docs, re.S)
    assert len(examples) >= 3  # jekyll, html, records
    for n, example in enumerate(examples):
        (tmp_path / "raw" / f"source-{n}").mkdir(parents=True)
        (tmp_path / "raw" / f"source-{n}" / "source.toml").write_text(example, encoding="utf-8")
    project = load_project(tmp_path)  # a ConfigError names the example's file and key
    assert {source.adapter for source in project.sources} == {"jekyll", "html", "records"}
