"""kg build from URLs, RSS/Atom feeds and sitemaps: a real HTTP server on 127.0.0.1 serves the
fixtures of tests/fixtures/web (and some misbehaving pages); no internet."""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.ingest import Problem, read_inputs
from kg.ingest.fetch import USER_AGENT, WebOptions
from kg.ingest.web import doc_id_for_url
from kg.model import Article
from kg.store import KGStore

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "web"
FILES = {
    "/robots.txt": ("robots.txt", "text/plain"),
    "/rss.xml": ("rss.xml", "application/rss+xml"),
    "/atom.xml": ("atom.xml", "application/atom+xml"),
    "/sitemap.xml": ("sitemap.xml", "application/xml"),
    "/sitemap-index.xml": ("sitemap-index.xml", "text/xml"),
    "/news/2024/peru-deal.html": ("peru-deal.html", "text/html; charset=utf-8"),
    "/news/2024/chile-port.html": ("chile-port.html", "text/html; charset=utf-8"),
    "/private/secret.html": ("chile-port.html", "text/html; charset=utf-8"),
}


class Site:
    """The fixture site: what it serves, and every request it got (path, User-Agent, time)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, float]] = []
        self.statuses: list[tuple[str, int]] = []  # what each request was answered
        self.overrides: dict[str, str] = {}  # path -> a fixture's text served instead (a feed that changed)
        self.flaky_left = 1  # /flaky answers 500 this many times, then the page
        self.base = ""

    def paths(self) -> list[str]:
        return [p for p, _, _ in self.requests]


def _handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def send(self, status: int, body: bytes = b"", ctype: str = "text/html", headers=()) -> None:
            site.statuses.append((self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            site.requests.append((self.path, self.headers.get("User-Agent", ""), time.monotonic()))
            if self.path in FILES:
                name, ctype = FILES[self.path]
                text = site.overrides.get(self.path) or (FIXTURES / name).read_text(encoding="utf-8")
                body = text.replace("{base}", site.base).encode()
                etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
                if self.headers.get("If-None-Match") == etag:
                    return self.send(304, headers=[("ETag", etag)])
                return self.send(200, body, ctype, headers=[("ETag", etag)])
            if self.path == "/flaky":
                if site.flaky_left > 0:
                    site.flaky_left -= 1
                    return self.send(500, b"oops")
                return self.send(200, (FIXTURES / "chile-port.html").read_bytes())
            if self.path == "/slow":
                time.sleep(1.5)
                return self.send(200, (FIXTURES / "chile-port.html").read_bytes())
            if self.path == "/loop":
                return self.send(302, headers=[("Location", "/loop2")])
            if self.path == "/loop2":
                return self.send(302, headers=[("Location", "/loop")])
            if self.path == "/to-file":
                return self.send(302, headers=[("Location", "file:///etc/passwd")])
            if self.path == "/huge":
                return self.send(200, b"<p>" + b"x" * 200_000 + b"</p>")
            if self.path == "/doc.pdf":
                return self.send(200, b"%PDF-1.4 ...", "application/pdf")
            if self.path == "/escapes":  # a charset that is no character encoding: not used
                return self.send(200, (FIXTURES / "chile-port.html").read_bytes().replace(b"Monday", b"Mon\\x41day"),
                                 "text/html; charset=unicode_escape")
            if self.path == "/moved":
                return self.send(301, headers=[("Location", "/news/2024/chile-port.html")])
            return self.send(404, b"not found")

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (the timeout test) closed the connection: expected


@pytest.fixture()
def site():
    s = Site()
    server = _Server(("127.0.0.1", 0), _handler(s))
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield s
    server.shutdown()
    server.server_close()
    thread.join()


FAST = WebOptions(allow_private=True, delay=0.0, timeout=0.5, retries=2, backoff=0.01, max_bytes=100_000)


def reads(*urls: str, web: WebOptions = FAST) -> list[Article | Problem]:
    return [r.item for r in read_inputs(list(urls), web=web)]


def articles(items) -> dict[str, Article]:
    return {i.id: i for i in items if isinstance(i, Article)}


def problems(items) -> list[str]:
    return [str(i) for i in items if isinstance(i, Problem)]


def test_rss_feed_builds_its_items_pages_and_names_each_failure(site):
    items = reads(f"{site.base}/rss.xml")
    got = articles(items)
    assert set(got) == {"127.0.0.1/news/2024/peru-deal", "127.0.0.1/news/2024/chile-port"}
    peru = got["127.0.0.1/news/2024/peru-deal"]
    assert peru.title == "Peru and Bolivia sign water deal"
    assert peru.date == "2024-03-05"
    assert peru.author == "Ana Quispe" and peru.source == "Example News"
    assert peru.url == f"{site.base}/news/2024/peru-deal.html"
    assert peru.text.startswith("Peru and Bolivia signed an agreement on Tuesday")
    assert "Copyright" not in peru.text and "Home" not in peru.text
    chile = got["127.0.0.1/news/2024/chile-port"]
    assert chile.date == "2024-03-04"  # the page has none: the feed item's
    assert chile.source == "Example News: World"  # nor a site name: the feed's title
    assert problems(items) == [
        f"{site.base}/news/gone.html: HTTP 404 Not Found",
        f"{site.base}/private/secret.html: disallowed by robots.txt",
    ]
    # robots.txt read once; the disallowed page never asked for; kg's User-Agent on every request
    assert site.paths().count("/robots.txt") == 1
    assert "/private/secret.html" not in site.paths()
    assert {ua for _, ua, _ in site.requests} == {USER_AGENT}


def test_atom_feed_and_sitemaps(site):
    assert set(articles(reads(f"{site.base}/atom.xml"))) == {"127.0.0.1/news/2024/chile-port"}
    for sitemap in ("sitemap.xml", "sitemap-index.xml"):
        items = reads(f"{site.base}/{sitemap}")
        assert problems(items) == []
        assert set(articles(items)) == {"127.0.0.1/news/2024/peru-deal", "127.0.0.1/news/2024/chile-port"}


def test_a_page_its_redirect_and_a_server_error_then_success(site):
    items = reads(f"{site.base}/news/2024/peru-deal.html", f"{site.base}/moved", f"{site.base}/flaky")
    assert problems(items) == []
    ids = [i.id for i in items]
    assert items[1].source == "127.0.0.1"  # no site name, no feed: the host
    # /flaky has no canonical link: its id is its own URL's
    assert ids == ["127.0.0.1/news/2024/peru-deal", "127.0.0.1/news/2024/chile-port", "127.0.0.1/flaky"]
    assert site.paths().count("/flaky") == 2  # one 500, one retry


def test_misbehaving_pages_are_one_line_each(site):
    urls = [f"{site.base}/{p}" for p in ("slow", "loop", "to-file", "huge", "missing", "doc.pdf", "escapes")]
    items = reads(*urls, "ftp://127.0.0.1/x.txt", "http://127.0.0.1:port/", "http:///nohost")
    assert problems(items) == [
        f"{site.base}/slow: timed out after 0.5 s (after 3 tries)",
        f"{site.base}/loop: too many redirects (over 5)",
        "file:///etc/passwd: unsupported URL scheme 'file' (only http and https)",
        f"{site.base}/huge: too large (200,007 bytes; the limit is 100,000)",
        f"{site.base}/missing: HTTP 404 Not Found",
        f"{site.base}/doc.pdf: not an HTML page, a feed or a sitemap (content type application/pdf)",
        "ftp://127.0.0.1/x.txt: unsupported URL scheme 'ftp' (only http and https)",
        "http://127.0.0.1:port/: invalid port in URL",
        "http:///nohost: no host in URL",
    ]
    assert "Mon\\x41day" in articles(items)["127.0.0.1/escapes"].text


def test_a_rerun_downloads_only_what_changed(site, tmp_path):
    web = WebOptions(allow_private=True, delay=0.0, timeout=2, cache_dir=str(tmp_path / "cache"))
    first = articles(reads(f"{site.base}/sitemap.xml", web=web))
    assert [s for _, s in site.statuses] == [200, 200, 200, 200]  # robots.txt, sitemap, two pages
    site.statuses.clear()
    again = articles(reads(f"{site.base}/sitemap.xml", web=web))
    assert again == first
    assert [s for _, s in site.statuses] == [304, 304, 304, 304]  # asked, nothing sent again
    # the feed changes: one item more; only the feed and the new page are downloaded
    site.statuses.clear()
    site.overrides["/sitemap.xml"] = (FIXTURES / "sitemap.xml").read_text().replace(
        "</urlset>", "<url><loc>{base}/moved</loc></url></urlset>")
    items = reads(f"{site.base}/sitemap.xml", web=web)
    assert len(articles(items)) == 2  # /moved is chile-port again (its canonical id)
    assert site.statuses == [("/robots.txt", 304), ("/sitemap.xml", 200), ("/news/2024/peru-deal.html", 304),
                             ("/news/2024/chile-port.html", 304), ("/moved", 301),
                             ("/news/2024/chile-port.html", 304)]
    # a cache entry that was tampered with is no entry: downloaded again
    for body in (tmp_path / "cache").glob("*.body"):
        body.write_bytes(b"garbage")
    site.statuses.clear()
    assert articles(reads(f"{site.base}/sitemap.xml", web=web)) == first | articles(items)
    assert [s for _, s in site.statuses] == [200, 200, 200, 200, 301, 304]  # /moved: chile-port, cached again


def test_a_feed_whose_items_change_between_two_runs(site, tmp_path):
    web = WebOptions(allow_private=True, delay=0.0, timeout=2, cache_dir=str(tmp_path / "cache"))
    assert set(articles(reads(f"{site.base}/atom.xml", web=web))) == {"127.0.0.1/news/2024/chile-port"}
    site.statuses.clear()
    site.overrides["/atom.xml"] = (FIXTURES / "atom.xml").read_text().replace("</feed>", (
        '<entry><title>Peru and Bolivia sign water deal</title><link href="{base}/news/2024/peru-deal.html"/>'
        "<id>urn:example:peru-deal</id><updated>2024-03-05T10:00:00Z</updated></entry></feed>"))
    got = articles(reads(f"{site.base}/atom.xml", web=web))
    assert set(got) == {"127.0.0.1/news/2024/chile-port", "127.0.0.1/news/2024/peru-deal"}
    # the feed and its new item downloaded; robots.txt and the old item answered 304
    assert sorted(site.statuses) == [("/atom.xml", 200), ("/news/2024/chile-port.html", 304),
                                     ("/news/2024/peru-deal.html", 200), ("/robots.txt", 304)]


def test_private_addresses_are_refused_by_default(site):
    items = reads(f"{site.base}/rss.xml", web=WebOptions(delay=0))
    assert problems(items) == [f"{site.base}/rss.xml: private address 127.0.0.1 refused "
                               "(pass --allow-private to fetch it)"]
    assert site.requests == []  # nothing was sent


def test_requests_to_one_site_are_spaced(site):
    reads(f"{site.base}/sitemap.xml", web=WebOptions(allow_private=True, delay=0.5))
    times = [t for _, _, t in site.requests]
    assert len(times) == 4  # robots.txt, the sitemap, two pages
    # the server sees them at least ~0.5 s apart (less what a loaded machine takes to hand them over)
    assert all(b - a >= 0.3 for a, b in zip(times, times[1:])), times


@pytest.mark.parametrize(("url", "doc_id"), [
    ("https://Example.org/news/2024/peru-deal.html", "example.org/news/2024/peru-deal"),
    ("https://example.org/news/2024/peru-deal/", "example.org/news/2024/peru-deal"),
    ("https://example.org/news/index.html", "example.org/news"),
    ("https://example.org/", "example.org"),
    ("https://example.org/story.php?id=12", "example.org/story?id=12"),
])
def test_ids_from_urls(url, doc_id):
    assert doc_id_for_url(url) == doc_id


def test_build_from_a_feed(site, tmp_path):
    store = tmp_path / "s"
    run = ["build", f"{site.base}/rss.xml", "--store", str(store), "--no-progress", "--allow-private",
           "--fetch-delay", "0", "--fetch-timeout", "2"]
    r = CliRunner().invoke(main, run)
    assert r.exit_code == 1, r.stderr  # two items could not be built
    lines = r.stderr.splitlines()
    assert f"kg: skipped {site.base}/news/gone.html: HTTP 404 Not Found" in lines
    assert "2 built, 0 replaced, 0 unchanged, 2 skipped" in lines[-1]
    with KGStore.open(store, read_only=True) as s:
        assert set(s.article_hashes()) == {"127.0.0.1/news/2024/peru-deal", "127.0.0.1/news/2024/chile-port"}
    # the same feed again: nothing downloaded again (conditional GETs, STORE/web-cache), nothing built
    site.statuses.clear()
    r = CliRunner().invoke(main, run)
    assert "0 built, 0 replaced, 2 unchanged, 2 skipped" in r.stderr.splitlines()[-1]
    assert sorted(s for _, s in site.statuses) == [304, 304, 304, 304, 404]
    # a page is an input like a file: built once, unchanged after
    r = CliRunner().invoke(main, [*run[:1], f"{site.base}/news/2024/peru-deal.html", *run[2:]])
    assert r.exit_code == 0, r.stderr
    assert "0 built, 0 replaced, 1 unchanged, 0 skipped" in r.stderr.splitlines()[-1]
