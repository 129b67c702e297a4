"""Hostile raw files: whatever lands in raw/, a build finishes and every file ends as exactly one of
an accepted record, a reject with reasons, or a duplicate; nothing published is garbage.

Most cases are data: ``tests/fixtures/hostile/<case>/`` holds the raw files as they go into a
project (``raw/<source>/source.toml`` and the files; a ``make.py`` writes the large ones at test
time) and ``expected.toml``, the fate of every input. :func:`test_hostile_case` walks them. The
cases that need code (links, FIFOs, names that are not UTF-8, memory limits, adapters registered
for a test) are the Python tests below it. Every build is checked against the contract on its
outputs (:func:`check_contract`) before the behaviour a test is about.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from conftest import FIXTURES, REPO
from newspkg import adapters
from newspkg.adapters import Draft
from newspkg.config import SourceConfig, load_project
from newspkg.convert import Converter
from newspkg.discover import RawFile
from newspkg.records import fingerprint
from newspkg.schema import load_schemas
from newspkg.validate import RecordChecker

NEWSPKG = Path(sys.executable).parent / "newspkg"
HOSTILE = FIXTURES / "hostile"
CASES = sorted(case.name for case in HOSTILE.iterdir() if (case / "expected.toml").is_file())
SEED_PATH = next((REPO / "raw" / "finews").glob("000_*.txt"))
SEED = SEED_PATH.read_text(encoding="utf-8")  # a Jekyll post in simplified Chinese
SEED_URL = "<http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202202262290179330>"
JEKYLL_TOML = """adapter = "jekyll"
timezone = "Asia/Shanghai"
language = "zh-Hans"
publisher = "finews"
base_url = "https://finews.withounder.com/"
schema = "finews"

[hints]
url_line = true
navigation_lines = true
digest_quote = true
bylines = true
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


def with_url(url: str, text: str = SEED) -> str:
    return text.replace(SEED_URL, f"<{url}>")


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


def check_contract(root: Path, exit_code: int, stdout: str) -> Built:
    """The build's contract, whatever the inputs: exit 1 exactly when a reject is not acknowledged
    (0 otherwise), every raw file exactly once as a record, a reject with reasons or a duplicate,
    counts that add up, and clean records."""
    summary = json.loads(stdout.strip().splitlines()[-1])["summary"]
    assert exit_code == (1 if summary["rejected"] > summary["rejected_acknowledged"] else 0), stdout
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
        assert record["fingerprint"] == fingerprint(record["text"])
    for reject in rejects:
        assert any(issue["severity"] == "error" and issue["message"] for issue in reject["issues"]), reject
    return Built(
        exit_code,
        summary,
        {r["provenance"]["raw_path"]: r for r in records},
        {r["raw_path"]: r for r in rejects},
        {d["raw_path"]: d for d in duplicates},
    )


@pytest.fixture
def build(run: Callable[..., Result]) -> Callable[..., Built]:
    """Build a project in-process (`newspkg build --format json --jobs 1`) and check the contract."""

    def invoke(root: Path, *args: str) -> Built:
        result = run("build", "--format", "json", "--jobs", "1", *args, root=root)
        return check_contract(root, result.exit_code, result.stdout)

    return invoke


