"""Entities right (kg/names.py, data/entities.yaml, kg/resolve/, the summary's vote): one node
per entity whatever its mentions' types and spellings, one type and one label for it, ISO codes
that are not countries, a surname that is also a capital, companies, parties and militias typed
Organization, titles left out of a name. Sentences are made up in the style of news.

The tests named in tests/conftest.py's MODEL set run the real spaCy model; the others need none.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.gazetteer import get_gazetteer
from kg.model import Article, ArticleGraph, Entity, Provenance, Relation
from kg.names import entity_words, name_identity
from kg.rdf import KG, SUMMARY_GRAPH, mint
from kg.store import KGStore
from kg.validate import validate
from kg.write import Writer

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"


# ---------------------------------------------------------------- identities (no model)
@pytest.mark.parametrize("a, b", [
    ("eBay", "Ebay"),  # case
    ("George W. Bush", "George W Bush"),  # punctuation
    ("Apple Inc.", "Apple"),  # legal form
    ("Chrysler Holding LLC", "Chrysler"),
    ("Société Générale", "Societe Generale"),  # accents
    ("World Health Organisation", "World Health Organization"),  # spelling (data: spelling_variants)
    ("Israel Defence Forces", "Israel Defense Forces"),
    ("EU Commission", "European Commission"),  # well-known alias (data: aliases)
    ("United Nations Security Council", "UN Security Council"),
    ("the Beatles", "Beatles"),
])
def test_spellings_of_one_name_have_one_identity(a, b):
    assert name_identity(a) == name_identity(b)


@pytest.mark.parametrize("a, b", [
    ("Yahoo", "Yahoo Messenger"),  # a product is not its maker
    ("Apple", "Apple Music"),
    ("Labour Party", "Labor Party"),  # two parties: no spelling fold
    ("European Commission", "European Council"),
    ("Group", "Inc"),  # a lone legal word stays a name
    ("ceasefire", "Ceasefire Now"),  # a concept is no name
])
def test_different_names_keep_their_identities(a, b):
    assert name_identity(a) != name_identity(b)


def test_identity_kinds():
    assert name_identity("missile strike") == "concept:missile strike"
    assert name_identity("Acme Corp") == "entity:acme"
    assert mint("entity", "entity:acme").endswith("/id/entity/acme")  # no type in the IRI


@pytest.mark.parametrize("name, expected", [
    ("Saha Airlines", "Organization"), ("Likud Party", "Organization"), ("Hamas Militia", "Organization"),
    ("Al-Aqsa Brigades", "Organization"), ("Bank of England", "Organization"),
    ("Abaco Islands", "Place"), ("Lake Victoria", "Place"),
    ("Typhoon Phanfone", "Event"), ("Chicago Marathon", "Event"),
    ("John Smith", None), ("Post", None),  # a one-word name says nothing
    ("Harold Park", None),  # "Park" is a surname too: never outvotes a person
])
def test_the_words_of_a_name_give_its_type(name, expected):
    assert entity_words().name_type(name) == expected


@pytest.mark.parametrize("name, expected", [
    ("SpaceX", True), ("eBay", True), ("YouTube", True),
    ("McCain", False), ("DiCaprio", False), ("MacArthur", False), ("Smith", False), ("BBC", True),  # an acronym is no name of a person
])
def test_a_capital_inside_a_word_is_no_persons_name(name, expected):
    assert entity_words().no_person_shape(name) is expected


@pytest.mark.parametrize("before, after, possessive, expected", [
    (["shares", "of"], [], False, "Organization"),
    (["spokesman", "for"], [], False, "Organization"),
    ([], ["chief", "executive"], True, "Organization"),
    ([], ["party"], False, "Organization"),
    ([], ["spokesman"], True, None),  # people have spokesmen too
    (["mr"], [], False, "Person"),
    (["visited"], ["on"], False, None),
])
def test_the_words_around_a_name_give_its_type(before, after, possessive, expected):
    assert entity_words().context_type(before, after, possessive) == expected


@pytest.mark.parametrize("code, country", [("BT", "Bhutan"), ("IE", "Ireland"), ("MDA", "Moldova")])
def test_iso_codes_news_does_not_write_for_countries_are_no_names(code, country):
    gaz = get_gazetteer()
    assert gaz.lookup(code) is None  # never a country by itself
    assert gaz.code_country(code).name == country  # only where the text means a place


@pytest.mark.parametrize("code, country", [("US", "United States"), ("UK", "United Kingdom"),
                                           ("UAE", "United Arab Emirates")])
def test_codes_news_writes_for_countries_stay_names(code, country):
    assert get_gazetteer().lookup(code).name == country


@pytest.mark.parametrize("alias, name", [("EU Commission", "European Commission"),
                                         ("World Health Organisation", "World Health Organization")])
def test_gazetteer_knows_well_known_aliases_and_spellings(alias, name):
    assert get_gazetteer().lookup(alias).name == name


# ---------------------------------------------------------------- the type vote of one article (no model)
def _resolve(specs: list[tuple]) -> dict[str, tuple[str, str]]:
    """Resolve hand-made mentions ``(name, NER label, cue, title)``: identity -> (type, label)."""
    from kg.extract.records import DocExtraction, Mention
    from kg.resolve import Resolver

    text = " ".join(f"{name}." for name, *_ in specs)
    mentions, pos = [], 0
    for i, (name, label, cue, title) in enumerate(specs):
        mentions.append(Mention(i, name, name, label, pos, pos + len(name), i, cue=cue, title=title,
                                surname=name.split()[-1] if label == "PERSON" else ""))
        pos += len(name) + 2
    ag = Resolver().resolve(DocExtraction(Article("t", text), ((0, len(text)),), tuple(mentions), (), ()))
    return {e.identity: (e.type, e.label) for e in ag.entities}


@pytest.mark.parametrize("specs, name, expected", [
    # NER reads a repeated name the same (wrong) way: its context, title and surname outweigh it
    ([("Valeria Gazzola", "PERSON", "Person", None), ("Gazzola", "PERSON", "", None)]
     + [("Valeria Gazzola", "ORG", "", None)] * 12, "Valeria Gazzola", "Person"),
    # ... while a name NER reads as an organisation every time, with nothing else, stays one
    ([("Corvin Holdings", "ORG", "", None)] * 3 + [("Corvin Holdings", "PERSON", "", None)],
     "Corvin Holdings", "Organization"),
    # the words of the name: "Airlines" against two PERSON readings
    ([("Saha Airlines", "PERSON", "", None)] * 2, "Saha Airlines", "Organization"),
    # context: "shares of X", "X's chief executive"
    ([("Zentrix", "PERSON", "Organization", None), ("Zentrix", "PERSON", "Organization", None),
      ("Zentrix", "GPE", "", None)], "Zentrix", "Organization"),
    # a title makes a person of a name NER took for a place
    ([("Dana Ross", "GPE", "", "presidentOf"), ("Dana Ross", "GPE", "", None)], "Dana Ross", "Person"),
    # read as often as a place as a person, with no person's full name behind it: a place
    ([("Boulder", "GPE", "", None), ("Boulder", "PERSON", "", None)], "Boulder", "Place"),
    # a capital inside a one-word name is no person's ("SpaceX")
    ([("SpaceX", "PERSON", "", None), ("SpaceX", "ORG", "", None)], "SpaceX", "Organization"),
])
def test_one_type_per_entity_from_its_evidence(specs, name, expected):
    got = _resolve(specs)
    assert got[name_identity(name)] == (expected, name), got
    assert len([i for i in got if i == name_identity(name)]) == 1


def test_a_capital_that_is_a_persons_surname_stays_the_person():
    """"Amman said" after "Ahmed Amman": the person, not Jordan (nor the city)."""
    got = _resolve([("Ahmed Amman", "PERSON", "", None), ("Amman", "GPE", "", None)])
    assert got[name_identity("Ahmed Amman")] == ("Person", "Ahmed Amman")
    assert not any(t in ("Country", "City") for t, _ in got.values()), got


# ---------------------------------------------------------------- one node, one type, one label
def _graph(doc: str, entities: list[Entity]) -> ArticleGraph:
    text = "Acme fired Zed."
    ev = Provenance(doc, text, 0, len(text), "fired")
    rel = Relation(entities[0].key, "dismisses", entities[1].key, ev, confidence=0.8, rule="svo")
    return ArticleGraph(Article(doc, text, title=doc), tuple(entities), (rel,), ())


def _entity(type_: str, label: str, mentions: int = 1) -> Entity:
    return Entity(Entity.make_key(type_, label), type_, label, (), None, mentions, id=name_identity(label))


def test_mentions_typed_and_spelt_differently_are_one_node_with_one_type_and_label(tmp_path):
    """Three articles: "Acme" an organisation twice, a person once; "ACME" once. One node, typed
    Organization, labelled Acme, ACME an alias; the store validates."""
    zed = _entity("Person", "Zed Roe")
    graphs = [_graph("a1", [_entity("Organization", "Acme", 2), zed]),
              _graph("a2", [_entity("Organization", "Acme"), zed]),
              _graph("a3", [_entity("Person", "ACME"), zed])]
    with KGStore.open(tmp_path / "s") as s:
        with Writer(s) as w:
            w.write(graphs)
        node = ox.NamedNode(str(mint("entity", "entity:acme")))
        summary = ox.NamedNode(str(SUMMARY_GRAPH))

        def objects(p):
            return sorted(q.object.value for q in s.ox.quads_for_pattern(node, ox.NamedNode(p), None, summary))

        assert objects(RDF_TYPE) == [str(KG.Organization)]
        assert objects(RDFS_LABEL) == ["Acme"]
        assert "ACME" in objects(SKOS_ALT)
        ok, report, _ = validate(s)
        assert ok, report


def test_a_later_article_that_outvotes_the_type_changes_it(tmp_path):
    """The vote is over all articles, however they are batched: two later Person votes win."""
    zed = _entity("Person", "Zed Roe")
    with KGStore.open(tmp_path / "s") as s:
        with Writer(s) as w:
            w.write([_graph("a1", [_entity("Organization", "Acme"), zed])])
        with Writer(s) as w:
            w.write([_graph(f"b{i}", [_entity("Person", "Acme"), zed]) for i in range(2)])
        node = ox.NamedNode(str(mint("entity", "entity:acme")))
        types = [q.object.value for q in s.ox.quads_for_pattern(node, ox.NamedNode(RDF_TYPE), None,
                                                                 ox.NamedNode(str(SUMMARY_GRAPH)))]
        assert types == [str(KG.Person)]


# ---------------------------------------------------------------- articles (spaCy model)
@pytest.fixture(scope="module")
def resolved():
    from kg.extract import Extractor
    from kg.nlp import load
    from kg.resolve import Resolver

    nlp, ex, resolver = load(), Extractor(), Resolver()

    def _run(text: str) -> ArticleGraph:
        return resolver.resolve(ex.extract(nlp(text), Article("t", text)))

    return _run


def _types(ag: ArticleGraph) -> set[tuple[str, str]]:
    return {(e.label, e.type) for e in ag.entities}


@pytest.mark.parametrize("text, present, absent", [
    # ISO codes of companies, products and associations
    ("BT said on Monday it would cut 10,000 jobs. BT shares fell 3 percent.", ("BT", "Organization"),
     ("Bhutan", "Country")),
    ("The MDA, an industry association, said sales fell. MDA chairman John Smith blamed the tariffs.",
     ("MDA", "Organization"), ("Moldova", "Country")),
    ("Microsoft released a new version of IE on Tuesday.", None, ("Ireland", "Country")),
    # ... while the codes news writes for countries stay countries
    ("The US and the UK signed a trade deal on Friday.", ("United Kingdom", "Country"), None),
    # a surname that is a capital is the person, not the country
    ("Lawyer Ahmed Amman filed the appeal on Monday. Amman said the court had erred.",
     ("Ahmed Amman", "Person"), ("Jordan", "Country")),
    # ... and a capital as an actor is still its state
    ("Amman said on Monday it would reopen the border crossing.", ("Jordan", "Country"), None),
    # companies are no people
    ("Shares of Zentrix rose 5 percent after Zentrix's chief executive announced a merger.",
     ("Zentrix", "Organization"), ("Zentrix", "Person")),
    ("Korvan Motors recalled 20,000 cars. Korvan said the brakes were faulty.", ("Korvan Motors", "Organization"),
     ("Korvan", "Person")),
    # parties and militias are organisations
    ("The Likud party won 30 seats. Likud leaders celebrated in Tel Aviv.", ("Likud", "Organization"),
     ("Likud", "Person")),
    ("Hezbollah, the Lebanese militia, fired rockets on Sunday.", ("Hezbollah", "Organization"),
     ("Hezbollah", "Person")),
    # a social network where something was said is no entity
    ("The minister said on Twitter that the talks had failed.", None, ("Twitter", "Organization")),
])
def test_entity_types_from_evidence(resolved, text, present, absent):
    types = _types(resolved(text))
    if present:
        assert present in types, types
    if absent:
        assert absent not in types, types


@pytest.mark.parametrize("text, label, others", [
    # title + name variants are one person
    ("Archbishop Desmond Tutu spoke in Cape Town. Desmond Tutu said peace was possible. Tutu later left.",
     "Desmond Tutu", ("Archbishop Desmond Tutu", "Tutu")),
    ("Lieutenant Colonel Anna Berg led the unit. Berg said the mission was over.", "Anna Berg",
     ("Lieutenant Colonel Anna Berg",)),
    # case, punctuation, spelling and well-known aliases
    ("eBay reported higher profits. Ebay's shares rose.", "eBay", ("Ebay",)),
    ("George W. Bush met the Pope. George W Bush later flew home.", "George W. Bush", ("George W Bush",)),
    ("The EU Commission fined the firm. The European Commission said the fine was fair.", "European Commission",
     ("EU Commission",)),
    ("The World Health Organisation warned of a pandemic. The World Health Organization said cases rose.",
     "World Health Organization", ("World Health Organisation",)),
    ("Apple Inc. unveiled a phone. Apple said sales rose.", "Apple Inc", ("Apple",)),
    # an acronym in brackets is no part of the name (NER reads "Organization (WHO" as one)
    ("The World Health Organization (WHO) declared a pandemic on Wednesday.", "World Health Organization",
     ("World Health Organization (WHO",)),
    ("The United States Commission on International Religious Freedom (USCIRF) criticised Turkey.",
     "United States Commission on International Religious Freedom",
     ("United States Commission on International Religious Freedom (USCIRF",)),
    # a short form of a name the article gives in full
    ("Saha Airlines cancelled its flights. Saha said it would resume them in May.", "Saha Airlines", ("Saha",)),
])
def test_variants_of_a_name_are_one_entity(resolved, text, label, others):
    ag = resolved(text)
    by_label = {e.label: e for e in ag.entities}
    assert label in by_label, sorted(by_label)
    for o in others:
        assert o not in by_label, sorted(by_label)  # no node of its own
    assert len({e.identity for e in ag.entities}) == len(ag.entities)  # one entity per identity


@pytest.mark.parametrize("text, a, b", [
    ("Yahoo launched Yahoo Messenger in 1998.", "Yahoo", "Yahoo Messenger"),  # product and maker apart
    ("Flights from Karipur were cancelled. Karipur Airport stayed closed.", "Karipur", "Karipur Airport"),
])
def test_different_entities_stay_apart(resolved, text, a, b):
    labels = {e.label for e in resolved(text).entities}
    assert a in labels and b in labels, labels

