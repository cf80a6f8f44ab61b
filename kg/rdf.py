"""The RDF layer: the only module that makes rdflib terms from pipeline records.

Data model (see data/ontology.ttl and README "Data model"):

* one named graph per article (``id:graph/article/<doc>``) holding everything that
  article supports: the article node, its entities' type/label/aliases, statements,
  evidence records, quotations and the plain ``s p o`` triples of positive facts;
* statements, entities and quotations have IRIs minted from their content, so the
  same fact read in two articles is one node with two evidence records; an entity's IRI comes
  from its identity (:mod:`kg.names`: ``…/id/country/usa``, ``…/id/entity/ebay``,
  ``…/id/concept/ceasefire``), never from its type, and its article graph does not type or
  label it: the article's mention record holds the name and type the article gives it
  (``kg:nameInArticle``, ``kg:typeInArticle``) and the summary graph gives the entity ONE type
  and ONE label, those most articles give it (:mod:`kg.summary`);
* open relations (clauses between two named entities no vocabulary predicate covers) are
  ``kg:OpenStatement`` nodes with the verb phrase as ``kg:verbPhrase``: never a
  ``kg:Statement``, never a plain ``s p o`` triple;
* a ``summary`` graph, the merged view that queries read: every statement, quotation and
  entity once, with its core triples, the articles reporting it and derived figures (weight
  = supporting articles, aggregated confidence, mention counts); defined in SPARQL by
  :mod:`kg.summary` (a recomputation from the article graphs), kept up to date on every
  write (:mod:`kg.write`; new articles merged in Python).

The store is written with text: :func:`article_text` gives an article's graph as TriG built
from N-Triples terms, read by Oxigraph's bulk loader and by SPARQL ``INSERT DATA`` alike.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from . import namespaces as ns
from .model import FACTUAL_MODALITIES, POSITIVE, ArticleGraph, Entity, OpenRelation, Quotation, Relation

# kg's namespaces and graph IRIs (kg.namespaces) as rdflib terms
BASE = ns.BASE
KG = Namespace(ns.KG)
ID = Namespace(ns.ID)
SDO = Namespace(ns.SDO)
WD = Namespace(ns.WD)

ONTOLOGY_GRAPH = URIRef(ns.ONTOLOGY_GRAPH)
SUMMARY_GRAPH = URIRef(ns.SUMMARY_GRAPH)
STATE_GRAPH = URIRef(ns.STATE_GRAPH)  # the writer's pending-write markers (empty between writes)
ARTICLE_GRAPH_PREFIX = ns.ARTICLE_GRAPH_PREFIX
PREFIXES = ns.PREFIXES


def _digest(*parts: object) -> str:
    h = hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:16]


def slug(text: str) -> str:
    """ASCII slug of a label (``"Xi Jinping’s"`` -> ``"xi-jinpings"``: what has no ASCII form is
    dropped), at most 80 characters; a digest if nothing is left."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return s[:80] if s else "x" + _digest(text)


def _mint(kind: str, *parts: object) -> str:
    if kind == "entity":  # parts: the identity "<kind>:<value>" (kg.names)
        ident_kind, _, value = str(parts[0]).partition(":")
        return f"{ID}{slug(ident_kind)}/{slug(value)}"
    if kind == "article":
        return f"{ID}article/{quote(str(parts[0]), safe='')}"
    if kind == "graph":
        return ARTICLE_GRAPH_PREFIX + quote(str(parts[0]), safe="")
    if kind in ("statement", "evidence", "quote", "mentions"):
        return f"{ID}{kind}/{_digest(*parts)}"
    if kind == "open":  # parts: subject, verb phrase, object, polarity, modality, speaker
        return f"{ID}open-statement/{_digest(*parts)}"
    raise ValueError(f"unknown IRI kind {kind!r}")


def mint(kind: str, *parts: object) -> URIRef:
    """Mint every IRI of the graph. ``kind`` is one of the cases below; stable across runs."""
    return URIRef(_mint(kind, *parts))


