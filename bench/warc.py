"""A WARC crawl of small article pages, built with --jobs 1 and --jobs 2: the speed-up of splitting
one container across workers, and the peak RSS of each build (its own and its workers', the largest).

    python bench/warc.py [--pages 10000] [--folder /tmp/newspkg-warc-bench]
    python bench/warc.py --saved-pages ../shared/corpus/html --pages 14000 --plain --jobs 2  # ~2 GB

Every run converts every record (--no-cache). The pages are written with warcio, one gzip member
each as crawlers write them (--plain: uncompressed). With --saved-pages, the crawl cycles through
those saved pages, a sentence of its own added to each so that no page duplicates another.
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


def saved_page(saved: list[bytes], n: int) -> bytes:
    html = saved[n % len(saved)]
    return html.replace(b"</body>", b"<p>Page %d of this crawl, unlike any other.</p></body>" % n, 1)


def write_crawl(path: Path, pages: int, saved: list[bytes], gzip: bool) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as file:
        writer = WARCWriter(file, gzip=gzip)
        for n in range(pages):
            body = saved_page(saved, n) if saved else page(n)
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
    parser.add_argument("--saved-pages", type=Path, help="a folder of saved .html pages to cycle through")
    parser.add_argument("--plain", action="store_true", help="an uncompressed crawl (.warc)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="the --jobs of each build")
    args = parser.parse_args()
    saved = [page.read_bytes() for page in sorted(args.saved_pages.rglob("*.htm*"))] if args.saved_pages else []
    shutil.rmtree(args.folder, ignore_errors=True)
    (args.folder / "raw" / "crawl").mkdir(parents=True)
    (args.folder / "raw" / "crawl" / "source.toml").write_text(SOURCE, encoding="utf-8")
    crawl = args.folder / "raw" / "crawl" / ("crawl.warc" if args.plain else "crawl.warc.gz")
    write_crawl(crawl, args.pages, saved, gzip=not args.plain)
    print(f"{args.pages} pages, {crawl.stat().st_size / 1e6:.1f} MB crawl")
    seconds = {}
    for jobs in args.jobs:
        seconds[jobs], rss = timed_build(args.folder, jobs)
        print(f"--jobs {jobs}: {seconds[jobs]:.1f} s, {args.pages / seconds[jobs]:.0f} pages/s, peak RSS {rss:.0f} MB")
    if {1, 2} <= set(seconds):
        ratio = seconds[1] / seconds[2]
        print(f"speed-up of --jobs 2: {ratio:.2f}x (target 1.6x: {'yes' if ratio >= 1.6 else 'no'})")


if __name__ == "__main__":
    main()
