"""``kg serve``: the store as a SPARQL 1.1 Protocol endpoint (``/sparql``), safe by default.

Engine: our own small server, not ``oxigraph serve-read-only``
---------------------------------------------------------------
Both evaluate SPARQL with the same Oxigraph engine (pyoxigraph 0.5.13 and the ``oxigraph``
0.5.13 CLI). We tried the CLI server (``oxigraph serve-read-only --location DIR
--union-default-graph --timeout-s 2``) against a copy of the test store and it fails three of
our requirements:

* time limit: a 4-way cartesian join (``SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f .
  ?g ?h ?i . ?j ?k ?l }``) got no answer in 30 s despite ``--timeout-s 2``, and the server kept
  a CPU core at 100% after the client had hung up; a streaming ``SELECT *`` over the same join
  kept streaming rows for 30 s with status 200;
* SERVICE: ``SERVICE <http://127.0.0.1:PORT/sparql> {...}`` made the server open an HTTP
  connection to that port (seen by a listener); there is no option to turn federation off;
* row limit: none.

(It does refuse updates with 403 in read-only mode, and has ``--cors``.) pyoxigraph has the
same SERVICE behaviour (``Store.query`` fetches the URL; no switch to disable it) and no
cancellation or time-out API. ``rdflib-endpoint`` would serve an rdflib graph with rdflib's
much slower SPARQL engine and has none of the limits either. So the engine is pyoxigraph
behind a stdlib ``ThreadingHTTPServer`` that enforces the limits itself:

How each limit is enforced
--------------------------
* **Read-only** (default): query workers open the store with ``Store.read_only`` (Oxigraph
  cannot write through such a handle), and SPARQL UPDATE requests (``POST``
  ``application/sparql-update`` or form ``update=``) are answered ``403`` before anything
  runs. With ``--allow-update`` each update runs in a fresh worker process that takes the
  store's writer lock (a concurrent ``kg build`` makes it answer ``409``), under the same
  time limit; ``LOAD`` is still refused.
* **Time limit** (``--timeout``, default 10 s): queries run in worker processes (``--workers``,
  default 2). The HTTP thread waits for the worker's answer until the deadline; past it the
  worker is killed (SIGKILL: a runaway join cannot be interrupted any other way in Oxigraph),
  the client gets ``503`` and a fresh worker is started in the background. Evaluation and
  serialisation both count; waiting for a free worker is bounded by the same limit (``503``).
* **Row limit** (``--max-rows``, default 10000): the worker reads at most ``max_rows + 1``
  solutions (or triples) from Oxigraph's lazy iterator, returns the first ``max_rows`` and
  marks the response with the header ``X-SPARQL-MaxRows: N`` (as Virtuoso does) when it cut.
* **No SERVICE federation**: a query using ``SERVICE`` (or an update using ``SERVICE``/``LOAD``)
  is answered ``400`` before it reaches the engine. Detection is a small SPARQL lexer: the
  keyword counts only outside comments, strings, IRIs, variables, prefixed names (including
  ``\\``-escapes such as ``ex:a\\#``) and language tags, after ``\\uXXXX`` escapes are decoded as
  SPARQL requires; any other bare ``SERVICE`` word is refused. Second layer, on Linux: each
  worker moves itself into new user + network namespaces (``unshare``) before opening the
  store, so it has no network at all; where unprivileged namespaces are disabled the server
  says so at start-up and relies on the lexer alone.
* **Loopback** by default (``--host 127.0.0.1``); any other address prints a warning.
* **Union default graph**: queries run with ``use_default_graph_as_union`` (no ``GRAPH``
  needed), unless the request names ``default-graph-uri``/``named-graph-uri`` (SPARQL Protocol).
* **Fresh data**: a read-only Oxigraph handle does not see later commits, so before each
  query a worker compares a cheap signature of the store directory (names, sizes and mtimes of
  the RocksDB files) with the one it opened and reopens the store when it changed: a running
  server sees what ``kg build`` committed without a restart.

Formats: SELECT/ASK as SPARQL JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE as Turtle, N-Triples,
JSON-LD, RDF/XML; chosen by the ``Accept`` header, or by a ``format`` (or ``output``) parameter
(``json``, ``xml``, ``csv``, ``tsv``, ``turtle``, ``nt``, ``jsonld``, ``rdfxml``), which wins
when both are given. Every response carries ``Access-Control-Allow-Origin: *`` (YASGUI), and
``/`` serves a small HTML query form. Each request is logged on stderr.
"""

