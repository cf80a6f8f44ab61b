"""The entity graph: entities and the statements between them (``networkx.MultiDiGraph``)."""

from __future__ import annotations

from collections import defaultdict

from ..namespaces import KG, ONTOLOGY_GRAPH, SPARQL_PROLOGUE, WD
from ..model import ENTITY_TYPES
from .common import QUOTATION_TYPE, Q_MENTIONS, article_info, first_date, local_name, node_id, rows, sorted_rows, \
    to_float, to_int

SAID = "said"  # the predicate of the edge from a speaker to a quotation

_P = SPARQL_PROLOGUE
_TYPES = " ".join(f"kg:{t}" for t in ENTITY_TYPES)
Q_ENTITIES = _P + f"""
SELECT DISTINCT ?e ?t ?label WHERE {{
  VALUES ?t {{ {_TYPES} }}
  GRAPH ?g {{ ?e a ?t ; rdfs:label ?label }}
}}"""
Q_ALIASES = _P + "SELECT DISTINCT ?e ?alias WHERE { GRAPH ?g { ?e skos:altLabel ?alias } }"
Q_SAME_AS = _P + "SELECT DISTINCT ?e ?same WHERE { GRAPH ?g { ?e owl:sameAs ?same } }"
Q_STATEMENTS = _P + """
SELECT DISTINCT ?st ?s ?p ?o ?pol ?mod ?att WHERE {
  GRAPH ?g {
    ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:polarity ?pol ; kg:modality ?mod .
    OPTIONAL { ?st kg:attributedTo ?att }
  }
}"""
Q_OPEN = _P + """
SELECT DISTINCT ?st ?s ?vp ?o ?pol ?mod ?att WHERE {
  GRAPH ?g {
    ?st a kg:OpenStatement ; rdf:subject ?s ; kg:verbPhrase ?vp ; rdf:object ?o ; kg:polarity ?pol ; kg:modality ?mod .
    OPTIONAL { ?st kg:attributedTo ?att }
  }
}"""
Q_QUOTES = _P + """
SELECT DISTINCT ?q ?text ?speaker ?partial WHERE {
  GRAPH ?g { ?q a kg:Quotation ; schema:text ?text . OPTIONAL { ?q kg:speaker ?speaker } OPTIONAL { ?q kg:partial ?partial } }
}"""
#: the label of the edge from a speaker to a partial quotation (a few words inside the writer's sentence)
SAID_PARTIAL_LABEL = "said (partial)"
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


#: the ``vocabulary`` attribute of an edge (and the CSV's ``Vocabulary`` column): a statement of the
#: controlled vocabulary (and a speaker's ``said`` edge), or an open statement labelled with its verb phrase
CONTROLLED, OPEN = "controlled", "open"
#: the ``kind`` of an open statement's edge starts with this, so it never equals a predicate's kind
OPEN_KIND_PREFIX = "open: "


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


class _Evidence:
    """The evidence records of statements and quotations: ``(doc, start, sentence, confidence)``."""

    def __init__(self, store):
        self.of: dict[str, list[tuple]] = defaultdict(list)
        for x, doc, sentence, start, conf in rows(store, Q_EVIDENCE):
            self.of[x].append((doc or "", to_int(start), sentence or "", to_float(conf)))

    def sources(self, x: str) -> list[str]:
        return sorted({d for d, _, _, _ in self.of.get(x, ()) if d})

    def pairs(self, x: str) -> list[tuple[str, str]]:
        """``(doc, sentence)`` once each, in document order."""
        seen: list[tuple[str, str]] = []
        for doc, _, sentence, _ in sorted(self.of.get(x, ())):
            if (doc, sentence) not in seen:
                seen.append((doc, sentence))
        return seen

    def sentences(self, x: str) -> str:
        seen: list[str] = []
        for _, sentence in self.pairs(x):
            if sentence not in seen:
                seen.append(sentence)
        return " | ".join(seen)

    def best_confidence(self, x: str) -> float:
        confs = [c for _, _, _, c in self.of.get(x, ()) if c is not None]
        return max(confs) if confs else 0.0


