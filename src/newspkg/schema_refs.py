"""What a JSON Schema refers to: every ``$ref``, ``$dynamicRef``, ``$recursiveRef`` and ``$schema``,
resolved against the ``$id``s around it. newspkg never lets a validator fetch or read a schema from
outside the ones it is given: a build checks a dataset's extensions with this, ``verify`` a package's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag, urljoin

METASCHEMAS = frozenset(
    {
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "http://json-schema.org/draft-07/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-04/schema",
    }
)
REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
NOT_SCHEMAS = frozenset({"const", "enum", "default", "examples"})  # values here are data, not subschemas


def references(document: Any, base: str) -> tuple[set[str], list[tuple[str, str, str]]]:
    """The URIs the document names itself by (``base`` and its ``$id``s), and its references as
    (keyword, value, resolved URI). Raises RecursionError for a document nested too deeply to walk."""
    ids = {urldefrag(base).url}
    found: list[tuple[str, str, str]] = []
    _walk(document, base, ids, found)
    return ids, found


def points_outside(keyword: str, value: str, resolved: str, inside: set[str]) -> bool:
    """Whether a reference leads out of the schemas in ``inside`` (or ``$schema`` is no standard draft)."""
    if keyword == "$schema":
        return value.removesuffix("#") not in METASCHEMAS
    return urldefrag(resolved).url not in inside


def _walk(node: Any, base: str, ids: set[str], found: list[tuple[str, str, str]]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, base, ids, found)
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("$id"), str):
        base = urljoin(base, node["$id"])
        ids.add(urldefrag(base).url)
    if isinstance(node.get("$schema"), str):
        found.append(("$schema", node["$schema"], node["$schema"]))
    for keyword in REFERENCE_KEYWORDS:
        if isinstance(node.get(keyword), str):
            found.append((keyword, node[keyword], urljoin(base, node[keyword])))
    for key, value in node.items():
        if key not in NOT_SCHEMAS:
            _walk(value, base, ids, found)
