"""Named SPARQL queries (``queries/*.rq``), running them against the store, formatting results.

Uses pyoxigraph: no spaCy, and rdflib only to check a query that mentions SERVICE
(:mod:`kg.sparql_guard`; ``kg query`` must start fast).

A named query is a ``.rq`` file that starts with a header block::

    #+ summary: Direct quotations of a speaker
    #+ params: speaker: label of the speaker entity (string)
    #+ example: kg query --name quotes_by --param speaker="John Kirby"

``params`` is ``(none)`` or ``name: description (kind)`` entries separated by ``|`` (or given
on several ``#+ params:`` lines). The kind is ``string`` (bound as given, the default) or
``name``: an entity's label or alias in any case, bound lower-cased so that the query can find
the entity by index lookup on ``kg:matchKey`` (the lower-cased labels and aliases of the
summary graph) instead of comparing every label.

Parameters are never pasted into the query text: they are bound with pyoxigraph
``substitutions`` ({Variable: Literal}), so a value containing SPARQL syntax stays a plain
string literal. pyoxigraph only substitutes variables of the *top-level SELECT projection*,
so a parametrised query must project its parameters (``SELECT ?speaker ?quote ...``) and,
if it aggregates, group by them; sub-SELECTs cannot see the parameters.

Writing queries (see README, "Writing a query"): the default graph is the union of all graphs *as a
multiset*: a triple held by N article graphs (an entity's label, a statement reported N times)
is seen N times, and a join of k such patterns repeats a row up to N^k times. The named
queries therefore read statements, quotations and entities in the summary graph
(``GRAPH kgg:summary``, each node once) and only per-article records (evidence, mention
records, article metadata: each in exactly one graph) from the union.

Timeouts: a pyoxigraph query cannot be interrupted from Python, so with a ``timeout`` the
query runs in a child Python process (isolated: :func:`_child_command`) that opens the store
read-only, runs the query and sends the results back as SPARQL JSON / N-Triples; the parent
kills the child's process group when the time is up. This costs ~0.1 s of interpreter start
per query; ``timeout=None`` runs the query in-process with no limit.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import sparql_guard
from .model import ENTITY_TYPES
from .paths import queries_dir

# Same namespaces as kg.rdf.PREFIXES (kept here so this module does not import rdflib;
# tests/test_query.py checks that they agree).
BASE = "https://w3id.org/newskg/"
PREFIXES = {
    "kg": BASE + "ontology#",
    "id": BASE + "id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": "http://www.wikidata.org/entity/",
}
XSD_STRING = PREFIXES["xsd"] + "string"
# Prefixes for Turtle output: without ``id:``, whose local names would need escaped slashes
# (``id:person\/john-kirby``); full IRIs read better.
TURTLE_PREFIXES = {k: v for k, v in PREFIXES.items() if k != "id"}

SELECT_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("ttl", "nt")
FORMATS = SELECT_FORMATS + GRAPH_FORMATS
DEFAULT_TIMEOUT = 30.0


# ---------------------------------------------------------------- errors
class QueryError(Exception):
    """A query could not be run; ``exit_code`` is what the CLI should exit with."""

    exit_code = 2


class QueryRefused(QueryError):
    """The query was refused before running: SERVICE without ``allow_service``, or too big."""


class QueryTimeout(QueryError):
    exit_code = 1


class QueryFailed(QueryError):
    """The query is valid but failed while running (store error, child crashed)."""

    exit_code = 1


# ---------------------------------------------------------------- named queries
#: Kinds of named-query parameters (the ``(kind)`` at the end of a ``#+ params:`` entry):
#: a ``string`` is bound as given; a ``name`` (an entity's label or alias, any case) is bound
#: lower-cased, to match the ``kg:matchKey`` index of the summary graph by index lookup.
PARAM_KINDS = ("string", "name")
_KIND_RE = re.compile(r"\((\w+)\)\s*$")


@dataclass(frozen=True)
class Param:
    name: str
    description: str = ""
    kind: str = "string"

    def bind(self, value: str) -> str:
        """The value to bind for ``value`` given by the user."""
        return value.lower() if self.kind == "name" else value


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path | None
    summary: str
    params: tuple[Param, ...]
    text: str
    examples: tuple[str, ...] = field(default=(), compare=False)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)


_HEADER_RE = re.compile(r"^#\+\s*([A-Za-z_-]+)\s*:\s?(.*)$")
_PARAM_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_header(text: str) -> dict[str, list[str]]:
    """The ``#+ key: value`` lines at the top of a query (blank and ``#`` lines may come between)."""
    header: dict[str, list[str]] = {}
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        m = _HEADER_RE.match(s)
        if m:
            header.setdefault(m.group(1).lower(), []).append(m.group(2).strip())
        elif not s.startswith("#"):
            break
    return header


