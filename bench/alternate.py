"""Cold builds of one corpus by two newspkg installs, alternated: the CPU time (user + system of the
whole process tree, workers included) and wall time of each, and the ratios B/A per pair with their medians.

    python bench/alternate.py CORPUS --a /work/main/.venv/bin/newspkg --b .venv/bin/newspkg [--jobs 1] [--pairs 4]

CORPUS is a dataset from ``bench/generate.py``; both installs build the same copy of it (made once,
beside it: the same files in the page cache for both), ``--no-cache``, so every file is converted
each time, after one build each that is not counted. The order within a pair alternates, so a
machine that slows down or speeds up weighs on both alike.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

# Run in a process of its own, so the figures are this build's. It is the subreaper of the build's
# tree: the --jobs workers are children of multiprocessing's forkserver, which the build never
# waits for; orphaned, they are reparented here and reaped, so their CPU time is counted too.
MEASURED = """import ctypes, os, resource, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
start = time.perf_counter()
build = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, _, own = os.wait4(build.pid, 0)
wall = time.perf_counter() - start
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(used.ru_utime + used.ru_stime, wall, used.ru_maxrss, own.ru_utime + own.ru_stime)"""


def timed_build(newspkg: str, folder: Path, jobs: int) -> tuple[float, float, float, float]:
    """CPU seconds (the whole tree), wall seconds, the largest process's peak RSS (MB) and the CPU
    seconds of the build's own process (its workers left out) of one cold build."""
    command = [sys.executable, "-c", MEASURED, newspkg, "build", "--jobs", str(jobs), "--no-cache", "-q"]
    out = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=True).stdout
    cpu, wall, rss, own = out.split()
    return float(cpu), float(wall), int(rss) / 1024, float(own)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--a", required=True, help="the newspkg command of the base")
    parser.add_argument("--b", required=True, help="the newspkg command of the change")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=4)
    args = parser.parse_args()
    installs = {"a": args.a, "b": args.b}
    cpu: dict[str, list[float]] = {"a": [], "b": []}
    wall: dict[str, list[float]] = {"a": [], "b": []}
    folder = args.corpus.with_name(f"{args.corpus.name}-built")
    if not folder.exists():
        shutil.copytree(args.corpus, folder, symlinks=True)
    for newspkg in installs.values():  # warm-up: files read into the page cache, imports compiled
        timed_build(newspkg, folder, args.jobs)
    for pair in range(args.pairs):
        for name in ("a", "b") if pair % 2 == 0 else ("b", "a"):
            seconds, elapsed, rss, own = timed_build(installs[name], folder, args.jobs)
            cpu[name].append(seconds)
            wall[name].append(elapsed)
            figures = f"cpu {seconds:.2f} s (its own process {own:.2f} s), wall {elapsed:.2f} s, peak RSS {rss:.0f} MB"
            print(f"pair {pair} {name}: {figures}", flush=True)
    for what, series in (("cpu", cpu), ("wall", wall)):
        ratios = [b / a for a, b in zip(series["a"], series["b"], strict=True)]
        print(f"median {what}: a {statistics.median(series['a']):.2f} s, b {statistics.median(series['b']):.2f} s")
        print(f"b/a {what} per pair: {', '.join(f'{r:.3f}' for r in ratios)}; median {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
