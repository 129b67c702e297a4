"""Cold builds of one corpus by two (or three) newspkg installs, alternated: the CPU time (user +
system of the build and the processes it waited for) and wall time of each, and the ratio to A per
round with its median.

    python bench/alternate.py CORPUS --a BASE/bin/newspkg --b .venv/bin/newspkg [--c OTHER] [--jobs 1] [--pairs 4]

CORPUS is a dataset from ``bench/generate.py``; every install builds the same copy of it (made once,
beside it: the same files in the page cache for all), ``--no-cache``, so every file is converted
each time, after one build each that is not counted. The order rotates from round to round, so a
machine that slows down or speeds up weighs on all alike. With ``--jobs 2`` the CPU time is the
parent's alone (the workers are the forkserver's children, which the build does not wait for);
"all cpu" is that of every process of the build, workers included, counted by ``perf stat -e
task-clock`` when perf is installed: on a machine others load, it varies far less than wall time.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

# Run in a process of its own, so the figures are this build's (its workers included).
MEASURED = """import resource, shutil, subprocess, sys, tempfile, time
start = time.perf_counter()
command, perf = sys.argv[1:], shutil.which("perf")
with tempfile.NamedTemporaryFile("r") as counted:
    if perf:  # task-clock counts every process of the tree, the workers included
        command = [perf, "stat", "-x,", "-e", "task-clock", "-o", counted.name, "--", *command]
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    tree = next((float(line.split(",")[0]) / 1000 for line in counted if "task-clock" in line), float("nan"))
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(used.ru_utime + used.ru_stime, wall, used.ru_maxrss, tree)"""


def timed_build(newspkg: str, folder: Path, jobs: int) -> tuple[float, float, float, float]:
    """CPU seconds, wall seconds, peak RSS (MB) and CPU seconds of the whole process tree (NaN
    without perf) of one cold build."""
    command = [sys.executable, "-c", MEASURED, newspkg, "build", "--jobs", str(jobs), "--no-cache", "-q"]
    output = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=True).stdout
    cpu, wall, rss, tree = output.split()
    return float(cpu), float(wall), int(rss) / 1024, float(tree)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--a", required=True, help="the newspkg command of the base")
    parser.add_argument("--b", required=True, help="the newspkg command of the change")
    parser.add_argument("--c", help="a third newspkg command, alternated with the other two")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=4, help="rounds: each install builds once a round")
    args = parser.parse_args()
    installs = {name: command for name, command in (("a", args.a), ("b", args.b), ("c", args.c)) if command}
    names = list(installs)
    measured: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    folder = args.corpus.with_name(f"{args.corpus.name}-built")
    if not folder.exists():
        shutil.copytree(args.corpus, folder, symlinks=True)
    for newspkg in installs.values():  # warm-up: files read into the page cache, imports compiled
        timed_build(newspkg, folder, args.jobs)
    for pair in range(args.pairs):
        shift = pair % len(names)
        for name in names[shift:] + names[:shift]:
            seconds, wall, rss, tree = timed_build(installs[name], folder, args.jobs)
            measured[name].append((seconds, wall, tree))
            shown = f"cpu {seconds:.2f} s, wall {wall:.2f} s, all cpu {tree:.2f} s, peak RSS {rss:.0f} MB"
            print(f"pair {pair} {name}: {shown}", flush=True)
    for name in names:
        cpus, walls, trees = ([figures[n] for figures in measured[name]] for n in (0, 1, 2))
        medians = f"cpu {statistics.median(cpus):.2f} s, wall {statistics.median(walls):.2f} s"
        print(f"median {name}: {medians}, all cpu {statistics.median(trees):.2f} s")
    for name in names[1:]:
        for n, what in enumerate(("cpu", "wall", "all cpu")):
            ratios = [mine[n] / base[n] for mine, base in zip(measured[name], measured["a"], strict=True)]
            shown = ", ".join(f"{ratio:.3f}" for ratio in ratios)
            print(f"{name}/a {what} per round: {shown}; median {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
