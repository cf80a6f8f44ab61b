"""The file source: an input path (a file, or a folder walked by :mod:`.walk`) read into
:class:`Read` records. A file is read whole (regular files only, up to :data:`MAX_FILE_BYTES`),
decoded (:mod:`.decoding`) and parsed by the format of its suffix (:mod:`.formats`); whatever
goes wrong with one file, or one line of it, is its Problem."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from ..model import Article
from .decoding import decode_bytes, declared_charset
from .fields import check_id, doc_id_for
from .folders import FolderMetas
from .formats import SUFFIXES, jsonl_items, parse_html, parse_text_document
from .normalize import has_surrogates, replace_surrogates
from .records import (
    FALLBACK, SURROGATES_NOTE, Note, Problem, Read, Reject, failure, logged_read, logger, parsed, problem,
)
from .walk import walk

#: Larger files are skipped (read whole into memory; one article is parsed in chunks).
MAX_FILE_BYTES = 1 << 30


def read_path(name: str, *, recursive: bool, follow_symlinks: bool, title_from: str = "auto") -> Iterator[Read]:
    """The Reads of one input path: a folder's files (walked), a file of a known suffix, or a
    Problem (no such path, an unsupported suffix, a broken link, not a regular file).

    A folder's files get ids relative to it (:func:`~kg.ingest.fields.doc_id_for`) and the
    metadata of the ``_meta.yaml`` files on their way (:mod:`.folders`); ``title_from``: how a
    plain-text article's headline is found (:mod:`.headline`), unless a ``_meta.yaml`` says."""
    if not name:
        yield problem("''", "empty path")
        return
    path = Path(name)
    try:
        kind = "dir" if path.is_dir() else "file" if path.is_file() else None
        if kind is None:
            reason = ("broken symbolic link" if path.is_symlink() and not path.exists() else
                      "not a regular file" if path.exists() else "no such file or directory")
    except OSError as err:  # a name too long, a folder on the way that cannot be searched
        kind, reason = None, f"cannot read: {err.strerror or err}"
    if kind == "dir":
        metas = FolderMetas(path)
        for item in walk(path, recursive, follow_symlinks):
            if isinstance(item, Problem):
                yield Read(item, item.source)
                continue
            meta = metas.for_file(item)
            while metas.problems:
                bad = metas.problems.pop(0)
                yield Read(bad, bad.source)
            while metas.notes:
                where, note = metas.notes.pop(0)
                logger.warning("%s: %s", where, note.text)
            for read in read_file(item, doc_id=doc_id_for(item, path), title_from=meta.title_from or title_from):
                if isinstance(read.item, Article):
                    read = replace(read, item=meta.apply(read.item))
                yield read
    elif kind == "file":
        if path.suffix.lower() in SUFFIXES:
            yield from read_file(path, title_from=title_from)
        else:
            yield problem(name, f"unsupported file type {path.suffix or '(no suffix)'!r}")
    else:
        yield problem(name, reason)


def read_file(path: Path, *, doc_id: str | None = None, title_from: str = "auto") -> Iterator[Read]:
    """Read one file of a known suffix; yield its article(s) or problems. ``doc_id``: the id
    of its article (default: the file name without extension); not used for JSONL.

    Whatever goes wrong with this one file (or one line of it) is its Problem: a build
    never stops for one input. The file's own notes (its encoding) come with its first item.
    """
    source = str(path)
    kind = SUFFIXES[path.suffix.lower()]
    try:
        text, encoding, declared = _load(path, kind)
    except FileNotFoundError:
        yield problem(source, "disappeared before it could be read")
        return
    except OSError as err:
        yield problem(source, f"cannot read file: {err.strerror or err}")
        return
    except Reject as rej:
        yield problem(source, rej.reason)
        return
    except Exception as err:  # MemoryError, a codec's own error...: this file only
        logger.debug("%s: reading failed", source, exc_info=True)
        yield problem(source, failure(err))
        return
    notes: list[Note] = []
    if encoding not in ("utf-8", "utf-16", declared):
        notes.append(Note(f"not valid UTF-8, decoded as {encoding}", FALLBACK))
    if has_surrogates(text):  # a declared codec that can make them (utf-7...)
        notes.append(SURROGATES_NOTE)
        text = replace_surrogates(text)
    if kind == "jsonl":
        yield from _jsonl_reads(text, source, notes)
    else:
        yield _document_read(text, path, kind, notes, doc_id or doc_id_for(path), title_from)


def _load(path: Path, kind: str) -> tuple[str, str, str | None]:
    """``(text, encoding, declared charset)`` of a file (the bytes freed on return)."""
    data = _read_regular_file(path)
    declared = declared_charset(data) if kind == "html" else None
    text, encoding = decode_bytes(data, declared)
    return text, encoding, declared


def _jsonl_reads(text: str, source: str, notes: list[Note]) -> Iterator[Read]:
    """A JSONL file's Reads, one per non-blank line; the file's ``notes`` with the first."""
    lines = 0
    for item, number, line_notes in jsonl_items(text, source, path=source):
        yield logged_read(item, source, number, [*notes, *line_notes])
        notes, lines = [], lines + 1
    if not lines:  # only (Unicode) whitespace
        yield logged_read(Problem(source, "empty"), source, None, notes)


def _document_read(text: str, path: Path, kind: str, notes: list[Note], doc_id: str, title_from: str) -> Read:
    """The Read of a file holding one article (text, markdown or HTML)."""
    source = str(path)

    def parse() -> Article:
        if kind == "html":
            return parse_html(text, check_id(doc_id, nested=True), path=source, notes=notes)
        return parse_text_document(text, check_id(doc_id, nested=True), path=source, notes=notes,
                                   title_from=title_from)

    item = parsed(parse, source)
    return logged_read(item, source, None, notes)


def _read_regular_file(path: Path) -> bytes:
    """The bytes of ``path``; ``Reject`` if it is not a regular file (a FIFO would block)
    or larger than :data:`MAX_FILE_BYTES`."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb", closefd=True) as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Reject("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise Reject(f"too large ({info.st_size >> 20} MiB; the limit is {MAX_FILE_BYTES >> 20} MiB)")
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise Reject(f"too large (over {MAX_FILE_BYTES >> 20} MiB)")
    return data
