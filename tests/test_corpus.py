"""The 150 real finews posts (../shared/corpus/finews) build: every variant converts, versions settle."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from conftest import REPO, REPORTED, shared_or_skip
from newspkg.config import load_project
from newspkg.convert import Converter
from newspkg.discover import read_raw
from newspkg.schema import load_schemas

CorpusBuild = tuple[Path, dict[str, Any], list[dict[str, str]]]
SOURCE_TOML = """adapter = "jekyll"
timezone = "Asia/Shanghai"
language = "zh-Hans"
publisher = "finews"
base_url = "https://finews.withounder.com/"
schema = "finews"

[hints]
url_line = true
navigation_lines = true
digest_quote = true
bylines = true
"""


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> CorpusBuild:
    """The corpus as a second raw tree, built once for this module."""
    from click.testing import CliRunner

    from newspkg.cli import main

    corpus = shared_or_skip("corpus", "finews")
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(REPO / "schema", root / "schema")
    raw = root / "raw" / "finews"
    shutil.copytree(corpus, raw, ignore=shutil.ignore_patterns("manifest.tsv", "README*"))
    (raw / "source.toml").write_text(SOURCE_TOML, encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(root), "build", "--format", "json"], catch_exceptions=False)
    summary = json.loads(result.output.strip().splitlines()[-1])["summary"]
    with (corpus / "manifest.tsv").open(encoding="utf-8") as file:
        manifest = list(csv.DictReader(file, delimiter="\t"))
    REPORTED.append(
        f"finews corpus: inputs {summary['inputs']}, accepted {summary['accepted']}, "
        f"rejected {summary['rejected']} {summary['rejected_by_rule']}, duplicates {summary['duplicates']}"
    )
    return root, summary, manifest


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def raw_path(row: dict[str, str]) -> str:
    return f"raw/finews/{row['commit'][:8]}/{row['path']}"


def test_counts_add_up(corpus_build: CorpusBuild) -> None:
    """Every one of the 150 posts is accepted, rejected or a duplicate: the counts add up."""
    _, summary, manifest = corpus_build
    assert summary["inputs"] == len(manifest) == 150
    assert summary["accepted"] + summary["rejected"] + summary["duplicates"] == summary["inputs"]


def test_every_variant_converts(corpus_build: CorpusBuild) -> None:
    """Each variant label of the manifest has files, and all of them become records or duplicates,
    except the placeholder post, which is the only reject."""
    _, summary, manifest = corpus_build
    rejected = {entry["raw_path"] for entry in summary["rejects"]}
    placeholders = {raw_path(row) for row in manifest if "init-placeholder" in row["variant"]}
    assert rejected == placeholders
    converted = Counter(
        label for row in manifest if raw_path(row) not in rejected for label in row["variant"].split("|")
    )
    labels = {label for row in manifest for label in row["variant"].split("|")} - {"init-placeholder"}
    assert all(converted[label] > 0 for label in labels), labels - set(converted)


def test_placeholder_post_is_rejected_for_its_missing_url(
    corpus_build: CorpusBuild,
) -> None:
    """The sitenews placeholder has no URL; the finews extension requires one."""
    root, _, _ = corpus_build
    rejects = read_jsonl(root / "build" / "rejects.jsonl")
    assert [(i["rule"], i["pointer"]) for r in rejects for i in r["issues"] if i["severity"] == "error"] == [
        ("schema:required", "/url")
    ]


def test_duplicates_point_at_kept_records(corpus_build: CorpusBuild) -> None:
    """Versions of one article become one record; every duplicate names a record that is in the package."""
    root, summary, _ = corpus_build
    records = [
        json.loads(line) for line in (root / "build" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    kept = {(r["id"], r["provenance"]["raw_path"]) for r in records}
    assert len({r["url"] for r in records}) == len(records)
    assert summary["duplicates_of"]
    for duplicate in summary["duplicates_of"]:
        assert (duplicate["duplicate_of"], duplicate["kept_raw_path"]) in kept


def test_the_most_complete_version_is_kept(corpus_build: CorpusBuild) -> None:
    """Of the seven versions of article 928461, the kept one has the longest text."""
    root, _, _ = corpus_build
    records = [
        json.loads(line) for line in (root / "build" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    (kept,) = [r for r in records if r["url"] and r["url"].endswith("928461.html")]
    project = load_project(root)
    converter = Converter(project, load_schemas(project.schema_dir))
    paths = sorted(p.relative_to(root).as_posix() for p in (root / "raw" / "finews").glob("*/*/*928461.md"))
    lengths = {path: converter.convert(read_raw(project, path, "finews")).record["char_count"] for path in paths}
    assert len(lengths) == 7
    assert len(set(lengths.values())) > 1, "the versions differ in length"
    assert kept["char_count"] == max(lengths.values())
    assert kept["provenance"]["raw_path"] == min(p for p, n in lengths.items() if n == kept["char_count"])


def test_the_package_of_the_corpus_validates(corpus_build: CorpusBuild, run: Callable[..., Result]) -> None:
    """newspkg validate accepts the package built from the corpus."""
    root, _, _ = corpus_build
    result = run("validate", str(root / "datapackage.json"))
    assert result.exit_code == 0, result.output
