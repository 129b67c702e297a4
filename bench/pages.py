"""The html adapter against trafilatura alone and htmldate alone on the development set
(bench/devset: saved pages of public extractors' tests with field truth), split by site.

    python bench/devset/fetch.py --mirror DIR     # once: the pages, at their pinned commits
    python bench/pages.py [--split test|dev|all] [--rounds 1] [--show-misses] [--errors] [--language auto]
                          [--truth-file truth-more.jsonl]

The split is by site, fixed before any rule was written: every site of a page in
../shared/corpus/html (pages the earlier rules were written on) is a development site; the
others go to development or test by a digest of their name (about 60/40). Rules are written
looking at development pages only; the test split's figures are the ones to report.

Pages are built as a user would: ``adapter = "html"``, one source per language with
``timezone = "UTC"``, the URL from a sidecar where the truth knows it (``--language auto``: one source with
``language = "auto"``, and the detected language scored as a BCP 47 tag). Fields are compared as
the acceptance test does: titles after whitespace normalisation, authors as case-insensitive
sets, ``published_at`` as an instant to the minute (to the day where the page states no time; as
wall-clock time where the page states no offset). A rejected page is wrong on every field.
Times are one process's CPU over every page, the best of the rounds.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEVSET = REPO / "bench" / "devset"
FIELDS = ("title", "published_at", "authors")
REFERENCE = datetime(2100, 1, 1)  # no extractor reads the clock: dates up to this one are plausible
Extracted = dict[str, Any]


def load_truth(pattern: str = "truth*.jsonl") -> list[dict[str, Any]]:
    pages = []
    for path in sorted(DEVSET.glob(pattern)):
        pages += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pages


def split_of(site: str, seen_sites: set[str]) -> str:
    if site in seen_sites:
        return "dev"
    return "dev" if int(hashlib.sha256(site.encode()).hexdigest(), 16) % 10 < 6 else "test"


def sites_seen_before(truth: list[dict[str, Any]]) -> set[str]:
    corpus = REPO.parent / "shared" / "corpus" / "html"
    seen = {p.as_posix() for p in corpus.rglob("*.html")} if corpus.is_dir() else set()
    return {page["site"] for page in truth if any(name.endswith(page["path"]) for name in seen)}


def page_file(page: dict[str, Any]) -> Path:
    return DEVSET / "pages" / page["repo"].replace("/", "+") / page["path"]


def newspkg_adapter(pages: list[dict[str, Any]], language: str = "") -> Callable[[dict[str, Any]], Extracted]:
    from newspkg.config import load_project
    from newspkg.convert import Converter
    from newspkg.discover import discover
    from newspkg.schema import load_schemas

    folder = Path(tempfile.mkdtemp(prefix="newspkg-pages-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    names = {}
    for number, page in enumerate(pages):
        declared = language or page["language"]
        source = folder / "raw" / declared.lower()
        if not source.is_dir():
            source.mkdir(parents=True)
            toml = f'adapter = "html"\nlanguage = "{declared}"\ntimezone = "UTC"\n'
            (source / "source.toml").write_text(toml, encoding="utf-8")
        name = f"{number:04}.html"
        (source / name).write_bytes(page_file(page).read_bytes())
        if page.get("url"):
            (source / f"{name}.meta.toml").write_text(f"url = {json.dumps(page['url'])}\n", encoding="utf-8")
        names[page["path"], page["repo"]] = f"raw/{source.name}/{name}"
    project = load_project(folder)
    converter = Converter(project, load_schemas(folder / "schema"), datetime.now(UTC))
    raws = {raw.path: raw for raw in discover(project)}

    def extract(page: dict[str, Any]) -> Extracted:
        outcome = converter.convert(raws[names[page["path"], page["repo"]]])
        return (outcome.record or {}) if outcome.accepted else {"rejected": [i.rule for i in outcome.issues]}

    return extract


def trafilatura_alone(pages: list[dict[str, Any]]) -> Callable[[dict[str, Any]], Extracted]:
    import trafilatura

    params = {"original_date": True, "extensive_search": True, "max_date": REFERENCE.strftime("%Y-%m-%d")}

    def extract(page: dict[str, Any]) -> Extracted:
        html = _decoded(page_file(page).read_bytes())
        found = trafilatura.bare_extraction(
            html, url=page.get("url"), with_metadata=True, date_extraction_params=params
        )
        data = found.as_dict() if found is not None else {}
        author = data.get("author")
        return {
            "title": data.get("title"),
            "published_at": data.get("date"),
            "authors": [a.strip() for a in author.split(";")] if author else [],
            "text": data.get("text"),
        }

    return extract


def htmldate_alone(pages: list[dict[str, Any]]) -> Callable[[dict[str, Any]], Extracted]:
    import htmldate

    def extract(page: dict[str, Any]) -> Extracted:
        html = _decoded(page_file(page).read_bytes())
        found = htmldate.find_date(
            html, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S%z", url=page.get("url"), max_date=REFERENCE
        )
        return {"published_at": found}

    return extract


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


def right_fields(got: Extracted, want: dict[str, Any]) -> dict[str, bool | None]:
    """Each field right (True), wrong (False) or not scored (None: the truth does not say)."""
    authors = want.get("authors")
    return {
        "title": None if want.get("title") is None else _spaced(got.get("title")) == _spaced(want["title"]),
        "published_at": None if want.get("published_at") is None else same_time(got.get("published_at"), want),
        "authors": None
        if authors is None
        else {a.casefold() for a in got.get("authors") or []} == {a.casefold() for a in authors},
        "language": got.get("language") == want["language"] if {"language", "rejected"} & set(got) else None,
    }


def same_time(got: Any, want: dict[str, Any]) -> bool:
    """To the minute where the truth states a time (as an instant where it states an offset,
    else as wall-clock time), to the day where it states only the day."""
    truth = want["published_at"]
    if not isinstance(got, str) or not got:
        return False
    try:
        found = datetime.fromisoformat(got.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        return False
    if len(truth) == 10:
        return found.date().isoformat() == truth
    expected = datetime.fromisoformat(truth)
    if expected.tzinfo is not None and found.tzinfo is not None:
        return abs((found - expected).total_seconds()) < 60
    return found.replace(tzinfo=None, second=0, microsecond=0) == expected.replace(tzinfo=None, second=0)


CHINESE_FIELDS = (*FIELDS, "original_publisher")


def print_chinese_fields(
    pages: list[dict[str, Any]], results: dict[tuple[str, str], Extracted], errors: bool = False
) -> None:
    """The acceptance figure for Chinese pages: every hand-checked field of the pages whose truth
    gives the original publisher too (the 来源), a rejected page wrong on each; with ``errors``, the
    wrong fields counted by kind, naming no page."""
    checked = [p for p in pages if group_of(p) == "zh" and "original_publisher" in p]
    per_field: dict[str, list[bool]] = {field: [] for field in CHINESE_FIELDS}
    kinds: list[str] = []
    full = 0
    for page in checked:
        got = results[page["repo"], page["path"]]
        fields = right_fields(got, page)
        fields["original_publisher"] = _spaced(got.get("original_publisher")) == _spaced(page["original_publisher"])
        kinds += [f"{field}: {_error_kind(field, got, page)}" for field, ok in fields.items() if ok is False]
        scored = {field: bool(fields[field]) for field in CHINESE_FIELDS if fields[field] is not None}
        for field, ok in scored.items():
            per_field[field].append(ok)
        full += all(scored.values())
    right, total = sum(sum(oks) for oks in per_field.values()), sum(len(oks) for oks in per_field.values())
    if total:
        print(f"\nChinese pages with hand-checked fields ({len(checked)} pages, {full} fully right):")
        print(f"{right / total:.0%} of fields right ({right}/{total}); by field: ", end="")
        print(", ".join(f"{field} {sum(oks)}/{len(oks)}" for field, oks in per_field.items()))
    if errors and kinds:
        print("wrong fields by kind: " + ", ".join(f"{kind} {kinds.count(kind)}" for kind in sorted(set(kinds))))


def _error_kind(field: str, got: Extracted, want: dict[str, Any]) -> str:
    if "rejected" in got:
        return "rejected"
    if field in ERROR_KINDS:
        return ERROR_KINDS[field][0](got, want)
    found, wanted = _spaced(got.get(field)), _spaced(want[field])
    if not wanted or not found:
        return "a name where none" if found else "none where a name"
    return "the name and more" if wanted in found else "part of it" if found in wanted else "another name"


def _spaced(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def group_of(page: dict[str, Any]) -> str:
    language = page["language"].split("-")[0]
    return language if language in ("en", "zh") else "other"


def author_error(got: Extracted, want: dict[str, Any]) -> str:
    """What kind of wrong a page's authors are: none where the page names someone, names where it
    names no person, or other names."""
    found, wanted = {a.casefold() for a in got.get("authors") or []}, {a.casefold() for a in want["authors"]}
    if found == wanted:
        return "right"
    return "names where none" if not wanted else "none where names" if not found else "other names"


def date_error(got: Extracted, want: dict[str, Any]) -> str:
    """What kind of wrong a page's ``published_at`` is: none, the day alone where the page states a
    time, the wall clock right in another zone, another time of the day, a day off (a zone), or
    another date."""
    if same_time(got.get("published_at"), want):
        return "right"
    value = got.get("published_at")
    if not value:
        return "none"
    found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    expected = datetime.fromisoformat(want["published_at"])
    if found.replace(tzinfo=None).date() == expected.date():
        if found.time() == datetime.min.time():  # a day alone is midnight
            return "day where a time"
        same_clock = found.replace(tzinfo=None, second=0, microsecond=0) == expected.replace(tzinfo=None)
        return "clock right, zone wrong" if same_clock else "other time of the day"
    days = abs((found.replace(tzinfo=None) - expected.replace(tzinfo=None)).total_seconds()) / 86400
    return "a day off" if days < 1.5 else "other date"


def title_error(got: Extracted, want: dict[str, Any]) -> str:
    """What kind of wrong a page's title is: none, the headline and more (a site, a kicker), part
    of it, or another text."""
    found, wanted = _spaced(got.get("title")), _spaced(want["title"])
    if found == wanted:
        return "right"
    if not found:
        return "none"
    return "headline and more" if wanted in found else "part of it" if found in wanted else "other text"


ERROR_KINDS: dict[str, tuple[Callable[[Extracted, dict[str, Any]], str], tuple[str, ...]]] = {
    "title": (title_error, ("right", "none", "headline and more", "part of it", "other text")),
    "published_at": (
        date_error,
        ("right", "none", "day where a time", "clock right, zone wrong", "other time of the day", "a day off",
         "other date"),
    ),
    "authors": (author_error, ("right", "none where names", "names where none", "other names")),
}  # fmt: skip


def print_date_sources(pages: list[dict[str, Any]], results: dict[tuple[str, str], Extracted]) -> None:
    """Where the adapter's published_at came from (the record's ``date_source``), right and wrong."""
    counts: dict[str, list[int]] = {}
    for page in pages:
        got = results[page["repo"], page["path"]]
        if page["published_at"] is None or "rejected" in got:
            continue
        source = str((got.get("provenance") or {}).get("date_source"))
        counts.setdefault(source, [0, 0])[0 if same_time(got.get("published_at"), page) else 1] += 1
    print("| date_source | right | wrong |\n|---|---|---|")
    for source, (right, wrong) in sorted(counts.items(), key=lambda item: -sum(item[1])):
        print(f"| {source} | {right} | {wrong} |")
    print()


def print_errors(field: str, pages: list[dict[str, Any]], results: dict[tuple[str, str], Extracted]) -> None:
    """The adapter's wrong values of a field counted by kind, naming no page."""
    classify, kinds = ERROR_KINDS[field]
    print(f"\n| {field} | " + " | ".join(kinds) + " |\n" + "|---" * (len(kinds) + 1) + "|")
    for group in ("all", "en", "zh", "other"):
        scored = [(results[p["repo"], p["path"]], p) for p in pages if group in ("all", group_of(p))]
        counted = [
            classify(got, page)
            for got, page in scored
            if page[field] is not None and "rejected" not in got  # unscored, or wrong on every field
        ]
        print(f"| {group} | " + " | ".join(str(counted.count(kind)) for kind in kinds) + " |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("test", "dev", "all"), default="test")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--show-misses", action="store_true", help="print the newspkg adapter's wrong fields")
    parser.add_argument(
        "--errors", action="store_true", help="count the adapter's wrong values of each field by kind, naming no page"
    )
    parser.add_argument("--language", choices=("auto",), default="", help='build with language = "auto"')
    parser.add_argument(
        "--truth-file", default="", help="score only the pages of this truth file (pages added after the rules)"
    )
    args = parser.parse_args()
    truth = load_truth()
    seen = sites_seen_before(truth)
    pages = [p for p in truth if args.split == "all" or split_of(p["site"], seen) == args.split]
    if args.truth_file:
        listed = {(p["repo"], p["path"]) for p in load_truth(args.truth_file)}
        pages = [p for p in pages if (p["repo"], p["path"]) in listed]
    missing = [p["path"] for p in pages if not page_file(p).is_file()]
    if missing:
        raise SystemExit(f"{len(missing)} pages are not fetched: run python bench/devset/fetch.py first")
    sites = {p["site"] for p in pages}
    print(f"{args.split} split: {len(pages)} pages of {len(sites)} sites\n")
    fields = (*FIELDS, "language") if args.language else FIELDS
    print("| extractor | group | pages | rejected | " + " | ".join(fields) + " | CPU s |")
    print("|---" * (len(fields) + 5) + "|")
    adapter_results: dict[tuple[str, str], Extracted] = {}
    for label, make in (
        ("newspkg html adapter", lambda pages: newspkg_adapter(pages, args.language)),
        ("trafilatura alone", trafilatura_alone),
        ("htmldate alone", htmldate_alone),
    ):
        extract = make(pages)
        best, results = float("inf"), {}
        for _ in range(args.rounds):
            started = time.process_time()
            results = {(p["repo"], p["path"]): extract(p) for p in pages}
            best = min(best, time.process_time() - started)
        for group in ("all", "en", "zh", "other"):
            chosen = [p for p in pages if group in ("all", group_of(p))]
            checks = [right_fields(results[p["repo"], p["path"]], p) for p in chosen]
            rejected = sum("rejected" in results[p["repo"], p["path"]] for p in chosen)
            cells = []
            for field in fields:
                scored = [c[field] for c in checks if c[field] is not None]
                if (label == "htmldate alone" and field != "published_at") or not scored:
                    cells.append("—")
                else:
                    right = sum(map(bool, scored))
                    cells.append(f"{right / len(scored):.0%} ({right}/{len(scored)})")
            time_cell = f"{best:.1f}" if group == "all" else ""
            print(f"| {label} | {group} | {len(chosen)} | {rejected} | {' | '.join(cells)} | {time_cell} |")
        if label.startswith("newspkg"):
            adapter_results = results
        if args.errors and label.startswith("newspkg"):
            for field in FIELDS:
                print_errors(field, pages, results)
            print_date_sources(pages, results)
        if args.show_misses and label.startswith("newspkg"):
            for page in pages:
                got = results[page["repo"], page["path"]]
                wrong = [f for f, ok in right_fields(got, page).items() if ok is False]
                if wrong:
                    shown = {f: (got.get(f), page.get(f)) for f in wrong}
                    print(f"  MISS {page['repo']}:{page['path']} {got.get('rejected', '')} {shown}")
    print_chinese_fields(pages, adapter_results, args.errors)


if __name__ == "__main__":
    main()
