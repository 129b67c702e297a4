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
import os
import re
import unicodedata
import zlib
from collections.abc import Iterable
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
CUT = ord("\n")  # where a sentence ends, in a text's array of letters and digits
NON_WORD = re.compile(r"[\W_]+")
NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
# A capitalised word after a lower-case word in the same sentence: a name, not a sentence's start
# (the capital first, so that the search skips to capitals instead of testing every character).
NAME = re.compile(r"[A-Z](?<=[a-z0-9,;:] [A-Z])[\w'’-]+")
SEPARATORS = str.maketrans("", "", ".,:/")  # what NUMBER allows between digits
HEADER = 4
U32 = np.dtype("<u4")
MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it mixes bits and loses none
# Characters of OpenCC's Traditional → Simplified phrases (深沈, 藉口, 瞭解, 回覆, ...) that the phrase
# changes although each character alone is left as it is: a text holding none of these, nor any
# character that OpenCC changes alone, comes out of OpenCC unchanged (tests check it on its dictionaries).
CHANGED_IN_PHRASES = "哩坏沈甦瞭藉衹覆"


@functools.cache
def _minhash() -> Any:
    """rensa's RMinHash (a Rust MinHash of 64-bit token hashes). Its allocator (mimalloc) reserves
    1 GiB of address space when loaded unless told less: a process under an address-space limit
    (RLIMIT_AS) could then start no thread."""
    os.environ.setdefault("MIMALLOC_ARENA_RESERVE", "64MiB")
    from rensa import RMinHash

    return RMinHash


@functools.cache
def _to_simplified() -> Any:
    import opencc  # ~8 MB, loaded once per worker

    return opencc.OpenCC("t2s")


@functools.cache
def _tables() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
    """For every code point of the Basic Multilingual Plane: what it is in the compared text (its NFKC
    form when that is one letter or digit, case folded; ``CUT`` for a character that ends a sentence;
    0 for other punctuation and spaces, which are dropped; ``COMPLEX`` when its form is several
    characters), and whether OpenCC may change it. Built once per process: a text is then
    normalised as one array."""
    forms = np.zeros(BMP, dtype=U32)
    for point in range(BMP):
        if 0xD800 <= point < 0xE000:
            continue  # surrogates: never in a str that encodes
        form = unicodedata.normalize("NFKC", chr(point)).casefold()
        if len(form) == 1:
            forms[point] = ord(form) if form.isalnum() else 0
        elif any(char.isalnum() for char in form):  # ½, ㈠, ﬁ: rare, the text then goes the slow way
            forms[point] = COMPLEX
    forms[[ord(char) for char in SENTENCE_ENDS]] = CUT
    return forms, _traditional()


def _traditional() -> npt.NDArray[np.bool_]:
    """Which code points OpenCC's Traditional → Simplified conversion may change: those it changes
    alone (each converted on a line of its own, in one call) and those of ``CHANGED_IN_PHRASES``."""
    points = [point for point in range(BMP) if not 0xD800 <= point < 0xE000 and point != CUT]
    converted = str(_to_simplified().convert("\n".join(map(chr, points)))).split("\n")
    if len(converted) != len(points):  # a line did not come back as one: convert every text
        return np.ones(BMP, dtype=bool)
    changes = np.zeros(BMP, dtype=bool)
    changes[points] = [chr(point) != line for point, line in zip(points, converted, strict=True)]
    changes[[ord(char) for char in CHANGED_IN_PHRASES]] = True
    return changes


