"""A WARC crawl of small article pages, built with --jobs 1 and --jobs 2: the speed-up of splitting
one container across workers, and the peak RSS of each build (its own and its workers', the largest).

    python bench/warc.py [--pages 10000] [--folder /tmp/newspkg-warc-bench]

Every run converts every record (--no-cache). The pages are written with warcio, one gzip member
each, as crawlers write them.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import time
from pathlib import Path

SOURCE = 'adapter = "html"\nlanguage = "en"\ntimezone = "UTC"\n'


def page(n: int) -> bytes:
    return (
        f"<html><head><title>Story {n}</title>"
        "<meta property='article:published_time' content='2024-01-02T10:00:00Z'></head>"
        f"<body><article><h1>Story {n}</h1><p>This is the text of story number {n}, long enough to be"
        f" an article body with a few words.</p><p>Second paragraph {n * 7}.</p></article></body></html>"
    ).encode()


def write_crawl(path: Path, pages: int) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as file:
        writer = WARCWriter(file, gzip=True)
        for n in range(pages):
            body = page(n)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            url = f"https://example.org/story/{n}.html"
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
            )
            writer.write_record(record)


# Run in a process of its own, so the peak RSS is this build's (its largest process, workers included).
MEASURED = """import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"""


def timed_build(folder: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MB) of the largest process of the build."""
    build = [str(Path(sys.executable).with_name("newspkg")), "build", "--jobs", str(jobs), "--no-cache", "--quiet"]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED, *build], cwd=folder, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    return elapsed, int(done.stdout.decode().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/newspkg-warc-bench"))
    args = parser.parse_args()
    shutil.rmtree(args.folder, ignore_errors=True)
    (args.folder / "raw" / "crawl").mkdir(parents=True)
    (args.folder / "raw" / "crawl" / "source.toml").write_text(SOURCE, encoding="utf-8")
    crawl = args.folder / "raw" / "crawl" / "crawl.warc.gz"
    write_crawl(crawl, args.pages)
    print(f"{args.pages} pages, {crawl.stat().st_size / 1e6:.1f} MB crawl")
    one, rss_one = timed_build(args.folder, jobs=1)
    print(f"--jobs 1: {one:.1f} s, {args.pages / one:.0f} pages/s, peak RSS {rss_one:.0f} MB")
    two, rss_two = timed_build(args.folder, jobs=2)
    print(f"--jobs 2: {two:.1f} s, {args.pages / two:.0f} pages/s, peak RSS {rss_two:.0f} MB")
    print(f"speed-up of --jobs 2: {one / two:.2f}x (target 1.6x: {'yes' if one / two >= 1.6 else 'no'})")


if __name__ == "__main__":
    main()
