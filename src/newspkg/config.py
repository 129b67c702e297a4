"""The project layout and each source's ``source.toml``, read into plain dataclasses."""

from __future__ import annotations

import encodings.aliases
import fnmatch
import hashlib
import json
import os
import re
import tomllib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from newspkg import rules
from newspkg.errors import ConfigError
from newspkg.hints import did_you_mean
from newspkg.issues import Issue

SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
LIMIT_BOUNDS = {"max_bytes": 2**40, "max_seconds": 86_400}  # beyond these a limit limits nothing
AUTO_LANGUAGE = "auto"  # language = "auto": each record's language is detected from its text
SOURCE_FILE = "source.toml"
KNOWN_KEYS = {
    "adapter", "reader", "timezone", "language", "publisher", "base_url", "encoding", "schema",
    "hints", "acknowledged", "limits", "include", "exclude", "include_urls", "exclude_urls", "fields",
}  # fmt: skip
DEFAULT_MAX_BYTES = 8 * 1024 * 1024  # no news article is this large; a larger file is a mistake or an attack
DEFAULT_MAX_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """``[acknowledged."<file, item or pattern>"]``: a reject the maintainer accepts, and why."""

    reason: str
    rules: frozenset[str] = frozenset()  # only rejects for these rules; empty: for any

    def covers(self, errors: Collection[str]) -> bool:
        return not self.rules or set(errors) <= self.rules


def is_pattern(name: str) -> bool:
    return any(character in name for character in "*?[")


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """How to read one source: ``raw/<name>/source.toml``."""

    name: str
    adapter: str
    reader: str | None = None  # the reader of every raw file (see newspkg.readers); None: detected per file
    timezone: str = "UTC"  # source.toml must say; these neutral values serve code that builds a config itself
    language: str = "und"  # BCP 47 "undetermined"
    publisher: str | None = None
    base_url: str | None = None
    encoding: str | None = None  # the encoding the source declares, tried after UTF-8
    schema: str | None = None  # name of an extension in schema/sources/
    hints: dict[str, Any] = field(default_factory=dict)  # adapter-specific, as data
    acknowledged: dict[str, Acknowledgement] = field(default_factory=dict)  # file, item or pattern (relative)
    max_bytes: int = DEFAULT_MAX_BYTES  # [limits] max_bytes: larger raw files are rejected unread
    max_seconds: float = DEFAULT_MAX_SECONDS  # [limits] max_seconds: a file taking longer is rejected
    fields: dict[str, str] = field(default_factory=dict)  # record field -> key of an export's item (dotted)
    include: tuple[str, ...] = ()  # glob patterns (relative to the source folder) a raw file must match, if any
    exclude: tuple[str, ...] = ()  # glob patterns of files in the folder that are not raw files (notes, images)
    include_urls: tuple[str, ...] = ()  # glob patterns a crawled page's URL must match, if any
    exclude_urls: tuple[str, ...] = ()  # glob patterns of crawled URLs that are no articles (tag pages, feeds)

    def acknowledgement(self, relative: str, errors: Collection[str]) -> str | None:
        """Why this source accepts the reject of its file or item at ``relative`` with these error
        rules: an acknowledgement naming it, else the first pattern matching it whose ``rules`` (if
        any) cover the errors. For an accepted file (no errors), only one naming it (it is stale)."""
        named = self.acknowledged.get(relative)
        if named is not None and (not errors or named.covers(errors)):
            return named.reason
        if not errors:
            return None
        for pattern, acknowledged in self.acknowledged.items():
            if is_pattern(pattern) and fnmatch.fnmatchcase(relative, pattern) and acknowledged.covers(errors):
                return acknowledged.reason
        return None

    def takes(self, relative: str) -> bool:
        """Whether the file at ``relative`` (to the source folder) is one of the source's raw files."""
        included = not self.include or any(fnmatch.fnmatchcase(relative, pattern) for pattern in self.include)
        return included and not any(fnmatch.fnmatchcase(relative, pattern) for pattern in self.exclude)

    def refuses_url(self, url: str) -> str:
        """Why a crawled page at ``url`` is filtered by ``include_urls``/``exclude_urls``; "" if taken."""
        if self.include_urls and not any(fnmatch.fnmatchcase(url, pattern) for pattern in self.include_urls):
            return "url matches no include_urls pattern"
        excluded = next((pattern for pattern in self.exclude_urls if fnmatch.fnmatchcase(url, pattern)), None)
        return f"url matches exclude_urls {excluded}" if excluded else ""

    @property
    def detects_language(self) -> bool:
        """``language = "auto"``: each record's language comes from its text, not from source.toml."""
        return self.language == AUTO_LANGUAGE

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def digest(self) -> str:
        """A stable digest of everything that changes how files of this source convert."""
        settings = {k: v for k, v in _as_dict(self).items() if k != "acknowledged"}
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Project:
    """A dataset repository: raw/, schema/, build/ and datapackage.json under one root."""

    root: Path
    sources: tuple[SourceConfig, ...]
    warnings: tuple[Issue, ...] = ()  # what is odd in the configuration but does not stop a build

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def schema_dir(self) -> Path:
        return self.root / "schema"

    @property
    def descriptor_path(self) -> Path:
        return self.root / "datapackage.json"

    def digest(self) -> str:
        """A digest of every source's whole configuration, acknowledgements included."""
        settings = [_as_dict(source) for source in self.sources]
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise ConfigError(f"no source named {name!r} under {self.raw_dir}")


