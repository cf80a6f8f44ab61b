"""Open relations (kg/extract/openrel.py, data/openrel.yaml): a clause between two named entities
whose verb no vocabulary predicate covers becomes a ``kg:OpenStatement`` labelled with its verb
phrase, kept apart from the vocabulary's facts in the store, the summary, the queries and the
exports.

Sentences are made up in the style of news (real spaCy model for the extraction cases); a fact is
``(subject, verb phrase, object, polarity, modality)``.
"""

from __future__ import annotations

import csv

import pytest

from conftest import handmade_graphs, open_graph
from kg import export as kx
from kg import query as kq
from kg import write
from kg.graph import OPEN, entity_graph
from kg.store import KGStore

KG = "https://w3id.org/newskg/ontology#"




def opens(ag) -> set[tuple]:
    label = {e.key: e.label for e in ag.entities}
    return {(label[r.subject], r.label, label[r.object], r.polarity, r.modality) for r in ag.open_relations}


def speakers(ag) -> set:
    label = {e.key: e.label for e in ag.entities}
    return {label.get(r.attributed_to) for r in ag.open_relations}


# ---------------------------------------------------------------- what makes one
@pytest.mark.parametrize("text, expected", [
    # subject - verb - named object
    ("Airbus snubbed Boeing at the Paris Air Show.", ("Airbus", "snub", "Boeing", "positive", "asserted")),
    ("Nike dropped Tiger Woods after the scandal.", ("Nike", "drop", "Tiger Woods", "positive", "asserted")),
    ("Maria Lopez interviewed Carlos Ruiz in 2001.", ("Maria Lopez", "interview", "Carlos Ruiz", "positive", "asserted")),
    ("Carlos Ruiz succeeded Maria Lopez as chairman of Iberdrola.",
     ("Carlos Ruiz", "succeed", "Maria Lopez", "positive", "asserted")),
    # a passive with its by-agent reads the other way round
    ("Boeing was snubbed by Airbus at the trade fair.", ("Airbus", "snub", "Boeing", "positive", "asserted")),
    # verb + particle + preposition; a locative verb's "from"/"in"
    ("Sony teamed up with Honda to build electric cars.", ("Sony", "team up with", "Honda", "positive", "asserted")),
    ("Maria Lopez graduated from Stanford University in 1998.",
     ("Maria Lopez", "graduate from", "Stanford University", "positive", "asserted")),
    ("Maria Lopez performed in Madrid on Tuesday.", ("Maria Lopez", "perform in", "Madrid", "positive", "asserted")),
    # a name modifying a noun before the subject does not hide it
    ("The Toulouse-based Airbus snubbed Boeing.", ("Airbus", "snub", "Boeing", "positive", "asserted")),
    # a pronoun with one person before it
    ("Carlos Ruiz joined the board in 2001. He later snubbed Boeing.",
     ("Carlos Ruiz", "snub", "Boeing", "positive", "asserted")),
])
def test_open_relation_is_read(run, text, expected):
    got = opens(run(text))
    assert expected in got, got


@pytest.mark.parametrize("text, expected", [
    # negation
    ("Airbus did not snub Boeing at the show.", ("Airbus", "snub", "Boeing", "negative", "asserted")),
    ("Airbus never snubbed Boeing.", ("Airbus", "snub", "Boeing", "negative", "asserted")),
    ("Airbus refused to snub Boeing at the show.", ("Airbus", "snub", "Boeing", "negative", "asserted")),
    # modality: possible, planned, questioned, an opinion, reported speech
    ("Airbus might snub Boeing at the show.", ("Airbus", "snub", "Boeing", "positive", "possible")),
    ("Airbus plans to snub Boeing at the show.", ("Airbus", "snub", "Boeing", "positive", "planned")),
    ("Did Airbus snub Boeing at the show?", ("Airbus", "snub", "Boeing", "positive", "questioned")),
    ("Analysts believe that Airbus snubbed Boeing.", ("Airbus", "snub", "Boeing", "positive", "possible")),
    ("Maria Lopez said Airbus snubbed Boeing.", ("Airbus", "snub", "Boeing", "positive", "reported")),
])
def test_negation_and_modality_are_kept(run, text, expected):
    got = opens(run(text))
    assert expected in got, got
    assert not any(f[:3] == expected[:3] and f[3:] != expected[3:] for f in got), got


