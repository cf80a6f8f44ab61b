"""Where articles come from: each input name goes to one source, which yields its
:class:`~kg.ingest.records.Read` records lazily.

The sources: ``-`` is stdin (:mod:`.stdin`); any other name is a path to a file or a folder
(:mod:`.files`). A new kind of input (URLs, RSS/Atom feeds, sitemaps) is a module beside
these with a reader ``(name, options) -> Iterator[Read]`` that hands the text it fetches to
:mod:`.formats`, chosen for the names it claims in :func:`source_for` (before the paths,
which take every name left); its settings go in :class:`Options`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from ..model import Article
from .files import read_path
from .records import Problem, Read
from .stdin import STDIN, read_stdin


@dataclass(frozen=True)
class Options:
    """How inputs are read (the keyword arguments of :func:`read_inputs`), given to every source."""

    stdin: TextIO | None = None  # the stream read for "-"; None: sys.stdin
    recursive: bool = True  # into a folder's sub-folders
    follow_symlinks: bool = False  # out of an input folder


Source = Callable[[str, Options], Iterator[Read]]


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
    options = Options(stdin=stdin, recursive=recursive, follow_symlinks=follow_symlinks)
    for raw in inputs:
        name = os.fspath(raw)
        yield from source_for(name)(name, options)


def source_for(name: str) -> Source:
    """The source that reads the input ``name``."""
    if name == STDIN:
        return _stdin
    return _paths


def _stdin(name: str, options: Options) -> Iterator[Read]:
    return read_stdin(options.stdin if options.stdin is not None else sys.stdin)


def _paths(name: str, options: Options) -> Iterator[Read]:
    return read_path(name, recursive=options.recursive, follow_symlinks=options.follow_symlinks)
