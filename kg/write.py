"""Writing pipeline results into the store: one named graph per article, and the summary.

Every write is ONE Oxigraph transaction that also brings the summary graph up to date, so
the store is consistent at every moment: a build killed at any point leaves whole articles
and a summary that matches them (``kg validate`` passes); re-running the build adds the rest.

The summary update of a write is :data:`kg.rdf.SUMMARY_UPDATE` restricted to the
statements, quotations and entities of the graphs written and of the graphs they replace
(:func:`summary_update_for`), so its cost follows the size of the write, not of the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .model import ArticleGraph
from .paths import data_dir
from .rdf import KG, ONTOLOGY_GRAPH, SUMMARY_GRAPH, SUMMARY_UPDATE, mint
from .store import KGStore

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SUMMARISED_TYPES = (str(KG.Statement), str(KG.Quotation))
_CLEAR_SUMMARY = f"CLEAR SILENT GRAPH <{SUMMARY_GRAPH}>"
# "SELECT ?v ... WHERE {" of each aggregate sub-query of SUMMARY_UPDATE (grouped by ?v)
_SUBSELECT = re.compile(r"(SELECT\s+\?(\w+)\b[^{]*?\bWHERE\s*\{)")


def load_ontology(store: KGStore) -> None:
    """(Re)load data/ontology.ttl into its own named graph (one transaction)."""
    import pyoxigraph as ox

    path = data_dir() / "ontology.ttl"
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(str(ONTOLOGY_GRAPH)))
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    ]
    store.replace_graph(str(ONTOLOGY_GRAPH), quads)


def article_graph_iri(doc_id: str) -> str:
    return str(mint("graph", doc_id))


def summary_update_for(nodes: Iterable[str]) -> str:
    """:data:`SUMMARY_UPDATE` for the summary entries of ``nodes`` only (IRIs of statements,
    quotations, entities): their entries are deleted and recomputed from all article graphs.
    Falls back to the full update if SUMMARY_UPDATE does not have the expected shape."""
    import pyoxigraph as ox

    nodes = sorted(set(nodes))
    if not nodes:
        return ""
    values = " ".join(str(ox.NamedNode(n)) for n in nodes)
    if SUMMARY_UPDATE.count(_CLEAR_SUMMARY) != 1:
        return SUMMARY_UPDATE
    body = SUMMARY_UPDATE.replace(
        _CLEAR_SUMMARY,
        f"DELETE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?kg_node ?kg_p ?kg_o }} }} "
        f"WHERE {{ VALUES ?kg_node {{ {values} }} GRAPH <{SUMMARY_GRAPH}> {{ ?kg_node ?kg_p ?kg_o }} }}")
    body, n = _SUBSELECT.subn(lambda m: f"{m.group(1)} VALUES ?{m.group(2)} {{ {values} }}", body)
    if n != SUMMARY_UPDATE.count("GROUP BY") or n == 0:
        return SUMMARY_UPDATE
    return body


def _summarised_nodes(quads) -> set[str]:
    """Statements, quotations and entities that ``quads`` (an article graph) contribute to."""
    nodes = set()
    for q in quads:
        p = q.predicate.value
        if p == _RDF_TYPE and q.object.value in _SUMMARISED_TYPES:
            nodes.add(q.subject.value)
        elif p == str(KG.entity):
            nodes.add(q.object.value)
    return nodes


def _summarised_nodes_in_store(store: KGStore, graph_iris: Iterable[str]) -> set[str]:
    import pyoxigraph as ox

    graphs = [g for g in graph_iris if store.ox.contains_named_graph(ox.NamedNode(g))]
    if not graphs:
        return set()
    q = f"""SELECT DISTINCT ?x WHERE {{ VALUES ?g {{ {" ".join(f"<{g}>" for g in graphs)} }}
      GRAPH ?g {{ {{ ?x a <{KG.Statement}> }} UNION {{ ?x a <{KG.Quotation}> }} UNION {{ ?m <{KG.entity}> ?x }} }} }}"""
    return {row["x"].value for row in store.ox.query(q)}


def write_article(store: KGStore, ag: ArticleGraph) -> None:
    """Replace the article's named graph and update the summary (one transaction)."""
    write_articles(store, [ag])


def write_articles(store: KGStore, graphs: Iterable[ArticleGraph]) -> int:
    """Replace the named graphs of several articles and update the summary, all in one
    transaction (all of them or none)."""
    graphs = list(graphs)
    if not graphs:
        return 0
    iris = [article_graph_iri(ag.article.id) for ag in graphs]
    nodes = _summarised_nodes_in_store(store, iris)
    todo = {iri: _quads(ag, nodes) for iri, ag in zip(iris, graphs)}
    store.replace_graphs(todo, then=lambda: summary_update_for(nodes))
    return len(todo)


def _quads(ag: ArticleGraph, nodes: set[str]):
    """The article's quads, lazily; the summarised nodes they mention are added to ``nodes``."""
    import pyoxigraph as ox

    from .rdf import article_quads, to_ox

    entity = str(KG.entity)
    for s, p, o, g in article_quads(ag):
        if (str(p) == _RDF_TYPE and str(o) in _SUMMARISED_TYPES) or str(p) == entity:
            nodes.add(str(o) if str(p) == entity else str(s))
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g))


def remove_article(store: KGStore, doc_id: str) -> bool:
    """Drop the article's graph and update the summary (one transaction)."""
    g = article_graph_iri(doc_id)
    return store.remove_graph(g, then=summary_update_for(_summarised_nodes_in_store(store, [g])))


def refresh_summary(store: KGStore) -> None:
    """Recompute weights, aggregated confidences and mention counts of the whole store."""
    store.update(SUMMARY_UPDATE)


def write_all(store: KGStore, graphs: Iterable[ArticleGraph]) -> int:
    return write_articles(store, list(graphs))
