"""Where kg finds its data files (ontology, lexicons, gazetteer, queries), and how it
writes a file of its own (atomically).

The data files are installed with kg, inside the package (``kg/_data``, ``kg/_queries``: the
wheel maps the checkout's ``data/`` and ``queries/`` there, see setup.py); a checkout, or an
editable install of it, keeps them at its top. ``$KG_DATA`` and ``$KG_QUERIES`` point kg at
other folders."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _shipped(inside: str, checkout: str) -> Path:
    """The folder ``inside`` the installed package, else the checkout's folder ``checkout``."""
    installed = Path(str(files(__package__))) / inside
    return installed if installed.is_dir() else _CHECKOUT / checkout


def data_dir() -> Path:
    """``$KG_DATA`` if set, else the data files installed with kg (the checkout's ``data/``)."""
    return Path(os.environ.get("KG_DATA") or _shipped("_data", "data"))


def queries_dir() -> Path:
    """``$KG_QUERIES`` if set, else the query library installed with kg (the checkout's ``queries/``)."""
    return Path(os.environ.get("KG_QUERIES") or _shipped("_queries", "queries"))


def default_store() -> Path:
    """``$KG_STORE`` if set, else ``./kg-store``."""
    return Path(os.environ.get("KG_STORE") or "kg-store")


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "wb") -> Iterator:
    """Yield a file opened for writing (``mode`` "wb" or "w", UTF-8) that becomes ``path``
    only when the block succeeds: a temp file next to it, synced, given the umask's
    permissions, then ``os.replace``; on any error the temp file is removed."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
