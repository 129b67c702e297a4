"""python-jsonschema alone over a built build/articles.jsonl, as newspkg's contract check would do it.

    python bench/jsonschema_only.py REPO

Draft 2020-12 with the format checker, each record against its source's composed schema (the
extension named by raw/<source>/source.toml, else the base). Prints records and invalid records.
This is the cost of the JSON Schema step by itself, without newspkg's rules or Parquet.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# Without jsonschema[format-nongpl] these checkers are missing and the formats pass silently.
NEEDED_FORMATS = ("date-time", "uri")


def validators(root: Path) -> dict[str | None, Draft202012Validator]:
    """One validator per source that has an extension, and the base one under None."""
    base = json.loads((root / "schema/article.schema.json").read_text(encoding="utf-8"))
    resource = Resource.from_contents(base, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resources([(base["$id"], resource), ("../article.schema.json", resource)])

    def make(schema: dict[str, Any]) -> Draft202012Validator:
        return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)

    found: dict[str | None, Draft202012Validator] = {None: make(base)}
    for toml in sorted((root / "raw").glob("*/source.toml")):
        extension = tomllib.loads(toml.read_text(encoding="utf-8")).get("schema")
        if extension:
            path = root / "schema/sources" / f"{extension}.schema.json"
            found[toml.parent.name] = make(json.loads(path.read_text(encoding="utf-8")))
    return found


def main() -> None:
    root = Path(sys.argv[1])
    missing = [f for f in NEEDED_FORMATS if f not in Draft202012Validator.FORMAT_CHECKER.checkers]
    if missing:
        sys.exit(f"format checkers missing for {missing}: install jsonschema[format-nongpl]")
    by_source = validators(root)
    records = invalid = 0
    with (root / "build/articles.jsonl").open("rb") as lines:
        for line in lines:
            record = orjson.loads(line)
            validator = by_source.get(record.get("source"), by_source[None])
            records += 1
            invalid += not validator.is_valid(record)
    print(json.dumps({"records": records, "invalid": invalid}))
    sys.exit(1 if invalid else 0)


if __name__ == "__main__":
    main()
