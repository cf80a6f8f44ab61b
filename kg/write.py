"""Writing articles into the store: one named graph per article, and the summary with it.

:class:`Writer` is the write session that builds (and the Python API) go through::

    with Writer(store) as w:   # drops what a killed bulk write left (recover)
        w.write(graphs)        # first write: ontology loaded, summary format checked
        w.remove("doc1")
    # leaving the block normally: a summary kept in another format is recomputed once

Every write brings the summary graph up to date with the articles it writes, so a build
killed at any point leaves whole articles and a summary that matches them:

* new articles (the usual case): their summary entries are merged in Python
  (:mod:`kg.summary.merge`, :func:`_write_new`); a small write is ONE transaction, a big one
  is bulk-loaded behind pending markers (:func:`kg.store.pending_markers`) and completed by
  one transaction - a kill in between leaves pending graphs that :func:`recover` (run when a
  session starts and before every write) drops;
* articles replacing an earlier version, and removals: ONE transaction each group, with the
  summary's SPARQL restricted to the statements, quotations and entities of the graphs
  written and replaced (:func:`kg.summary.update_for`).

Either way the cost follows the size of the write, not of the store."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
from collections.abc import Iterable

from . import curation, summary
from .model import ArticleGraph
from .paths import data_dir
from .rdf import KG, ONTOLOGY_GRAPH, mint
from .store import KGStore, pending_graphs, pending_markers, unfinished_write
from .summary import Plan, SummaryCache, SummaryDelta

log = logging.getLogger("kg.write")

#: An article with more facts than this (relations + quotations, plus its entities) is
#: written in parts of this many facts, one transaction each, so that a huge article never
#: needs one huge transaction (memory). Until its last part is written its graph carries
#: :data:`PLACEHOLDER_SHA256`, which matches no text: a build that was killed meanwhile
#: leaves a store that still validates, and the next build sees the article as changed and
#: writes it again.
ARTICLE_PART_UNITS = 5000
PLACEHOLDER_SHA256 = "0" * 64
#: Articles per transaction when articles replace their earlier versions (their summary
#: entries are recomputed in SPARQL, in the same transaction).
TRANSACTION_ARTICLES = 100
#: A write of new articles with more facts and entities than this (about 20,000 quads) goes
#: through Oxigraph's bulk loader, faster than a transaction, guarded by pending markers
#: (docs/decisions/write-path.md has the figures behind these constants).
BULK_MIN_UNITS = 2_500
#: Articles per bulk load of a big write (the text of 100 articles is a few MB).
BULK_CHUNK = 100
#: Articles written between two flushes of the store's write buffers (RocksDB memtables):
#: without them the writer's memory grows with every article (every transaction rewrites the
#: summary entries it touches).
FLUSH_EVERY = 1000


class Writer:
    """A write session on a store opened for writing (see the module doc). Owns what a run
    of writes shares: recovery from a killed bulk write, the ontology graph, the summary's
    format mark and the cache of the summary entries written last."""

    def __init__(self, store: KGStore, *, part_units: int = ARTICLE_PART_UNITS, flush_every: int = FLUSH_EVERY,
                 curation=None):
        self.store = store
        self.curation = curation  # a kg.curation.Curation, else the store's curation.yaml (read on entering)
        self.part_units = part_units
        self.flush_every = flush_every
        self.cache = SummaryCache()
        self._prepared = False
        self._stale = False  # the summary is in another format: recompute it when the session ends well
        self._unflushed = 0
        self._closed = False
        self._wrote = False  # articles written or removed: the curation is applied again at the end
        self.applied: list = []  # (rule, things touched) of the curation applied at the end

    def __enter__(self) -> Writer:
        if self.curation is None:  # read first: a malformed file stops the session before any write
            self.curation = curation.load(curation.file_for(self.store.path))
        self.recover()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(complete=exc_type is None)

    def recover(self) -> list[str]:
        """Drop the graphs of a bulk write a killed writer left unfinished (:func:`recover`)."""
        return recover(self.store)

    def prepare(self) -> None:
        """Load the ontology into its graph and check the summary's format mark (once a session;
        the first write does it). An empty store's summary is current; one of another format is
        recomputed when the session ends (:meth:`close`)."""
        if self._prepared:
            return
        self._prepared = True
        load_ontology(self.store)
        self._stale = not summary.is_current(self.store)
        if self._stale and not self._holds_articles():
            summary.mark_current(self.store)
            self._stale = False

    def _holds_articles(self) -> bool:
        q = f"ASK {{ GRAPH ?g {{ ?a <{KG.docId}> ?doc ; <{KG.sha256}> ?h }} }}"
        return bool(self.store.ox.query(q))

    def write(self, graphs: Iterable[ArticleGraph]) -> int:
        """Write articles (new ones added, others replacing their earlier version) with their
        summary update (:func:`write_articles`); the number written."""
        self.prepare()
        graphs = list(graphs)
        self._wrote = self._wrote or bool(graphs)
        n = write_articles(self.store, graphs, part_units=self.part_units, cache=self.cache)
        self._unflushed += len(graphs)
        if self._unflushed >= self.flush_every:
            self.store.ox.flush()
            self._unflushed = 0
        return n

    def remove(self, doc_id: str) -> bool:
        """Drop an article and what only it supported (one transaction); False if absent."""
        self._wrote = True
        return remove_article(self.store, doc_id)

    def close(self, *, complete: bool = True) -> None:
        """End the session. ``complete``: the run of writes finished (it was not stopped or
        interrupted), so a summary of another format is recomputed now (a minute for 4,000
        articles); otherwise it stays unmarked, for the next session. A complete session that
        wrote, or whose curation differs from the one applied last, ends by applying it
        (:func:`kg.curation.apply`: the summary entries its rules touch)."""
        if self._closed:
            return
        self._closed = True
        if complete and self._stale:
            summary.refresh(self.store)
            self._stale = False
        if complete and self.curation is not None and (self._wrote or not curation.is_applied(self.store.path,
                                                                                            self.curation)):
            self.applied = curation.apply(self.store, self.curation)


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


def _units(ag: ArticleGraph) -> int:
    return len(ag.relations) + len(ag.quotations) + len(ag.open_relations) + len(ag.entities)


def write_articles(store: KGStore, graphs: Iterable[ArticleGraph], *, part_units: int = ARTICLE_PART_UNITS,
                   cache: SummaryCache | None = None) -> int:
    """Write articles with their summary update; after a kill, each group below is in the
    store whole or not at all (:func:`recover`, run first, undoes a half-done bulk load):

    * the articles new to the store, together (:func:`_write_new`; ``cache``: what the writer
      knows of the summary entries it wrote last);
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
        _write_new(store, list(new.values()), list(new), cache)
    for i in range(0, len(replacing), TRANSACTION_ARTICLES):
        chunk = replacing[i:i + TRANSACTION_ARTICLES]
        nodes = summary.summarised_nodes_in_store(store, [iri for iri, _ in chunk])
        todo = {iri: _quads(ag, nodes) for iri, ag in chunk}
        total = summary.node_count(store)
        store.replace_graphs(todo, then=lambda: summary.update_for(nodes, total=total))
    for ag in graphs:
        if _units(ag) > part_units:
            for _ in write_article_parts(store, ag, part_units=part_units):
                pass
    return len(graphs)


