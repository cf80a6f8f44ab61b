"""The commands that read the store: ``kg query``, ``queries``, ``export``, ``viz``, ``stats``,
``validate``. They open it read-only (a build may write meanwhile) and never import spaCy."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..printable import printable
from . import emit, fail, main, open_reader, store_option


QUERY_FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt")
EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "graphml", "gexf", "csv")
GRAPH_PROJECTIONS = ("entities", "cooccurrence", "rdf")  # = kg.export.PROJECTIONS
GRAPH_FORMATS = ("graphml", "gexf")  # = kg.export.GRAPH_FORMATS: the formats of a projection


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(f"--param expects NAME=VALUE, got {pair!r}", 2)
        params[key.strip()] = value
    return params


def _prefixes_epilog() -> str:
    from .. import api

    return "Prefixes declared for every query: " + ", ".join(api.sparql_prefixes()) + " (--prefixes prints their IRIs)."


@main.command("query", epilog=_prefixes_epilog())
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
@click.option("--union", is_flag=True,
              help="Default graph = the union of all graphs, as a multiset (a triple once per article "
                   "graph holding it) instead of the merged view.")
@click.option("--prefixes", "list_prefixes", is_flag=True,
              help="List the prefixes every query can use without declaring them, and exit.")
@store_option
def query_cmd(file, name, params, fmt, timeout, allow_service, max_width, union, list_prefixes, store):
    """Run a SPARQL query (FILE, '-' for stdin, or --name) against the store.

    The default graph is the merged view: each entity, statement, quotation, article and
    plain triple (`?s kg:opposes ?o`) once, and the ontology. Evidence records, mention
    records and article texts are in the article graphs: read them with GRAPH ?g { ... }.
    The common prefixes (rdf, rdfs, xsd, owl, skos, schema, prov, kg, kgg, person, ...; see
    --prefixes) need no PREFIX line. Parameters are bound as string literals, never pasted
    into the query text. Exit 2 on a bad query or parameter, 1 on a timeout.

    \b
    kg query --name quotes_by --param speaker="John Kirby"
    kg query my.rq --format csv > out.csv
    echo 'SELECT ?who ?what WHERE { ?s kg:opposes ?o . ?s rdfs:label ?who . ?o rdfs:label ?what }' | kg query -
    """
    from .. import api

    if list_prefixes:
        emit("".join(f"PREFIX {k}: <{v}>\n" for k, v in api.sparql_prefixes().items()))
        return
    if bool(file) == bool(name):
        fail("give a query FILE (or '-') or --name NAME, not both and not neither", 2)
    bound = _parse_params(params)
    try:
        if name:
            nq = api.load_query(name=name)
        elif file == "-":
            nq = api.load_query(text=sys.stdin.read(), label="stdin")
        else:
            nq = api.load_query(file=file)
        prepared = api.prepare_query(nq, bound, allow_service=allow_service)
    except api.QueryError as e:
        query_failed(e)
    if prepared.ignored:  # e.g. `make demo` passes every parameter to every named query
        takes = ", ".join(nq.param_names) or "no parameters"
        click.echo(f"kg: note: query {nq.name!r} ignores --param {', '.join(prepared.ignored)} (it takes: {takes})",
                   err=True)
    with open_reader(store) as g:
        try:
            result = g.query(prepared, timeout=timeout or None, allow_service=allow_service, union=union)
            out = api.format_result(result, fmt, max_width=max_width)
        except api.QueryError as e:
            query_failed(e)
        if len(result) == 0 and result.kind == "select":
            for note in g.empty_result_notes(prepared, union=union):
                click.echo(f"kg: note: {printable(note)}", err=True)
    emit(out)


def query_failed(e) -> None:
    """Exit with the message of a QueryError; a syntax error with its excerpt and caret."""
    from .. import api

    if isinstance(e, api.QuerySyntaxError):
        fail(e.headline, e.exit_code, detail=e.excerpt)
    fail(str(e), e.exit_code)


@main.command("queries")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
def queries_cmd(fmt):
    """List the named queries (queries/*.rq, or $KG_QUERIES): name, parameters, summary."""
    import json

    from .. import api

    try:
        found = api.queries()
    except api.QueryError as e:
        fail(str(e), e.exit_code)
    if fmt == "json":
        emit(json.dumps([
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
    emit("\n".join(lines) + "\n")


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
@click.option("--open/--no-open", "with_open", default=False, show_default=True,
              help="Entity graph (graphml, gexf, csv): add the open relations (edges with vocabulary=open: a verb "
                   "phrase between two named entities that no vocabulary predicate covers; less sure than the "
                   "vocabulary's facts, so left out unless asked for).")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None, metavar="C",
              help="graphml, gexf, csv (entity graph): leave out the relations whose confidence is below C "
                   "(0.7: a verb with named arguments; 0.6: event nouns, recipients, pronouns).")
@store_option
def export_cmd(fmt, output, graph, static, with_open, min_confidence, store):
    """Export the store as RDF or as a graph for Gephi / networkx.

    GraphML and GEXF open in Gephi coloured by entity type (data/palette.yaml), sized by
    mentions, laid out (fixed seed) and with a `community` attribute; GEXF has a timeline
    (node and edge `start` = first article date) when articles have dates. Edges of the
    entity graph carry `vocabulary`: `controlled` (a predicate of the vocabulary) or `open`
    (the text's own verb phrase as label; filter on it in Gephi, or --no-open); edges.csv
    has it as its last column, `Vocabulary`.
    Files are replaced atomically (written next to the target, then renamed).

    \b
    kg export --format gexf -o graph.gexf                  open in Gephi (File > Open)
    kg export --format graphml --graph cooccurrence -o co.graphml
    kg export --format csv -o gephi/        nodes.csv + edges.csv (Gephi spreadsheet import)
    kg export --format csv --open -o gephi/        the same with the open relations (Vocabulary=open)
    kg export --format gexf --min-confidence 0.7 -o sure.gexf    only the surest relations
    kg export --format ttl -o - | gzip > kg.ttl.gz
    """
    from .. import api

    if fmt == "csv" and output == "-":
        fail("--format csv writes a directory (nodes.csv, edges.csv); give --output DIR", 2)
    if graph != "entities" and fmt not in GRAPH_FORMATS:
        fail(f"--graph {graph} applies to --format graphml or gexf only", 2)
    if with_open and (graph != "entities" or fmt not in (*GRAPH_FORMATS, "csv")):
        fail("--open applies to the entity graph (--format graphml, gexf or csv); in RDF, open relations are "
             "the kg:OpenStatement nodes (kg query --name open_relations)", 2)
    opts = {"graph": graph} if fmt in GRAPH_FORMATS else {}
    if fmt == "gexf" and static:
        opts["dynamic"] = False
    if with_open:
        opts["open_relations"] = True
    if min_confidence is not None:
        if fmt not in GRAPH_FORMATS and fmt != "csv" or graph != "entities":
            fail("--min-confidence applies to the entity graph (graphml, gexf, csv) only", 2)
        opts["min_confidence"] = min_confidence
    with open_reader(store) as g:
        try:
            g.export(fmt, output, **opts)
        except api.UnfinishedWriteError as e:
            fail(str(e), 1)
        except api.ExportError as e:
            fail(str(e), 2)
        except BrokenPipeError:
            sys.exit(0)
        except OSError as e:
            fail(f"cannot write {output}: {e.strerror or e}", 1)
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
@click.option("--max-nodes", type=click.IntRange(min=0), default=None,
              help="Draw only this many nodes, the most connected (0 = all) [default: 1500 for html, 120 for "
                   "png/svg: the largest connected parts, grown from their most connected entities].")
@click.option("--focus", metavar="ENTITY", default=None,
              help="Draw only this entity (its name or an alias, any case) and its neighbours.")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True,
              help="With --focus: the neighbours up to this many edges away.")
@click.option("--quotes/--no-quotes", default=False, show_default=True,
              help="Show the quotations (the page hides them until its legend shows them; the image leaves them out).")
@click.option("--labels", "top", type=click.IntRange(min=0), default=40, show_default=True,
              help="png/svg: label this many top entities.")
@click.option("--open/--no-open", "with_open", default=False, show_default=True,
              help="Add the open relations (verb phrases between named entities that no vocabulary predicate "
                   "covers, less sure than its facts), dotted in the page.")
@store_option
def viz_cmd(output, fmt, graph, title, max_nodes, focus, depth, quotes, top, with_open, store):
    """Draw the graph: an interactive HTML page or a PNG/SVG image.

    The page is one file with everything inside (no network): search, colours by type with
    a legend, zoom and pan, and a side panel with the relations and evidence sentences of a
    clicked node or edge. The image labels the most mentioned entities.

    \b
    kg viz --output graph.html && xdg-open graph.html
    kg viz --output graph.png --labels 40
    kg viz --focus "Donald Trump" --depth 2 --output trump.html
    """
    from .. import api

    try:
        api.viz_format(output, fmt)
    except api.VizError as e:
        fail(str(e), 2)
    with open_reader(store) as g:
        try:
            info = g.viz(output, fmt=fmt, graph=graph, title=title, max_nodes=max_nodes, top=top,
                         open_relations=with_open, focus=focus, depth=depth, quotes=quotes)
        except (api.VizError, api.ExportError) as e:
            fail(str(e), 2)
        except OSError as e:
            fail(f"cannot write {output}: {e.strerror or e}", 1)
    shown = f"{info['nodes']} nodes, {info['edges']} edges"
    if info["nodes"] < info["total_nodes"]:
        shown += f" of {info['total_nodes']} nodes"
    if info.get("focus"):
        shown += f" round {' and '.join(info['focus'])}"
    click.echo(f"kg: wrote {info['format']} ({shown}) to {printable(output)}", err=True)


@main.command("entities")
@click.argument("words", nargs=-1)
@click.option("-t", "--type", "type_", metavar="TYPE",
              help="Only entities of this type (Person, Organization, Country, City, Place, Group, Event, Concept; any case).")
@click.option("-l", "--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Show at most this many (0 = all).")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "csv", "tsv", "json")), default="table",
              show_default=True)
@store_option
def entities_cmd(words, type_, limit, fmt, store):
    """Find entities whose label or alias contains TEXT (any case; all entities without it),
    the most mentioned first: type, mentions, articles, aliases, Wikidata id, IRI.

    \b
    kg entities kirby
    kg entities john kirby                 (the words are one text)
    kg entities --type country --limit 10
    kg entities "united" --format csv
    """
    from .. import api

    text = " ".join(words)
    with open_reader(store) as g:
        try:
            found = g.entities(text, type=type_, limit=limit)
        except api.QueryError as e:
            fail(str(e), e.exit_code)
        if not found and text:
            near = g.nearest_entities(text)
            click.echo(f"kg: note: no entity's label or alias contains {printable(text)!r}"
                       + (f"; nearest: {printable(', '.join(near))}" if near else ""), err=True)
    emit(api.format_entities(found, fmt))


@main.command("stats")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@click.option("--top", type=click.IntRange(min=0), default=5, show_default=True,
              help="The most mentioned entities shown per type.")
@store_option
def stats_cmd(fmt, top, store):
    """Counts: articles, entities by type with the most mentioned of each, relations by
    predicate (most frequent first), quotations, triples."""
    import json

    from .. import api

    with open_reader(store) as g:
        stats = g.stats(top=top)
    emit(json.dumps(stats, indent=1) + "\n" if fmt == "json" else api.format_stats(stats))


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
    from .. import api

    with open_reader(store) as g:
        try:
            res = g.validate(shapes)
        except api.ValidationError as e:
            fail(str(e), 2)
    emit(api.validation_report(res, fmt, max_shown=max_shown))
    sys.exit(0 if res.conforms else 1)
