"""The files a package holds for people: the dataset card (generated parts rewritten, the
maintainer's kept), CITATION.cff, the licence's text, and the rejects and build report as resources."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from click.testing import Result

from newspkg import documents

CARD = "build/README.md"  # where this repository's datapackage.json puts the card


def header_and_body(path: Path) -> tuple[dict[str, Any], str]:
    _, header, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(header), body


def descriptor_of(root: Path) -> dict[str, Any]:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def set_descriptor(root: Path, **keys: Any) -> None:
    descriptor = descriptor_of(root) | keys
    (root / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")


def test_the_card_has_hugging_face_metadata_and_every_section(built: Path) -> None:
    """YAML: pretty_name, license, language, size_categories, task_categories, two configurations
    whose data files exist beside the card; the generated sections between their markers."""
    header, body = header_and_body(built / CARD)
    assert header["pretty_name"] == descriptor_of(built)["title"]
    assert header["license"] == "cc0-1.0"
    assert header["language"] == ["zh"]
    assert header["size_categories"] == ["n<1K"]
    assert header["task_categories"] == ["text-generation"]
    files = {config["config_name"]: config["data_files"][0]["path"] for config in header["configs"]}
    assert files == {"default": "articles.parquet"}
    for name in ("contents", "load", "fields", "provenance", "verify", "cite"):
        assert body.count(f"<!-- newspkg:{name} -->") == 1
        assert body.count(f"<!-- /newspkg:{name} -->") == 1
    assert "| finews | 2022 | 2 |" in body
    assert "| `published_at_local` |" in body


def test_hand_written_parts_survive_a_rebuild_and_generated_ones_follow_the_data(
    built: Path, run: Callable[..., Result]
) -> None:
    """Text outside the markers and YAML keys newspkg does not generate are kept; a generated
    section changes with the records, and one whose markers were removed stays removed."""
    card = built / CARD
    text = card.read_text(encoding="utf-8")
    text = text.replace("task_categories:\n- text-generation\n", "task_categories:\n- summarization\ntags:\n- news\n")
    start, end = text.index("<!-- newspkg:provenance -->"), text.index("<!-- /newspkg:provenance -->")
    text = text[:start] + text[end + len("<!-- /newspkg:provenance -->") :]
    text = text.replace(
        "<!-- newspkg:verify -->", "## Our notes\n\nCollected by hand in 2022.\n\n<!-- newspkg:verify -->"
    )
    card.write_text(text, encoding="utf-8")
    post = built / "raw" / "finews" / "000_7002e876ea497e3f.txt"
    post.write_bytes(post.read_bytes().replace(b"date: 2022-02-26", b"date: 2023-02-26"))
    assert run("build", root=built).exit_code == 0
    header, body = header_and_body(card)
    assert header["task_categories"] == ["summarization"]
    assert header["tags"] == ["news"]
    assert "## Our notes\n\nCollected by hand in 2022.\n\n<!-- newspkg:verify -->" in body
    assert "newspkg:provenance" not in body
    assert "| finews | 2022 | 1 |\n| finews | 2023 | 1 |" in body
    assert run("build", "--check", root=built).exit_code == 0


def test_a_readme_without_markers_becomes_the_card_and_keeps_its_text(built: Path, run: Callable[..., Result]) -> None:
    """A hand-written README.md at the card's place gets the YAML header and the sections appended once."""
    (built / CARD).write_text("# Our corpus\n\nWritten by us.\n", encoding="utf-8")
    assert run("build", root=built).exit_code == 0
    assert run("build", root=built).exit_code == 0
    header, body = header_and_body(built / CARD)
    assert body.startswith("\n# Our corpus\n\nWritten by us.\n\n<!-- newspkg:contents -->")
    assert body.count("<!-- newspkg:contents -->") == 1
    assert header["license"] == "cc0-1.0"


def test_a_card_path_that_is_no_readme_stops_the_build(project: Path, run: Callable[..., Result]) -> None:
    """newspkg:card must name a README.md inside the package: exit 2, naming the file and the key."""
    set_descriptor(project, **{"newspkg:card": "../README.md"})
    result = run("build", root=project)
    assert result.exit_code == 2
    assert "datapackage.json: newspkg:card" in result.output
    assert not (project / "build" / "articles.jsonl").exists(), "stopped before converting"


def test_a_card_with_a_broken_yaml_header_stops_the_build(built: Path, run: Callable[..., Result]) -> None:
    (built / CARD).write_text("---\nlicense: [unclosed\n---\n\n# Card\n", encoding="utf-8")
    result = run("build", root=built)
    assert result.exit_code == 2
    assert "build/README.md: the YAML header" in result.output


