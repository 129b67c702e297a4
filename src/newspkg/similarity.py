"""A text's near-duplicate sketch, computed in the workers beside its duplicate key.

Reprints change what surrounds a story (header, footer, title), drop a paragraph, cut the end, or
change its script (Traditional ↔ Simplified). So the text is compared after it is normalised (NFKC,
case folded, Traditional → Simplified through OpenCC, punctuation and whitespace removed) and cut
into shingles: characters for texts written without spaces (Chinese, Japanese, Thai), words
elsewhere. A MinHash signature of the shingles (rensa) finds candidates and estimates Jaccard
similarity and containment; two small sets keep template stories apart, which share most shingles
but not their sentences nor their figures and names (see :mod:`newspkg.near_dedup`):

- the hashes of the text's normalised sentences (a bottom-k sample);
- the hashes of its salient tokens: numbers, and capitalised words inside a sentence (names).

:func:`alike` and :func:`agree` compare two sketches (:mod:`newspkg.near_dedup` applies them to
every candidate pair). The sketch travels and is cached as bytes: a header of four ``uint32`` (permutations, shingles,
sentences, salient tokens: how many each set holds in all), the signature, then the two samples,
each sorted.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
import zlib
from typing import Any

import numpy as np
import numpy.typing as npt

NUM_PERM = 128
SEED = 20231
CHAR_SHINGLE = 5  # characters in a shingle of a text written without spaces
WORD_SHINGLE = 3  # words in a shingle of any other text
SENTENCE_SAMPLE = 64  # bottom-k: the smallest hashes kept of a text's sentences
SALIENT_SAMPLE = 48
MIN_SENTENCE = 6  # word characters: shorter pieces (a "3" cut from "3.5") say nothing
SPACE_RARE = 25  # a text with fewer than one space per this many characters is written without spaces
# Everything above changes every sketch: it is part of the settings digest, so the cache converts anew.
VERSION = (
    f"near-dup-1 perm={NUM_PERM} seed={SEED} shingles={CHAR_SHINGLE}c/{WORD_SHINGLE}w "
    f"samples={SENTENCE_SAMPLE}/{SALIENT_SAMPLE} sentence={MIN_SENTENCE} spaces={SPACE_RARE}"
)

SENTENCE_ENDS = "。！？!?;；\n."
SENTENCE_END = re.compile(r"[。！？!?;；\n]+|\.(?!\d)")
HAN = re.compile(r"[\u4e00-\u9fff]")
BMP = 0x10000
COMPLEX = 0xFFFFFFFF
NON_WORD = re.compile(r"[\W_]+")
NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
# A capitalised word after a lower-case word in the same sentence: a name, not a sentence's start.
NAME = re.compile(r"(?<=[a-z0-9,;:] )[A-Z][\w'’-]+")
HEADER = 4
U32 = np.dtype("<u4")
MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it mixes bits and loses none


@functools.cache
def _to_simplified() -> Any:
    import opencc  # ~8 MB, loaded once per worker

    return opencc.OpenCC("t2s")


@functools.cache
def _tables() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """For every code point of the Basic Multilingual Plane: its NFKC form when that is one
    character, case folded (``COMPLEX`` when it is more), whether that is a letter or digit, and whether it ends
    a sentence. Built once per process: a text is then normalised as one array."""
    points = np.arange(BMP, dtype=U32)
    alnum = np.zeros(BMP, dtype=bool)
    for point in range(BMP):
        if 0xD800 <= point < 0xE000:
            continue  # surrogates: never in a str that encodes
        form = unicodedata.normalize("NFKC", chr(point)).casefold()
        if len(form) == 1:
            points[point] = ord(form)
            alnum[point] = form.isalnum()
        elif any(char.isalnum() for char in form):  # ½, ㈠, ﬁ: rare, the text then goes the slow way
            points[point] = COMPLEX
        else:  # …, ‼ and the like: punctuation, as they come
            points[point] = ord(form[0])
    ends = np.zeros(BMP, dtype=bool)
    ends[[ord(char) for char in SENTENCE_ENDS]] = True
    return points, alnum, ends


def normalized(text: str) -> str:
    """NFKC, case folded, Traditional → Simplified: what is compared (punctuation still in)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    folded = text.casefold()
    return str(_to_simplified().convert(folded)) if HAN.search(folded) else folded


def written_without_spaces(text: str) -> bool:
    return text.count(" ") * SPACE_RARE < len(text)


def shingles_and_sentences(text: str) -> tuple[npt.NDArray[np.uint64], list[str]]:
    """64-bit hashes of the text's shingles (distinct, sorted) and its sentences without
    punctuation and whitespace: character n-grams of a text written without spaces, else word n-grams."""
    simplified = str(_to_simplified().convert(text)) if HAN.search(text) else text
    if written_without_spaces(simplified) and (split := _split_as_array(simplified)) is not None:
        characters, pieces = split
        return _mixed(characters.astype(np.uint64), CHAR_SHINGLE), pieces
    folded = normalized(simplified)
    pieces = [NON_WORD.sub("", piece) for piece in SENTENCE_END.split(folded)]
    words = [word for word in NON_WORD.split(folded) if word]
    hashes = np.fromiter((zlib.crc32(word.encode()) for word in words), dtype=np.uint64, count=len(words))
    return _mixed(hashes, WORD_SHINGLE), [piece for piece in pieces if piece]


