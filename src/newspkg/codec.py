"""Records as the package stores them: a record ↔ its JSONL line ↔ Arrow columns.

The per-file path (:mod:`newspkg.convert`) serialises records here; the writers and the package
checks read lines back into Arrow here. Keeping both directions in one place is what makes the
JSONL and Parquet resources hold the same records.
"""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

# Field metadata of a Parquet-only column holding the local time of the date-time field it names.
LOCAL_TIME_OF = "newspkg:local_time_of"
_OFFSET = r"(Z|[+-]\d\d:\d\d)$"


def dump_line(record: dict[str, Any]) -> bytes:
    """One JSONL line: UTF-8, no BOM, compact, key order kept, LF."""
    return orjson.dumps(record) + b"\n"


def lines_to_table(data: bytes | bytearray, schema: pa.Schema, *, other_keys: str = "ignore") -> pa.Table:
    """JSONL lines → one Arrow table of ``schema`` (one chunk per column). Keys not in the schema
    are ignored, or with ``other_keys="error"`` raise :class:`pyarrow.ArrowInvalid`.

    A column whose metadata names a date-time field (:data:`LOCAL_TIME_OF`) is not read but
    derived: that field's text without its offset, the wall-clock time the record states."""
    derived = local_time_columns(schema)
    stated = set(derived.values())  # read as text, then made instants and local times
    read = [pa.field(f.name, pa.string() if f.name in stated else f.type) for f in schema if f.name not in derived]
    options = pa_json.ParseOptions(explicit_schema=pa.schema(read), unexpected_field_behavior=other_keys)
    # One block holding every line: one chunk per column, so the Parquet pages never depend on how
    # the reader would have cut the input.
    whole = pa_json.ReadOptions(use_threads=False, block_size=len(data) + 1)
    table = pa_json.read_json(pa.BufferReader(pa.py_buffer(data)), read_options=whole, parse_options=options)
    columns = [
        pc.replace_substring_regex(table[derived[field.name]], _OFFSET, "").cast(field.type)
        if field.name in derived
        else table[field.name].cast(field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)  # the reader drops not-null flags: restore them


def local_time_columns(schema: pa.Schema) -> dict[str, str]:
    """Each Parquet-only local-time column of ``schema`` → the date-time field it is derived from."""
    found = {field.name: (field.metadata or {}).get(LOCAL_TIME_OF.encode()) for field in schema}
    return {name: source.decode() for name, source in found.items() if source is not None}
