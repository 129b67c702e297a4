"""Benchmark newspkg on a synthetic corpus and print one markdown table.

    python bench/run.py --files N [--seed S] [--workdir DIR]

Run it with the Python of the environment newspkg is installed in: the steps run as child
processes of that interpreter (newspkg and frictionless from the same bin/ folder). Each step is
timed on the wall clock; its peak RSS is ru_maxrss from wait4 on its pid (taken by GNU time where
present), and the peak of its whole process tree comes from sampling /proc. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import orjson

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PACKAGES = (
    "newspkg",
    "jsonschema",
    "rfc3987-syntax",
    "frictionless",
    "orjson",
    "pyarrow",
    "charset-normalizer",
    "pandas",
)
# Beyond this, frictionless is skipped: at 2 rows/record it is the slowest step by far.
FRICTIONLESS_LIMIT_SECONDS = 600
# Used only before any frictionless run was measured in the workdir (an earlier measurement, whole package, 2 cores).
FRICTIONLESS_DESIGN_ROWS_PER_SECOND = 3200
LOG_TAIL_CHARS = 1500
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
RSS_METHOD = "GNU time (wait4 on the step's pid)" if GNU_TIME else "wait4 from run.py (at least run.py's own RSS)"
BUILD_OUTPUTS = ("build/articles.jsonl", "build/articles.parquet", "build/rejects.jsonl", "build/report.json")


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mb: float  # wait4's ru_maxrss: the largest single process (the step, or a descendant it reaped)
    tree_mb: float  # sampled: the child and all its descendants together (0 where /proc is missing)
    exit_code: int


@dataclass
class Row:
    step: str
    measured: Measurement | None  # None: skipped
    count: int  # files or records the rate is computed over
    unit: str
    ok_codes: tuple[int, ...] = (0,)
    note: str = ""
    log: Path | None = None

    @property
    def ok(self) -> bool:
        return self.measured is not None and self.measured.exit_code in self.ok_codes

    def cells(self) -> list[str]:
        m = self.measured
        if m is None:
            return [self.step, "–", "–", "–", "–", "skipped", self.note]
        status = ("ok" if self.ok else "FAILED") + (f" (exit {m.exit_code})" if m.exit_code else "")
        tree = f"{m.tree_mb:.0f}" if m.tree_mb else "–"
        rate = f"{self.count / m.seconds:,.0f} {self.unit}/s" if self.ok else "–"  # a crash has no rate
        return [self.step, f"{m.seconds:.2f}", rate, f"{m.peak_mb:.0f}", tree, status, self.note]


class TreeRss(threading.Thread):
    """Samples the summed RSS of a process and its descendants: what a process pool costs in all.

    wait4 cannot give that: its ru_maxrss is a maximum over processes, never a sum.
    """

    INTERVAL = 0.1

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.INTERVAL):
            self.peak = max(self.peak, tree_rss(self.pid))

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak / 2**20


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and its descendants (pages shared between them count in each)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE_SIZE
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # it ended between two reads, or there is no /proc
    return total


def measure(argv: list[str], cwd: Path, log: Path) -> Measurement:
    """Run one child process to its end, its output going to ``log``.

    The peak RSS is ru_maxrss from wait4 on the step's pid. Where GNU time exists, it is the one
    that waits: a child spawned from here starts with this script's RSS as its high-water mark
    (exec keeps it), so wait4 from here never reports less than this script's own size.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss, log.open("wb") as out:
        wrapped = [GNU_TIME, "-f", "%M", "-o", rss.name, *argv] if GNU_TIME else argv
        started = time.perf_counter()
        child = subprocess.Popen(wrapped, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeRss(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        tree_mb = sampler.stop()
        # GNU time writes "Command exited with non-zero status N" before the number when N != 0.
        peak_kib = int(rss.read().split()[-1]) if GNU_TIME else usage.ru_maxrss
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    return Measurement(seconds, peak_kib / 1024, tree_mb, child.returncode)


def run_step(step: str, argv: list[str], cwd: Path, logs: Path, count: int, unit: str, **kw: Any) -> Row:
    log = logs / (step.replace(" ", "_").replace("/", "_") + ".log")
    return Row(step, measure(argv, cwd, log), count, unit, log=log, **kw)


def corpus(workdir: Path, files: int, seed: int) -> tuple[Path, dict[str, object], str]:
    """The corpus for (files, seed), generated unless a complete one of this generator version exists."""
    sys.path.insert(0, str(BENCH))
    from generate import SUMMARY_FILE, VERSION  # bench/ is not a package: import by path

    out = workdir / f"corpus-{files}-seed{seed}"
    summary_path = out / SUMMARY_FILE
    if summary_path.exists():
        summary = json.loads(summary_path.read_text())
        if summary.get("version") == VERSION:
            return out, summary, "reused"
    out.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, str(BENCH / "generate.py"), str(out), "--files", str(files), "--seed", str(seed)]
    generated = measure(argv, workdir, workdir / "generate.log")
    if generated.exit_code:
        sys.exit(f"generate.py failed:\n{(workdir / 'generate.log').read_text()[-LOG_TAIL_CHARS:]}")
    how = f"generated in {generated.seconds:.1f} s, peak RSS {generated.peak_mb:.0f} MB"
    return out, json.loads(summary_path.read_text()), how


def build_variants() -> list[list[str]]:
    """Options of the builds to run, in run order: the reference build (--jobs 1, cache on) runs last."""
    help_text = subprocess.run([BIN / "newspkg", "build", "--help"], capture_output=True, text=True).stdout
    if "--jobs" not in help_text:
        return [[]]
    caches = [["--no-cache"], []] if "--no-cache" in help_text else [[]]
    return [["--jobs", jobs, *cache] for jobs in ("2", "1") for cache in caches]


def build_rows(repo: Path, logs: Path, files: int) -> tuple[list[Row], bool, list[str]]:
    """Cold builds, the reference last so that later steps read its outputs.

    Returns the rows (reference first), whether the reference build finished, and findings: builds
    whose outputs differ (they must not depend on the number of workers or the cache).
    """
    variants = build_variants()
    note = "cold; exit 1 = rejects found" if variants[0] else "cold, default engine; exit 1 = rejects found"
    rows, digests = [], {}
    for extra in variants:
        # Cold builds only: build/ holds the outcome cache, which would turn a rerun into a cache read.
        shutil.rmtree(repo / "build", ignore_errors=True)
        step = " ".join(["newspkg build", *extra])
        argv = [str(BIN / "newspkg"), "build", *extra]
        row = run_step(step, argv, repo, logs, files, "files", ok_codes=(0, 1), note=note)
        if not (repo / "build/report.json").exists():
            row.ok_codes = (0,)  # Python exits 1 on a crash too: only a written report means it finished
        if row.ok:
            digests[step] = tuple(sha256(repo / path) for path in BUILD_OUTPUTS)
        rows.append(row)
    groups: dict[tuple[str, ...], list[str]] = {}
    for step, digest in digests.items():
        groups.setdefault(digest, []).append(step)
    findings = [] if len(groups) <= 1 else ["build outputs differ: " + " vs ".join(map(str, groups.values()))]
    return rows[::-1], rows[-1].ok, findings


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def frictionless_row(repo: Path, logs: Path, workdir: Path, records: int) -> Row:
    rows = 2 * records  # the JSONL and the Parquet resource
    estimate, basis = frictionless_estimate(workdir, rows)
    if estimate > FRICTIONLESS_LIMIT_SECONDS:
        note = f"would take ~{estimate / 60:.0f} min ({basis})"
        return Row("frictionless validate datapackage.json", None, rows, "rows", note=note)
    argv = [str(BIN / "frictionless"), "validate", "datapackage.json"]
    row = run_step(
        "frictionless validate datapackage.json", argv, repo, logs, rows, "rows", note="JSONL + Parquet rows"
    )
    if row.ok and row.measured:
        rates = json.loads(rates_file(workdir).read_text()) if rates_file(workdir).exists() else {}
        rates[str(rows)] = rows / row.measured.seconds
        rates_file(workdir).write_text(json.dumps(rates, indent=2) + "\n")
    return row


def rates_file(workdir: Path) -> Path:
    return workdir / "frictionless-rates.json"


def frictionless_estimate(workdir: Path, rows: int) -> tuple[float, str]:
    """Seconds frictionless would take, from the largest smaller run measured in this workdir."""
    measured = json.loads(rates_file(workdir).read_text()) if rates_file(workdir).exists() else {}
    smaller = [int(n) for n in measured if int(n) <= rows]
    if smaller:
        basis_rows = max(smaller)
        rate = measured[str(basis_rows)]
        return rows / rate, f"estimated from the {basis_rows:,}-row run, {rate:,.0f} rows/s"
    rate = FRICTIONLESS_DESIGN_ROWS_PER_SECOND
    return rows / rate, f"estimated from an earlier measurement's {rate:,} rows/s"


def check_build(repo: Path, expected: dict[str, int]) -> list[str]:
    """Does the build agree with what the generator put in each file? Findings, one per line."""
    report = json.loads((repo / "build/report.json").read_text())
    findings = [
        f"report.json {key} = {report.get(key)}, the generator made {value}"
        for key, value in expected.items()
        if report.get(key) != value
    ]
    wanted = {}
    for entry in jsonl(repo / "bench-corpus.jsonl"):
        wanted[entry["path"]] = entry
    return findings + record_findings(repo, wanted) + reject_findings(repo, wanted)


def jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as lines:
        for line in lines:
            yield orjson.loads(line)


def record_findings(repo: Path, wanted: dict[str, dict[str, Any]]) -> list[str]:
    """Accepted records whose title, date, URL or encoding is not what the generator wrote."""
    mismatches: dict[str, list[str]] = {}
    for record in jsonl(repo / "build/articles.jsonl"):
        entry = wanted[record["provenance"]["raw_path"]]
        got = {**record, "encoding": record["provenance"]["encoding"]}
        for key in ("title", "published_at", "url", "encoding"):
            # Detection may name GB18030 text gbk or gb2312; the titles show whether it decoded right.
            if got[key] != entry[key] and not (key == "encoding" and entry[key] == "gb18030"):
                mismatches.setdefault(key, []).append(f"{entry['path']}: {got[key]!r} != {entry[key]!r}")
    return [
        f"{len(found)} records with an unexpected {key}, e.g. {'; '.join(found[:3])}"
        for key, found in mismatches.items()
    ]


def reject_findings(repo: Path, wanted: dict[str, dict[str, Any]]) -> list[str]:
    """Rejected files that the generator meant to be accepted, with the rules that rejected them."""
    found = []
    for entry in jsonl(repo / "build/rejects.jsonl"):
        meant = wanted[entry["raw_path"]]
        if meant["kind"] != "reject":
            rules = sorted({issue["rule"] for issue in entry["issues"] if issue["severity"] == "error"})
            found.append(f"{entry['raw_path']} ({meant['encoding']}): {', '.join(rules)}")
    return [f"{len(found)} good files rejected: {'; '.join(found[:3])}"] if found else []


def loads() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def environment(summary: dict[str, object], how: str, seed: int, load: str, source: str) -> list[str]:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    megabytes = summary["bytes"] / 1e6  # type: ignore[operator]
    return [
        f"- machine: {cpus} CPUs ({usable} usable), {platform.platform()}",
        f"- load average (1, 5, 15 min) before the run: {load}, after: {loads()}; other work skews the numbers",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), {sys.executable}",
        f"- packages: {', '.join(versions)}",
        f"- peak RSS taken by: {RSS_METHOD}",
        source_line(source),
        f"- corpus: {summary['files']:,} raw files, {megabytes:.1f} MB, seed {seed}, {how}",
        f"  kinds {summary['kinds']}, encodings {summary['encodings']}",
    ]


