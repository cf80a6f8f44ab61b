"""Writing pipeline results into the store: one named graph per article, then the summary."""

from __future__ import annotations

from collections.abc import Iterable

from .model import ArticleGraph
from .paths import data_dir
from .rdf import ONTOLOGY_GRAPH, SUMMARY_UPDATE, article_ox_quads, mint
from .store import KGStore


def load_ontology(store: KGStore) -> None:
    """(Re)load data/ontology.ttl into its own named graph."""
    import pyoxigraph as ox

    path = data_dir() / "ontology.ttl"
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(str(ONTOLOGY_GRAPH)))
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    ]
    store.replace_graph(str(ONTOLOGY_GRAPH), quads)


def write_article(store: KGStore, ag: ArticleGraph) -> None:
    """Replace the article's named graph with what it supports now (atomic per article)."""
    store.replace_graph(str(mint("graph", ag.article.id)), article_ox_quads(ag))


def remove_article(store: KGStore, doc_id: str) -> bool:
    return store.remove_graph(str(mint("graph", doc_id)))


def refresh_summary(store: KGStore) -> None:
    """Recompute weights, aggregated confidences and mention counts."""
    store.update(SUMMARY_UPDATE)


def write_all(store: KGStore, graphs: Iterable[ArticleGraph]) -> int:
    n = 0
    for ag in graphs:
        write_article(store, ag)
        n += 1
    refresh_summary(store)
    return n
