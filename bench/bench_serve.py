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
from common import KG, OUT, ROOT, Figure, add_common_args, corpus, emit, fmt_s  # noqa: E402

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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(ap)
    ap.add_argument("--store", help="serve this kg store instead of building one")
    ap.add_argument("--articles", help="articles to build the store from [shared/news/wikinews]")
    ap.add_argument("--seconds", type=float, default=None, help="length of the fairness run [30; --quick 15]")
    args = ap.parse_args()
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
