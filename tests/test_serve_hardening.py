"""``kg serve`` under attack and faults (issue 19): the real server process on a free loopback
port, real sockets and HTTP. Invalid inputs are refused before a worker sees them; a crashed or
out-of-memory worker costs one request; slow, silent and non-reading clients are dropped;
connections are capped; updates need a token and cannot come from another site; workers never
import code from the current directory; log lines are escaped."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

import pytest

from conftest import handmade_graphs
from kg import write
from kg.store import KGStore

KG_SCRIPT = str(Path(sys.executable).with_name("kg"))
COUNTRIES = "SELECT DISTINCT ?c WHERE { ?c a <https://w3id.org/newskg/ontology#Country> }"
TOKEN = "s3cret-update-token"
# one worker's address space doubles 25 times from 96 bytes: ~3 GB, far over any limit we set
CONCAT_CHAIN = ('SELECT ?n WHERE { BIND("' + "x" * 96 + '" AS ?a0) '
                + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(25))
                + " BIND(STRLEN(?a25) AS ?n) }")


def slow_query(tag: str) -> str:
    """A cartesian join that runs until the time limit (a comment makes each text distinct)."""
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }} # {tag}"


def make_store(path: Path) -> Path:
    with KGStore.open(path) as s:
        write.load_ontology(s)
        write.write_all(s, handmade_graphs())
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``kg serve`` (the installed console script, as a user runs it) with its log in a file."""

    def __init__(self, store: Path, *args: str, cwd: Path | None = None, log: Path | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoint = self.url + "/sparql"
        self.log_path = log or store.parent / f"serve-{self.port}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([KG_SCRIPT, "serve", "--store", str(store), "--port", str(self.port), *args],
                                     stdout=subprocess.DEVNULL, stderr=self._log, cwd=cwd)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kg serve exited {self.proc.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("kg serve did not answer within 60 s")
            time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_bytes().decode("utf-8", "replace")

    def workers(self) -> list[int]:
        """Pids of the server's worker processes."""
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    out.append(int(entry))
        return out

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()
        return self.log()


def http(method: str, url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 30):
    """(status, headers, body) without raising on 4xx/5xx."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def query(server: Server, text: str, source: str | None = None, **params):
    """POST a query; from the loopback address ``source`` (127.0.0.2, ...: another client) if given."""
    body = urllib.parse.urlencode({"query": text, **params}, doseq=True).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
    if source is None:
        return http("POST", server.endpoint, body, headers)
    conn = HTTPConnection("127.0.0.1", server.port, timeout=30, source_address=(source, 0))
    try:
        conn.request("POST", "/sparql", body, headers)
        r = conn.getresponse()
        return r.status, r.headers, r.read()
    finally:
        conn.close()


def ask(server: Server, text: str) -> bool:
    status, _, body = query(server, text)
    assert status == 200, body
    return json.loads(body)["boolean"]


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Does the server close the connection (EOF or reset) before ``seconds`` pass? (A guard
    against hanging, not a timing assertion: the server's limit is far shorter.)"""
    sock.settimeout(seconds)
    try:
        while True:
            if not sock.recv(65536):
                return True
    except socket.timeout:
        return False
    except OSError:
        return True


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("hardening") / "store")


@pytest.fixture(scope="module")
def server(store):
    srv = Server(store, "--timeout", "5", "--client-timeout", "1", "--max-result-mb", "8")
    yield srv
    srv.stop()


# ---------------------------------------------------------------- item 5: inputs validated before the engine
@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["not an iri", "relative/path", "", "http://x/\u0000"])
def test_invalid_graph_iri_is_400(server, param, value):
    status, _, body = query(server, COUNTRIES, **{param: value})
    assert status == 400, body
    assert param.encode() in body and b"IRI" in body
    assert query(server, COUNTRIES)[0] == 200
    assert "Traceback" not in server.log()


# ---------------------------------------------------------------- item 5: a crashed worker costs one request
def _busy_worker(server: Server, deadline: float) -> int:
    """The worker burning CPU (running the slow query)."""
    def ticks(pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])
        except OSError:
            return -1
    while time.monotonic() < deadline:
        first = {pid: ticks(pid) for pid in server.workers()}
        time.sleep(0.3)
        moved = [pid for pid in first if ticks(pid) - first[pid] > 5]
        if moved:
            return moved[0]
    raise AssertionError("no worker became busy")


