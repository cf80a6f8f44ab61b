"""Exports of the store: RDF serialisations and an entity graph for Gephi / networkx.

Every exporter is ``(store, output, **opts) -> None`` in :data:`EXPORTERS`, keyed by format:

* ``ttl``, ``nt``: the union of all graphs (article graphs, ontology, summary) as one graph,
  serialised by pyoxigraph (streaming, fast);
* ``nq``, ``trig``: the whole dataset with its named graphs (pyoxigraph dump);
* ``jsonld``: the dataset with its named graphs, serialised by rdflib (imported only here);
* ``graphml``, ``gexf``: the entity graph of :func:`entity_graph` written by networkx;
* ``csv``: a directory with ``nodes.csv`` and ``edges.csv`` in the layout of
  ``shared/eval/FORMAT.md`` (the Gephi spreadsheet import).

``output`` is a path, ``"-"`` for stdout (single-stream formats only), or a binary stream.
Files are written atomically: to a temporary file in the same directory, then ``os.replace``;
for ``csv`` each of the two files is replaced that way inside the (created) directory.

No spaCy here, and rdflib only for JSON-LD.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox

from .model import ENTITY_TYPES
from .query import PREFIXES, TURTLE_PREFIXES

KG_NS = PREFIXES["kg"]
ID_NS = PREFIXES["id"]
WD_NS = PREFIXES["wd"]
ONTOLOGY_GRAPH = ID_NS + "graph/ontology"  # = kg.rdf.ONTOLOGY_GRAPH (not imported: kg.rdf pulls in rdflib)

NODE_COLUMNS = ("Id", "Label", "Type", "Aliases", "Mentions", "Sources")
EDGE_COLUMNS = (
    "Source", "Target", "Label", "Weight", "Polarity", "Modality", "AttributedTo", "Sources", "Evidence", "Confidence",
)
QUOTATION_TYPE = "Quotation"
SAID = "said"


class ExportError(Exception):
    """An export could not be written; the message says why."""


# ---------------------------------------------------------------- output plumbing
def _binary(stream) -> io.RawIOBase:
    if isinstance(stream, io.TextIOBase):
        if hasattr(stream, "buffer"):
            stream.flush()
            return stream.buffer
        raise ExportError("a text stream without a binary buffer cannot take an export; pass a binary stream")
    return stream


@contextlib.contextmanager
def open_output(output) -> Iterator:
    """Yield a binary writable for ``output`` (path, ``"-"`` or stream). Paths are written
    to a temp file next to them and moved into place only when the block succeeds."""
    if output is None or (isinstance(output, str) and output == "-"):
        out = sys.stdout.buffer
        yield out
        out.flush()
        return
    if not isinstance(output, (str, os.PathLike)):
        out = _binary(output)
        yield out
        with contextlib.suppress(AttributeError, ValueError):
            out.flush()
        return
    path = Path(output)
    if path.is_dir():
        raise ExportError(f"{path} is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"directory {parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------- RDF exports
_UNION_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"  # CONSTRUCT drops the duplicates of the multiset union


def union_triples(store) -> Iterator:
    """The distinct triples of all graphs, as one graph."""
    return store.query(_UNION_TRIPLES)


def export_ttl(store, output, **opts) -> None:
    with open_output(output) as fh:
        ox.serialize(union_triples(store), fh, ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES)


def export_nt(store, output, **opts) -> None:
    with open_output(output) as fh:
        ox.serialize(union_triples(store), fh, ox.RdfFormat.N_TRIPLES)


def export_nq(store, output, **opts) -> None:
    with open_output(output) as fh:
        store.ox.dump(fh, ox.RdfFormat.N_QUADS)


def export_trig(store, output, **opts) -> None:
    with open_output(output) as fh:
        store.ox.dump(fh, ox.RdfFormat.TRIG, prefixes=TURTLE_PREFIXES)


def export_jsonld(store, output, expanded: bool = False, **opts) -> None:
    """JSON-LD with one ``@graph`` per named graph, compacted with the kg prefixes (rdflib).

    rdflib's JSON-LD writer is slow (~100 s for 400k triples); ``expanded=True`` uses
    pyoxigraph's writer instead (~10x faster, expanded form without ``@context``).
    """
    if expanded:
        with open_output(output) as fh:
            store.ox.dump(fh, ox.RdfFormat.JSON_LD)
        return
    import rdflib

    ds = rdflib.Dataset()
    ds.parse(data=store.ox.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    data = ds.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True, encoding="utf-8")
    with open_output(output) as fh:
        fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))


# ---------------------------------------------------------------- the entity graph
def node_id(iri: str) -> str:
    """Short stable node id: the IRI path after ``/id/`` (``person/john-kirby``), else the IRI."""
    return iri[len(ID_NS):] if iri.startswith(ID_NS) else iri


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
            break
    return iri


_P = "\n".join(f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items()) + "\n"
_TYPES = " ".join(f"kg:{t}" for t in ENTITY_TYPES)

# Every pattern is read inside GRAPH ?g: the default graph is the multiset union of the
# graphs, so joins over it would repeat each row once per article that holds the triples.
Q_ENTITIES = _P + f"""
SELECT DISTINCT ?e ?t ?label WHERE {{
  VALUES ?t {{ {_TYPES} }}
  GRAPH ?g {{ ?e a ?t ; rdfs:label ?label }}
}}"""
Q_ALIASES = _P + "SELECT DISTINCT ?e ?alias WHERE { GRAPH ?g { ?e skos:altLabel ?alias } }"
Q_SAME_AS = _P + "SELECT DISTINCT ?e ?same WHERE { GRAPH ?g { ?e owl:sameAs ?same } }"
Q_MENTIONS = _P + """
SELECT ?e ?doc ?count WHERE {
  GRAPH ?g { ?m a kg:Mentions ; kg:entity ?e ; kg:article ?art ; kg:count ?count . ?art kg:docId ?doc }
}"""
Q_STATEMENTS = _P + """
SELECT DISTINCT ?st ?s ?p ?o ?pol ?mod ?att WHERE {
  GRAPH ?g {
    ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:polarity ?pol ; kg:modality ?mod .
    OPTIONAL { ?st kg:attributedTo ?att }
  }
}"""
Q_QUOTES = _P + """
SELECT DISTINCT ?q ?text ?speaker WHERE {
  GRAPH ?g { ?q a kg:Quotation ; schema:text ?text . OPTIONAL { ?q kg:speaker ?speaker } }
}"""
Q_EVIDENCE = _P + """
SELECT ?x ?doc ?sentence ?start ?conf WHERE {
  GRAPH ?g {
    ?x kg:evidence ?ev . ?ev kg:article ?art ; kg:sentence ?sentence .
    ?art kg:docId ?doc .
    OPTIONAL { ?ev kg:start ?start }
    OPTIONAL { ?ev kg:confidence ?conf }
  }
}"""
Q_SUMMARY = _P + "SELECT ?st ?c WHERE { GRAPH ?g { ?st kg:confidence ?c ; kg:weight ?w } }"
Q_PREDICATE_LABELS = _P + f"SELECT ?p ?label WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?p rdfs:label ?label }} }}"


def _rows(store, q: str) -> Iterator[tuple]:
    res = store.query(q)
    n = len(res.variables)
    for sol in res:
        yield tuple(None if sol[i] is None else sol[i].value for i in range(n))


def _to_int(v: str | None, default: int = 0) -> int:
    try:
        return int(float(v)) if v is not None else default
    except ValueError:
        return default


def _to_float(v: str | None) -> float | None:
    try:
        return float(v) if v is not None else None
    except ValueError:
        return None


def _round(x: float) -> float:
    return round(float(x), 3)


def entity_graph(store):
    """The entity graph as a ``networkx.MultiDiGraph``, built with a handful of SELECTs.

    Nodes (keyed by :func:`node_id`): entities with ``label``, ``type``, ``mentions`` (int),
    ``articles`` (int), ``qid`` ("" if none), ``aliases`` and ``sources`` ("|"-joined);
    quotations are nodes of type ``Quotation`` whose label is the quoted text.
    Edges (key = ``id``): one per statement, with ``kind``/``predicate`` (local name),
    ``label`` (the predicate's rdfs:label), ``weight`` (supporting articles, int),
    ``polarity``, ``modality``, ``attributed_to`` (speaker label or ""), ``attributed_to_id``,
    ``confidence`` (float), ``evidence`` (sentences joined with " | "), ``sources``
    ("|"-joined doc ids); plus a ``said`` edge from each speaker to each of its quotations.
    All attributes are flat str/int/float values, never None.
    """
    import networkx as nx

    G = nx.MultiDiGraph()

    # -- evidence of statements and quotations: (doc, start, sentence, confidence)
    evidence: dict[str, list[tuple]] = defaultdict(list)
    for x, doc, sentence, start, conf in _rows(store, Q_EVIDENCE):
        evidence[x].append((doc or "", _to_int(start), sentence or "", _to_float(conf)))

    def sources_of(x: str) -> list[str]:
        return sorted({d for d, _, _, _ in evidence.get(x, ()) if d})

    def sentences_of(x: str) -> str:
        seen: list[str] = []
        for _, _, sentence, _ in sorted(evidence.get(x, ())):
            if sentence not in seen:
                seen.append(sentence)
        return " | ".join(seen)

    # -- entity nodes
    labels: dict[str, str] = {}
    types: dict[str, str] = {}
    for e, t, label in _rows(store, Q_ENTITIES):
        if e not in labels or (label or "") < labels[e]:
            labels[e] = label or ""
        types[e] = _local(t)
    aliases: dict[str, set[str]] = defaultdict(set)
    for e, alias in _rows(store, Q_ALIASES):
        aliases[e].add(alias)
    qids: dict[str, str] = {}
    for e, same in _rows(store, Q_SAME_AS):
        if same.startswith(WD_NS):
            qids[e] = min(qids.get(e, same[len(WD_NS):]), same[len(WD_NS):])
    mentions: dict[str, int] = defaultdict(int)
    ent_docs: dict[str, set[str]] = defaultdict(set)
    for e, doc, count in _rows(store, Q_MENTIONS):
        mentions[e] += _to_int(count)
        ent_docs[e].add(doc)

    def add_entity(e: str) -> str:
        nid = node_id(e)
        if nid not in G:
            label = labels.get(e) or _local(e).replace("-", " ")
            G.add_node(
                nid,
                label=label,
                type=types.get(e, "Entity"),
                mentions=int(mentions.get(e, 0)),
                articles=len(ent_docs.get(e, ())),
                qid=qids.get(e, ""),
                aliases="|".join(sorted(a for a in aliases.get(e, ()) if a != label)),
                sources="|".join(sorted(ent_docs.get(e, ()))),
            )
        return nid

    for e in sorted(labels):
        add_entity(e)

    # -- statement edges
    pred_labels: dict[str, str] = {}
    for p, label in _rows(store, Q_PREDICATE_LABELS):
        pred_labels.setdefault(p, label)
    confidence = {st: _to_float(c) for st, c in _rows(store, Q_SUMMARY)}
    for st, s, p, o, pol, mod, att in sorted(_rows(store, Q_STATEMENTS), key=lambda r: tuple(x or "" for x in r)):
        u, v = add_entity(s), add_entity(o)
        docs = sources_of(st)
        conf = confidence.get(st)
        if conf is None:  # summary not refreshed: best evidence confidence
            confs = [c for _, _, _, c in evidence.get(st, ()) if c is not None]
            conf = max(confs) if confs else 0.0
        att_id = add_entity(att) if att else ""
        eid = node_id(st)
        local = _local(p)
        G.add_edge(
            u, v, key=eid,
            id=eid,
            kind=local,
            label=pred_labels.get(p, local),
            predicate=local,
            weight=len(docs),
            polarity=pol or "positive",
            modality=mod or "asserted",
            attributed_to=G.nodes[att_id]["label"] if att_id else "",
            attributed_to_id=att_id,
            confidence=_round(conf),
            evidence=sentences_of(st),
            sources="|".join(docs),
        )

    # -- quotation nodes and speaker -> quotation edges
    for q, text, speaker in sorted(_rows(store, Q_QUOTES), key=lambda r: tuple(x or "" for x in r)):
        qid_ = node_id(q)
        docs = sources_of(q)
        if qid_ not in G:
            G.add_node(
                qid_, label=text or "", type=QUOTATION_TYPE, mentions=len(evidence.get(q, ())),
                articles=len(docs), qid="", aliases="", sources="|".join(docs),
            )
        if speaker:
            u = add_entity(speaker)
            eid = f"{SAID}/{qid_.rsplit('/', 1)[-1]}"
            G.add_edge(
                u, qid_, key=eid,
                id=eid, kind=SAID, label=pred_labels.get(KG_NS + SAID, SAID), predicate=SAID,
                weight=len(docs), polarity="positive", modality="asserted",
                attributed_to="", attributed_to_id="",
                confidence=1.0,  # the quotation is attributed to its speaker by a speech verb; no score is stored
                evidence=sentences_of(q), sources="|".join(docs),
            )
    return G


# ---------------------------------------------------------------- graph exports
def export_graphml(store, output, **opts) -> None:
    import networkx as nx

    G = entity_graph(store)
    with open_output(output) as fh:
        nx.write_graphml(G, fh, encoding="utf-8", prettyprint=True)


def export_gexf(store, output, **opts) -> None:
    import networkx as nx

    G = entity_graph(store)
    with open_output(output) as fh:
        nx.write_gexf(G, fh, encoding="utf-8", prettyprint=True)


def csv_rows(G) -> tuple[list[list], list[list]]:
    """nodes.csv and edges.csv rows (without headers) of an entity graph."""
    nodes = [
        [n, d["label"], d["type"], d["aliases"], d["mentions"], d["sources"]]
        for n, d in sorted(G.nodes(data=True))
    ]
    edges = [
        [u, v, d["label"], d["weight"], d["polarity"], d["modality"], d["attributed_to_id"],
         d["sources"], d["evidence"], format(d["confidence"], "g")]
        for u, v, _k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    ]
    return nodes, edges


def _write_csv_atomic(path: Path, header, rows) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open_output(path) as fh:
        fh.write(buf.getvalue().encode("utf-8"))


def export_csv(store, output, **opts) -> None:
    """``output`` is a directory (created if needed) that gets nodes.csv and edges.csv."""
    if output is None or output == "-" or not isinstance(output, (str, os.PathLike)):
        raise ExportError("the csv export writes a directory (nodes.csv, edges.csv); give --output DIR")
    d = Path(output)
    if d.exists() and not d.is_dir():
        raise ExportError(f"{d} exists and is not a directory; the csv export writes a directory")
    G = entity_graph(store)
    nodes, edges = csv_rows(G)
    d.mkdir(parents=True, exist_ok=True)
    _write_csv_atomic(d / "nodes.csv", NODE_COLUMNS, nodes)
    _write_csv_atomic(d / "edges.csv", EDGE_COLUMNS, edges)


EXPORTERS: dict[str, Callable[..., None]] = {
    "ttl": export_ttl,
    "nt": export_nt,
    "nq": export_nq,
    "trig": export_trig,
    "jsonld": export_jsonld,
    "graphml": export_graphml,
    "gexf": export_gexf,
    "csv": export_csv,
}
STREAM_FORMATS = tuple(f for f in EXPORTERS if f != "csv")


def export(store, fmt: str, output, **opts) -> None:
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORTERS)}") from None
    exporter(store, output, **opts)
