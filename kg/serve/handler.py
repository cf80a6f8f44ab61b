"""One HTTP request to the endpoint: ``/sparql`` (GET and POST, SPARQL 1.1 Protocol), the query
form at ``/``, the pages of the browsable graph (``/entity/...``, ``/article/...``, ``/id/...``,
``/search``: jobs for the same workers, limits and time limit as queries, :mod:`kg.serve.pages`),
the CORS preflight; one log line per request. Every query response carries
``Access-Control-Allow-Origin: *`` (YASGUI).

Every input is checked here, in the HTTP thread, before a worker sees anything: the query text
(:mod:`kg.sparql_guard`: no SERVICE, no LOAD in updates, no text too big for the engine),
``default-graph-uri``/``named-graph-uri`` (absolute IRIs by Oxigraph's own parser, at most 100),
``Accept``/``format`` (``406`` when no format fits), sizes. The whole request must arrive within
the client time limit of the connection (:class:`RequestReader`), and each 64 KB of the response
be taken within it. Updates (``--allow-update``) must be an ``application/sparql-update`` body
(any web page can post a form) carrying ``Authorization: Bearer TOKEN``, addressed to the
server by IP literal or ``localhost`` matching the bound address (a DNS-rebinding page arrives
with its own host name), with no ``Origin`` of another site and no ``Sec-Fetch-Site:
cross-site``; their responses carry no CORS header, and the CORS preflight does not allow
``Authorization``, so no page of another origin can send the token.
"""

from __future__ import annotations

import hmac
import html
import io
import json
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from ..query.errors import QueryError, QueryTimeout
from ..sparql_guard import QueryRefused as SparqlRefused, check as check_sparql
from .errors import WorkerError
from .limits import MAX_BODY, MAX_GRAPH_IRIS
from .negotiation import NotAcceptable, negotiate
from .page import EXAMPLE_QUERY, INDEX_HTML
from .pages import NotFound, iri_for, negotiate_page
from .pool import run_update
from .spool import Spool

if TYPE_CHECKING:
    from .server import SparqlServer


PAGE_PREFIXES = ("/entity/", "/article/", "/id/")
MAX_SEARCH = 200  # characters of a search text or type


class BadRequest(Exception):
    """A request input refused before anything reaches a worker."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _quoted(value: str, limit: int = 200) -> str:
    """A client's value inside a one-line message: JSON-quoted (control characters escaped), cut."""
    return json.dumps(value[:limit] + ("..." if len(value) > limit else ""), ensure_ascii=False)


def graph_iris(params: dict, name: str) -> list[str] | None:
    """The values of the ``default-graph-uri`` or ``named-graph-uri`` parameter, each checked
    with Oxigraph's IRI parser (the one the worker would use), or :class:`BadRequest`."""
    import pyoxigraph as ox

    values = params.get(name) or []
    if len(values) > MAX_GRAPH_IRIS:
        raise BadRequest(f"too many {name} parameters ({len(values)}; at most {MAX_GRAPH_IRIS})")
    for v in values:
        try:
            ox.NamedNode(v)
        except ValueError as e:
            raise BadRequest(f"{name} {_quoted(v)} is not a valid absolute IRI: {e}") from None
    return values or None


def check_accept(accept: str | None, fmt: str | None) -> None:
    """:class:`BadRequest` (406) when neither ``Accept`` nor ``format`` can give any result kind."""
    if fmt is not None and len(fmt) > 200:
        raise BadRequest("the format parameter is over 200 characters")
    if accept is not None and len(accept) > 2000:
        raise BadRequest("the Accept header is over 2000 characters")
    errors = []
    for kind in ("solutions", "graph"):
        try:
            negotiate(kind, accept, fmt)
            return
        except NotAcceptable as e:
            errors.append(str(e))
    raise BadRequest(errors[0], 406)


class RequestReader(io.RawIOBase):
    """The socket as the request's input, with one deadline for the whole request: every read
    gets the time left, so a client that sends a byte now and then (slow headers, a body
    shorter than its Content-Length) is cut off at the deadline, not kept forever."""

    def __init__(self, sock, deadline: float):
        self._sock = sock
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive within the client time limit")
        self._sock.settimeout(left)
        return self._sock.recv_into(b)


