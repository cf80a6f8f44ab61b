"""Arguments: the mention a subject or object token stands for - a named mention, a resolved
pronoun, the country of "the US government", the agent of an event noun, what a transparent
noun introduces ("calls for a ceasefire" -> the ceasefire), or a concept mention made on demand."""

from __future__ import annotations

from .clauses import OBJ_DEPS
from .context import Context, mention_at
from .mentions import add_mention
from .params import ARGUMENT_DEPTH, MIN_CONCEPT_CHARS, PP_CHAIN_DEPTH
from .records import CONCEPT, HYPHEN, ORG_NOUN
from .tree import objects_of, pp_chain, prep_phrases

#: amounts and dates are not things relations are about
NON_CONCEPT_ENTS = ("MONEY", "QUANTITY", "PERCENT", "CARDINAL", "DATE", "TIME", "ORDINAL")
#: named mentions that may be the agent of an event noun ("Russian aggression")
ACTOR_LABELS = ("NORP", "GPE", "ORG", "PERSON")


def arg(ctx: Context, tok, depth: int = 0) -> int | None:
    """Mention id for an argument token: entity, resolved pronoun, or concept."""
    if depth > ARGUMENT_DEPTH or tok is None:
        return None
    rules = ctx.rules
    low = tok.lower_
    lemma = tok.lemma_.lower()
    # "calls for a ceasefire" stands for the ceasefire
    prep = rules.transparent.get(low) or rules.transparent.get(lemma)
    if prep and tok.i not in ctx.tok2m:
        # the PP may hang off the noun or, after another PP, off that PP's object
        # ("calls from Poland for reparations")
        chain = pp_chain(tok, PP_CHAIN_DEPTH)
        if tok.dep_ in OBJ_DEPS:  # "rejected calls from Poland for reparations": PP on the verb
            chain += [c for c in tok.head.children if c.dep_ == "prep" and c.i > tok.i]
        pobj = next((p for c in chain if c.lower_ == prep for p in objects_of(c)), None)
        if pobj is not None:
            return arg(ctx, pobj, depth + 1)
    mid = mention_at(ctx, tok)
    if mid is not None:
        return mid
    if tok.i in ctx.tok2m:  # an unresolved pronoun/description: no argument
        return None
    # "the US government" -> the country
    if lemma in rules.state_nouns or low in rules.state_nouns:
        for c in tok.children:
            if c.dep_ in ("compound", "amod", "poss") and c.i in ctx.tok2m:
                m = ctx.mentions[ctx.tok2m[c.i]]
                if m.label in ("GPE", "NORP"):
                    return m.id
    # an event noun with an agent stands for its agent ("against Russian aggression")
    if lemma in rules.vocab.nouns and lemma not in rules.transparent:
        agent = event_agent(ctx, tok)
        if agent is not None and event_object(ctx, tok) is None:
            return agent
    if tok.pos_ in ("NOUN", "PROPN") and low not in rules.stop_concepts and lemma not in rules.stop_concepts:
        return concept(ctx, tok)
    return None


def concept(ctx: Context, tok) -> int | None:
    """The concept (or organisation noun: "a Western coalition") headed by ``tok``, made once."""
    doc, rules = ctx.doc, ctx.rules
    if tok.i in ctx.concept_at:
        return ctx.concept_at[tok.i]
    if tok.ent_type_ in NON_CONCEPT_ENTS or any(c.dep_ == "nummod" or c.like_num for c in tok.children):
        return None
    org_head = tok.lemma_.lower() in rules.org_nouns
    mods = [c for c in tok.children if c.dep_ in ("compound", "amod") and c.i < tok.i
            and (c.i not in ctx.tok2m or (org_head and ctx.mentions[ctx.tok2m[c.i]].label == "NORP"))
            and c.lower_ not in rules.concept_strip and c.pos_ in ("NOUN", "ADJ", "PROPN")]
    # keep only the contiguous modifiers just before the head
    start = tok.i
    for c in sorted(mods, key=lambda c: -c.i):
        if c.i == start - 1 or (c.i == start - 2 and doc[c.i + 1].text == HYPHEN):
            start = c.i
    words = doc[start : tok.i + 1].text
    concepts = rules.vocab.concepts
    canon = None if org_head and start < tok.i else (
        concepts.get(words.lower()) or concepts.get(tok.lower_) or concepts.get(tok.lemma_.lower()))
    if canon is None and (tok.lemma_.lower() in rules.stop_concepts or len(words) < MIN_CONCEPT_CHARS):
        return None
    is_org = tok.lemma_.lower() in rules.org_nouns and start < tok.i
    if canon:
        name = canon
    elif is_org:
        name = words[:1].upper() + words[1:] if words[:1].islower() and doc[start].pos_ == "PROPN" else words
    else:
        name = words.lower() if not any(t.pos_ == "PROPN" for t in doc[start : tok.i + 1]) else words
    m = add_mention(ctx, start, tok.i + 1, ORG_NOUN if is_org else CONCEPT, name=name)
    ctx.concept_at[tok.i] = m.id
    return m.id


def event_agent(ctx: Context, noun) -> int | None:
    """Who does what an event noun names: its possessor ("Xi's trip"), a by-phrase on it or on
    its verb, a from-phrase on it ("calls from Poland"), or a named modifier ("Russian aggression")."""
    rules = ctx.rules
    for c in noun.children:
        if c.dep_ == "poss":
            m = mention_at(ctx, c)
            if m is not None:
                return m
    by_heads = [noun]
    if noun.dep_ in OBJ_DEPS and not any(c.dep_ == "auxpass" for c in noun.head.children):
        by_heads.append(noun.head)  # "discussed the invasion of Kuwait by Iraq": PP on the verb
    for h in by_heads:
        hit = next(prep_phrases(h, rules.agent_preps_on_noun if h.i == noun.i else rules.agent_preps), None)
        if hit is not None:
            return mention_at(ctx, hit[1])
    for c in noun.children:
        if c.dep_ in ("amod", "compound") and c.i in ctx.tok2m:
            m = ctx.mentions[ctx.tok2m[c.i]]
            if m.label in ACTOR_LABELS:
                return m.id
    return None


def event_object(ctx: Context, noun, preps=None) -> tuple[str, object] | None:
    """``(preposition, object token)`` of an event noun: the first phrase on it whose preposition
    is one of ``preps`` (default: those data/relations.yaml gives the noun)."""
    if not preps:
        nouns = ctx.rules.vocab.nouns
        entries = nouns.get(noun.lower_) or nouns.get(noun.lemma_.lower()) or []
        preps = {p for _, ps in entries for p in ps}
    hit = next(prep_phrases(noun, preps), None)
    return (hit[0].lower_, hit[1]) if hit is not None else None
