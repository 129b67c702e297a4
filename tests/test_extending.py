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
from newspkg import adapters
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
    monkeypatch.setattr(adapters, "_registry", dict(adapters._registry))
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
