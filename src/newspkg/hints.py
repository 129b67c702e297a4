"""What an adapter may be told in ``[hints]`` of ``source.toml``: each adapter declares its hints,
and the configuration is checked against them when it is read, not once per file."""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newspkg.errors import ConfigError


class Kind(enum.StrEnum):
    TEXT = "a string"
    LINES = "a list of strings"
    PATTERN = "a regular expression"
    FLAG = "true or false"


@dataclass(frozen=True, slots=True)
class Hint:
    name: str
    kind: Kind
    meaning: str
    choices: tuple[str, ...] = ()  # the values a TEXT hint may take, when it is one of a few


def check_hints(given: Mapping[str, Any], declared: Sequence[Hint] | None, where: str, adapter: str) -> None:
    """Raise :class:`ConfigError` naming the file and the hint for anything the adapter cannot use.
    ``declared`` None: a plugin that declares no hints takes any."""
    if declared is None:
        return
    by_name = {hint.name: hint for hint in declared}
    for name, value in given.items():
        hint = by_name.get(name)
        if hint is None:
            known = ", ".join(sorted(by_name)) or "none"
            guess = did_you_mean(name, by_name)
            raise ConfigError(f"{where}: [hints] {name}: adapter {adapter!r} has no such hint{guess} (known: {known})")
        problem = _problem(hint.kind, value)
        if not problem and hint.choices and value not in hint.choices:
            problem = f"{value!r} is none of {', '.join(hint.choices)}{did_you_mean(str(value), hint.choices)}"
        if problem:
            raise ConfigError(f"{where}: [hints] {name}: {problem}")


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known name, or ``""``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _problem(kind: Kind, value: Any) -> str | None:
    if kind is Kind.FLAG:
        return None if isinstance(value, bool) else f"must be {kind}"
    if kind is Kind.LINES:
        return None if isinstance(value, list) and all(isinstance(v, str) for v in value) else f"must be {kind}"
    if not isinstance(value, str):
        return f"must be {kind}"
    if kind is Kind.PATTERN:
        try:
            re.compile(value)
        except re.error as error:
            return f"not a valid regular expression: {error}"
    return None
