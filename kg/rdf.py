"""The RDF layer: the only module that makes rdflib terms from pipeline records.

Data model (see data/ontology.ttl and README "Data model"):

* one named graph per article (``id:graph/article/<doc>``) holding everything that
  article supports: the article node, its entities' type/label/aliases, statements,
  evidence records, quotations and the plain ``s p o`` triples of positive facts;
* statements, entities and quotations have IRIs minted from their content, so the
  same fact read in two articles is one node with two evidence records;
* a ``summary`` graph, the merged view that queries read: every statement, quotation and
  entity once, with its core triples, the articles reporting it and derived figures (weight
  = supporting articles, aggregated confidence, mention counts); recomputed from the article
  graphs by :data:`SUMMARY_UPDATE`, incrementally on every write (:mod:`kg.write`).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from .model import FACTUAL_MODALITIES, POSITIVE, ArticleGraph, Entity, Quotation, Relation

BASE = "https://w3id.org/newskg/"
KG = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
SDO = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")

ONTOLOGY_GRAPH = ID["graph/ontology"]
SUMMARY_GRAPH = ID["graph/summary"]
ARTICLE_GRAPH_PREFIX = str(ID["graph/article/"])

PREFIXES = {
    "kg": str(KG),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "skos": str(SKOS),
    "prov": str(PROV),
    "schema": str(SDO),
    "xsd": str(XSD),
    "wd": str(WD),
}


def _digest(*parts: object) -> str:
    h = hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:16]


def slug(text: str) -> str:
    """ASCII slug of a label (``"Xi Jinping’s"`` -> ``"xi-jinping-s"``); a digest if nothing is left."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return s[:80] if s else "x" + _digest(text)


def mint(kind: str, *parts: object) -> URIRef:
    """Mint every IRI of the graph. ``kind`` is one of the cases below; stable across runs."""
    if kind == "entity":  # parts: type, label
        type_, label = parts
        return ID[f"{str(type_).lower()}/{slug(str(label))}"]
    if kind == "article":
        return ID["article/" + quote(str(parts[0]), safe="")]
    if kind == "graph":
        return URIRef(ARTICLE_GRAPH_PREFIX + quote(str(parts[0]), safe=""))
    if kind in ("statement", "evidence", "quote", "mentions"):
        return ID[f"{kind}/{_digest(*parts)}"]
    raise ValueError(f"unknown IRI kind {kind!r}")


def entity_iri(key: str) -> URIRef:
    type_, _, label = key.partition(":")
    return mint("entity", type_, label)


def predicate_iri(name: str) -> URIRef:
    return KG[name]


def statement_iri(r: Relation) -> URIRef:
    return mint("statement", r.subject, r.predicate, r.object, r.polarity, r.modality, r.attributed_to)


def quote_iri(q: Quotation) -> URIRef:
    return mint("quote", q.speaker, " ".join(q.text.lower().split()))


def _lit(value: object, datatype=None) -> Literal:
    return Literal(value, datatype=datatype)


def _decimal(x: float) -> Literal:
    return Literal(f"{max(0.0, min(1.0, x)):.3f}", datatype=XSD.decimal)


def article_counts(ag: ArticleGraph) -> dict[URIRef, int]:
    """How many distinct entities, statements and quotations the article holds (written with it)."""
    return {
        KG.entityCount: len({e.key for e in ag.entities}),
        KG.statementCount: len({statement_iri(r) for r in ag.relations}),
        KG.quotationCount: len({quote_iri(q) for q in ag.quotations}),
    }


def article_triples(ag: ArticleGraph) -> Iterator[tuple]:
    """All triples one article contributes (to be put in its named graph)."""
    a = ag.article
    art = mint("article", a.id)
    yield art, RDF.type, KG.Article
    yield art, RDF.type, SDO.NewsArticle
    yield art, KG.docId, _lit(a.id)
    yield art, KG.sha256, _lit(a.sha256)
    yield art, SDO.text, _lit(a.text)
    if a.title:
        yield art, SDO.headline, _lit(a.title)
    if a.date:
        yield art, SDO.datePublished, _lit(a.date)
    if a.source:
        yield art, SDO.publisher, _lit(a.source)
    if a.url:
        yield art, SDO.url, _lit(a.url, XSD.anyURI)
    for p, n in article_counts(ag).items():
        yield art, p, _lit(n, XSD.integer)

    for e in ag.entities:
        yield from entity_triples(e, art, a.id)
    for r in ag.relations:
        yield from relation_triples(r, art)
    for q in ag.quotations:
        yield from quotation_triples(q, art)


