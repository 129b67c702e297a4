"""Time `newspkg build` after changing 1% of a corpus's raw files, as bench/run.py does, N times
(each time with bytes no build has seen, so those files are converted).

    python bench/rebuild.py REPO [--runs N] [--src OTHER/src]

To compare two versions back to back, build each once on its own copy of the corpus (each
version keeps its own cache and outputs), then alternate: ``--src`` runs the command with
``PYTHONPATH=OTHER/src`` (e.g. a `git worktree` of the other commit). Prints one line per run: wall
seconds, the build process's user and system CPU seconds, and its peak RSS (GNU time).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from run import BIN, one_percent_changed  # bench/ is this script's folder, so first on sys.path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a corpus from bench/generate.py, built once already")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--src", type=Path, help="the src/ folder of another newspkg to run instead")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    argv = ["/usr/bin/time", "-f", "%e s wall, %U s user, %S s sys, %M KB", str(BIN / "newspkg"), "build"]
    for run in range(1, args.runs + 1):
        with one_percent_changed(args.repo, mark=str(time.time_ns())) as changed:  # new bytes: converted
            done = subprocess.run(argv, cwd=args.repo, env=env, capture_output=True, text=True, check=False)
        if done.returncode not in (0, 1):
            sys.exit(f"newspkg build exited {done.returncode}:\n{done.stderr[-2000:]}")
        print(f"run {run}, {changed:,} files changed: {done.stderr.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