def _split_as_array(text: str) -> tuple[npt.NDArray[np.uint32], list[str]] | None:
    """The text's letters and digits in NFKC, case folded, and its sentences; None when it needs the slow way
    (a code point outside the BMP or whose NFKC form holds several)."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=U32)
    if len(points) and int(points.max()) >= BMP:
        return None
    forms, alnum, ends = _tables()
    mapped = forms[points]
    if (mapped == COMPLEX).any():
        return None
    kept = alnum[points]
    sentence_of = np.cumsum(ends[points])[kept]
    units = mapped[kept]
    joined = units.tobytes().decode("utf-32-le")
    cuts = [0, *(np.flatnonzero(np.diff(sentence_of)) + 1).tolist(), len(units)]
    return units, [joined[start:end] for start, end in itertools.pairwise(cuts) if end > start]


def _mixed(units: npt.NDArray[np.uint64], size: int) -> npt.NDArray[np.uint64]:
    """Hashes of every run of ``size`` units (or of all of them, when fewer), distinct and sorted."""
    if len(units) == 0:
        return units
    size = min(size, len(units))
    count = len(units) - size + 1
    mixed = units[:count] * MIX  # wraps around 2**64 on purpose, as below
    for offset in range(1, size):  # in place: a text's shingles are hashed without new arrays
        np.bitwise_xor(mixed, units[offset : offset + count], out=mixed)
        np.multiply(mixed, MIX, out=mixed)
    mixed.sort()
    return mixed[np.concatenate(([True], mixed[1:] != mixed[:-1]))]


def salient(text: str) -> set[str]:
    """Numbers (separators dropped) and names: what differs between two template stories."""
    numbers = {NON_WORD.sub("", unicodedata.normalize("NFKC", number)) for number in NUMBER.findall(text)}
    return numbers | {name.casefold() for name in NAME.findall(text)}


def sketch(text: str) -> bytes:
    """The near-duplicate sketch of a record's text (see the module's docstring for its layout)."""
    from rensa import RMinHash  # Rust MinHash of 64-bit token hashes

    grams, pieces = shingles_and_sentences(text)
    offsets = np.array([0, len(grams)], dtype=np.uint64)
    signature = RMinHash.digest_matrix_from_flat_token_hashes(grams, offsets, NUM_PERM, SEED).to_rows()[0]
    sentence_hashes = hashed({piece for piece in pieces if len(piece) >= MIN_SENTENCE})
    salient_hashes = hashed(salient(text))
    header = [NUM_PERM, len(grams), len(sentence_hashes), len(salient_hashes)]
    parts = [
        np.asarray(header, dtype=U32),
        np.asarray(signature, dtype=U32),
        sentence_hashes[:SENTENCE_SAMPLE],  # bottom-k samples: their overlap with another text's
        salient_hashes[:SALIENT_SAMPLE],  # estimates how much of one set the other holds
    ]
    return b"".join(part.tobytes() for part in parts)


def hashed(items: set[str]) -> npt.NDArray[np.uint32]:
    """The distinct 32-bit hashes of the items, sorted."""
    found = (zlib.crc32(item.encode()) for item in items)
    return np.unique(np.fromiter(found, dtype=U32, count=len(items)))


class Sketch:
    """A sketch read back from its bytes."""

    __slots__ = ("salient", "salient_total", "sentences", "sentences_total", "shingles", "signature")

    def __init__(self, data: bytes) -> None:
        words = np.frombuffer(data, dtype=U32)
        perms, self.shingles, self.sentences_total, self.salient_total = (int(x) for x in words[:HEADER])
        self.signature = words[HEADER : HEADER + perms]
        start = HEADER + perms
        kept_sentences = min(self.sentences_total, SENTENCE_SAMPLE)
        self.sentences = words[start : start + kept_sentences]
        self.salient = words[start + kept_sentences :]


def alike(
    jaccard: npt.NDArray[np.float64],
    shingles: npt.NDArray[np.int64],
    other_shingles: npt.NDArray[np.int64],
    least_jaccard: float,
    least_containment: float,
) -> npt.NDArray[np.bool_]:
    """Which pairs of texts are alike, from their estimated Jaccard similarity and numbers of
    shingles: Jaccard at least ``least_jaccard``, or the shorter text at least ``least_containment``
    inside the longer (|A ∩ B| = J (|A| + |B|) / (1 + J))."""
    fewer = np.minimum(shingles, other_shingles)
    inside = jaccard * (shingles + other_shingles) / ((1 + jaccard) * np.maximum(fewer, 1))
    return (fewer > 0) & ((jaccard >= least_jaccard) | (inside >= least_containment))


def agree(one: Sketch, other: Sketch, least_sentences: float, least_salient: float) -> bool:
    """Whether two alike texts hold the same content: at least these shares of the shorter one's
    sentences, and of its numbers and names, found in the longer."""
    shorter, longer = (one, other) if one.shingles <= other.shingles else (other, one)
    sentences = contained(shorter.sentences, shorter.sentences_total, longer.sentences, longer.sentences_total)
    salient = contained(shorter.salient, shorter.salient_total, longer.salient, longer.salient_total)
    return sentences >= least_sentences and salient >= least_salient


def contained(sample: npt.NDArray[np.uint32], total: int, other: npt.NDArray[np.uint32], other_total: int) -> float:
    """The share of one set found in another, estimated from their bottom-k samples (1.0 when the
    first is empty: nothing of it disagrees)."""
    if total == 0:
        return 1.0
    if other_total == 0:
        return 0.0
    values = sample.tolist()
    if other_total > len(other):  # the other's sample is cut: compare below its largest hash only
        largest = int(other[-1])
        values = [value for value in values if value <= largest]
        if not values:
            return 0.0
    return len(set(values).intersection(other.tolist())) / len(values)
