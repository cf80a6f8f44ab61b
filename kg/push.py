"""``kg push``: copy the store into a shared triple store over the SPARQL 1.1 Graph Store
HTTP Protocol (Fuseki, GraphDB, Virtuoso, Oxigraph server, ...).

* Per-graph mode (default): one ``PUT ENDPOINT?graph=IRI`` per named graph of the store (each
  article graph, the summary graph, the ontology graph), the whole graph as N-Triples in one
  request body; graphs pushed before but gone from the store get ``DELETE ENDPOINT?graph=IRI``.
* ``--graph IRI``: the union of all graphs goes into that one graph with one ``PUT`` (N-Triples).
  PUT rather than POST: POST only adds, so after a changed or removed article the target would
  keep the stale facts and summary figures next to the new ones; PUT makes every push leave
  exactly the store's content there. Give kg a graph of its own.
* Incremental: ``STORE/push-state.json`` remembers, per endpoint (and target graph), the
  SHA-256 of each graph's content (its sorted N-Triples) as last pushed, so the next push sends
  only new or changed graphs and deletes removed ones; ``--all`` sends everything again (e.g.
  after the server was wiped). The file is replaced atomically (write, fsync, rename) after
  each batch of requests, so an interrupted push resumes where it stopped.
* Transient errors (HTTP 5xx, refused or reset connections, time-outs) are retried with
  backoff, 3 tries in all; 401/403 stop at once with "authentication failed for URL".
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from .namespaces import STATE_GRAPH
from .store import unfinished_write

log = logging.getLogger(__name__)

STATE_FILE = "push-state.json"
TRIES = 3
NTRIPLES = "application/n-triples"
DEFAULT_GRAPH_KEY = "urn:kg:default-graph"  # the store's default graph, if it holds anything


class PushError(Exception):
    """A push failed; the message says why (exit 1)."""


class PushAuthError(PushError):
    pass


@dataclass
class PushReport:
    endpoint: str
    target: str | None  # the --graph IRI, or None for one graph per named graph
    sent: list[tuple[str, int]] = field(default_factory=list)  # (graph, triples)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    bytes_sent: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        where = self.endpoint + (f" (graph <{self.target}>)" if self.target else "")
        if not self.sent and not self.deleted:
            return f"kg: nothing to push, {self.unchanged} graph(s) unchanged since the last push -> {where}"
        verb = "would push" if self.dry_run else "pushed"
        triples = sum(n for _, n in self.sent)
        return (f"kg: {verb} {len(self.sent)} graph(s) ({triples} triples, {self.bytes_sent} bytes), "
                f"{'would delete' if self.dry_run else 'deleted'} {len(self.deleted)}, "
                f"{self.unchanged} unchanged -> {where}")


# ---------------------------------------------------------------- state
def state_path(store_dir: Path) -> Path:
    return Path(store_dir) / STATE_FILE


def load_state(store_dir: Path) -> dict:
    p = state_path(store_dir)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"version": 1, "targets": {}}
    except (OSError, ValueError, RecursionError) as e:
        raise PushError(f"cannot read {p}: {e}; delete it to push everything again") from e
    if not isinstance(data, dict) or not isinstance(data.setdefault("targets", {}), dict):
        raise PushError(f"cannot read {p}: not a push state; delete it to push everything again")
    return data


def save_state(store_dir: Path, state: dict) -> None:
    from .paths import atomic_file

    try:
        with atomic_file(state_path(store_dir), "w") as f:
            json.dump(state, f, indent=1, sort_keys=True)
            f.write("\n")
    except OSError as e:
        raise PushError(f"cannot write {state_path(store_dir)}: {e.strerror or e} (the graphs sent so far are "
                        "on the server; the next push sends them again)") from e


def check_state_writable(store_dir: Path) -> None:
    """PushError unless the push state can be written next to the store (a read-only store):
    said before anything is sent, not after the first graphs went out."""
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{STATE_FILE}.", suffix=".tmp", dir=store_dir)
    except OSError as e:
        raise PushError(f"cannot write {state_path(store_dir)}: {e.strerror or e} (kg push records there what it "
                        "sent; --dry-run shows what would be sent)") from e
    os.close(fd)
    os.unlink(tmp)


def target_key(endpoint: str, graph: str | None) -> str:
    return endpoint if graph is None else f"{endpoint} graph={graph}"


# ---------------------------------------------------------------- graphs
def digest(ntriples: bytes) -> str:
    """Content hash of a graph, independent of triple order."""
    lines = sorted(line for line in ntriples.splitlines() if line.strip())
    h = hashlib.sha256()
    for line in lines:
        h.update(line)
        h.update(b"\n")
    return h.hexdigest()


def graph_names(store) -> list[str]:
    """The store's named graphs to push (not the writer's state graph), and the default graph's
    key if it holds anything."""
    import pyoxigraph as ox

    names = sorted(g.value for g in store.ox.named_graphs()
                   if isinstance(g, ox.NamedNode) and g.value != STATE_GRAPH)
    if next(iter(store.ox.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        names.append(DEFAULT_GRAPH_KEY)
    return names


def dump_graph(store, name: str) -> bytes:
    import pyoxigraph as ox

    g = ox.DefaultGraph() if name == DEFAULT_GRAPH_KEY else ox.NamedNode(name)
    return store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) or b""


def dump_union(store) -> bytes:
    import pyoxigraph as ox

    res = store.ox.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    return res.serialize(format=ox.RdfFormat.N_TRIPLES) or b""


# ---------------------------------------------------------------- HTTP
class Client:
    """Graph Store Protocol requests with retries and basic auth."""

    def __init__(self, endpoint: str, auth: tuple[str, str] | None = None, *, tries: int = TRIES,
                 backoff: float = 1.0, timeout: float = 300.0):
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PushError(f"--endpoint must be an http(s) URL, got {endpoint!r}")
        self.endpoint = endpoint
        self.tries = max(1, tries)
        self.backoff = backoff
        self.timeout = timeout
        self.headers = {"User-Agent": "kg-push/0.1"}
        if auth:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode("utf-8")).decode("ascii")
            self.headers["Authorization"] = f"Basic {token}"

    def url(self, graph: str | None) -> str:
        if graph is None or graph == DEFAULT_GRAPH_KEY:
            query = "default"
        else:
            query = urlencode({"graph": graph})
        return self.endpoint + ("&" if "?" in self.endpoint else "?") + query

    def request(self, method: str, graph: str | None, body: bytes | None = None,
                ok_statuses: tuple[int, ...] = ()) -> int:
        url = self.url(graph)
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = NTRIPLES
        last = ""
        for attempt in range(1, self.tries + 1):
            req = urllib.request.Request(url, data=body, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    resp.read()
                    return resp.status
            except urllib.error.HTTPError as e:
                detail = _body_snippet(e)
                if e.code in (401, 403):
                    raise PushAuthError(f"authentication failed for {url} (HTTP {e.code} {e.reason}); "
                                        "check --user/--password or KG_PUSH_USER/KG_PUSH_PASSWORD") from None
                if e.code in ok_statuses:
                    return e.code
                if e.code < 500:
                    raise PushError(f"{method} {url} failed: HTTP {e.code} {e.reason}{detail}") from None
                last = f"HTTP {e.code} {e.reason}{detail}"
            except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as e:
                last = str(getattr(e, "reason", e))
            if attempt < self.tries:
                wait = self.backoff * 2 ** (attempt - 1)
                log.warning("%s %s: %s; retrying in %.1f s (%d/%d)", method, url, last, wait, attempt, self.tries)
                time.sleep(wait)
        raise PushError(f"{method} {url} failed after {self.tries} tries: {last}")


def _body_snippet(e: urllib.error.HTTPError) -> str:
    try:
        text = e.read(300).decode("utf-8", "replace").strip()
    except Exception:  # the body is only decoration for the message
        return ""
    return f": {' '.join(text.split())}" if text else ""


# ---------------------------------------------------------------- push
def push(store, endpoint: str, *, graph: str | None = None, auth: tuple[str, str] | None = None,
         force: bool = False, dry_run: bool = False, client: Client | None = None,
         save_every: int = 50) -> PushReport:
    """Push ``store`` (an open :class:`kg.store.KGStore`) to a Graph Store Protocol endpoint.
    Refused while the store holds the graphs of a bulk write that did not finish."""
    problem = unfinished_write(store, "push")
    if problem:
        raise PushError(problem)
    client = client or Client(endpoint, auth)
    state = load_state(store.path)
    if not dry_run:
        check_state_writable(store.path)
    key = target_key(endpoint, graph)
    previous = {} if force else dict(state["targets"].get(key, {}).get("graphs", {}))
    pushed = dict(state["targets"].get(key, {}).get("graphs", {}))
    report = PushReport(endpoint, graph, dry_run=dry_run)
    names = graph_names(store)

    def commit() -> None:
        if not dry_run:
            state["targets"][key] = {"graphs": pushed, "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            save_state(store.path, state)

    if graph is not None:  # everything into one graph
        digests = {n: digest(dump_graph(store, n)) for n in names}
        union_digest = hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()
        if previous.get(graph) == union_digest:
            report.unchanged = 1
            return report
        body = dump_union(store)
        if not dry_run:
            log.info("PUT %s (%d triples)", client.url(graph), body.count(b"\n"))
            client.request("PUT", graph, body)
        report.sent.append((graph, body.count(b"\n")))
        report.bytes_sent += len(body)
        pushed = {graph: union_digest}
        commit()
        return report

    since_save = 0
    try:
        for name in names:
            body = dump_graph(store, name)
            d = digest(body)
            if previous.get(name) == d:
                report.unchanged += 1
                continue
            if not dry_run:
                log.info("PUT %s (%d triples)", client.url(name), body.count(b"\n"))
                client.request("PUT", name, body)
                pushed[name] = d
                since_save += 1
            report.sent.append((name, body.count(b"\n")))
            report.bytes_sent += len(body)
            if since_save >= save_every:
                commit()
                since_save = 0
        present = set(names)
        for name in sorted(set(pushed) - present):
            if not dry_run:
                log.info("DELETE %s", client.url(name))
                client.request("DELETE", name, ok_statuses=(404,))
                del pushed[name]
                since_save += 1
            report.deleted.append(name)
    finally:
        if since_save:
            commit()
    return report
