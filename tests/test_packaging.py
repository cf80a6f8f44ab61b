"""kg as an installed package: the wheel carries data/ and queries/ (as kg/_data, kg/_queries),
and a kg installed from it into a fresh virtualenv, run outside the checkout, builds the sample
articles, lists its queries and validates the store.

The fresh virtualenv gets kg from the wheel only; its dependencies (spaCy, the model, rdflib,
...) come from this test's environment through a path file, so the test needs no network."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.subprocess, pytest.mark.model, pytest.mark.slow]


def run(cmd, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600, **kw)
    assert r.returncode == 0, f"{cmd}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("wheel")
    out = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, ROOT])
    (found,) = out.glob("kg-*.whl")
    return found


def test_the_wheel_ships_data_and_queries(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("kg/_data/ontology.ttl", "kg/_data/shapes.ttl", "kg/_data/lexicon.yaml",
                 "kg/_data/gazetteer/countries.jsonl", "kg/_data/gazetteer/LICENSES/countries-ODbL-1.0.txt",
                 "kg/_queries/corroborated_facts.rq", "kg/viz_assets/view.js", "kg/build/driver.py",
                 "kg/summary/sparql.py", "kg/cli/__main__.py"):
        assert path in names, path
    checkout = {f"kg/_data/{p.relative_to(ROOT / 'data').as_posix()}" for p in (ROOT / "data").rglob("*") if p.is_file()}
    assert checkout <= names, sorted(checkout - names)


def test_installed_kg_builds_queries_and_validates_outside_the_checkout(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    py = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", py, "install", "-q", "--no-deps", "--no-index", wheel])
    site = Path(run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "kg-test-dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("KG_DATA", "KG_QUERIES", "KG_STORE", "PYTHONPATH")}
    where = run([py, "-c", "import kg, kg.paths as p; print(kg.__file__); print(p.data_dir()); print(p.queries_dir())"],
                cwd=work, env=env).stdout.split()
    assert all(w.startswith(str(site)) for w in where), where  # kg and its files from the wheel, not the checkout
    kg = venv / "bin" / "kg"
    articles = work / "articles"
    articles.mkdir()
    for f in (ROOT / "data" / "articles").iterdir():
        (articles / f.name).write_bytes(f.read_bytes())
    r = run([kg, "build", articles, "--no-progress"], cwd=work, env=env)
    assert "2 built, 0 replaced, 0 unchanged, 0 skipped -> kg-store" in r.stderr
    listed = run([kg, "queries"], cwd=work, env=env).stdout
    assert "corroborated_facts" in listed and "quotes_by" in listed
    table = run([kg, "query", "--name", "corroborated_facts", "--format", "csv"], cwd=work, env=env).stdout
    assert "United States,opposes,ceasefire" in table
    assert "conforms: yes" in run([kg, "validate"], cwd=work, env=env).stdout
