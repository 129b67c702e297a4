"""adapter = "records": the items of a scraper's export (JSON Lines, a JSON array, CSV), mapped by
[fields], each an input of its own: named by its place, cached, split across workers, acknowledged."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from newspkg.build import Engine, build
from newspkg.config import load_project
from newspkg.schema import load_schemas

SOURCE = """adapter = "records"
language = "en"
timezone = "UTC"

[fields]
title = "title"
text = "maintext"
published_at = "date_publish"
modified_at = "date_modify"
url = "url"
authors = "authors"
original_publisher = "source.name"
"""
LINES = [
    {"title": "Council approves budget", "maintext": "The council approved the budget.\nThe vote was 7 to 2.",
     "date_publish": "2023-03-14 18:30:00", "date_modify": None, "url": "https://news.example.org/budget",
     "authors": ["Jane Doe"], "source": {"name": "Springfield Gazette"}},
    None,  # a line cut off: that item alone is rejected
    {"title": "Library reopens", "maintext": "The library reopened after repairs.", "url": "https://news.example.org/library",
     "date_publish": "2023-03-15T09:00:00-05:00", "authors": "Ann Lee, Bo Chen"},
]  # fmt: skip
CSV = (
    "title,maintext,date_publish,url,authors\n"
    '"Bridge closes","The bridge closes for repairs.\n\nDetours are signed.",2023-03-16 08:00,'
    "https://news.example.org/bridge,Sam Roe\n"
)
ARRAY = [{"title": "Market opens", "maintext": "The market opened at dawn.", "date_publish": "2023-03-17"}]


def export(root: Path, source: str = SOURCE) -> Path:
    folder = root / "raw" / "scraper"
    folder.mkdir(parents=True)
    (folder / "source.toml").write_text(source, encoding="utf-8")
    lines = [json.dumps(line) if line is not None else '{"title": "cut off", "maintext": "this line' for line in LINES]
    (folder / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "more.csv").write_text(CSV, encoding="utf-8")
    (folder / "older.json").write_text(json.dumps(ARRAY), encoding="utf-8")
    return root


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_item_of_an_export_is_a_record_or_a_reject_of_its_own(tmp_path: Path, run: Callable[..., Result]) -> None:
    root = export(tmp_path)
    result = run("build", "--format", "json", root=root)
    assert result.exit_code == 1
    summary = json.loads(result.output.splitlines()[-1])["summary"]
    assert (summary["inputs"], summary["accepted"], summary["rejected"]) == (5, 4, 1)
    (reject,) = jsonl(root / "build" / "rejects.jsonl")
    assert reject["raw_path"] == "raw/scraper/export.jsonl::line-2"
    assert [issue["rule"] for issue in reject["issues"]] == ["adapter-error"]
    records = {
        (r["provenance"]["raw_path"], r["provenance"]["member"]): r for r in jsonl(root / "build/articles.jsonl")
    }
    assert sorted(records) == [
        ("raw/scraper/export.jsonl", "line-1"), ("raw/scraper/export.jsonl", "line-3"),
        ("raw/scraper/more.csv", "row-1"), ("raw/scraper/older.json", "item-0"),
    ]  # fmt: skip
    budget = records["raw/scraper/export.jsonl", "line-1"]
    assert (budget["title"], budget["url"], budget["authors"]) == (
        "Council approves budget", "https://news.example.org/budget", ["Jane Doe"],
    )  # fmt: skip
    assert (budget["published_at"], budget["original_publisher"]) == (
        "2023-03-14T18:30:00+00:00",
        "Springfield Gazette",
    )
    assert budget["text"] == "The council approved the budget.\n\nThe vote was 7 to 2."
    assert records["raw/scraper/export.jsonl", "line-3"]["authors"] == ["Ann Lee", "Bo Chen"]
    assert records["raw/scraper/more.csv", "row-1"]["text"] == "The bridge closes for repairs.\n\nDetours are signed."
    assert run("validate", str(root / "datapackage.json")).exit_code == 0
    frictionless = Path(sys.executable).parent / "frictionless"
    checked = subprocess.run([frictionless, "validate", "datapackage.json"], cwd=root, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_validating_an_export_checks_its_items(tmp_path: Path, run: Callable[..., Result]) -> None:
    root = export(tmp_path)
    result = run("validate", str(root / "raw/scraper/export.jsonl"), "--format", "json", root=root)
    summary = json.loads(result.output.splitlines()[-1])["summary"]
    assert (summary["inputs"], summary["accepted"], summary["rejected"]) == (3, 2, 1)


def test_items_are_cached_and_only_a_changed_item_is_converted_again(tmp_path: Path) -> None:
    root = export(tmp_path)
    project, schemas = load_project(root), load_schemas(root / "schema")
    first = build(project, schemas, root, engine=Engine(jobs=1))
    ids = [record["id"] for record in jsonl(root / "build/articles.jsonl")]
    assert build(project, schemas, root, engine=Engine(jobs=1)).from_cache == 5
    path = root / "raw/scraper/export.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace("repairs.", "repairs, on time."), encoding="utf-8")
    again = build(project, schemas, root, engine=Engine(jobs=1))
    assert (first.inputs, again.from_cache, dict(again.converted_because)) == (5, 4, {"changed": 1})
    assert [record["id"] for record in jsonl(root / "build/articles.jsonl")] == ids, "ids stay stable"


def test_an_export_split_across_workers_builds_the_same_bytes(tmp_path: Path) -> None:
    outputs = []
    for jobs in (1, 2):
        root = export(tmp_path / f"jobs{jobs}")
        build(
            load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=jobs, cache=False, shard_size=1)
        )
        outputs.append([(root / "build" / name).read_bytes() for name in ("articles.jsonl", "articles.parquet")])
    assert outputs[0] == outputs[1]


def test_an_item_can_be_acknowledged_by_its_place(tmp_path: Path, run: Callable[..., Result]) -> None:
    acknowledged = SOURCE.replace(
        "[fields]", '[acknowledged."export.jsonl::line-2"]\nreason = "cut off by the scraper"\n\n[fields]'
    )
    root = export(tmp_path, acknowledged)
    result = run("build", root=root)
    assert result.exit_code == 0, result.output
    assert "acknowledged:missing" not in result.output


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            ('title = "title"', 'titel = "title"'),
            "[fields] titel: not a field the adapter fills (did you mean 'title'?)",
        ),
        (
            ("[fields]", '[hints]\ntext_format = "htm"\n\n[fields]'),
            "[hints] text_format: 'htm' is none of text, html, markdown",
        ),
    ],
    ids=["unknown-field", "text-format"],
)
def test_a_bad_mapping_stops_with_the_file_and_key(
    tmp_path: Path, run: Callable[..., Result], change: tuple[str, str], words: str
) -> None:
    root = export(tmp_path, SOURCE.replace(*change))
    result = run("validate", root=root)
    assert result.exit_code == 2, result.output
    assert f"raw/scraper/source.toml: {words}" in result.stderr


def test_json_lines_named_json_are_read_as_lines(tmp_path: Path, run: Callable[..., Result]) -> None:
    """Several public news datasets ship JSON Lines as .json: the content decides, not the suffix."""
    folder = tmp_path / "raw" / "scraper"
    folder.mkdir(parents=True)
    (folder / "source.toml").write_text(SOURCE, encoding="utf-8")
    lines = [json.dumps(line) for line in (LINES[0], LINES[2])]
    (folder / "export.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("build", "--format", "json", root=tmp_path)
    assert result.exit_code == 0, result.output
    records = jsonl(tmp_path / "build" / "articles.jsonl")
    assert sorted(r["provenance"]["member"] for r in records) == ["line-1", "line-2"]
