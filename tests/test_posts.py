"""Posts of any static site: YAML (Jekyll) and TOML (Hugo) front matter, Markdown bodies as plain
text. Each folder of tests/fixtures/posts/ is a small dataset and the hand-checked fields of what
each of its raw files becomes (``provenance.x`` names a field inside provenance)."""

from __future__ import annotations

import json
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
