"""What people read: the build summary as a table, issues capped per rule, a verdict last, --quiet,
and `newspkg show` for one file."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from newspkg import report
from newspkg.report import printable

SEED = "raw/finews/000_7002e876ea497e3f.txt"


def add_empty_files(project: Path, count: int) -> None:
    for n in range(count):
        (project / "raw" / "zhuzhou-gaoke" / f"empty{n:02}.txt").write_text("", encoding="utf-8")


def test_the_build_summary_is_a_table_and_ends_with_the_verdict(
    project: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "MEANINGFUL_SECONDS", 3600.0)  # a loaded machine must not make this run "long"
    result = run("build", root=project)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    title = "newspkg build: wrote datapackage.json and the 8 files it lists (the dataset card: build/README.md)"
    start = lines.index(title)
    assert lines[start + 1 : start + 7] == [
        "source         inputs  accepted  rejected  duplicates  filtered",
        "finews              2         2         0           0         0",
        "shanxidayuan        1         1         0           0         0",
        "unknown             1         0         1           0         0",
        "zhuzhou-gaoke       1         1         0           0         0",
        "total               5         4         1           0         0",
    ]
    assert "rejected files by rule: schema:required 1" in lines
    assert "warnings by rule: url:missing 2" in lines  # as many as the url:missing lines printed
    assert sum(": warning url:missing " in line for line in lines) == 2
    assert "converted 5 files (5 new); 0 unchanged, taken from the cache" in lines
    assert not any("files/s" in line for line in lines), "a run this short has no meaningful throughput"
    assert lines[-1] == "OK: 4 records, 1 reject (acknowledged), 0 duplicates"


def test_issues_are_capped_per_rule_and_the_verdict_names_the_failure(
    project: Path, run: Callable[..., Result]
) -> None:
    add_empty_files(project, 13)
    result = run("build", "--max-issues", "4", root=project)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert sum(": error raw:empty:" in line for line in lines) == 4
    assert "… and 9 more raw:empty (see build/rejects.jsonl; --max-issues 0 shows them all)" in lines
    assert "rejected files by rule: raw:empty 13, schema:required 1" in lines
    assert lines[-1] == "FAILED: 13 rejects not acknowledged — see build/rejects.jsonl"
    every = run("validate", "--max-issues", "0", root=project).output.splitlines()
    assert sum(": error raw:empty:" in line for line in every) == 13
    assert every[-1] == "FAILED: 13 rejects not acknowledged — see the issues above"


def test_quiet_prints_only_the_verdict(project: Path, run: Callable[..., Result]) -> None:
    add_empty_files(project, 2)
    assert (
        run("build", "--quiet", root=project).output == "FAILED: 2 rejects not acknowledged — see build/rejects.jsonl\n"
    )
    summary = json.loads(run("validate", "-q", "--format", "json", root=project).output)["summary"]
    assert summary["verdict"] == "FAILED: 2 rejects not acknowledged — see the issues above"


def test_verify_ends_with_a_verdict(built: Path, run: Callable[..., Result]) -> None:
    assert (
        run("verify", str(built)).output.splitlines()[-1]
        == f"OK: {built / 'datapackage.json'} is intact, 4 records checked"
    )
    (built / "build" / "articles.jsonl").write_bytes(b"{}\n")
    result = run("verify", str(built), "-q")
    assert result.exit_code == 1
    assert result.output.startswith("FAILED: ")
    assert result.output.endswith("the package is not intact\n")


def test_show_prints_the_record_and_where_each_field_came_from(project: Path, run: Callable[..., Result]) -> None:
    (project / f"{SEED}.meta.toml").write_text('section = "国企"\n', encoding="utf-8")
    result = run("show", str(project / SEED), "--format", "json", root=project)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert (shown["raw_path"], shown["fate"]) == (SEED, "accepted")
    assert list(shown["record"])[:4] == ["id", "source", "url", "title"]
    assert shown["record"]["section"] == "国企"
    assert shown["origins"]["section"] == "sidecar (<raw file>.meta.toml)"
    assert shown["origins"]["published_at"] == "adapter jekyll (front-matter)"
    assert shown["origins"]["language"] == "source.toml"
    assert shown["origins"]["original_publisher"] == "adapter jekyll"
    text = run("show", str(project / "raw/unknown/003_3600dcbb47c9ccce.txt"), root=project)
    assert text.exit_code == 1
    assert text.output.startswith("raw/unknown/003_3600dcbb47c9ccce.txt: rejected\n")
    assert "  title  " in text.output
    assert "not found in the file" in text.output
    assert "error schema:required /title" in text.output


FORGED = "a\n::error file=forged.py,line=1::FORGED\n.txt"  # a workflow command on a line of its own
STEERING = "\x1b[2J\x07\x7f\x85\u202e\u2066"  # clear screen, bell, DEL, C1, bidi override and isolate
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # all of them but the newline


def test_names_never_start_a_line_nor_drive_the_terminal(project: Path, run: Callable[..., Result]) -> None:
    """File names with a newline, a workflow command, ANSI escapes and bidi controls: text and github
    output show them escaped, each issue on one line, and no annotation but newspkg's own."""
    raw = project / "raw" / "zhuzhou-gaoke"
    (raw / FORGED).write_text("", encoding="utf-8")
    (raw / f"b{STEERING}.txt").write_text("", encoding="utf-8")
    text = run("build", "--max-issues", "0", root=project).output
    assert not CONTROL.search(text)
    assert not any(line.startswith("::") for line in text.split("\n"))
    assert "raw/zhuzhou-gaoke/a\\n::error file=forged.py,line=1::FORGED\\n.txt: error raw:unreadable" in text
    assert "raw/zhuzhou-gaoke/b\\x1b[2J\\x07\\x7f\\x85\\u202e\\u2066.txt: error raw:empty" in text
    github = run("build", "--format", "github", "--max-issues", "0", root=project).output
    assert not CONTROL.search(github)
    annotations = [line for line in github.split("\n") if line.startswith("::")]
    assert len(annotations) == 6  # the two rejects and the four issues of the dataset's own files
    assert not any(line.startswith("::error file=forged") for line in annotations)
    assert "::error file=raw/zhuzhou-gaoke/b\\x1b[2J\\x07\\x7f\\x85\\u202e\\u2066.txt,title=raw%3Aempty::" in github