class SparqlHandler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kg-serve/0.1"
    protocol_version = "HTTP/1.0"

    # -- plumbing ------------------------------------------------------------------
    def setup(self):
        super().setup()
        self._t0 = time.monotonic()
        self._cors = True
        self.rfile.close()
        self.rfile = io.BufferedReader(RequestReader(self.connection, self._t0 + self.server.client_timeout))

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass  # one line per request in _send

    def log_error(self, format, *args):  # noqa: A002 - stdlib refusals (bad request line, timeouts)
        self.server.log(f"{self.client_address[0]} {format % args}")

    def _send(self, status: int, body: bytes, content_type: str | None = "text/plain; charset=utf-8",
              headers: dict | None = None, note: str = "", spool: Spool | None = None) -> None:
        """The response, then one log line. Each write must be taken by the client within the
        client time limit (else the connection is dropped)."""
        self.connection.settimeout(self.server.client_timeout)
        size = spool.size if spool is not None else len(body)
        try:
            self.send_response(status)
            if self._cors:
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Expose-Headers", "X-SPARQL-MaxRows")
            self.send_header("Vary", "Accept")
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(size))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                for chunk in (spool.chunks() if spool is not None else (body,)):
                    self.wfile.write(chunk)
        except TimeoutError:
            note = (note + f" client did not read for {self.server.client_timeout:g} s: dropped").strip()
            self.close_connection = True
        except OSError:
            note = (note + " client gone").strip()
            self.close_connection = True
        ms = (time.monotonic() - self._t0) * 1000
        path = urlsplit(self.path).path
        self.server.log(f'{self.client_address[0]} "{self.command} {path}" {status} {size}B '
                        f'{ms:.0f}ms{(" " + note) if note else ""}')

    def _text(self, status: int, message: str, note: str = "", headers: dict | None = None) -> None:
        self._send(status, (message.rstrip() + "\n").encode("utf-8"), headers=headers, note=note)

    # -- routes --------------------------------------------------------------------
    def do_OPTIONS(self):  # CORS preflight (no Authorization: a page elsewhere never sends the update token)
        self._send(204, b"", None, {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Accept",
            "Access-Control-Max-Age": "86400",
        })

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        if url.path in ("/", "/index.html"):
            return self._index()
        if url.path == "/search" or url.path.startswith(PAGE_PREFIXES):
            return self._page(url.path, params)
        if url.path != "/sparql":
            return self._text(404, f"not found: {url.path} (the endpoint is /sparql)")
        if "update" in params:
            return self._text(405 if self.server.allow_update else 403,
                              "SPARQL UPDATE must be sent with POST" if self.server.allow_update
                              else "this endpoint is read-only (start kg serve with --allow-update to change that)")
        if "query" not in params:
            if "text/html" in (self.headers.get("Accept") or ""):
                return self._index()
            return self._text(400, "missing query parameter: GET /sparql?query=...")
        self._query(params)

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self._text(404, f"not found: {url.path} (the endpoint is /sparql)")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._text(400, "bad Content-Length")
        if length > MAX_BODY:
            return self._text(413, f"request body over {MAX_BODY} bytes")
        body = self.rfile.read(length) if length > 0 else b""
        if len(body) < length:
            return self._text(400, "the request body is shorter than its Content-Length")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._text(400, "the request body is not UTF-8")
        if ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-query":
            params["query"] = [text]
        elif ctype == "application/sparql-update":
            params["update"] = [text]
        else:
            return self._text(415, f"unsupported Content-Type {ctype or '(none)'}: use application/sparql-query, "
                                   "application/sparql-update or application/x-www-form-urlencoded")
        if "update" in params and "query" in params:
            return self._text(400, "give either query or update, not both")
        if "update" in params:
            if self.server.allow_update:
                self._cors = False
                refusal = self._update_refusal(direct=ctype == "application/sparql-update")
                if refusal:
                    return self._text(refusal[0], refusal[1], note="refused update", headers=refusal[2])
            return self._update(params["update"][0])
        if "query" not in params:
            return self._text(400, "missing query (form field query=, or a application/sparql-query body)")
        self._query(params)

    def _index(self):
        s = self.server
        page = INDEX_HTML.format(store=html.escape(str(s.store_dir)), endpoint=html.escape(s.url + "/sparql"),
                                 mode="Updates allowed" if s.allow_update else "Read-only",
                                 timeout=s.query_timeout, max_rows=s.max_rows, query=html.escape(EXAMPLE_QUERY))
        self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")

    # -- queries and updates -------------------------------------------------------
    def _update_refusal(self, direct: bool) -> tuple[int, str, dict] | None:
        """Why this update may not run, or None: it must be a direct ``application/sparql-update``
        body (any web page can post a form), address the server by the address it is bound to
        (DNS rebinding), come from no other origin, and carry the update token."""
        if not direct:
            return 403, ("updates must be sent as an application/sparql-update body with the update token "
                         "(form-encoded updates are refused: any web page can post a form)"), {}
        if not self.server.host_allowed(self.headers.get("Host")):
            return 403, (f"update refused: Host {_quoted(self.headers.get('Host') or '')} is not this server's "
                         "address (address it by its IP, or localhost)"), {}
        origin = self.headers.get("Origin")
        site = (self.headers.get("Sec-Fetch-Site") or "").strip().lower()
        if (origin is not None and not self.server.origin_allowed(origin)) or site in ("cross-site", "same-site"):
            return 403, "update refused: a page of another origin cannot update this store", {}
        scheme, _, token = (self.headers.get("Authorization") or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode("utf-8", "replace"),
                                                                 (self.server.update_token or "").encode()):
            return 401, ("update refused: send the update token as 'Authorization: Bearer TOKEN' "
                         "(kg serve --update-token, or the token it printed at start)"), \
                {"WWW-Authenticate": 'Bearer realm="kg serve updates"'}
        return None

    def _query(self, params: dict):
        queries = params["query"]
        if len(queries) != 1:
            return self._text(400, "give exactly one query parameter")
        text = queries[0]
        if len(text.encode("utf-8")) > MAX_BODY:
            return self._text(413, f"query over {MAX_BODY} bytes")
        try:
            check_sparql(text)
        except SparqlRefused as e:
            return self._text(e.status, str(e) + ("; the server never fetches URLs named in a query"
                                                  if e.reason == "remote" else ""), note=f"refused {e.keyword or e.reason}")
        fmt = (params.get("format") or params.get("output") or [None])[0]
        s = self.server
        accept = self.headers.get("Accept")
        try:
            check_accept(accept, fmt)
            job = {"text": text, "accept": accept, "format": fmt, "max_rows": s.max_rows,
                   "default_graph": graph_iris(params, "default-graph-uri"),
                   "named_graphs": graph_iris(params, "named-graph-uri")}
        except BadRequest as e:
            return self._text(e.status, str(e), note="bad request")
        self._run(job)

    def _run(self, job: dict):
        """Run a job (a query or a page) on a worker of the read lane and send its answer."""
        s = self.server
        try:
            ans = s.pool.run(job, s.query_timeout, client=self.client_address[0])
        except QueryError as e:  # ServeError, QueryTimeout
            return self._text(e.status, str(e), note=e.note, headers=e.headers)
        try:
            meta = ans.meta
            note = f"{meta.get('kind')} {meta.get('rows')} rows" + (" (truncated)" if meta.get("truncated") else "")
            self._send(meta["status"], b"", meta["content_type"], meta["headers"], note=note, spool=ans.spool)
        finally:
            ans.spool.close()

    def _page(self, path: str, params: dict):
        """``/search?q=TEXT[&type=T]``; ``/entity/...``, ``/article/DOC``, ``/id/...``: the page of
        a graph IRI, HTML for a browser, RDF by ``Accept``/``format`` (:mod:`kg.serve.pages`)."""
        import pyoxigraph as ox

        s = self.server
        accept = self.headers.get("Accept")
        fmt = (params.get("format") or params.get("output") or [None])[0]
        if path == "/search":
            text, type_ = (params.get("q") or [""])[0], (params.get("type") or [""])[0]
            if len(text) > MAX_SEARCH or len(type_) > MAX_SEARCH:
                return self._text(400, f"search text over {MAX_SEARCH} characters", note="bad request")
            return self._run({"page": "search", "q": text, "type": type_.strip()})
        try:
            check_accept(accept, fmt)
            negotiate_page(accept, fmt)
            kind, iri = iri_for(path)
            ox.NamedNode(iri)
        except NotFound:
            return self._text(404, f"not found: {path}")
        except (BadRequest, NotAcceptable) as e:
            return self._text(getattr(e, "status", 406), str(e), note="bad request")
        except ValueError as e:
            return self._text(400, f"not a graph address: {path}: {e}", note="bad request")
        self._run({"page": kind, "iri": iri, "accept": accept, "format": fmt, "max_rows": s.max_rows})

    def _update(self, text: str):
        s = self.server
        if not s.allow_update:
            return self._text(403, "this endpoint is read-only (start kg serve with --allow-update to change that)",
                              note="refused update")
        try:
            check_sparql(text, update=True)
        except SparqlRefused as e:
            return self._text(e.status, str(e) + ("; the server never fetches URLs named in a request"
                                                  if e.reason == "remote" else ""), note=f"refused {e.keyword or e.reason}")
        try:
            ans = run_update(s.store_dir, text, s.query_timeout, s.pool.sandbox, s.pool.memory_limit, s.log)
        except QueryTimeout:
            return self._text(503, f"update stopped: it ran over the time limit of {s.query_timeout:g} s",
                              note="timeout")
        except WorkerError as e:
            return self._text(500, f"update failed: {e}", note="worker error")
        self._send(ans["status"], ans["body"], ans["content_type"], ans["headers"], note="update")
