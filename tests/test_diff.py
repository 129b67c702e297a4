"""``newspkg diff``: packages built by the real toolkit, compared record by record and schema by schema."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import REPO, copy_project
from newspkg.cli import main
from newspkg.consume.diff import changed_fields, compare_records
from newspkg.consume.schema_diff import schema_changes

TITLED = "raw/finews/000_7002e876ea497e3f.txt"
DELETED = "raw/shanxidayuan/001_a8873c726350f525.txt"
COPIED = "raw/zhuzhou-gaoke/002_d9af5f8fe4e5ae1e.txt"
ADDED = "raw/zhuzhou-gaoke/005_added.txt"
BASE = "schema/article.schema.json"
FINEWS = "schema/sources/finews.schema.json"
JSONL = "build/articles.jsonl"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def build(root: Path) -> Path:
    result = invoke("--root", str(root), "build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    return root


def diff_json(old: Path, new: Path) -> tuple[int, dict[str, Any]]:
    result = invoke("diff", str(old), str(new), "--format", "json")
    return result.exit_code, json.loads(result.output)


def ids_by_raw_path(root: Path) -> dict[str, str]:
    lines = [line for line in (root / JSONL).read_bytes().split(b"\n") if line]
    return {record["provenance"]["raw_path"]: record["id"] for record in map(json.loads, lines)}


def edit_json(path: Path, change: Callable[[Any], object]) -> None:
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")


@pytest.fixture(scope="module")
def old(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's dataset, built: the release every test compares against."""
    return build(copy_project(REPO, tmp_path_factory.mktemp("old") / "package"))


