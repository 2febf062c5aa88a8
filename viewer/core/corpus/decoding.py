"""Bytes to canonical text: explicit, never-silent decoding and line-end canonicalisation.

Rules: a BOM (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) decides the encoding; else strict
UTF-8; else cp1252, then latin-1 (which always succeeds). Every fallback or
replacement is reported as a warning string naming what was done.
"""

from __future__ import annotations

import codecs
import re

# UTF-32 LE must be tried before UTF-16 LE: its BOM starts with the UTF-16 LE BOM.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_FALLBACKS = ("cp1252", "latin-1")
_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical_text(text: str) -> str:
    """CRLF and lone CR become LF; nothing else changes (offsets refer to this text)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff_bom(data: bytes) -> tuple[str, int] | None:
    """The encoding named by a leading BOM and the BOM's length, or None."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def is_wide_encoding(encoding: str | None) -> bool:
    """UTF-16/32: NUL bytes are normal there, and lines are not split on a bare b"\\n"."""
    return encoding is not None and encoding.startswith(("utf-16", "utf-32"))


def looks_binary(data: bytes) -> bool:
    """NUL bytes mean binary, unless a UTF-16/32 BOM explains them."""
    if b"\x00" not in data:
        return False
    bom = sniff_bom(data)
    return not (bom and is_wide_encoding(bom[0]))


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Decode a whole file's bytes by the module rules; return text and warnings.

    The BOM is removed from the text. The text is not canonicalised.
    """
    bom = sniff_bom(data)
    if bom is None:
        return decode_unmarked(data)
    encoding, length = bom
    # A UTF-16 LE text starting with U+0000 carries the UTF-32 LE BOM; retry as UTF-16.
    if encoding == "utf-32-le" and not _decodes(data[length:], encoding):
        if _decodes(data[2:], "utf-16-le"):
            return data[2:].decode("utf-16-le"), []
    return decode_with(data[length:], encoding)


def decode_unmarked(data: bytes) -> tuple[str, list[str]]:
    """No BOM: strict UTF-8, else the first fallback that works (recorded)."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    for encoding in _FALLBACKS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, [f"not valid UTF-8; decoded as {encoding}"]
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def decode_with(data: bytes, encoding: str) -> tuple[str, list[str]]:
    """Decode in a known encoding; invalid sequences become U+FFFD with a warning."""
    try:
        return data.decode(encoding), []
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        return text, [f"invalid {encoding.upper()} data replaced with U+FFFD"]


def replace_surrogates(text: str) -> tuple[str, bool]:
    """Lone surrogates (e.g. from JSON "\\ud800") cannot be stored as UTF-8: use U+FFFD."""
    fixed, count = _SURROGATE.subn("\ufffd", text)
    return fixed, count > 0


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
