"""Shared fixtures: real on-disk Oxigraph stores in tmp dirs, real spaCy model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kg.model import Article, ArticleGraph, Entity, Provenance, Quotation, Relation
from kg.store import KGStore
from kg import write


def _ev(doc: str, text: str, sentence: str, trigger: str = "") -> Provenance:
    start = text.index(sentence)
    return Provenance(doc, sentence, start, start + len(sentence), trigger)


def handmade_graphs() -> list[ArticleGraph]:
    """Two small articles built by hand (no NLP): shared facts, a negation, a quotation."""
    t1 = (
        "The United States opposes a ceasefire in Ukraine. "
        "\"We do not support a truce,\" said John Kirby. "
        "Xi Jinping will visit Moscow."
    )
    t2 = "The US opposes a ceasefire. Kirby said China has not supplied weapons to Russia."
    us = Entity("Country:United States", "Country", "United States", ("US",), "Q30", 2)
    ukr = Entity("Country:Ukraine", "Country", "Ukraine", (), "Q212", 1)
    cf = Entity("Concept:ceasefire", "Concept", "ceasefire", ("truce",), None, 2)
    kirby = Entity("Person:John Kirby", "Person", "John Kirby", ("Kirby",), None, 1)
    xi = Entity("Person:Xi Jinping", "Person", "Xi Jinping", (), None, 1)
    mos = Entity("City:Moscow", "City", "Moscow", (), "Q649", 1)
    cn = Entity("Country:China", "Country", "China", (), "Q148", 1)
    ru = Entity("Country:Russia", "Country", "Russia", (), "Q159", 1)
    wp = Entity("Concept:weapons", "Concept", "weapons", (), None, 1)
    s1 = "The United States opposes a ceasefire in Ukraine."
    q1 = "\"We do not support a truce,\" said John Kirby."
    s3 = "Xi Jinping will visit Moscow."
    a1 = Article("doc1", t1, title="First report", date="2023-03-17", source="Wire A")
    g1 = ArticleGraph(
        a1,
        (us, ukr, cf, kirby, xi, mos),
        (
            Relation(us.key, "opposes", cf.key, _ev("doc1", t1, s1, "opposes"), confidence=0.8, rule="svo"),
            Relation(us.key, "supports", cf.key, _ev("doc1", t1, q1, "do not support"), polarity="negative",
                     attributed_to=kirby.key, confidence=0.7, rule="svo"),
            Relation(xi.key, "visits", mos.key, _ev("doc1", t1, s3, "will visit"), modality="planned",
                     confidence=0.7, rule="svo"),
        ),
        (Quotation("We do not support a truce,", kirby.key, _ev("doc1", t1, q1, "said"), "said"),),
    )
    s4 = "The US opposes a ceasefire."
    s5 = "Kirby said China has not supplied weapons to Russia."
    a2 = Article("doc2", t2, title="Second report", date="2023-03-18", source="Wire B")
    us2 = Entity(us.key, "Country", "United States", ("US",), "Q30", 1)
    kirby2 = Entity(kirby.key, "Person", "John Kirby", ("Kirby",), None, 1)
    cf2 = Entity(cf.key, "Concept", "ceasefire", (), None, 1)
    g2 = ArticleGraph(
        a2,
        (us2, cf2, kirby2, cn, ru, wp),
        (
            Relation(us.key, "opposes", cf.key, _ev("doc2", t2, s4, "opposes"), confidence=0.8, rule="svo"),
            Relation(cn.key, "provides", wp.key, _ev("doc2", t2, s5, "has not supplied"), polarity="negative",
                     attributed_to=kirby.key, confidence=0.6, rule="svo"),
        ),
        (),
    )
    return [g1, g2]


@pytest.fixture()
def store_path(tmp_path):
    return tmp_path / "store"


@pytest.fixture()
def handmade_store(tmp_path):
    """A real on-disk store holding the two handmade articles; closed after the test."""
    path = tmp_path / "handmade-store"
    with KGStore.open(path) as s:
        write.load_ontology(s)
        write.write_all(s, handmade_graphs())
    return path


def role_graph() -> ArticleGraph:
    """A third article with a role fact: John Kirby is spokesperson of the United States."""
    t = "John Kirby, the spokesperson of the United States, spoke on Monday."
    kirby = Entity("Person:John Kirby", "Person", "John Kirby", ("Kirby",), None, 1)
    us = Entity("Country:United States", "Country", "United States", ("US",), "Q30", 1)
    ev = Provenance("doc3", t, 0, len(t), "spokesperson of")
    rel = Relation(kirby.key, "spokespersonOf", us.key, ev, confidence=0.9, rule="appos")
    return ArticleGraph(Article("doc3", t, title="Third report"), (kirby, us), (rel,), ())


@pytest.fixture()
def kgs(handmade_store):
    """The handmade store, open read-only."""
    with KGStore.open(handmade_store, read_only=True) as s:
        yield s


# ---------------------------------------------------------------- the handmade store as graphs
US, CF, KIRBY = "country/united-states", "concept/ceasefire", "person/john-kirby"  # node ids
PALETTE = yaml.safe_load((Path(__file__).parent.parent / "data" / "palette.yaml").read_text())
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _rdflib_term(t):
    import pyoxigraph as ox
    import rdflib

    if isinstance(t, ox.NamedNode):
        return rdflib.URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return rdflib.BNode(t.value)
    if t.language:
        return rdflib.Literal(t.value, lang=t.language)
    if t.datatype.value == XSD_STRING:
        return rdflib.Literal(t.value)
    return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))


def union_graph(store):
    """The store's union of graphs as an rdflib Graph, read quad by quad (independently of the
    exporters and projections)."""
    import rdflib

    g = rdflib.Graph()
    for q in store.ox.quads_for_pattern(None, None, None, None):
        g.add((_rdflib_term(q.subject), _rdflib_term(q.predicate), _rdflib_term(q.object)))
    return g


def flat_attrs(d: dict) -> None:
    """Assert a node's or edge's attributes are flat str/int/float values, never None."""
    for k, v in d.items():
        assert v is not None, k
        assert isinstance(v, (str, int, float)) and not isinstance(v, bool), (k, v)


def rgb(hex_: str) -> tuple[int, int, int]:
    return tuple(int(hex_.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
