"""Everything a package holds besides the records, made once the records are written: the
rejects and the build report as resources, the licence's text, CITATION.cff, the dataset card,
and the descriptor that lists them all with their sizes and digests."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newspkg import card, croissant, documents, package, resources, rules
from newspkg.config import Project
from newspkg.consume import near_figures
from newspkg.errors import ConfigError
from newspkg.issues import Issue
from newspkg.language import UNDETERMINED
from newspkg.schema import LOCAL_SUFFIX, SchemaSet
from newspkg.write import BytesFile

REJECTS_PATH = resources.REJECTS.path
REPORT_PATH = resources.BUILD_REPORT.path
LICENSE_PATH = resources.LICENSE.path
CITATION_PATH = resources.CITATION.path
CROISSANT_PATH = resources.CROISSANT.path


@dataclass(frozen=True)
class Written:
    """The build's outputs so far, still in their partial files."""

    jsonl: package.FileFacts
    parquet: Path
    rejects: Path
    report: Path
    rows: int


class _Files:
    """The files being made and their entries in the descriptor, in the order they are added."""

    def __init__(self, out_root: Path, resources: list[dict[str, Any]]) -> None:
        self.out_root = out_root
        self.resources = resources
        self.written: list[BytesFile] = []

    def add(self, resource: resources.Resource, data: bytes, *, path: str | None = None, description: str = "") -> None:
        """``resource``'s file with ``data``, at ``path`` (default: its own), described (default: its own words)."""
        where = path or resource.path
        self.written.append(BytesFile(self.out_root / where, data, within=self.out_root))
        facts = package.bytes_facts(data)
        words = description or resource.description
        self.resources.append(package.file_resource(resource.name, where, resource.mediatype, facts, words))


def package_files(
    project: Project,
    schemas: SchemaSet,
    previous: Mapping[str, Any],
    written: Written,
    out_root: Path,
    provenance: Mapping[str, Any],
) -> list[BytesFile]:
    """The licence, croissant.json, CITATION.cff, the card and, last, datapackage.json, each in a
    partial file. Each is made from the descriptor as it stands before it is added."""

    def descriptor() -> dict[str, Any]:
        return package.descriptor(previous, project, schemas, files.resources, provenance)

    outputs = {package.JSONL_PATH: written.jsonl, package.PARQUET_PATH: package.file_facts(written.parquet)}
    files = _Files(out_root, [*package.article_resources(schemas, outputs, written.rows), *_build_records(written)])
    _add_license(files, project, previous)
    croissant_json = croissant.dump(croissant.croissant(descriptor(), schemas))
    files.add(resources.CROISSANT, croissant_json)
    files.add(resources.CITATION, documents.citation(descriptor()))
    card_path = card.card_path(previous)
    facts = card.CardFacts(
        descriptor=descriptor(),
        card_path=card_path,
        languages=languages_of(written.parquet),
        parquet_schema=schemas.arrow_schema(),
        data_dictionary=schemas.data_dictionary(),
        counts=counts_by_source_and_year(written.parquet),
        near_duplicates=near_figures.from_parquet(written.parquet),
    )
    card_text = card.render(_read_card(project.root / card_path), facts).encode()
    files.add(resources.CARD, card_text, path=card_path)
    return [
        *files.written,
        BytesFile(out_root / "datapackage.json", package.dump_descriptor(descriptor()), within=out_root),
    ]


def _build_records(written: Written) -> list[dict[str, Any]]:
    """The rejects list and the build report, as resources."""
    rejects = package.file_facts(written.rejects)
    report = package.file_facts(written.report)
    return [
        package.file_resource(
            resources.REJECTS.name, REJECTS_PATH, resources.REJECTS.mediatype, rejects, resources.REJECTS.description
        ),
        package.file_resource(
            resources.BUILD_REPORT.name,
            REPORT_PATH,
            resources.BUILD_REPORT.mediatype,
            report,
            resources.BUILD_REPORT.description,
        ),
    ]


def _add_license(files: _Files, project: Project, previous: Mapping[str, Any]) -> None:
    """The licence's text: the maintainer's file named by ``licenses[0].path``, else the text
    newspkg ships for the licence's SPDX id, else none (:func:`check_settings` warned)."""
    description = f"The text of the data's licence ({documents.license_id(previous)})."
    own = _maintainers_license(project, previous)
    if own:
        facts = package.file_facts(project.root / own)
        license_resource = resources.LICENSE
        files.resources.append(
            package.file_resource(license_resource.name, own, license_resource.mediatype, facts, description)
        )
    elif text := documents.license_text(previous):
        files.add(resources.LICENSE, text, description=description)


def check_settings(project: Project, previous: Mapping[str, Any]) -> list[Issue]:
    """Stop on a bad card path or licence file before anything is converted; warn of a package
    that would hold no licence text."""
    _refuse_linked_card(project.root / card.card_path(previous))
    if _maintainers_license(project, previous) or documents.license_text(previous):
        return []
    named = documents.license_id(previous)
    message = (
        f"licenses[0].name {named!r}: newspkg ships no text of it; add the text as a file of the package "
        "and name it in licenses[0].path"
        if named
        else "no licence: name one in licenses (e.g. CC-BY-4.0), or add its text as a file named in licenses[0].path"
    )
    return [rules.LICENSE_TEXT.issue("datapackage.json", message)]


def _maintainers_license(project: Project, previous: Mapping[str, Any]) -> str | None:
    own = documents.maintainers_license_file(previous)
    if own and not _regular_file_within(project.root, own):
        message = f"{own} is not a regular file of the package (links are never followed)"
        raise ConfigError(f"datapackage.json: licenses[0].path: {message}")
    return own


def _regular_file_within(root: Path, relative: str) -> bool:
    """Whether ``root/relative`` is a regular file reached without a link and without leaving ``root``."""
    path = root / relative
    unlinked = Path(os.path.realpath(root)) / os.path.normpath(relative)
    return Path(os.path.realpath(path)) == unlinked and path.is_file()


def _refuse_linked_card(path: Path) -> None:
    if path.is_symlink():
        raise ConfigError(f"{path}: the dataset card is a link: newspkg never reads or writes through links")


def _read_card(path: Path) -> str | None:
    """The maintainer's card (:func:`check_settings` refused a linked one before the build began)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: the dataset card cannot be read: {error}") from None


def languages_of(parquet: Path) -> list[str]:
    """The records' language tags, sorted; "und" (undetermined) left out."""
    tags = pc.unique(pq.read_table(parquet, columns=["language"])["language"]).to_pylist()
    return sorted(tag for tag in tags if tag and tag != UNDETERMINED)


def counts_by_source_and_year(parquet: Path) -> list[tuple[str, int, int]]:
    """Records by source and year of their local publication date, sorted."""
    local = "published_at" + LOCAL_SUFFIX
    table = pq.read_table(parquet, columns=["source", local])
    years = pa.table({"source": table["source"], "year": pc.year(table[local])})
    grouped = years.group_by(["source", "year"]).aggregate([([], "count_all")]).to_pylist()
    rows = [(row["source"], row["year"], row["count_all"]) for row in grouped if row["year"] is not None]
    return sorted(rows)
