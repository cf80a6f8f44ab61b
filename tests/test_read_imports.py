"""The read commands never import spaCy or rdflib (nor pyshacl): `kg query`, `kg stats`, `kg export`
(every format but jsonld), `kg push`, `kg viz`, and `kg serve`'s query workers. Each starts in
a fraction of a second and runs where only pyoxigraph (and networkx for graphs) is installed.

Each command runs through kg.cli in one fresh interpreter, the strictest first: what a command
brings in is checked right after it, so a module that appears is the doing of that command."""

from __future__ import annotations

import json
import subprocess
import sys

NEVER = ("spacy", "thinc", "torch", "rdflib", "pyshacl", "oxrdflib")
GRAPH_LIBS = ("networkx", "yaml", "matplotlib")  # an RDF dump, a query or a push needs none of them


def commands(store: str, out: str) -> list[tuple[list[str], tuple[str, ...]]]:
    """(kg arguments, top-level modules that must not be imported after them)."""
    dumps = [(["export", "-f", f, "-o", f"{out}/g.{f}"], NEVER + GRAPH_LIBS) for f in ("nq", "nt", "ttl", "trig")]
    return [
        (["queries"], NEVER + GRAPH_LIBS),
        (["query", "--name", "quotes_by", "-p", "speaker=Kirby", "--timeout", "0"], NEVER + GRAPH_LIBS),
        (["query", "--name", "all_facts", "-f", "json"], NEVER + GRAPH_LIBS),  # in the query child
        (["query", "-", "-f", "ttl", "--timeout", "0"], NEVER + GRAPH_LIBS),  # CONSTRUCT from stdin
        (["stats"], NEVER + GRAPH_LIBS),
        *dumps,
        (["push", "--endpoint", "http://127.0.0.1:9/store", "--dry-run"], NEVER + GRAPH_LIBS),
        (["export", "-f", "csv", "-o", f"{out}/csv"], NEVER + ("matplotlib",)),
        (["viz", "-o", f"{out}/g.html"], NEVER + ("matplotlib",)),
        (["export", "-f", "graphml", "-o", f"{out}/g.graphml"], NEVER + ("matplotlib",)),
        (["export", "-f", "gexf", "-g", "cooccurrence", "-o", f"{out}/g.gexf"], NEVER + ("matplotlib",)),
        (["export", "-f", "graphml", "-g", "rdf", "-o", f"{out}/rdf.graphml"], NEVER + ("matplotlib",)),
        (["viz", "-o", f"{out}/g.svg"], NEVER),
    ]


SCRIPT = """
import io, json, sys
from kg.cli import main
for args, forbidden in json.loads(sys.argv[1]):
    if args[:2] == ["query", "-"]:
        sys.stdin = io.StringIO("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5")
    try:
        main.main(args + ["--store", sys.argv[2]] if args != ["queries"] else args, standalone_mode=False)
    except SystemExit as e:
        assert not e.code, (args, e.code)
    loaded = sorted({m.split(".")[0] for m in sys.modules} & set(forbidden))
    assert not loaded, f"kg {' '.join(args)} imported {loaded}"
print("OK")
"""


def test_read_commands_do_not_import_spacy_or_rdflib(handmade_store, tmp_path):
    cases = commands(str(handmade_store), str(tmp_path))
    out = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(cases), str(handmade_store)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("OK")
    assert (tmp_path / "g.nq").stat().st_size and (tmp_path / "csv" / "edges.csv").is_file()
    assert (tmp_path / "g.html").is_file() and (tmp_path / "g.svg").is_file()


def test_jsonld_is_the_export_that_imports_rdflib(handmade_store, tmp_path):
    """The check above can fail: the one export that needs rdflib is seen loading it."""
    code = SCRIPT.replace('print("OK")', "")
    cases = [(["export", "-f", "jsonld", "-o", str(tmp_path / "g.jsonld")], NEVER)]
    out = subprocess.run([sys.executable, "-c", code, json.dumps(cases), str(handmade_store)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "kg export -f jsonld" in out.stderr and "'rdflib'" in out.stderr


WORKER_SCRIPT = """
import sys
from kg.serve.worker import execute
from kg.store import KGStore
store = KGStore.open(sys.argv[1], read_only=True)
jobs = [{"text": "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "format": f} for f in ("json", "xml", "csv", "tsv")]
jobs += [{"text": "ASK { ?s ?p ?o }"}]
jobs += [{"text": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3", "format": f}
         for f in ("turtle", "nt", "jsonld", "rdfxml")]
for job in jobs:
    answer = execute(store.ox, job)
    assert answer["status"] == 200 and answer["body"], (job, answer)
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2].split(",")))
assert not loaded, f"a kg serve worker imported {loaded}"
assert "http.server" not in sys.modules, "a worker loads the HTTP server"
print("OK")
"""


def test_serve_workers_do_not_import_spacy_or_rdflib(handmade_store):
    """A query worker answers SELECT, ASK and CONSTRUCT in every format it serves with pyoxigraph
    alone (its Turtle prefixes come from kg.namespaces)."""
    out = subprocess.run([sys.executable, "-c", WORKER_SCRIPT, str(handmade_store), ",".join(NEVER + GRAPH_LIBS)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "OK"
