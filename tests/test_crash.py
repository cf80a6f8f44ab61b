"""Crashes and interruptions (issue 8): `kg build` killed with SIGKILL at random moments,
stopped with Ctrl-C (SIGINT) and SIGTERM, and `kg export` killed mid-write - real processes,
real stores.

After any of these the store opens, passes validation, and holds only whole articles; running
the same build again completes it and gives exactly the quads of an uninterrupted build.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import validate as kv
from kg.cli import main
from kg.model import Article
from kg.nlp import DEFAULT_MODEL
from kg.build import build
from kg.rdf import ARTICLE_GRAPH_PREFIX, KG, SDO, SUMMARY_GRAPH
from kg.store import KGStore
from kg.summary import SUMMARY_UPDATE

KG_BIN = [sys.executable, "-m", "kg.cli"]
SEED = int(os.environ.get("KG_CRASH_SEED", "8"))

PEOPLE = [("Petteri Orpo", "Finland"), ("Ulf Kristersson", "Sweden"), ("Jonas Gahr Store", "Norway"),
          ("Gabriel Boric", "Chile"), ("Dina Boluarte", "Peru"), ("Luis Arce", "Bolivia"),
          ("William Ruto", "Kenya"), ("Nana Akufo-Addo", "Ghana"), ("Mette Frederiksen", "Denmark"),
          ("Leo Varadkar", "Ireland")]


def make_articles(folder: Path, n: int = 20) -> Path:
    """n small self-contained articles (every person named in full where first mentioned)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        person, country = PEOPLE[i % len(PEOPLE)]
        other_person, other = PEOPLE[(i * 7 + 3) % len(PEOPLE)]
        surname = person.split()[-1]
        text = (
            f"{country} condemned the missile strike on {other} on day {i}, the foreign ministry said.\n\n"
            f'"We do not support any pause in aid," {country} Prime Minister {person} said on Tuesday.\n\n'
            f"{surname} will visit {other} next week to meet {other_person}.\n\n"
            f"{other} called for new sanctions against {country} in report {i}."
        )
        (folder / f"art{i:02d}.txt").write_text(text, encoding="utf-8")
    return folder


def quads(path) -> set[str]:
    with KGStore.open(path, read_only=True) as s:
        return {str(q) for q in s.ox}


def build_in_process(store, folder, **kw):
    with KGStore.open(store) as s:
        return build(s, [str(folder)], model=DEFAULT_MODEL, progress=False, **kw)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The articles and the store of one uninterrupted build (its quads)."""
    root = tmp_path_factory.mktemp("crash")
    folder = make_articles(root / "articles")
    r = build_in_process(root / "reference", folder)
    assert len(r.built) == 20 and not r.skipped
    return folder, quads(root / "reference")


def graph_quads(all_quads: set[str], graph: str) -> set[str]:
    return {q for q in all_quads if q.endswith(f" <{graph}>")}


def check_consistent(store: Path, reference: set[str]) -> int:
    """The checks every interrupted store must pass; returns the number of articles in it."""
    if not (store / "KG_STORE").exists():
        return 0  # killed before the store was created
    got = quads(store)
    with KGStore.open(store, read_only=True) as s:
        graphs = [g.value for g in s.ox.named_graphs() if g.value.startswith(ARTICLE_GRAPH_PREFIX)]
        # whole articles: every article graph has its marker and text, the hash matches the
        # text, and the graph is exactly the one of the uninterrupted build
        for g in graphs:
            rows = list(s.ox.query(f"""SELECT ?h ?t ?doc WHERE {{ GRAPH <{g}> {{
                ?a <{KG.sha256}> ?h ; <{SDO.text}> ?t ; <{KG.docId}> ?doc }} }}"""))
            assert len(rows) == 1, g
            h, text, doc = (rows[0][v].value for v in ("h", "t", "doc"))
            assert Article(id=doc, text=text).sha256 == h
            assert graph_quads(got, g) == graph_quads(reference, g), f"article graph {g} differs"
        # the summary graph is the one SUMMARY_UPDATE computes from the articles present
        mem = ox.Store()
        mem.extend(q for q in s.ox if q.graph_name != ox.NamedNode(str(SUMMARY_GRAPH)))
        mem.update(SUMMARY_UPDATE)
        fresh = {str(q) for q in mem.quads_for_pattern(None, None, None, ox.NamedNode(str(SUMMARY_GRAPH)))}
        assert graph_quads(got, str(SUMMARY_GRAPH)) == fresh, "summary graph is stale"
        res = kv.check(s)
        assert res.conforms, kv.format_report(res, 5)
    return len(graphs)


def start_build(folder: Path, store: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*KG_BIN, "-v", "build", str(folder), "--store", str(store), "--no-progress", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_line(proc: subprocess.Popen, needle: str, count: int = 1, timeout: float = 120) -> list[str]:
    """Read the child's stderr until ``needle`` has appeared ``count`` times; the lines read."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    seen = 0
    while seen < count:
        left = deadline - time.monotonic()
        assert left > 0, f"no {needle!r} within {timeout} s: {lines}"
        ready, _, _ = select.select([proc.stderr], [], [], left)
        if not ready:
            continue
        line = proc.stderr.readline()
        if not line:  # the build ended first
            break
        lines.append(line)
        seen += needle in line
    return lines


