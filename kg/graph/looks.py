"""How a projection looks in Gephi and in ``kg viz``: colour by type (palette), size by mentions,
position (layout), community (Louvain); one attribute type per attribute name."""

from __future__ import annotations

import math
from collections import defaultdict

from .positions import LAYOUT_SEED, layout, simple_undirected
from .palette import palette

SIZE_MIN, SIZE_MAX = 5.0, 50.0


def communities(G, seed: int = LAYOUT_SEED) -> dict:
    """``{node: community}`` by networkx's Louvain (fixed seed) on the undirected graph, edges
    weighted by ``weight``; communities numbered 0, 1, … from the largest."""
    import networkx as nx

    H = simple_undirected(G)
    if H.number_of_nodes() == 0:
        return {}
    parts = nx.community.louvain_communities(H, weight="weight", seed=seed)
    parts = sorted(parts, key=lambda c: (-len(c), min(str(x) for x in c)))
    return {v: i for i, c in enumerate(parts) for v in c}


def decorate(G, seed: int = LAYOUT_SEED, pal: dict | None = None):
    """A copy of a projection with Gephi's attributes: node ``r``, ``g``, ``b`` (ints, the
    palette colour of its ``type``), ``size`` (by ``mentions``, else by degree), ``x``, ``y``
    (:func:`layout`), ``community`` (:func:`communities`); edge ``r``, ``g``, ``b`` (by polarity)
    and ``weight`` at least 1 (Gephi drops edges of weight 0)."""
    pal = pal or palette()
    D = G.copy()
    D.graph.clear()
    pos = layout(D, seed)
    comm = communities(D, seed)
    basis = {n: (d["mentions"] if "mentions" in d else D.degree(n)) for n, d in D.nodes(data=True)}
    top = max(basis.values(), default=0) or 1
    for n, d in D.nodes(data=True):
        r, g, b = pal["types"].get(d.get("type", ""), pal["default"])
        x, y = pos.get(n, (0.0, 0.0))
        d.update(r=r, g=g, b=b, x=float(x), y=float(y), community=int(comm.get(n, 0)),
                 size=round(SIZE_MIN + (SIZE_MAX - SIZE_MIN) * math.sqrt(max(0, basis[n]) / top), 2))
    neutral = pal["edges"].get("positive", pal["default"])
    for *_, d in D.edges(data=True):
        r, g, b = pal["edges"].get(d.get("polarity", "positive"), neutral)
        d.update(r=r, g=g, b=b, weight=max(1, int(d.get("weight", 1) or 1)))
    _unify_types(D)
    return D


def _unify_types(G) -> None:
    """One type per attribute name (GraphML keys, GEXF attributes): int+float -> float, else str;
    never None."""
    def fix(items):
        seen: dict[str, set[type]] = defaultdict(set)
        for d in items:
            for k, v in d.items():
                seen[k].add(type(v))
        for k, ts in seen.items():
            if len(ts) <= 1 and type(None) not in ts:
                continue
            cast = float if ts <= {int, float} else str
            for d in items:
                if k in d:
                    d[k] = "" if d[k] is None else cast(d[k])

    fix([d for _, d in G.nodes(data=True)])
    fix([d for *_, d in G.edges(data=True)])
