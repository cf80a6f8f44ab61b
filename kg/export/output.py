"""Where an export goes: a file written atomically, stdout, or a stream the caller gives."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from ..paths import atomic_file


class ExportError(Exception):
    """An export could not be written; the message says why."""


def _binary(stream) -> io.RawIOBase:
    if isinstance(stream, io.TextIOBase):
        if hasattr(stream, "buffer"):
            stream.flush()
            return stream.buffer
        raise ExportError("a text stream without a binary buffer cannot take an export; pass a binary stream")
    return stream


@contextlib.contextmanager
def open_output(output) -> Iterator:
    """Yield a binary writable for ``output`` (path, ``"-"`` or stream). Paths are written
    to a temp file next to them and moved into place only when the block succeeds."""
    if output is None or (isinstance(output, str) and output == "-"):
        out = sys.stdout.buffer
        yield out
        out.flush()
        return
    if not isinstance(output, (str, os.PathLike)):
        out = _binary(output)
        yield out
        with contextlib.suppress(AttributeError, ValueError):
            out.flush()
        return
    path = Path(output)
    if path.is_dir():
        raise ExportError(f"{path} is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"directory {parent} does not exist")
    with atomic_file(parent / path.name) as fh:
        yield fh
