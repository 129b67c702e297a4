"""newspkg's language detection on the development set's pages (bench/devset), split by site as
bench/pages.py splits them: how often ``language.detect`` names each page's language, how often
``language.plainly_other`` warns with the true language declared (false warnings) and with a wrong
one declared (the mismatches it names), and the cost of a check.

    python bench/languages.py [--split test|dev|all]

Each page's text is trafilatura's extraction of it, as a record's text would be.
"""

from __future__ import annotations

import argparse
import time

import trafilatura

from newspkg.language import detect, plainly_other
from pages import load_truth, page_file, sites_seen_before, split_of

WRONG = ("en", "de")  # languages declared wrongly to see what the check names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("test", "dev", "all"), default="test")
    args = parser.parse_args()
    truth = load_truth()
    seen = sites_seen_before(truth)
    pages = [p for p in truth if args.split == "all" or split_of(p["site"], seen) == args.split]
    texts = [(p["language"], trafilatura.extract(page_file(p).read_bytes().decode("utf-8", "replace")) or "")
             for p in pages]  # fmt: skip
    right = sum(detect(text) == language for language, text in texts)
    false_warnings = sum(plainly_other(language, text) is not None for language, text in texts)
    print(f"{args.split} split: {len(texts)} pages")
    print(f"detect: the page's BCP 47 tag on {right} of {len(texts)}")
    print(f"language:mismatch with the true language declared: {false_warnings} warnings")
    for declared in WRONG:
        other = [text for language, text in texts if not language.startswith(declared)]
        named = sum(plainly_other(declared, text) is not None for text in other)
        print(f"language:mismatch with {declared} declared: {named} of {len(other)} pages in other languages")
    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for language, text in texts:
            plainly_other(language, text)
    microseconds = (time.perf_counter() - started) / (rounds * len(texts)) * 1e6
    print(f"a check costs {microseconds:.0f} µs")


if __name__ == "__main__":
    main()
