"""A record's language: detected from its text with ``language = "auto"`` (Chinese script told
apart), checked against a declared one (``language:mismatch``, a warning that keeps the record),
and the card's languages taken from the records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from newspkg.config import load_project
from newspkg.errors import ConfigError
from newspkg.language import UNDETERMINED, detect, plainly_other
from test_html import convert, record_of

ENGLISH = "The harbour authority said on Monday that cargo volumes rose by twelve percent this spring. " * 4
GERMAN = "Die Hafenbehörde teilte am Montag mit, dass der Umschlag in diesem Frühjahr um zwölf Prozent stieg. " * 4
SIMPLIFIED = "港务局周一表示，今年春季的货物吞吐量增长了百分之十二，创下历史新高。" * 6
TRADITIONAL = "港務局週一表示，今年春季的貨物吞吐量增長了百分之十二，創下歷史新高。" * 6


def page(text: str, title: str = "Cargo") -> bytes:
    meta = '<meta property="article:published_time" content="2024-05-13T08:30:00+00:00">'
    return f"<html><head>{meta}</head><body><h1>{title}</h1><p>{text}</p></body></html>".encode()


def source(language: str) -> str:
    return f'adapter = "html"\nlanguage = "{language}"\ntimezone = "UTC"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [(ENGLISH, "en"), (GERMAN, "de"), (SIMPLIFIED, "zh-Hans"), (TRADITIONAL, "zh-Hant"), ("ok", UNDETERMINED)],
)
def test_detect_names_the_language_and_the_chinese_script(text: str, expected: str) -> None:
    assert detect(text) == expected


def test_detect_reads_past_characters_the_detector_refuses() -> None:
    assert detect("\x01\ufffe\ud800" + ENGLISH) == "en"


@pytest.mark.parametrize(
    ("declared", "text", "expected"),
    [
        ("en", GERMAN, "de"),
        ("zh-Hans", TRADITIONAL, "zh-Hant"),
        ("zh", TRADITIONAL, None),  # no script declared: either is Chinese
        ("zh-Hant", TRADITIONAL, None),
        ("de", GERMAN, None),
        ("en", GERMAN[:150], None),  # too short to be plain
        ("nb", "Havnevesenet sa mandag at godsvolumet steg med tolv prosent i vår. " * 4, None),  # close languages
    ],
)
def test_plainly_other_only_when_the_text_is_plainly_in_another_language(
    declared: str, text: str, expected: str | None
) -> None:
    assert plainly_other(declared, text) == expected


def test_auto_detects_each_records_language(tmp_path: Path) -> None:
    pages = {"en.html": page(ENGLISH), "hans.html": page(SIMPLIFIED), "hant.html": page(TRADITIONAL)}
    outcomes = convert(tmp_path, pages, source=source("auto"))
    languages = {name: record_of(outcome)["language"] for name, outcome in outcomes.items()}
    assert languages == {"en.html": "en", "hans.html": "zh-Hans", "hant.html": "zh-Hant"}
    assert not any(issue.rule == "language:mismatch" for outcome in outcomes.values() for issue in outcome.issues)


def test_a_text_in_another_language_than_declared_is_a_warning_and_the_record_stays(tmp_path: Path) -> None:
    outcome = convert(tmp_path, {"de.html": page(GERMAN)}, source=source("en"))["de.html"]
    record = record_of(outcome)
    assert record["language"] == "en"  # the declaration is the maintainer's to change
    [warning] = [issue for issue in outcome.issues if issue.rule == "language:mismatch"]
    assert warning.severity == "warning"
    assert "reads as de, not en" in warning.message
    assert warning.pointer == "/language"


def test_language_auto_is_accepted_and_a_misspelling_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "raw" / "site"
    folder.mkdir(parents=True)
    (folder / "source.toml").write_text(source("auto"), encoding="utf-8")
    assert load_project(tmp_path).sources[0].detects_language
    (folder / "source.toml").write_text(source("automatic"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"source\.toml: language: 'automatic' is not a BCP 47 tag.*nor auto"):
        load_project(tmp_path)


def test_card_lists_the_languages_of_the_records(tmp_path: Path, run: Callable[..., Result]) -> None:
    assert run("init", str(tmp_path / "data")).exit_code == 0
    root = tmp_path / "data"
    result = run("sources", "add", "mixed", "--adapter", "html", "--language", "auto", "--timezone", "UTC", root=root)
    assert result.exit_code == 0, result.output
    assert 'language = "auto"' in (root / "raw" / "mixed" / "source.toml").read_text(encoding="utf-8")
    (root / "raw" / "mixed" / "de.html").write_bytes(page(GERMAN, "Der Hafen meldet einen Rekord"))
    (root / "raw" / "mixed" / "hant.html").write_bytes(page(TRADITIONAL, "港務局貨物吞吐量創新高"))
    result = run("build", root=root)
    assert result.exit_code == 0, result.output
    card = next(path for path in (root / "README.md", root / "build" / "README.md") if path.is_file())
    header = card.read_text(encoding="utf-8").split("---")[1]
    assert "language:\n- de\n- en\n- zh\n" in header  # the example source's en, the detected de and zh