def source_state() -> str:
    """The commit of newspkg's checkout, and a digest of src/ as it is on disk (uncommitted edits too)."""
    repo = BENCH.parent
    commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    digest = hashlib.sha256()
    for path in sorted((repo / "src").rglob("*.py")):
        digest.update(path.relative_to(repo).as_posix().encode() + b"\0" + path.read_bytes())
    return f"commit {commit.stdout.strip() or 'unknown'}, src/ digest {digest.hexdigest()[:12]}"


def source_line(at_start: str) -> str:
    # Others may edit src/ while a run takes minutes: then rows were measured on different code.
    at_end = source_state()
    if at_end == at_start:
        return f"- newspkg source: {at_start}"
    return f"- newspkg source CHANGED DURING THE RUN: {at_start} at the start, {at_end} at the end"


def table(rows: list[Row]) -> list[str]:
    header = ["step", "wall s", "rate", "peak RSS MB", "tree RSS MB", "status", "note"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return lines


def package_rows(repo: Path, logs: Path, workdir: Path, records: int) -> list[Row]:
    """The steps that read what the build wrote."""
    schema_argv = [sys.executable, str(BENCH / "jsonschema_only.py"), str(repo)]
    validate_argv = [str(BIN / "newspkg"), "validate", "datapackage.json"]
    # python-jsonschema's format checkers come with the bench extra, which also makes every import of
    # frictionless compile rfc3987-syntax's grammars, newspkg validate's profile check included: a
    # user's environment (the test extra, or none) has neither, so the guardrails are measured there.
    if importlib.util.find_spec("rfc3987_syntax") is None:
        schema_row = skipped(["python-jsonschema only"], "needs the bench extra: pip install -e '.[bench]'")[0]
    else:
        schema_row = run_step("python-jsonschema only", schema_argv, repo, logs, records, "records")
    return [
        schema_row,
        run_step("newspkg validate datapackage.json", validate_argv, repo, logs, records, "records"),
        frictionless_row(repo, logs, workdir, records),
    ]


def skipped(steps: list[str], why: str) -> list[Row]:
    return [Row(step, None, 0, "", note=why) for step in steps]


# The guardrails, as (what, the rows it compares, its figure from them, the bound, whether it is met).
GUARDRAILS: list[tuple[str, tuple[str, ...], Callable[..., float], str, Callable[[float], bool]]] = [
    (
        "build, 2 workers, no cache: × the floor's time",
        ("newspkg build --jobs 2 --no-cache", "floor (read + write JSONL)"),
        lambda build, floor: build.measured.seconds / floor.measured.seconds,
        "≤ 3",
        lambda value: value <= 3,
    ),
    (
        "validate: × faster than frictionless (same package, same run)",
        ("frictionless validate datapackage.json", "newspkg validate datapackage.json"),
        lambda frictionless, validate: frictionless.measured.seconds / validate.measured.seconds,
        "≥ 15",
        lambda value: value >= 15,
    ),
    (
        "1% changed: % of the cold --jobs 2 build's time",
        ("newspkg build, {changed} files (1%) changed, cache warm", "newspkg build --jobs 2"),
        lambda warm, cold: 100 * warm.measured.seconds / cold.measured.seconds,
        "≤ 20",
        lambda value: value <= 20,
    ),
    (
        "peak RSS of any newspkg build or validate, MB",
        ("newspkg build*", "newspkg validate datapackage.json"),
        lambda *rows: max(row.measured.peak_mb for row in rows),
        "≤ 300",
        lambda value: value <= 300,
    ),
]


def guardrails(rows: list[Row]) -> list[str]:
    """Each guardrail's figure from this run's rows, and whether it is met; "not measured" where a
    row it needs was skipped or failed."""
    lines = ["| guardrail | this run | bound | met |", "|---|---|---|---|"]
    for what, names, figure, bound, met in GUARDRAILS:
        named = [[row for row in rows if _named(row.step, name)] for name in names]
        chosen = [row for matches in named for row in matches]
        if not all(named) or not all(row.ok for row in chosen):
            lines.append(f"| {what} | not measured | {bound} | – |")
            continue
        value = figure(*chosen)
        lines.append(f"| {what} | {value:,.1f} | {bound} | {'yes' if met(value) else 'no'} |")
    return lines


def _named(step: str, name: str) -> bool:
    """Whether a row's step is the one a guardrail names ("*" ends a prefix, {changed} any count)."""
    if name.endswith("*"):
        return step.startswith(name[:-1])
    if "{changed}" in name:
        before, after = name.split("{changed}")
        return step.startswith(before) and step.endswith(after)
    return step == name


def report(rows: list[Row], findings: list[str]) -> list[str]:
    lines = [*table(rows), "", "Against the guardrails:", "", *guardrails(rows), ""]
    if findings:
        lines += ["build check: the build does not match the generated corpus", *(f"- {f}" for f in findings)]
    else:
        lines.append("build check: ok (counts, titles, dates, URLs and encodings as generated)")
    for row in rows:
        if row.measured and not row.ok and row.log:
            tail = row.log.read_text(errors="replace")[-LOG_TAIL_CHARS:]
            lines += ["", f"{row.step} failed; end of {row.log}:", "```", tail.rstrip(), "```"]
    return lines


TOUCHED_SHARE = 100  # one raw file in a hundred changes before the incremental build


def incremental_row(repo: Path, logs: Path, files: int) -> Row:
    """Rebuild with the warm cache (the reference build's) after changing 1% of the raw files (see
    :func:`one_percent_changed`)."""
    with one_percent_changed(repo) as changed:
        step = f"newspkg build, {changed:,} files ({100 / TOUCHED_SHARE:g}%) changed, cache warm"
        argv = [str(BIN / "newspkg"), "build"]
        return run_step(
            step, argv, repo, logs, files, "files", ok_codes=(0, 1), note="compare with the cold build, cache on"
        )


@contextlib.contextmanager
def one_percent_changed(repo: Path, mark: str = "") -> Iterator[int]:
    """Every hundredth raw file in path order gets one more sentence, in its own encoding's bytes
    (UTF-8 or GB18030 both encode it; a sentence appended at the end never touches front matter);
    yields how many, and puts them back as they were (later runs reuse the corpus). A new ``mark``
    in the sentence makes bytes no cache has seen."""
    raw = sorted(p for p in (repo / "raw").rglob("*") if p.is_file() and p.name != "source.toml")
    originals = {path: path.read_bytes() for path in raw[::TOUCHED_SHARE]}
    for path, data in originals.items():
        encoding = "utf-8" if _is_utf8(data) else "gb18030"
        path.write_bytes(data + f"\n\n新增一句，用于增量构建测试。{mark}\n".encode(encoding))
    try:
        yield len(originals)
    finally:
        for path, data in originals.items():
            path.write_bytes(data)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, required=True, help="raw files in the corpus")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newspkg-bench")
    args = parser.parse_args()
    load, source = loads(), source_state()
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    repo, summary, how = corpus(workdir, args.files, args.seed)
    logs = workdir / f"logs-{args.files}-seed{args.seed}"
    logs.mkdir(exist_ok=True)
    expected: dict[str, int] = summary["expected"]  # type: ignore[assignment]
    floor_argv = [sys.executable, str(BENCH / "floor.py"), str(repo), str(workdir / "floor.jsonl")]
    rows = [run_step("floor (read + write JSONL)", floor_argv, repo, logs, args.files, "files")]
    builds, built, findings = build_rows(repo, logs, args.files)
    rows += builds
    if built:
        findings += check_build(repo, expected)
        rows.append(incremental_row(repo, logs, args.files))
        rows += package_rows(repo, logs, workdir, expected["accepted"])
    else:
        findings.append("the build failed: nothing to check")
        rows += skipped(["python-jsonschema only", "newspkg validate", "frictionless validate"], "the build failed")
    print("\n".join([*environment(summary, how, args.seed, load, source), "", *report(rows, findings)]))


if __name__ == "__main__":
    main()
