"""Read news articles from files, directories or stdin into :class:`kg.model.Article` records.

Supported inputs:

* ``.txt`` / ``.md`` / ``.markdown``: plain text with optional YAML front matter
  (``title``, ``date``, ``source``, ``url``); the id is the file name without extension.
* ``.jsonl``: one JSON object per line with ``id`` and ``text`` (plus optional
  ``title``, ``date``, ``source``, ``url``).
* ``.html`` / ``.htm``: main text and metadata extracted with ``trafilatura``.
* ``-``: stdin, read as JSONL if its first non-blank character is ``{``, else as one
  plain-text article with id ``stdin``.

Bad input never raises: :func:`read_articles` yields a :class:`Problem` (with a one-line
reason) and carries on. Any exception while reading, decoding, parsing front matter or JSON of
one input (or one JSONL line) becomes that input's Problem; the known ones have their own
reasons (``invalid JSON: nested too deeply``), anything else ``could not be read (...)``.
Every article's text goes through :func:`normalize_text`. Duplicate articles are *not*
removed here; that happens later, by content hash. :func:`read_inputs` yields the same items
wrapped in :class:`Read` records that also say where each came from (file and JSONL line) and
carry :class:`Note` warnings about what was read all the same (a fallback encoding, an
invalid date left out, invalid Unicode replaced).

A directory is walked without leaving it: a symbolic link inside it whose target lies
outside is skipped (a Problem) unless ``follow_symlinks``; a file named directly is read.
:func:`language_problem` is a cheap "is this English?" check, used by the build.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import json
import logging
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TextIO

from kg.model import Article
from kg.printable import printable

logger = logging.getLogger("kg.ingest")

#: File suffixes read when walking a directory, and the reader used for each.
SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".jsonl": "jsonl",
    ".html": "html",
    ".htm": "html",
}

STDIN = "-"
STDIN_SOURCE = "<stdin>"
STDIN_ID = "stdin"
META_FIELDS = ("title", "date", "source", "url")
MAX_ID_LENGTH = 200
#: Larger files are skipped (read whole into memory; one article is parsed in chunks).
MAX_FILE_BYTES = 1 << 30
#: Larger YAML front matter is refused: it holds a few metadata fields, and PyYAML reads
#: about 1 MB/s (a front matter of megabytes would stall the build).
MAX_FRONT_MATTER_CHARS = 65_536


@dataclass(frozen=True)
class Problem:
    """An input that was skipped, with a one-line human-readable reason."""

    source: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        """``FILE[:LINE]: reason``, control characters and the like escaped (:func:`printable`)."""
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return printable(f"{where}: {self.reason}")


@dataclass(frozen=True)
class Note:
    """A warning about an input that was read all the same; ``kind`` counts it in the
    build's summary ("1 decoded with a fallback encoding")."""

    text: str  # "not valid UTF-8, decoded as cp1252"
    kind: str  # "decoded with a fallback encoding"

    def __str__(self) -> str:
        return printable(self.text)


_FALLBACK = "decoded with a fallback encoding"
_SURROGATES_NOTE = Note("invalid Unicode (lone surrogate code points) replaced with U+FFFD",
                        "invalid Unicode replaced")


@dataclass(frozen=True)
class Read:
    """One result of :func:`read_inputs`: an article or a problem, where it came from, and
    the warnings about it (a file's own, e.g. its encoding, come with its first item)."""

    item: Article | Problem
    source: str  # file path, or "<stdin>"
    line: int | None = None  # JSONL line number
    notes: tuple[Note, ...] = ()

    @property
    def where(self) -> str:
        return self.source if self.line is None else f"{self.source}:{self.line}"


