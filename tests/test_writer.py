"""The writer session (kg.write.Writer): what a run of writes shares - recovery of a killed bulk
write, the ontology graph, the summary's format mark and the summary cache. Hand-made article
graphs (no NLP), real on-disk stores."""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox
import pytest

from conftest import handmade_graphs
from kg import summary, write
from kg.rdf import ONTOLOGY_GRAPH, SUMMARY_GRAPH
from kg.store import KGStore, pending_graphs, pending_markers
from kg.write import Writer


def summary_quads(s: KGStore) -> set[str]:
    return {str(q) for q in s.ox.quads_for_pattern(None, None, None, ox.NamedNode(str(SUMMARY_GRAPH)))}


def recomputed(s: KGStore) -> set[str]:
    mem = ox.Store()
    mem.extend(q for q in s.ox if q.graph_name != ox.NamedNode(str(SUMMARY_GRAPH)))
    mem.update(summary.SUMMARY_UPDATE)
    return {str(q) for q in mem.quads_for_pattern(None, None, None, ox.NamedNode(str(SUMMARY_GRAPH)))}


def test_a_session_loads_the_ontology_and_marks_a_new_store(tmp_path):
    with KGStore.open(tmp_path / "s") as s:
        with Writer(s) as w:
            assert not s.ox.contains_named_graph(ox.NamedNode(str(ONTOLOGY_GRAPH)))  # nothing before a write
            assert w.write(handmade_graphs()) == 2
            assert s.ox.contains_named_graph(ox.NamedNode(str(ONTOLOGY_GRAPH)))
        assert summary.is_current(s)  # an empty store's summary is in this kg's format
        assert summary_quads(s) == recomputed(s)
        assert sorted(s.article_hashes()) == ["doc1", "doc2"]


def test_a_summary_of_another_format_is_recomputed_when_the_session_ends_well(tmp_path):
    g1, g2 = handmade_graphs()
    path = tmp_path / "s"
    with KGStore.open(path) as s, Writer(s) as w:
        w.write([g1])
    (path / summary.SUMMARY_FORMAT_FILE).unlink()  # as a store of an older kg, or written without the session
    with KGStore.open(path) as s:
        s.update(f"CLEAR GRAPH <{SUMMARY_GRAPH}>")  # a summary kg does not know how to merge into
        with pytest.raises(RuntimeError), Writer(s) as w:  # a session that fails: left for the next one
            w.write([g2])
            raise RuntimeError("stop")
        assert not summary.is_current(s)
        with Writer(s) as w:
            w.prepare()
            w.close(complete=False)  # stopped or interrupted: no recomputation (a minute at 4,000 articles)
        assert not summary.is_current(s)
        with Writer(s) as w:
            w.write([dataclasses.replace(g2, quotations=())])
        assert summary.is_current(s)
        assert summary_quads(s) == recomputed(s) != set()


def test_a_session_starts_by_dropping_a_killed_bulk_write(tmp_path):
    g1, g2 = handmade_graphs()
    with KGStore.open(tmp_path / "s") as s:
        with Writer(s) as w:
            w.write([g1])
        before = {str(q) for q in s.ox}
        pending = write.article_graph_iri("doc2")
        s.apply(inserts=pending_markers([pending]))  # what a kill in the middle of a bulk write leaves
        s.bulk_load(f"GRAPH <{pending}> {{ <urn:a> <urn:b> <urn:c> }}\n")
        assert pending_graphs(s) == [pending]
        with Writer(s):
            assert pending_graphs(s) == []
        assert {str(q) for q in s.ox} == before


def test_the_cache_merges_the_next_write_and_forgets_other_writes(tmp_path):
    g1, g2 = handmade_graphs()
    with KGStore.open(tmp_path / "s") as s, Writer(s) as w:
        w.write([g1])
        assert len(w.cache) > 0
        s.update("INSERT DATA { <urn:x> <urn:y> <urn:z> }")  # any write the cache did not see
        w.cache.check(s)
        assert len(w.cache) == 0
        w.write([g2])
        assert len(w.cache) > 0 and summary_quads(s) == recomputed(s)


def test_remove_through_the_session(tmp_path):
    g1, g2 = handmade_graphs()
    with KGStore.open(tmp_path / "s") as s, Writer(s) as w:
        w.write([g1, g2])
        assert w.remove("doc1") is True and w.remove("doc1") is False
        assert sorted(s.article_hashes()) == ["doc2"]
        assert summary_quads(s) == recomputed(s)


def test_restricted_summary_update_is_built_from_the_operations():
    """The summary's SPARQL restricted to some nodes: a VALUES block in every sub-select that reads
    article graphs (one per operation; an entity's type and label votes nest a GROUP BY in one) and
    the delete of their entries first; the whole update past the thresholds."""
    nodes = [f"https://w3id.org/newskg/id/statement/{i}" for i in range(5)]
    text = summary.update_for(nodes, chunk=2)
    ops = text.split("DELETE { GRAPH")
    assert len(ops) == 1 + 3  # 5 nodes in VALUES blocks of 2
    reads = summary.SUMMARY_UPDATE.count("GRAPH ?g")
    restricted = summary.sparql.operations(lambda var: " VALUES ?R {} ").count("VALUES ?R")
    assert restricted >= reads  # every read of the article graphs is restricted
    assert text.count("VALUES ?") == 3 * (1 + restricted)
    assert "CLEAR" not in text
    assert summary.update_for([]) == ""
    assert summary.update_for([], before=["DROP SILENT GRAPH <urn:g>"]).rstrip().endswith("DROP SILENT GRAPH <urn:g>")
    assert "CLEAR SILENT GRAPH" in summary.update_for(nodes, total=10)  # half of a small store: all of it
