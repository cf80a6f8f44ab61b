"""Entity resolution: the mentions of one article -> entities with stable keys.

* gazetteer first: aliases and acronyms (``US``, ``U.S.``, ``America``), demonyms
  (``Chinese calls`` -> China), seats of government (``the Kremlin`` -> Russia) and
  capitals used as actors or targets (``Beijing has not ruled out``, ``a bloc aimed at
  Beijing`` -> China), while a capital as a place (``in Moscow``, ``a trip to Moscow``,
  ``visited Moscow``) stays a city; a capital or seat standing for its state is never an
  alias of the country (only the country's own names are);
* ISO codes other than the few news writes for countries (``US``, ``UK``, ``UAE``: data/
  entities.yaml) are a country only where NER reads a place and nothing says organisation
  (``BT said`` is a company, not Bhutan);
* person names: ``Kirby`` / ``Mr Kirby`` -> ``John Kirby`` when exactly one full name of
  the same article ends (or, for a one-word name, starts) with it (a generational suffix
  aside: ``Downey`` -> ``Robert Downey Jr``), else a surname that is unique among the
  gazetteer's officials (``Mr. Putin`` -> ``Vladimir Putin``); ``John Bolton`` ->
  ``John R. Bolton`` in an article that writes both;
* a misclassified name (``According to Kirby`` tagged GPE) that is the surname of a person
  of the same article becomes that person, also when it is a capital's name (``Amman said``
  after ``Ahmed Amman``) unless it is used as a place;
* short forms of a longer name of the article: an acronym of its initials (``NBA``), its
  first words when the rest are designators (``Saha`` for ``Saha Airlines``, never ``Yahoo``
  for ``Yahoo Messenger``), its last words (``the Commission`` for ``European Commission``,
  ``Red Cross`` for ``Philippine Red Cross``);
* ``we`` inside a quotation -> the speaker's organisation, or that organisation's
  country when the gazetteer says it is a government body.

Then the mentions of one entity are unified: one type and one label for every mention of one
identity (:mod:`kg.resolve.vote`).

An article resolves the same whatever else is built with it, before or after it: resolution
reads the article (all its pieces, for a long one) and the gazetteer, nothing of the run or
the store. So a graph does not depend on how its articles were batched into builds, and two
articles' "Smith" are not merged on the strength of a third article's "John Smith".
"""

from __future__ import annotations

from ..extract import DocExtraction, Mention
from ..extract.records import REFERRING
from ..model import ArticleGraph
from ..names import entity_words, gazetteer_identity, name_identity
from ..vocab import load_vocabulary
from .keys import Key, _ArticleKeys
from .names import NAME_LABELS, _clean, _initials, _middle_initial_variants, _NameIndex, article_people, full_name
from .records import (is_role, make_entities, make_open_relations, make_quotations, make_relations,
                      titles_from_gazetteer)
from .vote import unify

TYPE_OF_LABEL = {
    "PERSON": "Person",
    "ORG": "Organization",
    "ORG_NOUN": "Organization",
    "GPE": "Place",
    "LOC": "Place",
    "FAC": "Place",
    "NORP": "Group",
    "EVENT": "Event",
    "CONCEPT": "Concept",
}


