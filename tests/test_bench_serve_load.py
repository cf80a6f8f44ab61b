"""bench/bench_serve.py --load: the load run of kg serve (named queries with their parameters
written into the text, entity and search pages, a slow query, a build adding articles meanwhile)
runs end to end on a tiny store and reports its figures. Figures are not asserted on (bench/
prints them; no timed assertions in tests)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH_SERVE = ROOT / "bench" / "bench_serve.py"


def _bench_serve():
    sys.path.insert(0, str(BENCH_SERVE.parent))
    spec = importlib.util.spec_from_file_location("bench_serve", BENCH_SERVE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_parameters_written_into_the_text_bind_patterns_not_projections():
    from kg.query import find_query, select_params

    b = _bench_serve()
    nq = find_query("articles_mentioning")
    used, _ = select_params(nq, {"entity": 'O"Brien ?entity'})
    text = b.bind_in_text(nq.text, used)
    assert 'kg:matchKey "o\\"brien ?entity"' in text  # a literal, escaped, lower-cased (a name parameter)
    assert "SELECT ?entity ?label ?doc" in text and "{ SELECT ?entity ?label ?m" in text  # projections kept
    assert "?entity ;" not in text
    nq = find_query("relations_between")
    used, _ = select_params(nq, {"a": "Kirby", "b": "Israel"})
    text = b.bind_in_text(nq.text, used)
    assert '?ea kg:matchKey "kirby" . ?eb kg:matchKey "israel"' in text
    assert "GROUP BY ?a ?b " in text


@pytest.mark.slow
@pytest.mark.subprocess
def test_load_run_reports_its_figures_on_a_tiny_store(tmp_path):
    figures = tmp_path / "figures.jsonl"
    env = {**os.environ, "KG_BENCH_OUT": str(tmp_path / "bench")}
    res = subprocess.run([sys.executable, str(BENCH_SERVE), "--load", "--quick", "--articles", str(ROOT / "data/articles"),
                          "--held-out", "1", "--target", "20000", "--seconds", "4", "--clients", "3",
                          "--figures", str(figures)], capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    figs = {f["key"]: f for f in map(json.loads, figures.read_text().splitlines())}
    for key in ("serve_load_throughput", "serve_load_p99_named", "serve_load_p99_entity", "serve_load_errors",
                "serve_load_rss", "serve_load_build"):
        assert key in figs, (key, sorted(figs))
    assert figs["serve_load_throughput"]["value"] > 0
    build = figs["serve_load_build"]
    assert build["value"] == 1 and build["met"], build  # the held-out article built and then served
