"""The sketches of a shard's texts, made together: each is the one :func:`newspkg.similarity.sketch`
gives, byte for byte (tests check it).

Sketching a text alone takes some thirty small array operations and two regular-expression scans;
inside a build each costs several times what it costs in a loop of its own, as the rest of the
conversion evicts the tables and arrays it works on. So the texts a worker converts in one shard
that are written without spaces and map one character to one (nearly every Chinese and Japanese
text) are joined into one array, normalised, shingled and signed (one rensa call) together, and their
numbers found in it without a regular expression. Any other text is sketched alone.
"""

from __future__ import annotations

import functools
import itertools
import struct
import unicodedata
import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from newspkg.similarity import (
    BMP,
    CHAR_SHINGLE,
    COMPLEX,
    CUT,
    MIN_SENTENCE,
    NAME,
    NON_WORD,
    NUM_PERM,
    SALIENT_SAMPLE,
    SEED,
    SENTENCE_SAMPLE,
    SEPARATORS,
    U32,
    _minhash,
    _mixed,
    _points,
    _tables,
    _to_simplified,
    hashed,
    salient,
    sketch,
    written_without_spaces,
)

NUMBER_SEPARATORS = ".,:/"  # what NUMBER allows between digits
CAPITALS = (ord("A"), ord("Z"))  # NAME starts with one of these
HAN_RANGE = (0x4E00, 0x9FFF)  # what HAN matches
HEADER_WORDS = struct.Struct("<4I")  # the sketch's header: little-endian 32-bit words, as U32


def sketches(texts: Sequence[str]) -> list[bytes]:
    """The sketch of every text, in order."""
    given = _Joined(list(texts))
    simplified = given.simplified()
    candidates = [i for i, text in enumerate(simplified) if written_without_spaces(text)]
    unchanged = all(texts[i] is simplified[i] for i in candidates)  # OpenCC changed none of them
    joined = given if unchanged and len(candidates) == len(texts) else _Joined([simplified[i] for i in candidates])
    fitting = joined.fitting()
    if not fitting.all():  # a character outside the BMP or one of several: sketched alone
        candidates = [i for i, fits in zip(candidates, fitting, strict=True) if fits]
        joined = _Joined([simplified[i] for i in candidates])
    made = dict(zip(candidates, _together(joined, [texts[i] for i in candidates], unchanged), strict=True))
    return [made[i] if i in made else sketch(text) for i, text in enumerate(texts)]


class _Joined:
    """Texts each followed by a line break (which ends a sentence and a number: nothing spans two
    texts), as one string and one array of code points."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.text = "\n".join(texts) + "\n"
        self.points = _points(self.text)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        self.starts = np.cumsum(lengths + 1) - lengths - 1
        self.forms = _tables()[0][np.minimum(self.points, BMP - 1)]

    def __len__(self) -> int:
        return len(self.starts)

    def fitting(self) -> npt.NDArray[np.bool_]:
        """Which texts the array way takes: those whose every code point is in the BMP and maps to
        at most one character."""
        if not len(self):
            return np.ones(0, dtype=bool)
        simple: npt.NDArray[np.bool_] = np.maximum.reduceat(self.forms, self.starts) != COMPLEX
        return self.inside_bmp() & simple

    def inside_bmp(self) -> npt.NDArray[np.bool_]:
        """Which texts hold only code points of the BMP."""
        inside: npt.NDArray[np.bool_] = np.maximum.reduceat(self.points, self.starts) < BMP
        return inside

    def simplified(self) -> list[str]:
        """The texts as :func:`newspkg.similarity._simplified` gives them: through OpenCC those that hold
        a Chinese character and one OpenCC may change (or one outside the BMP)."""
        han = self.per_text((self.points >= HAN_RANGE[0]) & (self.points <= HAN_RANGE[1])) > 0
        may_change = _tables()[1][np.minimum(self.points, BMP - 1)] | (self.points >= BMP)
        converted = (han & (self.per_text(may_change) > 0)).tolist()
        return [
            str(_to_simplified().convert(text)) if convert else text
            for text, convert in zip(self.texts, converted, strict=True)
        ]

    def per_text(self, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        """How many code points of each text the mask holds (the line break after it included)."""
        return np.add.reduceat(mask, self.starts).astype(np.int64) if len(self) else np.zeros(0, np.int64)


def _together(joined: _Joined, originals: list[str], unchanged: bool) -> list[bytes]:
    """The sketches of the joined texts (``originals``: the texts before OpenCC, where numbers and
    names are looked for; ``unchanged`` when they are the joined ones)."""
    if not len(joined):
        return []
    grams, shingles = _shingles(joined)
    offsets = np.cumsum([0, *map(len, grams)]).tolist()
    flat = np.concatenate(grams) if grams else np.zeros(0, np.uint64)
    rows = _minhash().digest_matrix_from_flat_token_hashes(flat, offsets, NUM_PERM, SEED).to_rows()
    signatures = np.array(rows, dtype=U32)
    sentences = _sentence_hashes(joined)
    numbers_and_names = _salient(originals, joined if unchanged else _Joined(originals))
    return [
        _packed(count, signature.tobytes(), hashes, hashed(found))
        for count, signature, hashes, found in zip(shingles, signatures, sentences, numbers_and_names, strict=True)
    ]


def _shingles(joined: _Joined) -> tuple[list[npt.NDArray[np.uint64]], list[int]]:
    """Each text's shingle hashes (sorted, repeats in) and how many distinct ones it has."""
    units_mask = (joined.forms != 0) & (joined.forms != CUT)
    units = joined.forms[units_mask].astype(np.uint64)
    counts = joined.per_text(units_mask)
    starts = np.cumsum(counts) - counts
    # every run of CHAR_SHINGLE letters of all texts; those spanning two are never read
    every = _mixed(units, CHAR_SHINGLE) if len(units) >= CHAR_SHINGLE else units
    grams, distinct = [], []
    for start, count in zip(starts.tolist(), counts.tolist(), strict=True):
        if count >= CHAR_SHINGLE:
            mine = every[start : start + count - CHAR_SHINGLE + 1]
        else:  # fewer letters than a shingle: one shingle of them all, as for a text alone
            mine = _mixed(units[start : start + count], CHAR_SHINGLE)
        mine.sort()
        grams.append(mine)
        distinct.append(int(np.count_nonzero(mine[1:] != mine[:-1])) + 1 if len(mine) else 0)
    return grams, distinct


