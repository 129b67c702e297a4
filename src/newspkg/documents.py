"""What a package holds for people besides its data: the licence's text and a CITATION.cff, both
made from the descriptor's own keys (``licenses``, ``contributors``, ``title`` ...), so that the
maintainer edits one place."""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

import yaml

from newspkg.errors import ConfigError

CITATION_FILE = "CITATION.cff"
LICENSE_FILE = "LICENSE"
# Data licences whose text ships with newspkg (src/newspkg/licenses/).
KNOWN_LICENSES = ("CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "ODbL-1.0", "ODC-By-1.0", "PDDL-1.0")
AUTHOR_ROLES = ("author", "creator")
# BibTeX counts every brace, escaped or not: braces and backslashes in data become balanced commands.
_TEX = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}"}


def _first_license(descriptor: Mapping[str, Any]) -> Mapping[str, Any]:
    licenses = descriptor.get("licenses")
    return licenses[0] if isinstance(licenses, list) and licenses and isinstance(licenses[0], dict) else {}


def license_id(descriptor: Mapping[str, Any]) -> str | None:
    """The SPDX id of the data's first licence, as the descriptor names it."""
    name = _first_license(descriptor).get("name")
    return name if isinstance(name, str) and name else None


def license_text(descriptor: Mapping[str, Any]) -> bytes | None:
    """The text of the data's licence when newspkg knows it (by SPDX id, any case), else None."""
    name = license_id(descriptor)
    known = {spdx.lower(): spdx for spdx in KNOWN_LICENSES}
    if name is None or name.lower() not in known:
        return None
    return (resources.files("newspkg") / "licenses" / f"{known[name.lower()]}.txt").read_bytes()


def maintainers_license_file(descriptor: Mapping[str, Any]) -> str | None:
    """A licence ``path`` that is a file of the package (not a URL): the maintainer's own text."""
    path = _first_license(descriptor).get("path")
    if not isinstance(path, str) or "://" in path:
        return None
    if PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts:
        raise ConfigError(f"datapackage.json: licenses[0].path: {path!r} must be a relative path inside the package")
    return path


def citation(descriptor: Mapping[str, Any]) -> bytes:
    """CITATION.cff (Citation File Format 1.2.0) for the dataset."""
    cff: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": descriptor.get("title") or descriptor.get("name"),
        "authors": _authors(descriptor),
    }
    optional = {
        "version": descriptor.get("version"),
        "abstract": descriptor.get("description"),
        "license": license_id(descriptor),
        "url": descriptor.get("homepage"),
        "keywords": descriptor.get("keywords"),
        "date-released": str(descriptor["created"])[:10] if descriptor.get("created") else None,
        "doi": _doi(descriptor.get("id")),
    }
    cff.update({key: value for key, value in optional.items() if value})
    return yaml.safe_dump(cff, allow_unicode=True, sort_keys=False, width=100).encode()


def credited(descriptor: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The contributors with an author or creator role; with none of these roles, every contributor."""
    contributors = [c for c in descriptor.get("contributors") or [] if isinstance(c, dict)]
    authors = [c for c in contributors if set(c.get("roles") or [c.get("role")]) & set(AUTHOR_ROLES)]
    return authors or contributors


def bibtex(descriptor: Mapping[str, Any]) -> str:
    """A BibTeX entry for the dataset (Croissant's ``citeAs``, the card's citation)."""
    names = [
        f"{_tex(c['familyName'])}, {_tex(c.get('givenName', ''))}".strip(", ")
        if c.get("familyName")
        else f"{{{_tex(c.get('title'))}}}"
        for c in credited(descriptor)
        if c.get("familyName") or c.get("title")
    ]
    plain = {
        "year": str(descriptor["created"])[:4] if descriptor.get("created") else None,
        "version": descriptor.get("version"),
        "doi": _doi(descriptor.get("id")),
        "url": descriptor.get("homepage"),
    }
    fields = {
        "title": f"{{{_tex(descriptor.get('title') or descriptor.get('name'))}}}",
        "author": " and ".join(names) or None,
        **{key: _tex(value) for key, value in plain.items() if value},
    }
    body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields.items() if value)
    key = re.sub(r"[^A-Za-z0-9_.:/+-]", "-", str(descriptor.get("name") or "dataset"))
    return f"@misc{{{key},\n{body}\n}}\n"


def _tex(value: Any) -> str:
    """A BibTeX field's text on one line, whose braces and backslashes cannot close the field."""
    return re.sub(r"[\\{}]", lambda match: _TEX[match.group()], " ".join(str(value).splitlines()))


def _authors(descriptor: Mapping[str, Any]) -> list[dict[str, str]]:
    authors = [_author(c) for c in credited(descriptor)]
    return [author for author in authors if author] or [{"name": str(descriptor.get("name") or "unknown")}]


def _author(contributor: Mapping[str, Any]) -> dict[str, str]:
    """A person when the descriptor gives a family name, else an entity (an organisation, a team)."""
    family, given = contributor.get("familyName"), contributor.get("givenName")
    author = {"family-names": family, "given-names": given} if family else {"name": contributor.get("title")}
    if contributor.get("email"):
        author["email"] = contributor["email"]
    return {key: str(value) for key, value in author.items() if value}


def _doi(identifier: Any) -> str | None:
    if not isinstance(identifier, str):
        return None
    doi = identifier.removeprefix("https://doi.org/").removeprefix("doi:")
    return doi if doi.startswith("10.") and "/" in doi else None
