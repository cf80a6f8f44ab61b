"""`kg viz`: a picture of the graph.

* ``.html``: one self-contained offline page (the data, a small canvas renderer in plain JS
  and its CSS are inlined from ``kg/viz_assets/``; no library, no CDN, and a
  Content-Security-Policy that forbids any network load). Search, colours by type with a
  legend, zoom and pan, and a side panel with the relations and evidence sentences (with
  their articles) of a clicked node or edge.
* ``.png`` / ``.svg``: a static matplotlib drawing with the labels of the top entities.

Both use the decorated projection of :mod:`kg.graph` (palette, layout with a fixed seed,
sizes), so the page, the image and the Gephi files show the same picture.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

from .export import open_output
from .graph import QUOTATION_TYPE, SIZE_MAX, GraphError, decorate, palette, project

ASSETS = Path(__file__).resolve().parent / "viz_assets"
FORMATS = ("html", "png", "svg")
VIZ_GRAPHS = ("entities", "cooccurrence")
MAX_NODES = 1500  # the HTML view keeps the best-connected nodes of larger graphs
MAX_EVIDENCE = 20  # sentences per edge embedded in the page
TOP_LABELS = 25  # labelled nodes in the static image


class VizError(Exception):
    """The picture could not be made; the message says why."""


def format_of(output: str | Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise VizError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return fmt
    ext = Path(str(output)).suffix.lower().lstrip(".")
    if ext == "htm":
        ext = "html"
    if ext not in FORMATS:
        raise VizError(f"cannot tell the format of {output}: name it .html, .png or .svg (or give --format)")
    return ext


def _hex(r: int, g: int, b: int) -> str:
    return f"#{int(r):02x}{int(g):02x}{int(b):02x}"


def _rank(G) -> list:
    """Nodes by importance: connected first, then mentions (else degree), degree, id."""
    return sorted(G.nodes, key=lambda n: (G.degree(n) == 0, -G.nodes[n].get("mentions", G.degree(n)),
                                          -G.degree(n), str(n)))


def trim(G, max_nodes: int):
    """The subgraph of the ``max_nodes`` most important nodes (the graph itself if small)."""
    if max_nodes <= 0 or G.number_of_nodes() <= max_nodes:
        return G
    return G.subgraph(_rank(G)[:max_nodes]).copy()


# ---------------------------------------------------------------- HTML
def view_data(G, details: dict, title: str, graph: str, total: tuple[int, int]) -> dict:
    """The JSON the page reads: nodes (layout, colour, size, facts), edges with evidence, articles."""
    pal = palette()
    nodes, index = [], {}
    for i, (n, d) in enumerate(G.nodes(data=True)):
        index[n] = i
        nodes.append({
            "id": str(n), "label": str(d.get("label", n)), "type": d.get("type", ""),
            "color": _hex(d["r"], d["g"], d["b"]), "size": d["size"], "x": d["x"], "y": d["y"],
            "community": d.get("community", 0), "mentions": d.get("mentions", 0), "articles": d.get("articles", 0),
            "aliases": d.get("aliases", ""), "qid": d.get("qid", ""), "start": d.get("start", ""),
        })
    evidence = details.get("evidence", {})
    edges = []
    multi = G.is_multigraph()
    for e in (G.edges(keys=True, data=True) if multi else G.edges(data=True)):
        u, v, d = e[0], e[1], e[-1]
        eid = str(d.get("id", e[2] if multi else f"{u}->{v}"))
        ev = evidence.get(eid, [])
        edges.append({
            "id": eid, "s": index[u], "t": index[v], "label": d.get("label", ""), "kind": d.get("kind", ""),
            "weight": d.get("weight", 1), "polarity": d.get("polarity", "positive"),
            "modality": d.get("modality", "asserted"), "attributed_to": d.get("attributed_to", ""),
            "vocabulary": d.get("vocabulary", ""),
            "confidence": d.get("confidence", ""), "start": d.get("start", ""),
            "color": _hex(d["r"], d["g"], d["b"]),
            "evidence": [list(p) for p in ev[:MAX_EVIDENCE]], "evidence_total": len(ev),
        })
    docs = {doc for e in edges for doc, _ in e["evidence"]}
    articles = {doc: a for doc, a in details.get("articles", {}).items() if doc in docs}
    counts = Counter(n["type"] for n in nodes)
    types = [{"type": t, "color": _hex(*pal["types"].get(t, pal["default"])), "count": c}
             for t, c in sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))]
    n_all, e_all = total
    shown = f"{len(nodes)} nodes and {len(edges)} edges"
    if (len(nodes), len(edges)) != (n_all, e_all):
        shown += f" (the {len(nodes)} most connected of {n_all} nodes; {e_all} edges in all)"
    summary = {"entities": "Entities and the relations between them: ",
               "cooccurrence": "Entities named in the same sentence: "}.get(graph, "") + shown + "."
    return {
        "title": title, "graph": graph, "directed": G.is_directed(), "summary": summary,
        "negative_color": _hex(*pal["edges"].get("negative", pal["default"])),
        "types": types, "nodes": nodes, "edges": edges, "articles": articles,
    }


def _script_json(obj) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' (so no '</script>' nor '<!--')."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_html(data: dict) -> str:
    import html

    page = (ASSETS / "view.html").read_text(encoding="utf-8")
    css = (ASSETS / "view.css").read_text(encoding="utf-8")
    js = (ASSETS / "view.js").read_text(encoding="utf-8")
    if "</script" in js.lower():
        raise VizError("view.js may not contain '</script'")
    # one pass, so nothing inserted is itself searched for placeholders
    parts = {"{{TITLE}}": html.escape(data["title"]), "{{CSS}}": css, "{{JS}}": js, "{{DATA}}": _script_json(data)}
    out, i = [], 0
    while True:
        j = page.find("{{", i)
        if j < 0:
            out.append(page[i:])
            break
        k = page.index("}}", j) + 2
        out.append(page[i:j])
        out.append(parts[page[j:k]])
        i = k
    return "".join(out)


# ---------------------------------------------------------------- PNG / SVG
def render_image(G, fh, fmt: str, title: str = "", top: int = TOP_LABELS) -> None:
    """A static drawing (matplotlib, Agg): edges, nodes by type colour and size, the labels of
    the ``top`` most mentioned entities (never overlapping), a legend of the types. SVG keeps
    its text as text (searchable, selectable)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    pal = palette()
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans", "svg.hashsalt": "kg"}):
        fig, ax = plt.subplots(figsize=(12, 9), dpi=120)
        ax.set_axis_off()
        ax.set_aspect("equal")
        pos = {n: (d["x"], d["y"]) for n, d in G.nodes(data=True)}
        segs, colors, widths = [], [], []
        for u, v, d in G.edges(data=True):
            if u == v:
                continue
            segs.append((pos[u], pos[v]))
            colors.append(tuple(c / 255 for c in (d["r"], d["g"], d["b"])) + (0.45,))
            widths.append(0.6 + 0.5 * math.sqrt(d.get("weight", 1)))
        if segs:
            ax.add_collection(LineCollection(segs, colors=colors, linewidths=widths, zorder=1))
        order = sorted(G.nodes, key=lambda n: G.nodes[n]["size"])
        if order:
            xs = [pos[n][0] for n in order]
            ys = [pos[n][1] for n in order]
            ax.scatter(xs, ys, s=[(G.nodes[n]["size"] * 0.9) ** 2 / 4 for n in order],
                       c=[tuple(G.nodes[n][c] / 255 for c in "rgb") for n in order],
                       edgecolors="white", linewidths=0.8, zorder=2)
            pad = SIZE_MAX * 2
            ax.set_xlim(min(xs) - pad, max(xs) + pad)
            ax.set_ylim(min(ys) - pad, max(ys) + pad)
        ranked = [n for n in _rank(G) if G.nodes[n].get("type") != QUOTATION_TYPE][:top]
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        placed = []
        for n in ranked:
            d = G.nodes[n]
            label = d.get("label", str(n))
            label = label if len(label) <= 32 else label[:31] + "…"
            off = d["size"] * 0.225 + 2  # marker radius in points, and a little air
            for xy, ha, va in (((0, off), "center", "bottom"), ((0, -off), "center", "top"),
                               ((off, 0), "left", "center"), ((-off, 0), "right", "center")):
                t = ax.annotate(label, pos[n], xytext=xy, textcoords="offset points", ha=ha, va=va,
                                fontsize=10 if len(placed) < 8 else 8.5, zorder=3,
                                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
                box = t.get_window_extent(renderer).expanded(1.02, 1.1)
                if any(box.overlaps(b) for b in placed):
                    t.remove()
                    continue
                placed.append(box)
                break
        counts = Counter(d.get("type", "") for _, d in G.nodes(data=True))
        handles = [Line2D([], [], marker="o", linestyle="", markersize=8,
                          markerfacecolor=tuple(c / 255 for c in pal["types"].get(t, pal["default"])),
                          markeredgecolor="white", label=f"{t} ({c})")
                   for t, c in sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))]
        if handles:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9,
                      title="type (nodes)", title_fontsize=9, alignment="left")
        if title:
            ax.set_title(title, fontsize=13)
        fig.tight_layout()
        fig.savefig(fh, format=fmt, facecolor="white", metadata={"Date": None} if fmt == "svg" else None)
        plt.close(fig)


