"""decode: bytes → text through BOM, UTF-8, declared, detected, and GB18030 as the lossy last resort."""

from __future__ import annotations

import codecs

from newspkg.decode import decode

SIMPLIFIED = "国有企业是中国特色社会主义的重要物质基础和政治基础，是党执政兴国的重要支柱和依靠力量。"
TRADITIONAL = (
    "國有企業是中國特色社會主義的重要物質基礎和政治基礎，是黨執政興國的重要支柱和依靠力量。"
    "國有企業發展的高度，不僅體現在自身實力與規模上，更體現在對社會責任的踐行。"
    "經過兩年多發展，集團已成為高新區「投資、建設、運營、服務」主力軍。"
)


def test_utf8_with_bom() -> None:
    """A UTF-8 BOM is recognised and not left in the text."""
    decoded = decode(codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"))
    assert (decoded.text, decoded.encoding, decoded.lossy) == (SIMPLIFIED, "utf-8-sig", False)


def test_plain_utf8() -> None:
    """Bytes that are valid UTF-8 are read as UTF-8."""
    decoded = decode(SIMPLIFIED.encode("utf-8"))
    assert (decoded.text, decoded.encoding) == (SIMPLIFIED, "utf-8")


def test_gb18030_bytes_are_detected() -> None:
    """Simplified Chinese in GB18030 without any declaration decodes to the same text."""
    decoded = decode(SIMPLIFIED.encode("gb18030"))
    assert decoded.text == SIMPLIFIED
    assert not decoded.lossy


def test_big5_bytes_are_detected() -> None:
    """A longer traditional-Chinese text in Big5 decodes to the same text."""
    decoded = decode(TRADITIONAL.encode("big5"))
    assert decoded.text == TRADITIONAL
    assert not decoded.lossy


def test_utf16_with_bom() -> None:
    """UTF-16 with a BOM decodes, and the BOM is not left in the text."""
    decoded = decode(SIMPLIFIED.encode("utf-16"))
    assert (decoded.text, decoded.encoding) == (SIMPLIFIED, "utf-16")


def test_declared_encoding_is_used_before_detection() -> None:
    """Bytes valid in the source's declared encoding are decoded with it (and it is reported)."""
    decoded = decode(SIMPLIFIED.encode("gbk"), declared="gbk")
    assert (decoded.text, decoded.encoding) == (SIMPLIFIED, "gbk")


def test_undecodable_bytes_are_lossy() -> None:
    """UTF-8 with a broken sequence in the middle falls through to GB18030 with replacements: lossy."""
    decoded = decode("中文新闻报道".encode() + b"\xff\xfe\x80" + "更多内容".encode())
    assert decoded.lossy
    assert "\ufffd" in decoded.text


def test_the_encoding_a_page_declares_in_its_markup() -> None:
    """A saved page's ``<meta charset>`` is read before detection guesses (Latin-1 read as another)."""
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>'
    text = page + "<p>Bayern fordert höhere Erlösobergrenzen für Bioenergie.</p>"
    decoded = decode(text.encode("latin-1"))
    assert (decoded.text, decoded.encoding, decoded.lossy) == (text, "cp1252", False)


def test_utf8_with_a_stray_windows_1252_byte_inside_a_word() -> None:
    """A page pasted together from two encodings: the byte is the letter it stands for, not damage."""
    text = "Über Tierschutz, Mitgefühl und die Wildvögel der Stadt. " * 20
    decoded = decode(text.encode() + b"Am 26. September: Mitgef\xfchl w\xe4hlen!")
    assert (decoded.encoding, decoded.lossy) == ("utf-8", False)
    assert decoded.text.endswith("Mitgefühl wählen!")