def load_project(root: Path) -> Project:
    """Read every ``raw/<source>/source.toml`` below ``root``."""
    raw_dir = root / "raw"
    if not raw_dir.is_dir():
        raise ConfigError(f"{raw_dir} is not a folder: run newspkg in a dataset repository or pass --root")
    folders = sorted(p for p in raw_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for folder in folders:
        if folder.is_symlink():
            raise ConfigError(f"{folder} is a symlink: source folders must be real folders (links are never followed)")
    if not folders:
        raise ConfigError(f"{raw_dir} has no source folders: add raw/<source>/source.toml")
    sources = tuple(load_source(folder) for folder in folders)
    return Project(root=root, sources=sources, warnings=tuple(_missing_acknowledged(root, sources)))


def _missing_acknowledged(root: Path, sources: tuple[SourceConfig, ...]) -> Iterator[Issue]:
    for source in sources:
        folder = root / "raw" / source.name
        names = sorted(source.acknowledged)
        files = _files_below(folder) if any(map(is_pattern, names)) else []
        for name in names:
            file_part = name.partition("::")[0]
            if is_pattern(name):
                found = any(fnmatch.fnmatchcase(file, file_part) for file in files)
            else:
                found = (folder / file_part).is_file()
            if not found:
                where = f"raw/{source.name}/{SOURCE_FILE}"
                message = f'[acknowledged."{name}"] names no file of raw/{source.name}/: remove it or fix the name'
                yield rules.ACKNOWLEDGED_MISSING.issue(where, message)


def _files_below(folder: Path) -> list[str]:
    """The files below ``folder``, relative to it (for acknowledgements by pattern)."""
    return [(Path(top) / name).relative_to(folder).as_posix() for top, _, names in os.walk(folder) for name in names]


def load_source(folder: Path) -> SourceConfig:
    path = folder / SOURCE_FILE
    where = path.as_posix()
    if not SOURCE_NAME.match(folder.name):
        raise ConfigError(f"{folder}: a source folder name must match {SOURCE_NAME.pattern}")
    if not path.is_file():
        raise ConfigError(f"{where} is missing: every source folder needs one (at least adapter = ...)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{where}: not valid TOML: {error}") from None
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        key, known = unknown[0], ", ".join(sorted(KNOWN_KEYS))
        raise ConfigError(f"{where}: {key}: unknown key{did_you_mean(key, KNOWN_KEYS)}; known: {known}")
    if not isinstance(data.get("adapter"), str):
        raise ConfigError(f'{where}: adapter = "<name>" is required (built in: html, jekyll, records, text)')
    source = SourceConfig(
        name=folder.name,
        adapter=data["adapter"],
        reader=_reader(data, where),
        timezone=_required(data, "timezone", where, 'the IANA zone naive times are read in, e.g. "Europe/Paris"'),
        language=_required(data, "language", where, 'the BCP 47 tag of the texts, e.g. "en" or "zh-Hans", or "auto"'),
        publisher=_string(data, "publisher", where),
        base_url=_string(data, "base_url", where),
        encoding=_string(data, "encoding", where),
        schema=_string(data, "schema", where),
        hints=_table(data, "hints", where),
        acknowledged=_acknowledged(data, where),
        fields=_fields(data, where),
        include=_patterns(data, "include", where),
        exclude=_patterns(data, "exclude", where),
        include_urls=_patterns(data, "include_urls", where, '["https://example.org/news/*"]'),
        exclude_urls=_patterns(data, "exclude_urls", where, '["*/tag/*", "*.xml"]'),
        **_limits(data, where),
    )
    _check(source, where)
    return source


def _check(source: SourceConfig, where: str) -> None:
    try:
        source.zone  # noqa: B018 - resolving the zone is the check
    except (ZoneInfoNotFoundError, ValueError):
        guess = did_you_mean(source.timezone, sorted(available_timezones()))
        raise ConfigError(
            f"{where}: timezone: {source.timezone!r} is not an IANA zone{guess}, e.g. Europe/Paris"
        ) from None
    if source.language != AUTO_LANGUAGE and not LANGUAGE_TAG.match(source.language):
        message = f"{where}: language: {source.language!r} is not a BCP 47 tag, e.g. en or zh-Hans, nor auto"
        raise ConfigError(message)
    if source.encoding:
        try:
            b"a".decode(source.encoding, "replace")  # not b"": decoding nothing never looks the codec up
        except LookupError:
            guess = did_you_mean(source.encoding.lower(), sorted(set(encodings.aliases.aliases.values())))
            message = f"{where}: encoding: {source.encoding!r} is not a text encoding Python knows{guess}"
            raise ConfigError(message) from None
    if source.base_url is not None:
        parts = urlsplit(source.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"{where}: base_url: {source.base_url!r} is not an absolute http(s) URL")


def _reader(data: dict[str, Any], where: str) -> str | None:
    """``reader = "…"``: a reader newspkg knows (built in, or a plugin's entry point)."""
    from newspkg import readers

    name = _string(data, "reader", where)
    if name is not None:
        try:
            readers.get(name)
        except ConfigError as error:
            raise ConfigError(f"{where}: reader: {error}") from None
    return name


def _required(data: dict[str, Any], key: str, where: str, what: str) -> str:
    value = _string(data, key, where)
    if not value:
        raise ConfigError(f"{where}: {key} is missing: give {what}")
    return value


def _string(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string, not {type(value).__name__}")
    return value


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def _limits(data: dict[str, Any], where: str) -> dict[str, Any]:
    limits = _table(data, "limits", where)
    unknown = sorted(set(limits) - {"max_bytes", "max_seconds"})
    if unknown:
        raise ConfigError(f"{where}: [limits] has unknown key(s) {', '.join(unknown)}; known: max_bytes, max_seconds")
    for key, value in limits.items():
        number = isinstance(value, int) or (key == "max_seconds" and isinstance(value, float))
        if isinstance(value, bool) or not number or not 0 < value <= LIMIT_BOUNDS[key]:  # NaN fails too
            what = "whole number of bytes" if key == "max_bytes" else "number of seconds"
            raise ConfigError(f"{where}: [limits] {key} must be a positive {what}, at most {LIMIT_BOUNDS[key]}")
    return {
        "max_bytes": int(limits.get("max_bytes", DEFAULT_MAX_BYTES)),
        "max_seconds": float(limits.get("max_seconds", DEFAULT_MAX_SECONDS)),
    }


def _fields(data: dict[str, Any], where: str) -> dict[str, str]:
    fields = _table(data, "fields", where)
    for name, key in fields.items():
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(f'{where}: [fields] {name}: must name a key of the items, e.g. {name} = "headline"')
    return dict(fields)


def _patterns(data: dict[str, Any], key: str, where: str, example: str = '["*.md", "drafts/*"]') -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(pattern, str) and pattern for pattern in value):
        raise ConfigError(f"{where}: {key}: must be a list of glob patterns, e.g. {example}")
    return tuple(value)


def _acknowledged(data: dict[str, Any], where: str) -> dict[str, Acknowledgement]:
    result = {}
    for name, entry in _table(data, "acknowledged", where).items():
        here = f'{where}: [acknowledged."{name}"]'
        reason = entry.get("reason") if isinstance(entry, dict) else None
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f'{here} needs reason = "why this reject is accepted"')
        unknown = sorted(set(entry) - {"reason", "rules"})
        if unknown:
            raise ConfigError(f"{here} {unknown[0]}: unknown key; known: reason, rules")
        result[name] = Acknowledgement(reason.strip(), _rule_names(entry.get("rules", []), here))
    return result


def _rule_names(value: Any, where: str) -> frozenset[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ConfigError(f'{where} rules: a list of rule names, e.g. ["{rules.NOT_AN_ARTICLE.name}"]')
    known = {rule.name for rule in rules.RULES}
    for name in names:
        if name not in known and not name.startswith(("schema:", "package:")):
            raise ConfigError(f"{where} rules: {name!r} is no rule{did_you_mean(name, known)}: see newspkg rules")
    return frozenset(names)


def _as_dict(source: SourceConfig) -> dict[str, Any]:
    found = {name: getattr(source, name) for name in source.__slots__}
    if found["reader"] is None:  # digests of sources that name no reader stay as they were
        del found["reader"]
    found["acknowledged"] = {name: [ack.reason, sorted(ack.rules)] for name, ack in source.acknowledged.items()}
    return found


def available_cores() -> int:
    """The CPUs this process may run on (all of them unless an affinity mask says otherwise)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