def test_quotation_is_attributed_to_its_speaker(run):
    ag = run('"Airbus snubbed Boeing," said Maria Lopez.')
    assert ("Airbus", "snub", "Boeing", "positive", "asserted") in opens(ag)
    assert speakers(ag) == {"Maria Lopez"}


@pytest.mark.parametrize("text", [
    # an argument that is not a named entity: a vague noun, a concept, "they"
    "Airbus snubbed the company at the show.",
    "Airbus snubbed the proposal.",
    "They snubbed Boeing at the show.",
    # two people before "he": whom it means is a guess
    "Maria Lopez met Carlos Ruiz. He later snubbed Boeing.",
    "Anne Sacoolas hit Harry Dunn with her car. She subsequently left the UK.",
    "Gregory Kurtzer told Wikinews he started CAOS Linux.",
    # a relative clause hung on a coordination ("A and B Show, which ...")
    "The account for The Bernie and Sid Show, which replaced Imus in the Morning, hosted by Bernard McGuirk, "
    "tweeted.",
    # a misparse with two subjects of one verb
    "Biden's victories in Arizona, Florida, and Illinois left him with a reported total of 1,124 pledged delegates.",
    # a verb that says nothing between its arguments, a copula, a speech verb
    "Airbus became Boeing's main rival.",
    "Airbus met Boeing in Paris.",  # a verb of the vocabulary: its rules decide (meets), never an open one
    "Maria Lopez told Carlos Ruiz about the plan.",
    "Airbus included Boeing in the list.",
    # a place after "in"/"at" is where it happened, not a second party
    "Airbus celebrated in Paris.",
    # a broken span (an editor's insertion inside the name, a place phrase run into the name)
    '"The Kurds will now align with [Bashir al] Assad," he said.',
    "On Thursday, Alexei Navalny was flying from Tomsk in Siberia when he fell ill.",
    # a complement of a noun or of an unknown governor: what happened is unknown
    "Smith rejected the accusation that Airbus snubbed Boeing.",
    "Airbus, without snubbing Boeing, left the show.",
])
def test_no_open_relation(run, text):
    assert opens(run(text)) == set()


def test_name_with_an_open_parenthesis_is_no_argument(run):
    got = opens(run("During a media event, Apple released the long awaited iPhones Software Development Kit (SDK) "
                    'and the associated iTunes "App Store" and iPhone Developer Program.'))
    assert ("Apple", "release", "iPhone Developer Program", "positive", "asserted") in got
    assert not [f for f in got if "(" in f[2]], got


def test_vocabulary_fact_is_never_repeated_as_open(run):
    ag = run("Barack Obama praised Angela Merkel for her leadership.")
    label = {e.key: e.label for e in ag.entities}
    assert ("Barack Obama", "praises", "Angela Merkel") in {(label[r.subject], r.predicate, label[r.object])
                                                            for r in ag.relations}
    assert opens(ag) == set()


# ---------------------------------------------------------------- the store, the summary, queries, exports
@pytest.fixture()
def ostore(open_store):
    with KGStore.open(open_store, read_only=True) as s:
        yield s


def _ask(store, q: str):
    return list(store.ox.query("PREFIX kg: <" + KG + "> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
                               "PREFIX kgg: <https://w3id.org/newskg/id/graph/> " + q))


def test_open_statement_is_no_vocabulary_fact(ostore):
    rows = _ask(ostore, "SELECT ?st ?vp WHERE { GRAPH kgg:summary { ?st a kg:OpenStatement ; kg:verbPhrase ?vp } }")
    assert sorted(r["vp"].value for r in rows) == ["beat", "hold talks with"]
    # no rdf:predicate, never also a kg:Statement, never a plain triple between Spain and Italy
    assert not _ask(ostore, "SELECT * WHERE { GRAPH ?g { ?st a kg:OpenStatement ; rdf:predicate ?p } }")
    assert not _ask(ostore, "SELECT * WHERE { GRAPH ?g { ?st a kg:OpenStatement , kg:Statement } }")
    assert not _ask(ostore, "SELECT * WHERE { GRAPH ?g { <https://w3id.org/newskg/id/country/spain> ?p "
                            "<https://w3id.org/newskg/id/country/italy> } }")
    # the summary merges them with weight, confidence and sources like statements
    w = _ask(ostore, 'SELECT ?w ?c ?src WHERE { GRAPH kgg:summary { ?st kg:verbPhrase "beat" ; kg:weight ?w ; '
                     'kg:confidence ?c ; kg:sources ?src } }')
    assert [(r["w"].value, float(r["c"].value), r["src"].value) for r in w] == [("1", 0.6, "doc4")]


