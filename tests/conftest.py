"""Shared fixtures: real on-disk Oxigraph stores in tmp dirs, real spaCy model."""

from __future__ import annotations

import pytest

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
