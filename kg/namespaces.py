"""Every namespace, prefix and graph IRI of kg, once, as plain strings; and :func:`shorten`.

Plain strings so that the read side (``kg query``, ``kg export``, ``kg push``, ``kg stats``,
``kg viz``, ``kg serve``'s workers) can use them without importing rdflib; :mod:`kg.rdf` wraps
them in rdflib ``Namespace`` objects for the write side.
"""

from __future__ import annotations

from .model import ENTITY_TYPES

BASE = "https://w3id.org/newskg/"
KG = BASE + "ontology#"
ID = BASE + "id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
SDO = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
WD = "http://www.wikidata.org/entity/"

PREFIXES = {
    "kg": KG,
    "id": ID,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "skos": SKOS,
    "prov": PROV,
    "schema": SDO,
    "xsd": XSD,
    "wd": WD,
}
#: Prefixes for Turtle, TriG and RDF/XML output: without ``id:``, whose local names would need
#: escaped slashes (``id:person\/john-kirby``); full IRIs read better.
TURTLE_PREFIXES = {k: v for k, v in PREFIXES.items() if k != "id"}
GRAPH_NS = ID + "graph/"
ONTOLOGY_GRAPH = GRAPH_NS + "ontology"
SUMMARY_GRAPH = GRAPH_NS + "summary"
STATE_GRAPH = GRAPH_NS + "state"  # the writer's pending-write markers (empty between writes)
ARTICLE_GRAPH_PREFIX = GRAPH_NS + "article/"

#: The namespaces of kg's own IRIs (``kg.rdf`` mints them): graphs, articles, and one per entity
#: type (``person:john-kirby``, ``country:china``), so that a query can name them briefly.
ID_PREFIXES = {
    "kgg": GRAPH_NS,
    "article": ID + "article/",
    **{t.lower(): f"{ID}{t.lower()}/" for t in ENTITY_TYPES},
    "statement": ID + "statement/",
    "quote": ID + "quote/",
}
#: The prefixes ``kg query`` and ``kg serve`` declare for every query (a query's own PREFIX
#: lines take precedence); ``kg query --prefixes`` lists them.
SPARQL_PREFIXES = {**PREFIXES, **ID_PREFIXES}
#: The ``PREFIX`` lines of :data:`SPARQL_PREFIXES`, to put in front of a SPARQL query.
SPARQL_PROLOGUE = "\n".join(f"PREFIX {k}: <{v}>" for k, v in SPARQL_PREFIXES.items()) + "\n"
#: The default graph of ``kg query`` and ``kg serve``: the merged view (each statement, entity,
#: quotation, article and plain triple once) and the ontology; article graphs stay named graphs.
DEFAULT_GRAPHS = (SUMMARY_GRAPH, ONTOLOGY_GRAPH)

RDF_TYPE = RDF + "type"
PENDING_WRITE = KG + "PendingWrite"  # the class of an article graph marked pending in STATE_GRAPH


def shorten(iri: str, bare: bool = False) -> str:
    """``prefix:local`` for an IRI in one of :data:`PREFIXES` (the longest namespace that
    matches; ``local`` may be empty), else ``<iri>`` - or the IRI itself when ``bare``."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        return f"{best}:{iri[len(PREFIXES[best]):]}"
    return iri if bare else f"<{iri}>"
