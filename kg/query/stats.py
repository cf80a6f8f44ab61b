"""``kg stats``: counts of the store (articles, entities by type, relations by predicate, open
statements, quotations, evidence, graphs, triples), all by SPARQL."""

from __future__ import annotations

from ..model import ENTITY_TYPES
from ..namespaces import SPARQL_PROLOGUE

def _scalar(store, q: str, union: bool = True) -> int:
    res = store.query(SPARQL_PROLOGUE + q, union=union)
    for sol in res:
        v = sol[0]
        return int(v.value) if v is not None else 0
    return 0


def top_entities(store, top: int) -> dict[str, list[dict]]:
    """The ``top`` most mentioned entities of each type (summary graph): ``{type: [{label,
    mentions, articles}]}``, types without entities left out."""
    out: dict[str, list[dict]] = {}
    if top <= 0:
        return out
    for t in ENTITY_TYPES:
        rows = store.query(SPARQL_PROLOGUE + f"""
            SELECT ?label ?m ?a WHERE {{
              {{ SELECT ?e ?m WHERE {{ GRAPH kgg:summary {{ ?e kg:mentionCount ?m ; a kg:{t} }} }}
                ORDER BY DESC(?m) LIMIT {int(top)} }}
              GRAPH kgg:summary {{ ?e rdfs:label ?label . OPTIONAL {{ ?e kg:articleCount ?a }} }}
            }} ORDER BY DESC(?m) ?label""", union=False)
        found = [{"label": r["label"].value, "mentions": int(r["m"].value),
                  "articles": int(r["a"].value) if r["a"] is not None else 0} for r in rows]
        if found:
            out[t] = found[:top]
    return out


def store_stats(store, top: int = 5) -> dict:
    """Counts of the store, all by SPARQL (each pattern read inside GRAPH ?g, counted DISTINCT),
    and the ``top`` most mentioned entities of each type.

    ``triples`` is the number of stored triples over all graphs (a triple held by two article
    graphs counts twice); ``distinct_triples`` the size of their union.
    """
    types = " ".join(f"kg:{t}" for t in ENTITY_TYPES)
    by_type = {t: 0 for t in ENTITY_TYPES}
    for sol in store.query(SPARQL_PROLOGUE + f"""
        SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES ?t {{ {types} }} GRAPH ?g {{ ?e a ?t }} }}
        GROUP BY ?t"""):
        by_type[sol["t"].value.rsplit("#", 1)[-1]] = int(sol["n"].value)
    relations: dict[str, dict] = {}
    for sol in store.query(SPARQL_PROLOGUE + """
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
    from ..curation import state

    return {
        "curation": state(store.path).get("rules", []),
        "articles": _scalar(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { ?a a kg:Article } }"),
        "entities": sum(by_type.values()),
        "entities_by_type": by_type,
        "statements": sum(r["statements"] for r in relations.values()),
        "relations_by_predicate": relations,
        "top_entities": top_entities(store, top),
        "open_statements": _scalar(
            store, "SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE { GRAPH ?g { ?st a kg:OpenStatement } }"),
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
    if stats.get("top_entities"):
        lines.append("most mentioned    (mentions, articles)")
        for t, found in stats["top_entities"].items():
            shown = ", ".join(f"{e['label']} ({e['mentions']}, {e['articles']})" for e in found)
            lines.append(f"  {t:<16}{shown}")
    lines.append(f"statements        {stats['statements']}")
    if stats["relations_by_predicate"]:
        w = max(len(r["label"]) for r in stats["relations_by_predicate"].values())
        w = max(w, 9)
        lines.append(f"  {'predicate':<{w}}  {'total':>6}  {'pos':>6}  {'neg':>6}")
        for r in stats["relations_by_predicate"].values():
            lines.append(f"  {r['label']:<{w}}  {r['statements']:>6}  {r['positive']:>6}  {r['negative']:>6}")
    lines += [
        f"open statements   {stats.get('open_statements', 0)}  (verb phrases outside the vocabulary)",
        f"quotations        {stats['quotations']}",
        f"evidence          {stats['evidence']}",
        f"graphs            {stats['graphs']}",
        f"triples           {stats['triples']}  ({stats['distinct_triples']} distinct)",
    ]
    rules = stats.get("curation") or []
    if rules:
        lines.append(f"curation          {len(rules)} rule(s)  (things each touched)")
        lines += [f"  {r['touched']:>4}  {r['rule']}" + ("  (matches nothing)" if not r["touched"] else "") for r in rules]
    return "\n".join(lines) + "\n"
