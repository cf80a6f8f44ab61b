"""Extraction rules on sentences of our own, in varied news phrasing (real spaCy model).

Each case lists facts that must be found (``expected``) and, where the rule must NOT
fire, facts that must be absent. A fact is ``(subject label, predicate, object label,
polarity)``; quotations are checked separately.
"""

from __future__ import annotations

import pytest

from kg.extract import Extractor
from kg.model import Article
from kg.nlp import load
from kg.resolve import Resolver




def facts(ag):
    label = {e.key: e.label for e in ag.entities}
    return {(label[r.subject], r.predicate, label[r.object], r.polarity) for r in ag.relations}


def entity_types(ag):
    return {e.label: e.type for e in ag.entities}


@pytest.mark.parametrize(
    "text, expected",
    [
        # direct objects, synonyms normalised
        ("France condemned the coup in Niger.", ("France", "opposes", "coup", "positive")),
        ("Germany rejected the budget proposal on Tuesday.", ("Germany", "opposes", "budget proposal", "positive")),
        # negation mapped through the vocabulary: not support -> opposes
        ("Japan does not support the embargo.", ("Japan", "opposes", "embargo", "positive")),
        # prepositional (phrasal) verbs
        ("Brazil called for an immediate ceasefire.", ("Brazil", "callsFor", "ceasefire", "positive")),
        ("Emmanuel Macron spoke with Olaf Scholz on Monday.", ("Emmanuel Macron", "speaksWith", "Olaf Scholz", "positive")),
        # passive with a by-agent
        ("The sanctions were denounced by India.", ("India", "opposes", "sanctions", "positive")),
        # coordination of objects
        ("Canada supplied ammunition and tanks to Poland.", ("Canada", "provides", "weapons", "positive")),
        # nominal events with a possessor or a by-agent
        ("Narendra Modi's visit to Washington was a success.", ("Narendra Modi", "visits", "Washington D.C.", "positive")),
        ("Officials discussed the invasion of Kuwait by Iraq.", ("Iraq", "invades", "Kuwait", "positive")),
        # demonym as the agent of a nominal event
        ("Turkish calls for a truce went unanswered.", ("Turkey", "callsFor", "ceasefire", "positive")),
        # titles: demonym + title + name; organisation + title + name
        ("Kenyan President William Ruto arrived on Sunday.", ("William Ruto", "presidentOf", "Kenya", "positive")),
        ("Pentagon spokesman Pat Ryder declined to comment.", ("Pat Ryder", "spokespersonOf", "Department of Defense", "positive")),
        # relative clause: the antecedent is the subject
        ("Norway, which leads the observer mission, sent monitors.", ("Norway", "leads", "observer mission", "positive")),
        # control: "invited X to speak with Y"
        ("Spain invited Gabriel Boric to meet with Pedro Sanchez.", ("Gabriel Boric", "meets", "Pedro Sanchez", "positive")),
        # evidential negation: no signs that X supplied Y
        ("We have seen no signs that Iran supplied drones to the rebels.", ("Iran", "provides", "drones", "negative")),
        # light verb + event noun whose preposition is "on" (a YAML boolean if unquoted)
        ("The European Union imposed new sanctions on Iran.", ("European Union", "sanctions", "Iran", "positive")),
        ("Israel launched an attack on Rafah.", ("Israel", "attacks", "Rafah", "positive")),
        # a country's forces act for the country
        ("Russian forces shelled Kharkiv overnight.", ("Russia", "attacks", "Kharkiv", "positive")),
        # a symmetric event between coordinated parties
        ("Talks between Armenia and Azerbaijan ended without a deal.", ("Armenia", "meets", "Azerbaijan", "positive")),
        # one verb, two predicates, told apart by the object's type
        ("North Korea fired a ballistic missile on Thursday.", ("North Korea", "launches", "ballistic missile", "positive")),
        ("Gustavo Petro fired Jorge Ramos on Monday.", ("Gustavo Petro", "dismisses", "Jorge Ramos", "positive")),
        # an intransitive symmetric verb with coordinated subjects
        ("Japan and South Korea agreed to restore the pact.", ("Japan", "signsAgreementWith", "South Korea", "positive")),
        # passive phrasal verb with a stranded preposition
        ("A ceasefire was called for by the Arab League on Sunday.", ("Arab League", "callsFor", "ceasefire", "positive")),
        # symmetric verb with coordinated subjects
        ("Vladimir Putin and Recep Tayyip Erdogan met in Sochi.", ("Vladimir Putin", "meets", "Recep Tayyip Erdogan", "positive")),
        # title noun with an apposed name
        ("Ukraine's foreign minister, Dmytro Kuleba, said talks would resume.", ("Dmytro Kuleba", "ministerOf", "Ukraine", "positive")),
        # a title with "of" between a country and the name
        ("U.S. Secretary of State Antony Blinken arrived in Amman.", ("Antony Blinken", "ministerOf", "United States", "positive")),
        # urging an actor is not calling for it
        ("Antony Blinken urged Israel to protect civilians.", ("Antony Blinken", "urges", "Israel", "positive")),
        ("Egypt will host a new round of talks.", ("Egypt", "hosts", "talks", "positive")),
        # transparent noun with its PP attached to the verb; "from" introduces the agent
        ("Olaf Scholz rejected calls from Poland for reparations.", ("Olaf Scholz", "opposes", "reparations", "positive")),
        ("Olaf Scholz rejected calls from Poland for reparations.", ("Poland", "callsFor", "reparations", "positive")),
        # light verb + event noun
        ("Egypt extended its support to the Palestinian Authority.", ("Egypt", "supports", "Palestinian Authority", "positive")),
    ],
)
def test_rule_fires(run, text, expected):
    assert expected in facts(run(text)), sorted(facts(run(text)))


