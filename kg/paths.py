"""Where kg finds its data files (ontology, lexicons, gazetteer, queries)."""

from __future__ import annotations

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """``$KG_DATA`` if set, else the ``data/`` folder of the checkout."""
    return Path(os.environ.get("KG_DATA") or _ROOT / "data")


def queries_dir() -> Path:
    """``$KG_QUERIES`` if set, else the ``queries/`` folder of the checkout."""
    return Path(os.environ.get("KG_QUERIES") or _ROOT / "queries")


def default_store() -> Path:
    """``$KG_STORE`` if set, else ``./kg-store``."""
    return Path(os.environ.get("KG_STORE") or "kg-store")
