"""The dataset card: a README.md for the data, with the YAML header Hugging Face reads.

A build rewrites only what it generates: the YAML keys in :data:`GENERATED_KEYS` and the sections
between ``<!-- newspkg:<name> -->`` and ``<!-- /newspkg:<name> -->``. Everything else (other YAML
keys, text outside the markers) is the maintainer's and kept. A README without any markers gets the
sections appended once; a section whose markers the maintainer removed stays removed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa
import yaml

from newspkg import documents, resources, templating
from newspkg.codec import local_time_columns
from newspkg.consume import near_figures
from newspkg.consume.descriptor import resource_named
from newspkg.consume.figures import NearDuplicates
from newspkg.errors import ConfigError
from newspkg.report import count

CARD_KEY = "newspkg:card"  # datapackage.json: where the card goes (default README.md)
DEFAULT_CARD = "README.md"
CARD_PLACES = (DEFAULT_CARD, "build/README.md")
GENERATED_KEYS = ("pretty_name", "license", "language", "size_categories", "configs", "dataset_info")
SECTIONS = ("contents", "load", "fields", "provenance", "verify", "cite")
# Hugging Face's ids of the licences newspkg knows by SPDX id.
HF_LICENSES = {
    "cc0-1.0": "cc0-1.0",
    "cc-by-4.0": "cc-by-4.0",
    "cc-by-sa-4.0": "cc-by-sa-4.0",
    "odbl-1.0": "odbl",
    "odc-by-1.0": "odc-by",
    "pddl-1.0": "pddl",
    "mit": "mit",
    "apache-2.0": "apache-2.0",
}
SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))
_FRONT = re.compile(r"\A---\n(.*?\n)?---\n", re.DOTALL)


@dataclass(frozen=True)
class CardFacts:
    """What the card says, gathered by the build."""

    descriptor: Mapping[str, Any]  # the new datapackage.json, without the card's own resource
    card_path: str  # relative to the package root
    languages: Sequence[str]  # BCP 47 tags of the records
    parquet_schema: pa.Schema
    data_dictionary: str  # Markdown table
    counts: Sequence[tuple[str, int, int]]  # (source, year of the local date, records)
    near_duplicates: NearDuplicates | None = None  # see newspkg.consume.near_figures


def card_path(descriptor: Mapping[str, Any]) -> str:
    """Where the card goes: ``newspkg:card`` in datapackage.json, README.md or build/README.md
    (Hugging Face reads the card from README.md and loads data files below its folder)."""
    value = descriptor.get(CARD_KEY, DEFAULT_CARD)
    if value not in CARD_PLACES:
        raise ConfigError(
            f"datapackage.json: {CARD_KEY}: {value!r} must be one of {', '.join(map(repr, CARD_PLACES))} "
            "(Hugging Face reads the card from README.md and loads the data files below its folder)"
        )
    return str(value)


def render(previous: str | None, facts: CardFacts) -> str:
    """The card: ``previous`` (the card as it is, or None) with every generated part rewritten."""
    header, body = _split(previous or "", facts.card_path)
    header = _header(header, facts)
    sections = {name: _inert(_SECTION_WRITERS[name](facts)) for name in SECTIONS}
    if previous is None or not body.strip():
        body = _inert(_new_body(facts)) + "".join(_marked(name, text) for name, text in sections.items())
    elif not any(_start(name) in body for name in SECTIONS):
        body = body.rstrip("\n") + "\n\n" + "".join(_marked(name, text) for name, text in sections.items())
    else:
        for name, text in sections.items():
            body = _replace_section(body, name, text)
    front = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{body.lstrip(chr(10))}"


# -- the YAML header ----------------------------------------------------------------------------


def _split(text: str, where: str) -> tuple[dict[str, Any], str]:
    match = _FRONT.match(text)
    if not match:
        return {}, text
    try:
        header = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{where}: the YAML header between the --- lines is not valid YAML: {error}") from None
    if not isinstance(header, dict):
        raise ConfigError(f"{where}: the YAML header must be a mapping of keys to values")
    return header, text[match.end() :]


def _header(previous: dict[str, Any], facts: CardFacts) -> dict[str, Any]:
    descriptor = facts.descriptor
    records = sum(count for _, _, count in facts.counts)
    license_name = documents.license_id(descriptor)
    parquet = _path_of(facts, resources.PARQUET)
    # The data files below the card's folder, as Hugging Face reads them (CARD_PLACES keeps them there).
    data_file = parquet.removeprefix(f"{PurePosixPath(facts.card_path).parent}/")
    generated = {
        "pretty_name": descriptor.get("title") or descriptor.get("name"),
        "license": HF_LICENSES.get(license_name.lower(), "other") if license_name else "unknown",
        "language": sorted({tag.split("-")[0].lower() for tag in facts.languages}),
        "size_categories": [_size_category(records)],
        # One configuration: the Parquet file (Hugging Face picks one reader for all of a folder's
        # configurations, and only the Parquet file has the local times).
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": data_file}]}],
        "dataset_info": {"features": features(facts.parquet_schema)},
    }
    kept = {key: value for key, value in previous.items() if key not in GENERATED_KEYS}
    kept.setdefault("task_categories", ["text-generation"])
    return generated | kept


def features(schema: pa.Schema) -> list[dict[str, Any]]:
    """Hugging Face ``dataset_info.features`` (their YAML form) for an Arrow schema."""
    return [{"name": field.name, **_feature(field.type)} for field in schema]


def _feature(kind: pa.DataType) -> dict[str, Any]:
    if pa.types.is_list(kind):
        item = _feature(kind.value_type)
        return {"list": item["dtype"] if list(item) == ["dtype"] else item}
    if pa.types.is_struct(kind):
        return {
            "struct": [{"name": kind.field(i).name, **_feature(kind.field(i).type)} for i in range(kind.num_fields)]
        }
    names = {pa.string(): "string", pa.int64(): "int64", pa.float64(): "float64", pa.bool_(): "bool"}
    if pa.types.is_timestamp(kind):
        return {"dtype": f"timestamp[{kind.unit}, tz={kind.tz}]" if kind.tz else f"timestamp[{kind.unit}]"}
    return {"dtype": names.get(kind, "string")}


def _size_category(records: int) -> str:
    return next((label for bound, label in SIZES if records < bound), "n>1M")


# -- the body -----------------------------------------------------------------------------------


def _start(name: str) -> str:
    return f"<!-- newspkg:{name} -->"


def _end(name: str) -> str:
    return f"<!-- /newspkg:{name} -->"


def _inert(text: str) -> str:
    """What the build writes, its comment openers escaped: data cannot forge a marker (nor hide the text below it)."""
    return text.replace("<!--", "&lt;!--")


def _marked(name: str, text: str) -> str:
    return f"{_start(name)}\n{text.strip()}\n{_end(name)}\n\n"


def _replace_section(body: str, name: str, text: str) -> str:
    start, end = body.find(_start(name)), body.find(_end(name))
    if start < 0 or end < start:
        return body  # removed by the maintainer (or its end marker is): left as it is
    return body[:start] + _marked(name, text).rstrip("\n") + body[end + len(_end(name)) :]


def _new_body(facts: CardFacts) -> str:
    descriptor = facts.descriptor
    return templating.render(
        "card/body.md.j2",
        title=descriptor.get("title") or descriptor.get("name"),
        description=descriptor.get("description") or "Describe the data here: what it covers and where it comes from.",
    )


def _contents(facts: CardFacts) -> str:
    per_source = facts.descriptor.get("newspkg:provenance", {}).get("counts", {})
    return templating.render(
        "card/contents.md.j2",
        articles=count(sum(number for _, _, number in facts.counts), "article"),
        counts=facts.counts,
        rejected=count(sum(figures.get("rejected", 0) for figures in per_source.values()), "raw item"),
        rejects_path=_path_of(facts, resources.REJECTS),
        duplicates=count(sum(figures.get("duplicates", 0) for figures in per_source.values()), "duplicate"),
        near=near_figures.card_sentence(facts.near_duplicates),
    )


def _load(facts: CardFacts) -> str:
    return templating.render(
        "card/load.md.j2",
        folder=PurePosixPath("package", PurePosixPath(facts.card_path).parent).as_posix().removesuffix("/."),
        parquet=_path_of(facts, resources.PARQUET),
        jsonl=_path_of(facts, resources.JSONL),
        local=", ".join(f"`{column}`" for column in local_time_columns(facts.parquet_schema)),
    )


def _fields(facts: CardFacts) -> str:
    return templating.render(
        "card/fields.md.j2",
        dictionary=facts.data_dictionary.rstrip(),
        local_columns=local_time_columns(facts.parquet_schema),
    )


def _provenance(facts: CardFacts) -> str:
    provenance = facts.descriptor.get("newspkg:provenance", {})
    inputs = provenance.get("inputs", {})
    return templating.render(
        "card/provenance.md.j2",
        version=provenance.get("tool", {}).get("version", ""),
        inputs=inputs.get("files", 0),
        manifest=inputs.get("manifest_sha256", ""),
        schemas=provenance.get("schemas_sha256", ""),
        report_path=_path_of(facts, resources.BUILD_REPORT),
    )


def _verify(facts: CardFacts) -> str:
    data = [_resource(facts, resource) for resource in resources.ARTICLES]
    files = [(r.get("path", ""), str(r.get("hash")).removeprefix("sha256:")) for r in data]
    return templating.render("card/verify.md.j2", files=files)


def _cite(facts: CardFacts) -> str:
    descriptor = facts.descriptor
    return templating.render(
        "card/cite.md.j2",
        license=documents.license_id(descriptor) or "not stated",
        license_file=_path_of(facts, resources.LICENSE),
        citation=_path_of(facts, resources.CITATION),
        bibtex=documents.bibtex(descriptor).rstrip(),
    )


def _resource(facts: CardFacts, resource: resources.Resource) -> dict[str, Any]:
    return resource_named(facts.descriptor, resource.name) or {}


def _path_of(facts: CardFacts, resource: resources.Resource) -> str:
    return str(_resource(facts, resource).get("path", ""))


_SECTION_WRITERS = {
    "contents": _contents,
    "load": _load,
    "fields": _fields,
    "provenance": _provenance,
    "verify": _verify,
    "cite": _cite,
}
