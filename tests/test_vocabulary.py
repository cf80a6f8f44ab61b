"""Rules are data: every predicate the rule files name exists in data/ontology.ttl, with
the same label, symmetry and inverse, and the lexicons are well-formed."""

from __future__ import annotations

import pytest
import yaml
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import OWL, RDF, RDFS

from kg.paths import data_dir
from kg.rdf import KG
from kg.vocab import load_vocabulary


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(data_dir() / "ontology.ttl")


def _predicates(name):
    return yaml.safe_load((data_dir() / name).read_text(encoding="utf-8"))["predicates"]


@pytest.mark.parametrize("fname", ["relations.yaml", "roles.yaml"])
def test_every_predicate_is_in_the_ontology(ontology, fname):
    for p in _predicates(fname):
        iri = KG[p["id"]]
        assert (iri, RDF.type, OWL.ObjectProperty) in ontology, p["id"]
        assert (iri, RDFS.label, Literal(p["label"], lang="en")) in ontology, p["id"]
        assert (iri, RDFS.comment, None) in ontology, p["id"]
        assert ((iri, RDF.type, OWL.SymmetricProperty) in ontology) == bool(p.get("symmetric")), p["id"]
        if p.get("inverse"):
            assert (iri, OWL.inverseOf, KG[p["inverse"]]) in ontology


def test_predicates_named_by_rules_exist():
    v = load_vocabulary()
    named = set(v.verbs.values()) | set(v.phrasal.values()) | set(v.titles.values()) | {
        p for entries in v.nouns.values() for p, _ in entries} | {
        p.negated for p in v.predicates.values() if p.negated}
    assert named <= set(v.predicates), named - set(v.predicates)


def test_ontology_has_no_predicate_the_rules_do_not_know(ontology):
    v = load_vocabulary()
    in_ontology = {str(s).split("#")[-1] for c in (KG.RelationPredicate, KG.RolePredicate)
                   for s in ontology.subjects(RDF.type, c)}
    assert in_ontology == set(v.predicates)


def test_lexicon_lists_are_strings():
    lex = yaml.safe_load((data_dir() / "lexicon.yaml").read_text(encoding="utf-8"))
    for key, value in lex.items():
        if isinstance(value, list):
            assert all(isinstance(w, str) for w in value), key  # YAML turns a bare `no` into False


def test_a_lemma_in_two_predicates_is_told_apart_by_object_type():
    """A verb may serve two predicates ("fire" a minister / a missile, "dismiss" a claim / a
    minister) only when the object types of its senses (its frame's ``objects``, else the
    predicate's ``object_types``) do not overlap, so the choice is never arbitrary."""
    from kg.vocab import load_vocabulary

    v = load_vocabulary()
    for lemma, preds in v.verb_preds.items():
        for i, a in enumerate(preds):
            for b in preds[i + 1:]:
                ta, tb = ({*(v.predicates[p].frame_for(lemma).objects or v.predicates[p].object_types or ["*"])}
                          for p in (a, b))
                assert "*" not in ta | tb and not ta & tb, f"{lemma!r} in {a} and {b}"


def test_ontology_file_matches_its_generator(tmp_path):
    """data/ontology.ttl is what scripts/build_ontology.py makes of the vocabulary (run it after
    editing data/relations.yaml or data/roles.yaml). The generator writes to a temporary file
    here: the tracked file is compared, never rewritten."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("build_ontology", root / "scripts" / "build_ontology.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    tracked = root / "data" / "ontology.ttl"
    before = tracked.stat().st_mtime_ns
    out = tmp_path / "ontology.ttl"
    assert generator.main(["--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == tracked.read_text(encoding="utf-8"), \
        "data/ontology.ttl differs from what scripts/build_ontology.py makes of the vocabulary: run it"
    assert tracked.stat().st_mtime_ns == before


@pytest.mark.parametrize("fname", ["relations.yaml", "roles.yaml"])
def test_rule_words_are_strings(fname):
    """YAML reads a bare `on` or `no` as a boolean; every rule word must stay a string."""
    for p in _predicates(fname):
        for key in ("verbs", "phrasal", "titles", "subject_types", "object_types"):
            assert all(isinstance(w, str) for w in p.get(key) or []), (p["id"], key)
        for noun, entry in (p.get("nouns") or {}).items():
            preps = entry.get("preps", []) if isinstance(entry, dict) else entry
            assert isinstance(noun, str) and all(isinstance(x, str) for x in preps), (p["id"], noun)
        frames = [p.get("frame") or {}, *(p.get("senses") or {}).values(),
                  *(e for e in (p.get("nouns") or {}).values() if isinstance(e, dict))]
        for f in frames:
            for key in ("objects", "concepts", "deny", "deny_preps", "particles", "subjects", "recipients"):
                assert all(isinstance(w, str) for w in f.get(key) or []), (p["id"], key)
