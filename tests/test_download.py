"""`newspkg download`: a package fetched from a local HTTP server, resumed, and refused when hostile."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import Result

from newspkg.consume import download, rows
from servers import Oversize, OversizeAnnounced, Ranges, RedirectToFile, Serve

JSONL = "build/articles.jsonl"
PARQUET = "build/articles.parquet"
DESCRIPTOR = "datapackage.json"


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request gives up after 20 s without progress, so a broken test cannot hang the run."""
    monkeypatch.setattr(download, "TIMEOUT_SECONDS", 20.0)


def fetch(run: Callable[..., Result], url: str, folder: Path, *options: str) -> Result:
    return run("download", "--format", "json", *options, url, str(folder))


def issues_of(result: Result) -> list[dict[str, Any]]:
    return [entry for entry in map(json.loads, result.stdout.splitlines()) if "summary" not in entry]


def summary_of(result: Result) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])["summary"]
    return summary


def package_files(root: Path) -> list[str]:
    """The files a package lists: its resources and shipped schemas, and the descriptor."""
    descriptor = json.loads((root / DESCRIPTOR).read_text(encoding="utf-8"))
    schemas = descriptor["newspkg:schemas"]
    return [DESCRIPTOR, *(r["path"] for r in descriptor["resources"]), schemas["record"], *schemas["sources"].values()]


