"""JSON-LD of the whole dataset: one ``@graph`` per named graph, compacted with kg's prefixes.

The only export that imports rdflib (its JSON-LD writer compacts; pyoxigraph's does not)."""

from __future__ import annotations

import pyoxigraph as ox

from ..namespaces import PREFIXES


def write_jsonld(store, fh, expanded: bool = False) -> None:
    """JSON-LD with one ``@graph`` per named graph, compacted with the kg prefixes (rdflib).

    rdflib's JSON-LD writer is slow (~100 s for 400k triples); ``expanded=True`` uses
    pyoxigraph's writer instead (~10x faster, expanded form without ``@context``).
    """
    if expanded:
        store.ox.dump(fh, ox.RdfFormat.JSON_LD)
        return
    import rdflib

    ds = rdflib.Dataset()
    ds.parse(data=store.ox.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    data = ds.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True, encoding="utf-8")
    fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))