class _Reject(Exception):
    """Internal: raised by parsers, turned into a :class:`Problem` by the readers."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- public API


def read_articles(
    inputs: Iterable[str],
    *,
    stdin: TextIO | None = None,
    recursive: bool = True,
    follow_symlinks: bool = False,
) -> Iterator[Article | Problem]:
    """Yield an :class:`Article` or a :class:`Problem` for everything found in ``inputs``.

    ``inputs`` are file paths, directory paths (walked depth-first, entries sorted by
    name, hidden entries skipped, only files with a suffix in :data:`SUFFIXES`; into
    sub-directories only if ``recursive``; symbolic links to outside the directory skipped
    unless ``follow_symlinks``) or ``-`` for ``stdin`` (``sys.stdin`` if not given). Never
    raises for bad content or missing paths.
    """
    for read in read_inputs(inputs, stdin=stdin, recursive=recursive, follow_symlinks=follow_symlinks):
        yield read.item


def read_inputs(
    inputs: Iterable[str],
    *,
    stdin: TextIO | None = None,
    recursive: bool = True,
    follow_symlinks: bool = False,
) -> Iterator[Read]:
    """Like :func:`read_articles`, each item wrapped in a :class:`Read` (source, line, notes).

    Lazy: files are read one at a time, as the caller asks for the next item, so a file
    that disappears after its directory was listed is reported, not fatal.
    """
    for raw in inputs:
        name = os.fspath(raw)
        if name == STDIN:
            yield from _read_stdin(stdin if stdin is not None else sys.stdin)
            continue
        if not name:
            yield _problem("''", "empty path")
            continue
        path = Path(name)
        try:
            kind = "dir" if path.is_dir() else "file" if path.is_file() else None
            if kind is None:
                reason = ("broken symbolic link" if path.is_symlink() and not path.exists() else
                          "not a regular file" if path.exists() else "no such file or directory")
        except OSError as err:  # a name too long, a folder on the way that cannot be searched
            kind, reason = None, f"cannot read: {err.strerror or err}"
        if kind == "dir":
            for item in _walk(path, recursive, follow_symlinks):
                if isinstance(item, Problem):
                    yield Read(item, item.source)
                else:
                    yield from _read_file(item)
        elif kind == "file":
            if path.suffix.lower() in SUFFIXES:
                yield from _read_file(path)
            else:
                yield _problem(name, f"unsupported file type {path.suffix or '(no suffix)'!r}")
        else:
            yield _problem(name, reason)


def _problem(source: str, reason: str, line: int | None = None) -> Read:
    return Read(Problem(source, reason, line), source, line)


def _read(item: Article | Problem, source: str, line: int | None, notes: Iterable[Note]) -> Read:
    """A Read, its notes logged as warnings (one line each, naming the file and line)."""
    read = Read(item, source, line, tuple(notes))
    for note in read.notes:
        logger.warning("%s: %s", read.where, note.text)
    return read


def _describe(err: BaseException) -> str:
    """An exception on one line: its type and (shortened) message."""
    text = " ".join(str(err).split())
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(err).__name__}{': ' + text if text else ''}"


def _failure(err: BaseException) -> str:
    """The reason given for an input that raised an exception nothing else expected."""
    return f"could not be read ({_describe(err)})"


def doc_id_for(path: str | os.PathLike[str]) -> str:
    """The article id of a file: its name without the (last) extension."""
    return Path(path).stem


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


def _normalize_chars(text: str) -> str:
    """Character-level clean-up: surrogates, NFC, quotes, spaces, newlines, control characters
    (regular expressions and str methods: linear, no Python loop per character)."""
    text = _SURROGATES.sub("\ufffd", text)
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


def _clean_inline(value: str) -> str | None:
    """Normalise a one-line metadata value; ``None`` if nothing is left."""
    return " ".join(normalize_text(value).split()) or None


# ---------------------------------------------------------------------------- language

# Frequent English function words: about 40% of the words of English news prose, a few
# percent of French, German, Spanish or Italian prose ("a", "an", "was" are left out: they
# are also Romance or German words).
_ENGLISH_WORDS = frozenset(
    "about after against all also and are as at be because been before but by can could "
    "did do does for from had has have he her his how i if in into is it its it's more my no "
    "not of on or our out over said says she should so than that the their them there these "
    "they this those to under up we were what when which while who will with would you".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
LANGUAGE_SAMPLE = 20_000  # characters looked at
MIN_ENGLISH_SHARE = 0.10  # of the words, when there are at least MIN_WORDS of them
MIN_WORDS = 20


def language_problem(text: str) -> str | None:
    """``None`` if ``text`` may be English, else why not (``"does not look like English (...)"``).

    Cheap and conservative, on the first :data:`LANGUAGE_SAMPLE` characters: a text mostly
    written in a non-Latin script, or (with at least :data:`MIN_WORDS` words) one in which
    fewer than :data:`MIN_ENGLISH_SHARE` of the words are English function words ("the",
    "of", "said", ...). Short texts in Latin script always pass.
    """
    sample = text[:LANGUAGE_SAMPLE]
    words = _WORD.findall(sample)
    letters = sum(len(w) for w in words)
    if letters == 0:
        return "does not look like English (no words)"
    latin = sum(1 for w in words for c in w if c < "\u0250")
    if letters >= 8 and latin < 0.5 * letters:
        return "does not look like English (mostly non-Latin script)"
    if len(words) >= MIN_WORDS:
        share = sum(1 for w in words if w.lower() in _ENGLISH_WORDS) / len(words)
        if share < MIN_ENGLISH_SHARE:
            return f"does not look like English (only {share:.0%} of the words are English function words)"
    return None


# ---------------------------------------------------------------------------- decoding

_DECLARED_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)


def looks_binary(data: bytes) -> bool:
    """True for NUL bytes or a sample made mostly of non-text bytes."""
    if b"\x00" in data:
        return True
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in b"\t\n\r\f\b\x1b" or b == 127)
    return controls > len(sample) * 0.1


def _decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode file bytes; return ``(text, encoding)``.

    UTF-8 (BOM stripped), UTF-16 with a BOM, a ``declared`` charset (from HTML), else
    cp1252, else latin-1. Raises ``_Reject`` for empty or binary content.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _non_empty(data.decode("utf-16")), "utf-16"
        except UnicodeError:
            raise _Reject("binary file") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if not data.strip():
        raise _Reject("empty")
    if looks_binary(data):
        raise _Reject("binary file")
    candidates = ["utf-8", *([declared] if declared else []), "cp1252"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (UnicodeError, LookupError):  # UnicodeError: codecs such as idna raise that
            continue
    if sum(1 for b in data[:8192] if b >= 0x80) > min(len(data), 8192) * 0.3:
        raise _Reject("binary file")
    return data.decode("latin-1"), "latin-1"


def _non_empty(text: str) -> str:
    if not text.strip():
        raise _Reject("empty")
    return text


def _declared_charset(data: bytes) -> str | None:
    """The charset named by an HTML ``<meta>`` tag, if any and known to Python."""
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii").lower()
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


# ----------------------------------------------------------------------------- walking


def _walk(root: Path, recursive: bool, follow_symlinks: bool = False) -> Iterator[Path | Problem]:
    """Files under ``root`` with a known suffix, depth-first in name order.

    Hidden entries are skipped; directories are entered once per real path, so symlink
    loops terminate. A symbolic link whose target (resolved all the way) lies outside
    ``root`` is not followed - a Problem says so - unless ``follow_symlinks``: a link to
    ``/etc`` in an input folder must not put ``/etc/passwd`` in the store. An entry that
    cannot be examined (``stat`` fails) is a Problem too, never the end of the walk.
    """
    visited: set[str] = set()
    stack: list[Iterator[Path]] = []
    inside = os.path.join(os.path.realpath(root), "")  # with a final separator

    def enter(directory: Path) -> Problem | None:
        real = os.path.realpath(directory)
        if real in visited:
            return None
        visited.add(real)
        try:
            with os.scandir(directory) as it:
                names = sorted(e.name for e in it if not e.name.startswith("."))
        except OSError as err:
            return Problem(str(directory), f"cannot list directory: {err.strerror or err}")
        stack.append(iter([directory / n for n in names]))
        return None

    def escapes(path: Path) -> Problem | None:
        """A Problem if ``path`` is a symbolic link leading outside ``root`` (not followed)."""
        if follow_symlinks or not path.is_symlink():
            return None
        target = os.path.realpath(path)
        if os.path.join(target, "").startswith(inside):
            return None
        return Problem(str(path), f"symbolic link leads outside {str(root)!r} (to {target!r}); "
                                  "pass --follow-symlinks to follow it")

    problem = enter(root)
    if problem:
        yield problem
    while stack:
        path = next(stack[-1], None)
        if path is None:
            stack.pop()
            continue
        try:
            if path.is_dir():
                if recursive and (problem := escapes(path) or enter(path)):
                    yield problem
            elif path.suffix.lower() in SUFFIXES:
                if path.is_symlink() and not path.exists():
                    yield Problem(str(path), "broken symbolic link")
                elif problem := escapes(path):
                    yield problem
                elif path.is_file():
                    yield path
                elif not path.exists():
                    yield Problem(str(path), "disappeared before it could be read")
                else:
                    yield Problem(str(path), "not a regular file")
        except OSError as err:
            yield Problem(str(path), f"cannot read: {err.strerror or err}")


# ----------------------------------------------------------------------------- readers


def _read_file(path: Path) -> Iterator[Read]:
    """Read one file of a known suffix; yield its article(s) or problems.

    Whatever goes wrong with this one file (or one line of it) is its Problem: a build
    never stops for one input. The file's own notes (its encoding) come with its first item.
    """
    source = str(path)
    kind = SUFFIXES[path.suffix.lower()]
    try:
        data = _read_regular_file(path)
        declared = _declared_charset(data) if kind == "html" else None
        text, encoding = _decode_bytes(data, declared)
        del data
    except FileNotFoundError:
        yield _problem(source, "disappeared before it could be read")
        return
    except OSError as err:
        yield _problem(source, f"cannot read file: {err.strerror or err}")
        return
    except _Reject as rej:
        yield _problem(source, rej.reason)
        return
    except Exception as err:  # MemoryError, a codec's own error...: this file only
        logger.debug("%s: reading failed", source, exc_info=True)
        yield _problem(source, _failure(err))
        return
    notes: list[Note] = []
    if encoding not in ("utf-8", "utf-16", declared):
        notes.append(Note(f"not valid UTF-8, decoded as {encoding}", _FALLBACK))
    if has_surrogates(text):  # a declared codec that can make them (utf-7...)
        notes.append(_SURROGATES_NOTE)
        text = _SURROGATES.sub("\ufffd", text)
    if kind == "jsonl":
        lines = 0
        for item, number, line_notes in _jsonl_items(text, source, path=source):
            yield _read(item, source, number, [*notes, *line_notes])
            notes, lines = [], lines + 1
        if not lines:  # only (Unicode) whitespace
            yield _read(Problem(source, "empty"), source, None, notes)
        return
    try:
        doc_id = _check_id(doc_id_for(path))
        parse = _parse_html if kind == "html" else _parse_text_document
        item: Article | Problem = parse(text, doc_id, path=source, notes=notes)
    except _Reject as rej:
        item = Problem(source, rej.reason)
    except Exception as err:
        logger.debug("%s: parsing failed", source, exc_info=True)
        item = Problem(source, _failure(err))
    yield _read(item, source, None, notes)


def _read_regular_file(path: Path) -> bytes:
    """The bytes of ``path``; ``_Reject`` if it is not a regular file (a FIFO would block)
    or larger than :data:`MAX_FILE_BYTES`."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb", closefd=True) as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Reject("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise _Reject(f"too large ({info.st_size >> 20} MiB; the limit is {MAX_FILE_BYTES >> 20} MiB)")
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _Reject(f"too large (over {MAX_FILE_BYTES >> 20} MiB)")
    return data


def _read_stdin(stream: TextIO) -> Iterator[Read]:
    """Read stdin as JSONL (first non-blank char ``{``) or as one plain-text article."""
    try:
        text = stream.read()
    except (OSError, UnicodeDecodeError) as err:
        yield _problem(STDIN_SOURCE, f"cannot read stdin: {err}")
        return
    except Exception as err:
        yield _problem(STDIN_SOURCE, _failure(err))
        return
    text = text.removeprefix("\ufeff")
    if not text.strip():
        yield _problem(STDIN_SOURCE, "empty")
    elif "\x00" in text:
        yield _problem(STDIN_SOURCE, "binary file")
    elif text.lstrip()[0] == "{":
        for item, line, notes in _jsonl_items(text, STDIN_SOURCE, path=None):
            yield _read(item, STDIN_SOURCE, line, notes)
    else:
        notes: list[Note] = []
        try:
            item: Article | Problem = _parse_text_document(text, STDIN_ID, path=None, notes=notes)
        except _Reject as rej:
            item = Problem(STDIN_SOURCE, rej.reason)
        except Exception as err:
            logger.debug("stdin: parsing failed", exc_info=True)
            item = Problem(STDIN_SOURCE, _failure(err))
        yield _read(item, STDIN_SOURCE, None, notes)


# ----------------------------------------------------------------------------- parsers


@cache
def _front_matter_loader() -> type:
    """PyYAML's safe loader (no Python objects, no tags beyond YAML's own), except that a
    scalar YAML reads as a timestamp, number or boolean but cannot convert (``2024-13-45``,
    an integer of 5,000 digits, ``!!bool maybe``) is kept as the text written instead of
    raising: one odd value never loses the article (a bad ``date`` is then left out with a
    note, :func:`_meta_value`)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def lenient(tag: str) -> None:
        strict = Loader.yaml_constructors[tag]

        def construct(loader, node):
            try:
                return strict(loader, node)
            except yaml.YAMLError:
                raise
            except Exception:  # ValueError, KeyError, AttributeError from the converters
                return loader.construct_scalar(node)

        Loader.add_constructor(tag, construct)

    for kind in ("timestamp", "int", "float", "bool"):
        lenient(f"tag:yaml.org,2002:{kind}")
    return Loader


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split optional YAML front matter (``---`` ... ``---``) from the body.

    Raises ``_Reject`` for unterminated, over-long (:data:`MAX_FRONT_MATTER_CHARS`) or invalid
    YAML (syntax, nesting deeper than Python's recursion limit, a number YAML cannot hold,
    an unknown tag such as ``!!python/object``), or YAML that is not a mapping. Aliases are
    not expanded into copies ("billion laughs" stays small), and only the metadata fields are
    read from the result.
    """
    if not text.startswith("---"):
        return {}, text
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return {}, text
    size = 0
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
        size += len(lines[end])
        if size > MAX_FRONT_MATTER_CHARS:
            raise _Reject(f"YAML front matter too long (over {MAX_FRONT_MATTER_CHARS:,} characters)")
    else:
        raise _Reject("unterminated YAML front matter")
    import yaml

    try:
        meta = yaml.load("".join(lines[1:end]), Loader=_front_matter_loader())  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (front matter line {mark.line + 1})" if mark is not None else ""
        problem = getattr(err, "problem", None) or "syntax error"
        raise _Reject(f"invalid YAML front matter{where}: {problem}") from None
    except RecursionError:
        raise _Reject("invalid YAML front matter: nested too deeply") from None
    except Exception as err:  # nothing known; this file only
        raise _Reject(f"invalid YAML front matter ({_describe(err)})") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise _Reject("YAML front matter is not a mapping")
    return meta, "".join(lines[end + 1:])


_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])")


