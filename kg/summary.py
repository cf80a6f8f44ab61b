"""The summary graph's entries for NEW articles, computed in Python (the incremental path).

:data:`kg.rdf.SUMMARY_UPDATE` defines the summary graph: a SPARQL recomputation from the
article graphs, which costs what the store holds about every touched node (all the evidence
of a country mentioned in every article). Adding articles that are not in the store yet
changes each entry in a way computable from the entry already in the summary and the new
articles alone:

* sets grow (core triples, labels, match keys, ``kg:reportedIn``): insert-only;
* counts add up (``kg:weight``, ``kg:evidenceCount``, ``kg:mentionCount``,
  ``kg:articleCount``): new articles are new ``?art`` and new evidence records;
* ``kg:confidence`` = min(1, max evidence confidence + 0.1 x (weight - 1)): the old maximum
  follows from the old confidence and weight (and once it is 1 it stays 1);
* ``kg:sources`` keeps the first :data:`kg.rdf.SOURCES_MAX` document ids in order, and the
  first ids of a longer list are among the old first ids and the new ones.

:class:`SummaryDelta` gathers the new articles' contributions from their quads (the same
patterns as SUMMARY_UPDATE); :meth:`SummaryDelta.plan` reads the old values of the touched
entries and returns what to insert and delete. Anything it cannot merge exactly (a document
id containing ``|``, an entry missing a value) is left to SUMMARY_UPDATE restricted to those
nodes. ``tests/test_summary.py`` checks both paths give the same graph.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from .rdf import KG, OWL, RDF, RDFS, SDO, SKOS, SOURCES_MAX, SUMMARY_GRAPH, XSD

_TYPE = str(RDF.type)
_STATEMENT, _QUOTATION, _MENTIONS = str(KG.Statement), str(KG.Quotation), str(KG.Mentions)
_EVIDENCE, _ARTICLE, _CONF, _DOCID = str(KG.evidence), str(KG.article), str(KG.confidence), str(KG.docId)
_ENTITY, _COUNT = str(KG.entity), str(KG["count"])
_STATEMENT_CORE = tuple(str(p) for p in (RDF.subject, RDF.predicate, RDF.object, KG.polarity, KG.modality))
_ATTRIBUTED, _SPEAKER, _TEXT = str(KG.attributedTo), str(KG.speaker), str(SDO.text)
_LABEL, _ALT = str(RDFS.label), str(SKOS.altLabel)
_ENTITY_COPIES = (_TYPE, _LABEL, _ALT, str(OWL.sameAs))
_WEIGHT, _EVCOUNT, _SOURCES = str(KG.weight), str(KG.evidenceCount), str(KG.sources)
_MCOUNT, _ACOUNT = str(KG.mentionCount), str(KG.articleCount)
_REPORTED, _MATCHKEY = str(KG.reportedIn), str(KG.matchKey)
_INTEGER, _DECIMAL = str(XSD.integer), str(XSD.decimal)
_CUT = "…"
# the figures of each kind of entry: replaced, not added
_READ = {"statement": (_WEIGHT, _SOURCES, _EVCOUNT, _CONF), "quotation": (_WEIGHT, _SOURCES),
         "entity": (_MCOUNT, _ACOUNT)}
_GROWING = frozenset({_REPORTED, _TEXT})  # a quotation's text may vary in case between articles
_WANTED = frozenset({_TYPE, _EVIDENCE, _ARTICLE, _CONF, _DOCID, _ENTITY, _COUNT, *_STATEMENT_CORE, _ATTRIBUTED,
                     _SPEAKER, _TEXT, *_ENTITY_COPIES})  # the predicates SUMMARY_UPDATE reads


@dataclass
class _Entry:
    """What the new articles contribute to one summary entry."""

    kind: str  # "statement", "quotation" or "entity"
    core: set = field(default_factory=set)  # (predicate IRI, pyoxigraph object): insert-only
    articles: set = field(default_factory=set)  # article IRIs
    docs: set = field(default_factory=set)  # their document ids
    evidence: set = field(default_factory=set)
    max_conf: Decimal | None = None
    mentions: int = 0


def _decimal_lexical(d: Decimal) -> str:
    """xsd:decimal the way Oxigraph writes it (``0.85``, ``1``)."""
    s = format(d.normalize(), "f")
    return "0" if s in ("-0", "") else s


def confidence(max_conf: Decimal, weight: int) -> Decimal:
    """SUMMARY_UPDATE's aggregated confidence: min(1, max + 0.1 x (weight - 1)), 3 decimals."""
    c = max_conf + Decimal("0.1") * (weight - 1)
    return min(Decimal(1), c).quantize(Decimal("0.001"))


