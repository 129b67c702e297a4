"""Outputs never depend on the engine, the number of workers or the cache."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from conftest import build_outputs
from newspkg import build as build_module
from newspkg import cache, engines, package, report, spilled, write
from newspkg.build import CACHE_PATH, Engine, build
from newspkg.config import load_project
from newspkg.convert import Outcome
from newspkg.discover import RawFile, read_raw
from newspkg.errors import BuildError
from newspkg.issues import Issue, Severity
from newspkg.schema import load_schemas
from newspkg.spilled import SpilledList
from newspkg.summary import BuildSummary, Duplicate, report_json

# What a build writes besides the descriptor, for this repository's dataset.
RESOURCES = [
    "build/articles.jsonl",
    "build/articles.parquet",
    "build/rejects.jsonl",
    "build/report.json",
    "build/LICENSE",
    "build/CITATION.cff",
    "build/README.md",
    "croissant.json",
    "schema/article.schema.json",
]


def build_into(project: Path, out: Path, engine: Engine) -> dict[str, bytes]:
    loaded = load_project(project)
    build(loaded, load_schemas(loaded.schema_dir), out, engine=engine)
    return {path: (out / path).read_bytes() for path in build_outputs(out)}


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


def test_rebuild_on_a_process_pool_reads_unchanged_records_from_the_cache(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers over shards of one file: the unchanged accepted records' lines stay in the cache
    (the outcomes cross processes without them) and the build reads them from there; the outputs
    equal a clean build's."""
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    pool = Engine(jobs=2, shard_size=1)
    build(loaded, schemas, project, engine=pool)
    changed = project / "raw" / "finews" / "004_23ddb00b55c8d1c2.txt"
    changed.write_bytes(changed.read_bytes().replace("开门红".encode(), "开门稳".encode(), 1))
    read_from_cache: list[str] = []
    read = cache.CachedLines.read

    def recording_read(self: cache.CachedLines, wanted: list[tuple[str, str, str]]) -> dict[str, bytes]:
        read_from_cache.extend(raw_path for raw_path, _, _ in wanted)
        return read(self, wanted)

    monkeypatch.setattr(cache.CachedLines, "read", recording_read)
    summary = build(loaded, schemas, project, engine=pool)
    assert (summary.inputs, summary.from_cache) == (5, 4)
    assert read_from_cache == [  # the accepted files but the changed one (unknown/003 is a reject)
        "raw/finews/000_7002e876ea497e3f.txt",
        "raw/shanxidayuan/001_a8873c726350f525.txt",
        "raw/zhuzhou-gaoke/002_d9af5f8fe4e5ae1e.txt",
    ]
    clean = build_into(project, tmp_path / "clean", Engine(jobs=1, cache=False))
    assert {path: (project / path).read_bytes() for path in RESOURCES} == {path: clean[path] for path in RESOURCES}


def test_rebuild_after_a_file_is_removed_equals_a_clean_build(project: Path, tmp_path: Path) -> None:
    """A removed raw file's record is gone from the rebuilt outputs, the others stay in order."""
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    build(loaded, schemas, project, engine=Engine(jobs=1))
    (project / "raw" / "shanxidayuan" / "001_a8873c726350f525.txt").unlink()
    summary = build(loaded, schemas, project, engine=Engine(jobs=1))
    assert (summary.inputs, summary.accepted, summary.from_cache) == (4, 3, 4)
    clean = build_into(project, tmp_path / "clean", Engine(jobs=1, cache=False))
    assert {path: (project / path).read_bytes() for path in RESOURCES} == {path: clean[path] for path in RESOURCES}


