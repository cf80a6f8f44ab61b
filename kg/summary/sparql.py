"""The summary graph's definition in SPARQL, whole or restricted to the nodes a write touches.

The summary graph is the merged view of the corpus that queries read (one graph, each node
once, no ``GRAPH ?g``):

* each statement once, with its core (type, subject, predicate, object, polarity, modality,
  attribution; an open statement's verb phrase in place of the predicate), the articles reporting it (``kg:reportedIn``, and the first document ids as
  one display literal, ``kg:sources``) and derived figures: weight = number of distinct
  articles with evidence; evidenceCount; confidence = max(c) raised by 0.1 per extra
  supporting article (a noisy-OR needs ln/exp, not in SPARQL);
* each quotation once (text, speaker, reportedIn, sources, weight);
* each entity once, with ONE type and ONE label: those its articles give it most
  (``kg:typeInArticle``, ``kg:nameInArticle`` of their mention records; most articles, then
  most mentions, then :data:`kg.model.TYPE_PRECEDENCE` for a type and the greatest name in
  code-point order for a label), its other names and aliases as ``skos:altLabel``, sameAs,
  mentionCount, articleCount, and the lower-cased names and aliases as ``kg:matchKey``, for
  case-insensitive lookups by name (the vote is a function of the article graphs alone: the
  same whatever the order and batching of the builds); with the plain ``entity kg:P entity`` triples of the positive, factual statements it is the
  subject of (an article graph states them beside the statement);
* each article once: its node's type, document id, headline, date, publisher, URL, counts and
  ``schema:mentions`` links (:data:`ARTICLE_COPIES`; not its text nor its hash).

The summary is the default graph of ``kg query`` and ``kg serve`` (with the ontology), so plain
SPARQL there sees each of these once.

Every sub-select reads article graphs only (anchored on ``kg:evidence`` / ``kg:Mentions``
records and ``kg:sha256``, which only article graphs hold) and is grouped by the node in its first projected
variable, so the same operations restricted to some nodes are the operations with a
``VALUES`` block for that variable (:func:`operations`): :data:`SUMMARY_UPDATE` recomputes the
whole graph, :func:`update_for` the entries of the nodes a write touches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..model import TYPE_PRECEDENCE
from ..rdf import KG, OWL, RDF, RDFS, SDO, SKOS, SUMMARY_GRAPH

SOURCES_MAX = 10  # document ids in kg:sources

#: The declarations every summary update starts with.
PROLOGUE = f"""
PREFIX kg: <{KG}>
PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX owl: <{OWL}>
PREFIX schema: <{SDO}>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

_S = f"<{SUMMARY_GRAPH}>"
#: Restricts the sub-select grouped by a variable (its name) to some nodes: "" for none.
Restriction = Callable[[str], str]


def _whole(var: str) -> str:
    return ""


#: digits of the counts in a vote's sort key (a count is below 10**VOTE_DIGITS)
VOTE_DIGITS = 10


def _pad(var: str) -> str:
    """``?var`` (a count) as a string of VOTE_DIGITS digits, so that strings compare as numbers."""
    return f'SUBSTR(CONCAT("{"0" * VOTE_DIGITS}", STR(?{var})), STRLEN(STR(?{var})) + 1)'


def type_rank(type_name: str) -> str:
    """The digit of a type in the type vote's sort key: greater for types that win a tie."""
    return str(9 - TYPE_PRECEDENCE.index(type_name))


def _vote(only: Restriction, prop: str, extra: str = "", rank: str = "") -> str:
    """The sub-select of ``?e`` and its winning value of ``prop`` on its mention records, as a sort
    key ``?best``: articles, mentions (padded), ``rank`` (a digit bound by ``extra``), the value."""
    return f"""{{ SELECT ?e (MAX(?key) AS ?best) WHERE {{
      {{ SELECT ?e ?v (COUNT(DISTINCT ?art) AS ?n) (SUM(?c) AS ?m)
        WHERE {{{only("e")} GRAPH ?g {{ ?x a kg:Mentions ; kg:entity ?e ; kg:article ?art ; kg:count ?c ; {prop} ?v }} }}
        GROUP BY ?e ?v }}
      {extra}
      BIND (CONCAT({_pad("n")}, {_pad("m")}, {rank or '""'}, STR(?v)) AS ?key)
    }} GROUP BY ?e }}"""