def _parse_params(values: list[str], where: str) -> tuple[Param, ...]:
    params: list[Param] = []
    for value in values:
        for entry in value.split("|"):
            entry = entry.strip()
            if not entry or entry.lower() in ("(none)", "none", "-"):
                continue
            name, _, desc = entry.partition(":")
            name = name.strip().lstrip("?$")
            if not _PARAM_NAME_RE.match(name):
                raise QueryError(f"{where}: bad parameter entry {entry!r} (expected 'name: description')")
            m = _KIND_RE.search(desc)
            kind = m.group(1).lower() if m else "string"
            if kind not in PARAM_KINDS:
                raise QueryError(f"{where}: parameter {name!r} has unknown kind ({kind}); "
                                 f"use one of: {', '.join(PARAM_KINDS)}")
            params.append(Param(name, desc.strip(), kind))
    return tuple(params)


def parse_query_text(text: str, name: str = "query", path: Path | None = None) -> NamedQuery:
    header = parse_header(text)
    summary = " ".join(header.get("summary", [])).strip()
    params = _parse_params(header.get("params", []) + header.get("param", []), str(path or name))
    return NamedQuery(name, path, summary, params, text, tuple(header.get("example", [])))


def load_query_file(path: str | os.PathLike) -> NamedQuery:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise QueryError(f"cannot read query file {path}: {e.strerror or e}") from e
    return parse_query_text(text, path.stem, path)


def list_queries(directory: str | os.PathLike | None = None) -> list[NamedQuery]:
    """All ``*.rq`` files of ``directory`` (default: :func:`kg.paths.queries_dir`), by name."""
    d = Path(directory) if directory is not None else queries_dir()
    if not d.is_dir():
        return []
    return [load_query_file(p) for p in sorted(d.glob("*.rq"))]


def find_query(name: str, directory: str | os.PathLike | None = None) -> NamedQuery:
    d = Path(directory) if directory is not None else queries_dir()
    stem = name[:-3] if name.endswith(".rq") else name
    path = d / f"{stem}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", stem) or not path.is_file():
        known = ", ".join(q.name for q in list_queries(d)) or "(none)"
        raise QueryError(f"no query named {name!r} in {d}; known queries: {known}")
    return load_query_file(path)


def select_params(query: NamedQuery, params: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The parameters to bind for ``query`` and the names it does not take (to be ignored).

    A query with a ``#+ params:`` header gets exactly its declared parameters (a missing one
    is a :class:`QueryError`); a query without a header gets everything given.
    """
    header = parse_header(query.text)
    if "params" not in header and "param" not in header:
        return dict(params), []
    missing = [p for p in query.param_names if p not in params]
    if missing:
        raise QueryError(f"query {query.name!r} needs --param " + " ".join(f"{p}=..." for p in missing))
    used = {p.name: p.bind(params[p.name]) for p in query.params}
    return used, sorted(set(params) - set(used))


def check_params(query: NamedQuery, params: dict[str, str]) -> None:
    """Strict check: every declared parameter given and no other one."""
    _, unknown = select_params(query, params)
    if unknown:
        takes = ", ".join(query.param_names) or "no parameters"
        raise QueryError(f"query {query.name!r} has no parameter {', '.join(unknown)}; it takes: {takes}")


# ---------------------------------------------------------------- checking the text
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
        if not _PARAM_NAME_RE.match(name):
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


def _friendly_error(e: Exception, params: dict[str, str] | None) -> QueryError:
    msg = str(e)
    if isinstance(e, SyntaxError):
        return QueryError(f"SPARQL syntax error: {msg}")
    m = re.search(r"does not contains? variable \?(\w+) in its SELECT projection", msg)
    if m:
        return QueryError(
            f"parameter {m.group(1)!r} must be a variable of the query's top-level SELECT "
            f"projection (pyoxigraph binds parameters there); add ?{m.group(1)} to the SELECT "
            "clause, or drop the parameter"
        )
    return QueryFailed(f"query failed: {msg}")


def _run_in_process(store, text: str, params: dict[str, str] | None) -> QueryResult:
    try:
        return _materialise(store.query(text, substitutions=_substitutions(params)))
    except QueryError:
        raise
    except (SyntaxError, RuntimeError, ValueError, TypeError, OSError) as e:
        raise _friendly_error(e, params) from e


def run_query(
    store,
    text: str,
    params: dict[str, str] | None = None,
    timeout: float | None = None,
    *,
    allow_service: bool = False,
) -> QueryResult:
    """Run a SPARQL query on ``store`` (a :class:`kg.store.KGStore`; default graph = union).

    ``params`` are bound as string literals through substitutions, never spliced into the text.
    ``timeout`` (seconds) runs the query in a child process that is killed when time is up
    (:class:`QueryTimeout`); ``None`` or ``0`` runs it here, without a limit.
    The text is checked first (:func:`check_text`): SERVICE is refused (:class:`QueryRefused`)
    unless ``allow_service``, and so is a text too big for the engine, always.
    """
    check_text(text, allow_service)
    _substitutions(params)  # validates the parameter names before any process is started
    if not timeout or timeout <= 0:
        return _run_in_process(store, text, params)
    return _run_in_child(Path(store.path), text, params or {}, float(timeout))


def _child_command() -> list[str]:
    """``python -I -c ...`` for the query child. Isolated mode: neither the working directory
    (which ``python -m`` would put first on ``sys.path``: an ``inspect.py`` there would run
    inside kg) nor ``PYTHON*`` variables decide what it imports. It gets this process's import
    path instead, without the working directory, kg's own root first."""
    root = str(Path(__file__).resolve().parent.parent)
    cwd = os.getcwd()
    path = [root] + [p for p in sys.path if isinstance(p, str) and p and p != root and os.path.abspath(p) != cwd]
    code = f"import sys; sys.path[:] = {path!r}; from kg.query import _worker; sys.exit(_worker())"
    return [sys.executable, "-I", "-c", code]