def test_the_cache_forgets_files_that_are_gone_and_only_then_walks_raw_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a file is deleted, and then after another is moved, the next build leaves the cache one
    row per raw file there is; a build that finds no more rows than inputs does not walk raw/ again."""
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    walk = build_module.project_raw_paths
    walks: list[int] = []
    monkeypatch.setattr(build_module, "project_raw_paths", lambda p, *kept: walks.append(1) or walk(p, *kept))

    def cached() -> list[str]:
        with contextlib.closing(sqlite3.connect(project / CACHE_PATH)) as db:
            return sorted(path for (path,) in db.execute("select path from outcome"))

    build(loaded, schemas, project, engine=Engine(jobs=1))
    assert (len(cached()), walks) == (5, [])
    (project / "raw" / "shanxidayuan" / "001_a8873c726350f525.txt").unlink()
    build(loaded, schemas, project, engine=Engine(jobs=1))
    assert (cached(), walks) == (sorted(walk(loaded)), [1])
    moved = project / "raw" / "finews" / "moved"
    moved.mkdir()
    (project / "raw" / "finews" / "000_7002e876ea497e3f.txt").rename(moved / "000_7002e876ea497e3f.txt")
    summary = build(loaded, schemas, project, engine=Engine(jobs=1))
    assert summary.inputs == len(cached()) == 4
    assert (cached(), walks) == (sorted(walk(loaded)), [1, 1])
    assert "raw/finews/moved/000_7002e876ea497e3f.txt" in cached()
    build(loaded, schemas, project, engine=Engine(jobs=1))
    assert walks == [1, 1], "nothing was gone: raw/ is not walked again"


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


def test_unchanged_files_are_not_read_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose stamp (size, times, inode, and its sidecar's) is unchanged is not even read; a
    touched file is read but not converted; a new sidecar makes its file convert again."""
    monkeypatch.setattr(cache, "RACY_SECONDS", -1.0)  # the files were written just now
    read: list[str] = []

    def counting_read_raw(*args: str, **kwargs: str) -> RawFile:
        raw = read_raw(*args, **kwargs)  # type: ignore[arg-type]
        read.append(raw.path)
        return raw

    monkeypatch.setattr(engines, "read_raw", counting_read_raw)
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    build(loaded, schemas, project, engine=Engine(jobs=1))
    assert len(read) == 5

    read.clear()
    assert build(loaded, schemas, project, engine=Engine(jobs=1)).from_cache == 5
    assert read == []

    before = {path: (project / path).read_bytes() for path in RESOURCES}
    touched = project / "raw" / "finews" / "000_7002e876ea497e3f.txt"
    os.utime(touched, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    assert build(loaded, schemas, project, engine=Engine(jobs=1)).from_cache == 5
    assert read == ["raw/finews/000_7002e876ea497e3f.txt"]
    read.clear()  # the touched file's row got its new stamp, and kept its line
    assert build(loaded, schemas, project, engine=Engine(jobs=1)).from_cache == 5
    assert read == []
    assert {path: (project / path).read_bytes() for path in RESOURCES} == before

    (project / "raw" / "finews" / "004_23ddb00b55c8d1c2.txt.meta.toml").write_text('section = "市场"\n')
    assert build(loaded, schemas, project, engine=Engine(jobs=1)).from_cache == 4
    assert read == ["raw/finews/004_23ddb00b55c8d1c2.txt"]
    assert '"section":"市场"' in (project / "build" / "articles.jsonl").read_text(encoding="utf-8")


def test_cache_of_an_older_format_is_emptied_not_misread(project: Path) -> None:
    path = project / CACHE_PATH
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as old:
        old.execute("create table outcome (key text primary key, value blob not null)")
        old.execute("insert into outcome values ('k', 'v')")
    loaded = load_project(project)
    summary = build(loaded, load_schemas(loaded.schema_dir), project, engine=Engine(jobs=1))
    assert (summary.inputs, summary.from_cache) == (5, 0)
    with sqlite3.connect(path) as reopened:
        assert reopened.execute("pragma user_version").fetchone()[0] == cache.FORMAT
        assert reopened.execute("select count(*) from outcome").fetchone()[0] == 5


def test_a_cache_file_that_is_not_a_database_is_replaced(project: Path) -> None:
    """A damaged cache costs one cold build, never a failed one."""
    path = project / CACHE_PATH
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database" * 100)
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    assert build(loaded, schemas, project, engine=Engine(jobs=1)).from_cache == 0
    assert build(loaded, schemas, project, engine=Engine(jobs=1)).from_cache == 5


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cache_that_cannot_be_opened_costs_a_cold_build_never_a_failed_one(
    project: Path, tmp_path: Path, jobs: int
) -> None:
    """The cache's path taken by a folder (no SQLite file can be opened there): every build converts
    every file and writes what a build without the cache writes."""
    (project / CACHE_PATH).mkdir(parents=True)
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    engine = Engine(jobs=jobs, shard_size=1)
    assert [build(loaded, schemas, project, engine=engine).from_cache for _ in range(2)] == [0, 0]
    clean = build_into(project, tmp_path / "clean", Engine(jobs=1, cache=False))
    assert {path: (project / path).read_bytes() for path in RESOURCES} == {path: clean[path] for path in RESOURCES}


@pytest.mark.parametrize("loss", ["rows", "file"])
def test_a_cache_that_loses_a_kept_line_during_the_build_stops_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, loss: str
) -> None:
    """Unchanged records' lines stay in the cache until the build writes them; if one is gone by
    then (another build rewrote the cache, or it was deleted), the build stops with a message,
    writing nothing."""
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    build(loaded, schemas, project, engine=Engine(jobs=1))
    before = {path: (project / path).read_bytes() for path in build_outputs(project)}
    settle = build_module._settle

    def settle_after_another_build(outcomes: Iterable[Outcome], *args: Any, **kwargs: Any) -> BuildSummary:
        converted = list(outcomes)  # every worker is done with the cache
        if loss == "file":
            for path in (project / CACHE_PATH).parent.iterdir():
                path.unlink()
        else:
            with sqlite3.connect(project / CACHE_PATH) as other:
                other.execute("delete from outcome where path like 'raw/finews/%'")
        return settle(converted, *args, **kwargs)

    monkeypatch.setattr(build_module, "_settle", settle_after_another_build)
    with pytest.raises(BuildError, match="the outcome cache changed during the build"):
        build(loaded, schemas, project, engine=Engine(jobs=1))
    assert {path: (project / path).read_bytes() for path in build_outputs(project)} == before