def _entity_entries(only: Restriction) -> str:
    """An entity's one type and one label (the votes of its articles), its other names and
    aliases, its sameAs: each its own operation (one operation over several predicates is
    planned badly: several times slower). The label goes first: the alternative labels leave
    it out."""
    ranks = " ".join(f"(kg:{t} \"{type_rank(t)}\")" for t in TYPE_PRECEDENCE)
    offset = 2 * VOTE_DIGITS
    return f"""INSERT {{ GRAPH {_S} {{ ?e rdfs:label ?label }} }}
WHERE {{
  {_vote(only, "kg:nameInArticle")}
  BIND (SUBSTR(?best, {offset + 1}) AS ?label)
}} ;
INSERT {{ GRAPH {_S} {{ ?e a ?type }} }}
WHERE {{
  {_vote(only, "kg:typeInArticle", f"VALUES (?v ?r) {{ {ranks} }}", "?r")}
  BIND (IRI(SUBSTR(?best, {offset + 2})) AS ?type)
}} ;
INSERT {{ GRAPH {_S} {{ ?e skos:altLabel ?v }} }}
WHERE {{
  SELECT ?e ?v WHERE {{{only("e")} GRAPH ?g {{ ?x kg:entity ?e . ?e skos:altLabel ?v }}
    FILTER NOT EXISTS {{ GRAPH {_S} {{ ?e rdfs:label ?v }} }} }} GROUP BY ?e ?v
}} ;
INSERT {{ GRAPH {_S} {{ ?e skos:altLabel ?v }} }}
WHERE {{
  SELECT ?e ?v WHERE {{{only("e")} GRAPH ?g {{ ?x a kg:Mentions ; kg:entity ?e ; kg:nameInArticle ?v }}
    FILTER NOT EXISTS {{ GRAPH {_S} {{ ?e rdfs:label ?v }} }} }} GROUP BY ?e ?v
}} ;
INSERT {{ GRAPH {_S} {{ ?e owl:sameAs ?v }} }}
WHERE {{
  SELECT ?e ?v WHERE {{{only("e")} GRAPH ?g {{ ?x kg:entity ?e . ?e owl:sameAs ?v }} }} GROUP BY ?e ?v
}} ;"""


#: The article node's triples copied into the summary graph (as :data:`ENTITY_COPIES` for
#: entities): what a query about articles needs, without their text (the article graph has it).
ARTICLE_COPIES = ("rdf:type", "kg:docId", "schema:headline", "schema:datePublished", "schema:publisher",
                  "schema:url", "kg:entityCount", "kg:statementCount", "kg:quotationCount", "schema:mentions")


def _article_copies(only: Restriction) -> str:
    """The article triples copied into the summary graph, one operation per predicate;
    ``kg:sha256`` (which only an article graph holds) anchors them in article graphs."""
    return "\n".join(f"""INSERT {{ GRAPH {_S} {{ ?art {p} ?v }} }}
WHERE {{
  SELECT ?art ?v WHERE {{{only("art")} GRAPH ?g {{ ?art kg:sha256 ?h ; {p} ?v }} }} GROUP BY ?art ?v
}} ;""" for p in ARTICLE_COPIES)


#: a summary entry's confidence: its best evidence's, 0.1 more for each further article, at most 1
_CONFIDENCE = """(xsd:decimal(ROUND(1000 * IF(MAX(?ec) + 0.1 * (COUNT(DISTINCT ?art) - 1) > 1, 1,
                                      MAX(?ec) + 0.1 * (COUNT(DISTINCT ?art) - 1))) / 1000) AS ?c)"""


