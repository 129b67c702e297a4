"""`newspkg validate datapackage.json` against `frictionless validate datapackage.json` on one built
package, alternated, in CPU seconds of each command's whole process tree (and wall seconds).

    python bench/validate_vs_frictionless.py PACKAGE [--runs 3] [--src OTHER/src] [--baseline OTHER/src]

PACKAGE is a built corpus (bench/generate.py, then newspkg build). The machine is shared: CPU time
moves less than wall time with other people's load, and alternating spreads what is left over both
commands. A command's CPU is read from /proc every 50 ms for it and every descendant (the worker
processes newspkg starts), keeping each process's last figure: a process living less than 50 ms may
be missed. With ``--src``, newspkg runs from another source tree (say a worktree of main) instead;
with ``--baseline``, the newspkg of another source tree runs too, in the same alternation, as
"baseline validate". Prints each run and the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds so far) of a process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the process tree, exit code)."""
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu: dict[int, float] = {}
    while process.poll() is None:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (found := _stat(int(entry.name))):
                parents[int(entry.name)] = found
        tree = {process.pid}
        grew = True
        while grew:
            grew = False
            for pid, (parent, _) in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        for pid in tree:
            if pid in parents:
                cpu[pid] = parents[pid][1]
        time.sleep(0.05)
    wall = time.monotonic() - started
    return wall, sum(cpu.values()), process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("package", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--src", type=Path, help="run newspkg from this source tree (PYTHONPATH)")
    parser.add_argument("--baseline", type=Path, help="also run the newspkg of this source tree")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    validate = [str(BIN / "newspkg"), "validate", "datapackage.json", "-q"]
    commands = {"newspkg validate": (validate, env)}
    if args.baseline:
        commands["baseline validate"] = (validate, {**env, "PYTHONPATH": str(args.baseline.resolve())})
    commands["frictionless validate"] = ([str(BIN / "frictionless"), "validate", "datapackage.json"], env)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for run in range(args.runs):
        for name, (argv, command_env) in commands.items():
            load = os.getloadavg()[0]
            wall, cpu, code = measure(argv, args.package, command_env)
            results[name].append((wall, cpu))
            print(
                f"run {run + 1}: {name}: {wall:.2f} s wall, {cpu:.2f} s CPU, exit {code}, load {load:.1f}", flush=True
            )
    medians = {
        name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for name, r in results.items()
    }
    for name, (wall, cpu) in medians.items():
        print(f"median {name}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    (fw, fc), (nw, nc) = medians["frictionless validate"], medians["newspkg validate"]
    print(f"newspkg validate x faster than frictionless: {fw / nw:.1f} (wall), {fc / nc:.1f} (CPU)")
    if "baseline validate" in medians:
        bw, bc = medians["baseline validate"]
        print(f"baseline validate x faster than frictionless: {fw / bw:.1f} (wall), {fc / bc:.1f} (CPU)")


if __name__ == "__main__":
    main()
