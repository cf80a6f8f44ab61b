"""Asking the graph without traps (issue 18): the default graph is the merged view (each fact
once), prefixes predeclared, syntax errors with a caret, "did you mean", `kg entities`,
`kg stats` with top entities, `--store` before the command, the default of `--workers`.

Real on-disk stores (the handmade two-article graph of conftest, written by kg's writer) and
the real `kg` command in a subprocess or click's runner.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import kg
from conftest import handmade_graphs, role_graph
from kg import query as kq
from kg import write
from kg.build.pool import default_workers
from kg.cli import main
from kg.namespaces import SPARQL_PREFIXES
from kg.store import KGStore

PARAMS = {"speaker": "John Kirby", "entity": "United States", "a": "United States", "b": "ceasefire"}


def cli(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def kg_cmd(*args, input=None):
    """The installed command in its own process."""
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], input=input, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture()
def three_store(tmp_path):
    """The handmade articles and a third one with a role fact (every named query has rows)."""
    path = tmp_path / "three"
    with KGStore.open(path) as s:
        write.load_ontology(s)
        write.write_all(s, [*handmade_graphs(), role_graph()])
    return path


# ---------------------------------------------------------------- each fact once
def test_plain_sparql_sees_each_fact_once(three_store):
    """The newcomer's first query: one row per fact, however many articles report it (the
    opposes fact is reported by two articles); with --union the multiset comes back."""
    q = "SELECT ?who ?what WHERE { ?s kg:opposes ?o . ?s rdfs:label ?who . ?o rdfs:label ?what }"
    with kg.open(three_store, read_only=True) as g:
        assert g.query(q).rows and [tuple(r.values()) for r in g.query(q).dicts()] == [("United States",
                                                                                     "ceasefire")]
        assert len(g.query(q, union=True).rows) > 1  # the trap the merged view removes
        # every predicate used: SELECT ?s ?o WHERE { ?s kg:P ?o } has no duplicate rows
        preds = [r["p"] for r in g.query("SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }", union=True).dicts()]
        assert len(preds) > 30
        dup_in_union = 0
        for p in preds:
            rows = g.query(f"SELECT ?s ?o WHERE {{ ?s <{p}> ?o }}").rows
            assert len(rows) == len(set(rows)), p
            union_rows = g.query(f"SELECT ?s ?o WHERE {{ ?s <{p}> ?o }}", union=True).rows
            dup_in_union += len(union_rows) != len(set(union_rows))
        assert dup_in_union > 5
        # each entity, statement, quotation and article once; their counts
        counts = g.query("""SELECT ?t (COUNT(*) AS ?n) WHERE { ?x a ?t } GROUP BY ?t""").dicts()
        by_type = {r["t"].rsplit("#", 1)[-1]: int(r["n"]) for r in counts}
        assert by_type["Statement"] == 5 and by_type["Quotation"] == 1 and by_type["Article"] == 3
        assert by_type["Country"] == 4 and by_type["Person"] == 2
        # the whole default graph is a set
        everything = g.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }").rows
        assert len(everything) == len(set(everything))
        # DESCRIBE: distinct triples
        described = g.query("DESCRIBE country:united-states").triples
        assert described and len(described) == len(set(described))
        assert len(g.query("DESCRIBE country:united-states", union=True).triples) > len(described)
        # provenance stays in the article graphs, read by name
        ev = g.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?ev a kg:Evidence } }").dicts()[0]["n"]
        assert int(ev) == 7
        texts = g.query("SELECT ?t WHERE { GRAPH ?g { ?a a kg:Article ; schema:text ?t } }").rows
        assert len(texts) == 3
        # no article text in the merged view (its headline, date and counts are there)
        assert not g.query("SELECT ?t WHERE { ?a a kg:Article ; schema:text ?t }").rows
        assert len(g.query("SELECT ?h WHERE { ?a a kg:Article ; schema:headline ?h }").rows) == 3


def test_negated_and_planned_facts_are_no_plain_triples(kgs):
    """A negated or planned relation stays a statement in the merged view too."""
    rows = kq.run_query(kgs, "SELECT ?s WHERE { ?s kg:provides ?o }").rows
    assert rows == []
    rows = kq.run_query(kgs, "SELECT ?s WHERE { ?s kg:visits ?o }").rows
    assert rows == []
    rows = kq.run_query(kgs, "SELECT ?st WHERE { ?st rdf:predicate kg:visits ; kg:modality 'planned' }").rows
    assert len(rows) == 1


@pytest.mark.parametrize("nq", kq.list_queries(), ids=lambda q: q.name)
def test_each_library_query_counts_each_fact_once(nq, three_store):
    """Every query of queries/ on the fixture graph: rows are distinct, and each fact reported
    by both articles is one row counted with its two articles (never once per article)."""
    params = {p: PARAMS[p] for p in nq.param_names}
    with kg.open(three_store, read_only=True) as g:
        res = g.query(nq.name, params)
    assert res.kind == "select", nq.name
    # the fixture's articles hold no open statement (tests/test_openrel.py tests that query on one that does)
    assert res.rows or nq.name == "open_relations", nq.name
    assert len(set(res.rows)) == len(res.rows), f"{nq.name} repeats rows"
    rows = res.dicts()
    cols = set(res.variables)
    if {"subject", "relation", "object"} <= cols:
        opposes = [r for r in rows if (r["subject"], r["relation"], r["object"]) == ("United States", "opposes",
                                                                                     "ceasefire")]
        if opposes:  # one row, reported by two articles
            assert len(opposes) == 1, nq.name
            n = next(opposes[0][c] for c in ("weight", "articles") if c in cols)
            assert (int(n) if n.isdigit() else len(n.split("|"))) == 2, nq.name
    expected_rows = {"all_facts": 5, "corroborated_facts": 1, "who_opposes_what": 2, "negated_facts": 2,
                     "planned_or_hoped": 1, "articles": 3, "quotes_by": 1, "roles": 1}
    if nq.name in expected_rows:
        assert len(rows) == expected_rows[nq.name], (nq.name, rows)
    if nq.name == "articles_mentioning":  # US is mentioned by all three articles: three rows
        assert sorted(r["doc"] for r in rows) == ["doc1", "doc2", "doc3"]
    if nq.name == "cooccurrence":  # co-mentions counted per article, not per graph holding them
        w = {r["other"] if "other" in cols else tuple(r.values())[1]: r for r in rows}
        assert all(int(r.get("weight", r.get("articles", 1))) <= 3 for r in w.values())
    if nq.name == "entities_by_type":
        us = [r for r in rows if "United States" in r.values()]
        assert len(us) == 1


# ---------------------------------------------------------------- prefixes
@pytest.mark.subprocess  # kg query runs its query in a child process; kg in a subprocess
def test_prefixes_are_predeclared_and_listed(handmade_store):
    r = cli("query", "--prefixes")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    for p in ("rdf", "rdfs", "xsd", "owl", "skos", "schema", "prov", "kg", "kgg", "person", "country", "article"):
        assert f"PREFIX {p}: <{SPARQL_PREFIXES[p]}>" in lines, p
    helptext = " ".join(cli("query", "--help").output.split())
    assert "--prefixes" in helptext and "Prefixes declared for every query: kg, id, rdf, rdfs," in helptext
    # a query without PREFIX lines; a query's own PREFIX line takes precedence
    r = cli("query", "-", "--store", str(handmade_store), "--format", "csv",
            input="SELECT ?l WHERE { person:john-kirby rdfs:label ?l }")
    assert r.exit_code == 0 and r.stdout.splitlines() == ["l", "John Kirby"]
    r = cli("query", "-", "--store", str(handmade_store), "--format", "csv",
            input="PREFIX rdfs: <urn:other#> SELECT ?l WHERE { person:john-kirby rdfs:label ?l }")
    assert r.exit_code == 0 and r.stdout.splitlines() == ["l"]


# ---------------------------------------------------------------- errors a person can act on
@pytest.mark.subprocess  # kg query runs its query in a child process; kg in a subprocess
def test_syntax_error_with_line_column_and_caret(handmade_store):
    text = "SELECT ?who WHERE {\n  ?s kg:opposes ?o .\n  FILTR (?o) }\n"
    r = kg_cmd("query", "-", "--store", str(handmade_store), input=text)
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert lines[0] == ("kg: error: SPARQL syntax error at line 3, column 3: 'FILTR' is no SPARQL keyword: "
                        "did you mean FILTER?")
    assert lines[1:] == ["  2 |   ?s kg:opposes ?o .", "  3 |   FILTR (?o) }", "    |   ^"]
    # an undeclared prefix: named, with the caret under it, and the nearest known ones
    r = kg_cmd("query", "-", "--store", str(handmade_store), input="SELECT ?n WHERE { ?x shema:name ?n }")
    assert r.returncode == 2
    assert "line 1, column 22: unknown prefix 'shema:' (did you mean schema:?)" in r.stderr
    caret = r.stderr.splitlines()[-1]
    assert caret.index("^") == r.stderr.splitlines()[-2].index("shema:")
    # a missing closing brace: what the parser expected
    r = kg_cmd("query", "-", "--store", str(handmade_store), input="SELECT ?s WHERE { ?s a kg:City\n")
    assert r.returncode == 2 and "expected" in r.stderr and "'}'" in r.stderr and "^" in r.stderr
    # no wall of grammar tokens, and escape sequences of the query never reach the terminal
    r = kg_cmd("query", "-", "--store", str(handmade_store), input="SELECT ?s WHERE { ?s \x1b[31m }")
    assert r.returncode == 2 and "\x1b" not in r.stderr and "\\x1b" in r.stderr


@pytest.mark.subprocess  # kg query runs its query in a child process; kg in a subprocess
def test_did_you_mean_for_query_parameter_entity_and_predicate_names(handmade_store):
    st = str(handmade_store)
    r = cli("query", "--store", st, "--name", "quotes_bi", "--param", "speaker=Kirby")
    assert r.exit_code == 2 and "did you mean quotes_by?" in r.output
    r = cli("query", "--store", st, "--name", "quotes_by", "--param", "speeker=Kirby")
    assert r.exit_code == 2 and "--param speeker: did you mean speaker?" in r.output
    # an entity that matches nothing: the nearest labels, not a bare "(0 rows)"
    r = cli("query", "--store", st, "--name", "quotes_by", "--param", "speaker=Kirbi")
    assert r.exit_code == 0 and "(0 rows)" in r.stdout
    assert "no entity is named 'kirbi'" in r.stderr and "nearest: John Kirby" in r.stderr
    r = cli("query", "--store", st, "--name", "entity_facts", "--param", "entity=united")
    assert "nearest: United States" in r.stderr
    # a misspelt predicate or class in a query that found nothing
    r = cli("query", "-", "--store", st, input="SELECT ?s WHERE { ?s kg:oposes ?o ; a kg:Countri }")
    assert r.exit_code == 0
    assert "no graph uses kg:oposes; did you mean kg:opposes?" in r.stderr
    assert "no graph uses kg:Countri; did you mean kg:Country" in r.stderr
    r = cli("query", "-", "--store", st, input="SELECT ?s WHERE { ?s rdfs:labl ?l ; kg:zzzz ?z ; wd:Q1 ?w }")
    assert "no graph uses rdfs:labl; did you mean rdfs:label?" in r.stderr
    assert "no graph uses kg:zzzz (no term the graph uses is near)" in r.stderr
    assert "wd:Q1" not in r.stderr  # an id, not a vocabulary term
    # a query with rows gets no notes; names inside strings and IRIs are not checked
    r = cli("query", "-", "--store", st, input="SELECT ?s WHERE { ?s kg:opposes ?o FILTER(?o != 'kg:nope') }")
    assert r.exit_code == 0 and "note" not in r.stderr


# ---------------------------------------------------------------- kg entities, kg stats
def test_entities_command(three_store):
    st = str(three_store)
    r = cli("entities", "--store", st, "kirby")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0].split() == ["label", "type", "mentions", "articles", "aliases", "wikidata",
                                               "iri"]
    assert "John Kirby" in r.stdout and "person:john-kirby" in r.stdout and "(1 entity)" in r.stdout
    # by alias, any case, several words; JSON with every field
    found = json.loads(cli("entities", "--store", st, "US", "--format", "json").stdout)
    us = [e for e in found if e["label"] == "United States"]
    assert us and us[0]["type"] == "Country" and us[0]["wikidata"] == "Q30" and "US" in us[0]["aliases"]
    assert us[0]["articles"] == 3 and us[0]["iri"].endswith("/country/united-states")
    # by type, most mentioned first, every entity once
    rows = list(csv.DictReader(io.StringIO(cli("entities", "--store", st, "--type", "country", "-f", "csv",
                                               "--limit", "0").stdout)))
    assert {r["label"] for r in rows} == {"United States", "Ukraine", "China", "Russia"}
    assert rows[0]["label"] == "United States" and len(rows) == 4
    mentions = [int(r["mentions"]) for r in rows]
    assert mentions == sorted(mentions, reverse=True)
    everything = json.loads(cli("entities", "--store", st, "-f", "json", "-l", "0").stdout)
    assert len(everything) == 9 and len({e["iri"] for e in everything}) == 9
    assert len(json.loads(cli("entities", "--store", st, "-f", "json", "-l", "2").stdout)) == 2
    # nothing found: the nearest names; an unknown type: exit 2 with a suggestion
    r = cli("entities", "--store", st, "Kirbyy")
    assert r.exit_code == 0 and "(0 entities)" in r.stdout and "nearest: John Kirby" in r.stderr
    r = cli("entities", "--store", st, "--type", "persn")
    assert r.exit_code == 2 and "did you mean Person" in r.output


def test_stats_shows_top_entities_and_predicates(three_store):
    st = json.loads(cli("stats", "--store", str(three_store), "--format", "json", "--top", "2").stdout)
    assert [e["label"] for e in st["top_entities"]["Country"]] == ["United States", "China"] or \
        st["top_entities"]["Country"][0]["label"] == "United States"
    assert len(st["top_entities"]["Country"]) == 2 and st["top_entities"]["Country"][0]["articles"] == 3
    assert "Person" in st["top_entities"] and "John Kirby" in [e["label"] for e in st["top_entities"]["Person"]]
    counts = [r["statements"] for r in st["relations_by_predicate"].values()]
    assert counts == sorted(counts, reverse=True)  # most frequent predicates first
    text = cli("stats", "--store", str(three_store)).stdout
    assert "most mentioned" in text and "United States (" in text


# ---------------------------------------------------------------- the command line
@pytest.mark.subprocess  # kg query runs its query in a child process; kg in a subprocess
def test_store_before_or_after_the_command(handmade_store, tmp_path):
    st = str(handmade_store)
    before = kg_cmd("--store", st, "stats", "--format", "json")
    after = kg_cmd("stats", "--store", st, "--format", "json")
    assert before.returncode == after.returncode == 0 and before.stdout == after.stdout
    assert json.loads(before.stdout)["articles"] == 2
    r = kg_cmd("--store", st, "query", "--name", "who_opposes_what", "-f", "csv")
    assert r.returncode == 0 and "United States" in r.stdout
    r = kg_cmd("--store", st, "entities", "kirby")
    assert r.returncode == 0 and "John Kirby" in r.stdout
    r = kg_cmd("--store", st, "stats", "--store", st)  # the same twice is fine
    assert r.returncode == 0
    r = kg_cmd("--store", st, "stats", "--store", str(tmp_path / "other"))
    assert r.returncode == 2 and "given twice" in r.stderr
    assert "Also accepted after the command" in " ".join(kg_cmd("--help").stdout.split())


def test_default_workers_follow_cores_memory_and_articles():
    gb = 2**30
    assert default_workers(1000, cores=4, memory=16 * gb) == 4
    assert default_workers(1000, cores=4, memory=int(1.3 * gb)) == 2  # memory for two workers
    assert default_workers(1000, cores=4, memory=100 * 2**20) == 1
    assert default_workers(30, cores=8, memory=16 * gb) == 1  # a small build stays in one process
    assert default_workers(45, cores=8, memory=16 * gb) == 2
    assert default_workers(1000, cores=1, memory=None) == 1
    assert default_workers(1000) >= 1
    assert "usable cores" in cli("build", "--help").output


@pytest.mark.model
@pytest.mark.subprocess
def test_build_progress_on_a_terminal_only(tmp_path):
    """`kg build` shows its parse and write progress on a terminal, and nothing of it when
    stderr is a file or a pipe."""
    import os
    import pty

    articles = str(__import__("pathlib").Path(__file__).parent.parent / "data" / "articles")
    r = kg_cmd("build", articles, "--store", str(tmp_path / "piped"))
    assert r.returncode == 0 and "parsing" not in r.stderr and "written" not in r.stderr and "\r" not in r.stderr
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", articles, "--store", str(tmp_path / "tty")],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(timeout=120) == 0
    text = out.decode("utf-8", "replace")
    assert "parsing" in text and "written" in text and "2 built" in text
