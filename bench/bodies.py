"""Body text of the html adapter against trafilatura alone, on the development set's pages whose
source projects publish the expected text (bench/devset/bodies.jsonl), split by site as
bench/pages.py splits them.

    python bench/devset/fetch.py --mirror DIR          # once: the pages
    python bench/devset/fetch_bodies.py --mirror DIR   # once: their expected text
    python bench/bodies.py [--split test|dev|all] [--show-pages]

Pages are built as bench/pages.py builds them (``adapter = "html"``, ``timezone = "UTC"``, the URL
from a sidecar); trafilatura alone runs with bench/pages.py's settings. The score is bag-of-tokens
F1 between a record's text and the expected text: tokens are words (runs of letters and digits,
casefolded) in space-separated scripts and single characters in Han, kana and Thai, which do not
separate words. A rejected page (no text) scores 0. Precision and recall are means over pages too.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pages import (
    DEVSET,
    group_of,
    load_truth,
    newspkg_adapter,
    page_file,
    sites_seen_before,
    split_of,
    trafilatura_alone,
)

UNSPACED = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Thai, kana, Han
TOKEN = re.compile(f"[{UNSPACED}]|[^\\W_{UNSPACED}]+")


def tokens(text: str) -> Counter[str]:
    return Counter(token.casefold() for token in TOKEN.findall(text))


def scores(got: str, want: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the tokens of ``got`` against those of ``want``."""
    found, expected = tokens(got), tokens(want)
    common = sum((found & expected).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(found.values()), common / sum(expected.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def load_bodies() -> list[dict[str, Any]]:
    """The truth lines of the pages that have an expected body, with the path of that text."""
    truth = {(page["repo"], page["path"]): page for page in load_truth()}
    rows = (json.loads(line) for line in (DEVSET / "bodies.jsonl").read_text(encoding="utf-8").splitlines())
    return [truth[row["repo"], row["path"]] | {"body_from": row["truth_from"]} for row in rows]


def body_file(page: dict[str, Any]) -> Path:
    return DEVSET / "pages" / ".bodies" / page["repo"].replace("/", "+") / (page["path"] + ".txt")


REJECTS: Counter[str] = Counter()  # the html adapter's rejects, by rule


def newspkg_text(pages: list[dict[str, Any]]) -> Callable[[dict[str, Any]], str]:
    extract = newspkg_adapter(pages)

    def text(page: dict[str, Any]) -> str:
        record = extract(page)
        REJECTS.update(record.get("rejected", ()))
        return record.get("text") or ""

    return text


def trafilatura_text(pages: list[dict[str, Any]]) -> Callable[[dict[str, Any]], str]:
    extract = trafilatura_alone(pages)
    return lambda page: extract(page).get("text") or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("test", "dev", "all"), default="test")
    parser.add_argument("--show-pages", action="store_true", help="print each page's F1 for both extractors")
    args = parser.parse_args()
    every = load_bodies()
    seen = sites_seen_before(load_truth())
    pages = [p for p in every if args.split == "all" or split_of(p["site"], seen) == args.split]
    missing = [p["path"] for p in pages if not (page_file(p).is_file() and body_file(p).is_file())]
    if missing:
        raise SystemExit(f"{len(missing)} pages or bodies are not fetched: run bench/devset/fetch*.py first")
    print(f"{args.split} split: {len(pages)} pages with an expected body, of {len({p['site'] for p in pages})} sites\n")
    print("| extractor | group | pages | no text | F1 | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    per_page: dict[str, dict[tuple[str, str], tuple[float, float, float]]] = {}
    for label, make in (("newspkg html adapter", newspkg_text), ("trafilatura alone", trafilatura_text)):
        extract = make(pages)
        texts = {(p["repo"], p["path"]): extract(p) for p in pages}
        per_page[label] = {
            key: scores(texts[key], body_file(p).read_text(encoding="utf-8"))
            for p in pages
            for key in [(p["repo"], p["path"])]
        }
        for group in ("all", "en", "zh", "other"):
            chosen = [(p["repo"], p["path"]) for p in pages if group in ("all", group_of(p))]
            if not chosen:
                continue
            empty = sum(not texts[key] for key in chosen)
            means = [sum(per_page[label][key][i] for key in chosen) / len(chosen) for i in (2, 0, 1)]
            print(f"| {label} | {group} | {len(chosen)} | {empty} | " + " | ".join(f"{m:.3f}" for m in means) + " |")
    if REJECTS:
        print(f"\nthe html adapter's rejects, by rule: {dict(sorted(REJECTS.items()))}")
    if args.show_pages:
        print("\nF1 newspkg / trafilatura (precision, recall of newspkg), by page:")
        for p in pages:
            ours, theirs = (
                per_page["newspkg html adapter"][p["repo"], p["path"]],
                per_page["trafilatura alone"][p["repo"], p["path"]],
            )
            print(f"  {ours[2]:.2f} / {theirs[2]:.2f}  (P {ours[0]:.2f} R {ours[1]:.2f})  {p['repo']}:{p['path']}")


if __name__ == "__main__":
    main()
