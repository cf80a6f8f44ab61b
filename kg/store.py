"""The on-disk graph: an Oxigraph store, seen by rdflib through ``oxrdflib``.

Queries and bulk writes go straight to pyoxigraph (fast, no rdflib SPARQL engine);
:meth:`KGStore.dataset` gives the same store as an ``rdflib.Dataset`` for rdflib users.

One writer at a time: a writer holds an exclusive ``flock`` on ``DIR/kg.lock`` and a
second writer gets :class:`StoreLocked` at once instead of hanging. Readers open the
store read-only and may run while a writer works (they see the last committed state).
A process the writer forks (``kg build --workers N``) closes its copy of the lock at once:
a flock belongs to the open file, shared by every copy, so a child that outlived a writer
killed with SIGKILL would otherwise keep the next build out.

A write too big for one transaction goes through Oxigraph's bulk loader (not transactional)
behind *pending markers*: the article graphs it writes are named in the state graph first and
unnamed by its last transaction, so a kill in between leaves graphs that
:func:`pending_graphs` finds (the writer drops them, :func:`kg.write.recover`; readers
refuse to export or push them, :func:`unfinished_write`).
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from .namespaces import KG, PENDING_WRITE, RDF_TYPE, STATE_GRAPH

LOCK_NAME = "kg.lock"
MARKER = "KG_STORE"  # file that says a directory is a kg store


#: The lock descriptors of the writers open in this process (closed in forked children).
_WRITER_LOCKS: set[int] = set()


def _release_locks_in_child() -> None:
    for fd in _WRITER_LOCKS:
        try:
            os.close(fd)
        except OSError:
            pass
    _WRITER_LOCKS.clear()


os.register_at_fork(after_in_child=_release_locks_in_child)

_PROLOGUE = re.compile(r"\A(?:\s*(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>))*\s*", re.I)


def _split_prologue(update: str) -> tuple[str, str]:
    """``(PREFIX/BASE declarations, the rest)`` of a SPARQL update, the rest without a final ';'."""
    m = _PROLOGUE.match(update)
    return update[:m.end()], update[m.end():].strip().rstrip(";").strip()


class StoreError(Exception):
    """A store could not be opened or used; the message says what to do."""


class StoreLocked(StoreError):
    pass


class KGStore:
    def __init__(self, path: Path, ox_store: ox.Store, lock_fd: int | None, read_only: bool):
        self.path = path
        self.ox = ox_store
        self._lock_fd = lock_fd
        self.read_only = read_only
        self._dataset = None
        #: Writes made through this object (a writer's caches of what the store holds are valid
        #: while it does not change).
        self.writes = 0

    # -- opening -----------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike, *, read_only: bool = False, create: bool = True) -> KGStore:
        path = Path(path)
        if read_only:
            if not (path / MARKER).exists():
                raise StoreError(
                    f"no kg store at {path} (build one with `kg build ARTICLES --store {path}`)"
                )
            try:
                return cls(path, ox.Store.read_only(str(path / "oxigraph")), None, True)
            except (OSError, RuntimeError) as e:  # RocksDB's "Corruption: ..." is a RuntimeError
                raise StoreError(f"cannot open store {path} read-only: {e}") from e
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path} exists and is not a directory")
        if path.exists() and any(path.iterdir()) and not (path / MARKER).exists():
            raise StoreError(f"{path} is not empty and is not a kg store; choose another --store")
        if not path.exists() and not create:
            raise StoreError(f"no kg store at {path}")
        path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise StoreLocked(
                f"store {path} is being written by pid {holder}; wait for it to finish "
                "(queries can still run meanwhile)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        _WRITER_LOCKS.add(fd)
        try:
            store = ox.Store(str(path / "oxigraph"))
        except OSError as e:
            _WRITER_LOCKS.discard(fd)
            os.close(fd)
            raise StoreError(f"cannot open store {path}: {e}") from e
        (path / MARKER).write_text("kg store: an Oxigraph database in oxigraph/\n")
        return cls(path, store, fd, False)

    def close(self) -> None:
        if self.ox is None:
            return
        if not self.read_only:
            # Without a flush, reopening a large store replays its write-ahead log (slow).
            self.ox.flush()
        self._dataset = None
        self.ox = None
        if self._lock_fd in _WRITER_LOCKS:  # not in a forked child: its copy is closed already
            _WRITER_LOCKS.discard(self._lock_fd)
            os.close(self._lock_fd)
        self._lock_fd = None

    def __enter__(self) -> KGStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- rdflib view ---------------------------------------------------------------
    @property
    def dataset(self):
        """The store as an ``rdflib.Dataset`` (default graph = union of all graphs)."""
        if self._dataset is None:
            from oxrdflib import OxigraphStore
            from rdflib import Dataset

            self._dataset = Dataset(store=OxigraphStore(store=self.ox), default_union=True)
        return self._dataset

    # -- reading -------------------------------------------------------------------
    def query(self, sparql: str, *, substitutions=None, union: bool = True):
        return self.ox.query(sparql, use_default_graph_as_union=union, substitutions=substitutions)

    def article_hashes(self) -> dict[str, str]:
        q = f"SELECT ?doc ?h WHERE {{ GRAPH ?g {{ ?a <{KG}docId> ?doc ; <{KG}sha256> ?h }} }}"
        return {row["doc"].value: row["h"].value for row in self.ox.query(q)}

    # -- writing -------------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("store opened read-only")
        self.writes += 1

    def replace_graph(self, graph_iri: str, quads: Iterable[ox.Quad], *, then: str | None = None) -> None:
        """Replace a named graph's content in one Oxigraph transaction (see :meth:`replace_graphs`)."""
        self.replace_graphs({graph_iri: quads}, then=then)

    def replace_graphs(self, graphs: dict[str, Iterable[ox.Quad]], *,
                       then: str | Callable[[], str] | None = None, drop: bool = True) -> None:
        """Replace named graphs, then run the SPARQL update ``then`` (e.g. the summary refresh;
        a callable is called after the quads were consumed), all in ONE Oxigraph transaction:
        a crash or kill leaves either all of it or none of it.

        An article's marker (its ``kg:sha256``) lives inside its graph, so an article in the
        store is always whole. Every quad must belong to one of the named graphs. An empty
        quad list removes the graph. The quads are consumed lazily (a huge article is never
        a list of Python quad objects), as N-Triples lines of one ``INSERT DATA``. With
        ``drop=False`` the quads are added to the graphs instead.
        """
        self._check_writable()
        drops: list[str] = []
        blocks: list[str] = []  # the INSERT DATA body, joined every few thousand lines
        lines: list[str] = []
        for graph_iri, quads in graphs.items():
            g = ox.NamedNode(graph_iri)
            if drop:
                drops.append(f"DROP SILENT GRAPH {g} ;\n")
            lines.append(f"GRAPH {g} {{\n")
            for q in quads:
                if q.graph_name != g:
                    raise ValueError(f"quad {q} is not in graph {g}")
                lines.append(f"{q.subject} {q.predicate} {q.object} .\n")
                if len(lines) >= 10_000:
                    blocks.append("".join(lines))
                    lines.clear()
            lines.append("}\n")
        blocks.append("".join(lines))
        del lines
        prologue, then = _split_prologue((then() if callable(then) else then) or "")
        if not graphs and not then:
            return
        # N-Triples terms are valid SPARQL terms; one update request is one transaction.
        # (Oxigraph takes PREFIX declarations only at the start of the request.)
        text = "".join([prologue, *drops, "INSERT DATA {\n", *blocks, "}",
                        f" ;\n{then}" if then else ""]) if graphs else prologue + then
        del blocks
        self.ox.update(text)

    def apply(self, *, deletes: str = "", inserts: str = "", then: str = "") -> None:
        """Delete, insert (text: ``GRAPH <g> { s p o . }`` blocks of N-Triples terms), then run
        the SPARQL update ``then``: ONE transaction."""
        self._check_writable()
        prologue, then = _split_prologue(then or "")
        ops = [f"{kind} DATA {{\n{text}}}" for kind, text in (("DELETE", deletes), ("INSERT", inserts)) if text]
        if then:
            ops.append(then)
        if ops:
            self.ox.update(prologue + " ;\n".join(ops))

    def bulk_load(self, text: str) -> None:
        """Add quads (TriG text) through Oxigraph's bulk loader: fast, NOT transactional (a kill
        may leave part of them); callers guard it with pending markers (:func:`pending_markers`)."""
        self._check_writable()
        if text:
            self.ox.bulk_load(input=text.encode("utf-8"), format=ox.RdfFormat.TRIG)

    def remove_graph(self, graph_iri: str, *, then: str | None = None) -> bool:
        """Remove a named graph (and run ``then``) in one transaction; False if it was absent."""
        self._check_writable()
        g = ox.NamedNode(graph_iri)
        if not self.ox.contains_named_graph(g):
            return False
        self.replace_graphs({graph_iri: ()}, then=then)
        return True

    def update(self, sparql: str) -> None:
        self._check_writable()
        self.ox.update(sparql)


