"""What every projection reads: node ids, article dates, rows of SPARQL results.

Every pattern is read inside ``GRAPH ?g``: the default graph is the multiset union of the
graphs, so joins over it would repeat each row once per article that holds the triples.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..namespaces import ID, SPARQL_PROLOGUE

QUOTATION_TYPE = "Quotation"  # the type of quotation nodes (entity graph), drawn round their speaker


class GraphError(Exception):
    """A projection or its looks could not be made (unknown projection, bad palette)."""


def node_id(iri: str) -> str:
    """Short stable node id: the IRI path after ``/id/`` (``person/john-kirby``), else the IRI."""
    return iri[len(ID):] if iri.startswith(ID) else iri


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` (else its last ``/``)."""
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
            break
    return iri


Q_MENTIONS = SPARQL_PROLOGUE + """
SELECT ?e ?doc ?count WHERE {
  GRAPH ?g { ?m a kg:Mentions ; kg:entity ?e ; kg:article ?art ; kg:count ?count . ?art kg:docId ?doc }
}"""
Q_ARTICLES = SPARQL_PROLOGUE + """
SELECT ?doc ?date ?title ?url WHERE {
  GRAPH ?g {
    ?art a kg:Article ; kg:docId ?doc .
    OPTIONAL { ?art schema:datePublished ?date }
    OPTIONAL { ?art schema:headline ?title }
    OPTIONAL { ?art schema:url ?url }
  }
}"""

_ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[T ]|$)")


def iso_date(value: str | None) -> str:
    """``YYYY-MM-DD`` of an article date (ISO date or date-time), ``""`` if it is not one."""
    m = _ISO_DATE.match(value or "")
    return m.group(1) if m else ""


def rows(store, q: str) -> Iterator[tuple]:
    """The solutions of a SELECT as tuples of plain values (None when unbound)."""
    res = store.query(q)
    n = len(res.variables)
    for sol in res:
        yield tuple(None if sol[i] is None else sol[i].value for i in range(n))


def sorted_rows(store, q: str) -> list[tuple]:
    """:func:`rows` in a stable order (unbound values sort as ``""``)."""
    return sorted(rows(store, q), key=lambda r: tuple(x or "" for x in r))


def to_int(v: str | None, default: int = 0) -> int:
    try:
        return int(float(v)) if v is not None else default
    except ValueError:
        return default


def to_float(v: str | None) -> float | None:
    try:
        return float(v) if v is not None else None
    except ValueError:
        return None


def article_info(store) -> dict[str, dict[str, str]]:
    """``{doc id: {"title", "date" (YYYY-MM-DD or ""), "url"}}`` of every article in the store."""
    info: dict[str, dict[str, str]] = {}
    for doc, date, title, url in sorted_rows(store, Q_ARTICLES):
        d = info.setdefault(doc, {"title": "", "date": "", "url": ""})
        d["title"] = d["title"] or title or ""
        d["date"] = d["date"] or iso_date(date)
        d["url"] = d["url"] or url or ""
    return info


def first_date(docs, articles: dict[str, dict[str, str]]) -> str:
    """The earliest date of the articles ``docs`` (``""`` when none has a date)."""
    dates = [articles[d]["date"] for d in docs if d in articles and articles[d]["date"]]
    return min(dates) if dates else ""
