"""The summary graph kept up to date in Python when new articles are written (kg.summary):
after every write it must be exactly what SUMMARY_UPDATE computes from the article graphs -
through one transaction or through the bulk loader, with widely reported facts (kg:sources cut
after SOURCES_MAX ids), with the writer's cache and the other kinds of write in between, and
after a bulk write killed half-way (kg.write.recover)."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import write
from kg.rdf import SUMMARY_GRAPH, article_text
from kg.store import KGStore, pending_graphs, pending_markers
from kg.summary import SOURCES_MAX, SUMMARY_UPDATE, Plan, SummaryCache, SummaryDelta, confidence, sources_literal
from kg.write import Writer

ROOT = Path(__file__).resolve().parent.parent
S = ox.NamedNode(str(SUMMARY_GRAPH))


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    """The sample articles and a few more, parsed, extracted and resolved as a build does."""
    from kg.ingest import read_articles
    from kg.model import Article
    from kg.nlp import DEFAULT_MODEL
    from kg.build import local_extractions
    from kg.resolve import Resolver

    from test_crash import make_articles

    folder = make_articles(tmp_path_factory.mktemp("summary") / "articles", n=6)
    arts = [a for a in read_articles([str(ROOT / "data" / "articles"), str(folder)]) if isinstance(a, Article)]
    docs = [d for _, d in local_extractions(arts, model=DEFAULT_MODEL) if not isinstance(d, BaseException)]
    resolver = Resolver()
    return [resolver.resolve(d) for d in docs]


def copies(graphs, k: int):
    """Copy k of each article under the document id ``<id>-c<k>`` (its facts are then widely reported)."""
    def ev(p, new_id):
        return dataclasses.replace(p, article_id=new_id)

    out = []
    for ag in graphs:
        new = f"{ag.article.id}-c{k:02d}"
        out.append(dataclasses.replace(
            ag, article=dataclasses.replace(ag.article, id=new, path=None),
            relations=tuple(dataclasses.replace(r, evidence=ev(r.evidence, new)) for r in ag.relations),
            quotations=tuple(dataclasses.replace(q, evidence=ev(q.evidence, new)) for q in ag.quotations),
            open_relations=tuple(dataclasses.replace(o, evidence=ev(o.evidence, new)) for o in ag.open_relations)))
    return out


def summary(store: KGStore) -> set[str]:
    return {str(q) for q in store.ox.quads_for_pattern(None, None, None, S)}


def recomputed(store: KGStore) -> set[str]:
    """What SUMMARY_UPDATE makes of the store's article graphs (in a scratch store)."""
    mem = ox.Store()
    mem.extend(q for q in store.ox if q.graph_name != S)
    mem.update(SUMMARY_UPDATE)
    return {str(q) for q in mem.quads_for_pattern(None, None, None, S)}


@pytest.mark.parametrize("bulk", [False, True], ids=["transaction", "bulk"])
def test_new_articles_keep_the_summary_exact(tmp_path, parsed, monkeypatch, bulk):
    monkeypatch.setattr(write, "BULK_MIN_UNITS", 0 if bulk else 10**9)
    batches = [copies(parsed, k) for k in range(SOURCES_MAX + 3)]
    with KGStore.open(tmp_path / "s") as s, Writer(s) as w:
        for i, batch in enumerate(batches):
            w.write(batch)
            assert pending_graphs(s) == []
            assert summary(s) == recomputed(s), f"summary differs after batch {i}"
        assert len(w.cache) > 0  # the later batches were merged from the writer's cache
        # the most reported facts carry the first SOURCES_MAX document ids and "|…"
        rows = list(s.ox.query(f"""SELECT ?src ?w WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{
            ?st a <https://w3id.org/newskg/ontology#Statement> ; <https://w3id.org/newskg/ontology#weight> ?w ;
                <https://w3id.org/newskg/ontology#sources> ?src }} }} ORDER BY DESC(?w) LIMIT 1"""))
        src, w = rows[0]["src"].value, int(rows[0]["w"].value)
        assert w >= len(batches) and src.endswith("|…") and len(src.split("|")) == SOURCES_MAX + 1


