"""Posts of any static site: YAML (Jekyll) and TOML (Hugo) front matter, Markdown bodies as plain
text. Each folder of tests/fixtures/posts/ is a small dataset and the hand-checked fields of what
each of its raw files becomes (``provenance.x`` names a field inside provenance)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, NOW
from newspkg.config import load_project
from newspkg.convert import Converter
from newspkg.discover import discover
from newspkg.schema import load_schemas

CASES = sorted(path.name for path in (FIXTURES / "posts").iterdir())


def field(record: dict[str, Any], name: str) -> Any:
    for part in name.split("."):
        record = record[part]
    return record


@pytest.mark.parametrize("case", CASES)
def test_a_post_becomes_its_hand_checked_record(case: str) -> None:
    root = FIXTURES / "posts" / case
    expected = json.loads((root / "expected.json").read_text(encoding="utf-8"))
    project = load_project(root)
    converter = Converter(project, load_schemas(root / "schema"), NOW)
    outcomes = {raw.path: converter.convert(raw) for raw in discover(project)}
    assert sorted(outcomes) == sorted(expected)
    for raw_path, fields in expected.items():
        outcome = outcomes[raw_path]
        assert outcome.accepted, outcome.issues
        assert outcome.issues == ()
        record = outcome.record
        assert record is not None
        assert {name: field(record, name) for name in fields} == fields


def test_markdown_leaves_no_markers() -> None:
    """Emphasis, links, headings, quotes and lists come out as their words only."""
    from newspkg.adapters.jekyll import markdown_paragraphs

    body = "# Head\n\n**bold** _em_ `code` [link text](http://x.y) <b>tag</b>\n\n> quoted\n\n1. one\n2. two\n"
    assert markdown_paragraphs(body) == ["Head", "bold em code link text tag", "quoted", "one", "two"]


def test_a_front_matter_date_that_is_no_date_falls_back_to_the_file_name_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "raw" / "blog" / "_posts"
    folder.mkdir(parents=True)
    toml = 'adapter = "jekyll"\nlanguage = "en"\ntimezone = "UTC"\n'
    (tmp_path / "raw" / "blog" / "source.toml").write_text(toml, encoding="utf-8")
    post = '---\ntitle: "Fireworks"\ndate: "2021-13-45 25:00"\nurl: "https://blog.example.com/f/"\n---\n\nThe show.\n'
    (folder / "2021-07-04-fireworks.md").write_text(post, encoding="utf-8")
    project = load_project(tmp_path)
    [raw] = list(discover(project))
    outcome = Converter(project, load_schemas(tmp_path / "schema"), NOW).convert(raw)
    assert outcome.accepted, outcome.issues
    assert outcome.record is not None
    assert outcome.record["published_at"] == "2021-07-04T00:00:00+00:00"
    assert outcome.record["provenance"]["date_source"] == "file-name"
    [warning] = outcome.issues
    assert (warning.rule, warning.pointer) == ("date:fallback", "/published_at")
    assert "'2021-13-45 25:00' is no date" in warning.message
