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
* **Read-only** (default): query workers open the store with ``Store.read_only`` (Oxigraph
  cannot write through such a handle), and SPARQL UPDATE requests (``POST``
  ``application/sparql-update`` or form ``update=``) are answered ``403`` before anything
  runs. With ``--allow-update`` each update runs in a fresh worker process that takes the
  store's writer lock (a concurrent ``kg build`` makes it answer ``409``), under the same
  time limit; ``LOAD`` is still refused. See *Updates* below for what an update must carry.
* **Time limit** (``--timeout``, default 10 s): queries run in worker processes (``--workers``,
  default 2). The HTTP thread waits for the worker's answer until the deadline; past it the
  worker is killed (SIGKILL: a runaway join cannot be interrupted any other way in Oxigraph),
  the client gets ``503`` and a fresh worker takes its place. Evaluation and serialisation
  both count; waiting for a free worker is bounded by the same limit (``503``).
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


Hardening (every input is checked in the HTTP thread; a worker only ever sees a valid job)
-----------------------------------------------------------------------------------------
* **Validated inputs**: ``default-graph-uri``/``named-graph-uri`` must be absolute IRIs
  (Oxigraph's own IRI parser, in the server process), at most 100 of them; ``Accept`` must name
  a format we serve (``406``), ``format`` at most 200 characters. A bad one is ``400`` with a
  message; nothing reaches a worker.
* **Isolated workers**: a worker is ``python -I -c BOOT PATHS ...``: no current directory and
  no ``PYTHON*`` variables on its import path; kg and its dependencies are found through the
  server's own ``sys.path`` (without the current directory), appended after the worker's
  standard library and site-packages, so a ``queue.py`` where kg was started is never
  imported. Workers run with ``cwd=/``.
* **A crash costs one request**: a worker that dies (a segfault deep in the engine, the
  kernel's OOM killer) answers that request ``500`` "the query worker crashed (SIGSEGV)"; one
  worker more than ``--workers`` is kept started and idle, so the next request does not wait for
  a replacement. The same query (text and dataset) is then refused for 10 minutes without
  running, and the client (its address) must wait before its next query (429 with
  ``Retry-After``: 1 s, doubling with each further crash within a minute, at most 30 s): a
  crash is cheap to provoke and a new worker costs ~0.1 s of CPU.
* **Memory limit** (``--memory-limit``, default 1024 MB): each worker sets ``RLIMIT_AS`` on
  itself before it opens the store (glibc arenas capped with ``MALLOC_ARENA_MAX=2``), so its
  RSS can never pass the limit. A query that needs more makes the allocator fail: Oxigraph
  aborts (``memory allocation of N bytes failed``) or Python raises ``MemoryError``; the
  client gets ``503`` "query ran out of memory", the worker is replaced.
* **Fair scheduling** (the two lanes): a query that has run for ``SLOW_AFTER`` (0.5 s) moves to
  the slow lane: its worker is re-niced (+10) and stops counting against ``--workers``, and a
  fresh worker (the idle spare at once, another started behind it) takes its place, so quick
  queries keep ``--workers`` processes of their own. At most ``slow_workers`` (default
  ``--workers``) queries can be slow at once; a query that turns slow when they are all taken
  is stopped with ``503`` and ``Retry-After``. A slow-lane worker is retired after its query.
  Waiting requests are served round-robin by client address, first come first served per client.
* **Bounded result buffering**: the worker streams its serialised answer in 64 KB frames; the
  HTTP thread spools it (the first 256 KB in memory, the rest in an unlinked temporary file),
  so the worker is free again as soon as the answer is complete, whatever the client does, and
  a client that does not read costs the server at most 256 KB of memory. A result over
  ``--max-result-mb`` (default 64) is refused with ``503``; all spooled results together are
  capped at 1 GB (``503`` beyond). The pipe between worker and server is the back-pressure:
  a worker blocks while the server has not taken its last frame.
* **Client timeouts and a connection cap**: the whole request (line, headers, body) must arrive
  within ``--client-timeout`` (default 10 s) of the connection, else the connection is closed
  (a slow-header client, a short body under a long ``Content-Length``); each 64 KB of the
  response must be taken within the same time. At most ``--max-connections`` (default 128)
  connections are served at once; one more is answered ``503`` at once and closed.
* **Updates** (``--allow-update``): an update must be an ``application/sparql-update`` body
  (form-encoded updates are refused: any web page can post a form) carrying
  ``Authorization: Bearer TOKEN`` (``--update-token`` / ``KG_UPDATE_TOKEN``, else a random
  token printed at start), addressed to the server by IP literal or ``localhost`` matching the
  bound address (a DNS-rebinding page arrives with its own host name), with no ``Origin`` of
  another site and no ``Sec-Fetch-Site: cross-site``. Update responses carry no CORS header,
  and the CORS preflight does not allow ``Authorization``, so no page of another origin can
  send the token.
* **Logs**: every log line is escaped (control and format characters as ``\\xNN``/``\\uNNNN``,
  backslashes doubled): request paths, methods and worker messages cannot forge lines or send
  escape sequences to the operator's terminal.

Formats: SELECT/ASK as SPARQL JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE as Turtle, N-Triples,
JSON-LD, RDF/XML; chosen by the ``Accept`` header, or by a ``format`` (or ``output``) parameter
(``json``, ``xml``, ``csv``, ``tsv``, ``turtle``, ``nt``, ``jsonld``, ``rdfxml``), which wins
when both are given. Every query response carries ``Access-Control-Allow-Origin: *`` (YASGUI),
and ``/`` serves a small HTML query form. Each request is logged on stderr.
"""

from __future__ import annotations

import ctypes
import hashlib
import hmac
import html
import io
import ipaddress
import json
import math
import os
import resource
import secrets
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DEFAULT_MEMORY_LIMIT_MB = 1024  # per worker (RLIMIT_AS)
DEFAULT_CLIENT_TIMEOUT = 10.0  # seconds to send a whole request / to take each chunk of a response
DEFAULT_MAX_CONNECTIONS = 128
DEFAULT_MAX_RESULT_MB = 64
SLOW_AFTER = 0.5  # seconds: a query running longer moves to the slow lane
SLOW_NICE = 10  # niceness added to a slow-lane worker
SPARE_WORKERS = 1  # started and idle beyond --workers: a crash or a slow query never waits for a start
SPOOL_MEMORY = 256 << 10  # bytes of one response held in memory; the rest goes to a temporary file
SPOOL_BUDGET = 1 << 30  # bytes of all responses spooled at once
REMEMBER_FAILURES = 600.0  # seconds a query that crashed its worker is refused without running
COOLDOWN_MAX = 30.0  # seconds: the longest wait imposed on a client whose queries keep killing workers
MAX_GRAPH_IRIS = 100

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

    try:
        kwargs: dict = {}
        if job.get("default_graph"):
            kwargs["default_graph"] = [ox.NamedNode(u) for u in job["default_graph"]]
        else:
            kwargs["use_default_graph_as_union"] = True
        if job.get("named_graphs"):
            kwargs["named_graphs"] = [ox.NamedNode(u) for u in job["named_graphs"]]
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
    message = message.rstrip()
    if len(message) > 4000:
        message = message[:4000] + " [...]"
    return {"status": status, "content_type": "text/plain; charset=utf-8",
            "body": (message + "\n").encode("utf-8"), "headers": {}, "rows": 0, "kind": "error"}


def out_of_memory_message(limit: int | None) -> str:
    mb = f" of {limit >> 20} MB" if limit else ""
    return (f"query ran out of memory: it needed more than the query worker's limit{mb} "
            "(kg serve --memory-limit); ask for less (a LIMIT, fewer joins, no ORDER BY over a huge result)")


# ---------------------------------------------------------------- log lines
def escape_log(text: str) -> str:
    """``text`` with every character that is not printable written as an escape (``\\x1b``,
    ``\\n``-like ``\\x0a``, ``\\u202e``, ...) and backslashes doubled: control characters (ESC,
    CR, LF, DEL, C1), format characters (bidi overrides), line/paragraph separators and lone
    surrogates from a client (a request path, a method) or a worker cannot forge log lines or
    send escape sequences to the operator's terminal."""
    if text.isprintable() and "\\" not in text:
        return text
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch.isprintable():
            out.append(ch)
        else:
            o = ord(ch)
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
    return "".join(out)


# ---------------------------------------------------------------- request validation (HTTP thread)
class BadRequest(Exception):
    """A request input refused before anything reaches a worker."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _quoted(value: str, limit: int = 200) -> str:
    """A client's value inside a one-line message: JSON-quoted (control characters escaped), cut."""
    return json.dumps(value[:limit] + ("..." if len(value) > limit else ""), ensure_ascii=False)


def graph_iris(params: dict, name: str) -> list[str] | None:
    """The values of the ``default-graph-uri`` or ``named-graph-uri`` parameter, each checked
    with Oxigraph's IRI parser (the one the worker would use), or :class:`BadRequest`."""
    import pyoxigraph as ox

    values = params.get(name) or []
    if len(values) > MAX_GRAPH_IRIS:
        raise BadRequest(f"too many {name} parameters ({len(values)}; at most {MAX_GRAPH_IRIS})")
    for v in values:
        try:
            ox.NamedNode(v)
        except ValueError as e:
            raise BadRequest(f"{name} {_quoted(v)} is not a valid absolute IRI: {e}") from None
    return values or None


def check_accept(accept: str | None, fmt: str | None) -> None:
    """:class:`BadRequest` (406) when neither ``Accept`` nor ``format`` can give any result kind."""
    if fmt is not None and len(fmt) > 200:
        raise BadRequest("the format parameter is over 200 characters")
    if accept is not None and len(accept) > 2000:
        raise BadRequest("the Accept header is over 2000 characters")
    errors = []
    for kind in ("solutions", "graph"):
        try:
            negotiate(kind, accept, fmt)
            return
        except NotAcceptable as e:
            errors.append(str(e))
    raise BadRequest(errors[0], 406)


# ---------------------------------------------------------------- worker processes
# Frames between server and worker: a kind byte (J: a JSON object, D: a chunk of response body),
# a 4-byte length, the payload. No pickle: the server never unpickles what a worker sends.
_HEAD = struct.Struct(">cI")
CHUNK = 1 << 16
MAX_FRAME = 4 << 20  # worker -> server; larger means a garbled stream


def _write_frame(stream, kind: bytes, payload: bytes) -> None:
    stream.write(_HEAD.pack(kind, len(payload)))
    stream.write(payload)


def _write_json(stream, obj: dict) -> None:
    _write_frame(stream, b"J", json.dumps(obj).encode("utf-8"))
    stream.flush()


def _read_exact(stream, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _read_job(stream) -> dict | None:
    """The next job frame on the worker's stdin (blocking), or None at EOF."""
    head = _read_exact(stream, _HEAD.size)
    if head is None:
        return None
    data = _read_exact(stream, _HEAD.unpack(head)[1])
    return None if data is None else json.loads(data)


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


def _limit_memory(limit: int) -> None:
    """RLIMIT_AS on this process: past ``limit`` bytes of address space every allocation fails."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard if hard != resource.RLIM_INFINITY else limit))


def _worker_main(store_dir: str, mode: str, sandbox: bool, parent_pid: int | None = None,
                 memory_limit: int | None = None) -> int:  # pragma: no cover - subprocess
    """A worker: job frames in on stdin, answer frames out on the original stdout (stdout itself
    goes to stderr so that nothing else can corrupt the frames). An answer is its body in
    ``D`` frames, then a ``J`` frame with the status and headers (``exit``: the worker stops
    after it, e.g. after a ``MemoryError``)."""
    if memory_limit:
        _limit_memory(memory_limit)
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
        _write_json(out, {"ready": False, "error": str(e), "status": 409})
        return 1
    except (StoreError, OSError, MemoryError) as e:
        _write_json(out, {"ready": False, "error": str(e) or type(e).__name__, "status": 500})
        return 1
    _write_json(out, {"ready": True, "sandbox": sandboxed, "pid": os.getpid()})
    try:
        while True:
            job = _read_job(inp)
            if job is None:
                return 0
            stop = mode == "update"
            try:
                if mode == "update":
                    ans = _execute_update(kgs, job)
                else:
                    now = store_signature(path)
                    if now != signature:  # a writer committed since we opened: reopen to see it
                        kgs.close()
                        kgs = KGStore.open(path, read_only=True)
                        signature = now
                    ans = execute(kgs.ox, job)
            except MemoryError:
                ans, stop = _error(503, out_of_memory_message(memory_limit)), True
            cap = job.get("max_result_bytes")
            if cap and len(ans["body"]) > cap:
                size = len(ans["body"])
                ans = _error(503, f"the result ({size / 2**20:.1f} MB) is over the server's limit of "
                                  f"{cap / 2**20:.0f} MB (kg serve --max-result-mb): ask for fewer rows or "
                                  "shorter values")
            body = ans.pop("body")
            for i in range(0, len(body), CHUNK):
                _write_frame(out, b"D", body[i:i + CHUNK])
            del body
            _write_json(out, {**ans, "exit": stop})
            if stop:
                return 0
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


class ServeError(Exception):
    """A request that ends without an answer from the engine: ``status``, a message for the
    client, a ``note`` for the log line, extra response ``headers``."""

    status = 500
    note = "error"

    def __init__(self, message: str, status: int | None = None, note: str | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status
        if note is not None:
            self.note = note
        self.headers = headers or {}


class QueryTimeout(ServeError):
    status, note = 503, "timeout"


class WorkerBusy(ServeError):
    status, note = 503, "busy"


class WorkerError(ServeError):
    status, note = 500, "worker error"


class _WorkerGone(Exception):
    """The worker's stdout closed (it died) or carried garbage."""


# The worker's command: isolated mode (no cwd, no PYTHON* variables on its path), then the
# server's own import path appended (behind the standard library and site-packages).
_BOOT = ("import json, sys\n"
         "sys.path.extend(p for p in json.loads(sys.argv[1]) if p not in sys.path)\n"
         "from kg.serve import _main\n"
         "sys.exit(_main(sys.argv[2:]))\n")


def worker_paths() -> list[str]:
    """Where a worker finds kg and its dependencies: this process's ``sys.path`` without ``''``,
    relative entries and the current directory, plus the directory holding the ``kg`` package
    (a source checkout, an editable install)."""
    cwd = os.path.realpath(os.getcwd())
    root = str(Path(__file__).resolve().parent.parent)
    out = []
    for p in sys.path:
        if not p or not os.path.isabs(p) or p in out:
            continue
        if os.path.realpath(p) == cwd and cwd != os.path.realpath(root):
            continue
        out.append(p)
    if root not in out:
        out.append(root)
    return out


def worker_command(store_dir: Path, mode: str, sandbox: bool, memory_limit: int | None) -> list[str]:
    cmd = [sys.executable, "-I", "-c", _BOOT, json.dumps(worker_paths()), "--worker", str(store_dir), mode,
           f"--parent={os.getpid()}"]
    if not sandbox:
        cmd.append("--no-sandbox")
    if memory_limit:
        cmd.append(f"--memory-limit={int(memory_limit)}")
    return cmd


def _worker_env() -> dict:
    env = dict(os.environ)
    env.setdefault("MALLOC_ARENA_MAX", "2")  # glibc reserves 64 MB of address space per arena
    env["RUST_BACKTRACE"] = "0"  # an abort prints one line, not a backtrace into the log
    return env


class Worker:
    """One worker subprocess, its pipes, and a thread that passes its stderr to the log."""

    def __init__(self, store_dir: Path, mode: str = "read", sandbox: bool = True, memory_limit: int | None = None,
                 log=None):
        self.memory_limit = memory_limit
        self.proc = subprocess.Popen(worker_command(Path(store_dir).resolve(), mode, sandbox, memory_limit),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=_worker_env(), cwd="/", start_new_session=True)
        self.ready: dict = {}
        self.slow = False  # running in the slow lane (re-niced; retired after its query)
        self.peak_rss: int | None = None  # bytes, known once reaped
        self._buf = bytearray()
        self._poll = select.poll()
        self._poll.register(self.proc.stdout.fileno(), select.POLLIN)
        self._log = log
        self.stderr_tail: deque[str] = deque(maxlen=20)
        self._stderr_thread = threading.Thread(target=self._pump_stderr, name=f"kg-serve-stderr-{self.pid}",
                                               daemon=True)
        self._stderr_thread.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _pump_stderr(self) -> None:
        for raw in iter(lambda: self.proc.stderr.readline(8192), b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.stderr_tail.append(line)
            if self._log and line.strip():
                self._log(f"kg serve: worker {self.pid}: {line}")

    def wait_ready(self, timeout: float) -> dict:
        try:
            frame = self.recv_frame(time.monotonic() + timeout)
        except _WorkerGone:
            frame = None
        if frame is None or frame[0] != b"J":
            if frame is None and self.alive():
                self.kill()
                raise WorkerError(f"worker {self.pid} did not start within {timeout:g} s")
            reason = self.failure()[2]
            last = next((line.strip() for line in reversed(self.stderr_tail) if line.strip()), "")
            raise WorkerError(f"worker {self.pid} did not start: {reason}{': ' + last if last else ''}")
        self.ready = json.loads(frame[1])
        return self.ready

    def send(self, job: dict) -> None:
        _write_frame(self.proc.stdin, b"J", json.dumps(job).encode("utf-8"))
        self.proc.stdin.flush()

    def recv_frame(self, until: float) -> tuple[bytes, bytes] | None:
        """The next frame (kind, payload), or None when ``until`` passes first. :class:`_WorkerGone`
        when the worker's stdout closes or carries something that is not a frame."""
        fd = self.proc.stdout.fileno()
        while True:
            if len(self._buf) >= _HEAD.size:
                kind, n = _HEAD.unpack_from(self._buf)
                if kind not in (b"J", b"D") or n > MAX_FRAME:
                    raise _WorkerGone("garbled output")
                if len(self._buf) >= _HEAD.size + n:
                    payload = bytes(self._buf[_HEAD.size:_HEAD.size + n])
                    del self._buf[:_HEAD.size + n]
                    return kind, payload
            left = until - time.monotonic()
            if left <= 0:
                return None
            if not self._poll.poll(math.ceil(left * 1000)):
                continue
            chunk = os.read(fd, 1 << 18)
            if not chunk:
                raise _WorkerGone("exited")
            self._buf += chunk

    def recv_answer(self, deadline: float, sink) -> dict:
        """Body frames to ``sink``, then the answer's JSON; :class:`QueryTimeout` at ``deadline``."""
        while True:
            frame = self.recv_frame(deadline)
            if frame is None:
                raise QueryTimeout("")
            if frame[0] == b"D":
                sink(frame[1])
            else:
                return json.loads(frame[1])

    def reap(self, timeout: float = 5.0) -> int | None:
        """Wait for the process to exit (kill it past ``timeout``); its exit status, and its peak
        RSS in :attr:`peak_rss` (from the kernel's rusage)."""
        if self.proc.returncode is not None:
            return self.proc.returncode
        end = time.monotonic() + timeout
        while True:
            try:
                pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere
                return self.proc.wait()
            if pid:
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                self.peak_rss = usage.ru_maxrss * 1024
                return self.proc.returncode
            if time.monotonic() > end:
                self._signal(signal.SIGKILL)
                end = time.monotonic() + 5
            time.sleep(0.01)

    def failure(self) -> tuple[int, str, str]:
        """(HTTP status, message for the client, reason for the log) for a worker that stopped
        answering: out of memory (Oxigraph's allocator aborts with "memory allocation of N bytes
        failed"), a crash (the signal), or an exit status."""
        rc = self.reap()
        self._stderr_thread.join(timeout=1)
        tail = "\n".join(self.stderr_tail)
        if "memory allocation of" in tail or "MemoryError" in tail:
            return 503, out_of_memory_message(self.memory_limit), "ran out of memory"
        if rc is not None and rc < 0:
            try:
                name = signal.Signals(-rc).name
            except ValueError:
                name = f"signal {-rc}"
            return 500, f"query failed: the query worker crashed ({name}); it has been replaced", f"crashed ({name})"
        last = next((line for line in reversed(self.stderr_tail) if line.strip()), "")
        return (500, f"query failed: the query worker exited (status {rc}){': ' + last if last else ''}",
                f"exited (status {rc})")

    def alive(self) -> bool:
        return self.proc.returncode is None and self.proc.poll() is None

    def _signal(self, sig) -> None:
        if self.proc.returncode is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self._signal(signal.SIGKILL)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.reap()

    def close(self) -> None:
        """Ask politely (EOF on stdin), then kill."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.kill()


# ---------------------------------------------------------------- answers on their way to clients
class SpoolBudget:
    """Bytes of response bodies held for clients at once, memory and temporary files together."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self, n: int) -> bool:
        with self._lock:
            if self.used + n > self.limit:
                return False
            self.used += n
            return True

    def give(self, n: int) -> None:
        with self._lock:
            self.used -= n


class Spool:
    """One response body between a worker and its client: the first ``memory`` bytes in memory,
    the rest in an unlinked temporary file; at most ``limit`` bytes."""

    def __init__(self, budget: SpoolBudget, limit: int, memory: int = SPOOL_MEMORY):
        self._budget = budget
        self._limit = limit
        self._file = tempfile.SpooledTemporaryFile(max_size=memory)
        self.size = 0

    def write(self, data: bytes) -> None:
        if self.size + len(data) > self._limit:
            raise _WorkerGone("an answer over the result size limit")
        if not self._budget.take(len(data)):
            raise WorkerBusy("the server holds too many results that clients have not read yet; try again",
                             note="spool full", headers={"Retry-After": "5"})
        self.size += len(data)
        self._file.write(data)

    def chunks(self, n: int = CHUNK):
        self._file.seek(0)
        while True:
            data = self._file.read(n)
            if not data:
                return
            yield data

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._budget.give(self.size)


class Answer:
    """A worker's complete answer: ``meta`` (status, content_type, headers, kind, rows,
    truncated) and the body in ``spool`` (the caller closes it)."""

    __slots__ = ("meta", "spool")

    def __init__(self, meta: dict, spool: Spool):
        self.meta = meta
        self.spool = spool


def job_key(job: dict) -> str:
    """What makes two requests the same query for the engine: text and dataset."""
    data = json.dumps([job.get("text"), job.get("default_graph"), job.get("named_graphs")], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


# ---------------------------------------------------------------- the pool and its scheduler
class _Ticket:
    __slots__ = ("client", "worker")

    def __init__(self, client: str):
        self.client = client
        self.worker: Worker | None = None


class WorkerPool:
    """Read-only query workers and the scheduler in front of them.

    ``size`` workers serve the fast lane (queries running for less than ``slow_after``); one
    (``spare``) more is kept started and idle. A query that runs past ``slow_after`` moves its
    worker to the slow lane (re-niced, not counted in ``size``; retired after the query) and the
    spare takes its place while the maintainer thread starts another: quick queries always have
    ``size`` workers. At most ``slow_workers`` queries are slow at once; past that a query that
    turns slow is stopped (503). Requests waiting for a worker are served round-robin by client.
    A query whose worker crashed or ran out of memory is refused for ``REMEMBER_FAILURES`` s,
    and its client must wait before its next query (429): 1 s after a first such loss, doubling
    with each further one within a minute, at most ``COOLDOWN_MAX`` s. A crash takes ~30 ms to
    provoke and ~0.1 s of CPU to repair (a new worker process): without the wait, one client
    could keep the pool restarting while everyone else waits for workers.
    """

    def __init__(self, store_dir: Path, size: int = 2, sandbox: bool = True, startup_timeout: float = 60.0,
                 log=None, *, memory_limit: int | None = None, slow_workers: int | None = None,
                 spare: int = SPARE_WORKERS, slow_after: float = SLOW_AFTER,
                 max_result_bytes: int = DEFAULT_MAX_RESULT_MB << 20, spool_budget: int = SPOOL_BUDGET):
        self.store_dir = Path(store_dir)
        self.size = size
        self.slow_workers = size if slow_workers is None else slow_workers
        self.spare = spare
        self.slow_after = slow_after
        self.sandbox = sandbox
        self.memory_limit = memory_limit
        self.max_result_bytes = max_result_bytes
        self.startup_timeout = startup_timeout
        self._log = log or (lambda msg: None)
        self.budget = SpoolBudget(spool_budget)
        self.sandboxed = False
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._retire: list[tuple[Worker, str]] = []
        self._fast = self._slow = self._starting = 0
        self._waiting: dict[str, deque[_Ticket]] = {}
        self._turns: deque[str] = deque()  # clients with waiting requests, in serving order
        self._failed: OrderedDict[str, tuple[float, int, str]] = OrderedDict()
        self._losses: dict[str, deque[float]] = {}  # client -> times its queries lost a worker
        self._cooldown: dict[str, float] = {}  # client -> when it may run a query again
        self._closed = False
        self._thread: threading.Thread | None = None
        try:
            for _ in range(size + spare):
                self._idle.append(self._start())
        except BaseException:
            self.close()
            raise
        # One long-lived thread starts the replacements: PR_SET_PDEATHSIG fires when the
        # *thread* that started a worker ends, so short-lived threads must not start them.
        self._thread = threading.Thread(target=self._maintain, name="kg-serve-workers", daemon=True)
        self._thread.start()

    # -- processes -------------------------------------------------------------------
    def _start(self) -> Worker:
        w = Worker(self.store_dir, "read", self.sandbox, self.memory_limit, self._log)
        try:
            info = w.wait_ready(self.startup_timeout)
        except WorkerError as e:
            w.kill()
            raise WorkerError(f"query worker did not start: {e}") from None
        if not info.get("ready"):
            w.kill()
            if self.sandbox:  # e.g. the store is unreadable inside the user namespace: retry without
                self._log(f"kg serve: worker failed in the network sandbox ({info.get('error')}); "
                          "retrying without it")
                self.sandbox = False
                return self._start()
            raise WorkerError(f"query worker could not open the store: {info.get('error')}")
        self.sandboxed = bool(info.get("sandbox"))
        with self._cond:
            self._all.add(w)
        return w

    def _deficit(self) -> int:
        return self.size + self.spare - (len(self._idle) + self._fast + self._starting)

    def _maintain(self) -> None:
        backoff, retry_at = 0.5, 0.0
        while True:
            with self._cond:
                while True:
                    if self._closed:
                        return
                    start = self._deficit() > 0 and time.monotonic() >= retry_at
                    if self._retire or start:
                        break
                    self._cond.wait(None if self._deficit() <= 0 else max(0.01, retry_at - time.monotonic()))
                retire, self._retire = self._retire, []
                if start:
                    self._starting += 1
            for w, reason in retire:
                w.kill()
                with self._cond:
                    self._all.discard(w)
                if reason:
                    rss = f"; peak RSS {w.peak_rss / 2**20:.0f} MB" if w.peak_rss else ""
                    self._log(f"kg serve: worker {w.pid} {reason}{rss}")
            if not start:
                continue
            new = None
            try:
                new = self._start()
                backoff = 0.5
            except WorkerError as e:
                self._log(f"kg serve: {e}; trying again in {backoff:g} s")
                retry_at = time.monotonic() + backoff
                backoff = min(backoff * 2, 30.0)
            with self._cond:
                self._starting -= 1
                if new is not None and not self._closed:
                    self._idle.append(new)
                    self._dispatch()
                    new = None
            if new is not None:
                new.kill()

    # -- scheduling ------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Give idle workers to waiting requests, one client at a time (lock held)."""
        while self._turns and self._idle and self._fast < self.size:
            w = self._idle.pop(0)
            if not w.alive():  # died while idle (killed from outside): not a request's fault
                self._retire.append((w, "died while idle"))
                continue
            client = self._turns.popleft()
            tickets = self._waiting[client]
            tickets.popleft().worker = w
            self._fast += 1
            if tickets:
                self._turns.append(client)
            else:
                del self._waiting[client]
        self._cond.notify_all()

    def _acquire(self, client: str, deadline: float) -> Worker:
        ticket = _Ticket(client)
        with self._cond:
            if self._closed:
                raise WorkerError("the server is stopping", 503)
            if client not in self._waiting:
                self._waiting[client] = deque()
                self._turns.append(client)
            self._waiting[client].append(ticket)
            self._dispatch()
            while ticket.worker is None:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    tickets = self._waiting.get(client)
                    if tickets is not None and ticket in tickets:
                        tickets.remove(ticket)
                        if not tickets:
                            del self._waiting[client]
                            self._turns.remove(client)
                    raise WorkerBusy("all query workers stayed busy; try again", headers={"Retry-After": "1"})
                self._cond.wait(left)
            return ticket.worker

    def _release(self, w: Worker, healthy: bool, reason: str = "") -> None:
        with self._cond:
            if w.slow:
                self._slow -= 1
            else:
                self._fast -= 1
            if healthy and not w.slow and not self._closed and w.alive():
                self._idle.append(w)
            else:
                self._retire.append((w, reason or ("retired after a slow query" if w.slow else "")))
            self._dispatch()

    def _to_slow_lane(self, w: Worker) -> bool:
        with self._cond:
            if self._closed or self._slow >= self.slow_workers:
                return False
            self._fast -= 1
            self._slow += 1
            w.slow = True
            self._dispatch()
        try:
            os.setpriority(os.PRIO_PROCESS, w.pid, min(19, os.getpriority(os.PRIO_PROCESS, w.pid) + SLOW_NICE))
        except OSError:
            pass
        return True

    def _remember(self, key: str, status: int, message: str) -> None:
        with self._cond:
            self._failed[key] = (time.monotonic() + REMEMBER_FAILURES, status, message)
            self._failed.move_to_end(key)
            while len(self._failed) > 1000:
                self._failed.popitem(last=False)

    def _penalise(self, client: str) -> None:
        """A query of ``client`` cost a worker: it waits before its next one (see the class)."""
        now = time.monotonic()
        with self._cond:
            times = self._losses.setdefault(client, deque())
            times.append(now)
            while times and times[0] < now - 60:
                times.popleft()
            self._cooldown[client] = now + min(COOLDOWN_MAX, 2.0 ** (len(times) - 1))
            if len(self._losses) > 10000:  # forget the oldest clients
                for c in [c for c, t in self._losses.items() if not t or t[-1] < now - 60]:
                    self._losses.pop(c, None)
                    self._cooldown.pop(c, None)

    def _cooling(self, client: str) -> float:
        with self._cond:
            left = self._cooldown.get(client, 0.0) - time.monotonic()
        return left if left > 0 else 0.0

    def _recall(self, key: str) -> tuple[int, str] | None:
        with self._cond:
            item = self._failed.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._failed[key]
                return None
            return item[1], item[2]

    # -- running a query -------------------------------------------------------------
    def run(self, job: dict, timeout: float, client: str = "-") -> Answer:
        """Run ``job`` on a worker within ``timeout`` s (plus at most ``timeout`` s waiting for
        one). The :class:`Answer` (its spool is the caller's to close), or a :class:`ServeError`."""
        wait = self._cooling(client)
        if wait:
            raise ServeError(f"a query from {client} made a query worker fail a moment ago: wait {math.ceil(wait)} s "
                             "before the next one", 429, note="cooling down",
                             headers={"Retry-After": str(math.ceil(wait))})
        key = job_key(job)
        failed = self._recall(key)
        if failed:
            raise WorkerError(f"{failed[1]} (the same query failed this way less than "
                              f"{REMEMBER_FAILURES / 60:.0f} minutes ago: refused without running)", failed[0],
                              note="refused: failed before")
        job = {**job, "max_result_bytes": self.max_result_bytes}
        wait_deadline = time.monotonic() + timeout
        for _attempt in range(3):
            w = self._acquire(client, wait_deadline)
            try:
                w.send(job)
                break
            except OSError:  # died while idle: take another
                self._release(w, False, "died while idle")
        else:
            raise WorkerError("query failed: no query worker could take it")
        start = time.monotonic()
        deadline, slow_at = start + timeout, start + self.slow_after
        spool = Spool(self.budget, self.max_result_bytes + 2 * CHUNK)
        healthy, reason, answer = False, "", None
        try:
            while True:
                frame = w.recv_frame(deadline if w.slow else min(deadline, slow_at))
                if frame is None:
                    if time.monotonic() >= deadline:
                        reason = "killed at the time limit"
                        raise QueryTimeout(f"query stopped: it ran over the time limit of {timeout:g} s")
                    if not w.slow and not self._to_slow_lane(w):
                        reason = "stopped: the slow lane was full"
                        raise WorkerBusy(f"query stopped after {self.slow_after:g} s: the server is already running "
                                         f"{self.slow_workers} slow queries; try again later",
                                         note="slow lane full", headers={"Retry-After": "5"})
                    continue
                kind, payload = frame
                if kind == b"D":
                    spool.write(payload)
                    continue
                meta = json.loads(payload)
                if meta.pop("exit", False):  # the worker stops after this answer (MemoryError)
                    reason = "ran out of memory (MemoryError)"
                    self._remember(key, meta.get("status", 503), out_of_memory_message(self.memory_limit))
                    self._penalise(client)
                else:
                    healthy = True
                answer = Answer(meta, spool)
                return answer
        except (_WorkerGone, json.JSONDecodeError, UnicodeDecodeError) as e:
            status, message, reason = w.failure()
            if str(e) != "exited":
                status, message = 500, f"query failed: the query worker sent {e}; it has been replaced"
                reason = f"sent {e}"
            self._remember(key, status, message)
            self._penalise(client)
            raise WorkerError(message, status, note="out of memory" if status == 503 else "worker crashed") from None
        finally:
            if answer is None:
                spool.close()
            self._release(w, healthy, reason)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._cond.notify_all()
        for w in workers:  # EOF first: idle workers exit at once
            try:
                w.proc.stdin.close()
            except OSError:
                pass
        end = time.monotonic() + 2
        for w in workers:
            try:
                w.proc.wait(timeout=max(0.0, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            w.kill()


def run_update(store_dir: Path, text: str, timeout: float, sandbox: bool = True, memory_limit: int | None = None,
               log=None) -> dict:
    """Run one SPARQL UPDATE in a fresh worker holding the store's writer lock."""
    w = Worker(store_dir, "update", sandbox, memory_limit, log)
    try:
        try:
            info = w.wait_ready(max(timeout, 30.0))
        except WorkerError as e:
            return _error(500, f"cannot write the store: {e}")
        if not info.get("ready"):
            return _error(info.get("status", 500), f"cannot write the store: {info.get('error')}")
        w.send({"text": text})
        body = bytearray()

        def sink(data: bytes) -> None:
            if len(body) + len(data) > MAX_BODY:
                raise _WorkerGone("an answer over the size limit")
            body.extend(data)

        try:
            meta = w.recv_answer(time.monotonic() + timeout, sink)
        except QueryTimeout:
            raise QueryTimeout(f"update stopped: it ran over the time limit of {timeout:g} s") from None
        except (_WorkerGone, json.JSONDecodeError):
            status, message, _ = w.failure()
            raise WorkerError(message.replace("query", "update", 1), status) from None
        meta.pop("exit", None)
        meta["body"] = bytes(body)
        return meta
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


class _RequestReader(io.RawIOBase):
    """The socket as the request's input, with one deadline for the whole request: every read
    gets the time left, so a client that sends a byte now and then (slow headers, a body
    shorter than its Content-Length) is cut off at the deadline, not kept forever."""

    def __init__(self, sock, deadline: float):
        self._sock = sock
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive within the client time limit")
        self._sock.settimeout(left)
        return self._sock.recv_into(b)


BUSY_RESPONSE = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 b"Retry-After: 1\r\nConnection: close\r\n\r\n"
                 b"too many open connections to this server; try again\n")


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, store_dir: Path, pool: WorkerPool, *, timeout: float, max_rows: int,
                 allow_update: bool, log, client_timeout: float = DEFAULT_CLIENT_TIMEOUT,
                 max_connections: int = DEFAULT_MAX_CONNECTIONS, update_token: str | None = None):
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
        self.client_timeout = client_timeout
        self.max_connections = max_connections
        self.update_token = update_token or (secrets.token_urlsafe(24) if allow_update else None)
        self._conn_lock = threading.Lock()
        self.open_connections = 0
        self._refused = 0
        self._refused_logged = 0.0

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    # -- the connection cap ----------------------------------------------------------
    def process_request(self, request, client_address):
        with self._conn_lock:
            full = self.open_connections >= self.max_connections
            if not full:
                self.open_connections += 1
        if full:
            return self._refuse(request)
        try:
            super().process_request(request, client_address)
        except BaseException:
            with self._conn_lock:
                self.open_connections -= 1
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self.open_connections -= 1

    def _refuse(self, request) -> None:
        """Over the cap: 503 if the socket takes it at once, then closed; one log line per 5 s."""
        try:
            request.setblocking(False)
            request.send(BUSY_RESPONSE)
        except OSError:
            pass
        self.shutdown_request(request)
        now = time.monotonic()
        with self._conn_lock:
            self._refused += 1
            if now - self._refused_logged < 5:
                return
            n, self._refused, self._refused_logged = self._refused, 0, now
        self.log(f"kg serve: refused {n} connection(s): {self.max_connections} open (--max-connections)")

    def handle_error(self, request, client_address):
        """One log line instead of the stdlib's traceback on stderr (e.g. a connection reset)."""
        err = sys.exc_info()[1]
        self.log(f"{client_address[0]} connection failed: {type(err).__name__}: {err}")

    # -- where updates may come from -------------------------------------------------
    def host_allowed(self, host: str | None) -> bool:
        """Does a ``Host`` header (or an Origin's host) name this server? Only an IP literal or
        ``localhost`` can: a page on another site that re-binds its DNS name to our address
        still sends its own name."""
        if not host:
            return False
        name = host.strip().lower()
        if name.startswith("["):
            name = name[1:name.find("]")] if "]" in name else name[1:]
        elif name.count(":") == 1:
            name = name.split(":", 1)[0]
        bound = ipaddress.ip_address(self.server_address[0]) if _is_ip(self.server_address[0]) else None
        if name == "localhost":
            return bound is None or bound.is_loopback or bound.is_unspecified
        if not _is_ip(name):
            return False
        if bound is None or bound.is_unspecified:
            return True
        ip = ipaddress.ip_address(name)
        return ip == bound or (ip.is_loopback and bound.is_loopback)

    def origin_allowed(self, origin: str) -> bool:
        parts = urlsplit(origin.strip())
        try:
            port = parts.port or (80 if parts.scheme == "http" else 443)
        except ValueError:
            return False
        return parts.scheme == "http" and self.host_allowed(parts.netloc) and port == self.server_address[1]


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


class SparqlHandler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kg-serve/0.1"
    protocol_version = "HTTP/1.0"

    # -- plumbing ------------------------------------------------------------------
    def setup(self):
        super().setup()
        self._t0 = time.monotonic()
        self._cors = True
        self.rfile.close()
        self.rfile = io.BufferedReader(_RequestReader(self.connection, self._t0 + self.server.client_timeout))

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass  # one line per request in _send

    def log_error(self, format, *args):  # noqa: A002 - stdlib refusals (bad request line, timeouts)
        self.server.log(f"{self.client_address[0]} {format % args}")

    def _send(self, status: int, body: bytes, content_type: str | None = "text/plain; charset=utf-8",
              headers: dict | None = None, note: str = "", spool: Spool | None = None) -> None:
        """The response, then one log line. Each write must be taken by the client within the
        client time limit (else the connection is dropped)."""
        self.connection.settimeout(self.server.client_timeout)
        size = spool.size if spool is not None else len(body)
        try:
            self.send_response(status)
            if self._cors:
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Expose-Headers", "X-SPARQL-MaxRows")
            self.send_header("Vary", "Accept")
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(size))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                for chunk in (spool.chunks() if spool is not None else (body,)):
                    self.wfile.write(chunk)
        except TimeoutError:
            note = (note + f" client did not read for {self.server.client_timeout:g} s: dropped").strip()
            self.close_connection = True
        except OSError:
            note = (note + " client gone").strip()
            self.close_connection = True
        ms = (time.monotonic() - self._t0) * 1000
        path = urlsplit(self.path).path
        self.server.log(f'{self.client_address[0]} "{self.command} {path}" {status} {size}B '
                        f'{ms:.0f}ms{(" " + note) if note else ""}')

    def _text(self, status: int, message: str, note: str = "", headers: dict | None = None) -> None:
        self._send(status, (message.rstrip() + "\n").encode("utf-8"), headers=headers, note=note)

    # -- routes --------------------------------------------------------------------
    def do_OPTIONS(self):  # CORS preflight (no Authorization: a page elsewhere never sends the update token)
        self._send(204, b"", None, {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Accept",
            "Access-Control-Max-Age": "86400",
        })

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
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
        if len(body) < length:
            return self._text(400, "the request body is shorter than its Content-Length")
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
            if self.server.allow_update:
                self._cors = False
                refusal = self._update_refusal(direct=ctype == "application/sparql-update")
                if refusal:
                    return self._text(refusal[0], refusal[1], note="refused update", headers=refusal[2])
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
    def _update_refusal(self, direct: bool) -> tuple[int, str, dict] | None:
        """Why this update may not run, or None: it must be a direct ``application/sparql-update``
        body (any web page can post a form), address the server by the address it is bound to
        (DNS rebinding), come from no other origin, and carry the update token."""
        if not direct:
            return 403, ("updates must be sent as an application/sparql-update body with the update token "
                         "(form-encoded updates are refused: any web page can post a form)"), {}
        if not self.server.host_allowed(self.headers.get("Host")):
            return 403, (f"update refused: Host {_quoted(self.headers.get('Host') or '')} is not this server's "
                         "address (address it by its IP, or localhost)"), {}
        origin = self.headers.get("Origin")
        site = (self.headers.get("Sec-Fetch-Site") or "").strip().lower()
        if (origin is not None and not self.server.origin_allowed(origin)) or site in ("cross-site", "same-site"):
            return 403, "update refused: a page of another origin cannot update this store", {}
        scheme, _, token = (self.headers.get("Authorization") or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode("utf-8", "replace"),
                                                                 (self.server.update_token or "").encode()):
            return 401, ("update refused: send the update token as 'Authorization: Bearer TOKEN' "
                         "(kg serve --update-token, or the token it printed at start)"), \
                {"WWW-Authenticate": 'Bearer realm="kg serve updates"'}
        return None

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
        accept = self.headers.get("Accept")
        try:
            check_accept(accept, fmt)
            job = {"text": text, "accept": accept, "format": fmt, "max_rows": s.max_rows,
                   "default_graph": graph_iris(params, "default-graph-uri"),
                   "named_graphs": graph_iris(params, "named-graph-uri")}
        except BadRequest as e:
            return self._text(e.status, str(e), note="bad request")
        try:
            ans = s.pool.run(job, s.query_timeout, client=self.client_address[0])
        except ServeError as e:
            return self._text(e.status, str(e), note=e.note, headers=e.headers)
        try:
            meta = ans.meta
            note = f"{meta.get('kind')} {meta.get('rows')} rows" + (" (truncated)" if meta.get("truncated") else "")
            self._send(meta["status"], b"", meta["content_type"], meta["headers"], note=note, spool=ans.spool)
        finally:
            ans.spool.close()

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
            ans = run_update(s.store_dir, text, s.query_timeout, s.pool.sandbox, s.pool.memory_limit, s.log)
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
                sandbox: bool = True, log=None, memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
                client_timeout: float = DEFAULT_CLIENT_TIMEOUT, max_connections: int = DEFAULT_MAX_CONNECTIONS,
                max_result_mb: int = DEFAULT_MAX_RESULT_MB, update_token: str | None = None,
                slow_workers: int | None = None) -> SparqlServer:
    """Check the store, start the workers, bind the socket. Call ``serve_forever`` on the result
    and ``close_server`` when done. Every log line goes through :func:`escape_log`."""
    from .store import KGStore, StoreError

    store_dir = Path(store_dir)
    sink = log or _stderr_log
    log = lambda message: sink(escape_log(message))  # noqa: E731
    KGStore.open(store_dir, read_only=True).close()  # StoreError with a helpful message if missing
    httpd = None
    pool = None
    try:
        pool = WorkerPool(store_dir, workers, sandbox=sandbox, log=log,
                          memory_limit=memory_limit_mb << 20 if memory_limit_mb else None,
                          slow_workers=slow_workers, max_result_bytes=max_result_mb << 20)
        httpd = SparqlServer((host, port), store_dir, pool, timeout=timeout, max_rows=max_rows,
                             allow_update=allow_update, log=log, client_timeout=client_timeout,
                             max_connections=max_connections, update_token=update_token)
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
          log=None, memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
          client_timeout: float = DEFAULT_CLIENT_TIMEOUT, max_connections: int = DEFAULT_MAX_CONNECTIONS,
          max_result_mb: int = DEFAULT_MAX_RESULT_MB, update_token: str | None = None) -> None:
    """Serve until SIGINT/SIGTERM."""
    httpd = make_server(store_dir, host, port, timeout=timeout, max_rows=max_rows, allow_update=allow_update,
                        workers=workers, sandbox=sandbox, log=log, memory_limit_mb=memory_limit_mb,
                        client_timeout=client_timeout, max_connections=max_connections,
                        max_result_mb=max_result_mb, update_token=update_token)
    log = httpd.log
    if not _is_loopback(host):
        log(f"kg serve: WARNING: listening on {host}, not loopback: anyone who can reach this machine "
            "can query the store")
    sandbox_note = "network sandbox on" if httpd.pool.sandboxed else "network sandbox unavailable (SERVICE lexer only)"
    memory = f"{memory_limit_mb} MB a worker" if memory_limit_mb else "no memory limit"
    log(f"kg serve: {httpd.url}/sparql  store {Path(store_dir)}  "
        f"{'UPDATES ALLOWED' if allow_update else 'read-only'}, timeout {timeout:g} s, max {max_rows} rows, "
        f"SERVICE refused, {workers} worker(s), {memory}, {sandbox_note}")
    if allow_update and not update_token:
        log(f"kg serve: update token {httpd.update_token} (send it as 'Authorization: Bearer TOKEN' with "
            "each application/sparql-update request; --update-token or KG_UPDATE_TOKEN to choose one)")

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
        opts = dict(a[2:].split("=", 1) for a in argv[3:] if a.startswith("--") and "=" in a)
        return _worker_main(argv[1], argv[2], sandbox="--no-sandbox" not in argv[3:],
                            parent_pid=int(opts["parent"]) if "parent" in opts else None,
                            memory_limit=int(opts["memory-limit"]) if "memory-limit" in opts else None)
    print("usage: kg serve (this module's command line only starts query workers)", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main(sys.argv[1:]))
