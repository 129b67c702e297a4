"""Front matter of static-site posts: YAML between ``---`` lines (Jekyll, Hugo, Eleventy, ...) or
TOML between ``+++`` lines (Hugo), read into a dict of strings, lists and dicts.

Values stay as written: YAML is read without type resolution (``2022-02-14 08:47:41 +0800`` stays
a string, ``no`` stays ``no``), and TOML's dates are written back in ISO form.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time
from typing import Any

import yaml

YAML = re.compile(r"\A\s*---[ \t]*\n(?P<matter>.*?)\n---[ \t]*(?:\n|\Z)", re.S)
TOML = re.compile(r"\A\s*\+\+\+[ \t]*\n(?P<matter>.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.S)
FLAT_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):[ \t]*(?P<value>.*)$")
MAX_FRONT_MATTER = 64 * 1024
BASE_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml when the wheel has it
# Each [, {, "- " or "? " may open a level; libyaml recurses in C per level (a stack overflow past ~25,000).
MAX_YAML_NESTING = 1000
NESTING = re.compile(r"[\[{]|(?:^|\s)[-?](?=\s)")
ANCHOR_OR_ALIAS = re.compile(r"(?:^|[\s\[{,:-])[&*][\w-]+", re.M)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The front matter as a dict, and the body after it (the whole text when there is none)."""
    if match := YAML.match(text):
        return _load_yaml(match["matter"]), text[match.end() :]
    if match := TOML.match(text):
        return _load_toml(match["matter"]), text[match.end() :]
    return {}, text


def _load_yaml(source: str) -> dict[str, Any]:
    if (
        len(source) > MAX_FRONT_MATTER
        or ANCHOR_OR_ALIAS.search(source)
        or len(NESTING.findall(source)) > MAX_YAML_NESTING
    ):
        return _flat(source)  # anchors and aliases have no place in a post: no YAML bombs
    try:
        loaded = yaml.load(source, Loader=BASE_LOADER)  # noqa: S506 - BaseLoader builds no objects
    except (yaml.YAMLError, RecursionError):
        loaded = None
    return loaded if isinstance(loaded, dict) else _flat(source)  # unescaped quotes: read key: value lines


def _load_toml(source: str) -> dict[str, Any]:
    if len(source) > MAX_FRONT_MATTER:
        return {}
    try:
        loaded = tomllib.loads(source)
    except (tomllib.TOMLDecodeError, RecursionError):
        return {}
    return {key: _as_written(value) for key, value in loaded.items()}


def _as_written(value: Any) -> Any:
    """TOML values as YAML's loader gives them: dates and numbers as text."""
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, list):
        return [_as_written(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_written(item) for key, item in value.items()}
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _flat(source: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for line in source.split("\n"):
        match = FLAT_KEY.match(line.strip())
        if match:
            value = match["value"].strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            result[match["key"]] = value
    return result
