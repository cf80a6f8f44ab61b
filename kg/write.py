"""Writing pipeline results into the store: one named graph per article, and the summary.

Every write brings the summary graph up to date with the articles it writes, so a build
killed at any point leaves whole articles and a summary that matches them:

* new articles (the usual case): their summary entries are merged in Python
  (:mod:`kg.summary`, :func:`_write_new`); a small write is ONE transaction, a big one is
  bulk-loaded behind pending markers and completed by one transaction - a kill in between
  leaves pending graphs that :func:`recover` (run before every write and build) drops;
* articles replacing an earlier version, and removals: ONE transaction each group, with
  :data:`kg.rdf.SUMMARY_UPDATE` restricted to the statements, quotations and entities of the
  graphs written and replaced (:func:`summary_update_for`).

Either way the cost follows the size of the write, not of the store."""

from __future__ import annotations

import contextlib
import gc
import logging
import re
from collections.abc import Iterable

from .model import ArticleGraph
from .paths import atomic_file, data_dir
from .rdf import KG, ONTOLOGY_GRAPH, STATE_GRAPH, SUMMARY_GRAPH, SUMMARY_UPDATE, mint
from .store import KGStore, pending_graphs, unfinished_write  # noqa: F401 - the pending markers, read by both

log = logging.getLogger("kg.write")

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


#: Nodes per VALUES block of the restricted summary update (Oxigraph slows down sharply with
#: thousands of VALUES rows: 1,000 rows 0.04 s, 4,000 rows 3.5 s), and the number of nodes
#: beyond which recomputing the whole summary is cheaper.
SUMMARY_VALUES_CHUNK = 500
SUMMARY_FULL_ABOVE = 20_000
#: On a small store (summary of at most SUMMARY_FULL_ABOVE nodes), recompute the whole summary
#: when a write touches more than this fraction of its nodes: recomputing one node costs a few
#: ms (its evidence in every article), the whole summary about 4 s per 1,000 articles (measured:
#: restricting to the 5,000 nodes of 100 articles on a 1,000-article store cost 3x a full
#: refresh). Never on a big store: a full refresh holds every aggregate in memory at once
#: (the writer went from 0.8 to 1.5 GB at 2,000 articles), the chunked update 500 nodes at a time.
SUMMARY_FULL_FRACTION = 0.1


def summary_node_count(store: KGStore, limit: int = SUMMARY_FULL_ABOVE + 1) -> int:
    """Statements, quotations and entities in the summary graph, counted up to ``limit`` (all
    that :func:`summary_update_for` needs to know: the scan stays short on a big store)."""
    q = (f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT ?x WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ "
         f"{{ ?x <{KG.weight}> ?v }} UNION {{ ?x <{KG.mentionCount}> ?v }} }} }} LIMIT {limit} }}")
    return int(next(iter(store.ox.query(q)))[0].value)


def summary_update_for(nodes: Iterable[str], chunk: int = SUMMARY_VALUES_CHUNK, *,
                       total: int | None = None) -> str:
    """:data:`SUMMARY_UPDATE` for the summary entries of ``nodes`` only (IRIs of statements,
    quotations, entities): their entries are deleted and recomputed from all article graphs.
    The full update for very many nodes (over :data:`SUMMARY_FULL_ABOVE`, or, on a small
    store, over :data:`SUMMARY_FULL_FRACTION` of ``total``, the nodes the summary holds, when
    given), or if SUMMARY_UPDATE does not have the expected shape."""
    import pyoxigraph as ox

    from .store import _split_prologue

    nodes = sorted(set(nodes))
    if not nodes:
        return ""
    small_store = total is not None and total <= SUMMARY_FULL_ABOVE
    if (len(nodes) > SUMMARY_FULL_ABOVE or (small_store and len(nodes) > SUMMARY_FULL_FRACTION * total)
            or SUMMARY_UPDATE.count(_CLEAR_SUMMARY) != 1):
        return SUMMARY_UPDATE
    prologue, body = _split_prologue(SUMMARY_UPDATE)
    groups = body.count("GROUP BY")
    ops = []
    for i in range(0, len(nodes), chunk):
        values = " ".join(str(ox.NamedNode(n)) for n in nodes[i:i + chunk])
        op = body.replace(
            _CLEAR_SUMMARY,
            f"DELETE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?kg_node ?kg_p ?kg_o }} }} "
            f"WHERE {{ VALUES ?kg_node {{ {values} }} GRAPH <{SUMMARY_GRAPH}> {{ ?kg_node ?kg_p ?kg_o }} }}")
        op, n = _SUBSELECT.subn(lambda m: f"{m.group(1)} VALUES ?{m.group(2)} {{ {values} }}", op)
        if n != groups or n == 0:
            return SUMMARY_UPDATE
        ops.append(op)
    return prologue + " ;\n".join(ops)


