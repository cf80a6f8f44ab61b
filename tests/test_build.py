"""The build end to end on real files, the real spaCy model and real on-disk stores:
incremental and idempotent updates, removal, one writer at a time, bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.cli import main
from kg.nlp import DEFAULT_MODEL
from kg.build import build, remove
from kg.store import KGStore, StoreLocked

A = (
    "Finland condemned the missile strike on Kharkiv on Tuesday.\n\n"
    '"We do not support any pause in aid," Finnish Prime Minister Petteri Orpo said.\n\n'
    "Orpo will visit Kyiv next week."
)
B = (
    "Finland condemned the missile strike on Kharkiv.\n\n"
    "Sweden called for new sanctions against Russia, Swedish Foreign Minister Tobias Billstrom said."
)


def write_articles(folder, **texts):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def quads(path) -> set[str]:
    with KGStore.open(path, read_only=True) as s:
        return {str(q) for q in s.ox.quads_for_pattern(None, None, None, None)}


def union_graph(path) -> Graph:
    g = Graph()
    with KGStore.open(path, read_only=True) as s:
        for q in s.ox.quads_for_pattern(None, None, None, None):
            g.parse(data=ox.serialize([ox.Triple(q.subject, q.predicate, q.object)], format=ox.RdfFormat.N_TRIPLES),
                    format="nt")
    return g


def run_build(path, *inputs, **kw):
    with KGStore.open(path) as s:
        return build(s, [str(i) for i in inputs], model=DEFAULT_MODEL, progress=False, **kw)


@pytest.fixture()
def articles(tmp_path):
    return write_articles(tmp_path / "in", a=A, b=B)


def test_one_run_equals_two_runs(tmp_path, articles):
    one, two = tmp_path / "one", tmp_path / "two"
    r = run_build(one, articles)
    assert sorted(r.built) == ["a", "b"]
    run_build(two, articles / "a.txt")
    run_build(two, articles / "b.txt")
    assert quads(one) == quads(two)
    assert isomorphic(union_graph(one), union_graph(two))


FULL = "Finnish Trade Minister Kaisa Lindqvist visited Norway on Monday."
SURNAME = "Kenya condemned the strike. Lindqvist criticised Sweden on Friday, the ministry said."


def test_a_surname_takes_a_full_name_from_its_own_article_only(tmp_path):
    """'Lindqvist' in an article that never names her in full stays 'Lindqvist', whether or not
    another article of the run or the store says 'Kaisa Lindqvist' (resolving it through other
    articles made the graph depend on how articles were batched): one run = either order of two."""
    folder = write_articles(tmp_path / "in", full=FULL, surname=SURNAME)
    one, first_full, first_surname = tmp_path / "one", tmp_path / "ff", tmp_path / "fs"
    run_build(one, folder)
    for path, order in ((first_full, ("full", "surname")), (first_surname, ("surname", "full"))):
        for name in order:
            run_build(path, folder / f"{name}.txt")
    assert quads(one) == quads(first_full) == quads(first_surname)
    with KGStore.open(one, read_only=True) as s:
        subjects = {(r["doc"].value, r["l"].value) for r in s.query(
            "PREFIX kg: <https://w3id.org/newskg/ontology#> SELECT ?doc ?l WHERE { GRAPH ?g { "
            "?st a kg:Statement ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?e ; kg:evidence/kg:article ?a . "
            "?a kg:docId ?doc . ?m kg:entity ?e ; kg:nameInArticle ?l } }")}
    assert ("full", "Kaisa Lindqvist") in subjects and ("surname", "Lindqvist") in subjects, subjects
    assert ("surname", "Kaisa Lindqvist") not in subjects


def test_same_build_twice_changes_nothing(tmp_path, articles):
    path = tmp_path / "s"
    run_build(path, articles)
    before = quads(path)
    r = run_build(path, articles)
    assert r.built == [] and sorted(r.unchanged) == ["a", "b"]
    assert quads(path) == before


def test_summary_recomputed_only_when_not_in_this_format(tmp_path, articles):
    """A build that writes nothing leaves a current summary alone (a full recompute takes a
    minute at 4,000 articles) and recomputes one that is not marked in kg's format (a store
    of an older kg, or one written through the API): seen here by a figure edited in between."""
    from kg import summary
    from kg.rdf import KG, SUMMARY_GRAPH

    path = tmp_path / "s"
    marker = path / summary.SUMMARY_FORMAT_FILE
    run_build(path, articles)
    weight = f"GRAPH <{SUMMARY_GRAPH}> {{ ?st <{KG.weight}> ?w }}"

    def tamper():  # every statement's weight set to 99
        with KGStore.open(path) as s:
            s.update(f"DELETE {{ {weight} }} INSERT {{ GRAPH <{SUMMARY_GRAPH}> {{ ?st <{KG.weight}> 99 }} }} "
                     f"WHERE {{ {weight} }}")

    def weights() -> set[int]:
        with KGStore.open(path, read_only=True) as s:
            assert summary.is_current(s) is True
            return {int(r["w"].value) for r in s.query(f"SELECT ?w WHERE {{ {weight} }}")}

    right = weights()
    assert right and 99 not in right
    tamper()
    assert run_build(path, articles).unchanged  # nothing to write: the summary is left alone
    assert weights() == {99}
    marker.unlink()
    with KGStore.open(path, read_only=True) as s:
        assert summary.is_current(s) is False
    run_build(path, articles)  # not marked: recomputed, and marked
    assert weights() == right
    marker.write_text("2\n")  # the same for another format, when the run also writes an article
    tamper()
    (articles / "c.txt").write_text("Sweden condemned the strike on Kharkiv.", encoding="utf-8")
    assert run_build(path, articles).built == ["c"]
    assert 99 not in weights()


def test_remove_gives_graph_of_the_rest(tmp_path, articles):
    only_a, ab = tmp_path / "a", tmp_path / "ab"
    run_build(only_a, articles / "a.txt")
    run_build(ab, articles / "a.txt")
    run_build(ab, articles / "b.txt")
    with KGStore.open(ab) as s:
        removed, missing = remove(s, ["b", "nope"])
    assert removed == ["b"] and missing == ["nope"]
    assert quads(ab) == quads(only_a)


def test_shared_fact_is_one_statement_with_two_evidence_records(tmp_path, articles):
    path = tmp_path / "s"
    run_build(path, articles)
    q = """
    PREFIX kg: <https://w3id.org/newskg/ontology#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?st ?w (COUNT(DISTINCT ?ev) AS ?n) WHERE {
      ?st rdf:subject/rdfs:label "Finland" ; rdf:predicate kg:opposes ; rdf:object/rdfs:label "missile strike" ;
          kg:evidence ?ev ; kg:weight ?w .
    } GROUP BY ?st ?w"""
    with KGStore.open(path, read_only=True) as s:
        rows = list(s.query("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n" + q))
    assert len(rows) == 1
    assert int(rows[0]["w"].value) == 2 and int(rows[0]["n"].value) == 2


def test_changed_article_is_replaced(tmp_path, articles):
    path = tmp_path / "s"
    run_build(path, articles)
    (articles / "b.txt").write_text("Norway praised the agreement with Iceland.", encoding="utf-8")
    r = run_build(path, articles)
    assert r.replaced == ["b"] and r.unchanged == ["a"]
    with KGStore.open(path, read_only=True) as s:
        texts = [row["t"].value for row in s.query(
            "SELECT ?t WHERE { GRAPH ?g { ?a <https://w3id.org/newskg/ontology#docId> \"b\" ; <https://schema.org/text> ?t } }")]
    assert texts == ["Norway praised the agreement with Iceland."]


def test_evidence_offsets_point_into_article_text(tmp_path, articles):
    path = tmp_path / "s"
    run_build(path, articles)
    q = """PREFIX kg: <https://w3id.org/newskg/ontology#>
    SELECT ?text ?sentence ?start ?end WHERE {
      ?ev a kg:Evidence ; kg:article ?a ; kg:sentence ?sentence ; kg:start ?start ; kg:end ?end .
      ?a <https://schema.org/text> ?text }"""
    with KGStore.open(path, read_only=True) as s:
        rows = list(s.query(q))
    assert rows
    for row in rows:
        text, start, end = row["text"].value, int(row["start"].value), int(row["end"].value)
        assert text[start:end] == row["sentence"].value


def test_negated_fact_is_never_a_plain_triple(tmp_path):
    folder = write_articles(tmp_path / "in", n="Iran has never supplied drones to Venezuela.")
    path = tmp_path / "s"
    run_build(path, folder)
    with KGStore.open(path, read_only=True) as s:
        neg = list(s.query("""PREFIX kg: <https://w3id.org/newskg/ontology#>
            SELECT ?st WHERE { ?st kg:polarity "negative" ; rdf:predicate kg:provides }""".replace(
            "rdf:predicate", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate>")))
        plain = list(s.query("SELECT * WHERE { ?s <https://w3id.org/newskg/ontology#provides> ?o }"))
    assert neg and not plain


def test_second_writer_gets_a_clear_error(tmp_path):
    path = tmp_path / "s"
    with KGStore.open(path):
        with pytest.raises(StoreLocked, match="being written"):
            KGStore.open(path)
        # a reader in another process still answers meanwhile
        code = (
            "from kg.store import KGStore; import sys\n"
            f"s = KGStore.open({str(path)!r}, read_only=True)\n"
            "print(bool(s.query('ASK { ?s ?p ?o }')) in (True, False))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert out.stdout.strip() == "True", out.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_keep_the_writer_lock(tmp_path):
    """The --workers processes are forked from the writer: the lock (a flock, shared by every copy
    of its descriptor) must not stay held by a child that outlives the writer."""
    path = tmp_path / "s"
    s = KGStore.open(path)
    r, w = os.pipe()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child (its at-fork handlers have run): wait until the parent says so
        os.close(w)
        os.write(ready_w, b"r")
        os.read(r, 1)
        os._exit(0)
    os.close(r)
    try:
        assert os.read(ready_r, 1) == b"r"
        s.close()
        with KGStore.open(path):  # the child is still alive
            pass
    finally:
        os.write(w, b"x")
        for fd in (w, ready_r, ready_w):
            os.close(fd)
        os.waitpid(pid, 0)


def test_cli_build_reports_bad_input_and_keeps_the_rest(tmp_path):
    folder = write_articles(tmp_path / "in", good="Chile condemned the attack on the embassy.", empty="   \n")
    (folder / "junk.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    store = tmp_path / "s"
    r = CliRunner().invoke(main, ["build", str(folder), "--store", str(store), "--no-progress"])
    assert r.exit_code == 1
    assert "empty.txt" in r.stderr and "junk.txt" in r.stderr
    assert "1 built" in r.stderr
    with KGStore.open(store, read_only=True) as s:
        assert set(s.article_hashes()) == {"good"}


def test_cli_build_from_stdin_and_missing_model(tmp_path):
    store = tmp_path / "s"
    r = CliRunner().invoke(main, ["build", "-", "--store", str(store), "--no-progress"],
                           input="Peru praised the agreement with Bolivia.")
    assert r.exit_code == 0, r.stderr
    r = CliRunner().invoke(main, ["build", "-", "--store", str(tmp_path / "t"), "--model", "no_such_model"],
                           input="text")
    assert r.exit_code == 2 and "not installed" in r.stderr


def test_store_must_not_be_a_foreign_directory(tmp_path):
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    r = CliRunner().invoke(main, ["build", "-", "--store", str(foreign)], input="Peru praised Bolivia.")
    assert r.exit_code == 2 and "not a kg store" in r.stderr
