"""GraphML as Gephi, networkx, igraph and graphology read it."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from .xmlwriter import XSI_NS, attribute_types, fmt, write_tree

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_SCHEMA_LOCATION = "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
_GRAPHML_TYPES = {bool: "boolean", int: "int", float: "double", str: "string"}


def write_graphml(G, fh) -> None:
    """GraphML as Gephi's importer reads it: ``label``, ``r``/``g``/``b`` (``int``), ``size``,
    ``x``, ``y`` on nodes; ``label`` and ``weight`` on edges; one key per attribute name and
    domain with one type (int, double, string); ``edgedefault="directed"`` for directed
    projections; every edge has its ``id``. Keys are ``d0``, ``d1``… with ``attr.name``."""
    def q(tag: str) -> str:
        return f"{{{GRAPHML_NS}}}{tag}"

    ET.register_namespace("", GRAPHML_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(q("graphml"), {f"{{{XSI_NS}}}schemaLocation": GRAPHML_SCHEMA_LOCATION})
    multi = G.is_multigraph()
    keys: dict[tuple[str, str], str] = {}
    # edges keep an "id" data key besides <edge id>: Gephi maps it to the edge id, and igraph 1.0
    # would otherwise fill its edge "id" attribute with node ids (it warns and keeps ours instead)
    for domain, items in (("node", [d for _, d in G.nodes(data=True)]), ("edge", [d for *_, d in G.edges(data=True)])):
        for k, t in attribute_types(items).items():
            kid = f"d{len(keys)}"
            keys[(domain, k)] = kid
            ET.SubElement(root, q("key"), {"id": kid, "for": domain, "attr.name": k,
                                           "attr.type": _GRAPHML_TYPES.get(t, "string")})
    graph = ET.SubElement(root, q("graph"), {"id": "G", "edgedefault": "directed" if G.is_directed() else "undirected"})

    def data(parent, domain: str, d: dict) -> None:
        for k, v in d.items():
            kid = keys.get((domain, k))
            if kid is not None and v is not None:
                ET.SubElement(parent, q("data"), {"key": kid}).text = fmt(v)

    for n, d in G.nodes(data=True):
        data(ET.SubElement(graph, q("node"), {"id": str(n)}), "node", d)
    for i, e in enumerate(G.edges(keys=True, data=True) if multi else G.edges(data=True)):
        u, v, d = e[0], e[1], e[-1]
        eid = str(d.get("id", e[2] if multi else f"e{i}"))
        data(ET.SubElement(graph, q("edge"), {"id": eid, "source": str(u), "target": str(v)}), "edge", d)
    write_tree(root, fh)