@pytest.fixture(scope="module")
def edited(old: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OLD's inputs with one title edited, one raw file deleted and one added, rebuilt."""
    root = copy_project(old, tmp_path_factory.mktemp("edited") / "package")
    titled = root / TITLED
    text = titled.read_text("utf-8")
    assert 'title: "开创集团履行社会责任 彰显国企担当"' in text
    titled.write_text(text.replace("开创集团履行社会责任 彰显国企担当", "开创集团履行社会责任"), "utf-8")
    (root / DELETED).unlink()
    copied = (root / COPIED).read_text("utf-8")
    assert copied.count("为全面落实") == 1
    (root / ADDED).write_text(copied.replace("为全面落实", "为进一步全面落实"), "utf-8")  # not a duplicate
    return build(root)


@pytest.fixture(scope="module")
def extended(old: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OLD's inputs with a field added to the finews extension, rebuilt."""
    root = copy_project(old, tmp_path_factory.mktemp("extended") / "package")
    paywall = {"type": ["boolean", "null"], "description": "Whether the article sits behind a paywall."}
    edit_json(root / FINEWS, lambda schema: schema["properties"].update(paywall=paywall))
    return build(root)


@pytest.fixture
def republished(old: Path, tmp_path: Path) -> Path:
    """A copy of the whole published OLD package, whose shipped files a test edits as a later release would."""
    return Path(shutil.copytree(old, tmp_path / "package", ignore=shutil.ignore_patterns(".cache")))


# -- records --------------------------------------------------------------------------------------


def test_records_are_matched_by_id(old: Path, edited: Path) -> None:
    """The added, removed and changed ids are exact, and a changed record names the fields that differ."""
    before, after = ids_by_raw_path(old), ids_by_raw_path(edited)
    code, report = diff_json(old, edited)
    assert code == 0
    assert report["added"] == [after[ADDED]]
    assert report["removed"] == [before[DELETED]]
    titled = {"id": before[TITLED], "fields": ["provenance.raw_sha256", "title"]}
    # the added text is the copied one with a word more: a near-duplicate, of which the copied one is now marked
    copied = {"id": before[COPIED], "fields": ["near_duplicate_of"]}
    assert report["changed"] == sorted([titled, copied], key=lambda change: change["id"])
    assert report["records"] == {"added": 1, "removed": 1, "changed": 2, "unchanged": 1}
    assert (report["old"]["records"], report["new"]["records"]) == (4, 4)
    assert report["schema_changes"] == []


def test_a_package_against_itself_has_no_changes(old: Path) -> None:
    """A folder and its own descriptor: every record unchanged, no schema change, exit 0."""
    result = invoke("diff", str(old), str(old / "datapackage.json"))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[1] == "records: 4 → 4 (0 added, 0 removed, 0 changed, 4 unchanged)"
    assert lines[2] == "schema changes: none"
    assert lines[-1] == "OK: no breaking schema change"


def test_a_reordered_or_respaced_line_is_not_a_change(tmp_path: Path) -> None:
    """Lines are compared as decoded values: key order and spacing do not count, a value does."""
    (tmp_path / "old.jsonl").write_text('{"id":"a","x":1,"p":{"k":1,"j":2}}\n{"id":"b","x":1}\n', "utf-8")
    (tmp_path / "new.jsonl").write_text('{"p": {"j": 2, "k": 1}, "x": 1, "id": "a"}\n{"id":"b","x":2}\n', "utf-8")
    result = compare_records(tmp_path / "old.jsonl", tmp_path / "new.jsonl")
    assert result.unchanged == 1
    assert [(change.id, change.fields) for change in result.changed] == [("b", ("x",))]


def test_changed_fields_name_sub_keys_and_tell_true_from_one() -> None:
    """An object field's differing sub-keys are named; a field on one side only differs; true is not 1."""
    old = {"a": 1, "b": [1, 2], "p": {"x": 1, "y": "s"}}
    new = {"a": True, "b": [1, 2], "p": {"y": "s", "x": 2}, "c": None}
    assert changed_fields(old, new) == ("a", "c", "p.x")


# -- schema changes -------------------------------------------------------------------------------


def test_an_added_extension_field_is_not_breaking(old: Path, extended: Path) -> None:
    """A field added to a source's extension: a non-breaking change there and in both Table Schemas, exit 0."""
    code, report = diff_json(old, extended)
    assert code == 0
    assert report["breaking"] is False
    assert {
        "file": FINEWS,
        "path": "properties.paywall",
        "kind": "field-added",
        "breaking": False,
        "explanation": "paywall was added",
    } in report["schema_changes"]
    described = {(c["file"], c["path"]) for c in report["schema_changes"] if c["kind"] == "field-added"}
    assert ("datapackage.json", "resources.articles-jsonl.schema.fields.paywall") in described
    assert ("datapackage.json", "resources.articles-parquet.schema.fields.paywall") in described
    assert [change["fields"] for change in report["changed"]] == [["paywall"]] * 4


def test_a_removed_field_is_breaking(old: Path, republished: Path) -> None:
    """A field gone from the shipped record schema is breaking: marked in text, exit 1."""

    def remove_section(schema: dict[str, Any]) -> None:
        del schema["properties"]["section"]
        schema["required"].remove("section")

    edit_json(republished / BASE, remove_section)
    result = invoke("diff", str(old), str(republished))
    assert result.exit_code == 1
    assert (
        "  BREAKING schema/article.schema.json properties.section: field-removed: section was removed" in result.output
    )
    assert result.output.splitlines()[-1] == "BREAKING: 1 breaking schema change"


def test_a_type_change_is_breaking(old: Path, republished: Path) -> None:
    """char_count integer → string is one breaking type-changed, exit 1."""
    edit_json(republished / BASE, lambda schema: schema["properties"]["char_count"].update(type="string"))
    code, report = diff_json(old, republished)
    assert code == 1
    assert report["schema_changes"] == [
        {
            "file": BASE,
            "path": "properties.char_count.type",
            "kind": "type-changed",
            "breaking": True,
            "explanation": "char_count: type integer → string",
        }
    ]


def test_dropping_an_extension_override_makes_its_field_nullable(old: Path, republished: Path) -> None:
    """finews' url: string over the base's string or null: without it, finews urls may be null, which breaks."""
    edit_json(republished / FINEWS, lambda schema: schema["properties"].pop("url"))
    code, report = diff_json(old, republished)
    assert code == 1
    assert [(c["file"], c["path"], c["kind"], c["breaking"]) for c in report["schema_changes"]] == [
        (FINEWS, "properties.url.type", "nullable-added", True)
    ]


def test_a_field_removed_from_a_table_schema_is_breaking(old: Path, republished: Path) -> None:
    """The descriptor's Table Schemas are compared too: a field gone from one resource is breaking."""

    def drop_section(descriptor: dict[str, Any]) -> None:
        parquet = next(r for r in descriptor["resources"] if r["name"] == "articles-parquet")
        parquet["schema"]["fields"] = [f for f in parquet["schema"]["fields"] if f["name"] != "section"]

    edit_json(republished / "datapackage.json", drop_section)
    code, report = diff_json(old, republished)
    assert code == 1
    assert [(c["file"], c["path"], c["kind"]) for c in report["schema_changes"]] == [
        ("datapackage.json", "resources.articles-parquet.schema.fields.section", "field-removed")
    ]


@pytest.mark.parametrize(
    ("before", "after", "kind", "breaking"),
    [
        ({"type": "string"}, {"type": ["string", "null"]}, "nullable-added", True),
        ({"type": ["string", "null"]}, {"type": "string"}, "nullable-removed", False),
        ({"type": ["string", "integer"]}, {"type": "string"}, "type-changed", True),
        ({"enum": ["a", "b"]}, {"enum": ["a"]}, "enum-value-removed", True),
        ({"enum": ["a"]}, {"enum": ["a", "b"]}, "enum-value-added", False),
        ({"maxLength": 10}, {"maxLength": 20}, "constraint-loosened", False),
        ({"minLength": 1}, {"minLength": 2}, "constraint-tightened", False),
        ({"type": "string", "format": "date-time"}, {"type": "string"}, "format-removed", True),
        ({"type": "string", "format": "uri"}, {"type": "string"}, "format-removed", False),
        ({"description": "a"}, {"description": "b"}, "description-changed", False),
        ({"anyOf": [{"type": "string"}]}, {"anyOf": [{"type": "integer"}]}, "keyword-changed", True),
        ({"items": {"type": "string"}}, {"items": {"type": "integer"}}, "type-changed", True),
    ],
)
def test_each_kind_of_change_is_classified(
    before: dict[str, Any], after: dict[str, Any], kind: str, breaking: bool
) -> None:
    """One keyword changed in one field gives one change of the documented kind and breakingness."""
    changes = schema_changes({"properties": {"f": before}}, {"properties": {"f": after}})
    assert [(change.kind, change.breaking) for change in changes] == [(kind, breaking)]
    assert changes[0].path.startswith("properties.f")


def test_a_rename_is_a_removal_and_an_addition() -> None:
    """Renamed fields cannot be told from removed + added ones; the removal makes it breaking."""
    changes = schema_changes({"properties": {"a": {}}}, {"properties": {"b": {}}})
    assert {(c.path, c.kind, c.breaking) for c in changes} == {
        ("properties.a", "field-removed", True),
        ("properties.b", "field-added", False),
    }


def test_a_field_no_longer_required_is_breaking() -> None:
    """A field dropped from required (nested too) may be missing from records: breaking."""
    old = {"properties": {"p": {"properties": {"k": {}}, "required": ["k"]}}}
    new = {"properties": {"p": {"properties": {"k": {}}}}}
    assert [(c.path, c.kind, c.breaking) for c in schema_changes(old, new)] == [
        ("properties.p.properties.k", "required-removed", True)
    ]


# -- output ---------------------------------------------------------------------------------------


def test_json_lists_every_id_in_a_fixed_key_order(old: Path, extended: Path) -> None:
    """JSON is one object with fixed keys, every id listed in order whatever --max-records says."""
    result = invoke("diff", str(old), str(extended), "--format", "json", "--max-records", "1")
    assert result.output.count("\n") == 1
    report = json.loads(result.output)
    assert list(report) == ["old", "new", "records", "breaking", "schema_changes", "added", "removed", "changed"]
    assert list(report["old"]) == ["package", "name", "version", "records"]
    ids = [change["id"] for change in report["changed"]]
    assert ids == sorted(ids) == sorted(ids_by_raw_path(old).values())
    assert list(report["schema_changes"][0]) == ["file", "path", "kind", "breaking", "explanation"]


def test_text_caps_the_records_it_lists(old: Path, extended: Path) -> None:
    """--max-records caps the ids listed per kind and says how many more; 0 lists them all."""
    capped = invoke("diff", str(old), str(extended), "--max-records", "1").output.splitlines()
    assert sum(line.startswith("  ~ ") for line in capped) == 1
    assert "  … and 3 more changed (--max-records 0 lists them all)" in capped
    every = invoke("diff", str(old), str(extended), "--max-records", "0").output.splitlines()
    assert sum(line.startswith("  ~ ") for line in every) == 4
    assert not any("more changed" in line for line in every)


def test_markdown_is_release_notes(old: Path, republished: Path) -> None:
    """Markdown: a heading, a counts table, schema changes with **breaking** marked, exit code as text's."""
    edit_json(republished / BASE, lambda schema: schema["properties"]["title"].update(description="The headline."))
    edit_json(republished / BASE, lambda schema: schema["properties"]["tags"].update(type=["array", "null"]))
    edit_json(republished / "datapackage.json", lambda descriptor: descriptor.update(version="0.2.0"))
    result = invoke("diff", str(old), str(republished), "--format", "markdown")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "## Changes from newspkg-seed-articles 0.1.0 to newspkg-seed-articles 0.2.0"
    assert "| records | count |" in lines
    assert "| unchanged | 4 |" in lines
    assert "### Schema changes" in lines
    assert (
        "- **breaking** `properties.tags.type` in `schema/article.schema.json`: tags may now be null (nullable-added)"
        in lines
    )
    assert (
        "- `properties.title.description` in `schema/article.schema.json`: title: description changed "
        "(description-changed)"
    ) in lines


# -- packages that cannot be compared -------------------------------------------------------------


def test_a_folder_without_a_descriptor_exits_2(old: Path, tmp_path: Path) -> None:
    """A folder with no datapackage.json: one message naming the file, exit 2."""
    result = invoke("diff", str(old), str(tmp_path))
    assert result.exit_code == 2
    assert f"newspkg: error: new package: {tmp_path / 'datapackage.json'} does not exist" in result.output


def test_a_broken_descriptor_exits_2(old: Path, republished: Path) -> None:
    """A descriptor that is not JSON is named, exit 2."""
    (republished / "datapackage.json").write_text("{", "utf-8")
    result = invoke("diff", str(republished), str(old))
    assert result.exit_code == 2
    assert f"old package: {republished / 'datapackage.json'} is not valid JSON" in result.output


def test_a_records_path_leaving_the_package_exits_2(old: Path, republished: Path) -> None:
    """The JSONL resource's path may not lead out of the package, even to a real file."""

    def point_outside(descriptor: dict[str, Any]) -> None:
        jsonl = next(r for r in descriptor["resources"] if r["name"] == "articles-jsonl")
        jsonl["path"] = f"../../{old.parent.name}/{old.name}/{JSONL}"

    edit_json(republished / "datapackage.json", point_outside)
    assert (republished / f"../../{old.parent.name}/{old.name}/{JSONL}").is_file()
    result = invoke("diff", str(old), str(republished))
    assert result.exit_code == 2
    assert "leaves the package with .." in result.output


def test_a_repeated_id_exits_2(old: Path, republished: Path) -> None:
    """Ids must be unique to match records: a repeated one is named, exit 2."""
    jsonl = republished / JSONL
    first = jsonl.read_bytes().split(b"\n")[0]
    jsonl.write_bytes(jsonl.read_bytes() + first + b"\n")
    result = invoke("diff", str(old), str(republished))
    assert result.exit_code == 2
    assert f"id {json.loads(first)['id']} occurs more than once" in result.output


FORGING = "x`\n## Forged\n![i](https://evil.example/i.png) <img src=x> [a](https://evil.example) *b* $c$"


def test_markdown_and_text_print_data_as_data(old: Path, republished: Path) -> None:
    """Ids, package names and schema keys with newlines, backticks, links, images and HTML stay text."""
    lines = (republished / JSONL).read_bytes().split(b"\n")
    record = json.loads(lines[0])
    record["id"] = FORGING
    lines[0] = json.dumps(record, ensure_ascii=False).encode()
    (republished / JSONL).write_bytes(b"\n".join(lines))
    edit_json(republished / "datapackage.json", lambda descriptor: descriptor.update(name="[n](https://evil.example)"))
    edit_json(republished / BASE, lambda schema: schema["properties"].update({"<b>k_</b>": {"type": "string"}}))
    markdown = invoke("diff", str(old), str(republished), "--format", "markdown").output.split("\n")
    assert [line for line in markdown if line.startswith("#")] == [
        "## Changes from newspkg-seed-articles 0.1.0 to \\[n\\](https://evil.example) 0.1.0",
        "### Schema changes",
        "### Added records (1)",
        "### Removed records (1)",
    ]
    escaped = "x`\\n## Forged\\n![i](https://evil.example/i.png) <img src=x> [a](https://evil.example) *b* $c$"
    assert any(line.endswith(f" · ``{escaped}``") for line in markdown)
    added = "\\<b\\>k\\_\\</b\\> was added (field-added)"
    assert f"- `properties.<b>k_</b>` in `schema/article.schema.json`: {added}" in markdown
    text = invoke("diff", str(old), str(republished)).output.split("\n")
    assert f"  + {escaped}" in text


def test_release_notes_name_each_record_by_title_source_and_url(old: Path, edited: Path) -> None:
    """Markdown: schema changes first, then added, removed and changed records, each a link from its
    title to its URL, its source and its id; the changed ones with the fields that changed."""
    new_ids, old_ids = ids_by_raw_path(edited), ids_by_raw_path(old)
    records = {json.loads(line)["id"]: json.loads(line) for root in (old, edited) for line in jsonl_lines(root)}
    result = invoke("diff", str(old), str(edited), "--format", "markdown")
    lines = result.output.splitlines()
    headings = [line for line in lines if line.startswith("### ")]
    assert headings == [
        "### Schema changes",
        "### Added records (1)",
        "### Removed records (1)",
        "### Changed records (2)",  # the retitled one, and the one the added near-copy now marks
    ]
    for raw_path, ids in ((ADDED, new_ids), (DELETED, old_ids), (TITLED, new_ids)):
        record = records[ids[raw_path]]
        title = record["title"] if record["url"] is None else f"[{record['title']}](<{record['url']}>)"
        expected = f"- {title} · {record['source']} · `{record['id']}`"
        assert any(line.startswith(expected) for line in lines), (expected, lines)
    assert f"· `{new_ids[TITLED]}`: `provenance.raw_sha256`, `title`" in result.output


def test_release_notes_cap_each_kind_and_count_the_rest(old: Path, extended: Path) -> None:
    """--max-records 2: two changed records listed, with the count of the others."""
    lines = invoke("diff", str(old), str(extended), "--format", "markdown", "--max-records", "2").output.splitlines()
    start = lines.index("### Changed records (4)")
    listed = lines[start + 2 : start + 5]
    assert [line.startswith("- ") and " · `" in line for line in listed[:2]] == [True, True]
    assert listed[2] == "- … and 2 more"


def jsonl_lines(root: Path) -> list[bytes]:
    return [line for line in (root / JSONL).read_bytes().split(b"\n") if line]
