"""Predicate senses: whether the arguments of a fact satisfy the frame of the word stating it.

Each predicate of data/relations.yaml has a frame, and each of its trigger words (a verb lemma,
"verb prep", an event noun) may have one of its own (:class:`kg.vocab.Frame`): the entity types
its object may have, which common-noun objects make sense (any *specific* one, or only those of
an allow-list of concepts and concept classes of data/concepts.yaml), object heads and
prepositional phrases that mean another sense ("deliver a speech", "welcome X to Y"), the
particles the verb keeps its sense with, the subject types. A vocabulary fact is stated only
when its frame is satisfied; a clause whose words mean something else states nothing here.

Types are read from the mention while extracting (NER label, concept or organisation noun):
resolution later applies each predicate's ``object_types`` to the resolved entity as well.
A concept is *specific* when data/concepts.yaml knows it (or its head) or when it carries a
proper noun or a noun modifier ("border agreement", "LGBT rights"); a bare head ("the move",
"options", "a speech") says nothing on its own and is never an argument of a fact.
"""

from __future__ import annotations

from ..vocab import Frame, Predicate
from .context import Context, final
from .records import CONCEPT, ORG_NOUN, REFERRING

#: the entity types a mention of each label may resolve to (resolution decides among them)
LABEL_TYPES: dict[str, frozenset[str]] = {
    "PERSON": frozenset({"Person"}),
    "ORG": frozenset({"Organization", "Country"}),  # a seat of state ("the Kremlin") is the country
    "GPE": frozenset({"Country", "City", "Place"}),
    "LOC": frozenset({"Place"}),
    "FAC": frozenset({"Place", "Organization"}),
    "NORP": frozenset({"Country", "Group"}),
    "EVENT": frozenset({"Event"}),
    CONCEPT: frozenset({"Concept"}),
    ORG_NOUN: frozenset({"Organization"}),
}
#: what a gazetteer type may be in the graph (a capital city acting is its country)
GAZETTEER_TYPES = {"City": frozenset({"City", "Country"})}
#: mentions made from common nouns (as opposed to names)
COMMON = (CONCEPT, ORG_NOUN)


def types_of(ctx: Context, mid: int) -> frozenset[str] | None:
    """The types the mention may have; None when it cannot be told (a capitalised concept may be
    a name NER missed, which resolution looks up)."""
    m = ctx.mentions[mid]
    if m.label in REFERRING:
        ante = final(ctx, mid)
        if ante is None:  # "we" in a quotation: the speaker's side, known after resolution
            return None
        m = ctx.mentions[ante]
    if m.label == CONCEPT and m.name[:1].isupper():
        return None
    types = LABEL_TYPES.get(m.label)
    if types is not None and m.label not in COMMON:
        known = ctx.rules.gaz.lookup(m.name)  # NER's label may be wrong ("Kyiv" as a person)
        if known is not None:
            types = types | GAZETTEER_TYPES.get(known.type, {known.type})
    return types


def is_common(ctx: Context, mid: int) -> bool:
    return ctx.mentions[mid].label in COMMON


def specific(ctx: Context, mid: int) -> bool:
    """A named mention, or a concept or organisation noun that says which thing it is."""
    m = ctx.mentions[mid]
    if m.label not in COMMON:
        return True
    info = ctx.concept_info.get(mid)
    return bool(info and info[1])


def canonical(ctx: Context, mid: int) -> str | None:
    """The concept of data/concepts.yaml the mention is (by its words or its head), if any."""
    info = ctx.concept_info.get(mid)
    return info[0] if info else None


def _heads(ctx: Context, mid: int, tok) -> set[str]:
    """The words an object's head may be denied by: the token, its lemma, the label's last word."""
    words = {tok.lower_, tok.lemma_.lower()} if tok is not None else set()
    name = ctx.mentions[mid].name.split()
    if name:
        words.add(name[-1].lower())
    return words


def _types_fit(types: frozenset[str] | None, allowed: tuple[str, ...]) -> bool:
    return not allowed or types is None or bool(types & set(allowed))


def object_fits(ctx: Context, pred: Predicate, frame: Frame, mid: int, tok=None) -> bool:
    """The object ``mid`` (read at token ``tok``) is one this sense of ``pred`` can have."""
    if not _types_fit(types_of(ctx, mid), frame.objects or pred.object_types):
        return False
    if frame.deny and _heads(ctx, mid, tok) & frame.deny:
        return False
    m = ctx.mentions[mid]
    if m.label == CONCEPT and frame.concepts is not None:
        return canonical(ctx, mid) in frame.concepts
    return specific(ctx, mid)


def subject_fits(ctx: Context, pred: Predicate, frame: Frame, mid: int) -> bool:
    """The subject ``mid`` is one this sense of ``pred`` can have (an actor of its types, not a
    natural event: "Hurricane Lorenzo hit the Azores"; a common-noun subject only when specific)."""
    m = ctx.mentions[final(ctx, mid) or mid]
    if set(m.name.lower().split()) & ctx.rules.vocab.word_set("natural_events"):
        return False
    return _types_fit(types_of(ctx, mid), frame.subjects or pred.subject_types) and specific(ctx, mid)


def recipient_fits(ctx: Context, frame: Frame, mid: int) -> bool:
    """A recipient is a named actor ("to Russia"), never a common noun ("to vendors")."""
    return not is_common(ctx, mid) and _types_fit(types_of(ctx, mid), frame.recipients)


def clause_fits(frame: Frame, clause, particle_matters: bool = True) -> bool:
    """The verb's own shape keeps this sense: no particle it does not take ("give up"), no
    prepositional phrase ("welcome X to Y") or dependent ("agreed that ...") that means another sense."""
    if particle_matters and clause.particle and clause.particle not in frame.particles:
        return False
    if frame.deny_deps and any(ch.dep_ in frame.deny_deps for ch in clause.verb.children):
        return False  # "agreed that vaccines work": an opinion, no deal
    return not any(prep in frame.deny_preps for prep, _, _ in clause.preps)
