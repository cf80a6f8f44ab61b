"""The SPARQL guard (kg.sparql_guard) against a real listener on 127.0.0.1, real pyoxigraph,
real ``kg query`` and ``kg serve`` processes (issue 19, items 1, 4 and the limits of 5).

Every bypass below makes pyoxigraph connect to the listener when run straight on it (the
control test); through ``check()``, ``kg query`` and ``kg serve`` it is refused and the
listener sees no connection. Deep and long texts that crash pyoxigraph (the control runs
them in a child process and sees SIGSEGV) are refused before any engine sees them.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import handmade_graphs
from kg import query as kq
from kg import sparql_guard as g
from kg import write
from kg.paths import queries_dir
from kg.store import KGStore

ROOT = Path(__file__).resolve().parent.parent
_SCRIPT = Path(sys.executable).with_name("kg")
# The console script (its sys.path starts with bin/, never with the working directory).
KG = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-P", "-m", "kg.cli"]
G = "{ ?s ?p ?o }"

# {U}: the listener's SPARQL URL, {B}: its base URL. Each of these connects when run on pyoxigraph.
QUERY_BYPASSES = [
    # issue 19: the lexer read <'> as an IRI and the '#' in the string as a comment
    "SELECT * WHERE {{ BIND(1<'>#' AS ?z) SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ FILTER(1<'>#') SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ BIND(1<'''>#''' AS ?z) SERVICE <{U}> {G} }}",
    # SERVICE glued to a prefixed name: SERVICE then :sparql, or SERVICE then s:sparql
    "PREFIX : <{B}> SELECT * WHERE {{ SERVICE:sparql{G} }}",
    "PREFIX s: <{B}> SELECT * WHERE {{ SERVICEs:sparql{G} }}",
    # glued to the term before it
    "SELECT * WHERE {{ ?s ?p 1SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ ?s ?p 1e5SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ ?s ?p 1e+5SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ ?s ?p 1.5SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ ?s ?p 1.SERVICE <{U}> {G} }}",
    'SELECT * WHERE {{ ?s ?p "x"SERVICE <{U}> {G} }}',
    "SELECT * WHERE {{ ?s ?p 'x'SERVICE <{U}> {G} }}",
    'SELECT * WHERE {{ ?s ?p "x"@en SERVICE <{U}> {G} }}',
    "SELECT * WHERE {{ ?s ?p 'x'^^<http://www.w3.org/2001/XMLSchema#string>SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ ?s ?p trueSERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ ?s ?p <http://c>SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ ?s ?p [] SERVICE <{U}> {G} }}",
    # after '.', ';', '}', ')'; no spaces; case; tabs
    "SELECT * WHERE {{ ?s ?p ?o.SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ ?s ?p ?o;SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ {{?s ?p ?o}}SERVICE<{U}>{G} }}",
    "SELECT * WHERE {{ FILTER(true)SERVICE<{U}>{G} }}",
    "SELECT * WHERE {{ sErViCe <{U}> {G} }}",
    "SELECT * WHERE {{\tSERVICE\t<{U}>\t{G} }}",
    "SELECT * WHERE {{ ?s ?p 'x'. SERVICESILENT<{U}>{G} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{U}> {G} }}",
    # a comment ends at CR too
    "SELECT * WHERE {{ # c \rSERVICE <{U}> {G} }}",
    # strings and names with escapes before it
    "SELECT * WHERE {{ ?s ?p '\\''. SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ ?s ?p 'a\\\\'. SERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ ?s ?p '''a''b'''. SERVICE <{U}> {G} }}",
    "PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ex:a\\# ?o . SERVICE <{U}> {G} }}",
    # "\u0022" is '"' inside the string for Oxigraph; decoded first, it would open a long string
    'SELECT * WHERE {{ BIND("\\u0022" AS ?x) SERVICE <{U}> {G} }} # """) }}',
    # wherever it sits
    "SELECT * WHERE {{ {{ {{ SERVICE <{U}> {G} }} }} }}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{U}> {G} }} }} }}",
    "SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{U}> {G} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{U}> {G} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{U}> {G} }} }}",
    "SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{U}> {G} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{U}> {G} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE <{U}> {G} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o BIND(EXISTS {{ SERVICE <{U}> {G} }} AS ?b) }}",
    "SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{U}> {G} }} GROUP BY ?s HAVING(?n > 0)",
    "ASK {{ SERVICE <{U}> {G} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{U}> {G} }}",
    "DESCRIBE ?s WHERE {{ SERVICE <{U}> {G} }}",
    "BASE <{B}> SELECT * WHERE {{ SERVICE <sparql> {G} }}",
]
# Refused too, though pyoxigraph 0.5 does not connect (a syntax error for it today, or a
# variable endpoint it does not support).
QUERY_REFUSED_ALSO = [
    "SELECT * WHERE {{ \\u0053ERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ SERVIC\\u0045 <{U}> {G} }}",
    "SELECT * WHERE {{ # c \\u000ASERVICE <{U}> {G} }}",
    "SELECT * WHERE {{ VALUES ?e {{ <{U}> }} SERVICE ?e {G} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER(?o<?s)SERVICE<{U}>{G} }}",
    "SELECT * WHERE {{ []SERVICE <{U}> {G} }}",
]
UPDATE_BYPASSES = [
    "LOAD <{U}>",
    "LOAD SILENT <{U}> INTO GRAPH <http://g>",
    "load<{U}>",
    "PREFIX : <{B}> LOAD:x",
    "CLEAR ALL; LOAD <{U}>",
    "INSERT DATA {{ <http://a> <http://b> 1 }};LOAD<{U}>",
    "INSERT DATA {{ <http://a> <http://b> 'x' }} ; # c\nLOAD <{U}>",
    "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{U}> {G} }}",
    "DELETE {{ ?s ?p ?o }} WHERE {{ SERVICE <{U}> {G} }}",
    "WITH <http://g> DELETE {{ ?s ?p ?o }} WHERE {{ SERVICE <{U}> {G} }}",
]

