"""The endpoint itself: a stdlib ``ThreadingHTTPServer`` with a connection cap, bound to loopback
unless told otherwise, in front of the worker pool; :func:`serve` runs it until SIGINT/SIGTERM.

At most ``--max-connections`` connections are served at once; one more is answered ``503`` at
once and closed. Every log line is escaped (:func:`kg.printable.printable`): request paths,
methods and worker messages cannot forge lines or send escape sequences to the operator's
terminal.
"""

from __future__ import annotations

import ipaddress
import secrets
import signal
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from ..printable import printable
from .errors import WorkerError
from .handler import SparqlHandler
from .limits import DEFAULT_CLIENT_TIMEOUT, DEFAULT_HOST, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RESULT_MB, \
    DEFAULT_MAX_ROWS, DEFAULT_MEMORY_LIMIT_MB, DEFAULT_PORT, DEFAULT_TIMEOUT
from .pool import WorkerPool


BUSY_RESPONSE = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 b"Retry-After: 1\r\nConnection: close\r\n\r\n"
                 b"too many open connections to this server; try again\n")


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, store_dir: Path, pool: WorkerPool, *, timeout: float, max_rows: int,
                 allow_update: bool, log, client_timeout: float = DEFAULT_CLIENT_TIMEOUT,
                 max_connections: int = DEFAULT_MAX_CONNECTIONS, update_token: str | None = None):
        host = address[0]
        if ":" in host:
            import socket

            self.address_family = socket.AF_INET6
        super().__init__(address, SparqlHandler)
        self.store_dir = store_dir
        self.pool = pool
        self.query_timeout = timeout
        self.max_rows = max_rows
        self.allow_update = allow_update
        self.log = log
        self.client_timeout = client_timeout
        self.max_connections = max_connections
        self.update_token = update_token or (secrets.token_urlsafe(24) if allow_update else None)
        self._conn_lock = threading.Lock()
        self.open_connections = 0
        self._refused = 0
        self._refused_logged = 0.0

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    # -- the connection cap ----------------------------------------------------------
    def process_request(self, request, client_address):
        with self._conn_lock:
            full = self.open_connections >= self.max_connections
            if not full:
                self.open_connections += 1
        if full:
            return self._refuse(request)
        try:
            super().process_request(request, client_address)
        except BaseException:
            with self._conn_lock:
                self.open_connections -= 1
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self.open_connections -= 1

    def _refuse(self, request) -> None:
        """Over the cap: 503 if the socket takes it at once, then closed; one log line per 5 s."""
        try:
            request.setblocking(False)
            request.send(BUSY_RESPONSE)
        except OSError:
            pass
        self.shutdown_request(request)
        now = time.monotonic()
        with self._conn_lock:
            self._refused += 1
            if now - self._refused_logged < 5:
                return
            n, self._refused, self._refused_logged = self._refused, 0, now
        self.log(f"kg serve: refused {n} connection(s): {self.max_connections} open (--max-connections)")

    def handle_error(self, request, client_address):
        """One log line instead of the stdlib's traceback on stderr (e.g. a connection reset)."""
        err = sys.exc_info()[1]
        self.log(f"{client_address[0]} connection failed: {type(err).__name__}: {err}")

    # -- where updates may come from -------------------------------------------------
    def host_allowed(self, host: str | None) -> bool:
        """Does a ``Host`` header (or an Origin's host) name this server? Only an IP literal or
        ``localhost`` can: a page on another site that re-binds its DNS name to our address
        still sends its own name."""
        if not host:
            return False
        name = host.strip().lower()
        if name.startswith("["):
            name = name[1:name.find("]")] if "]" in name else name[1:]
        elif name.count(":") == 1:
            name = name.split(":", 1)[0]
        bound = ipaddress.ip_address(self.server_address[0]) if _is_ip(self.server_address[0]) else None
        if name == "localhost":
            return bound is None or bound.is_loopback or bound.is_unspecified
        if not _is_ip(name):
            return False
        if bound is None or bound.is_unspecified:
            return True
        ip = ipaddress.ip_address(name)
        return ip == bound or (ip.is_loopback and bound.is_loopback)

    def origin_allowed(self, origin: str) -> bool:
        parts = urlsplit(origin.strip())
        try:
            port = parts.port or (80 if parts.scheme == "http" else 443)
        except ValueError:
            return False
        return parts.scheme == "http" and self.host_allowed(parts.netloc) and port == self.server_address[1]


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(store_dir, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, timeout: float = DEFAULT_TIMEOUT,
                max_rows: int = DEFAULT_MAX_ROWS, allow_update: bool = False, workers: int = 2,
                sandbox: bool = True, log=None, memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
                client_timeout: float = DEFAULT_CLIENT_TIMEOUT, max_connections: int = DEFAULT_MAX_CONNECTIONS,
                max_result_mb: int = DEFAULT_MAX_RESULT_MB, update_token: str | None = None,
                slow_workers: int | None = None) -> SparqlServer:
    """Check the store, start the workers, bind the socket. Call ``serve_forever`` on the result
    and ``close_server`` when done. Every log line goes through :func:`kg.printable.printable`."""
    from ..store import KGStore, StoreError

    store_dir = Path(store_dir)
    sink = log or _stderr_log
    log = lambda message: sink(printable(message))  # noqa: E731
    KGStore.open(store_dir, read_only=True).close()  # StoreError with a helpful message if missing
    httpd = None
    pool = None
    try:
        pool = WorkerPool(store_dir, workers, sandbox=sandbox, log=log,
                          memory_limit=memory_limit_mb << 20 if memory_limit_mb else None,
                          slow_workers=slow_workers, max_result_bytes=max_result_mb << 20)
        httpd = SparqlServer((host, port), store_dir, pool, timeout=timeout, max_rows=max_rows,
                             allow_update=allow_update, log=log, client_timeout=client_timeout,
                             max_connections=max_connections, update_token=update_token)
    except WorkerError as e:
        if pool:
            pool.close()
        raise StoreError(str(e)) from None
    except BaseException:
        if pool:
            pool.close()
        raise
    return httpd


