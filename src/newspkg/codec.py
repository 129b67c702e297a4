"""Records as the package stores them: a record ↔ its JSONL line ↔ Arrow columns.

The per-file path (:mod:`newspkg.convert`) serialises records here; the writers and the package
checks read lines back into Arrow here. Keeping both directions in one place is what makes the
JSONL and Parquet resources hold the same records.
"""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa
import pyarrow.json as pa_json


def dump_line(record: dict[str, Any]) -> bytes:
    """One JSONL line: UTF-8, no BOM, compact, key order kept, LF."""
    return orjson.dumps(record) + b"\n"


def lines_to_table(data: bytes | bytearray, schema: pa.Schema, *, other_keys: str = "ignore") -> pa.Table:
    """JSONL lines → one Arrow table of ``schema`` (one chunk per column). Keys not in the schema
    are ignored, or with ``other_keys="error"`` raise :class:`pyarrow.ArrowInvalid`."""
    options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior=other_keys)
    # One block holding every line: one chunk per column, so the Parquet pages never depend on how
    # the reader would have cut the input.
    read = pa_json.ReadOptions(use_threads=False, block_size=len(data) + 1)
    table = pa_json.read_json(pa.BufferReader(pa.py_buffer(data)), read_options=read, parse_options=options)
    return table.select(schema.names).cast(schema)  # the reader drops not-null flags: restore them
