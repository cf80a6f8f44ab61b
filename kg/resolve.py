"""Entity resolution: the mentions of one article -> entities with stable keys.

* gazetteer first: aliases and acronyms (``US``, ``U.S.``, ``America``), demonyms
  (``Chinese calls`` -> China), seats of government (``the Kremlin`` -> Russia) and
  capitals used as actors or targets (``Beijing has not ruled out``, ``a bloc aimed at
  Beijing`` -> China), while a capital as a place (``in Moscow``, ``a trip to Moscow``,
  ``visited Moscow``) stays a city;
* person names: ``Kirby`` / ``Mr Kirby`` -> ``John Kirby`` when exactly one full name of
  the same article ends (or, for a one-word name, starts) with it, else a surname that is
  unique among the gazetteer's officials (``Mr. Putin`` -> ``Vladimir Putin``);
* a misclassified name (``According to Kirby`` tagged GPE) that is the surname of a person
  of the same article becomes that person;
* ``we`` inside a quotation -> the speaker's organisation, or that organisation's
  country when the gazetteer says it is a government body.

An article resolves the same whatever else is built with it, before or after it: resolution
reads the article (all its pieces, for a long one) and the gazetteer, nothing of the run or
the store. So a graph does not depend on how its articles were batched into builds, and two
articles' "Smith" are not merged on the strength of a third article's "John Smith".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from .extract import DocExtraction, Mention, final_mention
from .extract.mentions import POSSESSIVE_ENDINGS
from .extract.records import CONCEPT, ORG_NOUN, REFERRING
from .model import SPEAKER_TYPES, ArticleGraph, Entity, Provenance, Quotation, Relation
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


class _NameIndex:
    """Full names by their first and by their last word: the only candidates
    :meth:`Resolver._full_name` can accept for a name."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_last: dict[str, list[str]] = defaultdict(list)
        self.by_first: dict[str, list[str]] = defaultdict(list)
        for full in names:
            words = full.split()
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
    pieces, for a long article cut into several): the names its surnames may resolve to."""
    return frozenset(name for d in docs for m in d.mentions
                     if m.label == "PERSON" and len((name := _clean(m.name)).split()) >= 2)


class _ArticleKeys:
    """The entity keys ``(type, label, qid)`` of one article's mentions, through coreference."""

    def __init__(self, gaz, mentions: tuple[Mention, ...], keys: dict[int, tuple[str, str, str | None]]):
        self.gaz = gaz
        self.mentions = mentions
        self.keys = keys  # named and concept mentions -> key
        self.affiliation: dict[tuple, tuple] = {}  # person (type, label) -> the key of their organisation
        self.we_of: dict[int, int] = {}  # "we" mention -> the speaker of its quotation

    def of(self, mid: int | None):
        """The key of the entity a mention stands for (through a pronoun's antecedent)."""
        f = final_mention(self.mentions, mid)
        return None if f is None else self.keys.get(f)

    def arg(self, mid: int):
        """The key of a relation's argument: "we" in a quotation is the speaker's side."""
        if self.mentions[mid].label == "PRON" and mid in self.we_of:
            return self._we(self.we_of[mid])
        return self.of(mid)

    def _we(self, speaker_mid: int):
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
                    return "Country", c.name, c.qid
        return org