@functools.lru_cache(maxsize=65536)
def _entity_iri(identity: str) -> str:
    return _mint("entity", identity)


class _Identities(dict):
    """Entity keys of one article (``"Type:Label"``) -> identities; a key no entity of the article
    has is the identity of its label."""

    def __missing__(self, key: str) -> str:
        from .names import name_identity

        return name_identity(key.partition(":")[2])


def identities(ag: ArticleGraph) -> dict[str, str]:
    """The identity of each entity key of the article (relations and quotations name entities by key)."""
    ids = _Identities()
    for e in ag.entities:
        ids.setdefault(e.key, e.identity)
    return ids


def _statement_iri(r: Relation, ids: dict[str, str]) -> str:
    return _mint("statement", ids[r.subject], r.predicate, ids[r.object], r.polarity, r.modality,
                 ids[r.attributed_to] if r.attributed_to else None)


def _open_iri(r: OpenRelation, ids: dict[str, str]) -> str:
    return _mint("open", ids[r.subject], r.label, ids[r.object], r.polarity, r.modality,
                 ids[r.attributed_to] if r.attributed_to else None)


def _quote_iri(q: Quotation, ids: dict[str, str]) -> str:
    """A quotation's IRI, from its speaker's identity and words; a partial one's also from that, so
    one node never is both (the same words quoted whole elsewhere are another node)."""
    speaker = ids[q.speaker] if q.speaker else None
    words = " ".join(q.text.lower().split())
    return _mint("quote", speaker, words, "partial") if q.partial else _mint("quote", speaker, words)


def article_counts(ag: ArticleGraph) -> dict[URIRef, int]:
    """How many distinct entities, statements, quotations and open statements the article holds
    (written with it)."""
    ids = identities(ag)
    return {
        KG.entityCount: len({e.identity for e in ag.entities}),
        KG.statementCount: len({_statement_iri(r, ids) for r in ag.relations}),
        KG.quotationCount: len({_quote_iri(q, ids) for q in ag.quotations}),
        KG.openStatementCount: len({_open_iri(r, ids) for r in ag.open_relations}),
    }


# -- article graphs as N-Triples terms ---------------------------------------------------
# The store is written with text its bulk loader and SPARQL both read: each term in its
# N-Triples form ("<iri>", "\"text\"", "\"3\"^^<...#integer>"). Making rdflib terms cost ~4 ms
# per article, pyoxigraph terms ~2 ms; strings ~0.5 ms (IRIs repeat and are cached).
# Strings escape only what N-Triples and SPARQL require (\\, \", LF, CR): lower-casing the
# escaped form is escaping the lower-cased form (kg.summary relies on it).

_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"))  # backslash first


@functools.lru_cache(maxsize=65536)
def nt_iri(iri: str) -> str:
    """An IRI as an N-Triples term."""
    return f"<{iri}>"


