"""An extension schema that reaches out of the dataset's schema/ (a remote or file URL, a path
outside) is never fetched or read: the build and validate stop with a configuration error naming
the file and the reference. A schema too large or too deep is refused the same way, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from test_hostile import SEED, make_project, put

BASE_REF = {"$ref": "../article.schema.json"}


def extend(root: Path, schema: dict[str, object] | str) -> None:
    """The finews source's extension (its source.toml names it) replaced by ``schema``."""
    put(root, "schema/sources/finews.schema.json", schema if isinstance(schema, str) else json.dumps(schema))


@pytest.mark.parametrize(
    "reference",
    ["http://127.0.0.1:9/evil.schema.json", "file:///etc/passwd", "../../outside.schema.json"],
)
@pytest.mark.parametrize("command", ["build", "validate"])
def test_a_reference_out_of_schema_is_a_configuration_error(
    tmp_path: Path, run: Callable[..., Result], reference: str, command: str
) -> None:
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/a.txt", SEED)
    extend(root, {"allOf": [BASE_REF], "properties": {"views": {"$ref": reference}}})
    result = run(command, root=root)
    assert result.exit_code == 2, result.output
    assert "finews.schema.json: $ref:" in result.output
    assert "points outside schema/" in result.output


@pytest.mark.parametrize("command", ["build", "validate"])
def test_a_metaschema_not_a_standard_draft_is_never_fetched(
    tmp_path: Path, run: Callable[..., Result], command: str
) -> None:
    """`$schema` naming any other URL than a standard draft's: a configuration error before the
    schema is checked against its metaschema (which would fetch that URL)."""
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/a.txt", SEED)
    extend(root, {"$schema": "http://127.0.0.1:9/meta", "allOf": [BASE_REF]})
    result = run(command, root=root)
    assert result.exit_code == 2, result.output
    assert "finews.schema.json: $schema: 'http://127.0.0.1:9/meta' is no standard draft" in result.output


def test_a_schema_nested_100000_deep_is_refused_not_a_traceback(tmp_path: Path, run: Callable[..., Result]) -> None:
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/a.txt", SEED)
    extend(root, '{"allOf": [{"$ref": "../article.schema.json"}], "properties": {"x": ' + '{"not": ' * 100_000 + "{}")
    result = run("build", root=root)
    assert result.exit_code == 2
    assert "finews.schema.json: nested too deep to read" in result.output


def test_a_schema_nested_too_deep_for_a_validator_is_refused(tmp_path: Path, run: Callable[..., Result]) -> None:
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/a.txt", SEED)
    deep = '{"not": ' * 500 + "{}" + "}" * 500
    extend(root, '{"allOf": [{"$ref": "../article.schema.json"}], "properties": {"x": ' + deep + "}}")
    result = run("build", root=root)
    assert result.exit_code == 2
    assert "nested over 64 levels deep" in result.output
