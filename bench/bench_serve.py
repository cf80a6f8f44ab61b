#!/usr/bin/env python
"""``kg serve`` under the attacks of issue 19 (item 6), against a live server on 127.0.0.1.

The store: the 331 Wikinews articles of ``shared/news/wikinews`` (``--articles DIR``; found
next to the repository or through ``$KG_WIKINEWS``), else the first 200 articles of the bench
corpus; built once into ``out/bench/serve-store`` (``--store DIR`` to use another).
The server: ``kg serve`` with its defaults (``--workers 2``, ``--memory-limit 1024``,
``--timeout 10``, ``--max-connections 128``) but ``--client-timeout 5`` (shorter waits here).

* memory: the two queries that grew a worker to ~3.8 GB (ORDER BY over a cartesian product,
  a CONCAT doubling chain), each sent once; the worker's peak RSS (the kernel's rusage, from
  the server's log line "worker N ran out of memory; peak RSS M MB") against the limit, the
  status, and a simple query afterwards.
* non-reading clients: 20 raw sockets each send a query with a ~20 MB result and never read;
  the server process's RSS (without its workers) before, at its peak while they are
  connected, and whether they were dropped after the client timeout.
* fairness: two clients send a slow query (a 3-way cartesian join, stopped at the time limit)
  over and over, each a different text (a comment with a counter); meanwhile one client sends
  a simple query every 20 ms for ``--seconds``: its p50/p99 latency and statuses.
* crashing queries: one client sends queries nested 10,000 deep (each a different text) over
  and over - they segfault a worker unless the SPARQL guard refuses them first (400) - while
  another sends simple queries: the simple query's p50/p99 and statuses, the crashers' statuses.

The attackers connect from 127.0.0.2 and 127.0.0.3, the well-behaved client from 127.0.0.1:
the server tells clients apart by address (round-robin queue, the wait after a crash).
* half-open connections: 2,000 sockets connect and send nothing (plus one slow-header client
  and one with a body shorter than its Content-Length): how many the server answered 503 at
  once (over the connection cap), its thread count, and how many it had closed by the
  client timeout + 2 s.

``--load``: the load run instead (issue 18). The store: a build of the Wikinews articles
(``--articles DIR``) less the last ``--held-out`` (60) by name, grown to ``--target`` quads
(1,000,000; ``--quick`` 150,000) by bench_query.make_store's renamed copies, summary computed and
marked current. ``kg serve`` with its defaults; ``--clients`` (16) clients, each from its own
loopback address, for ``--seconds`` (60; ``--quick`` 20): one sends a slow query (3-way cartesian
join) over and over, each stopped at the 10 s time limit (intended 503s); the others send, with no
pause (1 s after a 429 or a "try again"), requests drawn (seeded) from the store: 60 % named queries of queries/ with random
parameters (entities in >= 2 articles, quoted people, statement ends; written into the text as
literals, as an HTTP client would: checked first to give the rows of ``kg query --param``), 25 %
entity pages, 15 % search pages. Meanwhile ``kg build`` adds the held-out articles, 10 a run,
one run after the other. Before the run one client alone for 10 s (5 s quick): the service time
without queueing. Printed: throughput; p50/p99 per kind (and per named query); errors other
than the intended time-outs; the server process's RSS every 0.5 s (last 10 s against the first
10 s after a 10 s warm-up); CPU of the server and its workers; the builds and the article count
the server answered before, at the end and after them; the load average.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (KG, OUT, ROOT, Figure, add_common_args, corpus, emit, fmt_s, fresh_dir,  # noqa: E402
                    ratio_shown, run_timed)

MEMORY_LIMIT_MB = 1024
CLIENT_TIMEOUT = 5.0
MAX_CONNECTIONS = 128
SIMPLE = "SELECT ?s WHERE { ?s a ?t } LIMIT 5"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ORDER_BY_CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


def concat_chain(steps: int = 26) -> str:
    binds = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(steps - 1))
    return f'SELECT ?n WHERE {{ BIND("{"x" * 96}" AS ?a0) {binds} BIND(STRLEN(?a{steps - 1}) AS ?n) }}'


def big_result(pad: int = 20000, rows: int = 1000) -> str:
    """About 1,000 rows of ~20 KB each in SPARQL JSON: ~20 MB, answered in ~0.3 s."""
    return f'SELECT ?s ?pad WHERE {{ ?s ?p ?o BIND("{"y" * pad}" AS ?pad) }} LIMIT {rows}'


# ---------------------------------------------------------------- store and server
def wikinews(arg: str | None) -> Path | None:
    for cand in (arg, os.environ.get("KG_WIKINEWS"), ROOT.parent / "shared/news/wikinews",
                 ROOT.parent.parent / "shared/news/wikinews"):
        if cand and Path(cand).is_dir():
            return Path(cand)
    return None


def build_store(args) -> Path:
    if args.store:
        return Path(args.store)
    store = OUT / "serve-store"
    if (store / "oxigraph").exists():
        return store
    src = wikinews(args.articles)
    if src is None:
        src = corpus(200, args.seed)
    print(f"[store] building {store} from {src} ...", file=sys.stderr, flush=True)
    shutil.rmtree(store, ignore_errors=True)
    subprocess.run([KG, "build", "--store", str(store), "--no-progress", str(src)], check=True,
                   stdout=subprocess.DEVNULL)
    return store


class Server:
    def __init__(self, store: Path, log: Path, *args: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}/sparql"
        self.log_path = log
        self._log = open(log, "w")
        self.proc = subprocess.Popen([KG, "serve", "--store", str(store), "--port", str(self.port), *args],
                                     stdout=subprocess.DEVNULL, stderr=self._log)
        end = time.monotonic() + 60
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise SystemExit(f"kg serve exited: {log.read_text()}")
            if query(self.endpoint, SIMPLE, timeout=2)[0] == 200:
                return
            time.sleep(0.1)
        raise SystemExit("kg serve did not answer within 60 s")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def rss(self) -> int:
        import psutil

        return psutil.Process(self.proc.pid).memory_info().rss

    def threads(self) -> int:
        import psutil

        return psutil.Process(self.proc.pid).num_threads()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def query(endpoint: str, text: str, timeout: float = 60, source: str = "127.0.0.1") -> tuple[int, float, bytes]:
    """(status, seconds, body) of a POSTed query, sent from the loopback address ``source``: the
    attackers use 127.0.0.2/.3, the well-behaved client 127.0.0.1 (the server tells clients
    apart by address)."""
    url = urllib.parse.urlsplit(endpoint)
    body = urllib.parse.urlencode({"query": text}).encode()
    t = time.monotonic()
    conn = HTTPConnection(url.hostname, url.port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("POST", url.path, body, {"Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        return r.status, time.monotonic() - t, r.read()
    except OSError as e:
        return 0, time.monotonic() - t, str(e).encode()
    finally:
        conn.close()


def raw_request(port: int, text: str) -> bytes:
    body = urllib.parse.urlencode({"query": text}).encode()
    return (f"POST /sparql HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def closed_by_server(sock: socket.socket) -> bool:
    """Has the server closed this connection (EOF or reset; a pending 503 is read first)?"""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


# ---------------------------------------------------------------- the attacks
def attack_memory(srv: Server, figures) -> None:
    peaks, statuses = [], []
    for source, name, text in (("127.0.0.2", "ORDER BY over a cartesian product", ORDER_BY_CARTESIAN),
                               ("127.0.0.3", "CONCAT doubling chain", concat_chain())):
        before = srv.log()
        status, secs, body = query(srv.endpoint, text, source=source)
        time.sleep(0.5)
        new = srv.log()[len(before):]
        m = re.findall(r"ran out of memory; peak RSS (\d+) MB", new)
        peak = int(m[-1]) if m else None
        peaks.append(peak or 0)
        statuses.append(status)
        print(f"  {name}: {status} in {secs:.2f} s, worker peak RSS {peak} MB: {body.decode(errors='replace')[:90]}")
    after = query(srv.endpoint, SIMPLE)
    worst = max(peaks)
    emit(Figure("serve_worker_peak_rss", "kg serve: worker peak RSS, memory attacks", worst, f"{worst} MB",
                f"<= {MEMORY_LIMIT_MB} MB (--memory-limit)", 0 < worst <= MEMORY_LIMIT_MB,
                f"ORDER BY cartesian {peaks[0]} MB, CONCAT chain {peaks[1]} MB (issue 19: ~3.8 GB without a limit); "
                f"statuses {statuses}; "
                f"a simple query next: {after[0]} in {fmt_s(after[1])}"), figures)


def attack_nonreading(srv: Server, figures, n: int = 20) -> None:
    text = big_result()
    status, secs, body = query(srv.endpoint, text)
    size = len(body)
    base = srv.rss()
    before = srv.log().count("client did not read")
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(raw_request(srv.port, text))
        socks.append(s)
    peak, started, t0 = base, 0, time.monotonic()
    dropped_at = None
    while time.monotonic() - t0 < 3 * CLIENT_TIMEOUT + 30:
        peak = max(peak, srv.rss())
        if started < n:  # how many responses have begun (the server has the whole answer by then)
            started = sum(1 for s in socks if _peek(s))
        if srv.log().count("client did not read") - before >= n:
            dropped_at = time.monotonic() - t0
            break
        time.sleep(0.1)
    peak = max(peak, srv.rss())
    for s in socks:
        s.close()
    ok = query(srv.endpoint, SIMPLE)
    grow = (peak - base) / 2**20
    emit(Figure("serve_rss_nonreading", f"kg serve: server RSS with {n} non-reading clients", peak / 2**20,
                f"{peak / 2**20:.0f} MB", "bounded (no result held in memory)", grow < 64 and dropped_at is not None,
                f"before {base / 2**20:.0f} MB, growth {grow:.0f} MB; each got a {size / 2**20:.1f} MB result "
                f"({status}, {fmt_s(secs)}; {n * size / 2**20:.0f} MB together, spooled to temporary files); "
                + (f"all {n} dropped {dropped_at:.1f} s after sending" if dropped_at else f"NOT all dropped ({started} began)")
                + f" (--client-timeout {CLIENT_TIMEOUT:g}); a simple query next: {ok[0]}"), figures)


def _peek(sock: socket.socket) -> bool:
    try:
        return bool(sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except BlockingIOError:
        return False
    except OSError:
        return True


def attack_fairness(srv: Server, figures, seconds: float) -> None:
    stop = threading.Event()
    slow = []

    def attacker(i: int) -> None:
        k = 0
        while not stop.is_set():
            k += 1
            slow.append(query(srv.endpoint, f"{SLOW} # {i}-{k}", source=f"127.0.0.{2 + i}")[:2])

    threads = [threading.Thread(target=attacker, args=(i,), daemon=True) for i in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    lat, codes = [], {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status, secs, _ = query(srv.endpoint, SIMPLE)
        lat.append(secs)
        codes[status] = codes.get(status, 0) + 1
        time.sleep(0.02)
    stop.set()
    for t in threads:
        t.join()
    lat.sort()
    p50, p99 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    slow_codes = {}
    for st, _ in slow:
        slow_codes[st] = slow_codes.get(st, 0) + 1
    note = (f"{len(lat)} simple queries in {seconds:g} s, statuses {codes}, max {fmt_s(lat[-1])}; "
            f"slow queries {slow_codes} (503 = stopped at the 10 s limit)")
    emit(Figure("serve_p50_slow", "kg serve: simple query p50 while 2 slow queries run", p50, fmt_s(p50),
                "report", None, note), figures)
    emit(Figure("serve_p99_slow", "kg serve: simple query p99 while 2 slow queries run", p99, fmt_s(p99),
                "<= 1 s", p99 <= 1.0 and set(codes) == {200}, note), figures)


def attack_crashers(srv: Server, figures, seconds: float) -> None:
    stop = threading.Event()
    bad = {}

    def crasher() -> None:
        k = 0
        while not stop.is_set():
            k += 1
            text = f"SELECT * WHERE {'{' * 10000}{'}' * 10000} # {k}"
            status = query(srv.endpoint, text, source="127.0.0.2")[0]
            bad[status] = bad.get(status, 0) + 1
            if status == 429:
                time.sleep(0.05)

    t = threading.Thread(target=crasher, daemon=True)
    t.start()
    time.sleep(0.2)
    lat, codes = [], {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status, secs, _ = query(srv.endpoint, SIMPLE)
        lat.append(secs)
        codes[status] = codes.get(status, 0) + 1
        time.sleep(0.02)
    stop.set()
    t.join()
    lat.sort()
    p50, p99 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    emit(Figure("serve_p99_crashers", "kg serve: simple query p99 while a client sends crashing queries", p99,
                fmt_s(p99), "<= 1 s", p99 <= 1.0 and set(codes) == {200},
                f"p50 {fmt_s(p50)}, max {fmt_s(lat[-1])}, {len(lat)} simple queries in {seconds:g} s, statuses {codes}; "
                f"the crashing client (another address) got {bad} (500 = the worker crashed and was replaced, "
                "429 = told to wait: 1 s after its first crash, doubling, 400 = refused by the guard)"), figures)


def attack_halfopen(srv: Server, figures, n: int = 2000) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 200), hard))
    socks = []
    t0 = time.monotonic()
    for _ in range(n):
        try:
            socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=5))
        except OSError:
            break
    # one client that sends its headers a byte a second, one with a body shorter than its Content-Length
    slowh = socket.create_connection(("127.0.0.1", srv.port))
    short = socket.create_connection(("127.0.0.1", srv.port))
    short.sendall(b"POST /sparql HTTP/1.0\r\nContent-Type: application/sparql-query\r\nContent-Length: 100000\r\n\r\nASK {}")

    def drip():
        for ch in b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\nX-Slow: " + b"a" * 100:
            try:
                slowh.send(bytes([ch]))
            except OSError:
                return
            time.sleep(1)

    threading.Thread(target=drip, daemon=True).start()
    connected = time.monotonic()  # SYNs over the listen backlog are retried by the kernel: this takes a while
    time.sleep(0.5)
    threads = srv.threads()
    during = query(srv.endpoint, SIMPLE, timeout=30)
    refused = sum(closed_by_server(s) for s in socks)
    closed, waited = refused, 0.0
    while time.monotonic() - connected < 3 * CLIENT_TIMEOUT:
        time.sleep(0.5)
        closed = sum(closed_by_server(s) for s in socks)
        waited = time.monotonic() - connected
        if closed == len(socks):
            break
    slow_closed, short_closed = closed_by_server(slowh), closed_by_server(short)
    for s in [*socks, slowh, short]:
        s.close()
    time.sleep(0.5)
    after = query(srv.endpoint, SIMPLE)
    emit(Figure("serve_halfopen_dropped", f"kg serve: {n} half-open connections closed by the server",
                closed, f"{closed} of {len(socks)}, {waited:.1f} s after the last connect",
                "all, after the client timeout",
                closed == len(socks) and slow_closed and short_closed,
                f"connecting took {connected - t0:.1f} s; {refused} refused at once (503, over --max-connections "
                f"{MAX_CONNECTIONS}), the rest dropped at "
                f"--client-timeout {CLIENT_TIMEOUT:g} s; slow-header client closed: {slow_closed}, short body "
                f"under a long Content-Length closed: {short_closed}; server threads during the flood {threads}; "
                f"a simple query during it: {during[0]} in {fmt_s(during[1])}, after: {after[0]}"), figures)


# ---------------------------------------------------------------- the load run (--load)
SUMMARY_IRI = "https://w3id.org/newskg/id/graph/summary"
ID_PREFIX = "https://w3id.org/newskg/id/"
ARTICLES_COUNT = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SUMMARY_IRI}> "
                  "{ ?a <https://w3id.org/newskg/ontology#docId> ?d } }")
_PROTECTED = re.compile(r"(\bSELECT\b.*?\bWHERE\b|\bGROUP\s+BY\b[^\n]*)", re.S | re.I)


def bind_in_text(text: str, params: dict[str, str]) -> str:
    """A named query with its parameters written into the text, as an HTTP client sends it (the
    endpoint has no substitutions): each ``?param`` of the query's patterns and filters becomes
    the string literal (escaped by Oxigraph); SELECT projections and GROUP BY keep the variable
    (unbound in the answer, so the row count is the same as with ``kg query --param``)."""
    import pyoxigraph as ox

    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    parts = _PROTECTED.split(body)
    for name, value in params.items():
        lit = str(ox.Literal(value))
        pat = re.compile(r"[?$]" + re.escape(name) + r"\b")
        parts = [p if i % 2 else pat.sub(lambda _: lit, p) for i, p in enumerate(parts)]
    return "".join(parts)


def split_articles(src: Path, held_out: int) -> tuple[Path, list[Path]]:
    """The .txt articles of ``src`` (sorted by name) less the last ``held_out``, copied to a folder of
    out/bench/ (the base build's input), and the held-out files (what the build adds under load)."""
    files = sorted(p for p in src.iterdir() if p.suffix == ".txt" and p.is_file())
    if len(files) <= held_out:
        raise SystemExit(f"{src}: {len(files)} articles, need more than --held-out {held_out}")
    base, rest = files[:-held_out], files[-held_out:]
    folder = OUT / "load-base-articles"
    have = sorted(p.name for p in folder.glob("*")) if folder.exists() else []
    if have != [p.name for p in base]:
        fresh_dir(folder).mkdir()
        for p in base:
            shutil.copy2(p, folder / p.name)
        shutil.rmtree(OUT / "load-base-store", ignore_errors=True)  # built from other articles
    return folder, rest


def base_store(folder: Path, workers: int) -> Path:
    """A build of ``folder`` into out/bench/load-base-store (kept: a second build of the same
    articles skips them all)."""
    store = OUT / "load-base-store"
    print(f"[load] base store: kg build {folder} -> {store}", file=sys.stderr, flush=True)
    t = time.perf_counter()
    run_timed([KG, "-q", "build", "--store", str(store), "--workers", str(workers), "--no-progress", str(folder)])
    print(f"[load] base store ready in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    return store


def load_plan(store: Path, seed: int, k: int = 400) -> dict:
    """What the clients ask, drawn (seeded) from the store: parameter sets for the named queries
    (bench_query.sample_params: entities in >= 2 articles, quoted people, statement ends), entity
    IRIs for pages, search texts (3 - 6 first letters of labels). Also checks, on a few parameter
    sets, that a query with its parameters written into the text (:func:`bind_in_text`) has the
    rows of the same query with the parameters bound (``kg query --param``)."""
    import random

    from bench_query import sample_params
    from kg.query import list_queries, run_query, select_params
    from kg.store import KGStore

    rng = random.Random(seed)
    with KGStore.open(store, read_only=True) as s:
        params = sample_params(s, k, seed)
        ents = sorted(str(r[0].value) for r in s.ox.query(
            f"SELECT ?e WHERE {{ GRAPH <{SUMMARY_IRI}> {{ ?e <https://w3id.org/newskg/ontology#mentionCount> ?m }} }}"))
        labels = sorted(str(r[0].value) for r in s.ox.query(
            f"SELECT ?l WHERE {{ GRAPH <{SUMMARY_IRI}> {{ ?e <https://w3id.org/newskg/ontology#mentionCount> ?m ; "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?l } } LIMIT 50000"))
        queries = list_queries()
        mismatches = []
        for nq in queries:
            for p in params[:3] if nq.params else params[:1]:
                used, _ = select_params(nq, p)
                want = len(run_query(s, nq.text, used, timeout=None))
                got = len(run_query(s, bind_in_text(nq.text, used), timeout=None))
                if want != got:
                    mismatches.append(f"{nq.name} {used}: {got} rows, bound {want}")
    if mismatches:
        raise SystemExit("parameters written into the text change the answer: " + "; ".join(mismatches))
    ents = [e for e in ents if e.isascii() and e.startswith(ID_PREFIX)]
    pages = ["/entity/" + e[len(ID_PREFIX):] for e in rng.sample(ents, min(k, len(ents)))]
    searches = []
    for label in rng.sample(labels, min(k, len(labels))):
        word = label.strip()[:rng.randint(3, 6)]
        if word:
            searches.append("/search?" + urllib.parse.urlencode({"q": word}))
    return {"params": params, "queries": queries, "pages": pages, "searches": searches}


def load_requests(plan: dict, seed: int, n: int = 20000) -> list[tuple[str, str | None, str]]:
    """``n`` requests (kind, query name, query text or page path), drawn (seeded) from the plan:
    60 % named queries (uniformly among queries/; parameters drawn from the plan's sets),
    25 % entity pages, 15 % search pages."""
    import random

    from kg.query import select_params

    rng = random.Random(seed)
    requests = []
    for _ in range(n):
        r = rng.random()
        if r < 0.6:
            nq = rng.choice(plan["queries"])
            used, _ = select_params(nq, rng.choice(plan["params"]))
            requests.append(("named", nq.name, bind_in_text(nq.text, used)))
        elif r < 0.85 and plan["pages"]:
            requests.append(("entity page", None, rng.choice(plan["pages"])))
        elif plan["searches"]:
            requests.append(("search page", None, rng.choice(plan["searches"])))
    return requests


def get(port: int, path: str, source: str, accept: str = "text/html", timeout: float = 60) -> tuple[int, float, bytes]:
    t = time.monotonic()
    conn = HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", path, headers={"Accept": accept})
        r = conn.getresponse()
        return r.status, time.monotonic() - t, r.read()
    except OSError as e:
        return 0, time.monotonic() - t, str(e).encode()
    finally:
        conn.close()


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))] if xs else float("nan")