def close_server(httpd: SparqlServer) -> None:
    httpd.server_close()
    httpd.pool.close()


_log_lock = threading.Lock()


def _stderr_log(message: str) -> None:
    with _log_lock:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def serve(store_dir, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, timeout: float = DEFAULT_TIMEOUT,
          max_rows: int = DEFAULT_MAX_ROWS, allow_update: bool = False, workers: int = 2, sandbox: bool = True,
          log=None, memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
          client_timeout: float = DEFAULT_CLIENT_TIMEOUT, max_connections: int = DEFAULT_MAX_CONNECTIONS,
          max_result_mb: int = DEFAULT_MAX_RESULT_MB, update_token: str | None = None) -> None:
    """Serve until SIGINT/SIGTERM."""
    httpd = make_server(store_dir, host, port, timeout=timeout, max_rows=max_rows, allow_update=allow_update,
                        workers=workers, sandbox=sandbox, log=log, memory_limit_mb=memory_limit_mb,
                        client_timeout=client_timeout, max_connections=max_connections,
                        max_result_mb=max_result_mb, update_token=update_token)
    log = httpd.log
    if not _is_loopback(host):
        log(f"kg serve: WARNING: listening on {host}, not loopback: anyone who can reach this machine "
            "can query the store")
    sandbox_note = "network sandbox on" if httpd.pool.sandboxed else "network sandbox unavailable (SERVICE lexer only)"
    memory = f"{memory_limit_mb} MB a worker" if memory_limit_mb else "no memory limit"
    log(f"kg serve: {httpd.url}/sparql  store {Path(store_dir)}  "
        f"{'UPDATES ALLOWED' if allow_update else 'read-only'}, timeout {timeout:g} s, max {max_rows} rows, "
        f"SERVICE refused, {workers} worker(s), {memory}, {sandbox_note}")
    if allow_update and not update_token:
        log(f"kg serve: update token {httpd.update_token} (send it as 'Authorization: Bearer TOKEN' with "
            "each application/sparql-update request; --update-token or KG_UPDATE_TOKEN to choose one)")

    def stop(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, stop)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        log("kg serve: stopping")
    finally:
        signal.signal(signal.SIGTERM, old)
        close_server(httpd)
