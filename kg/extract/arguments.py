"""Arguments: the mention a subject or object token stands for - a named mention, a resolved
pronoun, the country of "the US government", the agent of an event noun, what a transparent
noun introduces ("calls for a ceasefire" -> the ceasefire), or a concept mention made on demand."""

from __future__ import annotations

from .clauses import OBJ_DEPS, SUBJ_DEPS
from .context import PERSON_GENDERS, Context, final, mention_at
from .mentions import add_mention
from .params import ARGUMENT_DEPTH, FACT_PRONOUN_SENTENCES, MIN_CONCEPT_CHARS, PP_CHAIN_DEPTH
from .records import CONCEPT, HYPHEN, ORG_NOUN, PRON, REFERRING
from .tree import objects_of, pp_chain, prep_phrases

#: amounts and dates are not things relations are about
NON_CONCEPT_ENTS = ("MONEY", "QUANTITY", "PERCENT", "CARDINAL", "DATE", "TIME", "ORDINAL")
#: named mentions that may be the agent of an event noun ("Russian aggression")
ACTOR_LABELS = ("NORP", "GPE", "ORG", "PERSON")
#: the modifiers that are part of a concept's words ("nuclear weapons", "enterprise-grade system")
MODIFIER_DEPS = ("compound", "amod", "nmod")


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
        return mid if reliable(ctx, tok) else None
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
    # "20 tanks" is still tanks; "two options", "three years" are amounts of nothing in particular
    known_head = (tok.lower_ in rules.vocab.concepts or tok.lemma_.lower() in rules.vocab.concepts) \
        and tok.ent_type_ not in NON_CONCEPT_ENTS
    if not known_head and (tok.ent_type_ in NON_CONCEPT_ENTS
                           or any(c.dep_ == "nummod" or c.like_num for c in tok.children)):
        return None
    org_head = tok.lemma_.lower() in rules.org_nouns
    mods = [c for c in tok.children if c.dep_ in MODIFIER_DEPS and c.i < tok.i
            and (c.i not in ctx.tok2m or (org_head and ctx.mentions[ctx.tok2m[c.i]].label == "NORP"))
            and c.lower_ not in rules.concept_strip and c.pos_ in ("NOUN", "ADJ", "PROPN")]
    # keep only the contiguous modifiers just before the head, each with its own words
    # ("enterprise-grade", "sci-fi", "mail-in")
    start = tok.i
    for c in sorted(mods, key=lambda c: -c.i):
        edge = c.left_edge.i
        if c.right_edge.i == start - 1 and not any(t.i in ctx.tok2m for t in doc[edge:start]) \
                and doc[edge].lower_ not in rules.concept_strip:
            start = edge
        elif c.i == start - 1 or (c.i == start - 2 and doc[c.i + 1].text == HYPHEN):
            start = c.i
    span = doc[start : tok.i + 1]
    words = span.text
    concepts = rules.vocab.concepts
    phrase = concepts.get(words.lower())
    head = concepts.get(tok.lower_) or concepts.get(tok.lemma_.lower())
    canon = None if org_head and start < tok.i else (phrase or head)
    if canon is None and (tok.lemma_.lower() in rules.stop_concepts or len(words) < MIN_CONCEPT_CHARS):
        return None
    is_org = tok.lemma_.lower() in rules.org_nouns and start < tok.i
    # a noun or name among the modifiers says which one it is ("border agreement"); so does a
    # known concept; adjectives alone do not ("a free alternative", "the presidential nomination")
    # words that say what kind, not which one ("the state party", "the ruling party") do not count
    vague = rules.vocab.word_set("vague_modifiers")
    named_part = any(t.pos_ in ("NOUN", "PROPN") and t.lower_ not in vague for t in span if t.i != tok.i and t.is_alpha)
    named_org = is_org and any(t.lower_ not in vague for t in span if t.i != tok.i and t.is_alpha)
    # (a lower-case word tagged PROPN, "the president", is no name)
    specific = bool(canon) or named_part or (tok.pos_ == "PROPN" and tok.text[:1].isupper()) or named_org
    if canon and (phrase or not named_part):
        name = canon  # "an immediate truce" -> ceasefire; "construction equipment" keeps its words
    elif is_org:
        name = words[:1].upper() + words[1:] if words[:1].islower() and doc[start].pos_ == "PROPN" else words
    else:
        name = words.lower() if not any(t.pos_ == "PROPN" for t in span) else words
    m = add_mention(ctx, start, tok.i + 1, ORG_NOUN if is_org else CONCEPT, name=name)
    ctx.concept_info[m.id] = (canon, specific)
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
                return m if reliable(ctx, c) else None
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


# ---------------------------------------------------------------- pronouns a fact may rest on
#: pronoun kinds (data/lexicon.yaml ``pronouns``) that stand for the speaker or a clause's noun:
#: their referent is given by the quotation or the parse, not guessed
BOUND_KINDS = ("speaker", "first", "relative")
DEMONSTRATIVE = "demonstrative"
#: mentions a pronoun of each sort may stand for
PERSON_LABELS = ("PERSON",)
NONPERSON_LABELS = ("ORG", "GPE", "NORP")