def normalized(text: str) -> str:
    """NFKC, case folded, Traditional → Simplified: what is compared (punctuation still in)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    folded = text.casefold()
    return _simplified(folded)


def _simplified(text: str) -> str:
    """The text through OpenCC when it holds Chinese characters that OpenCC may change."""
    if not HAN.search(text):
        return text
    try:
        if not _tables()[1][_points(text)].any():
            return text  # nothing OpenCC would change
    except IndexError:  # a code point outside the BMP: OpenCC decides
        pass
    return str(_to_simplified().convert(text))


def _points(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=U32)


def written_without_spaces(text: str) -> bool:
    return text.count(" ") * SPACE_RARE < len(text)


def shingles_and_sentences(text: str) -> tuple[npt.NDArray[np.uint64], list[str]]:
    """64-bit hashes of the text's shingles (distinct, sorted) and its sentences without
    punctuation and whitespace: character n-grams of a text written without spaces, else word n-grams."""
    grams, pieces = _shingles(text)
    grams.sort()
    distinct = grams[np.concatenate(([True], grams[1:] != grams[:-1]))] if len(grams) else grams
    return distinct, [piece for piece in pieces if piece]


def _shingles(text: str) -> tuple[npt.NDArray[np.uint64], list[str]]:
    """The hashes of the text's shingles (repeats in, in any order) and its sentences (empty ones in)."""
    simplified = _simplified(text)
    if written_without_spaces(simplified) and (split := _split_as_array(simplified)) is not None:
        characters, pieces = split
        return _mixed(characters.astype(np.uint64), CHAR_SHINGLE), pieces
    folded = normalized(simplified)
    pieces = [NON_WORD.sub("", piece) for piece in SENTENCE_END.split(folded)]
    words = [word for word in NON_WORD.split(folded) if word]
    hashes = np.fromiter((zlib.crc32(word.encode()) for word in words), dtype=np.uint64, count=len(words))
    return _mixed(hashes, WORD_SHINGLE), pieces


def _split_as_array(text: str) -> tuple[npt.NDArray[np.uint32], list[str]] | None:
    """The text's letters and digits in NFKC, case folded, and its sentences; None when it needs the slow way
    (a code point outside the BMP or whose NFKC form holds several)."""
    points = _points(text)
    forms = _tables()[0]
    try:
        mapped = forms[points]
    except IndexError:  # outside the BMP
        return None
    if len(mapped) and int(mapped.max()) == COMPLEX:
        return None
    kept = mapped[mapped != 0]  # letters, digits and the ends of sentences
    pieces = kept.tobytes().decode("utf-32-le").split("\n")
    return kept[kept != CUT], pieces


def _mixed(units: npt.NDArray[np.uint64], size: int) -> npt.NDArray[np.uint64]:
    """Hashes of every run of ``size`` units (or of all of them, when fewer), repeats in."""
    if len(units) == 0:
        return units
    size = min(size, len(units))
    count = len(units) - size + 1
    mixed = units[:count] * MIX  # wraps around 2**64 on purpose, as below
    for offset in range(1, size):  # in place: a text's shingles are hashed without new arrays
        np.bitwise_xor(mixed, units[offset : offset + count], out=mixed)
        np.multiply(mixed, MIX, out=mixed)
    return mixed


def salient(text: str) -> set[str]:
    """Numbers (separators dropped) and names: what differs between two template stories."""
    numbers = {
        number.translate(SEPARATORS) if number.isascii() else NON_WORD.sub("", unicodedata.normalize("NFKC", number))
        for number in NUMBER.findall(text)
    }
    return numbers | {name.casefold() for name in NAME.findall(text)}


def sketch(text: str) -> bytes:
    """The near-duplicate sketch of a record's text (see the module's docstring for its layout)."""
    grams, pieces = _shingles(text)
    grams.sort()  # the signature is the same for any order and repeats; the count is of distinct shingles
    shingles = int(np.count_nonzero(grams[1:] != grams[:-1])) + 1 if len(grams) else 0
    signature = _minhash().digest_matrix_from_flat_token_hashes(grams, [0, len(grams)], NUM_PERM, SEED).to_rows()[0]
    sentence_hashes = hashed([piece for piece in pieces if len(piece) >= MIN_SENTENCE])
    salient_hashes = hashed(salient(text))
    header = [NUM_PERM, shingles, len(sentence_hashes), len(salient_hashes)]
    # bottom-k samples: their overlap with another text's estimates how much of one set the other holds
    words = [*header, *signature, *sentence_hashes[:SENTENCE_SAMPLE], *salient_hashes[:SALIENT_SAMPLE]]
    return np.array(words, dtype=U32).tobytes()


def hashed(items: Iterable[str]) -> list[int]:
    """The distinct 32-bit hashes of the items, sorted."""
    return sorted(set(map(zlib.crc32, map(str.encode, items))))


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


