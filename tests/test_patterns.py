"""Construction patterns of data/patterns.yaml (kg/extract/patterns.py) on sentences of our own,
in the style of business, sport, science, culture and court news (real spaCy model).

Each case gives facts that must be found and facts that must NOT be (the near misses: another
sense of the verb, the wrong part for an argument, a vague object). A fact is ``(subject label,
predicate, object label, polarity, modality)``; ``None`` in a place matches anything.

A few near misses are adapted from Wikinews sentences where an earlier version of the patterns
was wrong ("Washington, D.C.", an interview question, "will be owned 55 percent by"). News articles
from Wikinews (https://en.wikinews.org), by Wikinews contributors, licensed CC BY 2.5; text
extracted and cleaned, see PROVENANCE.md.
"""

from __future__ import annotations

import pytest
import yaml
from conftest import statements
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from kg.extract.pattern_rules import PatternError, load_patterns
from kg.paths import data_dir
from kg.rdf import KG
from kg.vocab import load_vocabulary




facts = statements


def has(found: set[tuple], want: tuple) -> bool:
    want = tuple(want) + (None,) * (5 - len(want))
    return any(all(w is None or w == f for w, f in zip(want, fact)) for fact in found)


# (text, facts that must be there, facts that must not)
CASES = [
    # ---------------------------------------------------------------- business
    ("Kraft agreed to buy Heinz for $10 billion.", [("Kraft", "acquires", "Heinz", "positive", "planned")],
     [("Kraft", "acquires", "Heinz", "positive", "asserted")]),
    ("Microsoft acquired LinkedIn in 2016.", [("Microsoft", "acquires", "LinkedIn", "positive", "asserted")], []),
    ("Microsoft did not acquire LinkedIn.", [("Microsoft", "acquires", "LinkedIn", "negative")],
     [("Microsoft", "acquires", "LinkedIn", "positive")]),
    ("Toyota bought a 20 percent stake in Subaru.", [("Toyota", "acquiresStakeIn", "Subaru")],
     [("Toyota", "acquires", "Subaru")]),
    ("Siemens sold its hearing aid unit to EQT Partners.",
     [("Siemens", "sellsTo", "EQT Partners", "positive")],
     [("Siemens", "provides", "EQT Partners"), ("EQT Partners", "sells", None)]),
    ("DaimlerChrysler is selling the Chrysler Group to Cerberus Capital Management.",
     [("DaimlerChrysler", "sells", "Chrysler Group"), ("DaimlerChrysler", "sellsTo", "Cerberus Capital Management"),
      ("Cerberus Capital Management", "acquires", "Chrysler Group")],
     [("Cerberus Capital Management", "sells", None), ("Chrysler Group", "acquires", None),
      ("DaimlerChrysler", "provides", None)]),
    # a name NER ran over the preposition ("NBC Universal to Disney") is no argument
    ("Comcast sold NBC Universal to Disney.", [], [("Comcast", "sellsTo", None)]),
    ("The farm sells half its output to Japan.", [], [(None, "provides", "Japan"), (None, "sellsTo", "Japan")]),
    ("Ryanair owns a 25 percent share in Aer Lingus.", [("Ryanair", "holdsStakeIn", "Aer Lingus")],
     [("Aer Lingus", "holdsStakeIn", "Ryanair"), ("Ryanair", "owns", None)]),
    ("The Walt Disney Company owns Marvel Studios.", [("Walt Disney Company", "owns", "Marvel Studios")], []),
    ("Fath Airport, owned by the Revolutionary Guards, was closed on Monday.",
     [(None, "owns", "Fath Airport")], [("Fath Airport", "owns", None)]),
    ("Aer Lingus, owned by the government, cut jobs.", [], [(None, "owns", "Aer Lingus")]),
    ("Exxon and Mobil merged in 1999.", [("Exxon", "mergesWith", "Mobil")], []),
    ("SoftBank plans to invest in Uber.", [("SoftBank", "investsIn", "Uber", "positive", "planned")], []),
    ("Bill Gates founded Microsoft in 1975.", [("Bill Gates", "founderOf", "Microsoft", "positive", "asserted")], []),
    ("Microsoft was founded by Bill Gates and Paul Allen.",
     [("Bill Gates", "founderOf", "Microsoft"), ("Paul Allen", "founderOf", "Microsoft")], [("Microsoft", "founderOf", None)]),
    ("Paul Allen founded Microsoft with Bill Gates.",
     [("Paul Allen", "founderOf", "Microsoft"), ("Bill Gates", "founderOf", "Microsoft")], []),
    pytest.param("Larry Page co-founded Google with Sergey Brin.",
                 [("Larry Page", "founderOf", "Google"), ("Sergey Brin", "founderOf", "Google")], [],
                 marks=pytest.mark.xfail(reason="spaCy splits 'co-founded' into co, -, founded: no subject")),
    ("The rebels formed a coalition with the Taliban.", [], [(None, "founderOf", None)]),
    ("Macron formed a government with the Socialists.", [], [(None, "founderOf", None)]),
    ("The treaty established the European Union.", [], [(None, "founderOf", None)]),
    ("Tim Cook wants to found a new company.", [], [(None, "founderOf", None)]),
    ("The European Commission hit Google with a record fine on Tuesday.",
     [("European Commission", "sanctions", "Google")], [("European Commission", "attacks", "Google")]),
    ("The Federal Reserve hit Wells Fargo hard last year.", [], [(None, "sanctions", "Wells Fargo")]),
    ("Toyota did not buy a stake in Subaru.", [("Toyota", "acquiresStakeIn", "Subaru", "negative")],
     [("Toyota", "acquiresStakeIn", "Subaru", "positive")]),
    ("Toyota may buy a 20 percent stake in Subaru.", [("Toyota", "acquiresStakeIn", "Subaru", "positive", "possible")],
     [("Toyota", "acquiresStakeIn", "Subaru", "positive", "asserted")]),
    ("Toyota bought 12 new aircraft from Airbus.", [], [("Toyota", "acquires", None)]),
    ("The Walt Disney Company does not own Marvel Studios.",
     [("Walt Disney Company", "owns", "Marvel Studios", "negative")], [(None, "owns", None, "positive")]),
    ("Exxon plans to merge with Mobil.", [("Exxon", "mergesWith", "Mobil", "positive", "planned")],
     [("Exxon", "mergesWith", "Mobil", "positive", "asserted")]),
    ("Siemens did not sell its hearing aid unit to EQT Partners.",
     [("Siemens", "sellsTo", "EQT Partners", "negative")], [(None, None, None, "positive")]),
    ("Tesco sold its South Korean chain HomePlus to MBK Partners.",
     [("Tesco", "sells", "HomePlus"), ("Tesco", "sellsTo", "MBK Partners")],
     []),
    ("Apple did not invest in Uber.", [("Apple", "investsIn", "Uber", "negative")], [(None, "investsIn", None, "positive")]),
    ("The European Commission could hit Google with a fine.",
     [("European Commission", "sanctions", "Google", "positive", "possible")],
     [("European Commission", "sanctions", "Google", "positive", "asserted")]),
    # an infinitive is a fact only after a verb saying it happened ("managed to"); a word of
    # infinitive_modality gives its modality ("tried to" hoped); any other states nothing
    ("Ryanair tried to buy Aer Lingus.", [("Ryanair", "acquires", "Aer Lingus", "positive", "hoped")],
     [("Ryanair", "acquires", None, "positive", "asserted")]),
    ("Ryanair has been attempting to take over Aer Lingus since December.",
     [("Ryanair", "acquires", "Aer Lingus", "positive", "hoped")], [("Ryanair", "acquires", None, "positive", "asserted")]),
    ("Microsoft offered to buy LinkedIn.", [], [("Microsoft", "acquires", None, "positive", "asserted")]),
    ("Microsoft's bid to acquire LinkedIn failed.", [], [("Microsoft", "acquires", None, "positive", "asserted")]),
    ("The Penske Automotive Group was selected to purchase Saturn Corporation.",
     [("Penske Automotive Group", "acquires", "Saturn Corporation", "positive", "planned")],
     [(None, "acquires", None, "positive", "asserted")]),
    ("Microsoft was allowed to acquire LinkedIn.", [], [("Microsoft", "acquires", None)]),
    ("Ryanair did not try to buy Aer Lingus.", [], [("Ryanair", "acquires", None, "positive")]),
    ("Microsoft is expected to acquire LinkedIn.", [("Microsoft", "acquires", "LinkedIn", "positive", "planned")], []),
    ("England failed to beat France in the final.", [], [("England", "beats", "France", "positive")]),
    ("Caloundra managed to beat Maroochydore in the final.", [("Caloundra", "beats", "Maroochydore", "positive")], []),
    ("Caloundra did not manage to beat Maroochydore in the final.", [],
     [("Caloundra", "beats", "Maroochydore", "positive")]),
    # no event nouns: a takeover someone blocked is no acquisition, least of all by the blocker
    ("The European Commission blocked Ryanair's takeover of Aer Lingus.", [],
     [("European Commission", "acquires", None), ("Ryanair", "acquires", "Aer Lingus", "positive", "asserted")]),
    ("Regulators approved the merger of Exxon with Mobil.", [], [(None, "mergesWith", None)]),
    # ---------------------------------------------------------------- based in
    ("The New York-based firm Cerberus Capital Management made an offer.",
     [("Cerberus Capital Management", "basedIn", "New York")], []),
    ("UK-based retailer Tesco and Denmark-based retailer Salling Group signed a deal.",
     [("Tesco", "basedIn", "United Kingdom"), ("Salling Group", "basedIn", "Denmark")],
     [("Salling Group", "basedIn", "United Kingdom"), ("Tesco", "basedIn", "Denmark")]),
    ("Cisco Systems, headquartered in San Jose, reported strong sales.",
     [("Cisco Systems", "basedIn", "San José")], []),
    ("The German company Siemens opened a plant.", [("Siemens", "basedIn", "Germany")], []),
    ("Irish national airline Aer Lingus bought new jets.", [("Aer Lingus", "basedIn", "Ireland")], []),
    ("Chinese state-owned carmaker SAIC Motor opened a plant.", [("China", "owns", "SAIC Motor")], []),
    ("Its German subsidiary Opel cut jobs.", [], [("Opel", "basedIn", None)]),
    ("Cisco Systems is not headquartered in San Jose.", [("Cisco Systems", "basedIn", "San José", "negative")],
     [(None, "basedIn", None, "positive")]),
    # ---------------------------------------------------------------- places
    ("The singer died at her home in Carmel Valley, California.", [("Carmel Valley", "locatedIn", "California")], []),
    ("The Kennedy Space Center in Florida hosted the launch.",
     [("Kennedy Space Center", "locatedIn", "Florida")], []),
    ("Ministers from France, Germany, Italy and Spain met in Brussels.", [],
     [("France", "locatedIn", None), ("Germany", "locatedIn", None)]),
    # ---------------------------------------------------------------- sport
    ("Caloundra defeated Maroochydore 45-24 in round three.", [(None, "beats", "Maroochydore")],
     [("Maroochydore", "beats", None)]),
    ("England beat France 24-10 in the final.", [("England", "beats", "France")], [("France", "beats", "England")]),
    ("Caloundra could beat Maroochydore in the final.",
     [("Caloundra", "beats", "Maroochydore", "positive", "possible")], [(None, "beats", None, "positive", "asserted")]),
    ("Karsten Warholm did not win the gold medal.", [("Karsten Warholm", "wins", "gold medal", "negative")],
     [(None, "wins", None, "positive")]),
    ("Karsten Warholm hopes to win the gold medal.", [("Karsten Warholm", "wins", "gold medal", "positive", "hoped")],
     [(None, "wins", None, "positive", "asserted")]),
    ("Kobe Bryant never played for the Boston Celtics.", [("Kobe Bryant", "playsFor", "Boston Celtics", "negative")],
     [(None, "playsFor", None, "positive")]),
    ("If Caloundra beats Maroochydore, they will win the league.", [], [(None, "beats", None)]),
    ("Unless Microsoft buys LinkedIn and sells Skype to Apple, the deal collapses.", [],
     [(None, "acquires", None), (None, "sells", None), (None, "sellsTo", None)]),
    ("Police beat protesters outside the parliament.", [], [(None, "beats", None)]),
    ("Apple beat analysts' expectations in the fourth quarter.", [], [("Apple", "beats", None)]),
    ("The Boston Celtics lost to the Miami Heat on Sunday.", [("Miami Heat", "beats", "Boston Celtics")],
     [("Boston Celtics", "beats", "Miami Heat")]),
    ("The company lost customers to Amazon.", [], [("Amazon", "beats", None)]),
    ("Jacques Chirac lost to cancer.", [], [(None, "beats", "Jacques Chirac")]),
    ("Karsten Warholm won the gold medal in Doha.", [("Karsten Warholm", "wins", "gold medal")], []),
    ("The silver medal was won by Rai Benjamin.", [("Rai Benjamin", "wins", "silver medal")], []),
    ("The bronze medal went to Abderrahman Samba.", [("Abderrahman Samba", "wins", "bronze medal")], []),
    ("Maria Lopez was awarded the Presidential Medal of Freedom in 2004.",
     [("Maria Lopez", "wins", "Presidential Medal of Freedom")], []),
    ("The senator won support from the unions.", [], [("senator", "wins", None), (None, "wins", "support")]),
    ("Maria Lopez was nominated for the Academy Award.", [], [("Maria Lopez", "wins", None)]),
    ("Kobe Bryant played for the Los Angeles Lakers for 20 years.",
     [("Kobe Bryant", "playsFor", "Los Angeles Lakers")], []),
    ("John Smith signed for Real Madrid in July.", [("John Smith", "signsFor", "Real Madrid")], []),
    ("John Smith signed a contract with Real Madrid.", [], [("John Smith", "signsFor", None)]),
    ("England did not beat France in the final.", [("England", "beats", "France", "negative")],
     [("England", "beats", "France", "positive")]),
    ("Maria Lopez played for time during the negotiations.", [], [("Maria Lopez", "playsFor", None)]),
    ("Phil Jackson coached the Chicago Bulls for nine years.", [("Phil Jackson", "coachOf", "Chicago Bulls")], []),
    # ---------------------------------------------------------------- science and technology
    ("The Crew Dragon docked with the International Space Station on Sunday.",
     [("Crew Dragon", "docksWith", "International Space Station")], []),
    ("The Crew Dragon will dock with the International Space Station on Sunday.",
     [("Crew Dragon", "docksWith", "International Space Station", "positive", "planned")],
     [(None, "docksWith", None, "positive", "asserted")]),
    ("The Crew Dragon failed to dock with the International Space Station.", [], [(None, "docksWith", None, "positive")]),
    ("The astronauts are slated to dock at 1429 UTC.", [], [(None, "docksWith", None)]),
    ("A study published in Nature Astronomy by a team from University College London found water.",
     [("University College London", "publishesIn", "Nature Astronomy")], []),
    ("Novartis developed a new cancer drug.", [("Novartis", "develops", "cancer drug")], []),
    ("Novartis did not develop a new cancer drug.", [("Novartis", "develops", "cancer drug", "negative")],
     [(None, "develops", None, "positive")]),
    ("Scientists discovered a new species of frog in Peru.", [], [(None, "discovers", "species")]),
    ("The patient developed pneumonia.", [], [(None, "develops", None)]),
    # ---------------------------------------------------------------- culture
    ("Meryl Streep starred in the film The Post.", [("Meryl Streep", "starsIn", "Post")], []),
    ("Meryl Streep did not star in the film The Post.", [("Meryl Streep", "starsIn", "Post", "negative")],
     [(None, "starsIn", None, "positive")]),
    ("Steven Spielberg directed the rescue effort.", [], [(None, "directs", None)]),
    ("Jacques Chirac did not die in Paris.", [("Jacques Chirac", "diesIn", "Paris", "negative")],
     [(None, "diesIn", None, "positive")]),
    ("Meryl Streep appeared in court on Monday.", [], [("Meryl Streep", "starsIn", None)]),
    ("The film was directed by Ryan Coogler.", [], [("Ryan Coogler", "directs", "film")]),
    ("The next day, Trump held a rally in Washington, D.C. in which he spoke.", [], [(None, "locatedIn", None)]),
    ("She was taken to a hospital in Berlin on Monday.", [], [(None, "locatedIn", None)]),
    ("The paper described the discovery of these tools.", [], [(None, "discovers", None)]),
    ("Did Borna Derakhshani also decide not to play for Iran?", [], [(None, "playsFor", None)]),
    ("He said he would want to play for Germany.", [], [(None, "playsFor", None)]),
    ("Chrysler will be owned 55 percent by the United Auto Workers.", [],
     [(None, "owns", "Chrysler")]),
    ("Jacques Chirac was born in 1932 in Paris.", [("Jacques Chirac", "bornIn", "Paris")], []),
    ("Jacques Chirac died at home in Paris on Thursday.", [("Jacques Chirac", "diesIn", "Paris")], []),
    ("Jacques Chirac died of cancer in 2019.", [("Jacques Chirac", "diesOf", "cancer")], []),
    ("Jacques Chirac died of complications.", [], [(None, "diesOf", None)]),
    ("Jacques Chirac died in a car crash.", [], [("Jacques Chirac", "diesIn", None)]),
    ("Maria Lopez married Al Jorden in 1941.", [("Maria Lopez", "marriedTo", "Al Jorden")], []),
    pytest.param("Maria Lopez is married to Al Jorden.", [("Maria Lopez", "marriedTo", "Al Jorden")], [],
                 marks=pytest.mark.xfail(reason="spaCy parses 'is married' as be + adjective: no verb clause to read")),
    # ---------------------------------------------------------------- crime and justice
    ("Judge Michael Urbanski sentenced James Fields to life in prison.",
     [("Michael Urbanski", "sentences", "James Fields"), ("James Fields", "sentencedTo", "life in prison")],
     [("James Fields", "sentences", None)]),
    ("Paul Manafort was sentenced to 73 months in federal prison.",
     [("Paul Manafort", "sentencedTo", "73 months in federal prison")], []),
    ("A federal jury convicted Michael Avenatti of extortion.",
     [("federal jury", "convicts", "Michael Avenatti"), ("Michael Avenatti", "convictedOf", "extortion")], []),
    ("Michael Avenatti was not convicted of extortion.", [("Michael Avenatti", "convictedOf", "extortion", "negative")],
     [(None, "convictedOf", None, "positive")]),
    ("A federal jury could convict Michael Avenatti of extortion.",
     [("Michael Avenatti", "convictedOf", "extortion", "positive", "possible")],
     [(None, "convictedOf", None, "positive", "asserted"), (None, "convicts", None, "positive", "asserted")]),
    ("Judge Michael Urbanski may sentence James Fields to life in prison.",
     [("James Fields", "sentencedTo", "life in prison", "positive", "possible")],
     [(None, "sentencedTo", None, "positive", "asserted")]),
    ("The court acquitted Maria Lopez of all charges.", [("court", "acquits", "Maria Lopez", "positive")],
     [(None, "convictedOf", None)]),
    ("Bruce McArthur is expected to plead guilty to murder.",
     [("Bruce McArthur", "pleadsGuiltyTo", "murder", "positive", "planned")],
     [(None, "pleadsGuiltyTo", None, "positive", "asserted")]),
    ("Jacques Chirac was convicted of corruption in 2011.", [("Jacques Chirac", "convictedOf", "corruption")], []),
    ("The jury found John Smith guilty of fraud.", [("John Smith", "convictedOf", "fraud")], []),
    ("A federal jury found John Smith not guilty of fraud.", [("federal jury", "acquits", "John Smith")],
     [("John Smith", "convictedOf", None), (None, "convicts", "John Smith")]),
    ("Bruce McArthur pleaded guilty to eight counts of murder.",
     [("Bruce McArthur", "pleadsGuiltyTo", "murder", "positive")], []),
    ("Bruce McArthur pleaded not guilty to fraud.", [("Bruce McArthur", "pleadsGuiltyTo", "fraud", "negative")],
     [("Bruce McArthur", "pleadsGuiltyTo", "fraud", "positive")]),
    ("Nikoloz Basilashvili was arrested on a charge of drunk driving.",
     [("Nikoloz Basilashvili", "chargedWith", "drunk driving")], []),
    ("Maria Lopez was arrested on suspicion of burglary.", [("Maria Lopez", "suspectedOf", "burglary")],
     [("Maria Lopez", "chargedWith", None)]),
    ("Prosecutors charged Maria Lopez with fraud.", [("Maria Lopez", "chargedWith", "fraud")], []),
    ("Prosecutors did not charge Maria Lopez with fraud.", [("Maria Lopez", "chargedWith", "fraud", "negative")],
     [("Maria Lopez", "chargedWith", "fraud", "positive")]),
    ("The board charged Maria Lopez with the task of reform.", [], [("Maria Lopez", "chargedWith", None)]),
    ("The FBI launched an investigation into Acme Corp.",
     [("Federal Bureau of Investigation", "investigates", "Acme Corp")], []),
    ("Prosecutors may charge Maria Lopez with fraud.", [("Maria Lopez", "chargedWith", "fraud", "positive", "possible")],
     [(None, "chargedWith", None, "positive", "asserted")]),
    ("The FBI is not investigating Acme Corp.", [("Federal Bureau of Investigation", "investigates", "Acme Corp", "negative")],
     [(None, "investigates", None, "positive")]),
    ("Investigators are looking into the cause of the crash.", [], [(None, "investigates", None)]),
    # ---------------------------------------------------------------- light verbs (the verb rules' own)
    ("Cisco Systems filed a lawsuit against Apple.", [("Cisco Systems", "sues", "Apple")], []),
    ("Iran held talks with the European Union.", [("Iran", "meets", "European Union")], []),
]


