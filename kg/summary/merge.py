"""The summary graph's entries for NEW articles, computed in Python (the incremental path).

:data:`kg.summary.sparql.SUMMARY_UPDATE` defines the summary graph: a SPARQL recomputation from the
article graphs, which costs what the store holds about every touched node (all the evidence
of a country mentioned in every article). Adding articles that are not in the store yet
changes each entry in a way computable from the entry already in the summary and the new
articles alone:

* sets grow (core triples, labels, match keys, ``kg:reportedIn``): insert-only;
* counts add up (``kg:weight``, ``kg:evidenceCount``, ``kg:mentionCount``,
  ``kg:articleCount``): new articles are new ``?art`` and new evidence records;
* ``kg:confidence`` = min(1, max evidence confidence + 0.1 x (weight - 1)): the old maximum
  follows from the old confidence and weight (and once it is 1 it stays 1);
* ``kg:sources`` keeps the first :data:`kg.summary.sparql.SOURCES_MAX` document ids in order, and the
  first ids of a longer list are among the old first ids and the new ones;
* ``kg:exampleSentence`` is the least sentence: the least of the old one and the new ones;
* an entity's one label and one type are the winners of its articles' votes: new articles that
  give it the label and type it has keep them winning (their support only grows); a new entity
  takes the winners among its new articles; an entity whose new articles disagree with its
  label or type is recomputed in SPARQL (its old articles' votes are not in the summary);
* a new article's copied triples and an entity's plain triples are sets too (insert-only).

:class:`SummaryDelta` gathers the new articles' contributions from their triples (the same
patterns as SUMMARY_UPDATE); :meth:`SummaryDelta.plan` takes the old figures of the touched
entries (from :class:`SummaryCache`, else read from the store) and returns what to add,
replace and recompute. Anything it cannot merge exactly (a document
id containing ``|``, an entry missing a value) is left to SUMMARY_UPDATE restricted to those
nodes. ``tests/test_summary.py`` checks both paths give the same graph.

Terms are N-Triples strings throughout (as :func:`kg.rdf.article_text` writes them): the
store is written with text, and strings are what Python handles fastest.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ..model import TYPE_PRECEDENCE

from ..rdf import KG, OWL, RDF, RDFS, SDO, SKOS, SUMMARY_GRAPH, XSD, nt_integer, nt_iri, nt_string
from .sparql import SOURCES_MAX, type_rank


def _t(iri) -> str:
    return nt_iri(str(iri))


_TYPE = _t(RDF.type)
_STATEMENT, _QUOTATION, _MENTIONS = _t(KG.Statement), _t(KG.Quotation), _t(KG.Mentions)
_OPEN = _t(KG.OpenStatement)
_EVIDENCE, _ARTICLE, _CONF, _DOCID = _t(KG.evidence), _t(KG.article), _t(KG.confidence), _t(KG.docId)
_SENTENCE, _EXAMPLE = _t(KG.sentence), _t(KG.exampleSentence)
_ENTITY, _COUNT = _t(KG.entity), _t(KG["count"])
_STATEMENT_CORE = tuple(_t(p) for p in (RDF.subject, RDF.predicate, RDF.object, KG.polarity, KG.modality))
_OPEN_CORE = tuple(_t(p) for p in (RDF.subject, RDF.object, KG.verbPhrase, KG.polarity, KG.modality))
_CORES = ((_STATEMENT, _STATEMENT_CORE), (_OPEN, _OPEN_CORE))  # the statement kinds and their core
_ATTRIBUTED, _SPEAKER, _TEXT = _t(KG.attributedTo), _t(KG.speaker), _t(SDO.text)
_LABEL, _ALT = _t(RDFS.label), _t(SKOS.altLabel)
_NAME_IN, _TYPE_IN = _t(KG.nameInArticle), _t(KG.typeInArticle)
_ENTITY_COPIES = (_ALT, _t(OWL.sameAs))
_RANK = {_t(KG[t]): type_rank(t) for t in TYPE_PRECEDENCE}
_WEIGHT, _EVCOUNT, _SOURCES = _t(KG.weight), _t(KG.evidenceCount), _t(KG.sources)
_MCOUNT, _ACOUNT = _t(KG.mentionCount), _t(KG.articleCount)
_REPORTED, _MATCHKEY = _t(KG.reportedIn), _t(KG.matchKey)
_SHA256, _ARTICLE_CLASS = _t(KG.sha256), _t(KG.Article)
_ARTICLE_COPIES = tuple(_t(p) for p in (RDF.type, KG.docId, SDO.headline, SDO.datePublished, SDO.publisher, SDO.url,
                                         KG.entityCount, KG.statementCount, KG.quotationCount, SDO.mentions))
_DECIMAL = _t(XSD.decimal)
_SUMMARY = _t(SUMMARY_GRAPH)
_CUT = "…"
# the figures of each kind of entry: replaced, not added
_READ = {"statement": (_WEIGHT, _SOURCES, _EVCOUNT, _CONF, _EXAMPLE), "quotation": (_WEIGHT, _SOURCES, _EXAMPLE),
         "entity": (_MCOUNT, _ACOUNT, _LABEL, _TYPE), "article": ()}
_GROWING = frozenset({_REPORTED, _TEXT})  # a quotation's text may vary in case between articles
_WANTED = frozenset({_TYPE, _EVIDENCE, _ARTICLE, _CONF, _DOCID, _SENTENCE, _ENTITY, _COUNT, *_STATEMENT_CORE, *_OPEN_CORE,
                     _ATTRIBUTED, _SPEAKER, _TEXT, _NAME_IN, _TYPE_IN, *_ENTITY_COPIES, _SHA256,
                     *_ARTICLE_COPIES})  # the predicates SUMMARY_UPDATE reads


def _lexical(term: str) -> str:
    """The lexical form of a literal N-Triples term, still escaped (``"3"^^<...>`` -> ``3``)."""
    return term[1:term.rindex('"')]


_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPED = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def unescape(lexical: str) -> str:
    """The text of an escaped N-Triples string (ECHAR and UCHAR escapes)."""
    if "\\" not in lexical:
        return lexical
    return _ESCAPED.sub(lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) > 1 else _ECHAR.get(m.group(1), m.group(1)),
                        lexical)


@dataclass
class _Entry:
    """What the new articles contribute to one summary entry."""

    kind: str  # "statement", "quotation", "entity" or "article"
    core: set = field(default_factory=set)  # (predicate, object): insert-only
    articles: set = field(default_factory=set)  # article IRIs
    docs: set = field(default_factory=set)  # their document ids (escaped lexical forms)
    evidence: set = field(default_factory=set)
    sentences: set = field(default_factory=set)  # of its evidence (N-Triples terms)
    max_conf: Decimal | None = None
    mentions: int = 0
    names: dict = field(default_factory=dict)  # entity: name term -> [articles, mentions] of the new articles
    types: dict = field(default_factory=dict)  # entity: type term -> [articles, mentions]


def _winner(votes: dict, rank=lambda term: "") -> str:
    """The term with the most articles, then mentions, then ``rank``, then the greatest text
    (SUMMARY_UPDATE's MAX over its sort keys)."""
    return max(votes, key=lambda t: (votes[t][0], votes[t][1], rank(t), unescape(_lexical(t)) if t.startswith('"') else t))


@functools.lru_cache(maxsize=65536)
def _match_key(label: str) -> str:
    """kg:matchKey of a label (LCASE(STR(?label))): lower-casing the escaped form is escaping
    the lower-cased form (kg.rdf escapes only \\, \", LF and CR)."""
    return label.lower() if label.startswith('"') and label.endswith('"') else f'"{_lexical(label).lower()}"'


def _decimal_lexical(d: Decimal) -> str:
    """xsd:decimal the way Oxigraph writes it (``0.85``, ``1``)."""
    s = format(d.normalize(), "f")
    return "0" if s in ("-0", "") else s


def confidence(max_conf: Decimal, weight: int) -> Decimal:
    """SUMMARY_UPDATE's aggregated confidence: min(1, max + 0.1 x (weight - 1)), 3 decimals."""
    c = max_conf + Decimal("0.1") * (weight - 1)
    return min(Decimal(1), c).quantize(Decimal("0.001"))


def sources_literal(doc_ids: Iterable[str], total: int) -> str:
    """The first SOURCES_MAX ids in order, ``|``-joined; ``|…`` ends a list of more (lexical form)."""
    first = sorted(doc_ids)[:SOURCES_MAX]
    return "|".join(first) + ("|" + _CUT if total > SOURCES_MAX else "")


@dataclass
class Plan:
    """What a write of new articles does to the summary graph: N-Triples lines (``s p o .``)
    of the summary graph."""

    adds: list  # insert-only triples: core, labels, match keys, kg:reportedIn
    figures: list  # the new figures (weight, counts, confidence, sources)
    deletes: list  # the old figures they replace
    recompute: set  # nodes (IRIs) left to SUMMARY_UPDATE (restricted to them)
    known: dict = field(default_factory=dict)  # node -> (figures, core) once written: for SummaryCache

    @staticmethod
    def text(lines: list[str]) -> str:
        """Lines as a block of the summary graph (TriG, and an INSERT/DELETE DATA body)."""
        return f"GRAPH {_SUMMARY} {{\n{''.join(lines)}}}\n" if lines else ""


class SummaryCache:
    """What the writer knows the summary holds for the entries it wrote last (least recently
    used dropped beyond ``max_nodes``): their figures and their entity copies. Spares reading
    the figures back and re-adding unchanged labels when the same entries come up again
    (countries, leaders). A writer session (:class:`kg.write.Writer`) keeps one: any other
    write to the store since the cache's last one (:attr:`kg.store.KGStore.writes` counts them)
    empties it (:meth:`check`)."""

    def __init__(self, max_nodes: int = 50_000) -> None:
        self.max_nodes = max_nodes
        self._d: OrderedDict[str, tuple[dict, frozenset]] = OrderedDict()
        self._writes: int | None = None  # the store's write count after the last write remembered

    def check(self, store) -> None:
        """Forget everything if ``store`` was written since the last :meth:`remember`."""
        if store.writes != self._writes:
            self.clear()

    def get(self, node: str):
        hit = self._d.get(node)
        if hit is not None:
            self._d.move_to_end(node)
        return hit

    def remember(self, plan: Plan, store=None) -> None:
        """Remember the entries ``plan`` wrote to ``store`` (its last write)."""
        if store is not None:
            self._writes = store.writes
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
    """Contributions of new articles to the summary, gathered from their triples."""

    def __init__(self) -> None:
        self.entries: dict[str, _Entry] = {}

    def _entry(self, node: str, kind: str) -> _Entry:
        e = self.entries.get(node)
        if e is None:
            e = self.entries[node] = _Entry(kind)
        return e

    def add(self, triples: Iterable[tuple[str, str, str]]) -> None:
        """Add one article graph's triples (N-Triples terms): the patterns of SUMMARY_UPDATE,
        evaluated within one graph."""
        by_subject: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        wanted = _WANTED
        links: set[tuple[str, str, str]] = set()  # other triples between IRIs: the plain triples among them
        for s, p, o in triples:
            if p in wanted:
                by_subject[s][p].append(o)
            elif o[0] == "<":
                links.add((s, p, o))
        empty: dict[str, list] = {}

        for s, props in by_subject.items():
            types = props.get(_TYPE, ())
            # (?ev, ?art, ?ec) for ?s kg:evidence ?ev . ?ev kg:article ?art (and its confidences)
            rows = [(ev, art, by_subject.get(ev, empty).get(_CONF, ()))
                    for ev in props.get(_EVIDENCE, ()) for art in by_subject.get(ev, empty).get(_ARTICLE, ())]
            for kind, core in _CORES:
                if kind not in types or not all(p in props for p in core):
                    continue
                supported = [(ev, art, confs) for ev, art, confs in rows if confs]
                if supported:
                    e = self._entry(s, "statement")
                    e.core.add((_TYPE, kind))
                    for p in core:
                        e.core.update((p, o) for o in props[p])
                    top = max(Decimal(_lexical(c)) for _, _, confs in supported for c in confs)
                    e.max_conf = top if e.max_conf is None else max(e.max_conf, top)
                    e.articles.update(art for _, art, _ in supported)
                    e.evidence.update(ev for ev, _, _ in supported)
            if _QUOTATION in types and rows and _TEXT in props:
                e = self._entry(s, "quotation")
                e.core.add((_TYPE, _QUOTATION))
                e.core.update((_TEXT, o) for o in props[_TEXT])
                e.articles.update(art for _, art, _ in rows)
            if _EVIDENCE in props:
                kind = "quotation" if _QUOTATION in types else "statement"
                for p in (_ATTRIBUTED, _SPEAKER):
                    if p in props:
                        self._entry(s, kind).core.update((p, o) for o in props[p])
                sentences = [t for ev in props[_EVIDENCE] for t in by_subject.get(ev, empty).get(_SENTENCE, ())]
                if sentences:
                    self._entry(s, kind).sentences.update(sentences)
            if rows:  # kg:reportedIn and kg:sources: anything with evidence
                e = self._entry(s, "quotation" if _QUOTATION in types else "statement")
                for _, art, _ in rows:
                    e.core.add((_REPORTED, art))
                    e.docs.update(_lexical(d) for d in by_subject.get(art, empty).get(_DOCID, ()))
            if _EVIDENCE in props and links:  # ?st kg:evidence ?ev ; rdf:subject ?e ; ... . ?e ?p ?o
                for subj in props.get(_STATEMENT_CORE[0], ()):
                    for p in props.get(_STATEMENT_CORE[1], ()):
                        for o in props.get(_STATEMENT_CORE[2], ()):
                            if (subj, p, o) in links:
                                self._entry(subj, "entity").core.add((p, o))
            if _ARTICLE_CLASS in types and _SHA256 in props:  # the article's node, without its text
                e = self._entry(s, "article")
                for p in _ARTICLE_COPIES:
                    e.core.update((p, o) for o in props.get(p, ()))
            if _MENTIONS in types:
                for ent in props.get(_ENTITY, ()):
                    e = self._entry(ent, "entity")
                    for art in props.get(_ARTICLE, ()):
                        for c in props.get(_COUNT, ()):
                            n = int(_lexical(c))
                            e.mentions += n
                            e.articles.add(art)
                            for votes, p in ((e.names, _NAME_IN), (e.types, _TYPE_IN)):
                                for v in props.get(p, ()):
                                    tally = votes.setdefault(v, [0, 0])
                                    tally[0] += 1
                                    tally[1] += n
                    e.core.update((_MATCHKEY, _match_key(o)) for o in props.get(_NAME_IN, ()))
            for ent in props.get(_ENTITY, ()):  # ?x kg:entity ?e . ?e P ?v: entity copies, match keys
                e = self._entry(ent, "entity")
                eprops = by_subject.get(ent, empty)
                for p in _ENTITY_COPIES:
                    e.core.update((p, o) for o in eprops.get(p, ()))
                e.core.update((_MATCHKEY, _match_key(o)) for o in eprops.get(_ALT, ()))

    def plan(self, store, cache: SummaryCache | None = None) -> Plan:
        """Merge with the touched entries' figures (from ``cache``, else read from ``store``,
        a pyoxigraph Store): what to add, replace and recompute."""
        import pyoxigraph as ox

        g = ox.NamedNode(str(SUMMARY_GRAPH))
        preds = {p: ox.NamedNode(p[1:-1]) for p in (*_READ["statement"], *_READ["entity"])}

        def stored(node: str, kind: str) -> dict[str, list[str]]:
            n = ox.NamedNode(node[1:-1])
            return {p: [str(q.object) for q in store.quads_for_pattern(n, preds[p], None, g)] for p in _READ[kind]}

        plan = Plan([], [], [], set())
        for node, e in self.entries.items():
            hit = cache.get(node) if cache is not None else None
            if hit is not None:
                old, known_core = {p: [o] for p, o in hit[0].items()}, hit[1]
            else:
                old, known_core = stored(node, e.kind), frozenset()
            figures = self._figures(e, old)
            if figures is None:
                plan.recompute.add(node[1:-1])
                continue
            for p, values in old.items():
                plan.deletes.extend(f"{node} {p} {o} .\n" for o in values if o != figures.get(p, o))
            plan.figures.extend(f"{node} {p} {o} .\n" for p, o in figures.items() if o not in old.get(p, ()))
            if e.kind == "entity":
                # the names that lost the vote are aliases; the label is none
                label = figures[_LABEL]
                core = ({(p, o) for p, o in e.core if p != _ALT or o != label}
                        | {(_ALT, n) for n in e.names if n != label}) - known_core
            elif any(old.values()):  # a statement's or quotation's core is in the summary already (its IRI is minted from it)
                core = {(p, o) for p, o in e.core if p in _GROWING}
            else:
                core = e.core
            plan.adds.extend(f"{node} {p} {o} .\n" for p, o in core)
            keep = known_core | {(p, o) for p, o in core if p != _REPORTED} if e.kind == "entity" else frozenset()
            plan.known[node] = (figures, frozenset(keep))
        return plan

    @staticmethod
    def _figures(e: _Entry, old: dict[str, list[str]]) -> dict[str, str] | None:
        """The entry's new figures {predicate: literal}, or None if they cannot be merged."""
        def one(p):  # the old value (None if absent); "many" if several
            values = old.get(p, ())
            return values[0] if len(values) == 1 else (None if not values else "many")

        if e.kind == "article":  # copies only
            return {}
        if not e.articles:  # e.g. labels without a mention record, a statement without confidence
            return None
        if e.kind == "entity":
            m0, a0, l0, t0 = one(_MCOUNT), one(_ACOUNT), one(_LABEL), one(_TYPE)
            if "many" in (m0, a0, l0, t0) or len({m0 is None, a0 is None, l0 is None, t0 is None}) > 1:
                return None
            if not e.names or not e.types:
                return None
            if l0 is None:  # a new entity: the winners among its new articles
                label, type_ = _winner(e.names), _winner(e.types, lambda t: _RANK.get(t, ""))
            elif set(e.names) != {l0} or set(e.types) != {t0}:
                return None  # the new articles vote otherwise: the old votes decide too
            else:
                label, type_ = l0, t0
            m = e.mentions + (int(_lexical(m0)) if m0 is not None else 0)
            a = len(e.articles) + (int(_lexical(a0)) if a0 is not None else 0)
            return {_MCOUNT: nt_integer(m), _ACOUNT: nt_integer(a), _LABEL: label, _TYPE: type_}
        if any("|" in d or "\\" in d for d in e.docs) or len(e.docs) != len(e.articles):
            return None  # an id with "|" (or an escape) cannot be split back out of kg:sources
        w0, s0 = one(_WEIGHT), one(_SOURCES)
        if "many" in (w0, s0) or (w0 is None) != (s0 is None) or (s0 is not None and "\\" in s0):
            return None
        w_old = int(_lexical(w0)) if w0 is not None else 0
        w = w_old + len(e.articles)
        known = [d for d in _lexical(s0).split("|") if d != _CUT] if s0 is not None else []
        if len(known) != min(w_old, SOURCES_MAX):
            return None
        figures = {_WEIGHT: nt_integer(w), _SOURCES: f'"{sources_literal([*known, *e.docs], w)}"'}
        example = one(_EXAMPLE)
        if example == "many" or (example is None and w0 is not None and e.sentences) or (example and not w0):
            return None
        if e.sentences or example is not None:  # MIN(?sentence), compared as text, not as escaped terms
            first = min([*(unescape(_lexical(t)) for t in e.sentences),
                         *([unescape(_lexical(example))] if example is not None else [])])
            figures[_EXAMPLE] = nt_string(first)
        if e.kind == "statement":
            n0, c0 = one(_EVCOUNT), one(_CONF)
            if e.max_conf is None or "many" in (n0, c0) or (n0 is None) != (w0 is None) or (c0 is None) != (w0 is None):
                return None
            max_conf = e.max_conf
            if c0 is not None:
                c_old = Decimal(_lexical(c0))
                max_conf = Decimal(1) if c_old >= 1 else max(max_conf, c_old - Decimal("0.1") * (w_old - 1))
            n = len(e.evidence) + (int(_lexical(n0)) if n0 is not None else 0)
            figures[_EVCOUNT] = nt_integer(n)
            figures[_CONF] = f'"{_decimal_lexical(confidence(max_conf, w))}"^^{_DECIMAL}'
        return figures