def referred(ctx: Context, tok) -> bool:
    """The token is a pronoun or description standing for a mention elsewhere."""
    raw = ctx.tok2m.get(tok.i)
    return raw is not None and ctx.mentions[raw].label in REFERRING and ctx.mentions[raw].antecedent is not None


def reliable(ctx: Context, tok) -> bool:
    """A fact may rest on the pronoun at ``tok`` only when its referent is clear: named in this
    or the previous sentence, the only candidate of its sort there (else the only one that is a
    subject), with no unnamed subject of the pronoun's sort in between ("Some of the veterans ...
    they"), and, for a pronoun inside a quotation, named inside that quotation (the narrator's
    entities are not the speaker's "they"). Anything else: no fact (coreference may still have
    linked it, e.g. for a quotation's speaker)."""
    raw = ctx.tok2m.get(tok.i)
    if raw is None or ctx.mentions[raw].label != PRON or raw in ctx.we_of:
        return True
    if raw not in ctx.reliable:
        ctx.reliable[raw] = _reliable(ctx, raw, tok)
    return ctx.reliable[raw]


def _reliable(ctx: Context, raw: int, tok) -> bool:
    m = ctx.mentions[raw]
    info = ctx.rules.pronouns.get(m.text.lower(), {})
    if info.get("kind") in BOUND_KINDS or m.antecedent is None:
        return True
    ante = final(ctx, raw)
    if ante is None:
        return False
    person = info.get("gender") in PERSON_GENDERS
    labels = PERSON_LABELS if person else NONPERSON_LABELS
    lo = ctx.sents[max(0, m.sent - FACT_PRONOUN_SENTENCES)].start_char
    window = [x for x in ctx.mentions if lo <= x.start < m.start and x.label in labels]
    key = _entity_key(ctx, ante)
    # the referent named in the window, or a pronoun there that reliably stands for it ("Mugabe
    # ... He taught ... He embraced Marxism")
    near = [x for x in window if _entity_key(ctx, x.id) == key] + [
        x for x in ctx.mentions if lo <= x.start < m.start and x.label == PRON and x.antecedent is not None
        and final(ctx, x.id) is not None and _entity_key(ctx, x.id) == key
        and reliable(ctx, ctx.doc[_token_at(ctx, x)])]
    near.sort(key=lambda x: x.start)
    if not near:
        return False  # named too far back
    qi = ctx.quotes.inside.get(tok.i)
    if qi is not None and key in {_entity_key(ctx, x) for x in _speaker_side(ctx, qi)}:
        return False  # the speaker's "they" is someone else
    if not person and info.get("kind") == "possessive" and near[-1].sent == m.sent:
        return True  # "arms to Ukraine in support of its fight": the nearest in the sentence
    cands = {_entity_key(ctx, x.id) for x in window}
    if len(cands) > 1 and {_entity_key(ctx, x.id) for x in window if x.dep in SUBJ_DEPS} != {key}:
        return False
    if not person and _unnamed_subject_between(ctx, near[-1], tok, info.get("number")):
        return False
    return True


def _entity_key(ctx: Context, mid: int) -> str:
    """What tells two mentions of one entity apart from others before resolution: the
    gazetteer's name (a capital standing for its country: "Beijing" is China), a person's
    surname, else the name."""
    m = ctx.mentions[final(ctx, mid) or mid]
    if m.label == "PERSON":
        return "person:" + m.name.split()[-1].lower()
    gaz = ctx.rules.gaz
    e = gaz.capital_of(m.name) or gaz.seat_of(m.name) or gaz.lookup(m.name)
    return (e.name if e is not None else m.name).lower()


def _speaker_side(ctx: Context, qi: int) -> set[int]:
    """The speaker of quotation ``qi`` and the organisations and countries of their roles."""
    sp = ctx.quotes.final_speaker.get(qi)
    if sp is None:
        return set()
    key = _entity_key(ctx, sp)
    roles = {r.obj for r in ctx.relations
             if ctx.rules.vocab.predicates[r.pred].role and _entity_key(ctx, r.subj) == key}
    return {sp} | {o for o in (final(ctx, o) for o in roles) if o is not None}


def _token_at(ctx: Context, m) -> int:
    return ctx.doc.char_span(m.start, m.end, alignment_mode="expand").root.i


def _unnamed_subject_between(ctx: Context, ante, tok, number: str | None) -> bool:
    """A common-noun subject between the antecedent and the pronoun that the pronoun may stand
    for instead ("the family said they ...": "they" may be the family)."""
    tb, pronouns = ctx.table, ctx.rules.pronouns
    start = _token_at(ctx, ante) + 1
    for i in range(start, tok.i):
        if tb.dep[i] not in SUBJ_DEPS or not (number == "pl" or tb.tag[i] == "NN"):
            continue
        mid = ctx.tok2m.get(i)
        if tb.pos[i] == "NOUN" and (mid is None or ctx.mentions[mid].label == CONCEPT):
            return True
        if pronouns.get(tb.lower[i], {}).get("kind") == DEMONSTRATIVE:  # "Those who want to ..."
            return True
    return False
