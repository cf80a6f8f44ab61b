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

Then the mentions of one entity are unified: every mention whose name has one identity
(:mod:`kg.names`: the gazetteer entry, else the name case-folded without punctuation and legal
form: ``eBay`` = ``Ebay``, ``Apple Inc.`` = ``Apple``) gets one type and one label. A gazetteer
entry keeps its own; any other name takes the type its evidence across the article supports
best - NER's labels (1 each, but n mentions NER reads as one type weigh sqrt(n): NER reads a
repeated name the same way, right or wrong), the words of the name (2: "Airlines", "Typhoon"),
its context (1.5: "shares of X", "X's chief executive", "X, a militia"), a title or its surname
standing for it (2: a person), a he/she that refers to it (one more PERSON reading) - ties broken by :data:`kg.model.TYPE_PRECEDENCE`; and its most
frequent spelling as label (ties: the greatest in code-point order).

An article resolves the same whatever else is built with it, before or after it: resolution
reads the article (all its pieces, for a long one) and the gazetteer, nothing of the run or
the store. So a graph does not depend on how its articles were batched into builds, and two
articles' "Smith" are not merged on the strength of a third article's "John Smith".
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from .extract import DocExtraction, Mention, final_mention
from .extract.mentions import NOT_PERSON, POSSESSIVE_ENDINGS
from .extract.records import CONCEPT, ORG_NOUN, PRON, REFERRING
from .model import SPEAKER_TYPES, TYPE_PRECEDENCE, ArticleGraph, Entity, OpenRelation, Provenance, Quotation, Relation
from .names import entity_words, gazetteer_identity, name_identity
from .vocab import load_vocabulary

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
#: a role written with no organisation ("President Joe Biden") whose country the gazetteer gives
TITLE_GAZETTEER_CONF = 0.55
#: the weights of the evidence for an entity's type (see the module docstring)
NER_VOTE, CONCEPT_VOTE, NAME_WORDS_VOTE, CONTEXT_VOTE, WEAK_CONTEXT_VOTE, PERSON_VOTE = 1.0, 0.5, 2.0, 1.5, 0.5, 2.0
#: mention labels of names (the candidates of a short form: "NBA", "Saha", "the Commission")
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT"})
#: generational suffixes after a surname ("Robert Downey Jr")
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
#: words an acronym leaves out ("RIAA": Recording Industry Association of America)
ACRONYM_SKIPS = frozenset({"of", "and", "the", "for", "de", "du", "des", "la", "le", "del", "van", "von", "&", "in",
                           "on", "at", "to"})

#: entity types an open relation never links: a concept is no named entity
OPEN_EXCLUDED_TYPES = frozenset({"Concept"})
#: who a relation may be attributed to (a quotation's speaker, "X said that", "according to X"):
#: a person, or an agency, newspaper or government that reports it
REPORTER_TYPES = ("Person", "Organization", "Country", "Group")


class Key(NamedTuple):
    """An entity as the resolver sees it in one article: type, label and Wikidata QID; its
    identity (:mod:`kg.names`: a gazetteer entry's, else None until the article's mentions are
    unified); whether the mention's surface is an alias of it (a capital standing for its
    country is not)."""

    type: str
    label: str
    qid: str | None = None
    ident: str | None = None
    alias: bool = True


def _clean(text: str) -> str:
    """A mention's name as a label: white space collapsed; no possessive, leading "the", edge
    punctuation or sentence-final period. (:func:`kg.gazetteer.norm_key` is the lookup key of a
    name: it also folds case and accents, and keeps punctuation.)"""
    t = " ".join(text.split())
    for suffix in POSSESSIVE_ENDINGS:
        if t.endswith(suffix):
            t = t[: -len(suffix)]
    if t.lower().startswith("the "):
        t = t[4:]
    t = t.strip(" ,;:-\"'")
    # a final period ends a sentence, not an acronym ("U.S." keeps its dots)
    if t.endswith(".") and "." not in t[:-1]:
        t = t[:-1]
    return t.strip()