def test_citation_cff_and_the_licence_text(built: Path) -> None:
    """CITATION.cff is made from the descriptor; the licence's text is CC0's, as shipped."""
    citation = yaml.safe_load((built / "build" / "CITATION.cff").read_text(encoding="utf-8"))
    descriptor = descriptor_of(built)
    assert citation["cff-version"] == "1.2.0"
    assert citation["type"] == "dataset"
    assert citation["title"] == descriptor["title"]
    assert citation["authors"] == [{"name": "newspkg maintainers"}]
    assert citation["license"] == "CC0-1.0"
    assert citation["version"] == descriptor["version"]
    licence = (built / "build" / "LICENSE").read_text(encoding="utf-8")
    assert "CC0 1.0 Universal" in licence
    assert licence.encode() == documents.license_text({"licenses": [{"name": "cc0-1.0"}]})


def test_a_person_is_cited_by_name_and_a_doi_is_kept() -> None:
    descriptor = {
        "title": "T",
        "id": "https://doi.org/10.5281/zenodo.123",
        "contributors": [
            {"title": "Ada Lovelace", "givenName": "Ada", "familyName": "Lovelace", "roles": ["author"]},
            {"title": "A Funder", "roles": ["funder"]},
        ],
    }
    citation = yaml.safe_load(documents.citation(descriptor))
    assert citation["authors"] == [{"family-names": "Lovelace", "given-names": "Ada"}]
    assert citation["doi"] == "10.5281/zenodo.123"


def test_the_maintainers_own_licence_file_is_listed_not_replaced(project: Path, run: Callable[..., Result]) -> None:
    """A licence whose path is a file of the package is that file; a missing one stops the build."""
    set_descriptor(project, licenses=[{"name": "LicenseRef-own", "path": "DATA-LICENSE.txt"}])
    result = run("build", root=project)
    assert result.exit_code == 2
    assert "licenses[0].path: DATA-LICENSE.txt" in result.output
    (project / "DATA-LICENSE.txt").write_text("Our terms.\n", encoding="utf-8")
    assert run("build", root=project).exit_code == 0
    (licence,) = [r for r in descriptor_of(project)["resources"] if r["name"] == "license"]
    assert licence["path"] == "DATA-LICENSE.txt"
    assert not (project / "build" / "LICENSE").exists()
    assert (project / "DATA-LICENSE.txt").read_text(encoding="utf-8") == "Our terms.\n"


def test_every_file_for_people_is_a_resource_with_its_size_and_digest(built: Path, run: Callable[..., Result]) -> None:
    """rejects, build report, licence, citation and card are resources, and the row counts are
    declared: `newspkg verify` and frictionless both check them."""
    resources = {r["name"]: r for r in descriptor_of(built)["resources"]}
    assert {name: r["path"] for name, r in resources.items() if r["type"] == "file"} == {
        "rejects": "build/rejects.jsonl",
        "build-report": "build/report.json",
        "license": "build/LICENSE",
        "croissant": "croissant.json",
        "citation": "build/CITATION.cff",
        "card": CARD,
    }
    records = len((built / "build" / "articles.jsonl").read_bytes().splitlines())
    assert resources["articles-jsonl"]["stats"] == {"rows": records}
    assert resources["articles-parquet"]["stats"] == {"rows": records}
    assert run("verify", str(built)).exit_code == 0
    (built / "build" / "CITATION.cff").write_text("changed\n", encoding="utf-8")
    result = run("verify", str(built), "--format", "json")
    assert result.exit_code == 1
    assert '"file":"build/CITATION.cff"' in result.output.replace(" ", "")


