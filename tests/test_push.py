"""``kg push``: Graph Store Protocol upload to a real ``oxigraph serve`` on a free loopback port."""

from __future__ import annotations

import base64
import csv
import io
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import handmade_graphs
from kg import push as kp
from kg import write
from kg.cli import main
from kg.rdf import mint
from kg.store import KGStore

DOC1 = str(mint("graph", "doc1"))
DOC2 = str(mint("graph", "doc2"))
SUMMARY = "https://w3id.org/newskg/id/graph/summary"
ONTOLOGY = "https://w3id.org/newskg/id/graph/ontology"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    exe = Path(sys.executable).with_name("oxigraph")
    found = str(exe) if exe.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph server is not installed (pip install 'oxigraph>=0.5,<0.6', a test dependency)")
    return found


class Oxigraph:
    """``oxigraph serve --location TMP --bind 127.0.0.1:PORT``, read-write, in its own process."""

    def __init__(self, location: Path, wait: float = 30.0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.store_url = self.url + "/store"
        self.proc = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(location),
                                      "--bind", f"127.0.0.1:{self.port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + wait
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oxigraph exited: {self.proc.stderr.read().decode(errors='replace')}")
            try:
                self.select("ASK { }")
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"oxigraph did not answer within {wait} s") from None
                time.sleep(0.1)

    def select(self, query: str) -> list[dict]:
        data = urllib.parse.urlencode({"query": query}).encode()
        req = urllib.request.Request(self.url + "/query", data=data, headers={"Accept": "text/csv"})
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read().decode()
        if text.strip() in ("true", "false"):
            return [{"boolean": text.strip()}]
        return list(csv.DictReader(io.StringIO(text)))

    def graph_sizes(self) -> dict[str, int]:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {r["g"]: int(r["n"]) for r in rows}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


@pytest.fixture()
def oxigraph(tmp_path):
    server = Oxigraph(tmp_path / "remote")
    yield server
    server.stop()


def push(store, endpoint, *args):
    return CliRunner().invoke(main, ["push", "--store", str(store), "--endpoint", endpoint, *args],
                              catch_exceptions=False)


def local_sizes(store_path) -> dict[str, int]:
    with KGStore.open(store_path, read_only=True) as s:
        return {r["g"].value: int(r["n"].value) for r in s.ox.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}


def change_doc2_and_remove_doc1(store_path):
    g1, g2 = handmade_graphs()
    with KGStore.open(store_path) as s:
        write.write_article(s, replace(g2, article=replace(g2.article, title="Second report, updated")))
        write.remove_article(s, "doc1")
        write.refresh_summary(s)


# ---------------------------------------------------------------- against a real Oxigraph server
def test_push_per_graph_then_incremental(handmade_store, oxigraph):
    r = push(handmade_store, oxigraph.store_url)
    assert r.exit_code == 0, r.output
    assert "pushed 4 graph(s)" in r.output
    assert oxigraph.graph_sizes() == local_sizes(handmade_store)
    state = json.loads((handmade_store / "push-state.json").read_text())
    assert set(state["targets"][oxigraph.store_url]["graphs"]) == {DOC1, DOC2, SUMMARY, ONTOLOGY}

    r = push(handmade_store, oxigraph.store_url)  # nothing changed: nothing sent
    assert r.exit_code == 0
    assert "nothing to push, 4 graph(s) unchanged" in r.output

    change_doc2_and_remove_doc1(handmade_store)
    with KGStore.open(handmade_store, read_only=True) as s:
        report = kp.push(s, oxigraph.store_url)
    assert sorted(g for g, _ in report.sent) == [DOC2, SUMMARY]  # the changed article and the summary
    assert report.deleted == [DOC1]
    assert report.unchanged == 1  # the ontology
    assert oxigraph.graph_sizes() == local_sizes(handmade_store)
    rows = oxigraph.select(f"SELECT ?t WHERE {{ GRAPH <{DOC2}> {{ ?a <https://schema.org/headline> ?t }} }}")
    assert [r["t"] for r in rows] == ["Second report, updated"]

    r = push(handmade_store, oxigraph.store_url, "--all")  # --all: everything again
    assert "pushed 3 graph(s)" in r.output


def test_push_into_one_graph(handmade_store, oxigraph):
    target = "urn:example:kg"
    r = push(handmade_store, oxigraph.store_url, "--graph", target)
    assert r.exit_code == 0, r.output
    with KGStore.open(handmade_store, read_only=True) as s:
        n_union = len(list(s.ox.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }",
                                      use_default_graph_as_union=True)))
    assert oxigraph.graph_sizes() == {target: n_union}
    assert "nothing to push" in push(handmade_store, oxigraph.store_url, "--graph", target).output

    change_doc2_and_remove_doc1(handmade_store)
    r = push(handmade_store, oxigraph.store_url, "--graph", target)
    assert "pushed 1 graph(s)" in r.output
    # replaced, not merged: doc1's article node is gone from the target graph
    ask = oxigraph.select(f"ASK {{ GRAPH <{target}> {{ <https://w3id.org/newskg/id/article/doc1> ?p ?o }} }}")
    assert ask == [{"boolean": "false"}]