def _date_problem(value: str) -> str | None:
    """Why a date written as an ISO date (``YYYY-MM-DD...``) is not one (``month must be in
    1..12``), else ``None``. Other forms ("March 5, 2024") are not checked."""
    m = _ISO_DAY.match(value)
    if m is None:
        return None
    try:
        _dt.date(*(int(g) for g in m.groups()))
    except ValueError as err:
        return str(err)
    return None


def _meta_value(meta: dict[str, Any], key: str, notes: list[Note]) -> str | None:
    """A metadata field as a clean string (dates as ISO strings); ``_Reject`` if not scalar.

    A ``date`` that is written as an ISO date but is not a valid one (``2024-13-45``) is left
    out with a note: the article is kept, and no impossible date reaches the store (or
    Gephi's timeline)."""
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, _dt.date):  # also datetime
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Reject(f"{key!r} must be a string")
    try:
        text = _clean_inline(str(value))
    except ValueError:  # an int of more than 4,300 decimal digits (YAML read it from hex)
        raise _Reject(f"{key!r} is a number too long to write out") from None
    if key == "date" and text is not None and (why := _date_problem(text)):
        notes.append(Note(f"'date' {text[:40]!r} is not a valid date ({why}): left out", "invalid date left out"))
        return None
    return text


def _surrogate_notes(*values: object) -> list[Note]:
    """The note that lone surrogates were replaced, if any string among ``values`` has one."""
    return [_SURROGATES_NOTE] if any(isinstance(v, str) and has_surrogates(v) for v in values) else []


