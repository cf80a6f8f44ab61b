"""A query worker process: opens the store (read-only, or holding the writer lock for an update),
runs the jobs the server sends and streams the answers back (:mod:`kg.serve.frames`).

Started by the server as ``python -I -c BOOT PATHS --worker STORE MODE ...``
(:func:`kg.serve.process.worker_command`). Before it opens the store it limits its own address
space (``RLIMIT_AS``: a query that needs more fails with an allocation error, the server answers
503), moves into new user + network namespaces where the kernel allows it (no network at all: a
second layer under :mod:`kg.sparql_guard`'s refusal of SERVICE), and asks to die with the
server. Each query runs over kg's dataset - the common prefixes declared, the merged view (summary
and ontology graphs: each fact once) as the default graph, every graph named - unless the request
names its default graph; at most ``max_rows`` solutions (or triples) are read from the engine's lazy
iterator (``X-SPARQL-MaxRows`` when cut). A read-only handle does not see later commits, so the
worker reopens the store when its files changed (:func:`store_signature`): a running server
sees what ``kg build`` committed. No spaCy, no rdflib.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys
import time
from pathlib import Path

from ..namespaces import DEFAULT_GRAPHS, SPARQL_PREFIXES, TURTLE_PREFIXES
from ..processes import die_with_parent
from ..query.format import json_term
from .errors import error_answer, out_of_memory_message
from .frames import CHUNK, read_job, write_frame, write_json
from .limits import DEFAULT_MAX_ROWS
from .negotiation import NotAcceptable, media_type, negotiate


def serialize_solutions(variables: list[str], rows: list, fmt: str) -> bytes:
    """SELECT results as SPARQL JSON (written here), or XML/CSV/TSV (Oxigraph's serialisers,
    fed with that JSON so a truncated result needs no second evaluation)."""
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

    rdf_format = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                  "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}[fmt]
    # no "id:" prefix: its IRIs have slashes, which Turtle would have to escape (id:country\/x)
    prefixes = TURTLE_PREFIXES if fmt in ("turtle", "rdfxml") else None
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""



def _query(ox_store, job: dict):
    """Evaluate ``job["text"]`` on kg's dataset (the common prefixes; the merged view as the
    default graph), unless the request names its default graph. Raises SyntaxError/ValueError."""
    import pyoxigraph as ox

    kwargs: dict = {"prefixes": SPARQL_PREFIXES}
    if job.get("default_graph"):
        kwargs["default_graph"] = [ox.NamedNode(u) for u in job["default_graph"]]
    else:
        kwargs["default_graph"] = [ox.NamedNode(u) for u in DEFAULT_GRAPHS]
    if job.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(u) for u in job["named_graphs"]]
    return ox_store.query(job["text"], **kwargs)


def _first(items, max_rows: int, headers: dict[str, str]) -> list:
    """The first ``max_rows`` of ``items``; marks ``headers`` (X-SPARQL-MaxRows) if there were more."""
    taken = []
    for item in items:
        if len(taken) == max_rows:
            headers["X-SPARQL-MaxRows"] = str(max_rows)
            break
        taken.append(item)
    return taken


def _boolean_body(res, job: dict, name: str) -> tuple[bytes, int]:
    """An ASK answer in format ``name``, and its row count (1)."""
    if name == "html":
        from .pages import boolean_html

        return boolean_html(bool(res), job["text"]), 1
    return serialize_boolean(bool(res), name), 1


def _solutions_body(res, job: dict, name: str, max_rows: int, headers: dict[str, str]) -> tuple[bytes, int]:
    """A SELECT answer's first ``max_rows`` rows in format ``name``, and how many rows."""
    variables = [v.value for v in res.variables]
    rows = [[sol[v] for v in variables] for sol in _first(res, max_rows, headers)]
    if name == "html":
        from .pages import results_html

        body = results_html(variables, rows, job["text"], "X-SPARQL-MaxRows" in headers)
    else:
        body = serialize_solutions(variables, rows, name)
    return body, len(rows)


