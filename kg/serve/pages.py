"""The browsable graph: server-rendered HTML pages of entities, articles and search results,
the Turtle of a graph IRI, and SPARQL results as an HTML table. Runs in a query worker (the
read lane: the server's time limit, memory limit, sandbox and result cap apply to every page).

Pages read the summary graph (each statement, quotation and entity once, :mod:`kg.summary`);
evidence records, mention records and article metadata come from the article graphs
(``GRAPH ?g``). The graph's IRIs (``https://w3id.org/newskg/id/...``, :mod:`kg.namespaces`)
are served at the same path (``/id/...``): HTML for browsers, RDF (Turtle, N-Triples, JSON-LD,
RDF/XML) by ``Accept`` or ``format=``. Every text from the store is HTML-escaped; links point
only to this server, to Wikidata, or to an article's own ``http(s)`` URL; no script, no
external stylesheet, font or image: a page makes no request but itself.

IRIs reach the queries only after Oxigraph's IRI parser accepted them (``str(NamedNode)``
cannot close the ``<...>``); search text only as an escaped SPARQL string literal.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from ..namespaces import ARTICLE_GRAPH_PREFIX, BASE, ID, KG, ONTOLOGY_GRAPH, RDF, RDFS, SDO, SKOS, OWL, SUMMARY_GRAPH, WD, shorten
from .negotiation import GRAPH_FORMATS, NotAcceptable, negotiate

HTML_TYPES = ("text/html", "application/xhtml+xml")
HTML_CTYPE = "text/html; charset=utf-8"
FACTS_MAX = 300  # statements on an entity page
EVIDENCE_PER_FACT = 3
ARTICLES_MAX = 50
SEARCH_MAX = 100
_S = f"<{SUMMARY_GRAPH}>"
_NOT_ENTITIES = ("article", "graph", "statement", "evidence", "quote", "mentions")

CSS = """body{font-family:system-ui,sans-serif;max-width:72em;margin:1em auto;padding:0 1em;color:#222}
header{display:flex;gap:1em;align-items:center;border-bottom:1px solid #ccc;padding-bottom:.5em}
header a{font-weight:bold;text-decoration:none}header form{margin-left:auto}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .4em;
vertical-align:top;text-align:left}th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}
.neg{color:#b00}.muted{color:#666;font-size:.9em}blockquote{margin:.2em 0 .2em 1em;color:#444}
code{background:#eee;padding:0 .2em}textarea{width:100%;font-family:monospace}
ul.cols{columns:3;padding-left:1.2em}.ev{font-size:.9em;margin:.1em 0}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}"""


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def page(title: str, body: str) -> bytes:
    """A whole page: title, the header with the search box, ``body`` (already HTML)."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)} - kg</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>{CSS}</style></head>
<body><header><a href="/">kg</a><a href="/sparql">SPARQL</a>
<form method="get" action="/search" role="search"><input type="search" name="q" placeholder="entity name or alias"
aria-label="search entities"> <button type="submit">Search</button></form></header>
<main>{body}</main></body></html>
""".encode("utf-8")


def local_path(iri: str) -> str | None:
    """This server's path for a graph IRI (``/entity/...``, ``/article/...``, ``/id/...``), else None."""
    if not iri.startswith(ID):
        return None
    rest = iri[len(ID):]
    kind = rest.split("/", 1)[0]
    if kind == "article":
        return "/article/" + rest[len("article/"):]
    if kind in _NOT_ENTITIES:
        return "/" + iri[len(BASE):]
    return "/entity/" + rest


def link(iri: str, text: str | None = None) -> str:
    """An ``<a>`` to this server's page of ``iri`` (or to Wikidata); plain text for other IRIs."""
    label = esc(text if text is not None else shorten(iri, bare=True))
    path = local_path(iri)
    if path is None and iri.startswith(WD):
        path = "https://www.wikidata.org/wiki/" + quote(iri[len(WD):], safe="")
    return f'<a href="{esc(path)}">{label}</a>' if path else label


def sparql_string(text: str) -> str:
    """``text`` as a SPARQL string literal (every character that could end it escaped)."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{out}"'


def _iri(iri: str) -> str:
    import pyoxigraph as ox

    return str(ox.NamedNode(iri))  # ValueError for anything that is not an IRI


def _values(iris) -> str:
    return " ".join(_iri(i) for i in iris)


def _rows(store, q: str) -> list[dict]:
    res = store.query("PREFIX kg: <%s>\nPREFIX rdf: <%s>\nPREFIX rdfs: <%s>\nPREFIX skos: <%s>\nPREFIX schema: <%s>\n"
                      "PREFIX owl: <%s>\n%s" % (KG, RDF, RDFS, SKOS, SDO, OWL, q))
    names = [v.value for v in res.variables]
    return [{n: sol[n] for n in names if sol[n] is not None} for sol in res]


def _v(row: dict, name: str, default: str = "") -> str:
    t = row.get(name)
    return default if t is None else t.value


def _local(iri: str, ns: str) -> str:
    return iri[len(ns):] if iri.startswith(ns) else iri


# -- shared look-ups --------------------------------------------------------------------------
def labels(store, iris) -> dict[str, str]:
    """The label of each IRI: entities from the summary graph, predicates from the ontology."""
    iris = sorted(set(iris))
    out: dict[str, str] = {}
    for i in range(0, len(iris), 400):
        chunk = _values(iris[i:i + 400])
        for r in _rows(store, f"""SELECT ?x (MIN(?l) AS ?label) WHERE {{ VALUES ?x {{ {chunk} }}
              {{ GRAPH {_S} {{ ?x rdfs:label ?l }} }} UNION {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?x rdfs:label ?l }} }}
            }} GROUP BY ?x"""):
            if "label" in r:
                out[r["x"].value] = r["label"].value
    return out


_ARTICLE_KEYS = {KG + "docId": "doc", SDO + "headline": "h", SDO + "datePublished": "d", SDO + "publisher": "pub",
                 SDO + "url": "url"}


def articles(store, iris) -> dict[str, dict]:
    """Headline, date, publisher, doc id and URL of each article IRI, read from its own graph
    (``id:article/X`` is in ``id:graph/article/X``, :func:`kg.rdf.mint`)."""
    iris = sorted(i for i in set(iris) if i.startswith(ID + "article/"))
    out: dict[str, dict] = {}
    for i in range(0, len(iris), 400):
        pairs = " ".join(f"({_iri(a)} {_iri(ARTICLE_GRAPH_PREFIX + a[len(ID + 'article/'):])})" for a in iris[i:i + 400])
        for r in _rows(store, f"""SELECT ?a ?p ?v WHERE {{ VALUES (?a ?g) {{ {pairs} }} GRAPH ?g {{ ?a ?p ?v }}
              FILTER (?p IN ({", ".join(f"<{p}>" for p in _ARTICLE_KEYS)})) }}"""):
            out.setdefault(r["a"].value, {})[_ARTICLE_KEYS[r["p"].value]] = r["v"].value
    return out


_CORE = {RDF + "subject": "s", RDF + "predicate": "p", RDF + "object": "o", KG + "polarity": "pol",
         KG + "modality": "mod", KG + "weight": "w", KG + "attributedTo": "sp", KG + "exampleSentence": "ex"}


def statement_rows(store, rows: list[dict]) -> list[dict]:
    """Each row (with ``st``) completed with its statement's summary entry: ``s``, ``p``, ``o``,
    ``pol``, ``mod``, ``w``, ``sp``, ``ex`` (one look-up of the statements' own triples: a join
    of the core pattern is planned over every statement of the summary, ~20x slower)."""
    iris = sorted({r["st"].value for r in rows})
    core: dict[str, dict] = {}
    for i in range(0, len(iris), 400):
        for r in _rows(store, f"""SELECT ?st ?p ?v WHERE {{ VALUES ?st {{ {_values(iris[i:i + 400])} }}
              GRAPH {_S} {{ ?st ?p ?v }} FILTER (?p IN ({", ".join(f"<{p}>" for p in _CORE)})) }}"""):
            core.setdefault(r["st"].value, {})[_CORE[r["p"].value]] = r["v"]
    return [{**r, **core[r["st"].value]} for r in rows if {"s", "p", "o"} <= core.get(r["st"].value, {}).keys()]


def article_link(iri: str, info: dict | None) -> str:
    info = info or {}
    title = info.get("h") or info.get("doc") or _local(iri, ID + "article/")
    meta = " · ".join(x for x in (info.get("d"), info.get("pub")) if x)
    return link(iri, title) + (f' <span class="muted">{esc(meta)}</span>' if meta else "")


def external_url(url: str) -> str:
    """A link to an article's own URL, only for http(s) (never ``javascript:`` and the like)."""
    if not url.lower().startswith(("http://", "https://")):
        return esc(url)
    return f'<a href="{esc(url)}" rel="nofollow noreferrer">{esc(url)}</a>'


