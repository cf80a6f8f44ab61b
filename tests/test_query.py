"""Named queries, parameter binding, SERVICE refusal, result formats, timeouts, `kg query/queries/stats`."""

from __future__ import annotations

import csv
import io
import json
import time

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import handmade_graphs, role_graph
from kg import query as kq
from kg import write
from kg.cli import main
from kg.store import KGStore

REQUIRED = {
    "who_opposes_what", "entity_facts", "quotes_by", "corroborated_facts", "entities_by_type",
    "relations_between", "articles_mentioning", "cooccurrence", "negated_facts", "planned_or_hoped", "roles",
}
# Values for the parameters of the named queries when run on the handmade store.
PARAM_DEFAULTS = {"speaker": "John Kirby", "entity": "United States", "a": "United States", "b": "ceasefire"}
# Queries that need facts the two handmade articles do not have (run on role_store instead).
NEEDS_ROLE_FACT = {"roles"}
# Queries that need an open statement (run on open_store).
NEEDS_OPEN_FACT = {"open_relations"}

SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
ALL_QUERIES = kq.list_queries()


@pytest.fixture()
def role_store(tmp_path):
    path = tmp_path / "role-store"
    with KGStore.open(path) as s:
        write.load_ontology(s)
        write.write_all(s, [*handmade_graphs(), role_graph()])
    return path


def run(store, name: str, **params) -> kq.QueryResult:
    nq = kq.find_query(name)
    return kq.run_query(store, nq.text, kq.select_params(nq, params)[0])


# ---------------------------------------------------------------- the query files
def test_required_queries_exist():
    names = {q.name for q in ALL_QUERIES}
    assert len(ALL_QUERIES) >= 10
    assert REQUIRED <= names, REQUIRED - names
    assert kq.find_query("quotes_by").param_names == ("speaker",)
    assert kq.find_query("entity_facts").param_names == ("entity",)
    assert kq.find_query("articles_mentioning").param_names == ("entity",)
    assert kq.find_query("relations_between").param_names == ("a", "b")


@pytest.mark.parametrize("nq", ALL_QUERIES, ids=lambda q: q.name)
def test_query_header(nq):
    first = nq.text.splitlines()[0]
    assert first.startswith("#+ summary:"), f"{nq.path} must start with '#+ summary:'"
    assert nq.summary
    assert "params" in kq.parse_header(nq.text), f"{nq.path}: no '#+ params:' line"
    assert nq.examples and all(e.startswith("kg query --name " + nq.name) for e in nq.examples)
    for p in nq.params:
        assert p.description and p.name in PARAM_DEFAULTS


@pytest.mark.parametrize("nq", ALL_QUERIES, ids=lambda q: q.name)
def test_query_returns_rows(nq, request):
    path = request.getfixturevalue("role_store" if nq.name in NEEDS_ROLE_FACT else
                                   "open_store" if nq.name in NEEDS_OPEN_FACT else "handmade_store")
    params = {p: PARAM_DEFAULTS[p] for p in nq.param_names}
    with KGStore.open(path, read_only=True) as s:
        res = kq.run_query(s, nq.text, kq.select_params(nq, params)[0])
    assert res.kind == "select"
    assert len(res.rows) >= 1, f"{nq.name} returned no rows"
    # the union default graph is a multiset: queries must not repeat rows per article graph
    assert len(set(res.rows)) == len(res.rows), f"{nq.name} repeats rows"


def test_who_opposes_what(kgs):
    rows = run(kgs, "who_opposes_what").dicts()
    got = {(r["subject"], r["relation"], r["object"], r["articles"], r["attributedTo"]) for r in rows}
    assert got == {
        ("United States", "opposes", "ceasefire", "2", None),
        ("United States", "not supports", "ceasefire", "1", "John Kirby"),
    }
    top = rows[0]
    assert top["relation"] == "opposes" and set(top["sources"].split("|")) == {"doc1", "doc2"}


