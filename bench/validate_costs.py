"""Where `newspkg validate datapackage.json` spends its time, per record and stage, beside the same
rules done on whole Arrow columns: what a vectorised design could gain, measured before building it.

    python bench/validate_costs.py PACKAGE [--records N]

PACKAGE is a folder holding datapackage.json (e.g. a corpus from bench/generate.py, built). The
first N records (default 20,000) are read once; each stage then runs three times on objects made
afresh (Python keeps a string's UTF-8 once asked for it, which would flatter a second run), and
the best CPU time of this process is kept. Prints one table, µs per record.

The Arrow rows are estimates of a design that does not exist: whole columns through
``pyarrow.compute`` (RE2), Python only where no compute function does the job (record ids, the
Han share), and no JSON Schema check at all, so set them against the current rows without the
schema. The last two rows estimate what that design would add: the schema screened on columns
(patterns, lengths, nulls; jsonschema-rs then only for the rows it flags) and the proof, on the
raw lines, that every record has the schema's keys in order and none twice (Arrow's reader
cannot tell).
"""

from __future__ import annotations

import argparse
import io
import itertools
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from newspkg import validate
from newspkg.codec import lines_to_table, local_time_columns
from newspkg.consume.descriptor import load_descriptor
from newspkg.consume.findings import PackageReport
from newspkg.consume.records import RecordsJob, check_span
from newspkg.consume.rows import _ParquetRows
from newspkg.consume.shipped_schemas import shipped_schemas
from newspkg.consume.spans import BATCH_ROWS, Span, read_lines
from newspkg.markers import BOILERPLATE
from newspkg.records import record_id

RUNS = 3


def best_cpu(stage: Callable[[], object]) -> float:
    """The least CPU seconds of ``RUNS`` runs of ``stage``."""
    return best_cpu_on(lambda _: stage(), lambda: None)


def best_cpu_on(stage: Callable[[Any], object], prepare: Callable[[], Any]) -> float:
    """The least CPU seconds of ``RUNS`` runs of ``stage``, each given a fresh ``prepare()``
    (made before the clock starts)."""
    spent = []
    for _ in range(RUNS):
        made = prepare()
        started = time.process_time()
        stage(made)
        spent.append(time.process_time() - started)
    return min(spent)


