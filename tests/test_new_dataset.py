"""A user's first dataset, as a new user makes it: newspkg installed from its wheel (not this
checkout) into a fresh environment, run in an empty folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from conftest import REPO, shared_or_skip

FINEWS_HINTS = """
[hints]
url_line = true
navigation_lines = true
digest_quote = true
bylines = true
"""


def sh(*argv: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv holding newspkg's wheel. Its dependencies come from this
    environment (a .pth file), so the test needs no network; newspkg itself only from the wheel."""
    work = tmp_path_factory.mktemp("wheel")
    built = sh(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", work / "dist", REPO, cwd=work
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("newspkg-*.whl")
    venv.create(work / "venv", with_pip=True)
    bin_dir = work / "venv" / "bin"
    site = Path(
        sh(
            bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work
        ).stdout.strip()
    )
    ours = Path(sysconfig.get_paths()["purelib"])
    (site / "dependencies.pth").write_text(f"{ours}\n", encoding="utf-8")
    install = sh(bin_dir / "python", "-m", "pip", "install", "--no-deps", "--no-index", wheel, cwd=work)
    assert install.returncode == 0, install.stderr
    where = sh(bin_dir / "python", "-c", "import newspkg; print(newspkg.__file__)", cwd=work).stdout
    assert str(site) in where, f"newspkg was imported from {where}, not from the wheel"
    return bin_dir


def test_init_add_posts_build_validate_commit_rebuild_clean(installed: Path, tmp_path: Path) -> None:
    corpus = shared_or_skip("corpus", "finews")
    env = {**os.environ, "PATH": f"{installed}:{os.environ['PATH']}", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}  # fmt: skip
    env.pop("PYTHONPATH", None)
    newspkg = installed / "newspkg"
    assert sh(newspkg, "init", "mydata", cwd=tmp_path, env=env).returncode == 0
    data = tmp_path / "mydata"
    added = sh(newspkg, "sources", "add", "finews", "--adapter", "jekyll", "--language", "zh-Hans",
               "--timezone", "Asia/Shanghai", cwd=data, env=env)  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    toml = data / "raw" / "finews" / "source.toml"
    text = toml.read_text(encoding="utf-8").replace("\n[hints]\n", "\n")
    toml.write_text(text.replace("# base_url = ", "base_url = ") + FINEWS_HINTS, encoding="utf-8")
    for post in sorted(corpus.rglob("*.md"))[:20]:
        shutil.copy(post, data / "raw" / "finews" / f"{post.parent.parent.name}-{post.name}")

    build = sh(newspkg, "build", cwd=data, env=env)
    assert build.returncode == 0, build.stdout + build.stderr
    assert (data / "schema" / "article.schema.json").is_file(), "the package ships the record schema"
    checked = sh(newspkg, "validate", "datapackage.json", cwd=data, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    frictionless = sh(Path(sys.executable).parent / "frictionless", "validate", "datapackage.json", cwd=data, env=env)
    assert frictionless.returncode == 0, frictionless.stdout

    assert sh("git", "init", "-q", cwd=data, env=env).returncode == 0
    assert sh("git", "add", "-A", cwd=data, env=env).returncode == 0
    assert sh("git", "commit", "-qm", "first build", cwd=data, env=env).returncode == 0
    assert sh(newspkg, "build", cwd=data, env=env).returncode == 0
    assert sh("git", "status", "--porcelain", cwd=data, env=env).stdout == ""
    assert sh(newspkg, "build", "--check", cwd=data, env=env).returncode == 0
