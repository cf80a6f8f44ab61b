"""GEXF 1.3 for Gephi: typed attributes, ``viz:*`` colours, sizes and positions, a timeline."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from .xmlwriter import XSI_NS, attribute_types, fmt, write_tree

GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"
GEXF_SCHEMA_LOCATION = "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"
_GEXF_TYPES = {int: "integer", float: "double", str: "string", bool: "boolean"}
_GEXF_NODE_RESERVED = {"label", "start", "r", "g", "b", "size", "x", "y"}
_GEXF_EDGE_RESERVED = {"id", "label", "kind", "weight", "start", "r", "g", "b"}


def _q(tag: str) -> str:
    return f"{{{GEXF_NS}}}{tag}"


def _v(tag: str) -> str:
    return f"{{{GEXF_VIZ_NS}}}{tag}"


def _declare(graph, cls: str, items, reserved) -> list[str]:
    """The ``<attributes>`` of a class (node or edge): one typed attribute per name."""
    kinds = attribute_types(items, reserved)
    if kinds:
        el = ET.SubElement(graph, _q("attributes"), {"class": cls, "mode": "static"})
        for k, t in kinds.items():
            ET.SubElement(el, _q("attribute"), {"id": k, "title": k, "type": _GEXF_TYPES.get(t, "string")})
    return list(kinds)


def _attvalues(parent, d: dict, names: list[str]) -> None:
    vals = [(k, d[k]) for k in names if k in d and d[k] is not None]
    if vals:
        el = ET.SubElement(parent, _q("attvalues"))
        for k, val in vals:
            ET.SubElement(el, _q("attvalue"), {"for": k, "value": fmt(val)})


def _viz_color(parent, d: dict) -> None:
    if all(c in d for c in "rgb"):
        ET.SubElement(parent, _v("color"), {c: str(int(d[c])) for c in "rgb"})


def _nodes(graph, G, names: list[str], has_dates: bool) -> None:
    nodes = ET.SubElement(graph, _q("nodes"))
    for n, d in G.nodes(data=True):
        attrs = {"id": str(n), "label": str(d.get("label", n))}
        if has_dates and d.get("start"):
            attrs["start"] = d["start"]
        el = ET.SubElement(nodes, _q("node"), attrs)
        _attvalues(el, d, names)
        _viz_color(el, d)
        if "size" in d:
            ET.SubElement(el, _v("size"), {"value": fmt(float(d["size"]))})
        if "x" in d and "y" in d:
            ET.SubElement(el, _v("position"), {"x": fmt(float(d["x"])), "y": fmt(float(d["y"])), "z": "0.0"})


def _edges(graph, G, names: list[str], has_dates: bool) -> None:
    edges = ET.SubElement(graph, _q("edges"))
    multi = G.is_multigraph()
    for i, e in enumerate(G.edges(keys=True, data=True) if multi else G.edges(data=True)):
        u, w, d = e[0], e[1], e[-1]
        attrs = {"id": str(d.get("id", e[2] if multi else i)), "source": str(u), "target": str(w)}
        for k in ("label", "kind"):
            if d.get(k):
                attrs[k] = str(d[k])
        if "weight" in d:
            attrs["weight"] = fmt(float(d["weight"]))
        if has_dates and d.get("start"):
            attrs["start"] = d["start"]
        el = ET.SubElement(edges, _q("edge"), attrs)
        _attvalues(el, d, names)
        _viz_color(el, d)


def write_gexf(G, fh, dynamic: bool = True, description: str = "") -> None:
    """GEXF 1.3 for Gephi: node ``label``, typed ``<attvalues>``, ``viz:color`` / ``viz:size`` /
    ``viz:position``; edge ``id``, ``label``, ``weight``, ``kind`` (distinct for the parallel
    edges between two nodes, so Gephi keeps them apart), ``viz:color``, typed attvalues.

    With ``dynamic`` and some ``start`` dates, the graph is ``mode="dynamic"``
    ``timeformat="date"`` and every node and edge with a date gets ``start`` (it appears on
    Gephi's timeline then and stays: no ``end``)."""
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("viz", GEXF_VIZ_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(_q("gexf"), {"version": "1.3", f"{{{XSI_NS}}}schemaLocation": GEXF_SCHEMA_LOCATION})
    meta = ET.SubElement(root, _q("meta"))
    ET.SubElement(meta, _q("creator")).text = "kg (https://w3id.org/newskg/)"
    if description:
        ET.SubElement(meta, _q("description")).text = description
    has_dates = dynamic and any(d.get("start") for _, d in G.nodes(data=True))
    gattrs = {"defaultedgetype": "directed" if G.is_directed() else "undirected"}
    if has_dates:
        gattrs.update(mode="dynamic", timeformat="date")
    else:
        gattrs["mode"] = "static"
    graph = ET.SubElement(root, _q("graph"), gattrs)
    node_names = _declare(graph, "node", [d for _, d in G.nodes(data=True)], _GEXF_NODE_RESERVED)
    edge_names = _declare(graph, "edge", [d for *_, d in G.edges(data=True)], _GEXF_EDGE_RESERVED)
    _nodes(graph, G, node_names, has_dates)
    _edges(graph, G, edge_names, has_dates)
    write_tree(root, fh)
