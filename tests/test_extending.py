"""Extending newspkg: the documented adapter runs as written, an edited plugin is never served from
the cache, and a source's schema extension takes its added fields from sidecars."""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import Result

from conftest import REPO
from newspkg import adapters, readers
from newspkg.build import Engine, build
from newspkg.config import load_project
from newspkg.schema import load_schemas

EXAMPLE = re.compile(r"<!-- adapter-example -->\n```python\n(.*?)```", re.S)
TITLED = (
    "季度报告发布\n2024-03-01 10:00\n公司发布了第一季度的经营报告，营收稳步增长。\n\n报告还介绍了新产品的研发进展。\n"
)


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, ModuleType]]:
    """The documented example adapter as a module of its own, registered for this test only."""
    code = EXAMPLE.search((REPO / "docs" / "sources.md").read_text(encoding="utf-8"))
    assert code, "docs/sources.md lacks the adapter example"
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "titled_text_adapter.py").write_text(code[1], encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    module = importlib.import_module("titled_text_adapter")
    adapters.available()  # entry points loaded first: the registry put back after the test holds them
    monkeypatch.setattr(adapters.REGISTRY, "entries", dict(adapters.REGISTRY.entries))
    adapters.register(module.adapter)
    yield folder / "titled_text_adapter.py", module
    sys.modules.pop("titled_text_adapter", None)
    adapters.code_digest.cache_clear()


def project_of(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    source = root / "raw" / "reports"
    source.mkdir(parents=True)
    toml = 'adapter = "titled-text"\nlanguage = "zh-Hans"\ntimezone = "Asia/Shanghai"\n[hints]\nsection = "公告"\n'
    (source / "source.toml").write_text(toml, encoding="utf-8")
    (source / "a.txt").write_text(TITLED, encoding="utf-8")
    return root


def test_the_readme_adapter_converts_a_file(plugin: tuple[Path, ModuleType], tmp_path: Path) -> None:
    root = project_of(tmp_path)
    project = load_project(root)
    summary = build(project, load_schemas(root / "schema"), root, engine=Engine(jobs=1))
    assert (summary.inputs, summary.accepted) == (1, 1)
    (record,) = [json.loads(line) for line in (root / "build/articles.jsonl").read_text("utf-8").splitlines()]
    assert (record["title"], record["section"]) == ("季度报告发布", "公告")
    assert record["published_at"] == "2024-03-01T10:00:00+08:00"
    assert record["text"] == "公司发布了第一季度的经营报告，营收稳步增长。\n\n报告还介绍了新产品的研发进展。"


def test_an_edited_plugin_is_run_again_and_the_summary_says_why(
    plugin: tuple[Path, ModuleType], tmp_path: Path
) -> None:
    path, module = plugin
    root = project_of(tmp_path)
    project, schemas = load_project(root), load_schemas(root / "schema")
    first = build(project, schemas, root, engine=Engine(jobs=1))
    assert dict(first.converted_because) == {"new": 1}
    assert build(project, schemas, root, engine=Engine(jobs=1)).from_cache == 1
    path.write_text(path.read_text(encoding="utf-8").replace("title=title,", "title=title.upper(),"), "utf-8")
    adapters.code_digest.cache_clear()  # a new process would digest the edited file afresh
    adapters.register(importlib.reload(module).adapter)  # the same name and version, other code
    again = build(project, schemas, root, engine=Engine(jobs=1))
    assert (again.from_cache, dict(again.converted_because)) == (0, {"settings": 1})


def test_a_sidecar_sets_a_field_the_sources_extension_adds(project: Path, run: Callable[..., Result]) -> None:
    extension = project / "schema" / "sources" / "finews.schema.json"
    schema = json.loads(extension.read_text(encoding="utf-8"))
    schema["properties"]["edition"] = {"type": ["string", "null"], "description": "Which edition printed it."}
    extension.write_text(json.dumps(schema), encoding="utf-8")
    seed = "raw/finews/000_7002e876ea497e3f.txt"
    (project / f"{seed}.meta.toml").write_text('edition = "morning"\n', encoding="utf-8")
    shown = json.loads(run("show", str(project / seed), "--format", "json", root=project).output)
    assert shown["record"]["edition"] == "morning"
    assert shown["record"]["provenance"]["sidecar_fields"] == ["edition"]
    (project / f"{seed}.meta.toml").write_text("edition = 3\n", encoding="utf-8")
    rejected = json.loads(run("show", str(project / seed), "--format", "json", root=project).output)
    assert [issue["rule"] for issue in rejected["issues"]] == ["schema:type"]


class DigestReader:
    """A plugin reader: a digest file of articles, each after a line of three tildes."""

    name = "digest"
    version = "1"
    kind = "export"
    suffixes = (".digest",)

    def sniff(self, head: bytes) -> bool:
        return head.startswith(b"~~~\n")

    def places(self, path: Path) -> Iterator[readers.Place]:
        offset, number = 0, 0
        with path.open("rb") as file:
            for line in file:
                offset += len(line)
                if line == b"~~~\n":  # a place is named as the record schema's provenance.member says
                    yield readers.Place(f"item-{number}", offset)
                    number += 1

    def read(self, path: Path, place: readers.Place, limit: int) -> readers.Item:
        with path.open("rb") as file:
            file.seek(place.offset)
            data = file.read(limit + 1)
        return readers.Item(data.partition(b"~~~\n")[0])


def test_a_plugin_reader_feeds_a_plugin_adapter_and_a_rebuild_converts_nothing(
    plugin: tuple[Path, ModuleType], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readers.available()
    monkeypatch.setattr(readers.REGISTRY, "entries", dict(readers.REGISTRY.entries))
    readers.register(DigestReader())
    root = project_of(tmp_path)
    (root / "raw/reports/a.txt").unlink()
    second = (
        TITLED.replace("季度报告发布", "年度报告发布").replace("2024-03-01", "2024-12-30").replace("第一季度", "全年")
    )
    (root / "raw/reports/week.digest").write_text(f"~~~\n{TITLED}~~~\n{second}", encoding="utf-8")
    toml = root / "raw/reports/source.toml"
    toml.write_text('reader = "digest"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    project, schemas = load_project(root), load_schemas(root / "schema")
    summary = build(project, schemas, root, engine=Engine(jobs=2))
    assert (summary.inputs, summary.accepted) == (2, 2)
    records = [json.loads(line) for line in (root / "build/articles.jsonl").read_text("utf-8").splitlines()]
    assert sorted(record["title"] for record in records) == ["季度报告发布", "年度报告发布"]
    assert {record["provenance"]["raw_path"] for record in records} == {"raw/reports/week.digest"}
    assert sorted(record["provenance"]["member"] for record in records) == ["item-0", "item-1"]
    again = build(project, schemas, root, engine=Engine(jobs=2))
    assert (again.from_cache, again.inputs) == (2, 2)


def test_source_toml_names_a_reader_for_any_adapter(plugin: tuple[Path, ModuleType], tmp_path: Path) -> None:
    root = project_of(tmp_path)
    (root / "raw/reports/a.txt").unlink()
    (root / "raw/reports/notes.log").write_text(json.dumps({"x": 1}) + "\n" + json.dumps({"x": 2}) + "\n")
    toml = root / "raw/reports/source.toml"
    toml.write_text('reader = "jsonl"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    summary = build(load_project(root), load_schemas(root / "schema"), root, engine=Engine(jobs=1))
    assert summary.inputs == 2  # the titled-text adapter takes each line, whatever it makes of it
    rejects = [json.loads(line) for line in (root / "build/rejects.jsonl").read_text("utf-8").splitlines()]
    assert [reject["raw_path"] for reject in rejects] == [
        "raw/reports/notes.log::line-1",
        "raw/reports/notes.log::line-2",
    ]