def _statement_entries(only: Restriction) -> str:
    """A statement's and an open statement's core and derived figures (weight, evidenceCount,
    confidence), and who each is attributed to."""
    return f"""INSERT {{ GRAPH {_S} {{
  ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:polarity ?pol ; kg:modality ?mod ;
      kg:weight ?w ; kg:confidence ?c ; kg:evidenceCount ?n }} }}
WHERE {{
  SELECT ?st ?s ?p ?o ?pol ?mod (COUNT(DISTINCT ?art) AS ?w) (COUNT(DISTINCT ?ev) AS ?n)
         {_CONFIDENCE}
  WHERE {{{only("st")} GRAPH ?g {{ ?st kg:evidence ?ev ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                      kg:polarity ?pol ; kg:modality ?mod .
                  ?ev kg:article ?art ; kg:confidence ?ec }} }}
  GROUP BY ?st ?s ?p ?o ?pol ?mod
}} ;
INSERT {{ GRAPH {_S} {{
  ?st a kg:OpenStatement ; rdf:subject ?s ; rdf:object ?o ; kg:verbPhrase ?vp ; kg:polarity ?pol ; kg:modality ?mod ;
      kg:weight ?w ; kg:confidence ?c ; kg:evidenceCount ?n }} }}
WHERE {{
  SELECT ?st ?s ?o ?vp ?pol ?mod (COUNT(DISTINCT ?art) AS ?w) (COUNT(DISTINCT ?ev) AS ?n)
         {_CONFIDENCE}
  WHERE {{{only("st")} GRAPH ?g {{ ?st a kg:OpenStatement ; kg:evidence ?ev ; rdf:subject ?s ; rdf:object ?o ;
                      kg:verbPhrase ?vp ; kg:polarity ?pol ; kg:modality ?mod .
                  ?ev kg:article ?art ; kg:confidence ?ec }} }}
  GROUP BY ?st ?s ?o ?vp ?pol ?mod
}} ;
INSERT {{ GRAPH {_S} {{ ?st kg:attributedTo ?a }} }}
WHERE {{
  SELECT ?st ?a WHERE {{{only("st")} GRAPH ?g {{ ?st kg:evidence ?ev ; kg:attributedTo ?a }} }} GROUP BY ?st ?a
}} ;"""


def _quotation_entries(only: Restriction) -> str:
    """A quotation's weight (articles reporting it), text and speaker."""
    return f"""INSERT {{ GRAPH {_S} {{ ?q a kg:Quotation ; kg:weight ?w }} }}
WHERE {{
  SELECT ?q (COUNT(DISTINCT ?art) AS ?w)
  WHERE {{{only("q")} GRAPH ?g {{ ?q a kg:Quotation ; schema:text ?text ; kg:evidence ?ev . ?ev kg:article ?art }} }}
  GROUP BY ?q
}} ;
INSERT {{ GRAPH {_S} {{ ?q schema:text ?text }} }}
WHERE {{
  SELECT ?q ?text WHERE {{{only("q")} GRAPH ?g {{ ?q a kg:Quotation ; schema:text ?text ; kg:evidence ?ev . ?ev kg:article ?art }} }}
  GROUP BY ?q ?text
}} ;
INSERT {{ GRAPH {_S} {{ ?q kg:speaker ?sp }} }}
WHERE {{
  SELECT ?q ?sp WHERE {{{only("q")} GRAPH ?g {{ ?q kg:evidence ?ev ; kg:speaker ?sp }} }} GROUP BY ?q ?sp
}} ;"""


