"""SHACL validation of the store against ``data/shapes.ttl`` (``kg validate``).

The shapes are checked with pyshacl on the *union* of all graphs of the store (article
graphs, summary graph, ontology graph): that is the graph a reader sees, statements read in
several articles are one node there, and ``sh:class`` can follow ``rdfs:subClassOf`` from the
ontology graph (``kg:presidentOf`` is a ``kg:RolePredicate``, hence a ``kg:RelationPredicate``).
If the store has no ontology graph, ``data/ontology.ttl`` is added to the checked graph.

Limit: pyshacl runs in pure Python on an in-memory rdflib graph, so the whole union is copied
into memory (pyoxigraph serialises it as N-Triples, rdflib parses it). That is a second or so
for ~10^4 triples and grows about linearly: fine for thousands of articles, slow (minutes,
gigabytes) for millions of triples, where a native SHACL engine would be the tool.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .namespaces import ONTOLOGY_GRAPH, PREFIXES, shorten
from .paths import data_dir
from .store import pending_graphs

SH = "http://www.w3.org/ns/shacl#"


class ValidationError(Exception):
    """The shapes file or the store could not be read (usage error, exit 2)."""


@dataclass
class Violation:
    focus: str
    path: str | None
    message: str
    value: str | None
    severity: str
    shape: str | None
    component: str | None


@dataclass
class ValidationResult:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    n_triples: int = 0
    results_graph: object = None  # rdflib.Graph of the SHACL validation report
    notes: list[str] = field(default_factory=list)

    @property
    def n_violations(self) -> int:
        return sum(1 for v in self.violations if v.severity == "Violation")


def default_shapes() -> Path:
    return data_dir() / "shapes.ttl"


def union_graph(store):
    """The union of all graphs of ``store`` (a :class:`kg.store.KGStore`) as an rdflib Graph,
    as its curation reads it (:func:`kg.curation.curate_union`)."""
    import pyoxigraph as ox
    from rdflib import Graph

    g = Graph()
    nt = store.ox.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True).serialize(
        format=ox.RdfFormat.N_TRIPLES
    )
    if nt:
        g.parse(data=nt, format="nt")
    from .curation import curate_union

    return curate_union(g, store.path)


def load_shapes(path: str | Path | None = None):
    from rdflib import Graph

    path = Path(path) if path else default_shapes()
    g = Graph()
    try:
        g.parse(str(path), format="turtle")
    except FileNotFoundError:
        raise ValidationError(f"no shapes file {path}") from None
    except Exception as e:  # rdflib raises many parser exception types
        raise ValidationError(f"cannot parse shapes file {path}: {e}") from e
    return g


def check(store, shapes: str | Path | None = None) -> ValidationResult:
    """Validate ``store`` against the shapes; returns every result of the SHACL report."""
    import pyoxigraph as ox
    from pyshacl import validate as shacl_validate
    from rdflib import Graph

    shapes_graph = load_shapes(shapes)
    data = union_graph(store)
    notes = []
    if not store.ox.contains_named_graph(ox.NamedNode(ONTOLOGY_GRAPH)):
        onto = data_dir() / "ontology.ttl"
        data.parse(str(onto), format="turtle")
        notes.append(f"the store has no ontology graph; checked with {onto}")
    pending = pending_graphs(store)
    if pending:
        notes.append(f"{len(pending)} article graph(s) of an unfinished bulk write are pending (a build at work, "
                     "or one that was killed: the next `kg build` removes them and writes those articles again)")
    n = len(data)
    conforms, results_graph, _ = shacl_validate(
        data,
        shacl_graph=shapes_graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=False,
    )
    assert isinstance(results_graph, Graph)
    for prefix, ns in PREFIXES.items():
        results_graph.bind(prefix, ns)
    results_graph.bind("sh", SH)
    return ValidationResult(bool(conforms), _violations(results_graph), n, results_graph, notes)


def validate(store, shapes: str | Path | None = None, max_shown: int = 20) -> tuple[bool, str, int]:
    """``(conforms, readable report, number of violations)`` for ``store``."""
    res = check(store, shapes)
    return res.conforms, format_report(res, max_shown), res.n_violations


def _violations(g) -> list[Violation]:
    from rdflib import URIRef
    from rdflib.namespace import RDF

    def get(node, name: str):
        return g.value(node, URIRef(SH + name))

    out = []
    for r in g.subjects(RDF.type, URIRef(SH + "ValidationResult")):
        sev = get(r, "resultSeverity")
        value = get(r, "value")
        shape = get(r, "sourceShape")
        out.append(Violation(
            focus=_short(get(r, "focusNode")),
            path=_path(g, get(r, "resultPath")),
            message=str(get(r, "resultMessage") or ""),
            value=_short(value) if value is not None else None,
            severity=str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation",
            shape=_short(shape) if isinstance(shape, URIRef) else None,
            component=str(get(r, "sourceConstraintComponent") or "").rsplit("#", 1)[-1] or None,
        ))
    out.sort(key=lambda v: (v.severity != "Violation", v.message, v.path or "", v.focus))
    return out


def _short(term) -> str:
    """A compact, prefixed form of a term for the report."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return "-"
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, Literal):
        text = str(term)
        text = text if len(text) <= 60 else text[:57] + "..."
        return '"' + text.replace("\n", " ") + '"' + (f"^^{_short(term.datatype)}" if term.datatype else "")
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _path(g, node) -> str | None:
    from rdflib import BNode, URIRef

    if node is None:
        return None
    if isinstance(node, BNode):  # a complex path: only inverse paths are named in the report
        inv = g.value(node, URIRef(SH + "inversePath"))
        return f"^{_short(inv)}" if inv is not None else "(path)"
    return _short(node)


