"""Plain frozen dataclasses passed between the pipeline stages.

No spaCy objects and no rdflib terms live here: ``nlp``/``extract`` turn spaCy docs
into these records, ``rdf`` turns these records into triples.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# Entity types of the graph (the classes of data/ontology.ttl).
ENTITY_TYPES = ("Person", "Organization", "Country", "City", "Place", "Group", "Event", "Concept")
#: which type wins a tie between equally supported types of one entity (the resolver within an
#: article, the summary graph across articles): the more specific first; a name read as often
#: as a place as a person, with no full name of a person behind it ("in Boulder"), a place
TYPE_PRECEDENCE = ("Country", "City", "Organization", "Place", "Person", "Group", "Event", "Concept")

POSITIVE = "positive"
NEGATIVE = "negative"

# Modalities of a statement. Only ``asserted`` and ``reported`` facts that are also
# positive become plain ``s p o`` triples; the rest exist only as statements. ``former``: a
# role held in the past ("former President X"), true then, not now.
ASSERTED = "asserted"
FORMER = "former"
MODALITIES = ("asserted", "reported", "planned", "hoped", "possible", "denied", "questioned", "former")
FACTUAL_MODALITIES = ("asserted", "reported")


@dataclass(frozen=True)
class Article:
    """One news article after ingest: normalised text plus metadata."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    path: str | None = None
    author: str | None = None  # the byline

    @property
    def sha256(self) -> str:
        """Content hash used to skip unchanged articles on re-runs (an article without an
        author hashes as it did before the field existed)."""
        h = hashlib.sha256()
        for part in (self.text, self.title, self.date, self.source, self.url):
            h.update((part or "").encode("utf-8"))
            h.update(b"\x00")
        if self.author is not None:
            h.update(b"author\x00" + self.author.encode("utf-8") + b"\x00")
        return h.hexdigest()


@dataclass(frozen=True)
class Provenance:
    """Where a fact was read: an article, one sentence, character offsets in the article text."""

    article_id: str
    sentence: str
    start: int  # offset of the sentence in Article.text
    end: int
    trigger: str = ""  # the raw words that expressed the fact ("denounced", "trip to")


@dataclass(frozen=True)
class Entity:
    """A real-world entity as seen by one article: the type and label the article gives it, its
    aliases and mentions there.

    ``key`` (``"Type:Label"``) names the entity within the article: relations, quotations and
    attributions refer to it. ``id`` is its identity across articles (:mod:`kg.names`: a
    gazetteer id such as ``country:usa``, ``entity:<name key>`` for a name, ``concept:<words>``);
    the RDF layer mints the IRI from it, never from the type, so two articles that type or spell
    one entity differently ("eBay" an organisation, "Ebay" a person) give one node, whose type
    and label the summary graph decides. An empty ``id`` is derived from the label.
    """

    key: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    qid: str | None = None
    mentions: int = 1
    roles: tuple[str, ...] = ()
    id: str = ""

    @property
    def identity(self) -> str:
        """``id``, or the identity of the label alone (:func:`kg.names.name_identity`)."""
        if self.id:
            return self.id
        from .names import name_identity

        return name_identity(self.label)

    @staticmethod
    def make_key(type_: str, label: str) -> str:
        return f"{type_}:{label}"


@dataclass(frozen=True)
class Relation:
    """A normalised fact ``subject -predicate-> object`` with its evidence."""

    subject: str  # Entity.key
    predicate: str  # local name of a predicate in data/ontology.ttl (e.g. "opposes")
    object: str  # Entity.key
    evidence: Provenance
    polarity: str = POSITIVE
    modality: str = ASSERTED
    attributed_to: str | None = None  # Entity.key of the speaker, for facts inside quotations
    confidence: float = 0.5
    rule: str = ""


#: the entity types that may be a quotation's speaker: people, organisations ("the ministry
#: said") and countries (their governments: "Russia said")
SPEAKER_TYPES = ("Person", "Organization", "Country")


@dataclass(frozen=True)
class OpenRelation:
    """A clause between two named entities that no vocabulary predicate covers, kept apart from
    the :class:`Relation` facts: ``subject -label-> object`` where ``label`` is the verb phrase
    as a lemma ("praise", "play against", "hold talks with"). It becomes a ``kg:OpenStatement``,
    never a plain ``s p o`` triple."""

    subject: str  # Entity.key
    label: str  # the verb phrase: verb lemma, particle, a light verb's noun, preposition
    object: str  # Entity.key
    evidence: Provenance
    polarity: str = POSITIVE
    modality: str = ASSERTED
    attributed_to: str | None = None  # Entity.key of the speaker, for clauses inside quotations or reported speech
    confidence: float = 0.5
    rule: str = ""


@dataclass(frozen=True)
class Quotation:
    """A direct quotation attributed to a speaker (an Entity.key, or None if unknown).

    ``partial``: a few of the speaker's words inside the writer's own sentence ('called it "a
    disgrace"'), not the whole statement."""

    text: str
    speaker: str | None
    evidence: Provenance
    verb: str = "said"
    partial: bool = False


@dataclass(frozen=True)
class ArticleGraph:
    """Everything one article contributes to the graph."""

    article: Article
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
    quotations: tuple[Quotation, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)
    open_relations: tuple[OpenRelation, ...] = ()
