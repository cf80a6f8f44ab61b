""""Did you mean": the nearest of a set of names to one that matched nothing - a query name, a
parameter name, an entity's label or alias (:func:`nearest_entities`, read from the summary
graph's ``kg:matchKey`` index), a ``kg:`` predicate or class no graph uses (:func:`unknown_terms`,
against the ontology's terms).

Nearness is what a person misspelling or half-remembering a name does: the text found inside a
name (``kirby`` in ``john kirby``) or a name inside the text, then the closest spellings
(``difflib``'s ratio, which counts matching characters in order).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from ..namespaces import KG, ONTOLOGY_GRAPH, OWL, PROV, RDF, RDFS, SDO, SKOS, SPARQL_PROLOGUE, SUMMARY_GRAPH

#: The vocabularies whose terms a query names (predicates, classes): a name in one of them that
#: no graph uses is probably misspelt (not so an entity's IRI, a Wikidata id or a datatype).
VOCABULARIES = (KG, RDF, RDFS, OWL, SKOS, SDO, PROV)


def close(word: str, choices: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` of ``choices`` nearest to ``word`` (any case): those containing it (or
    contained in it) first, then the closest spellings."""
    choices = list(dict.fromkeys(choices))
    low = word.lower()
    by_lower: dict[str, str] = {}
    for c in choices:
        by_lower.setdefault(c.lower(), c)
    inside = [c for c in choices if low and (low in c.lower() or (len(c) >= 4 and c.lower() in low))]
    spelt = [by_lower[c] for c in difflib.get_close_matches(low, list(by_lower), n=n, cutoff=cutoff)]
    return list(dict.fromkeys(inside[:n] + spelt))[:n]


def did_you_mean(word: str, choices: Iterable[str], n: int = 3) -> str:
    """``"; did you mean X or Y?"`` (empty when nothing is near)."""
    found = close(word, choices, n)
    return f"; did you mean {' or '.join(found)}?" if found else ""


_KEYS = SPARQL_PROLOGUE + """
SELECT ?k ?label ?m WHERE {
  GRAPH kgg:summary { ?e kg:matchKey ?k ; rdfs:label ?label . OPTIONAL { ?e kg:mentionCount ?m } }
}"""


def name_known(store, value: str) -> bool:
    """Whether an entity has ``value`` (any case) as its label or an alias."""
    import pyoxigraph as ox

    return next(iter(store.ox.quads_for_pattern(
        None, ox.NamedNode(f"{KG}matchKey"), ox.Literal(value.lower()), ox.NamedNode(SUMMARY_GRAPH))), None) is not None


def nearest_entities(store, value: str, n: int = 5) -> list[str]:
    """The labels of up to ``n`` entities whose label or alias is nearest to ``value``: those
    containing it (most mentioned first), then the closest spellings. Reads every label and
    alias of the summary graph once (some 50 ms for 40,000 of them): meant for the moment a
    name matched nothing."""
    low = " ".join(value.lower().split())
    if not low:
        return []
    keys: dict[str, tuple[str, int]] = {}  # match key -> (label, mentions) of its most mentioned entity
    for row in store.ox.query(_KEYS):
        k, label = row[0].value, row[1].value
        m = int(row[2].value) if row[2] is not None else 0
        if k not in keys or m > keys[k][1]:
            keys[k] = (label, m)
    inside = sorted((k for k in keys if low in k or (len(k) >= 4 and k in low)), key=lambda k: (-keys[k][1], k))
    spelt = difflib.get_close_matches(low, list(keys), n=n, cutoff=0.6)
    labels = [keys[k][0] for k in inside[:n] + spelt]
    return list(dict.fromkeys(labels))[:n]


def summary_is_older(store) -> bool:
    """Whether the store holds articles while its summary graph holds none: a summary written by
    a kg before articles and plain triples were part of it (the next ``kg build`` recomputes it)."""
    article = f"<{KG}Article>"
    q = (f"ASK {{ GRAPH ?g {{ ?a <{KG}sha256> ?h }} "
         f"FILTER NOT EXISTS {{ GRAPH <{SUMMARY_GRAPH}> {{ ?x a {article} }} }} }}")
    return bool(store.ox.query(q))


#: a prefixed name ``prefix:Local`` outside strings, IRIs and comments (approximately: the
#: text is stripped of those first by :func:`_code`)
_PNAME = re.compile(r"(?<![\w?$:<@#.-])([A-Za-z][\w-]*):([A-Za-z_][\w-]*)")
_STRIP = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')


def _code(text: str) -> str:
    """``text`` with its strings, IRIs and comments blanked out (the same length)."""
    return _STRIP.sub(lambda m: " " * len(m.group(0)), text)


def _vocabulary(store) -> set[str]:
    """The IRIs of the terms a query can name: those of the ontology graph (its classes and
    properties, and the RDF/RDFS/OWL/... terms it uses) and the predicates and classes of the
    summary graph (a scan of the merged view: done only when a query found nothing)."""
    import pyoxigraph as ox

    terms = set()
    for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH)):
        terms.update(t.value for t in (q.subject, q.predicate, q.object) if isinstance(t, ox.NamedNode))
    used = f"""SELECT DISTINCT ?t WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{
      {{ ?s ?t ?o }} UNION {{ ?s a ?t }} }} }}"""
    terms.update(row[0].value for row in store.ox.query(used) if isinstance(row[0], ox.NamedNode))
    return terms


def _used(store, iri: str) -> bool:
    """Whether any graph of the store uses ``iri`` as subject, predicate or object."""
    import pyoxigraph as ox

    node = ox.NamedNode(iri)
    return any(next(iter(store.ox.quads_for_pattern(*pattern)), None) is not None
               for pattern in ((node, None, None, None), (None, node, None, None), (None, None, node, None)))


def unknown_terms(store, text: str, prefixes: dict[str, str]) -> list[tuple[str, list[str]]]:
    """The prefixed names of a query in one of :data:`VOCABULARIES` (``kg:``, ``rdfs:``,
    ``schema:``, ...) that no graph of the store uses - a misspelt predicate or class
    (``kg:oposes``, ``kg:person``, ``rdfs:labl``) - each with the nearest terms of the ontology
    graph: ``[("kg:oposes", ["kg:opposes"]), ...]``. A prefix means what the query's own PREFIX
    line says, else what ``prefixes`` (kg's) says."""
    own = dict(re.findall(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", text))
    out, seen = [], set()
    vocab: set[str] | None = None
    for prefix, local in _PNAME.findall(_code(text)):
        ns = own.get(prefix, prefixes.get(prefix))
        if ns not in VOCABULARIES or (prefix, local) in seen:
            continue
        seen.add((prefix, local))
        if _used(store, ns + local):
            continue
        if vocab is None:
            vocab = _vocabulary(store)
        lower: dict[str, str] = {}
        for iri in sorted(vocab):
            if iri.startswith(ns):
                lower.setdefault(iri[len(ns):].lower(), iri[len(ns):])
        near = difflib.get_close_matches(local.lower(), list(lower), n=3, cutoff=0.7)  # closest spelling first
        out.append((f"{prefix}:{local}", [f"{prefix}:{lower[c]}" for c in near]))
    return out