def _provenance_entries(only: Restriction) -> str:
    """Where a statement or quotation was reported: an example sentence, its articles
    (``kg:reportedIn``) and the first document ids as one display literal (``kg:sources``)."""
    return f"""INSERT {{ GRAPH {_S} {{ ?x kg:exampleSentence ?s }} }}
WHERE {{
  SELECT ?x (MIN(?sentence) AS ?s) WHERE {{{only("x")} GRAPH ?g {{ ?x kg:evidence ?ev . ?ev kg:sentence ?sentence }} }} GROUP BY ?x
}} ;
INSERT {{ GRAPH {_S} {{ ?x kg:reportedIn ?art }} }}
WHERE {{
  SELECT ?x ?art WHERE {{{only("x")} GRAPH ?g {{ ?x kg:evidence ?ev . ?ev kg:article ?art }} }} GROUP BY ?x ?art
}} ;
INSERT {{ GRAPH {_S} {{ ?x kg:sources ?docs }} }}
WHERE {{
  {{ SELECT ?x (GROUP_CONCAT(?doc; separator="|") AS ?all) (COUNT(?doc) AS ?k)
    WHERE {{{only("x")}
      {{ SELECT ?x ?doc WHERE {{{only("x")} GRAPH ?g {{ ?x kg:evidence ?ev . ?ev kg:article ?art . ?art kg:docId ?doc }} }}
        GROUP BY ?x ?doc ORDER BY ?doc }}  # in order, so the literal is the same however it was built
    }}
    GROUP BY ?x }}
  # the first {SOURCES_MAX} ids ("|…" ends a longer list): a display value, and one that stops
  # changing as a widely reported fact gains articles (kg.summary merges it from the first ids)
  BIND (IF(?k <= {SOURCES_MAX}, ?all, CONCAT(REPLACE(?all, "^((?:[^|]*[|]){{{SOURCES_MAX}}}).*$", "$1"), "…")) AS ?docs)
}} ;"""


def operations(only: Restriction = _whole) -> str:
    """The operations that (re)compute summary entries from the article graphs, ``;``-separated;
    ``only(var)`` is put at the start of each sub-select grouped by ``?var``."""
    return f"""{_statement_entries(only)}
{_quotation_entries(only)}
{_provenance_entries(only)}
INSERT {{ GRAPH {_S} {{ ?e kg:mentionCount ?m ; kg:articleCount ?a }} }}
WHERE {{
  SELECT ?e (SUM(?c) AS ?m) (COUNT(DISTINCT ?art) AS ?a)
  WHERE {{{only("e")} GRAPH ?g {{ ?x a kg:Mentions ; kg:entity ?e ; kg:article ?art ; kg:count ?c }} }}
  GROUP BY ?e
}} ;
{_entity_entries(only)}
INSERT {{ GRAPH {_S} {{ ?e ?p ?o }} }}
WHERE {{
  # the plain triples: kept with their subject entity (recomputed with it), which any write
  # touching one of its statements touches too (summarised_node: rdf:subject)
  SELECT ?e ?p ?o WHERE {{{only("e")}
    GRAPH ?g {{ ?st rdf:subject ?e ; kg:evidence ?ev ; rdf:predicate ?p ; rdf:object ?o . ?e ?p ?o }} }}
  GROUP BY ?e ?p ?o
}} ;
{_article_copies(only)}
INSERT {{ GRAPH {_S} {{ ?e kg:matchKey ?k }} }}
WHERE {{
  SELECT ?e ?k WHERE {{{only("e")}
    GRAPH ?g {{ ?x kg:entity ?e . {{ ?x kg:nameInArticle ?l }} UNION {{ ?e skos:altLabel ?l }} }}
    BIND (LCASE(STR(?l)) AS ?k) }}
  GROUP BY ?e ?k
}}"""




#: Recomputes the whole summary graph from all article graphs.
SUMMARY_UPDATE = f"{PROLOGUE}CLEAR SILENT GRAPH {_S} ;\n{operations()}\n"

#: Nodes per VALUES block of the restricted summary update (Oxigraph slows down sharply with
#: thousands of VALUES rows), and the number of nodes beyond which recomputing the whole
#: summary is cheaper (docs/decisions/write-path.md has the figures).
SUMMARY_VALUES_CHUNK = 500
SUMMARY_FULL_ABOVE = 20_000
#: On a small store (summary of at most SUMMARY_FULL_ABOVE nodes), recompute the whole summary
#: when a write touches more than this fraction of its nodes: recomputing one node costs its
#: evidence in every article, so past some share of the summary the whole is cheaper. Never on
#: a big store: a full refresh holds every aggregate in memory at once, the chunked update
#: SUMMARY_VALUES_CHUNK nodes at a time.
SUMMARY_FULL_FRACTION = 0.1