def edit_descriptor(root: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = root / DESCRIPTOR
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_download_by_descriptor_url(built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path) -> None:
    """`download http://…/datapackage.json DIR` → exit 0, every listed file byte-identical, no .partial left."""
    server = serve(built)
    folder = tmp_path / "copy"
    result = fetch(run, server.url + DESCRIPTOR, folder)
    assert result.exit_code == 0, result.output
    for name in package_files(built):
        assert (folder / name).read_bytes() == (built / name).read_bytes(), name
    for_people = ["build/rejects.jsonl", "build/report.json", "build/LICENSE", "build/CITATION.cff", "build/README.md"]
    assert {*for_people, "croissant.json"} <= set(package_files(built))
    assert list(folder.rglob("*.partial")) == []
    assert summary_of(result)["errors"] == 0


def test_download_by_folder_url(built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path) -> None:
    """A base URL ending in / fetches its datapackage.json first, then the files, and exits 0."""
    server = serve(built)
    folder = tmp_path / "copy"
    result = fetch(run, server.url, folder)
    assert result.exit_code == 0, result.output
    assert server.paths()[0] == "/" + DESCRIPTOR
    assert (folder / JSONL).read_bytes() == (built / JSONL).read_bytes()


def test_partial_file_is_resumed_with_a_range_request(
    built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path
) -> None:
    """A .partial holding the first half of the JSONL file → one `Range: bytes=N-` request for the rest, and the
    final file is identical."""
    server = serve(built, Ranges)
    folder = tmp_path / "copy"
    data = (built / JSONL).read_bytes()
    half = len(data) // 2
    (folder / "build").mkdir(parents=True)
    (folder / f"{JSONL}.partial").write_bytes(data[:half])
    result = fetch(run, server.url + DESCRIPTOR, folder)
    assert result.exit_code == 0, result.output
    assert (f"/{JSONL}", f"bytes={half}-") in server.requests
    assert (folder / JSONL).read_bytes() == data
    assert not (folder / f"{JSONL}.partial").exists()
    assert summary_of(result)["files_resumed"] == 1


def test_server_ignoring_range_restarts_the_file(
    built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path
) -> None:
    """When the server answers a Range request with the whole file (200), the .partial is started afresh: a
    wrong first half there does not end up in the final file."""
    server = serve(built)  # SimpleHTTPRequestHandler ignores Range
    folder = tmp_path / "copy"
    (folder / "build").mkdir(parents=True)
    (folder / f"{JSONL}.partial").write_bytes(b"z" * 1000)
    result = fetch(run, server.url + DESCRIPTOR, folder)
    assert result.exit_code == 0, result.output
    assert (f"/{JSONL}", "bytes=1000-") in server.requests
    assert (folder / JSONL).read_bytes() == (built / JSONL).read_bytes()


@pytest.mark.parametrize("handler", [Oversize, OversizeAnnounced], ids=["streamed", "announced"])
def test_server_sending_more_than_declared_is_cut_off(
    built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path, handler: type[Oversize]
) -> None:
    """A server sending more bytes than the descriptor declares (with or without saying so in Content-Length)
    → exit 1 with download:size naming the declared size, and neither the file nor a .partial is left."""
    server = serve(built, handler)
    folder = tmp_path / "copy"
    declared = (built / JSONL).stat().st_size
    result = fetch(run, server.url + DESCRIPTOR, folder)
    assert result.exit_code == 1, result.output
    cut_off = {i["file"]: i for i in issues_of(result) if i["rule"] == "download:size"}
    assert sorted(cut_off) == [JSONL, "build/rejects.jsonl"]  # every declared .jsonl file the server pads
    issue = cut_off[JSONL]
    assert f"more than the {declared} bytes the descriptor declares" in issue["message"]
    assert not (folder / JSONL).exists()
    assert not (folder / f"{JSONL}.partial").exists()


def test_traversal_path_is_never_requested(
    built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path
) -> None:
    """A descriptor with a `../evil` resource path → exit 1 with package:path, no request for it, nothing written
    outside DIR."""
    edit_descriptor(built, lambda d: d["resources"].append({"name": "evil", "path": "../evil"}))
    server = serve(built)
    folder = tmp_path / "copy"
    result = fetch(run, server.url + DESCRIPTOR, folder)
    assert result.exit_code == 1, result.output
    messages = [i["message"] for i in issues_of(result) if i["rule"] == "package:path"]
    assert any("'../evil' leaves the package with .." in m for m in messages), result.output
    assert not any("evil" in path for path in server.paths()), server.paths()
    assert not (tmp_path / "evil").exists()
    assert f"/{JSONL}" in server.paths(), "the safe files are still fetched"


def test_url_resource_is_never_requested(built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path) -> None:
    """A resource given as a full URL on the same server is not requested by download → package:remote, exit 1."""
    server = serve(built)
    edit_descriptor(built, lambda d: d["resources"].append({"name": "notes", "path": server.url + "notes.txt"}))
    result = fetch(run, server.url + DESCRIPTOR, tmp_path / "copy")
    assert result.exit_code == 1, result.output
    assert "package:remote" in {i["rule"] for i in issues_of(result)}
    assert "/notes.txt" not in server.paths()


def test_redirect_to_a_file_url_is_refused(
    built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path
) -> None:
    """A resource answered by a redirect to file:///… → exit 1 with download:network refusing the redirect, and
    nothing written for it."""
    server = serve(built, RedirectToFile)
    folder = tmp_path / "copy"
    result = fetch(run, server.url + DESCRIPTOR, folder)
    assert result.exit_code == 1, result.output
    refused = {i["file"]: i for i in issues_of(result) if i["rule"] == "download:network"}
    assert sorted(refused) == [JSONL, "build/rejects.jsonl"]  # every .jsonl file is redirected
    assert "refusing a redirect" in refused[JSONL]["message"]
    assert not (folder / JSONL).exists()


def test_package_larger_than_max_bytes_is_refused(
    built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path
) -> None:
    """--max-bytes smaller than the JSONL file's declared size → exit 1 with download:size, and no request for it."""
    server = serve(built)
    result = fetch(run, server.url + DESCRIPTOR, tmp_path / "copy", "--max-bytes", "20000")
    assert result.exit_code == 1, result.output
    assert (JSONL, "download:size") in {(i["file"], i["rule"]) for i in issues_of(result)}
    assert f"/{JSONL}" not in server.paths()


def test_parquet_within_max_bytes_but_decoding_past_the_bound_is_not_read(
    built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--max-bytes counts bytes as received (Parquet compressed); what a row group decodes to is
    bounded by verify: over the bound → fetched, then parquet:too-large, its rows not read."""
    monkeypatch.setattr(
        rows, "MAX_GROUP_BYTES", pq.ParquetFile(built / PARQUET).metadata.row_group(0).total_byte_size - 1
    )
    server = serve(built)
    result = fetch(run, server.url, tmp_path / "copy")
    assert result.exit_code == 1, result.output
    assert [(i["file"], i["rule"]) for i in issues_of(result) if i["severity"] == "error"] == [
        (PARQUET, "parquet:too-large")
    ]


def test_missing_resource_on_the_server_is_reported(
    built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path
) -> None:
    """A resource the server answers with 404 → exit 1 with download:http for it, and verify's resource:missing."""
    (built / PARQUET).unlink()
    server = serve(built)
    result = fetch(run, server.url + DESCRIPTOR, tmp_path / "copy")
    assert result.exit_code == 1, result.output
    rules = {(i["file"], i["rule"]) for i in issues_of(result)}
    assert {(PARQUET, "download:http"), (PARQUET, "resource:missing")} <= rules


def test_descriptor_not_found_is_a_usage_error(
    built: Path, run: Callable[..., Result], serve: Serve, tmp_path: Path
) -> None:
    """A URL with no descriptor behind it (404) → exit 2 with a message naming the URL."""
    server = serve(built)
    result = fetch(run, server.url + "nothing/", tmp_path / "copy")
    assert result.exit_code == 2, result.output
    assert f"{server.url}nothing/datapackage.json" in result.stderr
    assert "404" in result.stderr


@pytest.mark.parametrize("url", ["file:///etc/hostname", "ftp://127.0.0.1/datapackage.json", "127.0.0.1/x"])
def test_non_http_url_is_a_usage_error(run: Callable[..., Result], tmp_path: Path, url: str) -> None:
    """A URL that is not http(s) → exit 2 with a message saying only http and https are spoken; nothing written."""
    result = fetch(run, url, tmp_path / "copy")
    assert result.exit_code == 2, result.output
    assert "http and https only" in result.stderr
    assert not (tmp_path / "copy").exists()
