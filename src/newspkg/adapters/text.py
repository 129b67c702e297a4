"""Plain-text dumps of article pages: site header, title, byline, body, footer.

The page layout is read as a cascade over lines; what differs between sites (header lines, the
byline's shape) comes from the ``[hints]`` of ``source.toml``, what many sites share from
:mod:`newspkg.markers`.

Hints (all optional):

``header_lines``          lines of the site header to drop before the title
``byline_pattern``        regex for the line under the title, with named groups among
                          ``published``, ``modified``, ``section``, ``tags``, ``authors``
``caption_after_byline``  the short line between byline and body is the lead photo's caption
``section``               the section every page of this source belongs to
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from newspkg.adapters import Draft
from newspkg.bylines import byline_names
from newspkg.config import SourceConfig
from newspkg.discover import RawFile
from newspkg.hints import Hint, Kind
from newspkg.markers import CAPTION_STARTS, DATETIME, FOOTER_STARTS, LABELS
from newspkg.normalize import clean_line

WORDY = re.compile(r"[\w\u4e00-\u9fff]")  # a line with no letter or CJK character is page noise
NOISE_NUMBER = re.compile(r"^\d{1,4}$")  # comment and view counters
ANY_DATETIME = re.compile(DATETIME)
SENTENCE_END = "。"
SENTENCE_PUNCTUATION = re.compile(r"[，。！？；,!?;]")
MAX_TITLE_CHARS = 100
MAX_BYLINE_CHARS = 120
MAX_CAPTION_CHARS = 30


@dataclass(frozen=True, slots=True)
class Hints:
    header_lines: frozenset[str]
    byline: re.Pattern[str] | None
    caption_after_byline: bool
    section: str | None

    @classmethod
    def of(cls, source: SourceConfig) -> Hints:
        hints: dict[str, Any] = source.hints
        pattern = hints.get("byline_pattern")
        return cls(
            header_lines=frozenset(hints.get("header_lines", ())),
            byline=re.compile(pattern) if pattern else None,
            caption_after_byline=bool(hints.get("caption_after_byline", False)),
            section=hints.get("section"),
        )


class TextAdapter:
    name = "text"
    version = "1.1.0"
    hints = (
        Hint("header_lines", Kind.LINES, "lines of the site header to drop before the title"),
        Hint(
            "byline_pattern",
            Kind.PATTERN,
            "the line under the title: groups published, modified, section, tags, authors",
        ),
        Hint("caption_after_byline", Kind.FLAG, "the short line between byline and body is the lead photo's caption"),
        Hint("section", Kind.TEXT, "the section every page of this source belongs to"),
    )

    def parse(self, raw: RawFile, text: str, source: SourceConfig) -> Draft:
        hints = Hints.of(source)
        lines = [clean_line(line) for line in text.split("\n")]
        draft = Draft(section=hints.section)
        start = _skip_header(lines, 0, hints)
        end = _footer_start(lines, start)
        _read_labels(lines[:start] + lines[end:], draft, "footer")
        start = _take_title(lines, start, end, draft)
        if draft.title is not None:
            start = _take_byline(lines, start, end, draft, hints)
        draft.paragraphs = _body(lines[start:end], draft)
        return draft


def _skip_header(lines: list[str], start: int, hints: Hints) -> int:
    while start < len(lines) and (not _is_content(lines[start]) or lines[start] in hints.header_lines):
        start += 1
    return start


def _footer_start(lines: list[str], start: int) -> int:
    for index in range(start + 1, len(lines)):
        if lines[index].startswith(FOOTER_STARTS):
            return index
    return len(lines)


def _read_labels(lines: list[str], draft: Draft, where: str) -> None:
    """Fill still-empty fields from labelled lines such as ``发布时间:…`` or ``本文地址:…``."""
    for line in lines:
        for field, pattern in LABELS.items():
            match = pattern.search(line)
            if match and getattr(draft, field) is None:
                setattr(draft, field, match[1])
                if field == "published_at":
                    draft.date_source = where


def _take_title(lines: list[str], start: int, end: int, draft: Draft) -> int:
    """The first line is the title only if it reads as one: short, no full stop, set apart."""
    if start >= end:
        return start
    candidate = lines[start]
    following = lines[start + 1] if start + 1 < end else ""
    set_apart = following == "" or ANY_DATETIME.search(following) is not None
    if len(candidate) <= MAX_TITLE_CHARS and SENTENCE_END not in candidate and set_apart:
        draft.title = candidate
        return start + 1
    return start


def _take_byline(lines: list[str], start: int, end: int, draft: Draft, hints: Hints) -> int:
    index = _next_content(lines, start, end)
    if index >= end or len(lines[index]) > MAX_BYLINE_CHARS:
        return start
    line = lines[index]
    match = hints.byline.match(line) if hints.byline else None
    if match:  # the source's own pattern: trusted over a labelled footer date
        _fill_from_byline(match, draft)
    elif _looks_like_byline(line):  # a guess: it only fills what the footer left empty
        if draft.published_at is None and (found := ANY_DATETIME.search(line)):
            draft.published_at, draft.date_source = found[0], "byline"
    else:
        return start
    after = index + 1
    if hints.caption_after_byline:
        caption_index = _next_content(lines, after, end)
        if caption_index < end and _is_caption_like(lines[caption_index]):
            draft.captions.append(lines[caption_index])
            after = caption_index + 1
    return after


def _fill_from_byline(match: re.Match[str], draft: Draft) -> None:
    groups = {k: v for k, v in match.groupdict().items() if v}
    if "published" in groups:
        draft.published_at, draft.date_source = groups["published"], "byline"
    if "modified" in groups:
        draft.modified_at = groups["modified"]
    if "section" in groups:
        draft.section = groups["section"]
    if "tags" in groups:
        draft.tags = groups["tags"].split()
    if "authors" in groups:
        draft.authors = byline_names(groups["authors"])


def _body(lines: list[str], draft: Draft) -> list[str]:
    paragraphs = []
    for line in lines:
        if not _is_content(line):
            continue
        if line.startswith(CAPTION_STARTS):
            draft.captions.append(line.lstrip("△▲▽ ").strip() or line)
        elif (source_match := LABELS["original_publisher"].match(line)) is not None:
            draft.original_publisher = draft.original_publisher or source_match[1]
        else:
            paragraphs.append(line)
    return paragraphs


def _next_content(lines: list[str], start: int, end: int) -> int:
    while start < end and not _is_content(lines[start]):
        start += 1
    return start


def _is_content(line: str) -> bool:
    return bool(line) and WORDY.search(line) is not None and not NOISE_NUMBER.match(line)


def _looks_like_byline(line: str) -> bool:
    """A short line with a date and a time and no sentence punctuation: "2022-12-09 10:03:42 来源：…".

    A first paragraph that mentions a date ("成立于2019年12月13日，…") is not one."""
    found = ANY_DATETIME.search(line)
    return found is not None and ":" in found[0] and not SENTENCE_PUNCTUATION.search(line)


def _is_caption_like(line: str) -> bool:
    return len(line) <= MAX_CAPTION_CHARS and not re.search(r"[，。！？,.!?；;：:]", line)


adapter = TextAdapter()