def test_entity_facts_by_alias_any_case(kgs):
    by_label = run(kgs, "entity_facts", entity="United States").dicts()
    by_alias = run(kgs, "entity_facts", entity="us").dicts()
    assert {r["relation"] for r in by_label} == {"opposes", "not supports"}
    assert [(r["relation"], r["evidence"]) for r in by_alias] == [(r["relation"], r["evidence"]) for r in by_label]
    opp = next(r for r in by_label if r["relation"] == "opposes")
    assert set(opp["articles"].split("|")) == {"doc1", "doc2"}
    assert "The US opposes a ceasefire." in opp["evidence"]
    kirby = run(kgs, "entity_facts", entity="Kirby").dicts()
    # what Kirby said: his quotation and the two statements attributed to him
    assert {(r["as"], r["relation"]) for r in kirby} == {
        ("speaker", "said"), ("speaker", "not supports"), ("speaker", "not provides")}


def test_quotes_by(kgs):
    rows = run(kgs, "quotes_by", speaker="KIRBY").dicts()
    assert [(r["label"], r["quote"], r["articles"]) for r in rows] == [
        ("John Kirby", "We do not support a truce,", "doc1")]
    assert run(kgs, "quotes_by", speaker="Xi Jinping").rows == []


def test_relations_between_both_directions(kgs):
    ab = run(kgs, "relations_between", a="United States", b="ceasefire").dicts()
    ba = run(kgs, "relations_between", a="truce", b="us").dicts()
    key = lambda rows: sorted((r["subject"], r["relation"], r["object"]) for r in rows)  # noqa: E731
    assert key(ab) == key(ba) == [
        ("United States", "not supports", "ceasefire"), ("United States", "opposes", "ceasefire")]


def test_other_named_queries(kgs):
    neg = run(kgs, "negated_facts").dicts()
    assert {(r["subject"], r["relation"], r["object"]) for r in neg} == {
        ("China", "not provides", "weapons"), ("United States", "not supports", "ceasefire")}
    planned = run(kgs, "planned_or_hoped").dicts()
    assert [(r["modality"], r["subject"], r["relation"], r["object"]) for r in planned] == [
        ("planned", "Xi Jinping", "visits", "Moscow")]
    corr = run(kgs, "corroborated_facts").dicts()
    assert [(r["subject"], r["relation"], r["object"], r["articles"]) for r in corr] == [
        ("United States", "opposes", "ceasefire", "2")]
    ents = {(r["type"], r["label"]): r for r in run(kgs, "entities_by_type").dicts()}
    assert ents[("Country", "United States")]["mentions"] == "3"
    assert ents[("Concept", "ceasefire")]["aliases"] == "truce"
    assert len(ents) == 9
    cooc = {r["label2"]: int(r["weight"]) for r in run(kgs, "cooccurrence", entity="US").dicts()}
    assert cooc["ceasefire"] == 2 and "United States" not in cooc
    assert {r["label2"]: int(r["weight"]) for r in run(kgs, "cooccurrence", entity="xi jinping").dicts()}["Moscow"] == 1
    arts = run(kgs, "articles_mentioning", entity="kirby").dicts()
    assert [(r["doc"], r["headline"]) for r in arts] == [("doc2", "Second report"), ("doc1", "First report")]  # latest first


def test_roles(role_store):
    with KGStore.open(role_store, read_only=True) as s:
        rows = run(s, "roles").dicts()
    assert [(r["person"], r["role"], r["of"], r["sources"]) for r in rows] == [
        ("John Kirby", "spokesperson of", "United States", "doc3")]