def entity_triples(e: Entity, art: URIRef, doc_id: str) -> Iterator[tuple]:
    ent = entity_iri(e.key)
    yield ent, RDF.type, KG[e.type]
    yield ent, RDFS.label, _lit(e.label)
    for alias in e.aliases:
        if alias != e.label:
            yield ent, SKOS.altLabel, _lit(alias)
    if e.qid:
        yield ent, OWL.sameAs, WD[e.qid]
    m = mint("mentions", doc_id, e.key)
    yield m, RDF.type, KG.Mentions
    yield m, KG.article, art
    yield m, KG.entity, ent
    yield m, KG["count"], _lit(e.mentions, XSD.integer)
    yield art, SDO.mentions, ent


def _evidence_triples(node, subject_kind: str, ev, art: URIRef, conf: float | None, extra=()):
    yield node, RDF.type, KG.Evidence
    yield node, KG.article, art
    yield node, KG.sentence, _lit(ev.sentence)
    yield node, KG.start, _lit(ev.start, XSD.integer)
    yield node, KG.end, _lit(ev.end, XSD.integer)
    if ev.trigger:
        yield node, KG.trigger, _lit(ev.trigger)
    if conf is not None:
        yield node, KG.confidence, _decimal(conf)
    yield from extra


def relation_triples(r: Relation, art: URIRef) -> Iterator[tuple]:
    st = statement_iri(r)
    s, p, o = entity_iri(r.subject), predicate_iri(r.predicate), entity_iri(r.object)
    yield st, RDF.type, KG.Statement
    yield st, RDF.subject, s
    yield st, RDF.predicate, p
    yield st, RDF.object, o
    yield st, KG.polarity, _lit(r.polarity)
    yield st, KG.modality, _lit(r.modality)
    if r.attributed_to:
        yield st, KG.attributedTo, entity_iri(r.attributed_to)
    ev = mint("evidence", st, r.evidence.article_id, r.evidence.start, r.evidence.end, r.evidence.trigger)
    yield st, KG.evidence, ev
    rule = ((ev, KG.rule, _lit(r.rule)),) if r.rule else ()
    yield from _evidence_triples(ev, "statement", r.evidence, art, r.confidence, rule)
    if r.polarity == POSITIVE and r.modality in FACTUAL_MODALITIES:
        yield s, p, o


def quotation_triples(q: Quotation, art: URIRef) -> Iterator[tuple]:
    node = quote_iri(q)
    yield node, RDF.type, KG.Quotation
    yield node, SDO.text, _lit(q.text)
    if q.speaker:
        yield node, KG.speaker, entity_iri(q.speaker)
    ev = mint("evidence", node, q.evidence.article_id, q.evidence.start, q.evidence.end)
    yield node, KG.evidence, ev
    yield from _evidence_triples(ev, "quote", q.evidence, art, None, ((ev, KG.verb, _lit(q.verb)),))


def article_quads(ag: ArticleGraph) -> Iterator[tuple]:
    g = mint("graph", ag.article.id)
    for s, p, o in article_triples(ag):
        yield s, p, o, g