def _run_in_child(store_path: Path, text: str, params: dict[str, str], timeout: float) -> QueryResult:
    request = json.dumps({"store": str(store_path), "query": text, "params": params}).encode("utf-8")
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


def _worker() -> int:  # pragma: no cover - exercised through subprocesses in the tests
    from .store import KGStore, StoreError

    req = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    try:
        try:
            store = KGStore.open(req["store"], read_only=True)
        except StoreError as e:
            raise QueryFailed(str(e)) from e
        try:
            res = store.query(req["query"], substitutions=_substitutions(req.get("params")))
            data = _encode(res)
        except QueryError:
            raise
        except (SyntaxError, RuntimeError, ValueError, TypeError, OSError) as e:
            raise _friendly_error(e, req.get("params")) from e
    except QueryError as e:
        sys.stderr.write(json.dumps({"type": type(e).__name__, "message": str(e)}) + "\n")
        return 3
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


# ---------------------------------------------------------------- formatting
def compact(term) -> str:
    """A short human form of a term: prefixed IRIs, plain literal values, '' for unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        best = None
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns) and (best is None or len(ns) > len(PREFIXES[best])):
                best = prefix
        return f"{best}:{iri[len(PREFIXES[best]):]}" if best else f"<{iri}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def plain(term) -> str:
    """The value of a term as CSV/TSV cells carry it (SPARQL 1.1 CSV: IRIs and literals bare)."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _truncate(s: str, width: int) -> str:
    s = " ".join(s.split()) if ("\n" in s or "\t" in s or "\r" in s) else s
    return s if len(s) <= width else s[: max(1, width - 1)] + "…"


def format_table(result: QueryResult, max_width: int = 60) -> str:
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    if result.kind == "graph":
        return format_graph(result, "ttl")
    header = list(result.variables)
    cells = [[_truncate(compact(t), max_width) for t in row] for row in result.rows]
    widths = [len(h) for h in header]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    n = len(result.rows)
    lines.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(lines) + "\n"


def format_csv(result: QueryResult, delimiter: str = ",") -> str:
    """SPARQL 1.1 CSV (plain values, CRLF). With ``delimiter='\\t'``: plain-value TSV (tabs,
    newlines and backslashes in values escaped as ``\\t``, ``\\n``, ``\\\\``), header without '?'."""
    if result.kind == "graph":
        raise QueryError("CONSTRUCT/DESCRIBE results have no CSV/TSV form; use --format ttl or nt")
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    buf = io.StringIO()
    if delimiter == "\t":
        esc = lambda s: s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")  # noqa: E731
        buf.write("\t".join(result.variables) + "\n")
        for row in result.rows:
            buf.write("\t".join(esc(plain(t)) for t in row) + "\n")
        return buf.getvalue()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(result.variables)
    for row in result.rows:
        w.writerow([plain(t) for t in row])
    return buf.getvalue()


_PLAIN_STRING_TYPES = (
    XSD_STRING,
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString",
)


def json_term(t) -> dict:
    """One RDF term in SPARQL 1.1 Query Results JSON (shared with kg.serve)."""
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value not in _PLAIN_STRING_TYPES:
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {
            "subject": json_term(t.subject), "predicate": json_term(t.predicate), "object": json_term(t.object)}}
    raise TypeError(f"unsupported term {t!r}")