@pytest.mark.parametrize("text, present, absent", CASES, ids=[(c.values if hasattr(c, "values") else c)[0][:50] for c in CASES])
def test_construction(run, text, present, absent):
    found = facts(run(text))
    for want in present:
        assert has(found, want), f"{want} not in {found}"
    for bad in absent:
        assert not has(found, bad), f"{bad} in {found}"


def test_score_kept_in_the_trigger(run):
    ag = run("Caloundra defeated Maroochydore 45-24 in round three.")
    beats = [r for r in ag.relations if r.predicate == "beats"]
    assert beats and "45-24" in beats[0].evidence.trigger


def test_a_claimed_verb_is_not_read_again(run):
    """"sold X to Y" is a sale: the verb rules' provides (supply) is not stated too."""
    ag = run("Siemens sold its hearing aid unit to EQT Partners.")
    assert {r.predicate for r in ag.relations} & {"provides"} == set()


# ---------------------------------------------------------------- the rule file
def _patterns_yaml() -> dict:
    return yaml.safe_load((data_dir() / "patterns.yaml").read_text(encoding="utf-8"))


def test_every_pattern_predicate_is_in_the_ontology():
    onto = Graph().parse(data_dir() / "ontology.ttl")
    preds = load_patterns().predicates()
    assert preds
    for p in preds:
        assert (KG[p], RDF.type, OWL.ObjectProperty) in onto, p
        assert p in load_vocabulary().predicates, p


def test_rule_words_are_strings():
    """YAML reads a bare `on`, `off` or `no` as a boolean; every rule word must stay a string."""
    raw = _patterns_yaml()
    for name, words in raw["lists"].items():
        assert all(isinstance(w, str) for w in words), name
    for f in raw["frames"]:
        for key in ("verbs", "particles"):
            assert all(isinstance(w, str) for w in f.get(key) or []), (f["id"], key)
        for key in ("heads", "not_heads"):
            for slot, words in (f.get(key) or {}).items():
                assert isinstance(slot, str), (f["id"], key, slot)


def test_frame_ids_are_unique():
    ids = [f["id"] for f in _patterns_yaml()["frames"]]
    assert len(ids) == len(set(ids))


def test_a_pattern_naming_an_unknown_predicate_is_refused(tmp_path):
    for src in data_dir().glob("*.yaml"):  # the vocabulary may read any of them
        (tmp_path / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "patterns.yaml").write_text(
        "frames:\n  - id: x\n    verbs: [buy]\n    yields:\n      - {pred: purchasesFrom, subject: subject, object: object}\n",
        encoding="utf-8")
    with pytest.raises(PatternError, match="purchasesFrom"):
        load_patterns(str(tmp_path))
