"""`kg openie`: one general syntax rule per case, on sentences of our own (real spaCy model).

Sentences are whitespace-tokenised like the CaRB input (`Doc(nlp.vocab, words=text.split())`).
An expected tuple is ``(relation, arg1, arg2[, arg3...])``; it must be among the extractions
(extra arguments beyond those listed are allowed unless the case lists them all).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from spacy.tokens import Doc

from kg.cli import main
from kg.nlp import load
from kg.openie import format_carb, openie_tuples, read_sentences


@pytest.fixture(scope="module")
def extract():
    nlp = load()

    def _extract(text: str):
        return openie_tuples(nlp(Doc(nlp.vocab, words=text.split())), whole=True)

    return _extract


def found(tuples, expected) -> bool:
    rel, *args = expected
    return any(t.relation == rel and list(t.args[: len(args)]) == args for t in tuples)


def show(tuples) -> str:
    return "\n".join(f"  {t.confidence} ({t.relation}) | " + " | ".join(t.args) for t in tuples)


CASES = [
    # verb + direct object; negation stays in the relation
    ("The council did not support the new tax .", ("did not support", "The council", "the new tax")),
    # the first prepositional complement joins the relation; the rest are extra arguments
    ("She served as mayor of Leeds for six years .", ("served as", "She", "mayor of Leeds", "for six years")),
    # temporal noun phrases are arguments
    ("The band released its second album last spring .",
     ("released", "The band", "its second album", "last spring")),
    # passive: the surface subject stays arg1, the agent's "by" joins the relation
    ("The novel was written by a retired teacher in 1952 .",
     ("was written by", "The novel", "a retired teacher", "in 1952")),
    ("The bridge was opened in Lisbon .", ("was opened in", "The bridge", "Lisbon")),
    # copulas: predicate noun, and adjective + preposition
    ("Marta Ruiz is a chemist .", ("is", "Marta Ruiz", "a chemist")),
    ("The farmers were angry about the new rules .", ("were angry about", "The farmers", "the new rules")),
    # a copula inside a relative clause
    ("He met a woman who was a pilot .", ("was", "a woman", "a pilot")),
    # other linking verbs take their predicate noun
    ("Their daughter became a famous surgeon .", ("became", "Their daughter", "a famous surgeon")),
    # a predicate noun with an "of" phrase: the noun joins the relation
    ("Ruth Dahl became a judge of the supreme court .", ("became a judge of", "Ruth Dahl", "the supreme court")),
    # an indirect object is an extra argument
    ("The bank gave the city a loan .", ("gave", "The bank", "a loan", "the city")),
    # appositions: "X , a Y" -> (X; be; a Y); a name is the subject of its description
    ("Karin Holt , the mayor of Bergen , opened the fair .", ("be the mayor of", "Karin Holt", "Bergen")),
    ("Tomas Berg , a Swedish architect , designed the library .", ("be", "Tomas Berg", "a Swedish architect")),
    ("The club 's coach , Ida Moreau , resigned last week .", ("be", "Ida Moreau", "The club 's coach")),
    # ... and the apposition is not part of the other arguments
    ("Tomas Berg , a Swedish architect , designed the library .", ("designed", "Tomas Berg", "the library")),
    # coordination: conjoined verbs, objects and subjects each give a tuple
    ("The company hired new staff and opened two stores .", ("opened", "The company", "two stores")),
    ("The shop sells bread and cheese .", ("sells", "The shop", "cheese")),
    ("The shop sells bread and cheese .", ("sells", "The shop", "bread")),
    ("Paul and his sister visited Rome .", ("visited", "his sister", "Rome")),
    # relative clauses: the relative pronoun stands for the noun it modifies
    ("The engineer who designed the tower lives in Oslo .", ("designed", "The engineer", "the tower")),
    ("The engineer who designed the tower lives in Oslo .", ("lives in", "The engineer", "Oslo")),
    ("The car that Peter bought was red .", ("bought", "Peter", "The car")),
    # "X , who ..."
    ("Anna Lind , who founded the bakery , retired in 2010 .", ("founded", "Anna Lind", "the bakery")),
    # a relative clause on a predicate noun is about the subject
    ("Lena Park is a singer who was born in Seoul .", ("was born in", "Lena Park", "Seoul")),
    # participial modifiers: past participle = passive, present participle = active (they stay in
    # the argument they restrict)
    ("He read a report written by two nurses .", ("be written by", "a report", "two nurses")),
    ("Workers repairing the road found an old coin .", ("repairing", "Workers", "the road")),
    ("Workers repairing the road found an old coin .", ("found", "Workers repairing the road", "an old coin")),
    # control verbs join their complement
    ("The city plans to build a new stadium .", ("plans to build", "The city", "a new stadium")),
    # a passive conjoined with an active verb keeps the shared subject as its patient
    ("The plant grows quickly and can be used as fodder .", ("can be used as", "The plant", "fodder")),
    # reported speech: the clause is the object
    ("The minister said that the plan would cut taxes .", ("said", "The minister", "that the plan would cut taxes")),
    ("The minister said that the plan would cut taxes .", ("would cut", "the plan", "taxes")),
    # a place name followed by the place it is in
    ("The festival moved to Salem , Oregon in 2004 .", ("be in", "Salem", "Oregon")),
    # a title written before a name
    ("Former mayor John Smith opened the fair .", ("be", "John Smith", "Former mayor")),
    # a place after a noun: "X in Y"
    ("The museum in Granada closed last year .", ("be in", "The museum", "Granada")),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_rule(extract, text, expected):
    tuples = extract(text)
    assert found(tuples, expected), f"{expected} not in\n{show(tuples)}"


@pytest.mark.parametrize(
    "text, absent",
    [
        # an adjectival participle is not a clause
        ("The surviving members of the crew met in Oslo .", "surviving"),
        # honorifics are not titles
        ("Mr. Olsen opened the fair .", "be"),
        # a date is not an apposition
        ("The fair opened on May 3 , 1999 .", "be"),
    ],
)
def test_rule_does_not_fire(extract, text, absent):
    tuples = extract(text)
    assert not any(t.relation == absent for t in tuples), show(tuples)


def test_arguments_keep_tokens_and_case(extract):
    tuples = extract("SHARES of ACME Corp. rose 5 % on Monday , traders said .")
    assert tuples
    words = set("SHARES of ACME Corp. rose 5 % on Monday , traders said .".split())
    for t in tuples:
        for a in (t.relation, *t.args):
            assert set(a.split()) <= words | {"be"}, t


def test_confidence_ranks_main_clause_above_embedded(extract):
    tuples = extract("The minister said that the plan would cut taxes .")
    conf = {t.relation: t.confidence for t in tuples}
    assert conf["said"] > conf["would cut"]
    assert all(0 < t.confidence < 1 for t in tuples)


def test_confidences_are_not_constant(extract):
    sents = ["Tomas Berg , a Swedish architect , designed the library .",
             "The engineer who designed the tower lives in Oslo ."]
    confs = {t.confidence for s in sents for t in extract(s)}
    assert len(confs) > 2


def test_read_sentences_skips_blank_lines():
    assert read_sentences(["A b .\n", "\n", "  \n", " C d . \n"]) == ["A b .", "C d ."]


def test_format_carb(extract):
    t = extract("The bridge was opened in Lisbon in 1966 .")[0]
    line = format_carb("The bridge was opened in Lisbon in 1966 .", t)
    fields = line.rstrip("\n").split("\t")
    assert fields[0] == "The bridge was opened in Lisbon in 1966 ."
    assert float(fields[1]) == t.confidence
    assert fields[2:] == [t.relation, *t.args]


def test_cli_carb_and_jsonl():
    runner = CliRunner()
    text = "The bridge was opened in Lisbon in 1966 .\n\nMarta Ruiz is a chemist .\n"
    r = runner.invoke(main, ["openie", "-", "--no-progress"], input=text)
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.stdout.splitlines() if ln]
    assert lines and all(len(ln.split("\t")) >= 5 for ln in lines)
    assert {ln.split("\t")[0] for ln in lines} == {"The bridge was opened in Lisbon in 1966 .", "Marta Ruiz is a chemist ."}
    r = runner.invoke(main, ["openie", "-", "--format", "jsonl", "--no-progress"], input=text)
    assert r.exit_code == 0, r.output
    rows = [json.loads(ln) for ln in r.stdout.splitlines() if ln.strip()]
    assert {"sentence", "confidence", "relation", "args"} <= set(rows[0])
    assert any(row["relation"] == "is" and row["args"] == ["Marta Ruiz", "a chemist"] for row in rows)


def test_cli_missing_file():
    r = CliRunner().invoke(main, ["openie", "/nonexistent/sentences.txt"])
    assert r.exit_code == 2
