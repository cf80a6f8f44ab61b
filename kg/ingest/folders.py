"""Metadata for a whole folder of articles: a ``_meta.yaml`` beside them, e.g.

.. code-block:: yaml

    source: Reuters          # every article of the folder (and its sub-folders) gets it...
    date: 2024-03-05         # ...unless the article says otherwise (front matter, JSONL, HTML)
    title_from: first-line   # how a plain-text article's headline is found (kg build --title-from)

A nearer ``_meta.yaml`` (in a sub-folder) overrides a farther one key by key; the folder's
``title_from`` overrides ``kg build --title-from``. Read like front matter (PyYAML's safe
loader, size capped); a bad file is one Problem naming it, and its folder is read without it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..model import Article
from .fields import meta_value
from .frontmatter import MAX_FRONT_MATTER_CHARS, load_yaml_mapping
from .headline import TITLE_FROM
from .records import Note, Problem, Reject, describe

META_FILE = "_meta.yaml"
#: The keys a ``_meta.yaml`` may hold; the metadata ones fill what an article leaves empty.
META_KEYS = ("source", "date", "title_from")


@dataclass(frozen=True)
class FolderMeta:
    """What the ``_meta.yaml`` files from the input folder down to one folder say."""

    fields: dict[str, str] = field(default_factory=dict)  # source, date
    title_from: str | None = None

    def apply(self, article: Article) -> Article:
        """``article`` with the folder's source and date where it has none."""
        missing = {k: v for k, v in self.fields.items() if getattr(article, k) is None}
        return replace(article, **missing) if missing else article


class FolderMetas:
    """The :class:`FolderMeta` of each folder under one input folder, read once per folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[Path, FolderMeta] = {}
        self.problems: list[Problem] = []  # reported by the walker once each
        self.notes: list[tuple[str, Note]] = []

    def for_file(self, path: Path) -> FolderMeta:
        return self._for_folder(path.parent)

    def _for_folder(self, folder: Path) -> FolderMeta:
        if folder in self._cache:
            return self._cache[folder]
        inherited = FolderMeta() if folder == self.root or self.root not in folder.parents \
            else self._for_folder(folder.parent)
        meta = inherited
        own = folder / META_FILE
        if os.path.isfile(own):
            try:
                meta = self._merge(inherited, _read(own), own)
            except Reject as rej:
                self.problems.append(Problem(str(own), f"{rej.reason}; the folder is read without it"))
            except OSError as err:
                self.problems.append(Problem(str(own), f"cannot read file: {err.strerror or err}; "
                                                       "the folder is read without it"))
        self._cache[folder] = meta
        return meta

    def _merge(self, base: FolderMeta, data: dict[str, Any], where: Path) -> FolderMeta:
        notes: list[Note] = []
        unknown = sorted(str(k) for k in data if k not in META_KEYS and k != "title-from")
        if unknown:
            notes.append(Note(f"unknown keys {', '.join(unknown)} left out (known: {', '.join(META_KEYS)})",
                              "unknown _meta.yaml key"))
        fields = dict(base.fields)
        for key in ("source", "date"):
            value = meta_value(data, key, notes)
            if value is not None:
                fields[key] = value
        title_from = data.get("title_from", data.get("title-from"))
        if title_from is not None and title_from not in TITLE_FROM:
            raise Reject(f"'title_from' must be one of {', '.join(TITLE_FROM)}")
        self.notes += [(str(where), n) for n in notes]
        return FolderMeta(fields, title_from or base.title_from)


def _read(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        data = fh.read(MAX_FRONT_MATTER_CHARS + 1)
    if len(data) > MAX_FRONT_MATTER_CHARS:
        raise Reject(f"too long (over {MAX_FRONT_MATTER_CHARS:,} bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise Reject(f"not valid UTF-8 ({describe(err)})") from None
    return load_yaml_mapping(text, what="_meta.yaml")