# "service" (or "load") in strings, IRIs, variables, comments, prefixed names: allowed, and runs.
ALLOWED = [
    'PREFIX ex: <http://example.org/SERVICE#>\n# a SERVICE in a comment, and LOAD too\n'
    'SELECT ?service ?load WHERE {\n BIND ("SERVICE <http://x/> { }" AS ?service)\n'
    ' BIND ("""LOAD\n it""" AS ?load)\n FILTER (?service != <http://example.org/SERVICE/LOAD>)\n'
    ' OPTIONAL { ?service ex:service ex:LOAD }\n}',
    "SELECT * WHERE { ?s <http://example.org/service#name> ?o . ?o ?p 'customer service' }",
    "SELECT * WHERE { ?s <http://purl.org/service#Service> ?o }\n# SERVICE <http://x/> { }\n",
    "SELECT * WHERE { ?s <urn:service#x> ?o . { ?s ?p ?o } }",
    "PREFIX service: <http://e/> SELECT * WHERE { ?s service:name ?o }",
    "PREFIX services: <http://e/> SELECT * WHERE { services:a ?p ?o . { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'SERVICE <http://x> { }')) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3) # <SERVICE> {\n}",
    "SELECT ?service WHERE { ?service ?p ?o } ORDER BY ?service LIMIT 3",
    "SELECT * WHERE { ?s ?p '\\u0053ERVICE <x:> { }' }",
]


