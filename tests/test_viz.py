"""`kg viz`: the self-contained HTML page (in a real headless Chromium) and the PNG/SVG image."""

from __future__ import annotations

import io
import json
import re
import shutil
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from kg import viz as kv
from kg.cli import main
from kg.store import KGStore

US, CF, KIRBY = "country/united-states", "concept/ceasefire", "person/john-kirby"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--no-default-browser-check",
]


def cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def viz_files(tmp_path_factory):
    """One store, drawn once as HTML, PNG and SVG (module scope: the browser tests share the page)."""
    from conftest import handmade_graphs
    from kg import write

    d = tmp_path_factory.mktemp("viz")
    store = d / "store"
    with KGStore.open(store) as s:
        write.load_ontology(s)
        write.write_all(s, handmade_graphs())
    out = {"store": store}
    for fmt in ("html", "png", "svg"):
        r = cli("viz", "--store", str(store), "--output", str(d / f"graph.{fmt}"))
        assert r.exit_code == 0, r.output
        assert f"wrote {fmt}" in r.output
        out[fmt] = d / f"graph.{fmt}"
    return out


def page_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


# ---------------------------------------------------------------- the HTML file
def test_html_is_self_contained(viz_files):
    html = viz_files["html"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    # nothing is loaded from anywhere: no src/href to a URL, no <link>, a CSP that forbids it
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "<script src" not in html and "@import" not in html
    assert "default-src 'none'" in html
    assert html.count("<script") == 2  # the data and the renderer, both inline
    data = page_data(html)
    assert len(data["nodes"]) == 10 and len(data["edges"]) == 5 and data["directed"] is True
    us = next(n for n in data["nodes"] if n["id"] == US)
    assert us["label"] == "United States" and us["color"] == "#e15759" and us["type"] == "Country"
    opp = next(e for e in data["edges"] if e["label"] == "opposes")
    assert opp["evidence"] == [["doc1", "The United States opposes a ceasefire in Ukraine."],
                               ["doc2", "The US opposes a ceasefire."]]
    assert data["articles"]["doc1"] == {"title": "First report", "date": "2023-03-17", "url": ""}
    assert [t["type"] for t in data["types"]][:1] == ["Country"]  # legend, the most frequent type first


def test_script_json_cannot_close_the_script():
    text = kv._script_json({"s": "</script><script>alert(1)</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"s": "</script><script>alert(1)</script><!-- & \u2028"}


def test_html_title_is_escaped(viz_files, tmp_path):
    out = tmp_path / "t.html"
    r = cli("viz", "--store", str(viz_files["store"]), "-o", str(out), "--title", "<b>News</b> & more")
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "<title>&lt;b&gt;News&lt;/b&gt; &amp; more</title>" in html and "<b>News</b>" not in html


def test_max_nodes_keeps_the_most_mentioned(viz_files, tmp_path):
    out = tmp_path / "small.html"
    r = cli("viz", "--store", str(viz_files["store"]), "-o", str(out), "--max-nodes", "3")
    assert r.exit_code == 0 and "of 10 nodes" in r.output
    data = page_data(out.read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == {US, CF, KIRBY}  # mentions 3, 3, 2
    assert "3 most connected of 10 nodes" in data["summary"]


def test_cooccurrence_page(viz_files, tmp_path):
    out = tmp_path / "co.html"
    r = cli("viz", "--store", str(viz_files["store"]), "-o", str(out), "--graph", "cooccurrence")
    assert r.exit_code == 0, r.output
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["directed"] is False
    e = next(e for e in data["edges"] if {data["nodes"][e["s"]]["id"], data["nodes"][e["t"]]["id"]} == {US, CF})
    assert e["weight"] == 2 and len(e["evidence"]) == 2


def test_cli_errors(viz_files, tmp_path):
    st = str(viz_files["store"])
    r = cli("viz", "--store", st, "-o", str(tmp_path / "graph.pdf"))
    assert r.exit_code == 2 and "html, .png or .svg" in r.output
    r = cli("viz", "--store", st, "-o", str(tmp_path / "graph.pdf"), "--format", "png")
    assert r.exit_code == 0 and (tmp_path / "graph.pdf").read_bytes().startswith(b"\x89PNG")
    r = cli("viz", "--store", st, "-o", str(tmp_path / "missing" / "g.html"))
    assert r.exit_code == 2 and "does not exist" in r.output
    r = cli("viz", "--store", str(tmp_path / "nostore"), "-o", str(tmp_path / "g.html"))
    assert r.exit_code == 2 and "no kg store" in r.output


# ---------------------------------------------------------------- the images
def test_png_is_a_picture(viz_files):
    from PIL import Image

    img = Image.open(viz_files["png"]).convert("RGB")
    assert img.size[0] >= 1000 and img.size[1] >= 700
    colors = img.getcolors(maxcolors=1 << 20)
    assert len(colors) > 50  # not blank
    # the palette colours of the types are drawn
    pixels = {c for _, c in colors}
    assert (0xe1, 0x57, 0x59) in pixels and (0x4e, 0x79, 0xa7) in pixels  # Country, Person
    assert viz_files["png"].stat().st_size < 2_000_000


def test_svg_labels_the_top_entities(viz_files):
    root = ET.parse(viz_files["svg"]).getroot()
    texts = {"".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
    for label in ("United States", "ceasefire", "John Kirby"):
        assert label in texts, texts
    assert "We do not support a truce," not in texts  # quotations are not labelled


def test_image_to_stream(viz_files):
    with KGStore.open(viz_files["store"], read_only=True) as s:
        buf = io.BytesIO()
        kv.viz(s, buf, fmt="svg", top=3)
    assert b"<svg" in buf.getvalue()


# ---------------------------------------------------------------- in a real browser
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def browser_page(viz_files, tmp_path_factory):
    """Debian's chromium, headless, a fresh profile, driven by Playwright (which downloads no browser)."""
    exe = _chromium()
    if exe is None:
        pytest.skip("no chromium: `make test` installs Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(profile), executable_path=exe, headless=True, args=CHROMIUM_ARGS[1:],
            viewport={"width": 1280, "height": 800}, offline=True,
        )
        try:
            page = ctx.new_page()
            problems: list[str] = []
            requests: list[str] = []
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(viz_files["html"].as_uri())
            page.wait_for_function("window.kgViz && window.kgViz.ready", timeout=15000)
            yield page, problems, requests
        finally:
            ctx.close()


def _not_blank(png: bytes) -> int:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    colors = img.getcolors(maxcolors=1 << 20)
    return len(colors)


def test_page_loads_and_draws(browser_page, tmp_path):
    page, problems, requests = browser_page
    assert problems == []
    assert all(u.startswith("file://") for u in requests), requests  # nothing from the network
    assert page.evaluate("kgViz.data.nodes.length") == 10
    canvas = page.locator("#kg-canvas")
    box = canvas.bounding_box()
    assert box["width"] > 400 and box["height"] > 300
    shot = canvas.screenshot()
    assert _not_blank(shot) > 20  # nodes, edges, labels: many colours
    # the node of the United States is drawn in its colour where the page says it is
    pos = page.evaluate(f"kgViz.screenPosition({US!r})")
    pixel = page.evaluate(
        """([x, y]) => { const c = document.getElementById('kg-canvas'); const r = c.getBoundingClientRect();
             const d = window.devicePixelRatio || 1;
             return Array.from(c.getContext('2d').getImageData((x - r.left) * d, (y - r.top) * d, 1, 1).data); }""",
        [pos["x"], pos["y"]])
    assert pixel[:3] == [0xe1, 0x57, 0x59]
    legend = page.locator("#kg-legend").inner_text()
    assert "Country (4)" in legend and "Person (2)" in legend and "negated relation" in legend


def test_click_on_a_node_shows_relations_and_evidence(browser_page, tmp_path):
    page, problems, _ = browser_page
    pos = page.evaluate(f"kgViz.screenPosition({US!r})")
    page.mouse.click(pos["x"], pos["y"])
    panel = page.locator("#kg-panel")
    panel.locator("text=Relations").wait_for()
    text = panel.inner_text()
    assert "United States" in text and "Q30" in text
    assert "opposes" in text and "not supports" in text
    assert "The United States opposes a ceasefire in Ukraine." in text  # evidence sentences
    assert "First report · 2023-03-17 · doc1" in text  # with their articles
    assert "according to John Kirby" in text
    assert page.evaluate("kgViz.selected()") == US
    page.screenshot(path=str(tmp_path / "node.png"))
    assert _not_blank((tmp_path / "node.png").read_bytes()) > 20
    assert problems == []


def test_click_on_an_edge_shows_its_evidence(browser_page):
    page, problems, _ = browser_page
    page.keyboard.press("Escape")
    eid = page.evaluate("kgViz.data.edges.find(e => e.label === 'provides').id")
    page.evaluate("kgViz.fit()")
    pos = page.evaluate(f"kgViz.edgeScreenPosition({eid!r})")
    page.mouse.click(pos["x"], pos["y"])
    assert page.evaluate("kgViz.selected()") == eid
    text = page.locator("#kg-panel").inner_text()
    assert "not provides" in text and "Evidence" in text
    assert "Kirby said China has not supplied weapons to Russia." in text
    assert "Second report · 2023-03-18 · doc2" in text
    assert problems == []


def test_search_legend_and_zoom(browser_page):
    page, problems, _ = browser_page
    page.keyboard.press("Escape")
    page.fill("#kg-search", "kirb")  # an alias or a part of the name
    assert "John Kirby" in page.locator("#kg-results").inner_text()
    page.press("#kg-search", "Enter")
    assert page.evaluate("kgViz.selected()") == KIRBY
    assert "We do not support a truce," in page.locator("#kg-panel").inner_text()
    before = page.evaluate("kgViz.view.scale")
    page.click("#kg-zoom-in")
    assert page.evaluate("kgViz.view.scale") > before
    page.mouse.move(600, 400)
    page.mouse.wheel(0, 400)
    assert page.evaluate("kgViz.view.scale") < before * 1.4
    # hiding a type from the legend
    page.keyboard.press("Escape")
    page.click("#kg-fit")
    page.locator(".kg-legend-item", has_text="Country").click()
    pos = page.evaluate(f"kgViz.screenPosition({US!r})")
    page.mouse.click(pos["x"], pos["y"])
    assert page.evaluate("kgViz.selected()") != US
    page.locator(".kg-legend-item", has_text="Country").click()
    assert problems == []


def test_quotations_hidden_until_the_legend_shows_them(browser_page):
    page, problems, _ = browser_page
    page.keyboard.press("Escape")
    page.click("#kg-fit")
    qid = page.evaluate("kgViz.data.nodes.find(n => n.type === 'Quotation').id")
    assert page.evaluate(f"kgViz.visible({qid!r})") is False
    item = page.locator(".kg-legend-item", has_text="Quotation")
    assert "click to show" in item.inner_text() and "kg-off" in item.get_attribute("class")
    pos = page.evaluate(f"kgViz.screenPosition({qid!r})")
    page.mouse.click(pos["x"], pos["y"])
    assert page.evaluate("kgViz.selected()") != qid  # a hidden quotation cannot be clicked
    page.keyboard.press("Escape")
    item.click()
    assert page.evaluate(f"kgViz.visible({qid!r})") is True
    assert "kg-off" not in item.get_attribute("class")
    pos = page.evaluate(f"kgViz.screenPosition({qid!r})")
    page.mouse.click(pos["x"], pos["y"])
    assert page.evaluate("kgViz.selected()") == qid
    assert "We do not support a truce," in page.locator("#kg-panel").inner_text()
    page.keyboard.press("Escape")
    item.click()  # hidden again, as the other tests expect
    assert problems == []


def test_legend_covers_no_node(browser_page):
    page, problems, _ = browser_page
    page.click("#kg-fit")
    box = page.locator("#kg-legend").bounding_box()
    ids = page.evaluate("kgViz.data.nodes.filter(n => n.type !== 'Quotation').map(n => n.id)")
    for nid in ids:
        p = page.evaluate(f"kgViz.screenPosition({nid!r})")
        inside = box["x"] - p["r"] <= p["x"] <= box["x"] + box["width"] + p["r"] and \
            box["y"] - p["r"] <= p["y"] <= box["y"] + box["height"] + p["r"]
        assert not inside, nid
    assert problems == []


# ---------------------------------------------------------------- open relations in the page
@pytest.fixture(scope="module")
def open_viz(tmp_path_factory):
    """A store with open statements (conftest.open_graph), drawn as HTML with and without them."""
    from conftest import handmade_graphs, open_graph
    from kg import write

    d = tmp_path_factory.mktemp("viz-open")
    store = d / "store"
    with KGStore.open(store) as s:
        write.load_ontology(s)
        write.write_all(s, [*handmade_graphs(), open_graph()])
    for name, extra in (("all", ("--open",)), ("plain", ())):
        r = cli("viz", "--store", str(store), "--output", str(d / f"{name}.html"), *extra)
        assert r.exit_code == 0, r.output
    return d


def test_page_flags_open_edges_with_open_and_leaves_them_out_by_default(open_viz):
    edges = page_data((open_viz / "all.html").read_text(encoding="utf-8"))["edges"]
    flags = {e["label"]: e["vocabulary"] for e in edges}
    assert flags["beat"] == "open" and flags["hold talks with"] == "open" and flags["opposes"] == "controlled"
    plain = page_data((open_viz / "plain.html").read_text(encoding="utf-8"))["edges"]
    assert {e["vocabulary"] for e in plain} == {"controlled"} and len(plain) == len(edges) - 2


def test_open_edge_in_the_browser(open_viz, browser_page):
    # a second tab of the module's browser (one Playwright session per process)
    page = browser_page[0].context.new_page()
    try:
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.goto((open_viz / "all.html").as_uri())
        page.wait_for_function("window.kgViz && window.kgViz.ready", timeout=15000)
        assert "open relation" in page.locator("#kg-legend").inner_text()
        eid = page.evaluate("kgViz.data.edges.find(e => e.label === 'beat').id")
        page.evaluate(f"kgViz.select({eid!r})")
        text = page.locator("#kg-panel").inner_text()
        assert "not a predicate of the vocabulary" in text and "Spain beat Italy in Rome." in text
        # the legend item hides the open edges: a click where the edge was selects nothing
        page.keyboard.press("Escape")
        page.evaluate("kgViz.fit()")
        pos = page.evaluate(f"kgViz.edgeScreenPosition({eid!r})")
        page.mouse.click(pos["x"], pos["y"])
        assert page.evaluate("kgViz.selected()") == eid
        page.locator(".kg-legend-open").click()
        assert page.evaluate("kgViz.selected()") is None
        page.mouse.click(pos["x"], pos["y"])
        assert page.evaluate("kgViz.selected()") != eid
        assert problems == []
    finally:
        page.close()


# ---------------------------------------------------------------- focus and the image's selection
def _graph(edges, isolated=(), labels=None, aliases=None, quotes=()):
    """A small entity graph by hand: nodes named by their ids unless ``labels`` says otherwise."""
    import networkx as nx

    G = nx.MultiDiGraph()
    for n in [x for e in edges for x in e] + list(isolated):
        if n not in G:
            G.add_node(n, label=(labels or {}).get(n, n), aliases=(aliases or {}).get(n, ""), type="Person",
                       mentions=1)
    for i, (u, v) in enumerate(edges):
        G.add_edge(u, v, key=f"e{i}", label="meets", polarity="positive")
    for speaker, q in quotes:
        G.add_node(q, label="Some words", type=kv.QUOTATION_TYPE, aliases="", mentions=1)
        G.add_edge(speaker, q, key=f"said/{q}", label="said")
    return G


CHAIN = dict(edges=[("a", "b"), ("b", "c"), ("c", "d"), ("e", "a")], isolated=("z",),
             labels={"a": "Ann Lee", "b": "Bob", "c": "Cy", "d": "Di", "e": "Eve", "z": "Zed"},
             aliases={"a": "Lee|Annie", "c": "Ann Lee"}, quotes=[("a", "q1")])


@pytest.mark.parametrize("name, depth, centres, nodes", [
    ("Bob", 1, ["b"], {"a", "b", "c"}),  # both directions: a -> b and b -> c
    ("bob", 2, ["b"], {"a", "b", "c", "d", "e", "q1"}),  # any case; two steps
    ("  ANNIE ", 1, ["a"], {"a", "b", "e", "q1"}),  # an alias, any spacing; its quotation is a neighbour
    ("Ann Lee", 1, ["a", "c"], {"a", "b", "c", "d", "e", "q1"}),  # a label and another's alias: both
    ("Zed", 3, ["z"], {"z"}),  # no neighbours
    ("Di", 1, ["d"], {"c", "d"}),
])
def test_focus_nodes(name, depth, centres, nodes):
    G = _graph(**CHAIN)
    got_centres, got = kv.focus_nodes(G, name, depth)
    assert sorted(got_centres) == centres and set(got) == nodes


@pytest.mark.parametrize("name, hint", [
    ("Bobb", "did you mean Bob?"),  # a spelling
    ("Lee", None),  # an alias is a name: no error
    ("Some words", "kg entities"),  # a quotation is no entity; nothing near
    ("Eva", "did you mean Eve?"),
])
def test_focus_unknown_suggests(name, hint):
    G = _graph(**CHAIN)
    if hint is None:
        assert kv.focus_nodes(G, name)[0] == ["a"]
        return
    with pytest.raises(kv.VizError) as e:
        kv.focus_nodes(G, name)
    assert f"no entity is named {name!r}" in str(e.value) and hint in str(e.value)


def _star(hub, n):
    return [(hub, f"{hub}{i}") for i in range(n)]


@pytest.mark.parametrize("edges, max_nodes, seeds, expected", [
    # everything fits: everything, the isolated node too
    ([("a", "b")], 10, None, {"a", "b", "z"}),
    # a star of 6, a triangle, five single facts, budget 10: the star and the triangle, no single fact
    (_star("s", 5) + [("t1", "t2"), ("t2", "t3"), ("t3", "t1")] + [(f"p{i}", f"r{i}") for i in range(5)], 10, None,
     {"s", "s0", "s1", "s2", "s3", "s4", "t1", "t2", "t3"}),
    # the main component is larger than the budget: grown from its hub, its best-connected neighbours first
    (_star("h", 3) + [("h0", "k"), ("h0", "m"), ("k", "m"), ("h1", "w")] + _star("x", 4), 4, None,
     {"h", "h0", "h1", "k"}),
    # a focus: grown from the seed, not from the larger hub
    (_star("h", 6) + [("h", "y"), ("y", "y1"), ("y", "y2"), ("y1", "y2")], 3, ["y"], {"y", "h", "y1"}),
    # 0: no limit
    (_star("s", 5) + [("p", "r")], 0, None, {"s", "s0", "s1", "s2", "s3", "s4", "p", "r", "z"}),
])
def test_select_nodes(edges, max_nodes, seeds, expected):
    import networkx as nx

    G = _graph(edges, isolated=("z",))
    got = kv.select_nodes(G, max_nodes, seeds)
    assert set(got) == expected and len(got) == len(set(got))
    if max_nodes and len(expected) < G.number_of_nodes():  # trimmed: each part drawn is connected
        parts = list(nx.connected_components(G.subgraph(got).to_undirected()))
        assert all(len(p) >= kv.MIN_COMPONENT for p in parts)


def test_focus_cli_unknown_entity_exits_2_with_a_suggestion(viz_files, tmp_path):
    out = tmp_path / "f.png"
    r = cli("viz", "--store", str(viz_files["store"]), "-o", str(out), "--focus", "Jon Kirbi")
    assert r.exit_code == 2
    assert "no entity is named 'Jon Kirbi'; did you mean John Kirby?" in r.output
    assert not out.exists()


def test_focus_page_and_image(viz_files, tmp_path):
    out = tmp_path / "f.html"
    r = cli("viz", "--store", str(viz_files["store"]), "-o", str(out), "--focus", "us")  # an alias, any case
    assert r.exit_code == 0 and "round United States" in r.output, r.output
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["focus"] == [US] and {n["id"] for n in data["nodes"]} == {US, CF}
    assert "round United States" in data["title"] and "round United States" in data["summary"]
    r = cli("viz", "--store", str(viz_files["store"]), "-o", str(tmp_path / "f.svg"), "--focus", "KIRBY", "--depth", "2")
    assert r.exit_code == 0, r.output
    root = ET.parse(tmp_path / "f.svg").getroot()
    texts = {"".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert "John Kirby" in texts and "We do not support a truce," not in texts  # no quotation in the image
    assert "ceasefire" not in texts  # attributing a statement is no edge of the graph


def test_quotations_hidden_in_the_page_left_out_of_the_image(viz_files, tmp_path):
    data = page_data(viz_files["html"].read_text(encoding="utf-8"))
    assert data["hidden"] == ["Quotation"]  # in the page's data, hidden until the legend shows them
    assert any(n["type"] == "Quotation" for n in data["nodes"]) and "quotations are hidden" in data["summary"]
    r = cli("viz", "--store", str(viz_files["store"]), "-o", str(tmp_path / "q.html"), "--quotes")
    assert r.exit_code == 0 and page_data((tmp_path / "q.html").read_text(encoding="utf-8"))["hidden"] == []
    with KGStore.open(viz_files["store"], read_only=True) as s:
        plain = kv.viz(s, io.BytesIO(), fmt="png")
        quotes = kv.viz(s, io.BytesIO(), fmt="png", quotes=True)
    assert (plain["nodes"], quotes["nodes"]) == (9, 10)
