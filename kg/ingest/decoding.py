"""Bytes to text: UTF-8 or UTF-16 with a byte-order mark, an HTML page's declared charset,
else cp1252, else latin-1; empty and binary content refused."""

from __future__ import annotations

import codecs
import re

from .records import Reject

_DECLARED_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)


def looks_binary(data: bytes) -> bool:
    """True for NUL bytes or a sample made mostly of non-text bytes."""
    if b"\x00" in data:
        return True
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in b"\t\n\r\f\b\x1b" or b == 127)
    return controls > len(sample) * 0.1


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode file bytes; return ``(text, encoding)``.

    UTF-8 (BOM stripped), UTF-16 with a BOM, a ``declared`` charset (from HTML), else
    cp1252, else latin-1. Raises ``Reject`` for empty or binary content.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _non_empty(data.decode("utf-16")), "utf-16"
        except UnicodeError:
            raise Reject("binary file") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if not data.strip():
        raise Reject("empty")
    if looks_binary(data):
        raise Reject("binary file")
    candidates = ["utf-8", *([declared] if declared else []), "cp1252"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (UnicodeError, LookupError):  # UnicodeError: codecs such as idna raise that
            continue
    if sum(1 for b in data[:8192] if b >= 0x80) > min(len(data), 8192) * 0.3:
        raise Reject("binary file")
    return data.decode("latin-1"), "latin-1"


def _non_empty(text: str) -> str:
    if not text.strip():
        raise Reject("empty")
    return text


def declared_charset(data: bytes) -> str | None:
    """The charset named by an HTML ``<meta>`` tag, if any and known to Python."""
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    return known_charset(match.group(1).decode("ascii"))


def known_charset(name: str) -> str | None:
    """``name`` (an HTML ``<meta>`` or HTTP ``Content-Type`` charset) as a Python codec name,
    if it is a character encoding Python knows; else None."""
    name = name.strip().lower()
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # only character encodings: not rot13, base64, zlib, nor unicode_escape and the like,
    # which are no charset of a web page and would read backslashes as escapes
    if not getattr(info, "_is_text_encoding", True) or "escape" in info.name or info.name in ("idna", "punycode"):
        return None
    name = info.name
    # browsers read latin-1 / ascii declarations as windows-1252
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name
