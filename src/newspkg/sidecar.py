"""Sidecars: ``<raw file>.meta.toml`` next to a raw file supplies or corrects fields the file lacks.

Values in a sidecar win over what the adapter found; the record's provenance lists which fields
came from it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from newspkg.adapters import Draft

TEXT_FIELDS = ("title", "published_at", "modified_at", "url", "original_publisher", "section")
LIST_FIELDS = ("authors", "tags", "captions")


class SidecarError(ValueError):
    """The sidecar cannot be used; the message says what to fix."""


def apply_sidecar(draft: Draft, data: bytes, extension_fields: Collection[str] = ()) -> tuple[Draft, list[str]]:
    """The draft with the sidecar's fields applied, and the names of those fields. Besides the
    record's own fields, a sidecar may set the fields the source's schema extension adds
    (``extension_fields``), whose types the extension then checks."""
    values = _parse(data)
    changes: dict[str, Any] = {}
    extra = dict(draft.extra)
    for name, value in values.items():
        if name in TEXT_FIELDS:
            changes[name] = _text(name, value)
        elif name in LIST_FIELDS:
            changes[name] = _list(name, value)
        elif name in extension_fields:
            extra[name] = value.isoformat() if isinstance(value, datetime | date) else value
        else:
            known = ", ".join([*TEXT_FIELDS, *LIST_FIELDS, *sorted(extension_fields)])
            raise SidecarError(f"unknown field {name!r} (a sidecar may set: {known})")
    if extra != draft.extra:
        changes["extra"] = extra
    if "published_at" in changes:
        changes["date_source"] = "sidecar"
    return replace(draft, **changes), sorted(values)


def _parse(data: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SidecarError(f"not valid UTF-8 TOML: {error}") from None


def _text(name: str, value: Any) -> str:
    if isinstance(value, datetime | date):  # TOML date-times arrive parsed; normalisation wants text
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        raise SidecarError(f"{name} must be a non-empty string")
    return value


def _list(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SidecarError(f"{name} must be a list of strings")
    return list(value)