def build_in_subprocess(root: Path, *args: str, timeout: float = 120) -> Built:
    """The same, as a separate process with a time limit (for inputs that could hang or eat memory)."""
    result = subprocess.run(
        [str(NEWSPKG), "--root", str(root), "build", "--format", "json", "--jobs", "1", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return check_contract(root, result.returncode, result.stdout)


@pytest.fixture
def register(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], Any]:
    """adapters.register for this test only: the registry is restored afterwards."""
    adapters.available()  # load the entry points into the real registry before copying it
    monkeypatch.setattr(adapters.REGISTRY, "entries", dict(adapters.REGISTRY.entries))
    return adapters.register


# -- the cases that are data ---------------------------------------------------------------------

CASE_KEYS = {"description", "exit_code", "subprocess", "records_exclude", "files"}
FILE_KEYS = {
    "accepted": {"fate", "record", "encoding", "paragraphs_include"},
    "rejected": {"fate", "rules", "issues_include", "extracted"},
    "duplicate": {"fate", "duplicate_of", "reason"},
}


def expected_of(case: str) -> dict[str, Any]:
    """A case's expected.toml, its keys checked: a misspelt key would otherwise check nothing."""
    expected = tomllib.loads((HOSTILE / case / "expected.toml").read_text(encoding="utf-8"))
    assert set(expected) <= CASE_KEYS, set(expected) - CASE_KEYS
    for path, want in expected["files"].items():
        assert set(want) <= FILE_KEYS[want["fate"]], (path, set(want) - FILE_KEYS[want["fate"]])
    return dict(expected)


def lay_out(case: str, root: Path) -> Path:
    """The case's raw/ (and what its make.py writes) in a new project ``root`` with the repo's schema/."""
    root.mkdir(parents=True)
    shutil.copytree(REPO / "schema", root / "schema")
    shutil.copy2(REPO / "datapackage.json", root / "datapackage.json")
    shutil.copytree(HOSTILE / case / "raw", root / "raw")
    maker = HOSTILE / case / "make.py"
    if maker.is_file():
        spec = importlib.util.spec_from_file_location(f"hostile_make_{case.replace('-', '_')}", maker)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.make(root)
    return root


def check_fate(built: Built, root: Path, path: str, want: dict[str, Any]) -> None:
    """One raw file's fate and the facts expected.toml states about it."""
    assert built.fate(path) == want["fate"], (path, built.rejects.get(path))
    if want["fate"] == "rejected":
        assert built.rejected(path) == set(want["rules"]), path
        issues = built.rejects[path]["issues"]
        for wanted in want.get("issues_include", []):
            assert any(all(issue.get(k) == v for k, v in wanted.items()) for issue in issues), (path, wanted)
        if "extracted" in want:
            assert (built.rejects[path]["extracted"] is not None) == want["extracted"], path
    elif want["fate"] == "duplicate":
        duplicate = built.duplicates[path]
        assert (duplicate["kept_raw_path"], duplicate["reason"]) == (want["duplicate_of"], want["reason"])
    else:
        record = built.records[path]
        assert record["provenance"]["raw_sha256"] == hashlib.sha256((root / path).read_bytes()).hexdigest()
        for key, value in want.get("record", {}).items():
            assert record[key] == value, (path, key)
        if "encoding" in want:
            assert record["provenance"]["encoding"] in want["encoding"], path
        for paragraph in want.get("paragraphs_include", []):
            assert paragraph in record["text"].split("\n\n"), (path, paragraph)


@pytest.mark.parametrize("case", CASES)
def test_hostile_case(case: str, tmp_path: Path, build: Callable[..., Built]) -> None:
    """Each case of tests/fixtures/hostile/ built alone: the exit code, the fate of every raw file
    (expected.toml names each one) and the facts stated about it, and text no record may hold."""
    expected = expected_of(case)
    root = lay_out(case, tmp_path / "p")
    built = build_in_subprocess(root, timeout=120) if expected.get("subprocess") else build(root)
    assert built.exit_code == expected["exit_code"]
    assert sorted(expected["files"]) == raw_inputs(root), "expected.toml states the fate of every input"
    for path, want in expected["files"].items():
        check_fate(built, root, path, want)
    records = (root / "build" / "articles.jsonl").read_bytes()
    for text in expected.get("records_exclude", []):
        assert text.encode() not in records, text


def test_hostile_cases_cover_what_they_say() -> None:
    """The walk finds the cases, and no committed fixture file is large (make.py writes those)."""
    assert len(CASES) >= 30
    for path in HOSTILE.rglob("*"):
        assert not path.is_file() or path.stat().st_size < 20_000, path


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
    as a configuration error (exit 2, naming the link); nothing is built, nothing from outside published."""
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/good.txt", SEED)
    outside = _outside_post(tmp_path).parent
    (outside / "source.toml").write_text(TEXT_TOML, encoding="utf-8")
    (root / "raw" / "evil").symlink_to(outside, target_is_directory=True)
    result = run("build", "--format", "json", "--jobs", "1", root=root)
    assert result.exit_code == 2, result.output
    assert f"{root / 'raw' / 'evil'} is a symlink" in result.stderr
    assert not (root / "build").exists()
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
    built = check_contract(root, process.returncode, stdout)
    assert built.rejected("raw/finews/pipe.txt") == {"raw:unreadable"}


def _unblock(fifo: Path) -> None:
    with contextlib.suppress(OSError):  # OSError: nobody is reading any more
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_file_name_that_is_not_utf8_does_not_crash(tmp_path: Path, build: Callable[..., Built]) -> None:
    """A raw file whose name is not valid UTF-8 (possible on Linux) does not crash the build: it is
    rejected raw:unreadable under its name with the bad byte escaped, the message asking for a
    rename, and the good file next to it is still accepted."""
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/good.txt", SEED)
    folder = os.fsencode(root / "raw" / "finews")
    with open(os.path.join(folder, b"bad\xffname.txt"), "wb") as file:  # noqa: PTH118, PTH123 - a bytes path
        file.write(with_url("http://finews.zning.xyz/other").encode())
    built = build(root)
    assert built.accepted("raw/finews/good.txt")
    assert built.summary["inputs"] == 2
    assert built.rejected("raw/finews/bad\\xffname.txt") == {"raw:unreadable"}
    assert "not valid UTF-8" in built.messages("raw/finews/bad\\xffname.txt")


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
    built = check_contract(root, result.returncode, result.stdout)
    assert built.rejected("raw/finews/sparse.txt") == {"raw:too-large"}


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
    toml = f'adapter = "{adapter}"\ntimezone = "UTC"\nlanguage = "zh-Hans"\n\n[limits]\nmax_seconds = {seconds}\n'
    root = make_project(tmp_path / "p", {"custom": toml})
    put(root, "raw/custom/a.txt", "任意内容")
    return root


def test_slow_adapter_is_stopped_by_max_seconds(
    register: Callable[[Any], Any], tmp_path: Path, build: Callable[..., Built]
) -> None:
    """An adapter that sleeps 5 s on a file and would then return a good draft, with `[limits]
    max_seconds = 0.5`, is stopped: a raw:timeout reject naming the limit, not a record; the build
    finishes (one job: the adapter lives in this process)."""
    register(SlowAdapter())
    built = build(_adapter_project(tmp_path, SlowAdapter.name))
    assert built.rejected("raw/custom/a.txt") == {"raw:timeout"}
    assert "over 0.5 s" in built.messages("raw/custom/a.txt")


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


def _outside_links(root: Path, tmp_path: Path) -> list[str]:
    """A link to a file outside and a link to a folder outside, in raw/finews/hostile/."""
    secret = _outside_post(tmp_path)
    folder = root / "raw" / "finews" / "hostile"
    folder.mkdir()
    (folder / "link.txt").symlink_to(secret)
    (folder / "linked-folder").symlink_to(secret.parent, target_is_directory=True)
    return ["raw/finews/hostile/link.txt", "raw/finews/hostile/linked-folder"]


def test_everything_hostile_at_once(
    project: Path, tmp_path: Path, build: Callable[..., Built], run: Callable[..., Result]
) -> None:
    """The repository's dataset plus every case built in its own process above (each under a source
    of its own, raw/<case>-<source>/) and links to files outside, in one raw/ tree: the build
    finishes, every file has exactly one fate, rejects are rejected for the same rules as alone
    and the rest kept (accepted, or a duplicate of a file from another case), nothing from outside
    is published, and both `newspkg validate datapackage.json` and `frictionless validate
    datapackage.json` pass on the result."""
    fates: dict[str, dict[str, Any]] = {}
    for case in CASES:
        expected = expected_of(case)
        if expected.get("subprocess"):
            continue
        scratch = lay_out(case, tmp_path / "cases" / case)
        for source in (scratch / "raw").iterdir():
            shutil.move(source, project / "raw" / f"{case}-{source.name}")
            for path, want in expected["files"].items():
                if path.startswith(f"raw/{source.name}/"):
                    fates[f"raw/{case}-{source.name}/{path.removeprefix(f'raw/{source.name}/')}"] = want
    links = _outside_links(project, tmp_path)
    built = build(project)
    assert built.summary["inputs"] == len(raw_inputs(project))
    for path, want in fates.items():
        if want["fate"] == "rejected":
            assert built.rejected(path) == set(want["rules"]), path
        elif want["fate"] == "duplicate":
            assert built.fate(path) == "duplicate", path
        else:
            assert built.fate(path) in {"accepted", "duplicate"}, (path, built.rejects.get(path))
    for path in links:
        assert built.rejected(path) == {"raw:unreadable"}
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
