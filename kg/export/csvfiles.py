"""The entity graph as two CSV files, ``nodes.csv`` and ``edges.csv``: Gephi's spreadsheet import,
in the layout of ``shared/eval/FORMAT.md``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .output import open_output

NODE_COLUMNS = ("Id", "Label", "Type", "Aliases", "Mentions", "Sources")
#: the columns of shared/eval/FORMAT.md, then ``Vocabulary``: ``controlled`` (a predicate of the
#: vocabulary, a ``said`` edge) or ``open`` (an open statement: ``Label`` is the text's verb phrase)
EDGE_COLUMNS = (
    "Source", "Target", "Label", "Weight", "Polarity", "Modality", "AttributedTo", "Sources", "Evidence", "Confidence",
    "Vocabulary",
)


def csv_rows(G) -> tuple[list[list], list[list]]:
    """nodes.csv and edges.csv rows (without headers) of an entity graph."""
    nodes = [
        [n, d["label"], d["type"], d["aliases"], d["mentions"], d["sources"]]
        for n, d in sorted(G.nodes(data=True))
    ]
    edges = [
        [u, v, d["label"], d["weight"], d["polarity"], d["modality"], d["attributed_to_id"],
         d["sources"], d["evidence"], format(d["confidence"], "g"), d["vocabulary"]]
        for u, v, _k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    ]
    return nodes, edges


def _write_csv_atomic(path: Path, header, rows) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open_output(path) as fh:
        fh.write(buf.getvalue().encode("utf-8"))


def write_csv(G, directory: Path) -> None:
    """``nodes.csv`` and ``edges.csv`` of the entity graph ``G`` into ``directory`` (created if
    needed), each file replaced atomically."""
    nodes, edges = csv_rows(G)
    directory.mkdir(parents=True, exist_ok=True)
    _write_csv_atomic(directory / "nodes.csv", NODE_COLUMNS, nodes)
    _write_csv_atomic(directory / "edges.csv", EDGE_COLUMNS, edges)
