"""Roles and titles (kg/extract/roles.py, data/roles.yaml) on made-up news sentences, with the
real spaCy model: the right reading is present, the tempting wrong one absent.

A fact is ``(subject, predicate, object, modality)`` with entity labels; all are positive.
"""

from __future__ import annotations

import pytest
import kg
from kg.extract import Extractor
from kg.model import MODALITIES, Article
from kg.nlp import load
from kg.resolve import Resolver
from kg.vocab import load_vocabulary

KG = "https://w3id.org/newskg/ontology#"


@pytest.fixture(scope="module")
def run():
    nlp = load()
    ex = Extractor()
    resolver = Resolver()

    def _run(text: str):
        ag = resolver.resolve(ex.extract(nlp(text), Article("t", text)))
        label = {e.key: e.label for e in ag.entities}
        return {(label[r.subject], r.predicate, label[r.object], r.modality) for r in ag.relations}

    return _run


@pytest.mark.parametrize("text, expected", [
    # state offices: demonym, country, possessive, "of" after the title or after the name
    ("Kenyan President William Ruto arrived in Nairobi on Sunday.", ("William Ruto", "presidentOf", "Kenya", "asserted")),
    ("Niger's president Mahamadou Issoufou opened the summit.", ("Mahamadou Issoufou", "presidentOf", "Niger", "asserted")),
    ("President Maria Santos of Chile welcomed the delegates.", ("Maria Santos", "presidentOf", "Chile", "asserted")),
    ("Adil Abdul-Mahdi, the acting Prime Minister of Iraq, resigned.",
     ("Adil Abdul-Mahdi", "primeMinisterOf", "Iraq", "asserted")),
    # a vice president is no president; "former" makes it a past role
    ("Former US Vice President Joe Biden spoke in Ohio.", ("Joe Biden", "vicePresidentOf", "United States", "former")),
    ("U.S. Vice President Mike Pence arrived in Warsaw.", ("Mike Pence", "vicePresidentOf", "United States", "asserted")),
    ("Robert Mugabe, former president of Zimbabwe, has died.", ("Robert Mugabe", "presidentOf", "Zimbabwe", "former")),
    ("Ex-president Nicolas Sarkozy of France was convicted on Monday.",
     ("Nicolas Sarkozy", "presidentOf", "France", "former")),
    ("Tim Manning, formerly a deputy administrator at FEMA, said the agency was ready.",
     ("Tim Manning", "deputyHeadOf", "FEMA", "former")),
    # "-elect": not yet in office
    ("Brazilian President-elect Luiz Inacio Lula da Silva met the envoy.",
     ("Luiz Inacio Lula da Silva", "presidentOf", "Brazil", "planned")),
    # deputy and junior posts
    ("Alex Lagakos, deputy director of the Greek Energy Forum, spoke at the meeting.",
     ("Alex Lagakos", "deputyHeadOf", "Greek Energy Forum", "asserted")),
    ("John Smith, an associate director of Acme Corp, said the drug works.",
     ("John Smith", "officialOf", "Acme Corp", "asserted")),
    ("Senate minority leader Chuck Schumer objected to the bill.",
     ("Chuck Schumer", "minorityLeaderOf", "Senate", "asserted")),
    # a department head is an official of the company
    ("George Pipas, director of sales analysis at Ford, said sales fell.", ("George Pipas", "officialOf", "Ford", "asserted")),
    ("Jane Roe, director of research at Acme Corp, said the drug works.", ("Jane Roe", "officialOf", "Acme Corp", "asserted")),
    # business titles, every way news writes them
    ("Apple CEO Tim Cook unveiled the phone on Tuesday.", ("Tim Cook", "ceoOf", "Apple", "asserted")),
    ("Tim Cook, the chief executive of Apple, unveiled the phone.", ("Tim Cook", "ceoOf", "Apple", "asserted")),
    ("Tim Cook, Apple's chief executive, unveiled the phone.", ("Tim Cook", "ceoOf", "Apple", "asserted")),
    ("Tim Cook is the CEO of Apple.", ("Tim Cook", "ceoOf", "Apple", "asserted")),
    ("Mary Barra was named chief executive of General Motors.", ("Mary Barra", "ceoOf", "General Motors", "asserted")),
    ("General Motors on Tuesday named Mary Barra as its new chief executive.",
     ("Mary Barra", "ceoOf", "General Motors", "asserted")),
    ("Carrie Lam, the chief executive of Hong Kong, withdrew the bill.", ("Carrie Lam", "headOf", "Hong Kong", "asserted")),
    ("Dana Ross, the chairwoman of Boeing, said the plane was safe.", ("Dana Ross", "chairOf", "Boeing", "asserted")),
    ("William Clay Ford Jr., executive chairman of Ford Motor Co., said sales rose.",
     ("William Clay Ford Jr", "chairOf", "Ford Motor Co", "asserted")),
    ("UBS analyst David Strauss expects the shares to rise.", ("David Strauss", "worksFor", "UBS", "asserted")),
    ("NASA astronauts Bob Behnken and Doug Hurley docked with the station.",
     ("Doug Hurley", "worksFor", "NASA", "asserted")),
    # places: a mayor's city stays a city, a governor governs a state
    ("Sadiq Khan, the mayor of London, criticised the plan.", ("Sadiq Khan", "mayorOf", "London", "asserted")),
    ("Tony Evers, the governor of Wisconsin, signed the order.", ("Tony Evers", "governorOf", "Wisconsin", "asserted")),
    ("Bill Weld, the former governor of Massachusetts, won one delegate.",
     ("Bill Weld", "governorOf", "Massachusetts", "former")),
    # envoys: posted to one country, representing another
    ("US Ambassador to Germany Richard Grenell criticised the decision.",
     ("Richard Grenell", "ambassadorTo", "Germany", "asserted")),
    ("US Ambassador to Germany Richard Grenell criticised the decision.",
     ("Richard Grenell", "ambassadorOf", "United States", "asserted")),
    # a party adjective is a membership, a party office is of the party
    ("Republican President Donald Trump signed the bill.", ("Donald Trump", "memberOf", "Republican Party", "asserted")),
    ("Democratic Governor Maria Lopez of Ohio vetoed the bill.", ("Maria Lopez", "memberOf", "Democratic Party", "asserted")),
    # a hyphenated title keeps its qualifiers (the parser splits "vice", "-", "president")
    ("Carlos Ruiz, former vice-president of Peru, died on Saturday.", ("Carlos Ruiz", "vicePresidentOf", "Peru", "former")),
    ("Labour Party leader Jeremy Corbyn called it a smash and grab.",
     ("Jeremy Corbyn", "leaderOf", "Labour Party", "asserted")),
    # clauses
    ("Jacques Chirac, who served as President of France for twelve years, died on Thursday.",
     ("Jacques Chirac", "presidentOf", "France", "former")),
    ("Abu Mahdi al-Muhandis was the deputy commander of the Popular Mobilization Forces.",
     ("Abu Mahdi al-Muhandis", "deputyHeadOf", "Popular Mobilization Forces", "former")),
    # apposed titles of organisations and religions
    ("Pentagon spokesman Pat Ryder declined to comment.", ("Pat Ryder", "spokespersonOf", "Department of Defense", "asserted")),
    ("Ukraine's foreign minister, Dmytro Kuleba, said talks would resume.",
     ("Dmytro Kuleba", "ministerOf", "Ukraine", "asserted")),
    ("Henry Paulson, the US Treasury Secretary, explained the plan.", ("Henry Paulson", "ministerOf", "United States", "asserted")),
    ("On Thursday the leader of Roman Catholic Christianity, Pope Francis, changed the law.",
     ("Francis", "leaderOf", "Roman Catholic Christianity", "asserted")),
    ("Buzz Hargrove, the president of Canadian Auto Workers, said jobs were safe.",
     ("Buzz Hargrove", "presidentOf", "Canadian Auto Workers", "asserted")),
])
def test_role_is_read(run, text, expected):
    got = run(text)
    assert expected in got, sorted(got)


