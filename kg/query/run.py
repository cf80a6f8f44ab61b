"""Running a SPARQL query against the store: checked first, parameters bound, in a child
process when it has a time limit.

Uses pyoxigraph: no spaCy, and rdflib only to check a query that mentions SERVICE
(:mod:`kg.sparql_guard`; ``kg query`` must start fast).

Parameters are never pasted into the query text: they are bound with pyoxigraph
``substitutions`` ({Variable: Literal}), so a value containing SPARQL syntax stays a plain
string literal. pyoxigraph only substitutes variables of the *top-level SELECT projection*,
so a parametrised query must project its parameters (``SELECT ?speaker ?quote ...``) and,
if it aggregates, group by them; sub-SELECTs cannot see the parameters.

Timeouts: a pyoxigraph query cannot be interrupted from Python, so with a ``timeout`` the
query runs in a child Python process (isolated: :func:`_child_command`) that opens the store
read-only, runs the query and sends the results back as SPARQL JSON / N-Triples; the parent
kills the child's process group when the time is up. This costs ~0.1 s of interpreter start
per query; ``timeout=None`` runs the query in-process with no limit.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import sparql_guard
from ..namespaces import DEFAULT_GRAPHS, SPARQL_PREFIXES
from .catalog import PARAM_NAME_RE
from .errors import QueryError, QueryFailed, QueryRefused, QuerySyntaxError, QueryTimeout

DEFAULT_TIMEOUT = 30.0


def dataset_options(union: bool = False) -> dict:
    """The keyword arguments of pyoxigraph's ``Store.query`` that make kg's dataset: the
    prefixes of :data:`kg.namespaces.SPARQL_PREFIXES` declared, and as the default graph the
    summary and ontology graphs (:data:`kg.namespaces.DEFAULT_GRAPHS`: each statement, entity,
    quotation, article and plain triple once), every graph (article graphs for provenance)
    named. ``union``: the default graph is the union of all graphs instead, as a multiset (a
    triple once per graph that holds it)."""
    if union:
        return {"prefixes": SPARQL_PREFIXES, "use_default_graph_as_union": True}
    return {"prefixes": SPARQL_PREFIXES, "default_graph": [ox.NamedNode(g) for g in DEFAULT_GRAPHS]}


def check_text(text: str, allow_service: bool = False) -> None:
    """Refuse (:class:`QueryRefused`) a query that is too long, too deep or too long a chain
    for the engine, or that uses SERVICE (unless ``allow_service``): :func:`kg.sparql_guard.check`."""
    try:
        sparql_guard.check(text, allow_service=allow_service)
    except sparql_guard.QueryRefused as e:
        hint = "; pass --allow-service to run it anyway" if e.reason != "limit" else ""
        raise QueryRefused(f"{e}{hint}") from None


# ---------------------------------------------------------------- running
@dataclass
class QueryResult:
    """A materialised query result: ``kind`` is ``select``, ``ask`` or ``graph``."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # tuples of ox terms or None, in variable order
    boolean: bool | None = None
    triples: list = field(default_factory=list)  # ox.Triple, for CONSTRUCT / DESCRIBE

    def __len__(self) -> int:
        if self.kind == "select":
            return len(self.rows)
        if self.kind == "graph":
            return len(self.triples)
        return 1

    def dicts(self) -> list[dict[str, str | None]]:
        """Rows as ``{variable: plain value or None}`` (handy in tests and scripts)."""
        return [{v: (None if t is None else t.value) for v, t in zip(self.variables, row)} for row in self.rows]


def _substitutions(params: dict[str, str] | None) -> dict | None:
    if not params:
        return None
    subs = {}
    for k, v in params.items():
        name = k.lstrip("?$")
        if not PARAM_NAME_RE.match(name):
            raise QueryError(f"bad parameter name {k!r}")
        subs[ox.Variable(name)] = ox.Literal(str(v))
    return subs


def _materialise(res) -> QueryResult:
    if isinstance(res, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(res))
    if isinstance(res, ox.QuerySolutions):
        variables = [v.value for v in res.variables]
        rows = [tuple(sol[i] for i in range(len(variables))) for sol in res]
        return QueryResult("select", variables, rows)
    return QueryResult("graph", triples=list(res))


def _friendly_error(e: Exception, text: str) -> QueryError:
    msg = str(e)
    if isinstance(e, SyntaxError):
        from .syntax import explain

        return explain(text, msg, SPARQL_PREFIXES)
    m = re.search(r"does not contains? variable \?(\w+) in its SELECT projection", msg)
    if m:
        return QueryError(
            f"parameter {m.group(1)!r} must be a variable of the query's top-level SELECT "
            f"projection (pyoxigraph binds parameters there); add ?{m.group(1)} to the SELECT "
            "clause, or drop the parameter"
        )
    return QueryFailed(f"query failed: {msg}")


def _run_in_process(store, text: str, params: dict[str, str] | None, union: bool) -> QueryResult:
    try:
        return _materialise(store.ox.query(text, substitutions=_substitutions(params), **dataset_options(union)))
    except QueryError:
        raise
    except (SyntaxError, RuntimeError, ValueError, TypeError, OSError) as e:
        raise _friendly_error(e, text) from e


