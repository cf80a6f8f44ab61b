"""Where the nodes go: a force layout per connected component (fixed seed), the components packed
in rows, isolated nodes in a block, quotations round their speaker."""

from __future__ import annotations

import math
from collections import defaultdict

from .common import QUOTATION_TYPE

LAYOUT_SEED = 42  # spring layout and Louvain: the same store gives the same picture
LAYOUT_SCALE = 1000.0  # positions lie in [-LAYOUT_SCALE, LAYOUT_SCALE]
LAYOUT_MAX_NODES = 400  # force layout of a component's best-connected nodes; the others by their neighbours
ISOLATED_SPACING = 1.0  # nodes without edges sit in a grid this tight (a component's node has ~1.8)


def simple_undirected(G):
    """``G`` as a simple undirected graph: nodes sorted, no self-loops, parallel edges summed into
    one ``weight`` (each at least 1)."""
    import networkx as nx

    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes))
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        w = max(1, int(d.get("weight", 1) or 1))
        if H.has_edge(u, v):
            H[u][v]["weight"] += w
        else:
            H.add_edge(u, v, weight=w)
    return H


def _component_layout(H, nodes, seed: int) -> dict:
    """Positions of one connected component, centred, within a disk of radius 1.

    networkx's spring layout (Fruchterman-Reingold, fixed seed) on the component's
    :data:`LAYOUT_MAX_NODES` best-connected nodes; then, breadth first, a node with one placed
    neighbour goes on a ring around it (leaves round their hub, as ForceAtlas draws them) and
    a node with several near their mean. Linear past the core, so a component of 100k nodes
    takes seconds (the force layout is quadratic)."""
    import random

    import networkx as nx

    nodes = sorted(nodes, key=str)
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    if n == 2:
        return {nodes[0]: (-1.0, 0.0), nodes[1]: (1.0, 0.0)}
    core = sorted(nodes, key=lambda x: (-H.degree(x), str(x)))[:LAYOUT_MAX_NODES]
    # the core as a graph of its own, its nodes in H's order: a subgraph view of a small part of
    # H lists them in the order of a set, which changes with the interpreter's hash seed (and
    # the force layout starts from random positions given in node order)
    inside = set(core)
    sub = nx.Graph()
    sub.add_nodes_from(v for v in H if v in inside)
    sub.add_edges_from((u, v) for u, v in H.edges(sub) if v in inside)
    raw = nx.spring_layout(sub, seed=seed, iterations=60, weight=None, method="force")
    pos = {v: (float(p[0]), float(p[1])) for v, p in raw.items()}
    if len(pos) < n:
        rng = random.Random(seed)
        ring0 = 1.2 / math.sqrt(len(core))  # about half the spacing of the core's nodes
        frontier = list(core)
        while frontier:
            nxt = []
            for v in frontier:
                fresh = [w for w in sorted(H.neighbors(v), key=str) if w not in pos]
                leaves = [w for w in fresh if sum(1 for x in H.neighbors(w) if x in pos) == 1]
                ring = ring0 * (1 + 0.25 * math.sqrt(len(leaves)))
                turn = rng.uniform(0, 2 * math.pi)
                for i, w in enumerate(leaves):
                    a = turn + 2 * math.pi * i / len(leaves)
                    pos[w] = (pos[v][0] + ring * math.cos(a), pos[v][1] + ring * math.sin(a))
                for w in fresh:
                    if w in pos:
                        continue
                    placed = [pos[x] for x in H.neighbors(w) if x in pos]
                    pos[w] = (sum(p[0] for p in placed) / len(placed) + rng.uniform(-ring0, ring0),
                              sum(p[1] for p in placed) / len(placed) + rng.uniform(-ring0, ring0))
                nxt.extend(fresh)
            frontier = nxt
    cx = sum(p[0] for p in pos.values()) / n
    cy = sum(p[1] for p in pos.values()) / n
    # scale by the 90th percentile radius, pulling the few far-flung nodes (chains the force
    # layout throws out) in to 1.3: the body of the component gets the room
    radii = sorted(math.hypot(x - cx, y - cy) for x, y in pos.values())
    r = radii[int(0.9 * (n - 1))] or radii[-1] or 1.0
    out = {}
    for v, (x, y) in pos.items():
        dx, dy = (x - cx) / r, (y - cy) / r
        d = math.hypot(dx, dy)
        if d > 1.0:
            f = (1.0 + 0.3 * math.tanh((d - 1.0) / 0.3)) / d
            dx, dy = dx * f, dy * f
        out[v] = (dx, dy)
    return out