# ---------------------------------------------------------------- SIGKILL
def test_sigkill_at_random_moments_then_rerun(tmp_path, corpus):
    folder, reference = corpus
    rng = random.Random(SEED)
    outcomes = []
    # two kills while articles are being written (after the k-th transaction of 3 articles,
    # plus a random few ms), one at a random time from the start (model loading, parsing, ...)
    plans = [("after-write", rng.randint(1, 6)) for _ in range(2)] + [("timer", rng.uniform(0.2, 4.0))]
    for i, (kind, value) in enumerate(plans):
        store = tmp_path / f"s{i}"
        proc = start_build(folder, store, "--commit-every", "3")
        try:
            if kind == "after-write":
                wait_for_line(proc, "wrote ", count=value)
                time.sleep(rng.uniform(0, 0.03))
            else:
                time.sleep(value)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            proc.stderr.close()
        n = check_consistent(store, reference)
        outcomes.append((kind, round(value, 2), n))
        r = build_in_process(store, folder)  # the same build again completes it
        assert not r.skipped and len(r.built) + len(r.unchanged) == 20
        assert quads(store) == reference, f"re-run after kill {kind}={value} differs from an uninterrupted build"
    # at least the write-phase kills left a partial store
    assert any(0 < n < 20 for kind, _, n in outcomes if kind == "after-write"), outcomes
    print("kill outcomes (when, articles found whole):", outcomes)