def run_query(
    store,
    text: str,
    params: dict[str, str] | None = None,
    timeout: float | None = None,
    *,
    allow_service: bool = False,
    union: bool = False,
) -> QueryResult:
    """Run a SPARQL query on ``store`` (a :class:`kg.store.KGStore`) over kg's dataset
    (:func:`dataset_options`: the common prefixes declared; default graph = the summary and the
    ontology, or with ``union`` the union of all graphs).

    ``params`` are bound as string literals through substitutions, never spliced into the text.
    ``timeout`` (seconds) runs the query in a child process that is killed when time is up
    (:class:`QueryTimeout`); ``None`` or ``0`` runs it here, without a limit.
    The text is checked first (:func:`check_text`): SERVICE is refused (:class:`QueryRefused`)
    unless ``allow_service``, and so is a text too big for the engine, always.
    """
    check_text(text, allow_service)
    _substitutions(params)  # validates the parameter names before any process is started
    if not timeout or timeout <= 0:
        return _run_in_process(store, text, params, union)
    return _run_in_child(Path(store.path), text, params or {}, float(timeout), union)


def _child_command() -> list[str]:
    """``python -I -c ...`` for the query child. Isolated mode: neither the working directory
    (which ``python -m`` would put first on ``sys.path``: an ``inspect.py`` there would run
    inside kg) nor ``PYTHON*`` variables decide what it imports. It gets this process's import
    path instead, without the working directory, kg's own root first."""
    root = str(Path(__file__).resolve().parent.parent.parent)
    cwd = os.getcwd()
    path = [root] + [p for p in sys.path if isinstance(p, str) and p and p != root and os.path.abspath(p) != cwd]
    code = f"import sys; sys.path[:] = {path!r}; from kg.query.run import child_main; sys.exit(child_main())"
    return [sys.executable, "-I", "-c", code]


def _run_in_child(store_path: Path, text: str, params: dict[str, str], timeout: float, union: bool) -> QueryResult:
    request = json.dumps({"store": str(store_path), "query": text, "params": params, "union": union}).encode("utf-8")
    proc = subprocess.Popen(
        _child_command(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so the kill reaches everything it started
    )
    try:
        out, err = proc.communicate(request, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise QueryTimeout(
            f"query did not finish within {timeout:g} s and was stopped (use --timeout to allow longer, 0 for no limit)"
        ) from None
    except BaseException:
        _kill(proc)
        raise
    if proc.returncode != 0:
        try:
            info = json.loads(err.decode("utf-8").strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise QueryFailed(
                f"query process failed (exit {proc.returncode}): {err.decode('utf-8', 'replace').strip()[-500:]}"
            ) from None
        if info.get("type") == "QuerySyntaxError":
            raise QuerySyntaxError(info.get("message", ""), info.get("excerpt", []))
        cls = {"QueryError": QueryError, "QueryRefused": QueryRefused}.get(info.get("type"), QueryFailed)
        raise cls(info.get("message", "query failed"))
    return _decode(out)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass
    proc.communicate()


# Child <-> parent wire format: one JSON header line, then the payload
# (SPARQL JSON results for SELECT, N-Triples for CONSTRUCT/DESCRIBE, nothing for ASK).
def _encode(res) -> bytes:
    if isinstance(res, ox.QueryBoolean):
        return json.dumps({"kind": "ask", "boolean": bool(res)}).encode() + b"\n"
    if isinstance(res, ox.QuerySolutions):
        return b'{"kind": "select"}\n' + res.serialize(format=ox.QueryResultsFormat.JSON)
    return b'{"kind": "graph"}\n' + ox.serialize(res, format=ox.RdfFormat.N_TRIPLES)


def _decode(data: bytes) -> QueryResult:
    head, _, payload = data.partition(b"\n")
    kind = json.loads(head)["kind"]
    if kind == "ask":
        return QueryResult("ask", boolean=json.loads(head)["boolean"])
    if kind == "select":
        return _materialise(ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON))
    return QueryResult("graph", triples=list(ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)))


def child_main() -> int:  # pragma: no cover - exercised through subprocesses in the tests
    """The query child: a request (JSON) on stdin, the result on stdout, an error as JSON on stderr."""
    from ..store import KGStore, StoreError

    req = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    try:
        try:
            store = KGStore.open(req["store"], read_only=True)
        except StoreError as e:
            raise QueryFailed(str(e)) from e
        try:
            res = store.ox.query(req["query"], substitutions=_substitutions(req.get("params")),
                                 **dataset_options(bool(req.get("union"))))
            data = _encode(res)
        except QueryError:
            raise
        except (SyntaxError, RuntimeError, ValueError, TypeError, OSError) as e:
            raise _friendly_error(e, req["query"]) from e
    except QueryError as e:
        info = {"type": type(e).__name__, "message": e.headline if isinstance(e, QuerySyntaxError) else str(e)}
        if isinstance(e, QuerySyntaxError):
            info["excerpt"] = e.excerpt
        sys.stderr.write(json.dumps(info) + "\n")
        return 3
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0