def batches(items: list[Any]) -> list[list[Any]]:
    return [items[start : start + BATCH_ROWS] for start in range(0, len(items), BATCH_ROWS)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path, help="a folder holding datapackage.json")
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    root = args.package.resolve()
    descriptor = load_descriptor(root / "datapackage.json")
    schemas, extension_of = shipped_schemas(root, descriptor, "datapackage.json", PackageReport(), False)
    assert schemas is not None, "the package's schemas do not load: run newspkg validate first"
    jsonl, parquet = root / "build/articles.jsonl", root / "build/articles.parquet"
    with jsonl.open("rb") as file:
        lines = list(itertools.islice(file, args.records))
    data, count = b"".join(lines), len(lines)
    schema = schemas.arrow_schema()
    checker = validate.RecordChecker(schemas, extension_of, datetime.now(UTC), fingerprints=False)

    def parse() -> list[dict[str, Any]]:  # fresh dicts for every run
        return [orjson.loads(line) for line in lines]

    rows: list[tuple[str, float, str]] = []

    def row(name: str, seconds: float, note: str = "") -> float:
        rows.append((name, seconds / count * 1e6, note))
        return seconds

    # -- the current design, stage by stage ---------------------------------------------------------
    names = ("build/articles.jsonl", "build/articles.parquet")
    job = RecordsJob(schemas, extension_of, jsonl, names[0], parquet, names[1], datetime.now(UTC), thorough=False)
    span = Span(1, 0, len(data), count)
    whole = row("the whole of check_span (one span)", best_cpu(lambda: check_span(job, span)), "all below together")
    row("  read and split the lines", best_cpu(lambda: list(read_lines(io.BytesIO(data)))))
    row("  orjson.loads", best_cpu(parse))
    sources = {str(record.get("source")) for record in parse()}
    validators = {source: schemas.validator(extension_of.get(source)) for source in sources}
    schema_check = best_cpu_on(lambda records: [validators[str(r.get("source"))].is_valid(r) for r in records], parse)
    row("  jsonschema-rs is_valid (formats on)", schema_check)
    checks = best_cpu_on(
        lambda records: [checker.check_each(b, "x", list(range(len(b)))) for b in batches(records)], parse
    )
    row("  RecordChecker.check_each: schema + rules", checks)
    row("    of which the rules", checks - schema_check, "the difference of the two rows above")
    texts = [lines_to_table(b"".join(b), schema, other_keys="error")["text"] for b in batches(lines)]

    def prefiltered(records: list[dict[str, Any]]) -> None:
        for batch, column in zip(batches(records), texts, strict=True):
            checker.check_each(batch, "x", list(range(len(batch))), validate.clean_texts(column))

    row("  the same, texts cleared by RE2 first (as check_span does)", best_cpu_on(prefiltered, parse))
    reader = best_cpu(lambda: [lines_to_table(b"".join(b), schema, other_keys="error") for b in batches(lines)])
    row("  Arrow's JSON reader (for the Parquet comparison)", reader)
    row("  Parquet: read and validate the same rows", best_cpu(lambda: parquet_rows(parquet, count)))
    row("  Parquet: the same rows as the check reads them", best_cpu(lambda: checked_rows(job, count)), CHECKED)
    row("    each dictionary entry validated once", best_cpu(lambda: parquet_rows(parquet, count, once=True)), ONCE)

    # -- the rules on whole columns -------------------------------------------------------------------
    derived = local_time_columns(schema)  # Parquet-only columns: not in a JSONL line
    stamps = [f.name for f in schema if pa.types.is_timestamp(f.type) and f.name not in derived]
    read_fields = [field for field in schema if field.name not in derived]
    as_strings = pa.schema([f.with_type(pa.string()) if f.name in stamps else f for f in read_fields])
    options = pa_json.ParseOptions(explicit_schema=as_strings, unexpected_field_behavior="error")
    read = pa_json.ReadOptions(use_threads=False, block_size=len(data) + 1)
    table = pa_json.read_json(pa.BufferReader(data), read_options=read, parse_options=options)
    reading = best_cpu(lambda: pa_json.read_json(pa.BufferReader(data), read_options=read, parse_options=options))
    arrow = row("Arrow's JSON reader, time stamps as strings", reading)
    arrow += row("time stamps cast, against now, 1990, each other", best_cpu(lambda: dates_in_range(table, stamps)))
    text, title = table["text"], table["title"]
    arrow += row("markup (text, title), boilerplate, U+FFFD: RE2", best_cpu(lambda: text_rules(text, title)))
    row("  boilerplate alone", best_cpu(lambda: pc.match_substring_regex(text, BOILERPLATE.pattern)))
    arrow += row("char_count, url missing", best_cpu(lambda: (pc.utf8_length(text), pc.is_null(table["url"]))))
    arrow += row("dates in URLs (against published's day) and file names", best_cpu(lambda: embedded_dates(table)))
    arrow += row("record ids (sha256 per record, Python)", best_cpu(lambda: ids(table)))
    arrow += row("Han share of zh texts (first 500 characters, numpy)", best_cpu(lambda: han_shares(table)))
    screen = row(
        "JSON Schema on columns: patterns (RE2), lengths, nulls", best_cpu(lambda: schema_screen(table, schemas))
    )
    raw = pa.array(lines, pa.binary())
    shape = line_shape(schemas.properties)
    shaped = row("keys in order, none twice: the line's shape, one RE2 match", best_cpu(lambda: has_shape(raw, shape)))

    print(f"{count:,} records of {root}, µs of CPU per record (best of {RUNS}):\n")
    print("| stage | µs/record | note |\n|---|---|---|")
    for name, micros, note in rows:
        print(f"| {name} | {micros:.1f} | {note} |")
    print(
        f"\ncurrent, all of check_span: {whole / count * 1e6:.1f} µs/record; the same checks on columns,"
        f" without any JSON Schema check: {arrow / count * 1e6:.1f} µs/record (+ the Parquet read);"
        f" with the schema screen and the shape: {(arrow + screen + shaped) / count * 1e6:.1f}"
    )


CHECKED = "strings as dictionaries, every batch validated in full, then decoded"
ONCE = "not decoded; in the check (4d1759d) about 1 µs/record less: dropped"


def parquet_rows(path: Path, count: int, *, once: bool = False) -> None:
    """The first ``count`` rows, validated; ``once``: as the check reads them (strings as
    dictionaries), but each dictionary entry validated once, with the indices checked in range."""
    columns = pq.read_metadata(path).schema
    strings = [columns.column(i).path for i in range(len(columns)) if columns.column(i).physical_type == "BYTE_ARRAY"]
    parquet = pq.ParquetFile(path, pre_buffer=False, read_dictionary=strings if once else None)
    taken = 0
    for group in range(parquet.metadata.num_row_groups):
        validated: dict[int, int] = {}  # column → dictionary entries validated in this row group
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], use_threads=False):
            for index, column in enumerate(batch.columns):
                if once and isinstance(column, pa.DictionaryArray):
                    column.indices.validate(full=True)
                    most = pc.max(column.indices).as_py()  # None: every index null
                    assert most is None or most < len(column.dictionary)
                    column.dictionary.slice(validated.get(index, 0)).validate(full=True)
                    validated[index] = len(column.dictionary)
                else:
                    column.validate(full=True)
            taken += batch.num_rows
            if taken >= count:
                return