class _V:
    """The vocabulary as N-Triples terms (``_v.kg_Statement``; built on first use, not at import)."""

    def __getattr__(self, name: str) -> str:
        ns, _, local = name.partition("_")
        iri = {"kg": KG, "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "owl": OWL, "sdo": SDO, "xsd": XSD}[ns][local]
        node = nt_iri(str(iri))
        setattr(self, name, node)
        return node


_v = _V()


def nt_string(value: object) -> str:
    """A plain string literal as an N-Triples term."""
    s = str(value)
    for char, escaped in _ESCAPES:  # str.replace after a fast scan: 10x str.translate on long texts
        if char in s:
            s = s.replace(char, escaped)
    return f'"{s}"'


@functools.lru_cache(maxsize=4096)
def _kg(name: str) -> str:
    """A term of the kg vocabulary (classes, relation predicates) as an N-Triples term."""
    return nt_iri(str(KG[name]))


_str = nt_string


def nt_integer(value: int) -> str:
    return f'"{int(value)}"^^{_v.xsd_integer}'


def _decimal(x: float) -> str:
    return f'"{max(0.0, min(1.0, x)):.3f}"^^{_v.xsd_decimal}'


def article_triples(ag: ArticleGraph, ids: dict[str, str] | None = None) -> Iterator[tuple]:
    """All triples one article contributes (to be put in its named graph), as N-Triples terms.
    ``ids``: the identities of the article's entity keys (:func:`identities`), for a part of an
    article that holds its relations but not its entities."""
    a = ag.article
    art = nt_iri(_mint("article", a.id))
    yield art, _v.rdf_type, _v.kg_Article
    yield art, _v.rdf_type, _v.sdo_NewsArticle
    yield art, _v.kg_docId, _str(a.id)
    yield art, _v.kg_sha256, _str(a.sha256)
    yield art, _v.sdo_text, _str(a.text)
    if a.title:
        yield art, _v.sdo_headline, _str(a.title)
    if a.date:
        yield art, _v.sdo_datePublished, _str(a.date)
    if a.source:
        yield art, _v.sdo_publisher, _str(a.source)
    if a.author:
        yield art, _v.sdo_author, _str(a.author)
    if a.url:
        yield art, _v.sdo_url, f"{_str(a.url)}^^{_v.xsd_anyURI}"
    for p, n in article_counts(ag).items():
        yield art, nt_iri(str(p)), nt_integer(n)

    ids = identities(ag) if ids is None else ids
    for e in ag.entities:
        yield from entity_triples(e, art, a.id)
    for r in ag.relations:
        yield from relation_triples(r, art, ids)
    for q in ag.quotations:
        yield from quotation_triples(q, art, ids)
    for r in ag.open_relations:
        yield from open_relation_triples(r, art, ids)


def entity_triples(e: Entity, art, doc_id: str) -> Iterator[tuple]:
    """The entity as one article sees it: its aliases and QID on the entity, the name and type
    the article gives it on the article's mention record (the summary graph types and labels
    the entity once, from all its articles)."""
    ident = e.identity
    ent = nt_iri(_entity_iri(ident))
    for alias in e.aliases:
        if alias != e.label:
            yield ent, _v.skos_altLabel, _str(alias)
    if e.qid:
        yield ent, _v.owl_sameAs, nt_iri(str(WD[e.qid]))
    m = nt_iri(_mint("mentions", doc_id, ident))
    yield m, _v.rdf_type, _v.kg_Mentions
    yield m, _v.kg_article, art
    yield m, _v.kg_entity, ent
    yield m, _v.kg_count, nt_integer(e.mentions)
    yield m, _v.kg_nameInArticle, _str(e.label)
    yield m, _v.kg_typeInArticle, _kg(e.type)
    yield art, _v.sdo_mentions, ent


def _evidence_triples(node, ev, art, conf: float | None, extra=()):
    yield node, _v.rdf_type, _v.kg_Evidence
    yield node, _v.kg_article, art
    yield node, _v.kg_sentence, _str(ev.sentence)
    yield node, _v.kg_start, nt_integer(ev.start)
    yield node, _v.kg_end, nt_integer(ev.end)
    if ev.trigger:
        yield node, _v.kg_trigger, _str(ev.trigger)
    if conf is not None:
        yield node, _v.kg_confidence, _decimal(conf)
    yield from extra


def relation_triples(r: Relation, art, ids: dict[str, str]) -> Iterator[tuple]:
    st_iri = _statement_iri(r, ids)
    st = nt_iri(st_iri)
    s, p, o = nt_iri(_entity_iri(ids[r.subject])), _kg(r.predicate), nt_iri(_entity_iri(ids[r.object]))
    yield st, _v.rdf_type, _v.kg_Statement
    yield st, _v.rdf_subject, s
    yield st, _v.rdf_predicate, p
    yield st, _v.rdf_object, o
    yield from _stated(st, st_iri, r, art, ids)
    if r.polarity == POSITIVE and r.modality in FACTUAL_MODALITIES:
        yield s, p, o


def _stated(st: str, st_iri: str, r: Relation | OpenRelation, art, ids: dict[str, str]) -> Iterator[tuple]:
    """What a statement and an open statement both carry: polarity, modality, who it is
    attributed to, and its evidence (article, sentence, offsets, rule, confidence)."""
    yield st, _v.kg_polarity, _str(r.polarity)
    yield st, _v.kg_modality, _str(r.modality)
    if r.attributed_to:
        yield st, _v.kg_attributedTo, nt_iri(_entity_iri(ids[r.attributed_to]))
    ev = nt_iri(_mint("evidence", st_iri, r.evidence.article_id, r.evidence.start, r.evidence.end, r.evidence.trigger))
    yield st, _v.kg_evidence, ev
    rule = ((ev, _v.kg_rule, _str(r.rule)),) if r.rule else ()
    yield from _evidence_triples(ev, r.evidence, art, r.confidence, rule)


def open_relation_triples(r: OpenRelation, art, ids: dict[str, str]) -> Iterator[tuple]:
    """A ``kg:OpenStatement``: subject, object, verb phrase, polarity, modality, speaker and
    evidence, like a statement's; no rdf:predicate and no plain ``s p o`` triple, so that it never
    reads as a fact of the vocabulary."""
    st_iri = _open_iri(r, ids)
    st = nt_iri(st_iri)
    yield st, _v.rdf_type, _v.kg_OpenStatement
    yield st, _v.rdf_subject, nt_iri(_entity_iri(ids[r.subject]))
    yield st, _v.rdf_object, nt_iri(_entity_iri(ids[r.object]))
    yield st, _v.kg_verbPhrase, _str(r.label)
    yield from _stated(st, st_iri, r, art, ids)


def quotation_triples(q: Quotation, art, ids: dict[str, str]) -> Iterator[tuple]:
    node_iri = _quote_iri(q, ids)
    node = nt_iri(node_iri)
    yield node, _v.rdf_type, _v.kg_Quotation
    yield node, _v.sdo_text, _str(q.text)
    if q.partial:
        yield node, _v.kg_partial, f'"true"^^{_v.xsd_boolean}'
    if q.speaker:
        yield node, _v.kg_speaker, nt_iri(_entity_iri(ids[q.speaker]))
    ev = nt_iri(_mint("evidence", node_iri, q.evidence.article_id, q.evidence.start, q.evidence.end))
    yield node, _v.kg_evidence, ev
    yield from _evidence_triples(ev, q.evidence, art, None, ((ev, _v.kg_verb, _str(q.verb)),))


def article_text(ag: ArticleGraph, ids: dict[str, str] | None = None) -> tuple[str, list[tuple[str, str, str]]]:
    """The article's named graph as text - ``GRAPH <g> { s p o . ... }``, valid TriG and a valid
    SPARQL ``INSERT DATA`` body - and its triples (N-Triples terms)."""
    g = nt_iri(_mint("graph", ag.article.id))
    triples = list(article_triples(ag, ids))
    return "".join([f"GRAPH {g} {{\n", *[f"{s} {p} {o} .\n" for s, p, o in triples], "}\n"]), triples


def article_quads(ag: ArticleGraph, ids: dict[str, str] | None = None) -> list:
    """The article's named graph as pyoxigraph quads (``ids``: as :func:`article_triples`)."""
    import pyoxigraph as ox

    return list(ox.parse(input=article_text(ag, ids)[0].encode("utf-8"), format=ox.RdfFormat.TRIG))


def __getattr__(name: str):
    """The summary's SPARQL moved to :mod:`kg.summary` (these names stay importable from here)."""
    if name in ("SUMMARY_UPDATE", "SOURCES_MAX"):
        from . import summary

        return getattr(summary, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