@pytest.mark.parametrize("text, absent", [
    # a qualifier is never dropped
    ("Former US Vice President Joe Biden spoke in Ohio.", ("Joe Biden", "presidentOf", "United States", "asserted")),
    ("Former US Vice President Joe Biden spoke in Ohio.", ("Joe Biden", "vicePresidentOf", "United States", "asserted")),
    ("Robert Mugabe, former president of Zimbabwe, has died.", ("Robert Mugabe", "presidentOf", "Zimbabwe", "asserted")),
    ("Alex Lagakos, deputy director of the Greek Energy Forum, spoke.",
     ("Alex Lagakos", "headOf", "Greek Energy Forum", "asserted")),
    ("John Smith, an associate director of Acme Corp, said the drug works.", ("John Smith", "headOf", "Acme Corp", "asserted")),
    ("Senate minority leader Chuck Schumer objected to the bill.", ("Chuck Schumer", "leaderOf", "Senate", "asserted")),
    # a department is not the company
    ("George Pipas, director of sales analysis at Ford, said sales fell.", ("George Pipas", "headOf", "Ford", "asserted")),
    ("Jane Roe, director of research at Acme Corp, said the drug works.", ("Jane Roe", "headOf", "Acme Corp", "asserted")),
    # a nationality is no organisation led
    ("Irish director Jane Roe won the prize.", ("Jane Roe", "headOf", "Ireland", "asserted")),
    ("Kurdish leader Masoud Barzani met the envoy.", ("Masoud Barzani", "leaderOf", "Kurdish", "asserted")),
    # a party adjective is never the organisation of a state office
    ("Republican President Donald Trump signed the bill.", ("Donald Trump", "presidentOf", "Republican", "asserted")),
    ("Republican President Donald Trump signed the bill.", ("Donald Trump", "presidentOf", "Republican Party", "asserted")),
    ("The capital city's Democratic mayor Muriel Bowser said the city was ready.",
     ("Muriel Bowser", "headOf", "Democratic", "asserted")),
    ("The capital city's Democratic mayor Muriel Bowser said the city was ready.",
     ("Muriel Bowser", "mayorOf", "Democratic Party", "asserted")),
    # a mayor heads a city, not the country of a capital
    ("Sadiq Khan, the mayor of London, criticised the plan.", ("Sadiq Khan", "headOf", "United Kingdom", "asserted")),
    ("Sadiq Khan, the mayor of London, criticised the plan.", ("Sadiq Khan", "mayorOf", "United Kingdom", "asserted")),
    # a party adjective before a state office is a membership, no office in the party
    ("Democratic Governor Maria Lopez of Ohio vetoed the bill.", ("Maria Lopez", "officialOf", "Democratic Party", "asserted")),
    ("Democratic Governor Maria Lopez of Ohio vetoed the bill.", ("Maria Lopez", "headOf", "Democratic Party", "asserted")),
    ("Carlos Ruiz, former vice-president of Peru, died on Saturday.", ("Carlos Ruiz", "presidentOf", "Peru", "asserted")),
    ("Carlos Ruiz, former vice-president of Peru, died on Saturday.", ("Carlos Ruiz", "presidentOf", "Peru", "former")),
    # an analyst works for the bank; no official of it
    ("UBS analyst David Strauss expects the shares to rise.", ("David Strauss", "officialOf", "UBS", "asserted")),
    # the words before a capitalised title describe the person another way
    ("Former presidential candidate Senator Ted Cruz proposed term limits.",
     ("Ted Cruz", "officialOf", "United States", "former")),
    # a film director, an army captain: other senses of the titles
    ("Army captain John Miller led the patrol.", ("John Miller", "captainOf", "Army", "asserted")),
    # a role is not read across a verb, nor from a hope or a negation
    ("The Kenyan president met John Kirby.", ("John Kirby", "presidentOf", "Kenya", "asserted")),
    ("Tim Cook is not the CEO of Microsoft.", ("Tim Cook", "ceoOf", "Microsoft", "asserted")),
    ("Jane Doe hopes to become the chief executive of Acme Corp.", ("Jane Doe", "ceoOf", "Acme Corp", "asserted")),
    ("If John Smith becomes chairman of Barclays, he will cut jobs.", ("John Smith", "chairOf", "Barclays", "asserted")),
])
def test_wrong_reading_is_absent(run, text, absent):
    got = run(text)
    assert absent not in got, sorted(got)


