"""bytes → str, and the encoding that was used; nothing else.

The cascade: a byte-order mark, then strict UTF-8, then the encoding the source declares, then
the one a page declares in its markup (``<meta charset>``, read by w3lib), then UTF-8 with a few
Windows-1252 bytes among it (a page pasted together from two encodings), then charset-normalizer's
detection, then GB18030 with replacement characters as the last resort (the sanity checks
downstream reject text that needed them).
"""

from __future__ import annotations

import codecs
import zlib
from collections.abc import Iterator
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
MARKUP_SNIFF_BYTES = 4096  # where the HTML standard looks for a declared encoding
# Of the non-ASCII bytes, the share that fails as UTF-8: legacy CJK about every other, Latin-1 all,
# UTF-8 with a few stray bytes rarely.
DAMAGED_UTF8_SHARE = 0.05


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
    for candidate in _stated_encodings(data, declared):
        if candidate:
            text = _strict(data, candidate)
            if text is not None:
                return Decoded(text, candidate)
    damaged = data.decode("utf-8", errors="replace")
    non_ascii = len(data) - len(data.translate(None, NON_ASCII))
    if damaged.count("\ufffd") <= DAMAGED_UTF8_SHARE * non_ascii:
        # UTF-8 with a few bytes that are not: a legacy encoding would turn it into plausible
        # garbage. Those bytes are mostly Windows-1252 ("Mitgef\xfchl"); any other is lost.
        mended = data.decode("utf-8", errors=WINDOWS_1252_BYTES)
        return Decoded(mended, "utf-8", lossy="\ufffd" in mended)
    for candidate in (_detect(data), LAST_RESORT):  # detection misses some GB18030 files
        if candidate:
            text = _strict(data, candidate)
            if text is not None:
                return Decoded(text, candidate)
    return Decoded(data.decode(LAST_RESORT, errors="replace"), LAST_RESORT, lossy=True)


def _windows_1252_bytes(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: a byte that is not UTF-8, inside a word of ASCII letters, read as
    Windows-1252 ("Mitgef\xfchl"); any other is damage (U+FFFD), which makes the decoding lossy."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    data, start, end = error.object, error.start, error.start + 1
    letter = bytes(data[start:end]).decode("cp1252", errors="replace")
    beside = bytes(data[start - 1 : start]) + bytes(data[end : end + 1])
    in_a_word = letter.isalpha() and any(chr(byte).isalpha() for byte in beside if byte < 0x80)
    return (letter if in_a_word else "\ufffd"), end


WINDOWS_1252_BYTES = "newspkg-windows-1252-bytes"
codecs.register_error(WINDOWS_1252_BYTES, _windows_1252_bytes)


def _stated_encodings(data: bytes, declared: str | None) -> Iterator[str | None]:
    """UTF-8, the source's encoding, then the page's own: its markup is read only when those fail."""
    yield "utf-8"
    yield declared
    yield _declared_in_markup(data)


def _declared_in_markup(data: bytes) -> str | None:
    """The encoding a page declares in its first kilobytes (``<meta charset>``, an XML declaration)."""
    from w3lib.encoding import html_body_declared_encoding

    return html_body_declared_encoding(data[:MARKUP_SNIFF_BYTES])


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