class _EntityNodes:
    """What the store says about each entity, and the node it becomes (:meth:`add`)."""

    def __init__(self, store, articles: dict):
        self.articles = articles
        self.labels: dict[str, str] = {}
        self.types: dict[str, str] = {}
        for e, t, label in rows(store, Q_ENTITIES):
            if e not in self.labels or (label or "") < self.labels[e]:
                self.labels[e] = label or ""
            self.types[e] = local_name(t)
        self.aliases: dict[str, set[str]] = defaultdict(set)
        for e, alias in rows(store, Q_ALIASES):
            self.aliases[e].add(alias)
        self.qids: dict[str, str] = {}
        for e, same in rows(store, Q_SAME_AS):
            if same.startswith(WD):
                self.qids[e] = min(self.qids.get(e, same[len(WD):]), same[len(WD):])
        self.mentions: dict[str, int] = defaultdict(int)
        self.docs: dict[str, set[str]] = defaultdict(set)
        for e, doc, count in rows(store, Q_MENTIONS):
            self.mentions[e] += to_int(count)
            self.docs[e].add(doc)

    def add(self, G, e: str) -> str:
        """The node of entity ``e`` in ``G``, added with its attributes the first time."""
        nid = node_id(e)
        if nid not in G:
            label = self.labels.get(e) or local_name(e).replace("-", " ")
            docs = self.docs.get(e, ())
            G.add_node(
                nid,
                label=label,
                type=self.types.get(e, "Entity"),
                mentions=int(self.mentions.get(e, 0)),
                articles=len(docs),
                qid=self.qids.get(e, ""),
                aliases="|".join(sorted(a for a in self.aliases.get(e, ()) if a != label)),
                sources="|".join(sorted(docs)),
                start=first_date(docs, self.articles),
            )
        return nid


def _add_statements(G, store, nodes: _EntityNodes, evidence: _Evidence, pred_labels: dict,
                    edge_evidence: dict) -> None:
    """One edge per statement, keyed by its id (see :func:`entity_graph`)."""
    confidence = {st: to_float(c) for st, c in rows(store, Q_SUMMARY)}
    for st, s, p, o, pol, mod, att in sorted_rows(store, Q_STATEMENTS):
        u, v = nodes.add(G, s), nodes.add(G, o)
        docs = evidence.sources(st)
        conf = confidence.get(st)
        if conf is None:  # summary not refreshed: best evidence confidence
            conf = evidence.best_confidence(st)
        att_id = nodes.add(G, att) if att else ""
        att_label = G.nodes[att_id]["label"] if att_id else ""
        eid = node_id(st)
        local = local_name(p)
        kind = edge_kind(local, pol or "positive", mod or "asserted", att_label)
        if any(d.get("kind") == kind for d in (G.get_edge_data(u, v) or {}).values()):
            kind += f" [{att_id or eid}]"  # two speakers with one label: the ids tell them apart
        G.add_edge(
            u, v, key=eid,
            id=eid,
            kind=kind,
            label=pred_labels.get(p, local),
            predicate=local,
            vocabulary=CONTROLLED,
            weight=len(docs),
            polarity=pol or "positive",
            modality=mod or "asserted",
            attributed_to=att_label,
            attributed_to_id=att_id,
            confidence=round(float(conf), 3),
            evidence=evidence.sentences(st),
            sources="|".join(docs),
            start=first_date(docs, nodes.articles),
        )
        edge_evidence[eid] = evidence.pairs(st)


def _add_open_statements(G, store, nodes: _EntityNodes, evidence: _Evidence, edge_evidence: dict) -> None:
    """One edge per open statement, flagged ``vocabulary="open"``, its ``label`` the verb phrase,
    its ``kind`` starting with "open: " and its ``predicate`` empty (see :func:`entity_graph`)."""
    confidence = {st: to_float(c) for st, c in rows(store, Q_SUMMARY)}
    for st, s, vp, o, pol, mod, att in sorted_rows(store, Q_OPEN):
        u, v = nodes.add(G, s), nodes.add(G, o)
        docs = evidence.sources(st)
        conf = confidence.get(st)
        if conf is None:
            conf = evidence.best_confidence(st)
        att_id = nodes.add(G, att) if att else ""
        att_label = G.nodes[att_id]["label"] if att_id else ""
        eid = node_id(st)
        kind = OPEN_KIND_PREFIX + edge_kind(vp or "", pol or "positive", mod or "asserted", att_label)
        if any(d.get("kind") == kind for d in (G.get_edge_data(u, v) or {}).values()):
            kind += f" [{att_id or eid}]"
        G.add_edge(
            u, v, key=eid,
            id=eid, kind=kind, label=vp or "", predicate="", vocabulary=OPEN,
            weight=len(docs), polarity=pol or "positive", modality=mod or "asserted",
            attributed_to=att_label, attributed_to_id=att_id, confidence=round(float(conf), 3),
            evidence=evidence.sentences(st), sources="|".join(docs), start=first_date(docs, nodes.articles),
        )
        edge_evidence[eid] = evidence.pairs(st)


