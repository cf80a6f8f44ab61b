"""The web source: an input that is a URL (``http://``, ``https://``) is fetched (:mod:`.fetch`)
and read by what it holds, told by its content type and, failing that, its first element:

- an HTML page: one article (main text, headline, date, site via trafilatura; :func:`parse_html`);
- an RSS 2.0/1.0 or Atom feed (feedparser): the page of each item's link, its title and date
  filling what the page leaves out;
- a sitemap (``<urlset>``; a ``<sitemapindex>`` is followed to its sitemaps, one level): each page.

An article's id comes from its canonical URL (the page's ``<link rel="canonical">``, else the URL
fetched): host and path, ``example.org/news/2024/peru-deal``; the ``url`` kept is that URL.
Every URL that fails is one Problem naming it (``HTTP 404 Not Found``, ``disallowed by
robots.txt``, ``timed out``); the feed's other items are still read.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import replace

from ..model import Article
from .decoding import decode_bytes, declared_charset, known_charset
from .fetch import Fetcher, FetchError, Response
from .fields import check_id
from .formats import parse_html
from .records import Note, Problem, Read, Reject, failure, logged_read, logger, problem

#: A name read as a URL (any scheme: an unsupported one is a Problem, not a file name).
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_XML_TYPES = frozenset({"application/xml", "text/xml"}) | _FEED_TYPES
_ROOT = re.compile(rb"<([A-Za-z][\w.-]*:)?(rss|feed|RDF|urlset|sitemapindex)\b")
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
#: At most this many pages are read from one feed or sitemap (a sitemap may list 50,000).
MAX_LINKS = 1000


def is_url(name: str) -> bool:
    return bool(URL.match(name))


def read_url(url: str, fetcher: Fetcher) -> Iterator[Read]:
    """The Reads of one URL given as input: a page's article, a feed's or a sitemap's. Whatever
    nothing expected (a bug, a parser's crash) is one Problem naming the URL, never the end of
    the build (the rest of that feed is then left out)."""
    try:
        yield from _read_url(url, fetcher)
    except Exception as err:
        logger.debug("%s: reading failed", url, exc_info=True)
        yield problem(url, failure(err))


def _read_url(url: str, fetcher: Fetcher) -> Iterator[Read]:
    try:
        response = fetcher.get(url)
    except FetchError as err:
        yield problem(err.url, err.reason)
        return
    kind = _kind(response)
    if kind == "feed":
        yield from _feed_reads(response, fetcher)
    elif kind in ("urlset", "sitemapindex"):
        yield from _sitemap_reads(response, fetcher, nested=False)
    else:
        yield _page_read(response)


def _kind(response: Response) -> str:
    """``feed``, ``urlset``, ``sitemapindex`` or ``page``."""
    if response.content_type in _FEED_TYPES:
        return "feed"
    head = response.body[:2048]
    if response.content_type in _XML_TYPES or head.lstrip().startswith(b"<?xml") or response.content_type == "":
        m = _ROOT.search(head)
        if m:
            root = m.group(2).decode()
            return root if root in ("urlset", "sitemapindex") else "feed"
    return "page"


def page_article(response: Response, extra: dict[str, str | None] | None = None,
                 notes: list[Note] | None = None) -> Article:
    """The article of an HTML page; ``extra`` (a feed item's title, date) fills what it lacks."""
    if response.content_type not in ("text/html", "application/xhtml+xml", ""):
        raise Reject(f"not an HTML page, a feed or a sitemap (content type {response.content_type})")
    charset = known_charset(response.charset) if response.charset else None
    text, _ = decode_bytes(response.body, charset or declared_charset(response.body))
    article = parse_html(text, "page", path=None, notes=notes, url=response.url)
    url = article.url or response.url
    if not url.lower().startswith(("http://", "https://")):
        url = response.url
    host = urllib.parse.urlsplit(response.url)
    if article.source and article.source.lower() in (host.netloc.lower(), (host.hostname or "").lower()):
        article = replace(article, source=None)  # trafilatura's stand-in for a site name: the host
    extra = {**(extra or {})}
    extra["source"] = extra.get("source") or host.hostname
    missing = {k: v for k, v in extra.items() if v and getattr(article, k) is None}
    return replace(article, id=doc_id_for_url(url), url=url, path=response.url, **missing)


def doc_id_for_url(url: str) -> str:
    """The article id of a URL: its host and path, ``/``-separated, without a final ``/``, a
    default page name or the page's suffix (``.html``, ``.php``...); a query kept after ``?``."""
    parts = urllib.parse.urlsplit(url)
    segments = [urllib.parse.unquote(s) for s in parts.path.split("/") if s and s not in (".", "..")]
    if segments and re.fullmatch(r"(?i)index\.[a-z]{2,5}", segments[-1]):
        segments.pop()
    if segments:
        segments[-1] = re.sub(r"(?i)\.(s?html?|php|aspx?|jsp)$", "", segments[-1]) or segments[-1]
    doc_id = "/".join([(parts.hostname or "").lower(), *segments])
    if parts.query:
        doc_id += "?" + parts.query
    return check_id(doc_id, nested=True)


def _page_read(response: Response, extra: dict[str, str | None] | None = None) -> Read:
    notes: list[Note] = []
    try:
        item: Article | Problem = page_article(response, extra, notes)
    except Reject as rej:
        item = Problem(response.url, rej.reason)
    return logged_read(item, response.url, None, notes)


def _feed_reads(response: Response, fetcher: Fetcher) -> Iterator[Read]:
    import feedparser  # lazy: only for feeds

    feed = feedparser.parse(response.body, response_headers={"content-location": response.url})
    entries = feed.get("entries") or []
    if not entries:
        why = f" ({feed.bozo_exception})" if feed.get("bozo") and feed.get("bozo_exception") else ""
        yield problem(response.url, f"a feed without items{why}")
        return
    for entry in entries[:MAX_LINKS]:
        link = entry.get("link")
        if not link:
            yield problem(response.url, f"feed item without a link ({(entry.get('title') or '')[:60]!r})")
            continue
        link = urllib.parse.urljoin(response.url, link)
        date = entry.get("published_parsed") or entry.get("updated_parsed")
        extra = {"title": entry.get("title") or None, "author": entry.get("author") or None,
                 "date": f"{date.tm_year:04d}-{date.tm_mon:02d}-{date.tm_mday:02d}" if date else None,
                 "source": (feed.get("feed") or {}).get("title") or None}
        try:
            page = fetcher.get(link)
        except FetchError as err:
            yield problem(err.url, err.reason)
            continue
        yield _page_read(page, extra)


def _sitemap_reads(response: Response, fetcher: Fetcher, *, nested: bool) -> Iterator[Read]:
    from lxml import etree  # trafilatura's dependency

    # no DTD, no entities, no network: a sitemap is data, never instructions
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(response.body, parser)
    except etree.XMLSyntaxError as err:
        yield problem(response.url, f"invalid sitemap XML: {err}")
        return
    index = etree.QName(root).localname == "sitemapindex"
    links = [urllib.parse.urljoin(response.url, (loc.text or "").strip())
             for loc in root.iter(f"{_SITEMAP_NS}loc", "loc") if (loc.text or "").strip()]
    if not links:
        yield problem(response.url, "a sitemap without URLs")
        return
    for link in links[:MAX_LINKS]:
        try:
            page = fetcher.get(link)
        except FetchError as err:
            yield problem(err.url, err.reason)
            continue
        if index and not nested:
            yield from _sitemap_reads(page, fetcher, nested=True)
        else:
            yield _page_read(page)
