"""A polite HTTP fetcher for the web source (:mod:`.web`): what kg asks of a site it reads.

- only ``http``/``https``; a redirect is followed by hand (at most :data:`MAX_REDIRECTS`), each
  hop checked again: never to another scheme, never to a private address;
- private, loopback, link-local and reserved addresses refused unless ``allow_private`` (the
  host's addresses are resolved and checked before connecting);
- ``robots.txt`` honoured for kg's User-Agent (read once per site; a missing one allows all,
  one that cannot be fetched for a 5xx/timeout denies all, as Google does);
- one request at a time, at least ``delay`` seconds apart per host;
- a timeout per request, a size cap on every body (read no further), retries with backoff on
  5xx and connection errors;
- with a ``cache_dir`` (``kg build`` uses ``STORE/web-cache``): a page kept with its ``ETag`` and
  ``Last-Modified`` is asked for again conditionally, and a ``304 Not Modified`` answered from
  the cache - a re-run downloads only what changed;

and every failure is a :class:`FetchError` whose message is one line naming the URL.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import ipaddress
import json
import os
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from pathlib import Path

from .. import __version__ as _version

USER_AGENT = f"kg/{_version} (knowledge graph from news; +https://example.org/kg)"
#: Robots rules are matched on this product token.
AGENT_TOKEN = "kg"
MAX_REDIRECTS = 5
#: The cache's folder in a store (``kg build``).
WEB_CACHE = "web-cache"
#: Statuses retried (with backoff) before giving up on a URL.
RETRY_STATUSES = frozenset({500, 502, 503, 504})


class FetchError(Exception):
    """A URL that could not be fetched; ``str()`` is one line naming it."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class WebOptions:
    """How kg fetches (``kg build`` options)."""

    allow_private: bool = False  # loopback/private addresses (a site on the LAN, the tests)
    delay: float = 1.0  # seconds between two requests to one host
    timeout: float = 20.0  # seconds per request (connect, and between bytes read)
    max_bytes: int = 10 << 20  # a body larger than this is refused
    retries: int = 2  # more tries after a 5xx or a connection error
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    user_agent: str = USER_AGENT
    cache_dir: str | None = None  # pages kept for conditional GETs; None: no cache


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    content_type: str  # "text/html" (no parameters), lower case
    charset: str | None
    body: bytes


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 - urllib's signature
        return None  # the 3xx comes back as an HTTPError: Fetcher follows it after its own checks