def _parse_text_document(text: str, doc_id: str, *, path: str | None, notes: list[Note] | None = None) -> Article:
    """A ``.txt``/``.md`` document (optional YAML front matter) as an Article; warnings about
    what was read all the same are appended to ``notes``."""
    notes = [] if notes is None else notes
    meta, body = _split_front_matter(text)
    fields = {key: _meta_value(meta, key, notes) for key in META_FIELDS}
    notes += _surrogate_notes(body, *(meta.get(key) for key in META_FIELDS))
    body = normalize_text(body)
    if not body:
        raise _Reject("empty")
    return Article(id=doc_id, text=body, path=path, **fields)


def parse_jsonl(text: str, source: str, *, path: str | None) -> Iterator[Article | Problem]:
    """One Article per JSONL line; a Problem (with its line number) for each bad line."""
    for item, _, _ in _jsonl_items(text, source, path=path):
        yield item


def _jsonl_items(text: str, source: str, *, path: str | None) -> Iterator[tuple[Article | Problem, int, list[Note]]]:
    """``(Article or Problem, line number, notes)`` for each non-blank JSONL line; whatever
    goes wrong with one line is that line's Problem."""
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        notes: list[Note] = []
        try:
            item: Article | Problem = _jsonl_article(line, path, notes)
        except _Reject as rej:
            item = Problem(source, rej.reason, number)
        except Exception as err:
            logger.debug("%s:%d: parsing failed", source, number, exc_info=True)
            item = Problem(source, _failure(err), number)
        yield item, number, notes


