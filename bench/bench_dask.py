#!/usr/bin/env python
"""Scale-out: ``kg build --dask`` throughput per worker on a local Dask cluster.

Starts ``distributed.LocalCluster(n_workers=k, processes=True, threads_per_worker=1)`` for
k = 1 and 2, loads the model on the workers (not timed: a long-lived cluster keeps it), then
times ``kg.build.build`` of the corpus with the Dask extraction stage (this process is the
writer). On this machine the workers and the writer share the same cores, so the per-worker
figure with 2 workers is a floor for a real cluster, where each worker has its own cores.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, Figure, add_common_args, corpus, corpus_words, emit, fresh_dir  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(ap)
    ap.add_argument("-n", type=int, default=None, help="articles (default 150, quick 40)")
    args = ap.parse_args()
    logging.getLogger("distributed").setLevel(logging.ERROR)
    from distributed import Client, LocalCluster

    from kg.build.cluster import DaskExtractions, check_cluster
    from kg.nlp import DEFAULT_MODEL
    from kg.build import build
    from kg.store import KGStore

    n = args.n or (40 if args.quick else 150)
    d = corpus(n, args.seed)
    words = corpus_words(d)
    print(f"[dask] kg build of {n} articles ({words} words) on a LocalCluster", flush=True)
    rates = {}
    for k in (1, 2):
        with LocalCluster(n_workers=k, processes=True, threads_per_worker=1, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            check_cluster(client, DEFAULT_MODEL)  # workers load the model once, before the clock
            store = fresh_dir(OUT / f"dask-store-{k}")
            t = time.perf_counter()
            with KGStore.open(store) as s:
                report = build(s, [str(d)], model=DEFAULT_MODEL, progress=False,
                               extractions=DaskExtractions(client=client))
            wall = time.perf_counter() - t
        rates[k] = (n / wall, words / wall)
        print(f"  {k} worker(s): {wall:.1f} s, {n / wall:.2f} articles/s, {words / wall:.0f} words/s "
              f"({report.summary()})", flush=True)
    per1, per2 = rates[1][1], rates[2][1] / 2
    emit(Figure("dask_per_worker", "kg build --dask throughput per worker", per1, f"{per1:,.0f} words/s",
                "report", None,
                f"N={n}; 1 worker: {rates[1][0]:.2f} articles/s; 2 workers on the same 2 cores as the writer: "
                f"{rates[2][1]:,.0f} words/s in all ({per2:,.0f} per worker, {rates[2][0]:.2f} articles/s)"),
         args.figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
