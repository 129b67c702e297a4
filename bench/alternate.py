"""Cold builds of one corpus by two newspkg installs, alternated: the CPU time (user + system of the
whole process tree) and wall time of each, and the ratio B/A per pair with its median.

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

# Run in a process of its own, so the figures are this build's (its workers included).
MEASURED = """import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=False, stdout=subprocess.DEVNULL)
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(used.ru_utime + used.ru_stime, time.perf_counter() - start, used.ru_maxrss)"""


def timed_build(newspkg: str, folder: Path, jobs: int) -> tuple[float, float, float]:
    """CPU seconds, wall seconds and peak RSS (MB) of one cold build."""
    command = [sys.executable, "-c", MEASURED, newspkg, "build", "--jobs", str(jobs), "--no-cache", "-q"]
    cpu, wall, rss = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=True).stdout.split()
    return float(cpu), float(wall), int(rss) / 1024


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
    folder = args.corpus.with_name(f"{args.corpus.name}-built")
    if not folder.exists():
        shutil.copytree(args.corpus, folder, symlinks=True)
    for newspkg in installs.values():  # warm-up: files read into the page cache, imports compiled
        timed_build(newspkg, folder, args.jobs)
    for pair in range(args.pairs):
        for name in ("a", "b") if pair % 2 == 0 else ("b", "a"):
            seconds, wall, rss = timed_build(installs[name], folder, args.jobs)
            cpu[name].append(seconds)
            print(f"pair {pair} {name}: cpu {seconds:.2f} s, wall {wall:.2f} s, peak RSS {rss:.0f} MB", flush=True)
    ratios = [b / a for a, b in zip(cpu["a"], cpu["b"], strict=True)]
    print(f"median cpu: a {statistics.median(cpu['a']):.2f} s, b {statistics.median(cpu['b']):.2f} s")
    print(f"b/a cpu per pair: {', '.join(f'{r:.3f}' for r in ratios)}; median {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
