"""The records extraction makes: mentions, raw relations and quotations of one article
(frozen, handed to :mod:`kg.resolve`), and the :class:`Clause` of the clause analysis.

Mentions refer to each other by id: a pronoun or description carries the ``antecedent`` it
stands for; :func:`final_mention` follows that chain (extraction and resolution both use it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import ASSERTED, POSITIVE, Article

#: mention labels besides spaCy's NER labels
CONCEPT, ORG_NOUN, PRON, DESC = "CONCEPT", "ORG_NOUN", "PRON", "DESC"
#: mentions that stand for another one (a pronoun, "the spokesman")
REFERRING = (PRON, DESC)
#: a hyphen token joining the words of a concept or title ("so - called")
HYPHEN = "-"
#: the speech verb of a quotation whose verb is unknown or a reporting frame ("according to")
DEFAULT_SPEECH_VERB = "said"


@dataclass(frozen=True)
class Mention:
    id: int
    text: str  # as written (possessive dropped)
    name: str  # cleaned: no determiner, title or honorific
    label: str  # NER label, or CONCEPT, ORG_NOUN, PRON, DESC
    start: int  # char offsets in the article text
    end: int
    sent: int
    antecedent: int | None = None  # pronouns/descriptions: the mention they refer to
    title: str | None = None  # role predicate of a title written with the name
    actor: bool = False  # grammatical agent (subject/possessor/by-agent)
    dep: str = ""  # dependency label of the mention's head
    main_clause: bool = False  # the head is the subject/object of the sentence's main verb
    locative: bool = False  # used as a place: "in Moscow", "a trip to Moscow", "visited Moscow"
    surname: str = ""
    cue: str = ""  # the entity type the name's context says ("shares of X": Organization), or ""


@dataclass(frozen=True)
class RawRelation:
    subj: int
    pred: str
    obj: int
    sent: int
    trigger: str
    polarity: str = POSITIVE
    modality: str = ASSERTED
    speaker: int | None = None
    confidence: float = 0.5
    rule: str = ""
    alternatives: tuple[str, ...] = ()  # other predicates of the same verb; resolve keeps the first
    # whose subject/object types fit ("fired a missile" launches, "fired the minister" dismisses)


@dataclass(frozen=True)
class RawOpenRelation:
    """An open relation between two mentions (:mod:`kg.extract.openrel`): ``label`` is the verb phrase."""

    subj: int
    label: str
    obj: int
    sent: int
    trigger: str  # the words as written ("did not beat", "held talks with")
    polarity: str = POSITIVE
    modality: str = ASSERTED
    speaker: int | None = None
    confidence: float = 0.5
    rule: str = ""


@dataclass(frozen=True)
class RawQuote:
    text: str
    start: int
    end: int
    sent_start: int  # char span of the sentence(s) holding the quote
    sent_end: int
    speaker: int | None
    verb: str = DEFAULT_SPEECH_VERB
    partial: bool = False  # a few words within the writer's sentence, not the whole statement


@dataclass(frozen=True)
class DocExtraction:
    article: Article
    sentences: tuple[tuple[int, int], ...]
    mentions: tuple[Mention, ...]
    relations: tuple[RawRelation, ...]
    quotes: tuple[RawQuote, ...]
    # titles written with no organisation: (person, role, sentence, words, modality)
    titles: tuple[tuple[int, str, int, str, str], ...] = ()
    open_relations: tuple[RawOpenRelation, ...] = ()


@dataclass
class Clause:
    """What the dependency parse says about one verb (spaCy tokens; built by
    :func:`kg.extract.clauses.clauses`)."""

    verb: object  # spaCy Token
    subjects: list = field(default_factory=list)  # tokens
    objects: list = field(default_factory=list)  # direct objects (or passive patients)
    preps: list = field(default_factory=list)  # (preposition lemma, prep token, pobj token)
    particle: str = ""
    passive: bool = False
    negated: bool = False
    modality: str = ASSERTED
    inherited_subject: bool = False
    aux: list = field(default_factory=list)
    hypothetical: bool = False  # inside a condition ("if X sends weapons"): states nothing


def final_mention(mentions: Sequence[Mention], mid: int | None) -> int | None:
    """The mention ``mid`` stands for: itself, or the end of its chain of antecedents; None for a
    pronoun or description that stands for nothing found."""
    seen = set()
    while mid is not None and mentions[mid].antecedent is not None and mid not in seen:
        seen.add(mid)
        mid = mentions[mid].antecedent
    if mid is not None and mentions[mid].label in REFERRING and mentions[mid].antecedent is None:
        return None
    return mid