# ---------------------------------------------------------------- helpers
class Listener:
    """A TCP listener on 127.0.0.1 that accepts and counts connections."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.hits += 1
            conn.close()

    def fill(self, template: str) -> str:
        return template.format(U=f"http://127.0.0.1:{self.port}/sparql", B=f"http://127.0.0.1:{self.port}/", G=G)

    def settled_hits(self, wait: float = 0.3) -> int:
        """Connections seen, after giving a late one time to be accepted."""
        time.sleep(wait)
        return self.hits

    def wait_for(self, hits: int, timeout: float = 5.0) -> int:
        """Connections seen, once there are ``hits`` or the time is up."""
        deadline = time.monotonic() + timeout
        while self.hits < hits and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.hits

    def close(self):
        self._stop = True
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A real on-disk store holding the handmade articles (tests/conftest.py), read only here."""
    path = tmp_path_factory.mktemp("guard") / "store"
    with KGStore.open(path) as s:
        write.load_ontology(s)
        write.write_all(s, handmade_graphs())
    return path


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()


def plain_store() -> ox.Store:
    """An in-memory store whose quads make each bypass's SERVICE run (pyoxigraph joins lazily)."""
    st = ox.Store()
    a, b = ox.NamedNode("http://a"), ox.NamedNode("http://b")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    objects = [ox.NamedNode("http://c"), ox.Literal("x"), ox.Literal("x", language="en"), ox.Literal("'"),
               ox.Literal("a\\"), ox.Literal("a''b")]
    objects += [ox.Literal(v, datatype=ox.NamedNode(xsd + t))
                for v, t in [("1", "integer"), ("1e5", "double"), ("1.5", "decimal"), ("true", "boolean")]]
    for o in objects:
        st.add(ox.Quad(a, b, o))
    st.add(ox.Quad(a, ox.NamedNode("http://e/a#"), ox.Literal("x")))
    return st


def run_kg(*args, cwd=None, env=None, input=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *map(str, args)], cwd=cwd, env=env, input=input, capture_output=True, text=True,
                          timeout=timeout)


def crashes_pyoxigraph(text: str) -> int:
    """The exit status of a child process that runs ``text`` straight on pyoxigraph."""
    code = "import sys, pyoxigraph as ox\ntry: list(ox.Store().query(sys.stdin.read()))\nexcept Exception: pass\n"
    return subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True,
                          timeout=120).returncode


# ---------------------------------------------------------------- the bypasses
@pytest.mark.parametrize("template", QUERY_BYPASSES)
def test_listener_sees_the_bypass_run_straight_on_pyoxigraph(listener, template):
    """Control: without the guard, pyoxigraph really connects (so the tests below can fail)."""
    before = listener.settled_hits(0.05)
    try:
        res = plain_store().query(listener.fill(template))
        if not isinstance(res, ox.QueryBoolean):
            list(res)
    except (OSError, RuntimeError, SyntaxError, ValueError):
        pass  # the listener hangs up: pyoxigraph reports a failed request
    assert listener.wait_for(before + 1) > before


@pytest.mark.parametrize("template", UPDATE_BYPASSES)
def test_listener_sees_the_update_bypass_run_straight_on_pyoxigraph(listener, template):
    before = listener.settled_hits(0.05)
    try:
        plain_store().update(listener.fill(template))
    except (OSError, RuntimeError, SyntaxError, ValueError):
        pass
    assert listener.wait_for(before + 1) > before


@pytest.mark.parametrize("template", QUERY_BYPASSES + QUERY_REFUSED_ALSO)
def test_check_refuses_every_bypass_and_each_opinion_alone_does(listener, template):
    text = listener.fill(template)
    with pytest.raises(g.QueryRefused) as e:
        g.check(text)
    assert e.value.status == 400 and e.value.reason in ("remote", "unverified")
    # the lexer alone, and the parser alone (finding it, or refusing what it cannot parse)
    assert g.remote_keywords(text) == ["SERVICE"]
    try:
        assert g.parsed_remote_keywords(text) == ["SERVICE"]
    except g.QueryRefused as refused:
        assert refused.reason == "unverified"


