"""Bylines → person names: roles stripped, names written together split by surname."""

from __future__ import annotations

import re

from newspkg.markers import BYLINE_ROLES, SURNAMES

ROLE = re.compile("|".join(re.escape(role) for role in sorted(BYLINE_ROLES, key=len, reverse=True)))
SEPARATORS = re.compile(r"[\s、,，;；/|｜]+")
HAN_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
SENTENCE_PUNCTUATION = re.compile(r"[。！？!?：:“”\"]")
MAX_BYLINE_CHARS = 40


def is_byline(paragraph: str) -> bool:
    """A short paragraph that starts with a role and reads as names, not as a sentence."""
    return (
        len(paragraph) <= MAX_BYLINE_CHARS
        and ROLE.match(paragraph.lstrip("（(")) is not None
        and not SENTENCE_PUNCTUATION.search(paragraph)
    )


def byline_names(paragraph: str) -> list[str]:
    names: list[str] = []
    for part in ROLE.split(paragraph.strip("（）() ")):
        for chunk in SEPARATORS.split(part):
            names.extend(split_joined_names(chunk.strip()))
    return names


def split_joined_names(chunk: str) -> list[str]:
    """ "许祥波唐娜" → ["许祥波", "唐娜"] when exactly one split gives two surname-led names of 2–3 characters."""
    if not chunk:
        return []
    if len(chunk) <= 3 or not HAN_NAME.match(chunk[:4]) or len(chunk) > 6:
        return [chunk]
    splits = [
        [chunk[:cut], chunk[cut:]]
        for cut in (2, 3)
        if 2 <= len(chunk) - cut <= 3 and chunk[0] in SURNAMES and chunk[cut] in SURNAMES
    ]
    return splits[0] if len(splits) == 1 else [chunk]
