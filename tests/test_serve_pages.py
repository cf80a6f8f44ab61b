"""``kg serve``'s browsable graph: entity, article and search pages, the HTML table of the query
form, and the graph's IRIs dereferenced (HTML for browsers, Turtle for RDF clients). The real
server on a free loopback port over a real store (the handmade articles and one with hostile
labels), plain HTTP, and headless Chromium."""

from __future__ import annotations

import re
import shutil
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib

from conftest import _entity, _ev, handmade_graphs
from kg import write
from kg.model import Article, ArticleGraph, Entity, Relation
from kg.serve.pages import entity_page, local_path, negotiate_page, search_page
from kg.serve.spool import job_key
from kg.store import KGStore
from test_serve import Server, http

ID = "https://w3id.org/newskg/id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
HOSTILE = '<script>alert("x")</script> & <b>Evil</b>'
HOSTILE_ALIAS = '"><img src=x onerror=alert(1)>'
TABLE_QUERY = """PREFIX kg: <https://w3id.org/newskg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?subject ?predicate ?object ?polarity ?modality ?weight WHERE {
  GRAPH <https://w3id.org/newskg/id/graph/summary> {
    ?st a kg:Statement ; rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object ;
        kg:polarity ?polarity ; kg:modality ?modality ; kg:weight ?weight .
  }
} ORDER BY DESC(?weight) ?subject"""
DOCS = Path(__file__).resolve().parent.parent / "docs"


def hostile_graph() -> ArticleGraph:
    """An article whose entity label, alias, title, publisher, doc id and URL are markup."""
    t = f"{HOSTILE} opposes Moscow."
    e = Entity("Person:" + HOSTILE, "Person", HOSTILE, (HOSTILE_ALIAS,), None, 1)
    mos = _entity("City:Moscow", "City", "Moscow", (), "Q649", 1)  # the handmade articles' Moscow
    a = Article("doc<3>", t, title="<i>Hostile</i> report", date="2023-03-19", source="Wire <C>",
                url="javascript:alert(1)")
    rel = Relation(e.key, "opposes", mos.key, _ev("doc<3>", t, t, "opposes"), confidence=0.8, rule="svo")
    return ArticleGraph(a, (e, mos), (rel,), ())


def make_store(path: Path) -> Path:
    with KGStore.open(path) as s:
        write.load_ontology(s)
        write.write_all(s, handmade_graphs() + [hostile_graph()])
    return path


def hostile_path() -> str:
    from kg.names import name_identity
    from kg.rdf import mint

    return local_path(str(mint("entity", name_identity(HOSTILE))))  # the IRI of the entity's identity