def test_a_build_that_failed_after_converting_leaves_a_cache_the_next_build_trusts(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that converted a file (a new sidecar: same raw bytes, new line) and then failed
    before committing leaves the cache newer than the outputs: the next build takes the new line."""
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    build(loaded, schemas, project, engine=Engine(jobs=1))
    (project / "raw" / "finews" / "000_7002e876ea497e3f.txt.meta.toml").write_text('section = "市场"\n')

    def fail(*args: Any) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(build_module, "commit_together", fail)
        with pytest.raises(OSError, match="disk full"):
            build(loaded, schemas, project, engine=Engine(jobs=1))
    assert build(loaded, schemas, project, engine=Engine(jobs=1)).from_cache == 5
    assert '"section":"市场"' in (project / "build" / "articles.jsonl").read_text(encoding="utf-8")
    clean = build_into(project, tmp_path / "clean", Engine(jobs=1, cache=False))
    assert {path: (project / path).read_bytes() for path in RESOURCES} == {path: clean[path] for path in RESOURCES}


def test_a_cache_row_with_neither_record_nor_error_is_converted_again(project: Path, tmp_path: Path) -> None:
    """No build writes such a row; if one is found anyway, the file is converted, not rejected."""
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    build(loaded, schemas, project, engine=Engine(jobs=1))
    with sqlite3.connect(project / CACHE_PATH) as cache_db:
        cache_db.execute("update outcome set line = null, issues = '[]' where path like 'raw/finews/000%'")
    assert build(loaded, schemas, project, engine=Engine(jobs=1)).from_cache == 4
    clean = build_into(project, tmp_path / "clean", Engine(jobs=1, cache=False))
    assert {path: (project / path).read_bytes() for path in RESOURCES} == {path: clean[path] for path in RESOURCES}


def test_row_groups_end_at_a_byte_limit_too(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Very long texts end a Parquet row group early (bounded memory); the rows are the same."""
    normal = build_into(project, tmp_path / "normal", Engine(jobs=1, cache=False))
    monkeypatch.setattr(write, "MAX_ROW_GROUP_BYTES", 1)
    build_into(project, tmp_path / "small", Engine(jobs=1, cache=False))
    small = pq.ParquetFile(tmp_path / "small" / "build" / "articles.parquet")
    assert small.metadata.num_row_groups == small.metadata.num_rows == 4
    assert small.read().equals(pq.read_table(tmp_path / "normal" / "build" / "articles.parquet"))
    assert (tmp_path / "small" / "build" / "articles.jsonl").read_bytes() == normal["build/articles.jsonl"]


def test_ray_engine_output_equals_local_engine(project: Path, tmp_path: Path) -> None:
    """Ray tasks over the same shards write the same bytes as the local engine."""
    pytest.importorskip("ray", reason="the Ray engine is an extra: pip install 'newspkg[ray]'")
    local = build_into(project, tmp_path / "local", Engine(jobs=1, cache=False))
    ray = build_into(project, tmp_path / "ray", Engine(kind="ray", jobs=2, cache=False, shard_size=2))
    assert local == ray


def test_report_is_written_a_list_item_at_a_time_as_json_dumps_would(project: Path) -> None:
    """build/report.json, streamed, is byte for byte ``json.dumps(to_dict(), indent=2)``: with no
    lists, with a reject, and with duplicates; and so is the one-line form of ``--format json``."""
    loaded = load_project(project)
    summary = build(loaded, load_schemas(loaded.schema_dir), project, engine=Engine(jobs=1, cache=False))
    for _ in range(2):
        summary.duplicate(Duplicate("raw/a\n.txt", "0" * 64, "finews", "1" * 16, "raw/b.txt", "same-id"))
    assert (len(summary.rejects), len(summary.duplicates)) == (1, 2)
    for case in (BuildSummary(), summary):
        expected = json.dumps(case.to_dict(), ensure_ascii=False, indent=2) + "\n"
        assert b"".join(report_json(case)) == expected.encode()
        one_line = "".join(report.json_with_lists(case.counts(), case.lists()))
        assert one_line == json.dumps(case.to_dict(), ensure_ascii=False)


def test_a_spilled_list_reads_back_what_was_appended_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Items cross the file's read blocks (7 bytes here), iterations may overlap and appends follow
    a read; closing empties the list."""
    monkeypatch.setattr(spilled, "READ_BLOCK", 7)
    items = [{"n": n, "text": "新闻\n" * n} for n in range(40)]
    listed: SpilledList[dict[str, Any]] = SpilledList(lambda item: item, lambda row: row)
    assert (list(listed), len(listed)) == ([], 0)
    for item in items[:30]:
        listed.append(item)
    reading = iter(listed)
    assert next(reading) == items[0]
    assert list(listed) == items[:30]  # a second iteration while the first is under way
    for item in items[30:]:
        listed.append(item)
    assert list(reading) == items[1:30]  # the first sees the items there were when it began
    assert (list(listed), len(listed)) == (items, 40)
    listed.close()
    assert (list(listed), len(listed)) == ([], 0)


def test_jsonl_facts_are_those_of_the_file_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The size and sha256 the JSONL writer computes as it writes (blocks of 7 bytes here, so
    lines span blocks) are the file's."""
    monkeypatch.setattr(write, "WRITE_BLOCK", 7)
    with write.JsonlWriter(tmp_path / "out.jsonl") as writer:
        for n in range(50):
            writer.write({"n": n, "text": "新闻" * n})
    writer.commit()
    facts = package.file_facts(tmp_path / "out.jsonl")
    assert writer.facts() == (facts.bytes, facts.sha256)
    assert facts.bytes == len((tmp_path / "out.jsonl").read_bytes()) > 50 * 7


def test_an_outcome_survives_pickling_with_every_field() -> None:
    """Outcomes cross to and from worker processes by pickle (fields by position)."""
    issue = Issue("raw/a.txt", "/title", "", "title:missing", "no title", Severity.WARNING)
    key = ("1" * 16, "2" * 64, 3, 4.0, 5.0)
    outcome = Outcome("raw/a.txt", "0" * 64, "a", b"{}\n", key, (issue,), "why", from_cache=True, line_cached=True)
    assert pickle.loads(pickle.dumps(outcome)) == outcome