@pytest.mark.parametrize("text, expected", [
    ("Lakers guard Kobe Bryant scored 40 points.", ("Kobe Bryant", "playsFor", "Lakers", "asserted")),
    ("Chelsea striker Didier Drogba scored twice.", ("Didier Drogba", "playsFor", "Chelsea", "asserted")),
    ("Caloundra coach Geoff Ingram praised his side.", ("Geoff Ingram", "coachOf", "Caloundra", "asserted")),
    ("Maroochydore captain Sam Marshall kicked the goal.", ("Sam Marshall", "captainOf", "Maroochydore", "asserted")),
])
def test_sport_roles(run, text, expected):
    got = run(text)
    if expected not in got:
        pytest.xfail(f"the team name is no entity of the small model here: {sorted(got)}")
    assert expected in got


def test_future_role_is_planned(run):
    got = run("Jane Doe will become the chief executive of Acme Corp next month.")
    assert ("Jane Doe", "ceoOf", "Acme Corp", "planned") in got, sorted(got)


def test_role_vocabulary_is_consistent():
    """Every predicate a role names (its deputy, portfolio, broader predicate) exists, and every
    qualifier kind is one the reader knows."""
    v = load_vocabulary()
    for pid, sense in v.role_senses.items():
        assert pid in v.predicates, pid
        for other in (sense.deputy, sense.portfolio, sense.super):
            assert other is None or other in v.predicates, (pid, other)
        assert set(sense.objects) <= {"Organization", "Country", "City", "Place", "Group"}, pid
    assert set(v.qualifiers.values()) == {"former", "future", "deputy", "junior", "same"}
    assert "former" in MODALITIES


def test_former_role_is_a_statement_and_not_a_plain_triple(tmp_path):
    """A past role is kept with modality "former" (so a reader sees it) but never becomes the
    plain triple a simple query would read as true today; ceoOf is found through headOf."""
    article = tmp_path / "a.txt"
    article.write_text("Former US Vice President Joe Biden met Apple CEO Tim Cook in Ohio on Monday.\n", encoding="utf-8")
    with kg.open(tmp_path / "store") as g:
        g.build([article], workers=1)
        rows = g.query(f"""SELECT ?m WHERE {{ ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <{KG}vicePresidentOf> ;
                            <{KG}modality> ?m }}""").dicts()
        assert {r["m"] for r in rows} == {"former"}
        assert not g.query(f"SELECT ?s WHERE {{ ?s <{KG}vicePresidentOf> ?o }}").dicts()
        heads = g.query(f"""SELECT ?who WHERE {{ ?p <http://www.w3.org/2000/01/rdf-schema#subPropertyOf>* <{KG}headOf> .
                             ?s ?p ?o . ?s <http://www.w3.org/2000/01/rdf-schema#label> ?who }}""").dicts()
        assert {r["who"] for r in heads} == {"Tim Cook"}
        assert g.validate().conforms
