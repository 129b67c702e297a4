"""Build the package: convert every raw file, settle duplicates, write the outputs, then the descriptor."""

from __future__ import annotations

import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from newspkg import package
from newspkg.config import Project
from newspkg.convert import Converter, Outcome
from newspkg.discover import discover
from newspkg.issues import Issue, Severity
from newspkg.schema import SchemaSet
from newspkg.write import JsonlWriter, ParquetWriter, write_atomic

REJECTS_PATH = "build/rejects.jsonl"
REPORT_PATH = "build/report.json"
# Outputs compared by `newspkg build --check`, descriptor last.
OUTPUTS = (package.JSONL_PATH, package.PARQUET_PATH, REJECTS_PATH, REPORT_PATH, "datapackage.json")


@dataclass(frozen=True, slots=True)
class Duplicate:
    raw_path: str
    raw_sha256: str
    source: str
    duplicate_of: str  # id of the kept record
    kept_raw_path: str
    reason: str  # "same-id" (same canonical URL) or "same-text" (same fingerprint)

    def to_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass
class BuildSummary:
    """What every raw file became; accepted + rejected + duplicates == inputs."""

    inputs: int = 0
    accepted: int = 0
    rejects: list[Outcome] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    per_source: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def unacknowledged(self) -> list[Outcome]:
        return [outcome for outcome in self.rejects if outcome.acknowledged is None]

    def issues(self) -> list[Issue]:
        """Every issue worth showing: rejects' issues, then warnings of accepted records."""
        found = [issue for outcome in self.rejects for issue in outcome.issues]
        return found + self.warnings

    def to_dict(self) -> dict[str, Any]:
        rejected_by_rule = Counter(
            issue.rule for o in self.rejects for issue in o.issues if issue.severity is Severity.ERROR
        )
        return {
            "inputs": self.inputs,
            "accepted": self.accepted,
            "rejected": len(self.rejects),
            "rejected_acknowledged": len(self.rejects) - len(self.unacknowledged),
            "duplicates": len(self.duplicates),
            "warnings": len(self.warnings),
            "rejected_by_rule": dict(sorted(rejected_by_rule.items())),
            "per_source": {name: dict(sorted(c.items())) for name, c in sorted(self.per_source.items())},
            "rejects": [
                {
                    "raw_path": o.raw_path,
                    "rules": sorted({i.rule for i in o.issues if i.severity is Severity.ERROR}),
                    "acknowledged": o.acknowledged,
                }
                for o in self.rejects
            ],
            "duplicates_of": [d.to_dict() for d in self.duplicates],
        }


class _Deduplicator:
    """Keeps the first record (in raw path order) of each URL and of each text; later ones are duplicates."""

    def __init__(self) -> None:
        self._by_id: dict[str, str] = {}
        self._by_fingerprint: dict[str, tuple[str, str]] = {}

    def twin(self, record: dict[str, Any]) -> tuple[str, str, str] | None:
        """(kept id, kept raw path, reason) when ``record`` repeats one already kept."""
        if record["id"] in self._by_id:
            return record["id"], self._by_id[record["id"]], "same-id"
        if record["fingerprint"] in self._by_fingerprint:
            kept_id, kept_path = self._by_fingerprint[record["fingerprint"]]
            return kept_id, kept_path, "same-text"
        raw_path = record["provenance"]["raw_path"]
        self._by_id[record["id"]] = raw_path
        self._by_fingerprint[record["fingerprint"]] = (record["id"], raw_path)
        return None


def convert_all(
    project: Project, schemas: SchemaSet, now: datetime | None = None, only: Iterable[str] | None = None
) -> Iterator[Outcome]:
    """Convert every raw file, or those whose path is in ``only``, in discovery order."""
    converter = Converter(project, schemas, now)
    wanted = set(only) if only is not None else None
    for raw in discover(project, wanted):
        yield converter.convert(raw)


def summarize(outcomes: Iterable[Outcome]) -> BuildSummary:
    """Settle outcomes without writing anything (what ``newspkg validate raw/`` reports)."""
    summary = BuildSummary()
    for _ in _settle(outcomes, summary):
        pass
    return summary


