"""Exports of the store: RDF serialisations and graphs for Gephi / networkx.

Every exporter is ``(store, output, **opts) -> None`` in :data:`EXPORTERS`, keyed by format:

* ``ttl``, ``nt``: the union of all graphs (article graphs, ontology, summary) as one graph,
  serialised by pyoxigraph (streaming, fast);
* ``nq``, ``trig``: the whole dataset with its named graphs (pyoxigraph dump);
* ``jsonld``: the dataset with its named graphs, serialised by rdflib (imported only here);
* ``graphml``, ``gexf``: a graph for Gephi, one of the projections of :data:`PROJECTIONS`
  (``graph="entities"`` by default, ``"cooccurrence"`` or ``"rdf"``), decorated by
  :func:`decorate` (colour by type from ``data/palette.yaml``, size, layout, community);
  GraphML by networkx, GEXF 1.3 by :func:`write_gexf` (typed attributes, ``viz:*``,
  ``kind`` on parallel edges, ``mode="dynamic"`` with ``start`` dates when articles have dates);
* ``csv``: a directory with ``nodes.csv`` and ``edges.csv`` in the layout of
  ``shared/eval/FORMAT.md`` (the Gephi spreadsheet import), always the entity graph.

``output`` is a path, ``"-"`` for stdout (single-stream formats only), or a binary stream.
Files are written atomically: to a temporary file in the same directory, then ``os.replace``;
for ``csv`` each of the two files is replaced that way inside the (created) directory.

No spaCy here, and rdflib only for JSON-LD.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import math
import os
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox

from .model import ENTITY_TYPES
from .paths import atomic_file
from .query import PREFIXES, TURTLE_PREFIXES

KG_NS = PREFIXES["kg"]
ID_NS = PREFIXES["id"]
WD_NS = PREFIXES["wd"]
ONTOLOGY_GRAPH = ID_NS + "graph/ontology"  # = kg.rdf.ONTOLOGY_GRAPH (not imported: kg.rdf pulls in rdflib)
ARTICLE_GRAPH_PREFIX = ID_NS + "graph/article/"  # = kg.rdf.ARTICLE_GRAPH_PREFIX

NODE_COLUMNS = ("Id", "Label", "Type", "Aliases", "Mentions", "Sources")
EDGE_COLUMNS = (
    "Source", "Target", "Label", "Weight", "Polarity", "Modality", "AttributedTo", "Sources", "Evidence", "Confidence",
)
QUOTATION_TYPE = "Quotation"
SAID = "said"


class ExportError(Exception):
    """An export could not be written; the message says why."""


class UnfinishedWriteError(ExportError):
    """The store holds the graphs of a bulk write that did not finish: an export would carry a
    half-written state (article graphs without their summary figures)."""


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
    with atomic_file(parent / path.name) as fh:
        yield fh


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
Q_ARTICLES = _P + """
SELECT ?doc ?date ?title ?url WHERE {
  GRAPH ?g {
    ?art a kg:Article ; kg:docId ?doc .
    OPTIONAL { ?art schema:datePublished ?date }
    OPTIONAL { ?art schema:headline ?title }
    OPTIONAL { ?art schema:url ?url }
  }
}"""
Q_ARTICLE_TEXTS = _P + "SELECT ?doc ?text WHERE { GRAPH ?g { ?art a kg:Article ; kg:docId ?doc ; schema:text ?text } }"

_ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[T ]|$)")


def iso_date(value: str | None) -> str:
    """``YYYY-MM-DD`` of an article date (ISO date or date-time), ``""`` if it is not one."""
    m = _ISO_DATE.match(value or "")
    return m.group(1) if m else ""


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


def article_info(store) -> dict[str, dict[str, str]]:
    """``{doc id: {"title", "date" (YYYY-MM-DD or ""), "url"}}`` of every article in the store."""
    info: dict[str, dict[str, str]] = {}
    for doc, date, title, url in sorted(_rows(store, Q_ARTICLES), key=lambda r: tuple(x or "" for x in r)):
        d = info.setdefault(doc, {"title": "", "date": "", "url": ""})
        d["title"] = d["title"] or title or ""
        d["date"] = d["date"] or iso_date(date)
        d["url"] = d["url"] or url or ""
    return info


def first_date(docs, articles: dict[str, dict[str, str]]) -> str:
    """The earliest date of the articles ``docs`` (``""`` when none has a date)."""
    dates = [articles[d]["date"] for d in docs if d in articles and articles[d]["date"]]
    return min(dates) if dates else ""


def edge_kind(predicate: str, polarity: str, modality: str, attributed_to: str = "") -> str:
    """The ``kind`` of a statement edge: the predicate, ``not`` in front when negative, the
    modality when not ``asserted``, the speaker when attributed (``not supports [John Kirby]``).

    Statements differ exactly by these, so the kinds of the edges between two nodes differ and
    Gephi, which merges parallel edges of the same kind, keeps every statement apart."""
    k = ("not " if polarity == "negative" else "") + predicate
    if modality and modality != "asserted":
        k += f" ({modality})"
    if attributed_to:
        k += f" [{attributed_to}]"
    return k


def entity_graph(store, details: dict | None = None):
    """The entity graph as a ``networkx.MultiDiGraph``, built with a handful of SELECTs.

    Nodes (keyed by :func:`node_id`): entities with ``label``, ``type``, ``mentions`` (int),
    ``articles`` (int), ``qid`` ("" if none), ``aliases`` and ``sources`` ("|"-joined),
    ``start`` (the date of the first article that mentions it, ``YYYY-MM-DD``, "" if no date);
    quotations are nodes of type ``Quotation`` whose label is the quoted text.
    Edges (key = ``id``): one per statement, with ``predicate`` (local name), ``kind``
    (:func:`edge_kind`: distinct for the edges between two nodes), ``label`` (the predicate's
    rdfs:label), ``weight`` (supporting articles, int), ``polarity``, ``modality``,
    ``attributed_to`` (speaker label or ""), ``attributed_to_id``, ``confidence`` (float),
    ``evidence`` (sentences joined with " | "), ``sources`` ("|"-joined doc ids), ``start``
    (first supporting article's date or ""); plus a ``said`` edge from each speaker to each
    of its quotations. All attributes are flat str/int/float values, never None.

    ``details``, if given, is filled with ``articles`` (:func:`article_info`) and ``evidence``
    (``{edge id: [(doc, sentence), ...]}`` in document order), for views that show them apart.
    """
    import networkx as nx

    G = nx.MultiDiGraph()
    articles = article_info(store)

    # -- evidence of statements and quotations: (doc, start, sentence, confidence)
    evidence: dict[str, list[tuple]] = defaultdict(list)
    for x, doc, sentence, start, conf in _rows(store, Q_EVIDENCE):
        evidence[x].append((doc or "", _to_int(start), sentence or "", _to_float(conf)))

    def sources_of(x: str) -> list[str]:
        return sorted({d for d, _, _, _ in evidence.get(x, ()) if d})

    def sentence_pairs(x: str) -> list[tuple[str, str]]:
        seen: list[tuple[str, str]] = []
        for doc, _, sentence, _ in sorted(evidence.get(x, ())):
            if (doc, sentence) not in seen:
                seen.append((doc, sentence))
        return seen

    def sentences_of(x: str) -> str:
        seen: list[str] = []
        for _, sentence in sentence_pairs(x):
            if sentence not in seen:
                seen.append(sentence)
        return " | ".join(seen)

    edge_evidence: dict[str, list[tuple[str, str]]] = {}

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
            docs = ent_docs.get(e, ())
            G.add_node(
                nid,
                label=label,
                type=types.get(e, "Entity"),
                mentions=int(mentions.get(e, 0)),
                articles=len(docs),
                qid=qids.get(e, ""),
                aliases="|".join(sorted(a for a in aliases.get(e, ()) if a != label)),
                sources="|".join(sorted(docs)),
                start=first_date(docs, articles),
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
        att_label = G.nodes[att_id]["label"] if att_id else ""
        eid = node_id(st)
        local = _local(p)
        kind = edge_kind(local, pol or "positive", mod or "asserted", att_label)
        if any(d.get("kind") == kind for d in (G.get_edge_data(u, v) or {}).values()):
            kind += f" [{att_id or eid}]"  # two speakers with one label: the ids tell them apart
        G.add_edge(
            u, v, key=eid,
            id=eid,
            kind=kind,
            label=pred_labels.get(p, local),
            predicate=local,
            weight=len(docs),
            polarity=pol or "positive",
            modality=mod or "asserted",
            attributed_to=att_label,
            attributed_to_id=att_id,
            confidence=_round(conf),
            evidence=sentences_of(st),
            sources="|".join(docs),
            start=first_date(docs, articles),
        )
        edge_evidence[eid] = sentence_pairs(st)

    # -- quotation nodes and speaker -> quotation edges
    for q, text, speaker in sorted(_rows(store, Q_QUOTES), key=lambda r: tuple(x or "" for x in r)):
        qid_ = node_id(q)
        docs = sources_of(q)
        if qid_ not in G:
            G.add_node(
                qid_, label=text or "", type=QUOTATION_TYPE, mentions=len(evidence.get(q, ())),
                articles=len(docs), qid="", aliases="", sources="|".join(docs), start=first_date(docs, articles),
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
                evidence=sentences_of(q), sources="|".join(docs), start=first_date(docs, articles),
            )
            edge_evidence[eid] = sentence_pairs(q)
    if details is not None:
        details["articles"] = articles
        details["evidence"] = edge_evidence
    return G


# ---------------------------------------------------------------- projections
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st gen sen rep gov lt col sgt capt cmdr adm prof jr sr no vs etc jan feb mar apr jun jul aug "
    "sep sept oct nov dec u.s u.k u.n e.u".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9])|(?<=[.!?][\"'”’)\]])\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences of an article's text by punctuation (paragraphs never join), without spaCy.

    Good enough to count co-mentions: a sentence ends at ``.``/``!``/``?`` (and a closing
    quote) before a capital, except after a title or abbreviation (``Mr.``, ``U.S.``)."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text):
        pieces = [p for p in _SENTENCE_END.split(para.strip()) if p]
        merged: list[str] = []
        for piece in pieces:
            last = merged[-1].rsplit(None, 1)[-1].rstrip(".").lower() if merged else ""
            if merged and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
                merged[-1] += " " + piece
            else:
                merged.append(piece)
        out.extend(m.strip() for m in merged if m.strip())
    return out


COOCCURRENCE_LABEL = "co-mentioned"
COOCCURRENCE_EVIDENCE = 3  # sentences kept in an edge's ``evidence``
_CASELESS_TYPES = ("Concept", "Event", "Group")  # common nouns ("ceasefire"), matched ignoring case


def _form_pattern(forms) -> re.Pattern | None:
    forms = sorted({f for f in forms if len(f) >= 2}, key=lambda f: (-len(f), f))
    if not forms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)")


def cooccurrence_graph(store, details: dict | None = None):
    """Entities linked by co-mention: an undirected ``networkx.Graph``.

    Nodes are the entities of :func:`entity_graph` (same ids and attributes, no quotations).
    Two entities are linked when a sentence of an article that mentions both holds a surface
    form of each (its label or an alias; names with their case, concepts ignoring it).
    ``weight`` = number of such sentences (int); ``sources`` = their articles; ``evidence`` =
    the first few sentences (" | "); ``start`` = the first article's date; ``kind`` and
    ``label`` = ``co-mentioned``. Pronouns are not counted: only words that name the entity.
    """
    import networkx as nx

    info: dict = {}
    EG = entity_graph(store, info)
    articles = info["articles"]
    G = nx.Graph()
    for n, d in EG.nodes(data=True):
        if d["type"] != QUOTATION_TYPE:
            G.add_node(n, **d)
    forms: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        forms[n] = [d["label"], *(a for a in d["aliases"].split("|") if a)]
    by_doc: dict[str, set[str]] = defaultdict(set)
    for e, doc, _count in _rows(store, Q_MENTIONS):
        if node_id(e) in G:
            by_doc[doc].add(node_id(e))

    pairs: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # -> [(doc, sentence)]
    for doc, text in sorted(_rows(store, Q_ARTICLE_TEXTS)):
        ents = sorted(by_doc.get(doc, ()))
        if len(ents) < 2:
            continue
        cased: dict[str, set[str]] = defaultdict(set)
        caseless: dict[str, set[str]] = defaultdict(set)
        for n in ents:
            target = caseless if G.nodes[n]["type"] in _CASELESS_TYPES else cased
            for f in forms[n]:
                target[f if target is cased else f.lower()].add(n)
        pat_cased = _form_pattern(cased)
        pat_caseless = _form_pattern(caseless)
        for sentence in split_sentences(text or ""):
            found: set[str] = set()
            if pat_cased:
                for m in pat_cased.finditer(sentence):
                    found |= cased[m.group(0)]
            if pat_caseless:
                for m in pat_caseless.finditer(sentence.lower()):
                    found |= caseless[m.group(0)]
            for a, b in itertools.combinations(sorted(found), 2):
                pairs[(a, b)].append((doc, sentence))

    evidence: dict[str, list[tuple[str, str]]] = {}
    for i, ((a, b), sents) in enumerate(sorted(pairs.items())):
        docs = sorted({d for d, _ in sents})
        eid = f"co/{i}"
        shown: list[str] = []
        for _, s in sents:
            if s not in shown:
                shown.append(s)
        G.add_edge(
            a, b, id=eid, kind=COOCCURRENCE_LABEL, label=COOCCURRENCE_LABEL, weight=len(sents),
            sources="|".join(docs), evidence=" | ".join(shown[:COOCCURRENCE_EVIDENCE]),
            start=first_date(docs, articles),
        )
        evidence[eid] = sents
    if details is not None:
        details["articles"] = articles
        details["evidence"] = evidence
    return G


def qname(iri: str) -> str:
    """``rdfs:label`` for an IRI in a known namespace (``id:`` ones as :func:`node_id`), else the IRI."""
    if iri.startswith(ID_NS):
        return iri[len(ID_NS):]
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


_LABEL_PREDICATES = (PREFIXES["rdfs"] + "label", PREFIXES["schema"] + "headline", PREFIXES["kg"] + "docId",
                     PREFIXES["schema"] + "text")
_RDF_TYPE = PREFIXES["rdf"] + "type"
_CLASS_TYPES = {PREFIXES["owl"] + "Class": "Class", PREFIXES["rdfs"] + "Class": "Class",
                PREFIXES["rdf"] + "Property": "Property", PREFIXES["owl"] + "ObjectProperty": "Property",
                PREFIXES["owl"] + "DatatypeProperty": "Property"}


def rdf_graph(store, details: dict | None = None):
    """The full RDF graph (the union of all graphs) as a ``networkx.MultiDiGraph``.

    Every IRI and blank node that is a subject or object is a node (id: :func:`qname`, blank
    nodes ``_:…``); every triple whose object is one is an edge labelled with the predicate
    (``label`` = ``kind`` = ``rdf:type``…; ``predicate`` = the full IRI; ``weight`` = number of
    article graphs that hold the triple, at least 1). A triple whose object is a literal is an attribute of
    its subject named by the predicate (``rdfs:label``, ``kg:polarity``…), several values joined
    by " | ", all strings. ``label`` is the node's rdfs:label (or headline, doc id, start of its
    text, else its qname); ``type`` is its kg: class (else Class/Property/its first type/Resource).
    """
    import networkx as nx

    def key(term) -> str:
        if isinstance(term, ox.BlankNode):
            return "_:" + term.value
        return qname(term.value)

    # weight = article graphs holding the triple (the summary graph repeats their statements
    # and entities once; a triple held only by the summary or ontology graph weighs 1)
    triples: dict[tuple, int] = defaultdict(int)
    for q in store.ox.quads_for_pattern(None, None, None, None):
        in_article = isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(ARTICLE_GRAPH_PREFIX)
        triples[(q.subject, q.predicate, q.object)] += in_article
    triples = {t: max(n, 1) for t, n in triples.items()}
    G = nx.MultiDiGraph()
    literals: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    types: dict[str, list[str]] = defaultdict(list)
    edges = []
    for (s, p, o), n in triples.items():
        sk = key(s)
        G.add_node(sk)
        if isinstance(o, ox.Literal):
            literals[sk][p.value].append(o.value)
            continue
        ok = key(o)
        G.add_node(ok)
        if p.value == _RDF_TYPE:
            types[sk].append(o.value)
        edges.append((sk, ok, p.value, n))
    for n in G.nodes:
        vals = literals.get(n, {})
        label = next((vals[p][0] for p in _LABEL_PREDICATES if vals.get(p)), "")
        label = " ".join(label.split())
        if len(label) > 80:
            label = label[:79] + "…"
        ts = sorted(types.get(n, ()))
        kg_types = [t for t in ts if t.startswith(KG_NS)]
        if kg_types:
            type_ = _local(kg_types[0])
        elif any(t in _CLASS_TYPES for t in ts):
            type_ = next(_CLASS_TYPES[t] for t in ts if t in _CLASS_TYPES)
        else:
            type_ = _local(ts[0]) if ts else "Resource"
        attrs = {"label": label or n, "type": type_, "iri": "" if n.startswith("_:") else _expand(n)}
        for p, vs in sorted(vals.items()):
            attrs[qname(p)] = " | ".join(sorted(set(vs)))
        G.nodes[n].update(attrs)
    for i, (u, v, p, n) in enumerate(sorted(edges)):
        eid = f"t/{i}"
        G.add_edge(u, v, key=eid, id=eid, label=qname(p), kind=qname(p), predicate=p, weight=n)
    if details is not None:
        details["articles"] = article_info(store)
        details["evidence"] = {}
    return G


def _expand(n: str) -> str:
    if "://" in n or n.startswith("urn:"):
        return n
    if ":" in n:
        prefix, _, local = n.partition(":")
        if prefix in PREFIXES:
            return PREFIXES[prefix] + local
    return ID_NS + n


PROJECTIONS: dict[str, Callable] = {
    "entities": entity_graph,
    "cooccurrence": cooccurrence_graph,
    "rdf": rdf_graph,
}
DEFAULT_PROJECTION = "entities"


def project(store, graph: str = DEFAULT_PROJECTION, details: dict | None = None):
    """The networkx graph of one of :data:`PROJECTIONS` (undecorated)."""
    try:
        fn = PROJECTIONS[graph]
    except KeyError:
        raise ExportError(f"unknown graph {graph!r}; choose one of {', '.join(PROJECTIONS)}") from None
    return fn(store, details)


# ---------------------------------------------------------------- looks: palette, size, layout, community
LAYOUT_SEED = 42  # spring layout and Louvain: the same store gives the same picture
LAYOUT_SCALE = 1000.0  # positions lie in [-LAYOUT_SCALE, LAYOUT_SCALE]
LAYOUT_MAX_NODES = 400  # force layout of a component's best-connected nodes; the others by their neighbours
ISOLATED_SPACING = 1.0  # nodes without edges sit in a grid this tight (a component's node has ~1.8)
SIZE_MIN, SIZE_MAX = 5.0, 50.0


def hex_rgb(color: str) -> tuple[int, int, int]:
    c = color.strip().lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", c):
        raise ExportError(f"not a colour: {color!r} (use #rrggbb)")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


@functools.lru_cache(maxsize=4)
def _load_palette(path: str, mtime: float) -> dict:
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh) or {}
        types = {str(k): hex_rgb(str(v)) for k, v in (raw.get("types") or {}).items()}
        edges = {str(k): hex_rgb(str(v)) for k, v in (raw.get("edges") or {}).items()}
        default = hex_rgb(str(raw.get("default", "#bab0ac")))
    except (OSError, yaml.YAMLError, AttributeError) as e:
        raise ExportError(f"cannot read the palette {path}: {e}") from None
    return {"types": types, "edges": edges, "default": default}


def palette() -> dict:
    """``{"types": {type: (r, g, b)}, "edges": {polarity: (r, g, b)}, "default": (r, g, b)}``
    from ``data/palette.yaml`` (``$KG_DATA`` moves it)."""
    from .paths import data_dir

    path = data_dir() / "palette.yaml"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise ExportError(f"no palette at {path}") from None
    return _load_palette(str(path), mtime)


def _simple_undirected(G):
    import networkx as nx

    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes))
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        w = max(1, int(d.get("weight", 1) or 1))
        if H.has_edge(u, v):
            H[u][v]["weight"] += w
        else:
            H.add_edge(u, v, weight=w)
    return H


def _component_layout(H, nodes, seed: int) -> dict:
    """Positions of one connected component, centred, within a disk of radius 1.

    networkx's spring layout (Fruchterman-Reingold, fixed seed) on the component's
    :data:`LAYOUT_MAX_NODES` best-connected nodes; then, breadth first, a node with one placed
    neighbour goes on a ring around it (leaves round their hub, as ForceAtlas draws them) and
    a node with several near their mean. Linear past the core, so a component of 100k nodes
    takes seconds (the force layout is quadratic)."""
    import random

    import networkx as nx

    nodes = sorted(nodes, key=str)
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    if n == 2:
        return {nodes[0]: (-1.0, 0.0), nodes[1]: (1.0, 0.0)}
    core = sorted(nodes, key=lambda x: (-H.degree(x), str(x)))[:LAYOUT_MAX_NODES]
    sub = H.subgraph(core)
    raw = nx.spring_layout(sub, seed=seed, iterations=60, weight=None, method="force")
    pos = {v: (float(p[0]), float(p[1])) for v, p in raw.items()}
    if len(pos) < n:
        rng = random.Random(seed)
        ring0 = 1.2 / math.sqrt(len(core))  # about half the spacing of the core's nodes
        frontier = list(core)
        while frontier:
            nxt = []
            for v in frontier:
                fresh = [w for w in sorted(H.neighbors(v), key=str) if w not in pos]
                leaves = [w for w in fresh if sum(1 for x in H.neighbors(w) if x in pos) == 1]
                ring = ring0 * (1 + 0.25 * math.sqrt(len(leaves)))
                turn = rng.uniform(0, 2 * math.pi)
                for i, w in enumerate(leaves):
                    a = turn + 2 * math.pi * i / len(leaves)
                    pos[w] = (pos[v][0] + ring * math.cos(a), pos[v][1] + ring * math.sin(a))
                for w in fresh:
                    if w in pos:
                        continue
                    placed = [pos[x] for x in H.neighbors(w) if x in pos]
                    pos[w] = (sum(p[0] for p in placed) / len(placed) + rng.uniform(-ring0, ring0),
                              sum(p[1] for p in placed) / len(placed) + rng.uniform(-ring0, ring0))
                nxt.extend(fresh)
            frontier = nxt
    cx = sum(p[0] for p in pos.values()) / n
    cy = sum(p[1] for p in pos.values()) / n
    # scale by the 90th percentile radius, pulling the few far-flung nodes (chains the force
    # layout throws out) in to 1.3: the body of the component gets the room
    radii = sorted(math.hypot(x - cx, y - cy) for x, y in pos.values())
    r = radii[int(0.9 * (n - 1))] or radii[-1] or 1.0
    out = {}
    for v, (x, y) in pos.items():
        dx, dy = (x - cx) / r, (y - cy) / r
        d = math.hypot(dx, dy)
        if d > 1.0:
            f = (1.0 + 0.3 * math.tanh((d - 1.0) / 0.3)) / d
            dx, dy = dx * f, dy * f
        out[v] = (dx, dy)
    return out


def layout(G, seed: int = LAYOUT_SEED) -> dict:
    """``{node: (x, y)}`` in ``[-LAYOUT_SCALE, LAYOUT_SCALE]``: each connected component laid out
    by networkx's spring layout (Fruchterman-Reingold, fixed seed) in a disk whose area grows
    with its node count, the disks packed in rows from the largest (so small components sit
    beside the main one instead of being pushed to the edges).

    A component larger than :data:`LAYOUT_MAX_NODES` is laid out on its best-connected nodes,
    the others placed by their neighbours (:func:`_component_layout`): seconds on 100k nodes.
    """
    import networkx as nx

    H = _simple_undirected(G)
    if H.number_of_nodes() == 0:
        return {}
    # quotations go round their speaker afterwards, so they do not blow a speaker up into a star
    satellites: dict = defaultdict(list)
    for n, d in G.nodes(data=True):
        if d.get("type") == QUOTATION_TYPE and H.degree(n) > 0:
            satellites[min(H.neighbors(n), key=str)].append(n)
    for group in satellites.values():
        H.remove_nodes_from(group)
    comps = sorted(nx.connected_components(H), key=lambda c: (-len(c), min(str(x) for x in c)))
    isolated = sorted((next(iter(c)) for c in comps if len(c) == 1), key=str)
    comps = [c for c in comps if len(c) > 1]
    gap = 0.6
    radii = [1.3 * math.sqrt(len(c)) for c in comps]  # area grows with the nodes; 1.3: pulled-in outliers
    cols = math.ceil(math.sqrt(len(isolated))) if isolated else 0
    side = cols * ISOLATED_SPACING
    row_width = math.sqrt(sum((2 * r + gap) ** 2 for r in radii) + side * side) * 1.15
    row_width = max(row_width, 2 * (radii[0] if radii else 0) + gap, side)
    pos: dict = {}
    x = y = 0.0
    row_h = 0.0
    for c, r in zip(comps, radii):
        d = 2 * r + gap
        if x > 0 and x + d > row_width:
            x, y = 0.0, y - row_h
            row_h = 0.0
        local = _component_layout(H, c, seed)
        for v, (px, py) in local.items():
            pos[v] = (x + r + px * r / 1.3, y - r + py * r / 1.3)
        x += d
        row_h = max(row_h, d)
    if isolated:  # nodes without an edge: a compact block under the rest
        top = y - row_h - (gap if comps else 0)
        cols = max(cols, min(len(isolated), math.ceil(row_width / ISOLATED_SPACING)))
        for i, v in enumerate(isolated):
            pos[v] = ((i % cols + 0.5) * ISOLATED_SPACING, top - (i // cols + 0.5) * ISOLATED_SPACING)
    for owner, group in satellites.items():
        if owner not in pos:  # a speaker that is itself a quotation: not in the data model, but be safe
            pos[owner] = (0.0, 0.0)
        ox_, oy = pos[owner]
        ring = 0.45 + 0.02 * len(group)
        for i, q in enumerate(sorted(group, key=str)):
            a = 2 * math.pi * i / len(group) + 0.3
            pos[q] = (ox_ + ring * math.cos(a), oy + ring * math.sin(a))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {v: (round((px - cx) / half * LAYOUT_SCALE, 2), round((py - cy) / half * LAYOUT_SCALE, 2))
            for v, (px, py) in pos.items()}


def communities(G, seed: int = LAYOUT_SEED) -> dict:
    """``{node: community}`` by networkx's Louvain (fixed seed) on the undirected graph, edges
    weighted by ``weight``; communities numbered 0, 1, … from the largest."""
    import networkx as nx

    H = _simple_undirected(G)
    if H.number_of_nodes() == 0:
        return {}
    parts = nx.community.louvain_communities(H, weight="weight", seed=seed)
    parts = sorted(parts, key=lambda c: (-len(c), min(str(x) for x in c)))
    return {v: i for i, c in enumerate(parts) for v in c}


def decorate(G, seed: int = LAYOUT_SEED, pal: dict | None = None):
    """A copy of a projection with Gephi's attributes: node ``r``, ``g``, ``b`` (ints, the
    palette colour of its ``type``), ``size`` (by ``mentions``, else by degree), ``x``, ``y``
    (:func:`layout`), ``community`` (:func:`communities`); edge ``r``, ``g``, ``b`` (by polarity)
    and ``weight`` at least 1 (Gephi drops edges of weight 0)."""
    pal = pal or palette()
    D = G.copy()
    D.graph.clear()
    pos = layout(D, seed)
    comm = communities(D, seed)
    basis = {n: (d["mentions"] if "mentions" in d else D.degree(n)) for n, d in D.nodes(data=True)}
    top = max(basis.values(), default=0) or 1
    for n, d in D.nodes(data=True):
        r, g, b = pal["types"].get(d.get("type", ""), pal["default"])
        x, y = pos.get(n, (0.0, 0.0))
        d.update(r=r, g=g, b=b, x=float(x), y=float(y), community=int(comm.get(n, 0)),
                 size=round(SIZE_MIN + (SIZE_MAX - SIZE_MIN) * math.sqrt(max(0, basis[n]) / top), 2))
    neutral = pal["edges"].get("positive", pal["default"])
    for *_, d in D.edges(data=True):
        r, g, b = pal["edges"].get(d.get("polarity", "positive"), neutral)
        d.update(r=r, g=g, b=b, weight=max(1, int(d.get("weight", 1) or 1)))
    _unify_types(D)
    return D


def _unify_types(G) -> None:
    """One type per attribute name (GraphML keys, GEXF attributes): int+float -> float, else str;
    never None."""
    def fix(items):
        seen: dict[str, set[type]] = defaultdict(set)
        for d in items:
            for k, v in d.items():
                seen[k].add(type(v))
        for k, ts in seen.items():
            if len(ts) <= 1 and type(None) not in ts:
                continue
            cast = float if ts <= {int, float} else str
            for d in items:
                if k in d:
                    d[k] = "" if d[k] is None else cast(d[k])

    fix([d for _, d in G.nodes(data=True)])
    fix([d for *_, d in G.edges(data=True)])


def gephi_graph(store, graph: str = DEFAULT_PROJECTION, details: dict | None = None, seed: int = LAYOUT_SEED):
    """A projection decorated for Gephi (:func:`project` then :func:`decorate`)."""
    return decorate(project(store, graph, details), seed)


# ---------------------------------------------------------------- graph exports
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"  # networkx 3.x writes http://w3.org/… in GEXF 1.3 (wrong)
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_SCHEMA_LOCATION = "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
_GRAPHML_TYPES = {bool: "boolean", int: "int", float: "double", str: "string"}


def write_graphml(G, fh) -> None:
    """GraphML as Gephi's importer reads it: ``label``, ``r``/``g``/``b`` (``int``), ``size``,
    ``x``, ``y`` on nodes; ``label`` and ``weight`` on edges; one key per attribute name and
    domain with one type (int, double, string); ``edgedefault="directed"`` for directed
    projections; every edge has its ``id``. Keys are ``d0``, ``d1``… with ``attr.name``."""
    from xml.etree import ElementTree as ET

    def q(tag: str) -> str:
        return f"{{{GRAPHML_NS}}}{tag}"

    ET.register_namespace("", GRAPHML_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(q("graphml"), {f"{{{XSI_NS}}}schemaLocation": GRAPHML_SCHEMA_LOCATION})
    multi = G.is_multigraph()
    node_items = [d for _, d in G.nodes(data=True)]
    edge_items = [d for *_, d in G.edges(data=True)]
    keys: dict[tuple[str, str], str] = {}
    # edges keep an "id" data key besides <edge id>: Gephi maps it to the edge id, and igraph 1.0
    # would otherwise fill its edge "id" attribute with node ids (it warns and keeps ours instead)
    for domain, items, skip in (("node", node_items, ()), ("edge", edge_items, ())):
        kinds: dict[str, type] = {}
        for d in items:
            for k, v in d.items():
                if k not in skip and v is not None and k not in kinds:
                    kinds[k] = type(v)
        for k, t in kinds.items():
            kid = f"d{len(keys)}"
            keys[(domain, k)] = kid
            ET.SubElement(root, q("key"), {"id": kid, "for": domain, "attr.name": k,
                                           "attr.type": _GRAPHML_TYPES.get(t, "string")})
    graph = ET.SubElement(root, q("graph"), {"id": "G", "edgedefault": "directed" if G.is_directed() else "undirected"})

    def data(parent, domain: str, d: dict) -> None:
        for k, v in d.items():
            kid = keys.get((domain, k))
            if kid is not None and v is not None:
                ET.SubElement(parent, q("data"), {"key": kid}).text = _fmt(v)

    for n, d in G.nodes(data=True):
        data(ET.SubElement(graph, q("node"), {"id": str(n)}), "node", d)
    for i, e in enumerate(G.edges(keys=True, data=True) if multi else G.edges(data=True)):
        u, v, d = e[0], e[1], e[-1]
        eid = str(d.get("id", e[2] if multi else f"e{i}"))
        data(ET.SubElement(graph, q("edge"), {"id": eid, "source": str(u), "target": str(v)}), "edge", d)
    ET.indent(root, space="  ")
    fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    ET.ElementTree(root).write(fh, encoding="utf-8", xml_declaration=False)
    fh.write(b"\n")


GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"
GEXF_SCHEMA_LOCATION = "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"
_GEXF_TYPES = {int: "integer", float: "double", str: "string", bool: "boolean"}
_GEXF_NODE_RESERVED = {"label", "start", "r", "g", "b", "size", "x", "y"}
_GEXF_EDGE_RESERVED = {"id", "label", "kind", "weight", "start", "r", "g", "b"}


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def write_gexf(G, fh, dynamic: bool = True, description: str = "") -> None:
    """GEXF 1.3 for Gephi: node ``label``, typed ``<attvalues>``, ``viz:color`` / ``viz:size`` /
    ``viz:position``; edge ``id``, ``label``, ``weight``, ``kind`` (distinct for the parallel
    edges between two nodes, so Gephi keeps them apart), ``viz:color``, typed attvalues.

    With ``dynamic`` and some ``start`` dates, the graph is ``mode="dynamic"``
    ``timeformat="date"`` and every node and edge with a date gets ``start`` (it appears on
    Gephi's timeline then and stays: no ``end``)."""
    from xml.etree import ElementTree as ET

    def q(tag: str) -> str:
        return f"{{{GEXF_NS}}}{tag}"

    def v(tag: str) -> str:
        return f"{{{GEXF_VIZ_NS}}}{tag}"

    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("viz", GEXF_VIZ_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(q("gexf"), {"version": "1.3", f"{{{XSI_NS}}}schemaLocation": GEXF_SCHEMA_LOCATION})
    meta = ET.SubElement(root, q("meta"))
    ET.SubElement(meta, q("creator")).text = "kg (https://w3id.org/newskg/)"
    if description:
        ET.SubElement(meta, q("description")).text = description
    has_dates = dynamic and any(d.get("start") for _, d in G.nodes(data=True))
    gattrs = {"defaultedgetype": "directed" if G.is_directed() else "undirected"}
    if has_dates:
        gattrs.update(mode="dynamic", timeformat="date")
    else:
        gattrs["mode"] = "static"
    graph = ET.SubElement(root, q("graph"), gattrs)

    def declare(cls: str, items, reserved) -> list[str]:
        kinds: dict[str, type] = {}
        for d in items:
            for k, val in d.items():
                if k not in reserved and k not in kinds:
                    kinds[k] = type(val)
        names = list(kinds)
        if names:
            el = ET.SubElement(graph, q("attributes"), {"class": cls, "mode": "static"})
            for k in names:
                ET.SubElement(el, q("attribute"), {"id": k, "title": k, "type": _GEXF_TYPES.get(kinds[k], "string")})
        return names

    node_items = [d for _, d in G.nodes(data=True)]
    edge_items = [d for *_, d in G.edges(data=True)]
    node_names = declare("node", node_items, _GEXF_NODE_RESERVED)
    edge_names = declare("edge", edge_items, _GEXF_EDGE_RESERVED)

    def attvalues(parent, d, names) -> None:
        vals = [(k, d[k]) for k in names if k in d and d[k] is not None]
        if vals:
            el = ET.SubElement(parent, q("attvalues"))
            for k, val in vals:
                ET.SubElement(el, q("attvalue"), {"for": k, "value": _fmt(val)})

    def viz_color(parent, d) -> None:
        if all(c in d for c in "rgb"):
            ET.SubElement(parent, v("color"), {c: str(int(d[c])) for c in "rgb"})

    nodes = ET.SubElement(graph, q("nodes"))
    for n, d in G.nodes(data=True):
        attrs = {"id": str(n), "label": str(d.get("label", n))}
        if has_dates and d.get("start"):
            attrs["start"] = d["start"]
        el = ET.SubElement(nodes, q("node"), attrs)
        attvalues(el, d, node_names)
        viz_color(el, d)
        if "size" in d:
            ET.SubElement(el, v("size"), {"value": _fmt(float(d["size"]))})
        if "x" in d and "y" in d:
            ET.SubElement(el, v("position"), {"x": _fmt(float(d["x"])), "y": _fmt(float(d["y"])), "z": "0.0"})
    edges = ET.SubElement(graph, q("edges"))
    multi = G.is_multigraph()
    for i, e in enumerate(G.edges(keys=True, data=True) if multi else G.edges(data=True)):
        u, w, d = e[0], e[1], e[-1]
        attrs = {"id": str(d.get("id", e[2] if multi else i)), "source": str(u), "target": str(w)}
        for k in ("label", "kind"):
            if d.get(k):
                attrs[k] = str(d[k])
        if "weight" in d:
            attrs["weight"] = _fmt(float(d["weight"]))
        if has_dates and d.get("start"):
            attrs["start"] = d["start"]
        el = ET.SubElement(edges, q("edge"), attrs)
        attvalues(el, d, edge_names)
        viz_color(el, d)
    ET.indent(root, space="  ")
    fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    ET.ElementTree(root).write(fh, encoding="utf-8", xml_declaration=False)
    fh.write(b"\n")


_DESCRIPTIONS = {
    "entities": "kg entity graph: entities and the relations between them, one edge per statement",
    "cooccurrence": "kg co-occurrence graph: entities linked when named in one sentence (weight = sentences)",
    "rdf": "kg RDF graph: every resource and triple of the store (literals as attributes)",
}


def export_graphml(store, output, graph: str = DEFAULT_PROJECTION, **opts) -> None:
    G = gephi_graph(store, graph)
    with open_output(output) as fh:
        write_graphml(G, fh)


def export_gexf(store, output, graph: str = DEFAULT_PROJECTION, dynamic: bool = True, **opts) -> None:
    G = gephi_graph(store, graph)
    with open_output(output) as fh:
        write_gexf(G, fh, dynamic=dynamic, description=_DESCRIPTIONS.get(graph, ""))


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
GRAPH_FORMATS = ("graphml", "gexf")  # the formats that take ``graph=`` (a projection)


def export(store, fmt: str, output, **opts) -> None:
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORTERS)}") from None
    graph = opts.get("graph") or DEFAULT_PROJECTION
    if graph not in PROJECTIONS:
        raise ExportError(f"unknown graph {graph!r}; choose one of {', '.join(PROJECTIONS)}")
    if graph != DEFAULT_PROJECTION and fmt not in GRAPH_FORMATS:
        raise ExportError(f"--graph {graph} applies to {' and '.join(GRAPH_FORMATS)} only "
                          f"({fmt} is {'always the entity graph' if fmt == 'csv' else 'the RDF itself'})")
    opts.pop("graph", None)
    if fmt in GRAPH_FORMATS:
        opts["graph"] = graph
    from .store import unfinished_write

    problem = unfinished_write(store, "export")
    if problem:  # checked before the output is opened: an existing file stays as it was
        raise UnfinishedWriteError(problem)
    exporter(store, output, **opts)
