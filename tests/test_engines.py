"""Outputs never depend on the engine, the number of workers or the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from newspkg.build import OUTPUTS, Engine, build
from newspkg.config import load_project
from newspkg.schema import load_schemas

RESOURCES = [path for path in OUTPUTS if path != "datapackage.json"]


def build_into(project: Path, out: Path, engine: Engine) -> dict[str, bytes]:
    loaded = load_project(project)
    build(loaded, load_schemas(loaded.schema_dir), out, engine=engine)
    return {path: (out / path).read_bytes() for path in OUTPUTS}


def test_process_pool_output_equals_single_process(project: Path, tmp_path: Path) -> None:
    """Two workers over shards of one file write the same bytes as one process."""
    one = build_into(project, tmp_path / "one", Engine(jobs=1, cache=False))
    two = build_into(project, tmp_path / "two", Engine(jobs=2, cache=False, shard_size=1))
    assert one == two


def test_rebuild_after_one_change_converts_only_that_file(project: Path, tmp_path: Path) -> None:
    """With the cache, a rebuild after changing one raw file converts that file alone, and the
    outputs equal a clean build's."""
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    build(loaded, schemas, project, engine=Engine(jobs=1))
    changed = project / "raw" / "finews" / "004_23ddb00b55c8d1c2.txt"
    changed.write_bytes(changed.read_bytes().replace("开门红".encode(), "开门稳".encode(), 1))
    summary = build(loaded, schemas, project, engine=Engine(jobs=1))
    assert (summary.inputs, summary.from_cache) == (5, 4)
    clean = build_into(project, tmp_path / "clean", Engine(jobs=1, cache=False))
    assert {path: (project / path).read_bytes() for path in RESOURCES} == {path: clean[path] for path in RESOURCES}


def test_changed_source_configuration_misses_the_cache(project: Path) -> None:
    """Editing a source.toml invalidates that source's cached outcomes."""
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    build(loaded, schemas, project, engine=Engine(jobs=1))
    toml = project / "raw" / "zhuzhou-gaoke" / "source.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("株洲高科撩园", "株洲高科"), encoding="utf-8")
    summary = build(load_project(project), schemas, project, engine=Engine(jobs=1))
    assert summary.from_cache == 4
    assert '株洲高科"' in (project / "build" / "articles.jsonl").read_text(encoding="utf-8")


def test_ray_engine_output_equals_local_engine(project: Path, tmp_path: Path) -> None:
    """Ray tasks over the same shards write the same bytes as the local engine."""
    pytest.importorskip("ray", reason="the Ray engine is an extra: pip install 'newspkg[ray]'")
    local = build_into(project, tmp_path / "local", Engine(jobs=1, cache=False))
    ray = build_into(project, tmp_path / "ray", Engine(kind="ray", jobs=2, cache=False, shard_size=2))
    assert local == ray