def format_report(res: ValidationResult, max_shown: int = 20) -> str:
    """A readable report: results grouped by (message, path, constraint), with their focus
    nodes; about ``max_shown`` focus nodes in all, and at least one per group."""
    lines = []
    for note in res.notes:
        lines.append(f"note: {note}")
    if res.conforms and not res.violations:
        lines.append(f"conforms: yes ({res.n_triples} triples checked, 0 violations)")
        return "\n".join(lines) + "\n"
    groups: dict[tuple, list[Violation]] = defaultdict(list)
    for v in res.violations:
        groups[(v.severity, _component(v.component), v.message, v.path)].append(v)
    n_warn = len(res.violations) - res.n_violations
    head = f"conforms: {'yes' if res.conforms else 'no'} ({res.n_triples} triples checked, " \
           f"{res.n_violations} violation(s)" + (f", {n_warn} other result(s)" if n_warn else "") + \
           f" in {len(groups)} group(s))"
    lines.append(head)
    shown = 0
    for (severity, component, message, path), vs in groups.items():
        lines.append("")
        where = ", ".join(x for x in (f"path {path}" if path else "", component) if x)
        lines.append(f"{severity}: {message}  [{where}]  x{len(vs)}")
        printed = 0
        for v in vs:
            if shown >= max_shown and printed:  # every group shows at least one focus node
                break
            value = f"  value {v.value}" if v.value is not None and v.value != v.focus else ""
            lines.append(f"  focus {v.focus}{value}")
            shown += 1
            printed += 1
        if printed < len(vs):
            lines.append(f"  ... and {len(vs) - printed} more")
    if len(res.violations) > shown:
        lines.append("")
        lines.append(f"({shown} of {len(res.violations)} results shown; --max-shown N for more, "
                     "--format ttl for the full SHACL report)")
    return "\n".join(lines) + "\n"


def _component(name: str | None) -> str:
    """``MaxCountConstraintComponent`` -> ``maxCount``."""
    if not name:
        return ""
    name = name.removesuffix("ConstraintComponent")
    return name[:1].lower() + name[1:]


def report_turtle(res: ValidationResult) -> str:
    return res.results_graph.serialize(format="turtle")
