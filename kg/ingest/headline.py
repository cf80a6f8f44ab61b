"""The headline of a plain-text article written as its first line (the layout of most news
datasets): taken out of the body and kept as the title, by rule (``auto``) or always
(``first-line``); ``none`` leaves the text alone. An article's own title (front matter, JSONL)
always wins: this only runs when it has none."""

from __future__ import annotations

import re

#: The ways of finding the headline (``kg build --title-from``, ``title_from`` in ``_meta.yaml``).
TITLE_FROM = ("auto", "first-line", "none")

#: ``auto`` takes a first line of at most this many characters and words as the headline...
MAX_HEADLINE_CHARS = 150
MAX_HEADLINE_WORDS = 25
#: ... if it stands alone (a blank line after it) and does not end as a sentence or a clause
#: does: a headline has no final full stop; a hard-wrapped paragraph's first line has no blank
#: line after it; a one-line first paragraph ending in "." is the article's first sentence.
_SENTENCE_END = re.compile(r"[.,;:\u2026]['\"\u2019\u201d)]*$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(\S.*?)\s*#*\s*$")


def split_headline(body: str, mode: str) -> tuple[str | None, str]:
    """``(headline, rest of the body)``; ``(None, body)`` when ``mode`` finds no headline.

    ``first-line``: the first non-blank line is the headline whenever text follows it.
    ``auto``: a Markdown heading (``# Title``) on the first line, or a short first line
    (:data:`MAX_HEADLINE_CHARS`, :data:`MAX_HEADLINE_WORDS`) followed by a blank line and not
    ending like a sentence (``.``, ``,``, ``;``, ``:``, ``...``). ``none``: never."""
    if mode == "none":
        return None, body
    stripped = body.lstrip("\r\n\t ")
    first, newline, rest = stripped.partition("\n")
    first = first.strip()
    if not newline or not first or not rest.strip():
        return None, body  # one line: the article itself
    heading = _MARKDOWN_HEADING.match(first)
    if heading:
        return heading.group(1), rest
    if mode == "first-line":
        return first, rest
    alone = rest.split("\n", 1)[0].strip() == ""
    short = len(first) <= MAX_HEADLINE_CHARS and len(first.split()) <= MAX_HEADLINE_WORDS
    if alone and short and not _SENTENCE_END.search(first) and any(c.isalpha() for c in first):
        return first, rest
    return None, body