# ---------------------------------------------------------------- parameters
INJECTIONS = [
    'John Kirby") || true || ("',
    'x" } UNION { ?q a <https://w3id.org/newskg/ontology#Quotation> } #',
    "John Kirby' . } ; DROP ALL ; SELECT * { ",
    "?speaker",
    "<https://w3id.org/newskg/id/person/john-kirby>",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_parameter_values_stay_literals(kgs, value):
    before = kgs.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    n_before = next(iter(before))["n"].value
    res = run(kgs, "quotes_by", speaker=value)
    assert res.rows == []  # matched nothing: the value was compared as a string, not parsed
    res = kq.run_query(kgs, "SELECT ?v WHERE {}", {"v": value})
    assert res.rows == [(ox.Literal(value),)]
    after = kgs.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert next(iter(after))["n"].value == n_before


def test_parameter_errors(kgs):
    nq = kq.find_query("quotes_by")
    with pytest.raises(kq.QueryError, match="needs --param speaker"):
        kq.check_params(nq, {})
    with pytest.raises(kq.QueryError, match="no parameter foo"):
        kq.check_params(nq, {"speaker": "x", "foo": "y"})
    assert kq.select_params(nq, {"speaker": "x", "foo": "y"}) == ({"speaker": "x"}, ["foo"])
    adhoc = kq.parse_query_text("SELECT ?x WHERE {}")
    assert kq.select_params(adhoc, {"x": "1"}) == ({"x": "1"}, [])
    with pytest.raises(kq.QueryError, match="top-level SELECT"):
        kq.run_query(kgs, "SELECT ?s WHERE { ?s ?p ?x }", {"x": "y"})
    with pytest.raises(kq.QueryError, match="bad parameter name"):
        kq.run_query(kgs, "SELECT ?s WHERE { ?s ?p ?o }", {"x y": "z"})
    with pytest.raises(kq.QueryError, match="no query named"):
        kq.find_query("../etc/passwd")


def test_header_parsing():
    text = (
        "#+ summary: Two things\n#+ params: a: first (string) | b: second (string)\n"
        "#+ params: c: third\n#+ example: kg query --name x\n\n# comment\nSELECT ?a ?b ?c WHERE {}\n"
        "#+ summary: not a header any more\n"
    )
    nq = kq.parse_query_text(text, "x")
    assert nq.summary == "Two things"
    assert nq.params == (kq.Param("a", "first (string)"), kq.Param("b", "second (string)"), kq.Param("c", "third"))
    assert nq.examples == ("kg query --name x",)
    assert kq.parse_query_text("#+ summary: s\n#+ params: (none)\nASK {}").params == ()


def test_name_parameters_are_bound_lower_cased(kgs):
    nq = kq.parse_query_text("#+ params: who: a name (name) | text: as given (string)\n"
                             "SELECT ?who ?text WHERE {}", "x")
    assert [p.kind for p in nq.params] == ["name", "string"]
    bound, ignored = kq.select_params(nq, {"who": "John KIRBY", "text": "As Given", "other": "x"})
    assert bound == {"who": "john kirby", "text": "As Given"} and ignored == ["other"]
    # a name finds the entity through the summary graph's lower-cased keys
    row = run(kgs, "quotes_by", speaker="JOHN kirby").dicts()[0]
    assert row["speaker"] == "john kirby" and row["label"] == "John Kirby"
    with pytest.raises(kq.QueryError, match="unknown kind"):
        kq.parse_query_text("#+ params: who: a name (person)\nSELECT ?who WHERE {}", "x")


# ---------------------------------------------------------------- SERVICE / LOAD
@pytest.mark.parametrize("q", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z . FILTER(?x < ?y) SERVICE ?ep { ?s ?p ?o } }",
])
def test_service_refused(kgs, q):
    with pytest.raises(kq.QueryRefused, match="--allow-service"):
        kq.run_query(kgs, q)
    assert kq.QueryRefused.exit_code == 2


def test_load_is_no_query(kgs):
    """A query cannot LOAD (Store.query parses queries only): a syntax error, exit 2."""
    with pytest.raises(kq.QueryError, match="syntax error"):
        kq.run_query(kgs, "LOAD <http://example.org/data.ttl>")


def test_service_word_elsewhere_is_fine(kgs):
    q = '''PREFIX ex: <http://example.org/SERVICE#>
    # a SERVICE in a comment, and LOAD too
    SELECT ?service ?load WHERE {
      BIND ("SERVICE <http://x/> { }" AS ?service)
      BIND ("""LOAD
      it""" AS ?load)
      FILTER (?service != <http://example.org/SERVICE/LOAD>)
      OPTIONAL { ?service ex:service ex:LOAD }
    }'''
    kq.check_text(q)
    assert len(kq.run_query(kgs, q).rows) == 1
    with pytest.raises(kq.QueryRefused):
        kq.check_text("SELECT * { SERVICE <x:> {} }")
    kq.check_text("SELECT * { SERVICE <x:> {} }", allow_service=True)  # no error


def test_too_big_refused_even_with_allow_service(kgs):
    deep = "SELECT * WHERE { BIND(" + "(" * 200 + "1" + ")" * 200 + " AS ?x) }"
    with pytest.raises(kq.QueryRefused, match="nests brackets") as e:
        kq.run_query(kgs, deep, allow_service=True)
    assert "--allow-service" not in str(e.value)