@pytest.mark.parametrize(
    "text, absent",
    [
        # negation is never dropped
        ("Japan does not support the embargo.", ("Japan", "supports", "embargo", "positive")),
        ("Iran has never supplied drones to Russia.", ("Iran", "provides", "drones", "positive")),
        ("We have seen no signs that Iran supplied drones.", ("Iran", "provides", "drones", "positive")),
        # a destination is not a visitor
        ("Narendra Modi's visit to Washington was a success.", ("Washington", "visits", "Narendra Modi", "positive")),
        # a verb outside the vocabulary makes no relation
        ("France admired the coup in Niger.", ("France", "opposes", "coup", "positive")),
        ("Antony Blinken urged Israel to protect civilians.", ("Antony Blinken", "callsFor", "Israel", "positive")),
        ("U.S. Secretary of State Antony Blinken arrived.", ("Antony Blinken", "memberOf", "State", "positive")),
        # a verb needs its object: "met in Sochi" relates no one to Sochi
        ("Vladimir Putin and Recep Tayyip Erdogan met in Sochi.", ("Vladimir Putin", "meets", "Sochi", "positive")),
        # domain/range: a city cannot join an organisation's membership as its object
        ("Tom Bradley joined the board in London.", ("Tom Bradley", "memberOf", "London", "positive")),
        # a nationality is no membership
        ("US singer Robert Palmer died at his home in Ohio.", ("Robert Palmer", "memberOf", "United States", "positive")),
        # a title is not transferred across a verb
        ("The Kenyan president met John Kirby.", ("John Kirby", "presidentOf", "Kenya", "positive")),
        # a nominal event without an agent makes no relation
        ("The invasion of Kuwait shocked the world.", ("Kuwait", "invades", "Kuwait", "positive")),
        # a destination of a visit is never the visitor, and the visitor is not the host
        ("Xi Jinping's trip to Moscow began on Monday.", ("Moscow", "visits", "Xi Jinping", "positive")),
        # hoped or planned facts are not asserted facts
        ("Chile hopes that Peru will sign the treaty.", ("Peru", "signsAgreementWith", "treaty", "positive")),
        # an unresolved pronoun never becomes a node
        ("It rejected the proposal.", ("It", "opposes", "proposal", "positive")),
    ],
)
def test_rule_does_not_fire(run, text, absent):
    assert absent not in facts(run(text))


@pytest.mark.parametrize(
    "text, expected_modality",
    [
        ("Angela Merkel plans to visit Kyiv.", "planned"),
        ("Angela Merkel will visit Kyiv next month.", "planned"),
        ("Angela Merkel hopes to visit Kyiv.", "hoped"),
        ("Analysts are watching whether Angela Merkel will visit Kyiv.", "questioned"),
        ("Angela Merkel visited Kyiv.", "asserted"),
    ],
)
def test_modality(run, text, expected_modality):
    ag = run(text)
    visits = [r for r in ag.relations if r.predicate == "visits"]
    assert visits and visits[0].modality == expected_modality


@pytest.mark.parametrize(
    "text, name, type_",
    [
        ("Seoul criticised a bloc aimed at Tokyo.", "Japan", "Country"),
        ("Kishida hosted Yoon in Tokyo.", "Tokyo", "City"),
        ("The U.S. imposed tariffs. The United States said America would not back down.", "United States", "Country"),
        ("Beijing has not ruled out sanctions against Canada.", "China", "Country"),
        ("The Kremlin rejected the proposal.", "Russia", "Country"),
        ("Olaf Scholz flew to Moscow on Monday.", "Moscow", "City"),
        ("French officials criticized the plan.", "France", "Country"),
    ],
)
def test_entity_resolution(run, text, name, type_):
    types = entity_types(run(text))
    assert types.get(name) == type_, types