def _sentence_hashes(joined: _Joined) -> list[list[int]]:
    """Each text's sentence hashes as :func:`newspkg.similarity.hashed` gives them, of its sentences
    (letters and digits only) long enough to say something: the shard's sentences hashed in one pass."""
    kept = joined.forms[joined.forms != 0]
    lengths = np.diff(np.flatnonzero(kept == CUT), prepend=-1, append=len(kept)) - 1
    long = lengths >= MIN_SENTENCE
    sentences = itertools.compress(kept.tobytes().decode("utf-32-le").split("\n"), long.tolist())
    hashes = list(map(zlib.crc32, map(str.encode, sentences)))
    ends = np.cumsum(joined.per_text(joined.forms == CUT))
    bounds = [0, *np.cumsum(long)[ends - 1].tolist()]  # long sentences up to each text's end
    return [sorted(set(hashes[start:end])) for start, end in itertools.pairwise(bounds)]


def _salient(originals: list[str], joined: _Joined) -> list[set[str]]:
    """Each text's numbers and names, as :func:`newspkg.similarity.salient` finds them."""
    inside = joined.inside_bmp()
    numbers = _numbers(joined)
    points = np.minimum(joined.points, BMP - 1)
    capitals = joined.per_text((points >= CAPITALS[0]) & (points <= CAPITALS[1])).tolist()
    found = []
    for text, mine, bmp, capital in zip(originals, numbers, inside.tolist(), capitals, strict=True):
        if not bmp:  # a digit outside the BMP is not in the table
            found.append(salient(text))
            continue
        names = {name.casefold() for name in NAME.findall(text)} if capital else set()
        found.append(mine | names)
    return found


def _numbers(joined: _Joined) -> list[set[str]]:
    """Each text's numbers, found as NUMBER (``\\d+(?:[.,:/]\\d+)*``) finds them: the longest runs of
    decimal digits and of separators between two digits; separators dropped."""
    points = np.minimum(joined.points, BMP - 1)
    digit = _decimal()[points]
    separator = np.isin(points, [ord(char) for char in NUMBER_SEPARATORS])
    between = np.zeros_like(digit)
    between[1:-1] = separator[1:-1] & digit[:-2] & digit[2:]
    edges = np.diff((digit | between).view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    # each number's digits, the numbers apart by line breaks: one decode for all of them
    digits, taken = joined.points.copy(), digit.copy()  # a number ends before a text's last character
    digits[ends], taken[ends] = ord("\n"), True
    found = digits[taken].tobytes().decode("utf-32-le").split("\n")[:-1]
    wide = np.cumsum(digit & (joined.points > 0x7F))  # digits other than ASCII's take NFKC
    for run in np.flatnonzero(wide[ends - 1] - np.where(starts > 0, wide[starts - 1], 0)).tolist():
        found[run] = _number_key(joined.text[starts[run] : ends[run]])
    owners = np.searchsorted(joined.starts, starts, side="right") - 1
    bounds = np.searchsorted(owners, np.arange(len(joined) + 1)).tolist()
    return [set(found[start:end]) for start, end in itertools.pairwise(bounds)]


def _number_key(number: str) -> str:
    if number.isascii():
        return number.translate(SEPARATORS)
    return NON_WORD.sub("", unicodedata.normalize("NFKC", number))


@functools.cache
def _decimal() -> npt.NDArray[np.bool_]:
    """Which BMP code points ``\\d`` matches (the decimal digits)."""
    return np.fromiter((chr(point).isdecimal() for point in range(BMP)), dtype=bool, count=BMP)


def _packed(shingles: int, signature: bytes, sentence_hashes: list[int], salient_hashes: list[int]) -> bytes:
    """A sketch's bytes (see :mod:`newspkg.similarity` for the layout)."""
    header = HEADER_WORDS.pack(NUM_PERM, shingles, len(sentence_hashes), len(salient_hashes))
    samples = [*sentence_hashes[:SENTENCE_SAMPLE], *salient_hashes[:SALIENT_SAMPLE]]
    return header + signature + struct.pack(f"<{len(samples)}I", *samples)
