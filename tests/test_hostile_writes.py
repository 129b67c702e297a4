"""Hostile places to write, and builds that cannot finish: nothing is written through a link, one
build of a dataset runs at a time, a damaged outcome cache is a miss, and a full disk is one line
naming the file with the previous package left as it was. Never a traceback."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import orjson
import pytest
from click.testing import Result

from conftest import build_outputs
from newspkg import dedup, scaffold, write
from newspkg.build import CACHE_PATH, LOCK_PATH
from newspkg.package import JOURNAL_PATH
from test_hostile import NEWSPKG, SEED, Built, build, make_project, put, with_url

__all__ = ["build"]  # the fixture, imported for the tests below
OTHER_URL = "http://finews.zning.xyz/other"


@pytest.fixture
def built_project(tmp_path: Path, build: Callable[..., Built]) -> Path:
    """A project of two posts, built once: the package every test starts from."""
    root = make_project(tmp_path / "p")
    put(root, "raw/finews/a.txt", SEED)
    put(root, "raw/finews/b.txt", with_url(OTHER_URL, SEED.replace("国有企业", "民营企业")))
    assert build(root).exit_code == 0
    return root


def outputs(root: Path) -> dict[str, bytes]:
    return {path: (root / path).read_bytes() for path in build_outputs(root)}


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones included), by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- links where newspkg writes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "linked",
    ["build", "build/.cache", "schema", "croissant.json", "datapackage.json", "build/articles.jsonl", "build/LICENSE"],
)
def test_build_never_writes_through_a_link(
    linked: str, built_project: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    """An output folder or file that is a link (to a copy of itself outside the project) stops the
    build before any work: a configuration error naming the link; what it points to is untouched."""
    root = built_project
    target = tmp_path / "outside" / Path(linked).name
    target.parent.mkdir()
    (root / linked).rename(target)
    (root / linked).symlink_to(target, target_is_directory=target.is_dir())
    before = tree(target.parent)
    put(root, "raw/finews/c.txt", with_url("http://finews.zning.xyz/third"))  # a change to write
    result = run("build", "--jobs", "1", root=root)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"newspkg: error: {root / linked} is a link: newspkg never writes through links " \
        "(make it a real folder or file)\n"  # fmt: skip
    assert tree(target.parent) == before
    assert (root / linked).is_symlink()


def test_a_partial_file_that_is_a_link_is_replaced_not_written_through(
    built_project: Path, tmp_path: Path, build: Callable[..., Built]
) -> None:
    """A link left where a build puts its partial file is removed and a file made in its place: the
    file it points to is never written."""
    root = built_project
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    for name in (".articles.jsonl.partial", ".articles.parquet.partial", ".report.json.partial", ".accepted.spill"):
        (root / "build" / name).symlink_to(victim)
    put(root, "raw/finews/c.txt", with_url("http://finews.zning.xyz/third"))
    assert build(root).exit_code == 0
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not [path for path in (root / "build").iterdir() if path.is_symlink()]


def test_report_never_writes_through_a_linked_build_folder(
    built_project: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    """`newspkg report` of a package whose files are in data/ and whose build/ is a link: a
    configuration error naming the link; nothing is written where it points."""
    root = built_project
    (root / "build").rename(root / "data")
    descriptor = root / "datapackage.json"
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace('"build/', '"data/'), encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "build").symlink_to(outside, target_is_directory=True)
    result = run("report", "--no-verify", str(root))
    assert result.exit_code == 2, result.output
    assert f"{root / 'build'} is a link" in result.stderr
    assert not list(outside.iterdir())


@pytest.mark.parametrize("how", ["folder", "partial", "journal"])
def test_a_shipped_journal_renames_only_regular_files_inside(
    how: str, built_project: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    """A journal that came with a package, naming renames through a linked folder, of a partial file
    that is a link, or that is itself a link: `validate datapackage.json` refuses it (exit 2, naming
    it) and renames nothing."""
    root = built_project
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ".report.json.partial").write_text("planted", encoding="utf-8")
    (outside / "report.json").write_text("precious", encoding="utf-8")
    journal = orjson.dumps([["build/.report.json.partial", "build/report.json"]])
    if how == "folder":
        (root / "build").rename(tmp_path / "real-build")
        (root / "build").symlink_to(outside, target_is_directory=True)
    elif how == "partial":
        (root / "build" / ".report.json.partial").symlink_to(outside / ".report.json.partial")
    else:
        (outside / "journal").write_bytes(journal)
        (root / JOURNAL_PATH).symlink_to(outside / "journal")
    if how != "journal":
        (root / JOURNAL_PATH).write_bytes(journal)
    before, report = tree(outside), (root / "build" / "report.json").read_bytes()
    result = run("validate", str(root / "datapackage.json"))
    assert result.exit_code == 2, result.output
    assert str(root / JOURNAL_PATH) in result.stderr
    assert tree(outside) == before
    assert (root / "build" / "report.json").read_bytes() == report


# -- one build at a time -------------------------------------------------------------------------


@contextlib.contextmanager
def lock_held(root: Path) -> Iterator[None]:
    """The dataset's build lock, held as a running build holds it."""
    with take_lock(root):
        yield