def _graph_body(res, job: dict, name: str, max_rows: int, headers: dict[str, str]) -> tuple[bytes, int]:
    """A CONSTRUCT/DESCRIBE answer's first ``max_rows`` triples in format ``name``, and how many."""
    triples = _first(res, max_rows, headers)
    if name == "html":
        from .pages import graph_html

        body = graph_html(triples, job["text"], "X-SPARQL-MaxRows" in headers)
    else:
        body = serialize_triples(triples, name)
    return body, len(triples)


def _answer(res, job: dict, headers: dict[str, str]) -> tuple[str, str, bytes, int]:
    """The result kind, negotiated format, body and row count of a query result ``res``.
    Raises NotAcceptable (no format for the request) and OSError (evaluation failed)."""
    import pyoxigraph as ox

    max_rows = int(job.get("max_rows") or DEFAULT_MAX_ROWS)
    if isinstance(res, ox.QueryBoolean):
        kind = "boolean"
        name = negotiate(kind, job.get("accept"), job.get("format"))
        body, n = _boolean_body(res, job, name)
    elif isinstance(res, ox.QuerySolutions):
        kind = "solutions"
        name = negotiate(kind, job.get("accept"), job.get("format"))
        body, n = _solutions_body(res, job, name, max_rows, headers)
    else:
        kind = "graph"
        name = negotiate(kind, job.get("accept"), job.get("format"))
        body, n = _graph_body(res, job, name, max_rows, headers)
    return kind, name, body, n


def execute(ox_store, job: dict) -> dict:
    """Run one query job on a pyoxigraph store; return the HTTP answer as a dict.

    ``job``: ``text``, ``accept``, ``format``, ``max_rows``, ``default_graph``, ``named_graphs``.
    The answer: ``status``, ``content_type``, ``body`` (bytes), ``headers``, ``rows``, ``kind``.
    """
    if job.get("page"):  # an entity, article or search page (kg.serve.pages)
        from .pages import render

        return render(ox_store, job)
    try:
        res = _query(ox_store, job)
    except SyntaxError as e:  # where, with the line and a caret, and what is probably wrong
        from ..query.syntax import explain

        return error_answer(400, str(explain(job["text"], str(e), SPARQL_PREFIXES)))
    except ValueError as e:
        return error_answer(400, f"bad request: {e}")

    headers: dict[str, str] = {}
    try:
        kind, name, body, n = _answer(res, job, headers)
    except NotAcceptable as e:
        return error_answer(406, str(e))
    except OSError as e:
        return error_answer(500, f"query failed: {e}")
    return {"status": 200, "content_type": media_type(kind, name), "body": body, "headers": headers,
            "rows": n, "kind": kind, "truncated": "X-SPARQL-MaxRows" in headers}


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