# Recomputes the summary graph from all article graphs. The summary graph is the merged
# view of the corpus that queries read (one graph, each node once, no GRAPH ?g):
# * each statement once, with its core (type, subject, predicate, object, polarity,
#   modality, attribution), the articles reporting it (kg:reportedIn, and their document ids
#   as one display literal, kg:sources) and derived figures:
#   weight = number of distinct articles with evidence; evidenceCount; confidence = max(c)
#   raised by 0.1 per extra supporting article (a noisy-OR needs ln/exp, not in SPARQL);
# * each quotation once (text, speaker, reportedIn, sources, weight);
# * each entity once (types, labels, aliases, sameAs, mentionCount, articleCount, and the
#   lower-cased labels and aliases as kg:matchKey, for case-insensitive lookups by name).
# Every sub-select reads article graphs only (anchored on kg:evidence / kg:Mentions records,
# which only article graphs hold) and is grouped by the node in its first projected variable:
# kg.write.summary_update_for restricts each one to the nodes a write touches.
SOURCES_MAX_CHARS = 200
# The entity triples copied into the summary graph as they are, one operation per predicate
# (one operation over all four planned badly: 2.4 s instead of 0.4 s for 266 nodes).
_ENTITY_COPIES = "\n".join(f"""INSERT {{ GRAPH <{SUMMARY_GRAPH}> {{ ?e {p} ?v }} }}
WHERE {{
  SELECT ?e ?v WHERE {{ GRAPH ?g {{ ?x kg:entity ?e . ?e {p} ?v }} }} GROUP BY ?e ?v
}} ;""" for p in ("rdf:type", "rdfs:label", "skos:altLabel", "owl:sameAs"))
SUMMARY_UPDATE = f"""
PREFIX kg: <{KG}>
PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX owl: <{OWL}>
PREFIX schema: <{SDO}>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
CLEAR SILENT GRAPH <{SUMMARY_GRAPH}> ;
INSERT {{ GRAPH <{SUMMARY_GRAPH}> {{
  ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:polarity ?pol ; kg:modality ?mod ;
      kg:weight ?w ; kg:confidence ?c ; kg:evidenceCount ?n }} }}
WHERE {{
  SELECT ?st ?s ?p ?o ?pol ?mod (COUNT(DISTINCT ?art) AS ?w) (COUNT(DISTINCT ?ev) AS ?n)
         (xsd:decimal(ROUND(1000 * IF(MAX(?ec) + 0.1 * (COUNT(DISTINCT ?art) - 1) > 1, 1,
                                      MAX(?ec) + 0.1 * (COUNT(DISTINCT ?art) - 1))) / 1000) AS ?c)
  WHERE {{ GRAPH ?g {{ ?st kg:evidence ?ev ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                      kg:polarity ?pol ; kg:modality ?mod .
                  ?ev kg:article ?art ; kg:confidence ?ec }} }}
  GROUP BY ?st ?s ?p ?o ?pol ?mod
}} ;
INSERT {{ GRAPH <{SUMMARY_GRAPH}> {{ ?st kg:attributedTo ?a }} }}
WHERE {{
  SELECT ?st ?a WHERE {{ GRAPH ?g {{ ?st kg:evidence ?ev ; kg:attributedTo ?a }} }} GROUP BY ?st ?a
}} ;
INSERT {{ GRAPH <{SUMMARY_GRAPH}> {{ ?q a kg:Quotation ; schema:text ?text ; kg:weight ?w }} }}
WHERE {{
  SELECT ?q ?text (COUNT(DISTINCT ?art) AS ?w)
  WHERE {{ GRAPH ?g {{ ?q a kg:Quotation ; schema:text ?text ; kg:evidence ?ev . ?ev kg:article ?art }} }}
  GROUP BY ?q ?text
}} ;
INSERT {{ GRAPH <{SUMMARY_GRAPH}> {{ ?q kg:speaker ?sp }} }}
WHERE {{
  SELECT ?q ?sp WHERE {{ GRAPH ?g {{ ?q kg:evidence ?ev ; kg:speaker ?sp }} }} GROUP BY ?q ?sp
}} ;
INSERT {{ GRAPH <{SUMMARY_GRAPH}> {{ ?x kg:reportedIn ?art }} }}
WHERE {{
  SELECT ?x ?art WHERE {{ GRAPH ?g {{ ?x kg:evidence ?ev . ?ev kg:article ?art }} }} GROUP BY ?x ?art
}} ;
INSERT {{ GRAPH <{SUMMARY_GRAPH}> {{ ?x kg:sources ?docs }} }}
WHERE {{
  {{ SELECT ?x (GROUP_CONCAT(?doc; separator="|") AS ?all)
    WHERE {{
      {{ SELECT ?x ?doc WHERE {{ GRAPH ?g {{ ?x kg:evidence ?ev . ?ev kg:article ?art . ?art kg:docId ?doc }} }}
        GROUP BY ?x ?doc ORDER BY ?doc }}  # in order, so the literal is the same however it was built
    }}
    GROUP BY ?x }}
  # at most ~{SOURCES_MAX_CHARS} characters ("…" ends a cut list): a display value, and one that
  # stops changing (a new literal each time) as a widely reported fact gains articles
  BIND (IF(STRLEN(?all) <= {SOURCES_MAX_CHARS}, ?all,
           CONCAT(REPLACE(SUBSTR(?all, 1, {SOURCES_MAX_CHARS}), "[|][^|]*$", ""), "|…")) AS ?docs)
}} ;
INSERT {{ GRAPH <{SUMMARY_GRAPH}> {{ ?e kg:mentionCount ?m ; kg:articleCount ?a }} }}
WHERE {{
  SELECT ?e (SUM(?c) AS ?m) (COUNT(DISTINCT ?art) AS ?a)
  WHERE {{ GRAPH ?g {{ ?x a kg:Mentions ; kg:entity ?e ; kg:article ?art ; kg:count ?c }} }}
  GROUP BY ?e
}} ;
{_ENTITY_COPIES}
INSERT {{ GRAPH <{SUMMARY_GRAPH}> {{ ?e kg:matchKey ?k }} }}
WHERE {{
  SELECT ?e ?k WHERE {{
    GRAPH ?g {{ ?x kg:entity ?e . {{ ?e rdfs:label ?l }} UNION {{ ?e skos:altLabel ?l }} }}
    BIND (LCASE(STR(?l)) AS ?k) }}
  GROUP BY ?e ?k
}}
"""


@functools.lru_cache(maxsize=65536)
def _ox_named_node(iri: str):
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def to_ox(term):
    """rdflib term -> pyoxigraph term (the store's native terms). IRIs repeat (predicates,
    classes, graphs, entities) and their conversions are cached."""
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return _ox_named_node(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def article_ox_quads(ag: ArticleGraph) -> list:
    import pyoxigraph as ox

    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in article_quads(ag)]