def format_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.kind == "graph":
        raise QueryError("CONSTRUCT/DESCRIBE results have no SPARQL JSON form; use --format ttl or nt")
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
    bindings = [
        {v: json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows
    ]
    doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def format_graph(result: QueryResult, fmt: str) -> str:
    if result.kind != "graph":
        raise QueryError(f"--format {fmt} is for CONSTRUCT/DESCRIBE queries; use table, csv, tsv or json")
    if fmt == "ttl":
        data = ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES)
    else:
        data = ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES)
    return data.decode("utf-8")


def format_result(result: QueryResult, fmt: str = "table", max_width: int = 60) -> str:
    if fmt == "table":
        return format_table(result, max_width)
    if fmt == "csv":
        return format_csv(result, ",")
    if fmt == "tsv":
        return format_csv(result, "\t")
    if fmt == "json":
        return format_json(result)
    if fmt in GRAPH_FORMATS:
        if result.kind == "ask":
            return ("true" if result.boolean else "false") + "\n"
        return format_graph(result, fmt)
    raise QueryError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


# ---------------------------------------------------------------- store statistics
_SP = "\n".join(f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items()) + "\n"
_ENTITY_CLASSES = ENTITY_TYPES


def _scalar(store, q: str, union: bool = True) -> int:
    res = store.query(_SP + q, union=union)
    for sol in res:
        v = sol[0]
        return int(v.value) if v is not None else 0
    return 0


def store_stats(store) -> dict:
    """Counts of the store, all by SPARQL (each pattern read inside GRAPH ?g, counted DISTINCT).

    ``triples`` is the number of stored triples over all graphs (a triple held by two article
    graphs counts twice); ``distinct_triples`` the size of their union.
    """
    types = " ".join(f"kg:{t}" for t in _ENTITY_CLASSES)
    by_type = {t: 0 for t in _ENTITY_CLASSES}
    for sol in store.query(_SP + f"""
        SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES ?t {{ {types} }} GRAPH ?g {{ ?e a ?t }} }}
        GROUP BY ?t"""):
        by_type[sol["t"].value.rsplit("#", 1)[-1]] = int(sol["n"].value)
    relations: dict[str, dict] = {}
    for sol in store.query(_SP + """
        SELECT ?p ?pol (COUNT(DISTINCT ?st) AS ?n) (SAMPLE(?l) AS ?label) WHERE {
          GRAPH ?g { ?st a kg:Statement ; rdf:predicate ?p ; kg:polarity ?pol }
          OPTIONAL { GRAPH ?o { ?p rdfs:label ?l } }
        } GROUP BY ?p ?pol"""):
        name = sol["p"].value.rsplit("#", 1)[-1]
        r = relations.setdefault(name, {"label": name, "statements": 0, "positive": 0, "negative": 0})
        if sol["label"] is not None:
            r["label"] = sol["label"].value
        n = int(sol["n"].value)
        r["statements"] += n
        pol = sol["pol"].value
        key = pol if pol in ("positive", "negative") else "other"
        r[key] = r.get(key, 0) + n
    relations = dict(sorted(relations.items(), key=lambda kv: (-kv[1]["statements"], kv[0])))
    return {
        "articles": _scalar(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { ?a a kg:Article } }"),
        "entities": sum(by_type.values()),
        "entities_by_type": by_type,
        "statements": sum(r["statements"] for r in relations.values()),
        "relations_by_predicate": relations,
        "quotations": _scalar(store, "SELECT (COUNT(DISTINCT ?q) AS ?n) WHERE { GRAPH ?g { ?q a kg:Quotation } }"),
        "evidence": _scalar(store, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e a kg:Evidence } }"),
        "graphs": _scalar(store, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        "triples": _scalar(
            store, "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", union=False
        ),
        "distinct_triples": _scalar(
            store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        ),
    }


def format_stats(stats: dict) -> str:
    lines = [
        f"articles          {stats['articles']}",
        f"entities          {stats['entities']}",
    ]
    lines += [f"  {t:<16}{n}" for t, n in stats["entities_by_type"].items() if n]
    lines.append(f"statements        {stats['statements']}")
    if stats["relations_by_predicate"]:
        w = max(len(r["label"]) for r in stats["relations_by_predicate"].values())
        w = max(w, 9)
        lines.append(f"  {'predicate':<{w}}  {'total':>6}  {'pos':>6}  {'neg':>6}")
        for r in stats["relations_by_predicate"].values():
            lines.append(f"  {r['label']:<{w}}  {r['statements']:>6}  {r['positive']:>6}  {r['negative']:>6}")
    lines += [
        f"quotations        {stats['quotations']}",
        f"evidence          {stats['evidence']}",
        f"graphs            {stats['graphs']}",
        f"triples           {stats['triples']}  ({stats['distinct_triples']} distinct)",
    ]
    return "\n".join(lines) + "\n"