def sources_literal(doc_ids: Iterable[str], total: int) -> str:
    """The first SOURCES_MAX ids in order, ``|``-joined; ``|…`` ends a list of more."""
    first = sorted(doc_ids)[:SOURCES_MAX]
    return "|".join(first) + ("|" + _CUT if total > SOURCES_MAX else "")


@dataclass
class Plan:
    """What a write of new articles does to the summary graph (pyoxigraph quads)."""

    adds: list  # insert-only triples: core, labels, match keys, kg:reportedIn
    figures: list  # the new figures (weight, counts, confidence, sources)
    deletes: list  # the old figures they replace
    recompute: set  # nodes left to SUMMARY_UPDATE (restricted to them)
    known: dict = field(default_factory=dict)  # node -> (figures, core) once written: for SummaryCache


class SummaryCache:
    """What the writer knows the summary holds for the entries it wrote last (least recently
    used dropped beyond ``max_nodes``): their figures and their entity copies. Spares reading
    the figures back and re-adding unchanged labels when the same entries come up again
    (countries, leaders). :class:`kg.store.KGStore` clears it on every other kind of write."""

    def __init__(self, max_nodes: int = 50_000) -> None:
        self.max_nodes = max_nodes
        self._d: OrderedDict[str, tuple[dict, frozenset]] = OrderedDict()

    def get(self, node: str):
        hit = self._d.get(node)
        if hit is not None:
            self._d.move_to_end(node)
        return hit

    def remember(self, plan: Plan) -> None:
        self._d.update(plan.known)
        for node in plan.known:
            self._d.move_to_end(node)
        while len(self._d) > self.max_nodes:
            self._d.popitem(last=False)

    def clear(self) -> None:
        self._d.clear()

    def __len__(self) -> int:
        return len(self._d)


