"""Packages for the tests of the consumer's commands: this repository's dataset built, or a
hand-made package of given lines (not verifiable: read with verify off)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from conftest import REPO, copy_project
from newspkg.cli import main

JSONL = "build/articles.jsonl"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def build_package(target: Path, *, keep_sources: tuple[str, ...] | None = None) -> Path:
    """This repository's dataset copied to ``target`` (only ``keep_sources`` when given) and built."""
    copy_project(REPO, target)
    if keep_sources is not None:
        for folder in (target / "raw").iterdir():
            if folder.name not in keep_sources:
                shutil.rmtree(folder)
    result = invoke("--root", str(target), "build")
    assert result.exit_code == 0, result.output
    return target


def write_package(
    root: Path,
    lines: list[bytes | dict[str, Any]],
    *,
    report: dict[str, Any] | None = None,
    resources: list[dict[str, Any]] | None = None,
    schemas: bool = True,
) -> Path:
    """A hand-made package: a descriptor naming ``lines`` as articles-jsonl (and the repository's record
    schema), and ``report`` as build/report.json. Not a verifiable package: read with verify off."""
    (root / "build").mkdir(parents=True)
    data = b"".join(line if isinstance(line, bytes) else json.dumps(line).encode() + b"\n" for line in lines)
    (root / JSONL).write_bytes(data)
    descriptor: dict[str, Any] = {
        "name": "hand-made",
        "resources": [{"name": "articles-jsonl", "path": JSONL}, *(resources or [])],
    }
    if schemas:
        (root / "schema").mkdir()
        shutil.copy2(REPO / "schema" / "article.schema.json", root / "schema" / "article.schema.json")
        descriptor["newspkg:schemas"] = {"record": "schema/article.schema.json", "sources": {}}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    if report is not None:
        (root / "build" / "report.json").write_text(json.dumps(report), encoding="utf-8")
    return root / "datapackage.json"


def record(**fields: Any) -> dict[str, Any]:
    return {"id": "0123456789abcdef", "source": "s", "text": "x", "published_at": "2024-01-01T00:00:00+00:00"} | fields
