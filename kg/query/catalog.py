"""The named queries: ``.rq`` files with a header block (``queries/``, or ``$KG_QUERIES``).

A named query is a ``.rq`` file that starts with a header block::

    #+ summary: Direct quotations of a speaker
    #+ params: speaker: label of the speaker entity (string)
    #+ example: kg query --name quotes_by --param speaker="John Kirby"

``params`` is ``(none)`` or ``name: description (kind)`` entries separated by ``|`` (or given
on several ``#+ params:`` lines). The kind is ``string`` (bound as given, the default) or
``name``: an entity's label or alias in any case, bound lower-cased so that the query can find
the entity by index lookup on ``kg:matchKey`` (the lower-cased labels and aliases of the
summary graph) instead of comparing every label.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import queries_dir
from .errors import QueryError
from .suggest import close, did_you_mean

#: Kinds of named-query parameters (the ``(kind)`` at the end of a ``#+ params:`` entry):
#: a ``string`` is bound as given; a ``name`` (an entity's label or alias, any case) is bound
#: lower-cased, to match the ``kg:matchKey`` index of the summary graph by index lookup.
PARAM_KINDS = ("string", "name")
_KIND_RE = re.compile(r"\((\w+)\)\s*$")


@dataclass(frozen=True)
class Param:
    name: str
    description: str = ""
    kind: str = "string"

    def bind(self, value: str) -> str:
        """The value to bind for ``value`` given by the user."""
        return value.lower() if self.kind == "name" else value


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path | None
    summary: str
    params: tuple[Param, ...]
    text: str
    examples: tuple[str, ...] = field(default=(), compare=False)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)


_HEADER_RE = re.compile(r"^#\+\s*([A-Za-z_-]+)\s*:\s?(.*)$")
PARAM_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_header(text: str) -> dict[str, list[str]]:
    """The ``#+ key: value`` lines at the top of a query (blank and ``#`` lines may come between)."""
    header: dict[str, list[str]] = {}
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        m = _HEADER_RE.match(s)
        if m:
            header.setdefault(m.group(1).lower(), []).append(m.group(2).strip())
        elif not s.startswith("#"):
            break
    return header


def _parse_params(values: list[str], where: str) -> tuple[Param, ...]:
    params: list[Param] = []
    for value in values:
        for entry in value.split("|"):
            entry = entry.strip()
            if not entry or entry.lower() in ("(none)", "none", "-"):
                continue
            name, _, desc = entry.partition(":")
            name = name.strip().lstrip("?$")
            if not PARAM_NAME_RE.match(name):
                raise QueryError(f"{where}: bad parameter entry {entry!r} (expected 'name: description')")
            m = _KIND_RE.search(desc)
            kind = m.group(1).lower() if m else "string"
            if kind not in PARAM_KINDS:
                raise QueryError(f"{where}: parameter {name!r} has unknown kind ({kind}); "
                                 f"use one of: {', '.join(PARAM_KINDS)}")
            params.append(Param(name, desc.strip(), kind))
    return tuple(params)


def parse_query_text(text: str, name: str = "query", path: Path | None = None) -> NamedQuery:
    header = parse_header(text)
    summary = " ".join(header.get("summary", [])).strip()
    params = _parse_params(header.get("params", []) + header.get("param", []), str(path or name))
    return NamedQuery(name, path, summary, params, text, tuple(header.get("example", [])))


def load_query_file(path: str | os.PathLike) -> NamedQuery:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise QueryError(f"cannot read query file {path}: {e.strerror or e}") from e
    return parse_query_text(text, path.stem, path)


def list_queries(directory: str | os.PathLike | None = None) -> list[NamedQuery]:
    """All ``*.rq`` files of ``directory`` (default: :func:`kg.paths.queries_dir`), by name."""
    d = Path(directory) if directory is not None else queries_dir()
    if not d.is_dir():
        return []
    return [load_query_file(p) for p in sorted(d.glob("*.rq"))]


def find_query(name: str, directory: str | os.PathLike | None = None) -> NamedQuery:
    d = Path(directory) if directory is not None else queries_dir()
    stem = name[:-3] if name.endswith(".rq") else name
    path = d / f"{stem}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", stem) or not path.is_file():
        names = [q.name for q in list_queries(d)]
        raise QueryError(f"no query named {name!r} in {d}{did_you_mean(stem, names)} "
                         f"(known queries: {', '.join(names) or 'none'}; `kg queries` lists them)")
    return load_query_file(path)


def select_params(query: NamedQuery, params: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The parameters to bind for ``query`` and the names it does not take (to be ignored).

    A query with a ``#+ params:`` header gets exactly its declared parameters (a missing one
    is a :class:`QueryError`); a query without a header gets everything given.
    """
    header = parse_header(query.text)
    if "params" not in header and "param" not in header:
        return dict(params), []
    missing = [p for p in query.param_names if p not in params]
    if missing:
        given = [p for p in params if p not in query.param_names]
        hints = "".join(f"; --param {g}: did you mean {' or '.join(close(g, missing))}?"
                        for g in given if close(g, missing))
        raise QueryError(f"query {query.name!r} needs --param " + " ".join(f"{p}=..." for p in missing) + hints)
    used = {p.name: p.bind(params[p.name]) for p in query.params}
    return used, sorted(set(params) - set(used))


def check_params(query: NamedQuery, params: dict[str, str]) -> None:
    """Strict check: every declared parameter given and no other one."""
    _, unknown = select_params(query, params)
    if unknown:
        takes = ", ".join(query.param_names) or "no parameters"
        hints = "".join(did_you_mean(u, query.param_names) for u in unknown)
        raise QueryError(f"query {query.name!r} has no parameter {', '.join(unknown)}{hints} (it takes: {takes})")