def test_json_output_escapes_what_drives_a_terminal_and_keeps_the_value(
    project: Path, run: Callable[..., Result]
) -> None:
    """JSON escapes C0 itself; C1 controls, bidi overrides and DEL are escaped too (`\\u009b`)."""
    raw = project / "raw" / "zhuzhou-gaoke"
    (raw / f"b{STEERING}.txt").write_text("", encoding="utf-8")
    output = run("build", "--format", "json", "--max-issues", "0", root=project).output
    assert not CONTROL.search(output)
    files = [json.loads(line).get("file") for line in output.splitlines() if line.startswith("{")]
    assert f"raw/zhuzhou-gaoke/b{STEERING}.txt" in files
    seed = project / SEED
    seed.write_text(seed.read_text("utf-8").replace("开创集团", "开创\x9b2J\u202e集团", 1), "utf-8")
    shown = run("show", str(seed), "--format", "json", root=project).output
    assert not CONTROL.search(shown.replace("\n", " "))
    assert json.loads(shown)["record"]["title"].startswith("开创\x9b2J\u202e集团")


def test_show_escapes_what_the_record_holds(project: Path, run: Callable[..., Result]) -> None:
    """`newspkg show` prints a record's text as it is, but for its control characters."""
    seed = project / SEED
    steering = "\x9b2J\u202e"  # what cleaning leaves: a C1 control sequence, a bidi override
    seed.write_text(seed.read_text("utf-8").replace("开创集团", f"开创{steering}集团", 1), "utf-8")
    result = run("show", str(seed), root=project)
    assert not CONTROL.search(result.output)
    assert '"title": "开创\\x9b2J\\u202e集团' in result.output


def test_printable_escapes_control_characters_only() -> None:
    assert printable("中文 é\t\r\n\x1b\x9b\u202a\u2069") == "中文 é\\t\\r\\n\\x1b\\x9b\\u202a\\u2069"