def test_name_variants_are_one_entity(run):
    text = ("Foreign Minister Penny Wong met Wang Yi in Beijing. "
            "Ms Wong said the talks were useful. Later, Wong flew to Tokyo.")
    ag = run(text)
    people = [e for e in ag.entities if e.type == "Person"]
    assert [e.label for e in people if "Wong" in e.label] == ["Penny Wong"]
    wong = next(e for e in people if e.label == "Penny Wong")
    assert wong.mentions >= 3


def test_quotes_attributed_with_continuation_and_pronoun(run):
    text = (
        '"We will not accept this deal," Prime Minister Jacinda Ardern said on Friday.\n\n'
        '"It is unfair to our farmers."\n\n'
        '"We expect better," she added.'
    )
    ag = run(text)
    speakers = {q.speaker for q in ag.quotations}
    assert speakers == {"Person:Jacinda Ardern"}
    assert len(ag.quotations) == 3


def test_scare_quotes_are_not_quotations(run):
    ag = run('The minister called the plan a "historic mistake" in parliament.')
    assert ag.quotations == ()


def test_relation_inside_quote_is_attributed(run):
    text = '"We strongly oppose the annexation," said Josep Borrell, the EU foreign policy chief.'
    ag = run(text)
    rel = [r for r in ag.relations if r.predicate == "opposes"]
    assert rel and rel[0].attributed_to == "Person:Josep Borrell"


def test_evidence_offsets_point_into_text(run):
    text = "Intro sentence here. Chile condemned the airstrikes on the embassy."
    ag = run(text)
    r = next(r for r in ag.relations if r.predicate == "opposes")
    assert text[r.evidence.start : r.evidence.end] == r.evidence.sentence
    assert "Chile condemned" in r.evidence.sentence
    assert 0 < r.confidence <= 1


def test_he_said_prefers_the_last_subject_over_the_last_speaker(run):
    text = (
        '"We see no basis for new claims," Olaf Scholz told reporters.\n\n'
        'Donald Tusk said he was disappointed. "We expected more," he said.'
    )
    ag = run(text)
    by_text = {q.text.rstrip(","): q.speaker for q in ag.quotations}
    assert by_text["We see no basis for new claims"] == "Person:Olaf Scholz"
    assert by_text["We expected more"] == "Person:Donald Tusk"


def test_short_organisation_name_is_the_full_one(run):
    ag = run("The European Commission offered to mediate. A Commission spokeswoman said it would not take sides.")
    orgs = [e.label for e in ag.entities if e.type == "Organization"]
    assert orgs.count("European Commission") == 1 and "Commission" not in orgs


def test_he_said_ignores_a_person_in_an_embedded_clause(run):
    text = (
        '"We see no basis for new claims," spokesman Steffen Hebestreit told reporters.\n\n'
        "The spokesman said that Chancellor Olaf Scholz plans to call Donald Tusk. "
        '"There is no call scheduled," he said.'
    )
    ag = run(text)
    assert {q.speaker for q in ag.quotations} == {"Person:Steffen Hebestreit"}


def test_hoped_fact_is_not_asserted(run):
    ag = run("Angela Merkel hopes to visit Kyiv.")
    assert all(r.modality != "asserted" for r in ag.relations if r.predicate == "visits")


def test_nominal_without_agent_makes_no_relation(run):
    ag = run("The invasion of Kuwait shocked the world.")
    assert [r for r in ag.relations if r.predicate == "invades"] == []


def test_quote_without_speech_verb_far_from_any_speaker_is_not_attributed(run):
    text = 'The minister left.\n\nNothing happened for hours.\n\nThe crowd waited.\n\n"This is a disgrace," a sign read.'
    assert run(text).quotations == ()


@pytest.mark.parametrize("name, first_name_too", [
    ("Kirby", True), ("Kirby", False), ("John", True), ("Gahr Store", True), ("Store", True),
    ("Boric", True), ("Nobody", True), ("Jonas", False),
])
def test_name_index_gives_the_same_full_name_as_a_scan(name, first_name_too):
    """Surnames are looked up among the gazetteer's officials through an index by first and last
    word (a scan of thousands of names per mention made resolution quadratic): same answer."""
    from kg.resolve import _NameIndex

    people = ["John Kirby", "Jonas Gahr Store", "Gabriel Boric", "Maria Boric", "John Smith", "Anna Kirby-Jones",
              "Jonas Brown"]
    index = _NameIndex(people)
    assert (Resolver._full_name(name, index.candidates(name, first_name_too), first_name_too)
            == Resolver._full_name(name, people, first_name_too))


