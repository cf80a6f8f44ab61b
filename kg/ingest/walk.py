"""Walking an input folder: the files of a known suffix, depth-first in name order, without
leaving the folder (the symbolic-link policy) and without stopping at an entry that fails."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from .formats import SUFFIXES
from .records import Problem


def walk(root: Path, recursive: bool, follow_symlinks: bool = False) -> Iterator[Path | Problem]:
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