def _limit_memory(limit: int) -> None:
    """RLIMIT_AS on this process: past ``limit`` bytes of address space every allocation fails."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard if hard != resource.RLIM_INFINITY else limit))


def worker_main(store_dir: str, mode: str, sandbox: bool, parent_pid: int | None = None,
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
    die_with_parent(parent_pid)

    from ..store import KGStore, StoreError, StoreLocked

    path = Path(store_dir)
    signature = store_signature(path)  # before opening: a commit in between only costs a reopen
    try:
        kgs = open_read(path) if mode == "read" else KGStore.open(path, create=False)
    except StoreLocked as e:
        write_json(out, {"ready": False, "error": str(e), "status": 409})
        return 1
    except (StoreError, OSError, MemoryError) as e:
        write_json(out, {"ready": False, "error": str(e) or type(e).__name__, "status": 500})
        return 1
    write_json(out, {"ready": True, "sandbox": sandboxed, "pid": os.getpid()})
    try:
        while True:
            job = read_job(inp)
            if job is None:
                return 0
            stop = mode == "update"
            try:
                if mode == "update":
                    ans = _execute_update(kgs, job)
                else:
                    ans, kgs, signature = run_read(path, kgs, signature, job)
            except MemoryError:
                ans, stop = error_answer(503, out_of_memory_message(memory_limit)), True
            cap = job.get("max_result_bytes")
            if cap and len(ans["body"]) > cap:
                size = len(ans["body"])
                ans = error_answer(503, f"the result ({size / 2**20:.1f} MB) is over the server's limit of "
                                  f"{cap / 2**20:.0f} MB (kg serve --max-result-mb): ask for fewer rows or "
                                  "shorter values")
            body = ans.pop("body")
            for i in range(0, len(body), CHUNK):
                write_frame(out, b"D", body[i:i + CHUNK])
            del body
            write_json(out, {**ans, "exit": stop})
            if stop:
                return 0
    finally:
        if kgs is not None:
            kgs.close()


def open_read(path: Path, tries: int = 5):
    """The store opened read-only. An open reads the list of the store's table files, then opens
    them: a writer's compaction in between deletes one ("Corruption: ... No such file or
    directory"), so a failed open is tried again (after 50, 100, ... ms), ``tries`` times in all."""
    from ..store import MARKER, KGStore, StoreError

    for attempt in range(tries):
        try:
            return KGStore.open(path, read_only=True)
        except StoreError:
            if attempt == tries - 1 or not (path / MARKER).exists():
                raise
            time.sleep(0.05 * (attempt + 1))


def run_read(path: Path, kgs, signature: tuple, job: dict, tries: int = 3) -> tuple[dict, object, tuple]:
    """Answer a read job on the read-only store ``kgs`` opened at ``signature``: (answer, the
    store now open or None, its signature). A read-only handle does not see later commits, so
    the store is reopened first when a writer has committed since (:func:`store_signature`).
    A writer's compaction can also delete table files the handle lists but has not opened yet:
    the query fails with an IO error ("No such file or directory"). A failure (500) while the
    store changed under the query is retried on a reopened store, ``tries`` times in all (an open
    is retried by :func:`open_read`)."""
    from ..store import StoreError

    ans = error_answer(503, "the store could not be opened")
    for attempt in range(tries):
        now = store_signature(path)
        if kgs is None or now != signature:
            if kgs is not None:
                kgs.close()
                kgs = None
            try:
                kgs = open_read(path)
            except StoreError as e:
                ans = error_answer(503, f"the store could not be opened while a writer changed it: {e}")
                continue
            signature = now
        try:
            ans = execute(kgs.ox, job)
        except OSError as e:  # a page (kg.serve.pages) lets an engine IO error through
            ans = error_answer(500, f"query failed: {e}")
        if ans["status"] != 500 or store_signature(path) == signature:
            break
    return ans, kgs, signature


def _execute_update(kgs, job: dict) -> dict:
    try:
        kgs.update(job["text"])
    except SyntaxError as e:
        return error_answer(400, f"update syntax error: {e}")
    except (ValueError, OSError) as e:
        return error_answer(400 if isinstance(e, ValueError) else 500, f"update failed: {e}")
    return {"status": 204, "content_type": None, "body": b"", "headers": {}, "rows": 0, "kind": "update"}


def main(argv: list[str]) -> int:  # pragma: no cover - worker entry point
    """``--worker STORE MODE [--parent=PID] [--no-sandbox] [--memory-limit=BYTES]``: run a worker."""
    if len(argv) >= 3 and argv[0] == "--worker":
        opts = dict(a[2:].split("=", 1) for a in argv[3:] if a.startswith("--") and "=" in a)
        return worker_main(argv[1], argv[2], sandbox="--no-sandbox" not in argv[3:],
                            parent_pid=int(opts["parent"]) if "parent" in opts else None,
                            memory_limit=int(opts["memory-limit"]) if "memory-limit" in opts else None)
    print("usage: kg serve (this module's command line only starts query workers)", file=sys.stderr)
    return 2