# ---------------------------------------------------------------- entry point
def viz(store, output, fmt: str | None = None, graph: str = "entities", title: str | None = None,
        max_nodes: int = MAX_NODES, top: int = TOP_LABELS, open_relations: bool = False) -> dict:
    """Write the picture of ``store`` to ``output`` (a path; the format from its extension
    unless ``fmt``); ``open_relations=True`` adds the open statements (dotted edges). Returns
    ``{"format", "nodes", "edges", "total_nodes", "total_edges"}``."""
    fmt = format_of(output, fmt)
    if graph not in VIZ_GRAPHS:
        raise VizError(f"kg viz draws {' or '.join(VIZ_GRAPHS)}, not {graph!r} (export it with kg export --graph)")
    details: dict = {}
    try:
        full = project(store, graph, details, open_relations)
        total = (full.number_of_nodes(), full.number_of_edges())
        G = decorate(trim(full, max_nodes))
    except GraphError as e:
        raise VizError(str(e)) from None
    title = title or {"entities": "kg: entity graph", "cooccurrence": "kg: co-mention graph"}[graph]
    with open_output(output) as fh:
        if fmt == "html":
            fh.write(render_html(view_data(G, details, title, graph, total)).encode("utf-8"))
        else:
            render_image(G, fh, fmt, title=title, top=top)
    return {"format": fmt, "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "total_nodes": total[0], "total_edges": total[1]}