def _json_int(digits: str) -> int:
    """A JSON integer; ``_Reject`` for one too long for Python to convert (over
    ``sys.get_int_max_str_digits()`` digits, 4,300 by default)."""
    try:
        return int(digits)
    except ValueError:
        raise _Reject(f"invalid JSON: a number of {len(digits.lstrip('-')):,} digits") from None


def _jsonl_article(line: str, path: str | None, notes: list[Note] | None = None) -> Article:
    """Parse one JSONL line; ``_Reject`` with a reason if it is not a valid article."""
    notes = [] if notes is None else notes
    try:
        record = json.loads(line, parse_int=_json_int)
    except json.JSONDecodeError as err:
        raise _Reject(f"invalid JSON: {err.msg} (column {err.colno})") from None
    except RecursionError:
        raise _Reject("invalid JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise _Reject("expected a JSON object")
    for key in ("id", "text"):
        if key not in record or record[key] is None:
            raise _Reject(f"missing {key!r}")
        if not isinstance(record[key], str):
            raise _Reject(f"{key!r} must be a string")
    doc_id = _check_id(record["id"])
    for key in META_FIELDS:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise _Reject(f"{key!r} must be a string")
    body = normalize_text(record["text"])
    if not body:
        raise _Reject("empty 'text'")
    fields = {key: _meta_value(record, key, notes) for key in META_FIELDS}
    notes += _surrogate_notes(record["text"], *(record.get(key) for key in META_FIELDS))
    return Article(id=doc_id, text=body, path=path, **fields)


def _check_id(doc_id: str) -> str:
    """Return ``doc_id`` if safe as a file name and IRI part, else ``_Reject``.

    Rejected (not sanitised): empty ids, ``/``, ``\\``, ``..``, a leading ``.``,
    NUL/control characters, line separators, lone surrogates (a JSON ``\\ud800``, or a file
    name that is not valid UTF-8), surrounding whitespace, over-long ids.
    """
    if not doc_id.strip():
        raise _Reject("empty 'id'")
    unsafe = (
        "/" in doc_id
        or "\\" in doc_id
        or ".." in doc_id
        or doc_id.startswith(".")
        or doc_id != doc_id.strip()
        or len(doc_id) > MAX_ID_LENGTH
        or any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in doc_id)
    )
    if unsafe:
        raise _Reject(f"unsafe id {doc_id[:60]!r}")
    return doc_id