def test_worker_crash_costs_only_that_request(store):
    srv = Server(store, "--timeout", "20", "--workers", "1")
    try:
        text = slow_query("crash")
        result = {}
        t = threading.Thread(target=lambda: result.update(ans=query(srv, text, source="127.0.0.2")))
        t.start()
        victim = _busy_worker(srv, time.monotonic() + 15)
        os.kill(victim, signal.SIGSEGV)  # what a stack overflow deep in the engine does
        t.join(timeout=30)
        status, _, body = result["ans"]
        assert status == 500
        assert b"crashed (SIGSEGV)" in body
        # other clients are served next (a spare worker was already started)
        for _ in range(3):
            assert query(srv, COUNTRIES)[0] == 200
        # the client that crashed a worker waits a moment before its next query
        status, headers, body = query(srv, COUNTRIES, source="127.0.0.2")
        assert status == 429 and int(headers["Retry-After"]) >= 1
        # the same query again (from another client) is refused without running: no worker dies twice
        pids = set(srv.workers())
        status, _, body = query(srv, text, source="127.0.0.3")
        assert status == 500 and b"refused without running" in body
        assert pids <= set(srv.workers())  # none of them died
        assert query(srv, COUNTRIES)[0] == 200
    finally:
        log = srv.stop()
    assert "Traceback" not in log


# ---------------------------------------------------------------- item 6: memory limit
def test_memory_limit_is_503_and_server_lives(store):
    srv = Server(store, "--timeout", "20", "--memory-limit", "512", "--workers", "1")
    try:
        status, _, body = query(srv, CONCAT_CHAIN, source="127.0.0.2")
        assert status == 503, body
        assert b"out of memory" in body and b"512 MB" in body
        assert query(srv, COUNTRIES)[0] == 200
        # the server logs the worker's peak once it has reaped it, which may come after the
        # answer (a loaded machine): wait for the line rather than race it
        deadline = time.monotonic() + 30
        while "ran out of memory;" not in srv.log() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        log = srv.stop()
    peak = [int(line.rsplit("peak RSS ", 1)[1].split()[0]) for line in log.splitlines() if "ran out of memory;" in line]
    assert peak and max(peak) <= 512


# ---------------------------------------------------------------- item 6: results, timeouts, connections, lanes
def test_result_over_the_cap_is_503(server):
    big = 'SELECT ?s ?pad WHERE { ?s ?p ?o . ?x ?y ?z BIND("' + "y" * 10000 + '" AS ?pad) } LIMIT 2000'
    status, _, body = query(server, big)
    assert status == 503
    assert b"8 MB" in body and b"--max-result-mb" in body


def test_non_reading_client_is_dropped(server):
    big = 'SELECT ?s ?pad WHERE { ?s ?p ?o . ?x ?y ?z BIND("' + "y" * 10000 + '" AS ?pad) } LIMIT 600'
    body = urllib.parse.urlencode({"query": big}).encode()
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"POST /sparql HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        deadline = time.monotonic() + 30
        while "client did not read" not in server.log() and time.monotonic() < deadline:
            assert query(server, COUNTRIES)[0] == 200  # others are served meanwhile
            time.sleep(0.2)
    assert "client did not read for 1 s: dropped" in server.log()


def test_slow_headers_half_open_and_short_body_are_closed(server):
    silent = socket.create_connection(("127.0.0.1", server.port))
    short = socket.create_connection(("127.0.0.1", server.port))
    short.sendall(b"POST /sparql HTTP/1.0\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 100000\r\n\r\nASK {}")
    slow = socket.create_connection(("127.0.0.1", server.port))
    stop = threading.Event()

    def drip():  # one header byte every 0.2 s: each read succeeds, the request never ends
        for ch in b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\nX-Slow: " + b"a" * 1000:
            if stop.is_set():
                return
            try:
                slow.send(bytes([ch]))
            except OSError:
                return
            time.sleep(0.2)

    threading.Thread(target=drip, daemon=True).start()
    try:
        assert closed_within(silent, 20)
        assert closed_within(short, 20)
        assert closed_within(slow, 20)
    finally:
        stop.set()
        for s in (silent, short, slow):
            s.close()
    assert query(server, COUNTRIES)[0] == 200


def test_connection_cap(store):
    srv = Server(store, "--max-connections", "4", "--client-timeout", "30")
    held = []
    try:
        for _ in range(4):
            held.append(socket.create_connection(("127.0.0.1", srv.port)))
        time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", srv.port)) as extra:
            extra.settimeout(20)
            reply = b""
            try:
                while chunk := extra.recv(4096):
                    reply += chunk
            except ConnectionResetError:
                pass
        assert reply.startswith(b"HTTP/1.0 503") and b"too many open connections" in reply
        for s in held:
            s.close()
        held.clear()
        deadline = time.monotonic() + 20
        while query(srv, COUNTRIES)[0] != 200:  # the slots free as the server notices the closes
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        for s in held:
            s.close()
        log = srv.stop()
    assert "refused 1 connection(s): 4 open" in log


def test_slow_queries_do_not_take_every_worker(store):
    """Two slow queries with --workers 1: the first moves to the slow lane (its worker replaced),
    the second is stopped when it turns slow (the slow lane holds one); simple queries are served
    all along instead of waiting for a worker."""
    srv = Server(store, "--timeout", "6", "--workers", "1")
    try:
        results = []
        threads = [threading.Thread(target=lambda i=i: results.append(query(srv, slow_query(f"lane {i}"))))
                   for i in range(2)]
        threads[0].start()
        time.sleep(1.0)
        threads[1].start()
        time.sleep(1.5)
        simple = [query(srv, COUNTRIES)[0] for _ in range(5)]
        for t in threads:
            t.join(timeout=30)
        assert simple == [200] * 5
        statuses = sorted(r[0] for r in results)
        bodies = b" ".join(r[2] for r in results)
        assert statuses == [503, 503]
        assert b"time limit" in bodies and b"slow queries" in bodies
    finally:
        srv.stop()


