"""What the extraction stages share: the rule words (:class:`Rules`, read once from data/ by
:mod:`kg.vocab`) and one article's working state (:class:`Context`), passed to every stage.

The stages run in order (:func:`kg.extract.extract`): named mentions, quotation marks, roles,
coreference with quotation speakers, then the relations of each sentence. Each adds to the
context's lists; the mentions list is the only one a later stage rewrites (a pronoun's or
description's ``antecedent``, a person's ``title``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..vocab import Vocabulary, load_vocabulary
from .records import PRON, REFERRING, Mention, RawOpenRelation, RawQuote, RawRelation, final_mention
from .table import DocTable

#: pronoun features (data/lexicon.yaml ``pronouns``) of a personal pronoun that may stand for a person
PERSONAL_KINDS = ("subject", "object", "possessive", "reflexive")
PERSON_GENDERS = ("m", "f")


@dataclass(frozen=True)
class Rules:
    """The words the rules test, as sets (data/lexicon.yaml, relations.yaml), and the gazetteer."""

    vocab: Vocabulary
    gaz: object
    honorifics: frozenset[str]
    honorific_stems: frozenset[str]  # without a final period ("mr" of "mr.")
    pronouns: dict[str, dict]  # pronoun -> {gender, number, kind}
    gendered_subjects: frozenset[str]  # "he", "she": a previous speaker when they say something
    speech: frozenset[str]
    reporting_frames: tuple[tuple[str, ...], ...]  # ("according", "to")
    stop_concepts: frozenset[str]
    concept_strip: frozenset[str]
    transparent: dict[str, str]  # "calls" -> "for"
    light: frozenset[str]
    org_nouns: frozenset[str]
    state_nouns: frozenset[str]
    future: frozenset[str]
    locative_preps: frozenset[str]
    travel_verbs: frozenset[str]
    articles: frozenset[str]
    definite: frozenset[str]
    indefinite: frozenset[str]
    possessive_dets: frozenset[str]
    nonperson_pronouns: frozenset[str]
    nonperson_as_possessive: frozenset[str]
    negative_dets: frozenset[str]
    negative_event_dets: frozenset[str]
    agent_preps: frozenset[str]  # "by": an agent on an event noun or its verb
    agent_preps_on_noun: frozenset[str]  # those and "from": on the event noun itself
    between_preps: frozenset[str]
    role_preps: frozenset[str]
    title_joiners: frozenset[str]
    # quotations (data/quotes.yaml)
    quote_speech: frozenset[str] = frozenset()  # speech verbs and those of quotations only ("posted")
    characterising: frozenset[str] = frozenset()  # 'called it "a disgrace"': a partial quotation's verb
    quote_object_verbs: frozenset[str] = frozenset()  # "quoted X as saying": X speaks
    person_nouns: frozenset[str] = frozenset()  # "his mother said": a subject that is an unnamed person
    title_small_words: frozenset[str] = frozenset()  # lower-case words of a title in marks ("of", "the")
    apostrophe_elisions: frozenset[str] = frozenset()  # 'em, 'tis: an apostrophe, not a quotation mark

    @classmethod
    def load(cls, vocab: Vocabulary | None = None, gazetteer=None) -> Rules:
        """The rules of ``vocab`` (default: data/) with ``gazetteer`` (default: data/gazetteer)."""
        lx = vocab or load_vocabulary()
        if gazetteer is None:
            from ..gazetteer import get_gazetteer

            gazetteer = get_gazetteer()
        ws = lx.word_set
        honorifics = ws("honorifics")
        pronouns = lx.pronouns
        return cls(
            vocab=lx, gaz=gazetteer, honorifics=honorifics,
            honorific_stems=frozenset(h.rstrip(".") for h in honorifics),
            pronouns=pronouns,
            gendered_subjects=frozenset(w for w, p in pronouns.items()
                                        if p.get("kind") == "subject" and p.get("gender") in PERSON_GENDERS),
            speech=ws("speech_verbs"), reporting_frames=lx.reporting_frames,
            stop_concepts=ws("stop_concepts"), concept_strip=ws("concept_strip"),
            transparent=lx.transparent_nouns, light=ws("light_verbs"), org_nouns=ws("organization_nouns"),
            state_nouns=ws("state_nouns"), future=ws("future_words"), locative_preps=ws("locative_prepositions"),
            travel_verbs=lx.travel_verbs,
            articles=ws("definite_articles") | ws("indefinite_articles"),
            definite=ws("definite_articles"), indefinite=ws("indefinite_articles"),
            possessive_dets=ws("possessive_determiners"),
            nonperson_pronouns=ws("nonperson_pronouns"), nonperson_as_possessive=ws("nonperson_pronouns_as_possessive"),
            negative_dets=ws("negative_determiners"), negative_event_dets=ws("negative_event_determiners"),
            agent_preps=ws("agent_prepositions"),
            agent_preps_on_noun=ws("agent_prepositions") | ws("noun_agent_prepositions"),
            between_preps=ws("between_prepositions"), role_preps=ws("role_prepositions"),
            title_joiners=ws("title_joiners"),
            quote_speech=ws("speech_verbs") | ws("quote_speech_verbs"), characterising=ws("characterisation_verbs"),
            quote_object_verbs=ws("quote_object_verbs"),
            person_nouns=ws("person_nouns"), title_small_words=ws("title_small_words"),
            apostrophe_elisions=ws("apostrophe_elisions"),
        )

    def frame_at(self, tok) -> tuple[str, ...] | None:
        """The reporting frame ("according to") whose words start at ``tok``, if any."""
        low = tok.lower_
        for frame in self.reporting_frames:
            if frame[0] != low:
                continue
            doc, i, n = tok.doc, tok.i, len(frame)
            if i + n - 1 < len(doc) and all(doc[i + k].lower_ == frame[k] for k in range(1, n)):
                return frame
        return None


@dataclass
class QuoteSpan:
    """One quotation's place: the characters and tokens inside its marks, how it is framed."""

    start: int  # offset of the first character inside the marks
    end: int  # offset past the last one
    a: int  # first token inside
    b: int  # last token inside
    opened: bool = True  # False: it continues a quotation of the previous paragraph whose mark is missing
    closed: bool = True  # False: still open at its paragraph's end
    prev: int | None = None  # the quotation of the previous paragraph it continues (one chain, one speaker)
    partial: bool = False  # a few words within the writer's own sentence, not the whole statement
    verb: int | None = None  # a partial quotation's governing speech or calling verb (token)