@pytest.mark.parametrize("template", UPDATE_BYPASSES)
def test_check_refuses_every_update_bypass(listener, template):
    text = listener.fill(template)
    with pytest.raises(g.QueryRefused) as e:
        g.check(text, update=True)
    assert e.value.keyword in ("SERVICE", "LOAD")
    assert g.remote_keywords(text)
    assert g.parsed_remote_keywords(text, update=True)


def test_kg_query_refuses_every_bypass_with_no_connection(listener, store):
    """Each bypass through the real `kg query` (one process each, in-process and in the
    child of --timeout): exit 2, a one-line message, and no connection."""
    before = listener.settled_hits(0.05)
    for i, template in enumerate(QUERY_BYPASSES + QUERY_REFUSED_ALSO):
        args = ("query", "-", "--store", store, "--timeout", "0" if i % 2 else "20")
        r = run_kg(*args, input=listener.fill(template))
        assert r.returncode == 2, (template, r.stderr)
        assert r.stderr.startswith("kg: error: the query ") and "--allow-service" in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert listener.settled_hits() == before


FRAGMENTS = ["?s ?p ?o", "?s ?p ?o .", "BIND(1<'>#' AS ?z)", "FILTER(1<'>#')", "FILTER(1<'x#')", "?s ex:a\\# ?o .",
             "BIND('''a'b''' AS ?w)", "# comment", "# c '", "# c <", 'BIND("\\u0022" AS ?x)', "BIND('\\u0027' AS ?x2)",
             "{ ?s ?p ?o }", "OPTIONAL { ?s ?p ?o }", "?s ?p 1", "?s ?p 'x'", "?s ?p 'x'@en", "FILTER(?o<?s)",
             "BIND(<a'> AS ?q)", "BIND(1<2 AS ?y)", "FILTER(1 <= '#')", "?s ?p '#'", "?s ?p <http://c>", "?s ?p true",
             "?s ?p ?o ; ?p ?o", "BIND('\\\\' AS ?bs)", 'BIND("a\\"b" AS ?dq)', "?s ?p [] ", "VALUES ?v { 1 }",
             "FILTER(true)", 'BIND("""x\ny""" AS ?ml)', "BIND('<' AS ?lt)", "FILTER(?o<<http://x>)", "GRAPH ?g { ?s ?p ?o }"]
SERVICES = ["SERVICE <{U}> {G}", "SERVICE:s {G}", "SERVICEs:s {G}", "service <{U}> {G}", "SERVICESILENT<{U}>{G}",
            "SERVICE<{U}>{G}"]


def test_random_mixes_that_connect_are_all_refused(listener):
    """The probe as a test: fragments that confuse lexers, joined in random order around a
    SERVICE (seeded). Whenever pyoxigraph connects, check() refuses."""
    rng = random.Random(19)
    prefix = listener.fill("PREFIX : <{B}> PREFIX s: <{B}> PREFIX ex: <http://e/> SELECT * WHERE {{ ")
    connected = 0
    for _ in range(800):
        parts = [rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 4))]
        parts.insert(rng.randint(0, len(parts)), listener.fill(rng.choice(SERVICES)))
        text = prefix + "".join(p + rng.choice(["", " ", "\n", "\r", "\t", " . "]) for p in parts) + "\n}"
        before = listener.hits
        try:
            list(plain_store().query(text))
        except (OSError, RuntimeError, SyntaxError, ValueError):
            pass
        time.sleep(0.002)  # the listener has accepted by now: pyoxigraph got its hang-up
        if listener.hits > before:
            connected += 1
            with pytest.raises(g.QueryRefused):
                g.check(text)
    assert connected > 300


