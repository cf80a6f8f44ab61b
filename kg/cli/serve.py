"""``kg serve`` (a SPARQL endpoint), ``kg push`` (to a triple store) and ``kg openie``."""

from __future__ import annotations

import sys

import click

from . import fail, main, model_option, open_reader, quiet_stdout, resolve_store, store_option


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
    from .. import api

    try:
        api.serve(resolve_store(store), host=host, port=port, timeout=timeout, max_rows=max_rows,
                 allow_update=allow_update, workers=workers, memory_limit_mb=memory_limit,
                 max_result_mb=max_result_mb, client_timeout=client_timeout, max_connections=max_connections,
                 update_token=update_token)
    except api.StoreError as e:
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
    from .. import api

    if bool(user) != bool(password):
        fail("give both --user and --password (or KG_PUSH_USER and KG_PUSH_PASSWORD)", 2)
    with open_reader(store) as g:
        try:
            report = g.push(endpoint, graph=graph, auth=(user, password) if user else None, force=push_all,
                            dry_run=dry_run)
        except api.PushError as e:
            fail(str(e), 1)
    click.echo(report.summary())


@main.command("openie")
@click.argument("file", required=False, default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-f", "--format", "fmt", type=click.Choice(("carb", "jsonl")), default="carb", show_default=True,
              help="carb: sentence<TAB>confidence<TAB>relation<TAB>arg1<TAB>arg2[<TAB>arg3...]; "
                   "jsonl: one JSON object per extraction.")
@model_option
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
    from .. import api

    try:
        if file == "-":
            sentences = api.read_sentences(sys.stdin)
        else:
            with open(file, encoding="utf-8") as fh:
                sentences = api.read_sentences(fh)
    except (OSError, UnicodeDecodeError) as e:
        fail(f"cannot read {file}: {getattr(e, 'strerror', None) or e}", 2)
    bar = None
    if not no_progress and sentences:
        from tqdm import tqdm

        bar = tqdm(total=len(sentences), unit="sent", file=sys.stderr, disable=None, leave=False)
    out = sys.stdout
    try:
        n_sent, n_tup = api.openie(sentences, out.write, fmt=fmt, model=model, workers=workers,
                               batch_size=batch_size, progress=(lambda n: bar.update(1)) if bar else None)
        out.flush()
    except api.ModelError as e:
        fail(str(e), 2)
    except BrokenPipeError:  # `kg openie x.txt | head`
        quiet_stdout()
    finally:
        if bar is not None:
            bar.close()
    click.echo(f"kg: {n_tup} extractions from {n_sent} sentences", err=True)
