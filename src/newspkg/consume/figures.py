"""The corpus in figures, as one typed structure: :mod:`~newspkg.consume.stats` computes it once, and the
renderers (text and Markdown in :mod:`~newspkg.consume.stats_text`, JSON here, HTML in
:mod:`~newspkg.consume.report_page`) only render it.

:meth:`Figures.to_dict` is ``newspkg stats --format json``, the contract :data:`STATS_VERSION` versions.
A new figure is one field of :class:`Figures` (its type defined here), filled by ``corpus_stats`` and
drawn by the renderers that show it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

STATS_VERSION = 3


@dataclass(frozen=True)
class Described:
    """The package as its descriptor names it."""

    name: str | None
    title: str | None
    version: str | None


@dataclass(frozen=True)
class VerifyStatus:
    """``newspkg verify``'s check as figures; ``ran`` False: not run (``--no-verify``)."""

    ran: bool
    ok: bool = False
    records: int = 0
    errors: int = 0
    warnings: int = 0
    errors_by_rule: dict[str, int] = field(default_factory=dict)
    warnings_by_rule: dict[str, int] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) if self.ran else {"ran": False}


NOT_VERIFIED = VerifyStatus(ran=False)


@dataclass(frozen=True)
class PerMonth:
    months: list[str]  # every month with a dated record, sorted
    by_source: dict[str, dict[str, int]]  # source → month → records, sources most first
    undated: dict[str, int]  # source → records without a readable published_at


@dataclass(frozen=True)
class LengthBin:
    at_least: int
    below: int | None
    count: int


@dataclass(frozen=True)
class TextLength:
    records: int
    min: int | None
    p25: int | None
    median: int | None
    p75: int | None
    p90: int | None
    max: int | None
    mean: float | None
    histogram: list[LengthBin]


@dataclass(frozen=True)
class FieldEmptiness:
    field: str
    in_schema: bool
    empty: int
    share_empty: float | None


@dataclass(frozen=True)
class Completeness:
    fields_from: str  # the schema the fields are from
    fields: list[FieldEmptiness]


@dataclass(frozen=True)
class SourceOutcomes:
    inputs: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    filtered: int = 0


@dataclass(frozen=True)
class BuildReport:
    """What the build's report says; ``available`` False: there is none, ``reason`` says why."""

    available: bool
    path: str
    reason: str | None = None
    lists_read: bool = False
    inputs: int = 0
    accepted: int = 0
    rejected: int = 0
    rejected_acknowledged: int = 0
    rejected_by_rule: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    duplicates_by_reason: dict[str, int] = field(default_factory=dict)
    duplicate_examples: list[dict[str, str | None]] = field(default_factory=list)
    filtered: int = 0
    filtered_by_reason: dict[str, int] = field(default_factory=dict)
    per_source: dict[str, SourceOutcomes] = field(default_factory=dict)

    @property
    def unacknowledged(self) -> int:
        """Rejects the maintainer has not acknowledged: what makes ``newspkg build`` fail."""
        return max(self.rejected - self.rejected_acknowledged, 0)

    def to_dict(self) -> dict[str, Any]:
        if not self.available:
            return {"available": False, "path": self.path, "reason": self.reason}
        figures = dataclasses.asdict(self)
        del figures["reason"]
        return figures


@dataclass(frozen=True)
class Publisher:
    name: str
    records: int


@dataclass(frozen=True)
class Publishers:
    field_in_schema: bool
    records_with: int
    distinct: int
    top: list[Publisher]


@dataclass(frozen=True)
class Cluster:
    representative: str  # the id the cluster's other records name in near_duplicate_of
    records: int  # the representative counted


@dataclass(frozen=True)
class NearDuplicates:
    records: int  # records marked as a near-duplicate of another
    clusters: int
    clusters_at_least: bool  # more clusters than were tracked: ``clusters`` is a lower bound
    largest_clusters: list[Cluster]


@dataclass(frozen=True)
class Figures:
    """Everything ``newspkg stats`` says and ``newspkg report`` draws."""

    package: Described
    records: int
    unreadable_lines: int  # not JSON objects, or over the line bound: counted, not read
    missing: list[str]  # resources the package lacks or cannot be read, each in words
    verify: VerifyStatus
    per_source: dict[str, int]  # records per source, most first
    per_month: PerMonth
    text_length: TextLength
    completeness: Completeness
    build_report: BuildReport
    original_publishers: Publishers
    near_duplicates: NearDuplicates | None = None  # None when the schema has no near_duplicate_of
    stats_version: int = STATS_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON values, ``stats_version`` first."""
        shallow = {item.name: getattr(self, item.name) for item in dataclasses.fields(self)}
        figures: dict[str, Any] = {"stats_version": self.stats_version}
        for name, value in shallow.items():
            if name == "stats_version":
                continue
            to_dict = getattr(value, "to_dict", None)
            figures[name] = to_dict() if to_dict else _plain(value)
        return figures


def _plain(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value
