"""The store as networkx graphs: three projections and how they look.

Projections (:data:`PROJECTIONS`, each ``(store, details=None) -> networkx graph``):

* ``entities`` (:mod:`kg.graph.entities`): entities and one edge per statement (open statements
  flagged ``vocabulary="open"``), quotations round their speakers;
* ``cooccurrence`` (:mod:`kg.graph.cooccurrence`): entities linked when one sentence names both;
* ``rdf`` (:mod:`kg.graph.rdfgraph`): every resource and triple of the store.

Looks (:func:`decorate`): colour by type (:mod:`kg.graph.palette`, ``data/palette.yaml``),
size, position (:mod:`kg.graph.positions`, fixed seed) and community (:mod:`kg.graph.looks`), so
that the Gephi files of :mod:`kg.export` and the pictures of :mod:`kg.viz` show the same graph.

pyoxigraph and networkx only (networkx imported when a graph is made): no spaCy, no rdflib.
"""

from __future__ import annotations

from collections.abc import Callable

from .common import QUOTATION_TYPE, GraphError, article_info, first_date, iso_date, local_name, node_id
from .cooccurrence import COOCCURRENCE_LABEL, cooccurrence_graph, split_sentences
from .entities import CONTROLLED, OPEN, SAID, edge_kind, entity_graph
from .positions import LAYOUT_MAX_NODES, LAYOUT_SCALE, LAYOUT_SEED, layout
from .looks import SIZE_MAX, SIZE_MIN, communities, decorate
from .palette import hex_rgb, palette
from .rdfgraph import qname, rdf_graph

PROJECTIONS: dict[str, Callable] = {
    "entities": entity_graph,
    "cooccurrence": cooccurrence_graph,
    "rdf": rdf_graph,
}
DEFAULT_PROJECTION = "entities"
DESCRIPTIONS = {
    "entities": "kg entity graph: entities and the relations between them, one edge per statement",
    "cooccurrence": "kg co-occurrence graph: entities linked when named in one sentence (weight = sentences)",
    "rdf": "kg RDF graph: every resource and triple of the store (literals as attributes)",
}


def project(store, graph: str = DEFAULT_PROJECTION, details: dict | None = None, open_relations: bool = True):
    """The networkx graph of one of :data:`PROJECTIONS` (undecorated). ``open_relations=False``
    leaves the open statements out of the entity graph (the other projections have none)."""
    try:
        fn = PROJECTIONS[graph]
    except KeyError:
        raise GraphError(f"unknown graph {graph!r}; choose one of {', '.join(PROJECTIONS)}") from None
    if fn is entity_graph:
        return fn(store, details, open_relations=open_relations)
    return fn(store, details)


def confident(G, min_confidence: float | None):
    """``G`` (the entity graph) without the statement edges whose confidence is below
    ``min_confidence`` (quotations' ``said`` edges stay); the entities stay as nodes. ``None``:
    ``G`` as it is."""
    if min_confidence is None:
        return G
    drop = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True)
            if d.get("predicate") != SAID and float(d.get("confidence", 0.0)) < min_confidence]
    G.remove_edges_from(drop)
    return G


def gephi_graph(store, graph: str = DEFAULT_PROJECTION, details: dict | None = None, seed: int = LAYOUT_SEED,
                open_relations: bool = True, min_confidence: float | None = None):
    """A projection decorated for Gephi (:func:`project`, :func:`confident` for the entity graph,
    then :func:`decorate`)."""
    G = project(store, graph, details, open_relations)
    if graph == DEFAULT_PROJECTION:
        G = confident(G, min_confidence)
    return decorate(G, seed)


__all__ = [
    "CONTROLLED", "COOCCURRENCE_LABEL", "DEFAULT_PROJECTION", "OPEN", "DESCRIPTIONS", "LAYOUT_MAX_NODES", "LAYOUT_SCALE", "LAYOUT_SEED",
    "PROJECTIONS", "QUOTATION_TYPE", "SAID", "SIZE_MAX", "SIZE_MIN", "GraphError", "article_info", "communities",
    "confident", "cooccurrence_graph", "decorate", "edge_kind", "entity_graph", "first_date", "gephi_graph", "hex_rgb",
    "iso_date", "layout", "local_name", "node_id", "palette", "project", "qname", "rdf_graph", "split_sentences",
]
