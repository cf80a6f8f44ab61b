"""kg as a library (kg.api, kg.open): the store as an object with build, query, dataset (rdflib),
graph (networkx), export, validate - and the CLI as thin commands over it."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset, Literal, URIRef

import kg
from conftest import handmade_graphs
from kg import api
from kg.rdf import KG, SUMMARY_GRAPH

ROOT = Path(__file__).resolve().parent.parent


def test_open_read_only_and_query(handmade_store):
    with kg.open(handmade_store, read_only=True) as g:
        assert g.read_only and g.path == handmade_store
        by_name = g.query("quotes_by", {"speaker": "John Kirby"})
        assert [r["quote"] for r in by_name.dicts()] == ["We do not support a truce,"]
        text = g.query("SELECT ?w WHERE { ?s <https://w3id.org/newskg/ontology#weight> ?w } ORDER BY DESC(?w) LIMIT 1")
        assert text.dicts() == [{"w": "2"}]
        prepared = api.prepare_query("quotes_by", {"speaker": "John Kirby", "other": "x"})
        assert prepared.ignored == ("other",) and prepared.params == {"speaker": "john kirby"}  # a (name): lower-cased
        assert g.query(prepared).rows == by_name.rows
        assert g.stats()["articles"] == 2
        with pytest.raises(api.QueryError, match="needs --param speaker"):
            g.query("quotes_by")
        with pytest.raises(api.QueryError, match="SERVICE"):
            g.query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")


def test_dataset_is_rdflib_over_the_same_store(handmade_store):
    with kg.open(handmade_store, read_only=True) as g:
        ds = g.dataset
        assert isinstance(ds, Dataset)
        # rdflib's default graph is the union of all graphs, as kg query's --union
        n = g.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union=True).dicts()[0]["n"]
        assert list(ds.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")) == [(Literal(int(n)),)]
        summary = list(ds.quads((None, URIRef(str(KG.weight)), None, URIRef(str(SUMMARY_GRAPH)))))
        assert summary and all(q[3] == URIRef(str(SUMMARY_GRAPH)) for q in summary)


def test_rdflib_writes_through_the_dataset_land_in_the_store(tmp_path):
    with kg.open(tmp_path / "s") as g:
        g.dataset.add((URIRef("urn:a"), URIRef("urn:b"), Literal("c"), URIRef("urn:g")))
        assert g.query("SELECT ?o WHERE { GRAPH <urn:g> { <urn:a> <urn:b> ?o } }").dicts() == [{"o": "c"}]


def test_graph_projections_are_networkx(handmade_store):
    with kg.open(handmade_store, read_only=True) as g:
        entities = g.graph()
        assert isinstance(entities, nx.MultiDiGraph)
        labels = {d["label"] for _, d in entities.nodes(data=True)}
        assert {"United States", "ceasefire", "John Kirby"} <= labels
        assert any(d.get("label") == "opposes" and d.get("weight") == 2 for *_, d in entities.edges(data=True))
        co = g.graph("cooccurrence")
        assert not co.is_directed() and co.number_of_edges() > 0
        assert g.graph("rdf").number_of_nodes() > entities.number_of_nodes()
        looks = g.graph("entities", looks=True)
        assert all({"x", "y", "r", "g", "b"} <= set(d) for _, d in looks.nodes(data=True))
        with pytest.raises(api.GraphError, match="unknown graph"):
            g.graph("nope")


def test_export_and_validate(handmade_store, tmp_path):
    with kg.open(handmade_store, read_only=True) as g:
        g.export("nt", tmp_path / "g.nt")
        g.export("csv", tmp_path / "csv")
        assert (tmp_path / "g.nt").read_text().count(" .\n") > 100
        assert (tmp_path / "csv" / "nodes.csv").exists()
        res = g.validate()
        assert res.conforms, api.validation_report(res)


def test_open_errors(tmp_path):
    with pytest.raises(api.StoreError, match="no kg store"):
        kg.open(tmp_path / "none", read_only=True)
    with pytest.raises(api.StoreError, match="no kg store"):
        kg.open(tmp_path / "none", create=False)
    with kg.open(tmp_path / "s") as g:
        with pytest.raises(api.StoreLocked, match="is being written by pid"):
            kg.open(tmp_path / "s")
        with kg.open(tmp_path / "s", read_only=True) as reader:  # readers share the store with the writer
            assert reader.query("ASK { ?s ?p ?o }").boolean is False
        assert g.remove(["nothing"]) == ([], ["nothing"])


def test_write_remove_through_the_api(tmp_path):
    from kg.write import Writer

    with kg.open(tmp_path / "s") as g:
        with Writer(g.store) as w:
            w.write(handmade_graphs())
        assert g.remove(["doc1", "doc9"]) == (["doc1"], ["doc9"])
        assert g.stats()["articles"] == 1


@pytest.mark.model
def test_build_through_the_api(tmp_path):
    with kg.open(tmp_path / "s") as g:
        report = g.build([ROOT / "data" / "articles"])
        assert len(report.built) == 2 and not report.skipped
        again = g.build([ROOT / "data" / "articles"])
        assert sorted(again.unchanged) == sorted(report.built)
        rows = g.query("corroborated_facts").dicts()
        assert {"subject": "United States", "relation": "opposes", "object": "ceasefire"}.items() <= rows[0].items() or \
            any(r["subject"] == "United States" and r["relation"] == "opposes" for r in rows)
        stopped = g.build([ROOT / "data" / "articles"], force=True, stop=lambda: True)
        assert stopped.interrupted and not stopped.replaced


def test_the_cli_calls_only_the_api():
    """kg/cli/ imports kg.api (and kg.paths, kg.printable), never a stage directly."""
    allowed = {"api", "paths", "printable"}
    for path in (ROOT / "kg" / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level > 1:  # level 1: kg.cli's own modules
                names = [node.module] if node.module else [a.name for a in node.names]
                for name in names:
                    assert name.split(".")[0] in allowed, f"{path.name} imports {'.' * node.level}{name}"
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("kg") for a in node.names), path.name


@pytest.mark.model
def test_the_readme_python_session(tmp_path, monkeypatch):
    """README's "Use from Python" session runs as written (a doctest), on the sample articles."""
    import doctest

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use from Python", 1)[1]
    session = section.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "articles").symlink_to(ROOT / "data" / "articles")
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(session, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0 and runner.tries > 8, f"{runner.failures} failure(s) of {runner.tries} in the session"


@pytest.mark.subprocess
def test_reading_imports_neither_the_writer_nor_spacy(handmade_store, tmp_path):
    """Queries, exports, validation and a dry-run push through the API (as kg query, export,
    validate and push do) import neither kg.write (the pending markers are the store's) nor spaCy."""
    import subprocess
    import sys

    code = f"""
import sys, kg
with kg.open({str(handmade_store)!r}, read_only=True) as g:
    g.query("corroborated_facts"); g.stats(); g.graph("entities")
    g.export("nq", {str(tmp_path / "g.nq")!r}); g.export("gexf", {str(tmp_path / "g.gexf")!r})
    assert g.validate().conforms
    g.push("http://127.0.0.1:9/store", dry_run=True)
print(sorted(m for m in sys.modules if m in ("kg.write", "spacy", "kg.build", "kg.summary")))
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
