"""The findings of `newspkg validate` and `newspkg verify` from two source trees, compared byte for
byte on a built package and on copies of it with planted faults.

    python bench/compare_findings.py BUILT [MORE ...] --baseline OTHER/src [--workdir DIR]

BUILT is a built package folder (bench/generate.py, then newspkg build) of a few hundred records
or more; MORE are packages compared as they are (the 100k package, the repository's dataset).
From BUILT the script makes, in DIR: schema violations of each kind, rule hits, hostile lines
(invalid UTF-8, a line over the line bound, not JSON, not an object, duplicate keys, a repeated id),
JSONL and Parquet disagreeing (a changed value, a missing row, a flipped Parquet byte). Each package
is checked by `validate datapackage.json` (text and JSON, and --thorough) and `verify --format json`,
with this tree's newspkg and with OTHER's; stdout (but for records per second) and exit code must be
the same. The line over the bound, like any package over 64 MB of JSONL, is checked by worker
processes. Prints one line per check with both peak RSS figures (GNU time needed), and exits 1 on
any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

BIN = Path(sys.executable).parent
GNU_TIME = "/usr/bin/time"
SRC = Path(__file__).resolve().parent.parent / "src"
JSONL = "build/articles.jsonl"
PARQUET = "build/articles.parquet"
LINE_BOUND = 64 * 1024 * 1024  # newspkg.consume.spans.MAX_LINE_BYTES
CHECKS = {
    "validate text": ["validate", "datapackage.json"],
    "validate json": ["validate", "datapackage.json", "--format", "json"],
    "validate thorough": ["validate", "datapackage.json", "--format", "json", "--thorough"],
    "verify json": ["verify", ".", "--format", "json"],
}
# The one figure that depends on the clock, in the text and the JSON summaries
TIMING = re.compile(rb'  records per second: [0-9,]+\n|, "records_per_second": [0-9]+')
Edit = Callable[[list[dict[str, Any]]], None]


def _edit(index: int, **fields: Any) -> Edit:
    def edit(records: list[dict[str, Any]]) -> None:
        records[index].update(fields)

    return edit


def _drop(index: int, key: str) -> Edit:
    return lambda records: records[index].pop(key)


def _provenance(index: int, **fields: Any) -> Edit:
    return lambda records: records[index]["provenance"].update(fields)


def _reorder(index: int) -> Edit:
    def edit(records: list[dict[str, Any]]) -> None:
        records[index] = dict(reversed(records[index].items()))

    return edit


SCHEMA_EDITS: list[Edit] = [
    _edit(1, id="XYZ"),
    _edit(2, title=""),
    _edit(3, title="t" * 301),
    _edit(4, title=" padded "),
    _drop(5, "language"),
    _edit(6, publisher=None, source=None),
    _edit(7, char_count="12"),
    _edit(8, char_count=0),
    _edit(9, extra_key=1),
    _edit(10, language="not a tag"),
    _edit(11, url="ftp://example.com/a"),
    _edit(12, url="http://exa mple.com/[x"),
    _edit(13, authors=["", 3]),
    _edit(14, modified_at="2024-02-30T10:00:00+08:00"),
    _edit(15, published_at="yesterday"),
    _provenance(16, extra=True),
    _provenance(17, member="page-3"),
    _edit(18, tags="one"),
    _edit(19, fingerprint="F" * 64),
    _edit(20, text=None),
]
RULE_EDITS: list[Edit] = [
    _edit(1, published_at="2999-01-01T00:00:00+00:00"),
    _edit(2, published_at="1980-05-01T00:00:00+08:00"),
    _edit(3, published_at="2024-03-05T10:00:00+08:00", modified_at="2024-03-04T10:00:00+08:00"),
    _edit(4, url="https://example.com/2019/01/02/a.html", published_at="2024-03-05T10:00:00+08:00"),
    _provenance(5, raw_path="raw/finews/2001-02-03-story.md"),
    _edit(6, char_count=3),
    _edit(7, id="0123456789abcdef"),
    _edit(8, fingerprint="0" * 64),
    _edit(9, text="a <div class=x>body</div> text", title="<p>title"),
    _edit(10, text="body text\n\n责任编辑：张三"),
    _edit(11, text="bad \ufffd bytes", title="\x07title"),
    _edit(12, text="CafÃ© rÃ©sumÃ© naÃ¯ve " * 5, language="en"),
    _edit(13, text="mostly latin letters here 中文", language="zh-Hans"),
    _edit(14, url=None),
    _reorder(15),
    _edit(16, text="control \x01 in text"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("built", type=Path)
    parser.add_argument("more", type=Path, nargs="*")
    parser.add_argument("--baseline", type=Path, required=True, help="the other source tree (say main's src)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/compare-findings"))
    args = parser.parse_args()
    packages = plant(args.built.resolve(), args.workdir.resolve()) + [path.resolve() for path in args.more]
    trees = {"this": SRC, "baseline": args.baseline.resolve()}
    differ = 0
    for package in packages:
        for name, argv in CHECKS.items():
            outputs = {tree: run(argv, package, src) for tree, src in trees.items()}
            same = len({(out, code) for out, code, _ in outputs.values()}) == 1
            differ += not same
            this, base = outputs["this"], outputs["baseline"]
            lines = this[0].count(b"\n")
            print(
                f"{'same' if same else 'DIFFERENT'}: {package.name}: {name}: exit {this[1]}/{base[1]}, "
                f"{lines} lines, peak RSS {this[2]:.0f}/{base[2]:.0f} MB (this/baseline)",
                flush=True,
            )
    print(f"{differ} of {len(packages) * len(CHECKS)} checks differ")
    sys.exit(1 if differ else 0)


def run(argv: list[str], package: Path, src: Path) -> tuple[bytes, int, float]:
    """(stdout, exit code, peak RSS in MB of newspkg's main process) of newspkg run from ``src``. The
    peak comes from GNU time: this process's own would pass to the child through fork and exec."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    with tempfile.NamedTemporaryFile("r") as peak:
        timed = [GNU_TIME, "-f", "%M", "-o", peak.name, "--"]
        done = subprocess.run([*timed, str(BIN / "newspkg"), *argv], cwd=package, env=env, capture_output=True)
        kilobytes = peak.read().split()[-1]
    return TIMING.sub(b"", done.stdout), done.returncode, int(kilobytes) / 1024


def plant(built: Path, workdir: Path) -> list[Path]:
    """Copies of ``built`` with planted faults, in ``workdir`` (replaced)."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    made = [_copy(built, workdir / "as-built")]
    made.append(_with_records(built, workdir / "schema-violations", SCHEMA_EDITS))
    made.append(_with_records(built, workdir / "rule-hits", RULE_EDITS))
    made.append(_with_lines(built, workdir / "hostile-lines", _hostile_lines))
    made.append(_with_lines(built, workdir / "over-long-line", _over_long_line))
    made.append(_with_parquet(built, workdir / "parquet-disagrees", _parquet_disagreeing))
    made.append(_with_parquet(built, workdir / "parquet-flipped", _flip_middle_byte))
    return made


def _copy(built: Path, target: Path) -> Path:
    shutil.copytree(built, target, ignore=shutil.ignore_patterns(".cache", "raw"))
    return target


def _with_records(built: Path, target: Path, edits: list[Edit]) -> Path:
    def edited(lines: list[bytes]) -> list[bytes]:
        records = [json.loads(line) for line in lines]
        for edit in edits:
            edit(records)
        return [json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" for record in records]

    return _with_lines(built, target, edited)


def _with_lines(built: Path, target: Path, change: Callable[[list[bytes]], list[bytes]]) -> Path:
    """A copy whose JSONL lines ``change`` rewrote, the descriptor's bytes and hash declared anew."""
    _copy(built, target)
    path = target / JSONL
    path.write_bytes(b"".join(change(path.read_bytes().splitlines(keepends=True))))
    _declare_facts(target, JSONL)
    return target


def _hostile_lines(lines: list[bytes]) -> list[bytes]:
    lines = list(lines)
    lines[3] = lines[3].replace(b'"title":"', b'"title":"\xff\xfe', 1)  # invalid UTF-8
    lines[5] = b'{"id": "0123456789abcdef", "text": \n'  # not JSON
    lines[7] = b"[1, 2, 3]\n"  # not an object
    lines[9] = lines[9].replace(b'{"id":', b'{"title":"first","id":', 1)  # a duplicate key
    lines[11] = b"\n"
    lines[13] = lines[12]  # a repeated id
    lines.insert(20, lines[2])
    lines[-1] = lines[-1].rstrip(b"\n")  # no newline at the end
    return lines


def _over_long_line(lines: list[bytes]) -> list[bytes]:
    return [*lines[:4], b'{"text":"' + b"x" * (LINE_BOUND + 10) + b'"}\n', *lines[4:]]


def _with_parquet(built: Path, target: Path, change: Callable[[Path], None]) -> Path:
    _copy(built, target)
    change(target / PARQUET)
    _declare_facts(target, PARQUET)
    return target


def _parquet_disagreeing(path: Path) -> None:
    """One changed title and one row left out, in row groups as small as the build's."""
    table = pq.read_table(path)
    groups = pq.ParquetFile(path).metadata.num_row_groups
    titles = table["title"].to_pylist()
    titles[2] = "another title"
    table = table.set_column(table.schema.get_field_index("title"), table.schema.field("title"), [titles])
    table = pa.concat_tables([table.slice(0, 30), table.slice(31)])
    pq.write_table(table, path, row_group_size=max(1, table.num_rows // max(groups, 4)))


def _flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _declare_facts(root: Path, relative: str) -> None:
    """The descriptor's bytes and hash of one resource made true again."""
    descriptor_path = root / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    data = (root / relative).read_bytes()
    (resource,) = [r for r in descriptor["resources"] if r["path"] == relative]
    resource["bytes" if "bytes" in resource else "newspkg:bytes"] = len(data)
    resource["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
    descriptor_path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
