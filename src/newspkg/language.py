"""A text's language, detected offline by CLD2 (Chromium's Compact Language Detector, whose model
is compiled into pycld2): a BCP 47 tag, with the script where CLD2 tells written forms apart
(``zh-Hans``, ``zh-Hant``). Used for ``language = "auto"`` and to check a declared language
(``language:mismatch``); accuracy and cost against other detectors are in bench/RESULTS.md.
"""

from __future__ import annotations

import pycld2

DETECTOR = f"pycld2=={pycld2.__version__}"  # its version enters the outcome cache key
UNDETERMINED = "und"  # BCP 47: the language is not known
SAMPLE_CHARS = 500  # a text's start: detection costs grow with the sample, the answer does not change
CHECK_CHARS = 200  # what a declared language is checked on: every record pays for it
PLAIN_MIN_CHARS = 200  # shorter texts (a caption, a brief) are never called plainly in another language
PLAIN_MIN_PERCENT = 90  # of the sample's bytes, in the detected language
# CLD2's codes that BCP 47 spells otherwise; Chinese without a script is CLD2's Simplified Chinese.
BCP47 = {"zh": "zh-Hans", "iw": "he", "jw": "jv", "in": "id", "tl": "fil"}
# Languages CLD2 tells apart only by a few words: a text detected as one of a group is not plainly
# in another language than one declared from the same group.
CLOSE = ({"no", "nb", "nn"}, {"hr", "sr", "bs"}, {"ms", "id"}, {"fil", "tl"})


def detect(text: str, title: str | None = None) -> str:
    """The BCP 47 tag of the language ``text`` (after its ``title``) is written in; "und" when CLD2 cannot tell."""
    tag, _ = _detected((f"{title}\n{text[:SAMPLE_CHARS]}" if title else text)[:SAMPLE_CHARS])
    return tag


def plainly_other(declared: str, text: str) -> str | None:
    """The language ``text`` is plainly written in, when that is not the ``declared`` one: CLD2 is
    sure of it for nearly all of a text long enough, and its language (or its Chinese script, when
    the declared tag names one) differs. None when the text agrees or CLD2 is not sure."""
    if len(text) < PLAIN_MIN_CHARS:
        return None
    tag, percent = _detected(text[:CHECK_CHARS])
    if tag == UNDETERMINED or percent < PLAIN_MIN_PERCENT:
        return None
    return None if _agrees(declared, tag) else tag


def _detected(sample: str) -> tuple[str, int]:
    """CLD2's language for ``sample`` as a BCP 47 tag, and the share (%) of the sample in it."""
    try:
        reliable, _, languages = pycld2.detect(sample)
    except (pycld2.error, UnicodeEncodeError):  # CLD2 refuses controls, noncharacters and lone surrogates
        printable = "".join(char if char.isprintable() else " " for char in sample)
        reliable, _, languages = pycld2.detect(printable)
    code, percent = languages[0][1], languages[0][2]
    if not reliable or code == "un" or code.startswith("xx-"):
        return UNDETERMINED, 0
    return BCP47.get(code, code), percent


def _agrees(declared: str, detected: str) -> bool:
    declared_language, _, declared_rest = declared.lower().partition("-")
    detected_language, _, detected_script = detected.lower().partition("-")
    if declared_language != detected_language:
        return any({declared_language, detected_language} <= group for group in CLOSE)
    declared_script = next((part for part in declared_rest.split("-") if part in ("hans", "hant")), None)
    return declared_script is None or not detected_script or declared_script == detected_script