def _core(words: list[str]) -> list[str]:
    """A person's name words without a generational suffix ("Robert Downey Jr" -> Robert Downey)."""
    while len(words) > 1 and words[-1].lower() in NAME_SUFFIXES:
        words = words[:-1]
    return words


def _initials(name: str) -> str:
    """The acronym of a name: the initials of its words but small ones ("RIAA")."""
    return "".join(w[0].upper() for w in name.replace("-", " ").split() if w.lower() not in ACRONYM_SKIPS and w[0].isalpha())


def _is_initial(word: str) -> bool:
    return len(word.rstrip(".")) == 1 and word[:1].isupper()


class _NameIndex:
    """Full names by their first and by their last word: the only candidates
    :meth:`Resolver._full_name` can accept for a name."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_last: dict[str, list[str]] = defaultdict(list)
        self.by_first: dict[str, list[str]] = defaultdict(list)
        for full in names:
            words = _core(full.split())
            if words:
                self.by_last[words[-1]].append(full)
                self.by_first[words[0]].append(full)

    def candidates(self, name: str, first_name_too: bool = True) -> list[str]:
        words = name.split()
        if not words:
            return []
        found = self.by_last.get(words[-1], [])
        if first_name_too and len(words) == 1:
            found = found + self.by_first.get(words[0], [])
        return found


def article_people(docs: Iterable[DocExtraction]) -> frozenset[str]:
    """The full person names (two words or more) of the extractions of one article (of all its
    pieces, for a long article cut into several): the names its surnames may resolve to. A name
    NER labelled otherwise counts when its context says person ("X, the government commissioner")."""
    return frozenset(name for d in docs for m in d.mentions
                     if (m.label == "PERSON" or (m.cue == "Person" and m.label in ("ORG", "GPE", "NORP", "LOC")))
                     and len((name := _clean(m.name)).split()) >= 2)


def _middle_initial_variants(people: Iterable[str]) -> dict[str, str]:
    """``First Last`` -> ``First X. Last`` when the article writes exactly one such longer name
    whose extra words are initials ("John Bolton" -> "John R. Bolton")."""
    full = [p.split() for p in people]
    out = {}
    for ws in full:
        if len(ws) != 2:
            continue
        hits = {" ".join(f) for f in full if len(f) > 2 and f[0] == ws[0] and f[-1] == ws[-1]
                and all(_is_initial(w) for w in f[1:-1])}
        if len(hits) == 1:
            out[" ".join(ws)] = hits.pop()
    return out


class _ArticleKeys:
    """The entity keys of one article's mentions, through coreference."""

    def __init__(self, gaz, mentions: tuple[Mention, ...], keys: dict[int, Key]):
        self.gaz = gaz
        self.mentions = mentions
        self.keys = keys  # named and concept mentions -> key
        self.affiliation: dict[tuple, Key] = {}  # person (type, label) -> the key of their organisation
        self.we_of: dict[int, int] = {}  # "we" mention -> the speaker of its quotation

    def of(self, mid: int | None) -> Key | None:
        """The key of the entity a mention stands for (through a pronoun's antecedent)."""
        f = final_mention(self.mentions, mid)
        return None if f is None else self.keys.get(f)

    def arg(self, mid: int) -> Key | None:
        """The key of a relation's argument: "we" in a quotation is the speaker's side."""
        if self.mentions[mid].label == "PRON" and mid in self.we_of:
            return self._we(self.we_of[mid])
        return self.of(mid)

    def _we(self, speaker_mid: int) -> Key | None:
        """The speaker's organisation, or its country when the gazetteer says it is a government body."""
        sk = self.of(speaker_mid)
        if sk is None:
            return None
        org = self.affiliation.get(sk[:2])
        if org is None:
            return None
        if org[0] == "Organization":
            e = self.gaz.lookup(org[1])
            if e is not None and e.country:
                c = self.gaz.country(e.country)
                if c is not None:
                    return Key("Country", c.name, c.qid, gazetteer_identity(c))
        return org


