"""``kg build`` and ``kg remove``: the commands that write the store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..printable import printable
from . import fail, main, model_option, resolve_store, store_option

curation_option = click.option(
    "--curation", "curation_file", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
    help="The curation file applied to the merged view [default: STORE/curation.yaml].")


def _warn_unmatched(curation, applied) -> None:
    from .. import api

    for rule, n in applied:
        if not n:
            click.echo(f"kg: warning: curation: {printable(api.curation_unmatched(curation, rule))}", err=True)


def _load_curation(path: Path, given: Path | None):
    """The curation of a command (exit 2 naming the line of a malformed file, before any write)."""
    from .. import api

    if given is not None and not given.exists():
        fail(f"no curation file {given}", 2)
    try:
        return api.load_curation(path, given)
    except api.CurationError as e:
        fail(str(e), 2)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@store_option
@model_option
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes that parse and extract (N > 1: N forked workers; this one resolves and writes) "
                   "[default: the usable cores, at most one per 600 MB of available memory and one per 20 "
                   "articles to parse].")
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
@click.option("--title-from", type=click.Choice(["auto", "first-line", "none"]), default="auto", show_default=True,
              help="A plain-text article without a title in its front matter: its first line is the headline "
                   "when short, alone and without a final full stop (auto), always (first-line), never (none).")
@click.option("--allow-private", is_flag=True,
              help="Fetch URLs on private and loopback addresses (refused otherwise: a feed could point kg at them).")
@click.option("--fetch-delay", type=click.FloatRange(0, 3600), default=1.0, show_default=True, metavar="S",
              help="Seconds between two requests to one web site.")
@click.option("--fetch-timeout", type=click.FloatRange(0.1, 3600), default=20.0, show_default=True, metavar="S",
              help="Seconds a web request may wait for the site.")
@click.option("--commit-every", type=click.IntRange(1, 100000), default=None, metavar="N",
              help="Articles written per write, each with its summary update [default: 1000]; "
                   "articles are written while the others are parsed, and a killed build loses "
                   "at most this many parsed articles.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@curation_option
@click.option("--dask", "dask_address", metavar="ADDRESS", default=None,
              help="Parse and extract on the Dask cluster of this scheduler (e.g. tcp://host:8786); "
                   "this process writes the store. --workers is then the cluster's.")
def build(inputs, store, model, workers, batch_size, force, strict, any_language, max_article_chars, follow_symlinks,
          title_from, allow_private, fetch_delay, fetch_timeout, commit_every, no_progress, dask_address, curation_file):
    """Parse articles (files, folders, URLs or '-' for stdin) and add them to the store.

    Reads .txt/.md (optional YAML front matter), .jsonl (one article per line) and
    .html; a URL is a page, an RSS/Atom feed (its items' pages) or a sitemap (its pages),
    fetched politely (robots.txt, one request at a time per site, --fetch-delay apart).
    Unchanged articles are skipped, changed ones replaced. A bad input is reported
    (file and line, or URL) and skipped, the others are still built; the last line sums up.
    Folders are read without leaving them: a symbolic link to outside is skipped unless
    --follow-symlinks (a file named here is always read).
    Exit 0 when every input is in the store (built, unchanged, or the same article as one
    that is), 1 when anything could not be built, 130 on Ctrl-C
    (articles written so far are kept: re-run to finish).
    """
    from .. import api
    from .interrupts import Interrupts

    path = resolve_store(store)
    curation = _load_curation(path, curation_file)
    web = {"allow_private": allow_private, "delay": fetch_delay, "timeout": fetch_timeout}
    options = {"commit_every": commit_every, "max_article_chars": max_article_chars}
    options = {k: v for k, v in options.items() if v is not None}  # the build's defaults otherwise
    try:
        with api.open(path) as g, Interrupts() as interrupts:
            report = g.build(inputs, model=model, dask=dask_address, workers=workers, stdin=sys.stdin, force=force,
                             progress=not no_progress, batch_size=batch_size, strict=strict,
                             any_language=any_language, follow_symlinks=follow_symlinks,
                             title_from=title_from, web=web, stop=interrupts.requested, curation=curation,
                             **options)
    except (api.ModelError, api.StoreError, api.ClusterError) as e:
        fail(str(e), 2)
    except KeyboardInterrupt:
        click.echo("kg: interrupted; articles written so far are kept, re-run to finish", err=True)
        sys.exit(130)
    except OSError as e:
        fail(f"cannot write the store {path}: {e.strerror or e}; articles written so far are kept", 1)
    for p in report.duplicates:
        if p is not report.stopped:
            click.echo(f"kg: duplicate {p}", err=True)
    for p in report.skipped:
        if p is not report.stopped:
            click.echo(f"kg: skipped {p}", err=True)
    if report.stopped:
        click.echo(f"kg: error: {report.stopped} (--strict: stopped at the first problem)", err=True)
    _warn_unmatched(curation, report.curation)
    click.echo(f"kg: {report.summary()} -> {printable(path)}", err=True)
    if report.interrupted:
        click.echo("kg: interrupted; articles written so far are kept, re-run to finish", err=True)
        sys.exit(interrupts.exit_code())
    sys.exit(1 if report.skipped or report.stopped else 0)


@main.command()
@click.argument("doc_ids", nargs=-1, required=True)
@store_option
@curation_option
def remove(doc_ids, store, curation_file):
    """Remove articles (by document id) and every fact only they support (the curation is
    applied again after)."""
    from .. import api

    path = resolve_store(store)
    curation = _load_curation(path, curation_file)
    try:
        with api.open(path, create=False) as g:
            removed, missing = g.remove(doc_ids, curation=curation)
    except api.StoreError as e:
        fail(str(e), 2)
    except OSError as e:  # a read-only store, a full disk: as `kg build` says it
        fail(f"cannot write the store {path}: {e.strerror or e}", 1)
    for d in missing:
        click.echo(f"kg: no article {d!r} in {printable(path)}", err=True)
    click.echo(f"kg: removed {len(removed)} article(s)", err=True)
    sys.exit(1 if missing else 0)


@main.command()
@store_option
@curation_option
def curate(store, curation_file):
    """Apply the curation file (merge, split, retype, block_entity, block_fact) to the merged
    view now, without rebuilding: the entries its rules touch (and those the rules applied
    last time touched) are recomputed from the article graphs, then curated, in one
    transaction. Prints each rule and how many things it touched; a rule that matches
    nothing is a warning. Exit 2 for a malformed file (naming its line)."""
    from .. import api

    path = resolve_store(store)
    curation = _load_curation(path, curation_file)
    if curation.path is None or not curation.path.exists():
        click.echo(f"kg: note: no curation file {curation.path}: the rules applied before are undone", err=True)
    try:
        with api.open(path, create=False) as g:
            applied = g.curate(curation_file)
    except api.StoreError as e:
        fail(str(e), 2)
    except OSError as e:
        fail(f"cannot write the store {path}: {e.strerror or e}", 1)
    for rule, n in applied:
        click.echo(f"{n}\t{rule.describe()}")
    _warn_unmatched(curation, applied)
    click.echo(f"kg: {len(applied)} curation rule(s) applied, {sum(1 for _, n in applied if not n)} matching nothing"
               f" -> {printable(path)}", err=True)
