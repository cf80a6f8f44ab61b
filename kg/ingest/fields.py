"""An article's id and metadata fields as every format gives them: ids checked (never
sanitised), metadata values cleaned to one line, impossible dates left out with a note."""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from .normalize import clean_inline, has_surrogates
from .records import SURROGATES_NOTE, Note, Reject

META_FIELDS = ("title", "date", "source", "url", "author")
MAX_ID_LENGTH = 200


def doc_id_for(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> str:
    """The article id of a file: its path relative to ``root`` (the folder named on the command
    line) without the (last) extension, ``/``-separated: ``politics/001`` for
    ``archive/politics/001.txt`` read from ``archive``. A file directly in ``root``, or named
    itself (no ``root``), keeps its bare name (``001``): the ids of a store built when ids were
    file names stay the same."""
    path = Path(path)
    if root is None:
        return path.stem
    return path.relative_to(root).with_suffix("").as_posix()


def check_id(doc_id: str, *, nested: bool = False) -> str:
    """Return ``doc_id`` if safe as a file name and IRI part, else ``Reject``.

    Rejected (not sanitised): empty ids, ``/`` (unless ``nested``: a path-derived id, where each
    ``/``-separated part is checked on its own), ``\\``, ``..``, a leading ``.``,
    NUL/control characters, line separators, lone surrogates (a JSON ``\\ud800``, or a file
    name that is not valid UTF-8), surrounding whitespace, over-long ids.
    """
    if not doc_id.strip():
        raise Reject("empty 'id'")
    if nested and "/" in doc_id:
        if len(doc_id) > MAX_ID_LENGTH:
            raise Reject(f"unsafe id {doc_id[:60]!r}")
        for part in doc_id.split("/"):
            try:
                check_id(part)
            except Reject:
                raise Reject(f"unsafe id {doc_id[:60]!r}") from None
        return doc_id
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
        raise Reject(f"unsafe id {doc_id[:60]!r}")
    return doc_id


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


def meta_value(meta: dict[str, Any], key: str, notes: list[Note]) -> str | None:
    """A metadata field as a clean string (dates as ISO strings); ``Reject`` if not scalar.

    A ``date`` that is written as an ISO date but is not a valid one (``2024-13-45``) is left
    out with a note: the article is kept, and no impossible date reaches the store (or
    Gephi's timeline)."""
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, _dt.date):  # also datetime
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise Reject(f"{key!r} must be a string")
    try:
        text = clean_inline(str(value))
    except ValueError:  # an int of more than 4,300 decimal digits (YAML read it from hex)
        raise Reject(f"{key!r} is a number too long to write out") from None
    if key == "date" and text is not None and (why := _date_problem(text)):
        notes.append(Note(f"'date' {text[:40]!r} is not a valid date ({why}): left out", "invalid date left out"))
        return None
    return text


def surrogate_notes(*values: object) -> list[Note]:
    """The note that lone surrogates were replaced, if any string among ``values`` has one."""
    return [SURROGATES_NOTE] if any(isinstance(v, str) and has_surrogates(v) for v in values) else []
