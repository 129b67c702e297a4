"""Everything a package holds besides the records, made once the records are written: the
rejects and the build report as resources, the licence's text, CITATION.cff, the dataset card,
and the descriptor that lists them all with their sizes and digests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newspkg import card, croissant, documents, package, rules
from newspkg.config import Project
from newspkg.errors import ConfigError
from newspkg.issues import Issue
from newspkg.schema import SchemaSet
from newspkg.write import BytesFile

REJECTS_PATH = "build/rejects.jsonl"
REPORT_PATH = "build/report.json"
LICENSE_PATH = f"build/{documents.LICENSE_FILE}"
CITATION_PATH = f"build/{documents.CITATION_FILE}"
CROISSANT_PATH = "croissant.json"  # beside datapackage.json, where Croissant tools look


@dataclass(frozen=True)
class Written:
    """The build's outputs so far, still in their partial files."""

    jsonl: package.FileFacts
    parquet: Path
    rejects: Path
    report: bytes
    rows: int


def package_files(
    project: Project,
    schemas: SchemaSet,
    previous: Mapping[str, Any],
    written: Written,
    out_root: Path,
    provenance: Mapping[str, Any],
) -> list[BytesFile]:
    """The licence, croissant.json, CITATION.cff, the card and, last, datapackage.json, each in a
    partial file."""
    outputs = {package.JSONL_PATH: written.jsonl, package.PARQUET_PATH: package.file_facts(written.parquet)}
    resources = package.article_resources(schemas, outputs, written.rows)
    resources += [
        package.file_resource(
            "rejects",
            REJECTS_PATH,
            "application/jsonl",
            package.file_facts(written.rejects),
            "The raw items that did not become records, one JSON object each, with the rules they broke.",
        ),
        package.file_resource(
            "build-report",
            REPORT_PATH,
            "application/json",
            package.bytes_facts(written.report),
            "What became of every raw item: counts by source, rejects by rule, duplicates and their twins.",
        ),
    ]
    files = []
    license_resource, license_file = _license(project, previous, out_root)
    if license_file:
        files.append(license_file)
    if license_resource:
        resources.append(license_resource)
    draft = package.descriptor(previous, project, schemas, resources, provenance)
    description = croissant.dump(croissant.croissant(draft, schemas))
    files.append(BytesFile(out_root / CROISSANT_PATH, description))
    resources.append(
        package.file_resource(
            "croissant",
            CROISSANT_PATH,
            "application/ld+json",
            package.bytes_facts(description),
            "The package described in Croissant 1.1 (MLCommons), for machine-learning tools.",
        )
    )
    citation = documents.citation(draft)
    files.append(BytesFile(out_root / CITATION_PATH, citation))
    resources.append(
        package.file_resource(
            "citation", CITATION_PATH, "application/x-yaml", package.bytes_facts(citation), "How to cite the dataset."
        )
    )
    card_path = card.card_path(previous)
    facts = card.CardFacts(
        descriptor=package.descriptor(previous, project, schemas, resources, provenance),
        card_path=card_path,
        languages=[source.language for source in project.sources],
        parquet_schema=schemas.arrow_schema(),
        local_times=schemas.local_time_columns(),
        data_dictionary=schemas.data_dictionary(),
        counts=counts_by_source_and_year(written.parquet),
        files={path: facts.sha256 for path, facts in outputs.items()},
    )
    text = card.render(_read_card(project.root / card_path), facts).encode()
    files.append(BytesFile(out_root / card_path, text))
    resources.append(
        package.file_resource(
            "card",
            card_path,
            "text/markdown",
            package.bytes_facts(text),
            "The dataset card: what the data is, how to load and verify it.",
        )
    )
    descriptor = package.descriptor(previous, project, schemas, resources, provenance)
    files.append(BytesFile(out_root / "datapackage.json", package.dump_descriptor(descriptor)))
    return files


def check_settings(project: Project, previous: Mapping[str, Any]) -> list[Issue]:
    """Stop on a bad card path or licence file before anything is converted; warn of a package
    that would hold no licence text."""
    card.card_path(previous)
    _license(project, previous, None)
    if documents.maintainers_license_file(previous) or documents.license_text(previous):
        return []
    named = documents.license_id(previous)
    message = (
        f"licenses[0].name {named!r}: newspkg ships no text of it; add the text as a file of the package "
        "and name it in licenses[0].path"
        if named
        else "no licence: name one in licenses (e.g. CC-BY-4.0), or add its text as a file named in licenses[0].path"
    )
    return [rules.LICENSE_TEXT.issue("datapackage.json", message)]


def _license(
    project: Project, previous: Mapping[str, Any], out_root: Path | None
) -> tuple[dict[str, Any] | None, BytesFile | None]:
    """The licence's text: the maintainer's file named by ``licenses[0].path``, else the text
    newspkg ships for the licence's SPDX id, else none. With no ``out_root``, nothing is written."""
    own = documents.maintainers_license_file(previous)
    description = f"The text of the data's licence ({documents.license_id(previous)})."
    if own:
        path = project.root / own
        if not path.is_file():
            raise ConfigError(f"datapackage.json: licenses[0].path: {own} is not a file of the package")
        return package.file_resource("license", own, "text/plain", package.file_facts(path), description), None
    text = documents.license_text(previous)
    if text is None or out_root is None:
        return None, None
    resource = package.file_resource("license", LICENSE_PATH, "text/plain", package.bytes_facts(text), description)
    return resource, BytesFile(out_root / LICENSE_PATH, text)


def _read_card(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: the dataset card cannot be read: {error}") from None


def counts_by_source_and_year(parquet: Path) -> list[tuple[str, int, int]]:
    """Records by source and year of their local publication date, sorted."""
    table = pq.read_table(parquet, columns=["source", "published_at_local"])
    years = pa.table({"source": table["source"], "year": pc.year(table["published_at_local"])})
    grouped = years.group_by(["source", "year"]).aggregate([([], "count_all")]).to_pylist()
    rows = [(row["source"], row["year"], row["count_all"]) for row in grouped if row["year"] is not None]
    return sorted(rows)
