"""Hostile inputs at the readers: a crawl or an export reached through a link or a special file,
fields and numbers over the parsers' own limits, a file named like a container's item, a file name
with no room for a sidecar, an oversized sidecar, limits that limit nothing. Each is one input's
reject with its reason (or a configuration error naming the key), never a traceback or a hang."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from test_hostile import NEWSPKG, SECRET, SEED, Built, _published, build, check_contract, make_project, put

RECORDS_TOML = """adapter = "records"
language = "en"
timezone = "UTC"

[fields]
title = "title"
text = "text"
published_at = "date"
url = "url"
"""
HTML_TOML = 'adapter = "html"\nlanguage = "en"\ntimezone = "UTC"\n'
ITEM = {"title": "Council approves budget", "text": "The council approved the budget on Tuesday. " * 5,
        "date": "2023-03-14 18:30:00", "url": "https://news.example.org/budget"}  # fmt: skip
__all__ = ["build"]  # the fixture, imported for the tests below


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize("name", ["export.jsonl", "export.json", "export.csv"])
def test_an_export_linked_from_outside_is_rejected_unread(
    tmp_path: Path, build: Callable[..., Built], name: str
) -> None:
    outside = tmp_path / "outside" / name
    outside.parent.mkdir()
    outside.write_text(json.dumps({**ITEM, "text": SECRET + ITEM["text"]}) + "\n", encoding="utf-8")
    root = make_project(tmp_path / "p", {"scraper": RECORDS_TOML})
    (root / "raw" / "scraper" / name).symlink_to(outside)
    built = build(root)
    assert built.rejected(f"raw/scraper/{name}") == {"raw:unreadable"}
    assert "symlink" in built.messages(f"raw/scraper/{name}")
    assert SECRET.encode() not in _published(root)


@pytest.mark.parametrize(("source", "name"), [(RECORDS_TOML, "x.jsonl"), (HTML_TOML, "x.warc")])
def test_a_named_pipe_named_as_a_container_is_rejected_not_waited_on(tmp_path: Path, source: str, name: str) -> None:
    root = make_project(tmp_path / "p", {"site": source})
    os.mkfifo(root / "raw" / "site" / name)
    command = [str(NEWSPKG), "--root", str(root), "build", "--format", "json", "--jobs", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert "Traceback" not in result.stderr, result.stderr
    built = check_contract(root, result.returncode, result.stdout)
    assert built.rejected(f"raw/site/{name}") == {"raw:unreadable"}


def test_a_csv_field_over_128_kib_is_read(tmp_path: Path, build: Callable[..., Built]) -> None:
    root = make_project(tmp_path / "p", {"scraper": RECORDS_TOML})
    text = "The council approved the budget on Tuesday. " * 4_000  # about 176 KiB
    put(root, "raw/scraper/export.csv", f'title,text,date,url\nBudget,"{text}",2023-03-14,https://news.example.org/b\n')
    built = build(root)
    assert built.fate("raw/scraper/export.csv") == "accepted"  # records are named by their file


def test_a_json_number_of_5000_digits_is_the_exports_reject(tmp_path: Path, build: Callable[..., Built]) -> None:
    root = make_project(tmp_path / "p", {"scraper": RECORDS_TOML})
    put(root, "raw/scraper/export.json", f'[{{"title": "Budget", "views": {"9" * 5000}}}]')
    put(root, "raw/scraper/good.jsonl", json.dumps(ITEM) + "\n")
    built = build(root)
    assert built.fate("raw/scraper/export.json") == "rejected"
    assert built.fate("raw/scraper/good.jsonl") == "accepted"


def test_a_file_named_like_an_item_is_rejected_and_its_neighbour_read(
    tmp_path: Path, build: Callable[..., Built]
) -> None:
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/a.txt", SEED)
    put(root, "raw/finews/a.txt::line-1", SEED.replace("http://", "http://other."))
    built = build(root)
    assert built.fate("raw/finews/a.txt") == "accepted"
    assert built.rejected("raw/finews/a.txt::line-1") == {"raw:unreadable"}
    assert "rename it" in built.messages("raw/finews/a.txt::line-1")


def test_a_legal_file_name_without_room_for_a_sidecar_is_read(tmp_path: Path, build: Callable[..., Built]) -> None:
    root = make_project(tmp_path / "p")
    name = "p" * 250 + ".txt"  # 254 bytes: legal; with ".meta.toml" its sidecar's name would not be
    put(root, f"raw/finews/{name}", SEED)
    assert build(root).fate(f"raw/finews/{name}") == "accepted"


def test_a_sidecar_over_max_bytes_is_a_reject_not_a_huge_record(tmp_path: Path, build: Callable[..., Built]) -> None:
    root = make_project(tmp_path / "p")
    append(root / "raw" / "finews" / "source.toml", "\n[limits]\nmax_bytes = 100000\n")
    put(root, "raw/finews/a.txt", SEED)
    put(root, "raw/finews/a.txt.meta.toml", 'section = "' + "x" * 200_000 + '"\n')
    built = build(root)
    assert built.rejected("raw/finews/a.txt") == {"sidecar:invalid"}
    assert "max_bytes" in built.messages("raw/finews/a.txt")


@pytest.mark.parametrize("value", ["inf", "nan", "1.5", "-1", "1e300"])
def test_a_limit_that_limits_nothing_is_a_configuration_error(
    tmp_path: Path, run: Callable[..., Result], value: str
) -> None:
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/a.txt", SEED)
    append(root / "raw" / "finews" / "source.toml", f"\n[limits]\nmax_bytes = {value}\n")
    result = run("build", root=root)
    assert result.exit_code == 2
    assert "source.toml: [limits] max_bytes must be a positive whole number of bytes" in result.output


def test_a_saved_page_as_html_gz_is_read_and_a_gzip_bomb_is_refused(
    tmp_path: Path, build: Callable[..., Built]
) -> None:
    root = make_project(tmp_path / "p", {"site": HTML_TOML + "\n[limits]\nmax_bytes = 100000\n"})
    page = (
        '<html><head><meta property="article:published_time" content="2024-05-13T08:30:00Z"></head>'
        f"<body><h1>Council approves budget</h1><p>{ITEM['text']}</p></body></html>"
    )
    put(root, "raw/site/page.html.gz", gzip.compress(page.encode()))
    put(root, "raw/site/bomb.html.gz", gzip.compress(b"<p>" + b"a" * 10_000_000))
    put(root, "raw/site/broken.html.gz", gzip.compress(page.encode())[:-20])
    built = build(root)
    assert built.accepted("raw/site/page.html.gz")["title"] == "Council approves budget"
    assert built.rejected("raw/site/bomb.html.gz") == {"decode:invalid"}
    assert "inflates to over 100000 bytes" in built.messages("raw/site/bomb.html.gz")
    assert built.rejected("raw/site/broken.html.gz") == {"decode:invalid"}
