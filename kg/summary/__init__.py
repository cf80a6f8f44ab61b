"""The summary graph: every statement, quotation and entity once, with its figures, the
merged view queries read. Kept up to date by every write (:mod:`kg.write`).

* :mod:`kg.summary.sparql` - its definition (:data:`SUMMARY_UPDATE`), and the same
  recomputation restricted to the nodes a write touches (:func:`update_for`);
* :mod:`kg.summary.merge` - the entries of NEW articles merged in Python (the fast path);
* :mod:`kg.summary.format` - which layout a store's summary is kept in (the mark file).
"""

from .format import SUMMARY_FORMAT, SUMMARY_FORMAT_FILE, is_current, mark_current, refresh
from .merge import Plan, SummaryCache, SummaryDelta, confidence, sources_literal, unescape
from .sparql import (
    PROLOGUE,
    SOURCES_MAX,
    SUMMARY_FULL_ABOVE,
    SUMMARY_FULL_FRACTION,
    SUMMARY_UPDATE,
    SUMMARY_VALUES_CHUNK,
    node_count,
    summarised_node,
    summarised_nodes,
    summarised_nodes_in_store,
    update_for,
)

__all__ = [
    "PROLOGUE", "SOURCES_MAX", "SUMMARY_FORMAT", "SUMMARY_FORMAT_FILE", "SUMMARY_FULL_ABOVE", "SUMMARY_FULL_FRACTION",
    "SUMMARY_UPDATE", "SUMMARY_VALUES_CHUNK", "Plan", "SummaryCache", "SummaryDelta", "confidence", "is_current",
    "mark_current", "node_count", "refresh", "sources_literal", "summarised_node", "summarised_nodes",
    "summarised_nodes_in_store", "unescape", "update_for",
]