_ENTITY = str(KG.entity)
_SUMMARISED = frozenset(_SUMMARISED_TYPES)


def _summarised_node(s: str, p: str, o: str) -> str | None:
    """The statement, quotation or entity whose summary entry the triple ``s p o`` (IRIs and
    values) of an article graph contributes to (its type triple, or a mention record's
    kg:entity), else None."""
    if p == _ENTITY:
        return o
    if p == _RDF_TYPE and o in _SUMMARISED:
        return s
    return None


def _summarised_nodes(quads) -> set[str]:
    """Statements, quotations and entities that ``quads`` (pyoxigraph quads) contribute to."""
    found = (_summarised_node(q.subject.value, q.predicate.value, q.object.value) for q in quads)
    return {n for n in found if n is not None}


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


#: An article with more facts than this (relations + quotations, plus its entities) is
#: written in parts of this many facts, one transaction each, so that a huge article never
#: needs one huge transaction (memory). Until its last part is written its graph carries
#: :data:`PLACEHOLDER_SHA256`, which matches no text: a build that was killed meanwhile
#: leaves a store that still validates, and the next build sees the article as changed and
#: writes it again.
ARTICLE_PART_UNITS = 5000
PLACEHOLDER_SHA256 = "0" * 64


def _units(ag: ArticleGraph) -> int:
    return len(ag.relations) + len(ag.quotations) + len(ag.entities)


#: Articles per transaction when articles replace their earlier versions (their summary
#: entries are recomputed in SPARQL, in the same transaction).
TRANSACTION_ARTICLES = 100


def write_articles(store: KGStore, graphs: Iterable[ArticleGraph], *, part_units: int = ARTICLE_PART_UNITS) -> int:
    """Write articles with their summary update; after a kill, each group below is in the
    store whole or not at all (:func:`recover`, run first, undoes a half-done bulk load):

    * the articles new to the store, together (:func:`_write_new`);
    * the articles replacing an earlier version, :data:`TRANSACTION_ARTICLES` per transaction,
      the summary entries they touch recomputed from the article graphs;
    * each article with over ``part_units`` facts, in parts (:func:`write_article_parts`)."""
    import pyoxigraph as ox

    graphs = list(graphs)
    recover(store)
    new: dict[str, ArticleGraph] = {}
    replacing: list[tuple[str, ArticleGraph]] = []
    for ag in graphs:
        if _units(ag) > part_units:
            continue
        iri = article_graph_iri(ag.article.id)
        if iri in new or store.ox.contains_named_graph(ox.NamedNode(iri)):
            replacing.append((iri, ag))  # the later version of an id wins
        else:
            new[iri] = ag
    if new:
        _write_new(store, list(new.values()), list(new))
    for i in range(0, len(replacing), TRANSACTION_ARTICLES):
        chunk = replacing[i:i + TRANSACTION_ARTICLES]
        nodes = _summarised_nodes_in_store(store, [iri for iri, _ in chunk])
        todo = {iri: _quads(ag, nodes) for iri, ag in chunk}
        total = summary_node_count(store)
        store.replace_graphs(todo, then=lambda: summary_update_for(nodes, total=total))
    for ag in graphs:
        if _units(ag) > part_units:
            for _ in write_article_parts(store, ag, part_units=part_units):
                pass
    return len(graphs)