def worker_processes(pid: int) -> list[int]:
    """The processes ``pid`` forked that run the same command line (the --workers processes)."""
    def cmdline(p) -> bytes:
        try:
            return Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:
            return b""

    kids = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids.update(int(k) for k in (task / "children").read_text().split())
        except OSError:
            pass
    return sorted(k for k in kids if cmdline(k) == cmdline(pid))


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_a_build_with_workers_frees_the_store_at_once(tmp_path, corpus):
    """``--workers 2`` forks processes, which share the writer's lock (a flock belongs to the
    open file): a build killed with SIGKILL must leave neither them nor the lock behind - the
    next build starts at once and completes the store."""
    folder, reference = corpus
    store = tmp_path / "s"
    proc = start_build(folder, store, "--workers", "2", "--commit-every", "3")
    try:
        wait_for_line(proc, "parsing 20 article(s)")
        deadline = time.monotonic() + 60
        while len(workers := worker_processes(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        proc.stderr.close()
    assert len(workers) == 2
    with KGStore.open(store):  # not "being written by pid N"
        pass
    deadline = time.monotonic() + 10
    while any(map(running, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(running, workers)), "the worker processes outlived the killed build"
    r = build_in_process(store, folder)
    assert not r.skipped and len(r.built) + len(r.unchanged) == 20
    assert quads(store) == reference


def test_kg_validate_command_after_a_kill(tmp_path, corpus):
    folder, reference = corpus
    store = tmp_path / "s"
    proc = start_build(folder, store, "--commit-every", "2")
    try:
        wait_for_line(proc, "wrote ", count=2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        proc.stderr.close()
    assert 4 <= check_consistent(store, reference) < 20
    r = CliRunner().invoke(main, ["validate", "--store", str(store)])
    assert r.exit_code == 0, r.output


# ---------------------------------------------------------------- Ctrl-C / SIGTERM
def test_ctrl_c_stops_cleanly_and_keeps_work(tmp_path, corpus):
    folder, reference = corpus
    store = tmp_path / "s"
    proc = start_build(folder, store, "--commit-every", "3")
    wait_for_line(proc, "parsing 20 article(s)")
    time.sleep(0.05)  # parsing 20 articles takes about a second here
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "SIGINT: stopping after writing the articles already parsed" in err
    assert "interrupted; articles written so far are kept, re-run to finish" in err
    assert "Traceback" not in err
    n = check_consistent(store, reference)
    built = int(next(line for line in err.splitlines() if " built, " in line).split("kg: ")[1].split()[0])
    assert n == built
    r = build_in_process(store, folder)
    assert len(r.built) == 20 - n and len(r.unchanged) == n
    assert quads(store) == reference


def test_second_signal_stops_at_once(tmp_path, corpus):
    folder, reference = corpus
    store = tmp_path / "s"
    proc = start_build(folder, store, "--commit-every", "1")
    wait_for_line(proc, "parsing 20 article(s)")
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (130, 143), err  # 143 when the build finished before the second signal
    assert "Traceback" not in err
    check_consistent(store, reference)
    build_in_process(store, folder)
    assert quads(store) == reference


# ---------------------------------------------------------------- exports
def test_killed_export_never_leaves_a_truncated_file(tmp_path, corpus):
    folder, reference = corpus
    store = tmp_path / "s"
    build_in_process(store, folder)
    out = tmp_path / "graph.nt"
    old = "<urn:old> <urn:old> <urn:old> .\n"
    subprocess.run([*KG_BIN, "export", "--store", str(store), "--format", "nt", "-o", str(out)], check=True,
                   capture_output=True, timeout=120)
    full = out.read_text(encoding="utf-8")
    assert len(full.splitlines()) > 500
    rng = random.Random(SEED)
    for delay in [rng.uniform(0.05, 1.5) for _ in range(3)]:
        out.write_text(old, encoding="utf-8")
        proc = subprocess.Popen([*KG_BIN, "export", "--store", str(store), "--format", "nt", "-o", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.kill()
        proc.wait(30)
        assert out.read_text(encoding="utf-8") in (old, full)  # the old file or the whole new one


# ---------------------------------------------------------------- the summary, kept in step
def summary_quads(store: KGStore) -> set[str]:
    return {str(q) for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(str(SUMMARY_GRAPH)))}


def test_each_write_updates_the_summary_like_a_full_refresh(tmp_path):
    """Every write (add, replace, remove) updates the summary in its own transaction, restricted to
    the nodes it touches (in VALUES blocks, here of 2 nodes); the result equals SUMMARY_UPDATE's."""
    import dataclasses

    from conftest import handmade_graphs
    from kg import summary, write

    g1, g2 = handmade_graphs()
    with KGStore.open(tmp_path / "s") as s:
        write.load_ontology(s)
        steps = [
            lambda: write.write_articles(s, [g1]),
            lambda: write.write_articles(s, [g2]),
            lambda: write.write_articles(s, [dataclasses.replace(g2, relations=g2.relations[:1], quotations=())]),
            lambda: write.remove_article(s, "doc1"),
            lambda: write.write_articles(s, [g1, g2]),
        ]
        for step in steps:
            step()
            incremental = summary_quads(s)
            summary.refresh(s)
            assert summary_quads(s) == incremental
        nodes = summary.summarised_nodes(q for q in s.ox)
        assert len(nodes) > 6
        s.ox.update(f"CLEAR GRAPH <{SUMMARY_GRAPH}>")
        s.update(summary.update_for(nodes, chunk=2))
        chunked = summary_quads(s)
        summary.refresh(s)
        assert summary_quads(s) == chunked


def test_huge_article_written_in_parts(tmp_path):
    """An article with more facts than part_units is written in parts (one transaction each):
    the same quads as one transaction; stopped after its first part (as a kill would), the store
    validates and the article, still carrying the placeholder hash, is written again next time."""
    from conftest import handmade_graphs
    from kg import write

    g1, g2 = handmade_graphs()
    whole, parts, stopped = tmp_path / "whole", tmp_path / "parts", tmp_path / "stopped"
    for path in (whole, parts, stopped):
        with KGStore.open(path) as s:
            write.load_ontology(s)
            write.write_articles(s, [g2])
    with KGStore.open(whole) as s:
        write.write_articles(s, [g1])
    with KGStore.open(parts) as s:
        assert [p for p in write.write_article_parts(s, g1, part_units=1)] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert quads(parts) == quads(whole)
    with KGStore.open(stopped) as s:
        steps = write.write_article_parts(s, g1, part_units=2)
        assert next(steps) == (1, 2)
        steps.close()  # the second transaction never happens
        assert s.article_hashes()["doc1"] == write.PLACEHOLDER_SHA256
        res = kv.check(s)
        assert res.conforms, kv.format_report(res, 5)
        fresh = ox.Store()
        fresh.extend(q for q in s.ox if q.graph_name != ox.NamedNode(str(SUMMARY_GRAPH)))
        fresh.update(SUMMARY_UPDATE)
        assert summary_quads(s) == {str(q) for q in fresh.quads_for_pattern(
            None, None, None, ox.NamedNode(str(SUMMARY_GRAPH)))}
        write.write_articles(s, [g1], part_units=2)  # what the next build does: hash differs
    assert quads(stopped) == quads(whole)


def test_second_signal_inside_a_callback_prints_no_traceback():
    """A second signal that lands where Python cannot raise (a weakref callback of the import
    machinery while spaCy loads, a destructor) must not print 'Exception ignored ... Traceback':
    seen with a destructor that raises KeyboardInterrupt, as kg's handler does, in a plain
    interpreter (pytest replaces the hook that prints it)."""
    script = """
import gc, signal, sys
from kg.cli.interrupts import Interrupts

class Raises:
    def __del__(self):
        raise KeyboardInterrupt

with Interrupts() as interrupts:
    interrupts.signum = signal.SIGTERM  # the first signal came
    Raises(); gc.collect()
print("---", file=sys.stderr, flush=True)
with Interrupts():  # no signal came: an error in a destructor is still reported
    Raises(); gc.collect()
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    first, _, second = r.stderr.partition("---")
    assert r.returncode == 0 and "---" in r.stderr, r.stderr
    assert "Traceback" not in first and "KeyboardInterrupt" not in first, first
    assert "KeyboardInterrupt" in second, second