def test_the_lexer_catches_what_the_parser_reads_otherwise(listener):
    """rdflib reads `trueSERVICE:sparql` as one prefixed name (an object, then a group);
    Oxigraph reads `true`, the keyword SERVICE and `:sparql`, and connects."""
    text = listener.fill("PREFIX : <{B}> SELECT * WHERE {{ ?s ?p trueSERVICE:sparql {G} }}")
    before = listener.settled_hits(0.05)
    with pytest.raises(OSError):
        list(plain_store().query(text))
    assert listener.wait_for(before + 1) > before
    assert g.parsed_remote_keywords(text) == []
    assert g.remote_keywords(text) == ["SERVICE"]
    with pytest.raises(g.QueryRefused, match="uses SERVICE"):
        g.check(text)


def test_rdflib_alone_fails_on_the_bypass_and_our_copy_does_not():
    """rdflib's own ServiceGraphPattern re-searches the text with '#' comments ignored
    everywhere, strings included, and fails; the guard's copy of the grammar parses it."""
    from rdflib.plugins.sparql.parser import parseQuery

    text = "SELECT * WHERE { BIND('#' AS ?z) SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    with pytest.raises(Exception):
        parseQuery(text)
    assert g.parsed_remote_keywords(text) == ["SERVICE"]
    # rdflib ends comments at \n only; Oxigraph at \r too
    assert g.parsed_remote_keywords("SELECT * WHERE { # c \rSERVICE <x:> { } }") == ["SERVICE"]


# ---------------------------------------------------------------- what stays allowed
def test_service_in_strings_iris_variables_comments_is_allowed_and_runs(store):
    for text in ALLOWED:
        g.check(text)
        assert g.remote_keywords(text) == [] and g.parsed_remote_keywords(text) == [], text
        with KGStore.open(store, read_only=True) as kgs:
            kq.run_query(kgs, text, timeout=None)
    r = run_kg("query", "-", "--store", store, "--format", "json", input=ALLOWED[0])
    assert r.returncode == 0 and '"service"' in r.stdout, r.stderr


def test_unparsable_mention_is_refused_as_unverified():
    text = "SELECT * WHERE { ?s ?p 'service' . FILTER( }"
    with pytest.raises(g.QueryRefused, match="could not parse it") as e:
        g.check(text)
    assert e.value.reason == "unverified"
    with pytest.raises(g.QueryRefused, match="nests brackets"):  # the limits hold with allow_service
        g.check("SELECT * WHERE { FILTER(" + "(" * 150 + " }", allow_service=True)
    g.check(text, allow_service=True)  # the engine will report the syntax error


def test_named_queries_pass_far_below_the_limits():
    names = sorted(p.stem for p in queries_dir().glob("*.rq"))
    assert len(names) == 14
    for name in names:
        text = kq.find_query(name).text
        g.check(text)
        g.check(text + "\n# mentions service: parsed too\n")
        depth, chain = g.measure(text)
        assert depth <= g.MAX_DEPTH // 10 and chain <= g.MAX_CHAIN // 5, (name, depth, chain)


def test_values_block_of_thousands_of_iris_passes_and_runs(store):
    iris = " ".join(f"<https://w3id.org/newskg/id/service/{i}>" for i in range(3000))
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?x {{ {iris} }} }}"
    g.check(text)  # mentions "service": parsed too
    r = run_kg("query", "-", "--store", store, "--format", "csv", input=text)
    assert r.returncode == 0 and r.stdout.splitlines()[1] == "3000", r.stderr


# ---------------------------------------------------------------- limits
CRASHERS = {
    "nested 10,000 deep": "SELECT * WHERE { BIND(" + "(" * 10_000 + "1" + ")" * 10_000 + " AS ?x) }",
    "10,000-term UNION": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_000) + " }",
    "30,000-term ||": "SELECT * WHERE { FILTER(" + " || ".join(["?a"] * 30_000) + ") }",
    "30,000-step path": "SELECT * WHERE { ?s " + "|".join(["<http://e/p>"] * 30_000) + " ?o }",
    # the nesting hidden in what an IRI-first lexer takes for an IRI and a comment
    "nesting behind <'>#": "SELECT * WHERE { BIND(1<'>#' AS ?z) FILTER(" + "(" * 10_000 + " }",
}


