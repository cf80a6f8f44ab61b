#!/usr/bin/env python
"""The SPARQL guard (kg.sparql_guard): how long ``check()`` takes, and where pyoxigraph crashes.

* Check time: each ``queries/*.rq`` as is (the fast path: no "service" in it, lexer only) and
  with a ``# service`` comment added (lexer and rdflib's parser; the first parse also loads
  the grammar, reported apart), then texts of ~50 KB that mention "service": a VALUES block of
  IRIs, a FILTER of 240 comparisons, triple patterns up to the chain limit, an IN list that
  exceeds the parser's step budget (refused), a 50 KB string. Median of ``--repeats`` runs.
* ``--crash``: the smallest size (bisected, each trial in a child process with the default
  8 MB stack) at which pyoxigraph dies of a signal, per shape, next to the guard's limit.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Figure, emit  # noqa: E402

from kg import sparql_guard as g  # noqa: E402
from kg.paths import queries_dir  # noqa: E402


def timed(text: str, repeats: int) -> tuple[float, str]:
    """Median seconds of ``check(text)`` and its outcome."""
    times, outcome = [], "passes"
    for _ in range(repeats):
        t = time.perf_counter()
        try:
            g.check(text)
        except g.QueryRefused as e:
            outcome = f"refused ({e.reason})"
        times.append(time.perf_counter() - t)
    return statistics.median(times), outcome


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def fifty_kb() -> dict[str, str]:
    iris = " ".join(f"<https://w3id.org/newskg/id/service/{i}>" for i in range(1_150))
    ors = " || ".join(f"?o = 'service value number {i:04d}'" for i in range(240))
    triples = " . ".join(f"?s{i} <http://example.org/service/p{i}> 'service value {i}'" for i in range(g.MAX_CHAIN - 3))
    ins = ", ".join(f"'service {i}'" for i in range(3_500))
    return {
        "VALUES, 1,150 IRIs": f"SELECT ?x WHERE {{ VALUES ?x {{ {iris} }} }}",
        "FILTER, 240 || of =": f"SELECT ?o WHERE {{ ?s ?p ?o FILTER({ors}) }}",
        f"{g.MAX_CHAIN - 3} triple patterns": f"SELECT * WHERE {{ {triples} }}",
        "IN list of 3,500 strings": f"SELECT ?o WHERE {{ ?s ?p ?o FILTER(?o IN ({ins})) }}",
        "one 50 KB string": "SELECT ?o WHERE { ?s ?p '" + "service " * 6_400 + "' }",
    }


def check_times(repeats: int, figures: str | None) -> None:
    print("check() on the named queries (median of %d):" % repeats)
    t = time.perf_counter()
    g.check("SELECT * WHERE { ?s ?p 'service' }")
    print(f"  first parse (imports rdflib, copies its grammar): {ms(time.perf_counter() - t)}")
    fast, parsed = [], []
    for path in sorted(queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        depth, chain = g.measure(text)
        a, _ = timed(text, repeats)
        b, _ = timed(text + "\n# service\n", repeats)
        fast.append(a)
        parsed.append(b)
        print(f"  {path.stem:22} {len(text):5} chars  depth {depth:2}  chain {chain:3}  "
              f"fast path {ms(a):>8}  parsed {ms(b):>9}")
    emit(Figure("guard:named_fast", "check, named queries, slowest (fast path)", max(fast), ms(max(fast)),
                note=f"N={len(fast)}, median of {repeats}"), figures)
    emit(Figure("guard:named_parsed", "check, named queries + '# service', slowest (parsed)", max(parsed),
                ms(max(parsed)), note=f"N={len(parsed)}, median of {repeats}"), figures)
    print("check() on ~50 KB texts that mention 'service':")
    for name, text in fifty_kb().items():
        s, outcome = timed(text, repeats)
        print(f"  {name:26} {len(text):6} chars  {ms(s):>10}  {outcome}")
        emit(Figure("guard:50kb:" + name, f"check, {name}", s, ms(s), note=f"{len(text)} chars, {outcome}"), figures)


# ---------------------------------------------------------------- where pyoxigraph crashes
SHAPES = {
    "function calls nested": (lambda n: "SELECT * WHERE { BIND(" + "STR(" * n + "'a'" + ")" * n + " AS ?x) }",
                              "depth", 100, 4_000),
    "parentheses nested": (lambda n: "SELECT * WHERE { BIND(" + "(" * n + "1" + ")" * n + " AS ?x) }",
                           "depth", 1_000, 20_000),
    "braces nested": (lambda n: "SELECT * WHERE " + "{" * n + " ?s ?p ?o " + "}" * n, "depth", 500, 10_000),
    "BIND sequence": (lambda n: "SELECT * WHERE { " + " ".join(f"BIND(1 AS ?x{i})" for i in range(n)) + " }",
                      "chain", 500, 10_000),
    "MINUS sequence": (lambda n: "SELECT * WHERE { ?s ?p ?o " + " MINUS { ?s ?p ?o }" * n + " }",
                       "chain", 500, 10_000),
    "UNION chain": (lambda n: "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " }",
                    "chain", 1_000, 30_000),
    "|| chain": (lambda n: "SELECT * WHERE { FILTER(" + " || ".join(["?a"] * n) + ") }", "chain", 1_000, 40_000),
    "| path chain": (lambda n: "SELECT * WHERE { ?s " + "|".join(["<http://e/p>"] * n) + " ?o }",
                     "chain", 3_000, 60_000),
}
_CHILD = "import sys, pyoxigraph as ox\ntry:\n    list(ox.Store().query(sys.stdin.read()))\nexcept Exception:\n    pass\n"


def crashes(text: str) -> bool:
    try:
        r = subprocess.run([sys.executable, "-c", _CHILD], input=text, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return False
    return r.returncode < 0


def crash_sizes(figures: str | None) -> None:
    print("smallest size at which pyoxigraph dies of a signal (bisected, child processes):")
    for name, (make, kind, lo, hi) in SHAPES.items():
        if crashes(make(lo)) or not crashes(make(hi)):
            print(f"  {name:24} not bracketed by {lo:,}..{hi:,}")
            continue
        while hi - lo > max(10, lo // 50):
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if crashes(make(mid)) else (mid, hi)
        i, limit = (0, g.MAX_DEPTH) if kind == "depth" else (1, g.MAX_CHAIN)
        per_unit = (g.measure(make(40))[i] - g.measure(make(20))[i]) / 20  # e.g. BIND counts BIND and AS
        refused_from = int(limit / per_unit) + 1
        print(f"  {name:24} ~{hi:,}  (the guard refuses from {refused_from:,}: {hi / refused_from:.0f}x below)")
        emit(Figure("guard:crash:" + name, f"pyoxigraph crashes, {name}", hi, f"~{hi:,}",
                    note=f"guard refuses from {refused_from:,} ({kind} limit {limit})"), figures)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--crash", action="store_true", help="also bisect pyoxigraph's crash sizes (a few minutes)")
    ap.add_argument("--figures", help="append figures as JSON lines to this file")
    args = ap.parse_args()
    check_times(args.repeats, args.figures)
    if args.crash:
        crash_sizes(args.figures)


if __name__ == "__main__":
    main()
