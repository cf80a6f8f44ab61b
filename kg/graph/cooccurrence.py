"""The co-occurrence graph: entities linked when one sentence names both (``networkx.Graph``).

Sentences are split by punctuation (:func:`split_sentences`), without spaCy.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

from ..namespaces import SPARQL_PROLOGUE
from .common import QUOTATION_TYPE, Q_MENTIONS, first_date, node_id, rows
from .entities import entity_graph

Q_ARTICLE_TEXTS = SPARQL_PROLOGUE + (
    "SELECT ?doc ?text WHERE { GRAPH ?g { ?art a kg:Article ; kg:docId ?doc ; schema:text ?text } }")

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
    evidence: dict[str, list[tuple[str, str]]] = {}
    for i, ((a, b), sents) in enumerate(sorted(_comentions(store, G).items())):
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


def _comentions(store, G) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """``{(a, b): [(doc, sentence), ...]}``: the sentences naming both entities ``a`` < ``b``
    (nodes of ``G``), in each article that mentions both."""
    forms: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        forms[n] = [d["label"], *(a for a in d["aliases"].split("|") if a)]
    by_doc: dict[str, set[str]] = defaultdict(set)
    for e, doc, _count in rows(store, Q_MENTIONS):
        if node_id(e) in G:
            by_doc[doc].add(node_id(e))

    pairs: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for doc, text in sorted(rows(store, Q_ARTICLE_TEXTS)):
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
    return pairs
