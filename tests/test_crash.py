"""A build killed at any moment leaves a consistent package: the previous one, or the new one whole."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from conftest import shared_or_skip
from newspkg.build import OUTPUTS
from newspkg.write import BytesFile, recover

NEWSPKG = str(Path(sys.executable).parent / "newspkg")


def outputs(root: Path) -> dict[str, bytes]:
    return {path: (root / path).read_bytes() for path in OUTPUTS}


def newspkg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSPKG, "--root", str(root), *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def bigger_project(project: Path) -> Path:
    """The seeds plus the 150 finews posts, so that a build lasts long enough to be killed in."""
    shutil.copytree(shared_or_skip("corpus", "finews"), project / "raw" / "finews" / "corpus")
    (project / "raw" / "finews" / "corpus" / "manifest.tsv").unlink()
    return project


def test_sigkill_at_any_moment_leaves_old_or_new_outputs(bigger_project: Path) -> None:
    """Killed at ten moments across a build, the outputs are afterwards exactly the previous build's
    or exactly the new one's, and the package validates."""
    root = bigger_project
    assert newspkg(root, "build", "--no-cache", "--jobs", "1").returncode in (0, 1)
    old = outputs(root)
    changed = root / "raw" / "finews" / "000_7002e876ea497e3f.txt"
    changed.write_bytes(changed.read_bytes().replace("担当".encode(), "作为".encode()))
    started = time.monotonic()
    newspkg(root, "build", "--no-cache", "--jobs", "1")
    duration = time.monotonic() - started
    new = outputs(root)
    assert new != old
    for step in range(10):
        for path, data in old.items():  # back to the previous package before each kill
            (root / path).write_bytes(data)
        process = subprocess.Popen([NEWSPKG, "--root", str(root), "build", "--no-cache", "--jobs", "1"])
        time.sleep(duration * (0.1 + 0.1 * step))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        result = newspkg(root, "validate", str(root / "datapackage.json"))
        assert result.returncode == 0, result.stdout
        assert outputs(root) in (old, new), f"mixed outputs after a kill at step {step}"


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