def build(
    project: Project, schemas: SchemaSet, out_root: Path, command: str = "newspkg build", now: datetime | None = None
) -> BuildSummary:
    """Write build/ and datapackage.json under ``out_root``; return what became of every input."""
    previous = package.read_descriptor(project.descriptor_path)
    summary = BuildSummary()
    manifest: list[tuple[str, str]] = []
    jsonl = JsonlWriter(out_root / package.JSONL_PATH)
    parquet = ParquetWriter(out_root / package.PARQUET_PATH, schemas.arrow_schema())
    rejects = JsonlWriter(out_root / REJECTS_PATH)
    with jsonl, parquet, rejects:
        for outcome in _settle(convert_all(project, schemas, now), summary):
            manifest.append((outcome.raw_path, outcome.raw_sha256))
            if outcome.accepted and outcome.record is not None:
                jsonl.write(outcome.record)
                parquet.write(outcome.record)
            elif not outcome.accepted:
                rejects.write(_reject_entry(outcome))
    for writer in (jsonl, parquet, rejects):
        writer.commit()
    write_atomic(out_root / REPORT_PATH, _json_bytes(summary.to_dict()))
    outputs = {path: package.file_facts(out_root / path) for path in (package.JSONL_PATH, package.PARQUET_PATH)}
    counts = {name: dict(counter) for name, counter in summary.per_source.items()}
    provenance = package.provenance(project, package.manifest_digest(manifest), summary.inputs, counts, command)
    descriptor = package.descriptor(previous, project, schemas, outputs, provenance)
    write_atomic(out_root / "datapackage.json", package.dump_descriptor(descriptor))
    return summary


def _settle(outcomes: Iterable[Outcome], summary: BuildSummary) -> Iterator[Outcome]:
    """Count every outcome and mark duplicates; yields the outcomes that are records or rejects."""
    dedup = _Deduplicator()
    for outcome in outcomes:
        summary.inputs += 1
        counts = summary.per_source[outcome.source]
        counts.update(inputs=1, accepted=0, rejected=0, duplicates=0)  # every key present, even at 0
        if not outcome.accepted:
            summary.rejects.append(outcome)
            counts["rejected"] += 1
            yield outcome
            continue
        assert outcome.record is not None
        twin = dedup.twin(outcome.record)
        if twin:
            summary.duplicates.append(Duplicate(outcome.raw_path, outcome.raw_sha256, outcome.source, *twin))
            counts["duplicates"] += 1
            continue
        summary.accepted += 1
        counts["accepted"] += 1
        summary.warnings.extend(i for i in outcome.issues if i.severity is Severity.WARNING)
        if outcome.acknowledged:
            message = "source.toml acknowledges a reject, but the file is now accepted: remove the acknowledgement"
            summary.warnings.append(Issue(outcome.raw_path, "", "", "acknowledged:stale", message, Severity.WARNING))
        yield outcome


def _reject_entry(outcome: Outcome) -> dict[str, Any]:
    return {
        "raw_path": outcome.raw_path,
        "raw_sha256": outcome.raw_sha256,
        "source": outcome.source,
        "acknowledged": outcome.acknowledged,
        "issues": [issue.to_dict() for issue in outcome.issues],
        "extracted": outcome.record,
    }


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def check(project: Project, schemas: SchemaSet, command: str = "newspkg build") -> list[str]:
    """Rebuild into a scratch folder; name every committed output that differs from the rebuild."""
    with tempfile.TemporaryDirectory(prefix="newspkg-check-") as scratch:
        build(project, schemas, Path(scratch), command)
        return [path for path in OUTPUTS if not _same_output(project.root / path, Path(scratch) / path)]


def _same_output(committed: Path, rebuilt: Path) -> bool:
    if not committed.exists():
        return False
    if committed.name != "datapackage.json":
        return committed.read_bytes() == rebuilt.read_bytes()
    # The commit a package was built on cannot be known before it is committed: compare the rest.
    return _without_git(committed) == _without_git(rebuilt)


def _without_git(path: Path) -> dict[str, Any]:
    descriptor: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    descriptor.get(package.PROVENANCE, {}).pop("git", None)
    return descriptor
