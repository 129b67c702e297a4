"""A package as data users read it: the JSONL and Parquet files through pandas, polars, DuckDB and
Hugging Face `datasets`, each record's local date the same in every reader as the JSONL states it."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import Result

from conftest import shared_or_skip

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything here is local: never ask the Hub
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

JSONL = "build/articles.jsonl"
PARQUET = "build/articles.parquet"
# Items west and east of UTC, and at its edges, where the UTC date is another day than the local one.
EXPORT = [
    {
        "title": "Late in New York",
        "body": "Text one.",
        "date": "2024-03-09T22:30:00-05:00",
        "link": "https://e.example/1",
    },
    {
        "title": "Early in Kathmandu",
        "body": "Text two.",
        "date": "2024-03-10T01:15:00+05:45",
        "link": "https://e.example/2",
    },
    {"title": "Midnight in UTC", "body": "Text three.", "date": "2024-12-31T23:59:59Z", "link": "https://e.example/3"},
    {
        "title": "New Year in Samoa",
        "body": "Text four.",
        "date": "2025-01-01T00:00:00+13:00",
        "link": "https://e.example/4",
    },
    {
        "title": "Naive, read in the zone",
        "body": "Text five.",
        "date": "2024-07-01 00:30",
        "link": "https://e.example/5",
    },
]
SOURCE = """adapter = "records"
language = "en"
timezone = "America/Los_Angeles"

[fields]
title = "title"
text = "body"
published_at = "date"
url = "link"
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, 150 real Jekyll posts (+08:00) and an export across offsets, built."""
    from click.testing import CliRunner

    from conftest import REPO, copy_project
    from newspkg.cli import main

    root = copy_project(REPO, tmp_path_factory.mktemp("clients") / "project")
    shutil.copytree(shared_or_skip("corpus", "finews"), root / "raw" / "finews", dirs_exist_ok=True)
    (root / "raw" / "wire").mkdir()
    (root / "raw" / "wire" / "source.toml").write_text(SOURCE, encoding="utf-8")
    lines = "".join(json.dumps(item) + "\n" for item in EXPORT)
    (root / "raw" / "wire" / "export.jsonl").write_text(lines, encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(root), "build", "--jobs", "1"])
    assert "Traceback" not in result.output, result.output
    return root


def stated_dates(root: Path) -> dict[str, date]:
    """Each record's local date as its JSONL line states it: the date part of the RFC 3339 text."""
    lines = (root / JSONL).read_text(encoding="utf-8").splitlines()
    return {record["id"]: date.fromisoformat(record["published_at"][:10]) for record in map(json.loads, lines)}


def test_the_package_has_records_on_both_sides_of_utc(package: Path) -> None:
    """The check below means something: many records fall on another UTC day than their local one."""
    lines = (package / JSONL).read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    moved = [
        r
        for r in records
        if datetime.fromisoformat(r["published_at"]).astimezone(UTC).date()
        != date.fromisoformat(r["published_at"][:10])
    ]
    assert {r["source"] for r in records} == {"finews", "shanxidayuan", "zhuzhou-gaoke", "wire"}
    assert len(records) > 80
    assert any(r["published_at"].endswith("-05:00") for r in records)
    assert any(r["published_at"].endswith("+05:45") for r in records)
    assert any(r["published_at"] == "2024-07-01T00:30:00-07:00" for r in records), "naive time read in the zone"
    assert moved, "no record whose UTC date differs from its local date"


def test_local_dates_agree_in_every_reader(package: Path) -> None:
    """pandas, polars and DuckDB on the Parquet file give each record the local date the JSONL states."""
    expected = stated_dates(package)
    frame = pd.read_parquet(package / PARQUET, columns=["id", "published_at", "published_at_local"])
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    assert dict(zip(frame["id"], frame["published_at_local"].dt.date, strict=True)) == expected

    polars_frame = pl.read_parquet(package / PARQUET, columns=["id", "published_at_local"])
    polars_dates = polars_frame.select("id", pl.col("published_at_local").dt.date())
    assert dict(polars_dates.iter_rows()) == expected

    query = f"SELECT id, CAST(published_at_local AS DATE) FROM read_parquet('{package / PARQUET}')"
    assert dict(duckdb.sql(query).fetchall()) == expected


def test_the_offset_is_local_time_minus_the_instant(package: Path) -> None:
    """published_at_local − published_at is the offset the JSONL states, for every record."""
    stated = {
        record["id"]: datetime.fromisoformat(record["published_at"]).utcoffset()
        for record in map(json.loads, (package / JSONL).read_text(encoding="utf-8").splitlines())
    }
    rows = pq.read_table(package / PARQUET, columns=["id", "published_at", "published_at_local"]).to_pylist()
    offsets = {row["id"]: row["published_at_local"] - row["published_at"].replace(tzinfo=None) for row in rows}
    assert offsets == stated