#: A write of new articles with more facts and entities than this (about 20,000 quads) goes
#: through Oxigraph's bulk loader (2.2x faster than a transaction, measured on 1,000 articles),
#: guarded by pending markers.
BULK_MIN_UNITS = 2_500


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector: a write allocates millions of short-lived objects
    (freed by reference counting) whose allocations would otherwise trigger full collections
    over everything the process holds (the spaCy model, the run's extractions): -12 % on a
    1,000-article write."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_gc_paused()
def _write_new(store: KGStore, graphs: list[ArticleGraph], iris: list[str]) -> None:
    """Write articles that are not in the store yet; their summary entries are merged in
    Python (:mod:`kg.summary`), at a cost that follows the size of the write.

    A small write is ONE transaction. A big one (over :data:`BULK_MIN_UNITS`) marks its graphs
    pending (a transaction), bulk-loads the article graphs (:data:`BULK_CHUNK` articles per
    load, in a thread: the next chunk is made meanwhile) and then the summary's new insert-only
    triples, and swaps the summary figures and removes the markers in one last transaction: a
    kill before that leaves pending graphs, which :func:`recover` drops."""
    from .rdf import article_text
    from .summary import Plan, SummaryCache, SummaryDelta

    delta = SummaryDelta()
    if store.summary_cache is None:
        store.summary_cache = SummaryCache()

    def texts(group):
        for ag in group:
            text, triples = article_text(ag)
            delta.add(triples)
            yield text

    if sum(_units(ag) for ag in graphs) <= BULK_MIN_UNITS:
        articles = "".join(texts(graphs))
        plan = delta.plan(store.ox, store.summary_cache)
        store.apply(deletes=Plan.text(plan.deletes), inserts=articles + Plan.text(plan.adds + plan.figures),
                    then=summary_update_for(plan.recompute), keep_cache=not plan.recompute)
    else:
        from concurrent.futures import ThreadPoolExecutor

        markers = _markers(iris)
        store.apply(inserts=markers, keep_cache=True)
        log.info("bulk-loading %d article(s) behind pending markers", len(graphs))
        # Oxigraph loads a chunk without the GIL while the next one is made (-15 % measured)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-bulk-load") as loader:
            loading = None
            for i in range(0, len(graphs), BULK_CHUNK):
                text = "".join(texts(graphs[i:i + BULK_CHUNK]))
                if loading is not None:
                    loading.result()
                loading = loader.submit(store.bulk_load, text, keep_cache=True)
            plan = delta.plan(store.ox, store.summary_cache)  # reads the summary graph only
            loading.result()
        store.bulk_load(Plan.text(plan.adds), keep_cache=True)
        store.apply(deletes=markers + Plan.text(plan.deletes), inserts=Plan.text(plan.figures),
                    then=summary_update_for(plan.recompute), keep_cache=not plan.recompute)
    store.summary_cache.remember(plan)


#: Articles per bulk load of a big write (the text of 100 articles is a few MB).
BULK_CHUNK = 100


def _markers(graph_iris: Iterable[str]) -> str:
    """The quads that mark article graphs as pending (in the state graph), as text."""
    lines = "".join(f"<{g}> <{_RDF_TYPE}> <{KG.PendingWrite}> .\n" for g in graph_iris)
    return f"GRAPH <{STATE_GRAPH}> {{\n{lines}}}\n" if lines else ""


def recover(store: KGStore) -> list[str]:
    """Undo the unfinished bulk write a killed writer left, if any (one transaction): drop its
    pending article graphs and recompute the summary entries they touched. Returns the graphs."""
    from .store import _split_prologue

    pending = pending_graphs(store)
    if not pending:
        return []
    nodes = _summarised_nodes_in_store(store, pending)
    drops = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in pending)
    prologue, body = _split_prologue(summary_update_for(nodes))
    store.apply(deletes=_markers(pending), then=prologue + drops + (" ;\n" + body if body else ""))
    log.warning("removed %d article(s) an interrupted build left half-written; they are written again "
                "when the build is re-run", len(pending))
    return pending


