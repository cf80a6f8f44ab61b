"""Input-controlled text made safe for one-line messages on a terminal or in a log.

File names, document ids, JSONL fields and exception texts come from the input: an ESC
sequence in a file name would drive the terminal that shows kg's message, a newline would
forge a second message line, a bidi override would reorder it. :func:`printable` escapes
every character that is not printable (``str.isprintable``: controls, format characters such
as bidi overrides, line and paragraph separators, surrogates, unassigned code points), as
Python writes them in a string literal; a surrogate that stands for an undecodable byte of a
file name (``surrogateescape``) is shown as that byte (``\\xe9``). :class:`LogFormatter` does
the same to every log message kg writes.
"""

from __future__ import annotations

import logging

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: an undecodable byte of a file name
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: object) -> str:
    """``str(text)`` with every non-printable character escaped (``\\x1b``, ``\\n``, ``\\u202e``).

    Idempotent: the result holds printable characters only, so escaping it again changes
    nothing. Backslashes are left as they are."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in s)


class LogFormatter(logging.Formatter):
    """A formatter whose message line is :func:`printable`: one record, one line, no escape
    sequences - whatever file name or id the message names. A traceback appended to the
    record (``log.exception``) keeps its lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return printable(super().formatMessage(record))