def test_other_writes_in_between_forget_the_cache(tmp_path, parsed):
    """Replacing and removing articles recompute entries in SPARQL: the writer's cache must not
    survive them, or the next merge would start from stale figures."""
    with KGStore.open(tmp_path / "s") as s, Writer(s) as w:
        w.write(copies(parsed, 0))
        w.write(copies(parsed, 1))
        assert len(w.cache) > 0
        changed = copies(parsed, 1)[0]
        w.write([dataclasses.replace(changed, relations=changed.relations[:1])])  # a replacement
        w.write(copies(parsed, 2))
        w.remove(copies(parsed, 0)[1].article.id)
        w.write(copies(parsed, 3))
        assert summary(s) == recomputed(s)


def test_the_cache_is_forgotten_after_any_other_write(tmp_path, parsed):
    """Any write to the store that is not the cache's own (a replacement, a removal, an update
    through the store) empties it before the next merge."""
    for other in ("replace", "remove", "update"):
        with KGStore.open(tmp_path / other) as s, Writer(s) as w:
            w.write(copies(parsed, 0))
            assert len(w.cache) > 0
            if other == "replace":
                changed = copies(parsed, 0)[0]
                w.write([dataclasses.replace(changed, relations=changed.relations[:1])])
            elif other == "remove":
                w.remove(copies(parsed, 0)[1].article.id)
            else:
                s.update("INSERT DATA { <urn:x> <urn:y> <urn:z> }")
            w.cache.check(s)
            assert len(w.cache) == 0, other


def test_merge_rules():
    # confidence: max evidence confidence + 0.1 per extra article, at most 1, 3 decimals
    assert confidence(Decimal("0.7"), 1) == Decimal("0.700")
    assert confidence(Decimal("0.75"), 3) == Decimal("0.950")
    assert confidence(Decimal("0.9"), 4) == Decimal("1.000")
    ids = [f"d{i:02d}" for i in range(SOURCES_MAX + 2)]
    assert sources_literal(ids[:2], 2) == "d00|d01"
    assert sources_literal(reversed(ids), len(ids)) == "|".join(ids[:SOURCES_MAX]) + "|…"
    cache = SummaryCache(max_nodes=2)
    delta = SummaryDelta()
    assert delta.entries == {}
    for n in ("a", "b", "c"):
        cache.remember(write_plan(n))
    assert len(cache) == 2 and cache.get("a") is None and cache.get("c") is not None


def write_plan(node: str):
    return Plan([], [], [], set(), known={node: ({}, frozenset())})


def test_ids_with_a_bar_are_recomputed_in_sparql(tmp_path, parsed):
    """kg:sources joins ids with '|': an id containing one cannot be merged, its entries are
    left to SUMMARY_UPDATE (restricted) - and the summary stays exact."""
    odd = [dataclasses.replace(g, article=dataclasses.replace(g.article, id=f"x|{g.article.id}"))
           for g in copies(parsed, 5)]
    odd = [dataclasses.replace(g, relations=tuple(dataclasses.replace(
        r, evidence=dataclasses.replace(r.evidence, article_id=g.article.id)) for r in g.relations)) for g in odd]
    with KGStore.open(tmp_path / "s") as s:
        write.load_ontology(s)
        write.write_articles(s, copies(parsed, 0))
        delta = SummaryDelta()
        for g in odd:
            delta.add(article_text(g)[1])
        assert delta.plan(s.ox).recompute  # the facts reported by an "x|..." article
        write.write_articles(s, odd)
        assert summary(s) == recomputed(s)


