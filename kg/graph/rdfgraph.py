"""The RDF graph: every resource and triple of the store (``networkx.MultiDiGraph``)."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from ..namespaces import ARTICLE_GRAPH_PREFIX, ID, KG, OWL, PREFIXES, RDF, RDF_TYPE, RDFS, SDO, shorten
from .common import article_info, local_name


def qname(iri: str) -> str:
    """``rdfs:label`` for an IRI in a known namespace (``id:`` ones as :func:`kg.graph.common.node_id`),
    else the IRI."""
    return iri[len(ID):] if iri.startswith(ID) else shorten(iri, bare=True)


_LABEL_PREDICATES = (RDFS + "label", SDO + "headline", KG + "docId", SDO + "text")
_CLASS_TYPES = {OWL + "Class": "Class", RDFS + "Class": "Class", RDF + "Property": "Property",
                OWL + "ObjectProperty": "Property", OWL + "DatatypeProperty": "Property"}


def rdf_graph(store, details: dict | None = None):
    """The full RDF graph (the union of all graphs) as a ``networkx.MultiDiGraph``.

    Every IRI and blank node that is a subject or object is a node (id: :func:`qname`, blank
    nodes ``_:…``); every triple whose object is one is an edge labelled with the predicate
    (``label`` = ``kind`` = ``rdf:type``…; ``predicate`` = the full IRI; ``weight`` = number of
    article graphs that hold the triple, at least 1). A triple whose object is a literal is an attribute of
    its subject named by the predicate (``rdfs:label``, ``kg:polarity``…), several values joined
    by " | ", all strings. ``label`` is the node's rdfs:label (or headline, doc id, start of its
    text, else its qname); ``type`` is its kg: class (else Class/Property/its first type/Resource).
    """
    import networkx as nx

    def key(term) -> str:
        if isinstance(term, ox.BlankNode):
            return "_:" + term.value
        return qname(term.value)

    # weight = article graphs holding the triple (the summary graph repeats their statements
    # and entities once; a triple held only by the summary or ontology graph weighs 1)
    triples: dict[tuple, int] = defaultdict(int)
    for q in store.ox.quads_for_pattern(None, None, None, None):
        in_article = isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(ARTICLE_GRAPH_PREFIX)
        triples[(q.subject, q.predicate, q.object)] += in_article
    triples = {t: max(n, 1) for t, n in triples.items()}
    G = nx.MultiDiGraph()
    literals: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    types: dict[str, list[str]] = defaultdict(list)
    edges = []
    for (s, p, o), n in triples.items():
        sk = key(s)
        G.add_node(sk)
        if isinstance(o, ox.Literal):
            literals[sk][p.value].append(o.value)
            continue
        ok = key(o)
        G.add_node(ok)
        if p.value == RDF_TYPE:
            types[sk].append(o.value)
        edges.append((sk, ok, p.value, n))
    for n in G.nodes:
        vals = literals.get(n, {})
        label = next((vals[p][0] for p in _LABEL_PREDICATES if vals.get(p)), "")
        label = " ".join(label.split())
        if len(label) > 80:
            label = label[:79] + "…"
        ts = sorted(types.get(n, ()))
        kg_types = [t for t in ts if t.startswith(KG)]
        if kg_types:
            type_ = local_name(kg_types[0])
        elif any(t in _CLASS_TYPES for t in ts):
            type_ = next(_CLASS_TYPES[t] for t in ts if t in _CLASS_TYPES)
        else:
            type_ = local_name(ts[0]) if ts else "Resource"
        attrs = {"label": label or n, "type": type_, "iri": "" if n.startswith("_:") else _expand(n)}
        for p, vs in sorted(vals.items()):
            attrs[qname(p)] = " | ".join(sorted(set(vs)))
        G.nodes[n].update(attrs)
    for i, (u, v, p, n) in enumerate(sorted(edges)):
        eid = f"t/{i}"
        G.add_edge(u, v, key=eid, id=eid, label=qname(p), kind=qname(p), predicate=p, weight=n)
    if details is not None:
        details["articles"] = article_info(store)
        details["evidence"] = {}
    return G


def _expand(n: str) -> str:
    """The IRI of a node id of :func:`qname`."""
    if "://" in n or n.startswith("urn:"):
        return n
    if ":" in n:
        prefix, _, local = n.partition(":")
        if prefix in PREFIXES:
            return PREFIXES[prefix] + local
    return ID + n
