"""Where each article of a store was read from: ``STORE/origins.json`` (id -> the file's real
path, or the URL), so that a later build can tell an edited article (same file: replaced) from
another file that happens to have the same id (``a/001.txt`` built alone, then ``b/001.txt``
built alone: both ``001``), which must never replace it.

Written atomically after each build with the origins of the articles it wrote; an article
without a recorded origin (built before this file existed, or by a build killed before it
was written) is replaced as before. ``kg remove`` leaves entries behind: harmless, an entry
is only consulted for an id the store holds, and a new build of that id overwrites it."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

ORIGINS_FILE = "origins.json"


def origin_of(source: str) -> str:
    """The origin recorded for an input ``source``: a URL as it is, a file's real path,
    ``<stdin>`` as it is (never compared)."""
    if source.startswith("<") or "://" in source:
        return source
    return os.path.realpath(source)


def load(store_path: str | os.PathLike[str]) -> dict[str, str]:
    try:
        data = json.loads((Path(store_path) / ORIGINS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(data, dict) else {}


def collision(doc_id: str, source: str, stored: dict[str, str]) -> str | None:
    """The other file already stored under ``doc_id``, if ``source`` is another file and that
    one still exists (a file that moved or was deleted is replaced as before)."""
    old, new = stored.get(doc_id), origin_of(source)
    if old is None or old == new or old.startswith("<") or new.startswith("<") or "://" in old + new:
        return None
    return old if os.path.exists(old) else None


def legacy_id(doc_id: str, source: str, existing: dict[str, str], stored: dict[str, str]) -> str | None:
    """The id a file of a sub-folder had when ids were bare file names (``sub/a`` -> ``a``), if
    the store holds that id, not the new one, and no origin for it (built before origins were
    kept): such a store keeps its ids, edits replace them. None otherwise (a URL's id, an id of
    the current layout)."""
    if "/" not in doc_id or "://" in source or source.startswith("<") or doc_id in existing:
        return None
    old = doc_id.rsplit("/", 1)[1]
    return old if old in existing and old not in stored else None


def save(store_path: str | os.PathLike[str], updates: dict[str, str]) -> None:
    """Add ``updates`` (id -> origin) to the store's origins file, atomically."""
    if not updates:
        return
    path = Path(store_path) / ORIGINS_FILE
    data = load(store_path)
    data.update(updates)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