from __future__ import annotations

import ctypes
import html
import ipaddress
import json
import os
import pickle
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10000
MAX_BODY = 1 << 20  # largest accepted query/update text, bytes

# ---------------------------------------------------------------- SERVICE / LOAD and size limits
# The checks live in kg.sparql_guard, shared with `kg query`.
from .sparql_guard import QueryRefused as SparqlRefused, check as check_sparql, remote_keywords  # noqa: E402,F401


# ---------------------------------------------------------------- content negotiation
# name -> (media type sent, media types accepted in Accept)
SOLUTION_FORMATS = {
    "json": ("application/sparql-results+json", ("application/sparql-results+json", "application/json",
                                                 "text/javascript", "application/javascript")),
    "xml": ("application/sparql-results+xml", ("application/sparql-results+xml", "application/xml", "text/xml")),
    "csv": ("text/csv; charset=utf-8", ("text/csv",)),
    "tsv": ("text/tab-separated-values; charset=utf-8", ("text/tab-separated-values",)),
}
GRAPH_FORMATS = {
    "turtle": ("text/turtle; charset=utf-8", ("text/turtle", "application/x-turtle", "application/turtle",
                                              "text/n3", "text/rdf+n3", "application/n3")),
    "ntriples": ("application/n-triples", ("application/n-triples", "text/plain")),
    "jsonld": ("application/ld+json", ("application/ld+json", "application/json")),
    "rdfxml": ("application/rdf+xml", ("application/rdf+xml", "application/xml", "text/xml")),
}
DEFAULT_FORMAT = {"solutions": "json", "boolean": "json", "graph": "turtle"}
# values of the format/output parameter -> (solution format, graph format)
FORMAT_PARAM = {
    "json": ("json", "jsonld"), "srj": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "srx": ("xml", "rdfxml"),
    "csv": ("csv", None), "tsv": ("tsv", None), "turtle": (None, "turtle"), "ttl": (None, "turtle"),
    "n3": (None, "turtle"), "nt": (None, "ntriples"), "ntriples": (None, "ntriples"),
    "n-triples": (None, "ntriples"), "jsonld": ("json", "jsonld"), "json-ld": ("json", "jsonld"),
    "rdf": (None, "rdfxml"), "rdfxml": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"),
}


class NotAcceptable(Exception):
    pass


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    out = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        mt = fields[0].lower()
        if not mt:
            continue
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if q > 0:
            out.append((mt, q, i))
    out.sort(key=lambda x: (-x[1], x[2]))
    return [(mt, q) for mt, q, _ in out]


def negotiate(kind: str, accept: str | None, fmt: str | None = None) -> str:
    """The format name for a result of ``kind`` (``solutions``, ``boolean``, ``graph``).

    ``fmt`` (the ``format``/``output`` parameter) wins when it names a format for this kind;
    else the best ``Accept`` match; else the default. Raises :class:`NotAcceptable`.
    """
    table = GRAPH_FORMATS if kind == "graph" else SOLUTION_FORMATS
    if fmt:
        f = fmt.strip().lower()
        if f in table:
            return f
        if f in FORMAT_PARAM:
            pick = FORMAT_PARAM[f][1 if kind == "graph" else 0]
            if pick:
                return pick
        for name, (_, types) in table.items():  # a media type given as format=
            if f.split(";")[0].strip() in types:
                return name
    if not accept or not accept.strip():
        return DEFAULT_FORMAT[kind]
    for mt, _q in _parse_accept(accept):
        if mt in ("*/*", "application/*", "text/*"):
            if mt == "text/*" and kind != "graph":
                return "csv"
            return DEFAULT_FORMAT[kind]
        for name, (_, types) in table.items():
            if mt in types:
                return name
    wanted = ", ".join(t for t, _ in (table.values()))
    raise NotAcceptable(f"none of the Accept types ({accept}) is available for this query; try {wanted}")


