"""Shared fixtures (real on-disk Oxigraph stores in tmp dirs, real spaCy model) and the test lanes.

Markers: ``model`` (loads the spaCy model), ``subprocess`` (starts processes: kg in a
subprocess, kg serve's workers, a browser, node, worker pools) and ``slow`` (more than a few
seconds). ``pytest --fast`` (``make test-fast``) runs the tests that have none of them; there,
a test that starts a process or imports spaCy fails and names the marker it lacks. The plain
``pytest`` (``make test``, CI) runs everything. Whole modules and single tests are marked in
:data:`MODEL` and :data:`SUBPROCESS` below, or with ``pytest.mark.*`` in the test file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from kg import write
from kg.model import Article, ArticleGraph, Entity, OpenRelation, Provenance, Quotation, Relation
from kg.store import KGStore

LANE_MARKERS = ("model", "subprocess", "slow")
#: tests/test_hostile_inputs.py's tests that run `kg build` in a subprocess.
_HOSTILE_BUILDS = tuple(f"test_hostile_inputs::{t}" for t in (
    "test_hostile_folder_builds_the_rest", "test_each_hostile_input_gives_one_line",
    "test_hostile_values_are_read_as_a_user_expects", "test_symbolic_links_out_of_the_folder_are_not_followed",
    "test_etc_passwd_behind_a_link_never_reaches_the_store", "test_commands_that_write_a_read_only_store_say_so",
    "test_file_names_with_escape_sequences_are_printed_escaped", "test_long_one_line_article_is_skipped_with_a_reason",
    "test_long_one_line_article_without_spaces_is_cut_anywhere_when_allowed"))
#: Test modules (``test_x``) and tests (``test_x::test_y``) that load the spaCy model.
MODEL: frozenset[str] = frozenset({
    "test_batching", "test_build", "test_crash", "test_curation", "test_distributed", "test_extract", "test_fastpipe",
    "test_openie", "test_precision", "test_property", "test_roles", "test_summary",
    *(f"test_openrel::{t}" for t in (
        "test_open_relation_is_read", "test_negation_and_modality_are_kept", "test_quotation_is_attributed_to_its_speaker",
        "test_no_open_relation", "test_vocabulary_fact_is_never_repeated_as_open",
        "test_name_with_an_open_parenthesis_is_no_argument")),
    *(f"test_entities::{t}" for t in (
        "test_entity_types_from_evidence", "test_variants_of_a_name_are_one_entity",
        "test_different_entities_stay_apart")),
    *_HOSTILE_BUILDS,
    "test_web::test_build_from_a_feed",
    *(f"test_robustness::{t}" for t in (
        "test_bad_file_is_reported_and_the_rest_is_built", "test_everything_fine_exits_0_and_says_so",
        "test_other_languages_are_built_with_any_language", "test_latin1_and_broken_utf8_are_decoded_with_a_warning",
        "test_jsonl_bad_lines_name_file_and_line", "test_duplicate_content_is_one_article_and_names_both_sources",
        "test_directory_with_symlink_loops", "test_unreadable_and_special_files",
        "test_two_folders_with_the_same_file_names_keep_every_article",
        "test_a_store_built_when_ids_were_file_names_keeps_its_ids",
        "test_strict_stops_at_the_first_problem_and_writes_nothing",
        "test_long_article_is_parsed_in_pieces_with_exact_offsets", "test_xxe_in_html_is_never_resolved")),
})
#: ... and those that start processes (kg in a subprocess, a server with its workers, a browser, node).
SUBPROCESS: frozenset[str] = frozenset({
    "test_batching", "test_crash", "test_distributed", "test_read_imports", "test_serve", "test_serve_hardening",
    "test_graph::test_layout_does_not_depend_on_the_hash_seed",
    "test_build::test_second_writer_gets_a_clear_error", "test_build::test_a_forked_child_does_not_keep_the_writer_lock",
    "test_export::test_graphology_reads_graphml_and_gexf", "test_export::test_graphology_reads_the_projections",
    "test_export::test_export_does_not_import_spacy",
    "test_ingest::test_import_is_light",
    *_HOSTILE_BUILDS,
    *(f"test_push::{t}" for t in (
        "test_push_per_graph_then_incremental", "test_push_into_one_graph", "test_state_is_per_endpoint",
        "test_push_refused_while_a_write_is_pending")),
    *(f"test_query::{t}" for t in (
        "test_timeout_kills_slow_query", "test_query_in_child_process_gives_same_result",
        "test_cli_query_named_file_and_stdin", "test_cli_query_errors", "test_query_commands_do_not_import_spacy")),
    "test_robustness::test_escaped_prefixed_name_does_not_hide_service",
    "test_robustness::test_query_parameter_with_sparql_syntax_stays_a_literal",
    *(f"test_sparql_guard::{t}" for t in (
        "test_kg_query_refuses_every_bypass_with_no_connection",
        "test_service_in_strings_iris_variables_comments_is_allowed_and_runs",
        "test_values_block_of_thousands_of_iris_passes_and_runs", "test_crashing_sizes_never_reach_pyoxigraph",
        "test_serve_refuses_bypasses_and_crashers_with_400", "test_modules_in_the_working_directory_are_never_imported")),
    *(f"test_viz::{t}" for t in (
        "test_viz_does_not_import_spacy", "test_page_loads_and_draws", "test_click_on_a_node_shows_relations_and_evidence",
        "test_click_on_an_edge_shows_its_evidence", "test_search_legend_and_zoom", "test_open_edge_in_the_browser")),
})


def pytest_addoption(parser):
    parser.addoption("--fast", action="store_true",
                     help="the fast lane: only the tests that load no spaCy model, start no process and are not "
                          "slow (make test-fast)")


def pytest_configure(config):
    config.addinivalue_line("markers", "model: loads the spaCy model")
    config.addinivalue_line("markers", "subprocess: starts processes (kg in a subprocess, servers' workers, a browser)")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    if config.getoption("--fast"):
        sys.addaudithook(_audit)


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rpartition(".")[2]
        for marker, where in (("model", MODEL), ("subprocess", SUBPROCESS)):
            if module in where or f"{module}::{item.originalname}" in where:
                item.add_marker(marker)
    if config.getoption("--fast"):
        fast = [i for i in items if not any(i.get_closest_marker(m) for m in LANE_MARKERS)]
        config.hook.pytest_deselected(items=[i for i in items if i not in fast])
        items[:] = fast


_SPAWNS = frozenset({"subprocess.Popen", "os.posix_spawn", "os.fork", "os.forkpty", "os.exec", "os.spawn"})
_spawned: list[str] = []


def _audit(event: str, args) -> None:
    if event in _SPAWNS:
        _spawned.append(event)


@pytest.fixture(autouse=True)
def _fast_lane(request):
    """In the fast lane, a test that starts a process or imports spaCy fails (it lacks a marker)."""
    if not request.config.getoption("--fast"):
        yield
        return
    spawned, had_spacy = len(_spawned), "spacy" in sys.modules
    yield
    if len(_spawned) > spawned:
        pytest.fail(f"started a process ({_spawned[spawned]}): mark it `subprocess` (tests/conftest.py)")
    if "spacy" in sys.modules and not had_spacy:
        pytest.fail("imported spaCy: mark it `model` (tests/conftest.py)")


def _ev(doc: str, text: str, sentence: str, trigger: str = "") -> Provenance:
    start = text.index(sentence)
    return Provenance(doc, sentence, start, start + len(sentence), trigger)


def _entity(key: str, type_: str, label: str, aliases=(), qid=None, mentions: int = 1) -> Entity:
    """A handmade entity whose identity mints ``…/id/<type>/<label>`` (the way a gazetteer entry's
    mints ``…/id/country/usa``), so the tests can name its node."""
    return Entity(key, type_, label, tuple(aliases), qid, mentions, id=f"{type_.lower()}:{label}")


def handmade_graphs() -> list[ArticleGraph]:
    """Two small articles built by hand (no NLP): shared facts, a negation, a quotation."""
    t1 = (
        "The United States opposes a ceasefire in Ukraine. "
        "\"We do not support a truce,\" said John Kirby. "
        "Xi Jinping will visit Moscow."
    )
    t2 = "The US opposes a ceasefire. Kirby said China has not supplied weapons to Russia."
    us = _entity("Country:United States", "Country", "United States", ("US",), "Q30", 2)
    ukr = _entity("Country:Ukraine", "Country", "Ukraine", (), "Q212", 1)
    cf = _entity("Concept:ceasefire", "Concept", "ceasefire", ("truce",), None, 2)
    kirby = _entity("Person:John Kirby", "Person", "John Kirby", ("Kirby",), None, 1)
    xi = _entity("Person:Xi Jinping", "Person", "Xi Jinping", (), None, 1)
    mos = _entity("City:Moscow", "City", "Moscow", (), "Q649", 1)
    cn = _entity("Country:China", "Country", "China", (), "Q148", 1)
    ru = _entity("Country:Russia", "Country", "Russia", (), "Q159", 1)
    wp = _entity("Concept:weapons", "Concept", "weapons", (), None, 1)
    s1 = "The United States opposes a ceasefire in Ukraine."
    q1 = "\"We do not support a truce,\" said John Kirby."
    s3 = "Xi Jinping will visit Moscow."
    a1 = Article("doc1", t1, title="First report", date="2023-03-17", source="Wire A")
    g1 = ArticleGraph(
        a1,
        (us, ukr, cf, kirby, xi, mos),
        (
            Relation(us.key, "opposes", cf.key, _ev("doc1", t1, s1, "opposes"), confidence=0.8, rule="svo"),
            Relation(us.key, "supports", cf.key, _ev("doc1", t1, q1, "do not support"), polarity="negative",
                     attributed_to=kirby.key, confidence=0.7, rule="svo"),
            Relation(xi.key, "visits", mos.key, _ev("doc1", t1, s3, "will visit"), modality="planned",
                     confidence=0.7, rule="svo"),
        ),
        (Quotation("We do not support a truce,", kirby.key, _ev("doc1", t1, q1, "said"), "said"),),
    )
    s4 = "The US opposes a ceasefire."
    s5 = "Kirby said China has not supplied weapons to Russia."
    a2 = Article("doc2", t2, title="Second report", date="2023-03-18", source="Wire B")
    us2 = _entity(us.key, "Country", "United States", ("US",), "Q30", 1)
    kirby2 = _entity(kirby.key, "Person", "John Kirby", ("Kirby",), None, 1)
    cf2 = _entity(cf.key, "Concept", "ceasefire", (), None, 1)
    g2 = ArticleGraph(
        a2,
        (us2, cf2, kirby2, cn, ru, wp),
        (
            Relation(us.key, "opposes", cf.key, _ev("doc2", t2, s4, "opposes"), confidence=0.8, rule="svo"),
            Relation(cn.key, "provides", wp.key, _ev("doc2", t2, s5, "has not supplied"), polarity="negative",
                     attributed_to=kirby.key, confidence=0.6, rule="svo"),
        ),
        (),
    )
    return [g1, g2]


@pytest.fixture()
def store_path(tmp_path):
    return tmp_path / "store"


@pytest.fixture()
def handmade_store(tmp_path):
    """A real on-disk store holding the two handmade articles; closed after the test."""
    path = tmp_path / "handmade-store"
    with KGStore.open(path) as s:
        write.load_ontology(s)
        write.write_all(s, handmade_graphs())
    return path


def role_graph() -> ArticleGraph:
    """A third article with a role fact: John Kirby is spokesperson of the United States."""
    t = "John Kirby, the spokesperson of the United States, spoke on Monday."
    kirby = _entity("Person:John Kirby", "Person", "John Kirby", ("Kirby",), None, 1)
    us = _entity("Country:United States", "Country", "United States", ("US",), "Q30", 1)
    ev = Provenance("doc3", t, 0, len(t), "spokesperson of")
    rel = Relation(kirby.key, "spokespersonOf", us.key, ev, confidence=0.9, rule="appos")
    return ArticleGraph(Article("doc3", t, title="Third report"), (kirby, us), (rel,), ())


def open_graph() -> ArticleGraph:
    """A fourth article with a vocabulary fact and two open statements (verb phrases no predicate
    covers): Spain beat Italy; Acme did not hold talks with Initech (negative, planned)."""
    t = "Spain beat Italy in Rome. Acme will not hold talks with Initech. Spain opposes the plan."
    es = Entity("Country:Spain", "Country", "Spain", (), "Q29", 2)
    it = Entity("Country:Italy", "Country", "Italy", (), "Q38", 1)
    acme = Entity("Organization:Acme", "Organization", "Acme", (), None, 1)
    ini = Entity("Organization:Initech", "Organization", "Initech", (), None, 1)
    plan = Entity("Concept:plan", "Concept", "plan", (), None, 1)
    opens = (
        OpenRelation(es.key, "beat", it.key, _ev("doc4", t, "Spain beat Italy in Rome.", "beat"), confidence=0.6,
                     rule="open-svo"),
        OpenRelation(acme.key, "hold talks with", ini.key,
                     _ev("doc4", t, "Acme will not hold talks with Initech.", "will not hold talks with"),
                     polarity="negative", modality="planned", confidence=0.5, rule="open-light"),
    )
    rel = Relation(es.key, "opposes", plan.key, _ev("doc4", t, "Spain opposes the plan.", "opposes"), confidence=0.8,
                   rule="svo")
    return ArticleGraph(Article("doc4", t, title="Fourth report", date="2023-03-19"), (es, it, acme, ini, plan),
                        (rel,), (), open_relations=opens)


@pytest.fixture()
def open_store(tmp_path):
    """A real on-disk store holding the handmade articles and :func:`open_graph`."""
    path = tmp_path / "open-store"
    with KGStore.open(path) as s:
        write.load_ontology(s)
        write.write_all(s, [*handmade_graphs(), open_graph()])
    return path


@pytest.fixture()
def kgs(handmade_store):
    """The handmade store, open read-only."""
    with KGStore.open(handmade_store, read_only=True) as s:
        yield s


# ---------------------------------------------------------------- the handmade store as graphs
US, CF, KIRBY = "country/united-states", "concept/ceasefire", "person/john-kirby"  # node ids
PALETTE = yaml.safe_load((Path(__file__).parent.parent / "data" / "palette.yaml").read_text())
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _rdflib_term(t):
    import pyoxigraph as ox
    import rdflib

    if isinstance(t, ox.NamedNode):
        return rdflib.URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return rdflib.BNode(t.value)
    if t.language:
        return rdflib.Literal(t.value, lang=t.language)
    if t.datatype.value == XSD_STRING:
        return rdflib.Literal(t.value)
    return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))


def union_graph(store):
    """The store's union of graphs as an rdflib Graph, read quad by quad (independently of the
    exporters and projections)."""
    import rdflib

    g = rdflib.Graph()
    for q in store.ox.quads_for_pattern(None, None, None, None):
        g.add((_rdflib_term(q.subject), _rdflib_term(q.predicate), _rdflib_term(q.object)))
    return g


def flat_attrs(d: dict) -> None:
    """Assert a node's or edge's attributes are flat str/int/float values, never None."""
    for k, v in d.items():
        assert v is not None, k
        assert isinstance(v, (str, int, float)) and not isinstance(v, bool), (k, v)


def rgb(hex_: str) -> tuple[int, int, int]:
    return tuple(int(hex_.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))


@pytest.fixture(scope="session")
def run():
    """Text -> the resolved ArticleGraph of one made-up article: the real spaCy model, extractor and
    resolver (the extraction rules' tests: test_extract, test_precision, test_patterns, test_openrel)."""
    from kg.extract import Extractor
    from kg.model import Article
    from kg.nlp import load
    from kg.resolve import Resolver

    nlp = load()
    ex = Extractor()

    def _run(text: str):
        return Resolver().resolve(ex.extract(nlp(text), Article("t", text)))

    return _run


def statements(ag) -> set[tuple]:
    """The vocabulary facts of an ArticleGraph as (subject, predicate, object, polarity, modality) labels."""
    label = {e.key: e.label for e in ag.entities}
    return {(label[r.subject], r.predicate, label[r.object], r.polarity, r.modality) for r in ag.relations}