class Samples:
    """The sentence and salient samples of many sketches as padded arrays, to compare pairs of them
    at once (:func:`agreeing`)."""

    __slots__ = ("salient", "salient_kept", "salient_total", "sentences", "sentences_kept", "sentences_total")

    def __init__(self, sketches: list[bytes]) -> None:
        words = np.frombuffer(b"".join(sketches), dtype=U32)
        starts = np.cumsum([0, *(len(data) // 4 for data in sketches[:-1])], dtype=np.int64)
        perms = words[starts].astype(np.int64)
        self.sentences_total = words[starts + 2].astype(np.int64)
        self.salient_total = words[starts + 3].astype(np.int64)
        self.sentences_kept = np.minimum(self.sentences_total, SENTENCE_SAMPLE)
        self.salient_kept = np.minimum(self.salient_total, SALIENT_SAMPLE)
        sample = starts + HEADER + perms
        self.sentences = _padded(words, sample, self.sentences_kept, SENTENCE_SAMPLE)
        self.salient = _padded(words, sample + self.sentences_kept, self.salient_kept, SALIENT_SAMPLE)


def _padded(
    words: npt.NDArray[np.uint32], starts: npt.NDArray[np.int64], counts: npt.NDArray[np.int64], width: int
) -> npt.NDArray[np.uint32]:
    """Rows of ``width`` words from ``starts``, each cut after its ``counts`` (the rest 0, never read)."""
    columns = np.arange(width)
    places = np.minimum(starts[:, None] + columns, len(words) - 1)
    return np.where(columns < counts[:, None], words[places], 0).astype(U32)


PAIRS_AT_ONCE = 8192  # pairs whose samples are compared at once


def agreeing(
    samples: Samples,
    shorter: npt.NDArray[np.int64],
    longer: npt.NDArray[np.int64],
    least_sentences: float,
    least_salient: float,
) -> npt.NDArray[np.bool_]:
    """:func:`agree` for many pairs at once: the rows of ``samples`` of each pair's shorter and longer text."""
    found = []
    for start in range(0, len(shorter), PAIRS_AT_ONCE):
        one, other = shorter[start : start + PAIRS_AT_ONCE], longer[start : start + PAIRS_AT_ONCE]
        sentences = _shares(samples.sentences, samples.sentences_kept, samples.sentences_total, one, other)
        salient = _shares(samples.salient, samples.salient_kept, samples.salient_total, one, other)
        found.append((sentences >= least_sentences) & (salient >= least_salient))
    return np.concatenate(found) if found else np.zeros(0, dtype=bool)


def _shares(
    sample: npt.NDArray[np.uint32],
    kept: npt.NDArray[np.int64],
    total: npt.NDArray[np.int64],
    one: npt.NDArray[np.int64],
    other: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """:func:`contained` of row ``one``'s set in row ``other``'s, for each pair. Each pair's hashes
    get its number in their high 32 bits, so that one sorted search finds every pair's shared ones."""
    columns = np.arange(sample.shape[1])
    pair = np.arange(len(one), dtype=np.uint64)[:, None] << np.uint64(32)
    mine, theirs = sample.take(one, axis=0), sample.take(other, axis=0)
    largest = theirs[np.arange(len(other)), np.maximum(kept[other] - 1, 0)]
    cut = total[other] > kept[other]  # the other's sample is cut: compare below its largest hash only
    considered = (columns < kept[one][:, None]) & (~cut[:, None] | (mine <= largest[:, None]))
    searched = (theirs | pair)[columns < kept[other][:, None]]  # sorted: by pair, then hash
    wanted = (mine | pair)[considered]
    if len(searched):
        places = np.minimum(np.searchsorted(searched, wanted), len(searched) - 1)
        wanted = wanted[searched[places] == wanted]
    else:
        wanted = wanted[:0]
    hits = np.bincount((wanted >> np.uint64(32)).astype(np.int64), minlength=len(one))
    counted = np.count_nonzero(considered, axis=1)
    shares = np.where(counted > 0, hits / np.maximum(counted, 1), 0.0)
    return np.where(total[one] == 0, 1.0, np.where(total[other] == 0, 0.0, shares))
