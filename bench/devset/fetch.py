"""Fill bench/devset/pages/ with the pages listed in bench/devset/truth*.jsonl.

Each truth line names a public GitHub repository, a commit and a path; the page
is read with ``git show <commit>:<path>`` and written to
``pages/<owner>+<name>/<path>``.  With ``--mirror DIR`` the git directories are
looked up under ``DIR/<owner>+<name>/`` (bare or not); without it, each
repository is cloned once from GitHub (``--filter=blob:none --no-checkout``)
into ``pages/.clones/``.  Running it again rewrites nothing that is already
in place.

    python bench/devset/fetch.py --mirror /work/.mirror
    python bench/devset/fetch.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_entries(devset: Path) -> list[dict]:
    """Every (repo, commit, path) of every truth*.jsonl file, without duplicates."""
    seen: set[tuple[str, str, str]] = set()
    entries = []
    for truth in sorted(devset.glob("truth*.jsonl")):
        for number, line in enumerate(truth.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            key = (row["repo"], row["commit"], row["path"])
            if key not in seen:
                seen.add(key)
                entries.append({"repo": key[0], "commit": key[1], "path": key[2], "source": f"{truth.name}:{number}"})
    return entries


def is_git_dir(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir()


def find_mirror_git_dir(mirror: Path, repo: str) -> Path | None:
    """The git directory for owner/name under mirror/owner+name/, at any depth."""
    base = mirror / repo.replace("/", "+")
    if not base.is_dir():
        return None
    if is_git_dir(base):
        return base
    if is_git_dir(base / ".git"):
        return base / ".git"
    for candidate in sorted(base.rglob("HEAD")):
        if is_git_dir(candidate.parent):
            return candidate.parent
    return None


def clone(repo: str, clones: Path) -> Path | None:
    """A blob-less clone of https://github.com/<repo>, made once."""
    target = clones / repo.replace("/", "+")
    if is_git_dir(target / ".git"):
        return target / ".git"
    clones.mkdir(parents=True, exist_ok=True)
    url = f"https://github.com/{repo}"
    done = subprocess.run(
        ["git", "clone", "--quiet", "--filter=blob:none", "--no-checkout", url, str(target)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        print(f"clone failed for {repo}: {done.stderr.strip()}", file=sys.stderr)
        return None
    return target / ".git"


def read_blob(git_dir: Path, commit: str, path: str) -> bytes | None:
    done = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"], capture_output=True)
    return done.stdout if done.returncode == 0 else None


def fetch_commit(git_dir: Path, commit: str) -> None:
    """Fetch one commit by id: a clone holds branches only, and some pages sit on a pull-request ref."""
    subprocess.run(
        ["git", f"--git-dir={git_dir}", "fetch", "--quiet", "--filter=blob:none", "origin", commit],
        capture_output=True,
    )


def blob_reader(mirror: Path | None, clones: Path) -> Callable[[str, str, str], bytes | None]:
    """``read(repo, commit, path)``: a blob from the mirror's git directories, else from blob-less
    clones made once, fetching a commit a clone lacks."""
    git_dirs: dict[str, Path | None] = {}

    def read(repo: str, commit: str, path: str) -> bytes | None:
        if repo not in git_dirs:
            git_dirs[repo] = find_mirror_git_dir(mirror, repo) if mirror else clone(repo, clones)
        git_dir = git_dirs[repo]
        if git_dir is None:
            return None
        data = read_blob(git_dir, commit, path)
        if data is None and not mirror:
            fetch_commit(git_dir, commit)
            data = read_blob(git_dir, commit, path)
        return data

    return read


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirror", type=Path, help="directory holding git directories named <owner>+<name>")
    parser.add_argument("--devset", type=Path, default=HERE, help="directory with truth*.jsonl (default: this one)")
    args = parser.parse_args()

    pages = args.devset / "pages"
    entries = load_entries(args.devset)
    read = blob_reader(args.mirror, pages / ".clones")
    written = unchanged = 0
    missing = []
    for entry in entries:
        repo = entry["repo"]
        data = read(repo, entry["commit"], entry["path"])
        if data is None:
            missing.append(entry)
            continue
        target = pages / repo.replace("/", "+") / entry["path"]
        if target.is_file() and target.read_bytes() == data:
            unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1

    print(f"{len(entries)} pages listed: {written} written, {unchanged} already in place, {len(missing)} not found")
    for entry in missing:
        print(f"not found: {entry['repo']}@{entry['commit'][:12]}:{entry['path']} ({entry['source']})")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
