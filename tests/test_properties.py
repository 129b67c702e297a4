"""Properties of the per-file function and of whole builds, over generated hostile inputs.

For each adapter (jekyll, text), 2,000 examples each of random bytes, truncated seeds and mutated
seeds go through ``Converter.convert`` directly: it never raises, always returns an Outcome, a
reject always carries a reason, and an accepted record is clean (passes the checker, every schema
key in order, no U+FFFD, NUL or CR, serialisable). Then fewer whole builds of random mixes of such
files: the counts add up and every file ends exactly once. Derandomized: CI sees the same examples.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from newspkg.cli import main
from newspkg.config import load_project
from newspkg.consume.check import check_package
from newspkg.convert import Converter, Outcome
from newspkg.discover import RawFile
from newspkg.issues import Severity
from newspkg.schema import load_schemas
from newspkg.validate import RecordChecker

NOW = datetime.now(UTC)
PROJECT = load_project(REPO)
SCHEMAS = load_schemas(REPO / "schema")
CONVERTER = Converter(PROJECT, SCHEMAS, NOW)
CHECKER = RecordChecker(SCHEMAS, {source.name: source.schema for source in PROJECT.sources}, NOW)
SOURCES_OF = {
    adapter: sorted(source.name for source in PROJECT.sources if source.adapter == adapter)
    for adapter in ("jekyll", "text")
}
# (source, bytes) of the repository's raw files, per adapter.
SEEDS = {
    adapter: [(name, path.read_bytes()) for name in names for path in sorted((REPO / "raw" / name).glob("*.txt"))]
    for adapter, names in SOURCES_OF.items()
}
ADAPTERS = sorted(SEEDS)

PER_FILE = settings(
    max_examples=2000, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
WHOLE_BUILD = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Fragments that mean something to some step: encodings, line ends, markup, YAML, dates, labels.
FRAGMENTS = [
    s.encode() if isinstance(s, str) else s
    for s in (
        b"\x00", b"\r", b"\r\n", b"\n\n", b"\xff", b"\xfe", b"\x80", b"\xe4\xb8", b"\xef\xbb\xbf", b"\xff\xfe",
        b"\xfe\xff", b"\x1b", b"\t", "\u2028", "\u0085", "\u3000", "\u200b", "\ufeff", "\ufffd",
        "---\n", "\n---\n", "---", "title: ", 'title: "a"b"\n', "date: 2022-02-30 10:00:00\n", "tags: [", "&a ", "*a",
        "<", ">", "<p>", "</p>", "<div>", "<script>", "</script>", "<!--", "-->", "<![CDATA[", "<a b='", "&amp;",
        "&lt;div&gt;", "&#0;", "&#xD800;", "&#13;", "&#x110000;", "&nbsp;", "[a](b)", "[首页](/) | [新闻](/n)",
        "<http://finews.zning.xyz/a>", "<javascript:alert(1)>", "<>", "<//example.com/x>", "> 摘要\n",
        "。", "，", "（文章来源：阳泉日报）", "（证券时报）", "记者 王大鹏", "△图为现场", "图片来源：网络",
        "发布时间：2022-02-30 10:00", "发布时间：2099-01-01", "2022-02-26 05:47:34 +0800", "1985-01-01",
        "本文地址：javascript:x", "版权声明", "责任编辑", "网络编辑 晋中 2022-12-09 10:03:42 0 晋中",
    )
]  # fmt: skip


# -- strategies ----------------------------------------------------------------------------------


def texty() -> st.SearchStrategy[bytes]:
    """Text that decodes: random Unicode, or a run of meaningful fragments with random text between."""
    pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20).map(str.encode))
    return st.one_of(st.text().map(str.encode), st.lists(pieces, max_size=40).map(b"".join))


def random_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=4096), texty())


@st.composite
def truncated(draw: st.DrawFn, adapter: str) -> tuple[str, bytes]:
    """A prefix of a seed, of random length."""
    source, data = draw(st.sampled_from(SEEDS[adapter]))
    return source, data[: draw(st.integers(0, len(data)))]


@st.composite
def mutated(draw: st.DrawFn, adapter: str) -> tuple[str, bytes]:
    """A seed with 1–8 random edits: byte flips, insertions (random or meaningful), deletions, repeats."""
    source, seed = draw(st.sampled_from(SEEDS[adapter]))
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["flip", "insert", "delete", "repeat"]))
        if operation == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif operation == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(FRAGMENTS), st.binary(min_size=1, max_size=8)))
        elif operation == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif operation == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 64))] * draw(st.integers(2, 20))
    return source, bytes(data)


# -- the per-file property -----------------------------------------------------------------------


def convert(source: str, data: bytes) -> tuple[RawFile, Outcome]:
    raw = RawFile(path=f"raw/{source}/x.txt", source=source, data=data, sha256=hashlib.sha256(data).hexdigest())
    return raw, CONVERTER.convert(raw)


def assert_sound(raw: RawFile, outcome: Outcome) -> None:
    """What any outcome must be: for this file; a reject with a reason or a clean, complete record;
    and serialisable, since both end up in JSONL files."""
    assert (outcome.raw_path, outcome.raw_sha256, outcome.source) == (raw.path, raw.sha256, raw.source)
    orjson.dumps([outcome.record, [issue.to_dict() for issue in outcome.issues]])
    if not outcome.accepted:
        errors = [i for i in outcome.issues if i.severity is Severity.ERROR]
        assert errors, "a reject without a reason"
        assert all(i.rule and i.message for i in errors)
        return
    record = outcome.record
    assert record is not None
    assert list(record) == list(SCHEMAS.keys)
    errors = [i.to_dict() for i in CHECKER.check(record, raw.path) if i.severity is Severity.ERROR]
    assert not errors, errors
    for key in ("title", "text"):
        assert not {"\ufffd", "\x00", "\r"} & set(record[key]), (key, record[key][:200])
    assert record["char_count"] == len(record["text"])
    assert record["provenance"]["raw_sha256"] == raw.sha256
    assert record["provenance"]["raw_path"] == raw.path
    codecs.lookup(record["provenance"]["encoding"])  # the name of a real encoding, not a placeholder


@pytest.mark.parametrize("adapter", ADAPTERS)
@PER_FILE
@given(data=st.data())
def test_random_bytes_never_break_convert(adapter: str, data: st.DataObject) -> None:
    """Random bytes (and random decodable text made of meaningful fragments) through each adapter."""
    source = data.draw(st.sampled_from(SOURCES_OF[adapter]), label="source")
    assert_sound(*convert(source, data.draw(random_bytes(), label="bytes")))


@pytest.mark.parametrize("adapter", ADAPTERS)
@PER_FILE
@given(data=st.data())
def test_truncated_seeds_never_break_convert(adapter: str, data: st.DataObject) -> None:
    """A real raw file cut off at any byte (inside a UTF-8 sequence, the front matter, a tag, …)."""
    assert_sound(*convert(*data.draw(truncated(adapter), label="truncated seed")))


@pytest.mark.parametrize("adapter", ADAPTERS)
@PER_FILE
@given(data=st.data())
def test_mutated_seeds_never_break_convert(adapter: str, data: st.DataObject) -> None:
    """A real raw file with random byte flips, insertions, deletions and repeats; converting it
    again gives the same outcome (outputs are deterministic)."""
    raw, outcome = convert(*data.draw(mutated(adapter), label="mutated seed"))
    assert_sound(raw, outcome)
    assert CONVERTER.convert(raw) == outcome


def test_seeds_themselves_are_sound() -> None:
    """The unmutated seeds satisfy the property too (the generators start from sound files)."""
    for seeds in SEEDS.values():
        for source, data in seeds:
            assert_sound(*convert(source, data))


# -- the whole-build property --------------------------------------------------------------------


def any_file() -> st.SearchStrategy[tuple[str, bytes]]:
    adapters = st.sampled_from(ADAPTERS)
    seed = adapters.flatmap(lambda a: st.sampled_from(SEEDS[a]))
    rubbish = st.tuples(adapters.flatmap(lambda a: st.sampled_from(SOURCES_OF[a])), random_bytes())
    return st.one_of(seed, rubbish, adapters.flatmap(truncated), adapters.flatmap(mutated))


def build_files(files: list[tuple[str, bytes]]) -> tuple[int, dict[str, Any], Path, Callable[[], None]]:
    """Build a fresh project (the repository's sources and schema) holding ``files``, in-process."""
    scratch = tempfile.TemporaryDirectory(prefix="newspkg-property-")
    root = Path(scratch.name)
    shutil.copytree(REPO / "schema", root / "schema")
    (root / "raw").mkdir()
    for source in PROJECT.sources:
        (root / "raw" / source.name).mkdir()
        (root / "raw" / source.name / "source.toml").write_bytes(
            (REPO / "raw" / source.name / "source.toml").read_bytes()
        )
    for number, (source, data) in enumerate(files):
        (root / "raw" / source / f"{number:03d}.txt").write_bytes(data)
    result = CliRunner().invoke(
        main,
        ["--root", str(root), "build", "--format", "json", "--jobs", "1", "--no-cache"],
        catch_exceptions=False,
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])["summary"]
    return result.exit_code, summary, root, scratch.cleanup