# ---------------------------------------------------------------- formats
def test_table_format(kgs):
    res = run(kgs, "entity_facts", entity="United States")
    out = kq.format_result(res, "table", max_width=20)
    lines = out.splitlines()
    header, rule = lines[0], lines[1]
    assert header.split() == res.variables
    assert set(rule.replace(" ", "")) == {"-"}
    # every column starts at the same offset on each line
    starts = [i for i, c in enumerate(rule) if c == "-" and (i == 0 or rule[i - 1] == " ")]
    ends = [a - 2 for a in starts[1:]] + [None]
    for line in lines[2:-1]:
        for a in starts[1:]:
            assert line[a - 2:a] == "  "
        assert all(len(line[a:b].rstrip()) <= 20 for a, b in zip(starts, ends))
    assert "…" in out  # the long evidence was truncated
    assert lines[-1] == f"({len(res.rows)} rows)"
    iri = kq.run_query(kgs, "SELECT ?e WHERE { ?e a <https://w3id.org/newskg/ontology#Person> } ORDER BY ?e")
    assert "id:person/john-kirby" in kq.format_result(iri, "table")


def test_csv_tsv_json_formats(kgs):
    res = run(kgs, "relations_between", a="United States", b="ceasefire")
    rows = list(csv.reader(io.StringIO(kq.format_result(res, "csv"))))
    assert rows[0] == res.variables and len(rows) == 1 + len(res.rows)
    assert any('"We do not support a truce," said John Kirby.' in r for r in rows)  # quotes survive csv
    tsv = kq.format_result(res, "tsv").splitlines()
    assert tsv[0].split("\t") == res.variables
    assert all(len(line.split("\t")) == len(res.variables) for line in tsv)
    js = kq.format_result(res, "json")
    doc = json.loads(js)
    assert doc["head"]["vars"] == res.variables
    back = ox.parse_query_results(js, format=ox.QueryResultsFormat.JSON)  # valid SPARQL 1.1 JSON
    assert [[sol[v] for v in res.variables] for sol in back] == [list(r) for r in res.rows]
    typed = kq.run_query(kgs, 'SELECT ?i ?l ?e WHERE { BIND(2 AS ?i) BIND("x"@en AS ?l) '
                              'BIND(<https://w3id.org/newskg/id/x> AS ?e) }')
    b = json.loads(kq.format_result(typed, "json"))["results"]["bindings"][0]
    assert b["i"] == {"type": "literal", "value": "2", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert b["l"] == {"type": "literal", "value": "x", "xml:lang": "en"}
    assert b["e"] == {"type": "uri", "value": "https://w3id.org/newskg/id/x"}


def test_ask_and_construct_formats(kgs):
    ask = kq.run_query(kgs, "ASK { ?s a <https://w3id.org/newskg/ontology#Quotation> }")
    assert kq.format_result(ask, "table") == "true\n"
    assert json.loads(kq.format_result(ask, "json")) == {"head": {}, "boolean": True}
    no = kq.run_query(kgs, "ASK { ?s a <http://example.org/Nothing> }")
    assert kq.format_result(no, "csv") == "false\n"
    q = ("PREFIX kg: <https://w3id.org/newskg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
         "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kg:Person ; rdfs:label ?l }")
    res = kq.run_query(kgs, q)
    assert res.kind == "graph" and len(res.triples) == 2
    ttl = kq.format_result(res, "ttl")
    assert "@prefix rdfs:" in ttl
    assert len(list(ox.parse(ttl, format=ox.RdfFormat.TURTLE))) == 2
    nt = kq.format_result(res, "nt")
    assert len(nt.strip().splitlines()) == 2 and '"John Kirby"' in nt
    assert kq.format_result(res, "table") == ttl
    with pytest.raises(kq.QueryError, match="ttl or nt"):
        kq.format_result(res, "csv")
    with pytest.raises(kq.QueryError, match="CONSTRUCT"):
        kq.format_result(run(kgs, "roles"), "ttl")


# ---------------------------------------------------------------- timeouts
def test_timeout_kills_slow_query(kgs):
    t = time.monotonic()
    with pytest.raises(kq.QueryTimeout, match="within 1 s"):
        kq.run_query(kgs, SLOW_QUERY, timeout=1)
    assert time.monotonic() - t < 5
    assert kq.QueryTimeout.exit_code == 1


def test_query_in_child_process_gives_same_result(kgs):
    text = kq.find_query("quotes_by").text
    here = kq.run_query(kgs, text, {"speaker": "Kirby"})
    child = kq.run_query(kgs, text, {"speaker": "Kirby"}, timeout=20)
    assert child.variables == here.variables and child.rows == here.rows
    ask = kq.run_query(kgs, "ASK { ?s ?p ?o }", timeout=20)
    assert ask.kind == "ask" and ask.boolean is True
    graph = kq.run_query(kgs, "CONSTRUCT { ?s ?p ?o } WHERE { ?s a ?o ; ?p ?o } LIMIT 5", timeout=20)
    assert graph.kind == "graph" and len(graph.triples) == 5
    with pytest.raises(kq.QueryError, match="syntax error"):
        kq.run_query(kgs, "SELECT WHERE {", timeout=20)
    with pytest.raises(kq.QueryError, match="top-level SELECT"):
        kq.run_query(kgs, "SELECT ?s WHERE { ?s ?p ?x }", {"x": "y"}, timeout=20)


# ---------------------------------------------------------------- stats
def test_stats(kgs):
    st = kq.store_stats(kgs)
    assert st["articles"] == 2
    assert st["entities"] == 9
    assert {t: n for t, n in st["entities_by_type"].items() if n} == {
        "Person": 2, "Country": 4, "City": 1, "Concept": 2}
    assert st["statements"] == 4
    rel = st["relations_by_predicate"]
    assert rel["opposes"] == {"label": "opposes", "statements": 1, "positive": 1, "negative": 0}
    assert rel["supports"] == {"label": "supports", "statements": 1, "positive": 0, "negative": 1}
    assert rel["provides"]["negative"] == 1 and rel["visits"]["positive"] == 1
    assert st["quotations"] == 1
    assert st["evidence"] == 6  # 5 statement evidence records (one fact read twice) + 1 quotation
    assert st["graphs"] == 4  # two articles, ontology, summary
    quads = list(kgs.ox.quads_for_pattern(None, None, None, None))
    assert st["triples"] == len(quads)
    assert st["distinct_triples"] == len({(q.subject, q.predicate, q.object) for q in quads})
    text = kq.format_stats(st)
    assert "articles          2" in text and "opposes" in text


# ---------------------------------------------------------------- CLI
def cli(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_cli_queries_lists_all():
    r = cli("queries")
    assert r.exit_code == 0
    for q in ALL_QUERIES:
        assert q.name in r.output and q.summary in r.output
    assert "speaker" in r.output
    doc = json.loads(cli("queries", "--format", "json").output)
    assert {d["name"] for d in doc} == {q.name for q in ALL_QUERIES}


def test_cli_query_named_file_and_stdin(handmade_store, tmp_path):
    st = str(handmade_store)
    r = cli("query", "--store", st, "--name", "quotes_by", "--param", "speaker=John Kirby")
    assert r.exit_code == 0, r.output
    assert "We do not support a truce," in r.output and "(1 row)" in r.output
    r = cli("query", "--store", st, "-n", "who_opposes_what", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert {(x["relation"], x["articles"]) for x in rows} == {("opposes", "2"), ("not supports", "1")}
    f = tmp_path / "q.rq"
    f.write_text("SELECT DISTINCT ?l WHERE { ?e a <https://w3id.org/newskg/ontology#City> ; "
                 "<http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    r = cli("query", str(f), "--store", st, "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.output)["results"]["bindings"] == [{"l": {"type": "literal", "value": "Moscow"}}]
    r = cli("query", "-", "--store", st, "--format", "tsv", "--timeout", "0",
            input="SELECT ?v WHERE {}", )
    assert r.exit_code == 0 and r.output == "v\n\n"
    r = cli("query", "-", "--store", st, "--format", "nt",
            input="CONSTRUCT { ?e a ?t } WHERE { ?e a ?t } LIMIT 1")
    assert r.exit_code == 0 and r.output.strip().endswith(" .")


def test_cli_query_errors(handmade_store, tmp_path):
    st = str(handmade_store)
    r = cli("query", "-", "--store", st, input="SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }")
    assert r.exit_code == 2 and "--allow-service" in r.output
    r = cli("query", "--store", st, "--name", "quotes_by")
    assert r.exit_code == 2 and "needs --param speaker" in r.output
    r = cli("query", "--store", st, "--name", "quotes_by", "--param", "speaker=Kirby", "--param", "entity=US")
    assert r.exit_code == 0 and "ignores --param entity" in r.stderr and "We do not support" in r.stdout
    r = cli("query", "--store", st, "--name", "quotes_by", "--param", "speaker")
    assert r.exit_code == 2 and "NAME=VALUE" in r.output
    r = cli("query", "--store", st, "--name", "nope")
    assert r.exit_code == 2 and "no query named" in r.output and "quotes_by" in r.output
    r = cli("query", "--store", st)
    assert r.exit_code == 2
    r = cli("query", "-", "--store", st, input="SELECT WHERE {")
    assert r.exit_code == 2 and "syntax error" in r.output
    r = cli("query", "--store", str(tmp_path / "none"), "--name", "roles")
    assert r.exit_code == 2 and "no kg store" in r.output
    r = cli("query", "-", "--store", st, "--timeout", "1", input=SLOW_QUERY)
    assert r.exit_code == 1 and "did not finish within 1 s" in r.output


def test_cli_stats(handmade_store):
    r = cli("stats", "--store", str(handmade_store), "--format", "json")
    assert r.exit_code == 0
    st = json.loads(r.output)
    assert (st["articles"], st["entities"], st["statements"], st["quotations"]) == (2, 9, 4, 1)
    r = cli("stats", "--store", str(handmade_store))
    assert r.exit_code == 0 and "triples" in r.output


# ---------------------------------------------------------------- the summary graph (merged view)
def test_summary_graph_holds_each_node_once(kgs):
    S = "GRAPH <https://w3id.org/newskg/id/graph/summary>"
    pre = "PREFIX kg: <https://w3id.org/newskg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    # a naive query on the summary graph has no duplicates, though US is in both articles
    labels = kq.run_query(kgs, pre + f"SELECT ?l WHERE {{ {S} {{ ?e a kg:Country ; rdfs:label ?l }} }}").dicts()
    assert sorted(r["l"] for r in labels) == sorted({r["l"] for r in labels}) and {"United States"} <= {
        r["l"] for r in labels}
    rows = kq.run_query(kgs, pre + f"""SELECT ?w ?src (COUNT(?art) AS ?n) WHERE {{ {S} {{
        ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> kg:opposes ; kg:polarity "positive" ;
            kg:weight ?w ; kg:sources ?src ; kg:reportedIn ?art }} }} GROUP BY ?w ?src""").dicts()
    assert rows == [{"w": "2", "src": "doc1|doc2", "n": "2"}]
    keys = {r["k"] for r in kq.run_query(kgs, pre + f"SELECT ?k WHERE {{ {S} {{ ?e rdfs:label 'United States' ; kg:matchKey ?k }} }}").dicts()}
    assert keys == {"united states", "us"}


def test_cooccurrence_weights_count_articles(tmp_path):
    """cooccurrence's weight is the number of articles naming both entities, for every entity,
    also after an article was written again (replaced) - computed here from the mention triples."""
    from collections import Counter

    path = tmp_path / "store"
    with KGStore.open(path) as s:
        write.load_ontology(s)
        write.write_all(s, [*handmade_graphs(), role_graph()])
        write.write_all(s, [handmade_graphs()[0]])  # the same article again
    with KGStore.open(path, read_only=True) as s:
        by_art: dict[str, set[str]] = {}
        for row in s.query("SELECT ?a ?e WHERE { ?a <https://schema.org/mentions> ?e }"):
            by_art.setdefault(row["a"].value, set()).add(row["e"].value)
        labels = {row["e"].value: row["l"].value for row in s.query(
            "SELECT ?e ?l WHERE { GRAPH <https://w3id.org/newskg/id/graph/summary> "
            "{ ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l } }")}
        assert len(by_art) == 3
        for e1 in {e for es in by_art.values() for e in es}:
            expected = Counter(labels[e2] for es in by_art.values() if e1 in es for e2 in es if e2 != e1)
            got = {r["label2"]: int(r["weight"]) for r in run(s, "cooccurrence", entity=labels[e1]).dicts()}
            assert got == dict(expected), labels[e1]