def write_article(store: KGStore, ag: ArticleGraph) -> None:
    """Replace the article's named graph and update the summary (one transaction)."""
    write_articles(store, [ag])


def write_all(store: KGStore, graphs: Iterable[ArticleGraph]) -> int:
    return write_articles(store, list(graphs))


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector: a write allocates millions of short-lived objects
    (freed by reference counting) whose allocations would otherwise trigger full collections
    over everything the process holds (the spaCy model, the run's extractions)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_gc_paused()
def _write_new(store: KGStore, graphs: list[ArticleGraph], iris: list[str], cache: SummaryCache | None) -> None:
    """Write articles that are not in the store yet; their summary entries are merged in
    Python (:mod:`kg.summary.merge`), at a cost that follows the size of the write.

    A small write is ONE transaction. A big one (over :data:`BULK_MIN_UNITS`) marks its graphs
    pending (a transaction), bulk-loads the article graphs (:data:`BULK_CHUNK` articles per
    load, in a thread: the next chunk is made meanwhile) and then the summary's new insert-only
    triples, and swaps the summary figures and removes the markers in one last transaction: a
    kill before that leaves pending graphs, which :func:`recover` drops."""
    from .rdf import article_text

    delta = SummaryDelta()
    if cache is not None:
        cache.check(store)

    def texts(group):
        for ag in group:
            text, triples = article_text(ag)
            delta.add(triples)
            yield text

    if sum(_units(ag) for ag in graphs) <= BULK_MIN_UNITS:
        articles = "".join(texts(graphs))
        plan = delta.plan(store.ox, cache)
        store.apply(deletes=Plan.text(plan.deletes), inserts=articles + Plan.text(plan.adds + plan.figures),
                    then=summary.update_for(plan.recompute))
    else:
        from concurrent.futures import ThreadPoolExecutor

        markers = pending_markers(iris)
        store.apply(inserts=markers)
        log.info("bulk-loading %d article(s) behind pending markers", len(graphs))
        # Oxigraph loads a chunk without the GIL while the next one is made
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-bulk-load") as loader:
            loading = None
            for i in range(0, len(graphs), BULK_CHUNK):
                text = "".join(texts(graphs[i:i + BULK_CHUNK]))
                if loading is not None:
                    loading.result()
                loading = loader.submit(store.bulk_load, text)
            plan = delta.plan(store.ox, cache)  # reads the summary graph only
            loading.result()
        store.bulk_load(Plan.text(plan.adds))
        store.apply(deletes=markers + Plan.text(plan.deletes), inserts=Plan.text(plan.figures),
                    then=summary.update_for(plan.recompute))
    if cache is not None:
        if plan.recompute:  # entries recomputed in SPARQL: their figures are not known here
            cache.clear()
        cache.remember(plan, store)


def recover(store: KGStore) -> list[str]:
    """Undo the unfinished bulk write a killed writer left, if any (one transaction): drop its
    pending article graphs and recompute the summary entries they touched. Returns the graphs."""
    pending = pending_graphs(store)
    if not pending:
        return []
    nodes = summary.summarised_nodes_in_store(store, pending)
    drops = [f"DROP SILENT GRAPH <{g}>" for g in pending]
    store.apply(deletes=pending_markers(pending), then=summary.update_for(nodes, before=drops))
    log.warning("removed %d article(s) an interrupted build left half-written; they are written again "
                "when the build is re-run", len(pending))
    return pending


def write_article_parts(store: KGStore, ag: ArticleGraph, *, part_units: int = ARTICLE_PART_UNITS):
    """Write one article in parts of at most ``part_units`` relations and quotations, one
    transaction each (with its summary update); yields ``(part, number of parts)`` after
    each committed part. The first part replaces the old graph and holds the article's own
    triples and its entities, with :data:`PLACEHOLDER_SHA256` as its hash; the last part puts
    the real hash in place."""
    import pyoxigraph as ox

    from .rdf import XSD, article_counts, identities

    facts = [("r", r) for r in ag.relations] + [("q", q) for q in ag.quotations] + [("o", o) for o in ag.open_relations]
    chunks = [facts[i:i + part_units] for i in range(0, len(facts), part_units)] or [[]]
    g = article_graph_iri(ag.article.id)
    art = str(mint("article", ag.article.id))
    sha = ox.NamedNode(str(KG.sha256))
    real = ox.Literal(ag.article.sha256)
    placeholder = ox.Literal(PLACEHOLDER_SHA256)
    # the article's counts are of the whole article, not of its first part
    counts = {ox.NamedNode(str(p)): ox.Literal(str(n), datatype=ox.NamedNode(str(XSD.integer)))
              for p, n in article_counts(ag).items()}
    ids = identities(ag)  # later parts name entities their first part holds
    for i, chunk in enumerate(chunks):
        part = dataclasses.replace(
            ag, entities=ag.entities if i == 0 else (),
            # later parts drop the article's own triples: do not convert its text again
            article=ag.article if i == 0 else dataclasses.replace(ag.article, text=""),
            relations=tuple(x for kind, x in chunk if kind == "r"),
            quotations=tuple(x for kind, x in chunk if kind == "q"),
            open_relations=tuple(x for kind, x in chunk if kind == "o"))
        nodes = summary.summarised_nodes_in_store(store, [g]) if i == 0 else set()

        def quads(part=part, first=(i == 0), nodes=nodes):
            for q in _quads(part, nodes, ids):
                if q.subject.value == art and q.graph_name.value == g:
                    if not first:
                        continue  # the article's own triples: in the first part only
                    if q.predicate == sha:
                        q = ox.Quad(q.subject, sha, placeholder, q.graph_name)
                    elif q.predicate in counts:
                        q = ox.Quad(q.subject, q.predicate, counts[q.predicate], q.graph_name)
                yield q

        def then(nodes=nodes, last=(i == len(chunks) - 1)):
            real_hash = [f"DELETE DATA {{ GRAPH <{g}> {{ <{art}> {sha} {placeholder} }} }}",
                         f"INSERT DATA {{ GRAPH <{g}> {{ <{art}> {sha} {real} }} }}"] if last else []
            return summary.update_for(nodes, before=real_hash)

        store.replace_graphs({g: quads()}, then=then, drop=(i == 0))
        log.info("%s: wrote part %d of %d", ag.article.id, i + 1, len(chunks))
        yield i + 1, len(chunks)


def _quads(ag: ArticleGraph, nodes: set[str], ids: dict[str, str] | None = None):
    """The article's quads, lazily; the summarised nodes they mention are added to ``nodes``
    (``ids``: :func:`kg.rdf.article_triples`'s)."""
    from .rdf import article_quads

    for q in article_quads(ag, ids):
        node = summary.summarised_node(q.subject.value, q.predicate.value, q.object.value)
        if node is not None:
            nodes.add(node)
        yield q


def remove_article(store: KGStore, doc_id: str) -> bool:
    """Drop the article's graph and update the summary (one transaction)."""
    recover(store)
    g = article_graph_iri(doc_id)
    return store.remove_graph(g, then=summary.update_for(summary.summarised_nodes_in_store(store, [g])))


# Names other modules and tests used before the writer session and the summary package
# (transitional: kg.store holds the pending markers, kg.summary the summary's format).
_markers = pending_markers
refresh_summary = summary.refresh
summary_current = summary.is_current
SUMMARY_FORMAT_FILE = summary.SUMMARY_FORMAT_FILE
__all__ = ["Writer", "load_ontology", "article_graph_iri", "write_articles", "write_article", "write_all",
           "write_article_parts", "recover", "remove_article", "pending_graphs", "unfinished_write"]
