"""A registry of named parts (adapters, readers): built-in ones, ones registered at run time, and
those third-party packages declare as entry points, loaded on first use."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any, Generic, Protocol, TypeVar

from newspkg.errors import ConfigError
from newspkg.hints import did_you_mean


class Named(Protocol):
    name: str


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    """``kind`` names the part in messages; ``group`` is its entry-point group."""

    def __init__(self, kind: str, group: str, built_in: Mapping[str, T] | None = None) -> None:
        self.kind, self.group = kind, group
        self.built_in: Mapping[str, T] = built_in or {}
        self.entries: dict[str, T] = dict(self.built_in)
        self._entry_point_names: set[str] = set()
        self._loaded = False

    def register(self, part: T) -> T:
        """Make a part available under its name (the last registration wins)."""
        self.entries[part.name] = part
        return part

    def get(self, name: str) -> T:
        self._load()
        try:
            return self.entries[name]
        except KeyError:
            known, guess = ", ".join(sorted(self.entries)) or "none", did_you_mean(name, self.entries)
            raise ConfigError(
                f"unknown {self.kind} {name!r}{guess} (known: {known}); a third-party {self.kind} is declared "
                f'as an entry point: [project.entry-points."{self.group}"]'
            ) from None

    def available(self) -> list[str]:
        self._load()
        return sorted(self.entries)

    def parts(self) -> list[T]:
        """Every part, built-in ones first in their order, then in the order they were registered."""
        self._load()
        return list(self.entries.values())

    def reaches_workers(self, name: str) -> bool:
        """Whether worker processes find this part: built-in ones and entry points are loaded there, one
        registered by calling :meth:`register` at run time exists in this process alone."""
        self._load()
        return name in self.built_in or name in self._entry_point_names

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for entry_point in entry_points(group=self.group):
            try:
                loaded: Any = entry_point.load()
            except Exception as error:  # a broken plugin must name itself, not crash the build
                raise ConfigError(
                    f"{self.kind} entry point {entry_point.name!r} ({entry_point.value}) failed to load: {error}"
                ) from error
            self._entry_point_names.add(entry_point.name)
            if entry_point.name not in self.entries:
                self.register(loaded)
