"""Fill bench/devset/pages/.bodies/ with the body text that the source projects publish for the
pages listed in bench/devset/bodies.jsonl (the truth bench/bodies.py scores against).

Each line of bodies.jsonl names a page (repo, commit, path, as in truth*.jsonl) and where its
expected text is (``truth_path`` in the same repository at the same commit, read in the form
``truth_format`` names). The text is written, as plain text, to
``pages/.bodies/<owner>+<name>/<path>.txt``. Git directories are found as fetch.py finds them.

    python bench/devset/fetch_bodies.py --mirror /work/.mirror
    python bench/devset/fetch_bodies.py
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path

from fetch import HERE, blob_reader
from lxml import html as lxml_html

CAPTIONS = "//figcaption | //*[contains(concat(' ', normalize-space(@class), ' '), ' caption ')]"


def readability_text(data: bytes, row: dict) -> str:
    """readability's expected article, without its image captions (a record's text has none)."""
    tree = lxml_html.fromstring(data.decode("utf-8"))
    for element in tree.xpath(CAPTIONS):
        element.drop_tree()
    lines = (" ".join(chunk.split()) for chunk in "\n".join(tree.itertext()).split("\n"))
    return "\n".join(line for line in lines if line)


def goose3_text(data: bytes, row: dict) -> str:
    return json.loads(data)["expected"]["cleaned_text"]


def magic_html_text(data: bytes, row: dict) -> str:
    return json.loads(data)[row["truth_key"]]["content"]


def plain_text(data: bytes, row: dict) -> str:
    return data.decode("utf-8")


FORMATS: dict[str, Callable[[bytes, dict], str]] = {
    "readability-html": readability_text,
    "goose3-json": goose3_text,
    "magic-html-json": magic_html_text,
    "text": plain_text,
}


def body_file(devset: Path, row: dict) -> Path:
    return devset / "pages" / ".bodies" / row["repo"].replace("/", "+") / (row["path"] + ".txt")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirror", type=Path, help="directory holding git directories named <owner>+<name>")
    parser.add_argument("--devset", type=Path, default=HERE, help="directory with bodies.jsonl (default: this one)")
    args = parser.parse_args()
    rows = [json.loads(line) for line in (args.devset / "bodies.jsonl").read_text(encoding="utf-8").splitlines()]
    read = functools.cache(blob_reader(args.mirror, args.devset / "pages" / ".clones"))  # one base.json, many pages
    written, missing = 0, []
    for row in rows:
        data = read(row["repo"], row["commit"], row["truth_path"])
        if data is None:
            missing.append(row)
            continue
        target = body_file(args.devset, row)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(FORMATS[row["truth_format"]](data, row), encoding="utf-8")
        written += 1
    print(f"{len(rows)} bodies listed: {written} written, {len(missing)} not found")
    for row in missing:
        print(f"not found: {row['repo']}@{row['commit'][:12]}:{row['truth_path']}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