def _relation(pred: str, pol: str, plabels: dict) -> str:
    name = plabels.get(pred) or _local(pred, KG)
    return f'<span class="neg">not {esc(name)}</span>' if pol == "negative" else esc(name)


# -- pages ------------------------------------------------------------------------------------
class NotFound(Exception):
    """No page for this address (HTTP 404)."""


def _entity_facts(store, e: str) -> list[dict]:
    """The statements the entity (``e``, in SPARQL) is subject ("out"), object ("in") or speaker
    ("said") of, FACTS_MAX at most, heaviest first; one it is subject and speaker of is listed
    once, as "out"."""
    facts = statement_rows(store, _rows(store, f"""SELECT ?st ?role WHERE {{
        {{ GRAPH {_S} {{ ?st rdf:subject {e} }} BIND ("out" AS ?role) }} UNION
        {{ GRAPH {_S} {{ ?st rdf:object {e} }} BIND ("in" AS ?role) }} UNION
        {{ GRAPH {_S} {{ ?st kg:attributedTo {e} }} BIND ("said" AS ?role) }} }} LIMIT {FACTS_MAX}"""))
    seen: dict[tuple, dict] = {}
    for f in facts:
        seen.setdefault((f["st"].value, f["role"].value == "in"), f)
    return sorted(seen.values(), key=lambda f: (-int(_v(f, "w", "0") or 0), _v(f, "st")))