class Resolver:
    def __init__(self, gazetteer=None):
        if gazetteer is None:
            from .gazetteer import get_gazetteer

            gazetteer = get_gazetteer()
        self.gaz = gazetteer
        self._gaz_people: _NameIndex | None = None

    # ---------------------------------------------------------------- people
    def _gazetteer_people(self) -> _NameIndex:
        if self._gaz_people is None:
            self._gaz_people = _NameIndex(e.name for e in getattr(self.gaz, "entries", []) if e.type == "Person")
        return self._gaz_people

    @staticmethod
    def _full_name(name: str, candidates: Iterable[str], first_name_too: bool = True) -> str | None:
        """The one longer name that ends with ``name`` (or, for people, starts with a one-word name)."""
        words = name.split()
        hits = set()
        for full in candidates:
            fw = full.split()
            if len(fw) <= len(words):
                continue
            if fw[-len(words):] == words or (first_name_too and len(words) == 1 and fw[0] == words[0]):
                hits.add(full)
        if len(hits) == 1:
            return hits.pop()
        return None

    # ---------------------------------------------------------------- one mention
    def _key(self, m: Mention, doc_people: set[str], doc_orgs: frozenset[str] = frozenset()) -> tuple[str, str, str | None] | None:
        """(type, label, qid) for a named/concept mention."""
        name = _clean(m.name)
        if not name or not any(ch.isalpha() for ch in name):
            return None
        label = m.label
        if label == "CONCEPT" and name[:1].isupper():
            # a proper name NER missed ("invited Xi Jinping to ..."): a known name or a concept
            full = name if name in doc_people else self._full_name(name, doc_people)
            if full is not None:
                return "Person", full, None
            e = self.gaz.lookup(name)
            if e is not None:
                return e.type, e.name, e.qid
        if label == "CONCEPT":
            return "Concept", name, None
        if label == "ORG_NOUN":
            return "Organization", name[:1].upper() + name[1:], None
        gaz = self.gaz
        seat = gaz.seat_of(name)
        if seat is not None:
            return "Country", seat.name, seat.qid
        if label == "NORP" or (label in ("GPE", "LOC", "ORG") and gaz.lookup(name) is None):
            c = gaz.demonym(name)  # "Chinese calls", and NER's "the Ukrainian (GPE) side"
            if c is not None:
                return "Country", c.name, c.qid
        # surname of a known person, whatever NER said ("According to Kirby" as GPE)
        if len(name.split()) <= 2 and label in ("PERSON", "GPE", "ORG", "NORP", "LOC"):
            full = self._full_name(name, doc_people)
            if full is None and label == "PERSON" and len(name.split()) == 1:
                # "Mr. Putin" with no full name in the article: a unique surname among the gazetteer's officials
                full = self._full_name(name, self._gazetteer_people().candidates(name, False), first_name_too=False)
            if full is not None and (label == "PERSON" or gaz.lookup(name) is None):
                return "Person", full, None
        if label == "ORG" and len(name.split()) == 1:
            # "the Commission" after "the European Commission": the longer name in this article
            full = self._full_name(name, doc_orgs, first_name_too=False)
            if full is not None:
                name = full
        e = gaz.lookup(name)
        if e is not None:
            if e.type == "City":
                if not m.locative:  # a capital as actor or target is the state; as a place it is the city
                    c = gaz.capital_of(name)
                    if c is not None:
                        return "Country", c.name, c.qid
                return "City", e.name, e.qid
            if e.type == "Person" and label != "PERSON":
                return None if label in ("NORP",) else ("Person", e.name, e.qid)
            return e.type, e.name, e.qid
        if label == "GPE":
            c = gaz.capital_of(name)
            if c is not None and not m.locative:
                return "Country", c.name, c.qid
        return TYPE_OF_LABEL.get(label, "Concept"), name, None

    # ---------------------------------------------------------------- one article
    def resolve(self, d: DocExtraction, people: frozenset[str] | None = None) -> ArticleGraph:
        """The article's graph. ``people``: the full person names of the whole article when ``d``
        is one piece of it (:func:`article_people` of all its pieces), else those of ``d``."""
        keys = self._article_keys(d, people)
        relations = self._relations(d, keys)
        relations.extend(self._titles_from_gazetteer(d, keys.keys, relations))
        quotes = self._quotations(d, keys)
        return ArticleGraph(d.article, self._entities(d, keys, relations, quotes), tuple(relations), tuple(quotes))

    def _article_keys(self, d: DocExtraction, people: frozenset[str] | None) -> _ArticleKeys:
        mentions = d.mentions
        doc_people = set(article_people([d]) if people is None else people)
        doc_orgs = frozenset(_clean(m.name) for m in mentions if m.label == "ORG" and len(_clean(m.name).split()) >= 2)
        keys: dict[int, tuple[str, str, str | None]] = {}
        for m in mentions:
            if m.label in REFERRING:
                continue
            k = self._key(m, doc_people, doc_orgs)
            if k is not None:
                keys[m.id] = k
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
                Entity.make_key(*spk[:2]) if spk and spk[0] == "Person" else None, r.confidence, r.rule))
        return relations

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

    @staticmethod
    def _entities(d: DocExtraction, keys: _ArticleKeys, relations: list[Relation],
                  quotes: list[Quotation]) -> tuple[Entity, ...]:
        """Every named mention's entity, plus the concepts, organisation nouns and groups a
        relation or quotation uses; with their aliases and mention counts."""
        needed = {r.subject for r in relations} | {r.object for r in relations} | {
            r.attributed_to for r in relations if r.attributed_to} | {q.speaker for q in quotes}
        aliases: dict[tuple, set[str]] = defaultdict(set)
        counts: Counter = Counter()
        qids: dict[tuple, str | None] = {}
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
            qids[k[:2]] = qids.get(k[:2]) or k[2]
            surface = _clean(m.text)
            if surface and surface != k[1]:
                aliases[k[:2]].add(surface)
            if _clean(m.name) and _clean(m.name) != k[1]:
                aliases[k[:2]].add(_clean(m.name))
        entities = []
        for k in sorted(set(qids) | {tuple(x.split(":", 1)) for x in needed}):
            t, label = k
            entities.append(Entity(Entity.make_key(t, label), t, label, tuple(sorted(aliases.get(k, ()))),
                                   qids.get(k), max(1, counts.get(k, 0))))
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