_BOILERPLATE = re.compile(
    r"(?i)^(?:©|\(c\)\s|copyright\b)|all rights reserved|^(?:subscribe|sign (?:in|up)|log ?in|share (?:this|on)|"
    r"skip to|follow us|read more|related)\b|\bcookies?\b.*\b(?:accept|consent|policy)\b"
)


def _is_prose(paragraph: str) -> bool:
    """A paragraph of at least four words with a lower-case one, not a copyright/cookie line."""
    words = paragraph.split()
    return len(words) >= 4 and any(w[:1].islower() for w in words) and not _BOILERPLATE.search(paragraph)


def _parse_html(text: str, doc_id: str, *, path: str | None, notes: list[Note] | None = None) -> Article:
    """Main text and metadata of an HTML page via trafilatura, as an Article.

    trafilatura parses with lxml's *HTML* parser, which does not load DTDs or resolve
    external entities; no XML parser is involved.
    """
    import trafilatura  # lazy: slow import, only needed for HTML

    try:
        doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False)
    except Exception as err:  # trafilatura/lxml may raise on pathological input
        raise _Reject(f"HTML extraction failed: {type(err).__name__}") from None
    if doc is None:
        raise _Reject("no article text found in HTML")

    def get(key: str) -> Any:
        value = doc.get(key) if isinstance(doc, dict) else getattr(doc, key, None)
        return value if isinstance(value, str) and value.strip() else None

    title = _clean_inline(get("title") or "") if get("title") else None
    # trafilatura puts one block element per line: each line is a paragraph
    body = normalize_text((get("text") or "").replace("\n", "\n\n"))
    if title and body.startswith(title + "\n\n"):
        body = body[len(title) + 2:]  # the headline repeated as first paragraph
    if not body or body == title:
        raise _Reject("no article text found in HTML")
    if not any(_is_prose(p) for p in body.split("\n\n")):
        raise _Reject("no article text found in HTML (only navigation or boilerplate)")
    return Article(
        id=doc_id,
        text=body,
        title=title,
        date=get("date"),
        source=get("sitename") or get("hostname"),
        url=get("url"),
        path=path,
    )
