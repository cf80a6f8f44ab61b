"""Which layout a store's summary graph is kept in: a mark in the store directory.

A build recomputes the summary of a store that is not marked in this kg's
:data:`SUMMARY_FORMAT` (a store of an older kg, or written through the Python API without
the writer session) once, and marks it."""

from __future__ import annotations

from ..paths import atomic_file
from .sparql import SUMMARY_UPDATE

#: The layout of the summary graph that this kg maintains; bump it when SUMMARY_UPDATE changes
#: what the summary holds, and the next build of an older store recomputes its summary once.
SUMMARY_FORMAT = "5"
#: The file of the store directory that names the format its summary is kept in (outside the
#: RDF data, so that exports and pushes carry only the graph).
SUMMARY_FORMAT_FILE = "summary-format"


def is_current(store) -> bool:
    """Whether the store says its summary is kept in this kg's :data:`SUMMARY_FORMAT`."""
    try:
        return (store.path / SUMMARY_FORMAT_FILE).read_text(encoding="utf-8").strip() == SUMMARY_FORMAT
    except OSError:
        return False


def mark_current(store) -> None:
    """Record that the store's summary is in :data:`SUMMARY_FORMAT` (true of an empty store,
    and after :func:`refresh`); written atomically."""
    with atomic_file(store.path / SUMMARY_FORMAT_FILE, "w") as f:
        f.write(SUMMARY_FORMAT + "\n")


def refresh(store) -> None:
    """Recompute weights, aggregated confidences and mention counts of the whole store, then
    mark the summary current. A minute for 4,000 articles: builds run it only when the store's
    summary is not marked in this kg's format (:func:`is_current`)."""
    store.update(SUMMARY_UPDATE)
    mark_current(store)
