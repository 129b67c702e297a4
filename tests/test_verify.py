"""`newspkg verify`: a package that came from elsewhere is proved intact, and hostile ones are reported."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import Result

from newspkg.consume import descriptor, rows, spans
from servers import Serve

JSONL = "build/articles.jsonl"
PARQUET = "build/articles.parquet"
DESCRIPTOR = "datapackage.json"


def verify(run: Callable[..., Result], target: Path, *options: str) -> Result:
    return run("verify", "--format", "json", *options, str(target))


def issues_of(result: Result) -> list[dict[str, Any]]:
    return [entry for entry in map(json.loads, result.stdout.splitlines()) if "summary" not in entry]


def summary_of(result: Result) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])["summary"]
    return summary


def errors_of(result: Result) -> set[tuple[str, str]]:
    return {(issue["file"], issue["rule"]) for issue in issues_of(result) if issue["severity"] == "error"}


def edit_descriptor(root: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = root / DESCRIPTOR
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def resource(descriptor: dict[str, Any], path: str) -> dict[str, Any]:
    (found,) = [r for r in descriptor["resources"] if r["path"] == path]
    return found


def set_path(root: Path, old: str, new: str) -> None:
    edit_descriptor(root, lambda d: resource(d, old).update(path=new))


def declare_facts(root: Path, relative: str) -> None:
    """Make the descriptor's bytes and hash for one resource match the file again."""
    data = (root / relative).read_bytes()

    def change(descriptor: dict[str, Any]) -> None:
        entry = resource(descriptor, relative)
        entry["bytes" if "bytes" in entry else "newspkg:bytes"] = len(data)
        entry["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"

    edit_descriptor(root, change)


def test_fresh_build_verifies_clean_given_its_folder(built: Path, run: Callable[..., Result]) -> None:
    """`verify DIR` on a fresh build exits 0, with no errors, and checks every record."""
    result = verify(run, built)
    assert result.exit_code == 0, result.output
    assert errors_of(result) == set()
    assert summary_of(result)["records"] == (built / JSONL).read_bytes().count(b"\n") > 0


def test_fresh_build_verifies_clean_given_its_descriptor(built: Path, run: Callable[..., Result]) -> None:
    """`verify DIR/datapackage.json` on a fresh build exits 0 and names that descriptor in its summary."""
    result = verify(run, built / DESCRIPTOR)
    assert result.exit_code == 0, result.output
    assert summary_of(result)["package"] == str(built / DESCRIPTOR)


def _traversal(root: Path) -> tuple[str, str]:
    return "../x.jsonl", "leaves the package with .."


def _absolute(root: Path) -> tuple[str, str]:
    return str(root.parent / "x.jsonl"), "is absolute"


def _home(root: Path) -> tuple[str, str]:
    return "~/x.jsonl", "contains ~"


def _hidden(root: Path) -> tuple[str, str]:
    (root / ".hidden").mkdir()
    (root / ".hidden" / "articles.jsonl").write_bytes((root / JSONL).read_bytes())
    return ".hidden/articles.jsonl", "has a hidden component '.hidden'"


def _link_out(root: Path) -> tuple[str, str]:
    (root / "build" / "link.jsonl").symlink_to(root.parent / "x.jsonl")
    return "build/link.jsonl", "leads out of the package through a link"


def _folder_link_out(root: Path) -> tuple[str, str]:
    (root.parent / "outside").mkdir()
    (root.parent / "outside" / "articles.jsonl").write_bytes((root / JSONL).read_bytes())
    (root / "data").symlink_to(root.parent / "outside")
    return "data/articles.jsonl", "leads out of the package through a link"


@pytest.mark.parametrize(
    "make_path", [_traversal, _absolute, _home, _hidden, _link_out, _folder_link_out], ids=lambda f: f.__name__
)
def test_unsafe_resource_path_is_refused(
    built: Path, run: Callable[..., Result], make_path: Callable[[Path], tuple[str, str]]
) -> None:
    """A resource path that is unsafe (.., absolute, ~, hidden, a link out) → exit 1, package:path saying why,
    and no record read from it."""
    (built.parent / "x.jsonl").write_bytes((built / JSONL).read_bytes())
    path, reason = make_path(built)
    set_path(built, JSONL, path)
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    messages = [i["message"] for i in issues_of(result) if (i["file"], i["rule"]) == (DESCRIPTOR, "package:path")]
    assert any(f"{path!r} {reason}" in message for message in messages), result.output
    assert summary_of(result)["records"] == 0, "records were read through an unsafe path"


def test_validate_keeps_accepting_a_hidden_path(built: Path, run: Callable[..., Result]) -> None:
    """`validate datapackage.json` keeps its own rules: a hidden folder inside the package is not refused there."""
    (built / ".hidden").mkdir()
    (built / ".hidden" / "articles.jsonl").write_bytes((built / JSONL).read_bytes())
    set_path(built, JSONL, ".hidden/articles.jsonl")
    result = run("validate", "--format", "json", str(built / DESCRIPTOR))
    assert result.exit_code == 0, result.output
    assert verify(run, built).exit_code == 1


def test_unsafe_schema_path_is_refused(built: Path, run: Callable[..., Result]) -> None:
    """A `newspkg:schemas` path with .. → exit 1, package:path naming it; no record is checked against it."""
    edit_descriptor(built, lambda d: d["newspkg:schemas"].update(record="../schema/article.schema.json"))
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    messages = [i["message"] for i in issues_of(result) if i["rule"] == "package:path"]
    assert any("newspkg:schemas path '../schema/article.schema.json'" in m for m in messages), result.output
    assert summary_of(result)["records"] == 0


def test_changed_byte_fails_the_hash(built: Path, run: Callable[..., Result]) -> None:
    """One changed byte in the JSONL file (same size) → exit 1 with resource:hash, not resource:bytes."""
    path = built / JSONL
    data = bytearray(path.read_bytes())
    data[10] ^= 0x01
    path.write_bytes(bytes(data))
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    assert (JSONL, "resource:hash") in errors_of(result)
    assert (JSONL, "resource:bytes") not in errors_of(result)


def test_wrong_declared_size_fails_bytes(built: Path, run: Callable[..., Result]) -> None:
    """A declared `bytes` one more than the file → exit 1 with resource:bytes only: the hash still matches."""
    size = (built / JSONL).stat().st_size
    edit_descriptor(built, lambda d: resource(d, JSONL).update(bytes=size + 1))
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    assert errors_of(result) == {(JSONL, "resource:bytes")}


def test_absurd_declared_size_fails_bytes(built: Path, run: Callable[..., Result]) -> None:
    """A declared `bytes` of 1 GB for a small file → exit 1 with resource:bytes quoting it; every record is
    still checked."""
    edit_descriptor(built, lambda d: resource(d, JSONL).update(bytes=1_000_000_000))
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    (issue,) = [i for i in issues_of(result) if i["rule"] == "resource:bytes"]
    assert issue["file"] == JSONL
    assert "1000000000" in issue["message"]
    assert summary_of(result)["records"] > 0


def test_truncated_parquet_is_unreadable(built: Path, run: Callable[..., Result]) -> None:
    """The Parquet file cut in half (descriptor untouched) → exit 1 with parquet:unreadable and its size and
    hash errors, no crash; the JSONL records are still checked."""
    path = built / PARQUET
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    assert {(PARQUET, "parquet:unreadable"), (PARQUET, "resource:bytes"), (PARQUET, "resource:hash")} <= errors_of(
        result
    )
    assert summary_of(result)["records"] > 0


def test_parquet_row_group_over_the_bound_is_not_read(
    built: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row group whose footer says it is larger uncompressed than the bound → parquet:too-large naming
    it and nothing else: its rows are not read or compared; the JSONL records are all checked."""
    size = pq.ParquetFile(built / PARQUET).metadata.row_group(0).total_byte_size
    monkeypatch.setattr(rows, "MAX_GROUP_BYTES", size - 1)
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    (found,) = [i for i in issues_of(result) if i["severity"] == "error"]
    assert (found["file"], found["rule"]) == (PARQUET, "parquet:too-large")
    assert f"row group 0 is {size} bytes uncompressed" in found["message"]
    assert summary_of(result)["records"] == 4


def test_parquet_rows_decoding_past_the_bound_are_not_read(
    built: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every row's text one value of a dictionary (stored once, small in the footer), which the rows
    repeat past the bound → parquet:too-large, found before the text is decoded once per row."""
    table = pq.read_table(built / PARQUET)
    index = table.schema.get_field_index("text")
    text = "a" * 100_000
    table = table.set_column(index, table.schema.field(index), pa.array([text] * table.num_rows))
    pq.write_table(table, built / PARQUET, compression="zstd")
    declare_facts(built, PARQUET)
    footer = pq.ParquetFile(built / PARQUET).metadata.row_group(0).total_byte_size
    assert footer < 2 * len(text)  # the text is stored once
    monkeypatch.setattr(rows, "MAX_GROUP_BYTES", 2 * len(text))
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    (found,) = [i for i in issues_of(result) if i["severity"] == "error"]
    assert (found["file"], found["rule"]) == (PARQUET, "parquet:too-large")
    assert f"row group 0 decodes to more than {2 * len(text)} bytes" in found["message"]


def test_parquet_page_inflating_past_the_bound_under_a_lying_footer_is_not_decoded(
    built: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain-encoded text page of 4 MiB (a few KiB compressed) under a footer that says its row
    group is 1,000 bytes → parquet:too-large from the page headers, before Arrow inflates the page
    (which would otherwise be found only once decoded)."""
    table = pq.read_table(built / PARQUET)
    index = table.schema.get_field_index("text")
    page = 4 << 20
    text = "a" * (page // table.num_rows)
    table = table.set_column(index, table.schema.field(index), pa.array([text] * table.num_rows))
    pq.write_table(table, built / PARQUET, compression="zstd", use_dictionary=False, data_page_size=1 << 30)
    understate_footer(built / PARQUET, 1000)
    declare_facts(built, PARQUET)
    assert pq.ParquetFile(built / PARQUET).metadata.row_group(0).total_byte_size == 1000
    monkeypatch.setattr(rows, "MAX_GROUP_BYTES", 1 << 20)
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    (found,) = [i for i in issues_of(result) if i["severity"] == "error"]
    assert (found["file"], found["rule"]) == (PARQUET, "parquet:too-large")
    assert "the pages of row group 0 inflate to more than 1048576 bytes" in found["message"]
    assert "its footer says 1000" in found["message"]


def understate_footer(path: Path, size: int) -> None:
    """Rewrite, in the footer, the row group's uncompressed size and every column chunk's over 1 MiB
    as ``size``: same length (a number padded with zero groups of 7 bits, which Thrift reads)."""
    metadata = pq.ParquetFile(path).metadata
    group = metadata.row_group(0)
    chunks = [group.column(c).total_uncompressed_size for c in range(group.num_columns)]
    data = bytearray(path.read_bytes())
    length = int.from_bytes(data[-8:-4], "little")
    footer = bytes(data[-8 - length : -8])
    for declared in {group.total_byte_size, *(chunk for chunk in chunks if chunk > 1 << 20)}:
        encoded = _varint(declared << 1)  # zigzag of a positive number
        assert footer.count(encoded) == 1
        footer = footer.replace(encoded, _varint(size << 1, len(encoded)))
    data[-8 - length : -8] = footer
    path.write_bytes(bytes(data))


def _varint(value: int, width: int = 0) -> bytes:
    """``value`` as a ULEB128 varint of at least ``width`` bytes."""
    out = bytearray()
    while value >= 0x80 or len(out) + 1 < width:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def test_malformed_jsonl_line_is_a_syntax_error_with_its_line(built: Path, run: Callable[..., Result]) -> None:
    """A `{not json` line inserted as line 2 (bytes and hash declared anew) → exit 1 with exactly one error:
    jsonl:syntax on line 2; the other records are all checked."""
    path = built / JSONL
    first, rest = path.read_bytes().split(b"\n", 1)
    records = rest.count(b"\n") + 1
    path.write_bytes(first + b"\n{not json\n" + rest)
    declare_facts(built, JSONL)
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    errors = [i for i in issues_of(result) if i["severity"] == "error"]
    assert [(i["file"], i["rule"], i["line"]) for i in errors] == [(JSONL, "jsonl:syntax", 2)], result.output
    assert summary_of(result)["records"] == records


def test_overlong_jsonl_line_is_a_syntax_error_not_read(
    built: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line longer than the line limit, inserted as line 2 → jsonl:syntax on line 2, which is skipped
    unread; every record after it is still checked."""
    path = built / JSONL
    first, rest = path.read_bytes().split(b"\n", 1)
    records = rest.count(b"\n") + 1
    limit = max(len(line) for line in path.read_bytes().split(b"\n")) + 1  # every record, with its newline, fits
    path.write_bytes(first + b"\n{" + b" " * limit + b"}\n" + rest)
    declare_facts(built, JSONL)
    monkeypatch.setattr(spans, "MAX_LINE_BYTES", limit)
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    errors = [i for i in issues_of(result) if i["severity"] == "error"]
    assert [(i["rule"], i["line"]) for i in errors] == [("jsonl:syntax", 2)], result.output
    assert f"longer than {limit} bytes" in errors[0]["message"]
    assert summary_of(result)["records"] == records


def test_oversized_descriptor_is_not_read(
    built: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A descriptor larger than the descriptor limit → exit 2 with a message saying so."""
    monkeypatch.setattr(descriptor, "MAX_JSON_BYTES", 1024)
    result = verify(run, built)
    assert result.exit_code == 2, result.output
    assert "larger than 1024 bytes" in result.stderr


def test_descriptor_of_many_values_is_not_parsed(
    built: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A descriptor holding more JSON values than the bound (empty objects, within the size limit) →
    exit 2 naming the descriptor, before it is parsed."""
    monkeypatch.setattr(descriptor, "MAX_JSON_VALUES", 2000)
    edit_descriptor(built, lambda d: d.update(x=[{}] * 2000))
    result = verify(run, built)
    assert result.exit_code == 2, result.output
    assert f"{DESCRIPTOR} holds more than 2000 JSON values" in result.stderr


def test_deeply_nested_descriptor_is_not_read(built: Path, run: Callable[..., Result]) -> None:
    """A descriptor nested deeper than the bound → exit 2 saying so, never a traceback."""
    edit_descriptor(built, lambda d: d.update(x=json.loads("[" * 65 + "]" * 65)))
    result = verify(run, built)
    assert result.exit_code == 2, result.output
    assert "nests more than 64 levels deep" in result.stderr


def test_shipped_schema_of_many_values_is_a_package_finding(
    built: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shipped schema holding more JSON values than the bound → package:schema naming the file."""
    monkeypatch.setattr(descriptor, "MAX_JSON_VALUES", 2000)
    path = built / "schema" / "sources" / "finews.schema.json"
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), "x": [{}] * 2000}), encoding="utf-8")
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    (found,) = [i for i in issues_of(result) if i["rule"] == "package:schema"]
    assert "schema/sources/finews.schema.json holds more than 2000 JSON values" in found["message"]


def test_remote_article_resource_is_reported_not_fetched(built: Path, run: Callable[..., Result]) -> None:
    """A resource path http://127.0.0.1:9/x.jsonl → exit 1 with package:remote saying it is not fetched."""
    set_path(built, JSONL, "http://127.0.0.1:9/x.jsonl")
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    (issue,) = [i for i in issues_of(result) if i["rule"] == "package:remote"]
    assert "'http://127.0.0.1:9/x.jsonl' is remote: newspkg never fetches remote resources" in issue["message"]
    assert summary_of(result)["records"] == 0


@pytest.mark.parametrize(("options", "exit_code", "severity"), [((), 1, "error"), (("--allow-remote",), 0, "warning")])
def test_remote_extra_resource_is_never_requested(
    built: Path, run: Callable[..., Result], serve: Serve, options: tuple[str, ...], exit_code: int, severity: str
) -> None:
    """An extra resource given as a URL of a live local server is never requested: an error, or with
    --allow-remote a warning that it was not checked."""
    server = serve(built)
    url = server.url + "notes.txt"
    edit_descriptor(built, lambda d: d["resources"].append({"name": "notes", "path": url}))
    result = verify(run, built, *options)
    assert result.exit_code == exit_code, result.output
    (issue,) = [i for i in issues_of(result) if i["rule"] == "package:remote"]
    assert issue["severity"] == severity
    assert server.requests == []


def test_schema_reference_to_a_server_is_refused(built: Path, run: Callable[..., Result], serve: Serve) -> None:
    """A shipped schema whose $ref points at a live local server → exit 1 with package:remote, and the server
    sees no request (a schema validator would fetch it)."""
    server = serve(built)
    path = built / "schema" / "sources" / "finews.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["allOf"].append({"$ref": server.url + "evil.schema.json"})
    path.write_text(json.dumps(schema), encoding="utf-8")
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    messages = [i["message"] for i in issues_of(result) if i["rule"] == "package:remote"]
    assert any("evil.schema.json" in m and "never fetches" in m for m in messages), result.output
    assert server.requests == []


def test_validate_refuses_a_journal_that_renames_outside_the_package(built: Path, run: Callable[..., Result]) -> None:
    """validate replays only renames a build makes: a hostile journal stops it (exit 2) and moves nothing."""
    victim = built.parent / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (built / ".newspkg-commit.journal").write_text(
        json.dumps([["build/articles.jsonl", "../victim.txt"]]), encoding="utf-8"
    )
    result = run("validate", str(built / "datapackage.json"))
    assert result.exit_code == 2, result.output
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert (built / JSONL).exists()


def test_schema_with_a_foreign_metaschema_is_refused(built: Path, run: Callable[..., Result], serve: Serve) -> None:
    """A shipped schema whose $schema is a live local server → exit 1 and no request for it."""
    server = serve(built)
    path = built / "schema" / "article.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["$schema"] = server.url + "meta.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    assert ("datapackage.json", "package:remote") in errors_of(result)
    assert server.requests == []


def test_interrupted_build_journal_is_reported_not_replayed(built: Path, run: Callable[..., Result]) -> None:
    """A commit journal in the package → exit 1 with package:journal; verify renames nothing it names."""
    victim = built.parent / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    journal = built / ".newspkg-commit.journal"
    journal.write_text(json.dumps([["build/articles.jsonl", "../victim.txt"]]), encoding="utf-8")
    result = verify(run, built)
    assert result.exit_code == 1, result.output
    assert (".newspkg-commit.journal", "package:journal") in errors_of(result)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert journal.exists()
    assert (built / JSONL).exists()
