"""A package check's findings: every error, and warnings up to a bound, in the order found."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from newspkg.issues import MAX_KEPT_WARNINGS, Issue, Severity
from newspkg.rules import Rule
from newspkg.spilled import SpilledList

MAX_HELD_ISSUES = 10_000  # a report's issues beyond these wait on disk


class IssueList:
    """Issues in the order they came: the first :data:`MAX_HELD_ISSUES` in memory (where the few
    about the package itself may still be put in front), the rest in a :class:`SpilledList`. A
    package whose every record breaks a rule has millions of errors: held, they outgrew the rest
    of a validation's memory. Pickled (a span's issues, bounded by its size) as a plain list."""

    def __init__(self, issues: Iterable[Issue] = ()) -> None:
        self._held: list[Issue] = []
        self._spilled: SpilledList[Issue] = SpilledList(Issue.to_dict, Issue.from_dict)
        for issue in issues:
            self.append(issue)

    def append(self, issue: Issue) -> None:
        if len(self._held) < MAX_HELD_ISSUES and not self._spilled:
            self._held.append(issue)
        else:
            self._spilled.append(issue)

    def insert(self, position: int, issues: Iterable[Issue]) -> None:
        """Put ``issues`` before the one at ``position``, which must be among the first held."""
        if position > len(self._held):
            raise IndexError(f"issues can only be inserted among the first {len(self._held)}")
        self._held[position:position] = issues

    def __iter__(self) -> Iterator[Issue]:
        yield from self._held
        yield from self._spilled

    def __len__(self) -> int:
        return len(self._held) + len(self._spilled)

    def __reduce__(self) -> tuple[type[IssueList], tuple[list[Issue]]]:
        return IssueList, (list(self),)


@dataclass
class PackageReport:
    issues: IssueList = field(default_factory=IssueList)  # every error; warnings up to MAX_KEPT_WARNINGS
    records: int = 0
    warnings_by_rule: Counter[str] = field(default_factory=Counter)

    def extend(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            if issue.severity is Severity.WARNING:
                self.warnings_by_rule[issue.rule] += 1
                if self.warnings_by_rule.total() > MAX_KEPT_WARNINGS:
                    continue  # counted, not kept: a million identical warnings help nobody
            self.issues.append(issue)

    def add(
        self,
        file: str,
        rule: Rule,
        message: str,
        record_id: str = "",
        pointer: str = "",
        line: int = 0,
        severity: Severity | None = None,
    ) -> None:
        self.extend([rule.issue(file, message, record_id, pointer, line, severity)])

    def merge(self, other: PackageReport) -> None:
        """Another report's issues after this one's, as if they had been added here."""
        kept = self.warnings_by_rule.total()
        for issue in other.issues:
            if issue.severity is not Severity.WARNING:
                self.issues.append(issue)
            elif kept < MAX_KEPT_WARNINGS:
                self.issues.append(issue)
                kept += 1
        self.warnings_by_rule.update(other.warnings_by_rule)
        self.records += other.records