def restricted(nodes: list[str]) -> str:
    """The operations that delete the summary entries of ``nodes`` (IRIs) and recompute them."""
    values = " ".join(f"<{n}>" for n in nodes)

    def only(var: str) -> str:
        return f" VALUES ?{var} {{ {values} }}"

    return (f"DELETE {{ GRAPH {_S} {{ ?kg_node ?kg_p ?kg_o }} }} "
            f"WHERE {{ VALUES ?kg_node {{ {values} }} GRAPH {_S} {{ ?kg_node ?kg_p ?kg_o }} }} ;\n"
            + operations(only))


def update_for(nodes: Iterable[str], chunk: int = SUMMARY_VALUES_CHUNK, *, total: int | None = None,
               before: Iterable[str] = ()) -> str:
    """One SPARQL update: the operations ``before`` (e.g. the drops of a write), then the summary
    entries of ``nodes`` (IRIs of statements, quotations, entities) deleted and recomputed from all
    article graphs, ``chunk`` nodes per VALUES block. The whole summary is recomputed instead for
    very many nodes (over :data:`SUMMARY_FULL_ABOVE`, or, on a small store, over
    :data:`SUMMARY_FULL_FRACTION` of ``total``, the nodes the summary holds, when given).
    "" when there is nothing to do."""
    nodes = sorted(set(nodes))
    ops = [op for op in before if op]
    if nodes:
        small_store = total is not None and total <= SUMMARY_FULL_ABOVE
        if len(nodes) > SUMMARY_FULL_ABOVE or (small_store and len(nodes) > SUMMARY_FULL_FRACTION * total):
            ops += [f"CLEAR SILENT GRAPH {_S}", operations()]
        else:
            ops += [restricted(nodes[i:i + chunk]) for i in range(0, len(nodes), chunk)]
    elif not ops:
        return ""
    return PROLOGUE + " ;\n".join(ops)


def node_count(store, limit: int = SUMMARY_FULL_ABOVE + 1) -> int:
    """Statements, quotations and entities in the summary graph, counted up to ``limit`` (all
    that :func:`update_for` needs to know: the scan stays short on a big store)."""
    q = (f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT ?x WHERE {{ GRAPH {_S} {{ "
         f"{{ ?x <{KG.weight}> ?v }} UNION {{ ?x <{KG.mentionCount}> ?v }} }} }} LIMIT {limit} }}")
    return int(next(iter(store.ox.query(q)))[0].value)


_RDF_TYPE = str(RDF.type)
_ENTITY = str(KG.entity)
_SUBJECT = str(RDF.subject)
_SUMMARISED = frozenset({str(KG.Statement), str(KG.OpenStatement), str(KG.Quotation), str(KG.Article)})


def summarised_node(s: str, p: str, o: str) -> str | None:
    """The statement (open or not), quotation, entity or article whose summary entry the triple ``s p o``
    (IRIs and values) of an article graph contributes to (its type triple, a mention record's
    kg:entity, a statement's subject: the plain triples are kept with it), else None."""
    if p == _ENTITY or p == _SUBJECT:
        return o
    if p == _RDF_TYPE and o in _SUMMARISED:
        return s
    return None


def summarised_nodes(quads) -> set[str]:
    """Statements, quotations and entities that ``quads`` (pyoxigraph quads) contribute to."""
    found = (summarised_node(q.subject.value, q.predicate.value, q.object.value) for q in quads)
    return {n for n in found if n is not None}


def summarised_nodes_in_store(store, graph_iris: Iterable[str]) -> set[str]:
    """Statements, quotations, entities and articles the named graphs ``graph_iris`` of ``store``
    contribute to."""
    import pyoxigraph as ox

    graphs = [g for g in graph_iris if store.ox.contains_named_graph(ox.NamedNode(g))]
    if not graphs:
        return set()
    q = f"""SELECT DISTINCT ?x WHERE {{ VALUES ?g {{ {" ".join(f"<{g}>" for g in graphs)} }}
      GRAPH ?g {{ {{ ?x a <{KG.Statement}> }} UNION {{ ?x a <{KG.OpenStatement}> }} UNION {{ ?x a <{KG.Quotation}> }} UNION {{ ?m <{KG.entity}> ?x }}
                UNION {{ ?st <{RDF.subject}> ?x }} UNION {{ ?x a <{KG.Article}> }} }} }}"""
    return {row["x"].value for row in store.ox.query(q)}
