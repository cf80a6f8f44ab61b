"""The graph does not depend on how the articles were batched (issue 19), on 331 real Wikinews
articles: built all at once, in two runs (the first 100, then the rest), in three runs of
interleaved thirds each given in reverse order, and killed with SIGKILL while writing (in a
bulk write, between two bulk writes, between transactions) then re-run to completion - every
store exports byte-identical sorted N-Quads (``kg export --format nq``). Removing the second
batch gives the export of the first batch alone, and recomputing the whole summary graph
changes nothing. Real CLI subprocesses, real stores.

The articles come from ``$KG_WIKINEWS``, else the ``shared/news/wikinews`` folder next to the
repository (or next to one of its parent folders): News articles from Wikinews
(https://en.wikinews.org), by Wikinews contributors, licensed CC BY 2.5; text extracted and
cleaned, see PROVENANCE.md. Each full build takes about 40 s here: the module takes a few
minutes. ``KG_CRASH_SEED`` picks the delays before the kills, as in ``test_crash.py``.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import summary
from kg.rdf import KG
from kg.store import KGStore, pending_graphs
from test_crash import wait_for_line

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
KG_BIN = [sys.executable, "-m", "kg.cli"]
SEED = int(os.environ.get("KG_CRASH_SEED", "8"))
FIRST = 100


def wikinews_folder() -> Path | None:
    if os.environ.get("KG_WIKINEWS"):
        return Path(os.environ["KG_WIKINEWS"])
    for parent in ROOT.parents:
        folder = parent / "shared" / "news" / "wikinews"
        if folder.is_dir():
            return folder
    return None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    """The Wikinews articles, copied into a folder of their own, in name order."""
    source = wikinews_folder()
    if source is None or not source.is_dir():
        pytest.skip("the Wikinews articles (shared/news/wikinews, or $KG_WIKINEWS) are not here")
    folder = tmp_path_factory.mktemp("wikinews")
    for path in sorted(source.glob("*.txt")):
        shutil.copyfile(path, folder / path.name)
    files = sorted(folder.glob("*.txt"))
    assert len(files) >= 300, f"only {len(files)} articles in {source}"
    return files


def kg(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    r = subprocess.run([*KG_BIN, *args], capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"kg {' '.join(args[:3])} ...: exit {r.returncode}\n{r.stderr[-3000:]}"
    return r


def build(store: Path, files: list[Path], *extra: str) -> str:
    """``kg build`` of ``files`` (named one by one, in this order); its summary line."""
    r = kg("build", "--store", str(store), "--no-progress", *extra, *map(str, files))
    return r.stderr.strip().splitlines()[-1]


def export(store: Path, tmp: Path) -> bytes:
    """The store's N-Quads export, its lines sorted (bytes)."""
    out = tmp / f"{store.name}.nq"
    kg("export", "--store", str(store), "--format", "nq", "--output", str(out))
    lines = out.read_bytes().splitlines(keepends=True)
    assert lines and all(not line.startswith(b"_:") for line in lines)  # no blank nodes to rename
    return b"".join(sorted(lines))


def differences(a: bytes, b: bytes, show: int = 12) -> str:
    only_a, only_b = set(a.splitlines()) - set(b.splitlines()), set(b.splitlines()) - set(a.splitlines())
    return (f"{len(only_a)} quads only in the reference, {len(only_b)} only in the other; e.g.\n"
            + "\n".join(f"- {q.decode()}" for q in sorted(only_a)[:show])
            + "\n" + "\n".join(f"+ {q.decode()}" for q in sorted(only_b)[:show]))


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> bytes:
    """(a) every article in one build."""
    tmp = tmp_path_factory.mktemp("all")
    assert f"{len(corpus)} built" in build(tmp / "all", corpus, "--workers", "2")
    return export(tmp / "all", tmp)


def test_two_runs_equal_one_and_removing_the_second_gives_the_first(corpus, reference, tmp_path):
    """(b) the first 100 articles, then the rest; then ``kg remove`` of the rest."""
    store = tmp_path / "two"
    build(store, corpus[:FIRST], "--workers", "2")
    first_alone = export(store, tmp_path)
    assert f"{len(corpus) - FIRST} built" in build(store, corpus[FIRST:], "--workers", "2")
    two = export(store, tmp_path)
    assert two == reference, differences(reference, two)
    kg("remove", "--store", str(store), *(p.stem for p in corpus[FIRST:]))
    removed = export(store, tmp_path)
    assert removed == first_alone, differences(first_alone, removed)


def test_three_runs_in_reverse_order_equal_one(corpus, reference, tmp_path):
    """(d) every third article in each run, each run naming its files in reverse order, parsed
    in one process in batches of another size; then the whole summary recomputed."""
    store = tmp_path / "three"
    for k in (2, 0, 1):
        build(store, corpus[k::3][::-1], "--batch-size", "7")
    three = export(store, tmp_path)
    assert three == reference, differences(reference, three)
    # the summary merged write by write in Python is the one SUMMARY_UPDATE computes at once
    (store / summary.SUMMARY_FORMAT_FILE).unlink()  # not marked current: the next build recomputes it
    assert f"{len(corpus)} unchanged" in build(store, corpus)
    assert (store / summary.SUMMARY_FORMAT_FILE).exists()
    recomputed = export(store, tmp_path)
    assert recomputed == reference, differences(reference, recomputed)


# (c) killed while writing: (--commit-every, log line to wait for, its count, the delay range in s)
KILLS = {
    # one bulk write of every article, killed while it loads: its graphs are left pending
    "in-the-bulk-write": ("1000", "bulk-loading", 1, (0.0, 0.2)),
    # groups of 150 (bulk writes while the rest parse), killed in the second
    "in-the-second-bulk-write": ("150", "bulk-loading", 2, (0.0, 0.2)),
    # groups of 25 (one transaction each), killed after the fourth
    "between-transactions": ("25", "wrote ", 4, (0.0, 0.05)),
}


@pytest.mark.parametrize("kill", KILLS)
def test_killed_while_writing_then_rerun_equals_one_run(corpus, reference, tmp_path, kill):
    commit_every, needle, count, (low, high) = KILLS[kill]
    delay = random.Random(f"{SEED}-{kill}").uniform(low, high)
    store = tmp_path / "killed"
    args = ["-v", "build", "--store", str(store), "--no-progress", "--workers", "2", "--commit-every", commit_every,
            *map(str, corpus)]
    proc = subprocess.Popen([*KG_BIN, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        lines = wait_for_line(proc, needle, count=count, timeout=600)
        assert sum(needle in line for line in lines) == count, f"the build ended first: {lines[-5:]}"
        time.sleep(delay)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        proc.stderr.close()
    with KGStore.open(store, read_only=True) as s:  # the kill came in the middle of the writes
        pending = pending_graphs(s)
        graphs = {r["g"].value for r in s.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?a <{KG.sha256}> ?h }} }}")}
        whole = len(graphs - set(pending))
    assert pending or 0 < whole < len(corpus), (kill, delay, whole, len(pending))
    summary = build(store, corpus, "--workers", "2")
    assert f"{len(corpus) - whole} built, 0 replaced, {whole} unchanged" in summary, summary
    rerun = export(store, tmp_path)
    assert rerun == reference, f"{kill} after {delay:.3f} s: " + differences(reference, rerun)
