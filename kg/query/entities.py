"""``kg entities``: find entities by label or alias (any case, a part of the name is enough),
with their type, mentions, articles, aliases and Wikidata id, the most mentioned first.

Reads the summary graph (each entity once): the lower-cased labels and aliases of
``kg:matchKey`` for the search, ``kg:mentionCount`` for the order.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..model import ENTITY_TYPES
from ..namespaces import KG, SPARQL_PROLOGUE, SPARQL_PREFIXES, WD
from .errors import QueryError
from .suggest import did_you_mean

COLUMNS = ("label", "type", "mentions", "articles", "aliases", "wikidata", "iri")


def entity_type(name: str) -> str:
    """The entity type named ``name`` in any case (``person`` -> ``Person``); QueryError otherwise."""
    for t in ENTITY_TYPES:
        if t.lower() == name.lower():
            return t
    raise QueryError(f"no entity type {name!r}{did_you_mean(name, ENTITY_TYPES)} (types: {', '.join(ENTITY_TYPES)})")


def find_entities(store, text: str | None = None, *, type: str | None = None, limit: int = 20) -> list[dict]:
    """Entities whose label or alias contains ``text`` (lower-cased; every entity without it),
    of ``type``, the ``limit`` most mentioned (0 = all): dicts of :data:`COLUMNS`."""
    needle = " ".join((text or "").lower().split())
    match = ""
    if needle:  # the text as a literal term (N-Triples escaping: quotes, backslashes, newlines)
        match = (f"{{ SELECT DISTINCT ?e WHERE {{ GRAPH kgg:summary {{ ?e kg:matchKey ?k }} "
                 f"FILTER (CONTAINS(?k, {ox.Literal(needle)})) }} }}")
    typed = f"; a kg:{entity_type(type)}" if type else ""
    cut = f"LIMIT {int(limit)}" if limit and limit > 0 else ""
    q = SPARQL_PROLOGUE + f"""
SELECT ?e ?label ?m ?a ?t ?alias ?same WHERE {{
  {{ SELECT ?e ?m WHERE {{
      {match}
      GRAPH kgg:summary {{ ?e kg:mentionCount ?m {typed} }}
    }} ORDER BY DESC(?m) {cut} }}
  GRAPH kgg:summary {{ ?e rdfs:label ?label }}
  OPTIONAL {{ GRAPH kgg:summary {{ ?e kg:articleCount ?a }} }}
  OPTIONAL {{ GRAPH kgg:summary {{ ?e a ?t }} }}
  OPTIONAL {{ GRAPH kgg:summary {{ ?e skos:altLabel ?alias }} }}
  OPTIONAL {{ GRAPH kgg:summary {{ ?e owl:sameAs ?same }} }}
}}"""
    found: dict[str, dict] = {}
    for row in store.ox.query(q):
        iri = row["e"].value
        e = found.setdefault(iri, {"label": row["label"].value, "types": set(), "mentions": int(row["m"].value),
                                   "articles": int(row["a"].value) if row["a"] is not None else 0,
                                   "aliases": set(), "wikidata": set(), "iri": iri})
        if row["t"] is not None and row["t"].value.startswith(KG) and row["t"].value[len(KG):] in ENTITY_TYPES:
            e["types"].add(row["t"].value[len(KG):])
        if row["alias"] is not None:
            e["aliases"].add(row["alias"].value)
        if row["same"] is not None and row["same"].value.startswith(WD):
            e["wikidata"].add(row["same"].value[len(WD):])
    out = []
    for e in sorted(found.values(), key=lambda e: (-e["mentions"], e["label"].lower(), e["iri"])):
        out.append({"label": e["label"], "type": "|".join(sorted(e["types"])), "mentions": e["mentions"],
                    "articles": e["articles"], "aliases": sorted(e["aliases"], key=str.lower),
                    "wikidata": "|".join(sorted(e["wikidata"])), "iri": e["iri"]})
    return out


def short_iri(iri: str) -> str:
    """The IRI as a prefixed name a query can use as is (``person:john-kirby``), else ``<iri>``."""
    import re

    best = max((p for p, ns in SPARQL_PREFIXES.items() if iri.startswith(ns)),
               key=lambda p: len(SPARQL_PREFIXES[p]), default=None)
    if best is not None:
        local = iri[len(SPARQL_PREFIXES[best]):]
        if re.fullmatch(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?", local):
            return f"{best}:{local}"
    return f"<{iri}>"


def format_entities(found: list[dict], fmt: str = "table", max_width: int = 50) -> str:
    """Entities (:func:`find_entities`) as a table, CSV, TSV (aliases joined by ``|``) or JSON."""
    import csv
    import io
    import json

    if fmt == "json":
        return json.dumps(found, indent=1, ensure_ascii=False) + "\n"
    rows = [[e["label"], e["type"], str(e["mentions"]), str(e["articles"]), "|".join(e["aliases"]), e["wikidata"],
             e["iri"] if fmt != "table" else short_iri(e["iri"])] for e in found]
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(rows)
        return buf.getvalue()
    from .format import _truncate

    cells = [[_truncate(c, max_width) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(COLUMNS)]
    right = {2, 3}
    fmt_row = lambda r: "  ".join(c.rjust(w) if i in right else c.ljust(w)  # noqa: E731
                                  for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    lines = [fmt_row(COLUMNS), "  ".join("-" * w for w in widths), *(fmt_row(r) for r in cells)]
    lines.append(f"({len(found)} entit{'y' if len(found) == 1 else 'ies'})")
    return "\n".join(lines) + "\n"
