"""bytes → str, and the encoding that was used; nothing else.

The cascade: a byte-order mark, then strict UTF-8, then the encoding the source declares, then
charset-normalizer's detection, then GB18030 with replacement characters as the last resort (the
sanity checks downstream reject text that needed them).
"""

from __future__ import annotations

import codecs
import zlib
from dataclasses import dataclass

import charset_normalizer

BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
LAST_RESORT = "gb18030"
NON_ASCII = bytes(range(0x80, 0x100))
DAMAGED_UTF8_SHARE = 0.01  # legacy CJK bytes fail as UTF-8 about every other byte; damaged UTF-8 rarely


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    lossy: bool = False  # True when undecodable bytes were replaced with U+FFFD


def decode(data: bytes, declared: str | None = None) -> Decoded:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = _strict(data, encoding)
            if text is not None:
                return Decoded(text.lstrip("\ufeff"), encoding)
    for candidate in ("utf-8", declared):
        if candidate:
            text = _strict(data, candidate)
            if text is not None:
                return Decoded(text, candidate)
    damaged = data.decode("utf-8", errors="replace")
    non_ascii = len(data) - len(data.translate(None, NON_ASCII))
    if damaged.count("\ufffd") <= DAMAGED_UTF8_SHARE * non_ascii:
        # UTF-8 with a few broken bytes: a legacy encoding would turn it into plausible garbage.
        return Decoded(damaged, "utf-8", lossy=True)
    for candidate in (_detect(data), LAST_RESORT):  # detection misses some GB18030 files
        if candidate:
            text = _strict(data, candidate)
            if text is not None:
                return Decoded(text, candidate)
    return Decoded(data.decode(LAST_RESORT, errors="replace"), LAST_RESORT, lossy=True)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data[:65536]).best()
    if best is None:
        return None
    return codecs.lookup(best.encoding).name


GZIP_MAGIC = b"\x1f\x8b"


class NotGunzipped(ValueError):
    """A gzip stream that is broken, or inflates past the limit: the message says which."""


def gunzipped(data: bytes, limit: int) -> bytes:
    """The content of a gzip-compressed file (a saved page as ``.html.gz``), at most ``limit`` bytes:
    a stream inflating past it (a gzip bomb) is refused before it is held whole."""
    inflated = bytearray()
    while data:
        stream = zlib.decompressobj(wbits=31)  # 31: a gzip header and trailer
        try:
            inflated += stream.decompress(data, limit + 1 - len(inflated))
        except zlib.error as error:
            raise NotGunzipped(f"not a valid gzip stream: {error}") from None
        if len(inflated) > limit:
            raise NotGunzipped(f"inflates to over {limit} bytes ([limits] max_bytes)")
        if not stream.eof:
            raise NotGunzipped("the gzip stream is cut off")
        data = stream.unused_data  # a file may hold several gzip members, one after another
    return bytes(inflated)