# ---------------------------------------------------------------- a bulk write killed half-way
def test_recover_drops_a_half_written_bulk_write(tmp_path, parsed):
    """The state a kill leaves in the middle of a bulk write - markers, article quads and some
    summary triples bulk-loaded, figures not swapped - is undone by recover(), then the same
    write gives the store of an uninterrupted one."""
    first, second = copies(parsed, 0), copies(parsed, 1)
    ref, broken = tmp_path / "ref", tmp_path / "broken"
    for path in (ref, broken):
        with KGStore.open(path) as s:
            write.load_ontology(s)
            write.write_articles(s, first)
    with KGStore.open(ref) as s:
        write.write_articles(s, second)
        reference = {str(q) for q in s.ox}
    with KGStore.open(broken) as s:  # what _write_new does, up to a kill before its last transaction
        iris = [write.article_graph_iri(g.article.id) for g in second]
        s.apply(inserts=pending_markers(iris))
        delta = SummaryDelta()
        for g in second:
            text, triples = article_text(g)
            delta.add(triples)
            s.bulk_load(text)
        s.bulk_load(Plan.text(delta.plan(s.ox).adds[::2]))
    with KGStore.open(broken, read_only=True) as s:
        assert pending_graphs(s) == sorted(iris)
        from kg import validate

        assert any("pending" in n for n in validate.check(s).notes)
    with KGStore.open(broken) as s:
        assert write.recover(s) == sorted(iris)
        assert pending_graphs(s) == [] and summary(s) == recomputed(s)
        assert not any(s.ox.contains_named_graph(ox.NamedNode(g)) for g in iris)
        write.write_articles(s, second)
        assert {str(q) for q in s.ox} == reference


KILLED_WRITER = """
import pickle, sys
from kg import write
from kg.store import KGStore
write.BULK_MIN_UNITS = 0
batches = pickle.load(open(sys.argv[2], "rb"))
with KGStore.open(sys.argv[1]) as s, write.Writer(s) as w:
    for b in batches:
        w.write(b)
        print("wrote", flush=True)
"""


def test_sigkill_during_bulk_writes(tmp_path, parsed):
    """A real writer process killed at random moments of its bulk writes: after recover() the
    summary is exact and only whole batches remain."""
    import pickle
    import random

    batches = [copies(parsed, k) for k in range(6)]
    data = tmp_path / "batches.pkl"
    data.write_bytes(pickle.dumps(batches))
    rng = random.Random(int(os.environ.get("KG_CRASH_SEED", "8")))
    whole = {tuple(sorted(g.article.id for g in b)) for b in batches}
    outcomes = []
    for i in range(3):
        path = tmp_path / f"s{i}"
        proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path), str(data)],
                                stdout=subprocess.PIPE, text=True, cwd=ROOT)
        for _ in range(rng.randint(1, 3)):
            proc.stdout.readline()
        time.sleep(rng.uniform(0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        proc.stdout.close()
        with KGStore.open(path) as s:
            undone = write.recover(s)
            assert summary(s) == recomputed(s)
            docs = set(s.article_hashes())
            assert docs and all(set(ids) <= docs or not (set(ids) & docs) for ids in whole)
            outcomes.append((len(docs) // len(parsed), len(undone)))
    assert any(n < len(batches) for n, _ in outcomes), outcomes  # killed before the end
    print("kills (whole batches, pending graphs undone):", outcomes)


def test_one_bad_article_in_a_bulk_write_loses_nothing_else(tmp_path, parsed, monkeypatch):
    """An article the store refuses (here an entity with a malformed Wikidata id) makes the bulk
    load fail; the build then writes the group one article at a time: the others are written,
    the bad one is reported, no pending graph is left and the summary is exact."""
    from kg.ingest import Problem
    from kg.build import BuildReport
    from kg.build.driver import _commit

    monkeypatch.setattr(write, "BULK_MIN_UNITS", 0)
    good = copies(parsed, 0)
    victim = good[0]
    bad_entity = dataclasses.replace(victim.entities[0], qid="Q1 Q2")
    bad = dataclasses.replace(victim, entities=(bad_entity, *victim.entities[1:]))
    report = BuildReport()
    with KGStore.open(tmp_path / "s") as s, Writer(s) as w:
        _commit(w, [bad, *good[1:]], {}, report, lambda a, reason: Problem(a.id, reason))
        assert [p.source for p in report.skipped] == [bad.article.id]
        assert sorted(report.built) == sorted(g.article.id for g in good[1:])
        assert pending_graphs(s) == []
        assert set(s.article_hashes()) == {g.article.id for g in good[1:]}
        assert summary(s) == recomputed(s)