@dataclass
class QuoteState:
    """The quotations of an article: their marks, then their speakers and speech verbs."""

    spans: list[QuoteSpan] = field(default_factory=list)
    inside: dict[int, int] = field(default_factory=dict)  # token -> index of the quotation holding it
    speaker: dict[int, int | None] = field(default_factory=dict)  # quotation -> speaker, while coreference runs
    verb: dict[int, str] = field(default_factory=dict)  # quotation -> speech verb
    pronouns: dict[int, int | None] = field(default_factory=dict)  # pronoun speaker token -> whom it stands for
    final_speaker: dict[int, int | None] = field(default_factory=dict)  # quotation -> speaker, when done
    out: list[RawQuote] = field(default_factory=list)


@dataclass
class Context:
    """One article's working state, passed to every stage."""

    rules: Rules
    doc: object  # the spaCy Doc
    table: DocTable
    sents: list  # spaCy Spans
    sent_of: dict[int, int]  # token -> sentence index
    mentions: list[Mention] = field(default_factory=list)
    tok2m: dict[int, int] = field(default_factory=dict)  # token -> the first mention covering it
    relations: list[RawRelation] = field(default_factory=list)
    open_relations: list[RawOpenRelation] = field(default_factory=list)
    quotes: QuoteState = field(default_factory=QuoteState)
    we_of: dict[int, int] = field(default_factory=dict)  # "we" mention -> speaker mention
    titles: dict[int, str] = field(default_factory=dict)  # person mention -> role predicate
    concept_at: dict[int, int] = field(default_factory=dict)  # head token -> concept mention
    concept_info: dict[int, tuple[str | None, bool]] = field(default_factory=dict)  # concept mention ->
    # (its canonical concept of data/concepts.yaml or None, whether it is specific)
    # titles written with no organisation: (person, role, sentence, words, modality)
    title_only: list[tuple[int, str, int, str, str]] = field(default_factory=list)
    reliable: dict[int, bool] = field(default_factory=dict)  # pronoun mention -> a fact may rest on it
    claimed: set[int] = field(default_factory=set)  # verbs a construction pattern read (kg.extract.patterns)

    @classmethod
    def of(cls, doc, rules: Rules, strings: dict[int, str] | None = None) -> Context:
        """A fresh context for ``doc``; ``strings``: the string cache shared by the docs' tables."""
        sents = list(doc.sents)
        sent_of = {}
        for si, s in enumerate(sents):
            for i in range(s.start, s.end):
                sent_of[i] = si
        return cls(rules, doc, DocTable(doc, {} if strings is None else strings), sents, sent_of)


def final(ctx: Context, mid: int | None) -> int | None:
    """The mention ``mid`` stands for (see :func:`~kg.extract.records.final_mention`)."""
    return final_mention(ctx.mentions, mid)


def mention_at(ctx: Context, tok) -> int | None:
    """The mention a token stands for (after coreference); None if none."""
    mid = ctx.tok2m.get(tok.i)
    if mid is None:
        # the entity may be a compound of the token's noun phrase ("Chinese leader Xi")
        for c in tok.children:
            if c.dep_ == "compound" and c.i in ctx.tok2m and ctx.mentions[ctx.tok2m[c.i]].label == "PERSON":
                return ctx.tok2m[c.i]
        return None
    m = ctx.mentions[mid]
    if m.label == PRON and m.id in ctx.we_of:
        return m.id
    if m.label in REFERRING:
        return final(ctx, mid) if m.antecedent is not None else None
    return mid


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The rules of data/ and its gazetteer, made once."""
    return Rules.load()
