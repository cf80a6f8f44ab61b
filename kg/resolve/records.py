"""The records of one article's graph from its resolved keys: relations (vocabulary and
title+gazetteer), open relations, quotations and the entities they use, with aliases and
mention counts."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from ..extract import DocExtraction
from ..extract.records import CONCEPT, ORG_NOUN, REFERRING
from ..model import SPEAKER_TYPES, Entity, OpenRelation, Provenance, Quotation, Relation
from ..vocab import load_vocabulary
from .keys import Key, _ArticleKeys
from .names import _clean

#: a role written with no organisation ("President Joe Biden") whose country the gazetteer gives
TITLE_GAZETTEER_CONF = 0.55
#: entity types an open relation never links: a concept is no named entity
OPEN_EXCLUDED_TYPES = frozenset({"Concept"})
#: who a relation may be attributed to (a quotation's speaker, "X said that", "according to X"):
#: a person, or an agency, newspaper or government that reports it
REPORTER_TYPES = ("Person", "Organization", "Country", "Group")


def make_relations(d: DocExtraction, keys: _ArticleKeys) -> list[Relation]:
    """The relations of the extraction between two entities of different keys, under the first of
    its predicates whose domain and range their types fit."""
    art = d.article
    relations = []
    for r in d.relations:
        sk, ok = keys.arg(r.subj), keys.arg(r.obj)
        if sk is None or ok is None or sk[:2] == ok[:2]:
            continue
        pred = next((p for p in (r.pred, *r.alternatives) if _predicate(p).allows(sk[0], ok[0])), None)
        if pred is None:
            continue  # outside the predicates' domain/range (data/relations.yaml, roles.yaml)
        spk = keys.of(r.speaker) if r.speaker is not None else None
        s0, s1 = d.sentences[r.sent]
        ev = Provenance(art.id, art.text[s0:s1], s0, s1, r.trigger)
        relations.append(Relation(
            Entity.make_key(*sk[:2]), pred, Entity.make_key(*ok[:2]), ev, r.polarity, r.modality,
            Entity.make_key(*spk[:2]) if spk and spk[0] in REPORTER_TYPES else None, r.confidence, r.rule))
    return relations


def make_open_relations(d: DocExtraction, keys: _ArticleKeys, relations: list[Relation]) -> list[OpenRelation]:
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


def make_quotations(d: DocExtraction, keys: _ArticleKeys) -> list[Quotation]:
    """The quotations whose speaker is an entity of a type that speaks."""
    art = d.article
    quotes = []
    for q in d.quotes:
        spk = keys.of(q.speaker) if q.speaker is not None else None
        if spk is None or spk[0] not in SPEAKER_TYPES:
            continue  # no speaker found, or not one that speaks: kg:speaker is required (data/shapes.ttl)
        ev = Provenance(art.id, art.text[q.sent_start:q.sent_end], q.sent_start, q.sent_end, q.verb)
        quotes.append(Quotation(q.text, Entity.make_key(*spk[:2]), ev, q.verb, q.partial))
    return quotes


def make_entities(d: DocExtraction, keys: _ArticleKeys, relations: list[Relation], quotes: list[Quotation],
                  opens: list[OpenRelation], key_of: Callable[[str, str], Key],
                  identity: Callable[[str], str]) -> tuple[Entity, ...]:
    """Every named mention's entity, plus the concepts, organisation nouns and groups a
    relation, open relation or quotation uses; with their aliases (the other names the article
    gives it - not the capital that stood for a country) and mention counts. ``key_of``: the key of
    an entity no mention names; ``identity``: the identity of a name no gazetteer entry claims."""
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
        k = found.get(k2) or key_of(t, label)
        entities.append(Entity(Entity.make_key(t, label), t, label, tuple(sorted(aliases.get(k2, ()))),
                               k.qid, max(1, counts.get(k2, 0)), id=k.ident or identity(label)))
    return tuple(entities)


def titles_from_gazetteer(gaz, d: DocExtraction, keys, relations) -> list[Relation]:
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
        e = gaz.lookup(k[1])
        if e is None or e.type != "Person" or not e.country:
            continue
        c = gaz.country(e.country)
        if c is None:
            continue
        s0, s1 = d.sentences[sent]
        ev = Provenance(d.article.id, d.article.text[s0:s1], s0, s1, words)
        out.append(Relation(person, pred, Entity.make_key("Country", c.name), ev, modality=modality,
                            confidence=TITLE_GAZETTEER_CONF, rule="title+gazetteer"))
        have.add((person, pred))
    return out


def _predicate(pred: str):
    return load_vocabulary().predicates[pred]

def is_role(pred: str) -> bool:
    """Whether a predicate is a role (data/roles.yaml): a person's organisation."""
    return _predicate(pred).role