def media_type(kind: str, name: str) -> str:
    return (GRAPH_FORMATS if kind == "graph" else SOLUTION_FORMATS)[name][0]


# ---------------------------------------------------------------- serialisation (in workers)


def serialize_solutions(variables: list[str], rows: list, fmt: str) -> bytes:
    """SELECT results as SPARQL JSON (written here), or XML/CSV/TSV (Oxigraph's serialisers,
    fed with that JSON so a truncated result needs no second evaluation)."""
    from .query import json_term

    bindings = [{v: json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
    data = json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "json":
        return data
    return _reserialize(data, fmt)


def serialize_boolean(value: bool, fmt: str) -> bytes:
    data = json.dumps({"head": {}, "boolean": bool(value)}).encode()
    return data if fmt == "json" else _reserialize(data, fmt)


def _reserialize(json_bytes: bytes, fmt: str) -> bytes:
    import pyoxigraph as ox

    target = {"xml": ox.QueryResultsFormat.XML, "csv": ox.QueryResultsFormat.CSV,
              "tsv": ox.QueryResultsFormat.TSV}[fmt]
    parsed = ox.parse_query_results(json_bytes, format=ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=target)


def serialize_triples(triples: list, fmt: str) -> bytes:
    import pyoxigraph as ox

    from .rdf import PREFIXES

    rdf_format = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                  "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}[fmt]
    # no "id:" prefix: its IRIs have slashes, which Turtle would have to escape (id:country\/x)
    prefixes = {k: v for k, v in PREFIXES.items() if k != "id"} if fmt in ("turtle", "rdfxml") else None
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""


def execute(ox_store, job: dict) -> dict:
    """Run one query job on a pyoxigraph store; return the HTTP answer as a dict.

    ``job``: ``text``, ``accept``, ``format``, ``max_rows``, ``default_graph``, ``named_graphs``.
    The answer: ``status``, ``content_type``, ``body`` (bytes), ``headers``, ``rows``, ``kind``.
    """
    import pyoxigraph as ox

    kwargs: dict = {}
    if job.get("default_graph"):
        kwargs["default_graph"] = [ox.NamedNode(u) for u in job["default_graph"]]
    else:
        kwargs["use_default_graph_as_union"] = True
    if job.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(u) for u in job["named_graphs"]]
    try:
        res = ox_store.query(job["text"], **kwargs)
    except SyntaxError as e:
        return _error(400, f"query syntax error: {e}")
    except ValueError as e:
        return _error(400, f"bad request: {e}")

    max_rows = int(job.get("max_rows") or DEFAULT_MAX_ROWS)
    headers: dict[str, str] = {}
    try:
        if isinstance(res, ox.QueryBoolean):
            kind = "boolean"
            name = negotiate(kind, job.get("accept"), job.get("format"))
            body, n = serialize_boolean(bool(res), name), 1
        elif isinstance(res, ox.QuerySolutions):
            kind = "solutions"
            name = negotiate(kind, job.get("accept"), job.get("format"))
            variables = [v.value for v in res.variables]
            rows = []
            for sol in res:
                if len(rows) == max_rows:
                    headers["X-SPARQL-MaxRows"] = str(max_rows)
                    break
                rows.append([sol[v] for v in variables])
            body, n = serialize_solutions(variables, rows, name), len(rows)
        else:
            kind = "graph"
            name = negotiate(kind, job.get("accept"), job.get("format"))
            triples = []
            for t in res:
                if len(triples) == max_rows:
                    headers["X-SPARQL-MaxRows"] = str(max_rows)
                    break
                triples.append(t)
            body, n = serialize_triples(triples, name), len(triples)
    except NotAcceptable as e:
        return _error(406, str(e))
    except OSError as e:
        return _error(500, f"query failed: {e}")
    return {"status": 200, "content_type": media_type(kind, name), "body": body, "headers": headers,
            "rows": n, "kind": kind, "truncated": "X-SPARQL-MaxRows" in headers}


def _error(status: int, message: str) -> dict:
    return {"status": status, "content_type": "text/plain; charset=utf-8",
            "body": (message.rstrip() + "\n").encode("utf-8"), "headers": {}, "rows": 0, "kind": "error"}


# ---------------------------------------------------------------- worker processes
_FRAME = struct.Struct(">Q")


def _write_frame(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_FRAME.pack(len(data)) + data)
    stream.flush()


def _read_exact(stream, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _read_frame(stream):
    head = _read_exact(stream, _FRAME.size)
    if head is None:
        return None
    data = _read_exact(stream, _FRAME.unpack(head)[0])
    return None if data is None else pickle.loads(data)


def network_sandbox() -> bool:
    """Move this (single-threaded) process into new user + network namespaces: no network
    interface but a loopback that is down, so nothing it runs can reach any host. Linux only;
    False where the kernel or its policy refuses."""
    if not sys.platform.startswith("linux"):
        return False
    clone_newuser, clone_newnet = 0x10000000, 0x40000000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(clone_newuser | clone_newnet) == 0
    except (OSError, AttributeError):
        return False


def store_signature(store_dir: Path) -> tuple:
    """Changes whenever a writer commits (RocksDB appends to its WAL, rewrites CURRENT/MANIFEST)."""
    try:
        return tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns)
                            for e in os.scandir(store_dir / "oxigraph") if e.is_file()))
    except OSError:
        return ()