def checked_rows(job: RecordsJob, count: int) -> None:
    rows = _ParquetRows(job.parquet_path or Path(), job.parquet_name, job.schemas.arrow_schema(), 0, count)
    while rows.take(BATCH_ROWS) is not None:
        pass


def dates_in_range(table: pa.Table, stamps: list[str]) -> None:
    moments = {name: pc.cast(table[name], pa.timestamp("us", tz="UTC")) for name in stamps}
    now, earliest = pa.scalar(datetime.now(UTC)), pa.scalar(validate.EARLIEST)
    for moment in moments.values():
        pc.or_(pc.greater(moment, now), pc.less(moment, earliest))
    pc.less(moments["modified_at"], moments["published_at"])


def text_rules(text: pa.ChunkedArray, title: pa.ChunkedArray) -> None:
    for column in (text, title):
        pc.match_substring_regex(column, validate.MARKUP.pattern, ignore_case=True)
        pc.match_substring(column, "\ufffd")
    pc.match_substring_regex(text, BOILERPLATE.pattern)


def embedded_dates(table: pa.Table) -> None:
    """Each URL pattern's date, joined as YYYY-MM-DD, against published's own date (the first ten
    characters of its string); the file-name pattern found."""
    local_day = pc.utf8_slice_codeunits(table["published_at"], 0, 10)
    for pattern in validate.URL_DATES:
        found = pc.extract_regex(table["url"], named_groups(pattern.pattern))
        day = pc.binary_join_element_wise(*(pc.struct_field(found, index) for index in range(3)), "-")
        pc.not_equal(day, local_day)
    raw_paths = pc.struct_field(table["provenance"], "raw_path")
    pc.match_substring_regex(raw_paths, validate.FILE_NAME_DATE.pattern)


def named_groups(pattern: str) -> str:
    """RE2 through pyarrow's extract_regex wants every group named: (…) → (?P<g1>…)."""
    numbers = itertools.count(1)
    return re.sub(r"\((?!\?)", lambda _: f"(?P<g{next(numbers)}>", pattern)


def ids(table: pa.Table) -> None:
    raw_paths = pc.struct_field(table["provenance"], "raw_path").to_pylist()
    [record_id(url, path) for url, path in zip(table["url"].to_pylist(), raw_paths, strict=True)]


def han_shares(table: pa.Table) -> None:
    language = pc.utf8_slice_codeunits(table["language"], 0, 3)
    zh = pc.or_(pc.equal(table["language"], "zh"), pc.equal(language, "zh-"))
    samples = pc.utf8_slice_codeunits(pc.filter(table["text"], zh), 0, validate.HAN_SAMPLE_CHARS)
    validate._han_and_letters_each(samples.to_pylist())


def schema_screen(table: pa.Table, schemas: Any) -> None:
    """What a column screen of the JSON Schema would compute: for every string field (the
    provenance's too) its pattern and lengths, for every field its nulls. An estimate: RE2's
    classes are not ECMA's, formats are not checked, and nothing is combined into rows."""
    columns = [(table[name], spec) for name, spec in schemas.properties.items() if name in table.column_names]
    provenance = schemas.properties.get("provenance", {}).get("properties", {})
    columns += [(pc.struct_field(table["provenance"], name), spec) for name, spec in provenance.items()]
    for column, spec in columns:
        pc.is_null(column)
        if pa.types.is_string(column.type) and "pattern" in spec:
            pc.match_substring_regex(column, spec["pattern"])
        if pa.types.is_string(column.type) and ("minLength" in spec or "maxLength" in spec):
            pc.utf8_length(column)
        if pa.types.is_list(column.type):
            pc.utf8_length(pc.list_flatten(column))


def line_shape(properties: dict[str, Any]) -> str:
    """An RE2 pattern matching a compact JSON object line with exactly ``properties``' keys, in
    order, each once (a nested object's too), whatever their values."""
    string = r'"(?:[^"\\]|\\.)*"'
    scalar = rf"(?:{string}|null|true|false|-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"
    value = rf"(?:{scalar}|\[(?:{scalar}(?:,{scalar})*)?\])"

    def members(specs: dict[str, Any]) -> str:
        return ",".join(
            f'"{key}":' + (r"\{" + members(spec["properties"]) + r"\}" if "properties" in spec else value)
            for key, spec in specs.items()
        )

    return r"^\{" + members(properties) + r"\}\n?$"


def has_shape(lines: pa.Array, shape: str) -> pa.Array:
    return pc.match_substring_regex(lines, shape)


if __name__ == "__main__":
    main()
