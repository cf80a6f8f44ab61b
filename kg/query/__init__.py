"""Named SPARQL queries, running them against the store, formatting results, store statistics.

* :mod:`kg.query.catalog`: the ``queries/*.rq`` files and their ``#+`` headers (parameters);
* :mod:`kg.query.run`: :func:`run_query` (checked by :mod:`kg.sparql_guard`, parameters bound
  as literals, in an isolated child process when it has a time limit);
* :mod:`kg.query.format`: tables, SPARQL CSV/TSV/JSON, Turtle and N-Triples;
* :mod:`kg.query.stats`: ``kg stats``;
* :mod:`kg.query.errors`: the exceptions, shared with ``kg serve``.

No spaCy, and rdflib only to check a query that mentions SERVICE.

Writing queries (see README, "Writing a query"): the default graph is the union of all graphs *as a
multiset*: a triple held by N article graphs (an entity's label, a statement reported N times)
is seen N times, and a join of k such patterns repeats a row up to N^k times. The named
queries therefore read statements, quotations and entities in the summary graph
(``GRAPH kgg:summary``, each node once) and only per-article records (evidence, mention
records, article metadata: each in exactly one graph) from the union.
"""

from ..namespaces import PREFIXES, TURTLE_PREFIXES
from .catalog import (
    PARAM_KINDS,
    NamedQuery,
    Param,
    check_params,
    find_query,
    list_queries,
    load_query_file,
    parse_header,
    parse_query_text,
    select_params,
)
from .errors import QueryError, QueryFailed, QueryRefused, QuerySyntaxError, QueryTimeout
from .format import (
    FORMATS,
    GRAPH_FORMATS,
    SELECT_FORMATS,
    compact,
    format_csv,
    format_graph,
    format_json,
    format_result,
    format_table,
    json_term,
    plain,
)
from .run import DEFAULT_TIMEOUT, QueryResult, check_text, dataset_options, run_query
from .stats import format_stats, store_stats

__all__ = [
    "DEFAULT_TIMEOUT", "FORMATS", "GRAPH_FORMATS", "PARAM_KINDS", "PREFIXES", "SELECT_FORMATS", "TURTLE_PREFIXES",
    "NamedQuery", "Param", "QueryError", "QueryFailed", "QueryRefused", "QueryResult", "QuerySyntaxError", "QueryTimeout",
    "check_params", "check_text", "compact", "dataset_options", "find_query", "format_csv", "format_graph", "format_json",
    "format_result", "format_stats", "format_table", "json_term", "list_queries", "load_query_file", "parse_header",
    "parse_query_text", "plain", "run_query", "select_params", "store_stats",
]