@WHOLE_BUILD
@given(files=st.lists(any_file(), min_size=1, max_size=8))
def test_whole_build_accounts_for_every_file(files: list[tuple[str, bytes]]) -> None:
    """A build of a random mix of seeds, truncated, mutated and random files exits 0 or 1 and
    accounts for every file exactly once: inputs == accepted + rejected + duplicates, per source
    too, the outputs hold exactly those records, rejects and duplicates, and the published package
    passes newspkg's own package check."""
    exit_code, summary, root, cleanup = build_files(files)
    try:
        assert exit_code == (1 if summary["rejected"] > summary["rejected_acknowledged"] else 0)
        assert summary["inputs"] == len(files)
        assert summary["inputs"] == summary["accepted"] + summary["rejected"] + summary["duplicates"]
        for counts in summary["per_source"].values():
            assert counts["inputs"] == counts["accepted"] + counts["rejected"] + counts["duplicates"]
        records = (root / "build" / "articles.jsonl").read_bytes().split(b"\n")
        rejects = (root / "build" / "rejects.jsonl").read_bytes().split(b"\n")
        records = [orjson.loads(line) for line in records if line]
        rejects = [orjson.loads(line) for line in rejects if line]
        paths = [r["provenance"]["raw_path"] for r in records] + [r["raw_path"] for r in rejects]
        paths += [d["raw_path"] for d in summary["duplicates_of"]]
        assert sorted(paths) == sorted(f"raw/{source}/{n:03d}.txt" for n, (source, _) in enumerate(files))
        kept = {r["id"] for r in records}
        assert len(kept) == len(records), "ids are unique"
        assert {d["duplicate_of"] for d in summary["duplicates_of"]} <= kept
        for record in records:
            assert not [i for i in CHECKER.check(record, "x") if i.severity is Severity.ERROR]
        package = check_package(root / "datapackage.json", NOW)
        assert package.records == len(records)
        assert not [i.to_dict() for i in package.issues if i.severity is Severity.ERROR]
    finally:
        cleanup()
