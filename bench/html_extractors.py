"""The html adapter against trafilatura alone and GNE, on the 20 saved pages of ../shared/corpus/html:
how many hand-checked fields each gets right (tests/fixtures/html-golden.json) and pages per second.

    python bench/html_extractors.py [--corpus ../shared/corpus/html] [--rounds 3]

GNE comes with the bench extra (pip install -e '.[bench]'). A field an extractor does not give
(GNE has no URL or original publisher) counts as right only where the page has none. Times are
one process's CPU over every page, the best of the rounds; the adapter's time includes its whole
conversion of the file (decoding, the record, its checks), the others' only their extraction.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIELDS = ("title", "published_at", "url", "original_publisher", "authors", "first", "last", "absent")
Extracted = dict[str, Any]  # title, published_at, url, original_publisher, authors, text


def newspkg_adapter(pages: dict[str, bytes]) -> Callable[[str], Extracted]:
    import tempfile

    from newspkg.config import load_project
    from newspkg.convert import Converter
    from newspkg.discover import discover
    from newspkg.schema import load_schemas

    folder = Path(tempfile.mkdtemp(prefix="newspkg-html-bench-"))
    (folder / "raw" / "pages").mkdir(parents=True)
    toml = 'adapter = "html"\nlanguage = "zh-Hans"\ntimezone = "Asia/Shanghai"\n'
    (folder / "raw" / "pages" / "source.toml").write_text(toml, encoding="utf-8")
    for name, data in pages.items():
        (folder / "raw" / "pages" / name.replace("/", "__")).write_bytes(data)
    project = load_project(folder)
    converter = Converter(project, load_schemas(folder / "schema"))
    raws = {raw.path.rsplit("/", 1)[1].replace("__", "/"): raw for raw in discover(project)}
    return lambda name: converter.convert(raws[name]).record or {}


def trafilatura_alone(pages: dict[str, bytes]) -> Callable[[str], Extracted]:
    import trafilatura

    def extract(name: str) -> Extracted:
        found = trafilatura.bare_extraction(pages[name].decode("utf-8", "replace"), with_metadata=True)
        data = found.as_dict() if found is not None else {}
        author = data.get("author")
        return {
            "title": data.get("title"),
            "published_at": data.get("date"),
            "url": data.get("url"),
            "original_publisher": None,
            "authors": [a.strip() for a in author.split(";")] if author else [],
            "text": "\n\n".join(line for line in (data.get("text") or "").split("\n") if line.strip()),
        }

    return extract


def gne(pages: dict[str, bytes]) -> Callable[[str], Extracted]:
    from gne import GeneralNewsExtractor

    extractor = GeneralNewsExtractor()

    def extract(name: str) -> Extracted:
        found = extractor.extract(pages[name].decode("utf-8", "replace"))
        lines = [line.strip() for line in (found.get("content") or "").split("\n") if line.strip()]
        published = (found.get("publish_time") or "").replace(" ", "T")
        return {
            "title": found.get("title"),
            "published_at": published,
            "url": None,
            "original_publisher": None,
            "authors": [found["author"]] if found.get("author") else [],
            "text": "\n\n".join(lines),
        }

    return extract


def right_fields(got: Extracted, want: dict[str, Any]) -> dict[str, bool]:
    text = got.get("text") or ""
    return {
        "title": got.get("title") == want["title"],
        "published_at": (got.get("published_at") or "").startswith(want["published_at"]),
        "url": got.get("url") == want["url"],
        "original_publisher": got.get("original_publisher") == want["original_publisher"],
        "authors": (got.get("authors") or []) == want["authors"],
        "first": text.startswith(want["first"]),
        "last": text.endswith(want["last"]),
        "absent": bool(text) and not any(unwanted in text for unwanted in want["absent"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "html")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    golden = json.loads((REPO / "tests" / "fixtures" / "html-golden.json").read_text(encoding="utf-8"))
    pages = {name: (args.corpus / name).read_bytes() for name in golden}
    rows = []
    for label, make in (
        ("newspkg html adapter", newspkg_adapter),
        ("trafilatura alone", trafilatura_alone),
        ("GNE", gne),
    ):
        extract = make(pages)
        best, results = float("inf"), {}
        for _ in range(args.rounds):
            started = time.process_time()
            results = {name: extract(name) for name in golden}
            best = min(best, time.process_time() - started)
        checks = {name: right_fields(results[name], golden[name]) for name in golden}
        by_field = {field: sum(check[field] for check in checks.values()) for field in FIELDS}
        fully = sum(all(check.values()) for check in checks.values())
        rows.append((label, fully, by_field, len(golden) / best))
    print(f"| extractor | pages fully right | {' | '.join(FIELDS)} | pages/s (CPU) |")
    print("|---" * (len(FIELDS) + 3) + "|")
    for label, fully, by_field, rate in rows:
        cells = " | ".join(f"{by_field[field]}/{len(golden)}" for field in FIELDS)
        print(f"| {label} | {fully}/{len(golden)} | {cells} | {rate:.1f} |")


if __name__ == "__main__":
    main()
