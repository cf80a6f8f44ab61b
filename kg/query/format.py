"""Query results as text: a table for the terminal, SPARQL 1.1 CSV/TSV and JSON, Turtle and
N-Triples (``kg query --format``); :func:`json_term` is shared with ``kg serve``."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox

from ..namespaces import RDF, TURTLE_PREFIXES, XSD, shorten
from .errors import QueryError
from .run import QueryResult

SELECT_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("ttl", "nt")
FORMATS = SELECT_FORMATS + GRAPH_FORMATS


def compact(term) -> str:
    """A short human form of a term: prefixed IRIs, plain literal values, '' for unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
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


_PLAIN_STRING_TYPES = (XSD + "string", RDF + "langString", RDF + "dirLangString")


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
