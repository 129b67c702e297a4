"""A JSON Lines export of about 2 GB built with newspkg: the peak RSS of the build (its largest
process, workers included) and its wall time. Each line is read at its offset, so no process holds
the export.

    python bench/export.py [--gigabytes 2] [--jobs 2] [--folder /tmp/newspkg-export-bench] [--newspkg BIN]

Each item is an article of a few paragraphs with its page's HTML beside it (a field the source does
not map, as scrapers' exports carry), about 20 KB a line; every item converted (``--no-cache``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

SOURCE = """adapter = "records"
language = "en"
timezone = "UTC"

[fields]
title = "title"
text = "maintext"
published_at = "date_publish"
url = "url"
"""
PARAGRAPH = (
    "The council of the town of {town} met on {day} to discuss the budget for the coming year, "
    "the repair of the bridge over the river and the opening hours of the library. "
)

# Run in a process of its own, so the peak RSS is this build's (its largest process, workers included).
MEASURED = """import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"""


def item(n: int) -> bytes:
    paragraphs = [PARAGRAPH.format(town=f"Town {n}", day=f"day {k} of story {n}") * 3 for k in range(8)]
    html = "".join(f"<p class='body-text'>{p}</p>" for p in paragraphs) * 3
    entry = {
        "title": f"Council meeting {n}",
        "maintext": "\n\n".join(paragraphs),
        "date_publish": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d} 10:00:00",
        "url": f"https://news.example.org/{n}",
        "html": f"<html><body><h1>Council meeting {n}</h1><article>{html}</article></body></html>",
    }
    return json.dumps(entry).encode() + b"\n"


def write_export(path: Path, size: int) -> int:
    written = lines = 0
    with path.open("wb") as file:
        while written < size:
            line = item(lines)
            file.write(line)
            written += len(line)
            lines += 1
    return lines


def timed_build(folder: Path, jobs: int, newspkg: str) -> tuple[float, float, str]:
    """Wall seconds, the peak RSS (MB) of the largest process of the build, and its summary line."""
    build = [newspkg, "build", "--jobs", str(jobs), "--no-cache"]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED, *build], cwd=folder, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    output = done.stdout.decode().splitlines()
    verdict = next((line for line in output if line.startswith(("OK", "FAILED"))), "")
    return elapsed, int(output[-1]) / 1024, verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/newspkg-export-bench"))
    parser.add_argument("--newspkg", default=str(Path(sys.executable).with_name("newspkg")), help="another install's")
    args = parser.parse_args()
    shutil.rmtree(args.folder, ignore_errors=True)
    (args.folder / "raw" / "scraper").mkdir(parents=True)
    (args.folder / "raw" / "scraper" / "source.toml").write_text(SOURCE, encoding="utf-8")
    export = args.folder / "raw" / "scraper" / "export.jsonl"
    lines = write_export(export, int(args.gigabytes * 1e9))
    print(f"{lines} lines, {export.stat().st_size / 1e6:.1f} MB export")
    seconds, rss, verdict = timed_build(args.folder, args.jobs, args.newspkg)
    print(f"--jobs {args.jobs}: {seconds:.1f} s, {lines / seconds:.0f} items/s, peak RSS {rss:.0f} MB; {verdict}")
    shutil.rmtree(args.folder, ignore_errors=True)


if __name__ == "__main__":
    main()
