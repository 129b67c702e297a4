"""Every file a package lists in datapackage.json, named once: its resource name, where a build
writes it, and what it is. Builders and consumers both take names and paths from here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Resource:
    name: str  # the resource's name in datapackage.json
    path: str  # where a build writes it, relative to the package root (a maintainer may choose another)
    mediatype: str
    description: str


JSONL = Resource("articles-jsonl", "build/articles.jsonl", "application/jsonl", "The records as JSON Lines.")
PARQUET = Resource(
    "articles-parquet", "build/articles.parquet", "application/vnd.apache.parquet", "The records as Parquet."
)
REJECTS = Resource(
    "rejects",
    "build/rejects.jsonl",
    "application/jsonl",
    "The raw items that did not become records, one JSON object each, with the rules they broke.",
)
BUILD_REPORT = Resource(
    "build-report",
    "build/report.json",
    "application/json",
    "What became of every raw item: counts by source, rejects by rule, duplicates and their twins.",
)
LICENSE = Resource("license", "build/LICENSE", "text/plain", "The text of the data's licence.")
CROISSANT = Resource(
    "croissant",
    "croissant.json",  # beside datapackage.json, where Croissant tools look
    "application/ld+json",
    "The package described in Croissant 1.1 (MLCommons), for machine-learning tools.",
)
CITATION = Resource("citation", "build/CITATION.cff", "application/x-yaml", "How to cite the dataset.")
CARD = Resource(
    "card", "README.md", "text/markdown", "The dataset card: what the data is, how to load, verify and cite it."
)

ARTICLES = (JSONL, PARQUET)  # the records, twice: what every consumer needs
ALL = (JSONL, PARQUET, REJECTS, BUILD_REPORT, LICENSE, CROISSANT, CITATION, CARD)
BY_NAME = {resource.name: resource for resource in ALL}
