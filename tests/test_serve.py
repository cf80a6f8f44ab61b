"""``kg serve``: the real server process on a free loopback port, queried over HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper

from conftest import handmade_graphs
from kg import write
from kg.serve import negotiate, remote_keywords, NotAcceptable
from kg.store import KGStore

KG = "https://w3id.org/newskg/ontology#"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MAX_ROWS = 50


# ---------------------------------------------------------------- helpers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_store(path):
    with KGStore.open(path) as s:
        write.load_ontology(s)
        write.write_all(s, handmade_graphs())
    return path


class Server:
    def __init__(self, store, *args, wait: float = 30.0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoint = self.url + "/sparql"
        cmd = [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(self.port), *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + wait
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kg serve exited {self.proc.returncode}: {self.proc.stderr.read()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"kg serve did not answer within {wait} s")
            time.sleep(0.1)

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        return self.proc.stderr.read()


def http(method: str, url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 20):
    """(status, headers, body) without raising on 4xx/5xx."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def get(server: Server, query: str, accept: str | None = None, **params):
    qs = urllib.parse.urlencode({"query": query, **params})
    return http("GET", f"{server.endpoint}?{qs}", headers={"Accept": accept} if accept else {})


def post_form(server: Server, field: str, text: str, accept: str | None = None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept:
        headers["Accept"] = accept
    return http("POST", server.endpoint, urllib.parse.urlencode({field: text}).encode(), headers)


def post_direct(server: Server, ctype: str, text: str, accept: str | None = None):
    headers = {"Content-Type": ctype}
    if accept:
        headers["Accept"] = accept
    return http("POST", server.endpoint, text.encode("utf-8"), headers)


UPDATE_TOKEN = "test-update-token"


def post_update(server: Server, text: str, token: str = UPDATE_TOKEN):
    """An update as kg serve --allow-update wants it: a direct body with the token."""
    return http("POST", server.endpoint, text.encode("utf-8"),
                {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = make_store(tmp_path_factory.mktemp("serve") / "store")
    srv = Server(store, "--timeout", "1", "--max-rows", str(MAX_ROWS))
    yield srv
    log = srv.stop()
    assert "kg serve: http://127.0.0.1:" in log


COUNTRIES = f"SELECT DISTINCT ?c WHERE {{ ?c a <{KG}Country> }} ORDER BY ?c"
EXPECTED_COUNTRIES = {"china", "russia", "ukraine", "united-states"}


def _tail(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


# ---------------------------------------------------------------- SPARQLWrapper
def test_sparqlwrapper_select_json_and_xml(server):
    sw = SPARQLWrapper(server.endpoint)
    sw.setQuery(COUNTRIES)
    sw.setReturnFormat(JSON)
    res = sw.query().convert()
    assert {_tail(b["c"]["value"]) for b in res["results"]["bindings"]} == EXPECTED_COUNTRIES

    sw.setReturnFormat(XML)
    sw.setMethod(POST)
    doc = sw.query().convert()  # an xml.dom.minidom document
    uris = [n.firstChild.data for n in doc.getElementsByTagName("uri")]
    assert {_tail(u) for u in uris} == EXPECTED_COUNTRIES


def test_sparqlwrapper_construct_turtle(server):
    sw = SPARQLWrapper(server.endpoint)
    sw.setQuery(f"CONSTRUCT {{ ?c a <{KG}Country> }} WHERE {{ ?c a <{KG}Country> }}")
    sw.setReturnFormat(TURTLE)
    g = rdflib.Graph().parse(data=sw.query().convert(), format="turtle")
    assert len(g) == 4


# ---------------------------------------------------------------- plain HTTP, every format
def _rows(ctype: str, body: bytes) -> list[str]:
    """The ?c values of a COUNTRIES result in any of the four result formats."""
    text = body.decode("utf-8")
    if ctype.startswith("application/sparql-results+json"):
        return [b["c"]["value"] for b in json.loads(text)["results"]["bindings"]]
    if ctype.startswith("application/sparql-results+xml"):
        ns = "{http://www.w3.org/2005/sparql-results#}"
        return [u.text for u in ET.fromstring(text).iter(ns + "uri")]
    if ctype.startswith("text/csv"):
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["c"]
        return [r[0] for r in rows[1:]]
    if ctype.startswith("text/html"):  # each IRI a link to its page (kg.serve.pages)
        return ["https://w3id.org/newskg/id/" + h.split("/", 2)[2] for h in re.findall(r'href="(/entity/[^"]+)"', text)]
    if ctype.startswith("text/tab-separated-values"):
        lines = text.splitlines()
        assert lines[0] == "?c"
        return [line.strip("<>") for line in lines[1:]]
    raise AssertionError(f"unexpected content type {ctype}")


ACCEPTS = [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),  # a browser: a table
    ("application/xhtml+xml;q=0.5,application/xml", "application/sparql-results+xml"),
    (None, "application/sparql-results+json"),
]


@pytest.mark.parametrize("how", ["GET", "POST form", "POST sparql-query"])
@pytest.mark.parametrize("accept,expected", ACCEPTS)
def test_select_every_accept_type(server, how, accept, expected):
    if how == "GET":
        status, headers, body = get(server, COUNTRIES, accept)
    elif how == "POST form":
        status, headers, body = post_form(server, "query", COUNTRIES, accept)
    else:
        status, headers, body = post_direct(server, "application/sparql-query", COUNTRIES, accept)
    assert status == 200, body
    ctype = headers["Content-Type"]
    assert ctype.startswith(expected)
    assert {_tail(v) for v in _rows(ctype, body)} == EXPECTED_COUNTRIES
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("fmt,expected", [("json", "application/sparql-results+json"),
                                          ("xml", "application/sparql-results+xml"),
                                          ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_format_parameter_fallback(server, fmt, expected):
    status, headers, body = get(server, COUNTRIES, None, format=fmt)
    assert status == 200
    assert headers["Content-Type"].startswith(expected)
    assert len(_rows(headers["Content-Type"], body)) == 4


def test_ask(server):
    status, headers, body = get(server, f"ASK {{ ?s a <{KG}Statement> }}", "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True
    status, headers, body = get(server, "ASK { <urn:x> <urn:y> <urn:z> }", "application/sparql-results+xml")
    assert status == 200 and b"<boolean>false</boolean>" in body


@pytest.mark.parametrize("accept,rdflib_format", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                                  ("application/ld+json", "json-ld"),
                                                  ("application/rdf+xml", "xml")])
def test_construct_parses_with_rdflib(server, accept, rdflib_format):
    q = (f"PREFIX kg: <{KG}> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
         "CONSTRUCT { ?st rdf:subject ?s ; kg:polarity ?p } WHERE { ?st a kg:Statement ; rdf:subject ?s ; kg:polarity ?p }")
    status, headers, body = post_form(server, "query", q, accept)
    assert status == 200, body
    assert headers["Content-Type"].startswith(accept)
    g = rdflib.Graph().parse(data=body, format=rdflib_format)
    assert len(g) == 8  # 4 statements x 2 triples
    assert {str(o) for o in g.objects(None, rdflib.URIRef(KG + "polarity"))} == {"positive", "negative"}


def test_describe_turtle(server):
    status, headers, body = get(server, "DESCRIBE <https://w3id.org/newskg/id/country/china>", "text/turtle")
    assert status == 200
    g = rdflib.Graph().parse(data=body, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/newskg/id/country/china"), rdflib.RDFS.label, rdflib.Literal("China")) in g


def test_not_acceptable(server):
    status, _, body = get(server, COUNTRIES, "image/png")
    assert status == 406
    assert b"application/sparql-results+json" in body


# ---------------------------------------------------------------- limits
@pytest.mark.parametrize("how", ["POST update", "POST form update=", "GET update="])
def test_update_refused(server, how):
    upd = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    if how == "POST update":
        status, _, body = post_direct(server, "application/sparql-update", upd)
    elif how == "POST form update=":
        status, _, body = post_form(server, "update", upd)
    else:
        status, _, body = http("GET", server.endpoint + "?" + urllib.parse.urlencode({"update": upd}))
    assert status == 403
    assert b"read-only" in body
    status, _, body = get(server, "ASK { <urn:a> <urn:b> <urn:c> }", "application/sparql-results+json")
    assert json.loads(body)["boolean"] is False


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a\\# ?o . SERVICE <http://127.0.0.1:9/> { ?x ?y ?z } }",
])
def test_service_refused(server, query):
    status, _, body = post_form(server, "query", query)
    assert status == 400
    assert b"SERVICE" in body


def test_service_word_in_strings_comments_iris_is_fine(server):
    q = ('# SERVICE in a comment\nPREFIX service: <http://e/service#>\n'
         'SELECT ?service WHERE { BIND("SERVICE <http://x/> {}" AS ?service) '
         'FILTER(?service != <http://e/SERVICE>) } # SERVICE')
    status, _, body = post_form(server, "query", q, "application/sparql-results+json")
    assert status == 200, body


def test_runaway_query_is_stopped_and_server_recovers(server):
    t0 = time.monotonic()
    status, _, body = post_form(server, "query", RUNAWAY)
    elapsed = time.monotonic() - t0
    assert status == 503
    assert b"time limit" in body
    assert elapsed < 15  # a failure guard (the limit is 1 s), not a benchmark
    # both workers may be replaced by now or shortly: queries keep working
    for _ in range(3):
        status, _, body = get(server, COUNTRIES, "text/csv")
        assert status == 200


def test_row_limit(server):
    status, headers, body = get(server, "SELECT * WHERE { ?s ?p ?o }", "text/csv")
    assert status == 200
    assert len(body.decode().splitlines()) == 1 + MAX_ROWS
    assert headers["X-SPARQL-MaxRows"] == str(MAX_ROWS)
    status, headers, body = get(server, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert status == 200
    assert len(body.decode().splitlines()) == MAX_ROWS
    status, headers, body = get(server, COUNTRIES, "text/csv")
    assert "X-SPARQL-MaxRows" not in headers


def test_syntax_error_is_400(server):
    status, _, body = get(server, "SELEKT * WHERE { ?s ?p ?o }")
    assert status == 400
    assert b"syntax" in body


def test_index_page_and_cors_preflight(server):
    status, headers, body = http("GET", server.url + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"<textarea" in body and b"/sparql" in body
    status, headers, _ = http("OPTIONS", server.endpoint, headers={
        "Origin": "http://yasgui.example", "Access-Control-Request-Method": "POST"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert http("GET", server.url + "/nope")[0] == 404


def test_merged_default_graph_and_dataset_parameters(server):
    # no GRAPH clause needed: statements from both articles are visible, each once (the
    # "opposes" statement reported by both articles is one row, not two), prefixes predeclared
    status, _, body = get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?st a kg:Statement }", "text/csv")
    assert status == 200 and body.decode().splitlines()[1] == "4"
    status, _, body = get(server, "SELECT ?who ?what WHERE { ?s kg:opposes ?o . ?s rdfs:label ?who . "
                          "?o rdfs:label ?what }", "text/csv")
    assert body.decode().splitlines()[1:] == ["United States,ceasefire"]
    # DESCRIBE gives each triple once
    status, _, body = get(server, "DESCRIBE country:united-states", "application/n-triples")
    lines = [ln for ln in body.decode().splitlines() if ln.strip()]
    assert status == 200 and lines and len(lines) == len(set(lines))
    # the evidence stays in the article graphs, named
    status, _, body = get(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?ev a kg:Evidence } }", "text/csv")
    assert int(body.decode().splitlines()[1]) == 6  # 5 relations, 1 quotation
    # a syntax error says where, with a caret
    status, _, body = get(server, "SELECT ?s WHERE {\n  ?s rdfs:labl ?x ;\n  }}", "text/csv")
    assert status == 400 and b"line 3" in body and b"^" in body
    # default-graph-uri restricts the default graph to one article graph
    status, _, body = get(server, f"SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE {{ ?st a <{KG}Statement> }}", "text/csv",
                          **{"default-graph-uri": "https://w3id.org/newskg/id/graph/article/doc2"})
    assert status == 200 and body.decode().splitlines()[1] == "2"


# ---------------------------------------------------------------- --allow-update
def test_allow_update(tmp_path):
    store = make_store(tmp_path / "store")
    srv = Server(store, "--allow-update", "--timeout", "5", "--workers", "1", "--update-token", UPDATE_TOKEN)
    try:
        ask = "ASK { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"
        assert json.loads(get(srv, ask, "application/sparql-results+json")[2])["boolean"] is False
        status, _, body = post_update(srv, "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
        assert status == 204, body
        # the running query worker reopens the store and sees the committed update
        assert json.loads(get(srv, ask, "application/sparql-results+json")[2])["boolean"] is True
        # so does a write by another process (kg build) while the server runs
        with KGStore.open(store) as w:
            w.ox.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:y"), ox.NamedNode("urn:z"),
                             ox.NamedNode("urn:g2")))
        assert json.loads(get(srv, "ASK { GRAPH ?g { <urn:x> <urn:y> <urn:z> } }",
                              "application/sparql-results+json")[2])["boolean"]
        status, _, body = post_update(srv, "LOAD <http://127.0.0.1:9/data.ttl>")
        assert status == 400 and b"LOAD" in body
        status, _, body = post_update(srv, "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        assert status == 400 and b"SERVICE" in body
    finally:
        log = srv.stop()
    assert "UPDATES ALLOWED" in log


def test_missing_store_exits_2(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--store", str(tmp_path / "none"),
                        "--port", str(free_port())], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "no kg store" in r.stderr


# ---------------------------------------------------------------- units (no server)
@pytest.mark.parametrize("text,found", [
    ("SELECT * WHERE { ?s ?p ?o }", []),
    ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", ["SERVICE"]),
    ("SELECT * WHERE { SeRvIcE<http://x/>{ ?s ?p ?o } }", ["SERVICE"]),
    ("# SERVICE <http://x/>\nSELECT * WHERE { ?s ?p 'SERVICE' }", []),
    ('SELECT * WHERE { ?s ?p """multi\nline SERVICE""" }', []),
    ("SELECT ?service WHERE { ?service <http://e/SERVICE> ex:service }", []),
    ("SELECT * WHERE { ?s ?p ?o } # comment\nSERVICE <http://x/> {}", ["SERVICE"]),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:a\\# ?o . SERVICE <http://x/> {} }", ["SERVICE"]),
    ("SELECT * { ?s ?p \"a\\\"SERVICE\" }", []),
    ("SELECT * { \\u0053\\u0045RVICE <http://x/> {} }", ["SERVICE"]),
    ("LOAD <http://x/data.ttl>", ["LOAD"]),
    ("INSERT DATA { <urn:a> <urn:b> 'LOAD' }", []),
])
def test_remote_keywords(text, found):
    assert remote_keywords(text) == found


def test_negotiate():
    assert negotiate("solutions", None) == "json"
    assert negotiate("graph", None) == "turtle"
    assert negotiate("solutions", "text/csv;q=0.5, text/tab-separated-values") == "tsv"
    assert negotiate("graph", "application/n-triples") == "ntriples"
    assert negotiate("graph", "*/*") == "turtle"
    assert negotiate("graph", "application/json", None) == "jsonld"
    assert negotiate("solutions", "text/csv", "xml") == "xml"  # the parameter wins
    assert negotiate("graph", None, "xml") == "rdfxml"
    assert negotiate("solutions", "text/csv", "bogus") == "csv"  # unknown parameter: Accept decides
    with pytest.raises(NotAcceptable):
        negotiate("solutions", "text/turtle")


@pytest.mark.skipif(not shutil.which("unshare") or not sys.platform.startswith("linux"), reason="Linux only")
def test_worker_sandbox_has_no_network():
    """The second layer: inside the worker's namespaces nothing is reachable, not even loopback."""
    code = ("import socket, sys\n"
            "from kg.serve import network_sandbox\n"
            "if not network_sandbox(): sys.exit(3)\n"
            "s = socket.socket(); s.settimeout(2)\n"
            "try:\n    s.connect(('127.0.0.1', %d))\nexcept OSError:\n    sys.exit(0)\nsys.exit(1)\n")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        r = subprocess.run([sys.executable, "-c", code % listener.getsockname()[1]], timeout=30,
                           env={**os.environ})
    if r.returncode == 3:
        pytest.skip("user/network namespaces are not available here")
    assert r.returncode == 0