class Resolver:
    def __init__(self, gazetteer=None):
        if gazetteer is None:
            from .gazetteer import get_gazetteer

            gazetteer = get_gazetteer()
        self.gaz = gazetteer
        self._gaz_people: _NameIndex | None = None
        self._state_words = entity_words().state_words

    # ---------------------------------------------------------------- people
    def _gazetteer_people(self) -> _NameIndex:
        if self._gaz_people is None:
            self._gaz_people = _NameIndex(e.name for e in getattr(self.gaz, "entries", []) if e.type == "Person")
        return self._gaz_people

    @staticmethod
    def _full_name(name: str, candidates: Iterable[str], first_name_too: bool = True) -> str | None:
        """The one longer name that ends with ``name`` (or, for people, starts with a one-word name);
        a generational suffix of the longer name aside ("Downey": "Robert Downey Jr")."""
        words = name.split()
        hits = set()
        for full in candidates:
            fw = full.split()
            if len(fw) <= len(words):
                continue
            core = _core(fw)
            if fw[-len(words):] == words or (len(core) > len(words) and core[-len(words):] == words) \
                    or (first_name_too and len(words) == 1 and fw[0] == words[0]):
                hits.add(full)
        if len(hits) == 1:
            return hits.pop()
        return None

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
            return self._full_name(name, doc_orgs, first_name_too=False)
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
            full = name if name in doc_people else self._full_name(name, doc_people)
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
            full = self._full_name(name, doc_people, first_name_too=label == "PERSON")  # "Yahoo" (ORG) is no first name
            if full is None and label == "PERSON" and len(name.split()) == 1:
                # "Mr. Putin" with no full name in the article: a unique surname among the gazetteer's officials
                full = self._full_name(name, self._gazetteer_people().candidates(name, False), first_name_too=False)
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
        relations = self._relations(d, keys)
        relations.extend(self._titles_from_gazetteer(d, keys.keys, relations))
        quotes = self._quotations(d, keys)
        opens = self._open_relations(d, keys, relations)
        return ArticleGraph(d.article, self._entities(d, keys, relations, quotes, opens), tuple(relations), tuple(quotes),
                            open_relations=tuple(opens))

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
        self._unify(mentions, keys, _middle_initial_variants(doc_people))
        ak = _ArticleKeys(self.gaz, mentions, keys)
        # "we" in a quotation -> the speaker's organisation (or its country)
        for r in d.relations:
            if self._is_role(r.pred):
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

    def _unify(self, mentions: tuple[Mention, ...], keys: dict[int, Key], variants: dict[str, str]) -> None:
        """One type and one label for all the mentions of one identity (see the module docstring)."""
        groups: dict[str, list[int]] = defaultdict(list)
        for mid in sorted(keys):
            k = keys[mid]
            if k.ident is None and k.type == "Person" and k.label in variants:
                k = keys[mid] = k._replace(label=variants[k.label])
            groups[k.ident or self._identity(k.label)].append(mid)
        pronouns = load_vocabulary().pronouns
        referred = Counter()  # mention -> the he/she that stand for it
        for m in mentions:
            if m.label == PRON and pronouns.get(m.text.lower(), {}).get("gender") in ("m", "f"):
                f = final_mention(mentions, m.id)
                if f is not None and f in keys:
                    referred[f] += 1
        ew = entity_words()
        for ident, mids in groups.items():
            if keys[mids[0]].ident is not None:
                continue  # a gazetteer entry: its own type and name
            votes: Counter = Counter()
            labels: Counter = Counter()
            qid = None
            ner: Counter = Counter()  # NER's reading of each mention, by type
            not_person = 0.0  # evidence that the name is no person's ("the Grayback", "SpaceX")
            for mid in mids:
                k, m = keys[mid], mentions[mid]
                labels[k.label] += 1
                ner[k.type] += 1
                if k.type == "Person" and m.label == "PERSON" and len(_clean(m.name).split()) < len(k.label.split()):
                    votes["Person"] += PERSON_VOTE  # "Gazzola said": a surname that stands for the whole name
                t = ew.name_type(k.label) if k.type != "Concept" else None  # "months in prison" is no place's name
                if t:
                    votes[t] += NAME_WORDS_VOTE
                if m.cue == NOT_PERSON:
                    not_person += CONTEXT_VOTE
                elif m.cue:
                    weak = m.cue == "Organization" and m.label == "PERSON" and len(m.name.split()) >= 2
                    votes[m.cue] += WEAK_CONTEXT_VOTE if weak else CONTEXT_VOTE
                if ew.no_person_shape(k.label):
                    not_person += NAME_WORDS_VOTE
                if m.title:
                    votes["Person"] += PERSON_VOTE
                ner["Person"] += referred[mid]  # coreference chose it as a PERSON reading: NER's evidence again
                qid = qid or k.qid
            for t, n in ner.items():
                # NER reads one name the same way wherever it repeats it: n readings weigh sqrt(n)
                votes[t] += (CONCEPT_VOTE if t == "Concept" else NER_VOTE) * math.sqrt(n)
            if not_person and votes["Person"] > 0:
                # NER's usual confusion: a name that is no person's, read as one, is an organisation's
                moved = min(not_person, votes["Person"])
                votes["Person"] -= moved
                votes["Organization"] += moved
            type_ = max(votes, key=lambda t: (votes[t], -TYPE_PRECEDENCE.index(t)))
            label = max(labels, key=lambda x: (labels[x], x))
            for mid in mids:
                keys[mid] = Key(type_, label, qid, ident, keys[mid].alias)

    def _relations(self, d: DocExtraction, keys: _ArticleKeys) -> list[Relation]:
        art = d.article
        relations = []
        for r in d.relations:
            sk, ok = keys.arg(r.subj), keys.arg(r.obj)
            if sk is None or ok is None or sk[:2] == ok[:2]:
                continue
            pred = next((p for p in (r.pred, *r.alternatives) if self._predicate(p).allows(sk[0], ok[0])), None)
            if pred is None:
                continue  # outside the predicates' domain/range (data/relations.yaml, roles.yaml)
            spk = keys.of(r.speaker) if r.speaker is not None else None
            s0, s1 = d.sentences[r.sent]
            ev = Provenance(art.id, art.text[s0:s1], s0, s1, r.trigger)
            relations.append(Relation(
                Entity.make_key(*sk[:2]), pred, Entity.make_key(*ok[:2]), ev, r.polarity, r.modality,
                Entity.make_key(*spk[:2]) if spk and spk[0] in REPORTER_TYPES else None, r.confidence, r.rule))
        return relations

    @staticmethod
    def _open_relations(d: DocExtraction, keys: _ArticleKeys, relations: list[Relation]) -> list[OpenRelation]:
        """The open relations between two named entities of different keys (never a concept), one
        per (subject, label, object, polarity, modality, speaker, sentence); none where a vocabulary
        relation of the same sentence links the same two entities."""
        art = d.article
        linked = {(r.evidence.start, frozenset((r.subject, r.object))) for r in relations}
        out: dict[tuple, OpenRelation] = {}
        for r in d.open_relations:
            sk, ok = keys.of(r.subj), keys.of(r.obj)
            if sk is None or ok is None or sk[:2] == ok[:2] or OPEN_EXCLUDED_TYPES & {sk[0], ok[0]}:
                continue
            spk = keys.of(r.speaker) if r.speaker is not None else None
            s0, s1 = d.sentences[r.sent]
            subj, obj = Entity.make_key(*sk[:2]), Entity.make_key(*ok[:2])
            if (s0, frozenset((subj, obj))) in linked:
                continue
            att = Entity.make_key(*spk[:2]) if spk and spk[0] == "Person" else None
            o = OpenRelation(subj, r.label, obj, Provenance(art.id, art.text[s0:s1], s0, s1, r.trigger), r.polarity,
                             r.modality, att, r.confidence, r.rule)
            key = (subj, r.label, obj, r.polarity, r.modality, att, s0)
            if key not in out or out[key].confidence < o.confidence:
                out[key] = o
        return list(out.values())

    @staticmethod
    def _quotations(d: DocExtraction, keys: _ArticleKeys) -> list[Quotation]:
        art = d.article
        quotes = []
        for q in d.quotes:
            spk = keys.of(q.speaker) if q.speaker is not None else None
            if spk is None or spk[0] not in SPEAKER_TYPES:
                continue  # no speaker found, or not one that speaks: kg:speaker is required (data/shapes.ttl)
            ev = Provenance(art.id, art.text[q.sent_start:q.sent_end], q.sent_start, q.sent_end, q.verb)
            quotes.append(Quotation(q.text, Entity.make_key(*spk[:2]), ev, q.verb, q.partial))
        return quotes

    def _entities(self, d: DocExtraction, keys: _ArticleKeys, relations: list[Relation],
                  quotes: list[Quotation], opens: list[OpenRelation] = ()) -> tuple[Entity, ...]:
        """Every named mention's entity, plus the concepts, organisation nouns and groups a
        relation, open relation or quotation uses; with their aliases (the other names the article
        gives it - not the capital that stood for a country) and mention counts."""
        facts = [*relations, *opens]
        needed = {r.subject for r in facts} | {r.object for r in facts} | {
            r.attributed_to for r in facts if r.attributed_to} | {q.speaker for q in quotes}
        aliases: dict[tuple, set[str]] = defaultdict(set)
        counts: Counter = Counter()
        found: dict[tuple, Key] = {}
        for m in d.mentions:
            k = keys.keys.get(m.id)
            if k is None and m.label in REFERRING:
                k = keys.of(m.id)
                if k is not None:
                    counts[k[:2]] += 1
                continue
            if k is None:
                continue
            if (m.label in (CONCEPT, ORG_NOUN) or k[0] == "Group") and Entity.make_key(*k[:2]) not in needed:
                continue
            counts[k[:2]] += 1
            old = found.get(k[:2])
            if old is None or (old.qid is None and k.qid):
                found[k[:2]] = k
            if not k.alias:
                continue
            surface = _clean(m.text)
            if surface and surface != k[1]:
                aliases[k[:2]].add(surface)
            if _clean(m.name) and _clean(m.name) != k[1]:
                aliases[k[:2]].add(_clean(m.name))
        entities = []
        for k2 in sorted(set(found) | {tuple(x.split(":", 1)) for x in needed}):
            t, label = k2
            k = found.get(k2) or self._key_of(t, label)
            entities.append(Entity(Entity.make_key(t, label), t, label, tuple(sorted(aliases.get(k2, ()))),
                                   k.qid, max(1, counts.get(k2, 0)), id=k.ident or self._identity(label)))
        return tuple(entities)

    def _titles_from_gazetteer(self, d: DocExtraction, keys, relations) -> list[Relation]:
        """``President Joe Biden`` names no country: for an office of a state (``gazetteer`` in
        data/roles.yaml) the gazetteer's country of that person is taken (low confidence), with
        the title's modality ("former President X" is a former role). Never for other titles: a
        mayor, a director or a coach of the person's country is no fact."""
        senses = load_vocabulary().role_senses
        have = {(r.subject, r.predicate) for r in relations}
        out = []
        for mid, pred, sent, words, modality in d.titles:
            k = keys.get(mid)
            sense = senses.get(pred)
            if k is None or k[0] != "Person" or sense is None or not sense.gazetteer or "Country" not in sense.objects:
                continue
            person = Entity.make_key(*k[:2])
            if (person, pred) in have:
                continue
            e = self.gaz.lookup(k[1])
            if e is None or e.type != "Person" or not e.country:
                continue
            c = self.gaz.country(e.country)
            if c is None:
                continue
            s0, s1 = d.sentences[sent]
            ev = Provenance(d.article.id, d.article.text[s0:s1], s0, s1, words)
            out.append(Relation(person, pred, Entity.make_key("Country", c.name), ev, modality=modality,
                                confidence=TITLE_GAZETTEER_CONF, rule="title+gazetteer"))
            have.add((person, pred))
        return out

    def _predicate(self, pred: str):
        return load_vocabulary().predicates[pred]

    def _is_role(self, pred: str) -> bool:
        return self._predicate(pred).role