def layout(G, seed: int = LAYOUT_SEED) -> dict:
    """``{node: (x, y)}`` in ``[-LAYOUT_SCALE, LAYOUT_SCALE]``: each connected component laid out
    by networkx's spring layout (Fruchterman-Reingold, fixed seed) in a disk whose area grows
    with its node count, the disks packed in rows from the largest (so small components sit
    beside the main one instead of being pushed to the edges).

    A component larger than :data:`LAYOUT_MAX_NODES` is laid out on its best-connected nodes,
    the others placed by their neighbours (:func:`_component_layout`): seconds on 100k nodes.
    """
    import networkx as nx

    H = simple_undirected(G)
    if H.number_of_nodes() == 0:
        return {}
    # quotations go round their speaker afterwards, so they do not blow a speaker up into a star
    satellites: dict = defaultdict(list)
    for n, d in G.nodes(data=True):
        if d.get("type") == QUOTATION_TYPE and H.degree(n) > 0:
            satellites[min(H.neighbors(n), key=str)].append(n)
    for group in satellites.values():
        H.remove_nodes_from(group)
    comps = sorted(nx.connected_components(H), key=lambda c: (-len(c), min(str(x) for x in c)))
    isolated = sorted((next(iter(c)) for c in comps if len(c) == 1), key=str)
    comps = [c for c in comps if len(c) > 1]
    gap = 0.6
    radii = [1.3 * math.sqrt(len(c)) for c in comps]  # area grows with the nodes; 1.3: pulled-in outliers
    cols = math.ceil(math.sqrt(len(isolated))) if isolated else 0
    side = cols * ISOLATED_SPACING
    row_width = math.sqrt(sum((2 * r + gap) ** 2 for r in radii) + side * side) * 1.15
    row_width = max(row_width, 2 * (radii[0] if radii else 0) + gap, side)
    pos: dict = {}
    x = y = 0.0
    row_h = 0.0
    for c, r in zip(comps, radii):
        d = 2 * r + gap
        if x > 0 and x + d > row_width:
            x, y = 0.0, y - row_h
            row_h = 0.0
        local = _component_layout(H, c, seed)
        for v, (px, py) in local.items():
            pos[v] = (x + r + px * r / 1.3, y - r + py * r / 1.3)
        x += d
        row_h = max(row_h, d)
    if isolated:  # nodes without an edge: a compact block under the rest
        top = y - row_h - (gap if comps else 0)
        cols = max(cols, min(len(isolated), math.ceil(row_width / ISOLATED_SPACING)))
        for i, v in enumerate(isolated):
            pos[v] = ((i % cols + 0.5) * ISOLATED_SPACING, top - (i // cols + 0.5) * ISOLATED_SPACING)
    for owner, group in satellites.items():
        if owner not in pos:  # a speaker that is itself a quotation: not in the data model, but be safe
            pos[owner] = (0.0, 0.0)
        ox_, oy = pos[owner]
        ring = 0.45 + 0.02 * len(group)
        for i, q in enumerate(sorted(group, key=str)):
            a = 2 * math.pi * i / len(group) + 0.3
            pos[q] = (ox_ + ring * math.cos(a), oy + ring * math.sin(a))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {v: (round((px - cx) / half * LAYOUT_SCALE, 2), round((py - cy) / half * LAYOUT_SCALE, 2))
            for v, (px, py) in pos.items()}