def take_lock(root: Path) -> TextIO:
    """The lock file, locked until it is closed."""
    (root / LOCK_PATH).parent.mkdir(parents=True, exist_ok=True)
    file = (root / LOCK_PATH).open("a")
    fcntl.flock(file, fcntl.LOCK_EX)
    return file


def test_a_second_build_at_once_exits_3_and_changes_nothing(built_project: Path, run: Callable[..., Result]) -> None:
    """While a build holds the dataset's lock, another build (or build --check) exits 3 with one line
    naming the lock, and writes nothing. The lock lives in build/.cache/, which `newspkg init`'s
    .gitignore keeps out of commits."""
    root = built_project
    old = outputs(root)
    put(root, "raw/finews/c.txt", with_url("http://finews.zning.xyz/third"))
    with lock_held(root):
        for args in ([], ["--check"]):
            result = run("build", "--jobs", "1", *args, root=root)
            assert result.exit_code == 3, result.output
            assert result.stderr == f"newspkg: error: {root / LOCK_PATH}: another build or report of this " \
                "dataset is running (--wait waits for it)\n"  # fmt: skip
    assert outputs(root) == old
    assert LOCK_PATH.startswith("build/.cache/")
    assert "build/.cache/" in scaffold.GITIGNORE.splitlines()


def test_report_into_the_package_takes_the_build_lock(built_project: Path, run: Callable[..., Result]) -> None:
    """While a build holds the dataset's lock, `newspkg report` (its page written into the package)
    exits 3 naming the lock and writes nothing; a page written elsewhere needs no lock."""
    root = built_project
    page = root / "build" / "report.html"
    with lock_held(root):
        result = run("report", "--no-verify", str(root), root=root)
        assert result.exit_code == 3, result.output
        assert result.stderr == f"newspkg: error: {root / LOCK_PATH}: another build or report of this " \
            "dataset is running (--wait waits for it)\n"  # fmt: skip
        assert not page.exists()
        elsewhere = run("report", "--no-verify", "-o", "-", str(root), root=root)
        assert elsewhere.exit_code == 0, elsewhere.output
    result = run("report", "--no-verify", str(root), root=root)
    assert result.exit_code == 0, result.output
    assert page.read_text(encoding="utf-8") == elsewhere.stdout


def test_report_wait_waits_for_the_running_build(built_project: Path) -> None:
    """`report --wait` blocks on the lock while a build holds it, then writes its page."""
    root = built_project
    command = [str(NEWSPKG), "--root", str(root), "report", "--wait", "--no-verify"]
    lock = take_lock(root)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        with lock:
            waited = _waits_for_the_lock(process)
            written_while_held = (root / "build" / "report.html").exists()
        _, stderr = process.communicate(timeout=120)
    assert waited, "report --wait did not wait for the lock"
    assert not written_while_held
    assert process.returncode == 0, stderr
    assert (root / "build" / "report.html").exists()