class SummaryDelta:
    """Contributions of new articles to the summary, gathered from their quads."""

    def __init__(self) -> None:
        self.entries: dict[str, _Entry] = {}

    def _entry(self, node: str, kind: str) -> _Entry:
        e = self.entries.get(node)
        if e is None:
            e = self.entries[node] = _Entry(kind)
        return e

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add one article graph's quads (the patterns of SUMMARY_UPDATE, within one graph)."""
        by_subject: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        wanted = _WANTED
        for q in quads:
            p = q.predicate.value
            if p in wanted:
                by_subject[q.subject.value][p].append(q.object)
        empty: dict[str, list] = {}

        for s, props in by_subject.items():
            types = {o.value for o in props.get(_TYPE, ())}
            # (?ev, ?art, ?ec) for ?s kg:evidence ?ev . ?ev kg:article ?art (and its confidences)
            rows = [(ev.value, art, by_subject.get(ev.value, empty).get(_CONF, ()))
                    for ev in props.get(_EVIDENCE, ()) for art in by_subject.get(ev.value, empty).get(_ARTICLE, ())]
            if _STATEMENT in types and all(p in props for p in _STATEMENT_CORE):
                supported = [(ev, art, confs) for ev, art, confs in rows if confs]
                if supported:
                    e = self._entry(s, "statement")
                    e.core.add((_TYPE, ox.NamedNode(_STATEMENT)))
                    for p in _STATEMENT_CORE:
                        e.core.update((p, o) for o in props[p])
                    top = max(Decimal(c.value) for _, _, confs in supported for c in confs)
                    e.max_conf = top if e.max_conf is None else max(e.max_conf, top)
                    e.articles.update(art.value for _, art, _ in supported)
                    e.evidence.update(ev for ev, _, _ in supported)
            if _QUOTATION in types and rows and _TEXT in props:
                e = self._entry(s, "quotation")
                e.core.add((_TYPE, ox.NamedNode(_QUOTATION)))
                e.core.update((_TEXT, o) for o in props[_TEXT])
                e.articles.update(art.value for _, art, _ in rows)
            if _EVIDENCE in props:
                kind = "quotation" if _QUOTATION in types else "statement"
                for p in (_ATTRIBUTED, _SPEAKER):
                    if p in props:
                        self._entry(s, kind).core.update((p, o) for o in props[p])
            if rows:  # kg:reportedIn and kg:sources: anything with evidence
                e = self._entry(s, "quotation" if _QUOTATION in types else "statement")
                for _, art, _ in rows:
                    e.core.add((_REPORTED, art))
                    e.docs.update(o.value for o in by_subject.get(art.value, empty).get(_DOCID, ()))
            if _MENTIONS in types:
                for ent in props.get(_ENTITY, ()):
                    e = self._entry(ent.value, "entity")
                    for art in props.get(_ARTICLE, ()):
                        for c in props.get(_COUNT, ()):
                            e.mentions += int(c.value)
                            e.articles.add(art.value)
            for ent in props.get(_ENTITY, ()):  # ?x kg:entity ?e . ?e P ?v: entity copies, match keys
                e = self._entry(ent.value, "entity")
                eprops = by_subject.get(ent.value, empty)
                for p in _ENTITY_COPIES:
                    e.core.update((p, o) for o in eprops.get(p, ()))
                for p in (_LABEL, _ALT):
                    e.core.update((_MATCHKEY, ox.Literal(o.value.lower())) for o in eprops.get(p, ()))

    def nodes(self) -> set[str]:
        return set(self.entries)

    def plan(self, store, cache: SummaryCache | None = None) -> Plan:
        """Merge with the touched entries' figures (from ``cache``, else read from ``store``,
        a pyoxigraph Store): what to add, replace and recompute."""
        g = ox.NamedNode(str(SUMMARY_GRAPH))
        nn = ox.NamedNode
        preds = {p: nn(p) for p in (*_WANTED, *_READ["statement"], *_READ["entity"], _REPORTED, _MATCHKEY)}

        def stored(node, kind) -> dict[str, list]:
            return {p: [q.object for q in store.quads_for_pattern(node, preds[p], None, g)] for p in _READ[kind]}

        plan = Plan([], [], [], set())
        for iri, e in self.entries.items():
            node = nn(iri)
            hit = cache.get(iri) if cache is not None else None
            if hit is not None:
                old, known_core = {p: [o] for p, o in hit[0].items()}, hit[1]
            else:
                old, known_core = stored(node, e.kind), frozenset()
            figures = self._figures(e, old)
            if figures is None:
                plan.recompute.add(iri)
                continue
            for p, values in old.items():
                for o in values:
                    if p in figures and o != figures[p]:
                        plan.deletes.append(ox.Quad(node, preds[p], o, g))
            plan.figures.extend(ox.Quad(node, preds[p], o, g) for p, o in figures.items() if o not in old.get(p, ()))
            exists = any(old.values())
            if e.kind == "entity":
                core = e.core - known_core
            elif exists:  # a statement's or quotation's core is in the summary already (its IRI is minted from it)
                core = {(p, o) for p, o in e.core if p in _GROWING}
            else:
                core = e.core
            plan.adds.extend(ox.Quad(node, preds[p], o, g) for p, o in core)
            keep = known_core | e.core if e.kind == "entity" else frozenset()
            plan.known[iri] = (figures, frozenset(keep))
        return plan

    @staticmethod
    def _figures(e: _Entry, old: dict[str, list]) -> dict | None:
        """The entry's new figures {predicate: literal}, or None if they cannot be merged."""
        integer, decimal = ox.NamedNode(_INTEGER), ox.NamedNode(_DECIMAL)

        def one(p):  # the old value (None if absent); "many" if several
            values = old.get(p, ())
            return values[0] if len(values) == 1 else (None if not values else "many")

        if not e.articles:  # e.g. labels without a mention record, a statement without confidence
            return None
        if e.kind == "entity":
            m0, a0 = one(_MCOUNT), one(_ACOUNT)
            if "many" in (m0, a0) or (m0 is None) != (a0 is None):
                return None
            m = e.mentions + (int(m0.value) if m0 is not None else 0)
            a = len(e.articles) + (int(a0.value) if a0 is not None else 0)
            return {_MCOUNT: ox.Literal(str(m), datatype=integer), _ACOUNT: ox.Literal(str(a), datatype=integer)}
        if any("|" in d for d in e.docs) or len(e.docs) != len(e.articles):
            return None  # an id with "|" in it cannot be split back out of kg:sources
        w0, s0 = one(_WEIGHT), one(_SOURCES)
        if "many" in (w0, s0) or (w0 is None) != (s0 is None):
            return None
        w_old = int(w0.value) if w0 is not None else 0
        w = w_old + len(e.articles)
        known = [d for d in s0.value.split("|") if d != _CUT] if s0 is not None else []
        if len(known) != min(w_old, SOURCES_MAX):
            return None
        figures = {_WEIGHT: ox.Literal(str(w), datatype=integer),
                   _SOURCES: ox.Literal(sources_literal([*known, *e.docs], w))}
        if e.kind == "statement":
            n0, c0 = one(_EVCOUNT), one(_CONF)
            if e.max_conf is None or "many" in (n0, c0) or (n0 is None) != (w0 is None) or (c0 is None) != (w0 is None):
                return None
            max_conf = e.max_conf
            if c0 is not None:
                c_old = Decimal(c0.value)
                max_conf = Decimal(1) if c_old >= 1 else max(max_conf, c_old - Decimal("0.1") * (w_old - 1))
            n = len(e.evidence) + (int(n0.value) if n0 is not None else 0)
            figures[_EVCOUNT] = ox.Literal(str(n), datatype=integer)
            figures[_CONF] = ox.Literal(_decimal_lexical(confidence(max_conf, w)), datatype=decimal)
        return figures