class Fetcher:
    """Fetches URLs one at a time under :class:`WebOptions`; ``requests`` counts what it sent."""

    def __init__(self, options: WebOptions | None = None) -> None:
        self.options = options or WebOptions()
        self._opener = urllib.request.build_opener(_NoRedirects())
        self._opener.addheaders = [("User-Agent", self.options.user_agent), ("Accept-Encoding", "identity")]
        self._last: dict[str, float] = {}  # host -> monotonic time of its last request
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._cache = _Cache(Path(self.options.cache_dir)) if self.options.cache_dir else None
        self.requests = 0
        self.not_modified = 0  # answered 304: taken from the cache

    def get(self, url: str) -> Response:
        """The response for ``url`` (redirects followed), or ``FetchError``."""
        for _ in range(MAX_REDIRECTS + 1):
            self._check_url(url)
            if not self._allowed(url):
                raise FetchError(url, "disallowed by robots.txt")
            response, location = self._get_once(url)
            if location is None:
                return response
            url = urllib.parse.urljoin(url, location)
        raise FetchError(url, f"too many redirects (over {MAX_REDIRECTS})")

    # -- checks ------------------------------------------------------------------------
    def _check_url(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            raise FetchError(url, f"unsupported URL scheme {parts.scheme!r} (only http and https)")
        if not parts.hostname:
            raise FetchError(url, "no host in URL")
        try:
            port = parts.port
        except ValueError:
            raise FetchError(url, "invalid port in URL") from None
        if self.options.allow_private:
            return
        try:
            infos = socket.getaddrinfo(parts.hostname, port or 80, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as err:
            raise FetchError(url, f"cannot resolve host {parts.hostname!r} ({err})") from None
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
            if not address.is_global:
                raise FetchError(url, f"private address {address} refused (pass --allow-private to fetch it)")

    def _allowed(self, url: str) -> bool:
        parts = urllib.parse.urlsplit(url)
        site = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        if site not in self._robots:
            self._robots[site] = self._read_robots(site)
        rules = self._robots[site]
        return True if rules is None else rules.can_fetch(AGENT_TOKEN, url)

    def _read_robots(self, site: str) -> urllib.robotparser.RobotFileParser | None:
        """The site's robots rules; None: no rules (no robots.txt: everything allowed)."""
        rules = urllib.robotparser.RobotFileParser(site + "/robots.txt")
        try:
            response, location = self._get_once(site + "/robots.txt", retries=0)
        except FetchError as err:
            if err.reason.startswith("HTTP 4"):
                return None  # no robots.txt (404, 403...): allowed
            rules.disallow_all = True  # the site is down or broken: ask nothing more of it
            return rules
        if location is not None:
            return None  # robots.txt redirected elsewhere: taken as none
        rules.parse(response.body.decode("utf-8", "replace").splitlines())
        return rules

    # -- one request ------------------------------------------------------------------
    def _wait_turn(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            pause = self.options.delay - (time.monotonic() - last)
            if pause > 0:
                time.sleep(pause)
        self._last[host] = time.monotonic()

    def _get_once(self, url: str, retries: int | None = None) -> tuple[Response, str | None]:
        """One URL with its retries: ``(response, None)``, or ``(_, Location)`` for a redirect."""
        retries = self.options.retries if retries is None else retries
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        wait = self.options.backoff
        for attempt in range(retries + 1):
            self._wait_turn(host)
            self.requests += 1
            try:
                return self._request(url)
            except _Retry as err:
                if attempt == retries:
                    raise FetchError(url, f"{err.reason} (after {retries + 1} tries)") from None
                time.sleep(wait)
                wait *= 2
        raise AssertionError("unreachable")

    def _request(self, url: str) -> tuple[Response, str | None]:
        request = urllib.request.Request(url)
        cached = self._cache.get(url) if self._cache else None
        if cached is not None:
            validators, _ = cached
            if validators.get("etag"):
                request.add_header("If-None-Match", validators["etag"])
            if validators.get("last_modified"):
                request.add_header("If-Modified-Since", validators["last_modified"])
        try:
            with self._opener.open(request, timeout=self.options.timeout) as resp:
                response = self._response(url, resp)
                if self._cache is not None:
                    self._cache.put(url, response, resp.headers.get("ETag"), resp.headers.get("Last-Modified"))
                return response, None
        except urllib.error.HTTPError as err:
            with err:
                if err.code == 304 and cached is not None:
                    self.not_modified += 1
                    return cached[1], None
                if 300 <= err.code < 400 and err.code != 304:
                    location = err.headers.get("Location")
                    if not location:
                        raise FetchError(url, f"HTTP {err.code} redirect without a Location") from None
                    return Response(url, err.code, "", None, b""), location
                if err.code in RETRY_STATUSES:
                    raise _Retry(f"HTTP {err.code} {err.reason}") from None
                raise FetchError(url, f"HTTP {err.code} {err.reason}") from None
        except FetchError:
            raise
        except (TimeoutError, socket.timeout):
            raise _Retry(f"timed out after {self.options.timeout:g} s") from None
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise _Retry(f"timed out after {self.options.timeout:g} s") from None
            raise _Retry(f"cannot connect: {getattr(reason, 'strerror', None) or reason}") from None
        except (http.client.HTTPException, ConnectionError, OSError) as err:
            raise _Retry(f"connection failed: {type(err).__name__}") from None

    def _response(self, url: str, resp) -> Response:  # noqa: ANN001 - http.client.HTTPResponse
        limit = self.options.max_bytes
        length = resp.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            raise FetchError(url, f"too large ({int(length):,} bytes; the limit is {limit:,})")
        body = resp.read(limit + 1)
        if len(body) > limit:
            raise FetchError(url, f"too large (over {limit:,} bytes)")
        content_type = resp.headers.get_content_type() or ""
        charset = resp.headers.get_content_charset()
        return Response(resp.geturl(), resp.status, content_type.lower(), charset, body)


class _Retry(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Cache:
    """Fetched bodies by URL with their validators: ``DIR/<sha256 of the URL>.json`` (validators,
    content type, final URL) beside its ``.body``; each written atomically (a killed run leaves
    the old entry or the new one). An entry that cannot be read is no entry."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()
        return self.folder / f"{key}.json", self.folder / f"{key}.body"

    def get(self, url: str) -> tuple[dict[str, str], Response] | None:
        meta_path, body_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            body = body_path.read_bytes()
            if meta.get("url") != url or hashlib.sha256(body).hexdigest() != meta.get("sha256"):
                return None
            response = Response(meta["final_url"], 200, meta["content_type"], meta.get("charset"), body)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return {"etag": meta.get("etag"), "last_modified": meta.get("last_modified")}, response

    def put(self, url: str, response: Response, etag: str | None, last_modified: str | None) -> None:
        if not etag and not last_modified:
            return  # nothing to ask with next time
        meta_path, body_path = self._paths(url)
        meta = {"url": url, "final_url": response.url, "content_type": response.content_type,
                "charset": response.charset, "etag": etag, "last_modified": last_modified,
                "sha256": hashlib.sha256(response.body).hexdigest()}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(body_path, response.body)
            _write_atomically(meta_path, json.dumps(meta).encode())
        except OSError:
            pass  # a cache that cannot be written costs a download next time, nothing else


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
