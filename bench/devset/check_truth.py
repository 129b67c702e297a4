"""Check the lines of one truth file of bench/devset before they are committed.

For every line: the fields in their order, the forms of ``published_at`` and ``authors``
that README's "Fields" allows, a (repository, path) that is not held out
(``../shared/held-out.txt``), a site that no other truth file has, and a title and
authors that occur in the fetched page (``pages/<owner>+<name>/<path>``, written by
``fetch.py``).  It says nothing about whether the values are the right ones: that is
read from the page by hand.

    python bench/devset/check_truth.py truth-more.jsonl
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HELD_OUT = HERE.parents[2] / "shared" / "held-out.txt"
HeldOut = tuple[set[str], set[tuple[str, str]]]
Row = dict[str, Any]
FIELDS = ["repo", "commit", "path", "site", "language", "url", "title", "published_at", "authors", "truth_from"]
DATE = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d([+-]\d\d:\d\d)?)?")
CHARSET = re.compile(rb"""charset=["']?([\w-]+)""", re.IGNORECASE)


def held_out(path: Path) -> HeldOut:
    """Whole repositories and (repository, path) pairs kept for independent acceptance."""
    repos, files = set(), set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            parts = [part.strip() for part in line.split("\t")]
            if len(parts) == 1:
                repos.add(parts[0])
            else:
                files.add((parts[0], parts[1]))
    return repos, files


def read_lines(path: Path) -> list[Row]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def page_text(data: bytes) -> str:
    """The page decoded by its declared charset, entities resolved, whitespace and width folded."""
    declared = CHARSET.search(data[:5000])
    for encoding in ([declared.group(1).decode()] if declared else []) + ["utf-8", "gb18030"]:
        try:
            text = data.decode(encoding)
            break
        except (LookupError, UnicodeDecodeError):
            continue
    else:
        text = data.decode("utf-8", "replace")
    return fold(re.sub(r"<[^>]+>", " ", text) + " " + text)


def fold(text: str) -> str:
    # A soft hyphen shows only at a line break (guardian.co.tt hyphenates its bylines with them).
    text = html.unescape(html.unescape(text)).replace("\u00ad", "")
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def problems_of(row: Row, other_sites: set[str], held: HeldOut, pages: Path) -> list[str]:
    found = []
    if list(row) != FIELDS:
        found.append(f"fields {list(row)}")
    if row["repo"] in held[0] or (row["repo"], row["path"]) in held[1]:
        found.append("held out")
    if row["site"] in other_sites:
        found.append(f"site {row['site']} is in another truth file")
    if row["published_at"] is not None and not DATE.fullmatch(row["published_at"]):
        found.append(f"published_at {row['published_at']!r}")
    if row["authors"] is not None and not all(isinstance(name, str) and name for name in row["authors"]):
        found.append(f"authors {row['authors']!r}")
    page = pages / row["repo"].replace("/", "+") / row["path"]
    if not page.is_file():
        return [*found, "page not fetched (run fetch.py)"]
    text = page_text(page.read_bytes())
    wanted = [row["title"], *(row["authors"] or [])]
    return found + [f"not in the page: {value!r}" for value in wanted if fold(value) not in text]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("truth", help="the truth file to check, by name, e.g. truth-more.jsonl")
    parser.add_argument("--held-out", type=Path, default=HELD_OUT, help="default: ../shared/held-out.txt")
    args = parser.parse_args()
    rows = read_lines(HERE / args.truth)
    other_files = [other for other in HERE.glob("truth*.jsonl") if other.name != args.truth]
    others = {row["site"] for other in other_files for row in read_lines(other)}
    held = held_out(args.held_out)
    keys = [(row["repo"], row["path"]) for row in rows]
    failures = 0
    if keys != sorted(keys) or len(set(keys)) != len(keys):
        print(f"{args.truth}: lines not sorted by (repo, path) or a page listed twice")
        failures += 1
    for number, row in enumerate(rows, 1):
        for problem in problems_of(row, others, held, HERE / "pages"):
            print(f"{args.truth}:{number}: {problem}")
            failures += 1
    print(f"{len(rows)} lines, {len({row['site'] for row in rows})} sites, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