class Resolver:
    """Resolves the mentions of one article to entities (:meth:`resolve`), with a gazetteer."""

    def __init__(self, gazetteer=None):
        if gazetteer is None:
            from ..gazetteer import get_gazetteer

            gazetteer = get_gazetteer()
        self.gaz = gazetteer
        self._gaz_people: _NameIndex | None = None
        self._state_words = entity_words().state_words

    # ---------------------------------------------------------------- people
    def _gazetteer_people(self) -> _NameIndex:
        if self._gaz_people is None:
            self._gaz_people = _NameIndex(e.name for e in getattr(self.gaz, "entries", []) if e.type == "Person")
        return self._gaz_people

    _full_name = staticmethod(full_name)

    # ---------------------------------------------------------------- keys
    def _gaz_key(self, e, alias: bool = True) -> Key:
        return Key(e.type, e.name, e.qid, gazetteer_identity(e), alias)

    def _person_key(self, full: str) -> Key:
        """A person's full name: the gazetteer's entry when it knows the name, else the name."""
        e = self.gaz.lookup(full)
        if e is not None and e.type == "Person":
            return self._gaz_key(e)
        return Key("Person", full)

    def _state_of(self, name: str, label: str) -> Key | None:
        """"the Hungarian Government", "the US administration" named as one organisation: the country."""
        if label not in ("ORG", "NORP", "GPE"):
            return None
        words = name.split()
        if len(words) < 2 or words[-1].lower() not in self._state_words:
            return None
        rest = " ".join(words[:-1])
        c = self.gaz.demonym(rest)
        if c is None:
            e = self.gaz.lookup(rest)
            c = e if e is not None and e.type == "Country" else None
        return self._gaz_key(c) if c is not None else None

    def _prefix_names_a_country(self, words: list[str]) -> bool:
        """"Philippine", "US", "IAAF": words before a name that make a longer name of the same thing."""
        if not words:
            return False
        whole = " ".join(words)
        e = self.gaz.lookup(whole)
        if self.gaz.demonym(whole) is not None or (e is not None and e.type == "Country"):
            return True
        return all(w.isupper() and len(w.rstrip(".")) >= 2 for w in words)

    def _longer_name(self, m: Mention, name: str, doc_orgs: frozenset[str], doc_names: frozenset[str]) -> str | None:
        """The one longer name of the article that ``name`` is a short form of: its acronym
        ("NBA"), its first words with only designators left out ("Saha" for "Saha Airlines";
        place designators only where the short form is no place: "in Karipur" stays the town),
        its last words ("the Commission", "Red Cross" after "Philippine Red Cross")."""
        words = name.split()
        ew = entity_words()
        if len(words) == 1 and name.isalpha() and name.isupper() and 2 <= len(name) <= 6:
            hits = {n for n in doc_names if len(n.split()) >= 2 and _initials(n) == name}
            if len(hits) == 1:
                return hits.pop()
        hits = set()
        for n in doc_names:
            nw = n.split()
            if len(nw) > len(words) and nw[:len(words)] == words \
                    and ew.only_designators([w.lower().rstrip(".") for w in nw[len(words):]], place=not m.locative):
                hits.add(n)
        if len(hits) == 1:
            return hits.pop()
        if m.label == "ORG" and len(words) == 1:
            return full_name(name, doc_orgs, first_name_too=False)
        if m.label in ("ORG", "EVENT"):
            hits = {n for n in doc_names if len(n.split()) > len(words) and n.split()[-len(words):] == words
                    and self._prefix_names_a_country(n.split()[:-len(words)])}
            if len(hits) == 1:
                return hits.pop()
        return None

    # ---------------------------------------------------------------- one mention
    def _key(self, m: Mention, doc_people: set[str], doc_orgs: frozenset[str] = frozenset(),
             doc_names: frozenset[str] = frozenset()) -> Key | None:
        """The key of a named/concept mention (its identity is set for gazetteer entries)."""
        name = _clean(m.name)
        if not name or not any(ch.isalpha() for ch in name):
            return None
        label = m.label
        gaz = self.gaz
        if label == "CONCEPT" and name[:1].isupper():
            # a proper name NER missed ("invited Xi Jinping to ..."): a known name or a concept
            full = name if name in doc_people else full_name(name, doc_people)
            if full is not None:
                return self._person_key(full)
            e = gaz.lookup(name)
            if e is not None:
                return self._gaz_key(e)
        if label == "CONCEPT":
            return Key("Concept", name)
        if label == "ORG_NOUN":
            return Key("Organization", name[:1].upper() + name[1:])
        seat = gaz.seat_of(name)
        if seat is not None:
            return self._gaz_key(seat, alias=False)
        if label == "NORP" or (label in ("GPE", "LOC", "ORG") and gaz.lookup(name) is None):
            c = gaz.demonym(name)  # "Chinese calls", and NER's "the Ukrainian (GPE) side"
            if c is not None:
                return self._gaz_key(c)
        state = self._state_of(name, label)
        if state is not None:
            return state
        e = gaz.lookup(name)
        # surname of a known person, whatever NER said ("According to Kirby" as GPE); never a
        # city standing for its country ("Amman said" after "Ahmed Amman")
        if len(name.split()) <= 2 and label in ("PERSON", "GPE", "ORG", "NORP", "LOC"):
            full = full_name(name, doc_people, first_name_too=label == "PERSON")  # "Yahoo" (ORG) is no first name
            if full is None and label == "PERSON" and len(name.split()) == 1:
                # "Mr. Putin" with no full name in the article: a unique surname among the gazetteer's officials
                full = full_name(name, self._gazetteer_people().candidates(name, False), first_name_too=False)
            if full is not None and (label == "PERSON" or e is None or (e.type == "City" and not m.locative)):
                return self._person_key(full)
        if e is None:
            longer = self._longer_name(m, name, doc_orgs, doc_names)
            if longer is not None:
                name, e = longer, gaz.lookup(longer)
        if e is not None:
            if e.type == "City":
                if m.cue == "Organization":  # "Liverpool fans": the club, not the city
                    return Key("Organization", name)
                if not m.locative:  # a capital as actor or target is the state; as a place it is the city
                    c = gaz.capital_of(name)
                    if c is not None:
                        return self._gaz_key(c, alias=False)
                return self._gaz_key(e)
            if e.type == "Person" and label != "PERSON":
                return None if label in ("NORP",) else self._gaz_key(e)
            return self._gaz_key(e)
        if label == "GPE" and m.cue != "Organization":
            c = gaz.capital_of(name)
            if c is not None and not m.locative:
                return self._gaz_key(c, alias=False)
            c = gaz.code_country(name)  # "BT" is Bhutan only where NER reads a place
            if c is not None:
                return self._gaz_key(c)
        return Key(TYPE_OF_LABEL.get(label, "Concept"), name)

    def _identity(self, label: str) -> str:
        """The identity of a name no gazetteer entry claims (:func:`kg.names.name_identity`), a
        country written at its start in full ("U.S. Navy" = "United States Navy")."""
        words = label.split()
        for n in (2, 1):
            if len(words) > n:
                e = self.gaz.lookup(" ".join(words[:n]))
                if e is not None and e.type == "Country":
                    label = " ".join([e.name, *words[n:]])
                    break
        return name_identity(label)

    def _key_of(self, type_: str, label: str) -> Key:
        """The key of an entity a relation names without a mention of it ("Country:France" from
        a title the gazetteer completes): its gazetteer entry when the type agrees."""
        e = self.gaz.lookup(label)
        if e is not None and e.type == type_ and e.name == label:
            return self._gaz_key(e)
        return Key(type_, label, None, self._identity(label))

    # ---------------------------------------------------------------- one article
    def resolve(self, d: DocExtraction, people: frozenset[str] | None = None) -> ArticleGraph:
        """The article's graph. ``people``: the full person names of the whole article when ``d``
        is one piece of it (:func:`article_people` of all its pieces), else those of ``d``."""
        keys = self._article_keys(d, people)
        relations = make_relations(d, keys)
        relations.extend(titles_from_gazetteer(self.gaz, d, keys.keys, relations))
        quotes = make_quotations(d, keys)
        opens = make_open_relations(d, keys, relations)
        entities = make_entities(d, keys, relations, quotes, opens, self._key_of, self._identity)
        return ArticleGraph(d.article, entities, tuple(relations), tuple(quotes), open_relations=tuple(opens))

    def _article_keys(self, d: DocExtraction, people: frozenset[str] | None) -> _ArticleKeys:
        mentions = d.mentions
        doc_people = set(article_people([d]) if people is None else people)
        doc_orgs = frozenset(_clean(m.name) for m in mentions if m.label == "ORG" and len(_clean(m.name).split()) >= 2)
        doc_names = frozenset(n for m in mentions if m.label in NAME_LABELS and len((n := _clean(m.name)).split()) >= 2)
        keys: dict[int, Key] = {}
        for m in mentions:
            if m.label in REFERRING:
                continue
            k = self._key(m, doc_people, doc_orgs, doc_names)
            if k is not None:
                keys[m.id] = k
        unify(mentions, keys, _middle_initial_variants(doc_people), self._identity)
        ak = _ArticleKeys(self.gaz, mentions, keys)
        # "we" in a quotation -> the speaker's organisation (or its country)
        for r in d.relations:
            if is_role(r.pred):
                sk, ok = ak.of(r.subj), ak.of(r.obj)
                if sk and ok and sk[0] == "Person":
                    ak.affiliation.setdefault(sk[:2], ok)
        # speakers of quotations that contain "we": extract records them in the quote spans
        we_words = load_vocabulary().word_set("speaker_side_pronouns")
        for q in d.quotes:
            if q.speaker is None:
                continue
            for m in mentions:
                if m.label == "PRON" and m.text.lower() in we_words and q.start <= m.start < q.end:
                    ak.we_of[m.id] = q.speaker
        return ak
