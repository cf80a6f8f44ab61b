"""kg serve's read-only workers while a writer changes the store (bench/bench_serve.py --load found
these): a read-only open lists the store's table files, then opens them, and a writer's compaction
in between deletes one - RocksDB says "Corruption: ... No such file or directory", which
pyoxigraph raises as a RuntimeError. That must be a StoreError (tried again by the worker), never a
traceback that kills the worker (a "crash" the server then blames on the client's address)."""

from __future__ import annotations

import shutil

import pyoxigraph as ox

from kg.serve.worker import open_read, run_read, store_signature
from kg.store import KGStore, StoreError

ASK = {"text": "ASK { GRAPH <urn:kg-test:new> { ?s ?p ?o } }", "accept": "application/sparql-results+json",
       "format": None, "max_rows": 10}


def _stores_missing_a_table_file(src, tmp_path):
    """Copies of the store ``src``, each without one of its table files."""
    for sst in sorted((src / "oxigraph").glob("*.sst")):
        copy = tmp_path / f"without-{sst.stem}"
        shutil.copytree(src, copy)
        (copy / "oxigraph" / sst.name).unlink()
        yield copy


def test_open_of_a_store_whose_table_file_vanished_is_a_store_error(handmade_store, tmp_path):
    failed = 0
    for copy in _stores_missing_a_table_file(handmade_store, tmp_path):
        try:
            KGStore.open(copy, read_only=True).close()
        except StoreError as e:  # not RuntimeError
            assert "No such file or directory" in str(e)
            failed += 1
    assert failed, "no table file was read at open: the case is not exercised"


def test_read_job_on_a_store_that_cannot_be_opened_is_answered_503(handmade_store, tmp_path):
    for copy in _stores_missing_a_table_file(handmade_store, tmp_path):
        try:
            KGStore.open(copy, read_only=True).close()
            continue
        except StoreError:
            pass
        ans, kgs, _ = run_read(copy, None, (), ASK, tries=2)
        assert ans["status"] == 503 and b"could not be opened" in ans["body"] and kgs is None
        return
    raise AssertionError("no copy failed to open")


def test_read_job_sees_what_a_writer_committed_after_the_open(handmade_store):
    path = handmade_store
    signature = store_signature(path)
    kgs = open_read(path)
    with KGStore.open(path) as w:
        w.ox.add(ox.Quad(ox.NamedNode("urn:kg-test:s"), ox.NamedNode("urn:kg-test:p"), ox.Literal("o"),
                         ox.NamedNode("urn:kg-test:new")))
    ans, kgs2, signature2 = run_read(path, kgs, signature, ASK)
    assert ans["status"] == 200 and b"true" in ans["body"]
    assert signature2 != signature and kgs2 is not kgs
    kgs2.close()
