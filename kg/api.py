"""kg as a library: open a store, build articles into it, query it, see it through rdflib or
networkx, export, validate, push and serve it. The ``kg`` command line is a thin layer over
this module.

    import kg

    with kg.open("kg-store") as g:                 # the writer's lock; read_only=True to share
        report = g.build(["data/articles"])        # a BuildReport
        rows = g.query("corroborated_facts")       # a named query, or SPARQL text
        ds = g.dataset                             # rdflib.Dataset over the same Oxigraph store
        G = g.graph("entities")                    # networkx MultiDiGraph of a projection
        g.export("ttl", "graph.ttl")

Everything is imported when first used: opening a store read-only and querying it never
imports spaCy. Errors are exceptions with a message that says what to do (``kg.api.StoreError``,
``QueryError``, ``ExportError``, ...: their classes are looked up here on first use too).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .paths import default_store

#: Error classes of the stages, importable from here (resolved on first use).
_ERRORS = {
    "StoreError": "store", "StoreLocked": "store", "QueryError": "query", "QuerySyntaxError": "query",
    "ExportError": "export",
    "UnfinishedWriteError": "export", "GraphError": "graph", "ValidationError": "validate", "VizError": "viz",
    "PushError": "push", "ModelError": "nlp", "ClusterError": "build.cluster", "CurationError": "curation",
}


def __getattr__(name: str):
    if name in _ERRORS:
        from importlib import import_module

        return getattr(import_module(f"{__package__}.{_ERRORS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open(path: str | os.PathLike | None = None, *, read_only: bool = False, create: bool = True) -> KnowledgeGraph:
    """Open the store at ``path`` (default ``$KG_STORE``, else ``./kg-store``).

    For writing (the default) the store is created if absent (unless ``create=False``) and
    locked: one writer at a time, a second gets ``StoreLocked`` at once. ``read_only=True``
    opens an existing store without the lock, so that it can be read while a build writes."""
    from .store import KGStore

    path = Path(path) if path is not None else default_store()
    return KnowledgeGraph(KGStore.open(path, read_only=read_only, create=create))


@dataclass(frozen=True)
class PreparedQuery:
    """A query with its parameters checked and bound (:func:`prepare_query`)."""

    query: object  # kg.query.NamedQuery
    params: dict[str, str]  # the parameters the query takes, bound as string literals
    ignored: tuple[str, ...]  # parameters given that it does not take


def load_curation(store_path: str | os.PathLike, file: str | os.PathLike | None = None):
    """The curation a command applies: ``file``, else ``STORE/curation.yaml`` (none if absent),
    a :class:`kg.curation.Curation`. Raises :class:`kg.curation.CurationError` naming the line
    of a malformed file."""
    from . import curation

    return curation.load(curation.file_for(Path(store_path), file))


def curation_unmatched(curation, rule) -> str:
    """The warning for a curation rule that matched nothing (FILE line N)."""
    from .curation import unmatched

    return unmatched(curation, rule)


def queries() -> list:
    """The query library (``queries/*.rq``, or ``$KG_QUERIES``): NamedQuery objects with
    ``name``, ``summary``, ``params`` and ``text``."""
    from . import query as kq

    return kq.list_queries()


def load_query(*, name: str | None = None, file: str | os.PathLike | None = None, text: str | None = None,
               label: str = "query"):
    """One query: of the library by ``name``, from a ``file``, or SPARQL ``text`` (called ``label``)."""
    from . import query as kq

    if name is not None:
        return kq.find_query(name)
    if file is not None:
        return kq.load_query_file(file)
    return kq.parse_query_text(text or "", label)


def sparql_prefixes() -> dict[str, str]:
    """The prefixes every query of ``kg query``, :meth:`KnowledgeGraph.query` and ``kg serve``
    can use without declaring them (``{"rdfs": "http://www.w3.org/2000/01/rdf-schema#", ...}``)."""
    from .namespaces import SPARQL_PREFIXES

    return dict(SPARQL_PREFIXES)


def prepare_query(query, params: Mapping[str, str] | None = None, *, allow_service: bool = False) -> PreparedQuery:
    """Check a query (a NamedQuery, a library query's name, or SPARQL text) and bind its
    parameters; no store needed. Raises ``QueryError`` (a missing parameter, SERVICE without
    ``allow_service``, a text too long or deep for the engine)."""
    from . import query as kq

    if isinstance(query, str):
        is_name = query.replace("_", "").replace("-", "").isalnum()
        query = load_query(name=query) if is_name else load_query(text=query)
    bound, ignored = kq.select_params(query, dict(params or {}))
    kq.check_text(query.text, allow_service)
    return PreparedQuery(query, bound, tuple(ignored))


def format_result(result, fmt: str = "table", *, max_width: int = 60) -> str:
    """A query result as text: table, csv, tsv, json (SELECT, ASK); ttl, nt (CONSTRUCT, DESCRIBE)."""
    from . import query as kq

    return kq.format_result(result, fmt, max_width=max_width)


def format_entities(found: list[dict], fmt: str = "table") -> str:
    """The entities of :meth:`KnowledgeGraph.entities` as text: table, csv, tsv or json."""
    from .query import entities as ke

    return ke.format_entities(found, fmt)


def format_stats(stats: dict) -> str:
    from . import query as kq

    return kq.format_stats(stats)


def viz_format(output: str | os.PathLike, fmt: str | None = None) -> str:
    """The picture format ``kg viz`` writes to ``output`` (``fmt``, else the file's extension:
    html, png, svg); raises ``VizError`` for another."""
    from . import viz as kv

    return kv.format_of(output, fmt)


def validation_report(result, fmt: str = "text", *, max_shown: int = 20) -> str:
    """A validation result as text: a readable report, or (``ttl``) the SHACL report graph."""
    from . import validate as kv

    return kv.report_turtle(result) if fmt == "ttl" else kv.format_report(result, max_shown)


def read_sentences(lines: Iterable[str]) -> list[str]:
    """One sentence per line (for :func:`openie`); blank lines skipped."""
    from . import openie as ko

    return ko.read_sentences(lines)


def serve(path: str | os.PathLike | None = None, **options) -> None:
    """Serve the store as a SPARQL 1.1 Protocol endpoint until SIGINT/SIGTERM (options: see
    :func:`kg.serve.serve`). The server opens the store read-only in its own worker processes."""
    from . import serve as ks

    ks.serve(Path(path) if path is not None else default_store(), **options)


def openie(sentences: Iterable[str], write: Callable[[str], object], **options) -> tuple[int, int]:
    """Open relation extraction over sentences: formatted lines to ``write``; (sentences, tuples).
    Options: see :func:`kg.openie.run`."""
    from . import openie as ko

    return ko.run(list(sentences), write, **options)


class KnowledgeGraph:
    """An open store (:func:`open`): what the ``kg`` commands do, as methods."""

    def __init__(self, store) -> None:
        self.store = store  # kg.store.KGStore: pyoxigraph's Store is ``store.ox``

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------
    def build(self, inputs: Iterable[str | os.PathLike], *, model: str | None = None, dask: str | None = None,
              progress: bool = False, stop: Callable[[], bool] | None = None, **options):
        """Build articles (files, folders, ``"-"`` for ``stdin=``) into the store; a
        :class:`kg.build.BuildReport`. Bad input is reported in it, never raised. ``dask``: the
        address of a Dask scheduler to parse on. ``stop()`` turning true stops parsing and writes
        what is parsed. Other options: see :func:`kg.build.build` (``workers``, ``force``,
        ``strict``, ``commit_every``, ``max_article_chars``, ``title_from``, ...); ``web``: how URLs are
        fetched, a :class:`kg.ingest.fetch.WebOptions` or a mapping of its fields
        (``{"allow_private": True, "delay": 0.5}``)."""
        from .build import build
        from .nlp import DEFAULT_MODEL

        if isinstance(options.get("web"), Mapping):
            from .ingest.fetch import WebOptions

            options["web"] = WebOptions(**options["web"])

        if dask:
            from .build.cluster import dask_extractions

            options["extractions"] = dask_extractions(dask)
        if stop is not None:
            options["stop"] = stop
        return build(self.store, [str(i) for i in inputs], model=model or DEFAULT_MODEL, progress=progress,
                     **options)

    def remove(self, doc_ids: Iterable[str], *, curation=None) -> tuple[list[str], list[str]]:
        """Remove articles and every fact only they support; ``(removed, missing)`` ids. The
        curation (``curation``, a :class:`kg.curation.Curation`, else ``STORE/curation.yaml``) is
        applied after."""
        from .build import remove

        return remove(self.store, list(doc_ids), curation=curation)

    def curate(self, file: str | os.PathLike | None = None) -> list:
        """Apply a curation file (default ``STORE/curation.yaml``) to the merged view now, in one
        transaction: ``[(rule, things touched)]``. Raises :class:`kg.curation.CurationError`
        for a malformed file."""
        from . import curation
        from .write import Writer

        c = curation.load(curation.file_for(self.path, file))
        with Writer(self.store, curation=c):  # entering drops what a killed bulk write left
            return curation.apply(self.store, c)  # even when applied already: recomputed, same result

    # -- reading ---------------------------------------------------------------------
    def query(self, query, params: Mapping[str, str] | None = None, *, timeout: float | None = None,
              allow_service: bool = False, union: bool = False):
        """Run a query - a library query's name, SPARQL text, a NamedQuery or a
        :class:`PreparedQuery` - with ``params`` bound as string literals; a
        ``kg.query.QueryResult`` (``.variables``, ``.rows``, ``.dicts()``). ``timeout`` (seconds) runs
        it in a child process stopped at the deadline.

        The default graph is the merged view (the summary graph: each entity, statement,
        quotation, article and plain triple once) and the ontology; article graphs are named
        graphs (``GRAPH ?g``: evidence, mention records, article texts). ``union``: the default
        graph is the union of all graphs instead, as a multiset. The prefixes of
        :func:`sparql_prefixes` are declared."""
        from . import query as kq

        if not isinstance(query, PreparedQuery):
            query = prepare_query(query, params, allow_service=allow_service)
        return kq.run_query(self.store, query.query.text, query.params, timeout, allow_service=allow_service,
                            union=union)

    def empty_result_notes(self, query: PreparedQuery, *, union: bool = False) -> list[str]:
        """Why a query may have found nothing, for a person to act on: each ``(name)`` parameter
        that names no entity, with the nearest labels and aliases; each predicate or class
        (``kg:``, ``rdfs:``, ``schema:``, ...) no graph uses, with the nearest terms of the ontology; a summary graph of an older kg
        (without the articles and plain triples the default graph shows)."""
        from .query import suggest

        notes = []
        for p in query.query.params:
            value = query.params.get(p.name)
            if p.kind == "name" and value is not None and not suggest.name_known(self.store, value):
                near = suggest.nearest_entities(self.store, value)
                notes.append(f"no entity is named {value!r} (label or alias, any case)"
                             + (f"; nearest: {', '.join(near)}" if near else "; `kg entities TEXT` searches them"))
        from .namespaces import SPARQL_PREFIXES

        for term, near in suggest.unknown_terms(self.store, query.query.text, SPARQL_PREFIXES):
            notes.append(f"no graph uses {term}" + (f"; did you mean {' or '.join(near)}?" if near else
                                                    " (no term the graph uses is near)"))
        if not union and suggest.summary_is_older(self.store):
            notes.append("this store's summary graph was written by an older kg: articles and plain triples are "
                         "missing from the default graph until the next `kg build` (or query with --union)")
        return notes

    def nearest_entities(self, text: str, n: int = 5) -> list[str]:
        """The labels of up to ``n`` entities named nearest to ``text`` (for "did you mean")."""
        from .query import suggest

        return suggest.nearest_entities(self.store, text, n)

    def entities(self, text: str | None = None, *, type: str | None = None, limit: int = 20) -> list[dict]:
        """Entities whose label or alias contains ``text`` (any case; all without it), of ``type``
        (Person, Country, ...), the most mentioned first: dicts with ``iri``, ``label``, ``type``,
        ``mentions``, ``articles``, ``aliases``, ``wikidata``. Raises ``QueryError`` for an unknown type."""
        from .query import entities as ke

        return ke.find_entities(self.store, text, type=type, limit=limit)

    def stats(self, *, top: int = 5) -> dict:
        """Articles, entities by type (and the ``top`` most mentioned of each), relations by
        predicate (most frequent first), quotations, triples."""
        from . import query as kq

        return kq.store_stats(self.store, top=top)

    @property
    def dataset(self):
        """The store as an ``rdflib.Dataset`` (oxrdflib: the same Oxigraph store, no copy; the
        default graph is the union of all graphs)."""
        return self.store.dataset

    def graph(self, projection: str = "entities", *, looks: bool = False, open_relations: bool = False):
        """A networkx graph of a projection of the store: ``entities`` (a MultiDiGraph: entities
        and quotations, one edge per statement; open statements are edges with
        ``vocabulary="open"``, added with ``open_relations=True``), ``cooccurrence`` (entities
        named in one sentence) or ``rdf`` (every triple between IRIs). ``looks``: with the colours,
        sizes, positions and communities of the Gephi export (:mod:`kg.graph`). Raises ``GraphError``."""
        from . import graph as kgraph

        if looks:
            return kgraph.gephi_graph(self.store, projection, open_relations=open_relations)
        return kgraph.project(self.store, projection, open_relations=open_relations)

    def export(self, fmt: str, output, **options) -> None:
        """Write the store as ``fmt`` (ttl, nt, nq, trig, jsonld, graphml, gexf, csv) to
        ``output`` (a path, ``"-"`` for stdout, a directory for csv); ``graph=`` a projection
        for graphml and gexf, ``dynamic=False`` for a static GEXF, ``open_relations=True`` to add
        the open statements to the entity graph, ``min_confidence=`` to leave out the less sure relations. Files are replaced atomically."""
        from . import export as kx

        kx.export(self.store, fmt, output, **options)

    def viz(self, output, **options) -> dict:
        """Draw the graph as an HTML page, PNG or SVG (options: see :func:`kg.viz.viz`)."""
        from . import viz as kv

        return kv.viz(self.store, output, **options)

    def validate(self, shapes: str | os.PathLike | None = None):
        """Check the SHACL shapes (``data/shapes.ttl`` by default); a ValidationResult."""
        from . import validate as kv

        return kv.check(self.store, shapes)

    def push(self, endpoint: str, **options):
        """Load the store into a triple store over the Graph Store Protocol (options: see
        :func:`kg.push.push`); a PushReport."""
        from . import push as kp

        return kp.push(self.store, endpoint, **options)
