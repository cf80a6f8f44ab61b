"""`kg viz`: a picture of the graph.

* ``.html``: one self-contained offline page (the data, a small canvas renderer in plain JS
  and its CSS are inlined from ``kg/viz_assets/``; no library, no CDN, and a
  Content-Security-Policy that forbids any network load). Search, colours by type with a
  legend, zoom and pan, and a side panel with the relations and evidence sentences (with
  their articles) of a clicked node or edge.
* ``.png`` / ``.svg``: a static matplotlib drawing of the most connected part of the graph
  (:func:`select_nodes`: the largest components, grown from their best-connected entity) with
  the labels of the top entities and a legend outside the drawing.

Quotations are hidden in the page until its legend shows them, and left out of the image,
unless ``quotes=True``. ``focus`` draws the ego network of an entity (:func:`focus_nodes`).

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
from .graph.positions import simple_undirected

ASSETS = Path(__file__).resolve().parent / "viz_assets"
FORMATS = ("html", "png", "svg")
VIZ_GRAPHS = ("entities", "cooccurrence")
MAX_NODES = 1500  # the HTML view keeps the best-connected nodes of larger graphs
IMAGE_MAX_NODES = 120  # the static image draws this many nodes at most: beyond, labels cannot be read
MIN_COMPONENT = 3  # the image leaves out components smaller than this (single facts) once it has a larger one
MAX_EVIDENCE = 20  # sentences per edge embedded in the page
TOP_LABELS = 40  # labelled nodes in the static image
EDGE_LABELS_MAX_NODES = 60  # a focus image this small names the relations of the focused entities


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


def _names(d: dict) -> list[str]:
    """A node's label and aliases."""
    return [str(d.get("label", ""))] + [a for a in str(d.get("aliases", "")).split("|") if a]


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def focus_nodes(G, name: str, depth: int = 1) -> tuple[list, list]:
    """``(centres, nodes)``: the entities of ``G`` whose label or an alias is ``name`` (any case,
    any spacing) and every node at most ``depth`` edges (either direction) from one of them.
    Raises :class:`VizError` with the nearest names ("did you mean") when none matches."""
    from .query.suggest import close

    want = _key(name)
    centres = sorted((n for n, d in G.nodes(data=True)
                      if d.get("type") != QUOTATION_TYPE and want and any(_key(x) == want for x in _names(d))),
                     key=lambda n: (-G.nodes[n].get("mentions", 0), str(n)))
    if not centres:
        by_mentions = sorted((d for _, d in G.nodes(data=True) if d.get("type") != QUOTATION_TYPE),
                             key=lambda d: (-d.get("mentions", 0), str(d.get("label", ""))))
        near = close(name, (x for d in by_mentions for x in _names(d)), n=3)
        hint = f"; did you mean {' or '.join(near)}?" if near else " (kg entities lists the names)"
        raise VizError(f"no entity is named {name!r}{hint}")
    seen = set(centres)
    frontier = list(centres)
    for _ in range(max(0, depth)):
        nxt = []
        for v in frontier:
            for w in sorted(set(G.successors(v)) | set(G.predecessors(v)) if G.is_directed() else G.neighbors(v),
                            key=str):
                if w not in seen:
                    seen.add(w)
                    nxt.append(w)
        frontier = nxt
    return centres, sorted(seen, key=str)


def select_nodes(G, max_nodes: int, seeds=None) -> list:
    """The nodes an image of ``G`` draws: at most ``max_nodes``, connected, the most connected first.

    Each connected component (the largest first; none smaller than :data:`MIN_COMPONENT` once
    one is taken) is taken whole while it fits; the first that does not is grown from its
    entity with the most neighbours, adding at each step the neighbour of the part already
    taken that has the most neighbours, until the budget is spent. So the picture shows how
    the main entities connect, not a grid of single facts. With ``seeds`` (a focus), the part
    is grown from them instead. A graph that fits is drawn whole."""
    import heapq

    import networkx as nx

    H = simple_undirected(G)
    if max_nodes <= 0 or (H.number_of_nodes() <= max_nodes and not seeds):
        return list(G.nodes)  # all of it fits
    rank = {n: (-H.degree(n), -G.nodes[n].get("mentions", 0), str(n)) for n in H}

    def grow(start: list, budget: int) -> list:
        taken, seen = [], set(start)
        heap = [(rank[n], n) for n in start]
        heapq.heapify(heap)
        while heap and len(taken) < budget:
            _, v = heapq.heappop(heap)
            taken.append(v)
            for w in H.neighbors(v):
                if w not in seen:
                    seen.add(w)
                    heapq.heappush(heap, (rank[w], w))
        return taken

    if seeds:
        seeds = [n for n in seeds if n in H]
        return grow(seeds, max(max_nodes, len(seeds)))
    comps = sorted(nx.connected_components(H), key=lambda c: (-len(c), min(rank[n] for n in c)))
    chosen: list = []
    for c in comps:
        budget = max_nodes - len(chosen)
        if chosen and (len(c) < MIN_COMPONENT or budget < MIN_COMPONENT):
            break
        chosen.extend(sorted(c, key=rank.get) if len(c) <= budget else grow([min(c, key=rank.get)], budget))
    return chosen