# ---------------------------------------------------------------- item 7: updates need a token, no cross-site writes
INSERT = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"
ASK_INSERTED = "ASK { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"


def test_cross_site_form_post_never_writes(tmp_path):
    srv = Server(make_store(tmp_path / "store"), "--allow-update", "--update-token", TOKEN, "--workers", "1")
    try:
        form = urllib.parse.urlencode({"update": INSERT}).encode()
        evil = {"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"}
        # what a page elsewhere can send without a preflight: a form post
        status, headers, body = http("POST", srv.endpoint, form, evil)
        assert status == 403 and b"form" in body
        assert "Access-Control-Allow-Origin" not in headers
        # a form is refused even with the token, a direct update without (or with a wrong) token too
        status, _, _ = http("POST", srv.endpoint, form, {**evil, "Authorization": f"Bearer {TOKEN}"})
        assert status == 403
        direct = {"Content-Type": "application/sparql-update"}
        assert http("POST", srv.endpoint, INSERT.encode(), direct)[0] == 401
        assert http("POST", srv.endpoint, INSERT.encode(), {**direct, "Authorization": "Bearer guess"})[0] == 401
        good = {**direct, "Authorization": f"Bearer {TOKEN}"}
        # a DNS-rebinding page reaches us under its own name; another origin; a cross-site fetch
        assert http("POST", srv.endpoint, INSERT.encode(), {**good, "Host": f"evil.example:{srv.port}"})[0] == 403
        assert http("POST", srv.endpoint, INSERT.encode(), {**good, "Origin": "http://evil.example"})[0] == 403
        assert http("POST", srv.endpoint, INSERT.encode(), {**good, "Sec-Fetch-Site": "cross-site"})[0] == 403
        assert ask(srv, ASK_INSERTED) is False
        # the CORS preflight never lets another origin send the token
        status, headers, _ = http("OPTIONS", srv.endpoint, headers={
            "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization"})
        assert "authorization" not in headers.get("Access-Control-Allow-Headers", "").lower()
        # the owner, with the token (same origin, or no Origin at all as curl sends): written
        status, headers, body = http("POST", srv.endpoint, INSERT.encode(),
                                     {**good, "Origin": f"http://127.0.0.1:{srv.port}"})
        assert status == 204, body
        assert "Access-Control-Allow-Origin" not in headers
        assert ask(srv, ASK_INSERTED) is True
        assert http("POST", srv.endpoint, b"CLEAR ALL", {**good, "Host": f"localhost:{srv.port}"})[0] == 204
        assert ask(srv, ASK_INSERTED) is False
    finally:
        srv.stop()


def test_generated_update_token_is_printed(tmp_path):
    srv = Server(make_store(tmp_path / "store"), "--allow-update", "--workers", "1")
    try:
        line = next(line for line in srv.log().splitlines() if "update token" in line)
        token = line.split("update token ", 1)[1].split()[0]
        assert len(token) >= 24
        headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"}
        assert http("POST", srv.endpoint, INSERT.encode(), headers)[0] == 204
        assert ask(srv, ASK_INSERTED) is True
    finally:
        srv.stop()


# ---------------------------------------------------------------- item 4: isolated workers
def test_queue_py_in_the_working_directory_is_never_imported(tmp_path, store):
    marker = tmp_path / "imported"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for name in ("queue", "select", "json", "kg"):  # modules a worker imports, shadowed in the cwd
        (cwd / f"{name}.py").write_text(f"open({str(marker)!r}, 'a').write({name!r} + '\\n')\n")
    srv = Server(store, "--workers", "1", cwd=cwd, log=tmp_path / "serve.log")
    try:
        assert query(srv, COUNTRIES)[0] == 200
    finally:
        srv.stop()
    assert not marker.exists(), marker.read_text()


# ---------------------------------------------------------------- item 9: log lines escaped
def test_log_escapes_control_characters(server):
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"GET /\x1b[2J\x1b[31mred\x07\x9b0m/sparql HTTP/1.0\r\n\r\n")  # ESC, BEL, C1 CSI
        s.settimeout(20)
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.0 404")
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"\x1b]0;owned\x07 / HTTP/1.0\r\n\r\n")  # an unknown method (stdlib's 501 path)
        s.settimeout(20)
        s.recv(4096)
    time.sleep(0.3)
    raw = server.log_path.read_bytes()
    assert b"\x1b" not in raw and b"\x07" not in raw and b"\xc2\x9b" not in raw
    assert "\\x1b[2J\\x1b[31mred\\x07\\x9b0m" in server.log()
