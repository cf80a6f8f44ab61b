"""Curation as data (kg/curation.py): a curation file merges, splits, retypes and blocks in the
merged view; every build and `kg remove` apply it again, `kg curate` applies it at once. Real
CLI (click's runner), real store, the two seed articles of data/articles."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

ARTICLES = str(Path(__file__).resolve().parents[1] / "data" / "articles")
RULES = """\
merge:
  - into: White House
    from: [National Security Council]
retype:
  - {entity: Western coalition, type: Group}
block_fact:
  - {subject: China, predicate: supports, object: Russia}
block_entity: [positions]
split:
  - {entity: China, alias: PRC}
"""
LABELS = "SELECT ?l WHERE { ?e a ?t ; rdfs:label ?l . VALUES ?t { kg:Organization kg:Group kg:Concept } }"


def kg(*args, ok=(0,)):
    r = CliRunner().invoke(main, [*args], catch_exceptions=False)
    assert r.exit_code in ok, r.output
    return r


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("seed") / "store"
    kg("build", ARTICLES, "--store", str(store), "--no-progress")
    return store


@pytest.fixture()
def store(seed_store, tmp_path):
    path = tmp_path / "store"
    shutil.copytree(seed_store, path)
    return path


def entities(store) -> dict[str, dict]:
    out = kg("entities", "--store", str(store), "--limit", "200", "--format", "json").stdout
    return {e["label"]: e for e in json.loads(out)}


def fact_rows(store) -> list[tuple[str, str, str]]:
    """(subject, predicate, object) of each statement of the default graph (the merged view)."""
    q = "SELECT ?s ?p ?o WHERE { ?st rdf:subject/rdfs:label ?s ; rdf:predicate ?p ; rdf:object/rdfs:label ?o }"
    r = CliRunner().invoke(main, ["query", "-", "--store", str(store), "--format", "csv"], input=q)
    assert r.exit_code == 0, r.output
    return [(row["s"], row["p"].rsplit("#", 1)[-1], row["o"]) for row in csv.DictReader(r.stdout.splitlines())]


def facts(store) -> set[tuple[str, str, str]]:
    return set(fact_rows(store))


def assert_curated(store, mentions=4):
    found = entities(store)
    assert "National Security Council" not in found and "positions" not in found
    assert "National Security Council" in found["White House"]["aliases"]
    assert found["White House"]["mentions"] == mentions  # its 2 and the council's 2
    assert found["Western coalition"]["type"] == "Group"
    assert "PRC" not in found["China"]["aliases"] and "Chinese" in found["China"]["aliases"]
    rows = fact_rows(store)
    f = set(rows)
    assert ("China", "supports", "Russia") not in f
    # "spokesperson of the National Security Council" and "of the White House": one statement now
    assert rows.count(("John Kirby", "spokespersonOf", "White House")) == 1
    assert not any("National Security Council" in (s, o) for s, _, o in f)


def assert_as_extracted(store):
    found = entities(store)
    assert {"National Security Council", "positions"} <= set(found)
    assert found["Western coalition"]["type"] == "Organization"
    assert ("China", "supports", "Russia") in facts(store)


def test_a_curation_file_in_the_store_lasts_through_rebuilds_and_removals(store, tmp_path):
    assert_as_extracted(store)
    (store / "curation.yaml").write_text(RULES)
    kg("build", ARTICLES, "--store", str(store), "--no-progress")  # nothing to parse: the curation is applied
    assert_curated(store)
    kg("build", ARTICLES, "--store", str(store), "--no-progress", "--force")
    assert_curated(store)
    kg("remove", "--store", str(store), docs(store)[0])
    assert_curated(store, mentions=2)
    kg("build", ARTICLES, "--store", str(store), "--no-progress")
    assert_curated(store)
    # the exports read the curated view
    kg("export", "--store", str(store), "--format", "csv", "--output", str(tmp_path / "csv"))
    nodes = list(csv.DictReader((tmp_path / "csv" / "nodes.csv").open()))
    labels = {n.get("Label") or n.get("label") for n in nodes}
    assert "White House" in labels and "National Security Council" not in labels and "positions" not in labels
    assert {n["Type"] for n in nodes if n["Label"] == "Western coalition"} == {"Group"}
    edges = list(csv.DictReader((tmp_path / "csv" / "edges.csv").open()))
    spokes = [e for e in edges if e["Target"] == "gov/white-house" and e["Source"] == "entity/john-kirby"]
    assert len(spokes) == 1 and spokes[0]["Weight"] == "2"
    assert not [e for e in edges if (e["Source"], e["Target"]) == ("country/chn", "country/rus") and "support" in e["Label"]]
    # kg stats lists the rules and what each touched
    stats = kg("stats", "--store", str(store)).stdout
    assert "curation          5 rule(s)" in stats
    assert "merge National Security Council into White House" in stats


def docs(store) -> list[str]:
    r = CliRunner().invoke(main, ["query", "--name", "articles", "--store", str(store), "--format", "csv"])
    return [row["doc"] for row in csv.DictReader(r.stdout.splitlines())]


def test_kg_curate_applies_at_once_idempotently_and_undoes(store, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES + "  - {entity: China, alias: Nowhere}\n")
    r = kg("curate", "--store", str(store), "--curation", str(rules))
    assert "0\tsplit alias 'Nowhere' off China" in r.stdout
    assert "matches nothing" in r.stderr and "line 11) matches nothing" in r.stderr
    assert_curated(store)
    triples = kg("stats", "--store", str(store)).stdout.split("triples")[1].split("\n")[0]
    kg("curate", "--store", str(store), "--curation", str(rules))
    assert kg("stats", "--store", str(store)).stdout.split("triples")[1].split("\n")[0] == triples
    # the default graph of SPARQL reads the curated view
    r = CliRunner().invoke(main, ["query", "-", "--store", str(store), "--format", "csv"], input=LABELS)
    assert "National Security Council" not in r.stdout and "White House" in r.stdout
    # the shapes hold of the curated view (one object per statement, every entity typed)
    assert "conforms: yes" in kg("validate", "--store", str(store)).stdout
    rules.write_text("")  # no rules: what the last ones did is undone
    kg("curate", "--store", str(store), "--curation", str(rules))
    assert_as_extracted(store)


@pytest.mark.parametrize("text, where", [
    ("merge:\n  - into: X\n    form: [Y]\n", "line 2: merge: unknown form"),
    ("retype:\n  - {entity: China, type: Planet}\n", "line 2: retype: unknown type 'Planet'"),
    ("mrege: []\n", "line 1: unknown rule 'mrege'"),
    ("merge:\n  - into: [X\n", "line 3"),
])
def test_a_malformed_curation_file_is_exit_2_naming_the_line(store, tmp_path, text, where):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    for args in (["curate"], ["build", ARTICLES, "--no-progress", "--force"]):
        r = CliRunner().invoke(main, [*args, "--store", str(store), "--curation", str(bad)])
        assert r.exit_code == 2, r.output
        assert where in r.stderr
    assert_as_extracted(store)