def _die_with_parent(parent_pid: int | None) -> None:
    """Linux: get SIGKILL when the server dies, even in the middle of a runaway query (which
    never reads stdin, so it would not notice the closed pipe)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if parent_pid and os.getppid() != parent_pid:  # the server died before prctl
        os._exit(1)


def _worker_main(store_dir: str, mode: str, sandbox: bool, parent_pid: int | None = None) -> int:  # pragma: no cover - subprocess
    """A worker: frames in on stdin, frames out on the original stdout (stdout itself goes to
    stderr so that nothing else can corrupt the frames)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = sys.stdin.buffer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which kills us
    sandboxed = network_sandbox() if sandbox else False
    _die_with_parent(parent_pid)

    from .store import KGStore, StoreError, StoreLocked

    path = Path(store_dir)
    signature = store_signature(path)  # before opening: a commit in between only costs a reopen
    try:
        kgs = KGStore.open(path, read_only=(mode == "read"), create=False)
    except StoreLocked as e:
        _write_frame(out, {"ready": False, "error": str(e), "status": 409})
        return 1
    except (StoreError, OSError) as e:
        _write_frame(out, {"ready": False, "error": str(e), "status": 500})
        return 1
    _write_frame(out, {"ready": True, "sandbox": sandboxed, "pid": os.getpid()})
    try:
        while True:
            job = _read_frame(inp)
            if job is None:
                return 0
            if mode == "update":
                _write_frame(out, _execute_update(kgs, job))
                return 0
            now = store_signature(path)
            if now != signature:  # a writer committed since we opened: reopen to see it
                kgs.close()
                kgs = KGStore.open(path, read_only=True)
                signature = now
            _write_frame(out, execute(kgs.ox, job))
    finally:
        kgs.close()


