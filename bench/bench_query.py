#!/usr/bin/env python
"""Query speed: every ``queries/*.rq`` on a large store, rdflib in memory vs our store, cold start.

* Large store (goal 1,000,000 triples): the article graphs of a real build (``--base-store``,
  else a build of a small corpus) replicated with renamed IRIs until the target is reached:
  copy k renames every article-level node (graph, article, statement, evidence, quotation,
  mention record) and the people, organisations, concepts, groups, events and places (IRI
  and labels get a ``-rk`` / `` rk`` suffix), and shares countries and cities - so the graph
  grows like a corpus with more people and more facts about the same countries. Loaded with
  ``bulk_load``, then the summary graph is computed as a build does and the store compacted
  (``optimize``). ``--also-store`` runs
  the queries on another store too (``run_all.py`` passes the 4,000-article store it built).
* Each query runs through ``kg.query.run_query`` in process (results materialised), median
  of ``--repeats`` runs taken in rounds (each query once a round: a slow spell of the shared
  VM falls on all of them alike); a first run in a child process with a time limit (``--cap``)
  catches queries too slow to repeat.
* rdflib: the same quads (about 200,000) parsed into an in-memory ``rdflib.Dataset`` (default
  graph = union, as ours) and each query run with rdflib's SPARQL engine, capped at ``--cap``
  seconds (SIGALRM), against our on-disk store with the same quads.
* Cold start: ``kg query`` as a new process on the large store, from process start to the first
  result row on stdout (median of 5), with a one-pattern query and with a named query.
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import KG, OUT, Figure, add_common_args, corpus, emit, fmt_s, fresh_dir, run_timed  # noqa: E402

ID = "https://w3id.org/newskg/id/"
RENAMED = "graph/article|article|statement|evidence|quote|mentions|person|organization|concept|group|event|place"
IRI_RE = re.compile(r"<" + re.escape(ID) + r"(" + RENAMED + r")/([^>]*)>")
ENTITY_SUBJECT = re.compile(r"^<" + re.escape(ID) + r"(person|organization|concept|group|event|place)/")
LITERAL_LINE = re.compile(r'^(<[^>]*> <([^>]*)> )"((?:[^"\\]|\\.)*)"(.*)$')
LABELS = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel"}
DOC_ID = "https://w3id.org/newskg/ontology#docId"


def article_nquads(store_dir: Path) -> tuple[list[str], list[str]]:
    """(article-graph N-Quads lines, ontology-graph lines) of a kg store."""
    import pyoxigraph as ox

    st = ox.Store.read_only(str(store_dir / "oxigraph"))
    art, onto = [], []
    for q in st:
        g = q.graph_name
        if isinstance(g, ox.NamedNode) and g.value.startswith(ID + "graph/article/"):
            art.append(str(q) + " .")
        elif isinstance(g, ox.NamedNode) and g.value == ID + "graph/ontology":
            onto.append(str(q) + " .")
    return art, onto


def copy_lines(lines: list[str], k: int) -> list[str]:
    if k == 0:
        return lines
    suffix = f"-r{k}"
    out = []
    for line in lines:
        renamed = IRI_RE.sub(lambda m: f"<{ID}{m.group(1)}/{m.group(2)}{suffix}>", line)
        m = LITERAL_LINE.match(renamed)
        if m and (m.group(2) == DOC_ID or (m.group(2) in LABELS and ENTITY_SUBJECT.match(line))):
            sep = "-" if m.group(2) == DOC_ID else " "
            renamed = f'{m.group(1)}"{m.group(3)}{sep}r{k}"{m.group(4)}'
        out.append(renamed)
    return out


def make_store(base: Path, target: int, name: str) -> tuple[Path, int, int]:
    """A kg store of at least ``target`` quads (article graphs + ontology + summary) from copies of
    ``base``'s article graphs; (path, quads, copies)."""
    import pyoxigraph as ox

    from kg.rdf import SUMMARY_UPDATE
    from kg.store import KGStore

    art, onto = article_nquads(base)
    copies = max(1, -(-(target - len(onto)) // max(1, len(art))))
    path = fresh_dir(OUT / name)
    (path).mkdir()
    st = ox.Store(str(path / "oxigraph"))
    st.bulk_load(input="\n".join(onto).encode(), format=ox.RdfFormat.N_QUADS)
    for k in range(copies):
        st.bulk_load(input="\n".join(copy_lines(art, k)).encode(), format=ox.RdfFormat.N_QUADS)
        if len(st) >= target * 0.97:  # the summary graph adds the rest
            copies = k + 1
            break
    st.flush()
    del st
    (path / "KG_STORE").write_text("kg store: an Oxigraph database in oxigraph/\n")
    with KGStore.open(path) as s:
        s.update(SUMMARY_UPDATE)
        # compact now, so that RocksDB's background compaction of the fresh files does not run
        # during the timings (it made the same queries 1.5-2x slower from one run to the next)
        s.ox.optimize()
        n = len(s.ox)
    return path, n, copies


def pick_params(store) -> dict[str, str]:
    """Parameter values that select something: the most mentioned country, the most quoted
    person, the two ends of the most corroborated statement."""
    from kg.query import PREFIXES

    pre = "\n".join(f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items()) + "\n"

    def first(q, default):
        for row in store.query(pre + q):
            return row[0].value if row[0] is not None else default
        return default

    entity = first("""SELECT ?l WHERE { ?e a kg:Country ; kg:mentionCount ?m . GRAPH ?g { ?e rdfs:label ?l } }
                      ORDER BY DESC(?m) LIMIT 1""", "United States")
    speaker = first("""SELECT ?l (COUNT(DISTINCT ?q) AS ?n) WHERE { GRAPH ?g { ?q kg:speaker ?p . ?p rdfs:label ?l } }
                       GROUP BY ?l ORDER BY DESC(?n) LIMIT 1""", "John Kirby")
    a = b = None
    for row in store.query(pre + """SELECT ?a ?b WHERE { ?st kg:weight ?w . GRAPH ?g { ?st rdf:subject ?s ; rdf:object ?o .
                                   ?s rdfs:label ?a . ?o rdfs:label ?b } } ORDER BY DESC(?w) LIMIT 1"""):
        a, b = row[0].value, row[1].value
    return {"entity": entity, "speaker": speaker, "a": a or "United States", "b": b or "ceasefire"}


def sample_params(store, k: int, seed: int) -> list[dict[str, str]]:
    """``k`` parameter sets drawn at random (seeded) from what the store holds: entities named in
    at least 2 articles, people quoted, the two ends of statements - the typical case beside
    pick_params' worst case."""
    import random

    from kg.query import PREFIXES

    pre = "\n".join(f"PREFIX {p}: <{v}>" for p, v in PREFIXES.items()) + "\n"

    def labels(q):
        return sorted({tuple(t.value for t in row) for row in store.query(pre + q)})

    rng = random.Random(seed)
    entities = labels("""SELECT ?l WHERE { GRAPH <https://w3id.org/newskg/id/graph/summary> {
                          ?e kg:articleCount ?n ; rdfs:label ?l FILTER (?n >= 2) } } LIMIT 20000""")
    speakers = labels("""SELECT ?l WHERE { GRAPH <https://w3id.org/newskg/id/graph/summary> {
                          ?q kg:speaker ?p . ?p rdfs:label ?l } } LIMIT 20000""")
    pairs = labels("""SELECT ?a ?b WHERE { GRAPH <https://w3id.org/newskg/id/graph/summary> {
                       ?st rdf:subject ?s ; rdf:object ?o . ?s rdfs:label ?a . ?o rdfs:label ?b } } LIMIT 20000""")
    out = []
    for _ in range(k):
        a, b = rng.choice(pairs) if pairs else ("United States", "ceasefire")
        out.append({"entity": rng.choice(entities)[0] if entities else "United States",
                    "speaker": rng.choice(speakers)[0] if speakers else "John Kirby", "a": a, "b": b})
    return out


def typical_queries(store_path: Path, label: str, k: int, seed: int, figures) -> None:
    """Each query taking parameters, once per parameter set of sample_params (after a warm-up
    run): the median and the slowest of the k runs."""
    from kg.query import list_queries, run_query, select_params
    from kg.store import KGStore

    with KGStore.open(store_path, read_only=True) as s:
        samples = sample_params(s, k, seed)
        for nq in list_queries():
            if not nq.params:
                continue
            times, rows = [], []
            for params in samples:
                used, _ = select_params(nq, params)
                run_query(s, nq.text, used, timeout=None)
                t = time.perf_counter()
                rows.append(len(run_query(s, nq.text, used, timeout=None)))
                times.append(time.perf_counter() - t)
            med = statistics.median(times)
            emit(Figure(f"typical:{nq.name}", f"query {nq.name}, typical parameters", med,
                        f"{fmt_s(med)} (slowest {fmt_s(max(times))})", "report", None,
                        f"{label}; median of {k} parameter sets drawn at random (entities in >= 2 articles, "
                        f"quoted people, statement ends); rows: median {statistics.median(rows):.0f}, "
                        f"most {max(rows)}"), figures)


def first_run(store, nq, params, cap: float):
    """(seconds, rows) of a first run in a child process killed at ``cap`` seconds ((None, None)
    if killed): it catches a query too slow to repeat."""
    from kg.query import QueryTimeout, run_query, select_params

    used, _ = select_params(nq, params)
    try:
        t = time.perf_counter()
        res = run_query(store, nq.text, used, timeout=cap)  # child process, killed at the cap
        return time.perf_counter() - t, len(res)
    except QueryTimeout:
        return None, None


def run_queries(store_path: Path, label: str, repeats: int, cap: float, figures, key_prefix: str, goal: bool):
    """Each query's median over ``repeats`` in-process runs, taken in rounds (every query once
    per round) so that a slow spell of the machine falls on all queries alike rather than on
    the five runs of one; a query whose first run (in a child process, killed at ``cap``) took
    over 2 s is reported from that run alone."""
    from kg.query import list_queries, run_query, select_params
    from kg.store import KGStore

    out = {}
    with KGStore.open(store_path, read_only=True) as s:
        params = pick_params(s)
        print(f"  parameters: {params}", flush=True)
        queries = list_queries()
        first = {nq.name: first_run(s, nq, params, cap) for nq in queries}
        repeated = [nq for nq in queries if first[nq.name][0] is not None and first[nq.name][0] <= 2.0]
        times: dict[str, list[float]] = {nq.name: [] for nq in repeated}
        rows = {name: r for name, (_, r) in first.items()}
        for _ in range(repeats):
            for nq in repeated:
                used, _ = select_params(nq, params)
                t = time.perf_counter()
                res = run_query(s, nq.text, used, timeout=None)
                times[nq.name].append(time.perf_counter() - t)
                rows[nq.name] = len(res)
        for nq in queries:
            if nq.name in times:
                med, how = statistics.median(times[nq.name]), f"median of {repeats} (in rounds)"
            elif first[nq.name][0] is None:
                med, how = None, f"stopped at {cap:.0f} s"
            else:
                med, how = first[nq.name][0], "one run (in a child process)"
            out[nq.name] = med
            shown = f"> {cap:.0f} s" if med is None else fmt_s(med)
            if goal:
                emit(Figure(f"{key_prefix}:{nq.name}", f"query {nq.name}", med, shown, "≤ 200 ms",
                            med is not None and med <= 0.2, f"{label}; {rows[nq.name] if rows[nq.name] is not None else '?'} "
                            f"rows, {how}"), figures)
            else:
                print(f"  {nq.name:<22} {shown:>9}  ({rows[nq.name]} rows)  [{label}]", flush=True)
    return out, params


class _Alarm(Exception):
    pass


def rdflib_vs_ours(store_path: Path, nquads: int, cap: float, figures) -> None:
    import rdflib

    from kg.query import list_queries, run_query, select_params
    from kg.store import KGStore

    import pyoxigraph as ox

    t = time.perf_counter()
    st = ox.Store.read_only(str(store_path / "oxigraph"))
    data = ox.serialize(st, format=ox.RdfFormat.N_QUADS)
    del st
    ds = rdflib.Dataset(default_union=True)
    ds.parse(data=data.decode("utf-8"), format="nquads")
    print(f"  rdflib: {len(ds)} quads parsed into memory in {time.perf_counter() - t:.0f} s", flush=True)

    def on_alarm(signum, frame):
        raise _Alarm()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    ratios = []
    try:
        with KGStore.open(store_path, read_only=True) as s:
            params = pick_params(s)
            for nq in list_queries():
                used, _ = select_params(nq, params)
                ours = []
                for _ in range(3):
                    t = time.perf_counter()
                    r_ours = run_query(s, nq.text, used, timeout=None)
                    ours.append(time.perf_counter() - t)
                o = statistics.median(ours)
                bindings = {k: rdflib.Literal(v) for k, v in used.items()}
                signal.alarm(int(cap))
                t = time.perf_counter()
                try:
                    rows = len(list(ds.query(nq.text, initBindings=bindings)))
                    rd = time.perf_counter() - t
                except _Alarm:
                    rd, rows = None, None
                finally:
                    signal.alarm(0)
                if rd is None:
                    shown, value = f"> {cap / o:,.0f}× (rdflib > {cap:.0f} s)", cap / o
                else:
                    shown, value = f"{rd / o:,.0f}×", rd / o
                ratios.append(value)
                check = "" if rows is None or rows == len(r_ours) else f"; rdflib {rows} rows vs ours {len(r_ours)}!"
                emit(Figure(f"rdflib:{nq.name}", f"rdflib ÷ ours, {nq.name}", value, shown, "report", None,
                            f"{nquads:,} quads; rdflib {'> %.0f s' % cap if rd is None else fmt_s(rd)}, "
                            f"ours {fmt_s(o)}{check}"), figures)
    finally:
        signal.signal(signal.SIGALRM, previous)


def cold_start(store_path: Path, params: dict[str, str], figures, runs: int = 5) -> None:
    def first_row(cmd: list[str], stdin: str | None = None) -> float:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        if stdin:
            p.stdin.write(stdin)
            p.stdin.close()
        p.stdout.readline()  # CSV header
        line = p.stdout.readline()
        dt = time.perf_counter() - t
        p.stdout.read()
        p.wait()
        if not line:
            raise SystemExit(f"no row from {' '.join(cmd)}")
        return dt

    simple = "PREFIX kg: <https://w3id.org/newskg/ontology#>\nSELECT ?doc WHERE { ?a kg:docId ?doc } LIMIT 1\n"
    base = [KG, "query", "--store", str(store_path), "--format", "csv"]
    t_simple = statistics.median(first_row(base + ["-"], simple) for _ in range(runs))
    t_named = statistics.median(first_row(base + ["--name", "articles_mentioning", "--param",
                                                  f"entity={params['entity']}"]) for _ in range(runs))
    t_python = statistics.median(run_timed([sys.executable, "-c", "pass"])[0] for _ in range(runs))
    emit(Figure("cold_start", "kg query cold start to first row", t_simple, fmt_s(t_simple), "≤ 1.0 s",
                t_simple <= 1.0, f"median of {runs}, one-pattern query, default --timeout (query in a child "
                f"process); named query articles_mentioning: {fmt_s(t_named)}; bare `python -c pass`: "
                f"{fmt_s(t_python)}"), figures)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(ap)
    ap.add_argument("--base-store", type=Path, help="a kg store whose article graphs are replicated")
    ap.add_argument("--also-store", type=Path, help="also run the queries on this store (reported, not goals)")
    ap.add_argument("--target", type=int, default=1_000_000)
    ap.add_argument("--rdflib-target", type=int, default=None, help="quads for rdflib (default 200000, quick 50000)")
    ap.add_argument("--repeats", type=int, default=None, help="(default 7, quick 3)")
    ap.add_argument("--cap", type=float, default=None, help="seconds per query at most (default 30, quick 20)")
    args = ap.parse_args()
    repeats = args.repeats or (3 if args.quick else 7)
    cap = args.cap or (20.0 if args.quick else 30.0)
    rd_target = args.rdflib_target or (50_000 if args.quick else 200_000)
    base = args.base_store
    if base is None or not (base / "KG_STORE").exists():
        base = fresh_dir(OUT / "query-base-store")
        n = 40 if args.quick else 150
        print(f"[query] building a base store of {n} articles", flush=True)
        run_timed([KG, "-q", "build", str(corpus(n, args.seed)), "--store", str(base), "--workers", "2",
                   "--no-progress"])
    t = time.perf_counter()
    big, nbig, copies = make_store(base, args.target, "query-store-large")
    print(f"[query] large store: {nbig:,} quads = {copies} copies of {base.name}'s article graphs "
          f"(+ ontology, summary), made in {time.perf_counter() - t:.0f} s", flush=True)
    label = f"{nbig:,} quads ({copies} renamed copies of a {base.name} build)"
    _, params = run_queries(big, label, repeats, cap, args.figures, "query", goal=True)
    typical_queries(big, label, 10 if args.quick else 20, args.seed, args.figures)
    if args.also_store and (args.also_store / "KG_STORE").exists():
        from kg.store import KGStore

        with KGStore.open(args.also_store, read_only=True) as s:
            n_also = len(s.ox)
        print(f"[query] the same queries on {args.also_store.name} ({n_also:,} quads, built, not replicated):")
        run_queries(args.also_store, f"{args.also_store.name}, {n_also:,} quads", repeats, cap, None, "query-built",
                    goal=False)
    cold_start(big, params, args.figures)

    small, nsmall, _ = make_store(base, rd_target, "query-store-rdflib")
    print(f"[query] rdflib vs ours on {nsmall:,} quads (rdflib capped at {cap:.0f} s a query)", flush=True)
    rdflib_vs_ours(small, nsmall, cap, args.figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