def test_a_wrong_row_count_is_reported_by_verify(built: Path, run: Callable[..., Result]) -> None:
    """`stats.rows` is checked against the records each article file holds."""
    descriptor = descriptor_of(built)
    for resource in descriptor["resources"]:
        if resource["name"] == "articles-parquet":
            resource["stats"]["rows"] += 1
    (built / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    result = run("verify", str(built), "--format", "json")
    assert result.exit_code == 1
    issues = [json.loads(line) for line in result.output.splitlines() if '"rule"' in line]
    rows = [issue for issue in issues if issue["rule"] == "resource:rows"]
    assert [(issue["file"], issue["message"]) for issue in rows] == [
        ("build/articles.parquet", "build/articles.parquet holds 4 records, the descriptor says 5")
    ]


def test_a_licence_without_text_is_a_warning(project: Path, run: Callable[..., Result]) -> None:
    """A licence newspkg ships no text of, and no file named: the build warns, naming the key."""
    set_descriptor(project, licenses=[{"name": "Apache-2.0", "path": "https://www.apache.org/licenses/LICENSE-2.0"}])
    result = run("build", "--format", "json", root=project)
    assert result.exit_code == 0, result.output
    issues = [json.loads(line) for line in result.output.splitlines() if '"summary"' not in line]
    warnings = [issue for issue in issues if issue["rule"] == "license:text"]
    assert [(w["file"], w["severity"]) for w in warnings] == [("datapackage.json", "warning")]
    assert "licenses[0].name 'Apache-2.0'" in warnings[0]["message"]
    assert "license" not in {r["name"] for r in descriptor_of(project)["resources"]}


def test_a_licence_file_or_card_that_is_a_link_is_never_read(
    project: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    """A licence named by the descriptor or the card that is a link to a file outside stops the build
    (exit 2, naming the key or the file): what it points to is never read into the package."""
    outside = tmp_path / "outside.txt"
    outside.write_text("SECRET-terms\n", encoding="utf-8")
    set_descriptor(project, licenses=[{"name": "LicenseRef-own", "path": "DATA-LICENSE.txt"}])
    (project / "DATA-LICENSE.txt").symlink_to(outside)
    result = run("build", root=project)
    assert result.exit_code == 2
    assert "licenses[0].path: DATA-LICENSE.txt is not a regular file of the package" in result.output
    set_descriptor(project, licenses=[{"name": "cc0-1.0"}])
    (project / CARD).parent.mkdir(exist_ok=True)
    (project / CARD).symlink_to(outside)
    result = run("build", root=project)
    assert result.exit_code == 2
    assert "the dataset card is a link" in result.output


def test_markers_in_the_data_cannot_move_the_generated_sections(project: Path, run: Callable[..., Result]) -> None:
    """A title holding the card's markers is written escaped: a rebuild keeps the maintainer's text."""
    set_descriptor(project, title="Corpus <!-- newspkg:contents --> <!-- /newspkg:cite -->")
    assert run("build", root=project).exit_code == 0
    card = project / CARD
    assert header_and_body(card)[1].count("<!--") == 2 * 6  # the markers of the six sections, no more
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("\n\n<!-- newspkg:contents -->", "\n\n## Our notes\n\n<!-- newspkg:contents -->"))
    assert run("build", root=project).exit_code == 0
    _, body = header_and_body(card)
    assert body.startswith("\n# Corpus &lt;!-- newspkg:contents --&gt; &lt;!-- /newspkg:cite --&gt;\n\n")
    assert "\n\n## Our notes\n\n<!-- newspkg:contents -->" in body
    assert body.count("<!--") == 2 * 6
    assert run("build", "--check", root=project).exit_code == 0


def test_a_title_cannot_start_a_line_of_its_own_in_the_card(project: Path, run: Callable[..., Result]) -> None:
    """A descriptor title holding line breaks is the card's one heading line: what follows a break
    does not become a heading or an image of its own."""
    set_descriptor(project, title="Corpus\n# Forged ![x](http://e.org/x.png)\r\n- item")
    assert run("build", root=project).exit_code == 0
    _, body = header_and_body(project / CARD)
    assert body.startswith("\n# Corpus # Forged ![x](http://e.org/x.png) - item\n\n")
    assert not re.search(r"^(# Forged|- item)", body, re.M)


FORGING = {
    "name": "x}, note = {y",
    "title": "T}}, note = {{forged\n```\n\\",
    "version": "1}, howpublished = {z",
    "contributors": [
        {"title": "A}}, note = {{b", "roles": ["author"]},
        {"familyName": "L}, note = {", "givenName": "\\{", "roles": ["author"]},
    ],
}


def bibtex_fields(entry: str) -> list[str]:
    """The fields of a BibTeX entry as BibTeX reads it: every brace counts, a backslash before it or not."""
    depth, top = 0, []
    for char in entry:
        depth -= char == "}"
        assert depth >= 0, entry
        if depth == 1 and char not in "{}":
            top.append(char)
        depth += char == "{"
    assert depth == 0, entry
    return re.findall(r"(\w+) = ", "".join(top))


def test_data_cannot_close_a_bibtex_field() -> None:
    """Braces and backslashes in names, titles and versions are balanced commands, line breaks spaces."""
    entry = documents.bibtex(FORGING)
    assert bibtex_fields(entry) == ["title", "author", "version"]
    closing, opening = "\\textbraceright{}" * 2, "\\textbraceleft{}" * 2
    assert entry.startswith(f"@misc{{x---note----y,\n  title = {{{{T{closing}, note = {opening}forged ``` ")
    assert "forged ``` \\textbackslash{}}},\n  author = {{A" in entry