def _execute_update(kgs, job: dict) -> dict:
    try:
        kgs.update(job["text"])
    except SyntaxError as e:
        return _error(400, f"update syntax error: {e}")
    except (ValueError, OSError) as e:
        return _error(400 if isinstance(e, ValueError) else 500, f"update failed: {e}")
    return {"status": 204, "content_type": None, "body": b"", "headers": {}, "rows": 0, "kind": "update"}


class QueryTimeout(Exception):
    pass


class WorkerBusy(Exception):
    pass


class WorkerError(Exception):
    def __init__(self, message: str, status: int = 500):
        super().__init__(message)
        self.status = status


class Worker:
    """One worker subprocess (``python -m kg.serve --worker``) and its pipes."""

    def __init__(self, store_dir: Path, mode: str = "read", sandbox: bool = True):
        cmd = [sys.executable, "-m", "kg.serve", "--worker", str(store_dir), mode, f"--parent={os.getpid()}"]
        if not sandbox:
            cmd.append("--no-sandbox")
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                     start_new_session=True)
        self.ready: dict = {}

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float) -> dict:
        self.ready = self.recv(time.monotonic() + timeout) or {}
        return self.ready

    def send(self, job: dict) -> None:
        _write_frame(self.proc.stdin, job)

    def recv(self, deadline: float):
        """The next frame, or :class:`QueryTimeout` at ``deadline`` (the worker is then useless)."""
        fd = self.proc.stdout.fileno()
        buf = bytearray()
        need = _FRAME.size
        header_done = False
        while True:
            while len(buf) < need:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise QueryTimeout()
                r, _, _ = select.select([fd], [], [], left)
                if not r:
                    raise QueryTimeout()
                chunk = os.read(fd, max(65536, need - len(buf)))
                if not chunk:
                    raise WorkerError(f"worker {self.pid} died (exit {self.proc.poll()})")
                buf += chunk
            if header_done:
                return pickle.loads(bytes(buf[_FRAME.size:need]))
            need = _FRAME.size + _FRAME.unpack(bytes(buf[:_FRAME.size]))[0]
            header_done = True

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        """Ask politely (EOF on stdin), then kill."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class WorkerPool:
    """``size`` read-only query workers; a timed-out worker is killed and replaced."""

    def __init__(self, store_dir: Path, size: int = 2, sandbox: bool = True, startup_timeout: float = 60.0,
                 log=None):
        self.store_dir = Path(store_dir)
        self.sandbox = sandbox
        self.startup_timeout = startup_timeout
        self._log = log or (lambda msg: None)
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.sandboxed = False
        self._dead: queue.Queue[Worker | None] = queue.Queue()
        for _ in range(size):
            self._idle.put(self._start())
        self._respawn_thread = threading.Thread(target=self._respawner, name="kg-serve-respawn", daemon=True)
        self._respawn_thread.start()

    def _start(self) -> Worker:
        w = Worker(self.store_dir, "read", self.sandbox)
        try:
            info = w.wait_ready(self.startup_timeout)
        except (QueryTimeout, WorkerError) as e:
            w.kill()
            raise WorkerError(f"query worker did not start: {e or 'timed out'}") from None
        if not info.get("ready"):
            w.kill()
            if self.sandbox:  # e.g. the store is unreadable inside the user namespace: retry without
                self._log(f"kg serve: worker failed in the network sandbox ({info.get('error')}); "
                          "retrying without it")
                self.sandbox = False
                return self._start()
            raise WorkerError(f"query worker could not open the store: {info.get('error')}")
        self.sandboxed = bool(info.get("sandbox"))
        with self._lock:
            self._all.add(w)
        return w

    def _respawner(self) -> None:
        # One long-lived thread starts the replacements: PR_SET_PDEATHSIG fires when the
        # *thread* that started a worker ends, so short-lived threads must not start them.
        while True:
            dead = self._dead.get()
            if dead is None:
                return
            dead.kill()
            with self._lock:
                self._all.discard(dead)
                if self._closed:
                    continue
            try:
                w = self._start()
            except WorkerError as e:
                self._log(f"kg serve: {e}")
                continue
            if self._closed:
                w.kill()
            else:
                self._idle.put(w)

    def _replace_in_background(self, dead: Worker) -> None:
        self._dead.put(dead)

    def run(self, job: dict, timeout: float) -> dict:
        try:
            w = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise WorkerBusy() from None
        ok = False
        try:
            w.send(job)
            answer = w.recv(time.monotonic() + timeout)
            ok = True
            return answer
        except (BrokenPipeError, OSError) as e:
            raise WorkerError(f"worker {w.pid} failed: {e}") from None
        finally:
            if ok:
                self._idle.put(w)
            else:
                self._replace_in_background(w)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        self._dead.put(None)
        for w in workers:
            w.close()


def run_update(store_dir: Path, text: str, timeout: float, sandbox: bool = True) -> dict:
    """Run one SPARQL UPDATE in a fresh worker holding the store's writer lock."""
    w = Worker(store_dir, "update", sandbox)
    try:
        info = w.wait_ready(max(timeout, 30.0))
        if not info.get("ready"):
            return _error(info.get("status", 500), f"cannot write the store: {info.get('error')}")
        w.send({"text": text})
        return w.recv(time.monotonic() + timeout)
    finally:
        w.close()


