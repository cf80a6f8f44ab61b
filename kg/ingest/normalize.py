"""Article text normalisation (pure functions): characters (Unicode, quotes, spaces, controls),
then paragraphs (hard-wrapped lines joined, one blank line between paragraphs, repeats dropped)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator


def normalize_text(text: str) -> str:
    """Normalise article text (pure function).

    Lone surrogates (invalid Unicode, e.g. from a JSON ``\\ud800``) to U+FFFD; NFC; curly
    quotes to straight ones; unicode spaces to ``' '``; CRLF/CR to LF; control characters
    other than newline dropped (tabs become spaces); hard-wrapped
    lines joined; paragraphs separated by exactly one blank line; paragraphs that
    repeat an earlier one dropped; runs of spaces collapsed; outer whitespace stripped.

    A block of lines without blank lines between them is read as one hard-wrapped
    paragraph, unless most of its lines end a sentence: then each line is a paragraph
    and a line is only joined to the next when it does not end with sentence-final
    punctuation (``"President\\nJoe Biden"`` becomes ``"President Joe Biden"``).
    Markdown headings, list items and title-like short lines are never joined.
    """
    lines = _normalize_chars(text).split("\n")
    paragraphs: list[str] = []
    for block in _blocks(lines):
        paragraphs.extend(_block_paragraphs(block))
    return "\n\n".join(_dedupe(paragraphs))


def clean_inline(value: str) -> str | None:
    """Normalise a one-line metadata value; ``None`` if nothing is left."""
    return " ".join(normalize_text(value).split()) or None


# --------------------------------------------------------------------- character level

_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2039\u203a", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb", '"'),
        # non-breaking and other unicode spaces
        **dict.fromkeys("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                        "\u2008\u2009\u200a\u202f\u205f\u3000\t", " "),
        # line / paragraph breaks other than LF
        **dict.fromkeys("\u000b\u000c\u0085\u2028", "\n"),
        "\u2029": "\n\n",
        # invisible characters: zero width space, word joiner, BOM, soft hyphen
        **dict.fromkeys("\u200b\u2060\ufeff\u00ad", None),
    }
)
_SPACES = re.compile(r" {2,}")
#: Unicode category Cc (C0 and C1 controls, DEL) except the newline.
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]+")
_SURROGATES = re.compile("[\ud800-\udfff]")


def has_surrogates(text: str) -> bool:
    """True if ``text`` holds lone surrogates (not valid Unicode: it cannot be encoded as UTF-8)."""
    return _SURROGATES.search(text) is not None


def replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD."""
    return _SURROGATES.sub("\ufffd", text)


def _normalize_chars(text: str) -> str:
    """Character-level clean-up: surrogates, NFC, quotes, spaces, newlines, control characters
    (regular expressions and str methods: linear, no Python loop per character)."""
    text = replace_surrogates(text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    text = _CONTROLS.sub("", text)
    return _SPACES.sub(" ", text)


# --------------------------------------------------------------------- paragraph level

_SENTENCE_END = ".!?:;\"')]\u2026"
_FULL_STOP = ".!?:;\u2026"
_LIST_ITEM = re.compile(r"^(?:[-*+\u2022\u2013\u2014]\s|\d{1,3}[.)]\s|>)")
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or over per the to vs via with".split()
)


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    """Group stripped lines into blocks separated by blank lines."""
    block: list[str] = []
    for line in lines:
        line = line.strip()
        if line:
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _ends_sentence(line: str) -> bool:
    """True if the line ends with sentence-final punctuation or a closing quote/bracket."""
    return line[-1] in _SENTENCE_END


def _is_heading_like(line: str) -> bool:
    """A markdown heading, or a short all-caps / title-case line without final punctuation."""
    if line.startswith("#"):
        return True
    if _ends_sentence(line) or len(line) > 80:
        return False
    words = [w for w in line.split() if any(c.isalpha() for c in w)]
    if not words or len(words) > 12:
        return False
    if line.upper() == line:
        return True
    return all(
        w[0].isupper() or w[0].isdigit() or (i > 0 and w.lower() in _SMALL_WORDS)
        for i, w in enumerate(words)
    )


def _should_join(line: str, nxt: str, one_per_line: bool) -> bool:
    """Whether ``nxt`` continues the paragraph that ``line`` belongs to.

    A line starting with a lower-case letter also continues a line that ends with a
    closing quote or bracket (``'"No," she said' / 'Then (he left)' + 'quickly.'``).
    """
    if _LIST_ITEM.match(nxt) or nxt.startswith("#") or _is_heading_like(line):
        return False
    if not one_per_line or not _ends_sentence(line):
        return True
    return nxt[0].islower() and line[-1] not in _FULL_STOP


def _block_paragraphs(block: list[str]) -> list[str]:
    """Split one block (lines without blank lines between them) into paragraphs."""
    inner = block[:-1]
    one_per_line = bool(inner) and 2 * sum(map(_ends_sentence, inner)) >= len(inner)
    paragraphs = [block[0]]
    for line, nxt in zip(block, block[1:]):
        if _should_join(line, nxt, one_per_line):
            paragraphs[-1] = f"{paragraphs[-1]} {nxt}"
        else:
            paragraphs.append(nxt)
    return paragraphs


def _dedupe(paragraphs: Iterable[str]) -> list[str]:
    """Drop paragraphs that repeat an earlier one (keeping the first)."""
    seen: set[str] = set()
    kept = []
    for paragraph in paragraphs:
        if paragraph not in seen:
            seen.add(paragraph)
            kept.append(paragraph)
    return kept
