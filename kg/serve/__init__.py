"""``kg serve``: the store as a SPARQL 1.1 Protocol endpoint (``/sparql``), safe by default.

pyoxigraph behind a stdlib ``ThreadingHTTPServer`` that enforces its own limits (why not
``oxigraph serve-read-only``: docs/decisions/serve-engine.md):

* **read-only** by default: query workers open the store read-only and SPARQL UPDATE is
  answered ``403``; with ``--allow-update`` each update runs in a fresh worker holding the
  writer lock (``409`` while a ``kg build`` writes), ``LOAD`` always refused;
* **time limit** (``--timeout``), **memory limit** (``--memory-limit``, ``RLIMIT_AS`` per worker),
  **row limit** (``--max-rows``, ``X-SPARQL-MaxRows``), **result size** (``--max-result-mb``);
* **no federation**: ``SERVICE`` (and ``LOAD`` in updates) refused with ``400`` before any
  worker sees the text (:mod:`kg.sparql_guard`), and on Linux workers without any network;
* **loopback** by default (``--host 127.0.0.1``; any other address prints a warning);
* the **merged view** (summary and ontology graphs: each entity, statement, quotation, article
  and plain triple once) as the default graph unless the request names its dataset; the common
  prefixes (``kg query --prefixes``) declared.

The package, by what each module does:

* :mod:`kg.serve.server`: the HTTP server, its connection cap, :func:`serve`;
* :mod:`kg.serve.handler`: one request: routes, input checks, update authorisation, the log line;
* :mod:`kg.serve.pages`: the browsable graph (entity, article and search pages, the graph's IRIs
  as HTML or Turtle, results as an HTML table), rendered in the query workers;
* :mod:`kg.serve.negotiation`: the result format (``Accept``, ``format=``);
* :mod:`kg.serve.pool`: the workers, the two lanes, the time limit, what crashes cost;
* :mod:`kg.serve.process`: a worker seen from the server (isolated start, frames in);
* :mod:`kg.serve.worker`: the worker process (sandbox, memory limit, runs queries and updates);
* :mod:`kg.serve.spool`: answers held for slow clients; :mod:`kg.serve.frames`: the wire format;
* :mod:`kg.serve.errors`, :mod:`kg.serve.limits`, :mod:`kg.serve.page` (the query form at ``/``).

The names below are imported from their modules when first used, so that a worker process,
which imports :mod:`kg.serve.worker`, does not load the HTTP server.
"""

from __future__ import annotations

import importlib

from ..sparql_guard import QueryRefused as SparqlRefused, check as check_sparql, remote_keywords  # noqa: F401
from .limits import (  # noqa: F401 - the defaults, for the CLI and tests
    DEFAULT_CLIENT_TIMEOUT,
    DEFAULT_HOST,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RESULT_MB,
    DEFAULT_MAX_ROWS,
    DEFAULT_MEMORY_LIMIT_MB,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT,
    MAX_BODY,
)

_EXPORTS = {
    "serve": "server", "make_server": "server", "close_server": "server", "SparqlServer": "server",
    "SparqlHandler": "handler", "BadRequest": "handler", "graph_iris": "handler", "check_accept": "handler",
    "negotiate": "negotiation", "media_type": "negotiation", "NotAcceptable": "negotiation",
    "SOLUTION_FORMATS": "negotiation", "GRAPH_FORMATS": "negotiation", "FORMAT_PARAM": "negotiation",
    "WorkerPool": "pool", "Penalties": "pool", "run_update": "pool",
    "Worker": "process", "worker_command": "process", "worker_paths": "process",
    "execute": "worker", "network_sandbox": "worker", "store_signature": "worker",
    "serialize_solutions": "worker", "serialize_boolean": "worker", "serialize_triples": "worker",
    "Spool": "spool", "SpoolBudget": "spool", "Answer": "spool", "job_key": "spool",
    "ServeError": "errors", "WorkerBusy": "errors", "WorkerError": "errors", "QueryTimeout": "errors",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