# ---------------------------------------------------------------- HTTP
INDEX_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kg SPARQL endpoint</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}textarea{{width:100%;font-family:monospace}}
code{{background:#eee;padding:0 .2em}}</style></head>
<body><h1>kg SPARQL endpoint</h1>
<p>Store <code>{store}</code>. Endpoint <code>{endpoint}</code> (SPARQL 1.1 Protocol; also usable
from YASGUI, SPARQLWrapper, curl). The default graph is the union of all graphs.
{mode}; time limit {timeout:g} s; at most {max_rows} rows; <code>SERVICE</code> is refused.</p>
<form method="get" action="/sparql">
<textarea name="query" rows="14">{query}</textarea><br>
<label>Results <select name="format">
<option value="json">SPARQL JSON</option><option value="xml">SPARQL XML</option>
<option value="csv">CSV</option><option value="tsv">TSV</option>
<option value="turtle">Turtle (CONSTRUCT)</option><option value="nt">N-Triples (CONSTRUCT)</option>
</select></label> <button type="submit">Run</button></form>
</body></html>
"""
EXAMPLE_QUERY = """PREFIX kg: <https://w3id.org/newskg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?subject ?predicate ?object ?polarity ?modality WHERE {
  ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?predicate ; rdf:object ?o ;
      kg:polarity ?polarity ; kg:modality ?modality .
  ?s rdfs:label ?subject . ?o rdfs:label ?object .
} LIMIT 50"""


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address, store_dir: Path, pool: WorkerPool, *, timeout: float, max_rows: int,
                 allow_update: bool, log):
        host = address[0]
        if ":" in host:
            import socket

            self.address_family = socket.AF_INET6
        super().__init__(address, SparqlHandler)
        self.store_dir = store_dir
        self.pool = pool
        self.query_timeout = timeout
        self.max_rows = max_rows
        self.allow_update = allow_update
        self.log = log

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"


class SparqlHandler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kg-serve/0.1"
    protocol_version = "HTTP/1.0"

    # -- plumbing ------------------------------------------------------------------
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass  # replaced by one line per request in _send

    def _send(self, status: int, body: bytes, content_type: str | None = "text/plain; charset=utf-8",
              headers: dict | None = None, note: str = "") -> None:
        self.send_response(status)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-SPARQL-MaxRows")
        self.send_header("Vary", "Accept")
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                note = (note + " client gone").strip()
        ms = (time.monotonic() - getattr(self, "_t0", time.monotonic())) * 1000
        path = urlsplit(self.path).path
        self.server.log(f'{self.client_address[0]} "{self.command} {path}" {status} {len(body)}B '
                        f'{ms:.0f}ms{(" " + note) if note else ""}')

    def _text(self, status: int, message: str, note: str = "", headers: dict | None = None) -> None:
        self._send(status, (message.rstrip() + "\n").encode("utf-8"), headers=headers, note=note)

    # -- routes --------------------------------------------------------------------
    def do_OPTIONS(self):  # CORS preflight
        self._t0 = time.monotonic()
        self._send(204, b"", None, {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization",
            "Access-Control-Max-Age": "86400",
        })

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self._t0 = time.monotonic()
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        if url.path in ("/", "/index.html"):
            return self._index()
        if url.path != "/sparql":
            return self._text(404, f"not found: {url.path} (the endpoint is /sparql)")
        if "update" in params:
            return self._text(405 if self.server.allow_update else 403,
                              "SPARQL UPDATE must be sent with POST" if self.server.allow_update
                              else "this endpoint is read-only (start kg serve with --allow-update to change that)")
        if "query" not in params:
            if "text/html" in (self.headers.get("Accept") or ""):
                return self._index()
            return self._text(400, "missing query parameter: GET /sparql?query=...")
        self._query(params)

    def do_POST(self):
        self._t0 = time.monotonic()
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self._text(404, f"not found: {url.path} (the endpoint is /sparql)")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._text(400, "bad Content-Length")
        if length > MAX_BODY:
            return self._text(413, f"request body over {MAX_BODY} bytes")
        body = self.rfile.read(length) if length > 0 else b""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._text(400, "the request body is not UTF-8")
        if ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-query":
            params["query"] = [text]
        elif ctype == "application/sparql-update":
            params["update"] = [text]
        else:
            return self._text(415, f"unsupported Content-Type {ctype or '(none)'}: use application/sparql-query, "
                                   "application/sparql-update or application/x-www-form-urlencoded")
        if "update" in params and "query" in params:
            return self._text(400, "give either query or update, not both")
        if "update" in params:
            return self._update(params["update"][0])
        if "query" not in params:
            return self._text(400, "missing query (form field query=, or a application/sparql-query body)")
        self._query(params)

    def _index(self):
        s = self.server
        page = INDEX_HTML.format(store=html.escape(str(s.store_dir)), endpoint=html.escape(s.url + "/sparql"),
                                 mode="Updates allowed" if s.allow_update else "Read-only",
                                 timeout=s.query_timeout, max_rows=s.max_rows, query=html.escape(EXAMPLE_QUERY))
        self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")

    # -- queries and updates -------------------------------------------------------
    def _query(self, params: dict):
        queries = params["query"]
        if len(queries) != 1:
            return self._text(400, "give exactly one query parameter")
        text = queries[0]
        if len(text.encode("utf-8")) > MAX_BODY:
            return self._text(413, f"query over {MAX_BODY} bytes")
        try:
            check_sparql(text)
        except SparqlRefused as e:
            return self._text(e.status, str(e) + ("; the server never fetches URLs named in a query"
                                                  if e.reason == "remote" else ""), note=f"refused {e.keyword or e.reason}")
        fmt = (params.get("format") or params.get("output") or [None])[0]
        s = self.server
        job = {"text": text, "accept": self.headers.get("Accept"), "format": fmt, "max_rows": s.max_rows,
               "default_graph": params.get("default-graph-uri") or None,
               "named_graphs": params.get("named-graph-uri") or None}
        try:
            ans = s.pool.run(job, s.query_timeout)
        except QueryTimeout:
            return self._text(503, f"query stopped: it ran over the time limit of {s.query_timeout:g} s",
                              note="timeout")
        except WorkerBusy:
            return self._text(503, f"all query workers stayed busy for {s.query_timeout:g} s; try again",
                              note="busy", headers={"Retry-After": "1"})
        except WorkerError as e:
            return self._text(500, f"query failed: {e}", note="worker error")
        note = f"{ans.get('kind')} {ans.get('rows')} rows" + (" (truncated)" if ans.get("truncated") else "")
        self._send(ans["status"], ans["body"], ans["content_type"], ans["headers"], note=note)

    def _update(self, text: str):
        s = self.server
        if not s.allow_update:
            return self._text(403, "this endpoint is read-only (start kg serve with --allow-update to change that)",
                              note="refused update")
        try:
            check_sparql(text, update=True)
        except SparqlRefused as e:
            return self._text(e.status, str(e) + ("; the server never fetches URLs named in a request"
                                                  if e.reason == "remote" else ""), note=f"refused {e.keyword or e.reason}")
        try:
            ans = run_update(s.store_dir, text, s.query_timeout, s.pool.sandbox)
        except QueryTimeout:
            return self._text(503, f"update stopped: it ran over the time limit of {s.query_timeout:g} s",
                              note="timeout")
        except WorkerError as e:
            return self._text(500, f"update failed: {e}", note="worker error")
        self._send(ans["status"], ans["body"], ans["content_type"], ans["headers"], note="update")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(store_dir, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, timeout: float = DEFAULT_TIMEOUT,
                max_rows: int = DEFAULT_MAX_ROWS, allow_update: bool = False, workers: int = 2,
                sandbox: bool = True, log=None) -> SparqlServer:
    """Check the store, start the workers, bind the socket. Call ``serve_forever`` on the result
    and ``close_server`` when done."""
    from .store import KGStore, StoreError

    store_dir = Path(store_dir)
    log = log or _stderr_log
    KGStore.open(store_dir, read_only=True).close()  # StoreError with a helpful message if missing
    httpd = None
    pool = None
    try:
        pool = WorkerPool(store_dir, workers, sandbox=sandbox, log=log)
        httpd = SparqlServer((host, port), store_dir, pool, timeout=timeout, max_rows=max_rows,
                             allow_update=allow_update, log=log)
    except WorkerError as e:
        if pool:
            pool.close()
        raise StoreError(str(e)) from None
    except BaseException:
        if pool:
            pool.close()
        raise
    return httpd


def close_server(httpd: SparqlServer) -> None:
    httpd.server_close()
    httpd.pool.close()


_log_lock = threading.Lock()


def _stderr_log(message: str) -> None:
    with _log_lock:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def serve(store_dir, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, timeout: float = DEFAULT_TIMEOUT,
          max_rows: int = DEFAULT_MAX_ROWS, allow_update: bool = False, workers: int = 2, sandbox: bool = True,
          log=None) -> None:
    """Serve until SIGINT/SIGTERM."""
    log = log or _stderr_log
    httpd = make_server(store_dir, host, port, timeout=timeout, max_rows=max_rows, allow_update=allow_update,
                        workers=workers, sandbox=sandbox, log=log)
    if not _is_loopback(host):
        log(f"kg serve: WARNING: listening on {host}, not loopback: anyone who can reach this machine "
            "can query the store")
    sandbox_note = "network sandbox on" if httpd.pool.sandboxed else "network sandbox unavailable (SERVICE lexer only)"
    log(f"kg serve: {httpd.url}/sparql  store {Path(store_dir)}  "
        f"{'UPDATES ALLOWED' if allow_update else 'read-only'}, timeout {timeout:g} s, max {max_rows} rows, "
        f"SERVICE refused, {workers} worker(s), {sandbox_note}")

    def stop(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, stop)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        log("kg serve: stopping")
    finally:
        signal.signal(signal.SIGTERM, old)
        close_server(httpd)


def _main(argv: list[str]) -> int:  # pragma: no cover - worker entry point
    if len(argv) >= 3 and argv[0] == "--worker":
        parent = next((int(a.split("=", 1)[1]) for a in argv[3:] if a.startswith("--parent=")), None)
        return _worker_main(argv[1], argv[2], sandbox="--no-sandbox" not in argv[3:], parent_pid=parent)
    print("usage: kg serve (this module's command line only starts query workers)", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main(sys.argv[1:]))
