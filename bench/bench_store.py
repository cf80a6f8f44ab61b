#!/usr/bin/env python
"""Store load rate: quads/s written through kg's write path ÷ pyoxigraph's bulk load of the same quads.

Article graphs come from a real parse of the corpus (resolved as a build does), replicated
under new document ids to reach the size (statements and entities are then shared between
copies, like facts reported by many articles). kg's path is what a build does after
resolution: ``kg.write.write_articles`` in writes of the pipeline's ``COMMIT_EVERY`` articles
(the article graphs as text, bulk-loaded behind pending markers, the summary merge and its
transaction), then a flush. The baseline is ``pyoxigraph.Store.bulk_load`` of the same
article quads (N-Quads, prepared beforehand) into an empty store, then a flush. The two alternate
``--repeats`` times; the figure is the median of the back-to-back pairs' ratios (as in
bench_build.py: one fast or slow spell of the VM moves "fastest ÷ fastest" by 0.1), the ratio
of the fastest runs beside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, Figure, add_common_args, corpus, emit, listed, ratio_shown, fresh_dir  # noqa: E402


def article_graphs(directory: Path, workers: int = 2):
    """Parse, extract and resolve a corpus as a build does; the ArticleGraphs."""
    from kg.ingest import read_articles
    from kg.model import Article
    from kg.nlp import DEFAULT_MODEL
    from kg.build import local_extractions
    from kg.resolve import Resolver

    articles = [a for a in read_articles([str(directory)]) if isinstance(a, Article)]
    docs = [d for _, d in local_extractions(articles, model=DEFAULT_MODEL, workers=workers)
            if not isinstance(d, BaseException)]
    resolver = Resolver()
    return [resolver.resolve(d) for d in docs]


def replicate(graphs, copies: int):
    """``copies`` x the graphs, copy k under document ids ``<id>-r<k>`` (copy 0 unchanged)."""
    out = []
    for k in range(copies):
        for ag in graphs:
            if k == 0:
                out.append(ag)
                continue
            new_id = f"{ag.article.id}-r{k}"

            def ev(p):
                return dataclasses.replace(p, article_id=new_id)

            out.append(dataclasses.replace(
                ag,
                article=dataclasses.replace(ag.article, id=new_id, path=None),
                relations=tuple(dataclasses.replace(r, evidence=ev(r.evidence)) for r in ag.relations),
                quotations=tuple(dataclasses.replace(q, evidence=ev(q.evidence)) for q in ag.quotations),
            ))
    return out


def kg_write(store, graphs, commit_every: int) -> None:
    from kg import write

    if hasattr(write, "Writer"):  # a build's writer session (it keeps the summary cache)
        with write.Writer(store) as w:
            for i in range(0, len(graphs), commit_every):
                w.write(graphs[i:i + commit_every])
    elif hasattr(write, "write_articles"):
        for i in range(0, len(graphs), commit_every):
            write.write_articles(store, graphs[i:i + commit_every])
    else:  # an older write path: one article at a time, then the summary
        for ag in graphs:
            write.write_article(store, ag)
        write.refresh_summary(store)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(ap)
    ap.add_argument("-n", type=int, default=None, help="articles parsed (default 100, quick 30)")
    ap.add_argument("--articles", type=int, default=None, help="articles written (default 1000, quick 300)")
    ap.add_argument("--repeats", type=int, default=5, help="alternating runs of each (default 5)")
    args = ap.parse_args()
    import pyoxigraph as ox

    from kg import build as pipeline
    from kg import write
    from kg.rdf import ONTOLOGY_GRAPH, SUMMARY_GRAPH, SUMMARY_UPDATE, article_text
    from kg.store import KGStore

    n = args.n or (30 if args.quick else 100)
    total = args.articles or (300 if args.quick else 1000)
    commit_every = getattr(pipeline, "COMMIT_EVERY", 100)
    print(f"[store] parsing {n} articles, writing {total} (copies), {commit_every} per transaction", flush=True)
    graphs = replicate(article_graphs(corpus(n, args.seed)), -(-total // n))[:total]

    t = time.perf_counter()
    for ag in graphs:
        article_text(ag)
    quads_s = time.perf_counter() - t

    def kg_run() -> float:
        path = fresh_dir(OUT / "store-kg")
        with KGStore.open(path) as s:
            write.load_ontology(s)
            t = time.perf_counter()
            kg_write(s, graphs, commit_every)
            s.ox.flush()
            return time.perf_counter() - t

    def bulk_run(data: bytes, nq: int) -> float:
        st = ox.Store(str(fresh_dir(OUT / "store-bulk")))
        t = time.perf_counter()
        st.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
        st.flush()
        took = time.perf_counter() - t
        assert len(st) == nq, (len(st), nq)
        return took

    kg_times = [kg_run()]
    with KGStore.open(OUT / "store-kg") as s:
        skip = {ox.NamedNode(str(ONTOLOGY_GRAPH)), ox.NamedNode(str(SUMMARY_GRAPH)), ox.DefaultGraph()}
        article_quads = [q for q in s.ox if q.graph_name not in skip]
        t = time.perf_counter()
        s.update(SUMMARY_UPDATE)
        summary_s = time.perf_counter() - t
    nq = len(article_quads)
    data = ox.serialize(article_quads, format=ox.RdfFormat.N_QUADS)
    del article_quads
    bulk_times = [bulk_run(data, nq)]
    for _ in range(args.repeats - 1):  # alternating, so that load from other processes hits both alike
        kg_times.append(kg_run())
        bulk_times.append(bulk_run(data, nq))
    kg_s, bulk_s = min(kg_times), min(bulk_times)

    kg_rate, bulk_rate = nq / kg_s, nq / bulk_s
    pairs = sorted(b / k for k, b in zip(kg_times, bulk_times))  # rate ratio = time ratio, inverted
    ratio = statistics.median(pairs)
    emit(Figure("store_load", "store load rate through kg ÷ pyoxigraph bulk load", ratio, ratio_shown(ratio, 0.7), "≥ 0.7",
                ratio >= 0.7,
                f"{total} articles, {nq} quads, {len(kg_times)} alternating pairs: median of pair ratios "
                f"{listed(pairs)}; fastest runs {kg_rate / bulk_rate:.2f}: kg {kg_rate:,.0f} quads/s ({kg_s:.1f} s: RDF terms+quads "
                f"{quads_s:.1f} s; {-(-total // commit_every)} write(s) of {commit_every} articles with their summary update; a full summary "
                f"refresh of the final store alone: {summary_s:.1f} s) "
                f"vs bulk_load {bulk_rate:,.0f} quads/s ({bulk_s:.1f} s); all runs: kg "
                f"{listed(kg_times, '.1f')} s, bulk {listed(bulk_times, '.1f')} s"),
         args.figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