def test_hugging_face_loads_the_folder_with_the_cards_types(package: Path) -> None:
    """`datasets.load_dataset(<folder>)` finds the data through the card and reads every record with
    the types the card declares: instants in UTC, local times, lists, provenance as a struct."""
    datasets = pytest.importorskip("datasets")
    card_folder = (package / "build" / "README.md").parent
    loaded = datasets.load_dataset(str(card_folder), split="train", cache_dir=str(package / ".hf-cache"))
    expected = stated_dates(package)
    assert len(loaded) == len(expected)
    assert str(loaded.features["published_at"].dtype) == "timestamp[us, tz=UTC]"
    assert str(loaded.features["published_at_local"].dtype) == "timestamp[us]"
    assert loaded.features["authors"].feature.dtype == "string"
    assert loaded.features["provenance"]["raw_path"].dtype == "string"
    dates = {row["id"]: row["published_at_local"].date() for row in loaded}
    assert dates == expected


def card_features(package: Path) -> list[dict[str, Any]]:
    header = yaml.safe_load((package / "build" / "README.md").read_text(encoding="utf-8").split("---\n")[1])
    return list(header["dataset_info"]["features"])


def test_hugging_face_reads_the_jsonl_with_the_cards_types(package: Path) -> None:
    """The JSONL file read with the card's features (its record fields) gives the Parquet's values
    with the same types: times as UTC instants, not naive and not text."""
    datasets = pytest.importorskip("datasets")
    cache = str(package / ".hf-cache")
    parquet = datasets.load_dataset(str(package / "build"), split="train", cache_dir=cache)
    record_fields = [feature for feature in card_features(package) if not feature["name"].endswith("_local")]
    features = datasets.Features._from_yaml_list(record_fields)
    jsonl = datasets.load_dataset(
        "json", data_files=str(package / JSONL), features=features, split="train", cache_dir=cache
    )
    names = list(features)
    assert jsonl.column_names == names
    assert jsonl.features == datasets.Features({name: parquet.features[name] for name in names})
    assert jsonl.to_list() == parquet.select_columns(names).to_list()


def test_card_features_are_what_hugging_face_derives_from_the_parquet_schema(package: Path) -> None:
    """The card's `dataset_info.features` equal `datasets.Features` of the Parquet file's Arrow schema."""
    datasets = pytest.importorskip("datasets")
    derived = datasets.Features.from_arrow_schema(pq.read_schema(package / PARQUET))
    assert datasets.Features._from_yaml_list(card_features(package)) == derived


def test_a_package_made_with_init_loads_from_its_root(tmp_path: Path, run: Callable[..., Result]) -> None:
    """In a dataset made by `newspkg init` the card is the root README.md: `load_dataset(root)`."""
    datasets = pytest.importorskip("datasets")
    root = tmp_path / "news"
    assert run("init", str(root)).exit_code == 0
    result = run("build", root=root)
    assert result.exit_code == 0, result.output
    loaded = datasets.load_dataset(str(root), split="train", cache_dir=str(tmp_path / ".hf-cache"))
    lines = (root / JSONL).read_text(encoding="utf-8").splitlines()
    assert loaded["id"] == [json.loads(line)["id"] for line in lines]


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib, in mlcroissant
def test_a_downloaded_package_loads_and_is_pictured(
    tmp_path: Path, run: Callable[..., Result], serve: Callable[..., Any]
) -> None:
    """As a data user: `newspkg download` over HTTP, then the card's folder through Hugging Face,
    the Croissant file through mlcroissant, and `newspkg stats` on the copy; each sees every record."""
    datasets = pytest.importorskip("datasets")
    mlc = pytest.importorskip("mlcroissant")
    root = tmp_path / "news"
    assert run("init", str(root)).exit_code == 0
    assert run("build", root=root).exit_code == 0
    server = serve(root)
    copy = tmp_path / "copy"
    assert run("download", server.url + "datapackage.json", str(copy)).exit_code == 0
    ids = [json.loads(line)["id"] for line in (copy / JSONL).read_text(encoding="utf-8").splitlines()]
    loaded = datasets.load_dataset(str(copy), split="train", cache_dir=str(tmp_path / ".hf-cache"))
    assert loaded["id"] == ids
    records = list(mlc.Dataset(jsonld=copy / "croissant.json").records("articles"))
    assert [record["articles/id"].decode() for record in records] == ids
    figures = json.loads(run("stats", str(copy), "--format", "json").output)
    assert (figures["records"], figures["verify"]["ok"]) == (len(ids), True)
