"""``kg validate``: SHACL shapes (data/shapes.ttl) checked with pyshacl on the union graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from conftest import handmade_graphs
from kg import model, write
from kg.cli import main
from kg.paths import data_dir
from kg.rdf import ID, KG
from kg.store import KGStore
from kg.validate import validate

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
BAD_GRAPH = ox.NamedNode(str(ID["graph/article/bad"]))


def run(*args):
    return CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)


def add(store_path, *triples) -> None:
    """Add triples (N-Triples-ish tuples of pyoxigraph terms) to a graph of their own."""
    with KGStore.open(store_path) as s:
        s.ox.extend([ox.Quad(a, b, c, BAD_GRAPH) for a, b, c in triples])


def nn(iri) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def lit(value, datatype: str | None = None) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(datatype) if datatype else None)


def test_handmade_store_conforms(handmade_store):
    r = run("--store", str(handmade_store))
    assert r.exit_code == 0, r.output
    assert r.output.startswith("conforms: yes")
    with KGStore.open(handmade_store, read_only=True) as s:
        conforms, report, n = validate(s)
    assert conforms and n == 0 and "0 violations" in report


def test_statement_without_polarity_fails_and_names_the_focus_node(handmade_store):
    st = ID["statement/no-polarity"]
    ev = ID["evidence/no-polarity"]
    add(handmade_store,
        (nn(st), nn(RDF + "type"), nn(KG.Statement)),
        (nn(st), nn(RDF + "subject"), nn(ID["country/china"])),
        (nn(st), nn(RDF + "predicate"), nn(KG.supports)),
        (nn(st), nn(RDF + "object"), nn(ID["country/russia"])),
        (nn(st), nn(KG.modality), lit("asserted")),
        (nn(st), nn(KG.confidence), lit("0.5", XSD + "decimal")),
        (nn(st), nn(KG.evidence), nn(ev)),
        (nn(ev), nn(RDF + "type"), nn(KG.Evidence)),
        (nn(ev), nn(KG.article), nn(ID["article/doc1"])),
        (nn(ev), nn(KG.sentence), lit("China backs Russia.")),
        (nn(ev), nn(KG.start), lit(0, XSD + "integer")),
        (nn(ev), nn(KG.end), lit(19, XSD + "integer")))
    r = run("--store", str(handmade_store))
    assert r.exit_code == 1
    assert "conforms: no" in r.output
    assert "1 violation(s)" in r.output
    assert "kg:polarity" in r.output
    assert "focus id:statement/no-polarity" in r.output


# Each case: triples to add, and a fragment the report must show.
ST = ID["statement/handmade-bad"]
EV = ID["evidence/handmade-bad"]
CASES = {
    "predicate outside the vocabulary": (
        [(ST, RDF + "predicate", KG.likes)], "kg:likes"),
    "start after end": (
        [(EV, KG.start, 50), (EV, KG.end, 10)], "lessThanOrEquals"),
    "evidence confidence above 1": (
        [(EV, KG.confidence, "1.5")], '"1.5"^^xsd:decimal'),
    "polarity outside the list": (
        [(ST, KG.polarity, "maybe")], '"maybe"'),
    "two labels on one entity": (
        [(ID["country/china"], RDFS + "label", "PRC")], "focus id:country/china"),
    "untyped entity": (
        [(ST, RDF + "object", ID["thing/untyped"])], "focus id:thing/untyped"),
    "quotation without speaker": (
        [(ID["quote/nobody"], RDF + "type", KG.Quotation), (ID["quote/nobody"], "https://schema.org/text", "Hi"),
         (ID["quote/nobody"], KG.evidence, EV)], "focus id:quote/nobody"),
}


def _valid_statement():
    return [
        (ST, RDF + "type", KG.Statement), (ST, RDF + "subject", ID["country/china"]),
        (ST, RDF + "object", ID["country/russia"]), (ST, KG.modality, "asserted"),
        (ST, KG.confidence, "0.5"), (ST, KG.evidence, EV),
        (EV, RDF + "type", KG.Evidence), (EV, KG.article, ID["article/doc1"]), (EV, KG.sentence, "x"),
    ]


def _term(x, pred=None):
    if isinstance(x, rdflib.URIRef) or (isinstance(x, str) and x.startswith(("http", "urn:"))):
        return nn(x)
    if isinstance(x, int):
        return lit(x, XSD + "integer")
    if pred in (KG.confidence,):
        return lit(x, XSD + "decimal")
    return lit(x)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_kind_of_violation_is_reported(handmade_store, case):
    extra, fragment = CASES[case]
    base = _valid_statement()
    preds = {(s, p) for s, p, _ in extra}
    defaults = [(ST, RDF + "predicate", KG.supports), (ST, KG.polarity, "positive"),
                (EV, KG.start, 0), (EV, KG.end, 1)]
    triples = base + [t for t in defaults if (t[0], t[1]) not in preds] + extra
    add(handmade_store, *[(nn(s), nn(p), _term(o, p)) for s, p, o in triples])
    r = run("--store", str(handmade_store))
    assert r.exit_code == 1, r.output
    assert fragment in r.output, r.output


def test_ttl_report_is_a_shacl_report(handmade_store):
    add(handmade_store, (nn(ID["quote/q"]), nn(RDF + "type"), nn(KG.Quotation)))
    r = run("--store", str(handmade_store), "--format", "ttl")
    assert r.exit_code == 1
    g = rdflib.Graph().parse(data=r.output, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, sh.conforms, rdflib.Literal(False)) in g
    foci = set(g.objects(None, sh.focusNode))
    assert rdflib.URIRef(str(ID["quote/q"])) in foci


def test_store_without_ontology_graph_uses_the_ontology_file(tmp_path):
    path = tmp_path / "store"
    with KGStore.open(path) as s:
        write.write_all(s, handmade_graphs())  # no load_ontology
    r = run("--store", str(path))
    assert r.exit_code == 0, r.output
    assert "no ontology graph" in r.output


def test_usage_errors_exit_2(tmp_path, handmade_store):
    r = CliRunner().invoke(main, ["validate", "--store", str(tmp_path / "missing")])
    assert r.exit_code == 2
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle")
    r = CliRunner().invoke(main, ["validate", "--store", str(handmade_store), "--shapes", str(bad)])
    assert r.exit_code == 2
    assert "cannot parse shapes" in r.output


def test_shapes_lists_match_the_model():
    g = rdflib.Graph().parse(data_dir() / "shapes.ttl", format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")

    def values_of(path):
        for prop in g.subjects(sh.path, path):
            lst = g.value(prop, sh["in"])
            if lst is not None:
                return [str(x) for x in rdflib.collection.Collection(g, lst)]
        raise AssertionError(f"no sh:in for {path}")

    assert values_of(rdflib.URIRef(KG.modality)) == list(model.MODALITIES)
    assert set(values_of(rdflib.URIRef(KG.polarity))) == {model.POSITIVE, model.NEGATIVE}
    targets = {str(t).rsplit("#", 1)[-1] for t in g.objects(None, sh.targetClass)}
    assert set(model.ENTITY_TYPES) <= targets