@pytest.mark.parametrize("text", [
    'The U.S.  said: "We will not go."\n\n  Mr Kirby, a White House spokesman,\tmet Xi in Moscow.  ',
    "Zürich’s mayor — “no comment” — left.\r\n\r\nThen   nothing.",
    "x",
    "",
])
def test_token_table_matches_spacy(text):
    """The plain-list copy of a Doc the rules scan (kg.extract.table.DocTable) says what spaCy says."""
    from kg.extract.table import DocTable

    doc = load()(text)
    tb = DocTable(doc, {})
    assert tb.text == doc.text
    for t in doc:
        i = t.i
        assert (tb.orth[i], tb.lower[i], tb.lemma[i], tb.pos[i], tb.tag[i], tb.dep[i]) == \
            (t.text, t.lower_, t.lemma_, t.pos_, t.tag_, t.dep_)
        assert (tb.head[i], tb.idx[i]) == (t.head.i, t.idx)
        assert (bool(tb.is_punct[i]), bool(tb.is_title[i]), bool(tb.is_upper[i])) == (t.is_punct, t.is_title, t.is_upper)
        assert tb.children(i) == [c.i for c in t.children]
        if i > 0:
            assert tb.space_before(i) == doc[i - 1].whitespace_
        for n in (1, 2, 3):
            if i + n <= len(doc):
                assert tb.span_text(i, i + n) == doc[i:i + n].text


# ------------------------------------------------------------------ the rules' words are data
def _vocabulary_with(tmp_path, edit):
    """The vocabulary of a copy of data/'s rule files, changed by ``edit(name -> parsed YAML)``."""
    import shutil

    import yaml

    from kg.paths import data_dir
    from kg.vocab import load_vocabulary

    files = {}
    for name in ("relations.yaml", "roles.yaml", "lexicon.yaml", "concepts.yaml"):
        shutil.copy(data_dir() / name, tmp_path / name)
        files[name] = yaml.safe_load((tmp_path / name).read_text(encoding="utf-8"))
    edit(files)
    for name, content in files.items():
        (tmp_path / name).write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return load_vocabulary(str(tmp_path))


def _graph(text, vocab=None):
    d = Extractor(vocab=vocab).extract(load()(text), Article("t", text))
    return Resolver().resolve(d)


@pytest.mark.parametrize("frames, speaker_of", [
    (["according to"], {"according to": "Person:John Kirby", "in the words of": None}),
    ([], {"according to": None, "in the words of": None}),
    (["in the words of"], {"according to": None, "in the words of": "Person:John Kirby"}),
])
def test_reporting_frames_are_the_lexicons(tmp_path, frames, speaker_of):
    """A quotation's "according to X" is any phrase of data/lexicon.yaml's `according_to`."""
    vocab = _vocabulary_with(tmp_path, lambda f: f["lexicon.yaml"].__setitem__("according_to", frames))
    for phrase, speaker in speaker_of.items():
        ag = _graph(f'"The talks have failed," {phrase} John Kirby.', vocab)
        assert [q.speaker for q in ag.quotations] == ([speaker] if speaker else [])


def test_recipients_are_a_property_of_the_predicates(tmp_path):
    """"supplied tanks to Poland" makes Poland a second object of `provides` because
    data/relations.yaml gives `provides` the recipient prepositions; without them it does not."""
    text = "Canada supplied tanks to Poland."
    assert ("Canada", "provides", "Poland", "positive") in facts(_graph(text))

    def drop(files):
        for p in files["relations.yaml"]["predicates"]:
            p.pop("recipient", None)

    assert ("Canada", "provides", "Poland", "positive") not in facts(_graph(text, _vocabulary_with(tmp_path, drop)))


def test_modality_cues_are_the_lexicons():
    from kg.vocab import load_vocabulary

    cues = load_vocabulary().modality
    assert cues.marks == {"whether": "questioned", "if": "questioned"}
    assert {"expect", "consider", "may"} <= cues.infinitive_only and "plan" not in cues.infinitive_only
    assert load_vocabulary().reporting_frames == (("according", "to"),)
    assert {"visit", "tour"} <= load_vocabulary().travel_verbs


def test_final_mention_follows_antecedents():
    """One antecedent chaser for extraction and resolution: a pronoun stands for the end of its
    chain; an unresolved pronoun or description for nothing; a cycle stops."""
    from kg.extract import Mention, final_mention

    def m(i, label, ante=None):
        return Mention(i, "x", "x", label, i, i + 1, 0, antecedent=ante)

    ms = [m(0, "PERSON"), m(1, "PRON", 0), m(2, "PRON", 1), m(3, "PRON"), m(4, "DESC", 5), m(5, "PRON", 4)]
    assert [final_mention(ms, i) for i in range(6)] == [0, 0, 0, None, 4, 5]
    assert final_mention(ms, None) is None