class Builder(threading.Thread):
    """``kg build`` of the held-out articles into the served store, ``batch`` articles a run, one
    run after the other until told to stop (the run going on then is let finish)."""

    def __init__(self, store: Path, files: list[Path], batch: int):
        super().__init__(daemon=True)
        self.store, self.files, self.batch = store, files, batch
        self.stop = threading.Event()
        self.runs: list[tuple[float, float, int, int, str]] = []  # (start, wall, articles, exit, stderr tail)

    def run(self) -> None:
        t0 = time.monotonic()
        for i in range(0, len(self.files), self.batch):
            if self.stop.is_set():
                return
            chunk = self.files[i:i + self.batch]
            folder = fresh_dir(OUT / "load-build-batch")
            folder.mkdir()
            for p in chunk:
                shutil.copy2(p, folder / p.name)
            t = time.monotonic()
            res = subprocess.run([KG, "-q", "build", "--store", str(self.store), "--workers", "1", "--no-progress",
                                  str(folder)], capture_output=True, text=True)
            self.runs.append((t - t0, time.monotonic() - t, len(chunk), res.returncode, res.stderr.strip()[-300:]))


def load_run(args, figures) -> None:
    import psutil

    from bench_query import make_store
    from kg.summary import mark_current
    from kg.store import KGStore

    quick = args.quick
    seconds = args.seconds or (20.0 if quick else 60.0)
    target = args.target or (150_000 if quick else 1_000_000)
    held_out = args.held_out or 60
    src = Path(args.articles) if args.articles else wikinews(None)
    if src is None:
        raise SystemExit("no articles: --articles DIR (or $KG_WIKINEWS)")
    folder, later = split_articles(src, held_out)
    base = base_store(folder, 2)
    t = time.perf_counter()
    store, nquads, copies = make_store(base, target, "load-store")
    with KGStore.open(store, read_only=True) as s:  # the summary make_store computed is this kg's
        mark_current(s)
    print(f"[load] store {store}: {nquads:,} quads = {copies} renamed copies of {len(list(folder.iterdir()))} "
          f"articles' graphs, made in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    requests = load_requests(load_plan(store, args.seed), args.seed)

    OUT.mkdir(parents=True, exist_ok=True)
    srv = Server(store, OUT / "serve-load.log")
    clients = args.clients
    results: list[tuple[str, str | None, int, float, float, bytes]] = []  # kind, name, status, start, secs, body
    rss: list[tuple[float, int, int]] = []
    stop = threading.Event()
    load0 = os.getloadavg()
    builder = Builder(store, later, max(1, min(10, held_out // 6)))
    try:
        before = query(srv.endpoint, ARTICLES_COUNT)
        n_before = int(re.search(rb'"value":"(\d+)"', before[2]).group(1))
        proc = psutil.Process(srv.proc.pid)
        # one client alone first (no build, no slow query): the service time, without queueing
        alone: dict[str, list[float]] = {}
        end = time.monotonic() + (5.0 if quick else 10.0)
        for kind, _name, what in requests[len(requests) // 2:]:
            if time.monotonic() > end:
                break
            st, secs, _ = query(srv.endpoint, what) if kind == "named" else get(srv.port, what, "127.0.0.1")
            alone.setdefault(kind, []).append(secs)
        cpu0 = _tree_cpu(proc)
        t0 = time.monotonic()

        def sampler() -> None:
            while not stop.is_set():
                try:
                    kids = sum(c.memory_info().rss for c in proc.children(recursive=True))
                    rss.append((time.monotonic() - t0, proc.memory_info().rss, kids))
                except psutil.Error:
                    pass
                stop.wait(0.5)

        def client(i: int) -> None:
            source = f"127.0.0.{10 + i}"  # each client its own address (the server's queue is per address)
            k = i
            while not stop.is_set():
                if i == 0:  # the slow client: a 3-way cartesian join, stopped at the time limit
                    k += 1
                    st, secs, body = query(srv.endpoint, f"{SLOW} # {k}", source=source)
                    results.append(("slow (time limit)", None, st, time.monotonic() - t0 - secs, secs, body[:200]))
                    continue
                kind, name, what = requests[k % len(requests)]
                k += clients
                if kind == "named":
                    st, secs, body = query(srv.endpoint, what, source=source)
                else:
                    st, secs, body = get(srv.port, what, source)
                results.append((kind, name or what, st, time.monotonic() - t0 - secs, secs, body[:200]))
                if st in (429, 503) and b"try again" in body or st == 429:  # told to wait: as a client would
                    time.sleep(1.0)

        threads = [threading.Thread(target=sampler, daemon=True)]
        threads += [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
        builder.start()
        for th in threads:
            th.start()
        time.sleep(seconds)
        stop.set()
        builder.stop.set()
        for th in threads:
            th.join(timeout=60)
        load1 = os.getloadavg()
        cpu = [b - a for a, b in zip(cpu0, _tree_cpu(proc))]
        mid = query(srv.endpoint, ARTICLES_COUNT)
        n_mid = int(re.search(rb'"value":"(\d+)"', mid[2]).group(1))
        builder.join(timeout=600)
        time.sleep(1)
        after = query(srv.endpoint, ARTICLES_COUNT)
        n_after = int(re.search(rb'"value":"(\d+)"', after[2]).group(1))
    finally:
        stop.set()
        srv.stop()
    report_load(results, rss, builder, seconds, clients, nquads, (n_before, n_mid, n_after), load0, load1,
                alone, cpu, figures)


def _tree_cpu(proc) -> tuple[float, float]:
    """CPU seconds so far of the server process itself and of its workers (live ones, and the
    ended ones it has waited for)."""
    import psutil

    t = proc.cpu_times()
    kids = t.children_user + t.children_system
    for c in proc.children(recursive=True):
        try:
            ct = c.cpu_times()
            kids += ct.user + ct.system
        except psutil.Error:
            pass
    return t.user + t.system, kids


def report_load(results, rss, builder, seconds, clients, nquads, counts, load0, load1, alone, cpu, figures) -> None:
    n_before, n_mid, n_after = counts
    done = [r for r in results if r[3] + r[4] <= seconds + 0.5 or r[0].startswith("slow")]  # answered in the run
    tput = sum(1 for r in done if r[2] == 200) / seconds
    kinds = {}
    for kind, name, st, start, secs, body in done:
        kinds.setdefault(kind, []).append((name, st, secs, body))
    errors = []
    for kind, rows in kinds.items():
        for name, st, secs, body in rows:
            intended = kind.startswith("slow") and st == 503 and b"time limit" in body
            if st != 200 and not intended:
                errors.append((kind, name, st, body.decode(errors="replace")[:120]))
    where = (f"{nquads:,} quads, {clients} clients ({clients - 1} closed-loop + 1 slow-query client, each its "
             f"own address), {seconds:g} s, kg serve defaults (--workers 2, --timeout 10), load average "
             f"{load0[0]:.2f} at start, {load1[0]:.2f} at end; CPU of the run: server process {cpu[0]:.0f} s, "
             f"its workers {cpu[1]:.0f} s ({cpu[1] / max(1, len(done)) * 1000:.0f} ms a request)")
    counts_txt = ", ".join(f"{k} {len(v)}" for k, v in kinds.items())
    emit(Figure("serve_load_throughput", f"kg serve under load: throughput, {clients} clients", tput,
                f"{tput:.1f} req/s", "report", None, f"answered 200; {len(done)} answers in all ({counts_txt}); {where}"),
         figures)
    for kind in ("named", "entity page", "search page"):
        rows = kinds.get(kind, [])
        lat = [secs for _, st, secs, _ in rows if st == 200]
        if not lat:
            continue
        p50, p99 = pct(lat, 0.5), pct(lat, 0.99)
        key = {"named": "named", "entity page": "entity", "search page": "search"}[kind]
        goal = "≤ 500 ms" if kind == "named" else "report"
        solo = alone.get(kind) or [float("nan")]
        emit(Figure(f"serve_load_p99_{key}", f"kg serve under load: {kind} p99", p99, fmt_s(p99), goal,
                    (p99 <= 0.5) if kind == "named" else None,
                    f"p50 {fmt_s(p50)}, max {fmt_s(max(lat))}, {len(lat)} answered 200 of {len(rows)}; "
                    f"one client alone before the run: p50 {fmt_s(pct(solo, 0.5))}, p99 {fmt_s(pct(solo, 0.99))} "
                    f"(n={len(solo)})"), figures)
        if kind == "named":
            per = {}
            for name, st, secs, _ in rows:
                if st == 200:
                    per.setdefault(name, []).append(secs)
            for name, xs in sorted(per.items(), key=lambda kv: -pct(kv[1], 0.99)):
                print(f"    {name:<22} n={len(xs):4d}  p50 {fmt_s(pct(xs, 0.5)):>7}  p99 {fmt_s(pct(xs, 0.99)):>7}"
                      f"  max {fmt_s(max(xs)):>7}", flush=True)
    slow = kinds.get("slow (time limit)", [])
    slow_codes = {}
    for _, st, _, _ in slow:
        slow_codes[st] = slow_codes.get(st, 0) + 1
    by = {}
    for kind, name, st, msg in errors:
        by.setdefault((kind, st, msg[:80]), 0)
        by[(kind, st, msg[:80])] += 1
    emit(Figure("serve_load_errors", "kg serve under load: errors other than intended time-outs", len(errors),
                str(len(errors)), "0", not errors,
                (("; ".join(f"{n}x {k} {st}: {m}" for (k, st, m), n in sorted(by.items(), key=lambda kv: -kv[1])[:5])
                  + "; ") if errors else "")
                + f"slow queries (3-way cartesian join): {slow_codes} (503 = stopped at the 10 s time limit)"),
         figures)
    warm = min(10.0, seconds / 6)
    win = min(10.0, (seconds - warm) / 3)
    first = [r for t, r, _ in rss if warm <= t < warm + win]
    last = [r for t, r, _ in rss if t >= seconds - win and t <= seconds]
    kids = [k for t, _, k in rss if t <= seconds]
    if first and last:
        ratio = max(last) / max(first)
        emit(Figure("serve_load_rss", "kg serve under load: server RSS, last ÷ first window after warm-up", ratio,
                    ratio_shown(ratio, 1.2), "≤ 1.2", ratio <= 1.2,
                    f"server process (without its workers) max {max(first) / 2**20:.0f} MB in {warm:.0f}-{warm + win:.0f} s, "
                    f"{max(last) / 2**20:.0f} MB in the last {win:.0f} s (sampled every 0.5 s: "
                    + " ".join(f"{r / 2**20:.0f}" for t, r, _ in rss[::max(1, len(rss) // 8)])
                    + f" MB); its workers together {min(kids) / 2**20:.0f}-{max(kids) / 2**20:.0f} MB"), figures)
    ok = all(r[3] == 0 for r in builder.runs)
    added = sum(r[2] for r in builder.runs)
    emit(Figure("serve_load_build", "kg serve under load: kg build adding articles meanwhile", added,
                f"{added} articles in {len(builder.runs)} builds", "builds succeed, served", ok and n_after > n_before,
                "builds (start s, wall s, articles, exit): "
                + ", ".join(f"({s:.0f}, {w:.0f}, {a}, {rc})" for s, w, a, rc, _ in builder.runs)
                + f"; articles the server answered: {n_before} before, {n_mid} at the end of the run, "
                f"{n_after} after the last build"
                + ("".join(f"; build failed: {e}" for *_, rc, e in builder.runs if rc) if not ok else "")), figures)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(ap)
    ap.add_argument("--store", help="serve this kg store instead of building one")
    ap.add_argument("--articles", help="articles to build the store from [shared/news/wikinews]")
    ap.add_argument("--seconds", type=float, default=None,
                    help="length of the fairness run [30; --quick 15], of the load run [60; --quick 20]")
    ap.add_argument("--load", action="store_true", help="the load run (see the docstring) instead of the attacks")
    ap.add_argument("--clients", type=int, default=16, help="concurrent clients of the load run [16]")
    ap.add_argument("--target", type=int, default=None, help="quads of the load run's store [1,000,000; --quick 150,000]")
    ap.add_argument("--held-out", type=int, default=None,
                    help="articles (the last by name) left out of the load run's store for the build to add [60]")
    args = ap.parse_args()
    if args.load:
        load_run(args, args.figures)
        return 0
    store = build_store(args)
    OUT.mkdir(parents=True, exist_ok=True)
    srv = Server(store, OUT / "serve.log", "--client-timeout", str(CLIENT_TIMEOUT),
                 "--memory-limit", str(MEMORY_LIMIT_MB), "--max-connections", str(MAX_CONNECTIONS))
    try:
        print(f"kg serve on {store} ({srv.endpoint}), log {srv.log_path}", flush=True)
        attack_memory(srv, args.figures)
        attack_nonreading(srv, args.figures)
        attack_fairness(srv, args.figures, args.seconds or (15.0 if args.quick else 30.0))
        attack_crashers(srv, args.figures, 10.0 if args.quick else 20.0)
        attack_halfopen(srv, args.figures)
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
