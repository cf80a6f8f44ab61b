"""Curation as data: an analyst's corrections of the graph, kept in a YAML file and applied to
the merged view (the summary graph) by every write session and by ``kg curate``.

The file (``STORE/curation.yaml``, or the one given with ``--curation``)::

    merge:                     # several nodes are one: the others' names become aliases
      - into: United States    # a name (label or alias, any case) or an IRI (country:usa, <https://...>)
        from: [USA, "U.S.A."]
    split:                     # a wrong alias: the entity no longer answers to it
      - {entity: United States, alias: America}
    retype:
      - {entity: Western coalition, type: Group}
    block_entity: [positions]  # junk: the entity and every fact about it leave the merged view
    block_fact:                # a wrong fact (any polarity and modality)
      - {subject: China, predicate: supports, object: Russia}

Article graphs stay as extracted (provenance: what each article said); the summary graph -
what queries, exports, ``kg stats`` and ``kg serve`` read by default - is curated. Applying
is idempotent: the summary entries the rules touch (and those the previously applied rules
touched, kept in ``STORE/curation-state.json``) are recomputed from the article graphs, then
the rules are applied, all in one transaction. Names are matched in the article graphs (names
in articles and aliases), which curation never changes, so a rule means the same thing
however often it is applied. docs/decisions/curation.md says why.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .model import TYPE_PRECEDENCE
from .namespaces import ID_PREFIXES, KG, PREFIXES, SUMMARY_GRAPH
from .paths import atomic_file

log = logging.getLogger("kg.curation")

CURATION_FILE = "curation.yaml"
STATE_FILE = "curation-state.json"
KINDS = ("merge", "split", "retype", "block_entity", "block_fact")
_S = f"<{SUMMARY_GRAPH}>"
_PROLOGUE = "\n".join(f"PREFIX {k}: <{v}>" for k, v in {**PREFIXES, **ID_PREFIXES}.items()) + "\n"


class CurationError(ValueError):
    """A curation file that cannot be read: the message names the file and line."""


@dataclass(frozen=True)
class Rule:
    """One rule of the file: its kind, its arguments, the line it starts on."""

    kind: str
    args: dict
    line: int

    def describe(self) -> str:
        a = self.args
        if self.kind == "merge":
            return f"merge {', '.join(a['from'])} into {a['into']}"
        if self.kind == "split":
            return f"split alias {a['alias']!r} off {a['entity']}"
        if self.kind == "retype":
            return f"retype {a['entity']} as {a['type']}"
        if self.kind == "block_entity":
            return f"block entity {a['entity']}"
        return f"block fact {a['subject']} {a['predicate']} {a['object']}"


@dataclass(frozen=True)
class Curation:
    path: Path | None
    rules: tuple[Rule, ...] = ()


# -- reading the file ---------------------------------------------------------------------------
_FIELDS = {"merge": ("into", "from"), "split": ("entity", "alias"), "retype": ("entity", "type"),
           "block_entity": ("entity",), "block_fact": ("subject", "predicate", "object")}


def load(path: str | Path | None) -> Curation:
    """The rules of a curation file (an absent file: none). Raises :class:`CurationError`
    naming the line of what is wrong."""
    import yaml

    if path is None or not Path(path).exists():
        return Curation(Path(path) if path else None)
    path = Path(path)
    where = lambda node: f"{path} line {node.start_mark.line + 1}"  # noqa: E731
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise CurationError(f"{path}{line}: not YAML: {getattr(e, 'problem', None) or e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CurationError(f"{path}: cannot read: {e}") from None
    if root is None:
        return Curation(path)
    if not isinstance(root, yaml.MappingNode):
        raise CurationError(f"{where(root)}: a curation file is a mapping of {', '.join(KINDS)}")

    def scalar(node, what) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise CurationError(f"{where(node)}: {what} must be a name or an IRI")
        return str(node.value).strip()

    rules = []
    for key, value in root.value:
        kind = key.value if isinstance(key, yaml.ScalarNode) else None
        if kind not in KINDS:
            raise CurationError(f"{where(key)}: unknown rule {kind!r} (known: {', '.join(KINDS)})")
        items = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for item in items:
            fields = _FIELDS[kind]
            if kind == "block_entity" and isinstance(item, yaml.ScalarNode):
                rules.append(Rule(kind, {"entity": scalar(item, "entity")}, item.start_mark.line + 1))
                continue
            if not isinstance(item, yaml.MappingNode):
                raise CurationError(f"{where(item)}: {kind} takes {', '.join(fields)}")
            given = {k.value: v for k, v in item.value}
            unknown = set(given) - set(fields)
            missing = [f for f in fields if f not in given]
            if unknown or missing:
                bad = (f"unknown {', '.join(sorted(map(str, unknown)))}" if unknown
                       else f"missing {', '.join(missing)}")
                raise CurationError(f"{where(item)}: {kind}: {bad} (it takes {', '.join(fields)})")
            args = {}
            for f in fields:
                node = given[f]
                if kind == "merge" and f == "from":
                    nodes = node.value if isinstance(node, yaml.SequenceNode) else [node]
                    args[f] = [scalar(n, "from") for n in nodes]
                    if not args[f]:
                        raise CurationError(f"{where(node)}: merge: 'from' names no entity")
                else:
                    args[f] = scalar(node, f)
            if kind == "retype" and args["type"] not in TYPE_PRECEDENCE:
                raise CurationError(f"{where(given['type'])}: retype: unknown type {args['type']!r} "
                                    f"(known: {', '.join(TYPE_PRECEDENCE)})")
            rules.append(Rule(kind, args, item.start_mark.line + 1))
    return Curation(path, tuple(rules))


def file_for(store_path: Path, given: str | Path | None = None) -> Path:
    """The curation file of a command: the one given, else ``STORE/curation.yaml``."""
    return Path(given) if given is not None else Path(store_path) / CURATION_FILE


def state(store_path: Path) -> dict:
    """What the last application did (``{"file", "rules": [{rule, line, touched}], "nodes"}``),
    {} if curation was never applied."""
    try:
        return json.loads((Path(store_path) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


# -- applying -----------------------------------------------------------------------------------
def _lit(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@dataclass
class _Plan:
    touched: set = field(default_factory=set)  # summary nodes recomputed first
    ops: list = field(default_factory=list)  # SPARQL operations, after the recomputation
    counts: list = field(default_factory=list)  # per rule: things it touched
    view: dict = field(default_factory=lambda: {"merged": {}, "types": {}, "blocked": [], "facts": [], "unaliased": {}})


class _Resolver:
    def __init__(self, store) -> None:
        self.store = store
        self._cache: dict[str, list[str]] = {}

    def _rows(self, q: str):
        return list(self.store.ox.query(_PROLOGUE + q))

    def _ask(self, q: str) -> bool:
        return bool(self.store.ox.query(_PROLOGUE + q))

    def answers_to(self, e: str, name: str) -> bool:
        """Whether an article graph gives entity ``e`` the name or alias ``name`` (any case)."""
        return self._ask(f"""ASK {{ {{ GRAPH ?g {{ ?x kg:entity <{e}> ; kg:nameInArticle ?v }} }}
            UNION {{ GRAPH ?g {{ <{e}> skos:altLabel ?v }} }} FILTER (?g != {_S} && LCASE(STR(?v)) = {_lit(name.lower())}) }}""")

    def entities(self, ref: str) -> list[str]:
        """The entity IRIs a reference names, most mentioned first: an IRI (``<...>``,
        ``https://...`` or a prefixed name), else a name or alias of the article graphs."""
        if ref in self._cache:
            return self._cache[ref]
        iri = None
        if ref.startswith("<") and ref.endswith(">"):
            iri = ref[1:-1]
        elif ref.startswith(("http://", "https://")):
            iri = ref
        elif ":" in ref and " " not in ref:
            prefix, local = ref.split(":", 1)
            ns = {**PREFIXES, **ID_PREFIXES}.get(prefix)
            iri = ns + local if ns else None
        if iri is not None and any(c in iri for c in '<>"{}|^`\\ \t\n'):
            found = []  # not an IRI a store can hold
        elif iri is not None:
            found = [iri] if self._ask(f"ASK {{ GRAPH ?g {{ ?x kg:entity <{iri}> }} }}") else []
        else:
            rows = self._rows(f"""SELECT ?e (SUM(?c) AS ?n) WHERE {{
                {{ GRAPH ?g {{ ?x kg:entity ?e ; kg:nameInArticle ?v ; kg:count ?c }} }}
                UNION {{ GRAPH ?g {{ ?x kg:entity ?e ; kg:count ?c . ?e skos:altLabel ?v }} }}
                FILTER (?g != {_S} && LCASE(STR(?v)) = {_lit(ref.lower())}) }} GROUP BY ?e ORDER BY DESC(?n) ?e""")
            found = [r[0].value for r in rows]
        self._cache[ref] = found
        return found

    def around(self, entities: list[str]) -> set[str]:
        """The summary nodes whose entries name these entities in the article graphs:
        statements, quotations, open statements, articles, entities with a plain triple to them."""
        if not entities:
            return set()
        values = " ".join(f"<{e}>" for e in entities)
        rows = self._rows(f"""SELECT DISTINCT ?x WHERE {{ VALUES ?e {{ {values} }}
            GRAPH ?g {{ ?x ?p ?e }} FILTER (?g != {_S} && ?p != kg:entity) }}""")
        return {r[0].value for r in rows} | set(entities)


def _plan(store, curation: Curation) -> _Plan:
    """The nodes to recompute and the operations of the rules, with how many things each
    rule touched (0: it matched nothing)."""
    res = _Resolver(store)
    plan = _Plan()
    merged: dict[str, str] = {}  # from -> into, for the rules after the merges

    def one(ref: str) -> str | None:
        found = res.entities(ref)
        if len(found) > 1:
            log.info("curation: %r names %d entities; taking the most mentioned, %s", ref, len(found), found[0])
        return merged.get(found[0], found[0]) if found else None

    folded = False
    for rule in sorted(curation.rules, key=lambda r: KINDS.index(r.kind)):  # merges first
        a, n = rule.args, 0
        if rule.kind != "merge" and not folded:
            folded = True
            _fold(res, merged, plan)
        if rule.kind == "merge":
            into = one(a["into"])
            froms = sorted({merged.get(e, e) for ref in a["from"] for e in res.entities(ref)} - {into}) if into else []
            for f in froms:
                merged[f] = into
                for k, v in list(merged.items()):
                    if v == f:
                        merged[k] = into
            if froms:
                plan.view["merged"].update({f: into for f in froms})
                plan.touched |= res.around([into, *froms])
                plan.ops += _merge_ops(store, into, froms)
            n = len(froms)
        elif rule.kind == "split":
            e = one(a["entity"])
            if e is not None:
                alias = _lit(a["alias"].lower())
                n = int(res.answers_to(e, a["alias"]))
                plan.view["unaliased"].setdefault(e, []).append(a["alias"].lower())
                plan.touched.add(e)
                plan.ops.append(f"DELETE {{ GRAPH {_S} {{ <{e}> skos:altLabel ?v . <{e}> kg:matchKey ?k }} }} WHERE {{ "
                                f"GRAPH {_S} {{ <{e}> skos:altLabel ?v FILTER (LCASE(STR(?v)) = {alias}) "
                                f"OPTIONAL {{ <{e}> kg:matchKey ?k FILTER (STR(?k) = {alias}) }} }} }}")
        elif rule.kind == "retype":
            e = one(a["entity"])
            if e is not None:
                plan.touched.add(e)
                plan.view["types"][e] = a["type"]
                plan.ops.append(f"DELETE {{ GRAPH {_S} {{ <{e}> a ?t }} }} INSERT {{ GRAPH {_S} {{ <{e}> a kg:{a['type']} }} }} "
                                f"WHERE {{ GRAPH {_S} {{ <{e}> a ?t }} }}")
                n = 1
        elif rule.kind == "block_entity":
            e = one(a["entity"])
            if e is not None:
                plan.touched |= res.around([e])
                plan.view["blocked"].append(e)
                plan.ops += _block_entity_ops(e)
                n = 1
        else:  # block_fact
            s, o = one(a["subject"]), one(a["object"])
            p = a["predicate"]
            p = p[1:-1] if p.startswith("<") else (KG + p.split(":", 1)[1] if p.startswith("kg:") else
                                                    p if "://" in p else KG + p)
            if s and o:
                plan.touched |= res.around([s, o])
                sts = [r[0].value for r in res._rows(f"SELECT DISTINCT ?st WHERE {{ GRAPH ?g {{ ?st rdf:predicate <{p}> ; "
                                  f"rdf:subject ?s ; rdf:object ?o }} VALUES ?s {{ {' '.join(f'<{x}>' for x in [s, *[k for k, v in merged.items() if v == s]])} }} "
                                  f"VALUES ?o {{ {' '.join(f'<{x}>' for x in [o, *[k for k, v in merged.items() if v == o]])} }} "
                                  f"FILTER (?g != {_S}) }}")]
                n = len(sts)
                plan.view["facts"] += sts
                plan.ops.append(f"DELETE {{ GRAPH {_S} {{ ?st ?q ?v }} }} WHERE {{ GRAPH {_S} {{ ?st rdf:subject <{s}> ; "
                                f"rdf:predicate <{p}> ; rdf:object <{o}> ; ?q ?v }} }}")
                plan.ops.append(f"DELETE DATA {{ GRAPH {_S} {{ <{s}> <{p}> <{o}> }} }}")
        plan.counts.append(n)
    if not folded:
        _fold(res, merged, plan)
    return plan


def _fold(res: _Resolver, merged: dict[str, str], plan: _Plan) -> None:
    """Statements that a merge makes alike (subject, predicate, object, polarity, modality and
    attribution, the merged entities taken as one) become one summary entry: the least IRI,
    with the figures of all their evidence (as SUMMARY_UPDATE computes them) and every article."""
    from decimal import Decimal

    from .summary import confidence, sources_literal

    if not merged:
        return
    values = " ".join(f"<{e}>" for e in {*merged, *merged.values()})
    rows = res._rows(f"""SELECT ?st ?s ?p ?o ?pol ?mod ?att ?ev ?art ?doc ?conf ?sent WHERE {{
        VALUES ?e {{ {values} }}
        GRAPH ?g {{ {{ ?st rdf:subject ?e }} UNION {{ ?st rdf:object ?e }}
          ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:polarity ?pol ; kg:modality ?mod ;
              kg:evidence ?ev . ?ev kg:article ?art . ?art kg:docId ?doc .
          OPTIONAL {{ ?st kg:attributedTo ?att }} OPTIONAL {{ ?ev kg:confidence ?conf }} OPTIONAL {{ ?ev kg:sentence ?sent }} }}
        FILTER (?g != {_S}) }}""")
    core: dict[str, list] = {}
    evidence: dict[str, set] = {}
    for st, s, p, o, pol, mod, att, ev, art, doc, conf, sent in rows:
        c = core.setdefault(st.value, [merged.get(s.value, s.value), p.value, merged.get(o.value, o.value),
                                       pol.value, mod.value, set()])
        if att is not None:
            c[5].add(merged.get(att.value, att.value))
        evidence.setdefault(st.value, set()).add((ev.value, art.value, doc.value, conf.value if conf else None,
                                                   sent.value if sent else None))
    groups: dict[tuple, list[str]] = {}
    for st, c in core.items():
        groups.setdefault((*c[:5], tuple(sorted(c[5]))), []).append(st)
    for members in groups.values():
        if len(members) < 2:
            continue
        keep, *others = sorted(members)
        evs = {e for m in members for e in evidence[m]}
        supported = [e for e in evs if e[3] is not None]
        arts = {e[1]: e[2] for e in supported}
        if not supported:
            continue
        w = len(arts)
        conf = confidence(max(Decimal(e[3]) for e in supported), w)
        sentences = sorted(e[4] for e in evs if e[4] is not None)
        k = f"<{keep}>"
        figures = (f"{k} kg:weight {w} . {k} kg:evidenceCount {len({e[0] for e in supported})} . "
                   f"{k} kg:confidence {format(conf.normalize(), 'f')} . {k} kg:sources {_lit(sources_literal(arts.values(), w))} . "
                   + (f"{k} kg:exampleSentence {_lit(sentences[0])} . " if sentences else "")
                   + " ".join(f"{k} kg:reportedIn <{a}> ." for a in sorted(arts)))
        dropped = " ".join(f"<{m}>" for m in others)
        plan.ops += [
            f"DELETE {{ GRAPH {_S} {{ ?x ?q ?v }} }} WHERE {{ VALUES ?x {{ {dropped} }} GRAPH {_S} {{ ?x ?q ?v }} }}",
            f"DELETE {{ GRAPH {_S} {{ {k} ?q ?v }} }} WHERE {{ VALUES ?q {{ kg:weight kg:evidenceCount kg:confidence "
            f"kg:sources kg:exampleSentence }} GRAPH {_S} {{ {k} ?q ?v }} }}",
            f"INSERT DATA {{ GRAPH {_S} {{ {figures} }} }}",
        ]
        plan.view.setdefault("folded", {}).update({m: keep for m in others})


def _merge_ops(store, into: str, froms: list[str]) -> list[str]:
    """Operations that fold the entries of ``froms`` into ``into`` in the summary graph (run
    after their entries were recomputed from the article graphs)."""
    values = " ".join(f"<{f}>" for f in froms)
    both = f"{values} <{into}>"
    i = f"<{into}>"
    return [
        # every mention of them and the articles they are in: one entity's figures
        f"DELETE {{ GRAPH {_S} {{ {i} kg:mentionCount ?m0 . {i} kg:articleCount ?a0 }} }} "
        f"INSERT {{ GRAPH {_S} {{ {i} kg:mentionCount ?m . {i} kg:articleCount ?a }} }} WHERE {{ "
        f"{{ SELECT (SUM(?c) AS ?m) (COUNT(DISTINCT ?art) AS ?a) WHERE {{ VALUES ?e {{ {both} }} "
        f"GRAPH ?g {{ ?x a kg:Mentions ; kg:entity ?e ; kg:article ?art ; kg:count ?c }} }} }} "
        f"OPTIONAL {{ GRAPH {_S} {{ {i} kg:mentionCount ?m0 }} }} OPTIONAL {{ GRAPH {_S} {{ {i} kg:articleCount ?a0 }} }} }}",
        # their labels and aliases are its aliases; their links its links
        f"INSERT {{ GRAPH {_S} {{ {i} skos:altLabel ?v . {i} kg:matchKey ?k }} }} WHERE {{ VALUES ?f {{ {values} }} "
        f"GRAPH {_S} {{ ?f rdfs:label|skos:altLabel ?v }} BIND (LCASE(STR(?v)) AS ?k) "
        f"FILTER NOT EXISTS {{ GRAPH {_S} {{ {i} rdfs:label ?v }} }} }}",
        f"INSERT {{ GRAPH {_S} {{ {i} ?p ?o }} }} WHERE {{ VALUES ?f {{ {values} }} GRAPH {_S} {{ ?f ?p ?o }} "
        f"FILTER (?p NOT IN (rdf:type, rdfs:label, skos:altLabel, kg:matchKey, kg:mentionCount, kg:articleCount)) }}",
        f"DELETE {{ GRAPH {_S} {{ ?s ?p ?f }} }} INSERT {{ GRAPH {_S} {{ ?s ?p {i} }} }} WHERE {{ VALUES ?f {{ {values} }} "
        f"GRAPH {_S} {{ ?s ?p ?f }} }}",
        f"DELETE {{ GRAPH {_S} {{ ?f ?p ?o }} }} WHERE {{ VALUES ?f {{ {values} }} GRAPH {_S} {{ ?f ?p ?o }} }}",
    ]


def _block_entity_ops(e: str) -> list[str]:
    """Operations that take an entity, the statements, open statements and quotations it is
    subject, object or speaker of, and the plain triples and mentions naming it out of the summary."""
    return [
        f"DELETE {{ GRAPH {_S} {{ ?st ?p ?o }} }} WHERE {{ GRAPH {_S} {{ ?st rdf:subject|rdf:object|kg:speaker <{e}> ; ?p ?o }} }}",
        f"DELETE {{ GRAPH {_S} {{ ?s ?p <{e}> }} }} WHERE {{ GRAPH {_S} {{ ?s ?p <{e}> }} }}",
        f"DELETE {{ GRAPH {_S} {{ <{e}> ?p ?o }} }} WHERE {{ GRAPH {_S} {{ <{e}> ?p ?o }} }}",
    ]


def apply(store, curation: Curation) -> list[tuple[Rule, int]]:
    """Apply ``curation`` to the store's summary graph (one transaction; idempotent) and record
    what it did in ``STORE/curation-state.json``. Returns each rule with how many things it
    touched (0: it matches nothing; the CLI warns)."""
    from . import summary

    before = state(store.path)
    if not curation.rules and not before.get("nodes"):
        return []
    plan = _plan(store, curation)
    nodes = plan.touched | set(before.get("nodes", ()))
    ops = [summary.update_for(sorted(nodes))] if nodes else []
    ops += plan.ops
    if ops:
        store.update(_PROLOGUE + " ;\n".join(_body(op) for op in ops))
    done = list(zip(curation.rules, _in_file_order(curation, plan.counts)))
    for rule, n in done:
        if n == 0:
            log.info("curation: %s", unmatched(curation, rule))
    with atomic_file(Path(store.path) / STATE_FILE, "w") as f:
        json.dump({"file": str(curation.path) if curation.path else None, "signature": signature(curation),
                   "rules": [{"rule": r.describe(), "line": r.line, "touched": n} for r, n in done],
                   "nodes": sorted(plan.touched), "view": plan.view}, f, indent=1)
    return done


def signature(curation: Curation) -> list:
    """The rules as data (kind and arguments, in order): what the state file records."""
    return [[r.kind, r.args] for r in curation.rules]


def is_applied(store_path, curation: Curation) -> bool:
    """Whether the last application (recorded in the state file) was of these same rules."""
    before = state(store_path)
    if not before:
        return not curation.rules
    return before.get("signature") == json.loads(json.dumps(signature(curation)))


def unmatched(curation: Curation, rule: Rule) -> str:
    """The warning for a rule that matches nothing."""
    return f"{rule.describe()} ({curation.path} line {rule.line}) matches nothing"


def _in_file_order(curation: Curation, counts: list[int]) -> list[int]:
    """The counts of :func:`_plan` (rules taken merges first) in the file's order."""
    order = sorted(range(len(curation.rules)), key=lambda i: KINDS.index(curation.rules[i].kind))
    out = [0] * len(counts)
    for n, i in zip(counts, order):
        out[i] = n
    return out


def _body(op: str) -> str:
    """An update without its PREFIX lines and final ``;`` (:data:`_PROLOGUE` declares them all once)."""
    return "\n".join(line for line in op.strip().splitlines() if not line.startswith("PREFIX ")).strip().rstrip(";")


def curate_graph(G, store_path) -> None:
    """Apply the store's last applied curation (``curation-state.json``) to a projection of the
    union of the graphs (:mod:`kg.graph`: exports, viz), as it is applied to the summary graph:
    blocked facts' edges and blocked entities' nodes dropped, merged nodes contracted into one
    (mentions and sources summed), types and aliases corrected."""
    from .graph.common import node_id

    view = state(store_path).get("view")
    if not view or G is None or not hasattr(G, "nodes"):
        return
    G.remove_edges_from([(u, v, k) for u, v, k in G.edges(keys=True) if k in {node_id(x) for x in view["facts"]}])
    G.remove_nodes_from([node_id(e) for e in view["blocked"]])
    for f, into in view["merged"].items():
        fid, iid = node_id(f), node_id(into)
        if fid not in G:
            continue
        if iid not in G:
            G.add_node(iid, **G.nodes[fid])
        fd, idata = G.nodes[fid], G.nodes[iid]
        for key in ("mentions",):
            if key in fd and key in idata:
                idata[key] = int(idata[key]) + int(fd[key])
        if "sources" in idata:
            docs = sorted({*filter(None, str(idata["sources"]).split("|")), *filter(None, str(fd.get("sources", "")).split("|"))})
            idata["sources"] = "|".join(docs)
            if "articles" in idata:
                idata["articles"] = len(docs)
        if "aliases" in idata:
            names = {*filter(None, str(idata["aliases"]).split("|")), *filter(None, str(fd.get("aliases", "")).split("|")),
                     str(fd.get("label", ""))} - {idata.get("label"), ""}
            idata["aliases"] = "|".join(sorted(names))
        for u, _, k, d in list(G.in_edges(fid, keys=True, data=True)):
            G.add_edge(iid if u == fid else u, iid, key=k, **d)
        for _, v, k, d in list(G.out_edges(fid, keys=True, data=True)):
            G.add_edge(iid, iid if v == fid else v, key=k, **d)
        G.remove_node(fid)
    edges = {k: (u, v) for u, v, k in G.edges(keys=True)}
    for b, a in view.get("folded", {}).items():  # statements made alike by a merge: one edge
        kb, ka = node_id(b), node_id(a)
        if kb not in edges or ka not in edges:
            continue
        (ub, vb), (ua, va) = edges.pop(kb), edges[ka]
        db, da = G.edges[ub, vb, kb], G.edges[ua, va, ka]
        docs = sorted({*filter(None, str(da.get("sources", "")).split("|")), *filter(None, str(db.get("sources", "")).split("|"))})
        da["sources"], da["weight"] = "|".join(docs), len(docs)
        da["confidence"] = max(float(da.get("confidence", 0)), float(db.get("confidence", 0)))
        G.remove_edge(ub, vb, kb)
    for e, t in view["types"].items():
        if node_id(e) in G:
            G.nodes[node_id(e)]["type"] = t
    for e, aliases in view["unaliased"].items():
        d = G.nodes.get(node_id(e)) if node_id(e) in G else None
        if d is not None and "aliases" in d:
            d["aliases"] = "|".join(a for a in str(d["aliases"]).split("|") if a and a.lower() not in aliases)


def curate_union(g, store_path):
    """The rdflib Graph ``g`` (the union of the store's graphs, as :mod:`kg.validate` checks it)
    as the curated view reads it: merged entities and folded statements under one IRI, blocked
    entities, facts, and what names them (statements, quotations, mention and evidence records)
    left out. ``g`` itself when the store was never curated."""
    view = state(store_path).get("view")
    if not view:
        return g
    from rdflib import Graph, URIRef

    def iris(xs):
        return {URIRef(x) for x in xs}

    rename = {URIRef(k): URIRef(v) for k, v in {**view["merged"], **view.get("folded", {})}.items()}
    blocked = iris(view["blocked"])
    drop = blocked | iris(view["facts"])
    for p in ("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject", "http://www.w3.org/1999/02/22-rdf-syntax-ns#object",
              KG + "speaker", KG + "entity"):
        for e in blocked:
            drop.update(g.subjects(URIRef(p), e))
    for x in list(drop):
        drop.update(o for o in g.objects(x, URIRef(KG + "evidence")))
    out = Graph()
    for s, p, o in g:
        if s in drop or o in drop:
            continue
        out.add((rename.get(s, s), p, rename.get(o, o)))
    return out
