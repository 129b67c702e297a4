"""Adapters turn one decoded raw file into a :class:`Draft`; the registry finds them by name.

Built-in adapters are declared as entry points in the ``newspkg.adapters`` group, exactly like
third-party ones, and :func:`get` loads them through the same :func:`register`.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol

from newspkg.config import SourceConfig
from newspkg.discover import RawFile
from newspkg.plugins import Registry
from newspkg.rules import Rule

ENTRY_POINT_GROUP = "newspkg.adapters"


@dataclass(slots=True)
class Draft:
    """What an adapter found in a file. Leave a field empty when the file does not have it."""

    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    published_at: str | None = None  # as written in the file; normalisation turns it into RFC 3339
    modified_at: str | None = None
    url: str | None = None  # as written; may be protocol-relative
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None  # the site that published this copy; source.toml's publisher wins
    original_publisher: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    date_source: str | None = None  # where published_at was found: "front-matter", "byline", "footer", ...
    extra: dict[str, Any] = field(default_factory=dict)  # fields of a source's schema extension
    # What the adapter took in place of what the file states, as (warning rule, field, message):
    # the record keeps it, the build reports it.
    warnings: list[tuple[Rule, str, str]] = field(default_factory=list)


class NotAnArticle(Exception):
    """Raised by an adapter for a file that holds no article (a home or list page): a reject saying so."""


class Adapter(Protocol):
    name: str  # "jekyll", "text"
    version: str  # bump when output changes: recorded in provenance
    # Optionally, ``hints``: a sequence of newspkg.hints.Hint, what [hints] in source.toml may say;
    # ``libraries``: the distributions that shape its drafts (a new version of one re-converts);
    # ``reads``: the kinds of reader detected for its files ("file", "export", "crawl"; by default
    # files only: source.toml's ``reader`` names any reader for any adapter).

    def parse(self, raw: RawFile, text: str, source: SourceConfig) -> Draft: ...


REGISTRY: Registry[Adapter] = Registry("adapter", ENTRY_POINT_GROUP)
register, get, available, reaches_workers = (
    REGISTRY.register,
    REGISTRY.get,
    REGISTRY.available,
    REGISTRY.reaches_workers,
)


@functools.cache
def code_digest(kind: type) -> str:
    """sha256 over the source files of the package an adapter's class comes from (or of its module,
    outside a package): an edited plugin digests differently, whatever its version says."""
    module_name = kind.__module__
    module_file = getattr(sys.modules.get(module_name), "__file__", None)
    if not module_file:
        return "-"
    package_file = getattr(sys.modules.get(module_name.partition(".")[0]), "__file__", None) or ""
    root = Path(package_file).parent if package_file.endswith("__init__.py") else Path(module_file).parent
    files = sorted(root.rglob("*.py")) if package_file.endswith("__init__.py") else [Path(module_file)]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def libraries(adapter: Adapter) -> dict[str, str]:
    """The distributions that shape an adapter's drafts, with their installed versions."""
    return {name: _version_of(name) for name in getattr(adapter, "libraries", ())}


def _version_of(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"
