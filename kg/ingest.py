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
reason) and carries on. Every article's text goes through :func:`normalize_text`.
Duplicate articles are *not* removed here; that happens later, by content hash.
:func:`read_inputs` yields the same items wrapped in :class:`Read` records that also say
where each came from (file and JSONL line) and whether a fallback encoding was used.
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
from pathlib import Path
from typing import Any, TextIO

from kg.model import Article

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


@dataclass(frozen=True)
class Problem:
    """An input that was skipped, with a one-line human-readable reason."""

    source: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Read:
    """One result of :func:`read_inputs`: an article or a problem, and where it came from."""

    item: Article | Problem
    source: str  # file path, or "<stdin>"
    line: int | None = None  # JSONL line number
    note: str | None = None  # e.g. "not valid UTF-8, decoded as cp1252"

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
) -> Iterator[Article | Problem]:
    """Yield an :class:`Article` or a :class:`Problem` for everything found in ``inputs``.

    ``inputs`` are file paths, directory paths (walked depth-first, entries sorted by
    name, hidden entries skipped, only files with a suffix in :data:`SUFFIXES`; into
    sub-directories only if ``recursive``) or ``-`` for ``stdin`` (``sys.stdin`` if not
    given). Never raises for bad content or missing paths.
    """
    for read in read_inputs(inputs, stdin=stdin, recursive=recursive):
        yield read.item


def read_inputs(
    inputs: Iterable[str],
    *,
    stdin: TextIO | None = None,
    recursive: bool = True,
) -> Iterator[Read]:
    """Like :func:`read_articles`, each item wrapped in a :class:`Read` (source, line, note).

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
        if path.is_dir():
            for item in _walk(path, recursive):
                if isinstance(item, Problem):
                    yield Read(item, item.source)
                else:
                    yield from _read_file(item)
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                yield from _read_file(path)
            else:
                yield _problem(name, f"unsupported file type {path.suffix or '(no suffix)'!r}")
        elif path.exists() or path.is_symlink():
            reason = "broken symbolic link" if not path.exists() else "not a regular file"
            yield _problem(name, reason)
        else:
            yield _problem(name, "no such file or directory")


def _problem(source: str, reason: str, line: int | None = None) -> Read:
    return Read(Problem(source, reason, line), source, line)


def doc_id_for(path: str | os.PathLike[str]) -> str:
    """The article id of a file: its name without the (last) extension."""
    return Path(path).stem


def normalize_text(text: str) -> str:
    """Normalise article text (pure function).

    NFC; curly quotes to straight ones; unicode spaces to ``' '``; CRLF/CR to LF;
    control characters other than newline dropped (tabs become spaces); hard-wrapped
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


