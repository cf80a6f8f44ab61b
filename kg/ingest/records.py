"""What reading yields: a :class:`Read` per article or :class:`Problem`, with :class:`Note`
warnings, and the helpers every reader (files, stdin, later other sources) uses to make them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..model import Article
from ..printable import printable

#: The package's one logger: a note is logged as a warning naming the file and line, and
#: the CLI (and tests) listen to ``kg.ingest``, whichever module of the package reads.
logger = logging.getLogger("kg.ingest")


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


FALLBACK = "decoded with a fallback encoding"
SURROGATES_NOTE = Note("invalid Unicode (lone surrogate code points) replaced with U+FFFD",
                       "invalid Unicode replaced")


@dataclass(frozen=True)
class Read:
    """One result of :func:`~kg.ingest.read_inputs`: an article or a problem, where it came
    from, and the warnings about it (a file's own, e.g. its encoding, come with its first item)."""

    item: Article | Problem
    source: str  # file path, or "<stdin>"
    line: int | None = None  # JSONL line number
    notes: tuple[Note, ...] = ()

    @property
    def where(self) -> str:
        return self.source if self.line is None else f"{self.source}:{self.line}"


class Reject(Exception):
    """Raised by the parsers and decoders of this package with the reason an input is
    refused; the readers turn it into a :class:`Problem`. Never leaves the package."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def problem(source: str, reason: str, line: int | None = None) -> Read:
    """A Read of a Problem, without notes."""
    return Read(Problem(source, reason, line), source, line)


def logged_read(item: Article | Problem, source: str, line: int | None, notes: Iterable[Note]) -> Read:
    """A Read, its notes logged as warnings (one line each, naming the file and line)."""
    read = Read(item, source, line, tuple(notes))
    for note in read.notes:
        logger.warning("%s: %s", read.where, note.text)
    return read


def parsed(parse: Callable[[], Article], source: str, line: int | None = None, *, where: str | None = None
           ) -> Article | Problem:
    """``parse()``, or the Problem of ``source`` (and ``line``) it raised: its reason for a
    ``Reject``, ``could not be read (...)`` for anything else (logged with its traceback at
    debug level, as ``where``: default ``source[:line]``)."""
    try:
        return parse()
    except Reject as rej:
        return Problem(source, rej.reason, line)
    except Exception as err:
        logger.debug("%s: parsing failed", where or (source if line is None else f"{source}:{line}"), exc_info=True)
        return Problem(source, failure(err), line)


def describe(err: BaseException) -> str:
    """An exception on one line: its type and (shortened) message."""
    text = " ".join(str(err).split())
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(err).__name__}{': ' + text if text else ''}"


def failure(err: BaseException) -> str:
    """The reason given for an input that raised an exception nothing else expected."""
    return f"could not be read ({describe(err)})"
