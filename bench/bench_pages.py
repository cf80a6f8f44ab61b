#!/usr/bin/env python
"""The pages of ``kg serve``'s browsable graph, timed one at a time on a live server: the entity
pages of the most mentioned entities (the heaviest), article pages, searches, and the Turtle of
the same entities. Prints, per kind, the count, p50, p99 and max latency and the largest page.

    python bench/bench_pages.py --store STORE [--n 50]

The store defaults to ``out/bench/serve-store`` (``bench/bench_serve.py`` builds it from the
Wikinews articles).
"""

from __future__ import annotations

import argparse
import csv
import io
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/newskg/id/"
SUMMARY = ID + "graph/summary"
KG = "https://w3id.org/newskg/ontology#"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, accept: str = "text/html") -> tuple[int, int, float]:
    req = urllib.request.Request(url, headers={"Accept": accept})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    return status, len(body), time.perf_counter() - t0


def column(base: str, query: str) -> list[str]:
    url = base + "/sparql?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/csv"}), timeout=60) as r:
        rows = list(csv.reader(io.StringIO(r.read().decode("utf-8"))))
    return [row[0] for row in rows[1:]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=ROOT / "out" / "bench" / "serve-store")
    ap.add_argument("--n", type=int, default=50, help="pages of each kind")
    args = ap.parse_args()
    if not (args.store / "oxigraph").exists():
        print(f"bench_pages: no store at {args.store} (--store, or run bench/bench_serve.py first)", file=sys.stderr)
        return 2
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(args.store), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        n = args.n
        entities = column(base, f"SELECT ?e WHERE {{ GRAPH <{SUMMARY}> {{ ?e <{KG}mentionCount> ?m }} }} "
                                f"ORDER BY DESC(?m) LIMIT {n}")
        arts = column(base, f"SELECT ?a WHERE {{ GRAPH ?g {{ ?a a <{KG}Article> }} }} LIMIT {n}")
        labels = column(base, f"SELECT ?k WHERE {{ GRAPH <{SUMMARY}> {{ ?e <{KG}matchKey> ?k }} }} LIMIT {n}")
        kinds = {
            "entity page (most mentioned)": [(base + "/" + e[len("https://w3id.org/newskg/"):], "text/html")
                                             for e in entities],
            "entity Turtle": [(base + "/" + e[len("https://w3id.org/newskg/"):], "text/turtle") for e in entities],
            "article page": [(base + "/" + a[len("https://w3id.org/newskg/"):], "text/html") for a in arts],
            "search (3 letters)": [(base + "/search?" + urllib.parse.urlencode({"q": k[:3]}), "text/html")
                                   for k in labels],
        }
        print(f"bench_pages: {args.store}, one request at a time")
        for kind, urls in kinds.items():
            times, sizes, bad = [], [], 0
            for url, accept in urls:
                status, size, dt = fetch(url, accept)
                bad += status != 200
                times.append(dt)
                sizes.append(size)
            if not times:
                continue
            times.sort()
            p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
            print(f"  {kind:30s} n={len(times):4d}  p50 {statistics.median(times) * 1000:6.1f} ms  "
                  f"p99 {p99 * 1000:6.1f} ms  max {times[-1] * 1000:6.1f} ms  largest {max(sizes) / 1024:6.1f} KB"
                  f"  non-200: {bad}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