def test_state_is_per_endpoint(handmade_store, oxigraph, tmp_path):
    assert push(handmade_store, oxigraph.store_url).exit_code == 0
    other = Oxigraph(tmp_path / "remote2")
    try:
        r = push(handmade_store, other.store_url)
        assert "pushed 4 graph(s)" in r.output
        assert other.graph_sizes() == local_sizes(handmade_store)
    finally:
        other.stop()


# ---------------------------------------------------------------- failures (a scripted stub server)
class Stub:
    """A Graph Store endpoint on 127.0.0.1 answering a scripted list of statuses (then 204)."""

    def __init__(self, statuses=(), user=None, password=None):
        self.statuses = list(statuses)
        self.requests: list[tuple[str, str, dict]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                stub.requests.append((self.command, self.path, dict(self.headers)))
                status = stub.statuses.pop(0) if stub.statuses else 204
                if user is not None:
                    token = base64.b64encode(f"{user}:{password}".encode()).decode()
                    if self.headers.get("Authorization") != f"Basic {token}":
                        status = 401
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_POST = do_DELETE = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/store"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def stub_factory():
    made = []

    def make(*args, **kwargs):
        s = Stub(*args, **kwargs)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def test_authentication_failure_is_a_clear_error(handmade_store, stub_factory, monkeypatch):
    stub = stub_factory(user="alice", password="secret")
    r = push(handmade_store, stub.url, "--user", "alice", "--password", "wrong")
    assert r.exit_code == 1
    assert f"authentication failed for {stub.url}" in r.output
    assert len(stub.requests) == 1  # no retries on 401
    assert not (handmade_store / "push-state.json").exists()

    monkeypatch.setenv("KG_PUSH_USER", "alice")
    monkeypatch.setenv("KG_PUSH_PASSWORD", "secret")
    r = push(handmade_store, stub.url)
    assert r.exit_code == 0, r.output
    assert "pushed 4 graph(s)" in r.output


def test_transient_errors_are_retried(handmade_store, stub_factory):
    stub = stub_factory(statuses=[503, 502])
    with KGStore.open(handmade_store, read_only=True) as s:
        report = kp.push(s, stub.url, client=kp.Client(stub.url, backoff=0.01))
    assert len(report.sent) == 4
    assert [m for m, _, _ in stub.requests] == ["PUT"] * 6  # 2 failures + 4 graphs
    first = urllib.parse.parse_qs(urllib.parse.urlsplit(stub.requests[0][1]).query)["graph"]
    assert first == [DOC1]
    assert stub.requests[0][2]["Content-Type"] == "application/n-triples"


def test_gives_up_after_three_tries(handmade_store, stub_factory):
    stub = stub_factory(statuses=[204, 500, 500, 500])
    with KGStore.open(handmade_store, read_only=True) as s:
        with pytest.raises(kp.PushError, match="failed after 3 tries: HTTP 500"):
            kp.push(s, stub.url, client=kp.Client(stub.url, backoff=0.01))
    assert len(stub.requests) == 4
    # the graph that made it is remembered, the failed one is not
    state = json.loads((handmade_store / "push-state.json").read_text())
    assert set(state["targets"][stub.url]["graphs"]) == {DOC1}


def test_connection_refused_is_retried_then_fails(handmade_store):
    url = f"http://127.0.0.1:{free_port()}/store"
    with KGStore.open(handmade_store, read_only=True) as s:
        with pytest.raises(kp.PushError, match="failed after 2 tries: .*refused"):
            kp.push(s, url, client=kp.Client(url, tries=2, backoff=0.01))


def test_dry_run_sends_nothing(handmade_store, stub_factory):
    stub = stub_factory()
    r = push(handmade_store, stub.url, "--dry-run")
    assert r.exit_code == 0
    assert "would push 4 graph(s)" in r.output
    assert stub.requests == []
    assert not (handmade_store / "push-state.json").exists()


def test_push_refused_while_a_write_is_pending(handmade_store, oxigraph):
    """The graphs of a bulk write that did not finish are not pushed: push says so and exits 1;
    once a build (here kg.write.recover, which every build runs first) dropped them, push goes
    on - and never sends the writer's state graph."""
    from kg.rdf import STATE_GRAPH

    pending_graph = str(mint("graph", "half-written"))
    with KGStore.open(handmade_store) as s:
        s.apply(inserts=write._markers([pending_graph])
                + f"GRAPH <{pending_graph}> {{ <urn:x:a> <urn:x:b> <urn:x:c> . }}\n")
    r = push(handmade_store, oxigraph.store_url)
    assert r.exit_code == 1 and "1 article graph(s) of a write that did not finish" in r.output
    assert oxigraph.graph_sizes() == {}
    with KGStore.open(handmade_store) as s:
        assert write.recover(s) == [pending_graph]
        assert str(STATE_GRAPH) in {g.value for g in s.ox.named_graphs()}  # there, empty
    r = push(handmade_store, oxigraph.store_url)
    assert r.exit_code == 0, r.output
    assert set(oxigraph.graph_sizes()) == {DOC1, DOC2, SUMMARY, ONTOLOGY}