class Tags(HTMLParser):
    """The tags and attributes of a page, as a browser's parser sees them."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def hrefs(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t == "a" and "href" in a]


def assert_inert(text: str) -> None:
    """No markup from the store became a tag: no script, no img, no event handler, no javascript: link."""
    tags = Tags(text)
    names = {t for t, _ in tags.tags}
    assert not names & {"script", "img", "b", "i", "iframe"}, names
    assert not any(k.startswith("on") for _, a in tags.tags for k in a)
    assert not any(h.lower().startswith("javascript") for h in tags.hrefs())
    assert not re.search(r'(src|href)="(https?:)?//', text.replace('href="https://www.wikidata.org/', "")), \
        "a page refers to another site"


# ---------------------------------------------------------------- in-process (fast lane)
def test_pages_from_a_real_store_escape_everything(tmp_path):
    store = make_store(tmp_path / "store")
    with KGStore.open(store, read_only=True) as s:
        body, _ = entity_page(s.ox, ID + hostile_path()[len("/entity/"):])
        text = body.decode()
        assert_inert(text)
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Evil&lt;/b&gt;" in text
        assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in text  # the alias, as text
        body, _ = search_page(s.ox, 'evil" } ; DROP ALL #')  # the search text stays a literal
        assert "0 entities" in body.decode()
        body, _ = search_page(s.ox, "EVIL")
        assert_inert(body.decode())
        assert "1 entity" in body.decode()


def test_page_negotiation_and_addresses():
    assert negotiate_page(None, None) == "html"
    assert negotiate_page(BROWSER, None) == "html"
    assert negotiate_page("text/turtle", None) == "turtle"
    assert negotiate_page("application/n-triples;q=0.5, application/ld+json", None) == "jsonld"
    assert negotiate_page(BROWSER, "turtle") == "turtle"  # the parameter wins
    assert negotiate_page("text/turtle", "bogus") == "turtle"  # an unknown parameter: Accept decides
    assert local_path(ID + "person/john-kirby") == "/entity/person/john-kirby"
    assert local_path(ID + "article/doc%3C3%3E") == "/article/doc%3C3%3E"
    assert local_path(ID + "statement/abc") == "/id/statement/abc"
    assert local_path("http://example.org/x") is None
    # a page that crashed its worker is remembered by its address, not as "every page"
    a, b = ({"page": "entity", "iri": ID + x} for x in ("person/a", "person/b"))
    assert job_key(a) != job_key(b) and job_key(a) == job_key(dict(a))


# ---------------------------------------------------------------- the real server over HTTP
@pytest.fixture(scope="module")
def site(tmp_path_factory):
    srv = Server(make_store(tmp_path_factory.mktemp("pages") / "store"), "--timeout", "5")
    yield srv
    srv.stop()


def page_of(site, path: str, accept: str | None = BROWSER):
    status, headers, body = http("GET", site.url + path, headers={"Accept": accept} if accept else {})
    return status, headers.get("Content-Type", ""), body.decode("utf-8")


@pytest.mark.subprocess
def test_entity_page(site):
    status, ctype, text = page_of(site, "/entity/country/united-states")
    assert status == 200 and ctype == "text/html; charset=utf-8"
    assert_inert(text)
    assert "<h1>United States</h1>" in text and "Country" in text
    assert "<dd>US</dd>" in text  # the alias
    assert 'href="https://www.wikidata.org/wiki/Q30"' in text
    # facts with polarity, modality, speaker; each statement once, with its evidence and articles
    assert text.count('<span class="neg">not supports</span>') == 1
    assert text.count(">opposes</td>") == 1
    assert "The United States opposes a ceasefire in Ukraine." in text and "The US opposes a ceasefire." in text
    hrefs = Tags(text).hrefs()
    assert {"/article/doc1", "/article/doc2", "/entity/concept/ceasefire", "/entity/person/john-kirby"} <= set(hrefs)
    assert "First report</a> <span class=\"muted\">2023-03-17 · Wire A</span>" in text
    # the same page by the IRI's own path; a fact pointing to the entity; what it said
    status, _, text = page_of(site, "/id/person/john-kirby")
    assert status == 200 and "What it said" in text and "We do not support a truce," in text
    status, _, text = page_of(site, "/entity/concept/ceasefire")
    assert "Facts pointing to it" in text and 'href="/entity/country/united-states"' in text


@pytest.mark.subprocess
def test_article_page_and_search(site):
    status, ctype, text = page_of(site, "/article/doc1")
    assert status == 200 and ctype.startswith("text/html")
    assert "<h1>First report</h1>" in text and "2023-03-17" in text and "Wire A" in text
    assert {"/entity/country/united-states", "/entity/person/xi-jinping", "/entity/city/moscow"} <= set(Tags(text).hrefs())
    assert "Xi Jinping will visit Moscow." in text and ">planned<" in text
    status, _, text = page_of(site, "/search?q=kirb")
    assert status == 200 and 'href="/entity/person/john-kirby">John Kirby</a>' in text
    status, _, text = page_of(site, "/search?" + urllib.parse.urlencode({"q": "us", "type": "Country"}))
    hrefs = [h for h in Tags(text).hrefs() if h.startswith("/entity/")]
    assert hrefs[0] == "/entity/country/united-states"  # the exact alias first
    assert all(h.startswith("/entity/country/") for h in hrefs) and "/entity/country/russia" in hrefs


@pytest.mark.subprocess
def test_hostile_labels_are_text_on_every_page(site):
    quoted = urllib.parse.quote("doc<3>", safe="")
    for path in (hostile_path(), f"/article/{quoted}", "/search?q=evil", "/entity/city/moscow",
                 "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?l WHERE { ?e <http://www.w3.org/2000/01/"
                                                                       "rdf-schema#label> ?l }", "format": "html"})):
        status, ctype, text = page_of(site, path)
        assert status == 200 and ctype.startswith("text/html"), path
        assert_inert(text)
        assert "&lt;script&gt;" in text, path
    _, _, text = page_of(site, f"/article/{quoted}")
    assert "<dd>javascript:alert(1)</dd>" in text  # the URL shown, not linked


@pytest.mark.subprocess
def test_unknown_and_bad_addresses(site):
    for path in ("/entity/person/nobody", "/article/nodoc", "/id/statement/0000", "/entity/article/doc1"):
        status, ctype, text = page_of(site, path)
        assert status == 404 and ctype.startswith("text/html"), path
    assert page_of(site, "/entity/person/nobody", "text/turtle")[0] == 404
    assert page_of(site, "/entity/country/china", "application/sparql-results+json")[0] == 406
    assert page_of(site, "/entity/a%ZZb")[0] == 400  # not an IRI
    assert page_of(site, "/search?q=" + "x" * 300)[0] == 400


@pytest.mark.subprocess
def test_iris_dereference_as_turtle_for_rdf_clients(site):
    kirby = rdflib.URIRef(ID + "person/john-kirby")
    for path in ("/id/person/john-kirby", "/entity/person/john-kirby"):
        status, ctype, text = page_of(site, path, "text/turtle")
        assert status == 200 and ctype == "text/turtle; charset=utf-8"
        g = rdflib.Graph().parse(data=text, format="turtle")
        assert (kirby, rdflib.RDFS.label, rdflib.Literal("John Kirby")) in g
        assert (None, rdflib.URIRef("https://w3id.org/newskg/ontology#attributedTo"), kirby) in g
    status, ctype, text = page_of(site, "/id/country/united-states", "application/n-triples")
    lines = [line for line in text.splitlines() if line.strip()]
    assert status == 200 and ctype.startswith("application/n-triples") and len(lines) == len(set(lines))
    assert f"<{ID}country/united-states> <https://w3id.org/newskg/ontology#opposes> <{ID}concept/ceasefire> ." in lines
    status, ctype, text = page_of(site, "/id/article/doc1", "text/turtle")
    g = rdflib.Graph().parse(data=text, format="turtle")
    assert (rdflib.URIRef(ID + "article/doc1"), rdflib.URIRef("https://schema.org/headline"),
            rdflib.Literal("First report")) in g
    status, ctype, _ = page_of(site, "/id/person/john-kirby?format=turtle")
    assert ctype.startswith("text/turtle")
    # a statement's IRI: its summary entry, as HTML too
    st = next(s for s, _, _ in g.triples((None, rdflib.URIRef("https://w3id.org/newskg/ontology#reportedIn"), None)))
    status, ctype, text = page_of(site, "/" + str(st)[len("https://w3id.org/newskg/"):])
    assert status == 200 and ctype.startswith("text/html") and "kg:weight" in text


@pytest.mark.subprocess
def test_query_results_as_a_table_for_browsers(site):
    q = "SELECT DISTINCT ?c WHERE { ?c a <https://w3id.org/newskg/ontology#Country> } ORDER BY ?c"
    url = site.url + "/sparql?" + urllib.parse.urlencode({"query": q})
    status, headers, body = http("GET", url, headers={"Accept": BROWSER})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    text = body.decode()
    assert "<th>c</th>" in text and text.count("<tr>") == 5 and 'href="/entity/country/china"' in text
    assert f"<textarea name=\"query\" rows=\"10\">{q.replace('<', '&lt;').replace('>', '&gt;')}</textarea>" in text
    for accept, ctype in (("text/csv", "text/csv"), ("application/sparql-results+json", "application/sparql-results+json")):
        status, headers, _ = http("GET", url, headers={"Accept": accept})
        assert status == 200 and headers["Content-Type"].startswith(ctype)
    status, headers, body = http("GET", url + "&format=csv", headers={"Accept": BROWSER})
    assert headers["Content-Type"].startswith("text/csv")
    status, headers, body = http("GET", site.url + "/sparql?" + urllib.parse.urlencode(
        {"query": "CONSTRUCT WHERE { ?c a <https://w3id.org/newskg/ontology#City> }"}), headers={"Accept": BROWSER})
    assert headers["Content-Type"].startswith("text/html") and 'href="/entity/city/moscow"' in body.decode()


# ---------------------------------------------------------------- in a real browser
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.mark.subprocess
def test_pages_in_a_browser(site):
    exe = _chromium()
    if exe is None:
        pytest.skip("no chromium: `make test` installs Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    from test_viz import CHROMIUM_ARGS

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS[1:])
        try:
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            problems: list[str] = []
            requests: list[str] = []
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
            page.on("request", lambda r: requests.append(r.url))

            page.goto(site.url + "/entity/country/united-states")
            assert page.title() == "United States - kg"
            page.screenshot(path=str(DOCS / "entity-page.png"), full_page=True)
            page.click("text=First report")  # the evidence's article
            page.wait_for_url(site.url + "/article/doc1")
            assert page.locator("h1").inner_text() == "First report"
            page.click("table >> text=Xi Jinping")  # on to an entity of the article
            page.wait_for_url(site.url + "/entity/person/xi-jinping")
            assert "Moscow" in page.locator("main").inner_text()
            page.fill("header input[name=q]", "kirb")  # the search box
            page.press("header input[name=q]", "Enter")
            page.wait_for_url("**/search?q=kirb")
            page.click("text=John Kirby")
            page.wait_for_url(site.url + "/entity/person/john-kirby")
            page.goto(site.url + hostile_path())  # hostile labels: shown, never run
            assert HOSTILE in page.locator("h1").inner_text()
            assert page.locator("main script, main img, main b").count() == 0

            page.goto(site.url + "/")  # the query form, its default result: an HTML table
            page.fill("textarea[name=query]", TABLE_QUERY)
            page.click("button:text('Run')")
            page.wait_for_url("**/sparql?**")
            assert page.locator("table tr").count() > 1
            assert page.locator("table tr").count() == 6  # the header and each statement once
            assert "subject" in page.locator("table tr").first.inner_text()
            page.click("table >> text=ceasefire >> nth=0")  # an IRI of the result: its page
            page.wait_for_url(site.url + "/entity/concept/ceasefire")
            page.go_back()
            page.screenshot(path=str(DOCS / "query-table.png"))
            assert problems == []
            assert all(u.startswith(site.url) or u.startswith("data:") for u in requests), requests
        finally:
            browser.close()
