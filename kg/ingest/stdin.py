"""The stdin source (input ``-``): JSONL if its first non-blank character is ``{``, else one
plain-text article with id ``stdin``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from .formats import jsonl_items, parse_text_document
from .records import Note, Read, failure, logged_read, parsed, problem

STDIN = "-"
STDIN_SOURCE = "<stdin>"
STDIN_ID = "stdin"


def read_stdin(stream: TextIO, title_from: str = "auto") -> Iterator[Read]:
    """Read stdin as JSONL (first non-blank char ``{``) or as one plain-text article (its
    headline found by ``title_from``, :mod:`.headline`)."""
    try:
        text = stream.read()
    except (OSError, UnicodeDecodeError) as err:
        yield problem(STDIN_SOURCE, f"cannot read stdin: {err}")
        return
    except Exception as err:
        yield problem(STDIN_SOURCE, failure(err))
        return
    text = text.removeprefix("\ufeff")
    if not text.strip():
        yield problem(STDIN_SOURCE, "empty")
    elif "\x00" in text:
        yield problem(STDIN_SOURCE, "binary file")
    elif text.lstrip()[0] == "{":
        for item, line, notes in jsonl_items(text, STDIN_SOURCE, path=None):
            yield logged_read(item, STDIN_SOURCE, line, notes)
    else:
        notes: list[Note] = []
        item = parsed(lambda: parse_text_document(text, STDIN_ID, path=None, notes=notes,
                                                        title_from=title_from), STDIN_SOURCE, where="stdin")
        yield logged_read(item, STDIN_SOURCE, None, notes)