def _normalize_chars(text: str) -> str:
    """Character-level clean-up: NFC, quotes, spaces, newlines, control characters."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
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
        except UnicodeDecodeError:
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
        except (UnicodeDecodeError, LookupError):
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
        name = codecs.lookup(name).name
    except LookupError:
        return None
    # browsers read latin-1 / ascii declarations as windows-1252
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


# ----------------------------------------------------------------------------- walking


def _walk(root: Path, recursive: bool) -> Iterator[Path | Problem]:
    """Files under ``root`` with a known suffix, depth-first in name order.

    Hidden entries are skipped; directories are entered once per real path, so
    symlink loops terminate.
    """
    visited: set[str] = set()
    stack: list[Iterator[Path]] = []

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

    problem = enter(root)
    if problem:
        yield problem
    while stack:
        path = next(stack[-1], None)
        if path is None:
            stack.pop()
        elif path.is_dir():
            if recursive and (problem := enter(path)):
                yield problem
        elif path.suffix.lower() in SUFFIXES:
            if path.is_file():
                yield path
            elif path.is_symlink() and not path.exists():
                yield Problem(str(path), "broken symbolic link")
            elif not path.exists():
                yield Problem(str(path), "disappeared before it could be read")
            else:
                yield Problem(str(path), "not a regular file")


# ----------------------------------------------------------------------------- readers


def _read_file(path: Path) -> Iterator[Read]:
    """Read one file of a known suffix; yield its article(s) or problems."""
    source = str(path)
    kind = SUFFIXES[path.suffix.lower()]
    try:
        data = _read_regular_file(path)
        declared = _declared_charset(data) if kind == "html" else None
        text, encoding = _decode_bytes(data, declared)
    except FileNotFoundError:
        yield _problem(source, "disappeared before it could be read")
        return
    except OSError as err:
        yield _problem(source, f"cannot read file: {err.strerror or err}")
        return
    except _Reject as rej:
        yield _problem(source, rej.reason)
        return
    note = None
    if encoding not in ("utf-8", "utf-16", declared):
        note = f"not valid UTF-8, decoded as {encoding}"
        logger.warning("%s: %s", source, note)
    if kind == "jsonl":
        for item in parse_jsonl(text, source, path=source, _located=True):
            yield Read(item[0], source, item[1], note)
        return
    try:
        doc_id = _check_id(doc_id_for(path))
        if kind == "html":
            yield Read(_parse_html(text, doc_id, path=source), source, None, note)
        else:
            yield Read(_parse_text_document(text, doc_id, path=source), source, None, note)
    except _Reject as rej:
        yield Read(Problem(source, rej.reason), source, None, note)


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
    text = text.removeprefix("\ufeff")
    if not text.strip():
        yield _problem(STDIN_SOURCE, "empty")
    elif "\x00" in text:
        yield _problem(STDIN_SOURCE, "binary file")
    elif text.lstrip()[0] == "{":
        for item, line in parse_jsonl(text, STDIN_SOURCE, path=None, _located=True):
            yield Read(item, STDIN_SOURCE, line)
    else:
        try:
            yield Read(_parse_text_document(text, STDIN_ID, path=None), STDIN_SOURCE)
        except _Reject as rej:
            yield _problem(STDIN_SOURCE, rej.reason)


# ----------------------------------------------------------------------------- parsers


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split optional YAML front matter (``---`` ... ``---``) from the body.

    Raises ``_Reject`` for unterminated or invalid YAML, or YAML that is not a mapping.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
    else:
        raise _Reject("unterminated YAML front matter")
    import yaml

    try:
        meta = yaml.safe_load("".join(lines[1:end]))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (front matter line {mark.line + 1})" if mark is not None else ""
        problem = getattr(err, "problem", None) or "syntax error"
        raise _Reject(f"invalid YAML front matter{where}: {problem}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise _Reject("YAML front matter is not a mapping")
    return meta, "".join(lines[end + 1:])


def _meta_value(meta: dict[str, Any], key: str) -> str | None:
    """A metadata field as a clean string (dates as ISO strings); ``_Reject`` if not scalar."""
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, _dt.date):  # also datetime
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Reject(f"{key!r} must be a string")
    return _clean_inline(str(value))


def _parse_text_document(text: str, doc_id: str, *, path: str | None) -> Article:
    """A ``.txt``/``.md`` document (optional YAML front matter) as an Article."""
    meta, body = _split_front_matter(text)
    fields = {key: _meta_value(meta, key) for key in META_FIELDS}
    body = normalize_text(body)
    if not body:
        raise _Reject("empty")
    return Article(id=doc_id, text=body, path=path, **fields)


def parse_jsonl(text: str, source: str, *, path: str | None, _located: bool = False) -> Iterator[Any]:
    """One Article per JSONL line; a Problem (with its line number) for each bad line.

    (With ``_located``, ``(item, line number)`` pairs.)
    """
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            item: Article | Problem = _jsonl_article(line, path)
        except _Reject as rej:
            item = Problem(source, rej.reason, number)
        yield (item, number) if _located else item


def _jsonl_article(line: str, path: str | None) -> Article:
    """Parse one JSONL line; ``_Reject`` with a reason if it is not a valid article."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise _Reject(f"invalid JSON: {err.msg} (column {err.colno})") from None
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
    fields = {key: _meta_value(record, key) for key in META_FIELDS}
    return Article(id=doc_id, text=body, path=path, **fields)


def _check_id(doc_id: str) -> str:
    """Return ``doc_id`` if safe as a file name and IRI part, else ``_Reject``.

    Rejected (not sanitised): empty ids, ``/``, ``\\``, ``..``, a leading ``.``,
    NUL/control characters, line separators, surrounding whitespace, over-long ids.
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
        or any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in doc_id)
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


def _parse_html(text: str, doc_id: str, *, path: str | None) -> Article:
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
