"""A build killed at any moment leaves a consistent package: the previous one, or the new one whole.

The moments are events of the build, not fractions of a measured duration: the test waits for an
output's hidden ``.partial`` file to appear, or the build kills itself (SIGKILL, as from outside)
when it creates a given partial file or after its n-th rename of a partial file to its real name.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from conftest import build_outputs, shared_or_skip
from newspkg.package import JOURNAL_PATH
from newspkg.write import BytesFile, recover

NEWSPKG = str(Path(sys.executable).parent / "newspkg")
BUILD = ("build", "--no-cache", "--jobs", "1")

# `newspkg` run so that it SIGKILLs itself at an event: ("open", name) just before it creates the
# file `name` for writing; ("rename", n) just after its n-th rename of a `.partial` file.
KILLED_AT = """
import os, pathlib, signal, sys
event, value = sys.argv[1], sys.argv[2]
del sys.argv[1:3]
renames = 0
real_open, real_replace = os.open, pathlib.Path.replace
def killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)
def open_(path, flags, *args, **kwargs):
    if event == "open" and os.path.basename(path) == value and flags & os.O_CREAT:
        killed()
    return real_open(path, flags, *args, **kwargs)
def replace(self, target):
    global renames
    moved = real_replace(self, target)
    if self.name.endswith(".partial"):
        renames += 1
        if event == "rename" and renames == int(value):
            killed()
    return moved
os.open, pathlib.Path.replace = open_, replace
from newspkg.cli import main
sys.argv[0] = "newspkg"
main()
"""
JOURNAL_PARTIAL = f".{Path(JOURNAL_PATH).name}.partial"

# (event, value, what the package is after recovery): before the journal is renamed into place the
# previous package stands; from then on recovery finishes the commit.
MOMENTS = [
    ("open", ".report.json.partial", "old"),  # every record written, nothing committed
    ("open", ".datapackage.json.partial", "old"),
    ("open", JOURNAL_PARTIAL, "old"),  # every output complete, the commit not begun
    ("rename", "1", "new"),  # the journal in place, no output renamed yet
    ("rename", "3", "new"),  # two outputs renamed, three not
    ("rename", "every output", "new"),  # every output renamed, the journal not yet removed
]


def outputs(root: Path) -> dict[str, bytes]:
    return {path: (root / path).read_bytes() for path in build_outputs(root)}


def newspkg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSPKG, "--root", str(root), *args], capture_output=True, text=True, timeout=300)


def built_cleanly(root: Path) -> dict[str, bytes]:
    """Build ``root``; check the exit code the summary calls for; return the outputs."""
    result = newspkg(root, *BUILD, "--format", "json")
    summary = json.loads(result.stdout.strip().splitlines()[-1])["summary"]
    assert result.returncode == (1 if summary["rejected"] > summary["rejected_acknowledged"] else 0), result.stderr
    return outputs(root)


def restore(root: Path, files: dict[str, bytes]) -> None:
    for path, data in files.items():
        (root / path).write_bytes(data)


def assert_killed_consistently(root: Path, old: dict[str, bytes], new: dict[str, bytes], expected: str) -> None:
    """Right after the kill, every output is whole (the previous or the new file, byte for byte) and
    without a journal the previous package is untouched; `newspkg validate` then recovers the
    package named by ``expected``, and it validates."""
    journal = root / JOURNAL_PATH
    for path in old:
        assert (root / path).read_bytes() in (old[path], new[path]), f"{path} is half-written"
    assert journal.exists() == (expected == "new"), "the journal marks the commit point"
    if not journal.exists():
        assert outputs(root) == old
    result = newspkg(root, "validate", str(root / "datapackage.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert not journal.exists()
    assert outputs(root) == (new if expected == "new" else old)


@pytest.fixture
def bigger_project(project: Path) -> Path:
    """The seeds plus the 150 finews posts, so that a build takes a while to convert."""
    shutil.copytree(shared_or_skip("corpus", "finews"), project / "raw" / "finews" / "corpus")
    (project / "raw" / "finews" / "corpus" / "manifest.tsv").unlink()
    return project


def test_sigkill_at_any_moment_leaves_old_or_new_outputs(bigger_project: Path) -> None:
    """Killed while converting (from outside, once the outputs' partial files exist), before the
    commit, and at each step of the commit's renames, the outputs are afterwards exactly the previous
    build's or exactly the new one's, the package validates, and the next build completes."""
    root = bigger_project
    old = built_cleanly(root)
    changed = root / "raw" / "finews" / "000_7002e876ea497e3f.txt"
    changed.write_bytes(changed.read_bytes().replace("担当".encode(), "作为".encode()))
    new = built_cleanly(root)
    assert all(new[path] != old[path] for path in ("build/articles.jsonl", "datapackage.json"))

    restore(root, old)
    partial = root / "build" / ".articles.jsonl.partial"
    partial.unlink(missing_ok=True)
    with subprocess.Popen([NEWSPKG, "--root", str(root), *BUILD], stdout=subprocess.DEVNULL) as process:
        while not partial.exists() and process.poll() is None:
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL, "the build ended before its outputs' partial files appeared"
    assert_killed_consistently(root, old, new, "old")

    for event, value, expected in MOMENTS:
        value = str(len(old) + 1) if value == "every output" else value  # the journal's rename, then each output's
        restore(root, old)
        command = [sys.executable, "-c", KILLED_AT, event, value, "--root", str(root), *BUILD]
        killed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        assert killed.returncode == -signal.SIGKILL, (event, value, killed.stderr[-2000:])
        assert_killed_consistently(root, old, new, expected)

    restore(root, old)
    assert built_cleanly(root) == new, "a build after the kills makes the new package"
    assert not list(root.glob("**/.*.partial")), "the build leaves no partial file behind"


def test_recovery_finishes_an_interrupted_commit(tmp_path: Path) -> None:
    """A journal left by a build killed between its renames is completed before anything reads."""
    finals = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for path in finals:
        path.write_text("old", encoding="utf-8")
    files = [BytesFile(path, b"new") for path in finals]
    journal = tmp_path / ".journal"
    journal.write_bytes(orjson.dumps([[f.partial.name, f.path.name] for f in files]))
    files[0].commit()  # killed after the first of the two renames
    assert [p.read_text(encoding="utf-8") for p in finals] == ["new", "old"]
    assert recover(journal)
    assert [p.read_text(encoding="utf-8") for p in finals] == ["new", "new"]
    assert not journal.exists()
    assert not any(tmp_path.glob(".*.partial"))
