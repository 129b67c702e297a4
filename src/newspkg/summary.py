"""What every raw file became: the build's and ``newspkg validate``'s summary, and build/report.json.

accepted + rejected + duplicates + filtered == inputs, always. Memory does not grow with the corpus: rejects
and duplicates are listed on disk (:mod:`newspkg.spilled`), warnings counted by rule and only the
first ones kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from newspkg import report
from newspkg.convert import Outcome
from newspkg.issues import MAX_KEPT_WARNINGS, Issue, Severity
from newspkg.spilled import SpilledList

COUNTS = ("inputs", "accepted", "rejected", "duplicates", "filtered")  # what a source's counts hold


@dataclass(frozen=True, slots=True)
class Duplicate:
    raw_path: str
    raw_sha256: str
    source: str
    duplicate_of: str  # id of the kept record
    kept_raw_path: str
    reason: str  # "same-id" (same URL), "same-text" (same fingerprint), "near-text" (a dropped near-duplicate)

    def to_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class Reject:
    """A rejected file as the summary lists it: its issues, and why its source accepts that, if it does."""

    raw_path: str
    acknowledged: str | None
    issues: tuple[Issue, ...]

    def to_dict(self) -> dict[str, Any]:
        """Its entry in build/report.json."""
        rules = sorted({issue.rule for issue in self.issues if issue.severity is Severity.ERROR})
        return {"raw_path": self.raw_path, "rules": rules, "acknowledged": self.acknowledged}

    def to_row(self) -> list[Any]:
        return [self.raw_path, self.acknowledged, [issue.to_dict() for issue in self.issues]]

    @classmethod
    def from_row(cls, row: list[Any]) -> Reject:
        raw_path, acknowledged, issues = row
        return cls(raw_path, acknowledged, tuple(Issue.from_dict(issue) for issue in issues))


def _spilled_rejects() -> SpilledList[Reject]:
    return SpilledList(Reject.to_row, Reject.from_row)


def _spilled_duplicates() -> SpilledList[Duplicate]:
    return SpilledList(Duplicate.to_dict, lambda fields: Duplicate(**fields))


@dataclass
class BuildSummary:
    """What every raw file (or item of a container) became; accepted + rejected + duplicates +
    filtered == inputs.

    Memory does not grow with the corpus: rejects and duplicates are listed on disk (see
    :mod:`newspkg.spilled`), warnings are counted by rule and only the first ones kept.
    """

    inputs: int = 0
    files: int = 0  # the raw files the inputs are items of (a crawl's or an export's items count once)
    from_cache: int = 0  # inputs whose outcome an earlier build had already computed
    converted_because: Counter[str] = field(default_factory=Counter)  # the others, with the cache: why
    accepted: int = 0
    rejects: SpilledList[Reject] = field(default_factory=_spilled_rejects)
    rejected_acknowledged: int = 0
    rejected_by_rule: Counter[str] = field(default_factory=Counter)  # files rejected by each error rule
    duplicates: SpilledList[Duplicate] = field(default_factory=_spilled_duplicates)
    filtered_by_reason: Counter[str] = field(default_factory=Counter)  # items of containers not taken
    warnings: list[Issue] = field(default_factory=list)  # the first MAX_KEPT_WARNINGS
    warnings_by_rule: Counter[str] = field(default_factory=Counter)
    per_source: dict[str, Counter[str]] = field(default_factory=dict)
    near_duplicates: dict[str, Any] = field(default_factory=dict)  # see NearDuplicateIndex.figures

    @property
    def unacknowledged(self) -> int:
        """How many rejects their source does not acknowledge: any makes the build exit 1."""
        return len(self.rejects) - self.rejected_acknowledged

    def reject(self, outcome: Outcome) -> None:
        self.rejects.append(Reject(outcome.raw_path, outcome.acknowledged, outcome.issues))
        self.rejected_acknowledged += outcome.acknowledged is not None
        self.rejected_by_rule.update({issue.rule for issue in outcome.issues if issue.severity is Severity.ERROR})
        # Shown with the reject's issues, so counted as the accepted records' are: every one printed is counted.
        self.warnings_by_rule.update(issue.rule for issue in outcome.issues if issue.severity is Severity.WARNING)
        self.count(outcome.source, "rejected")

    def filter(self, outcome: Outcome) -> None:
        self.filtered_by_reason[outcome.filtered] += 1
        self.count(outcome.source, "filtered")

    @property
    def near_dropped(self) -> bool:
        return bool(self.near_duplicates.get("dropped"))

    def duplicate(self, duplicate: Duplicate) -> None:
        self.duplicates.append(duplicate)
        self.count(duplicate.source, "duplicates")

    def issues(self) -> Iterator[tuple[Issue, str | None]]:
        """Every issue worth showing, with its file's acknowledgement: rejects' issues, then (the
        first) warnings of accepted records."""
        for reject in self.rejects:
            for issue in reject.issues:
                yield issue, reject.acknowledged
        for issue in self.warnings:
            yield issue, None

    def count(self, source: str, what: str) -> None:
        if source not in self.per_source:  # every key present, even at 0
            self.per_source[source] = Counter(dict.fromkeys(COUNTS, 0))
        self.per_source[source][what] += 1

    def warn(self, issue: Issue) -> None:
        self.warnings_by_rule[issue.rule] += 1
        if len(self.warnings) < MAX_KEPT_WARNINGS:
            self.warnings.append(issue)

    def warn_all(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            self.warn(issue)

    def counts(self) -> dict[str, Any]:
        """The summary's figures: :meth:`to_dict` without the lists of rejects and duplicates."""
        return {
            "inputs": self.inputs,
            "accepted": self.accepted,
            "rejected": len(self.rejects),
            "rejected_acknowledged": self.rejected_acknowledged,
            "duplicates": len(self.duplicates),
            "filtered": self.filtered_by_reason.total(),
            "warnings": self.warnings_by_rule.total(),
            "rejected_by_rule": dict(sorted(self.rejected_by_rule.items())),
            "warnings_by_rule": dict(sorted(self.warnings_by_rule.items())),
            "filtered_by_reason": dict(sorted(self.filtered_by_reason.items())),
            "per_source": {name: dict(sorted(c.items())) for name, c in sorted(self.per_source.items())},
            "near_duplicates": self.near_duplicates,
        }

    def lists(self) -> dict[str, Iterator[dict[str, Any]]]:
        """Every reject and every duplicate, one small dict at a time, read from disk."""
        return {
            "rejects": (reject.to_dict() for reject in self.rejects),
            "duplicates_of": (duplicate.to_dict() for duplicate in self.duplicates),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.counts(), **{name: list(items) for name, items in self.lists().items()}}


def report_json(summary: BuildSummary) -> Iterator[bytes]:
    """build/report.json, exactly ``json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)``
    and a newline, encoded a list item at a time: a million files' lists never exist whole."""
    for text in report.json_with_lists(summary.counts(), summary.lists(), indent=2):
        yield text.encode()
    yield b"\n"
