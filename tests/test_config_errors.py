"""A bad configuration stops a command when it is read: exit 2, one message naming the file and the
key to fix (with a guess where one helps), never a traceback or a reject per file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

ZHUZHOU = "raw/zhuzhou-gaoke/source.toml"


def append(project: Path, relative: str, text: str) -> None:
    path = project / relative
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def replace(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


BREAKAGES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "extension-schema-empty": (
        lambda p: (p / "schema/sources/finews.schema.json").write_text("{}"),
        ["schema/sources/finews.schema.json: allOf: an extension must compose the record schema"],
    ),
    "extension-properties-not-schemas": (
        lambda p: (p / "schema/sources/finews.schema.json").write_text(
            json.dumps({"allOf": [{"$ref": "../article.schema.json"}], "properties": {"url": 3}})
        ),
        ["schema/sources/finews.schema.json: properties/url: not a valid JSON Schema"],
    ),
    "hint-pattern-does-not-compile": (
        lambda p: replace(p, "raw/shanxidayuan/source.toml", "(?P<role>", "(?P<role"),
        ["raw/shanxidayuan/source.toml: [hints] byline_pattern: not a valid regular expression"],
    ),
    "hint-unknown": (
        lambda p: replace(p, ZHUZHOU, "header_lines =", "header_line ="),
        [f"{ZHUZHOU}: [hints] header_line: adapter 'text' has no such hint (did you mean 'header_lines'?)"],
    ),
    "hint-of-the-wrong-kind": (
        lambda p: replace(p, ZHUZHOU, 'header_lines = ["园区资讯"]', 'header_lines = "园区资讯"'),
        [f"{ZHUZHOU}: [hints] header_lines: must be a list of strings"],
    ),
    "encoding-unknown": (
        lambda p: replace(p, ZHUZHOU, 'language = "zh-Hans"', 'language = "zh-Hans"\nencoding = "gb18300"'),
        [f"{ZHUZHOU}: encoding: 'gb18300' is not a text encoding Python knows (did you mean 'gb18030'?)"],
    ),
    "encoding-not-text": (
        lambda p: replace(p, ZHUZHOU, 'language = "zh-Hans"', 'language = "zh-Hans"\nencoding = "base64"'),
        [f"{ZHUZHOU}: encoding: 'base64' is not a text encoding Python knows"],
    ),
    "base-url-not-absolute": (
        lambda p: replace(p, ZHUZHOU, 'language = "zh-Hans"', 'language = "zh-Hans"\nbase_url = "example.com/news"'),
        [f"{ZHUZHOU}: base_url: 'example.com/news' is not an absolute http(s) URL"],
    ),
    "timezone-misspelt": (
        lambda p: replace(p, ZHUZHOU, "Asia/Shanghai", "Asia/Shanghia"),
        [f"{ZHUZHOU}: timezone: 'Asia/Shanghia' is not an IANA zone (did you mean 'Asia/Shanghai'?)"],
    ),
    "key-misspelt": (
        lambda p: replace(p, ZHUZHOU, "publisher =", "publsher ="),
        [f"{ZHUZHOU}: publsher: unknown key (did you mean 'publisher'?)"],
    ),
    "reader-unknown": (
        lambda p: replace(p, ZHUZHOU, 'language = "zh-Hans"', 'language = "zh-Hans"\nreader = "jsonlines"'),
        [f"{ZHUZHOU}: reader: unknown reader 'jsonlines' (did you mean 'jsonl'?)"],
    ),
    "exclude-not-patterns": (
        lambda p: replace(p, ZHUZHOU, 'language = "zh-Hans"', 'language = "zh-Hans"\nexclude = 3'),
        [f"{ZHUZHOU}: exclude: must be a list of glob patterns"],
    ),
}


@pytest.mark.parametrize("command", [["build"], ["validate"]], ids=" ".join)
@pytest.mark.parametrize("case", sorted(BREAKAGES))
def test_a_bad_configuration_exits_2_naming_file_and_key(
    project: Path, run: Callable[..., Result], case: str, command: list[str]
) -> None:
    breakage, words = BREAKAGES[case]
    breakage(project)
    result = run(*command, root=project)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("newspkg: error: ")
    for word in words:
        assert word in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "build" / "articles.jsonl").exists() or command == ["validate"]


def test_an_acknowledgement_of_a_missing_file_is_a_warning(project: Path, run: Callable[..., Result]) -> None:
    append(project, ZHUZHOU, '\n[acknowledged."gone.txt"]\nreason = "was a list page"\n')
    result = run("build", "--format", "json", root=project)
    assert result.exit_code == 0, result.output
    issues = [json.loads(line) for line in result.output.splitlines() if '"rule"' in line]
    (issue,) = [issue for issue in issues if issue["rule"] == "acknowledged:missing"]
    assert (issue["file"], issue["severity"]) == (ZHUZHOU, "warning")
    assert '[acknowledged."gone.txt"]' in issue["message"]


def test_exclude_and_include_patterns_choose_the_raw_files(project: Path, run: Callable[..., Result]) -> None:
    """A NOTES.md and a drafts/ folder left out by exclude, a .jpg by include, are not inputs at all."""
    source = project / "raw" / "zhuzhou-gaoke"
    (source / "NOTES.md").write_text("where these pages came from", encoding="utf-8")
    (source / "drafts").mkdir()
    (source / "drafts" / "x.txt").write_text("unfinished", encoding="utf-8")
    (source / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    summary = json.loads(run("validate", "--format", "json", root=project).output.splitlines()[-1])["summary"]
    assert summary["per_source"]["zhuzhou-gaoke"]["inputs"] == 4
    patterns = 'include = ["*.txt", "drafts/*"]\nexclude = ["drafts/*"]'
    replace(project, ZHUZHOU, 'language = "zh-Hans"', f'language = "zh-Hans"\n{patterns}')
    result = run("validate", "--format", "json", root=project)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.splitlines()[-1])["summary"]
    assert summary["per_source"]["zhuzhou-gaoke"] == {
        "accepted": 1,
        "duplicates": 0,
        "filtered": 0,
        "inputs": 1,
        "rejected": 0,
    }