# -- pending markers -------------------------------------------------------------------
def pending_markers(graph_iris: Iterable[str]) -> str:
    """The quads that mark article graphs as pending (in the state graph), as text for
    :meth:`KGStore.apply` (``inserts=`` to mark them, ``deletes=`` to unmark them)."""
    lines = "".join(f"<{g}> <{RDF_TYPE}> <{PENDING_WRITE}> .\n" for g in graph_iris)
    return f"GRAPH <{STATE_GRAPH}> {{\n{lines}}}\n" if lines else ""


def pending_graphs(store: KGStore) -> list[str]:
    """Article graphs of a bulk write that did not finish (empty unless a writer is at work
    or was killed): the subjects of the ``kg:PendingWrite`` markers in the state graph."""
    found = store.ox.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(PENDING_WRITE),
                                       ox.NamedNode(STATE_GRAPH))
    return sorted(q.subject.value for q in found)


def unfinished_write(store: KGStore, then: str) -> str | None:
    """What to tell a user who asked to ``then`` (push, export) a store holding the graphs of a
    bulk write that did not finish; None if it holds none."""
    pending = pending_graphs(store)
    if not pending:
        return None
    return (f"the store holds {len(pending)} article graph(s) of a write that did not finish (a build was killed, "
            f"or is running); re-run `kg build` (or wait for the running one): it drops them first, then {then}")
