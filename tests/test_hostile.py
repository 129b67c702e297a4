"""Hostile raw files: whatever lands in raw/, a build finishes and every file ends as exactly one of
an accepted record, a reject with reasons, or a duplicate; nothing published is garbage.

Every test builds a tiny project in tmp_path with the CLI and checks the contract on the outputs
(:func:`build`) before looking at the one behaviour it is about.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from conftest import REPO
from newspkg import adapters
from newspkg.adapters import Draft
from newspkg.config import SourceConfig, load_project
from newspkg.convert import Converter
from newspkg.discover import RawFile
from newspkg.schema import load_schemas
from newspkg.validate import RecordChecker

NEWSPKG = Path(sys.executable).parent / "newspkg"
SEED_PATH = next((REPO / "raw" / "finews").glob("000_*.txt"))
SEED = SEED_PATH.read_text(encoding="utf-8")  # a Jekyll post in simplified Chinese
SEED_URL = "<http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202202262290179330>"
SEED_DATE = "2022-02-26 05:47:34 +0800"
SEED_TITLE_LINE = 'title: "开创集团履行社会责任 彰显国企担当"'
SEED_FRONT, SEED_BODY = SEED.split("---\n", 2)[1:]

# A traditional-Chinese Jekyll post that Big5 can encode.
TRADITIONAL = """---
layout: post
title: "國有企業履行社會責任 彰顯擔當精神"
date: 2022-02-26 05:47:34 +0800
categories: yangquanribao
tags: 陽泉日報新聞
---
<p>國有企業是國民經濟發展的重要支柱，也是履行社會責任的重要力量。開創集團成立於二零一九年，是高新區推進管理與運營分離改革而設立的全資國有企業。集團堅持社會效益為首、經營效益為本的理念，全面開展投資融資、工業地產開發、市政基礎設施建設與運營維護、招商引資、產業培育孵化、園區管理運營以及人力資源服務等工作。經過兩年多的發展，集團已經成為高新區投資、建設、運營、服務的主力軍。</p>
<p>緊盯主要方向，增強轉型發展的責任感。集團主動服務於高新區的發展戰略，進一步找準自身的功能定位，積極謀劃重大項目，推動產業轉型升級。集團聚焦新一代信息技術、高端裝備製造、新材料等領域，引進了一批科技含量高、帶動能力強的優質企業，為區域經濟高質量發展注入了新的動能。</p>
<p>堅守為民宗旨，提升服務群眾的溫度。集團黨員幹部深入村莊與社區，開展走訪慰問活動，關心群眾冷暖。在中秋節與春節期間，為結對的困難家庭送去慰問品；在兒童節前後，為拆遷安置村的幼兒園贈送書包、文具與書本，並與孩子們親切交談，詳細了解他們學習與生活的情況，及時給予幫助。</p>
<p>初心永固，行穩致遠。站在新的歷史起點，集團將進一步增強政治責任感和使命感，以敢於擔當、回饋社會、服務人民的理念，履行國有企業的社會責任，實現高質量發展的目標。</p>

<http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202202262290179331>
"""

JEKYLL_TOML = """adapter = "jekyll"
timezone = "Asia/Shanghai"
language = "zh-Hans"
publisher = "finews"
base_url = "https://finews.withounder.com/"
schema = "finews"
"""
TEXT_TOML = 'adapter = "text"\ntimezone = "Asia/Shanghai"\nlanguage = "zh-Hans"\n'
SECRET = "TOPSECRET-d41d8cd98f00"  # planted in files outside the project: must never be published
GOOD_DRAFT = Draft(
    title="测试标题",
    paragraphs=["这是一段用于测试的中文正文，内容完整，足以成为一条记录。"],
    published_at="2022-02-26 05:47:34",
    url="https://example.com/news/1",
    date_source="front-matter",
)


def post(front: str = SEED_FRONT, body: str = SEED_BODY) -> str:
    """A Jekyll post from front matter and body."""
    return f"---\n{front}---\n{body}"


def with_url(url: str, text: str = SEED) -> str:
    return text.replace(SEED_URL, f"<{url}>")


def _body(number: int) -> str:
    """The seed's body with a URL of its own and one changed word: not a duplicate of the seed."""
    return with_url(f"http://finews.zning.xyz/{number}", SEED_BODY).replace("初心永固", f"初心永固{number}")


# -- the project and the contract ----------------------------------------------------------------


def make_project(root: Path, sources: dict[str, str] | None = None) -> Path:
    """raw/<source>/source.toml for each source (default: one Jekyll source "finews"), the repo's schema/."""
    (root / "raw").mkdir(parents=True)
    shutil.copytree(REPO / "schema", root / "schema")
    shutil.copy2(REPO / "datapackage.json", root / "datapackage.json")
    for name, toml in (sources or {"finews": JEKYLL_TOML}).items():
        (root / "raw" / name).mkdir()
        (root / "raw" / name / "source.toml").write_text(toml, encoding="utf-8")
    return root