# ---------------------------------------------------------------- HTML
def view_data(G, details: dict, title: str, graph: str, total: tuple[int, int], quotes: bool = False,
              focus: list | None = None) -> dict:
    """The JSON the page reads: nodes (layout, colour, size, facts), edges with evidence, articles;
    ``hidden``, the types the page starts with hidden (quotations unless ``quotes``: the legend
    shows them); ``focus``, the ids of the focused entities (the page selects the first)."""
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
    if focus:
        names = " and ".join(str(G.nodes[n].get("label", n)) for n in focus)
        shown += f" round {names} (of {n_all} nodes and {e_all} edges)"
    elif (len(nodes), len(edges)) != (n_all, e_all):
        shown += f" (the {len(nodes)} most connected of {n_all} nodes; {e_all} edges in all)"
    hidden = [] if quotes or not counts.get(QUOTATION_TYPE) else [QUOTATION_TYPE]
    summary = {"entities": "Entities and the relations between them: ",
               "cooccurrence": "Entities named in the same sentence: "}.get(graph, "") + shown + "."
    if hidden:
        summary += f" The {counts[QUOTATION_TYPE]} quotations are hidden: click Quotation in the legend to show them."
    return {
        "title": title, "graph": graph, "directed": G.is_directed(), "summary": summary,
        "negative_color": _hex(*pal["edges"].get("negative", pal["default"])),
        "types": types, "nodes": nodes, "edges": edges, "articles": articles,
        "hidden": hidden, "focus": [str(n) for n in focus or ()],
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
def render_image(G, fh, fmt: str, title: str = "", top: int = TOP_LABELS, focus: list | None = None,
                 note: str = "") -> None:
    """A static drawing (matplotlib, Agg): edges, nodes by type colour and size, the labels of
    the ``focus`` entities and of the ``top`` most mentioned entities (never overlapping), a
    legend of the types right of the drawing (it covers nothing), ``note`` under the title. SVG
    keeps its text as text (searchable, selectable)."""
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
        focus = [n for n in focus or () if n in G]
        ranked = focus + [n for n in _rank(G) if G.nodes[n].get("type") != QUOTATION_TYPE and n not in focus][:top]
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
                                fontsize=12 if n in focus else 10 if len(placed) < 8 else 8.5,
                                fontweight="bold" if n in focus else "normal", zorder=3,
                                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
                box = t.get_window_extent(renderer).expanded(1.02, 1.1)
                if any(box.overlaps(b) for b in placed):
                    t.remove()
                    continue
                placed.append(box)
                break
        if focus and G.number_of_nodes() <= EDGE_LABELS_MAX_NODES:
            _edge_labels(ax, G, pos, focus, placed, renderer)
        counts = Counter(d.get("type", "") for _, d in G.nodes(data=True))
        handles = [Line2D([], [], marker="o", linestyle="", markersize=8,
                          markerfacecolor=tuple(c / 255 for c in pal["types"].get(t, pal["default"])),
                          markeredgecolor="white", label=f"{t} ({c})")
                   for t, c in sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))]
        if handles:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9,
                      title="type (nodes)", title_fontsize=9, alignment="left")
        if title:
            ax.set_title(title, fontsize=13, loc="left")
        if note:
            fig.text(0.01, 0.01, note, fontsize=8.5, color="#555555", ha="left", va="bottom")
        fig.tight_layout()
        fig.savefig(fh, format=fmt, facecolor="white", metadata={"Date": None} if fmt == "svg" else None)
        plt.close(fig)


