"""Content negotiation: the result format a client asked for, by ``Accept`` or ``format=``.

SELECT/ASK as SPARQL JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD,
RDF/XML; either as an HTML table for a browser (``Accept: text/html`` first, as browsers send it,
or ``format=html``: :mod:`kg.serve.pages`); a ``format`` (or ``output``) parameter (``json``, ``xml``, ``csv``, ``tsv``, ``turtle``,
``nt``, ``jsonld``, ``rdfxml``) wins over ``Accept`` when both are given.
"""

from __future__ import annotations

# name -> (media type sent, media types accepted in Accept)
SOLUTION_FORMATS = {
    "json": ("application/sparql-results+json", ("application/sparql-results+json", "application/json",
                                                 "text/javascript", "application/javascript")),
    "xml": ("application/sparql-results+xml", ("application/sparql-results+xml", "application/xml", "text/xml")),
    "csv": ("text/csv; charset=utf-8", ("text/csv",)),
    "tsv": ("text/tab-separated-values; charset=utf-8", ("text/tab-separated-values",)),
    "html": ("text/html; charset=utf-8", ("text/html", "application/xhtml+xml")),
}
GRAPH_FORMATS = {
    "turtle": ("text/turtle; charset=utf-8", ("text/turtle", "application/x-turtle", "application/turtle",
                                              "text/n3", "text/rdf+n3", "application/n3")),
    "ntriples": ("application/n-triples", ("application/n-triples", "text/plain")),
    "jsonld": ("application/ld+json", ("application/ld+json", "application/json")),
    "rdfxml": ("application/rdf+xml", ("application/rdf+xml", "application/xml", "text/xml")),
    "html": ("text/html; charset=utf-8", ("text/html", "application/xhtml+xml")),
}
DEFAULT_FORMAT = {"solutions": "json", "boolean": "json", "graph": "turtle"}
# values of the format/output parameter -> (solution format, graph format)
FORMAT_PARAM = {
    "json": ("json", "jsonld"), "srj": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "srx": ("xml", "rdfxml"),
    "csv": ("csv", None), "tsv": ("tsv", None), "turtle": (None, "turtle"), "ttl": (None, "turtle"),
    "n3": (None, "turtle"), "nt": (None, "ntriples"), "ntriples": (None, "ntriples"),
    "n-triples": (None, "ntriples"), "jsonld": ("json", "jsonld"), "json-ld": ("json", "jsonld"),
    "html": ("html", "html"), "rdf": (None, "rdfxml"), "rdfxml": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"),
}


class NotAcceptable(Exception):
    """No format asked for (``Accept``, ``format=``) can carry the result (HTTP 406)."""


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
