"""Finish a record: normalised fields, id, fingerprint, char_count and provenance, in schema order."""

from __future__ import annotations

import functools
import hashlib
import sys
import unicodedata
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from newspkg import language
from newspkg.adapters import Adapter, Draft
from newspkg.config import SourceConfig
from newspkg.discover import RawFile
from newspkg.normalize import canonical_url, clean_line, clean_paragraphs, to_rfc3339

ID_LENGTH = 16


def record_id(url: str | None, raw_path: str) -> str:
    """First 16 hex digits of sha256("url:" + canonical url), or of sha256("path:" + raw path)."""
    key = f"url:{url}" if url else f"path:{raw_path}"
    return hashlib.sha256(key.encode()).hexdigest()[:ID_LENGTH]


def id_of(record: Mapping[str, Any]) -> str:
    """The record's id, or "" when it has none (a broken record in a downloaded package)."""
    rid = record.get("id")
    return rid if isinstance(rid, str) else ""


def fingerprint(text: str) -> str:
    """sha256 of the text's word characters (letters and digits: every non-word character, i.e.
    whitespace, punctuation and symbols, removed), NFKC-normalised: the exact-duplicate key."""
    kept = word_characters(text)
    if not unicodedata.is_normalized("NFKC", kept):
        kept = word_characters(unicodedata.normalize("NFKC", kept))
    return hashlib.sha256(kept.encode()).hexdigest()


def word_characters(text: str) -> str:
    """``re.sub(r"[\\W_]+", "", text)``, much faster on Chinese text: the code points are
    filtered as one array through a table of ``str.isalnum`` (exactly what ``\\w`` minus ``_`` is)."""
    points = code_points(text)
    kept: bytes = points[_is_alnum()[points]].tobytes()
    return kept.decode("utf-32-le", "surrogatepass")


def code_points(text: str) -> npt.NDArray[np.uint32]:
    """The text's code points as an array (a copy-free view of its UTF-32 bytes)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


@functools.cache
def _is_alnum() -> npt.NDArray[np.bool_]:
    """``chr(c).isalnum()`` for every code point, built once per process."""
    return np.fromiter((chr(c).isalnum() for c in range(sys.maxunicode + 1)), dtype=bool, count=sys.maxunicode + 1)


def finish(
    draft: Draft,
    raw: RawFile,
    source: SourceConfig,
    adapter: Adapter,
    encoding: str,
    empty: Mapping[str, Any],
    from_sidecar: list[str] | None = None,
) -> dict[str, Any]:
    """The record with every key of ``empty`` in that order, holding its empty value where unknown."""
    text = clean_paragraphs(draft.paragraphs, entities=False)  # adapters deliver decoded text
    url = canonical_url(draft.url, source.base_url) if draft.url else None
    values: dict[str, Any] = {
        "id": record_id(url, raw.path),
        "source": source.name,
        "url": url,
        "title": _text_or_none(draft.title),
        "text": text,
        "published_at": to_rfc3339(draft.published_at, source.zone) if draft.published_at else None,
        "modified_at": to_rfc3339(draft.modified_at, source.zone) if draft.modified_at else None,
        "language": language.detect(text, draft.title) if source.detects_language else source.language,
        "authors": _clean_list(draft.authors),
        "publisher": source.publisher or _text_or_none(draft.publisher),
        "original_publisher": _text_or_none(draft.original_publisher),
        "section": _text_or_none(draft.section),
        "tags": _clean_list(draft.tags),
        "captions": _clean_list(draft.captions),
        "char_count": len(text),
        "fingerprint": fingerprint(text),
        "provenance": {
            "raw_path": raw.file_path,
            "raw_sha256": raw.sha256,
            "encoding": encoding,
            "adapter": adapter.name,
            "adapter_version": adapter.version,
            "date_source": draft.date_source if draft.published_at else None,
            "sidecar_fields": from_sidecar or [],
            "member": raw.member,
            "fetched_at": raw.told("fetched_at"),
            "warc_record_id": raw.told("record_id"),
        },
        **draft.extra,
    }
    return {key: values.get(key, default) for key, default in empty.items()}


def _text_or_none(value: str | None) -> str | None:
    cleaned = clean_line(value, entities=False) if value else ""
    return cleaned or None


def _clean_list(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        cleaned = clean_line(value, entities=False)
        if cleaned:
            seen.setdefault(cleaned)
    return list(seen)
