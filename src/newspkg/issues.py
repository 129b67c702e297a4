"""Issues are plain data: every problem with a file or record, never an exception."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_KEPT_WARNINGS = 1000  # reports keep this many warnings and count the rest by rule


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Issue:
    file: str  # posix path relative to the project (or package) root
    record_id: str  # "" for a file-level problem
    pointer: str  # RFC 6901 pointer into the record; "" for the whole record
    rule: str  # a rule's name, from the registry in newspkg.rules
    message: str
    severity: Severity = Severity.ERROR
    line: int = 0  # 1-based line in `file` when known (JSONL records), else 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Issue:
        """The inverse of :meth:`to_dict`."""
        return cls(**{**data, "severity": Severity(data["severity"])})

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "record_id": self.record_id,
            "pointer": self.pointer,
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
        }


def json_pointer(path: tuple[str | int, ...] | list[str | int]) -> str:
    """RFC 6901 pointer for a path of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(issue.severity is Severity.ERROR for issue in issues)