@pytest.mark.parametrize("name", CRASHERS)
def test_crashing_sizes_never_reach_pyoxigraph(name, store):
    text = CRASHERS[name]
    assert crashes_pyoxigraph(text) == -signal.SIGSEGV  # control: straight on pyoxigraph
    with pytest.raises(g.QueryRefused) as e:
        g.check(text, allow_service=True)
    assert e.value.status == 400 and e.value.reason == "limit"
    # in-process: had pyoxigraph seen it, `kg query` itself would have died of SIGSEGV
    r = run_kg("query", "-", "--store", store, "--timeout", "0", "--allow-service", input=text)
    assert r.returncode == 2 and ("nests brackets" in r.stderr or "operators and group" in r.stderr), r.stderr


def test_limits_are_exact():
    def nested(n):  # '{', 'BIND(' and n - 2 parentheses
        return "SELECT ?x WHERE { BIND(" + "(" * (n - 2) + "1" + ")" * (n - 2) + " AS ?x) }"

    def chained(n):  # '{', FILTER and n - 2 '||'
        return "SELECT ?a WHERE { FILTER(" + " || ".join(["?a"] * (n - 1)) + ") }"

    assert g.measure(nested(g.MAX_DEPTH)) == (g.MAX_DEPTH, 3)  # '{', BIND, AS
    g.check(nested(g.MAX_DEPTH))
    with pytest.raises(g.QueryRefused, match="more than 100 deep"):
        g.check(nested(g.MAX_DEPTH + 1))
    assert g.measure(chained(g.MAX_CHAIN))[1] == g.MAX_CHAIN
    g.check(chained(g.MAX_CHAIN))
    with pytest.raises(g.QueryRefused, match="more than 500 operators"):
        g.check(chained(g.MAX_CHAIN + 1))
    long_text = "SELECT * WHERE { ?s ?p '" + "x" * g.MAX_QUERY_CHARS + "' }"
    with pytest.raises(g.QueryRefused, match="characters long"):
        g.check(long_text, allow_service=True)


def test_nesting_hidden_in_an_iri_look_alike_is_counted():
    """`?a <((((1)>2` is less-than then nested parentheses for pyoxigraph; the lexer reads
    both the IRI and the less-than readings and counts the deeper."""
    text = "SELECT * WHERE { FILTER(?a <" + "(" * 150 + "1)>2" + ")" * 150 + " }"
    assert g.measure(text)[0] > g.MAX_DEPTH
    with pytest.raises(g.QueryRefused, match="nests brackets"):
        g.check(text)
    # a real IRI with parentheses costs nothing: only the less-than reading opens them
    iris = " ".join(f"<http://dbpedia.org/resource/Paris_(page_{i})>" for i in range(1000))
    assert g.measure(f"SELECT ?x WHERE {{ VALUES ?x {{ {iris} }} }}") == (2, 3)  # '{', VALUES, '{'


def test_parser_is_kept_from_recursion_and_from_long_work():
    """A text at the depth limit that mentions SERVICE parses (rdflib needs ~4,000 frames);
    the process's recursion limit is restored; a text too costly to parse is refused."""
    before = sys.getrecursionlimit()
    text = "SELECT * WHERE { BIND(" + "STR(" * 98 + "'service'" + ")" * 98 + " AS ?x) }"
    g.check(text)
    assert sys.getrecursionlimit() == before
    many = "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ", ".join(f"'service {i}'" for i in range(3000)) + ")) }"
    with pytest.raises(g.QueryRefused, match="too large") as e:
        g.check(many)
    assert e.value.reason == "unverified"
    g.check(many, allow_service=True)