def _fact_evidence(store, statements: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Up to EVIDENCE_PER_FACT distinct (sentence, article) pairs of each statement, by IRI."""
    evidence: dict[str, list[tuple[str, str]]] = {}
    if statements:
        for r in _rows(store, f"""SELECT ?st ?sentence ?art WHERE {{ VALUES ?st {{ {_values(statements)} }}
              GRAPH ?g {{ ?st kg:evidence ?ev . ?ev kg:sentence ?sentence ; kg:article ?art }} }}
              LIMIT {len(statements) * EVIDENCE_PER_FACT * 4}"""):
            lst = evidence.setdefault(r["st"].value, [])
            if len(lst) < EVIDENCE_PER_FACT and (r["sentence"].value, r["art"].value) not in lst:
                lst.append((r["sentence"].value, r["art"].value))
    return evidence


def _entity_head(iri: str, label_list: list[str], by: dict[str, list[str]]) -> list[str]:
    """The entity page's heading (label, types, IRI, Turtle link) and its list of other names,
    sameAs links and mention counts; ``by``: the entity's values by property."""
    label = label_list[0]
    types = sorted(_local(t, KG) for t in by.get(RDF + "type", []))
    aliases = sorted(set(by.get(SKOS + "altLabel", [])) | set(label_list[1:]))
    same = sorted(by.get(OWL + "sameAs", []))
    out = [f"<h1>{esc(label)}</h1>",
           f'<p>{esc(", ".join(types)) or "entity"} · <code>{esc(iri)}</code>'
           f' · <a href="{esc(local_path(iri))}?format=turtle">Turtle</a></p>', "<dl>"]
    if aliases:
        out.append(f"<dt>Also called</dt><dd>{esc('; '.join(aliases))}</dd>")
    if same:
        out.append("<dt>Same as</dt><dd>" + ", ".join(link(s, _local(s, WD) if s.startswith(WD) else s)
                                                       for s in same) + "</dd>")
    out.append(f"<dt>Mentions</dt><dd>{esc(by.get(KG + 'mentionCount', ['0'])[0])} in "
               f"{esc(by.get(KG + 'articleCount', ['0'])[0])} article(s)</dd></dl>")
    return out


def _fact_tables(facts: list[dict], evidence: dict, names: dict, arts: dict, ent) -> list[str]:
    """One table of facts per role ("out", "in", "said") with their evidence; ``ent(iri)`` is
    an entity's cell."""
    out = []
    for role, title in (("out", "Facts about it"), ("in", "Facts pointing to it"), ("said", "What it said")):
        rows = [f for f in facts if f["role"].value == role]
        if not rows:
            continue
        out.append(f"<h2>{title} ({len(rows)})</h2><table><tr><th>subject</th><th>relation</th><th>object</th>"
                   "<th>modality</th><th>according to</th><th>articles</th><th>evidence</th></tr>")
        for f in rows:
            ev = evidence.get(f["st"].value) or ([(_v(f, "ex"), "")] if "ex" in f else [])
            ev_html = "".join(f'<div class="ev">“{esc(s)}”'
                              + (f" — {article_link(a, arts.get(a))}" if a else "") + "</div>" for s, a in ev)
            out.append(f'<tr><td>{ent(f["s"].value)}</td><td>{_relation(f["p"].value, f["pol"].value, names)}</td>'
                       f'<td>{ent(f["o"].value)}</td><td>{esc(_v(f, "mod"))}</td>'
                       f'<td>{ent(f["sp"].value) if "sp" in f else ""}</td><td>{esc(_v(f, "w"))}</td>'
                       f"<td>{ev_html}</td></tr>")
        out.append("</table>")
    if len(facts) >= FACTS_MAX:
        out.append(f'<p class="muted">The first {FACTS_MAX} statements; ask the SPARQL endpoint for all.</p>')
    return out


def _quotations_html(quotes: list[dict], arts: dict) -> list[str]:
    """The entity's quotations, each once with up to EVIDENCE_PER_FACT articles."""
    if not quotes:
        return []
    qs: dict[str, dict] = {}
    for r in quotes:
        q = qs.setdefault(r["q"].value, {"text": _v(r, "text"), "w": _v(r, "w"), "arts": []})
        if "art" in r and len(q["arts"]) < EVIDENCE_PER_FACT:
            q["arts"].append(r["art"].value)
    out = [f"<h2>Quotations ({len(qs)})</h2>"]
    for q in qs.values():
        out.append(f"<blockquote>“{esc(q['text'])}”<br>"
                   + "; ".join(article_link(a, arts.get(a)) for a in q["arts"]) + "</blockquote>")
    return out


def _neighbours_html(facts: list[dict], iri: str, names: dict) -> list[str]:
    """The other entities of the facts, most shared facts first."""
    neighbours: dict[str, int] = {}
    for f in facts:
        for k in ("s", "o", "sp"):
            if k in f and f[k].value != iri:
                neighbours[f[k].value] = neighbours.get(f[k].value, 0) + 1
    if not neighbours:
        return []
    out = [f"<h2>Neighbours ({len(neighbours)})</h2><ul class=\"cols\">"]
    for n, c in sorted(neighbours.items(), key=lambda x: (-x[1], names.get(x[0], x[0]).lower())):
        out.append(f"<li>{link(n, names.get(n))} <span class=\"muted\">{c}</span></li>")
    out.append("</ul>")
    return out


def _mentions_html(mentions: list[dict], arts: dict) -> list[str]:
    """The (latest ARTICLES_MAX) articles mentioning the entity, with its mention counts."""
    if not mentions:
        return []
    out = [f"<h2>Articles mentioning it{' (latest ' + str(ARTICLES_MAX) + ')' if len(mentions) >= ARTICLES_MAX else ''}</h2><ul>"]
    for r in mentions:
        a = r["art"].value
        out.append(f"<li>{article_link(a, arts.get(a))} <span class=\"muted\">{esc(_v(r, 'c'))}×</span></li>")
    out.append("</ul>")
    return out


def _properties(store, node: str, graph: str, limit: int) -> dict[str, list[str]]:
    """The values of each property of ``node`` (a SPARQL term) in ``graph``, each value once (an
    article's properties are in its own graph and copied into the summary)."""
    by: dict[str, list[str]] = {}
    for r in _rows(store, f"SELECT DISTINCT ?p ?v WHERE {{ GRAPH {graph} {{ {node} ?p ?v }} }} LIMIT {limit}"):
        by.setdefault(r["p"].value, []).append(r["v"].value)
    return by


def entity_page(store, iri: str) -> tuple[bytes, str]:
    e = _iri(iri)
    by = _properties(store, e, _S, 2000)
    label_list = sorted(by.get(RDFS + "label", []))
    if not label_list:
        raise NotFound(f"no entity {iri} in this graph")
    label = label_list[0]
    facts = _entity_facts(store, e)
    evidence = _fact_evidence(store, sorted({f["st"].value for f in facts}))
    quotes = _rows(store, f"""SELECT ?q ?text ?w ?art WHERE {{ {{ SELECT ?q WHERE {{ GRAPH {_S} {{ ?q kg:speaker {e} }} }}
        LIMIT 50 }} GRAPH {_S} {{ ?q schema:text ?text . OPTIONAL {{ ?q kg:weight ?w }} OPTIONAL {{ ?q kg:reportedIn ?art }} }} }}""")
    mentions = _rows(store, f"""SELECT ?art ?c ?d WHERE {{ GRAPH ?g {{ ?m kg:entity {e} ; kg:article ?art ; kg:count ?c .
        OPTIONAL {{ ?art schema:datePublished ?d }} }} }} ORDER BY DESC(?d) ?art LIMIT {ARTICLES_MAX}""")

    nodes = {t for f in facts for k in ("s", "o", "sp", "p") if k in f for t in [f[k].value]}
    names = labels(store, nodes)
    arts = articles(store, {a for ev in evidence.values() for _, a in ev}
                    | {r["art"].value for r in quotes if "art" in r} | {r["art"].value for r in mentions})

    def ent(i: str) -> str:
        return f"<strong>{esc(names.get(i, label))}</strong>" if i == iri else link(i, names.get(i))

    out = (_entity_head(iri, label_list, by) + _fact_tables(facts, evidence, names, arts, ent)
           + _quotations_html(quotes, arts) + _neighbours_html(facts, iri, names) + _mentions_html(mentions, arts))
    return page(label, "\n".join(out)), "entity"


def article_page(store, iri: str) -> tuple[bytes, str]:
    a = _iri(iri)
    by = _properties(store, a, "?g", 5000)
    if KG + "docId" not in by:
        raise NotFound(f"no article {iri} in this graph")
    doc = by[KG + "docId"][0]
    title = (by.get(SDO + "headline") or [doc])[0]
    ents = _rows(store, f"""SELECT ?e ?c ?t WHERE {{ GRAPH ?g {{ ?m a kg:Mentions ; kg:article {a} ; kg:entity ?e ;
        kg:count ?c }} OPTIONAL {{ GRAPH {_S} {{ ?e a ?t }} }} }}""")
    facts = statement_rows(store, _rows(store, f"""SELECT ?st ?sentence WHERE {{
        GRAPH {_S} {{ ?st kg:reportedIn {a} ; a kg:Statement }}
        OPTIONAL {{ GRAPH ?g {{ ?st kg:evidence ?ev . ?ev kg:article {a} ; kg:sentence ?sentence }} }} }} LIMIT 2000"""))
    quotes = _rows(store, f"""SELECT ?q ?text ?sp WHERE {{ GRAPH {_S} {{ ?q kg:reportedIn {a} ; schema:text ?text .
        OPTIONAL {{ ?q kg:speaker ?sp }} }} }} LIMIT 500""")
    names = labels(store, {r["e"].value for r in ents} | {f[k].value for f in facts for k in ("s", "o", "p", "sp") if k in f}
                   | {q["sp"].value for q in quotes if "sp" in q})
    meta = [(k, v) for k, v in (("Published", (by.get(SDO + "datePublished") or [""])[0]),
                                ("Publisher", (by.get(SDO + "publisher") or [""])[0]), ("Document", doc)) if v]
    out = [f"<h1>{esc(title)}</h1><dl>"]
    out += [f"<dt>{k}</dt><dd>{esc(v)}</dd>" for k, v in meta]
    if by.get(SDO + "url"):
        out.append(f"<dt>Source</dt><dd>{external_url(by[SDO + 'url'][0])}</dd>")
    out.append(f'</dl><p class="muted"><code>{esc(iri)}</code> · <a href="{esc(local_path(iri))}?format=turtle">'
               "Turtle</a></p>")
    types: dict[str, set[str]] = {}
    counts: dict[str, str] = {}
    for r in ents:
        types.setdefault(r["e"].value, set()).update([_local(r["t"].value, KG)] if "t" in r else [])
        counts[r["e"].value] = _v(r, "c")
    if counts:
        out.append(f"<h2>Entities ({len(counts)})</h2><table><tr><th>entity</th><th>type</th><th>mentions</th></tr>")
        for e in sorted(counts, key=lambda x: (-int(counts[x] or 0), names.get(x, x).lower())):
            out.append(f"<tr><td>{link(e, names.get(e))}</td><td>{esc(', '.join(sorted(types[e])))}</td>"
                       f"<td>{esc(counts[e])}</td></tr>")
        out.append("</table>")
    grouped: dict[str, dict] = {}
    for f in facts:
        g = grouped.setdefault(f["st"].value, {"f": f, "sentences": []})
        if "sentence" in f and f["sentence"].value not in g["sentences"]:
            g["sentences"].append(f["sentence"].value)
    if grouped:
        out.append(f"<h2>Facts ({len(grouped)})</h2><table><tr><th>subject</th><th>relation</th><th>object</th>"
                   "<th>modality</th><th>according to</th><th>articles</th><th>sentence</th></tr>")
        for g in sorted(grouped.values(), key=lambda g: (names.get(g["f"]["s"].value, ""), g["f"]["st"].value)):
            f = g["f"]
            out.append(f'<tr><td>{link(f["s"].value, names.get(f["s"].value))}</td>'
                       f'<td>{_relation(f["p"].value, f["pol"].value, names)}</td>'
                       f'<td>{link(f["o"].value, names.get(f["o"].value))}</td><td>{esc(_v(f, "mod"))}</td>'
                       f'<td>{link(f["sp"].value, names.get(f["sp"].value)) if "sp" in f else ""}</td>'
                       f'<td>{esc(_v(f, "w"))}</td>'
                       f'<td>{"".join(f"<div class=ev>“{esc(s)}”</div>" for s in g["sentences"])}</td></tr>')
        out.append("</table>")
    if quotes:
        out.append(f"<h2>Quotations ({len(quotes)})</h2>")
        for q in quotes:
            who = link(q["sp"].value, names.get(q["sp"].value)) if "sp" in q else ""
            out.append(f"<blockquote>“{esc(_v(q, 'text'))}” {('— ' + who) if who else ''}</blockquote>")
    text = (by.get(SDO + "text") or [""])[0]
    if text:
        out.append(f"<details><summary>Text</summary><p>{esc(text)}</p></details>")
    return page(title, "\n".join(out)), "article"


def search_page(store, text: str, type_: str = "") -> tuple[bytes, str]:
    needle = " ".join(text.lower().split())
    form_type = ""
    rows: list[dict] = []
    if needle:
        type_filter = ""
        if type_:
            form_type = type_
            type_filter = f"?e a {_iri(KG + quote(type_, safe=''))} ."
        rows = _rows(store, f"""SELECT ?e (MIN(?l) AS ?label) (MAX(?m) AS ?mentions) (MAX(?exact) AS ?best)
            (GROUP_CONCAT(DISTINCT ?tn; separator=", ") AS ?types) WHERE {{
            GRAPH {_S} {{ ?e kg:matchKey ?k FILTER (CONTAINS(?k, {sparql_string(needle)})) {type_filter}
                         ?e rdfs:label ?l . OPTIONAL {{ ?e kg:mentionCount ?m }} OPTIONAL {{ ?e a ?t }} }}
            BIND (IF(?k = {sparql_string(needle)}, 1, 0) AS ?exact)
            BIND (STRAFTER(STR(?t), "#") AS ?tn)
          }} GROUP BY ?e ORDER BY DESC(?best) DESC(?mentions) ?label LIMIT {SEARCH_MAX}""")
    out = [f"<h1>Search</h1><form method=\"get\" action=\"/search\"><input type=\"search\" name=\"q\" value=\"{esc(text)}\""
           f" aria-label=\"search entities\"> <input name=\"type\" value=\"{esc(form_type)}\" placeholder=\"type (e.g. Person)\""
           f" aria-label=\"type\"> <button type=\"submit\">Search</button></form>"]
    if needle:
        out.append(f"<p>{len(rows)}{'+' if len(rows) >= SEARCH_MAX else ''} entit{'y' if len(rows) == 1 else 'ies'} "
                   f"whose name or alias contains “{esc(needle)}”.</p>")
        if rows:
            out.append("<table><tr><th>entity</th><th>type</th><th>mentions</th></tr>")
            for r in rows:
                out.append(f"<tr><td>{link(r['e'].value, _v(r, 'label'))}</td><td>{esc(_v(r, 'types'))}</td>"
                           f"<td>{esc(_v(r, 'mentions'))}</td></tr>")
            out.append("</table>")
    return page(f"Search {text}" if text else "Search", "\n".join(out)), "search"


def resource_page(store, iri: str) -> tuple[bytes, str]:
    """Any other graph IRI (a statement, a quotation, an evidence record): its triples."""
    triples = describe(store, iri)
    if not triples:
        raise NotFound(f"nothing about {iri} in this graph")
    out = [f"<h1>{esc(shorten(iri, bare=True))}</h1>", triples_table(triples)]
    return page(shorten(iri, bare=True), "\n".join(out)), "resource"


# -- RDF of an IRI ----------------------------------------------------------------------------
def describe(store, iri: str, limit: int = 10000) -> list:
    """The triples about ``iri``, each once: an entity's summary entry, the summary entries of the
    statements and quotations it takes part in, and its plain fact triples; an article's own
    triples; else the triples with it as subject in the summary graph or in the article graphs."""
    import pyoxigraph as ox

    node = _iri(iri)
    q = f"""CONSTRUCT {{ {node} ?p ?v . ?st ?sp ?sv . ?x ?xp {node} }} WHERE {{
      {{ GRAPH {_S} {{ {node} ?p ?v }} }} UNION
      {{ GRAPH {_S} {{ ?st ?role {node} FILTER (?role IN (rdf:subject, rdf:object, kg:attributedTo, kg:speaker))
                      ?st ?sp ?sv }} }} UNION
      {{ GRAPH ?g {{ {node} ?p ?v }} FILTER (?g != {_S}) }} UNION
      {{ GRAPH ?g {{ ?x ?xp {node} FILTER (isIRI(?x) && STRSTARTS(STR(?xp), "{KG}") && ?xp NOT IN (kg:entity, kg:article))
                    FILTER NOT EXISTS {{ ?x a kg:Statement }} }} }}
    }}"""
    res = store.query("PREFIX kg: <%s>\nPREFIX rdf: <%s>\n%s" % (KG, RDF, q))
    seen: dict[str, ox.Triple] = {}
    for t in res:
        seen.setdefault(str(t), t)
        if len(seen) >= limit:
            break
    return list(seen.values())


def triples_table(triples) -> str:
    rows = "".join(f"<tr><td>{term_html(t.subject)}</td><td>{term_html(t.predicate)}</td><td>{term_html(t.object)}</td></tr>"
                   for t in sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))))
    return f"<table><tr><th>subject</th><th>predicate</th><th>object</th></tr>{rows}</table>"