def _edge_labels(ax, G, pos, focus: list, placed: list, renderer) -> None:
    """The relations of the focused entities: an arrowhead on each of their edges (subject to
    object) and the predicates written at its middle (several statements between two nodes on
    one label, "not" before a negated one), where they overlap no label already placed."""
    said: dict = {}
    for u, v, d in G.edges(data=True):
        if u == v or not (u in focus or v in focus):
            continue
        text = ("not " if d.get("polarity") == "negative" else "") + str(d.get("label", ""))
        words = said.setdefault((u, v), [])
        if text and text not in words:
            words.append(text)
    for (u, v), words in sorted(said.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        bend = 0.12 if (v, u) in said else 0.0  # both ways: two arcs, not one line
        ax.annotate("", xy=pos[v], xytext=pos[u], zorder=1.5,
                    arrowprops={"arrowstyle": "-|>", "color": "#777777", "lw": 0.8, "mutation_scale": 11,
                                "shrinkA": G.nodes[u]["size"] * 0.225 + 1, "shrinkB": G.nodes[v]["size"] * 0.225 + 1,
                                "connectionstyle": f"arc3,rad={bend}"})
        if not words:
            continue
        text = ", ".join(words[:2]) + (f" +{len(words) - 2}" if len(words) > 2 else "")
        t = 0.5 if not bend else 0.4  # the two labels of a pair apart
        xy = (pos[u][0] + t * (pos[v][0] - pos[u][0]), pos[u][1] + t * (pos[v][1] - pos[u][1]))
        a = ax.annotate(text, xy, ha="center", va="center", fontsize=7.5, color="#444444", zorder=3,
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})
        box = a.get_window_extent(renderer)
        if any(box.overlaps(b) for b in placed):
            a.remove()
            continue
        placed.append(box)


# ---------------------------------------------------------------- entry point
def viz(store, output, fmt: str | None = None, graph: str = "entities", title: str | None = None,
        max_nodes: int | None = None, top: int = TOP_LABELS, open_relations: bool = False,
        focus: str | None = None, depth: int = 1, quotes: bool = False) -> dict:
    """Write the picture of ``store`` to ``output`` (a path; the format from its extension
    unless ``fmt``); ``open_relations=True`` adds the open statements (dotted edges).

    ``focus``: only the entity named so (label or alias, any case) and the nodes within
    ``depth`` edges of it (:func:`focus_nodes`). ``quotes``: show the quotations (the page
    hides them until its legend shows them; the image leaves them out). ``max_nodes``: the page
    keeps the :data:`MAX_NODES` most connected nodes, the image :data:`IMAGE_MAX_NODES`
    (:func:`select_nodes`); 0 = all. Returns ``{"format", "nodes", "edges", "total_nodes",
    "total_edges", "focus"}`` (``focus``: the labels of the focused entities)."""
    fmt = format_of(output, fmt)
    if graph not in VIZ_GRAPHS:
        raise VizError(f"kg viz draws {' or '.join(VIZ_GRAPHS)}, not {graph!r} (export it with kg export --graph)")
    if max_nodes is None:
        max_nodes = MAX_NODES if fmt == "html" else IMAGE_MAX_NODES
    details: dict = {}
    try:
        full = project(store, graph, details, open_relations)
    except GraphError as e:
        raise VizError(str(e)) from None
    total = (full.number_of_nodes(), full.number_of_edges())
    G = full
    if fmt != "html" and not quotes:
        G = G.subgraph([n for n, d in G.nodes(data=True) if d.get("type") != QUOTATION_TYPE])
    centres: list = []
    if focus is not None:
        centres, near = focus_nodes(G, focus, depth)
        G = G.subgraph(near)
    if fmt == "html":
        G = trim(G, max_nodes)
        if centres and not all(c in G for c in centres):
            G = full.subgraph(set(G) | set(centres))
    else:
        G = G.subgraph(select_nodes(G, max_nodes, seeds=centres or None))
    try:
        G = decorate(G.copy())
    except GraphError as e:
        raise VizError(str(e)) from None
    default_title = {"entities": "kg: entity graph", "cooccurrence": "kg: co-mention graph"}[graph]
    if centres:
        default_title += " round " + " and ".join(str(G.nodes[c].get("label", c)) for c in centres)
    title = title or default_title
    with open_output(output) as fh:
        if fmt == "html":
            fh.write(render_html(view_data(G, details, title, graph, total, quotes=quotes, focus=centres))
                     .encode("utf-8"))
        else:
            note = f"{G.number_of_nodes()} of {total[0]} nodes"
            note += (f" within {depth} edge{'s' if depth != 1 else ''} of the focus" if centres
                     else ": the largest connected parts, grown from their most connected entities")
            note += "" if quotes else "; quotations left out (--quotes)"
            render_image(G, fh, fmt, title=title, top=top, focus=centres, note=note)
    return {"format": fmt, "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "total_nodes": total[0], "total_edges": total[1],
            "focus": [str(G.nodes[c].get("label", c)) for c in centres]}