def _add_quotations(G, store, nodes: _EntityNodes, evidence: _Evidence, pred_labels: dict,
                    edge_evidence: dict) -> None:
    """A node per quotation and a ``said`` edge from its speaker (see :func:`entity_graph`)."""
    for q, text, speaker, partial in sorted_rows(store, Q_QUOTES):
        qid_ = node_id(q)
        docs = evidence.sources(q)
        start = first_date(docs, nodes.articles)
        partial = int(partial in ("true", "1"))  # 1 or 0 (attributes are str/int/float)
        if qid_ not in G:
            G.add_node(
                qid_, label=text or "", type=QUOTATION_TYPE, mentions=len(evidence.of.get(q, ())),
                articles=len(docs), qid="", aliases="", sources="|".join(docs), start=start,
            )
        if speaker:
            u = nodes.add(G, speaker)
            eid = f"{SAID}/{qid_.rsplit('/', 1)[-1]}"
            G.add_edge(
                u, qid_, key=eid,
                id=eid, kind=SAID, label=SAID_PARTIAL_LABEL if partial else pred_labels.get(KG + SAID, SAID),
                predicate=SAID, partial=partial, vocabulary=CONTROLLED,
                weight=len(docs), polarity="positive", modality="asserted",
                attributed_to="", attributed_to_id="",
                confidence=1.0,  # the quotation is attributed to its speaker by a speech verb; no score is stored
                evidence=evidence.sentences(q), sources="|".join(docs), start=start,
            )
            edge_evidence[eid] = evidence.pairs(q)


def entity_graph(store, details: dict | None = None, open_relations: bool = True):
    """The entity graph as a ``networkx.MultiDiGraph``, built with a handful of SELECTs.

    Nodes (keyed by :func:`node_id`): entities with ``label``, ``type``, ``mentions`` (int),
    ``articles`` (int), ``qid`` ("" if none), ``aliases`` and ``sources`` ("|"-joined),
    ``start`` (the date of the first article that mentions it, ``YYYY-MM-DD``, "" if no date);
    quotations are nodes of type ``Quotation`` whose label is the quoted text.
    Edges (key = ``id``): one per statement, with ``predicate`` (local name), ``kind``
    (:func:`edge_kind`: distinct for the edges between two nodes), ``label`` (the predicate's
    rdfs:label), ``vocabulary`` (``"controlled"``), ``weight`` (supporting articles, int), ``polarity``, ``modality``,
    ``attributed_to`` (speaker label or ""), ``attributed_to_id``, ``confidence`` (float),
    ``evidence`` (sentences joined with " | "), ``sources`` ("|"-joined doc ids), ``start``
    (first supporting article's date or ""); plus a ``said`` edge from each speaker to each
    of its quotations. A ``said`` edge also has ``partial`` (1: the quotation is a few of the
    speaker's words inside the writer's sentence, and the edge's label is "said (partial)";
    else 0). One edge per open statement (unless ``open_relations`` is false), flagged
    ``vocabulary="open"``, with the verb phrase as ``label``, ``predicate`` "" and a ``kind``
    starting with "open: " - a relation in the text's own words, not a fact of the vocabulary. All
    attributes are flat str/int/float values, never None.

    The store's curation (``curation-state.json``, :func:`kg.curation.curate_graph`) is applied.

    ``details``, if given, is filled with ``articles`` (:func:`article_info`) and ``evidence``
    (``{edge id: [(doc, sentence), ...]}`` in document order), for views that show them apart.
    """
    import networkx as nx

    G = nx.MultiDiGraph()
    articles = article_info(store)
    evidence = _Evidence(store)
    nodes = _EntityNodes(store, articles)
    for e in sorted(nodes.labels):
        nodes.add(G, e)
    pred_labels: dict[str, str] = {}
    for p, label in rows(store, Q_PREDICATE_LABELS):
        pred_labels.setdefault(p, label)
    edge_evidence: dict[str, list[tuple[str, str]]] = {}
    _add_statements(G, store, nodes, evidence, pred_labels, edge_evidence)
    if open_relations:
        _add_open_statements(G, store, nodes, evidence, edge_evidence)
    _add_quotations(G, store, nodes, evidence, pred_labels, edge_evidence)
    if getattr(store, "path", None) is not None:  # the merged view's curation (kg/curation.py)
        from ..curation import curate_graph

        curate_graph(G, store.path)
    if details is not None:
        details["articles"] = articles
        details["evidence"] = edge_evidence
    return G
