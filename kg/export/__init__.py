"""Exports of the store: RDF serialisations and graphs for Gephi / networkx.

:data:`EXPORTERS` is a registry of small writers, one module each, imported when its format
is asked for (:class:`Writer`):

* ``ttl``, ``nt`` (:mod:`kg.export.rdfdump`): the union of all graphs (article graphs,
  ontology, summary) as one graph, serialised by pyoxigraph (streaming, fast);
* ``nq``, ``trig`` (:mod:`kg.export.rdfdump`): the whole dataset with its named graphs;
* ``jsonld`` (:mod:`kg.export.jsonld`): the dataset with its named graphs, by rdflib (the
  only export that imports it);
* ``graphml`` (:mod:`kg.export.graphml`), ``gexf`` (:mod:`kg.export.gexf`): one of the
  projections of :mod:`kg.graph` (``graph="entities"`` by default, ``"cooccurrence"`` or
  ``"rdf"``) decorated for Gephi (colour, size, layout, community); GEXF 1.3 with typed
  attributes, ``viz:*``, ``kind`` on parallel edges, a timeline when articles have dates;
* ``csv`` (:mod:`kg.export.csvfiles`): a directory with ``nodes.csv`` and ``edges.csv``, always
  the entity graph.

The entity graph's open statements (a verb phrase between two named entities, no vocabulary
predicate) are edges flagged ``vocabulary="open"`` (CSV column ``Vocabulary``); the option
``open_relations=False`` (``kg export --no-open``) leaves them out.

``output`` is a path, ``"-"`` for stdout (single-stream formats only), or a binary stream.
Files are written atomically (:func:`open_output`): to a temporary file in the same directory,
then ``os.replace``; for ``csv`` each of the two files is replaced that way inside the
(created) directory. No spaCy here.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..graph import DEFAULT_PROJECTION, DESCRIPTIONS, PROJECTIONS, GraphError, confident, entity_graph, gephi_graph
from ..store import unfinished_write
from .output import ExportError, open_output


class UnfinishedWriteError(ExportError):
    """The store holds the graphs of a bulk write that did not finish: an export would carry a
    half-written state (article graphs without their summary figures)."""


@dataclass(frozen=True)
class Writer:
    """A format's writer: the function ``function`` of ``kg.export.<module>``, imported on first
    use. ``takes`` says what it is given: ``"store"`` -> ``(store, stream)``, ``"graph"`` -> ``(a
    decorated projection, stream)``, ``"directory"`` -> ``(the entity graph, directory)``;
    ``options`` the keyword options it accepts."""

    module: str
    function: str
    takes: str
    options: tuple[str, ...] = ()

    def load(self) -> Callable[..., None]:
        return getattr(importlib.import_module(f"{__name__}.{self.module}"), self.function)


EXPORTERS: dict[str, Writer] = {
    "ttl": Writer("rdfdump", "write_ttl", "store"),
    "nt": Writer("rdfdump", "write_nt", "store"),
    "nq": Writer("rdfdump", "write_nq", "store"),
    "trig": Writer("rdfdump", "write_trig", "store"),
    "jsonld": Writer("jsonld", "write_jsonld", "store", ("expanded",)),
    "graphml": Writer("graphml", "write_graphml", "graph"),
    "gexf": Writer("gexf", "write_gexf", "graph", ("dynamic", "description")),
    "csv": Writer("csvfiles", "write_csv", "directory"),
}
STREAM_FORMATS = tuple(f for f, w in EXPORTERS.items() if w.takes != "directory")
GRAPH_FORMATS = tuple(f for f, w in EXPORTERS.items() if w.takes == "graph")  # the formats that take ``graph=``


def _directory(output) -> Path:
    """``output`` as the directory a ``directory`` writer fills (it need not exist yet)."""
    if output is None or output == "-" or not isinstance(output, (str, os.PathLike)):
        raise ExportError("the csv export writes a directory (nodes.csv, edges.csv); give --output DIR")
    d = Path(output)
    if d.exists() and not d.is_dir():
        raise ExportError(f"{d} exists and is not a directory; the csv export writes a directory")
    return d


def export(store, fmt: str, output, **opts) -> None:
    """Write ``store`` in format ``fmt`` to ``output``. Options: ``graph`` (the projection, for
    :data:`GRAPH_FORMATS`), ``dynamic`` (gexf: a timeline), ``expanded`` (jsonld: pyoxigraph's
    expanded form), ``open_relations`` (default false; true adds the open statements to the entity
    graph of graphml, gexf and csv), ``min_confidence`` (the entity graph of graphml, gexf and csv: the
    statements below it are left out). :class:`ExportError` (:class:`UnfinishedWriteError` for a store
    holding an unfinished write, refused before the output is opened: an existing file stays as it was)."""
    try:
        writer = EXPORTERS[fmt]
    except KeyError:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORTERS)}") from None
    graph = opts.pop("graph", None) or DEFAULT_PROJECTION
    if graph not in PROJECTIONS:
        raise ExportError(f"unknown graph {graph!r}; choose one of {', '.join(PROJECTIONS)}")
    if graph != DEFAULT_PROJECTION and fmt not in GRAPH_FORMATS:
        raise ExportError(f"--graph {graph} applies to {' and '.join(GRAPH_FORMATS)} only "
                          f"({fmt} is {'always the entity graph' if fmt == 'csv' else 'the RDF itself'})")
    open_relations = opts.pop("open_relations", False)
    if open_relations and (writer.takes == "store" or graph != DEFAULT_PROJECTION):
        raise ExportError(f"--open applies to the entity graph (graphml, gexf, csv), not to "
                          f"{fmt if writer.takes == 'store' else 'the ' + graph + ' graph'}: in RDF, open statements "
                          f"are the kg:OpenStatement nodes (queries/open_relations.rq)")
    min_confidence = opts.pop("min_confidence", None)
    if min_confidence is not None:
        if writer.takes == "store" or graph != DEFAULT_PROJECTION:
            raise ExportError("--min-confidence applies to the entity graph (graphml, gexf, csv) only; "
                              "RDF exports keep every statement with its kg:confidence")
        if not 0.0 <= float(min_confidence) <= 1.0:
            raise ExportError(f"--min-confidence must be between 0 and 1, not {min_confidence}")
    problem = unfinished_write(store, "export")
    if problem:
        raise UnfinishedWriteError(problem)
    opts["description"] = DESCRIPTIONS.get(graph, "")
    options = {k: opts[k] for k in writer.options if k in opts}
    write = writer.load()
    try:
        if writer.takes == "store":
            with open_output(output) as fh:
                write(store, fh, **options)
        elif writer.takes == "graph":
            G = gephi_graph(store, graph, open_relations=open_relations, min_confidence=min_confidence)
            with open_output(output) as fh:
                write(G, fh, **options)
        else:
            directory = _directory(output)
            write(confident(entity_graph(store, open_relations=open_relations), min_confidence), directory, **options)
    except GraphError as e:
        raise ExportError(str(e)) from None


__all__ = ["EXPORTERS", "GRAPH_FORMATS", "STREAM_FORMATS", "ExportError", "UnfinishedWriteError", "Writer",
           "export", "open_output"]