def test_open_relations_query(ostore):
    rows = kq.run_query(ostore, kq.find_query("open_relations").text).dicts()
    got = {(r["subject"], r["relation"], r["object"], r["modality"]) for r in rows}
    assert got == {("Spain", "beat", "Italy", "asserted"), ("Acme", "not hold talks with", "Initech", "planned")}
    assert {r["sentence"] for r in rows} == {"Spain beat Italy in Rome.", "Acme will not hold talks with Initech."}
    # the queries of the vocabulary's facts never show them
    facts = kq.run_query(ostore, kq.find_query("all_facts").text).dicts()
    assert ("Spain", "opposes", "plan") in {(r["subject"], r["relation"], r["object"]) for r in facts}
    assert not {r["relation"] for r in facts} & {"beat", "not hold talks with", "hold talks with"}


def test_entity_graph_flags_open_edges(ostore):
    G = entity_graph(ostore)
    flags = {(G.nodes[u]["label"], d["label"], G.nodes[v]["label"]): d["vocabulary"] for u, v, d in G.edges(data=True)}
    assert flags[("Spain", "beat", "Italy")] == OPEN
    assert flags[("Spain", "opposes", "plan")] == "controlled"
    assert flags[("United States", "opposes", "ceasefire")] == "controlled"
    plain = entity_graph(ostore, open_relations=False)
    assert OPEN not in {d["vocabulary"] for _, _, d in plain.edges(data=True)}
    assert plain.number_of_edges() == G.number_of_edges() - 2


def _edges(path) -> list[dict]:
    with open(path / "edges.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_csv_export_leaves_open_edges_out_unless_asked_and_flags_them(ostore, tmp_path):
    kx.export(ostore, "csv", tmp_path / "all", open_relations=True)
    edges = _edges(tmp_path / "all")
    by_label = {e["Label"]: e["Vocabulary"] for e in edges}
    assert by_label["beat"] == "open" and by_label["hold talks with"] == "open" and by_label["opposes"] == "controlled"
    # by default (and so the export scored against shared/eval gold) no open relation
    kx.export(ostore, "csv", tmp_path / "scored")
    scored = _edges(tmp_path / "scored")
    assert {e["Vocabulary"] for e in scored} == {"controlled"}
    assert len(scored) == len(edges) - 2
    with pytest.raises(kx.ExportError, match="--open"):
        kx.export(ostore, "ttl", tmp_path / "x.ttl", open_relations=True)


def test_open_statements_validate_against_the_shapes(open_store):
    from kg import validate

    with KGStore.open(open_store, read_only=True) as s:
        result = validate.check(s)
    assert result.conforms, result
    # an open statement posing as a vocabulary fact is a violation
    with KGStore.open(open_store) as s:
        s.ox.update("PREFIX kg: <" + KG + "> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
                    "INSERT { GRAPH ?g { ?st rdf:predicate kg:opposes } } "
                    "WHERE { GRAPH ?g { ?st a kg:OpenStatement ; kg:verbPhrase \"beat\" } }")
        bad = validate.check(s)
    assert not bad.conforms
    assert any("no rdf:predicate" in v.message for v in bad.violations), bad.violations


def test_rebuilding_an_article_replaces_its_open_statements(tmp_path):
    path = tmp_path / "s"
    g = open_graph()
    with KGStore.open(path) as s:
        write.load_ontology(s)
        write.write_all(s, [*handmade_graphs(), g])
        write.write_all(s, [g])  # the same article again: idempotent
        n = _ask(s, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH kgg:summary { ?st a kg:OpenStatement ; kg:weight ?w } }")
    assert int(n[0]["n"].value) == 2


@pytest.mark.parametrize("fmt, attribute, value", [
    ("graphml", 'attr.name="vocabulary"', ">open<"),
    ("gexf", 'title="vocabulary"', 'for="vocabulary" value="open"'),
])
def test_gephi_exports_carry_the_vocabulary_attribute(ostore, tmp_path, fmt, attribute, value):
    kx.export(ostore, fmt, tmp_path / f"g.{fmt}", open_relations=True)
    text = (tmp_path / f"g.{fmt}").read_text(encoding="utf-8")
    assert attribute in text and text.count(value) == 2  # the two open statements, filterable in Gephi
    kx.export(ostore, fmt, tmp_path / f"plain.{fmt}")
    assert (tmp_path / f"plain.{fmt}").read_text(encoding="utf-8").count(value) == 0