# ---------------------------------------------------------------- kg serve
@pytest.fixture(scope="module")
def update_server(tmp_path_factory):
    """`kg serve --allow-update` on a store of the handmade articles."""
    store = tmp_path_factory.mktemp("guard-serve") / "store"
    with KGStore.open(store) as s:
        write.load_ontology(s)
        write.write_all(s, handmade_graphs())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([*KG, "serve", "--store", str(store), "--port", str(port), "--allow-update",
                             "--timeout", "5", "--workers", "1", "--update-token", UPDATE_TOKEN],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.stderr.read()
        try:
            with urllib.request.urlopen(url + "/", timeout=2):
                break
        except OSError:
            assert time.monotonic() < deadline, "kg serve did not answer"
            time.sleep(0.1)
    proc.endpoint = url + "/sparql"
    yield proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    proc.stderr.close()


UPDATE_TOKEN = "guard-test-token"


def _post(srv, field: str, text: str) -> tuple[int, bytes]:
    """A query as a form, an update as an application/sparql-update body with the update token
    (kg serve refuses form-encoded updates before reading them)."""
    if field == "update":
        req = urllib.request.Request(srv.endpoint, data=text.encode(), method="POST", headers={
            "Content-Type": "application/sparql-update", "Authorization": f"Bearer {UPDATE_TOKEN}"})
    else:
        data = urllib.parse.urlencode({field: text}).encode()
        req = urllib.request.Request(srv.endpoint, data=data, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_serve_refuses_bypasses_and_crashers_with_400(listener, update_server):
    before = listener.settled_hits(0.05)
    for template in QUERY_BYPASSES[:6] + QUERY_REFUSED_ALSO[:1]:
        status, body = _post(update_server, "query", listener.fill(template))
        assert status == 400 and b"SERVICE" in body, body
    for template in UPDATE_BYPASSES:
        status, body = _post(update_server, "update", listener.fill(template))
        assert status == 400 and (b"LOAD" in body or b"SERVICE" in body), body
    for text in CRASHERS.values():
        status, body = _post(update_server, "query", text)
        assert status == 400 and (b"nests brackets" in body or b"operators and group" in body), body
    status, _ = _post(update_server, "query", "SELECT * WHERE { ?s ?p 'a service' } LIMIT 1")
    assert status == 200
    assert listener.settled_hits() == before


# ---------------------------------------------------------------- item 4: the working directory
HOSTILE_MODULES = ("inspect", "queue", "json", "kg", "pyoxigraph")


def hostile_cwd(tmp_path) -> tuple[Path, Path]:
    cwd, marks = tmp_path / "cwd", tmp_path / "marks"
    cwd.mkdir()
    marks.mkdir()
    for name in HOSTILE_MODULES:
        (cwd / f"{name}.py").write_text(f"open({str(marks / name)!r}, 'w').write('imported')\n", encoding="utf-8")
    return cwd, marks


def test_modules_in_the_working_directory_are_never_imported(tmp_path, store):
    cwd, marks = hostile_cwd(tmp_path)
    # control: `python -m`, as the query child was started, imports from the working directory
    subprocess.run([sys.executable, "-m", "kg.query"], cwd=cwd, capture_output=True, timeout=60)
    assert (marks / "kg").exists()
    (marks / "kg").unlink()

    env = dict(os.environ, KG_QUERIES=str(shutil.copytree(queries_dir(), tmp_path / "q")),
               KG_DATA=str(ROOT / "data"))
    r = run_kg("query", "-", "--store", store, "--timeout", "30", "--format", "csv", cwd=cwd, env=env,
               input="SELECT ?l WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 2")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 3, r.stderr
    r = run_kg("query", "--name", "quotes_by", "--param", "speaker=John Kirby", "--store", store,
               "--timeout", "30", "--format", "csv", cwd=cwd, env=env)
    assert r.returncode == 0 and "truce" in r.stdout, r.stderr
    assert sorted(p.name for p in marks.iterdir()) == []