def write_article_parts(store: KGStore, ag: ArticleGraph, *, part_units: int = ARTICLE_PART_UNITS):
    """Write one article in parts of at most ``part_units`` relations and quotations, one
    transaction each (with its summary update); yields ``(part, number of parts)`` after
    each committed part. The first part replaces the old graph and holds the article's own
    triples and its entities, with :data:`PLACEHOLDER_SHA256` as its hash; the last part puts
    the real hash in place."""
    import dataclasses

    import pyoxigraph as ox

    from .rdf import XSD, article_counts, mint

    facts = [("r", r) for r in ag.relations] + [("q", q) for q in ag.quotations]
    chunks = [facts[i:i + part_units] for i in range(0, len(facts), part_units)] or [[]]
    g = article_graph_iri(ag.article.id)
    art = str(mint("article", ag.article.id))
    sha = ox.NamedNode(str(KG.sha256))
    real = ox.Literal(ag.article.sha256)
    placeholder = ox.Literal(PLACEHOLDER_SHA256)
    # the article's counts are of the whole article, not of its first part
    counts = {ox.NamedNode(str(p)): ox.Literal(str(n), datatype=ox.NamedNode(str(XSD.integer)))
              for p, n in article_counts(ag).items()}
    for i, chunk in enumerate(chunks):
        part = dataclasses.replace(
            ag, entities=ag.entities if i == 0 else (),
            # later parts drop the article's own triples: do not convert its text again
            article=ag.article if i == 0 else dataclasses.replace(ag.article, text=""),
            relations=tuple(x for kind, x in chunk if kind == "r"),
            quotations=tuple(x for kind, x in chunk if kind == "q"))
        nodes = _summarised_nodes_in_store(store, [g]) if i == 0 else set()

        def quads(part=part, first=(i == 0), nodes=nodes):
            for q in _quads(part, nodes):
                if q.subject.value == art and q.graph_name.value == g:
                    if not first:
                        continue  # the article's own triples: in the first part only
                    if q.predicate == sha:
                        q = ox.Quad(q.subject, sha, placeholder, q.graph_name)
                    elif q.predicate in counts:
                        q = ox.Quad(q.subject, q.predicate, counts[q.predicate], q.graph_name)
                yield q

        def then(nodes=nodes, last=(i == len(chunks) - 1)):
            marker = (f"DELETE DATA {{ GRAPH <{g}> {{ <{art}> {sha} {placeholder} }} }} ;\n"
                      f"INSERT DATA {{ GRAPH <{g}> {{ <{art}> {sha} {real} }} }}") if last else ""
            summary = summary_update_for(nodes)
            if not summary:
                return marker
            from .store import _split_prologue

            prologue, body = _split_prologue(summary)
            return prologue + (marker + " ;\n" if marker else "") + body

        store.replace_graphs({g: quads()}, then=then, drop=(i == 0))
        log.info("%s: wrote part %d of %d", ag.article.id, i + 1, len(chunks))
        yield i + 1, len(chunks)


def _quads(ag: ArticleGraph, nodes: set[str]):
    """The article's quads, lazily; the summarised nodes they mention are added to ``nodes``."""
    from .rdf import article_quads

    for q in article_quads(ag):
        node = _summarised_node(q.subject.value, q.predicate.value, q.object.value)
        if node is not None:
            nodes.add(node)
        yield q


def remove_article(store: KGStore, doc_id: str) -> bool:
    """Drop the article's graph and update the summary (one transaction)."""
    recover(store)
    g = article_graph_iri(doc_id)
    return store.remove_graph(g, then=summary_update_for(_summarised_nodes_in_store(store, [g])))


#: The layout of the summary graph that this kg maintains; bump it when SUMMARY_UPDATE changes
#: what the summary holds, and the next build of an older store recomputes its summary once.
SUMMARY_FORMAT = "3"
#: The file of the store directory that names the format its summary is kept in (outside the
#: RDF data, so that exports and pushes carry only the graph).
SUMMARY_FORMAT_FILE = "summary-format"


def summary_current(store: KGStore) -> bool:
    """Whether the store says its summary is kept in this kg's :data:`SUMMARY_FORMAT`."""
    try:
        return (store.path / SUMMARY_FORMAT_FILE).read_text(encoding="utf-8").strip() == SUMMARY_FORMAT
    except OSError:
        return False


def mark_summary_current(store: KGStore) -> None:
    """Record that the store's summary is in :data:`SUMMARY_FORMAT` (true of an empty store,
    and after :func:`refresh_summary`); written atomically."""
    with atomic_file(store.path / SUMMARY_FORMAT_FILE, "w") as f:
        f.write(SUMMARY_FORMAT + "\n")


def refresh_summary(store: KGStore) -> None:
    """Recompute weights, aggregated confidences and mention counts of the whole store, then
    mark the summary current. A minute for 4,000 articles: builds run it only when the store's
    summary is not marked in this kg's format (:func:`summary_current`)."""
    store.update(SUMMARY_UPDATE)
    mark_summary_current(store)


def write_all(store: KGStore, graphs: Iterable[ArticleGraph]) -> int:
    return write_articles(store, list(graphs))
