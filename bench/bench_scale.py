#!/usr/bin/env python
"""Memory and incremental builds at scale.

One ``kg.build.build`` of N articles (default 4,000: the issue's RSS growth from 1,000 to
4,000 articles, and a peak RSS over twice the 2,000 articles its goal names; ~7 minutes here)
with ``--workers 2``, in this process, with a thread sampling the memory of the process tree
(this process and its worker processes) every 0.25 s:

* peak RSS of the build, writes included (sum over processes - shared model pages counted
  once per process, an upper bound; the PSS sum, which splits them, is in the note);
* RSS at N ÷ RSS at N/4 (peaks so far: when N/4 articles are extracted, and at the end of
  the build, writes included): about 1 when memory does not grow with the corpus.

Then a fresh process loads the model (not timed) and adds 1 new article to the N-article
store (``kg.build.build`` of one file: hashes, parse, extract, resolve, write, summary),
three times with three new articles; the median counts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH, OUT, PY, Figure, MemoryMonitor, add_common_args, corpus, emit, fresh_dir, listed  # noqa: E402

GB = 2**30


def scale_build(n: int, seed: int, workers: int) -> dict:
    from kg import build as pipeline
    from kg.nlp import DEFAULT_MODEL
    from kg.store import KGStore

    d = corpus(n, seed)
    store_path = fresh_dir(OUT / f"scale-store-{n}")
    quarter = n // 4
    state = {"extracted": 0}

    with MemoryMonitor() as mon:
        stage_inner = pipeline.local_extractions

        def counting_stage(articles, **kw):
            for item in stage_inner(articles, **kw):
                state["extracted"] += 1
                if state["extracted"] in (quarter, n // 2, 3 * quarter, n):
                    if state["extracted"] == quarter:
                        mon.mark("quarter")
                    print(f"  {state['extracted']} articles extracted, {time.perf_counter() - t0:.0f} s, "
                          f"peak RSS so far {mon.peak_rss / GB:.2f} GB", flush=True)
                yield item

        t0 = time.perf_counter()
        with KGStore.open(store_path) as s:
            report = pipeline.build(s, [str(d)], model=DEFAULT_MODEL, workers=workers, progress=False,
                                    extractions=counting_stage)
        wall = time.perf_counter() - t0
        mon.mark("end")
    print(f"  built {len(report.built)} articles in {wall:.0f} s ({report.summary()})", flush=True)
    return {"n": n, "wall": wall, "marks": mon.marks, "peak_rss": mon.peak_rss, "peak_pss": mon.peak_pss,
            "store": str(store_path), "built": len(report.built)}


def add_one(store: str, files: list[str]) -> None:
    """(In a fresh process) add each file to the store, one build each; print the times as JSON."""
    from kg.nlp import DEFAULT_MODEL, load
    from kg.build import build
    from kg.store import KGStore

    load(DEFAULT_MODEL)  # model load is not part of the figure
    times = []
    for f in files:
        t = time.perf_counter()
        with KGStore.open(store) as s:
            r = build(s, [f], model=DEFAULT_MODEL, progress=False)
        times.append(time.perf_counter() - t)
        assert len(r.built) == 1, r.summary()
    print(json.dumps(times))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(ap)
    ap.add_argument("-n", type=int, default=None, help="articles (default 4000, quick 400)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--add-one", nargs="+", metavar=("STORE", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.add_one:
        add_one(args.add_one[0], args.add_one[1:])
        return 0
    n = args.n or (400 if args.quick else 4000)
    print(f"[scale] build of {n} articles, workers={args.workers}, memory sampled", flush=True)
    r = scale_build(n, args.seed, args.workers)
    quarter = n // 4
    q_rss, q_pss = r["marks"]["quarter"]
    e_rss, e_pss = r["marks"]["end"]
    growth = e_rss / q_rss
    note = f"one build of {n} articles, workers={args.workers}, {r['wall']:.0f} s"
    emit(Figure("rss_peak", f"peak RSS building {n:,} articles", r["peak_rss"] / GB, f"{r['peak_rss'] / GB:.2f} GB",
                "≤ 2 GB", r["peak_rss"] <= 2 * GB,
                f"{note}; sum of RSS over the {args.workers + 1} processes (model pages shared by fork counted in "
                f"each); PSS {r['peak_pss'] / GB:.2f} GB"), args.figures)
    emit(Figure("rss_growth", f"RSS at {n:,} ÷ at {quarter:,} articles", growth, f"{growth:.2f}", "≤ 1.2",
                growth <= 1.2, f"{note}; peak so far at the end (writes included) {e_rss / GB:.2f} GB vs "
                f"{q_rss / GB:.2f} GB when {quarter} were extracted; PSS {e_pss / GB:.2f} vs {q_pss / GB:.2f} GB"),
         args.figures)

    # adding one article to the N/2-article store
    new_dir = fresh_dir(OUT / "new-articles")
    subprocess.run([PY, str(BENCH / "make_corpus.py"), "3", str(new_dir), "--seed", str(args.seed + 1000)],
                   check=True, capture_output=True)
    files = []
    for p in sorted(new_dir.glob("a*.txt")):
        target = p.with_name("new-" + p.name)
        p.rename(target)
        files.append(str(target))
    out = subprocess.run([PY, __file__, "--add-one", r["store"], *files], capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-3000:])
        raise SystemExit("adding an article failed")
    times = json.loads(out.stdout.strip().splitlines()[-1])
    med = statistics.median(times)
    emit(Figure("add_one", f"adding 1 article to a {r['built']:,}-article store", med, f"{med:.2f} s", "≤ 2 s",
                med <= 2.0, f"median of 3 new articles, model already loaded; {listed(times)} s"),
         args.figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
