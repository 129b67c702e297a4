"""Bylines → person names: roles stripped, names written together split by surname."""

from __future__ import annotations

import re

from newspkg.markers import BYLINE_ROLES, NOT_NAMES, SURNAMES

ROLE = re.compile("|".join(re.escape(role) for role in sorted(BYLINE_ROLES, key=len, reverse=True)))
# A byline's start: a label ("采写：", "文丨", "整合 "), the outlet the reporter writes for (扬子晚报, 新华社), a role.
LABEL = r"(?:采写|撰文|文|作者|整合)\s*[:：丨|/\s]\s*"
BYLINE_START = re.compile(rf"^(?:{LABEL})?[\u4e00-\u9fff·]{{0,10}}?(?:{ROLE.pattern})")
# Where a Taiwanese or Hong Kong reporter filed from, closing the byline: "記者林悅／南市報導".
REPORTED_FROM = re.compile(r"\s*[／/]\s*[\u4e00-\u9fff]{1,8}(?:報導|报道)$")
SEPARATORS = re.compile(r"[\s、,，;；/|｜]+")
HAN_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
ALL_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
SENTENCE_PUNCTUATION = re.compile(r"[。！？!?：:“”\"]")
MAX_BYLINE_CHARS = 40
# The words that sign a byline, in the development set's languages: a verb of writing before "by"
# ("Written by", "Ein Artikel von"), "by" itself, and labels that take a colon ("Autorin:", "Text:").
WRITTEN = (
    r"(?:written|reported|posted|compiled|geschrieben|eingestellt|verfasst|publié|publicado|escrito|scritto"
    r"|pubblicato|eine?\s+\w+)"
)
BY_WORD = r"(?:by|von|vom|par|por|door|av|af|от)"
LABEL_WORD = r"(?:autor(?:in)?|author|автор|text|texte|bron|fuente|fonte|interview)"
SIGNED = re.compile(rf"^(?:{WRITTEN}\s+)?{BY_WORD}\b", re.I)  # a line that opens a byline: "By", "Ein Artikel von"
# A byline set as a paragraph of its own, in a language written with spaces: "Von Claudia Lindner",
# "Eine Kolumne von Nils Pickert", "Autorin: Uta Staschewski, Projektleiterin …", "Text: …", "By …".
LABELLED = re.compile(rf"^(?:(?:{WRITTEN}\s+)?{BY_WORD}|{LABEL_WORD}\s*:)\s+(?P<names>.+)$", re.I)
MAX_LABELLED_CHARS = 120


def is_byline(paragraph: str) -> bool:
    """A short paragraph that starts with a role (after a label and an outlet: "扬子晚报记者 张楠")
    and reads as names, not as a sentence; or a name and where it was filed from ("王煌忠／台中報導")."""
    if len(paragraph) > MAX_BYLINE_CHARS:
        return False
    text = _unbracketed(paragraph)
    if HAN_NAME.match(text) and REPORTED_FROM.search(paragraph.strip("（）() ")):
        return True
    start = BYLINE_START.match(text)
    return start is not None and not SENTENCE_PUNCTUATION.search(text, start.end()) and bool(byline_names(paragraph))


def labelled_names(paragraph: str) -> str | None:
    """What a short paragraph that opens with a byline's label names ("Von Claudia Lindner")."""
    match = LABELLED.match(paragraph.strip()) if len(paragraph) <= MAX_LABELLED_CHARS else None
    return match["names"] if match else None


def byline_names(paragraph: str) -> list[str]:
    text = _unbracketed(paragraph)
    if BYLINE_START.match(text) and (role := ROLE.search(text)):  # a label and an outlet are no names
        text = text[role.start() :]
    names: list[str] = []
    for part in ROLE.split(text):
        for chunk in SEPARATORS.split(part):
            names.extend(name for name in split_joined_names(chunk.strip()) if _may_be_a_name(name))
    return names


def _may_be_a_name(chunk: str) -> bool:
    """Not a word the byline says around its names; a Chinese name has at most four characters
    ("马俊峰/文受访者供图": a photo credit follows the name)."""
    return chunk not in NOT_NAMES and not (len(chunk) > 4 and ALL_HAN.match(chunk))


def _unbracketed(paragraph: str) -> str:
    """Without brackets, the marks that open a byline and where it was filed from."""
    return REPORTED_FROM.sub("", paragraph.strip("（）() \u3000□■●◎○◆◇▲△★☆"))


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
