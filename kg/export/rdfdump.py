"""The store's RDF as pyoxigraph writes it (streaming): ttl and nt the union of all graphs as one
graph, nq and trig the whole dataset with its named graphs."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from ..namespaces import TURTLE_PREFIXES

_UNION_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"  # CONSTRUCT drops the duplicates of the multiset union


def union_triples(store) -> Iterator:
    """The distinct triples of all graphs, as one graph."""
    return store.query(_UNION_TRIPLES)


def write_ttl(store, fh) -> None:
    ox.serialize(union_triples(store), fh, ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES)


def write_nt(store, fh) -> None:
    ox.serialize(union_triples(store), fh, ox.RdfFormat.N_TRIPLES)


def write_nq(store, fh) -> None:
    store.ox.dump(fh, ox.RdfFormat.N_QUADS)


def write_trig(store, fh) -> None:
    store.ox.dump(fh, ox.RdfFormat.TRIG, prefixes=TURTLE_PREFIXES)
