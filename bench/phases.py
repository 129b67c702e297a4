"""Where a build's time goes: one `newspkg build` in this process, timed by phase.

    python bench/phases.py REPO [newspkg build options]

Run it twice on a corpus to see a warm rebuild (every outcome from the cache). Phases: start-up
(loading the project and schemas, opening the outputs), pass 1 (every outcome converted or taken
from the cache, counted, spilled and indexed; the workers run meanwhile), duplicate settlement,
pass 2 (the kept lines written to JSONL and Parquet), and the rest (closing the outputs, the
report, the descriptor, the commit). Wall times; the workers' own CPU is not separated.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# isort: off
from newspkg import cli  # first: it chooses Arrow's allocator before pyarrow is imported
from newspkg import build as build_module
from newspkg.dedup import DuplicateIndex
# isort: on

spent: dict[str, float] = {}
started: dict[str, float] = {}  # when each was first called


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        started.setdefault(name, start)
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def main() -> None:
    repo, options = Path(sys.argv[1]).resolve(), sys.argv[2:]
    build_module._settle = timed("both passes", build_module._settle)  # type: ignore[assignment]
    build_module._spill_accepted = timed("pass 1", build_module._spill_accepted)  # type: ignore[assignment]
    DuplicateIndex.settle = timed("settle", DuplicateIndex.settle)  # type: ignore[method-assign]
    start = time.perf_counter()
    try:
        with Path(os.devnull).open("w") as quiet, contextlib.redirect_stdout(quiet):  # the build's own report
            cli.main(["--root", str(repo), "build", *options], standalone_mode=False)
    except SystemExit as done:  # the command exits 1 when there are rejects: still a finished build
        if done.code not in (0, 1, None):
            raise
    total = time.perf_counter() - start
    start_up = started["both passes"] - start
    pass_2 = spent["both passes"] - spent["pass 1"] - spent["settle"]
    rows = [
        ("start-up", start_up),
        ("pass 1: outcomes counted, spilled, indexed", spent["pass 1"]),
        ("duplicate settlement", spent["settle"]),
        ("pass 2: kept lines to JSONL and Parquet", pass_2),
        ("the rest: close, report, descriptor, commit", total - start_up - spent["both passes"]),
        ("total", total),
    ]
    print("| phase | wall s |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