def _waits_for_the_lock(process: subprocess.Popen[str]) -> bool:
    """Whether ``process`` comes to block on a flock within a minute (before it ends)."""
    deadline = time.monotonic() + 60
    while not _waiting_for_a_lock(process.pid) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return _waiting_for_a_lock(process.pid)


def _waiting_for_a_lock(pid: int) -> bool:
    """Whether process ``pid`` is blocked on a flock (a "->" line of /proc/locks)."""
    lines = Path("/proc/locks").read_text(encoding="ascii").splitlines()
    return any(line.split()[1] == "->" and line.split()[5] == str(pid) for line in lines)


def test_build_wait_waits_for_the_running_build(built_project: Path) -> None:
    """`build --wait` blocks on the lock while another build holds it, then builds."""
    root = built_project
    command = [str(NEWSPKG), "--root", str(root), "build", "--wait", "--jobs", "1", "-q"]
    lock = take_lock(root)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        with lock:
            waited = _waits_for_the_lock(process)
        _, stderr = process.communicate(timeout=120)
    assert waited, "build --wait did not wait for the lock"
    assert process.returncode == 0, stderr


# -- a damaged outcome cache ---------------------------------------------------------------------


def alter_cache(root: Path, raw_path: str, column: str, value: Any) -> None:
    with contextlib.closing(sqlite3.connect(root / CACHE_PATH)) as db:
        db.execute(f"update outcome set {column} = ? where path = ?", (value, raw_path))
        db.commit()


@pytest.mark.parametrize(
    ("column", "value"),
    [("issues", b"\xff"), ("issues", b'[{"rule": 1}]'), ("issues", "[]"), ("dedup", b"[1]"), ("line", b"\xff\n")],
)
def test_a_damaged_cache_row_is_a_miss(
    column: str, value: bytes, built_project: Path, build: Callable[..., Built]
) -> None:
    """A cache row holding bytes no build writes: the file is converted again (the package is the
    one a fresh build makes), and the row is mended (the next build takes it from the cache)."""
    root = built_project
    fresh = outputs(root)
    alter_cache(root, "raw/finews/a.txt", column, value)
    built = build(root)
    assert (built.exit_code, built.summary["reused_from_cache"]) == (0, 1)
    assert outputs(root) == fresh
    assert build(root).summary["reused_from_cache"] == 2


def test_a_record_altered_in_the_cache_is_not_published(built_project: Path, build: Callable[..., Built]) -> None:
    """A cached line altered to another valid record (a new title) does not match the row's digest:
    the file is converted again and the record published is the one its raw file makes."""
    root = built_project
    fresh = outputs(root)
    with contextlib.closing(sqlite3.connect(root / CACHE_PATH)) as db:
        (line,) = db.execute("select line from outcome where path = 'raw/finews/a.txt'").fetchone()
    record = json.loads(line)
    alter_cache(root, "raw/finews/a.txt", "line", orjson.dumps({**record, "title": "ALTERED"}) + b"\n")
    built = build(root)
    assert built.accepted("raw/finews/a.txt")["title"] == record["title"]
    assert outputs(root) == fresh


# -- a full disk ---------------------------------------------------------------------------------


