"""Where articles come from: each input name goes to one source, which yields its
:class:`~kg.ingest.records.Read` records lazily.

The sources: ``-`` is stdin (:mod:`.stdin`); a name with a scheme (``https://...``) is a web
page, feed or sitemap (:mod:`.web`, fetched by :mod:`.fetch`, imported only then); any other
name is a path to a file or a folder (:mod:`.files`). A new kind of input is a module beside
these with a reader ``(name, options) -> Iterator[Read]`` that hands the text it finds to
:mod:`.formats`, chosen for the names it claims in :func:`source_for` (before the paths,
which take every name left); its settings go in :class:`Options`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from ..model import Article
from .files import read_path
from .records import Problem, Read
from .stdin import STDIN, read_stdin

if TYPE_CHECKING:
    from .fetch import WebOptions

#: A name with a URL scheme: read by the web source (which refuses schemes other than http(s)).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Options:
    """How inputs are read (the keyword arguments of :func:`read_inputs`), given to every source."""

    stdin: TextIO | None = None  # the stream read for "-"; None: sys.stdin
    recursive: bool = True  # into a folder's sub-folders
    follow_symlinks: bool = False  # out of an input folder
    title_from: str = "auto"  # a plain-text article's headline (:mod:`.headline`)
    web: WebOptions | None = None  # how URLs are fetched (:mod:`.fetch`); None: the defaults
    session: dict[str, Any] = field(default_factory=dict)  # one run's shared state (the fetcher)


Source = Callable[[str, Options], Iterator[Read]]


def read_articles(
    inputs: Iterable[str],
    *,
    stdin: TextIO | None = None,
    recursive: bool = True,
    follow_symlinks: bool = False,
    title_from: str = "auto",
    web: WebOptions | None = None,
) -> Iterator[Article | Problem]:
    """Yield an :class:`Article` or a :class:`Problem` for everything found in ``inputs``.

    ``inputs`` are file paths, directory paths (walked depth-first, entries sorted by
    name, hidden entries skipped, only files with a suffix in :data:`SUFFIXES`; into
    sub-directories only if ``recursive``; symbolic links to outside the directory skipped
    unless ``follow_symlinks``) or ``-`` for ``stdin`` (``sys.stdin`` if not given). Never
    raises for bad content or missing paths.
    """
    for read in read_inputs(inputs, stdin=stdin, recursive=recursive, follow_symlinks=follow_symlinks,
                            title_from=title_from, web=web):
        yield read.item


def read_inputs(
    inputs: Iterable[str],
    *,
    stdin: TextIO | None = None,
    recursive: bool = True,
    follow_symlinks: bool = False,
    title_from: str = "auto",
    web: WebOptions | None = None,
) -> Iterator[Read]:
    """Like :func:`read_articles`, each item wrapped in a :class:`Read` (source, line, notes).

    Lazy: files are read one at a time, as the caller asks for the next item, so a file
    that disappears after its directory was listed is reported, not fatal.
    """
    options = Options(stdin=stdin, recursive=recursive, follow_symlinks=follow_symlinks, title_from=title_from,
                      web=web)
    for raw in inputs:
        name = os.fspath(raw)
        yield from source_for(name)(name, options)


def source_for(name: str) -> Source:
    """The source that reads the input ``name``."""
    if name == STDIN:
        return _stdin
    if _URL.match(name):
        return _web
    return _paths


def _stdin(name: str, options: Options) -> Iterator[Read]:
    return read_stdin(options.stdin if options.stdin is not None else sys.stdin, options.title_from)


def _paths(name: str, options: Options) -> Iterator[Read]:
    return read_path(name, recursive=options.recursive, follow_symlinks=options.follow_symlinks,
                     title_from=options.title_from)


def _web(name: str, options: Options) -> Iterator[Read]:
    from .fetch import Fetcher, WebOptions
    from .web import read_url

    if "fetcher" not in options.session:  # one per run: robots.txt read once, delays per host kept
        options.session["fetcher"] = Fetcher(options.web or WebOptions())
    return read_url(name, options.session["fetcher"])
