"""The projections of the store as networkx graphs (entities, co-occurrence, RDF) and their looks
(palette, size, layout, community): kg.graph."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import networkx as nx
import rdflib

from conftest import CF, KIRBY, PALETTE, US, flat_attrs as _flat, rgb as _rgb, union_graph
from kg import graph as kg_graph
from kg.graph import positions

NODE_KEYS = {"label", "type", "mentions", "articles", "qid", "aliases", "sources", "start"}
GEPHI_NODE_KEYS = {"r", "g", "b", "size", "x", "y", "community"}  # added by kg.graph.decorate


def test_entity_graph(kgs):
    G = kg_graph.entity_graph(kgs)
    assert isinstance(G, nx.MultiDiGraph)
    for _, d in G.nodes(data=True):
        _flat(d)
        assert set(d) == NODE_KEYS
        assert isinstance(d["mentions"], int) and isinstance(d["articles"], int)
    for _, _, k, d in G.edges(keys=True, data=True):
        _flat(d)
        assert d["id"] == k
        assert isinstance(d["weight"], int) and isinstance(d["confidence"], float)
    us = G.nodes[US]
    assert us == {"label": "United States", "type": "Country", "mentions": 3, "articles": 2, "qid": "Q30",
                  "aliases": "US", "sources": "doc1|doc2", "start": "2023-03-17"}
    # parallel relations are distinct edges, told apart by their kind
    between = G.get_edge_data(US, CF)
    assert sorted((d["predicate"], d["polarity"], d["kind"]) for d in between.values()) == [
        ("opposes", "positive", "opposes"), ("supports", "negative", "not supports [John Kirby]")]
    opp = next(d for d in between.values() if d["predicate"] == "opposes")
    assert opp["weight"] == 2 and opp["sources"] == "doc1|doc2" and opp["confidence"] == 0.9
    assert opp["evidence"] == "The United States opposes a ceasefire in Ukraine. | The US opposes a ceasefire."
    assert opp["start"] == "2023-03-17"  # the first of its two articles
    neg = next(d for d in between.values() if d["predicate"] == "supports")
    assert neg["attributed_to"] == "John Kirby" and neg["attributed_to_id"] == KIRBY
    quotes = [n for n, d in G.nodes(data=True) if d["type"] == "Quotation"]
    assert len(quotes) == 1 and G.nodes[quotes[0]]["label"] == "We do not support a truce,"
    said = G.get_edge_data(KIRBY, quotes[0])
    assert [d["label"] for d in said.values()] == ["said"]
    visits = next(d for *_, d in G.edges(data=True) if d["predicate"] == "visits")
    assert visits["kind"] == "visits (planned)"
    # the timeline: a node or edge starts with the first article that supports it
    assert G.nodes["concept/weapons"]["start"] == "2023-03-18" and G.nodes[KIRBY]["start"] == "2023-03-17"
    provides = next(d for *_, d in G.edges(data=True) if d["predicate"] == "provides")
    assert provides["start"] == "2023-03-18"
    assert G.number_of_nodes() == 10 and G.number_of_edges() == 5


def test_edge_kinds_differ_between_a_pair(kgs):
    G = kg_graph.entity_graph(kgs)
    for u, v in set(G.edges()):
        kinds = [d["kind"] for d in G.get_edge_data(u, v).values()]
        assert len(kinds) == len(set(kinds)), (u, v, kinds)
    assert kg_graph.edge_kind("supports", "negative", "hoped", "Joe Biden") == "not supports (hoped) [Joe Biden]"


def test_iso_dates():
    assert kg_graph.iso_date("2023-03-17") == "2023-03-17"
    assert kg_graph.iso_date("2023-03-17T08:00:00+00:00") == "2023-03-17"
    assert kg_graph.iso_date("17 March 2023") == "" and kg_graph.iso_date(None) == ""


def test_decorate_palette_size_layout_community(kgs):
    G = kg_graph.gephi_graph(kgs)
    for n, d in G.nodes(data=True):
        _flat(d)
        assert set(d) == NODE_KEYS | GEPHI_NODE_KEYS
        assert all(isinstance(d[c], int) and 0 <= d[c] <= 255 for c in "rgb")
        assert isinstance(d["x"], float) and isinstance(d["y"], float) and isinstance(d["community"], int)
        assert abs(d["x"]) <= kg_graph.LAYOUT_SCALE and abs(d["y"]) <= kg_graph.LAYOUT_SCALE
        assert (d["r"], d["g"], d["b"]) == _rgb(PALETTE["types"][d["type"]]), n
    for *_, d in G.edges(data=True):
        _flat(d)
        assert (d["r"], d["g"], d["b"]) == _rgb(PALETTE["edges"][d["polarity"]])
    # size grows with mentions; the most mentioned node has the largest size
    by_mentions = sorted(G.nodes(data=True), key=lambda nd: nd[1]["mentions"])
    sizes = [d["size"] for _, d in by_mentions]
    assert sizes == sorted(sizes) and sizes[-1] == kg_graph.SIZE_MAX
    # a fixed seed: the same store gives the same picture
    H = kg_graph.gephi_graph(kgs)
    assert [(n, d["x"], d["y"], d["community"]) for n, d in G.nodes(data=True)] == \
        [(n, d["x"], d["y"], d["community"]) for n, d in H.nodes(data=True)]
    # US, ceasefire and Ukraine are one community; Xi and Moscow another
    assert G.nodes[US]["community"] == G.nodes[CF]["community"]
    assert G.nodes["person/xi-jinping"]["community"] == G.nodes["city/moscow"]["community"]
    assert G.nodes["person/xi-jinping"]["community"] != G.nodes[US]["community"]
    # nodes do not sit on each other
    pos = [(d["x"], d["y"]) for _, d in G.nodes(data=True)]
    assert len(set(pos)) == len(pos)


def test_layout_of_a_large_graph_places_every_node(monkeypatch):
    """Past LAYOUT_MAX_NODES only the best-connected nodes get the force layout; the rest are
    placed by their neighbours (this is what keeps 100k-node graphs to seconds)."""
    monkeypatch.setattr(positions, "LAYOUT_MAX_NODES", 40)
    G = nx.barabasi_albert_graph(400, 2, seed=1)
    G.add_nodes_from(range(400, 420))  # isolated nodes
    nx.add_path(G, [500, 501, 502])  # a small component
    pos = kg_graph.layout(G)
    assert set(pos) == set(G.nodes)
    assert all(abs(x) <= kg_graph.LAYOUT_SCALE and abs(y) <= kg_graph.LAYOUT_SCALE for x, y in pos.values())
    assert len(set(pos.values())) == len(pos)


def test_cooccurrence_graph(kgs):
    G = kg_graph.cooccurrence_graph(kgs)
    assert not G.is_directed() and not G.is_multigraph()
    assert all(d["type"] != "Quotation" for _, d in G.nodes(data=True))
    assert G.nodes[US] == kg_graph.entity_graph(kgs).nodes[US]
    us_cf = G.edges[US, CF]
    # "The United States opposes a ceasefire in Ukraine." (doc1), "The US opposes a ceasefire." (doc2)
    assert us_cf["weight"] == 2 and us_cf["sources"] == "doc1|doc2" and us_cf["start"] == "2023-03-17"
    assert us_cf["label"] == us_cf["kind"] == "co-mentioned"
    # an alias counts ("truce" is the ceasefire): '"We do not support a truce," said John Kirby.'
    assert G.edges[CF, KIRBY]["evidence"] == '"We do not support a truce," said John Kirby.'
    # "Kirby said China has not supplied weapons to Russia." links all four
    for a, b in itertools.combinations([KIRBY, "country/china", "country/russia", "concept/weapons"], 2):
        assert G.edges[a, b]["sources"] == "doc2" and G.edges[a, b]["start"] == "2023-03-18"
    assert not G.has_edge(US, "country/russia")
    for *_, d in G.edges(data=True):
        _flat(d)
        assert isinstance(d["weight"], int) and d["weight"] >= 1


def test_split_sentences():
    text = 'Mr. Kirby met the U.S. envoy. "We agree," he said! Then Gen. Smith left.\nA new paragraph'
    assert kg_graph.split_sentences(text) == [
        "Mr. Kirby met the U.S. envoy.", '"We agree," he said!', "Then Gen. Smith left.", "A new paragraph"]


def test_rdf_graph(kgs):
    G = kg_graph.rdf_graph(kgs)
    ref = union_graph(kgs)
    resources = {t for s, _, o in ref for t in (s, o) if not isinstance(t, rdflib.Literal)}
    assert G.number_of_nodes() == len(resources)
    assert G.number_of_edges() == sum(1 for *_, o in ref if not isinstance(o, rdflib.Literal))
    kirby = G.nodes[KIRBY]
    assert kirby["label"] == "John Kirby" and kirby["type"] == "Person"
    assert kirby["rdfs:label"] == "John Kirby" and kirby["skos:altLabel"] == "Kirby"
    typed = G.get_edge_data(US, "kg:Country")
    # the summary types an entity once; article graphs give their type on their mention records
    assert [(d["label"], d["weight"]) for d in typed.values()] == [("rdf:type", 1)]
    records = [m for m, _, d in G.in_edges(US, data=True) if d["label"] == "kg:entity"]
    assert len(records) == 2 and all(G.get_edge_data(m, "kg:Country") for m in records)  # doc1's and doc2's
    for _, d in G.nodes(data=True):
        _flat(d)
    for *_, d in G.edges(data=True):
        _flat(d)


LAYOUT_SCRIPT = """
import networkx as nx
from kg.graph import layout
G = nx.Graph()
nx.add_path(G, [f"big/{i}" for i in range(30)])
G.add_edges_from((f"small/{i}", f"small/{(i + 1) % 6}") for i in range(6))  # a component under half the graph
print(sorted(layout(G).items()))
"""


def test_layout_does_not_depend_on_the_hash_seed():
    """The same graph gets the same positions in every process (string hashing is salted per
    interpreter: no node order may come from a set)."""
    outs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", LAYOUT_SCRIPT], capture_output=True, text=True, env=env,
                             timeout=60)
        assert out.returncode == 0, out.stderr
        outs.add(out.stdout)
    assert len(outs) == 1
