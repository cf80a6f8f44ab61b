"""`kg build --dask` and `--workers N`: parsing and extraction away from the writer give the store a one-process build gives."""

from __future__ import annotations

import pytest

distributed = pytest.importorskip("distributed")

from kg.build.cluster import ClusterError, dask_extractions  # noqa: E402
from kg.nlp import DEFAULT_MODEL  # noqa: E402
from kg.build import build  # noqa: E402
from kg.store import KGStore  # noqa: E402

pytestmark = pytest.mark.slow

ARTICLES = {
    "kirby": (
        "The United States opposes Chinese calls for a ceasefire in Ukraine, a White House spokesman said.\n\n"
        '"We do not support calls for a ceasefire at this time," National Security Council spokesman '
        "John Kirby said ahead of Chinese President Xi Jinping's trip to Moscow next week.\n\n"
        '"A ceasefire now is effectively the ratification of Russian conquest," Mr Kirby said.'
    ),
    # "Kirby" alone: not John Kirby, who is named only in another article (each article is
    # resolved on its own, wherever the two were parsed)
    "surname": "Kirby said Beijing has not supplied weapons to Russia. China denied sending arms.",
    "eu": "The European Commission criticised Hungary on Monday. The Commission said Budapest must act.",
    "biden": "President Joe Biden plans to talk by phone with Xi. Biden will visit Kyiv in May.",
    "empty": "Nothing much happened today.",
}


def _write_articles(directory):
    directory.mkdir()
    for name, text in ARTICLES.items():
        (directory / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    return directory


def _quads(path) -> set[str]:
    with KGStore.open(path, read_only=True) as s:
        return {str(q) for q in s.ox}


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as c:
        yield c


def test_dask_build_equals_local_build(tmp_path, cluster):
    articles = _write_articles(tmp_path / "articles")
    with KGStore.open(tmp_path / "local") as s:
        local = build(s, [str(articles)], model=DEFAULT_MODEL, progress=False)
    # partitions of 2 articles: the person named in full and the surname land on different workers
    with KGStore.open(tmp_path / "dask") as s:
        remote = build(s, [str(articles)], model=DEFAULT_MODEL, progress=False, batch_size=2,
                       extractions=dask_extractions(cluster.scheduler_address))
    assert sorted(remote.built) == sorted(local.built) == sorted(ARTICLES)
    assert not remote.skipped
    q_local, q_dask = _quads(tmp_path / "local"), _quads(tmp_path / "dask")
    assert len(q_local) > 100
    assert q_dask == q_local
    # the surname alone is its own entity (IRIs are minted from identities: …/id/entity/kirby)
    assert any("/id/entity/kirby>" in q and "article/surname>" in q for q in q_dask)
    assert not any("john-kirby" in q and "article/surname>" in q for q in q_dask)


def test_dask_rebuild_skips_unchanged_and_replaces_changed(tmp_path, cluster):
    articles = _write_articles(tmp_path / "articles")
    stage = dask_extractions(cluster.scheduler_address)  # one stage, two builds
    with KGStore.open(tmp_path / "dask") as s:
        build(s, [str(articles)], model=DEFAULT_MODEL, progress=False, extractions=stage)
        (articles / "eu.txt").write_text("Germany condemned the attack on Monday.\n", encoding="utf-8")
        report = build(s, [str(articles)], model=DEFAULT_MODEL, progress=False, extractions=stage)
    assert report.replaced == ["eu"] and len(report.unchanged) == len(ARTICLES) - 1


def test_cli_build_dask(tmp_path, cluster):
    from click.testing import CliRunner

    from kg.cli import main

    articles = _write_articles(tmp_path / "articles")
    r = CliRunner().invoke(main, ["build", str(articles), "--store", str(tmp_path / "s"), "--no-progress",
                                  "--dask", cluster.scheduler_address])
    assert r.exit_code == 0, r.output
    assert f"{len(ARTICLES)} built" in r.output


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    articles = _write_articles(tmp_path / "articles")
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler"):
        list(dask_extractions("tcp://127.0.0.1:9")([], model=DEFAULT_MODEL))
    r = CliRunner().invoke(main, ["build", str(articles), "--store", str(tmp_path / "s"), "--no-progress",
                                  "--dask", "tcp://127.0.0.1:9"])
    assert r.exit_code == 2 and "cannot reach the Dask scheduler" in r.output


def test_local_worker_processes_build_equals_one_process(tmp_path):
    """--workers 2 (forked processes that parse and extract) writes the quads of --workers 1."""
    articles = _write_articles(tmp_path / "articles")
    for name, workers in (("one", 1), ("two", 2)):
        with KGStore.open(tmp_path / name) as s:
            report = build(s, [str(articles)], model=DEFAULT_MODEL, progress=False, workers=workers, batch_size=2)
        assert sorted(report.built) == sorted(ARTICLES) and not report.skipped
    assert _quads(tmp_path / "two") == _quads(tmp_path / "one")