# -- SPARQL results as HTML -------------------------------------------------------------------
def term_html(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return link(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{esc(term.value)}"
    if isinstance(term, ox.Literal):
        return esc(term.value)
    return esc(str(term))


def _form(query: str) -> str:
    return (f'<form method="get" action="/sparql"><textarea name="query" rows="10">{esc(query)}</textarea><br>'
            '<input type="hidden" name="format" value="html"><button type="submit">Run</button></form>')


def results_html(variables: list[str], rows: list, query: str, truncated: bool) -> bytes:
    head = "".join(f"<th>{esc(v)}</th>" for v in variables)
    body = "".join("<tr>" + "".join(f"<td>{term_html(t)}</td>" for t in row) + "</tr>" for row in rows)
    note = f"{len(rows)} row{'' if len(rows) == 1 else 's'}" + (" (cut at the server's row limit)" if truncated else "")
    return page("Query results", f"<h1>Query results</h1>{_form(query)}<p>{note}</p>"
                                 f"<table><tr>{head}</tr>{body}</table>")


def boolean_html(value: bool, query: str) -> bytes:
    return page("Query result", f"<h1>Query result</h1>{_form(query)}<p><strong>{'true' if value else 'false'}</strong></p>")


def graph_html(triples: list, query: str, truncated: bool) -> bytes:
    note = f"{len(triples)} triple{'' if len(triples) == 1 else 's'}" + (" (cut at the server's row limit)"
                                                                        if truncated else "")
    return page("Query results", f"<h1>Query results</h1>{_form(query)}<p>{note}</p>{triples_table(triples)}")


# -- dispatch ---------------------------------------------------------------------------------
def negotiate_page(accept: str | None, fmt: str | None) -> str:
    """``html`` or a graph format name for a page of an IRI: ``format=`` wins, then ``Accept``
    (a browser's asks for HTML first; ``*/*`` or none is HTML). :class:`NotAcceptable`."""
    from .negotiation import _parse_accept

    from .negotiation import FORMAT_PARAM

    f = (fmt or "").strip().lower()
    if f in ("html", *HTML_TYPES):
        return "html"
    if f in GRAPH_FORMATS or (FORMAT_PARAM.get(f) or (None, None))[1] \
            or any(f in types for _, types in GRAPH_FORMATS.values()):
        return negotiate("graph", None, f)
    if not accept or not accept.strip():
        return "html"
    for mt, _q in _parse_accept(accept):
        if mt in HTML_TYPES or mt in ("*/*", "text/*"):
            return "html"
        for name, (_, types) in GRAPH_FORMATS.items():
            if mt in types:
                return name
    raise NotAcceptable(f"none of the Accept types ({accept}) is available for this page; try text/html, "
                        + ", ".join(t for n, (t, _) in GRAPH_FORMATS.items() if n != "html"))


def iri_for(path: str) -> tuple[str, str]:
    """(kind, IRI) for a page path: ``/entity/<type>/<slug>``, ``/article/<doc>``, ``/id/...``."""
    if path.startswith("/entity/"):
        return "entity", ID + path[len("/entity/"):]
    if path.startswith("/article/"):
        return "article", ID + "article/" + path[len("/article/"):]
    if path.startswith("/id/"):
        rest = path[len("/id/"):]
        kind = rest.split("/", 1)[0]
        if kind == "article":
            return "article", ID + rest
        return ("resource" if kind in _NOT_ENTITIES else "entity"), ID + rest
    raise NotFound(path)


def render(store, job: dict) -> dict:
    """A page job (``page``: ``entity``, ``article``, ``resource``, ``search``) as an HTTP answer."""
    from .errors import error_answer
    from .worker import serialize_triples

    kind = job["page"]
    try:
        if kind == "search":
            body, note = search_page(store, job.get("q") or "", job.get("type") or "")
            return {"status": 200, "content_type": HTML_CTYPE, "body": body, "headers": {}, "rows": 0, "kind": note}
        fmt = negotiate_page(job.get("accept"), job.get("format"))
        iri = job["iri"]
        if fmt != "html":
            limit = int(job.get("max_rows") or 10000)
            triples = describe(store, iri, limit)
            if not triples:
                raise NotFound(f"nothing about {iri} in this graph")
            from .negotiation import media_type

            headers = {"X-SPARQL-MaxRows": str(limit)} if len(triples) >= limit else {}
            return {"status": 200, "content_type": media_type("graph", fmt), "body": serialize_triples(triples, fmt),
                    "headers": headers, "rows": len(triples), "kind": "graph", "truncated": bool(headers)}
        body, note = {"entity": entity_page, "article": article_page, "resource": resource_page}[kind](store, iri)
        return {"status": 200, "content_type": HTML_CTYPE, "body": body, "headers": {}, "rows": 0, "kind": note}
    except NotFound as e:
        return {"status": 404, "content_type": HTML_CTYPE, "headers": {}, "rows": 0, "kind": "error",
                "body": page("Not found", f"<h1>Not found</h1><p>{esc(e)}</p><p><a href=\"/search\">Search</a> "
                                          "for an entity by name.</p>")}
    except NotAcceptable as e:
        return error_answer(406, str(e))
    except ValueError as e:  # not an IRI
        return error_answer(400, f"not a graph address: {e}")


__all__ = ["NotFound", "article_page", "describe", "entity_page", "iri_for", "local_path", "negotiate_page",
           "render", "results_html", "search_page"]