class Full:
    """A file whose writes fail as on a full disk (or quota); everything else as the real file."""

    def __init__(self, file: BinaryIO, number: int) -> None:
        self._file, self._number = file, number

    def write(self, data: Any) -> int:
        raise OSError(self._number, os.strerror(self._number))

    writelines = write

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __enter__(self) -> Full:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("build/articles.jsonl", errno.ENOSPC),
        ("build/articles.parquet", errno.ENOSPC),
        ("datapackage.json", errno.EDQUOT),
        ("build/.accepted.spill", errno.ENOSPC),
    ],
)
def test_a_full_disk_stops_the_build_naming_the_file(
    name: str, number: int, built_project: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    """ENOSPC or EDQUOT while writing an output: exit 4, one line naming the file, and the previous
    package left exactly as it was."""
    root = built_project
    old = outputs(root)
    put(root, "raw/finews/c.txt", with_url("http://finews.zning.xyz/third"))
    real = write.create
    folder, _, file = name.rpartition("/")
    partial = file if file.endswith(".spill") else f".{file}.partial"

    def create(path: Path, buffering: int = -1) -> BinaryIO | Full:
        made = real(path, buffering)
        return Full(made, number) if path == root / folder / partial else made

    monkeypatch.setattr("newspkg.write.create", create)
    monkeypatch.setattr("newspkg.build.create", create)
    result = run("build", "--jobs", "1", root=root)
    assert result.exit_code == 4, result.output
    reason = os.strerror(number)
    assert result.stderr == f"newspkg: error: {root / name}: {reason} (nothing was replaced): free space, then retry\n"
    assert outputs(root) == old
    assert not (root / JOURNAL_PATH).exists()
    assert not list(root.glob("**/.*.partial")), "the partial files are removed: they hold the space that ran out"


class _FullSqlite:
    """The sqlite3 module, but every database it opens is full after a few pages: the error SQLite
    gives for a full disk (SQLITE_FULL), raised by SQLite itself."""

    def __getattr__(self, name: str) -> Any:
        return getattr(sqlite3, name)

    @staticmethod
    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        database = sqlite3.connect(*args, **kwargs)
        database.execute("pragma max_page_count = 4")
        return database


def test_a_full_disk_under_the_duplicate_index_stops_the_build_naming_it(
    built_project: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    """SQLite's "database or disk is full" while settling duplicates: exit 4, one line naming the
    index's temporary folder, the previous package left as it was and no partial file left."""
    root = built_project
    old = outputs(root)
    put(root, "raw/finews/c.txt", with_url("http://finews.zning.xyz/third"))
    monkeypatch.setattr(dedup, "sqlite3", _FullSqlite())
    monkeypatch.setenv("SQLITE_TMPDIR", str(root.parent))
    result = run("build", "--jobs", "1", root=root)
    assert result.exit_code == 4, result.output
    index = f"{root.parent} (the duplicate index, a temporary SQLite file)"
    assert (
        result.stderr
        == f"newspkg: error: {index}: No space left on device (nothing was replaced): free space, then retry\n"
    )
    assert outputs(root) == old
    assert not (root / JOURNAL_PATH).exists()
    assert not list(root.glob("**/.*.partial"))


def test_no_room_for_the_build_lock_is_a_full_disk(
    built_project: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    """ENOSPC creating the lock file (no inode left): exit 4 naming it, nothing else touched."""
    root = built_project
    (root / LOCK_PATH).unlink()
    old = outputs(root)
    real = os.open

    def full(path: Any, flags: int, mode: int = 0o777, *args: Any, **kwargs: Any) -> int:
        if Path(path) == root / LOCK_PATH:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", full)
    result = run("build", "--jobs", "1", root=root)
    assert result.exit_code == 4, result.output
    assert result.stderr == f"newspkg: error: {root / LOCK_PATH}: No space left on device (nothing was replaced): " \
        "free space, then retry\n"  # fmt: skip
    assert outputs(root) == old


def test_a_full_disk_while_writing_records_is_not_a_traceback(
    built_project: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    """The records' writer failing with ENOSPC (on its own thread): exit 4 naming articles.jsonl."""
    root = built_project
    old = outputs(root)

    def full(self: write.JsonlWriter, block: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(write.JsonlWriter, "_write", full)
    result = run("build", "--jobs", "1", "--no-cache", root=root)
    assert result.exit_code == 4, result.output
    assert result.stderr.startswith(f"newspkg: error: {root / 'build' / 'articles.jsonl'}: No space left on device")
    assert outputs(root) == old