def put(root: Path, relative: str, data: bytes | str) -> str:
    """Write a raw file; return its project-relative path."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return relative


def raw_inputs(root: Path) -> list[str]:
    """The raw files a build must account for: every entry below raw/<source>/ except hidden ones,
    source.toml and sidecars; real folders are walked, links (to files or folders) are entries."""
    found: list[str] = []

    def walk(folder: Path, top: bool) -> None:
        for entry in folder.iterdir():
            if entry.name.startswith(".") or (top and entry.name == "source.toml"):
                continue
            if entry.is_dir() and not entry.is_symlink():
                walk(entry, top=False)
            elif not entry.name.endswith(".meta.toml"):
                found.append(entry.relative_to(root).as_posix())

    for source in (root / "raw").iterdir():
        if source.is_dir() and not source.is_symlink() and not source.name.startswith("."):
            walk(source, top=True)
    return sorted(found)


def _is_utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class Built:
    exit_code: int
    summary: dict[str, Any]
    records: dict[str, dict[str, Any]]  # by raw path
    rejects: dict[str, dict[str, Any]]
    duplicates: dict[str, dict[str, Any]]
    seconds: float

    def accepted(self, path: str) -> dict[str, Any]:
        assert path in self.records, f"{path} was not accepted: {self.rejects.get(path)}"
        return self.records[path]

    def rejected(self, path: str) -> set[str]:
        """The error rules of a rejected file."""
        assert path in self.rejects, f"{path} was not rejected"
        return {issue["rule"] for issue in self.rejects[path]["issues"] if issue["severity"] == "error"}

    def fate(self, path: str) -> str:
        """ "accepted", "rejected" or "duplicate" (check_contract made sure it is exactly one)."""
        if path in self.records:
            return "accepted"
        return "rejected" if path in self.rejects else "duplicate"

    def paths(self) -> Iterator[str]:
        yield from self.records
        yield from self.rejects
        yield from self.duplicates

    def messages(self, path: str) -> str:
        return "\n".join(issue["message"] for issue in self.rejects[path]["issues"])


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().split(b"\n") if line] if path.exists() else []


def check_contract(root: Path, exit_code: int, stdout: str, seconds: float) -> Built:
    """The build's contract, whatever the inputs: a normal exit, every raw file exactly once as a
    record, a reject with reasons or a duplicate, counts that add up, and clean records."""
    assert exit_code in (0, 1), stdout
    summary = json.loads(stdout.strip().splitlines()[-1])["summary"]
    assert summary["inputs"] == summary["accepted"] + summary["rejected"] + summary["duplicates"]
    for name, counts in summary["per_source"].items():
        assert counts["inputs"] == counts["accepted"] + counts["rejected"] + counts["duplicates"], name
    records = read_jsonl(root / "build" / "articles.jsonl")
    rejects = read_jsonl(root / "build" / "rejects.jsonl")
    duplicates = summary["duplicates_of"]
    assert (len(records), len(rejects), len(duplicates)) == (
        summary["accepted"],
        summary["rejected"],
        summary["duplicates"],
    )
    fates = [r["provenance"]["raw_path"] for r in records] + [r["raw_path"] for r in rejects]
    fates += [d["raw_path"] for d in duplicates]
    inputs = raw_inputs(root)
    assert len(fates) == len(set(fates)) == len(inputs), "every raw file ends exactly once"
    # A name that is not UTF-8 cannot be written as it is: it may be escaped any which way.
    assert {p for p in inputs if _is_utf8(p)} <= set(fates), "every raw file ends exactly once"
    project = load_project(root)
    schemas = load_schemas(project.schema_dir)
    checker = RecordChecker(schemas, {source.name: source.schema for source in project.sources})
    for record in records:
        assert list(record) == list(schemas.keys)
        errors = [i.to_dict() for i in checker.check(record, "articles.jsonl") if i.severity == "error"]
        assert not errors, errors
        for key in ("title", "text"):
            assert not {"\ufffd", "\x00", "\r"} & set(record[key]), (key, record["provenance"])
    for reject in rejects:
        assert any(issue["severity"] == "error" and issue["message"] for issue in reject["issues"]), reject
    return Built(
        exit_code,
        summary,
        {r["provenance"]["raw_path"]: r for r in records},
        {r["raw_path"]: r for r in rejects},
        {d["raw_path"]: d for d in duplicates},
        seconds,
    )


@pytest.fixture
def build(run: Callable[..., Result]) -> Callable[..., Built]:
    """Build a project in-process (`newspkg build --format json --jobs 1`) and check the contract."""

    def invoke(root: Path, *args: str) -> Built:
        started = time.monotonic()
        result = run("build", "--format", "json", "--jobs", "1", *args, root=root)
        return check_contract(root, result.exit_code, result.stdout, time.monotonic() - started)

    return invoke


def build_in_subprocess(root: Path, *args: str, timeout: float = 120) -> Built:
    """The same, as a separate process with a time limit (for inputs that could hang or eat memory)."""
    started = time.monotonic()
    result = subprocess.run(
        [str(NEWSPKG), "--root", str(root), "build", "--format", "json", "--jobs", "1", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return check_contract(root, result.returncode, result.stdout, time.monotonic() - started)


def expected_record(root: Path, relative: str, text: str) -> dict[str, Any]:
    """What newspkg makes of ``text`` as plain UTF-8 at ``relative``: the reference for re-encoded copies."""
    project = load_project(root)
    data = text.encode()
    raw = RawFile(path=relative, source=relative.split("/")[1], data=data, sha256=hashlib.sha256(data).hexdigest())
    outcome = Converter(project, load_schemas(project.schema_dir)).convert(raw)
    assert outcome.accepted, outcome.issues
    assert outcome.record is not None
    return outcome.record


@pytest.fixture
def register(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], Any]:
    """adapters.register for this test only: the registry is restored afterwards."""
    adapters.available()  # load the entry points into the real registry before copying it
    monkeypatch.setattr(adapters, "_registry", dict(adapters._registry))
    return adapters.register


# -- encodings and line ends ---------------------------------------------------------------------


def _sprinkle_nul(text: str) -> str:
    return text.replace("，", "，\x00").replace("。", "\x00。\x00")


VARIANTS: dict[str, tuple[str, Callable[[str], bytes], set[str]]] = {
    "utf-8-bom": (SEED, lambda t: codecs.BOM_UTF8 + t.encode(), {"utf-8-sig"}),
    "gb18030": (SEED, lambda t: t.encode("gb18030"), {"gb18030"}),
    "gb18030-crlf": (SEED, lambda t: t.replace("\n", "\r\n").encode("gb18030"), {"gb18030"}),
    "big5": (TRADITIONAL, lambda t: t.encode("big5"), {"big5", "cp950", "big5hkscs"}),
    "utf-16-le-bom": (SEED, lambda t: t.encode("utf-16"), {"utf-16"}),
    "utf-16-be-bom": (SEED, lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), {"utf-16"}),
    "crlf": (SEED, lambda t: t.replace("\n", "\r\n").encode(), {"utf-8"}),
    "lone-cr": (SEED, lambda t: t.replace("\n", "\r").encode(), {"utf-8"}),
    "nul-bytes": (SEED, lambda t: _sprinkle_nul(t).encode(), {"utf-8"}),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_reencoded_post_is_accepted_with_the_same_text(
    variant: str, tmp_path: Path, build: Callable[..., Built]
) -> None:
    """The same post saved with a BOM, in GB18030 or Big5, in UTF-16, with CRLF or lone CR line ends or
    with NUL bytes sprinkled in is accepted with exactly the text, title, date and URL the plain UTF-8
    file gives, and provenance.encoding names the encoding that was used."""
    text, encode, encodings = VARIANTS[variant]
    root = make_project(tmp_path / "p")
    path = put(root, f"raw/finews/{variant}.txt", encode(text))
    built = build(root)
    record = built.accepted(path)
    expected = expected_record(root, path, text)
    for key in ("title", "text", "published_at", "url", "authors", "tags", "captions", "id"):
        assert record[key] == expected[key], key
    assert record["provenance"]["encoding"] in encodings
    assert record["provenance"]["raw_sha256"] == hashlib.sha256(encode(text)).hexdigest()


def test_utf8_with_one_invalid_byte_is_clean_or_rejected(tmp_path: Path, build: Callable[..., Built]) -> None:
    """A UTF-8 post with one invalid byte in the middle of the body becomes either a clean record
    (no U+FFFD anywhere) or a reject with a reason, never a record with replacement characters."""
    root = make_project(tmp_path / "p")
    data = SEED.encode()
    middle = data.index("集团党员干部".encode())
    path = put(root, "raw/finews/invalid-byte.txt", data[:middle] + b"\xff" + data[middle:])
    built = build(root)
    if path in built.records:
        record = built.records[path]
        assert "\ufffd" not in record["text"] + record["title"]
    else:
        assert built.rejected(path)


def test_mojibake_is_rejected_as_text_encoding(tmp_path: Path, build: Callable[..., Built]) -> None:
    """UTF-8 Chinese decoded as Latin-1 and saved again as UTF-8 (valid UTF-8, wrong characters)
    is rejected by text:encoding, not published."""
    root = make_project(tmp_path / "p")
    mojibake = SEED.encode("utf-8").decode("latin-1").encode("utf-8")
    path = put(root, "raw/finews/mojibake.txt", mojibake)
    assert "text:encoding" in build(root).rejected(path)


@pytest.mark.parametrize("source", ["finews", "plain"])
def test_random_binary_is_rejected(source: str, tmp_path: Path, build: Callable[..., Built]) -> None:
    """5,000 random bytes are rejected (for whatever reason), by the Jekyll and the text adapter alike."""
    root = make_project(tmp_path / "p", {"finews": JEKYLL_TOML, "plain": TEXT_TOML})
    path = put(root, f"raw/{source}/random.bin", random.Random(0).randbytes(5000))
    assert build(root).rejected(path)


def _png(seed: int) -> bytes:
    rng = random.Random(seed)
    ihdr = b"IHDR" + (64).to_bytes(4, "big") * 2 + bytes([8, 6, 0, 0, 0])
    idat = b"IDAT" + zlib.compress(rng.randbytes(4000))
    chunks = b""
    for chunk in (ihdr, idat, b"IEND"):
        chunks += (len(chunk) - 4).to_bytes(4, "big") + chunk + zlib.crc32(chunk).to_bytes(4, "big")
    return b"\x89PNG\r\n\x1a\n" + chunks


@pytest.mark.parametrize("source", ["finews", "plain"])
def test_png_image_is_rejected(source: str, tmp_path: Path, build: Callable[..., Built]) -> None:
    """A PNG image saved under raw/ (named .txt) is rejected, never turned into a record."""
    root = make_project(tmp_path / "p", {"finews": JEKYLL_TOML, "plain": TEXT_TOML})
    path = put(root, f"raw/{source}/image.txt", _png(1))
    assert build(root).rejected(path)


# -- broken front matter -------------------------------------------------------------------------


def test_front_matter_without_closing_fence_is_not_published_as_text(
    tmp_path: Path, build: Callable[..., Built]
) -> None:
    """Front matter that is never closed by `---` leaves the post without title and date: it is
    rejected for those, and the YAML lines do not end up as article text."""
    root = make_project(tmp_path / "p")
    path = put(root, "raw/finews/unclosed.txt", f"---\n{SEED_FRONT}{SEED_BODY}")
    built = build(root)
    if path in built.records:
        assert "layout:" not in built.records[path]["text"]
    else:
        assert {"schema:required"} <= built.rejected(path)


def test_unescaped_quotes_in_title_are_read_as_written(tmp_path: Path, build: Callable[..., Built]) -> None:
    """`title: "他说"好"的"` is not valid YAML; the post is still accepted, with the title as written."""
    root = make_project(tmp_path / "p")
    path = put(root, "raw/finews/quotes.txt", post(SEED_FRONT.replace(SEED_TITLE_LINE, 'title: "他说"好"的"')))
    assert build(root).accepted(path)["title"] == '他说"好"的'


def test_tabs_in_front_matter_are_tolerated(tmp_path: Path, build: Callable[..., Built]) -> None:
    """Tabs (which YAML forbids as indentation) in the front matter do not lose the title or date."""
    root = make_project(tmp_path / "p")
    front = SEED_FRONT.replace("title: ", "\ttitle:\t").replace("date: ", "date:\t\t")
    path = put(root, "raw/finews/tabs.txt", post(front))
    record = build(root).accepted(path)
    assert record["title"] == "开创集团履行社会责任 彰显国企担当"
    assert record["published_at"] == "2022-02-26T05:47:34+08:00"


def _billion_laughs(anchor: str) -> str:
    """Nine levels of nine aliases each: 9**9 "lol"s if expanded."""
    lines = [f'a: &{anchor}a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{anchor}{name} [{', '.join([f'*{anchor}{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_finishes(tmp_path: Path) -> None:
    """A billion-laughs front matter (9 levels of 9 aliases; also with anchor names the alias guard's
    regex does not recognise, `&.a`) does not hang or exhaust the build: it finishes within two
    minutes in its own process, and each post is a record or a reject."""
    root = make_project(tmp_path / "p")
    paths = [
        put(root, "raw/finews/bomb.txt", post(SEED_FRONT + _billion_laughs(""), _body(1))),
        put(root, "raw/finews/bomb-punct.txt", post(_billion_laughs(".") + "tags: *.i\n" + SEED_FRONT, _body(2))),
        put(root, "raw/finews/bomb-only.txt", post(_billion_laughs("") + "title: *i\n", _body(3))),
    ]
    built = build_in_subprocess(root, timeout=120)
    assert {built.fate(path) for path in paths} <= {"accepted", "rejected", "duplicate"}
    assert "lol" not in json.dumps(list(built.records.values()), ensure_ascii=False)


def test_deeply_nested_front_matter_value_is_a_record_or_reject(tmp_path: Path, build: Callable[..., Built]) -> None:
    """A front-matter value nested 5,000 deep (`[[[[…]]]]`, `{a: {a: …}}`) does not crash the build."""
    root = make_project(tmp_path / "p")
    paths = [
        put(root, "raw/finews/deep-list.txt", post(SEED_FRONT + "deep: " + "[" * 5000 + "]" * 5000 + "\n", _body(1))),
        put(
            root,
            "raw/finews/deep-map.txt",
            post(SEED_FRONT + "deep: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", _body(2)),
        ),
    ]
    built = build(root)
    for path in paths:
        assert built.fate(path) in ("accepted", "rejected")


def test_deeply_nested_front_matter_value_does_not_lose_the_post(tmp_path: Path, build: Callable[..., Built]) -> None:
    """An unusable front-matter key (nested 5,000 deep) is treated like any YAML that does not parse:
    the flat `key: value` reading keeps the title and date, and the post is accepted."""
    root = make_project(tmp_path / "p")
    path = put(root, "raw/finews/deep.txt", post(SEED_FRONT + "deep: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert build(root).accepted(path)["title"] == "开创集团履行社会责任 彰显国企担当"


def test_front_matter_nested_tens_of_thousands_deep_does_not_kill_the_build(tmp_path: Path) -> None:
    """Front matters of 30,000 unclosed `[`, 40,000 `{` or 25,000 `- ` (all under the 64 KiB front-matter
    cap) do not crash the build process: it exits 0 or 1 and each post is a record or a reject.
    Built in a subprocess, so that a crash cannot take the test run with it."""
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/good.txt", SEED)
    paths = [
        put(root, "raw/finews/deep-flow-list.txt", post(SEED_FRONT + "deep: " + "[" * 30000 + "\n", _body(1))),
        put(root, "raw/finews/deep-flow-map.txt", post(SEED_FRONT + "deep: " + "{" * 40000 + "\n", _body(2))),
        put(root, "raw/finews/deep-block-list.txt", post(SEED_FRONT + "deep:\n  " + "- " * 25000 + "\n", _body(3))),
    ]
    built = build_in_subprocess(root, timeout=120)
    assert built.accepted("raw/finews/good.txt")
    for path in paths:
        assert built.fate(path) in ("accepted", "rejected")


# -- size and shape ------------------------------------------------------------------------------


def _one_line(size: int) -> bytes:
    """``size`` bytes of the seed's paragraphs, minified onto one line (UTF-8 cut at a character)."""
    unit = "".join(line.strip() for line in SEED_BODY.split("\n") if line.strip().startswith("<p")).encode()
    return (unit * (size // len(unit) + 1))[:size].decode("utf-8", "ignore").encode()


def test_fifteen_megabyte_line_is_rejected_as_too_large(tmp_path: Path, build: Callable[..., Built]) -> None:
    """A 15 MB file (one line) is over the default 8 MiB limit: rejected raw:too-large, unparsed."""
    root = make_project(tmp_path / "p")
    path = put(root, "raw/finews/huge.txt", _one_line(15 * 1024 * 1024))
    built = build(root)
    assert built.rejected(path) == {"raw:too-large"}
    assert built.rejects[path]["extracted"] is None


def test_fifteen_megabyte_line_is_processed_under_a_raised_limit(tmp_path: Path, build: Callable[..., Built]) -> None:
    """With `[limits] max_bytes = 20000000` the same 15 MB line is converted (it has no front matter,
    so it is rejected for the missing fields) without crashing."""
    toml = JEKYLL_TOML + "\n[limits]\nmax_bytes = 20000000\nmax_seconds = 120\n"
    root = make_project(tmp_path / "p", {"finews": toml})
    path = put(root, "raw/finews/huge.txt", _one_line(15 * 1024 * 1024))
    built = build(root)
    assert path in built.records or "raw:too-large" not in built.rejected(path)


def test_html_nested_twenty_thousand_deep(tmp_path: Path, build: Callable[..., Built]) -> None:
    """A body of 20,000 nested <div>s (and as many unclosed <span>s) around one sentence is parsed
    without recursion errors: the sentence is the text."""
    root = make_project(tmp_path / "p")
    deep = "<div>" * 20000 + "<span>" * 20000 + "深层嵌套的正文内容在这里，并没有丢失。" + "</div>" * 20000
    path = put(root, "raw/finews/deep.txt", post(body=f"<p>{deep}</p>\n\n<http://finews.zning.xyz/deep>\n"))
    assert build(root).accepted(path)["text"] == "深层嵌套的正文内容在这里，并没有丢失。"


def test_quadratic_html_is_stopped_by_the_time_limit(tmp_path: Path, build: Callable[..., Built]) -> None:
    """Markup that makes Python's HTMLParser quadratic (20,000 unterminated `<a b='`) costs at most
    `[limits] max_seconds`: the build finishes and the file is a record or a reject."""
    root = make_project(tmp_path / "p", {"finews": JEKYLL_TOML + "\n[limits]\nmax_seconds = 2\n"})
    path = put(root, "raw/finews/quadratic.txt", post(body="<p>正文" + "<a b='" * 20000 + "\n"))
    built = build(root)
    assert built.fate(path) in ("accepted", "rejected")
    assert built.seconds < 30


def test_unclosed_tag_openers_are_read_in_linear_time(tmp_path: Path, build: Callable[..., Built]) -> None:
    """A body of tag openers that never close (40,000 `<div `, `<p` and `<script`, 20,000 `<a b='`, each
    well under the size limit) is read in well under a 2 s limit: the post is not rejected raw:timeout."""
    root = make_project(tmp_path / "p", {"finews": JEKYLL_TOML + "\n[limits]\nmax_seconds = 2\n"})
    bodies = ["<div " * 40000, "<p" * 40000, "<script" * 40000, "<a b='" * 20000]
    paths = [
        put(root, f"raw/finews/openers-{number}.txt", post(body=f"<p>正文。</p>\n{junk}\n\n<http://a.cn/{number}>\n"))
        for number, junk in enumerate(bodies)
    ]
    built = build(root)
    for path in paths:
        assert built.fate(path) != "rejected" or "raw:timeout" not in built.rejected(path)


def test_line_of_many_links_followed_by_text_is_fast(tmp_path: Path, build: Callable[..., Built]) -> None:
    """A body line of 30 space-separated Markdown links that ends in plain text (so it is not a
    navigation line) is read in well under the 2 s limit and the post is accepted."""
    root = make_project(tmp_path / "p", {"finews": JEKYLL_TOML + "\n[limits]\nmax_seconds = 2\n"})
    line = "[首页](/)" + " [新闻](/news)" * 30 + " 更多"
    path = put(root, "raw/finews/links.txt", SEED.replace("<p>初心永固", line + "\n<p>初心永固"))
    assert build(root).accepted(path)


def test_escaped_entities_in_html_body_are_decoded_once(tmp_path: Path, build: Callable[..., Built]) -> None:
    """An article that shows markup or an entity literally (`&amp;lt;div&amp;gt;`, `AT&amp;amp;T`) keeps it
    as the reader saw it: `&lt;div&gt;`, `AT&amp;T`; the post is accepted."""
    root = make_project(tmp_path / "p")
    paragraph = "<p>网页写法是 &amp;lt;div&amp;gt; 标签，公司名称写作 AT&amp;amp;T。</p>"
    path = put(root, "raw/finews/entities.txt", SEED.replace("<p>初心永固", paragraph + "\n<p>初心永固"))
    text = build(root).accepted(path)["text"]
    assert "网页写法是 &lt;div&gt; 标签，公司名称写作 AT&amp;T。" in text.split("\n\n")


# -- links and special files ---------------------------------------------------------------------


def _outside_post(tmp_path: Path) -> Path:
    """A valid post outside the project, carrying the secret marker."""
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    secret = outside / "secret.txt"
    secret.write_text(with_url("http://finews.zning.xyz/secret", SEED.replace("国有企业", SECRET, 1)), "utf-8")
    return secret


def _published(root: Path) -> bytes:
    files = [*(root / "build").glob("*"), root / "datapackage.json"]
    return b"".join(path.read_bytes() for path in files if path.is_file())


def test_symlink_to_a_file_outside_is_rejected_unread(tmp_path: Path, build: Callable[..., Built]) -> None:
    """A symlink in raw/ to a file outside the repository is rejected raw:unreadable naming the link;
    the file it points to is never read: its content appears in no output."""
    root = make_project(tmp_path / "p")
    (root / "raw" / "finews" / "link.txt").symlink_to(_outside_post(tmp_path))
    built = build(root)
    assert built.rejected("raw/finews/link.txt") == {"raw:unreadable"}
    assert "symlink" in built.messages("raw/finews/link.txt")
    assert SECRET.encode() not in _published(root)


def test_symlinked_folder_is_not_entered(tmp_path: Path, build: Callable[..., Built]) -> None:
    """A symlink in raw/<source>/ to a folder outside is not walked: none of that folder's files
    becomes an input, and their content appears in no output."""
    root = make_project(tmp_path / "p")
    (root / "raw" / "finews" / "linked").symlink_to(_outside_post(tmp_path).parent, target_is_directory=True)
    built = build(root)
    assert not [path for path in built.paths() if path.startswith("raw/finews/linked/")]
    assert SECRET.encode() not in _published(root)


def test_symlinked_source_folder_is_not_followed(tmp_path: Path, run: Callable[..., Result]) -> None:
    """raw/<source> itself being a symlink to a folder outside (with its own source.toml) is refused
    (configuration error, exit 2) or its files rejected; nothing from outside is published."""
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/good.txt", SEED)
    outside = _outside_post(tmp_path).parent
    (outside / "source.toml").write_text(TEXT_TOML, encoding="utf-8")
    (root / "raw" / "evil").symlink_to(outside, target_is_directory=True)
    result = run("build", "--format", "json", "--jobs", "1", root=root)
    assert result.exit_code in (0, 1, 2)
    assert SECRET.encode() not in _published(root)


def test_named_pipe_is_rejected_not_waited_on(tmp_path: Path) -> None:
    """A FIFO in raw/ is rejected raw:unreadable; the build does not wait for someone to write to it."""
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/good.txt", SEED)
    fifo = root / "raw" / "finews" / "pipe.txt"
    os.mkfifo(fifo)
    command = [str(NEWSPKG), "--root", str(root), "build", "--format", "json", "--jobs", "1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            stdout, _ = process.communicate(timeout=10)
            hung = False
        except subprocess.TimeoutExpired:
            hung = True
            _unblock(fifo)  # the build is waiting in open(): give it a writer so that it ends
            stdout, _ = process.communicate(timeout=60)
    assert not hung, "the build hung on a named pipe"
    built = check_contract(root, process.returncode, stdout, 0)
    assert built.rejected("raw/finews/pipe.txt") == {"raw:unreadable"}


def _unblock(fifo: Path) -> None:
    with contextlib.suppress(OSError):  # OSError: nobody is reading any more
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_file_name_that_is_not_utf8_does_not_crash(tmp_path: Path, build: Callable[..., Built]) -> None:
    """A raw file whose name is not valid UTF-8 (possible on Linux) does not crash the build: it is
    rejected (or converted) and the good file next to it is still accepted."""
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/good.txt", SEED)
    folder = os.fsencode(root / "raw" / "finews")
    with open(os.path.join(folder, b"bad\xffname.txt"), "wb") as file:  # noqa: PTH118, PTH123 - a bytes path
        file.write(with_url("http://finews.zning.xyz/other").encode())
    built = build(root)
    assert built.accepted("raw/finews/good.txt")
    assert built.summary["inputs"] == 2


def test_huge_sparse_file_is_rejected_without_reading_it(tmp_path: Path) -> None:
    """A 4 GiB (sparse) file is rejected raw:too-large without being read into memory: the build
    succeeds in a process limited to 1.5 GiB of address space."""
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/good.txt", SEED)
    with (root / "raw" / "finews" / "sparse.txt").open("wb") as file:
        file.truncate(4 * 1024**3)
    limited = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))\n"
        "from newspkg.cli import main\n"
        "sys.argv = ['newspkg', *sys.argv[1:]]\n"
        "main()\n"
    )
    command = [sys.executable, "-c", limited, "--root", str(root), "build", "--format", "json", "--jobs", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert "MemoryError" not in result.stderr, result.stderr[-2000:]
    built = check_contract(root, result.returncode, result.stdout, 0)
    assert built.rejected("raw/finews/sparse.txt") == {"raw:too-large"}


@pytest.mark.parametrize(
    "data",
    [b"", b" \n\t\r\n  \r", "\u3000\n\u3000".encode(), codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n\n"],
    ids=["empty", "whitespace", "ideographic-space", "bom-only", "bom-and-newlines"],
)
@pytest.mark.parametrize("source", ["finews", "plain"])
def test_empty_or_blank_file_is_rejected_as_empty(
    source: str, data: bytes, tmp_path: Path, build: Callable[..., Built]
) -> None:
    """An empty file, or one holding only whitespace (or only a byte-order mark), is rejected raw:empty."""
    root = make_project(tmp_path / "p", {"finews": JEKYLL_TOML, "plain": TEXT_TOML})
    path = put(root, f"raw/{source}/blank.txt", data)
    assert build(root).rejected(path) == {"raw:empty"}


# -- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "rule"),
    [("2022-02-30 10:00:00", "schema:format"), ("2099-01-01", "date:future"), ("1985-01-01", "date:too-early")],
)
def test_impossible_dates_are_rejected(date: str, rule: str, tmp_path: Path, build: Callable[..., Built]) -> None:
    """30 February is no date (schema:format on /published_at); 2099 is in the future (date:future);
    1985 is before the dataset's earliest date (date:too-early)."""
    root = make_project(tmp_path / "p")
    path = put(root, "raw/finews/date.txt", SEED.replace(SEED_DATE, date))
    built = build(root)
    assert rule in built.rejected(path)
    assert any(i["rule"] == rule and i["pointer"] == "/published_at" for i in built.rejects[path]["issues"])


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html;base64,PGI+eDwvYj4=", "file:///etc/passwd"])
def test_non_http_url_is_rejected_as_url_scheme(url: str, tmp_path: Path, build: Callable[..., Built]) -> None:
    """A `<javascript:alert(1)>` (or data:, file:) URL line is rejected url:scheme, never published."""
    root = make_project(tmp_path / "p")
    path = put(root, "raw/finews/url.txt", with_url(url))
    assert "url:scheme" in build(root).rejected(path)


# -- adapters that misbehave ---------------------------------------------------------------------


class SlowAdapter:
    name = "slow-test"
    version = "0.0.1"

    def parse(self, raw: RawFile, text: str, source: SourceConfig) -> Draft:
        time.sleep(5)
        return GOOD_DRAFT


class RaisingAdapter:
    name = "raising-test"
    version = "0.0.1"

    def parse(self, raw: RawFile, text: str, source: SourceConfig) -> Draft:
        if "RECURSE" in text:
            return self.parse(raw, text, source)
        raise KeyError("no such thing")


class SwallowingAdapter:
    """Slow, and catches every Exception around its slow steps (as careless plugins do)."""

    name = "swallowing-test"
    version = "0.0.1"

    def parse(self, raw: RawFile, text: str, source: SourceConfig) -> Draft:
        for _ in range(3):
            with contextlib.suppress(Exception):  # the careless plugin under test
                time.sleep(1.5)
        return GOOD_DRAFT


class SlowOnceAdapter:
    """Slow on its first call only, as on a machine that was briefly overloaded."""

    name = "slow-once-test"
    version = "0.0.1"

    def __init__(self) -> None:
        self.calls = 0

    def parse(self, raw: RawFile, text: str, source: SourceConfig) -> Draft:
        self.calls += 1
        if self.calls == 1:
            time.sleep(5)
        return GOOD_DRAFT


def _adapter_project(tmp_path: Path, adapter: str, seconds: float = 0.5) -> Path:
    toml = f'adapter = "{adapter}"\n\n[limits]\nmax_seconds = {seconds}\n'
    root = make_project(tmp_path / "p", {"custom": toml})
    put(root, "raw/custom/a.txt", "任意内容")
    return root


def test_slow_adapter_is_stopped_by_max_seconds(
    register: Callable[[Any], Any], tmp_path: Path, build: Callable[..., Built]
) -> None:
    """An adapter that sleeps 5 s on a file, with `[limits] max_seconds = 0.5`, gives a raw:timeout
    reject after about half a second; the build finishes (one job: the adapter lives in this process)."""
    register(SlowAdapter())
    built = build(_adapter_project(tmp_path, SlowAdapter.name))
    assert built.rejected("raw/custom/a.txt") == {"raw:timeout"}
    assert built.seconds < 4.5


def test_raising_adapter_gives_adapter_error(
    register: Callable[[Any], Any], tmp_path: Path, build: Callable[..., Built]
) -> None:
    """An adapter that raises (KeyError, or RecursionError from runaway recursion) gives an
    adapter-error reject naming the exception; the build finishes."""
    register(RaisingAdapter())
    root = _adapter_project(tmp_path, RaisingAdapter.name, seconds=60)
    put(root, "raw/custom/b.txt", "RECURSE")
    built = build(root)
    assert built.rejected("raw/custom/a.txt") == {"adapter-error"}
    assert "KeyError" in built.messages("raw/custom/a.txt")
    assert built.rejected("raw/custom/b.txt") == {"adapter-error"}
    assert "RecursionError" in built.messages("raw/custom/b.txt")


def test_time_limit_restores_the_sigalrm_handler(tmp_path: Path) -> None:
    """Converting a file leaves the process's SIGALRM handler as it was: newspkg is also a library."""
    root = make_project(tmp_path / "p")
    project = load_project(root)
    converter = Converter(project, load_schemas(project.schema_dir))

    def host_handler(signum: int, frame: object) -> None:
        """The host program's own handler."""

    previous = signal.signal(signal.SIGALRM, host_handler)
    try:
        data = SEED.encode()
        converter.convert(RawFile("raw/finews/a.txt", "finews", data, hashlib.sha256(data).hexdigest()))
        assert signal.getsignal(signal.SIGALRM) is host_handler
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_time_limit_survives_an_adapter_that_catches_exception(
    register: Callable[[Any], Any], tmp_path: Path, build: Callable[..., Built]
) -> None:
    """An adapter that wraps its slow steps in `try/except Exception` is still stopped at max_seconds."""
    register(SwallowingAdapter())
    built = build(_adapter_project(tmp_path, SwallowingAdapter.name))
    assert built.rejected("raw/custom/a.txt") == {"raw:timeout"}


def test_timeout_is_not_cached(register: Callable[[Any], Any], tmp_path: Path, build: Callable[..., Built]) -> None:
    """A raw:timeout says how busy the machine was, not what the file is: the next build (cache on)
    converts the file again, and this time it is accepted."""
    register(SlowOnceAdapter())
    root = _adapter_project(tmp_path, SlowOnceAdapter.name)
    assert build(root).rejected("raw/custom/a.txt") == {"raw:timeout"}
    assert build(root).accepted("raw/custom/a.txt")


# -- everything at once --------------------------------------------------------------------------


def hostile_tree(root: Path, tmp_path: Path) -> dict[str, str]:
    """Many hostile files in one raw/ tree (besides the repository's own dataset); returns each
    file's expected fate: "accepted", "rejected", "duplicate", "kept" (accepted or a duplicate:
    a re-encoded copy of a seed has the seed's text) or "any"."""
    fates: dict[str, str] = {}

    def add(relative: str, data: bytes | str, fate: str) -> None:
        fates[put(root, relative, data)] = fate

    for variant, (text, encode, _) in VARIANTS.items():
        unique = text.replace("NW20220226229017933", f"NW2022022622901{len(fates):02d}")  # no duplicates
        add(f"raw/finews/hostile/enc-{variant}.txt", encode(unique), "kept")
    add("raw/finews/hostile/dup-crlf.txt", SEED.replace("\n", "\r\n"), "duplicate")  # the seed, CRLF
    data = SEED.encode()
    middle = data.index("集团党员干部".encode())
    add("raw/finews/hostile/invalid-byte.txt", data[:middle] + b"\xff" + data[middle:], "any")
    add("raw/finews/hostile/mojibake.txt", SEED.encode().decode("latin-1").encode(), "rejected")
    add("raw/finews/hostile/random.bin", random.Random(0).randbytes(5000), "rejected")
    add("raw/finews/hostile/image.txt", _png(1), "rejected")
    add("raw/finews/hostile/lying-bom.txt", codecs.BOM_UTF8 + SEED.encode("gb18030"), "rejected")
    add("raw/finews/hostile/nul-only.txt", b"\x00" * 100, "rejected")
    add("raw/finews/hostile/unclosed.txt", f"---\n{SEED_FRONT}{SEED_BODY}", "rejected")
    quotes = post(SEED_FRONT.replace(SEED_TITLE_LINE, 'title: "他说"好"的"'), _body(10))
    add("raw/finews/hostile/quotes.txt", quotes, "accepted")
    add("raw/finews/hostile/bomb.txt", post(SEED_FRONT + _billion_laughs("")), "any")
    add("raw/finews/hostile/bomb-punct.txt", post(_billion_laughs(".") + SEED_FRONT), "any")
    add("raw/finews/hostile/deep-yaml.txt", post(SEED_FRONT + "deep: " + "[" * 5000 + "]" * 5000 + "\n"), "any")
    add("raw/finews/hostile/huge.txt", _one_line(15 * 1024 * 1024), "rejected")
    deep = "<div>" * 20000 + "深层嵌套的正文内容在这里，并没有丢失。" + "</div>" * 20000
    add("raw/finews/hostile/deep-html.txt", post(body=f"<p>{deep}</p>\n\n<http://finews.zning.xyz/deep>\n"), "any")
    add("raw/finews/hostile/empty.txt", b"", "rejected")
    add("raw/finews/hostile/blank.txt", b" \r\n\t\n", "rejected")
    for name, date in (("feb30", "2022-02-30 10:00:00"), ("future", "2099-01-01"), ("early", "1985-01-01")):
        add(f"raw/finews/hostile/date-{name}.txt", SEED.replace(SEED_DATE, date), "rejected")
    add("raw/finews/hostile/javascript.txt", with_url("javascript:alert(1)"), "rejected")
    add("raw/unknown/hostile/random.bin", random.Random(2).randbytes(5000), "rejected")
    add("raw/unknown/hostile/image.txt", _png(3), "rejected")
    add("raw/unknown/hostile/empty.txt", b"", "rejected")
    add("raw/unknown/hostile/jekyll-as-text.txt", SEED.encode("utf-16"), "any")
    add("raw/finews/hostile/sidecar-broken.txt", with_url("http://finews.zning.xyz/sidecar"), "rejected")
    (root / "raw/finews/hostile/sidecar-broken.txt.meta.toml").write_bytes(b"title = \xff\n[[[")
    secret = _outside_post(tmp_path)
    (root / "raw/finews/hostile/link.txt").symlink_to(secret)
    fates["raw/finews/hostile/link.txt"] = "rejected"
    (root / "raw/finews/hostile/linked-folder").symlink_to(secret.parent, target_is_directory=True)
    fates["raw/finews/hostile/linked-folder"] = "rejected"
    return fates


def test_everything_hostile_at_once(
    project: Path, tmp_path: Path, build: Callable[..., Built], run: Callable[..., Result]
) -> None:
    """The repository's dataset plus every hostile file above in one raw/ tree: the build finishes,
    every file has exactly one fate (the expected one where there is only one right answer), the
    counts add up, nothing from outside the repository is published, and both `newspkg validate
    datapackage.json` and `frictionless validate datapackage.json` pass on the result."""
    fates = hostile_tree(project, tmp_path)
    built = build(project)
    assert built.summary["inputs"] == len(raw_inputs(project))
    for path, fate in fates.items():
        expected = {"kept": {"accepted", "duplicate"}, "any": {"accepted", "rejected", "duplicate"}}
        assert built.fate(path) in expected.get(fate, {fate}), (path, built.rejects.get(path))
    published = _published(project)
    assert SECRET.encode() not in published
    assert b"javascript:" not in (project / "build" / "articles.jsonl").read_bytes()
    result = run("validate", str(project / "datapackage.json"), root=project)
    assert result.exit_code == 0, result.stdout
    frictionless = Path(sys.executable).parent / "frictionless"  # the independent client agrees
    completed = subprocess.run(
        [str(frictionless), "validate", "--json", "datapackage.json"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
