"""No hidden Chinese defaults: a source states its language and time zone, and texts in any language
are checked for mis-decoding (the Han share for zh, mojibake and control characters for all)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from conftest import NOW
from newspkg.config import Project
from newspkg.convert import Converter
from newspkg.discover import discover
from newspkg.records import fingerprint
from newspkg.schema import SchemaSet
from newspkg.validate import RecordChecker

SEED = "raw/finews/000_7002e876ea497e3f.txt"
ENGLISH = "The council approved the new budget on Tuesday.\n\nThe café on Main Street will stay open."


@pytest.mark.parametrize("key", ["language", "timezone"])
def test_a_source_without_language_or_timezone_stops_with_the_file_and_key(
    project: Path, run: Callable[..., Result], key: str
) -> None:
    toml = project / "raw" / "zhuzhou-gaoke" / "source.toml"
    toml.write_text("\n".join(line for line in toml.read_text("utf-8").splitlines() if not line.startswith(key)))
    result = run("validate", root=project)
    assert result.exit_code == 2, result.output
    assert f"raw/zhuzhou-gaoke/source.toml: {key} is missing" in result.stderr


@pytest.fixture(scope="module")
def english(repo_project: Project, schemas: SchemaSet) -> dict[str, Any]:
    """A real record (seed 000) turned into an English one: language en, an English text."""
    (raw,) = discover(repo_project, {SEED})
    record = Converter(repo_project, schemas, NOW).convert(raw).record
    assert record is not None
    return {**record, "language": "en"}


def with_text(record: dict[str, Any], text: str) -> dict[str, Any]:
    return {**copy.deepcopy(record), "text": text, "char_count": len(text), "fingerprint": fingerprint(text)}


def encoding_issues(checker: RecordChecker, record: dict[str, Any]) -> list[str]:
    return [issue.message for issue in checker.check(record, SEED) if issue.rule == "text:encoding"]


def test_an_english_text_is_not_held_to_the_han_share(checker: RecordChecker, english: dict[str, Any]) -> None:
    assert encoding_issues(checker, with_text(english, ENGLISH)) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (ENGLISH.replace("café", "cafÃ©"), "looks mis-decoded"),
        (ENGLISH.replace("approved", "approvedâ€™"), "looks mis-decoded"),
        (ENGLISH.replace("new", "n\x1bew"), "U+001B"),
        (ENGLISH.replace("new", "n\x85ew"), "U+0085"),
        (ENGLISH.replace("new", "n\ufffdw"), "U+FFFD"),
    ],
    ids=["Ã©", "â€™", "escape", "C1 control", "replacement"],
)
def test_mis_decoded_text_in_any_language_is_an_encoding_error(
    checker: RecordChecker, english: dict[str, Any], text: str, words: str
) -> None:
    (message,) = encoding_issues(checker, with_text(english, text))
    assert words in message


def test_a_zh_text_of_latin_letters_still_fails_the_han_share(checker: RecordChecker, english: dict[str, Any]) -> None:
    messages = encoding_issues(checker, with_text({**english, "language": "zh-Hans"}, ENGLISH))
    assert [m for m in messages if "Chinese characters" in m]
