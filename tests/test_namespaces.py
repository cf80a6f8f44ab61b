"""kg.namespaces: every prefix and graph IRI once, and the one IRI shortener."""

from __future__ import annotations

from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from kg import namespaces as ns


def test_rdflib_terms_are_the_same_iris():
    from kg import rdf

    assert rdf.PREFIXES is ns.PREFIXES
    assert {k: ns.PREFIXES[k] for k in ("rdf", "rdfs", "owl", "skos", "prov", "xsd")} == {
        "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "skos": str(SKOS), "prov": str(PROV), "xsd": str(XSD)}
    assert (str(rdf.KG), str(rdf.ID), str(rdf.SDO), str(rdf.WD)) == (ns.KG, ns.ID, ns.SDO, ns.WD)
    for name in ("ONTOLOGY_GRAPH", "SUMMARY_GRAPH", "STATE_GRAPH", "ARTICLE_GRAPH_PREFIX"):
        assert str(getattr(rdf, name)) == getattr(ns, name), name
    assert str(rdf.KG.PendingWrite) == ns.PENDING_WRITE and str(RDF.type) == ns.RDF_TYPE
    assert str(rdf.mint("graph", "doc1")) == ns.ARTICLE_GRAPH_PREFIX + "doc1"


def test_shorten():
    assert ns.shorten(ns.KG + "Statement") == "kg:Statement"
    assert ns.shorten(ns.ID + "person/john-kirby") == "id:person/john-kirby"
    assert ns.shorten(str(RDFS.label)) == "rdfs:label"
    assert ns.shorten(ns.KG) == "kg:"  # the ontology's own IRI
    assert ns.shorten("http://example.org/x") == "<http://example.org/x>"
    assert ns.shorten("http://example.org/x", bare=True) == "http://example.org/x"
    assert ns.shorten("urn:kg:x") == "<urn:kg:x>"


def test_sparql_prologue_declares_every_prefix():
    lines = ns.SPARQL_PROLOGUE.strip().splitlines()
    assert lines == [f"PREFIX {k}: <{v}>" for k, v in ns.SPARQL_PREFIXES.items()]
    assert ns.PREFIXES.items() <= ns.SPARQL_PREFIXES.items()
    # every id namespace kg.rdf mints IRIs in has a prefix (person:john-kirby, kgg:summary)
    assert {"kgg", "article", "person", "country", "statement", "quote"} <= set(ns.SPARQL_PREFIXES)
    assert "id" not in ns.TURTLE_PREFIXES and set(ns.TURTLE_PREFIXES) == set(ns.PREFIXES) - {"id"}
